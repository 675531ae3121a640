"""Resolution uses the whole document; short articles written for the tests."""

from __future__ import annotations

import pytest

from geo import gazetteer
from geo.geoparse import recognise as mentions
from geo.geoparse import resolve


@pytest.fixture(scope="module")
def gaz() -> gazetteer.Gazetteer:
    return gazetteer.load()


def places(text: str, gaz: gazetteer.Gazetteer) -> dict[str, resolve.Resolved]:
    return {r.mention.text: r for r in resolve.resolve(text, mentions.find(text, gaz), gaz)}


def test_country_beats_homonymous_towns(gaz: gazetteer.Gazetteer) -> None:
    got = places("Fighting spread across Lebanon on Tuesday.", gaz)
    assert got["Lebanon"].place is not None and got["Lebanon"].place.feature == "country"
    assert got["Lebanon"].geo_precision == 4


def test_story_country_picks_the_homonym_inside_it(gaz: gazetteer.Gazetteer) -> None:
    got = places("Floods hit Texas. In Paris, the mayor ordered an evacuation of Lamar County.", gaz)
    assert got["Paris"].place is not None and got["Paris"].place.country_code == "US"


def test_paris_alone_is_france(gaz: gazetteer.Gazetteer) -> None:
    got = places("Protesters marched in Paris on Saturday.", gaz)
    assert got["Paris"].place is not None and got["Paris"].place.country_code == "FR"


def test_apposition_names_the_container(gaz: gazetteer.Gazetteer) -> None:
    got = places("A bomb exploded in Tripoli, Lebanon, on Friday.", gaz)
    assert got["Tripoli"].place is not None and got["Tripoli"].place.country_code == "LB"


def test_parenthetical_province(gaz: gazetteer.Gazetteer) -> None:
    got = places("Drones struck Marjayoun (Marjayoun, Al Nabatieh) at dawn.", gaz)
    assert got["Marjayoun"].place is not None and got["Marjayoun"].place.country_code == "LB"


def test_city_over_province_of_the_same_name(gaz: gazetteer.Gazetteer) -> None:
    got = places("A car bomb went off in Gaza.", gaz)
    assert got["Gaza"].place is not None and got["Gaza"].place.country_code == "PS"


def test_curated_base_resolves_to_its_coordinates(gaz: gazetteer.Gazetteer) -> None:
    got = places("Rockets targeted Ain al-Asad air base.", gaz)
    place = got["Ain al-Asad air base"].place
    assert place is not None and resolve.distance_km(place.latitude, place.longitude, 33.79, 42.44) < 5


def test_region_mention_has_region_precision(gaz: gazetteer.Gazetteer) -> None:
    got = places("Clashes were reported in western Iraq.", gaz)
    assert got["western Iraq"].geo_precision == 3 and got["western Iraq"].place is not None


def test_demonym_resolves_to_country(gaz: gazetteer.Gazetteer) -> None:
    got = places("Syrian forces shelled the area.", gaz)
    assert got["Syrian"].place is not None and got["Syrian"].place.country_code == "SY"


def test_nearby_town_beats_homonym_abroad(gaz: gazetteer.Gazetteer) -> None:
    got = places("Shells landed in Kfar Kila and Marjayoun near the border with Israel.", gaz)
    assert got["Marjayoun"].place is not None and got["Marjayoun"].place.country_code == "LB"


def test_unknown_name_resolves_to_none(gaz: gazetteer.Gazetteer) -> None:
    text = "Zzyzxqvil was quiet."
    ms = mentions.from_spans(text, [(0, 9)], gaz)
    assert resolve.resolve(text, ms, gaz)[0].place is None


def test_distance_km() -> None:
    assert abs(resolve.distance_km(33.3, 44.4, 33.3, 44.4)) < 1e-9
    assert 600 < resolve.distance_km(33.31, 44.36, 35.69, 51.39) < 800


def test_province_beats_its_smaller_namesake_city(gaz: gazetteer.Gazetteer) -> None:
    got = places("Police in Montreal, Quebec, said the suspect fled.", gaz)
    assert got["Quebec"].place is not None and got["Quebec"].place.feature == "admin1"


def test_metropolis_beats_its_namesake_province(gaz: gazetteer.Gazetteer) -> None:
    got = places("A bomb exploded in Baghdad on Sunday.", gaz)
    assert got["Baghdad"].place is not None and got["Baghdad"].place.feature == "city"


def test_one_name_keeps_one_referent_in_a_story(gaz: gazetteer.Gazetteer) -> None:
    text = "A shooting in Parkland, Florida shocked the nation. Parkland residents gathered. Parkland mourned."
    picks = {r.place.id for r in resolve.resolve(text, mentions.find(text, gaz), gaz)
             if r.place is not None and r.mention.text == "Parkland"}
    assert len(picks) == 1
