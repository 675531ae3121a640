"""ACLED (Armed Conflict Location & Event Data), both layouts: the current 31 columns and the
pre-2023 one. The mapping is in ``docs/IMPORT.md``; columns no field holds go to
``source_fields``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo import countries
from geo.formats.fields import Format, extras
from geo.formats.native import as_native
from geo.records import Incident

__all__ = ["FORMAT"]

# source column -> native column
_MAP = {"event_id_cnty": "event_id", "event_date": "event_date", "time_precision": "time_precision",
        "actor1": "group", "actor2": "target", "event_type": "event_type", "sub_event_type": "sub_event_type",
        "location": "location", "latitude": "latitude", "longitude": "longitude",
        "geo_precision": "geo_precision", "admin1": "admin1", "fatalities": "killed", "notes": "notes",
        "source": "source"}
_NAMES = {v: k for k, v in _MAP.items()}
# held by another field: year (event_date), iso and country (country_code, when it is found)
_DERIVED = {"year", "iso", "country"}


def _row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    native = {dst: row.get(src, "") for src, dst in _MAP.items()}
    code = countries.code_of_numeric(row.get("iso", "")) or countries.code_of_name(row.get("country", ""))
    native["country_code"] = code
    kept = extras(row, extra if code or not row.get("country", "").strip() else [*extra, "country"])
    return as_native(native, _NAMES, kept)


def _detect(columns: set[str]) -> bool:
    return "event_id_cnty" in columns or {"actor1", "fatalities"} <= columns


FORMAT = Format("ACLED", ("event_id_cnty", "event_date", "actor1", "location", "latitude", "longitude"), _row,
                detect=_detect, held=frozenset({*_MAP, *_DERIVED}), raw_id=("event_id_cnty", ""))
