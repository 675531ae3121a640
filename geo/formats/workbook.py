"""A spreadsheet workbook (xlsx) read as the CSV lines of its first sheet, a row at a time, so
the CSV reader checks its header and rows as it checks any file (START distributes GTD as a
workbook). openpyxl reads it in read-only mode, streaming the sheet; with defusedxml installed
(a requirement here) it parses the workbook's XML without entity expansion or external entities.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import IO

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from geo.formats.results import BadFile

__all__ = ["is_workbook", "sheet_lines"]

_ZIP = b"PK\x03\x04"


def is_workbook(first: bytes, name: str) -> bool:
    """An xlsx file (a zip whose name says so; a zip of another kind is not taken for one)."""
    return first.startswith(_ZIP) and name.lower().endswith((".xlsx", ".xlsm"))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def sheet_lines(stream: IO[bytes], name: str) -> Iterator[str]:
    """The first sheet's rows as CSV lines (the header first). ``BadFile`` names a file that is
    not a readable workbook."""
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise BadFile(f"{name}: not a readable xlsx workbook ({type(error).__name__}: {str(error)[:200]})") from None
    try:
        if not book.worksheets:
            raise BadFile(f"{name}: the workbook has no sheet")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in book.worksheets[0].iter_rows(values_only=True):
            writer.writerow([_cell(v) for v in row])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BadFile(f"{name}: the workbook cannot be read further ({type(error).__name__})") from None
    finally:
        book.close()
