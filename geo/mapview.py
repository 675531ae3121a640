"""The map: a folium base map (offline borders and place labels) and one incident layer.

Incidents travel to the browser as one JSON array, not one folium object each, and the
browser builds clustered markers from it (docs/DESIGN.md, "Map"). Popups are DOM nodes filled
with ``textContent``, so text from articles is never parsed as HTML or JavaScript: a
``<script>``, ``<img onerror>`` or ``${…}`` in a note shows as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.gazetteer import Gazetteer
from geo.queries import Cell
from geo.records import Incident

__all__ = ["PALETTE", "group_colors", "safe_url", "incident_rows", "IncidentLayer", "base_map", "incident_layer",
           "script_json", "cell_layer"]

PALETTE = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#17becf",
           "#bcbd22", "#1b9e77", "#d95f02", "#7570b3")
OTHER_COLOR = "#666666"
_COLOR = re.compile(r"^#[0-9a-f]{6}$")
BORDERS = "/app/static/basemap/countries.geojson"  # Natural Earth, served by the app (static/basemap)
PRECISION_LABEL = {1: "exact place", 2: "near a place", 3: "province / region", 4: "country"}
# Leaflet and its plugins are served by the app itself (``static/vendor``, Streamlit static
# serving), never from a CDN, so the map draws offline and on locked-down networks.
ASSETS = "/app/static/vendor"


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """Colour per group, in the given order (most frequent first); the rest share grey.
    Computed from the whole data set so a group keeps its colour while filters change."""
    return {g: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, g in enumerate(groups)}


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) link, else "" (no ``javascript:`` or ``data:`` links)."""
    url = url.strip()
    return url if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE) else ""


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_braces(match: re.Match[str]) -> str:
    return match.group(0).replace("{", "\\u007b").replace("}", "\\u007d")


def script_json(value: Any) -> str:
    """JSON that is safe to place inside a ``<script>``: no ``</script>``, no HTML specials,
    and no ``{`` or ``}`` inside strings.

    The braces matter because folium (branca) compiles each element's rendered script
    *again* as a Jinja template on every render: a note holding ``{%`` or ``{#`` would
    fail that compile (and blank the map for every visitor), and ``{{ … }}`` would be
    evaluated on the server. Escaped as ``\\u007b``/``\\u007d`` they are the same
    characters to the browser and nothing to Jinja (JSON's own braces, outside strings,
    never form ``{{``, ``{%`` or ``{#``)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    text = _JSON_STRING.sub(_escape_braces, text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _count(n: int | None) -> str:
    return "not reported" if n is None else str(n)


NOTES_CHARS = 400  # of a note in a popup; the table and the export have it whole


def incident_rows(incidents: Sequence[Incident], colors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The data the browser needs per located incident (all values plain text)."""
    rows = []
    for i in incidents:
        if not i.located:
            continue
        color = colors.get(i.group, OTHER_COLOR)
        rows.append({
            "lat": round(i.latitude or 0.0, 5), "lon": round(i.longitude or 0.0, 5),
            "color": color if _COLOR.match(color) else OTHER_COLOR,
            "title": f"{i.event_date.isoformat()} · {i.group}",
            "lines": [
                ["Date", i.event_date.isoformat() + ("" if i.time_precision == 1 else
                                                     " (within a week)" if i.time_precision == 2 else " (within a month)")],
                ["Group", f"{i.group} ({i.group_role})" + (f", part of {i.parent_group}" if i.parent_group else "")],
                ["Place", f"{i.location}" + (f", {i.admin1}" if i.admin1 else "") + (f", {i.country_code}" if i.country_code else "")
                 + f" — {PRECISION_LABEL.get(i.geo_precision or 1, 'exact place')}"],
                ["Type", i.sub_event_type or i.event_type or "not coded"],
                ["Killed / injured", f"{_count(i.killed)} / {_count(i.injured)}"],
            ],
            "notes": i.notes[:NOTES_CHARS],
            "source": i.source[:200],
            "url": safe_url(i.source_url),
        })
    return rows


def _packed_points(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Marker rows as columns (coordinates, colour numbers, popup texts): one array per
    column, not one JavaScript object per incident, and each colour sent once."""
    palette: dict[str, int] = {}
    color = [palette.setdefault(r["color"] if _COLOR.match(r["color"]) else OTHER_COLOR, len(palette)) for r in rows]
    return {"mode": "points", "colors": list(palette), "lat": [r["lat"] for r in rows], "lon": [r["lon"] for r in rows],
            "color": color, "front": [k for k, r in enumerate(rows) if r.get("front")],
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
            "color": [palette.setdefault(colors.get(c.group, OTHER_COLOR), len(palette)) for c in cells],
            "box": [round(v, 4) for c in cells for v in (c.south, c.west, c.north, c.east)],
            "groups": list(groups), "colors": list(palette)}


class IncidentLayer(JSCSSMixin, MacroElement):  # type: ignore[misc]
    """Incidents drawn in the browser from packed JSON (see module docstring): markers
    with popups (clustered unless told not to), or, for many incidents, grid cells
    showing a count in the colour of the cell's most frequent group.

    A new layer first empties the one it replaces: streamlit-folium swaps layers on every
    rerun, and without this the browser kept every old layer's markers and data alive."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var data = {{ this.data_json }};
  var legend = {{ this.legend_json }};
  var previous = window.__imapLayer;
  if (previous) { previous.clearLayers(); previous.off(); if (previous.imapLegend) { previous.imapLegend.remove(); } }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function bubble(n, color, cls) {
    var size = n < 10 ? 30 : n < 100 ? 36 : n < 10000 ? 42 : 50;
    var inner = el("div", null, n < 10000 ? String(n) : Math.round(n / 1000) + "k");
    inner.style.background = color; inner.style.width = inner.style.height = size + "px";
    inner.style.lineHeight = size + "px";
    return L.divIcon({className: "marker-cluster " + cls, html: inner, iconSize: [size, size]});
  }
  function popup(p) {
    var root = el("div", "imap-popup");
    root.appendChild(el("div", "imap-title", p[0]));
    for (var k = 0; k + 1 < p[1].length; k += 2) {
      var line = el("div", "imap-line");
      line.appendChild(el("b", null, p[1][k] + ": "));
      line.appendChild(document.createTextNode(p[1][k + 1]));
      root.appendChild(line);
    }
    if (p[2]) { root.appendChild(el("p", "imap-notes", p[2])); }
    var src = el("div", "imap-source");
    if (p[4]) {
      var a = el("a", null, p[3] || p[4]);
      a.href = p[4]; a.target = "_blank"; a.rel = "noopener noreferrer";
      src.appendChild(a);
    } else if (p[3]) { src.textContent = p[3]; }
    root.appendChild(src);
    return root;
  }
  var layer;
  if (data.mode === "cells") {
    layer = L.featureGroup();
    data.count.forEach(function (n, k) {
      var m = L.marker([data.lat[k], data.lon[k]], {icon: bubble(n, data.colors[data.color[k]], "imap-cell"),
                                                   keyboard: false});
      var tip = el("div", null, n.toLocaleString() + " incidents here; most by " + data.groups[data.group[k]]
                   + " (" + data.main[k].toLocaleString() + "). Click to zoom in.");
      m.bindTooltip(tip);
      m.on("click", function () {
        var b = data.box.slice(4 * k, 4 * k + 4);
        m._map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
      });
      layer.addLayer(m);
    });
  } else {
    // A cluster takes the colour of its most frequent group, so groups stay visible zoomed out.
    layer = L.markerClusterGroup({maxClusterRadius: 35, showCoverageOnHover: false, chunkedLoading: true,
      {% if not this.clustered %}disableClusteringAtZoom: 1,{% endif %}
      iconCreateFunction: function (c) {
        var tally = {}, best = null;
        c.getAllChildMarkers().forEach(function (m) {
          tally[m.options.imapColor] = (tally[m.options.imapColor] || 0) + 1;
          if (best === null || tally[m.options.imapColor] > tally[best]) { best = m.options.imapColor; }
        });
        return bubble(c.getChildCount(), best, "imap-cluster");
      }});
    var front = {};
    data.front.forEach(function (k) { front[k] = true; });
    var markers = data.lat.map(function (lat, k) {
      var color = data.colors[data.color[k]];
      var icon = L.divIcon({className: "imap-dot", iconSize: [14, 14],
                            html: '<span style="background:' + color + '"></span>'});
      var m = L.marker([lat, data.lon[k]], {icon: icon, title: data.popup[k][0], imapColor: color,
                                            zIndexOffset: front[k] ? 1000 : 0});
      m.bindPopup(function () { return popup(data.popup[k]); }, {maxWidth: 320});
      return m;
    });
    layer.addLayers(markers);
  }
  if (legend.length) {
    var box = L.control({position: "bottomright"});
    box.onAdd = function () {
      var div = el("div", "imap-legend");
      legend.forEach(function (g) {
        var row = el("div", "imap-legend-row");
        var sw = el("span", "imap-swatch"); sw.style.background = g[1];
        row.appendChild(sw); row.appendChild(el("span", null, g[0]));
        div.appendChild(row);
      });
      return div;
    };
    layer.imapLegend = box;
    layer.on("add", function () { box.addTo(layer._map); });
    layer.on("remove", function () { box.remove(); });
  }
  // How many incidents the layer stands for (markers, or the cells' counts): tests and benchmarks read it.
  layer.imapCount = data.mode === "cells" ? data.count.reduce(function (a, b) { return a + b; }, 0) : data.lat.length;
  layer.imapMode = data.mode;
  window.__imapLayer = layer;
  return layer;
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, rows: list[dict[str, Any]], legend: list[tuple[str, str]], assets: str = ASSETS, *,
                 clustered: bool = True, cells: dict[str, Any] | None = None) -> None:
        """``rows`` as :func:`incident_rows` makes them, or ``cells`` packed by
        :func:`cell_layer`. ``clustered=False`` draws every marker on its own from zoom 1
        on (a handful of candidates, where a cluster would hide the chosen one); a row
        with ``front`` set is drawn above the others."""
        super().__init__()
        self._name = "IncidentLayer"
        cluster = f"{assets}/leaflet.markercluster/"
        self.default_js = [("markerclusterjs", cluster + "leaflet.markercluster.js")]
        self.default_css = [("markerclustercss", cluster + "MarkerCluster.css"),
                            ("markerclusterdefcss", cluster + "MarkerCluster.Default.css")]
        self.data_json = script_json(cells if cells is not None else _packed_points(rows))
        self.legend_json = script_json([[name, color] for name, color in legend])
        self.clustered = clustered


_CSS = """
<style>
.imap-dot span {display:block;width:12px;height:12px;border-radius:50%;border:1px solid #222;opacity:.9}
.imap-cluster div, .imap-cell div {border-radius:50%;text-align:center;color:#fff;font:bold 12px sans-serif;
  border:2px solid rgba(255,255,255,.9);box-shadow:0 0 0 2px rgba(0,0,0,.25);text-shadow:0 0 2px #000}
.imap-popup {font: 13px/1.35 sans-serif; max-width: 300px}
.imap-title {font-weight: bold; margin-bottom: 4px}
.imap-notes {margin: 6px 0}
.imap-legend {background: rgba(255,255,255,.9); padding: 6px 8px; font: 12px sans-serif; border-radius: 4px}
.imap-swatch {display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
.imap-label {font: 11px sans-serif; color: #333; white-space: nowrap; text-shadow: 0 0 3px #fff}
.leaflet-container {background: #dfe9f2}
</style>
"""


class Borders(MacroElement):  # type: ignore[misc]
    """Country borders fetched by the browser from the app's static files.

    Fetched rather than embedded: the file is 1.2 MB, and embedding it would send it
    again with every rerun. Polygons sit in the overlay pane, under the markers."""

    _template = Template("""
{% macro script(this, kwargs) %}
fetch({{ this.url_json }}).then(function (r) { return r.json(); }).then(function (data) {
  L.geoJSON(data, {interactive: false, style: {color: "#7a7a7a", weight: 1, fillColor: "#f4f1ea",
                                               fillOpacity: {{ this.fill }}}})
   .addTo({{ this._parent.get_name() }}).bringToBack();
}).catch(function () {});
{% endmacro %}
""")

    def __init__(self, url: str, fill: float) -> None:
        super().__init__()
        self.url_json = script_json(url)
        self.fill = fill


def place_labels(gazetteer: Gazetteer, min_population: int = 1_000_000,
                 spacing_degrees: float = 1.0) -> list[tuple[str, float, float]]:
    """Major cities to label on the offline base map, largest first, none crowding a bigger one
    (so "Giza" does not sit on "Cairo", nor a city district on its city)."""
    # Skip long names: GeoNames lists districts such as "Al Mosul al Jadidah" as cities.
    cities = [c for c in gazetteer.cities_over(min_population) if len(c.name.split()) <= 2]
    out: list[tuple[str, float, float]] = []
    for p in sorted(cities, key=lambda c: -c.population):
        if all(abs(p.latitude - lat) > spacing_degrees or abs(p.longitude - lon) > spacing_degrees
               for _, lat, lon in out):
            out.append((p.name, p.latitude, p.longitude))
    return out


class PlaceLabels(MacroElement):  # type: ignore[misc]
    """Text labels for major places, drawn as DOM text (never HTML)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var labels = {{ this.labels_json }};
  var layer = L.layerGroup();
  labels.forEach(function (p) {
    var span = document.createElement("span"); span.textContent = p[0];
    layer.addLayer(L.marker([p[1], p[2]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: "imap-label", html: span, iconSize: null})}));
  });
  layer.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, labels: list[tuple[str, float, float]]) -> None:
        super().__init__()
        self.labels_json = script_json(labels)


def base_map(labels: list[tuple[str, float, float]], *, tiles: str | None = None,
             center: tuple[float, float] = (33.5, 41.0), zoom: int = 5, assets: str = ASSETS) -> folium.Map:
    """The map under the incidents: offline borders and labels, plus tiles only if asked for
    (``tiles`` is a folium tile name such as ``OpenStreetMap``; tiles need the network).

    ``maxZoom`` is set explicitly: without a tile layer Leaflet has none, and the marker
    cluster plugin refuses to start ("Map has no maxZoom specified")."""
    m = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=True,
                   maxZoom=18)
    # Only Leaflet: popups here are DOM nodes, so folium's jQuery/Bootstrap are not needed.
    m.default_js = [("leaflet", f"{assets}/leaflet/leaflet.js")]
    m.default_css = [("leaflet_css", f"{assets}/leaflet/leaflet.css")]
    if tiles:
        folium.TileLayer(tiles, name=tiles).add_to(m)
    Borders(BORDERS, 0 if tiles else 1).add_to(m)
    PlaceLabels(labels).add_to(m)
    m.get_root().header.add_child(folium.Element(_CSS))  # type: ignore[attr-defined]
    return m


def _legend(present: set[str], colors: Mapping[str, str]) -> list[tuple[str, str]]:
    legend = [(g, c) for g, c in colors.items() if g in present][: len(PALETTE)]
    if len(present) > len(legend):
        legend.append(("other groups", OTHER_COLOR))
    return legend


def incident_layer(incidents: Sequence[Incident], colors: Mapping[str, str]) -> folium.FeatureGroup:
    """The incident markers as a feature group, for ``st_folium(feature_group_to_add=…)``."""
    fg = folium.FeatureGroup(name="Incidents")
    legend = _legend({i.group for i in incidents if i.located}, colors)
    IncidentLayer(incident_rows(incidents, colors), legend).add_to(fg)
    return fg


def cell_layer(cells: Sequence[Cell], colors: Mapping[str, str]) -> folium.FeatureGroup:
    """Grid cells (many incidents) as a feature group: a count per cell in its main group's colour."""
    fg = folium.FeatureGroup(name="Incidents")
    IncidentLayer([], _legend({c.group for c in cells}, colors), cells=_packed_cells(cells, colors)).add_to(fg)
    return fg
