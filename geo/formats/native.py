"""This project's CSV: the columns are the field names (:data:`geo.records.FIELDS`), one to one.

:func:`incident` is the check every format ends in: a source format maps its row onto native
columns and calls :func:`as_native`, so a rule about a field (ranges, dates, roles, a row
that cannot be placed) is written once, here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.errors import InvalidInput
from geo.formats.export import unneutralise
from geo.formats.fields import (
    Format,
    RowProblem,
    coordinate_cell,
    date_cell,
    fraction_cell,
    source_fields_cell,
    stable_id,
    whole_cell,
)
from geo.records import FIELDS, GROUP_ROLES, Incident

__all__ = ["FORMAT", "incident", "check_row", "as_native"]


def incident(row: Mapping[str, str], source_fields: str | None = None) -> Incident:
    """A native row checked; ``source_fields`` (already JSON) is given by the source formats."""
    role = row.get("group_role", "").strip().lower() or "unknown"
    if role not in GROUP_ROLES:
        raise RowProblem("group_role", f"{role[:40]!r} is not one of {', '.join(GROUP_ROLES)}")
    lat = coordinate_cell("latitude", row.get("latitude", ""), 90)
    lon = coordinate_cell("longitude", row.get("longitude", ""), 180)
    if (lat is None) != (lon is None):
        raise RowProblem("longitude" if lon is None else "latitude", "latitude and longitude must be given together")
    location = row.get("location", "").strip()
    if not location and lat is None:
        raise RowProblem("location", "is empty and there are no coordinates: the incident cannot be placed")
    event_date = date_cell("event_date", row.get("event_date", ""))
    assert event_date is not None
    return Incident(
        event_id=row.get("event_id", "").strip() or stable_id("CSV", row),
        event_date=event_date,
        time_precision=whole_cell("time_precision", row.get("time_precision", ""), low=1, high=3) or 1,
        group=row.get("group", "").strip() or "Unknown",
        group_role=role,
        parent_group=row.get("parent_group", "").strip(),
        target=row.get("target", "").strip(),
        event_type=row.get("event_type", "").strip(),
        sub_event_type=row.get("sub_event_type", "").strip(),
        location=location,
        mention=row.get("mention", "").strip(),
        latitude=lat,
        longitude=lon,
        geo_precision=whole_cell("geo_precision", row.get("geo_precision", ""), low=1, high=4),
        country_code=row.get("country_code", "").strip().upper(),
        admin1=row.get("admin1", "").strip(),
        killed=whole_cell("killed", row.get("killed", "")),
        injured=whole_cell("injured", row.get("injured", "")),
        notes=row.get("notes", "").strip(),
        source=row.get("source", "").strip(),
        source_url=row.get("source_url", "").strip(),
        published=date_cell("published", row.get("published", ""), required=False),
        source_fields=source_fields_cell(row.get("source_fields", "")) if source_fields is None else source_fields,
        confidence=fraction_cell("confidence", row.get("confidence", "")),
        # a file from before the column existed: its source's publication date is the first report known
        first_reported=date_cell("first_reported", row["first_reported"], required=False) if "first_reported" in row
        else date_cell("published", row.get("published", ""), required=False),
        runner_up=row.get("runner_up", "").strip(),
    )


def check_row(row: Mapping[str, str]) -> Incident:
    """A native row (text values by field name) checked as an import checks it; a problem
    raises :class:`~geo.errors.InvalidInput` (a ``ValueError``) naming the field."""
    try:
        return incident(row)
    except RowProblem as problem:
        raise InvalidInput(f"{problem.column}: {problem}") from None


def as_native(native: dict[str, str], names: Mapping[str, str], source_fields: str) -> Incident:
    """Check a source row mapped onto native columns; a problem names the source's column
    (``names``: native column -> the source's)."""
    try:
        return incident(native, source_fields)
    except RowProblem as problem:
        raise RowProblem(names.get(problem.column, problem.column), str(problem)) from None


def _row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    """A row of this project's CSV: cells the export protected from spreadsheets get their text back."""
    return incident({k: unneutralise(v) for k, v in row.items()})


FORMAT = Format("this project's CSV", ("event_date", "group", "location"), _row,
                detect=lambda columns: bool(columns & {"event_date", "group", "group_role", "event_id"}),
                detect_last=True, any_case=False, known=FIELDS, raw_id=("event_id", ""))
