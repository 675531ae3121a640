"""Hierarchy and the country guard on the village layers of ../shared/gazetteer.

The texts are written for these tests; the places are real (their names and provinces as
the layers record them)."""

from __future__ import annotations

from datetime import date

import pytest

from geo import geoparse
from geo.gazetteer import Gazetteer
from geo.gazetteer.ranking import distance_km
from geo.geocoding.offline import OfflineGeocoder


def near(lat: float | None, lon: float | None, point: tuple[float, float], km: float) -> bool:
    return lat is not None and lon is not None and distance_km(lat, lon, *point) < km


# ----------------------------------------------------------------- country guard

@pytest.mark.parametrize(("name", "country", "precision"), [
    ("Maysan", "IQ", 3), ("Dhi Qar", "IQ", 3), ("Balqa", "JO", 3), ("Quneitra", "SY", 1),
    ("Khiam", "LB", 1), ("al-Sawana", "LB", 1), ("Gaza", "PS", 1), ("Jarash", "JO", 1),
])
def test_a_hinted_country_is_never_left(layered_geocoder: OfflineGeocoder, name: str, country: str,
                                        precision: int) -> None:
    # a province is meant unless a town inside it has its name (Quneitra): then the town
    result = layered_geocoder.locate(name, country)
    assert result is not None and result.country_code == country and result.geo_precision == precision


def test_a_name_only_known_abroad_answers_the_hinted_country_itself(layered_geocoder: OfflineGeocoder) -> None:
    result = layered_geocoder.locate("Paris", "IQ")
    assert result is not None and (result.country_code, result.geo_precision, result.feature) == ("IQ", 4, "country")


def test_a_stated_province_picks_among_homonyms(layered_geocoder: OfflineGeocoder) -> None:
    # there is a Hit in Anbar and more elsewhere; the record's province decides
    result = layered_geocoder.locate("Hit", "IQ", "Anbar")
    assert result is not None and near(result.latitude, result.longitude, (33.64, 42.83), 10)


def test_an_unknown_village_in_a_stated_province_falls_back_to_the_province(
        layered_geocoder: OfflineGeocoder) -> None:
    result = layered_geocoder.locate("Qwzbadiya", "IQ", "Nineveh")
    assert result is not None and result.geo_precision == 3 and near(result.latitude, result.longitude,
                                                                      (36.3, 43.0), 120)


# ----------------------------------------------------------------- transliteration

@pytest.mark.parametrize("spelling", ["Aita ech Chaab", "Ayta ash Shab", "Aïta al-Shaab", "عيتا الشعب"])
def test_spellings_of_one_village_meet(layered_geocoder: OfflineGeocoder, spelling: str) -> None:
    result = layered_geocoder.locate(spelling, "LB")
    assert result is not None and near(result.latitude, result.longitude, (33.10, 35.34), 5)


@pytest.mark.parametrize("spelling", ["Kharkiv", "Kharkov", "Харків"])
def test_ukrainian_and_russian_spellings_meet(layered_geocoder: OfflineGeocoder, spelling: str) -> None:
    result = layered_geocoder.locate(spelling, "UA")
    assert result is not None and near(result.latitude, result.longitude, (49.99, 36.23), 10)


# ----------------------------------------------------------------- containers stated in text

def event_point(text: str, gaz: Gazetteer) -> geoparse.EventRecord:
    result = geoparse.parse(text, date(2024, 3, 5), gaz)
    assert result.incidents, "no incident read"
    return result.incidents[0]


def test_a_village_in_parentheses_is_found_inside_its_district(layered: Gazetteer) -> None:
    incident = event_point("On 3 March 2024, an airstrike hit Kfar Kila village (Marjayoun, Nabatieh), "
                           "killing two people.", layered)
    assert incident.geo_precision == 1 and near(incident.latitude, incident.longitude, (33.28, 35.55), 5)


def test_an_unknown_village_falls_back_to_its_stated_district(layered: Gazetteer) -> None:
    incident = event_point("On 3 March 2024, a drone struck Qwzbadiya village (Sinjar district, Nineveh "
                           "governorate), wounding four.", layered)
    assert incident.geo_precision == 2 and incident.country_code == "IQ"
    assert near(incident.latitude, incident.longitude, (36.32, 41.87), 60)


def test_an_unknown_village_and_district_fall_back_to_the_governorate(layered: Gazetteer) -> None:
    incident = event_point("On 3 March 2024, gunmen attacked a checkpoint in Qwzbadiya village (Qwzdistrict, "
                           "Diyala), killing a soldier.", layered)
    assert incident.geo_precision == 3 and incident.country_code == "IQ"
    assert near(incident.latitude, incident.longitude, (33.9, 44.9), 80)


def test_a_neighbourhood_is_found_inside_the_stated_city_not_abroad(layered: Gazetteer) -> None:
    # Mansour is also a town in Egypt and elsewhere; the address puts it in Baghdad
    incident = event_point("Assailants detonated an explosive device in Mansour area, Baghdad city, Baghdad, "
                           "Iraq, injuring three people.", layered)
    assert incident.country_code == "IQ" and near(incident.latitude, incident.longitude, (33.31, 44.36), 15)


def test_a_district_and_province_after_a_comma_are_containers_not_the_event(layered: Gazetteer) -> None:
    incident = event_point("Shelling hit Ayta ash Shab, Bint Jbeil, Nabatieh, Lebanon, wounding a farmer.",
                           layered)
    assert incident.location.startswith("Aita") and incident.geo_precision == 1


def test_a_place_near_a_town_is_placed_within_reach_of_it(layered: Gazetteer) -> None:
    incident = event_point("A roadside bomb exploded near Qwzbadiya near Tikrit, killing two soldiers.", layered)
    assert incident.geo_precision == 2 and near(incident.latitude, incident.longitude, (34.6, 43.68), 60)


def test_a_stated_district_picks_the_right_namesake_village(layered_geocoder: OfflineGeocoder) -> None:
    # Lebanon has two villages called Khiam; the one in Marjayoun district is the frontier town
    from geo.__main__ import _geocode_item

    answer = _geocode_item(layered_geocoder, "Khiam", "LB", None, "Marjayoun")
    assert answer["geo_precision"] == 1 and near(answer["latitude"], answer["longitude"], (33.33, 35.61), 5)


def test_a_village_in_a_named_region_is_found_inside_it(layered: Gazetteer) -> None:
    # the West Bank is a region without borders in the index: the village still counts as inside it
    incident = event_point("On 3 March 2024, soldiers raided Burqa village (Nablus, West Bank), wounding five.", layered)
    assert incident.geo_precision == 1 and incident.country_code == "PS"
    assert near(incident.latitude, incident.longitude, (32.30, 35.19), 8)


def test_an_address_head_is_looked_up_with_variant_spellings(layered: Gazetteer) -> None:
    # "Makhmour" is not how the index spells the town, but ", Iraq" says it is a place there
    incident = event_point("Gunmen attacked a checkpoint in Makhmour, Iraq, on Tuesday.", layered)
    assert incident.country_code == "IQ" and near(incident.latitude, incident.longitude, (35.76, 43.60), 8)


def test_a_town_spelled_as_the_text_spells_it_beats_the_district_named_after_it(layered: Gazetteer) -> None:
    incident = event_point("On 3 March 2024, shelling hit Bilopillia, Sumy, wounding a man.", layered)
    assert incident.geo_precision == 1 and near(incident.latitude, incident.longitude, (51.15, 34.31), 5)
