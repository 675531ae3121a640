"""Answers at scale come from queries, and agree with the plain definition of each filter:
the SQL filters, the map's columnar index, its grid cells and the plan of what to draw."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.filters import Filters
from geo.formats import export
from geo.map import layer as mapview
from geo.map import plan as mapplan
from geo.records import Incident
from geo.store import columns, queries
from geo.store.database import BATCH, Store
from geo.store.queries import BBox

GROUPS = ("Alpha Brigade", "Beta Front", "Gamma Movement", "Delta Forces")
COUNTRIES = ("IQ", "SY", "UA")
TYPES = ("Battles", "Explosions/Remote violence", "Protests")
START = date(2023, 1, 1)


def synthetic(n: int, seed: int = 1) -> list[Incident]:
    r = random.Random(seed)
    out = []
    for k in range(n):
        placed = r.random() > 0.05
        out.append(Incident(f"S-{k}", START + timedelta(days=r.randrange(400)), r.choice(GROUPS), f"Place {k % 50}",
                            latitude=r.uniform(30, 50) if placed else None,
                            longitude=r.uniform(30, 45) if placed else None,
                            country_code=r.choice(COUNTRIES), event_type=r.choice(TYPES)))
    return out


DATA = synthetic(3000)


@pytest.fixture(scope="module")
def filled() -> tuple[Store, columns.Columns]:
    store = Store(":memory:")
    store.upsert(DATA, actor="test", action="test")
    return store, columns.load(store)


def by_hand(f: Filters, box: BBox | None = None) -> list[Incident]:
    """The definition: every incident passing each filter (and in the box, if any)."""
    return [i for i in DATA if f.start <= i.event_date <= f.end and (not f.groups or i.group in f.groups)
            and (not f.countries or i.country_code in f.countries)
            and (not f.event_types or i.event_type in f.event_types)
            and (box is None or (i.located and box.south <= i.latitude <= box.north  # type: ignore[operator]
                                 and box.west <= i.longitude <= box.east))]  # type: ignore[operator]


filters_strategy = st.builds(
    lambda a, b, g, c, t: Filters(START + timedelta(days=min(a, b)), START + timedelta(days=max(a, b)), g, c, t),
    st.integers(0, 420), st.integers(0, 420), st.sets(st.sampled_from(GROUPS), max_size=2).map(tuple),
    st.sets(st.sampled_from(COUNTRIES), max_size=2).map(tuple), st.sets(st.sampled_from(TYPES), max_size=2).map(tuple))


@settings(max_examples=40, deadline=None)
@given(f=filters_strategy)
def test_sql_filters_columns_and_cells_agree_with_the_definition(filled: tuple[Store, columns.Columns],
                                                                 f: Filters) -> None:
    store, index = filled
    expected = by_hand(f)
    totals = index.totals(index.mask(f))
    assert totals.incidents == len(expected) and totals.groups == len({i.group for i in expected})
    assert totals.unlocated == sum(1 for i in expected if not i.located)
    assert sorted(i.event_id for i in queries.stream(store, f, batch=97)) == sorted(i.event_id for i in expected)
    # each list's counts follow the other filters, not its own
    others = by_hand(replace(f, groups=()))
    assert index.facets(f)["group"] == {g: n for g in GROUPS if (n := sum(1 for i in others if i.group == g))}
    others = by_hand(replace(f, countries=()))
    assert index.facets(f)["country_code"] == {c: n for c in COUNTRIES if (n := sum(1 for i in others if i.country_code == c))}
    # the timeline: per Monday-started week and group, the top two groups and the rest together
    leaders = sorted({i.group for i in expected}, key=lambda g: (-sum(1 for i in expected if i.group == g), g))[:2]
    by_week: dict[tuple[date, str], int] = {}
    for i in expected:
        key = (i.event_date - timedelta(days=i.event_date.weekday()), i.group if i.group in leaders else queries.OTHER_GROUPS)
        by_week[key] = by_week.get(key, 0) + 1
    assert {(w.start, w.group): w.count for w in index.weekly(index.mask(f), top=2)} == by_week
    placed = [i for i in expected if i.located]
    assert int((index.mask(f) & index.placed).sum()) == len(placed)
    cells = index.cells(index.mask(f), queries.cell_size(5))
    assert sum(c.count for c in cells) == len(placed)
    for cell in cells:  # each cell's count and main group, checked against the incidents inside it
        inside = [i for i in placed if cell.south <= i.latitude < cell.north  # type: ignore[operator]
                  and cell.west <= i.longitude < cell.east]  # type: ignore[operator]
        assert len(inside) == cell.count
        per_group = {g: sum(1 for i in inside if i.group == g) for g in {i.group for i in inside}}
        assert cell.group_count == max(per_group.values()) and per_group[cell.group] == cell.group_count


def test_options_count_each_value_most_frequent_first(filled: tuple[Store, columns.Columns]) -> None:
    _, index = filled
    opts = index.options()
    assert (opts.first, opts.last) == (min(i.event_date for i in DATA), max(i.event_date for i in DATA))
    assert opts.groups == {g: sum(1 for i in DATA if i.group == g) for g in GROUPS}
    assert list(opts.groups.values()) == sorted(opts.groups.values(), reverse=True)


def test_table_rows_are_the_newest_and_bounded(filled: tuple[Store, columns.Columns]) -> None:
    store, _ = filled
    f = Filters(START, START + timedelta(days=400), groups=("Beta Front",))
    rows = queries.newest(store, f, 25)
    assert len(rows) == 25 and all(r.group == "Beta Front" for r in rows)
    newest_days = sorted((i.event_date for i in by_hand(f)), reverse=True)[:25]
    assert [r.event_date for r in rows] == newest_days


def test_few_incidents_are_markers_for_every_view(filled: tuple[Store, columns.Columns]) -> None:
    store, index = filled
    f = Filters(START, START + timedelta(days=30), groups=("Alpha Brigade",))
    plan = mapplan.plan(store, index, f, None)
    assert plan.mode == "points" and plan.box is None
    assert len(plan.incidents) == sum(1 for i in by_hand(f) if i.located)
    far = mapplan.View(BBox(-10.0, -10.0, 0.0, 0.0), 9)
    assert plan.covers(far)  # all of them are in the browser already: panning asks for nothing


def test_many_incidents_are_cells_then_markers_when_zoomed_in(filled: tuple[Store, columns.Columns],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store, index = filled
    monkeypatch.setattr(mapplan, "MARKER_LIMIT", 200)
    f = Filters(START, START + timedelta(days=400))
    wide = mapplan.View(BBox(28.0, 25.0, 52.0, 50.0), 5)
    plan = mapplan.plan(store, index, f, wide)
    assert plan.mode == "cells" and plan.incidents == []
    assert sum(c.count for c in plan.cells) == plan.in_box == sum(1 for i in by_hand(f, plan.box))
    assert plan.covers(mapplan.View(BBox(30.0, 30.0, 50.0, 45.0), 5))  # a pan inside the padded box
    assert not plan.covers(mapplan.View(BBox(30.0, 30.0, 50.0, 45.0), 6))  # a zoom: finer cells
    close = mapplan.View(BBox(40.0, 40.0, 40.5, 40.5), 11)
    zoomed = mapplan.plan(store, index, f, close)
    assert zoomed.mode == "points" and zoomed.incidents
    assert all(zoomed.box.south <= i.latitude <= zoomed.box.north for i in zoomed.incidents)  # type: ignore[union-attr,operator]
    assert len(zoomed.incidents) == len(by_hand(f, zoomed.box))


def test_zoomed_in_close_shows_the_newest_markers_when_there_are_too_many(
        filled: tuple[Store, columns.Columns], monkeypatch: pytest.MonkeyPatch) -> None:
    store, index = filled
    monkeypatch.setattr(mapplan, "MARKER_LIMIT", 10)
    f = Filters(START, START + timedelta(days=400))
    plan = mapplan.plan(store, index, f, mapplan.View(BBox(35.0, 35.0, 45.0, 42.0), mapplan.CLOSE_ZOOM))
    assert plan.mode == "points" and len(plan.incidents) == 10 and plan.in_box > 10
    assert plan.zoom == mapplan.CLOSE_ZOOM  # zooming out again asks for cells


@pytest.mark.parametrize(("returned", "expected"), [
    ({"bounds": {"_southWest": {"lat": 30, "lng": 40}, "_northEast": {"lat": 35, "lng": 45}}, "zoom": 7},
     mapplan.View(BBox(30.0, 40.0, 35.0, 45.0), 7)),
    ({"bounds": {"_southWest": {"lat": -120, "lng": -400}, "_northEast": {"lat": 95, "lng": 400}}, "zoom": 1},
     mapplan.View(BBox(-90.0, -180.0, 90.0, 180.0), 1)),
    (None, None), ({"zoom": 5}, None), ({"bounds": {"_southWest": {}, "_northEast": {}}, "zoom": 5}, None),
    ({"bounds": {"_southWest": {"lat": 30, "lng": 40}, "_northEast": {"lat": 30, "lng": 40}}, "zoom": 5}, None),
    ({"bounds": {"_southWest": {"lat": "x", "lng": 40}, "_northEast": {"lat": 35, "lng": 45}}, "zoom": 5}, None),
])
def test_the_view_reported_by_the_map_is_read_or_ignored(returned: object, expected: mapplan.View | None) -> None:
    assert mapplan.view_from_map(returned) == expected


def test_an_unchanged_reimport_changes_nothing_and_repeats_count_once_each(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite3"))
    many = synthetic(BATCH * 2 + 17, seed=5)
    assert store.upsert(many, actor="test", action="test").added == len(many)
    revision = store.revision()
    again = store.upsert(iter(many), actor="test", action="test")
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(many)) and store.revision() == revision
    changed = [many[3].replace(killed=4), many[3].replace(killed=5)]  # the same id twice in one write
    counts = store.upsert(changed, actor="test", action="test")
    assert (counts.added, counts.updated) == (0, 2) and store.get(many[3].event_id).killed == 5  # type: ignore[union-attr]
    assert [e.after["killed"] for e in store.audit(many[3].event_id)][:2] == [5, 4]


def test_a_store_made_by_the_previous_version_opens_and_keeps_its_rows(tmp_path: Path) -> None:
    """The earlier schema (no digest, no source columns; plain SQLite) gains the new
    columns and indexes; its rows read back and an unchanged re-import is unchanged."""
    path = tmp_path / "old.sqlite3"
    old_fields = [f for f in Incident.__dataclass_fields__ if f != "source_fields"]
    db = sqlite3.connect(path)
    columns = ", ".join(f'"{f}"' + (" PRIMARY KEY" if f == "event_id" else "") for f in old_fields)
    db.execute(f"CREATE TABLE incidents ({columns})")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
    db.execute("INSERT INTO meta VALUES ('revision', 3)")
    db.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, "
               "action TEXT NOT NULL, change TEXT NOT NULL, event_id TEXT NOT NULL, before TEXT, after TEXT NOT NULL)")
    old = Incident("OLD-1", date(2024, 8, 5), "Al-Thawriun", "Al-Asad Air Base", latitude=33.8, longitude=42.4,
                   injured=7)
    row = old.to_row()
    db.execute(f"INSERT INTO incidents VALUES ({', '.join('?' for _ in old_fields)})", [row[f] for f in old_fields])
    db.commit()
    db.close()
    store = Store(str(path))
    assert store.get("OLD-1") == old and store.revision() == 3
    assert store.upsert([old], actor="test", action="test").unchanged == 1
    assert store.upsert([old.replace(injured=8)], actor="test", action="test").updated == 1
    assert store.audit("OLD-1")[0].before["injured"] == 7  # type: ignore[index]


def test_the_view_downloads_as_csv_and_geojson_with_every_row(filled: tuple[Store, columns.Columns]) -> None:
    store, _ = filled
    f = Filters(START, START + timedelta(days=200), countries=("SY",), event_types=("Protests",))
    expected = by_hand(f)
    with export.spooled(queries.stream(store, f, batch=50), "csv") as out:
        rows = list(csv.DictReader(io.TextIOWrapper(out, encoding="utf-8-sig", newline="")))
    assert sorted(r["event_id"] for r in rows) == sorted(i.event_id for i in expected)
    assert {r["country_code"] for r in rows} == {"SY"} and "source_fields" in rows[0]
    with export.spooled(queries.stream(store, f), "geojson") as out:
        features = json.load(out)["features"]
    assert len(features) == sum(1 for i in expected if i.located)


def test_cli_export_streams_the_filtered_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from geo.__main__ import main

    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "cli.sqlite3"))
    Store(str(tmp_path / "cli.sqlite3")).upsert(DATA, actor="test", action="test")
    assert main(["export", "--country", "ua", "--type", "Battles", "--since", "2023-03-01"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = by_hand(Filters(date(2023, 3, 1), date.max, (), ("UA",), ("Battles",)))
    assert sorted(r["event_id"] for r in rows) == sorted(i.event_id for i in expected) and rows


def _indexes(store: Store) -> set[str]:
    from sqlalchemy import inspect

    return {i["name"] for table in ("incidents", "audit") for i in inspect(store.engine).get_indexes(table)}


def test_a_bulk_load_builds_its_indexes_once_and_a_failed_one_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.store.database

    monkeypatch.setattr(geo.store.database, "BULK_ROWS", 1000)
    store = Store(str(tmp_path / "bulk.sqlite3"))
    indexes = _indexes(store)
    dropped: list[str] = []
    real_drop = sqlalchemy.Index.drop
    monkeypatch.setattr(sqlalchemy.Index, "drop", lambda index, conn, **kw: (dropped.append(index.name),
                                                                          real_drop(index, conn, **kw))[1])
    assert {"incidents_view", "incidents_group", "incidents_unplaced", "audit_event"} <= indexes

    def failing():
        yield from synthetic(5000, seed=3)
        raise RuntimeError("the file ends in garbage")

    with pytest.raises(RuntimeError):
        store.upsert(failing(), actor="test", action="test")
    assert store.count() == 0 and _indexes(store) == indexes
    assert store.upsert(synthetic(5000, seed=3), actor="test", action="test").added == 5000
    assert _indexes(store) == indexes and "incidents_view" in dropped  # built again at the end, not row by row
    f = Filters(START, START + timedelta(days=400), groups=("Gamma Movement",))
    assert int(columns.load(store).mask(f).sum()) == sum(1 for i in synthetic(5000, seed=3) if i.group == "Gamma Movement")
    dropped.clear()
    fewer = [i.replace(event_id=f"Z-{i.event_id}") for i in synthetic(1500, seed=4)]
    store.upsert(fewer, actor="test", action="test")  # fewer than the store holds: row by row
    assert dropped == []


class _NoLookups:
    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> None:
        return None


def test_the_same_file_again_is_answered_without_reading_it_until_the_store_changes(tmp_path: Path) -> None:
    from geo.ingest import loading

    rows = [i for i in synthetic(320, seed=9) if i.located]  # a file with coordinates: no geocoding
    n = len(rows)
    path = tmp_path / "placed.csv"
    path.write_text(export.to_csv(rows), encoding="utf-8")
    store = Store(str(tmp_path / "s.sqlite3"))
    first = loading.import_file(store, path, _NoLookups(), actor="test")  # type: ignore[arg-type]
    assert first.added == n
    again = loading.import_file(store, path, _NoLookups(), actor="test")  # type: ignore[arg-type]
    assert (again.added, again.unchanged) == (0, n) and "not read again" in again.warnings[0]
    assert again.summary() == f"0 added, 0 updated, {n} unchanged, 0 rejected, 0 without a place"
    updating = loading.import_file(store, path, _NoLookups(), actor="test", update_existing=True)  # type: ignore[arg-type]
    assert updating.unchanged == n and not updating.warnings  # another mode: read again

    store.upsert([rows[0].replace(killed=9)], actor="test", action="test")  # the store changed
    after = loading.import_file(store, path, _NoLookups(), actor="test")  # type: ignore[arg-type]
    assert (after.unchanged, after.skipped) == (n - 1, 1) and not after.warnings  # read again: one differs now
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not loading.import_file(store, path, _NoLookups(), actor="test").warnings  # type: ignore[arg-type]


def test_a_merged_incidents_popup_names_its_other_reports(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "m.sqlite3"))
    first = Incident("R-1", date(2024, 8, 5), "Al-Thawriun", "Al-Asad Air Base", latitude=33.8, longitude=42.44,
                     source="Outlet One", source_url="https://one.example/a")
    second = first.replace(event_id="R-2", source="Outlet Two", source_url="https://two.example/b")
    store.upsert([first, second], actor="test", action="test")
    store.merge("R-1", "R-2", actor="test")
    plan = mapplan.plan(store, columns.load(store), Filters(date(2024, 8, 1), date(2024, 8, 31)), None)
    assert [i.event_id for i in plan.incidents] == ["R-1"] and plan.sources == {"R-1": ["Outlet Two"]}
    [row] = mapview.incident_rows(plan.incidents, {}, plan.sources)
    assert ["Also reported by", "Outlet Two"] in row["lines"] and row["source"] == "Outlet One"


def test_the_columns_are_kept_on_disk_until_the_store_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restarted server reads the columns back from the file instead of every row; a write,
    a damaged file or a copy of the database at another path reads the rows again."""
    db, folder = tmp_path / "s.sqlite3", tmp_path / "cache"
    Store(str(db)).upsert(synthetic(400, seed=5), actor="test", action="test")
    first = columns.kept(Store(str(db)), folder)
    assert len(first) == 400 and len(list(folder.glob("*.npz"))) == 1

    def no_reading(store: Store) -> None:
        raise AssertionError("the rows were read again")

    with monkeypatch.context() as m:  # a new server process: another Store object, the same database
        m.setattr(columns, "_load", no_reading)
        again = columns.kept(Store(str(db)), folder)
    assert again.options() == first.options() and again.groups == first.groups
    for name in ("day", "lat", "lon", "group", "country", "event_type", "key"):
        assert np.array_equal(getattr(again, name), getattr(first, name), equal_nan=name in ("lat", "lon"))

    store = Store(str(db))
    store.upsert([synthetic(1, seed=6)[0].replace(event_id="NEW-1", group="Epsilon Cell")], actor="test", action="test")
    changed = columns.kept(store, folder)
    assert len(changed) == 401 and "Epsilon Cell" in changed.options().groups
    assert len(list(folder.glob("*.npz"))) == 1  # the older revision's file is gone

    [path] = folder.glob("*.npz")
    path.write_bytes(path.read_bytes()[:100])  # cut short (a disk filled up)
    assert len(columns.kept(store, folder)) == 401

    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    Store(str(copy)).upsert([synthetic(1, seed=7)[0].replace(event_id="COPY-1")], actor="test", action="test")
    assert len(columns.kept(Store(str(copy)), folder)) == 402 and len(columns.kept(store, folder)) == 401
