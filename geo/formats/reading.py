"""Reading a file of incident records, one row at a time.

:func:`open_records` (a path) and :func:`open_upload` (a binary stream) check the header
at once and return a :class:`Records`: an iterator of incidents that reads, decodes
(:mod:`geo.formats.decoding`) and converts the file as it is consumed, so memory stays flat
whatever the file's size. The format is found from the header (``fmt="auto"``, the formats
of :mod:`geo.formats.registry`) or given (``native``, ``acled``, ``ucdp``, ``geojson``); the
column mapping is in ``docs/IMPORT.md``.

A bad row never stops a file: it is reported with file, row and column, and the good
rows go on (:attr:`Records.errors` keeps the first :data:`MAX_MESSAGES`, and
:attr:`Records.error_count` counts them all). A file that cannot be read at all (wrong
encoding, missing columns) raises ``BadFile`` naming the problem: at once for the header,
or while the rows are read, so a caller that saves them in one transaction saves nothing.
"Row N" is the line of the file where the record starts (an HXL hashtag row counts as a
line, as does a line break inside a quoted note).

Every format shares these checks: cells lose their control characters (NUL and the rest;
tabs and newlines stay in notes), a cell is at most :data:`MAX_CELL_CHARS` long, a row has
as many cells as the header, an event id appears once in a file, a ``source_url`` that is
not an http(s) link is left out, and an HDX file's HXL hashtag row is skipped. What a
format checks itself (numbers in ASCII digits, dates, ranges) is in its own file.

:func:`parse_text`, :func:`read_csv`, :func:`read_bytes` and :func:`parse_geojson` read a
whole (small) file into an :class:`ImportResult`, for tests and callers that want a list.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from geo import settings
from geo.errors import InvalidInput
from geo.formats import geojson, workbook
from geo.formats.decoding import CHUNK, LINE_LIMIT, MAX_UPLOAD_BYTES, ByteCounter, decoded_lines, too_big
from geo.formats.fields import Format, RowProblem
from geo.formats.registry import FILE_FORMATS, FORMATS, detect_format, expected_formats
from geo.formats.results import BadFile, ImportResult, RowError
from geo.progress import Progress
from geo.records import Incident
from geo.safetext import clean_text, safe_url

__all__ = ["Records", "open_records", "open_upload", "parse_text", "read_csv", "read_bytes", "parse_geojson", "open_geojson",
           "MAX_CELL_CHARS", "MAX_MESSAGES"]

# One cell longer than this is a broken file (an unclosed quote swallowing rows, a pasted
# page), not a record: the row is rejected rather than stored and shown in every popup.
MAX_CELL_CHARS = 20_000
csv.field_size_limit(LINE_LIMIT)
# Row messages (and warnings) kept in memory; the rest are counted.
MAX_MESSAGES = 1000
# Rows whose stored digests are asked for at once when a re-import skips unchanged rows.
_LOOKUP_BATCH = 2000


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
        self._pending: list[RowError] | None = None
        self.unchanged = 0  # rows found stored as the file gives them, so not converted (skip_unchanged)
        self._known: Callable[[list[str]], Mapping[str, str]] | None = None
        self._seed = b""
        self._digests: dict[str, str] = {}

    def skip_unchanged(self, known: Callable[[list[str]], Mapping[str, str]], seed: bytes) -> None:
        """Before reading: skip rows the store holds just as a conversion of them left them.

        ``known(ids)`` gives, for those of ``ids`` stored, the digest of the raw row they were
        last converted from, when the stored values are still that conversion's (an editor's
        change since voids it). A row whose digest (of its cells, the header, the format and
        ``seed``, which names the conversion's code and data) matches is counted in
        :attr:`unchanged` and never converted: a re-import of a file with 1 % of its rows
        changed converts 1 %. Each converted row's digest is handed on by
        :meth:`take_digests` for the store to keep."""
        self._known, self._seed = known, seed

    def take_digests(self) -> dict[str, str]:
        """The raw-row digests, by event id, of the incidents yielded since the last call (only
        those placed by the file itself: a geocoded row is geocoded again)."""
        taken, self._digests = self._digests, {}
        return taken

    def __iter__(self) -> Iterator[Incident]:
        return self

    def __next__(self) -> Incident:
        try:
            found = next(self._incidents)
        except StopIteration:
            self._drain()
            raise
        self._drain()
        return found

    def error(self, error: RowError) -> None:
        if self._pending is not None:  # a GeoJSON file: CSV row n is feature n - 1; its own problems first
            self._drain()
            if error.unit == "row":
                error = dataclasses.replace(error, row=error.row - 1, unit="feature")
        self._keep(error)

    def _keep(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(error)

    def warn(self, message: str) -> None:
        if self._pending is not None:
            message = re.sub(rf"^{re.escape(self.file)}, row (\d+)", lambda m: f"{self.file}, feature {int(m[1]) - 1}",
                             message)
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(message)

    def count_features(self, problems: list[RowError]) -> None:
        """Messages count features, not CSV rows; ``problems`` (filled while reading: items
        that are not features) are taken in as they come."""
        self._pending = problems

    def _drain(self) -> None:
        """Keep the features' own problems reported so far (in the order they came)."""
        while self._pending:
            self._keep(self._pending.pop(0))

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
                 spec: Format | None = None) -> Records:
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
                              f"{expected_formats()} (found: {', '.join(columns[:12]) or 'none'})")
            fmt = found
        spec = FORMATS[fmt]
    keys = [c.lower() for c in columns] if spec.any_case else columns
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


def _rows(reader: Any, records: Records, keys: list[str], spec: Format,
          extra: list[str]) -> Iterator[Incident]:
    seen = _SeenIds()
    at = keys.index(spec.raw_id[0]) if spec.raw_id and spec.raw_id[0] in keys else -1
    if records._known is None or at < 0:
        for number, raw in _lines(reader, records.file):
            if (cells := _checked(records, keys, number, raw)) is not None and \
                    (incident := _convert(records, number, cells, keys, spec, extra, seen)) is not None:
                yield incident
        return
    prefix, width = spec.raw_id[1] if spec.raw_id else "", len(keys)
    key = hashlib.blake2b(records._seed + "\x1f".join([spec.label, *keys]).encode()).digest()
    rows = _lines(reader, records.file)
    while batch := list(itertools.islice(rows, _LOOKUP_BATCH)):
        # a row's digest is of its cells as read: one that matches passed every check before
        ids = [prefix + ident if len(raw) == width and (ident := raw[at].strip()) else "" for _, raw in batch]
        stored = records._known([ident for ident in ids if ident])
        for (number, raw), ident in zip(batch, ids, strict=True):
            digest = hashlib.blake2b("\x1f".join(raw).encode(), digest_size=8, key=key).hexdigest()
            if ident and stored.get(ident) == digest:  # the same row as stored, converted from it before
                first = seen.first(ident, number)
                if first is not None:
                    records.error(RowError(records.file, number, "event_id", f"{ident!r} repeats row {first}"))
                else:
                    records.unchanged += 1
                continue
            warned = records.warning_count
            if (cells := _checked(records, keys, number, raw)) is None or \
                    (incident := _convert(records, number, cells, keys, spec, extra, seen)) is None:
                continue
            if ident and incident.located and records.warning_count == warned:  # a geocoded place may change
                records._digests[incident.event_id] = digest
            yield incident


def _lines(reader: Any, file: str) -> Iterator[tuple[int, list[str]]]:
    """Each row's line number (where it starts) and cells as read."""
    line = reader.line_num  # the header's last line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadFile(f"{file}, row {line + 1}: not readable as CSV ({error})") from None
        yield line + 1, cells
        line = reader.line_num


def _checked(records: Records, keys: list[str], number: int, cells: list[str]) -> list[str] | None:
    """A row's cells cleaned, past the checks that need no format; ``None`` (reported, or a
    blank line or HDX's hashtag row) when it is not a record."""
    file, width = records.file, len(keys)
    count = len(cells)
    if not count:
        return None
    if count > width:
        records.error(RowError(file, number, "(row)", f"has {count} cells; the header has {width}"))
        return None
    joined = "".join(cells)
    if not joined.isprintable() and _NEEDS_CLEAN.search(joined):  # rare: a line break in a note, a control
        notes = keys.index("notes") if "notes" in keys else -1
        cells = [v if v.isprintable() else clean_text(v, multiline=k == notes) for k, v in enumerate(cells)]
        joined = "".join(cells)
    if not joined.strip():
        return None
    if number == 2 and _is_hxl(cells):
        return None
    if count < width:
        records.error(RowError(file, number, "(row)", f"has {count} cell{'s' if count != 1 else ''}; "
                               f"the header has {width}"))
        return None
    if len(joined) > MAX_CELL_CHARS:
        long = next((k for k, v in enumerate(cells) if len(v) > MAX_CELL_CHARS), None)
        if long is not None:
            records.error(RowError(file, number, keys[long], f"is {len(cells[long]):,} characters long "
                                   f"(at most {MAX_CELL_CHARS:,})"))
            return None
    return cells


def _convert(records: Records, number: int, cells: list[str], keys: list[str], spec: Format, extra: list[str],
             seen: _SeenIds) -> Incident | None:
    """One row as an incident, or ``None`` when it is rejected (and reported)."""
    file = records.file
    try:
        incident = spec.convert(dict(zip(keys, cells)), extra)
    except RowProblem as problem:
        records.error(RowError(file, number, problem.column, str(problem)))
        return None
    first = seen.first(incident.event_id, number)
    if first is not None:
        records.error(RowError(file, number, "event_id", f"{incident.event_id!r} repeats row {first}"))
        return None
    if incident.source_url and not safe_url(incident.source_url):
        records.warn(str(RowError(file, number, "source_url", f"{incident.source_url[:40]!r} is not an "
                                  "http(s) link; the link was left out")))
        incident = incident.replace(source_url="")
    return incident


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


# --------------------------------------------------------------- a file or an upload

def _check_format(fmt: str) -> None:
    if fmt not in FILE_FORMATS:
        raise InvalidInput(f"unknown format {fmt!r} (one of {', '.join(FILE_FORMATS)})")


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
        raise BadFile(too_big(name, size, limit))
    counter = ByteCounter(size or 0, 0, progress)
    first = stream.read(CHUNK)
    counter.add(len(first), name, limit)
    if fmt == "geojson" or (fmt == "auto" and (name.lower().endswith((".geojson", ".json")) or _is_json(first))):
        raw = first + stream.read() if first else b""
        counter.add(len(raw) - len(first), name, limit)
        text = "".join(decoded_lines(io.BytesIO(), name, first=raw, limit=None, counter=ByteCounter()))
        records = open_geojson(text, name)
        records.fmt = "geojson"
        return records
    if workbook.is_workbook(first, name):
        if limit is not None and size is None:  # an upload of unknown length: read within the limit
            rest = stream.read(limit + 1 - len(first))
            counter.add(len(rest), name, limit)
            stream = io.BytesIO(first + rest)
        else:
            stream.seek(0)
        records = _csv_records(workbook.sheet_lines(stream, name), name, fmt, max_columns=max_columns)
        return records
    lines = decoded_lines(stream, name, first=first, limit=limit, counter=counter)
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


def open_geojson(text: str, file: str) -> Records:
    """A FeatureCollection of incidents, as ``python -m geo export --format geojson`` writes
    it: each feature's properties are the native columns and its Point the coordinates. A
    feature is checked like a row of the native CSV; messages count features from 1. Read
    lazily, one feature at a time (:func:`geo.formats.geojson.features`)."""
    problems: list[RowError] = []  # the items that are not features, reported as the rows reach the reader
    items = geojson.features(text, file)
    first = list(itertools.islice(items, 1))  # a file that is not JSON, or opens as no FeatureCollection, is refused now
    rows = geojson.features_as_rows(itertools.chain(first, items), file, problems.append)
    records = _csv_records(geojson.as_lines(rows), file, "native", spec=geojson.FORMAT)
    records.count_features(problems)
    return records


def parse_geojson(text: str, file: str) -> ImportResult:
    """:func:`open_geojson`, read whole (a small file)."""
    return open_geojson(text, file).result()
