"""This project's GeoJSON export read back: a FeatureCollection whose features' properties are
the native columns and whose Point is the coordinates.

:func:`features` decodes the features one at a time, :func:`features_as_rows` turns them into
native rows, and :func:`as_lines` feeds those to the CSV reader with :data:`FORMAT`, so a feature
is checked like a row of the native CSV (:func:`geo.formats.reading.open_geojson` joins the
three, lazily, its messages counting features from 1).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from geo.formats.fields import Format
from geo.formats.native import incident
from geo.formats.results import BadFile, RowError
from geo.records import FIELDS, Incident

__all__ = ["FORMAT", "features", "features_as_rows", "as_lines"]


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


_SPACE = re.compile(r"[ \t\n\r]*")


def features(text: str, file: str) -> Iterator[object]:
    """The items of a FeatureCollection's ``features``, decoded one at a time.

    A file of many small features would take hundreds of bytes of Python objects per byte if
    decoded whole; here only one feature is alive at a time (the text itself is bounded by
    the upload limit). The top level must be an object with ``"type": "FeatureCollection"``
    and a ``features`` array, in any order; ``BadFile`` otherwise (raised when it is known,
    which for a ``type`` written after the features is at the end)."""
    decoder = json.JSONDecoder()

    def skip(pos: int) -> int:
        match = _SPACE.match(text, pos)
        return match.end() if match else pos

    def value(pos: int) -> tuple[object, int]:
        try:
            return decoder.raw_decode(text, pos)
        except ValueError as error:
            raise BadFile(f"{file}: not JSON ({error})") from None
        except RecursionError:
            raise BadFile(f"{file}: JSON nested too deeply to be GeoJSON") from None

    def expect(pos: int, what: str) -> int:
        if not text.startswith(what, pos):
            found = text[pos:pos + 20] or "the end"
            raise BadFile(f"{file}: not JSON (expected {what!r} at character {pos:,}, found {found!r})")
        return skip(pos + len(what))

    kind: object = None
    listed = False
    pos = expect(skip(0), "{")
    while not text.startswith("}", pos):
        key, pos = value(pos)
        pos = expect(skip(pos), ":")
        if key == "features" and text.startswith("[", pos):
            listed = True
            pos = skip(pos + 1)
            while not text.startswith("]", pos):
                item, pos = value(pos)
                yield item
                pos = skip(pos)
                if not text.startswith("]", pos):
                    pos = expect(pos, ",")
                    if text.startswith("]", pos):
                        raise BadFile(f"{file}: not JSON (a comma before ']' at character {pos:,})")
            pos = skip(pos + 1)
        else:
            found, pos = value(pos)
            if key == "type":
                kind = found
        pos = skip(pos)
        if not text.startswith("}", pos):
            pos = expect(pos, ",")
            if text.startswith("}", pos):
                raise BadFile(f"{file}: not JSON (a comma before '}}' at character {pos:,})")
    if skip(pos + 1) != len(text):
        raise BadFile(f"{file}: not JSON (data after the top-level object, at character {skip(pos + 1):,})")
    if kind != "FeatureCollection" or not listed:
        raise BadFile(f"{file}: not a GeoJSON FeatureCollection")


def features_as_rows(items: Iterable[object], file: str, problem: Callable[[RowError], None]) -> Iterator[dict[str, str]]:
    """One native row per feature (a blank one for an item that is not a feature, which keeps
    the numbering; its problem goes to ``problem``, counted in features)."""
    for number, feature in enumerate(items, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        row = dict.fromkeys(FIELDS, "")
        if not isinstance(props, dict):
            problem(RowError(file, number, "(row)", "is not a GeoJSON feature with properties", "feature"))
            yield row  # a blank row is skipped, and keeps the numbering
            continue
        if geometry is not None:
            coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
            if not (isinstance(coords, list) and len(coords) >= 2):
                problem(RowError(file, number, "geometry", "must be a Point or null", "feature"))
                yield row
                continue
            props = {**props, "longitude": coords[0], "latitude": coords[1]}
        row.update({name: _cell(props.get(name)) for name in FIELDS})
        yield row


def as_lines(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """The rows as CSV under a native header: one feature is one item for the CSV reader (a
    note's line break stays inside it), so the reader's rows count features, not lines."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in itertools.chain([None], rows):
        if row is not None:
            writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
