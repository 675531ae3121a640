"""Read incident records from CSV files (native, ACLED, UCDP GED) and this project's GeoJSON
export, with row-level checks, one row at a time.

:func:`open_records` (a path) and :func:`open_upload` (a binary stream) check the header
at once and return a :class:`Records`: an iterator of incidents that reads, decodes
(UTF-8, UTF-8 with a BOM, UTF-16 with a BOM) and converts the file as it is consumed, so
memory stays flat whatever the file's size. The format is found from the header
(``fmt="auto"``) or given (``native``, ``acled``, ``ucdp``, ``geojson``); the column
mapping is in ``docs/IMPORT.md``.

A bad row never stops a file: it is reported with file, row and column, and the good
rows go on (:attr:`Records.errors` keeps the first :data:`MAX_MESSAGES`, and
:attr:`Records.error_count` counts them all). A file that cannot be read at all (wrong
encoding, missing columns) raises ``BadFile`` naming the problem: at once for the header,
or while the rows are read, so a caller that saves them in one transaction saves nothing.
"Row N" is the line of the file where the record starts (an HXL hashtag row counts as a
line, as does a line break inside a quoted note).

Cells lose their control characters (NUL and the rest; tabs and newlines stay in notes),
numbers must be written in ASCII digits, and a native cell that this project's export
protected from spreadsheets (``'=…``) gets its text back, so export → import keeps every
value. Columns of an ACLED or UCDP file that no field holds are kept, as a JSON object,
in ``Incident.source_fields``.

:func:`parse_text`, :func:`read_csv` and :func:`read_bytes` read a whole (small) file into
an :class:`ImportResult`, for tests and callers that want a list.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import itertools
import json
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from geo import countries, settings
from geo.formats.export import unneutralise
from geo.progress import Progress
from geo.records import FIELDS, GROUP_ROLES, Incident
from geo.safetext import clean_text, safe_url

__all__ = ["BadFile", "check_row", "RowError", "ImportResult", "Records", "open_records", "open_upload", "read_csv", "read_bytes",
           "parse_text", "parse_geojson", "detect_format", "FORMATS", "FILE_FORMATS", "MAX_UPLOAD_BYTES",
           "MAX_CELL_CHARS", "MAX_MESSAGES"]

# Uploads through the app only (the server's ``maxUploadSize`` says the same); a file
# imported from disk (``python -m geo import``) has no size limit.
MAX_UPLOAD_BYTES = settings.MAX_UPLOAD_MB * 2**20
# One cell longer than this is a broken file (an unclosed quote swallowing rows, a pasted
# page), not a record: the row is rejected rather than stored and shown in every popup.
MAX_CELL_CHARS = 20_000
# Longer than this, a cell (or a line) is not CSV at all: the file is refused.
_FIELD_LIMIT = 20 * 2**20
csv.field_size_limit(_FIELD_LIMIT)
# Row messages (and warnings) kept in memory; the rest are counted.
MAX_MESSAGES = 1000
_CHUNK = 2**18  # bytes read at a time



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
# Values repeat a lot in a large file (dates, counts, precisions, countries): the pure
# parts are cached, so a million rows parse each distinct value once.

_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%b-%y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y")


_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?")


@lru_cache(maxsize=8192)
def _parse_date(value: str) -> date | None:
    """``value`` as a date: ISO (``2024-08-05``, or ``2024-08-05 00:00:00.000`` as UCDP
    writes it), ACLED's ``05 August 2024``, ``5 Aug 2024``, Excel's ``5-Aug-24``, or
    ``05/08/2024`` (day first); ``None`` when it is none of them."""
    iso = _ISO.fullmatch(value)
    if iso is not None:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _date(column: str, value: str, *, required: bool = True) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise _RowProblem(column, "is empty; a date (YYYY-MM-DD) is required")
        return None
    parsed = _parse_date(value)
    if parsed is None:
        raise _RowProblem(column, f"{value[:40]!r} is not a valid date (expected YYYY-MM-DD)")
    return parsed


_WHOLE = re.compile(r"[+-]?([0-9]+)(?:\.0*)?")  # ASCII digits only: "²" or "٣" is not a count here
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


@lru_cache(maxsize=4096)
def _whole(value: str) -> int | str:
    """The whole number ``value`` holds, or why it is not one."""
    whole = _WHOLE.fullmatch(value)
    if whole is None:
        return "is not a whole number"
    if len(whole.group(1)) > 15:
        return "is too large"
    return int(value.split(".")[0])


def _int(column: str, value: str, *, low: int = 0, high: int | None = None) -> int | None:
    value = value.strip()
    if not value:
        return None
    number = _whole(value)
    if isinstance(number, str):
        raise _RowProblem(column, f"{value[:40]!r} {number}")
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




def _stable_id(prefix: str, row: Mapping[str, str]) -> str:
    digest = hashlib.sha1("\x1f".join(f"{k}={row[k]}" for k in sorted(row)).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


def _source_fields(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise _RowProblem("source_fields", f"{value[:40]!r} is not a JSON object")
    return value


# --------------------------------------------------------------- formats

def _native(row: Mapping[str, str], source_fields: str | None = None) -> Incident:
    """A native row checked; ``source_fields`` (already JSON) is given by the source formats."""
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
        source_fields=_source_fields(row.get("source_fields", "")) if source_fields is None else source_fields,
    )


def check_row(row: Mapping[str, str]) -> Incident:
    """A native row (text values by field name) checked as an import checks it; a problem
    raises ``ValueError`` naming the field."""
    try:
        return _native(row)
    except _RowProblem as problem:
        raise ValueError(f"{problem.column}: {problem}") from None


def _native_file(row: Mapping[str, str]) -> Incident:
    """A row of this project's CSV: cells the export protected from spreadsheets get their text back."""
    return _native({k: unneutralise(v) for k, v in row.items()})


class _Renamed(_RowProblem):
    pass


def _as_native(native: dict[str, str], names: Mapping[str, str], source_fields: str) -> Incident:
    """Check a source row mapped onto native columns; a problem names the source's column."""
    try:
        return _native(native, source_fields)
    except _RowProblem as problem:
        raise _RowProblem(names.get(problem.column, problem.column), str(problem)) from None


_QUOTE: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _extras(row: Mapping[str, str], columns: Sequence[str]) -> str:
    """The source's own columns that no field holds, as a JSON object (empty cells left out):
    written by hand, as ``json.dumps`` would with ``ensure_ascii=False``, at half its cost."""
    parts = [f"{_QUOTE(c)}:{_QUOTE(v)}" for c in columns if (v := row[c]) and not v.isspace()]
    return "{" + ",".join(parts) + "}" if parts else ""


# ACLED, both layouts: source column -> native column (docs/IMPORT.md)
_ACLED_MAP = {"event_id_cnty": "event_id", "event_date": "event_date", "time_precision": "time_precision",
              "actor1": "group", "actor2": "target", "event_type": "event_type", "sub_event_type": "sub_event_type",
              "location": "location", "latitude": "latitude", "longitude": "longitude",
              "geo_precision": "geo_precision", "admin1": "admin1", "fatalities": "killed", "notes": "notes",
              "source": "source"}
_ACLED_NAMES = {v: k for k, v in _ACLED_MAP.items()}
# held by another field: year (event_date), iso and country (country_code, when it is found)
_ACLED_DERIVED = {"year", "iso", "country"}


def _acled(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    native = {dst: row.get(src, "") for src, dst in _ACLED_MAP.items()}
    code = countries.code_of_numeric(row.get("iso", "")) or countries.code_of_name(row.get("country", ""))
    native["country_code"] = code
    kept = _extras(row, extra if code or not row.get("country", "").strip() else [*extra, "country"])
    return _as_native(native, _ACLED_NAMES, kept)


# UCDP GED: where_prec (1 exact … 7 international waters) -> geo_precision (1 place … 4 country)
_UCDP_WHERE = {"1": "1", "2": "2", "3": "3", "4": "3", "5": "4", "6": "4", "7": "4"}
# date_prec (1 day, 2 2–6 days, 3 week, 4 month, 5 year) -> time_precision (1 day, 2 week, 3 month or wider)
_UCDP_WHEN = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}
_UCDP_TYPE = {"1": "Battles", "2": "Battles", "3": "Violence against civilians"}
_UCDP_NAMES = {"event_id": "id", "event_date": "date_start", "time_precision": "date_prec", "group": "side_a",
               "target": "side_b", "location": "where_coordinates", "latitude": "latitude",
               "longitude": "longitude", "geo_precision": "where_prec", "admin1": "adm_1", "killed": "best",
               "notes": "source_headline", "source": "source_article"}
# held by a field: the mapped columns, year (date_start), geom_wkt (latitude, longitude)
_UCDP_HELD = {*_UCDP_NAMES.values(), "year", "geom_wkt", "country"}


def _ucdp(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    ident = row.get("id", "").strip()
    where, when = row.get("where_prec", "").strip(), row.get("date_prec", "").strip()
    native = {
        "event_id": f"UCDP-{ident}" if ident else "", "event_date": row.get("date_start", ""),
        "time_precision": _UCDP_WHEN.get(when, when), "group": row.get("side_a", ""), "target": row.get("side_b", ""),
        "event_type": _UCDP_TYPE.get(row.get("type_of_violence", "").strip(), ""),
        "location": row.get("where_coordinates", "").strip() or row.get("adm_2", ""),
        "latitude": row.get("latitude", ""), "longitude": row.get("longitude", ""),
        "geo_precision": _UCDP_WHERE.get(where, where), "country_code": countries.code_of_name(row.get("country", "")),
        "admin1": row.get("adm_1", ""), "killed": row.get("best", ""), "notes": row.get("source_headline", ""),
        "source": row.get("source_article", ""),
    }
    kept = _extras(row, extra if native["country_code"] or not row.get("country", "").strip() else [*extra, "country"])
    return _as_native(native, _UCDP_NAMES, kept)


@dataclass(frozen=True, slots=True)
class _Format:
    label: str
    required: tuple[str, ...]
    known: tuple[str, ...]  # native: every other column is ignored with a warning
    held: frozenset[str]  # source formats: the columns a field holds; the rest go to source_fields
    convert: Callable[[Mapping[str, str], Sequence[str]], Incident]


def _native_row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    return _native_file(row)


def _geojson_row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    return _native(row)


FORMATS: dict[str, _Format] = {
    "native": _Format("this project's CSV", ("event_date", "group", "location"), FIELDS, frozenset(), _native_row),
    "acled": _Format("ACLED", ("event_id_cnty", "event_date", "actor1", "location", "latitude", "longitude"), (),
                     frozenset({*_ACLED_MAP, *_ACLED_DERIVED}), _acled),
    "ucdp": _Format("UCDP GED", ("id", "date_start", "side_a", "latitude", "longitude"), (), frozenset(_UCDP_HELD), _ucdp),
}
# The GeoJSON reader turns features into native rows; JSON needs no spreadsheet protection.
_GEOJSON = _Format("this project's GeoJSON", ("event_date", "group"), FIELDS, frozenset(), _geojson_row)
# What ``import`` reads: the CSV formats and this project's GeoJSON export; "auto" finds it.
FILE_FORMATS = ("auto", "native", "geojson", *sorted(set(FORMATS) - {"native"}))


def detect_format(columns: Iterable[str]) -> str | None:
    """The CSV format a header belongs to (lower-case column names), or ``None``."""
    present = set(columns)
    if "event_id_cnty" in present or {"actor1", "fatalities"} <= present:
        return "acled"
    if "where_prec" in present or {"side_a", "date_start"} <= present or {"dyad_name", "best"} <= present:
        return "ucdp"
    if present & {"event_date", "group", "group_role", "event_id"}:
        return "native"
    return None


def _expected_formats() -> str:
    return "; ".join(f"{spec.label}: {', '.join(spec.required)}" for spec in FORMATS.values())


# --------------------------------------------------------------- decoding

def _decoded_lines(stream: IO[bytes], file: str, *, first: bytes, limit: int | None,
                   counter: _Counter) -> Iterator[str]:
    """The lines of a binary stream (``first`` is its first chunk, already read), decoded as
    UTF-8, UTF-8 with a BOM or UTF-16 with a BOM, one chunk at a time. A line keeps its end
    (``\\n``, ``\\r\\n`` or ``\\r``), as ``csv`` wants."""
    utf16 = first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text"
    decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8-sig")()
    newlines = 0  # b"\n" in the bytes before this chunk (the row of a bad byte)
    carry = ""
    raw = first
    while True:
        final = not raw
        held = len(decoder.getstate()[0])
        try:
            text = decoder.decode(raw, final)
        except UnicodeDecodeError as error:
            if utf16:
                raise BadFile(f"{file}: starts as UTF-16 text but is not valid UTF-16; save the file as UTF-8 "
                              "and import again") from None
            at = max(error.start - held, 0)
            line = newlines + raw[:at].count(b"\n") + 1
            raise BadFile(f"{file}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at row {line}); "
                          "save the file as UTF-8 and import again") from None
        if not utf16:
            newlines += raw.count(b"\n")
        buf = carry + text if carry else text
        if final:
            if buf:
                yield from io.StringIO(buf, newline="")
            return
        cut = buf.rfind("\n")
        if cut < 0:
            cut = buf.rfind("\r", 0, len(buf) - 1)  # old Mac line ends; a final "\r" may be half of "\r\n"
        if cut >= 0:
            yield from io.StringIO(buf[:cut + 1], newline="")
            carry = buf[cut + 1:]
        else:
            carry = buf
        if len(carry) > _FIELD_LIMIT:
            raise BadFile(f"{file}, row {newlines + 1}: a line longer than {_FIELD_LIMIT // 2**20} MB; "
                          "this is not a CSV file of records")
        raw = stream.read(_CHUNK)
        counter.add(len(raw), file, limit)


@dataclass
class _Counter:
    """Bytes read so far, reported to ``progress``; an upload over ``limit`` is refused."""

    total: int = 0
    done: int = 0
    progress: Progress | None = None

    def add(self, count: int, file: str, limit: int | None) -> None:
        self.done += count
        if limit is not None and self.done > limit:
            raise BadFile(_too_big(file, self.done, limit))
        if self.progress is not None and count:
            self.progress("reading", self.done, max(self.total, self.done))


def _too_big(file: str, size: int, limit: int) -> str:
    return (f"{file}: {size / 1e6:.1f} MB is over the {limit // 2**20} MB upload limit; import a larger file "
            "with python -m geo import FILE")


# --------------------------------------------------------------- the reader

class Records:
    """Incidents read lazily from one file; iterate once. Row problems are collected in
    :attr:`errors` (the first :data:`MAX_MESSAGES`) and counted in :attr:`error_count`;
    :attr:`warnings` and :attr:`warning_count` likewise. ``BadFile`` may still be raised
    while iterating (a bad byte or an unreadable line further down the file)."""

    def __init__(self, file: str, fmt: str, incidents: Iterable[Incident] = ()) -> None:
        self.file = file
        self.fmt = fmt
        self.errors: list[RowError] = []
        self.error_count = 0
        self.warnings: list[str] = []
        self.warning_count = 0
        self._incidents: Iterator[Incident] = iter(incidents)

    def __iter__(self) -> Iterator[Incident]:
        return self

    def __next__(self) -> Incident:
        return next(self._incidents)

    def error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(error)

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(message)

    def error_lines(self) -> list[str]:
        """The kept row messages, and "… and N more" when some were only counted."""
        more = self.error_count - len(self.errors)
        return [str(e) for e in self.errors] + ([f"… and {more:,} more rejected rows"] if more else [])

    def warning_lines(self) -> list[str]:
        more = self.warning_count - len(self.warnings)
        return list(self.warnings) + ([f"… and {more:,} more warnings"] if more else [])

    def result(self) -> ImportResult:
        """Everything, as lists (a small file)."""
        incidents = list(self)
        return ImportResult(incidents, list(self.errors), list(self.warnings))

    @classmethod
    def of(cls, result: ImportResult, file: str = "", fmt: str = "native") -> Records:
        records = cls(file, fmt, result.incidents)
        for error in result.errors:
            records.error(error)
        for warning in result.warnings:
            records.warn(warning)
        return records


_NEEDS_CLEAN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _is_hxl(cells: Sequence[str]) -> bool:
    """An HXL hashtag row (HDX files put one under the header: ``#event+id``, ``#date``, …)."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


def _csv_records(lines: Iterator[str], file: str, fmt: str, *, max_columns: int | None = None,
                 spec: _Format | None = None) -> Records:
    """Check the header (``BadFile`` now), then a :class:`Records` over the rows."""
    first = next(lines, "")
    if not first.strip():
        if all(not line.strip() for line in lines):
            raise BadFile(f"{file}: the file is empty")
    delimiter = _delimiter(first, file)
    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter)
    try:
        columns = [c.strip() for c in next(reader, [])]
    except csv.Error as error:
        raise BadFile(f"{file}, row 1: the header cannot be read as CSV ({error})") from None
    limit = settings.max_csv_columns() if max_columns is None else max_columns
    if len(columns) > limit:
        raise BadFile(f"{file}, row 1: the header has {len(columns):,} columns; at most {limit:,} are accepted "
                      f"(setting max_csv_columns, or INCIDENT_MAP_MAX_CSV_COLUMNS)")
    repeated = sorted(c for c, n in Counter(columns).items() if c and n > 1)
    if repeated:
        raise BadFile(f"{file}, row 1: column{'s' if len(repeated) > 1 else ''} {', '.join(repeated[:5])} "
                      f"appear{'' if len(repeated) > 1 else 's'} more than once in the header")
    if spec is None:
        if fmt == "auto":
            found = detect_format(c.lower() for c in columns)
            if found is None:
                raise BadFile(f"{file}, row 1: the columns match no format this importer reads; it expects "
                              f"{_expected_formats()} (found: {', '.join(columns[:12]) or 'none'})")
            fmt = found
        spec = FORMATS[fmt]
        keys = [c.lower() for c in columns] if fmt != "native" else columns
    else:
        keys = columns
    present = set(keys)
    missing = [c for c in spec.required if c not in present]
    if missing:
        raise BadFile(f"{file}, row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                      f"(found: {', '.join(columns[:12]) or 'none'})")
    records = Records(file, fmt)
    known = set(spec.known)
    unknown = [c for c in columns if known and c not in known]
    if unknown:
        records.warn(f"{file}: ignored unknown column(s) {', '.join(unknown[:10])}")
    extra = [k for k in keys if k and spec.held and k not in spec.held]
    records._incidents = _rows(reader, records, keys, spec, extra)
    return records


class _SeenIds:
    """The event ids of one file, for "repeats row N": an open-addressing table of 64-bit
    hashes and first rows in two arrays, 32 bytes an id at most (a dict of the ids takes
    ~130). Two ids of one file sharing a 64-bit hash is a one-in-10^7 chance at 1M rows."""

    def __init__(self) -> None:
        self._keys = array("q", bytes(8 * 1024))
        self._rows = array("q", bytes(8 * 1024))
        self._used = 0

    def first(self, event_id: str, row: int) -> int | None:
        """The row ``event_id`` was first seen on; else remember it on ``row`` and ``None``."""
        key = hash(event_id) or 1  # 0 marks an empty slot
        keys = self._keys
        mask = len(keys) - 1
        slot = key & mask
        while (found := keys[slot]) != 0:
            if found == key:
                return self._rows[slot]
            slot = (slot + 1) & mask
        keys[slot] = key
        self._rows[slot] = row
        self._used += 1
        if self._used * 2 > len(keys):
            self._grow()
        return None

    def _grow(self) -> None:
        old = zip(self._keys, self._rows)
        size = 2 * len(self._keys)
        self._keys, self._rows, mask = array("q", bytes(8 * size)), array("q", bytes(8 * size)), size - 1
        keys, rows = self._keys, self._rows
        for key, row in old:
            if key:
                slot = key & mask
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot], rows[slot] = key, row


def _rows(reader: Any, records: Records, keys: list[str], spec: _Format,
          extra: list[str]) -> Iterator[Incident]:
    file, width, convert = records.file, len(keys), spec.convert
    notes = keys.index("notes") if "notes" in keys else -1
    seen = _SeenIds()
    line = reader.line_num  # the header's last line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadFile(f"{file}, row {line + 1}: not readable as CSV ({error})") from None
        number, line = line + 1, reader.line_num
        count = len(cells)
        if not count:
            continue
        if count > width:
            records.error(RowError(file, number, "(row)", f"has {count} cells; the header has {width}"))
            continue
        joined = "".join(cells)
        if not joined.isprintable() and _NEEDS_CLEAN.search(joined):  # rare: a line break in a note, a control
            cells = [v if v.isprintable() else clean_text(v, multiline=k == notes) for k, v in enumerate(cells)]
            joined = "".join(cells)
        if not joined.strip():
            continue
        if number == 2 and _is_hxl(cells):
            continue
        if count < width:
            records.error(RowError(file, number, "(row)", f"has {count} cell{'s' if count != 1 else ''}; "
                                   f"the header has {width}"))
            continue
        if len(joined) > MAX_CELL_CHARS:
            long = next((k for k, v in enumerate(cells) if len(v) > MAX_CELL_CHARS), None)
            if long is not None:
                records.error(RowError(file, number, keys[long], f"is {len(cells[long]):,} characters long "
                                       f"(at most {MAX_CELL_CHARS:,})"))
                continue
        try:
            incident = convert(dict(zip(keys, cells)), extra)
        except _RowProblem as problem:
            records.error(RowError(file, number, problem.column, str(problem)))
            continue
        first = seen.first(incident.event_id, number)
        if first is not None:
            records.error(RowError(file, number, "event_id", f"{incident.event_id!r} repeats row {first}"))
            continue
        if incident.source_url and not safe_url(incident.source_url):
            records.warn(str(RowError(file, number, "source_url", f"{incident.source_url[:40]!r} is not an "
                                      "http(s) link; the link was left out")))
            incident = incident.replace(source_url="")
        yield incident


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


def _check_format(fmt: str) -> None:
    if fmt not in FILE_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FILE_FORMATS)})")


def _is_json(first: bytes) -> bool:
    head = first.lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith(b"{")


def open_upload(stream: IO[bytes], name: str, fmt: str = "auto", *, max_columns: int | None = None,
                progress: Progress | None = None, size: int | None = None,
                limit: int | None = MAX_UPLOAD_BYTES) -> Records:
    """Records from a binary stream (an upload: ``name`` is used in messages only, never as
    a path). ``size`` (when known) is the total for ``progress``; a stream longer than
    ``limit`` bytes is refused (``None``: no limit). The header is checked now."""
    _check_format(fmt)
    if size is not None and limit is not None and size > limit:
        raise BadFile(_too_big(name, size, limit))
    counter = _Counter(size or 0, 0, progress)
    first = stream.read(_CHUNK)
    counter.add(len(first), name, limit)
    if fmt == "geojson" or (fmt == "auto" and (name.lower().endswith((".geojson", ".json")) or _is_json(first))):
        raw = first + stream.read() if first else b""
        counter.add(len(raw) - len(first), name, limit)
        text = "".join(_decoded_lines(io.BytesIO(), name, first=raw, limit=None, counter=_Counter()))
        return Records.of(parse_geojson(text, name), name, "geojson")
    lines = _decoded_lines(stream, name, first=first, limit=limit, counter=counter)
    return _csv_records(lines, name, fmt, max_columns=max_columns)


def open_records(path: Path | str, fmt: str = "auto", *, name: str | None = None, max_columns: int | None = None,
                 progress: Progress | None = None) -> Records:
    """Records from a file on disk, any size. The file stays open until the records are
    read to the end (or garbage-collected)."""
    path = Path(path)
    label = name or path.name
    stream = open(path, "rb")  # noqa: SIM115 - closed by the generator reading it
    try:
        records = open_upload(stream, label, fmt, max_columns=max_columns, progress=progress,
                              size=path.stat().st_size, limit=None)
    except BaseException:
        stream.close()
        raise
    records._incidents = _closing(records._incidents, stream)
    return records


def _closing(incidents: Iterator[Incident], stream: IO[bytes]) -> Iterator[Incident]:
    with stream:
        yield from incidents


# --------------------------------------------------------------- whole files (small ones)

def parse_text(text: str, file: str, fmt: str = "native", *, max_columns: int | None = None) -> ImportResult:
    """Parse CSV text (or GeoJSON, for ``fmt="geojson"``); ``file`` is the name used in messages."""
    _check_format(fmt)
    if fmt == "geojson" or (fmt == "auto" and text.lstrip().startswith("{")):
        return parse_geojson(text, file)
    return _csv_records(iter(io.StringIO(text, newline="")), file, fmt, max_columns=max_columns).result()


def read_csv(path: Path | str, fmt: str = "native", *, name: str | None = None,
             max_columns: int | None = None) -> ImportResult:
    """Read a whole file from disk into lists (``max_columns`` as in :func:`parse_text`)."""
    return open_records(path, fmt, name=name, max_columns=max_columns).result()


def read_bytes(raw: bytes, name: str, fmt: str = "native", *, max_columns: int | None = None) -> ImportResult:
    """Read an uploaded file held in memory (at most :data:`MAX_UPLOAD_BYTES`)."""
    return open_upload(io.BytesIO(raw), name, fmt, max_columns=max_columns, size=len(raw)).result()


def _geojson_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json.dumps(value, ensure_ascii=False)  # rejected or kept as text by the row checks
    return repr(value)


def _records_as_lines(rows: list[dict[str, str]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in [None, *rows]:
        if row is not None:
            writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


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
    if not rows:
        return ImportResult()
    # one feature is one item for the CSV reader (a note's line break stays inside it), so the
    # rows count features, not lines
    result = _csv_records(_records_as_lines(rows), file, "native", spec=_GEOJSON).result()
    # CSV row n is feature n - 1; the property names are the column names
    prefix = re.compile(rf"^{re.escape(file)}, row (\d+)")
    result.errors = sorted([dataclasses.replace(e, row=e.row - 1, unit="feature") for e in result.errors] + problems,
                           key=lambda e: e.row)
    result.warnings = [prefix.sub(lambda m: f"{file}, feature {int(m.group(1)) - 1}", w) for w in result.warnings]
    return result
