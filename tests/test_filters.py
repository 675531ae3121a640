"""Filtering (in SQL) and the permalink round trip."""

from __future__ import annotations

from datetime import date

import pytest

from geo import filters, queries
from geo.records import Incident
from geo.store import Store


def make(event_id: str, day: date, group: str, country: str = "IQ", kind: str = "Explosions/Remote violence") -> Incident:
    return Incident(event_id, day, group, "x", country_code=country, event_type=kind)


DATA = [make("1", date(2024, 1, 1), "A"), make("2", date(2024, 1, 28), "B", "JO"),
        make("3", date(2024, 8, 5), "C"), make("4", date(2024, 8, 5), "A", "SY", "Battles")]
STORE = Store(":memory:")
STORE.upsert(DATA, actor="test", action="test")
OPTS = queries.options(STORE)


def ids(f: filters.Filters) -> list[str]:
    return sorted(i.event_id for i in queries.stream(STORE, f))


def test_date_range_includes_both_ends() -> None:
    assert ids(filters.Filters(date(2024, 1, 28), date(2024, 8, 5))) == ["2", "3", "4"]
    assert ids(filters.Filters(date(2024, 1, 29), date(2024, 8, 4))) == []


def test_empty_group_list_means_all_groups() -> None:
    assert ids(filters.Filters(OPTS.first, OPTS.last, groups=())) == ["1", "2", "3", "4"]


def test_groups_countries_and_types_combine() -> None:
    f = filters.Filters(OPTS.first, OPTS.last, groups=("A",), countries=("SY",))
    assert ids(f) == ["4"]
    assert ids(filters.Filters(OPTS.first, OPTS.last, event_types=("Battles",))) == ["4"]


def test_options_count_groups_most_frequent_first() -> None:
    assert list(OPTS.groups.items())[0] == ("A", 2)


def test_summary_counts_incidents_and_groups() -> None:
    assert queries.summary(queries.totals(STORE, filters.Filters(OPTS.first, OPTS.last))) == "4 incidents, 3 groups"
    one_day = filters.Filters(date(2024, 1, 1), date(2024, 1, 1))
    assert queries.summary(queries.totals(STORE, one_day)) == "1 incident, 1 group"


def test_permalink_round_trip() -> None:
    f = filters.Filters(date(2024, 1, 2), date(2024, 8, 1), groups=("A", "C"), countries=("IQ",))
    params = filters.to_query(f, OPTS)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    assert filters.from_query(as_lists, OPTS) == (f, [])


@pytest.mark.parametrize(("params", "words"), [
    ({"group": ["Nobody"]}, "unknown group"),
    ({"from": ["last tuesday"]}, "not a date"),
    ({"from": ["2024-08-05"], "to": ["2024-01-01"]}, "reversed"),
    ({"to": ["2031-01-01"]}, "outside the data"),
])
def test_bad_or_stale_link_falls_back_with_a_note(params: dict[str, list[str]], words: str) -> None:
    chosen, notes = filters.from_query(params, OPTS)
    assert chosen.groups == () and OPTS.first <= chosen.start <= chosen.end <= OPTS.last
    assert len(notes) == 1 and words in notes[0]
