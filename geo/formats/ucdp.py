"""UCDP GED (the Uppsala Conflict Data Program's Georeferenced Event Dataset). The mapping is
in ``docs/IMPORT.md``; columns no field holds go to ``source_fields``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo import countries
from geo.formats.fields import Format, extras
from geo.formats.native import as_native
from geo.records import Incident

__all__ = ["FORMAT"]

# where_prec (1 exact … 7 international waters) -> geo_precision (1 place … 4 country)
_WHERE = {"1": "1", "2": "2", "3": "3", "4": "3", "5": "4", "6": "4", "7": "4"}
# date_prec (1 day, 2 2–6 days, 3 week, 4 month, 5 year) -> time_precision (1 day, 2 week, 3 month or wider)
_WHEN = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}
_TYPE = {"1": "Battles", "2": "Battles", "3": "Violence against civilians"}
# native column -> UCDP column
_NAMES = {"event_id": "id", "event_date": "date_start", "time_precision": "date_prec", "group": "side_a",
          "target": "side_b", "location": "where_coordinates", "latitude": "latitude",
          "longitude": "longitude", "geo_precision": "where_prec", "admin1": "adm_1", "killed": "best",
          "notes": "source_headline", "source": "source_article"}
# held by a field: the mapped columns, year (date_start), geom_wkt (latitude, longitude)
_HELD = {*_NAMES.values(), "year", "geom_wkt", "country"}


def _row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    ident = row.get("id", "").strip()
    where, when = row.get("where_prec", "").strip(), row.get("date_prec", "").strip()
    native = {
        "event_id": f"UCDP-{ident}" if ident else "", "event_date": row.get("date_start", ""),
        "time_precision": _WHEN.get(when, when), "group": row.get("side_a", ""), "target": row.get("side_b", ""),
        "event_type": _TYPE.get(row.get("type_of_violence", "").strip(), ""),
        "location": row.get("where_coordinates", "").strip() or row.get("adm_2", ""),
        "latitude": row.get("latitude", ""), "longitude": row.get("longitude", ""),
        "geo_precision": _WHERE.get(where, where), "country_code": countries.code_of_name(row.get("country", "")),
        "admin1": row.get("adm_1", ""), "killed": row.get("best", ""), "notes": row.get("source_headline", ""),
        "source": row.get("source_article", ""),
    }
    kept = extras(row, extra if native["country_code"] or not row.get("country", "").strip() else [*extra, "country"])
    return as_native(native, _NAMES, kept)


def _detect(columns: set[str]) -> bool:
    return "where_prec" in columns or {"side_a", "date_start"} <= columns or {"dyad_name", "best"} <= columns


FORMAT = Format("UCDP GED", ("id", "date_start", "side_a", "latitude", "longitude"), _row,
                detect=_detect, held=frozenset(_HELD), raw_id=("id", "UCDP-"))
