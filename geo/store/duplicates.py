"""Likely duplicates: stored incidents that may report the same event as a new one.

Same day ± ``DAYS``, within ``KM`` kilometres (or, when either has no point, the same place
name), and the same group or an unknown one on either side. One indexed SQL query narrows
the store to the date range and a bounding box around the point (or the place name), then
the exact great-circle distance decides. Used before an article's incident is saved and in
the edit panel, where the editor can merge them (:meth:`geo.store.database.Store.merge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, func, or_, select

from geo.gazetteer.ranking import distance_km
from geo.records import FIELDS, Incident
from geo.store.curation import folded, unknown_group
from geo.store.database import Store, from_db
from geo.store.schema import incidents as t
from geo.store.schema import like_pattern

__all__ = ["DAYS", "KM", "Duplicate", "likely_duplicates", "lookup"]

DAYS = 1
KM = 25.0
LIMIT = 20  # more than this many look-alikes is a busy place and day: the closest are shown


@dataclass(frozen=True, slots=True)
class Duplicate:
    incident: Incident
    km: float | None  # None: compared by place name (one of the two has no point)
    days: int


def _same_group(a: str, b: str) -> bool:
    return unknown_group(a) or unknown_group(b) or folded(a) == folded(b)


def _candidates(where: ColumnElement[bool]) -> Select[Any]:
    """The query for one shape of lookup, built once: the values go in as parameters."""
    return select(*[t.c[f] for f in FIELDS]).where(
        t.c.event_date.between(bindparam("first"), bindparam("last")), where,
        t.c.event_id != bindparam("id")).limit(2000)


_BOX = and_(t.c.latitude.between(bindparam("south"), bindparam("north")),
            t.c.longitude.between(bindparam("west"), bindparam("east")))
_NEAR = _candidates(_BOX)
_NEAR_OR_NAMED = _candidates(or_(_BOX, and_(func.lower(t.c.location) == bindparam("name"), t.c.latitude.is_(None))))
_NAMED = _candidates(func.lower(t.c.location) == bindparam("name"))


def likely_duplicates(store: Store, incident: Incident, *, days: int = DAYS, km: float = KM,
                      limit: int = LIMIT, any_group: bool = False, conn: Connection | None = None) -> list[Duplicate]:
    """Stored incidents (not ``incident`` itself) that are likely the same event, closest first.

    ``any_group``: leave the groups to the caller (ingest judges fronts and parents itself);
    ``conn``: read in that open transaction (ingest's, which sees what it just wrote)."""
    name = folded(incident.location)
    params: dict[str, object] = {"first": (incident.event_date - timedelta(days=days)).isoformat(),
                                 "last": (incident.event_date + timedelta(days=days)).isoformat(),
                                 "id": incident.event_id, "name": name}
    if incident.latitude is not None and incident.longitude is not None:
        dlat = km / 111.0
        dlon = km / (111.0 * max(0.01, math.cos(math.radians(incident.latitude))))
        params.update(south=incident.latitude - dlat, north=incident.latitude + dlat,
                      west=incident.longitude - dlon, east=incident.longitude + dlon)
        query = _NEAR_OR_NAMED if name else _NEAR
    elif name:
        query = _NAMED
    else:
        return []
    if conn is None:
        with store.read() as reading:
            rows = reading.execute(query, params).all()
    else:
        rows = conn.execute(query, params).all()
    found = []
    for row in rows:
        other = from_db(row._mapping)
        if not any_group and not _same_group(incident.group, other.group):
            continue
        if other.latitude is not None and other.longitude is not None and incident.latitude is not None \
                and incident.longitude is not None:
            apart: float | None = distance_km(incident.latitude, incident.longitude, other.latitude, other.longitude)
            if apart is not None and apart > km:
                continue
        elif folded(other.location) != name:
            continue
        else:
            apart = None
        found.append(Duplicate(other, apart, abs((other.event_date - incident.event_date).days)))
    found.sort(key=lambda d: (d.days, d.km if d.km is not None else km, d.incident.event_id))
    return found[:limit]


def lookup(store: Store, text: str, limit: int = 20) -> list[Incident]:
    """Incidents for the editor to pick from, newest first: the one with this id, then those
    whose place, group or id contains ``text`` (case-insensitive; empty: the newest)."""
    needle = " ".join(text.split())
    query = select(*[t.c[f] for f in FIELDS]).order_by(t.c.event_date.desc(), t.c.event_id).limit(limit)
    exact = store.get(needle) if needle else None  # asked apart: newer matches must not push it past the limit
    if needle:
        like = like_pattern(needle.lower())
        query = query.where(t.c.event_id != needle, or_(func.lower(t.c.location).like(like, escape="\\"),
                                                        func.lower(t.c.group).like(like, escape="\\"),
                                                        func.lower(t.c.event_id).like(like, escape="\\")))
    with store.read() as conn:
        found = [from_db(r._mapping) for r in conn.execute(query)]
    return ([exact] if exact is not None else []) + found[: limit - (exact is not None)]
