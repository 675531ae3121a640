"""Finding things, on SQLite and PostgreSQL (the ``store`` fixture): the search (SQL) applied
to the columns the counts are taken from, the lists' counts that follow the other filters,
the weekly timeline, the map; and the link's presets, country names and map view, the CSV's BOM and file names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from geo import filters
from geo.formats import export, read_csv
from geo.map import plan as mapplan
from geo.records import Incident
from geo.store import columns, queries
from geo.store.database import Store
from geo.ui.export import file_name


def make(event_id: str, day: date, group: str, country: str = "IQ", *, location: str = "Baghdad",
         notes: str = "", kind: str = "Explosions/Remote violence", lat: float | None = 33.3,
         reported: date | None = None) -> Incident:
    return Incident(event_id, day, group, location, country_code=country, event_type=kind, notes=notes,
                    latitude=lat, longitude=None if lat is None else 44.4, first_reported=reported)


DATA = [
    make("1", date(2024, 1, 1), "Kataib Hezbollah", location="Ain al-Asad Air Base", notes="Rockets hit the base",
         reported=date(2024, 1, 3)),
    make("2", date(2024, 1, 7), "Houthis", "YE", location="Hodeidah", notes="Drone shot down"),
    make("3", date(2024, 1, 8), "Houthis", "YE", location="Sanaa", notes="50% of the 100_000 stock, said C:\\x"),
    make("4", date(2024, 8, 5), "Al-Thawriun", location="Al-Asad", notes="ROCKET attack", reported=date(2024, 8, 20)),
    make("5", date(2024, 8, 20), "Hezbollah", "LB", location="Nabatîyé", notes="Strike", lat=None),
]


@pytest.fixture
def filled(store: Store) -> tuple[Store, filters.Options]:
    """The store with DATA in it, and what it offers to filter on."""
    store.upsert(DATA, actor="test", action="test")
    return store, columns.load(store).options()


def totals(store: Store, f: filters.Filters) -> queries.Totals:
    kept = columns.load(store)
    return kept.totals(kept.mask(f, columns.searched(store, kept, f)))


def facets(store: Store, f: filters.Filters) -> dict[str, dict[str, int]]:
    kept = columns.load(store)
    return kept.facets(f, columns.searched(store, kept, f))


def weekly(store: Store, f: filters.Filters, top: int = 8) -> list[queries.Week]:
    kept = columns.load(store)
    return kept.weekly(kept.mask(f, columns.searched(store, kept, f)), top, f.dated)


@pytest.fixture
def opts(filled: tuple[Store, filters.Options]) -> filters.Options:
    return filled[1]


def found(store: Store, opts: filters.Options, text: str) -> list[str]:
    return sorted(i.event_id for i in queries.stream(store, filters.Filters(opts.first, opts.last, search=text)))


def test_search_finds_place_group_and_notes_in_any_case(store: Store, opts: filters.Options) -> None:
    assert found(store, opts, "asad") == ["1", "4"]  # the place as reported
    assert found(store, opts, "HOUTHIS") == ["2", "3"]  # the group
    assert found(store, opts, "rocket") == ["1", "4"]  # the notes, either case
    assert found(store, opts, "rocket thawriun") == ["4"]  # every word must match, in any column
    assert found(store, opts, "nabat") == ["5"]
    assert found(store, opts, "") == ["1", "2", "3", "4", "5"]


def test_search_takes_wildcards_literally(store: Store, opts: filters.Options) -> None:
    assert found(store, opts, "50%") == ["3"]
    assert found(store, opts, "%") == ["3"]  # not "everything"
    assert found(store, opts, "100_000") == ["3"] and found(store, opts, "_") == ["3"]
    assert found(store, opts, "c:\\x") == ["3"] and found(store, opts, "\\") == ["3"]


def test_search_narrows_the_headline_and_combines_with_filters(store: Store, opts: filters.Options) -> None:
    f = filters.Filters(opts.first, opts.last, countries=("IQ",), search="asad")
    assert queries.summary(totals(store, f)) == "2 incidents, 2 groups"
    assert totals(store, filters.Filters(opts.first, date(2024, 6, 1), search="asad")).incidents == 1


def test_list_counts_follow_the_other_filters_not_their_own(store: Store, opts: filters.Options) -> None:
    january = filters.Filters(date(2024, 1, 1), date(2024, 1, 31), groups=("Houthis",))
    counts = facets(store, january)
    assert counts["group"] == {"Houthis": 2, "Kataib Hezbollah": 1}  # the dates count; the group choice does not
    assert counts["country_code"] == {"YE": 2}  # countries follow the group choice
    assert facets(store, filters.Filters(opts.first, opts.last, search="rocket"))["group"] == {
        "Al-Thawriun": 1, "Kataib Hezbollah": 1}


def test_timeline_counts_per_iso_week_and_group(store: Store, opts: filters.Options) -> None:
    weeks = weekly(store, filters.Filters(opts.first, opts.last))
    by = {(w.start, w.group): w.count for w in weeks}
    # 2024-01-01 is a Monday, the 7th a Sunday (same week), the 8th the next Monday
    assert by == {(date(2024, 1, 1), "Kataib Hezbollah"): 1, (date(2024, 1, 1), "Houthis"): 1,
                  (date(2024, 1, 8), "Houthis"): 1, (date(2024, 8, 5), "Al-Thawriun"): 1,
                  (date(2024, 8, 19), "Hezbollah"): 1}
    assert all(w.start.weekday() == 0 for w in weeks)


def test_timeline_folds_small_groups_into_other_and_follows_the_filters(store: Store,
                                                                         opts: filters.Options) -> None:
    weeks = weekly(store, filters.Filters(opts.first, opts.last), top=1)
    assert {w.group for w in weeks} == {"Houthis", queries.OTHER_GROUPS}
    assert sum(w.count for w in weeks) == 5
    narrowed = weekly(store, filters.Filters(opts.first, opts.last, search="rocket"))
    assert sum(w.count for w in narrowed) == 2


def test_the_dates_can_filter_when_an_incident_was_first_reported(store: Store, opts: filters.Options) -> None:
    """An attack of 5 August first reported on the 20th is in a view of what came to light from
    the 10th on, not in the same view by event date; records with no report date are left out;
    SQL (rows, downloads) and the columns (counts, timeline) agree, and a link keeps the choice."""
    by_report = filters.Filters(date(2024, 8, 10), date(2024, 8, 20), dated="reported")
    assert [i.event_id for i in queries.stream(store, by_report)] == ["4"]
    assert totals(store, by_report).incidents == 1
    assert [i.event_id for i in queries.stream(store, replace(by_report, dated="event"))] == ["5"]
    assert {(w.start, w.count) for w in weekly(store, by_report)} == {(date(2024, 8, 19), 1)}  # the report's week
    everything = filters.Filters(opts.first, opts.last, dated="reported")
    assert sorted(i.event_id for i in queries.stream(store, everything)) == ["1", "4"] == sorted(
        i.event_id for i in queries.stream(store, everything) if i.first_reported)
    link = filters.to_query(by_report, opts)
    assert link["dates"] == "reported" and filters.from_query({k: v if isinstance(v, list) else [v]
                                                               for k, v in link.items()}, opts)[0] == by_report
    assert "not one of" in filters.from_query({"dates": ["published"]}, opts)[1][0]


def test_a_search_filters_the_columns_and_the_map_too(store: Store, opts: filters.Options) -> None:
    kept = columns.load(store)
    f = filters.Filters(opts.first, opts.last, search="asad")
    keep = kept.mask(f, columns.searched(store, kept, f))
    assert int(keep.sum()) == 2 and int(kept.mask(f).sum()) == 5  # without the answer the columns cannot tell
    plan = mapplan.plan(store, kept, f, None)
    assert plan.in_box == 2 and sorted(i.event_id for i in plan.incidents) == ["1", "4"]


def test_presets_count_back_from_the_newest_incident(opts: filters.Options) -> None:
    assert opts.last == date(2024, 8, 20)
    assert filters.preset_range("30d", opts) == (date(2024, 7, 22), date(2024, 8, 20))
    assert filters.preset_range("1y", opts) == (opts.first, opts.last)  # less than a year of data
    assert filters.preset_range("all", opts) == (opts.first, opts.last)
    chosen, notes = filters.from_query({"preset": ["30d"]}, opts)
    assert (chosen.start, chosen.end) == (date(2024, 7, 22), date(2024, 8, 20)) and notes == []
    assert filters.to_query(chosen, opts) == {"preset": "30d"}


def test_links_take_country_names_or_codes(opts: filters.Options) -> None:
    for value in ("Iraq", "IQ", "iq", "iraq"):
        assert filters.from_query({"country": [value]}, opts)[0].countries == ("IQ",)
    assert filters.from_query({"country": ["Yemen", "Lebanon"]}, opts)[0].countries == ("YE", "LB")
    chosen, notes = filters.from_query({"country": ["Atlantis"]}, opts)
    assert chosen.countries == () and "Atlantis" in notes[0]


def test_link_round_trip_with_search_and_map_view(opts: filters.Options) -> None:
    f = filters.Filters(date(2024, 1, 2), date(2024, 8, 1), groups=("Houthis",), countries=("YE",), search="drone")
    centre = filters.MapCentre(15.1234, 43.5678, 9)
    params = filters.to_query(f, opts, centre)
    assert params["q"] == "drone" and params["map"] == "15.1234,43.5678,9"
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    assert filters.from_query(as_lists, opts) == (f, [])
    assert filters.view_from_query(as_lists) == (centre, [])
    for bad in ("north", "91,0,5", "1,2", "nan,1,2"):
        view, notes = filters.view_from_query({"map": [bad]})
        assert view is None and len(notes) == 1


def test_csv_download_has_a_bom_and_imports_back(store: Store, opts: filters.Options, tmp_path) -> None:  # noqa: ANN001
    with export.spooled(queries.stream(store), "csv") as out:
        raw = out.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert "Nabatîyé" in raw.decode("utf-8-sig")
    path = tmp_path / "download.csv"
    path.write_bytes(raw)
    result = read_csv(path, "auto")
    assert result.errors == []
    assert {i.event_id: i for i in result.incidents} == {i.event_id: i for i in queries.stream(store)}
    with export.spooled(queries.stream(store), "geojson") as out:
        assert not out.read().startswith(b"\xef\xbb\xbf")  # JSON must not start with a BOM


def test_file_name_says_the_filter_and_is_safe() -> None:
    f = filters.Filters(date(2024, 1, 1), date(2024, 8, 31), groups=("Al-Thawriun",), countries=("IQ", "SY"),
                        search="../../etc/passwd Nabatîyé")
    name = file_name(f, "csv")
    assert name.startswith("incidents_2024-01-01_2024-08-31_Al-Thawriun_2-countries_search-etc-passwd-Nabatiye")
    assert "Nabatiye" in name and name.endswith(".csv")
    assert "/" not in name and "\\" not in name and ".." not in name and " " not in name
    long = filters.Filters(date(2024, 1, 1), date(2024, 1, 2), groups=("x" * 500,), search="y" * 500)
    assert len(file_name(long, "geojson")) <= 130
    assert file_name(filters.Filters(date(2024, 1, 1), date(2024, 1, 2)), "csv") == "incidents_2024-01-01_2024-01-02.csv"


def test_span_of_the_timeline_becomes_dates_within_the_data(opts: filters.Options) -> None:
    from geo.ui.timeline import span_dates

    ms = lambda d: (d - date(1970, 1, 1)).days * 86_400_000  # noqa: E731
    assert span_dates({"span": {"week": [ms(date(2024, 1, 5)), ms(date(2024, 2, 1))]}}, opts) == (
        date(2024, 1, 5), date(2024, 2, 1))
    assert span_dates({"span": {"week": ["2023-06-01", "2024-01-03"]}}, opts) == (opts.first, date(2024, 1, 3))
    assert span_dates({}, opts) is None and span_dates({"span": {"week": ["x", 1]}}, opts) is None
    assert span_dates({"span": {"week": [ms(opts.last + timedelta(days=10)), ms(opts.last + timedelta(days=20))]}},
                      opts) is None
