"""The incident layer: incidents (or grid cells of them) drawn over :mod:`geo.map.basemap`,
their colours, the rows behind the popups, and the legend.

Incidents travel to the browser as one packed JSON object, not one folium object each, and
``static/js/incident-layer.js`` builds clustered markers from it (docs/DESIGN.md, "The map");
this module passes data only. Popups are DOM nodes filled with ``textContent``, so text from
articles is never parsed as HTML or JavaScript: a ``<script>``, ``<img onerror>`` or ``${…}``
in a note shows as text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

import folium
from jinja2 import Template

from geo.map.basemap import ASSETS, DataElement, script_json, static_asset
from geo.records import Incident
from geo.safetext import safe_url
from geo.store.queries import BBox, Cell

__all__ = ["PALETTE", "OTHER_COLOR", "PRECISION_LABEL", "group_color", "group_colors", "incident_rows", "placed_line", "reported_line",
           "IncidentLayer", "incident_layer", "cell_layer"]

# Well-separated colours (Trubetskoy's "20 distinct colours" without the pale and grey ones).
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#469990",
           "#9a6324", "#800000", "#808000", "#000075", "#ffe119", "#fabed4", "#dcbeff")
OTHER_COLOR = "#666666"
_COLOR = re.compile(r"^#[0-9a-f]{6}$")
_EPOCH = date(1970, 1, 1)  # the browser counts playback days from here, as JavaScript's Date does
PRECISION_LABEL = {1: "exact place", 2: "near a place", 3: "province / region", 4: "country"}


def group_color(group: str) -> str:
    """The colour of ``group``: fixed by its name alone (a hash into :data:`PALETTE`), so a
    group keeps its colour whatever other groups the data holds, now or after any save or
    import. Incidents with no group are grey."""
    name = " ".join(group.split()).casefold()
    if not name:
        return OTHER_COLOR
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """Colour per group (:func:`group_color`); the order given is the legend's order."""
    return {g: group_color(g) for g in groups}


def _count(n: int | None) -> str:
    return "not reported" if n is None else str(n)


NOTES_CHARS = 400  # of a note in a popup; the table and the export have it whole


def incident_rows(incidents: Sequence[Incident], colors: Mapping[str, str],
                  sources: Mapping[str, Sequence[str]] | None = None, chains: Mapping[str, str] | None = None,
                  tolls: Mapping[str, tuple[str, str]] | None = None,
                  unchecked: Collection[str] = ()) -> list[dict[str, Any]]:
    """The data the browser needs per located incident (all values plain text);
    ``sources`` names the further reports merged into an incident, ``chains`` who each
    group is filed under, ``tolls`` the figures of incidents several reports give,
    ``unchecked`` the pins read with low confidence that nobody has checked (drawn faded)."""
    rows = []
    chains, tolls = chains or {}, tolls or {}
    for i in incidents:
        if not i.located:
            continue
        color = colors.get(i.group) or group_color(i.group)
        rows.append({
            "lat": round(i.latitude or 0.0, 5), "lon": round(i.longitude or 0.0, 5),
            "color": color if _COLOR.match(color) else OTHER_COLOR,
            "group": i.group, "precision": i.geo_precision or 1, "event_id": i.event_id, "killed": i.killed,
            "title": f"{i.event_date.isoformat()} · {i.group}",
            "day": (i.event_date - _EPOCH).days,
            "lines": [
                ["Date", i.event_date.isoformat() + ("" if i.time_precision == 1 else
                                                     " (within a week)" if i.time_precision == 2 else " (within a month)")],
                *([["First reported", reported_line(i.event_date, i.first_reported)]] if i.first_reported else []),
                ["Group", f"{i.group} ({i.group_role})"],
                *([["Filed under", f"{chains[i.group]} (attributed by public reporting)"[:300]]] if i.group in chains
                  else [["Part of", i.parent_group]] if i.parent_group else []),
                ["Place", f"{i.location}" + (f", {i.admin1}" if i.admin1 else "") + (f", {i.country_code}" if i.country_code else "")
                 + f" — {PRECISION_LABEL.get(i.geo_precision or 1, 'exact place')}"],
                ["Type", i.sub_event_type or i.event_type or "not coded"],
                ["Killed / injured", tolls[i.event_id][0] if i.event_id in tolls
                 else f"{_count(i.killed)} / {_count(i.injured)}"],
                *([["By source", tolls[i.event_id][1][:300]]] if i.event_id in tolls else []),
                *([["Also reported by", "; ".join(sources[i.event_id])[:300]]] if sources and sources.get(i.event_id)
                  else []),
                *([["Placed", placed_line(i.confidence, i.runner_up, i.event_id in unchecked)]]
                  if i.confidence is not None else []),
            ],
            "unsure": i.event_id in unchecked,
            "notes": i.notes[:NOTES_CHARS],
            "source": i.source[:200],
            "url": safe_url(i.source_url),
        })
    return rows


def reported_line(event: date, reported: date) -> str:
    """"2024-08-07 (2 days after the event)": when an incident was first reported, and the lag."""
    lag = (reported - event).days
    return reported.isoformat() + (" (the same day)" if lag == 0 else f" ({abs(lag)} day{'s' if abs(lag) != 1 else ''} "
                                   f"{'after' if lag > 0 else 'before'} the event)")


def placed_line(confidence: float, runner_up: str, unchecked: bool = False) -> str:
    """How sure the reader was of a pin read from text: "read from the text with 0.64
    confidence (not checked yet); runner-up: Tehran, 847 km"."""
    return (f"read from the text with {confidence:.2f} confidence" + (" (not checked yet)" if unchecked else "")
            + (f"; runner-up: {runner_up}" if runner_up else ""))[:300]


def _packed_points(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Marker rows as columns (coordinates, colour and group numbers, precision, popup
    texts): one array per column, not one JavaScript object per incident, and each colour
    and group name sent once."""
    palette: dict[str, int] = {}
    groups: dict[str, int] = {}
    color = [palette.setdefault(r["color"] if _COLOR.match(r["color"]) else OTHER_COLOR, len(palette)) for r in rows]
    return {"mode": "points", "colors": list(palette), "lat": [r["lat"] for r in rows], "lon": [r["lon"] for r in rows],
            "color": color, "front": [k for k, r in enumerate(rows) if r.get("front")],
            "unsure": [k for k, r in enumerate(rows) if r.get("unsure")],
            "group": [groups.setdefault(str(r.get("group", "")), len(groups)) for r in rows], "groups": list(groups),
            "prec": [int(r.get("precision") or 1) for r in rows],
            # for playback in the browser (incidents only: a place picker's candidates have no day)
            "day": [int(r["day"]) for r in rows] if all("day" in r for r in rows) else [],
            "killed": [-1 if r.get("killed") is None else int(r["killed"]) for r in rows],
            "popup": [[r["title"], [x for kv in r["lines"] for x in kv], r["notes"], r["source"], r["url"]]
                      for r in rows]}


def _packed_cells(cells: Sequence[Cell], colors: Mapping[str, str]) -> dict[str, Any]:
    """Grid cells as columns: centre, count, colour and name of the most frequent group,
    and the cell's box (south, west, north, east) to zoom to on a click."""
    palette: dict[str, int] = {}
    groups: dict[str, int] = {}
    return {"mode": "cells",
            "lat": [round(c.latitude, 4) for c in cells], "lon": [round(c.longitude, 4) for c in cells],
            "count": [c.count for c in cells], "main": [c.group_count for c in cells],
            "group": [groups.setdefault(c.group, len(groups)) for c in cells],
            "color": [palette.setdefault(colors.get(c.group) or group_color(c.group), len(palette)) for c in cells],
            "box": [round(v, 4) for c in cells for v in (c.south, c.west, c.north, c.east)],
            "groups": list(groups), "colors": list(palette)}


class IncidentLayer(DataElement):
    """Incidents drawn in the browser from packed JSON (see module docstring): markers
    with popups (clustered unless told not to), or, for many incidents, grid cells
    showing a count in the colour of the cell's most frequent group.

    The same data can be drawn four ways, switched in the map without a rerun (the choice
    is kept in the page while layers come and go): markers (or cells), a heatmap
    (Leaflet.heat; cells weigh by their count), a precision view where an incident
    placed "near a place" (precision 2), at a province (3) or a country (4) is a circle of
    about that size, not a pin, and circles sized by the number killed. Clicking a legend
    entry hides or shows its group.

    A new layer first empties the one it replaces: streamlit-folium swaps layers on every
    rerun, and without this the browser kept every old layer's markers and data alive.

    All of that is ``static/js/incident-layer.js`` (``imap.incidentLayer``); the element's
    script only hands it the packed data, the legend and the options."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var data = {{ this.data_json }};
  var legend = {{ this.legend_json }};
  var opts = {{ this.opts_json }};
  return imap.incidentLayer({{ this._parent.get_name() }}, data, legend, opts);
})();
{% endmacro %}
""")

    def __init__(self, rows: list[dict[str, Any]], legend: Sequence[tuple[Any, ...]], assets: str = ASSETS, *,
                 clustered: bool = True, cells: dict[str, Any] | None = None, views: bool = False,
                 fit: BBox | None = None, fit_key: str = "", focus: int = -1, focus_key: str = "",
                 focus_zoom: int = 14) -> None:
        """``rows`` as :func:`incident_rows` makes them, or ``cells`` packed by
        :func:`cell_layer`. ``clustered=False`` draws every marker on its own from zoom 1
        on (a handful of candidates, where a cluster would hide the chosen one); a row
        with ``front`` set is drawn above the others. ``views``: offer the markers /
        heatmap / precision switch. ``fit``: the box the map fits once per ``fit_key``
        (the filters and the data it was made for). ``focus``: the row the map flies to
        (at ``focus_zoom``) and opens, once per ``focus_key``. Legend entries with a
        third item (true) are groups a click hides or shows."""
        super().__init__()
        self._name = "IncidentLayer"
        cluster = f"{assets}/leaflet.markercluster/"
        self.default_js = [("markerclusterjs", cluster + "leaflet.markercluster.js"),
                           ("leafletheatjs", f"{assets}/leaflet.heat/leaflet-heat.js"),
                           ("imap_dom", static_asset("js/dom.js")),
                           ("imap_incident_layer", static_asset("js/incident-layer.js"))]
        # After the markercluster styles: the layer's cluster bubbles override theirs.
        self.default_css = [("markerclustercss", cluster + "MarkerCluster.css"),
                            ("markerclusterdefcss", cluster + "MarkerCluster.Default.css"),
                            ("imap_incident_layer_css", static_asset("css/incident-layer.css"))]
        self.data_json = script_json(cells if cells is not None else _packed_points(rows))
        self.legend_json = script_json([list(entry) for entry in legend])
        box = [fit.south, fit.west, fit.north, fit.east] if fit else None
        self.opts_json = script_json({"clustered": clustered, "views": views, "fit": box, "fitKey": fit_key,
                                      "focus": focus, "focusKey": focus_key, "focusZoom": focus_zoom})


LEGEND_GROUPS = 15  # entries in the legend; the rest are counted in one line


def _legend(present: Mapping[str, int], colors: Mapping[str, str]) -> list[tuple[str, str, bool]]:
    """The groups drawn, most incidents first, each with its colour (a click toggles it)."""
    ranked = sorted(present, key=lambda g: (-present[g], g))
    legend = [(g or "no group", colors.get(g) or group_color(g), bool(g)) for g in ranked[:LEGEND_GROUPS]]
    if len(ranked) > LEGEND_GROUPS:
        rest = len(ranked) - LEGEND_GROUPS
        legend.append((f"{rest:,} more group{'s' if rest != 1 else ''}", "", False))
    return legend


def incident_layer(incidents: Sequence[Incident], colors: Mapping[str, str], *, fit: BBox | None = None,
                   fit_key: str = "", focus: str = "", focus_zoom: int = 14,
                   sources: Mapping[str, Sequence[str]] | None = None, chains: Mapping[str, str] | None = None,
                   tolls: Mapping[str, tuple[str, str]] | None = None,
                   unchecked: Collection[str] = ()) -> folium.FeatureGroup:
    """The incident markers as a feature group, for ``st_folium(feature_group_to_add=…)``,
    with the markers / heatmap / precision switch. ``focus`` is the event_id to fly to;
    ``sources``, ``chains``, ``tolls`` and ``unchecked`` add to the popups (:func:`incident_rows`)."""
    fg = folium.FeatureGroup(name="Incidents")
    rows = incident_rows(incidents, colors, sources, chains, tolls, unchecked)
    present: dict[str, int] = {}
    for r in rows:
        present[r["group"]] = present.get(r["group"], 0) + 1
    at = next((k for k, r in enumerate(rows) if focus and r["event_id"] == focus), -1)
    IncidentLayer(rows, _legend(present, colors), views=True, fit=fit, fit_key=fit_key, focus=at,
                  focus_key=focus if at >= 0 else "", focus_zoom=focus_zoom).add_to(fg)
    return fg


def cell_layer(cells: Sequence[Cell], colors: Mapping[str, str], *, fit: BBox | None = None,
               fit_key: str = "") -> folium.FeatureGroup:
    """Grid cells (many incidents) as a feature group: a count per cell in its main group's colour."""
    fg = folium.FeatureGroup(name="Incidents")
    present: dict[str, int] = {}
    for c in cells:
        present[c.group] = present.get(c.group, 0) + c.count
    IncidentLayer([], _legend(present, colors), cells=_packed_cells(cells, colors), views=True, fit=fit,
                  fit_key=fit_key).add_to(fg)
    return fg
