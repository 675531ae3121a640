"""The whole app under Streamlit's AppTest: counts, table, filters, permalinks, download."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.ui_state import load_incidents, load_store


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    load_store.clear()  # each test gets its own store, as a fresh server would
    load_incidents.clear()
    return AppTest.from_file("../app.py", default_timeout=90)


def headline(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " incident" in m.value)


def map_rows(at: AppTest) -> list[dict]:
    [component] = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    args = json.loads(component.proto.json_args)
    match = re.search(r"var rows = (\[.*?\]);\n", args["feature_group"])
    assert match is not None
    return json.loads(match.group(1))


def test_opens_on_all_bundled_incidents(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert headline(at).startswith(f"**{len(table)} incidents, ") and len(table) >= 60
    assert len(map_rows(at)) == len(table)  # every bundled incident is placed


def test_al_asad_attack_of_5_august_is_at_the_air_base(app: AppTest) -> None:
    at = app.run()
    at.multiselect(key="f_groups").set_value(["Al-Thawriun"]).run()
    rows = [r for r in map_rows(at) if r["title"].startswith("2024-08-05")]
    assert len(rows) == 1 and abs(rows[0]["lat"] - 33.79) < 0.1 and abs(rows[0]["lon"] - 42.44) < 0.1
    assert ["Killed / injured", "0 / 7"] in rows[0]["lines"]


def test_tower_22_strike_is_at_tower_22(app: AppTest) -> None:
    at = app.run()
    at.date_input(key="f_dates").set_value((date(2024, 1, 28), date(2024, 1, 28))).run()
    table = at.dataframe[0].value
    tower = table[table["location"].str.contains("Tower 22")]
    assert len(tower) == 1 and tower.iloc[0]["killed"] == 3
    [row] = [r for r in map_rows(at) if "Tower 22" in r["lines"][2][1]]
    assert abs(row["lat"] - 33.32) < 0.1 and abs(row["lon"] - 38.70) < 0.1


def test_group_and_date_filters_update_count_table_map_and_url(app: AppTest) -> None:
    at = app.run()
    at.multiselect(key="f_groups").set_value(["Al-Thawriun"])
    at.date_input(key="f_dates").set_value((date(2024, 8, 1), date(2024, 12, 3))).run()
    table = at.dataframe[0].value
    assert set(table["group"]) == {"Al-Thawriun"} and len(table) == 2
    assert all("2024-08-01" <= d <= "2024-12-03" for d in table["event_date"])
    assert headline(at).startswith("**2 incidents, 1 group**")
    assert len(map_rows(at)) == 2
    assert dict(at.query_params) == {"group": "Al-Thawriun", "from": "2024-08-01"}


def test_permalink_restores_the_filters(app: AppTest) -> None:
    app.query_params["group"] = ["Al-Thawriun"]
    app.query_params["to"] = "2024-08-05"
    at = app.run()
    assert at.multiselect(key="f_groups").value == ["Al-Thawriun"]
    assert headline(at).startswith("**3 incidents, 1 group**")
    assert not at.warning


def test_stale_link_falls_back_with_a_visible_note(app: AppTest) -> None:
    app.query_params["group"] = ["No Such Group"]
    app.query_params["from"] = "yesterday"
    at = app.run()
    assert not at.exception
    notes = " ".join(w.value for w in at.warning)
    assert "No Such Group" in notes and "not a date" in notes
    assert len(at.dataframe[0].value) >= 60


def test_unplaceable_incident_is_listed_not_dropped(app: AppTest, tmp_path: Path) -> None:
    from geo.records import Incident
    from geo.settings import store_url
    from geo.store import Store

    at = app.run()
    Store(store_url()).upsert([Incident("X-1", date(2024, 3, 1), "Unknown", "Qwxzzyville")])
    at.run()
    expander = next(e for e in at.expander if "not on the map" in e.label)
    assert expander.label == "1 incident not on the map"
    assert "no gazetteer match for 'Qwxzzyville'" in expander.dataframe[0].value.iloc[0]["reason"]


AL_ASAD_STORY = (
    "BAGHDAD (Wire) - A drone and rocket attack on Al-Asad Air Base in western Iraq on Monday injured five "
    "U.S. service members and two contractors, U.S. officials said. A new group calling itself Al-Thawriun "
    "claimed the attack. It came days after the killings of a Hamas leader in Tehran and a Hezbollah "
    "commander in Lebanon, and as Washington moved more forces to Jordan."
)


def test_pasted_article_is_highlighted_and_saved_onto_the_map(app: AppTest) -> None:
    at = app.run()
    at.date_input(key="f_dates").set_value((date(2024, 1, 1), date(2024, 12, 3))).run()  # narrowed by the user
    at.text_area(key="article_text").input(AL_ASAD_STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.text_input(key="article_source").input("Test wire, 2024-08-06")
    at.text_input(key="article_url").input("https://example.org/story")
    at.button[0].click().run()
    assert not at.exception
    [highlight] = [e for e in at.main if getattr(e, "type", "") == "html" or type(e).__name__ == "Html"]
    assert "<mark" in highlight.proto.body and "Al-Asad Air Base" in highlight.proto.body
    at.text_area[1].input("Drone and rocket attack on the base; seven Americans hurt.")
    at.button[1].click().run()  # the form's submit button
    assert not at.exception
    table = at.dataframe[0].value
    saved = table[table["event_id"] == "USER-0001"].iloc[0]
    assert saved["event_date"] == "2024-08-05" and saved["group"] == "Al-Thawriun" and saved["injured"] == 7
    rows = [r for r in map_rows(at) if r["title"] == "2024-08-05 · Al-Thawriun" and r["url"] == "https://example.org/story"]
    assert len(rows) == 1 and abs(rows[0]["lat"] - 33.79) < 0.05


def test_saved_incident_after_the_data_span_is_shown_when_all_dates_are_selected(app: AppTest) -> None:
    at = app.run()
    at.text_area(key="article_text").input(AL_ASAD_STORY.replace("on Monday", "on 3 March 2025"))
    at.date_input(key="article_published").set_value(date(2025, 3, 4))
    at.button[0].click().run()
    at.button[1].click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "2025-03-03" in set(table["event_date"])  # the full-range filter grew to include it


def parse_al_asad_story(app: AppTest) -> AppTest:
    at = app.run()
    at.text_area(key="article_text").input(AL_ASAD_STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.text_input(key="article_url").input("https://example.org/edited")
    at.button[0].click().run()
    assert not at.exception and at.text_input(key="place_name").value == "Al-Asad Air Base"
    return at


def save(at: AppTest) -> AppTest:
    at.button(key="save_incident_button").click().run()
    assert not at.exception
    return at


def saved_marker(at: AppTest) -> dict | None:
    rows = [r for r in map_rows(at) if r["url"] == "https://example.org/edited"]
    assert len(rows) <= 1
    return rows[0] if rows else None


def coordinates(at: AppTest) -> tuple[float | None, float | None]:
    lat, lon = (n.value for n in at.number_input if n.key and n.key.startswith(("place_lat_", "place_lon_")))
    return lat, lon


def test_editing_the_place_saves_the_new_towns_point(app: AppTest) -> None:
    at = parse_al_asad_story(app)
    at.text_input(key="place_name").input("Mosul").run()
    table = next(d.value for d in at.dataframe if "precision" in d.value.columns)
    assert list(table["place"]) == ["Mosul"] and list(table["country"]) == ["IQ"]
    lat, lon = coordinates(at)
    assert lat is not None and lon is not None and abs(lat - 36.34) < 0.05 and abs(lon - 43.12) < 0.05
    row = saved_marker(save(at))
    assert row is not None and abs(row["lat"] - 36.34) < 0.05 and abs(row["lon"] - 43.12) < 0.05
    assert row["lines"][2][1].startswith("Mosul, Nineveh, IQ")  # the town's province, not Anbar's


def test_picking_another_candidate_saves_that_one(app: AppTest) -> None:
    at = parse_al_asad_story(app)
    at.text_input(key="place_country").input("US")
    at.text_input(key="place_name").input("Springfield").run()
    [pick] = [s for s in at.selectbox if s.key and s.key.startswith("place_pick_")]
    assert len(pick.options) == 10 and pick.index == 0  # the best match is taken until another is picked
    illinois = next(o for o in pick.options if "Illinois" in o)
    pick.set_value(pick.options.index(illinois)).run()
    assert at.text_input(key="place_admin1").value == "Illinois"
    row = saved_marker(save(at))
    assert row is not None and abs(row["lat"] - 39.80) < 0.05 and abs(row["lon"] + 89.64) < 0.05
    assert row["lines"][2][1].startswith("Springfield, Illinois, US")


def test_a_name_with_no_candidates_is_saved_off_the_map_not_at_the_old_point(app: AppTest) -> None:
    at = parse_al_asad_story(app)
    at.text_input(key="place_name").input("Qwxzzyville").run()
    assert "No place called Qwxzzyville" in " ".join(w.value for w in at.warning)
    assert coordinates(at) == (None, None)  # the Al-Asad point is gone from the form
    at = save(at)
    assert saved_marker(at) is None
    assert any("not on the map" in s.value for s in at.success)
    expander = next(e for e in at.expander if "not on the map" in e.label)
    assert list(expander.dataframe[0].value["location"]) == ["Qwxzzyville"]


def test_clicking_a_mention_makes_it_the_event_place(app: AppTest) -> None:
    at = parse_al_asad_story(app)
    [chips] = at.pills
    shown = [label.replace("\\", "") for label in chips.options]  # as drawn: Markdown escapes are not shown
    assert shown[chips.value] == "Al-Asad Air Base (IQ)"  # the parser's pick is the chip shown chosen
    tehran = shown.index("Tehran (IR)")
    chips.set_value(tehran).run()
    assert at.pills[0].value == tehran
    assert (at.text_input(key="place_name").value, at.text_input(key="place_country").value) == ("Tehran", "IR")
    lat, lon = coordinates(at)
    assert lat is not None and lon is not None and abs(lat - 35.69) < 0.1 and abs(lon - 51.42) < 0.1
    row = saved_marker(save(at))
    assert row is not None and abs(row["lat"] - 35.69) < 0.1 and row["lines"][2][1].startswith("Tehran")
