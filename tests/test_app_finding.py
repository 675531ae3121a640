"""The app's finding tools under AppTest, on the bundled data: search, date presets counted
from the data, a half-picked date range, group counts that follow the dates, countries by
name, and links that carry all of it (names or codes for countries, the map's view)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from geo.gazetteer import Gazetteer
from geo.store import queries
from geo.ui import state
from geo.ui.state import load_store
from tests.test_app import headline, map_rows

LAST = date(2024, 12, 3)  # the newest bundled incident


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gazetteer: Gazetteer) -> AppTest:
    """The app on a new store, the place index built first (as on a deployed app): a first start
    builds it in the background, and a test run alone would time out while it does."""
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    load_store.clear()
    return AppTest.from_file("../app.py", default_timeout=90)


def count(at: AppTest) -> int:
    return int(headline(at).strip("*").split(" incident")[0].replace(",", ""))


def test_search_narrows_headline_table_and_map(app: AppTest) -> None:
    at = app.run()
    everything = count(at)
    at.text_input(key="f_search").set_value("tower 22").run()
    table = at.dataframe[0].value
    assert 0 < len(table) < everything and count(at) == len(table)
    assert all("tower 22" in " ".join(str(v) for v in row).lower() for row in table.itertuples())
    assert len(map_rows(at)) == len(table)
    assert at.query_params["q"] == "tower 22"
    at.text_input(key="f_search").set_value("no such words anywhere").run()
    assert count(at) == 0 and len(at.dataframe[0].value) == 0


def test_a_search_scans_the_text_once_and_every_count_follows_it(app: AppTest) -> None:
    """A search is the one question the store's columns cannot answer: the text is scanned once
    for it, and the headline, lists, timeline and map apply that answer. Only the rows shown
    (table, markers) are read with it again, a bounded read each (was ten scans per search)."""
    at = app.run()
    scans, stop = _like_statements(load_store().engine)
    try:
        at.text_input(key="f_search").set_value("tower 22").run()
        assert count(at) == len(at.dataframe[0].value) > 0
        assert len(scans) <= 3, scans  # the search's answer, the table's rows, the markers' rows
        scans.clear()
        at.sidebar.multiselect(key="f_types").set_value(["Explosions/Remote violence"]).run()  # another filter
        assert len(scans) <= 2, scans  # the rows shown only: the answer is kept for this revision
        scans.clear()
        at.text_input(key="f_search").set_value("no such words anywhere").run()
        assert count(at) == 0 and len(scans) == 1, scans  # nothing matched: no rows to read again
    finally:
        stop()


def _like_statements(engine: object) -> tuple[list[str], Callable[[], None]]:
    """The ``LIKE`` statements the store runs from now on, and how to stop counting."""
    scans: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "LIKE" in statement.upper():
            scans.append(statement.split("FROM")[0][:60])

    event.listen(engine, "before_cursor_execute", seen)
    return scans, lambda: event.remove(engine, "before_cursor_execute", seen)


def test_a_search_index_built_at_this_revision_answers_without_a_scan(app: AppTest,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A large store gets a full-text index built in the background after a search finds it
    missing; a search then asks the index and reads the rows it shows by id: no ``LIKE`` scan."""
    monkeypatch.setattr(state, "SEARCH_INDEX_FROM", 1)  # the bundled data counts as large here
    monkeypatch.setattr(state, "_index_started", [-math.inf])
    at = app.run()
    at.text_input(key="f_search").set_value("tower 22").run()  # scanned; the index is started
    store = load_store()
    expected = len(queries.matching(store, "tower"))
    deadline = time.monotonic() + 60
    while state.search_index().revision() != store.revision() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state.search_index().revision() == store.revision()
    scans, stop = _like_statements(store.engine)
    try:
        at.text_input(key="f_search").set_value("tower").run()  # a new search
        assert count(at) == expected == len(at.dataframe[0].value) > 0
        assert scans == []  # the answer came from the index, and the table's and markers' rows by id
        table = at.dataframe[0].value
        assert all("tower" in " ".join(str(v) for v in row).lower() for row in table.itertuples())
        assert len(map_rows(at)) == len(table)
        scans.clear()
        at.text_input(key="f_search").set_value("22 tower").run()  # "22": too short for the index
        assert len(scans) == 3, scans  # scanned for the answer, as without an index
    finally:
        stop()


def test_a_search_the_store_cannot_answer_in_time_is_stopped_and_said(app: AppTest,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A search is a scan of the store: past ``search_timeout_s`` it is stopped, the page says
    so, and the view is shown without it (not an error, not a server held for minutes)."""
    at = app.run()
    everything = count(at)
    monkeypatch.setenv("INCIDENT_MAP_SEARCH_TIMEOUT_S", "0.000001")
    at.text_input(key="f_search").set_value("tower 22").run()
    assert not at.exception and count(at) == everything
    assert any("stopped after" in w.value and "search\\_timeout\\_s" in w.value for w in at.sidebar.warning)


def test_a_client_that_floods_new_searches_slows_only_itself(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_MAP_SEARCHES_PER_MINUTE", "2")
    at = app.run()
    everything = count(at)
    for words in ("tower 22", "drone"):
        at.text_input(key="f_search").set_value(words).run()
        assert 0 < count(at) < everything
    at.text_input(key="f_search").set_value("rocket").run()  # a third new search within the minute
    assert count(at) == everything and any("Too many new searches" in w.value for w in at.sidebar.warning)
    at.text_input(key="f_search").set_value("drone").run()  # asked before: answered from the cache
    assert 0 < count(at) < everything and not at.sidebar.warning
    other = AppTest.from_file("../app.py", default_timeout=90).run()  # another visitor searches as usual
    other.text_input(key="f_search").set_value("rocket").run()
    assert 0 < count(other) < everything


def test_presets_count_back_from_the_newest_incident_not_today(app: AppTest) -> None:
    at = app.run()
    everything = count(at)
    at.button_group(key="f_preset").set_value("30d").run()
    assert at.date_input(key="f_dates").value == (date(2024, 11, 4), LAST)
    assert f"2024-11-04 to {LAST}" in headline(at) and count(at) > 0
    assert all("2024-11-04" <= d <= str(LAST) for d in at.dataframe[0].value["event_date"])
    assert at.query_params["preset"] == "30d" and "from" not in at.query_params
    count_30d = count(at)
    at.button_group(key="f_preset").set_value("all").run()
    assert at.date_input(key="f_dates").value[1] == LAST and count(at) == everything > count_30d
    assert "preset" not in at.query_params


def test_a_half_picked_date_range_runs_to_the_newest_incident(app: AppTest) -> None:
    at = app.run()
    at.date_input(key="f_dates").set_value((date(2024, 8, 1),)).run()
    assert count(at) > 0  # not "0 incidents" while the end is being picked
    assert f"2024-08-01 to {LAST}" in headline(at)


def test_group_counts_follow_the_date_filter(app: AppTest) -> None:
    at = app.run()
    before = [o for o in at.multiselect(key="f_groups").options if o.startswith("Al-Thawriun (")]
    at.date_input(key="f_dates").set_value((date(2024, 8, 5), date(2024, 8, 5))).run()
    after = [o for o in at.multiselect(key="f_groups").options if o.startswith("Al-Thawriun (")]
    assert before == ["Al-Thawriun (4)"] and after == ["Al-Thawriun (1)"]


def test_countries_show_by_name_and_links_take_names(app: AppTest) -> None:
    app.query_params["country"] = ["Iraq"]
    at = app.run()
    assert not at.warning
    options = at.multiselect(key="f_countries").options
    assert any(o.startswith("Iraq (") for o in options) and not any(o.startswith("IQ") for o in options)
    assert at.multiselect(key="f_countries").value == ["IQ"]
    assert set(at.dataframe[0].value["country_code"]) == {"IQ"}
    assert at.query_params["country"] == "IQ"


def test_a_link_with_everything_reopens_it(app: AppTest) -> None:
    app.query_params["preset"] = "1y"
    app.query_params["q"] = "drone"
    app.query_params["country"] = ["sy"]
    app.query_params["map"] = "35.1,38.9,8"
    at = app.run()
    assert not at.exception and not at.warning
    assert at.text_input(key="f_search").value == "drone"
    assert at.button_group(key="f_preset").value == "1y"
    assert at.multiselect(key="f_countries").value == ["SY"]
    assert at.session_state["map_centre"].zoom == 8
    view = at.session_state["map_view"]
    assert view.zoom == 8 and view.bbox.south < 35.1 < view.bbox.north and view.bbox.west < 38.9 < view.bbox.east
    assert at.query_params["map"] == "35.1000,38.9000,8" and at.query_params["preset"] == "1y"
    table = at.dataframe[0].value
    assert len(table) and set(table["country_code"]) == {"SY"}


def test_a_bad_map_view_in_a_link_is_noted(app: AppTest) -> None:
    app.query_params["map"] = "somewhere"
    at = app.run()
    assert "somewhere" in " ".join(w.value for w in at.warning) and count(at) >= 60


def timeline_total(at: AppTest) -> int:
    """Incidents in the timeline's bars (its data, as the browser gets it)."""
    from streamlit import dataframe_util

    [chart] = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    [dataset] = chart.proto.datasets
    return int(dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)["incidents"].sum())


def test_the_timeline_follows_the_filters(app: AppTest) -> None:
    at = app.run()
    assert timeline_total(at) == count(at) >= 60
    at.text_input(key="f_search").set_value("tower 22").run()
    assert timeline_total(at) == count(at) < 60
    assert "per week" in " ".join(c.value for c in at.caption)
