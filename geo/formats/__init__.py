"""Incident files in and out: reading CSV (this project's, ACLED, UCDP GED, HDX copies of
them) and this project's GeoJSON into :class:`~geo.records.Incident` records, with row-level
checks, one row at a time; and writing CSV and GeoJSON exports. Pure: no store, no geocoding.

The modules, from the bottom up:

- ``results``: :class:`BadFile`, :class:`RowError`, :class:`ImportResult`;
- ``fields``: the cell parsers, the row problem and the :class:`~geo.formats.fields.Format`
  a format file declares;
- ``native``, ``acled``, ``ucdp``: one file per CSV format (its column mapping and row →
  Incident function); ``geojson``: this project's GeoJSON read as native rows;
- ``registry``: the CSV formats in one place (:data:`FORMATS`), :func:`detect_format`;
- ``decoding``: bytes to lines (UTF-8, UTF-16), byte counts and the upload limit;
- ``reading``: the streaming :class:`Records` reader, :func:`open_records`,
  :func:`open_upload` and the whole-file helpers;
- ``export``: CSV and GeoJSON out.

A new import format is one file plus its line in ``registry.FORMATS``
(``docs/IMPORT.md``, "Adding a format").
"""

from geo.formats.decoding import MAX_UPLOAD_BYTES
from geo.formats.export import spooled, to_csv, to_geojson, write_csv, write_geojson
from geo.formats.fields import Format
from geo.formats.native import check_row
from geo.formats.reading import (
    MAX_CELL_CHARS,
    Records,
    open_records,
    open_upload,
    parse_geojson,
    parse_text,
    read_bytes,
    read_csv,
)
from geo.formats.registry import FILE_FORMATS, FORMATS, detect_format
from geo.formats.results import BadFile, ImportResult, RowError

__all__ = [
    "BadFile", "RowError", "ImportResult", "Records", "open_records", "open_upload", "parse_text", "read_csv",
    "read_bytes", "parse_geojson", "detect_format", "Format", "FORMATS", "FILE_FORMATS", "check_row",
    "MAX_UPLOAD_BYTES", "MAX_CELL_CHARS", "write_csv", "write_geojson", "to_csv", "to_geojson", "spooled",
]
