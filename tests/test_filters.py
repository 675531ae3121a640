"""Filtering (in SQL) and the permalink round trip, on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

from datetime import date

import pytest

from geo import filters
from geo.records import Incident
from geo.store import columns, queries
from geo.store.database import Store


def make(event_id: str, day: date, group: str, country: str = "IQ", kind: str = "Explosions/Remote violence") -> Incident:
    return Incident(event_id, day, group, "x", country_code=country, event_type=kind)


DATA = [make("1", date(2024, 1, 1), "A"), make("2", date(2024, 1, 28), "B", "JO"),
        make("3", date(2024, 8, 5), "C"), make("4", date(2024, 8, 5), "A", "SY", "Battles")]


@pytest.fixture
def filled(store: Store) -> Store:
    store.upsert(DATA, actor="test", action="test")
    return store


@pytest.fixture
def opts(filled: Store) -> filters.Options:
    return columns.load(filled).options()


def totals(store: Store, f: filters.Filters) -> queries.Totals:
    kept = columns.load(store)
    return kept.totals(kept.mask(f))


def ids(store: Store, f: filters.Filters) -> list[str]:
    return sorted(i.event_id for i in queries.stream(store, f))


def test_date_range_includes_both_ends(filled: Store, opts: filters.Options) -> None:
    assert ids(filled, filters.Filters(date(2024, 1, 28), date(2024, 8, 5))) == ["2", "3", "4"]
    assert ids(filled, filters.Filters(date(2024, 1, 29), date(2024, 8, 4))) == []


def test_empty_group_list_means_all_groups(filled: Store, opts: filters.Options) -> None:
    assert ids(filled, filters.Filters(opts.first, opts.last, groups=())) == ["1", "2", "3", "4"]


def test_groups_countries_and_types_combine(filled: Store, opts: filters.Options) -> None:
    f = filters.Filters(opts.first, opts.last, groups=("A",), countries=("SY",))
    assert ids(filled, f) == ["4"]
    assert ids(filled, filters.Filters(opts.first, opts.last, event_types=("Battles",))) == ["4"]


def test_options_count_groups_most_frequent_first(filled: Store, opts: filters.Options) -> None:
    assert list(opts.groups.items())[0] == ("A", 2)


def test_summary_counts_incidents_and_groups(filled: Store, opts: filters.Options) -> None:
    assert queries.summary(totals(filled, filters.Filters(opts.first, opts.last))) == "4 incidents, 3 groups"
    one_day = filters.Filters(date(2024, 1, 1), date(2024, 1, 1))
    assert queries.summary(totals(filled, one_day)) == "1 incident, 1 group"


def test_permalink_round_trip(filled: Store, opts: filters.Options) -> None:
    f = filters.Filters(date(2024, 1, 2), date(2024, 8, 1), groups=("A", "C"), countries=("IQ",))
    params = filters.to_query(f, opts)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    assert filters.from_query(as_lists, opts) == (f, [])


@pytest.mark.parametrize(("params", "words"), [
    ({"group": ["Nobody"]}, "unknown group"),
    ({"from": ["last tuesday"]}, "not a date"),
    ({"from": ["2024-08-05"], "to": ["2024-01-01"]}, "reversed"),
    ({"to": ["2031-01-01"]}, "outside the data"),
])
def test_bad_or_stale_link_falls_back_with_a_note(opts: filters.Options, params: dict[str, list[str]],
                                                  words: str) -> None:
    chosen, notes = filters.from_query(params, opts)
    assert chosen.groups == () and opts.first <= chosen.start <= chosen.end <= opts.last
    assert len(notes) == 1 and words in notes[0]
