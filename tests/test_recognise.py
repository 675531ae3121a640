"""Recognition rules, each on a short sentence written for the test."""

from __future__ import annotations

import pytest

from geo import gazetteer
from geo.geoparse import recognise


@pytest.fixture(scope="module")
def gaz() -> gazetteer.Gazetteer:
    return gazetteer.load()


def texts(text: str, gaz: gazetteer.Gazetteer) -> list[str]:
    return [m.text for m in recognise.find(text, gaz)]


def test_cities_countries_and_bases_are_found(gaz: gazetteer.Gazetteer) -> None:
    found = texts("Rockets hit Al-Asad Air Base and Baghdad airport; Syria and Jordan closed roads.", gaz)
    assert "Al-Asad Air Base" in found and "Baghdad airport" in found and "Syria" in found and "Jordan" in found


def test_possessive_is_cut_from_the_span(gaz: gazetteer.Gazetteer) -> None:
    ms = recognise.find("Officials said Iraq's parliament met in Erbil.", gaz)
    iraq = next(m for m in ms if m.lookup == "Iraq")
    assert iraq.text == "Iraq" and iraq.possessive


def test_compass_qualifier_makes_a_region(gaz: gazetteer.Gazetteer) -> None:
    ms = recognise.find("Shelling continued in southern Lebanon overnight.", gaz)
    assert [(m.text, m.kind, m.qualifier) for m in ms] == [("southern Lebanon", "region", "southern")]


def test_us_abbreviation_keeps_full_stop(gaz: gazetteer.Gazetteer) -> None:
    assert "U.S." in texts("Two U.S. soldiers were hurt.", gaz)


def test_arabic_article_forms(gaz: gazetteer.Gazetteer) -> None:
    assert "al-Tanf" in texts("A drone struck near al-Tanf on Sunday.", gaz)


def test_person_names_are_not_places(gaz: gazetteer.Gazetteer) -> None:
    text = "Defense Secretary Lloyd Austin spoke to reporters. Later, Austin said the troops were safe."
    assert texts(text, gaz) == []


def test_title_marks_a_person(gaz: gazetteer.Gazetteer) -> None:
    assert texts("Mr. Hussein left early.", gaz) == []


def test_first_name_followed_by_surname_is_a_person(gaz: gazetteer.Gazetteer) -> None:
    assert "Jordan" not in texts("The analyst Jordan Peterson spoke in Toronto.", gaz)


def test_common_verb_is_not_a_town(gaz: gazetteer.Gazetteer) -> None:
    assert texts("The strikes hit two depots. Hit by shrapnel, a guard was hurt.", gaz) == []


def test_town_after_locative_preposition_is_kept(gaz: gazetteer.Gazetteer) -> None:
    assert "Hit" in texts("Militants attacked a checkpoint near Hit on Sunday.", gaz)


def test_months_and_weekdays_are_not_places(gaz: gazetteer.Gazetteer) -> None:
    assert texts("On Monday in May the council met. Of the ten members, Best voted no.", gaz) == []


def test_common_words_that_are_place_names_are_ignored(gaz: gazetteer.Gazetteer) -> None:
    assert texts("Police said the Man in the photo was the Best of the class.", gaz) == []


def test_demonyms_are_mentions_of_their_country(gaz: gazetteer.Gazetteer) -> None:
    ms = recognise.find("Iraqi officials met Iranian envoys.", gaz)
    assert [(m.text, m.kind, m.lookup) for m in ms] == [("Iraqi", "demonym", "Iraq"), ("Iranian", "demonym", "Iran")]


def test_place_inside_organisation_name_is_flagged(gaz: gazetteer.Gazetteer) -> None:
    ms = recognise.find("The Islamic Resistance in Iraq claimed the attack.", gaz)
    iraq = next(m for m in ms if m.text == "Iraq")
    assert iraq.in_organisation


def test_parenthetical_province_and_small_town(gaz: gazetteer.Gazetteer) -> None:
    found = texts("Israeli drones struck Marjayoun (Marjayoun, Al Nabatieh) at dawn.", gaz)
    assert found.count("Marjayoun") == 2 and "Al Nabatieh" in found


def test_world_regions_and_state_abbreviations(gaz: gazetteer.Gazetteer) -> None:
    found = texts("Leaders in Europe and the Middle East reacted; a vigil was held in Louisville, Ky.", gaz)
    assert {"Europe", "Middle East", "Louisville", "Ky."} <= set(found)


def test_acronyms_are_not_places(gaz: gazetteer.Gazetteer) -> None:
    assert texts("CNN and AP reported the story.", gaz) == []


def test_offsets_are_python_string_indices(gaz: gazetteer.Gazetteer) -> None:
    text = "Über 20 Menschen — Gaza's hospitals were full, said officials in Rafah."
    for m in recognise.find(text, gaz):
        assert text[m.start:m.end] == m.text


def test_from_spans_reads_demonyms_and_names(gaz: gazetteer.Gazetteer) -> None:
    text = "Turkish troops entered Afrin."
    ms = recognise.from_spans(text, [(0, 7), (23, 28)], gaz)
    assert ms[0].kind == "demonym" and ms[0].lookup == "Turkey"
    assert ms[1].candidates


def test_a_region_named_inside_a_group_name_is_part_of_the_organisation(gaz: gazetteer.Gazetteer) -> None:
    text = "Fighters of the Islamic State of Iraq and the Levant attacked a checkpoint near Hit on Sunday."
    found = {m.text: m for m in recognise.find(text, gaz)}
    assert found["Levant"].in_organisation and found["Iraq"].in_organisation
    assert not found["Hit"].in_organisation
