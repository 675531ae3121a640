"""What a format file is built from: the :class:`Format` it declares, the cell parsers its
row → :class:`~geo.records.Incident` function uses, and :class:`RowProblem`, which that
function raises to reject one row (the reader reports it with file, row and column and
goes on with the next row).

Values repeat a lot in a large file (dates, counts, precisions, countries): the pure parts
are cached, so a million rows parse each distinct value once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from geo.errors import InvalidInput
from geo.records import Incident

__all__ = ["Format", "RowProblem", "parse_date", "date_cell", "whole_cell", "coordinate_cell", "fraction_cell", "stable_id",
           "source_fields_cell", "extras"]


class RowProblem(InvalidInput):
    """One row cannot be read: ``column`` names the cell, the message says why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True, slots=True)
class Format:
    """A CSV format: what one format file declares, and its entry in
    :data:`geo.formats.registry.FORMATS`."""

    label: str  # in messages: "ACLED"
    required: tuple[str, ...]  # columns the header must have
    # (row by column name, the columns for source_fields) -> Incident; raises RowProblem for a bad row
    convert: Callable[[Mapping[str, str], Sequence[str]], Incident]
    # does a header (its lower-case column names) belong to this format? (``fmt="auto"``)
    detect: Callable[[set[str]], bool] = lambda _columns: False
    detect_last: bool = False  # tried after the others: its test is loose (native: any file with event_date)
    any_case: bool = True  # column names matched in any case (EVENT_ID_CNTY); native names are exact
    known: tuple[str, ...] = ()  # native: every other column is ignored with a warning
    held: frozenset[str] = frozenset()  # source formats: the columns a field holds; the rest go to source_fields
    # (column, prefix): a row's event id is its cell in ``column`` after ``prefix``, when the cell
    # is not empty; lets a re-import find the stored row before converting this one
    raw_id: tuple[str, str] | None = None


# --------------------------------------------------------------- cell parsers

_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%b-%y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y")


_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?")


@lru_cache(maxsize=8192)
def parse_date(value: str) -> date | None:
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


def date_cell(column: str, value: str, *, required: bool = True) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise RowProblem(column, "is empty; a date (YYYY-MM-DD) is required")
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise RowProblem(column, f"{value[:40]!r} is not a valid date (expected YYYY-MM-DD)")
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


def whole_cell(column: str, value: str, *, low: int = 0, high: int | None = None) -> int | None:
    value = value.strip()
    if not value:
        return None
    number = _whole(value)
    if isinstance(number, str):
        raise RowProblem(column, f"{value[:40]!r} {number}")
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise RowProblem(column, f"{number} is out of range (must be {bound})")
    return number


def coordinate_cell(column: str, value: str, limit: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    if not _DECIMAL.fullmatch(value):  # float() would take "nan", "1_0" or other scripts' digits
        raise RowProblem(column, f"{value[:40]!r} is not a number")
    number = float(value)
    if not -limit <= number <= limit:
        raise RowProblem(column, f"{value[:40]} is out of range (-{limit:g} to {limit:g})")
    return number


def fraction_cell(column: str, value: str) -> float | None:
    """A share from 0 to 1 (a confidence), or ``None`` when empty."""
    number = coordinate_cell(column, value, 1)
    if number is not None and number < 0:
        raise RowProblem(column, f"{value.strip()[:40]} is out of range (0 to 1)")
    return number


def stable_id(prefix: str, row: Mapping[str, str]) -> str:
    digest = hashlib.sha1("\x1f".join(f"{k}={row[k]}" for k in sorted(row)).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


# --------------------------------------------------------------- source_fields

def source_fields_cell(value: str) -> str:
    """A native ``source_fields`` cell: empty, or a JSON object (kept as written)."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested past what a reader can follow
        parsed = None
    if not isinstance(parsed, dict):
        raise RowProblem("source_fields", f"{value[:40]!r} is not a JSON object")
    return value


_QUOTE: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


def extras(row: Mapping[str, str], columns: Sequence[str]) -> str:
    """The source's own columns that no field holds, as a JSON object (empty cells left out):
    written by hand, as ``json.dumps`` would with ``ensure_ascii=False``, at half its cost."""
    parts = [f"{_QUOTE(c)}:{_QUOTE(v)}" for c in columns if (v := row[c]) and not v.isspace()]
    return "{" + ",".join(parts) + "}" if parts else ""
