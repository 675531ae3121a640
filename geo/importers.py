"""Read incident records from CSV files (native, ACLED, UCDP GED) and this project's GeoJSON
export, with row-level checks.

A bad row never stops a file: it is reported with file, row and column, and the good
rows go on. A file that cannot be read at all (wrong encoding, missing columns) raises
``BadFile`` naming the problem, and nothing is written.

Cells lose their control characters (NUL and the rest; tabs and newlines stay in notes),
numbers must be written in ASCII digits, and a native cell that this project's export
protected from spreadsheets (``'=…``) gets its text back, so export → import keeps every
value.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from geo import settings
from geo.export import unneutralise
from geo.records import FIELDS, GROUP_ROLES, Incident
from geo.safetext import clean_text

__all__ = ["BadFile", "RowError", "ImportResult", "read_csv", "read_bytes", "parse_text", "parse_geojson", "FORMATS",
           "FILE_FORMATS", "MAX_BYTES", "MAX_CELL_CHARS"]

MAX_BYTES = 20 * 1024 * 1024
# One cell longer than this is a broken file (an unclosed quote swallowing rows, a pasted
# page), not a record: the row is rejected rather than stored and shown in every popup.
MAX_CELL_CHARS = 20_000
csv.field_size_limit(MAX_BYTES)


class BadFile(ValueError):
    """The whole file cannot be read (encoding, delimiter, missing columns, size)."""


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    row: int
    column: str
    message: str
    unit: str = "row"  # "feature" in a GeoJSON file

    def __str__(self) -> str:
        if self.column == "(row)":  # the whole row (cell count), not one column
            return f"{self.file}, {self.unit} {self.row}: {self.message}"
        return f"{self.file}, {self.unit} {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportResult:
    incidents: list[Incident] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _RowProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


# --------------------------------------------------------------- field parsers

def _date(column: str, value: str, *, required: bool = True) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise _RowProblem(column, "is empty; a date (YYYY-MM-DD) is required")
        return None
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise _RowProblem(column, f"{value[:40]!r} is not a valid date (expected YYYY-MM-DD)")


_WHOLE = re.compile(r"[+-]?([0-9]+)(?:\.0*)?")  # ASCII digits only: "²" or "٣" is not a count here
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


def _int(column: str, value: str, *, low: int = 0, high: int | None = None) -> int | None:
    value = value.strip()
    if not value:
        return None
    whole = _WHOLE.fullmatch(value)
    if whole is None:
        raise _RowProblem(column, f"{value[:40]!r} is not a whole number")
    if len(whole.group(1)) > 15:
        raise _RowProblem(column, f"{value[:40]!r} is too large")
    number = int(value.split(".")[0])
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _RowProblem(column, f"{number} is out of range (must be {bound})")
    return number


def _coord(column: str, value: str, limit: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    if not _DECIMAL.fullmatch(value):  # float() would take "nan", "1_0" or other scripts' digits
        raise _RowProblem(column, f"{value[:40]!r} is not a number")
    number = float(value)
    if not -limit <= number <= limit:
        raise _RowProblem(column, f"{value[:40]} is out of range (-{limit:g} to {limit:g})")
    return number


_HTTP_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def _stable_id(prefix: str, row: Mapping[str, str]) -> str:
    digest = hashlib.sha1("\x1f".join(f"{k}={row[k]}" for k in sorted(row)).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


# --------------------------------------------------------------- formats

def _native(row: Mapping[str, str]) -> Incident:
    role = row.get("group_role", "").strip().lower() or "unknown"
    if role not in GROUP_ROLES:
        raise _RowProblem("group_role", f"{role[:40]!r} is not one of {', '.join(GROUP_ROLES)}")
    lat = _coord("latitude", row.get("latitude", ""), 90)
    lon = _coord("longitude", row.get("longitude", ""), 180)
    if (lat is None) != (lon is None):
        raise _RowProblem("longitude" if lon is None else "latitude", "latitude and longitude must be given together")
    location = row.get("location", "").strip()
    if not location and lat is None:
        raise _RowProblem("location", "is empty and there are no coordinates: the incident cannot be placed")
    event_date = _date("event_date", row.get("event_date", ""))
    assert event_date is not None
    return Incident(
        event_id=row.get("event_id", "").strip() or _stable_id("CSV", row),
        event_date=event_date,
        time_precision=_int("time_precision", row.get("time_precision", ""), low=1, high=3) or 1,
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
        geo_precision=_int("geo_precision", row.get("geo_precision", ""), low=1, high=4),
        country_code=row.get("country_code", "").strip().upper(),
        admin1=row.get("admin1", "").strip(),
        killed=_int("killed", row.get("killed", "")),
        injured=_int("injured", row.get("injured", "")),
        notes=row.get("notes", "").strip(),
        source=row.get("source", "").strip(),
        source_url=row.get("source_url", "").strip(),
        published=_date("published", row.get("published", ""), required=False),
    )


def _country_code(name: str) -> str:
    import pycountry

    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2) if name.strip() else ""
    except LookupError:
        return ""


def _acled(row: Mapping[str, str]) -> Incident:
    native = {
        "event_id": row.get("event_id_cnty", ""), "event_date": row.get("event_date", ""),
        "time_precision": row.get("time_precision", ""), "group": row.get("actor1", ""),
        "target": row.get("actor2", ""), "event_type": row.get("event_type", ""),
        "sub_event_type": row.get("sub_event_type", ""), "location": row.get("location", ""),
        "latitude": row.get("latitude", ""), "longitude": row.get("longitude", ""),
        "geo_precision": row.get("geo_precision", ""), "country_code": _country_code(row.get("country", "")),
        "admin1": row.get("admin1", ""), "killed": row.get("fatalities", ""), "notes": row.get("notes", ""),
        "source": row.get("source", ""),
    }
    return _native(native)


def _ucdp(row: Mapping[str, str]) -> Incident:
    side_a = row.get("side_a", "")
    native = {
        "event_id": f"UCDP-{row.get('id', '')}" if row.get("id") else "",
        "event_date": (row.get("date_start", "") or "")[:10], "time_precision": row.get("date_prec", "")[:1]
        if row.get("date_prec", "") in ("1", "2", "3") else "",
        "group": side_a, "target": row.get("side_b", ""), "event_type": "Battles" if row.get("type_of_violence") == "1"
        else "Violence against civilians" if row.get("type_of_violence") == "3" else "",
        "location": row.get("where_coordinates", "") or row.get("adm_2", ""),
        "latitude": row.get("latitude", ""), "longitude": row.get("longitude", ""),
        "country_code": _country_code(row.get("country", "")), "admin1": row.get("adm_1", ""),
        "killed": row.get("best", ""), "notes": row.get("source_headline", "")[:300],
        "source": row.get("source_article", "")[:300],
    }
    return _native(native)


@dataclass(frozen=True, slots=True)
class _Format:
    required: tuple[str, ...]
    known: tuple[str, ...]
    convert: Callable[[Mapping[str, str]], Incident]


def _native_file(row: Mapping[str, str]) -> Incident:
    """A row of this project's CSV: cells the export protected from spreadsheets get their text back."""
    return _native({k: unneutralise(v) for k, v in row.items()})


FORMATS: dict[str, _Format] = {
    "native": _Format(("event_date", "group", "location"), FIELDS, _native_file),
    "acled": _Format(("event_id_cnty", "event_date", "actor1", "location", "latitude", "longitude"), (), _acled),
    "ucdp": _Format(("id", "date_start", "side_a", "latitude", "longitude"), (), _ucdp),
}


# The GeoJSON reader turns features into native rows; JSON needs no spreadsheet protection.
_GEOJSON = _Format(("event_date", "group"), FIELDS, _native)
# What ``import`` reads: the CSV formats and this project's GeoJSON export.
FILE_FORMATS = ("native", "geojson", *sorted(set(FORMATS) - {"native"}))


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16 with a byte order mark)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise BadFile(f"{file}: starts as UTF-16 text but is not valid UTF-16; save the file as UTF-8 "
                          "and import again") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BadFile(f"{file}: not UTF-8 text (byte 0x{raw[error.start]:02x} at row {line}); "
                      "save the file as UTF-8 and import again") from None


def _delimiter(header: str, file: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        if not header.strip():
            raise BadFile(f"{file}, row 1: is empty; the first row must be the header (column names)")
        other = next((d for d in "|:^~ " if header.count(d)), None)
        if other is not None and other != " ":
            raise BadFile(f"{file}, row 1: columns are separated by {other!r}; save the file with commas, "
                          "semicolons or tabs between columns")
        raise BadFile(f"{file}, row 1: no comma-, semicolon- or tab-separated header found "
                      f"(row 1 starts {header[:60]!r})")
    return best


def parse_text(text: str, file: str, fmt: str = "native", *, max_columns: int | None = None) -> ImportResult:
    """Parse CSV text (or GeoJSON, for ``fmt="geojson"``); ``file`` is the name used in messages."""
    if fmt == "geojson":
        return parse_geojson(text, file)
    return _parse_csv(text, file, FORMATS[fmt], max_columns=max_columns)


def _parse_csv(text: str, file: str, spec: _Format, *, max_columns: int | None = None) -> ImportResult:
    """A header wider than ``max_columns`` (default: the ``max_csv_columns`` setting) is
    refused before any row is read; every header check is one pass over the columns,
    however many there are."""
    if not text.strip():
        raise BadFile(f"{file}: the file is empty")
    header_line = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line, file))
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
    except csv.Error as error:
        raise BadFile(f"{file}, row 1: the header cannot be read as CSV ({error})") from None
    limit = settings.max_csv_columns() if max_columns is None else max_columns
    if len(columns) > limit:
        raise BadFile(f"{file}, row 1: the header has {len(columns):,} columns; at most {limit:,} are accepted "
                      f"(setting max_csv_columns, or INCIDENT_MAP_MAX_CSV_COLUMNS)")
    reader.fieldnames = columns
    repeated = sorted(c for c, n in Counter(columns).items() if c and n > 1)
    if repeated:
        raise BadFile(f"{file}, row 1: column{'s' if len(repeated) > 1 else ''} {', '.join(repeated[:5])} "
                      f"appear{'' if len(repeated) > 1 else 's'} more than once in the header")
    present = set(columns)
    missing = [c for c in spec.required if c not in present]
    if missing:
        raise BadFile(f"{file}, row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                      f"(found: {', '.join(columns[:12]) or 'none'})")
    result = ImportResult()
    known = set(spec.known)
    extra = [c for c in columns if known and c not in known]
    if extra:
        result.warnings.append(f"{file}: ignored unknown column(s) {', '.join(extra[:10])}")
    seen: dict[str, int] = {}
    rows = enumerate(reader, start=2)
    number = 1
    while True:
        try:
            number, row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            raise BadFile(f"{file}, row {number + 1}: not readable as CSV ({error})") from None
        if None in row:
            result.errors.append(RowError(file, number, "(row)", f"has {len(columns) + len(row[None])} cells; "  # type: ignore[index]
                                          f"the header has {len(columns)}"))
            continue
        clean = {k: clean_text(v or "", multiline=k == "notes") for k, v in row.items()}
        if not any(v.strip() for v in clean.values()):
            continue
        cells = sum(1 for v in row.values() if v is not None)
        if cells < len(columns):
            result.errors.append(RowError(file, number, "(row)", f"has {cells} cell{'s' if cells != 1 else ''}; "
                                          f"the header has {len(columns)}"))
            continue
        long = next((k for k, v in clean.items() if len(v) > MAX_CELL_CHARS), None)
        if long is not None:
            result.errors.append(RowError(file, number, long, f"is {len(clean[long]):,} characters long "
                                          f"(at most {MAX_CELL_CHARS:,})"))
            continue
        try:
            incident = spec.convert(clean)
        except _RowProblem as problem:
            result.errors.append(RowError(file, number, problem.column, str(problem)))
            continue
        if incident.event_id in seen:
            result.errors.append(RowError(file, number, "event_id",
                                          f"{incident.event_id!r} repeats row {seen[incident.event_id]}"))
            continue
        seen[incident.event_id] = number
        if incident.source_url and not _HTTP_URL.fullmatch(incident.source_url):
            result.warnings.append(str(RowError(file, number, "source_url", f"{incident.source_url[:40]!r} is not an "
                                                "http(s) link; the link was left out")))
            incident = incident.replace(source_url="")
        result.incidents.append(incident)
    return result


def read_csv(path: Path | str, fmt: str = "native", *, name: str | None = None,
             max_columns: int | None = None) -> ImportResult:
    """Read a CSV file from disk (at most ``MAX_BYTES``, ``max_columns`` as in :func:`parse_text`)."""
    path = Path(path)
    label = name or path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BadFile(f"{label}: {size / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MB limit")
    return parse_text(_decode(path.read_bytes(), label), label, fmt, max_columns=max_columns)


def read_bytes(raw: bytes, name: str, fmt: str = "native", *, max_columns: int | None = None) -> ImportResult:
    """Read an uploaded CSV (the upload's name is only used in messages, never as a path)."""
    if len(raw) > MAX_BYTES:
        raise BadFile(f"{name}: {len(raw) / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MB limit")
    return parse_text(_decode(raw, name), name, fmt, max_columns=max_columns)


def _geojson_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json.dumps(value, ensure_ascii=False)  # rejected or kept as text by the row checks
    return repr(value)


def parse_geojson(text: str, file: str) -> ImportResult:
    """A FeatureCollection of incidents, as ``python -m geo export --format geojson`` writes
    it: each feature's properties are the native columns and its Point the coordinates. A
    feature is checked like a row of the native CSV; messages count features from 1."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BadFile(f"{file}: not JSON ({error})") from None
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        raise BadFile(f"{file}: not a GeoJSON FeatureCollection")
    rows: list[dict[str, str]] = []
    problems: list[RowError] = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        row = {name: "" for name in FIELDS}
        if not isinstance(props, dict):
            problems.append(RowError(file, number, "(row)", "is not a GeoJSON feature with properties", "feature"))
            rows.append(row)  # a blank row is skipped, and keeps the numbering
            continue
        if geometry is not None:
            coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
            if not (isinstance(coords, list) and len(coords) >= 2):
                problems.append(RowError(file, number, "geometry", "must be a Point or null", "feature"))
                rows.append(row)
                continue
            props = {**props, "longitude": coords[0], "latitude": coords[1]}
        row.update({name: _geojson_cell(props.get(name)) for name in FIELDS})
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if not rows:
        return ImportResult()
    result = _parse_csv(out.getvalue(), file, _GEOJSON)
    # CSV row n is feature n - 1; the property names are the column names
    prefix = re.compile(rf"^{re.escape(file)}, row (\d+)")
    result.errors = sorted([dataclasses.replace(e, row=e.row - 1, unit="feature") for e in result.errors] + problems,
                           key=lambda e: e.row)
    result.warnings = [prefix.sub(lambda m: f"{file}, feature {int(m.group(1)) - 1}", w) for w in result.warnings]
    return result
