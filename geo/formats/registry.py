"""The CSV formats this importer reads, in one place: a new format is one file (its column
mapping, its row → Incident function and its :class:`~geo.formats.fields.Format`) plus its line
in :data:`FORMATS` (``docs/IMPORT.md``, "Adding a format")."""

from __future__ import annotations

from collections.abc import Iterable

from geo.formats import acled, gtd, native, ucdp
from geo.formats.fields import Format

__all__ = ["FORMATS", "FILE_FORMATS", "detect_format", "expected_formats"]

# name (``--format NAME``) -> format; ``fmt="auto"`` tries them in this order (a format marked
# ``detect_last`` after the others)
FORMATS: dict[str, Format] = {
    "native": native.FORMAT,
    "acled": acled.FORMAT,
    "ucdp": ucdp.FORMAT,
    "gtd": gtd.FORMAT,
}
# What ``import`` reads: the CSV formats and this project's GeoJSON export; "auto" finds it.
FILE_FORMATS = ("auto", "native", "geojson", *sorted(set(FORMATS) - {"native"}))


def detect_format(columns: Iterable[str]) -> str | None:
    """The CSV format a header belongs to (lower-case column names), or ``None``."""
    present = set(columns)
    ordered = sorted(FORMATS.items(), key=lambda item: item[1].detect_last)  # stable: registry order otherwise
    return next((name for name, spec in ordered if spec.detect(present)), None)


def expected_formats() -> str:
    """Each format's required columns, for a header that matches none."""
    return "; ".join(f"{spec.label}: {', '.join(spec.required)}" for spec in FORMATS.values())
