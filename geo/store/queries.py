"""What the app and the CLI ask of the store, answered in SQL.

The filters become one indexed ``WHERE``; counts for the headline and the filter lists
are aggregates; the table and the map's markers read a bounded number of rows (the
newest first, or the few in view). Nothing here reads the whole store into Python, so a
page costs about the same with a thousand incidents stored or a million. (The map's grid
cells are counted from :mod:`geo.map.index`, which is faster at that one question.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import ColumnElement, Date, and_, case, cast, func, literal_column, or_, select, true
from sqlalchemy.sql import Select

from geo.filters import Filters, Options
from geo.records import FIELDS, Incident
from geo.store.database import Store, from_db
from geo.store.schema import incidents as t
from geo.store.schema import like_pattern

__all__ = ["BBox", "Totals", "Cell", "Week", "where", "options", "facets", "totals", "summary", "newest",
           "unlocated", "stream", "points", "cell_size", "weekly", "search_keys", "search_count", "id_keys", "OTHER_GROUPS",
           "SEARCHED"]

_COLUMNS = [t.c[name] for name in FIELDS]
# What a search looks in: the place (as reported, the mention, the province), who (group,
# parent, target) and the notes.
SEARCHED = ("location", "mention", "admin1", "group", "parent_group", "target", "notes")
OTHER_GROUPS = "Other groups"  # the timeline's bar for every group outside its top ones


@dataclass(frozen=True, slots=True)
class BBox:
    """A box in degrees: south, west, north, east (west > east crosses the antimeridian, not supported: clamped)."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, slots=True)
class Totals:
    incidents: int
    groups: int
    unlocated: int


@dataclass(frozen=True, slots=True)
class Cell:
    """Incidents in one grid cell: where they are on average, how many, the most frequent
    group and how many of the cell's incidents it has."""

    latitude: float
    longitude: float
    count: int
    group: str
    group_count: int
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, slots=True)
class Week:
    """Incidents of one group in the week starting on Monday ``start``."""

    start: date
    group: str
    count: int


def search_condition(text: str) -> ColumnElement[bool]:
    """Every word of ``text`` in one of the searched columns, ignoring case (``lower()`` on
    both sides: SQLite lowers ASCII letters only, PostgreSQL every letter)."""
    words = text.lower().split()
    return and_(true(), *(or_(*(func.lower(t.c[name]).like(like_pattern(word), escape="\\") for name in SEARCHED))
                          for word in words))


def search_count(store: Store, text: str, deadline_s: float | None = None) -> int:
    """Incidents whose searched columns hold every word of ``text`` (a full scan: run with a
    deadline where a visitor can ask; :class:`geo.store.database.QueryTimedOut` past it)."""
    with store.read(deadline_s) as conn:
        return int(conn.execute(select(func.count()).select_from(t).where(search_condition(text))).scalar_one())


def where(f: Filters, bbox: BBox | None = None) -> ColumnElement[bool]:
    """The filters (and a box, if given) as one SQL condition."""
    parts: list[ColumnElement[bool]] = [t.c.event_date >= f.start.isoformat(), t.c.event_date <= f.end.isoformat()]
    for column, values in ((t.c.group, f.matched_groups), (t.c.country_code, f.countries), (t.c.event_type, f.event_types)):
        if values:
            parts.append(column.in_(values))
    if f.search.strip():
        parts.append(search_condition(f.search))
    if bbox is not None:
        parts += [t.c.latitude.between(bbox.south, bbox.north), t.c.longitude.between(bbox.west, bbox.east)]
    return and_(*parts)


def _counts(store: Store, column: str, condition: ColumnElement[bool] | None = None) -> dict[str, int]:
    col = t.c[column]
    query = (select(col, func.count()).where(col.is_not(None), col != "", true() if condition is None else condition)
             .group_by(col).order_by(func.count().desc(), col))
    with store.read() as conn:
        return {str(value): int(n) for value, n in conn.execute(query)}


def options(store: Store) -> Options:
    """What the data offers to filter on: the date span and each value with its count."""
    with store.read() as conn:
        first, last = conn.execute(select(func.min(t.c.event_date), func.max(t.c.event_date))).one()
    today = date.today()
    return Options(date.fromisoformat(first) if first else today, date.fromisoformat(last) if last else today,
                   _counts(store, "group"), _counts(store, "country_code"), _counts(store, "event_type"))


def facets(store: Store, f: Filters) -> dict[str, dict[str, int]]:
    """Each filter list's counts under the other filters: the groups' counts follow the
    dates, countries, types and search but not the group choice itself (so picking one group
    does not hide how many the others have), and likewise for countries and types."""
    return {"group": _counts(store, "group", where(replace(f, groups=(), family=()))),
            "country_code": _counts(store, "country_code", where(replace(f, countries=()))),
            "event_type": _counts(store, "event_type", where(replace(f, event_types=())))}


def totals(store: Store, f: Filters) -> Totals:
    """Two counts, each answered by an index alone: incidents and groups (the filters'
    index holds every column they read), then the unplaced ones (their partial index).
    One query asking for both read every matching row from the table: 8 s for the largest
    group of a million incidents."""
    counts = select(func.count(), func.count(t.c.group.distinct())).where(where(f))
    unplaced = select(func.count()).where(where(f), t.c.latitude.is_(None))
    with store.read() as conn:
        n, groups = conn.execute(counts).one()
        unlocated_n = conn.execute(unplaced).scalar_one()
    return Totals(int(n), int(groups), int(unlocated_n))


def summary(found: Totals) -> str:
    """"42 incidents, 3 groups" (singular where it is one)."""
    n, g = found.incidents, found.groups
    return f"{n:,} incident{'s' if n != 1 else ''}, {g:,} group{'s' if g != 1 else ''}"


def newest(store: Store, f: Filters, limit: int) -> list[Incident]:
    """The ``limit`` most recent incidents that pass the filters (the table's rows)."""
    query = select(*_COLUMNS).where(where(f)).order_by(t.c.event_date.desc(), t.c.event_id).limit(limit)
    with store.read() as conn:
        return [from_db(r._mapping) for r in conn.execute(query)]


def unlocated(store: Store, f: Filters, limit: int) -> list[Incident]:
    query = (select(*_COLUMNS).where(where(f), t.c.latitude.is_(None))
             .order_by(t.c.event_date.desc(), t.c.event_id).limit(limit))
    with store.read() as conn:
        return [from_db(r._mapping) for r in conn.execute(query)]


def stream(store: Store, f: Filters | None = None, batch: int = 5000) -> Iterator[Incident]:
    """Every incident that passes ``f`` (all when ``None``), oldest first, read ``batch``
    rows at a time by keyset (date, id), so an export of a million rows holds one batch."""
    condition = where(f) if f is not None else true()
    after: tuple[str, str] | None = None
    while True:
        query: Select[tuple[object, ...]] = select(*_COLUMNS).where(condition)
        if after is not None:
            # the first term bounds the index scan (PostgreSQL would otherwise read every earlier row again)
            query = query.where(t.c.event_date >= after[0], (t.c.event_date > after[0])
                                | and_(t.c.event_date == after[0], t.c.event_id > after[1]))
        with store.read() as conn:
            rows = conn.execute(query.order_by(t.c.event_date, t.c.event_id).limit(batch)).all()
        for row in rows:
            yield from_db(row._mapping)
        if len(rows) < batch:
            return
        after = (rows[-1].event_date, rows[-1].event_id)


def points(store: Store, f: Filters, bbox: BBox | None, limit: int) -> list[Incident]:
    """At most ``limit`` located incidents in the box, newest first."""
    query = (select(*_COLUMNS).where(where(f, bbox), t.c.latitude.is_not(None), t.c.longitude.is_not(None))
             .order_by(t.c.event_date.desc(), t.c.event_id).limit(limit))
    with store.read() as conn:
        return [from_db(r._mapping) for r in conn.execute(query)]


def cell_size(zoom: int) -> float:
    """Cell edge in degrees for a zoom level: about 60 screen pixels (a 256-pixel tile spans
    360 / 2**zoom degrees), so cells never crowd each other at that zoom."""
    return 360.0 / 2 ** max(0, min(zoom, 20)) / 4


def _week_start(dialect: str) -> ColumnElement[str]:
    """The ISO week's Monday of ``event_date`` as ISO text, in each database's own terms
    (constants written inline: PostgreSQL matches GROUP BY to SELECT by the text, and two
    bound parameters are never the same text)."""
    if dialect == "postgresql":
        monday = func.date_trunc(literal_column("'week'"), cast(t.c.event_date, Date))
        return func.to_char(monday, literal_column("'YYYY-MM-DD'"))
    return func.date(t.c.event_date, literal_column("'weekday 0'"), literal_column("'-6 days'"))  # next Sunday, back 6


def weekly(store: Store, f: Filters, top: int = 8) -> list[Week]:
    """Incidents per ISO week (Monday start) and group, for the ``top`` groups with most
    incidents under ``f``; the rest are counted together as :data:`OTHER_GROUPS`. Two
    aggregates in the database: the rows returned are at most weeks × (top + 1)."""
    condition = where(f)
    group = func.coalesce(t.c.group, literal_column("''"))
    with store.read() as conn:
        leaders = [str(g) for g, _ in conn.execute(
            select(group, func.count()).where(condition).group_by(group).order_by(func.count().desc(), group)
            .limit(top))]
        week = _week_start(store.dialect)
        who = case((group.in_(leaders), group), else_=literal_column(f"'{OTHER_GROUPS}'")) if leaders else group
        rows = conn.execute(select(week, who, func.count()).where(condition).group_by(week, who).order_by(week, who))
        return [Week(date.fromisoformat(str(w)), str(g), int(n)) for w, g, n in rows]


def id_keys(event_ids: Sequence[str] | npt.NDArray[np.object_]) -> npt.NDArray[np.uint64]:
    """A 64-bit number per event id (a fixed hash, the same in every process): what the
    map's index keeps instead of the ids' text."""
    return pd.util.hash_array(np.asarray(event_ids, dtype=object))


def search_keys(store: Store, f: Filters) -> npt.NDArray[np.uint64]:
    """The :func:`id_keys` of the placed incidents that pass ``f`` (its search included):
    what lets the map's index, which holds no text, apply a search."""
    query = select(t.c.event_id).where(where(f), t.c.latitude.is_not(None))
    with store.read() as conn:
        ids = conn.execute(query).scalars().all()
    return np.unique(id_keys(list(ids)))
