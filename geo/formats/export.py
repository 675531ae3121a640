"""Write incidents out as CSV or GeoJSON.

CSV cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with an apostrophe: the text is untrusted. A cell that
already starts with an apostrophe gets one more, so :func:`unneutralise` (applied when this
project's CSV is imported) gives back exactly the stored text. Every text cell is quoted as
well: a spreadsheet set to split on semicolons would otherwise cut ``a;=cmd`` into a second
cell that starts a formula.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO, cast

from geo.records import FIELDS, Incident

__all__ = ["to_csv", "to_geojson", "write_csv", "write_geojson", "spooled", "neutralise", "unneutralise"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = (*_FORMULA_START, "'")


def neutralise(value: Any) -> Any:
    """Text that cannot start a spreadsheet formula; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_QUOTED):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The text :func:`neutralise` was given (for a cell of this project's CSV)."""
    if value.startswith("'") and value[1:].startswith(_QUOTED):
        return value[1:]
    return value


def write_csv(incidents: Iterable[Incident], out: TextIO) -> int:
    """Write a header and one row per incident to ``out`` as they come (an export of a
    million rows never holds them all); return how many rows were written."""
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)  # numbers bare, text quoted
    writer.writerow(FIELDS)
    n = 0
    for incident in incidents:
        writer.writerow(["" if v is None else neutralise(v) for v in incident.to_row().values()])
        n += 1
    return n


def write_geojson(incidents: Iterable[Incident], out: TextIO) -> int:
    """A FeatureCollection of the located incidents (unlocated ones have no geometry to
    give), written feature by feature; return how many features were written."""
    out.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for incident in incidents:
        if not incident.located:
            continue
        props = {k: v for k, v in incident.to_row().items() if k not in ("latitude", "longitude")}
        feature = {"type": "Feature", "properties": props,
                   "geometry": {"type": "Point", "coordinates": [incident.longitude, incident.latitude]}}
        out.write(("\n" if n == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n


def spooled(incidents: Iterable[Incident], fmt: str) -> BinaryIO:
    """The incidents as a UTF-8 file (``fmt`` "csv" or "geojson") written as they come into
    a temporary file that moves to disk past 8 MB, rewound for reading: a download of a
    million rows holds neither the rows nor the text in memory while it is made.

    The CSV starts with a byte order mark: without it Excel reads UTF-8 as the system's
    code page and shows "NabatÃ®yÃ©" for "Nabatîyé" (the importer skips the mark)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 - the caller reads and closes it
    text = io.TextIOWrapper(spool, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="",
                            write_through=True)
    (write_csv if fmt == "csv" else write_geojson)(incidents, text)
    text.flush()
    text.detach()  # leave the binary file open for the caller
    spool.seek(0)
    return cast(BinaryIO, spool)


def to_csv(incidents: Iterable[Incident]) -> str:
    out = io.StringIO()
    write_csv(incidents, out)
    return out.getvalue()


def to_geojson(incidents: Iterable[Incident]) -> str:
    out = io.StringIO()
    write_geojson(incidents, out)
    return out.getvalue()
