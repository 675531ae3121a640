"""GTD (START's Global Terrorism Database), as START distributes it: the CSV export and the xlsx
workbook (``geo.formats.reading`` reads the workbook's first sheet into the same rows). The
mapping is in ``docs/IMPORT.md``; columns no field holds go to ``source_fields``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from geo import countries
from geo.formats.fields import Format, RowProblem, extras
from geo.formats.native import as_native
from geo.records import Incident

__all__ = ["FORMAT"]

# specificity (1 the place … 5 no usable point) -> geo_precision (1 place … 4 country)
_WHERE = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "4"}
# native column -> GTD column (for messages)
_NAMES = {"event_id": "eventid", "event_date": "iday", "time_precision": "iday", "group": "gname",
          "group_role": "claimed", "target": "targtype1_txt", "event_type": "attacktype1_txt",
          "location": "city", "latitude": "latitude", "longitude": "longitude", "geo_precision": "specificity",
          "admin1": "provstate", "killed": "nkill", "injured": "nwound", "notes": "summary", "source": "dbsource",
          "country_code": "country_txt"}
# held by a field: the mapped columns, the year and month (event_date), the country's code
_HELD = {*_NAMES.values(), "iyear", "imonth", "country"}
_UNKNOWN = {"", "unknown", "-9", "-99"}
_DIGITS = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²".isdigit() is true, and int() refuses it
_WHOLE = re.compile(r"[0-9]{1,15}")


def _whole(value: str) -> str:
    """GTD's counts as the workbook gives them ("3", "3.0"); unknown (-9, -99) as empty."""
    value = value.strip()
    if value in ("-9", "-99"):
        return ""
    if value.endswith(".0") and _WHOLE.fullmatch(value[:-2]):
        return value[:-2]
    return value


def _date(row: Mapping[str, str]) -> tuple[str, str]:
    """(ISO date, time_precision): a day of 0 is a month known (3), a month of 0 a year (3)."""
    year, month, day = (_whole(row.get(c, "")) for c in ("iyear", "imonth", "iday"))
    if not (_DIGITS.fullmatch(year) and _DIGITS.fullmatch(month or "0") and _DIGITS.fullmatch(day or "0")):
        raise RowProblem("iyear", f"{year[:8]!r}-{month[:8]!r}-{day[:8]!r} is not a date")
    m, d = int(month or 0), int(day or 0)
    precision = "1" if m and d else "3"
    return f"{int(year):04d}-{max(m, 1):02d}-{max(d, 1) if m else 1:02d}", precision


def _row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    ident = row.get("eventid", "").strip()
    when, precision = _date(row)
    group = row.get("gname", "").strip()
    claimed = _whole(row.get("claimed", ""))
    known = group.lower() not in _UNKNOWN
    city = row.get("city", "").strip()
    country = row.get("country_txt", "")
    code = countries.code_of_name(country)
    native = {
        "event_id": f"GTD-{ident}" if ident else "", "event_date": when, "time_precision": precision,
        "group": group if known else "", "group_role": ("claimed" if claimed == "1" else "attributed") if known else "unknown",
        "target": row.get("targtype1_txt", ""), "event_type": row.get("attacktype1_txt", ""),
        "location": city if city.lower() not in _UNKNOWN else (row.get("provstate", "").strip() or country),
        "latitude": row.get("latitude", ""), "longitude": row.get("longitude", ""),
        "geo_precision": _WHERE.get(_whole(row.get("specificity", "")), ""), "country_code": code,
        "admin1": row.get("provstate", ""), "killed": _whole(row.get("nkill", "")),
        "injured": _whole(row.get("nwound", "")), "notes": row.get("summary", ""), "source": row.get("dbsource", ""),
    }
    kept = extras(row, extra if code or not country.strip() else [*extra, "country_txt"])
    return as_native(native, _NAMES, kept)


def _detect(columns: set[str]) -> bool:
    return "eventid" in columns and ("gname" in columns or "iyear" in columns)


FORMAT = Format("GTD", ("eventid", "iyear", "imonth", "iday", "country_txt", "gname"), _row,
                detect=_detect, held=frozenset(_HELD), raw_id=("eventid", "GTD-"))
