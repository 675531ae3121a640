"""This project's GeoJSON export read back: a FeatureCollection whose features' properties are
the native columns and whose Point is the coordinates.

:func:`features_as_rows` turns the features into native rows; :func:`as_lines` feeds them to the
CSV reader with :data:`FORMAT`, so a feature is checked like a row of the native CSV; and
:func:`numbered_by_feature` makes the messages count features from 1
(:func:`geo.formats.reading.parse_geojson` does the three).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence

from geo.formats.fields import Format
from geo.formats.native import incident
from geo.formats.results import BadFile, ImportResult, RowError
from geo.records import FIELDS, Incident

__all__ = ["FORMAT", "features_as_rows", "as_lines", "numbered_by_feature"]


def _row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    return incident(row)


# The features, as native rows; JSON needs no spreadsheet protection. Not in the registry: a
# GeoJSON file is found by its name or its first byte, not by a header.
FORMAT = Format("this project's GeoJSON", ("event_date", "group"), _row, any_case=False, known=FIELDS)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json.dumps(value, ensure_ascii=False)  # rejected or kept as text by the row checks
    return repr(value)


def features_as_rows(text: str, file: str) -> tuple[list[dict[str, str]], list[RowError]]:
    """One native row per feature (a blank one for a feature that is not one, which keeps the
    numbering), and the problems of those that are not."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BadFile(f"{file}: not JSON ({error})") from None
    except RecursionError:
        raise BadFile(f"{file}: JSON nested too deeply to be GeoJSON") from None
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
        row.update({name: _cell(props.get(name)) for name in FIELDS})
        rows.append(row)
    return rows, problems


def as_lines(rows: list[dict[str, str]]) -> Iterator[str]:
    """The rows as CSV under a native header: one feature is one item for the CSV reader (a
    note's line break stays inside it), so the reader's rows count features, not lines."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in [None, *rows]:
        if row is not None:
            writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def numbered_by_feature(result: ImportResult, file: str, problems: list[RowError]) -> ImportResult:
    """The CSV reader's result with its messages counting features: CSV row n is feature
    n - 1 (the property names are the column names); ``problems`` joined in."""
    prefix = re.compile(rf"^{re.escape(file)}, row (\d+)")
    result.errors = sorted([dataclasses.replace(e, row=e.row - 1, unit="feature") for e in result.errors] + problems,
                           key=lambda e: e.row)
    result.warnings = [prefix.sub(lambda m: f"{file}, feature {int(m.group(1)) - 1}", w) for w in result.warnings]
    return result
