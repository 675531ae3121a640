"""Write incidents out as CSV or GeoJSON.

CSV cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with an apostrophe: the text is untrusted. A cell that
already starts with an apostrophe gets one more, so :func:`unneutralise` (applied when this
project's CSV is imported) gives back exactly the stored text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from geo.records import FIELDS, Incident

__all__ = ["to_csv", "to_geojson", "neutralise", "unneutralise"]

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


def to_csv(incidents: Sequence[Incident]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for incident in incidents:
        writer.writerow({k: "" if v is None else neutralise(v) for k, v in incident.to_row().items()})
    return out.getvalue()


def to_geojson(incidents: Sequence[Incident]) -> str:
    """A FeatureCollection of the located incidents (unlocated ones have no geometry to give)."""
    features = []
    for incident in incidents:
        if not incident.located:
            continue
        props = {k: v for k, v in incident.to_row().items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [incident.longitude, incident.latitude]}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)
