"""Choosing the event place: candidate rows, mention chips, and what a save keeps."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

import pytest

from geo.gazetteer import Place
from geo.geocoding.offline import OfflineGeocoder
from geo.geoparse import EventRecord, LocatedMention
from geo.map import basemap
from geo.ui.place_pick import (
    PlaceChoice,
    PlaceNotChosen,
    PlacePoint,
    candidate_index,
    candidate_label,
    candidate_layer,
    candidate_rows,
    chip_label,
    chip_of,
    decide_save,
    map_points,
    map_rows,
    map_view,
    markdown_literal,
    mention_chips,
    point_of_mention,
    point_of_place,
    point_of_record,
    same_point,
)

MOSUL = PlacePoint("Mosul", 36.34, 43.12, 1, "IQ", "Ninawa", "", "city")
ERBIL = PlacePoint("Erbil", 36.19, 44.01, 1, "IQ", "Arbil", "", "city")


def mention(text: str, name: str, lat: float | None, lon: float | None, cc: str = "IQ", start: int = 0) -> LocatedMention:
    return LocatedMention(start, start + len(text), text, name, lat, lon, cc if lat is not None else "",
                          "city" if lat is not None else "", 1 if lat is not None else None, "context", "Anbar")


def shown(markdown: str) -> str:
    """What Markdown shows for a label whose only markup is backslash escapes."""
    return re.sub(r"\\(.)", r"\1", markdown)


# ----------------------------------------------------------------- what a save keeps

def test_an_edited_name_never_keeps_the_old_point() -> None:
    old = PlaceChoice("Mosul", MOSUL, "Mosul", 10, 15)
    with pytest.raises(PlaceNotChosen, match="pick one"):
        decide_save("Erbil", old, candidates=1)  # Erbil has a candidate, none picked yet
    saved = decide_save("Qwxzzyville", old, candidates=0)
    assert saved.location == "Qwxzzyville" and not saved.located and saved.geo_precision is None
    assert saved.mention == ""  # the Mosul span does not follow a new name


def test_the_picked_candidate_is_what_is_saved() -> None:
    saved = decide_save("Erbil", PlaceChoice("Erbil", ERBIL), candidates=1, country_hint="SY", admin1_hint="x")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (36.19, 44.01, 1)
    assert (saved.country_code, saved.admin1) == ("IQ", "Arbil")  # the candidate's, not the hints


def test_a_name_not_found_is_saved_off_the_map_with_the_hints() -> None:
    saved = decide_save("  Qwxzzyville ", None, candidates=0, country_hint="iq", admin1_hint=" Anbar ")
    assert saved.location == "Qwxzzyville" and not saved.located
    assert (saved.country_code, saved.admin1) == ("IQ", "Anbar")


def test_case_and_spacing_do_not_make_a_new_name() -> None:
    saved = decide_save("al-asad  air base", PlaceChoice("Al-Asad Air Base", MOSUL, "Ain al-Asad", 3, 14), 2)
    assert saved.located and (saved.mention, saved.mention_start, saved.mention_end) == ("Ain al-Asad", 3, 14)


def test_an_empty_place_is_refused() -> None:
    with pytest.raises(PlaceNotChosen, match="Name the place"):
        decide_save("   ", PlaceChoice("", MOSUL), candidates=0)


# ----------------------------------------------------------------- candidates

@dataclass(frozen=True)
class PlaceWithAdmin2(Place):
    admin2: str = ""


def test_rows_show_admin2_only_when_the_gazetteer_has_it() -> None:
    assert list(candidate_rows([MOSUL])[0]) == ["#", "place", "admin1", "country", "kind", "precision"]
    place = PlaceWithAdmin2("g:1", "Hit", 33.64, 42.83, "IQ", "Anbar", "city", admin2="Hit District")
    point = point_of_place(place)
    assert point.admin2 == "Hit District"
    rows = candidate_rows([point, MOSUL])
    assert rows[0] == {"#": 1, "place": "Hit", "admin1": "Anbar", "admin2": "Hit District", "country": "IQ",
                       "kind": "city", "precision": "exact place"}
    assert rows[1]["admin2"] == ""
    assert candidate_label(1, point) == "1. Hit — Hit District, Anbar, IQ · exact place"


def test_place_without_admin2_field_reads_as_empty() -> None:
    place = Place("admin1:IQ.01", "Anbar", 33.0, 42.0, "IQ", "Anbar", "admin1")
    point = point_of_place(place)
    assert point.admin2 == "" and point.geo_precision == 3
    assert candidate_rows([point])[0]["precision"] == "province / region"


def test_real_candidates_for_a_homonym_are_ranked_and_hinted(geocoder: OfflineGeocoder) -> None:
    points = [point_of_place(p) for p in geocoder.options("Springfield", "US", "Illinois")]
    assert len(points) > 3 and points[0].admin1 == "Illinois"


def test_candidate_index_finds_the_same_place_only() -> None:
    assert candidate_index([ERBIL, MOSUL], MOSUL) == 1
    assert candidate_index([ERBIL], MOSUL) is None and candidate_index([ERBIL], None) is None


def test_parser_points_are_kept_with_their_precision() -> None:
    record = EventRecord(None, 1, "", "unknown", "Anbar", 33.0, 42.0, 3, "IQ", "Anbar", None, None, "", 0, 5)
    assert point_of_record(record) == PlacePoint("Anbar", 33.0, 42.0, 3, "IQ", "Anbar")
    assert point_of_record(dataclasses.replace(record, latitude=None, longitude=None)) is None


# ----------------------------------------------------------------- mention chips

def test_chips_one_per_distinct_mention_in_text_order() -> None:
    mentions = [mention("Iraq", "Iraq", 33.0, 43.7, start=0), mention("Hit", "Hīt", 33.64, 42.83, start=10),
                mention("iraq", "Iraq", 33.0, 43.7, start=20), mention("Nowhere", "nowhere", None, None, start=30)]
    assert mention_chips(mentions) == [0, 1, 3]
    assert shown(chip_label(mentions[0])) == "Iraq (IQ)"
    assert shown(chip_label(mentions[1])) == "Hit → Hīt (IQ)"
    assert shown(chip_label(mentions[3])) == "Nowhere (not found)"
    assert point_of_mention(mentions[3]) is None
    assert point_of_mention(mentions[1]) == PlacePoint("Hīt", 33.64, 42.83, 1, "IQ", "Anbar", "", "city")


def test_the_chip_of_the_chosen_place_is_the_one_it_came_from() -> None:
    chips = [mention("Iraq", "Iraq", 33.0, 43.7), mention("Ain al-Asad", "Al-Asad Air Base", 33.79, 42.44, start=9)]
    parsed = PlaceChoice("Al-Asad Air Base", PlacePoint("Al-Asad Air Base", 33.79, 42.44, 1, "IQ"), "Ain al-Asad", 40, 51)
    assert chip_of(chips, parsed) == 1  # a later mention of the same words and place
    assert chip_of(chips, PlaceChoice("Al-Asad Air Base", parsed.point)) is None  # typed, not from a mention
    assert chip_of(chips, PlaceChoice("Mosul", MOSUL, "Ain al-Asad")) is None  # same words, another place
    assert same_point(parsed.point, PlacePoint("al-asad air base", 33.79, 42.44, 3, feature="airbase"))
    assert same_point(None, None) and not same_point(MOSUL, None)


@pytest.mark.parametrize("text", ["**bold** [x](javascript:alert(1))", ":red[alert] $x^2$ `code`", "<b>hi</b> #h"])
def test_chip_labels_show_article_text_as_typed(text: str) -> None:
    label = markdown_literal(text)
    assert shown(label) == text  # nothing lost, nothing added
    assert not re.search(r"(?<!\\)[*\[\]()`:$<>#]", label)  # every Markdown character is escaped


def test_markdown_literal_makes_one_line() -> None:
    assert markdown_literal("a\n\nb  c") == "a b c"


# ----------------------------------------------------------------- the small map

def test_map_marks_the_chosen_candidate_and_adds_an_outside_point() -> None:
    points, chosen = map_points([MOSUL, ERBIL], ERBIL)
    assert points == [MOSUL, ERBIL] and chosen == 1
    typed = PlacePoint("Erbil", 36.0, 44.5, 1)
    points, chosen = map_points([ERBIL], typed)
    assert points == [ERBIL, typed] and chosen == 1
    rows = map_rows(points, chosen, numbered=1)
    assert [r["title"] for r in rows] == ["1. Erbil", "Erbil"]
    assert rows[1]["color"] != rows[0]["color"]


def test_map_view_fits_the_candidates() -> None:
    assert map_view([]) == ((33.5, 41.0), 5)
    assert map_view([MOSUL]) == ((36.34, 43.12), 9)
    centre, zoom = map_view([MOSUL, PlacePoint("Springfield", 39.8, -89.64, 1)])
    assert zoom <= 2 and -90 < centre[1] < 44


def test_hostile_candidate_names_stay_text_on_the_map() -> None:
    payload = "</script><img src=x onerror=alert(1)>${alert(2)}"
    m = basemap.base_map([])
    candidate_layer([PlacePoint(payload, 33.0, 42.0, 1, "IQ", payload)], 0).add_to(m)
    html = m.get_root().render()
    assert "<img src=x" not in html and "</script><img" not in html
    match = re.search(r"var data = (\{.*?\});\n", html)
    assert match is not None and json.loads(match.group(1))["popup"][0][0] == f"1. {payload}"
