"""Event location and incident fields on short articles written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from geo import gazetteer, geoparse
from geo.gazetteer.ranking import distance_km
from geo.geoparse import actors, casualties, dates, event_types, sentences

AL_ASAD_STORY = (
    "A drone and rocket attack on Al-Asad Air Base in western Iraq on Monday injured five U.S. "
    "service members and two contractors, U.S. officials said. A new group calling itself Al-Thawriun "
    "claimed responsibility for the strike in a statement. The attack came as the region braced for "
    "escalation after the assassinations of a Hamas official in Tehran and a Hezbollah commander in "
    "Lebanon. American troops in Jordan were placed on alert, and the government in Baghdad condemned it."
)


@pytest.fixture(scope="module")
def gaz() -> gazetteer.Gazetteer:
    return gazetteer.load()


@pytest.fixture(scope="module")
def al_asad(gaz: gazetteer.Gazetteer) -> geoparse.ParseResult:
    return geoparse.parse(AL_ASAD_STORY, date(2024, 8, 6), gaz)


def test_base_attack_is_event_location(al_asad: geoparse.ParseResult) -> None:
    incident = al_asad.incidents[0]
    assert incident.location == "Al-Asad Air Base"
    assert incident.latitude is not None and incident.longitude is not None
    assert distance_km(incident.latitude, incident.longitude, 33.79, 42.44) < 5
    assert incident.geo_precision == 1


def test_context_cities_and_countries_are_not_event_location(al_asad: geoparse.ParseResult) -> None:
    roles = {m.text: m.role for m in al_asad.mentions}
    for name in ("Tehran", "Lebanon", "Jordan", "Baghdad"):
        assert roles[name] == "context", name


def test_weekday_resolves_against_publication_date(al_asad: geoparse.ParseResult) -> None:
    incident = al_asad.incidents[0]
    assert incident.event_date == date(2024, 8, 5)
    assert incident.time_precision == 1


def test_claiming_group_and_role(al_asad: geoparse.ParseResult) -> None:
    assert (al_asad.incidents[0].group, al_asad.incidents[0].group_role) == ("Al-Thawriun", "claimed")


def test_injured_counts_are_summed(al_asad: geoparse.ParseResult) -> None:
    assert al_asad.incidents[0].injured == 7
    assert al_asad.incidents[0].killed is None


def test_drone_attack_is_air_drone_strike(al_asad: geoparse.ParseResult) -> None:
    assert al_asad.incidents[0].event_type == "Explosions/Remote violence"
    assert al_asad.incidents[0].sub_event_type == "Air/drone strike"


def test_to_json_has_the_design_shape(al_asad: geoparse.ParseResult) -> None:
    out = al_asad.to_json()
    assert set(out) == {"mentions", "incidents"}
    assert set(out["mentions"][0]) == {"start", "end", "text", "name", "latitude", "longitude", "country_code",
                                       "feature", "geo_precision", "role", "confidence"}
    assert set(out["incidents"][0]) == {"event_date", "time_precision", "group", "group_role", "location",
                                        "latitude", "longitude", "geo_precision", "country_code", "admin1",
                                        "killed", "injured", "event_type", "mention_start", "mention_end",
                                        "sub_event_type", "group_known", "evidence", "confidence", "runner_up"}
    for m in out["mentions"]:
        assert AL_ASAD_STORY[m["start"]:m["end"]] == m["text"]
    assert out["incidents"][0]["event_date"] == "2024-08-05"


def test_to_incident_builds_a_record(al_asad: geoparse.ParseResult) -> None:
    record = geoparse.to_incident(al_asad.incidents[0], source="test", source_url="https://example.org/a",
                                published=date(2024, 8, 6), notes="drone attack on a base")
    assert record.location == "Al-Asad Air Base" and record.injured == 7 and record.group_role == "claimed"
    assert record.published == date(2024, 8, 6) and record.event_id.startswith("parsed-")


def test_unresolved_mentions_are_reported_with_null_coordinates(gaz: gazetteer.Gazetteer) -> None:
    text = "Fighting was reported in Qaryat Zzyzzx, near Aleppo, on Tuesday."
    out = geoparse.parse(text, date(2024, 3, 7), gaz).to_json()
    assert any(m["text"] == "Aleppo" and m["latitude"] is not None for m in out["mentions"])


@pytest.mark.parametrize(("phrase", "expected", "precision"), [
    ("on Aug. 5", date(2024, 8, 5), 1),
    ("on 3 August", date(2024, 8, 3), 1),
    ("yesterday", date(2024, 8, 5), 1),
    ("last week", date(2024, 7, 30), 2),
    ("in late January", date(2024, 1, 25), 3),
    ("last month", date(2024, 7, 15), 3),
    ("on Dec. 30", date(2023, 12, 30), 1),
])
def test_date_expressions(phrase: str, expected: date, precision: int) -> None:
    text = f"Gunmen attacked a checkpoint near Kirkuk {phrase}, police said."
    assert dates.event_date_of(text, date(2024, 8, 6), text.index("Kirkuk"), (), sentences.split(text)) == (
        expected, precision)


def test_no_date_in_text_falls_back_to_publication_week() -> None:
    text = "Gunmen attacked a checkpoint near Kirkuk, police said."
    assert dates.event_date_of(text, date(2024, 8, 6), 30, (), sentences.split(text)) == (date(2024, 8, 6), 2)


def test_blamed_group_is_attributed() -> None:
    text = "Officials blamed the attack on Kataib Hezbollah, which denied it."
    got = actors.group_of(text, [(0, len(text))])
    assert (got.name, got.role, got.known) == ("Kataib Hezbollah", "attributed", True)


def test_no_group_cue_is_unknown() -> None:
    text = "A blast shook the market on Friday."
    assert actors.group_of(text, [(0, len(text))]) == actors.GroupReading("", "unknown", False)


@pytest.mark.parametrize(("text", "expected"), [
    ("A car bomb killed 12 people and wounded 30 others in the market.", (12, 30)),
    ("Three soldiers were killed and four were wounded when their patrol was ambushed.", (3, 4)),
    ("The strike killed at least nine civilians, including seven children.", (9, None)),
    ("Seven U.S. troops and personnel were injured in the attack.", (None, 7)),
    ("A car bomb went off at a checkpoint, killing four policemen and wounding six.", (4, 6)),
    ("The attack caused damage but no casualties were reported.", (0, 0)),
    ("Drones hit the base, wounding three service members, two officials said on Monday.", (None, 3)),
    ("Gunmen opened fire, killing three soldiers, two civilians and four police officers.", (9, None)),
    ("Gunmen killed three soldiers and two civilians, police said.", (5, None)),
    # how coders read a toll (issue 19): one victim in the singular, a range's low end, no date as a count
    ("On 12 March 2023, gunmen killed a shopkeeper in the market.", (1, None)),
    ("On 3 May 2021, a teacher was killed when a mortar hit the school.", (1, None)),
    ("On 9 June 2020, one fisherman died after a mine exploded near the shore.", (1, None)),
    ("Raiders killed between 12 and 20 villagers and wounded 7-9 others.", (12, 7)),
    ("At least 30 people, including 5 attackers, were killed in the raid.", (30, None)),
    ("On 24 February 2022, militants killed 3 civilians.", (3, None)),
    ("A roadside bomb killed civilians near the bridge.", (None, None)),
    ("Militants attacked the post, killing a number of soldiers.", (None, None)),
    # an explicit none is zero: casualties covers both, fatalities the dead only
    ("A bomb exploded near the bus station. There were no casualties in the blast.", (0, 0)),
    ("A roadside bomb wounded 3 soldiers. There were no fatalities.", (0, 3)),
])
def test_casualty_counts(text: str, expected: tuple[int | None, int | None]) -> None:
    assert casualties.casualties(text, sentences.split(text)) == expected


@pytest.mark.parametrize(("text", "subtype"), [
    ("An IED struck a convoy on the highway.", "Remote explosive/landmine/IED"),
    ("Rockets and mortar shells hit the camp overnight.", "Shelling/artillery/missile attack"),
    ("An airstrike destroyed a depot.", "Air/drone strike"),
    ("A suicide bomber blew himself up at a checkpoint.", "Suicide bomb"),
])
def test_event_types_use_acled_vocabulary(text: str, subtype: str) -> None:
    assert event_types.event_type_of(text)[1] == subtype


def test_town_beats_country_as_event_location(gaz: gazetteer.Gazetteer) -> None:
    text = "Syria said an Israeli airstrike hit a building in Homs on Sunday, killing two people."
    result = geoparse.parse(text, date(2024, 4, 1), gaz)
    assert result.incidents[0].location == "Homs"


def test_story_without_event_words_has_no_incident(gaz: gazetteer.Gazetteer) -> None:
    text = "The minister flew from Amman to Paris for talks on trade and tourism."
    assert geoparse.parse(text, date(2024, 4, 1), gaz).incidents == []
