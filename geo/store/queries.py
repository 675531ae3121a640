"""What the app and the CLI ask of the store, answered in SQL.

The filters become one indexed ``WHERE``; counts for the headline and the filter lists
are aggregates; the table and the map's markers read a bounded number of rows (the
newest first, or the few in view). Nothing here reads the whole store into Python, so a
page costs about the same with a thousand incidents stored or a million. (The map's grid
filter lists' counts, the timeline's bars and the map's grid cells are counted from
:mod:`geo.store.columns`, which answers those questions faster.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.sql import Select

from geo.filters import Filters
from geo.records import FIELDS, Incident
from geo.store.database import Store, from_db
from geo.store.schema import incidents as t
from geo.store.schema import like_pattern

__all__ = ["BBox", "Totals", "Cell", "Week", "where", "summary", "newest",
           "unlocated", "stream", "points", "cell_size", "matching", "id_keys", "OTHER_GROUPS",
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


def matching(store: Store, text: str, deadline_s: float | None = None) -> npt.NDArray[np.uint64]:
    """The :func:`id_keys` of the incidents whose searched columns hold every word of
    ``text``, sorted: the one full scan a search costs (run with a deadline where a visitor
    can ask; :class:`geo.store.database.QueryTimedOut` past it). The counts, the timeline
    and the map apply it as a mask over :mod:`geo.store.columns`."""
    with store.read(deadline_s) as conn:
        ids = conn.execute(select(t.c.event_id).where(search_condition(text))).scalars().all()
    return np.unique(id_keys(list(ids)))


def where(f: Filters, bbox: BBox | None = None, ids: Sequence[str] | None = None) -> ColumnElement[bool]:
    """The filters (and a box, if given) as one SQL condition; with ``ids``, the incidents
    matching the search are those (found in the search index), not a scan for its words."""
    day = t.c.first_reported if f.dated == "reported" else t.c.event_date
    parts: list[ColumnElement[bool]] = [day >= f.start.isoformat(), day <= f.end.isoformat()]
    for column, values in ((t.c.group, f.matched_groups), (t.c.country_code, f.countries), (t.c.event_type, f.event_types)):
        if values:
            parts.append(column.in_(values))
    if f.search.strip():
        parts.append(t.c.event_id.in_(list(ids)) if ids is not None else search_condition(f.search))
    if bbox is not None:
        parts += [t.c.latitude.between(bbox.south, bbox.north), t.c.longitude.between(bbox.west, bbox.east)]
    return and_(*parts)


def summary(found: Totals) -> str:
    """"42 incidents, 3 groups" (singular where it is one)."""
    n, g = found.incidents, found.groups
    return f"{n:,} incident{'s' if n != 1 else ''}, {g:,} group{'s' if g != 1 else ''}"


def newest(store: Store, f: Filters, limit: int, deadline_s: float | None = None,
           ids: Sequence[str] | None = None) -> list[Incident]:
    """The ``limit`` most recent incidents that pass the filters (the table's rows); with a
    search, scanned within ``deadline_s`` like the search itself, or read by ``ids`` (:func:`where`)."""
    query = select(*_COLUMNS).where(where(f, None, ids)).order_by(t.c.event_date.desc(), t.c.event_id).limit(limit)
    with store.read(deadline_s) as conn:
        return [from_db(r._mapping) for r in conn.execute(query)]


def unlocated(store: Store, f: Filters, limit: int, deadline_s: float | None = None,
              ids: Sequence[str] | None = None) -> list[Incident]:
    query = (select(*_COLUMNS).where(where(f, None, ids), t.c.latitude.is_(None))
             .order_by(t.c.event_date.desc(), t.c.event_id).limit(limit))
    with store.read(deadline_s) as conn:
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


def points(store: Store, f: Filters, bbox: BBox | None, limit: int, deadline_s: float | None = None,
           ids: Sequence[str] | None = None) -> list[Incident]:
    """At most ``limit`` located incidents in the box, newest first (``ids``: as in :func:`where`)."""
    query = (select(*_COLUMNS).where(where(f, bbox, ids), t.c.latitude.is_not(None), t.c.longitude.is_not(None))
             .order_by(t.c.event_date.desc(), t.c.event_id).limit(limit))
    with store.read(deadline_s) as conn:
        return [from_db(r._mapping) for r in conn.execute(query)]


def cell_size(zoom: int) -> float:
    """Cell edge in degrees for a zoom level: about 60 screen pixels (a 256-pixel tile spans
    360 / 2**zoom degrees), so cells never crowd each other at that zoom."""
    return 360.0 / 2 ** max(0, min(zoom, 20)) / 4


def id_keys(event_ids: Sequence[str] | npt.NDArray[np.object_]) -> npt.NDArray[np.uint64]:
    """A 64-bit number per event id (a fixed hash, the same in every process): what the
    map's index keeps instead of the ids' text."""
    return pd.util.hash_array(np.asarray(event_ids, dtype=object))
