"""What reading a file gives: :class:`ImportResult` (incidents, rejected rows, warnings),
:class:`RowError` (one rejected row, by file, row and column) and :class:`BadFile` (the whole
file cannot be read; nothing in it is imported)."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.errors import InvalidInput
from geo.records import Incident

__all__ = ["BadFile", "RowError", "ImportResult"]


class BadFile(InvalidInput):
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
