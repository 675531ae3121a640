"""The incident record: one row per event-day-place, a superset of ACLED's columns.

Kept at the bottom of the package so every stage (importers, store, filters, map)
agrees on one set of field names and types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["FIELDS", "GROUP_ROLES", "Incident"]

GROUP_ROLES = ("claimed", "attributed", "unknown")


@dataclass(frozen=True, slots=True)
class Incident:
    """One located (or not yet located) incident.

    ``killed``/``injured`` are ``None`` when unknown, never 0 for unknown.
    ``latitude``/``longitude`` are ``None`` until the place is geocoded.
    """

    event_id: str
    event_date: date
    group: str
    location: str
    time_precision: int = 1
    group_role: str = "unknown"
    parent_group: str = ""
    target: str = ""
    event_type: str = ""
    sub_event_type: str = ""
    mention: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    country_code: str = ""
    admin1: str = ""
    killed: int | None = None
    injured: int | None = None
    notes: str = ""
    source: str = ""
    source_url: str = ""
    published: date | None = None
    source_fields: str = ""  # the source file's own columns that no field above holds, as a JSON object
    # how sure the reader was of the point, 0-1 (None: not read from text, or coded by hand), and
    # the place it would be if the reader chose wrong, with its distance ("Tehran, 847 km")
    confidence: float | None = None
    runner_up: str = ""
    # when the event was first reported: the earliest publication date of its sources (None: not
    # known, as in the coded datasets); beside event_date, it gives the reporting lag
    first_reported: date | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def to_row(self) -> dict[str, Any]:
        """Plain values (ISO dates, ``None`` for unknown) in ``FIELDS`` order."""
        row: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            row[name] = value.isoformat() if isinstance(value, date) else value
        return row

    def replace(self, **changes: Any) -> Incident:
        return dataclasses.replace(self, **changes)


FIELDS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "time_precision",
    "group",
    "group_role",
    "parent_group",
    "target",
    "event_type",
    "sub_event_type",
    "location",
    "mention",
    "latitude",
    "longitude",
    "geo_precision",
    "country_code",
    "admin1",
    "killed",
    "injured",
    "notes",
    "source",
    "source_url",
    "published",
    "source_fields",
    "confidence",
    "runner_up",
    "first_reported",
)
assert set(FIELDS) == {f.name for f in dataclasses.fields(Incident)}
