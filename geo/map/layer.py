"""The map: a folium base map (offline borders and place labels) and one incident layer.

Incidents travel to the browser as one JSON array, not one folium object each, and the
browser builds clustered markers from it (docs/DESIGN.md, "Map"). Popups are DOM nodes filled
with ``textContent``, so text from articles is never parsed as HTML or JavaScript: a
``<script>``, ``<img onerror>`` or ``${…}`` in a note shows as text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.gazetteer import Gazetteer
from geo.records import Incident
from geo.safetext import safe_url
from geo.store.queries import BBox, Cell

__all__ = ["PALETTE", "group_color", "group_colors", "tile_choice", "TILES", "OFFLINE", "Basemap",
           "incident_rows", "IncidentLayer", "base_map", "incident_layer",
           "script_json", "cell_layer"]

# Well-separated colours (Trubetskoy's "20 distinct colours" without the pale and grey ones).
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#469990",
           "#9a6324", "#800000", "#808000", "#000075", "#ffe119", "#fabed4", "#dcbeff")
OTHER_COLOR = "#666666"
_COLOR = re.compile(r"^#[0-9a-f]{6}$")
BORDERS = "/app/static/basemap/countries.geojson"  # Natural Earth, served by the app (static/basemap)
ADMIN1 = "/app/static/basemap/admin1.geojson"  # provinces of the region (scripts/build_admin1_boundaries.py)
PRECISION_LABEL = {1: "exact place", 2: "near a place", 3: "province / region", 4: "country"}
# Leaflet and its plugins are served by the app itself (``static/vendor``, Streamlit static
# serving), never from a CDN, so the map draws offline and on locked-down networks.
ASSETS = "/app/static/vendor"


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


def incident_rows(incidents: Sequence[Incident], colors: Mapping[str, str],
                  sources: Mapping[str, Sequence[str]] | None = None, chains: Mapping[str, str] | None = None,
                  tolls: Mapping[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The data the browser needs per located incident (all values plain text);
    ``sources`` names the further reports merged into an incident, ``chains`` who each
    group is filed under, ``tolls`` the figures of incidents several reports give."""
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
            "lines": [
                ["Date", i.event_date.isoformat() + ("" if i.time_precision == 1 else
                                                     " (within a week)" if i.time_precision == 2 else " (within a month)")],
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
            ],
            "notes": i.notes[:NOTES_CHARS],
            "source": i.source[:200],
            "url": safe_url(i.source_url),
        })
    return rows


def _packed_points(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Marker rows as columns (coordinates, colour and group numbers, precision, popup
    texts): one array per column, not one JavaScript object per incident, and each colour
    and group name sent once."""
    palette: dict[str, int] = {}
    groups: dict[str, int] = {}
    color = [palette.setdefault(r["color"] if _COLOR.match(r["color"]) else OTHER_COLOR, len(palette)) for r in rows]
    return {"mode": "points", "colors": list(palette), "lat": [r["lat"] for r in rows], "lon": [r["lon"] for r in rows],
            "color": color, "front": [k for k, r in enumerate(rows) if r.get("front")],
            "group": [groups.setdefault(str(r.get("group", "")), len(groups)) for r in rows], "groups": list(groups),
            "prec": [int(r.get("precision") or 1) for r in rows],
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


class IncidentLayer(JSCSSMixin, MacroElement):  # type: ignore[misc]
    """Incidents drawn in the browser from packed JSON (see module docstring): markers
    with popups (clustered unless told not to), or, for many incidents, grid cells
    showing a count in the colour of the cell's most frequent group.

    The same data can be drawn three ways, switched in the map without a rerun (the choice
    is kept in the page while layers come and go): markers (or cells), a heatmap
    (Leaflet.heat; cells weigh by their count), and a precision view where an incident
    placed "near a place" (precision 2), at a province (3) or a country (4) is a circle of
    about that size, not a pin. Clicking a legend entry hides or shows its group.

    A new layer first empties the one it replaces: streamlit-folium swaps layers on every
    rerun, and without this the browser kept every old layer's markers and data alive."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var data = {{ this.data_json }};
  var legend = {{ this.legend_json }};
  var opts = {{ this.opts_json }};
  var parent = {{ this._parent.get_name() }};
  var previous = window.__imapLayer;
  var reopen = window.__imapFocusOpen && opts.focusKey && window.__imapFocusKey === opts.focusKey;
  window.__imapReplacing = true;  // a popup closed by the swap is not one the user closed
  if (window.__imapCtl) { window.__imapCtl.destroy(); }
  if (previous) { previous.clearLayers(); previous.off(); if (previous.imapLegend) { previous.imapLegend.remove(); } }
  window.__imapReplacing = false;
  var hidden = window.__imapHidden || (window.__imapHidden = {});
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
  var groups = data.groups || [];
  var n = data.lat.length;
  function shown(k) { return !(data.group && hidden[groups[data.group[k]]]); }
  var RADIUS_KM = {2: 10, 3: 60, 4: 250};  // what "near a place", a province and a country stand for
  var markers = {};
  function marker(k) {
    var color = data.colors[data.color[k]];
    var icon = L.divIcon({className: "imap-dot", iconSize: [14, 14],
                          html: '<span style="background:' + color + '"></span>'});
    var m = L.marker([data.lat[k], data.lon[k]], {icon: icon, title: data.popup[k][0], imapColor: color,
                                                  zIndexOffset: front[k] ? 1000 : 0});
    m.bindPopup(function () { return popup(data.popup[k]); }, {maxWidth: 320});
    markers[k] = m;
    return m;
  }
  var front = {};
  (data.front || []).forEach(function (k) { front[k] = true; });
  function build(view) {
    var layer, k, visible = 0;
    markers = {};
    if (view === "heat") {
      layer = L.featureGroup();
      var pts = [], most = 1;
      for (k = 0; k < n; k++) {
        if (!shown(k)) { continue; }
        var w = data.mode === "cells" ? data.count[k] : 1;
        most = Math.max(most, w); visible += w;
        pts.push([data.lat[k], data.lon[k], w]);
      }
      if (pts.length && L.heatLayer) {
        layer.addLayer(L.heatLayer(pts, {radius: 22, blur: 18, maxZoom: 10, max: data.mode === "cells" ? most : 1,
                                         minOpacity: 0.35}));
      }
    } else if (data.mode === "cells") {
      layer = L.featureGroup();
      data.count.forEach(function (c, k) {
        if (!shown(k)) { return; }
        visible += c;
        var m = L.marker([data.lat[k], data.lon[k]], {icon: bubble(c, data.colors[data.color[k]], "imap-cell"),
                                                     keyboard: false});
        var tip = el("div", null, c.toLocaleString() + " incidents here; most by " + groups[data.group[k]]
                     + " (" + data.main[k].toLocaleString() + "). Click to zoom in.");
        m.bindTooltip(tip);
        m.on("click", function () {
          var b = data.box.slice(4 * k, 4 * k + 4);
          m._map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
        });
        layer.addLayer(m);
      });
    } else if (view === "killed" && data.mode !== "cells") {
      layer = L.featureGroup();
      for (k = 0; k < n; k++) {
        if (!shown(k)) { continue; }
        visible += 1;
        var dead = data.killed ? data.killed[k] : -1;
        var hue = data.colors[data.color[k]];
        // Area in proportion to the toll; none reported or none killed: a small hollow ring.
        var dot = L.circleMarker([data.lat[k], data.lon[k]], {radius: dead > 0 ? 4 + 3 * Math.sqrt(dead) : 4,
          color: hue, weight: dead > 0 ? 1 : 2, fillColor: hue, fillOpacity: dead > 0 ? 0.55 : 0});
        dot.bindPopup((function (p) { return function () { return popup(p); }; })(data.popup[k]), {maxWidth: 320});
        layer.addLayer(dot);
      }
    } else if (view === "precision") {
      layer = L.featureGroup();
      layer.imapAreas = 0;
      for (k = 0; k < n; k++) {
        if (!shown(k)) { continue; }
        visible += 1;
        var prec = data.prec ? data.prec[k] : 1;
        if (RADIUS_KM[prec]) {
          var color = data.colors[data.color[k]];
          var ring = L.circle([data.lat[k], data.lon[k]], {radius: RADIUS_KM[prec] * 1000, color: color, weight: 2,
            dashArray: prec > 2 ? "6 4" : null, fillColor: color, fillOpacity: prec > 2 ? 0.06 : 0.15});
          ring.bindPopup((function (p) { return function () { return popup(p); }; })(data.popup[k]), {maxWidth: 320});
          layer.addLayer(ring);
          layer.imapAreas += 1;
        } else {
          layer.addLayer(marker(k));
        }
      }
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
      var list = [];
      for (k = 0; k < n; k++) { if (shown(k)) { list.push(marker(k)); } }
      visible = list.length;
      layer.addLayers(list);
    }
    // How many incidents the layer stands for (markers, or the cells' counts): tests and benchmarks read it.
    layer.imapCount = data.mode === "cells" ? data.count.reduce(function (a, b) { return a + b; }, 0) : n;
    layer.imapShown = visible;
    layer.imapMode = data.mode;
    layer.imapView = view;
    return layer;
  }
  var ctl = {current: null, map: null, controls: []};
  function render() {
    var view = window.__imapView || "markers";
    var layer = build(view);
    if (ctl.current) { ctl.current.clearLayers(); parent.removeLayer(ctl.current); }
    ctl.current = layer;
    window.__imapLayer = layer;
    parent.addLayer(layer);
    drawLegend();
    drawSwitch();
    return layer;
  }
  var legendBox = null, switchBox = null;
  function drawLegend() {
    if (!legendBox) { return; }
    var div = legendBox.getContainer();
    if (!div) { return; }
    while (div.firstChild) { div.removeChild(div.firstChild); }
    if (opts.views) {  // the incident map's legend folds (and starts folded on a narrow screen)
      var open = window.__imapLegendOpen;
      if (open === undefined) { open = !(ctl.map && ctl.map.getSize().x < 520); }
      var head = el("button", "imap-legend-head", (open ? "\u25be " : "\u25b8 ") + "Legend");
      head.type = "button"; head.setAttribute("aria-expanded", open ? "true" : "false");
      head.onclick = function () { window.__imapLegendOpen = !open; drawLegend(); };
      div.appendChild(head);
      if (!open) { return; }
    }
    legend.forEach(function (g) {
      var row = el("div", "imap-legend-row");
      var sw = el("span", "imap-swatch"); sw.style.background = g[1] || "transparent";
      row.appendChild(sw); row.appendChild(el("span", null, g[0]));
      if (g[2]) {  // a group of the data: a click hides or shows it
        row.className += hidden[g[0]] ? " imap-off" : "";
        row.setAttribute("role", "button"); row.tabIndex = 0;
        row.title = hidden[g[0]] ? "Show this group" : "Hide this group";
        row.onclick = function () { if (hidden[g[0]]) { delete hidden[g[0]]; } else { hidden[g[0]] = true; } render(); };
      }
      div.appendChild(row);
    });
  }
  function drawSwitch() {
    if (!switchBox) { return; }
    var div = switchBox.getContainer();
    if (!div) { return; }
    while (div.firstChild) { div.removeChild(div.firstChild); }
    var view = window.__imapView || "markers";
    [["markers", data.mode === "cells" ? "Counts" : "Markers"], ["heat", "Heatmap"], ["precision", "Precision"],
     ["killed", "Killed"]]
      .forEach(function (v) {
        var b = el("button", "imap-view-btn" + (v[0] === view ? " imap-on" : ""), v[1]);
        b.type = "button"; b.setAttribute("aria-pressed", v[0] === view ? "true" : "false");
        b.setAttribute("data-view", v[0]);
        b.onclick = function () { window.__imapView = v[0]; render(); };
        div.appendChild(b);
      });
  }
  ctl.destroy = function () {
    ctl.controls.forEach(function (c) { c.remove(); });
    ctl.controls = [];
    if (ctl.current) { ctl.current.clearLayers(); ctl.current.off(); parent.removeLayer(ctl.current); }
  };
  function onMap(map) {
    ctl.map = map;
    if (legend.length) {
      legendBox = L.control({position: "bottomright"});
      legendBox.onAdd = function () {
        var d = el("div", "imap-legend");
        L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
        return d;
      };
      legendBox.addTo(map); ctl.controls.push(legendBox);
    }
    if (opts.views) {
      switchBox = L.control({position: "topright"});
      switchBox.onAdd = function () { var d = el("div", "imap-switch"); L.DomEvent.disableClickPropagation(d); return d; };
      switchBox.addTo(map); ctl.controls.push(switchBox);
    }
    drawLegend(); drawSwitch();
    var f = opts.focus;
    if (opts.focusKey && f >= 0 && f < n && (window.__imapFocusKey !== opts.focusKey || reopen)) {
      var first = window.__imapFocusKey !== opts.focusKey;
      window.__imapFocusKey = opts.focusKey;
      window.__imapFitKey = opts.fitKey;  // the focus wins over fitting the data
      if (data.group && hidden[groups[data.group[f]]]) { delete hidden[groups[data.group[f]]]; render(); }
      if (first) { map.setView([data.lat[f], data.lon[f]], opts.focusZoom, {animate: false}); }
      var m = markers[f];
      var opened = function () { window.__imapFocusOpen = true; };
      if (m && ctl.current.zoomToShowLayer) {
        ctl.current.zoomToShowLayer(m, function () { m.openPopup(); opened(); });
      } else if (m) { m.openPopup(); opened(); } else {
        L.popup({maxWidth: 320}).setLatLng([data.lat[f], data.lon[f]]).setContent(popup(data.popup[f])).openOn(map);
        opened();
      }
      if (!map.imapFocusWatch) {
        map.imapFocusWatch = true;
        map.on("popupclose", function () { if (!window.__imapReplacing) { window.__imapFocusOpen = false; } });
      }
    } else if (opts.fitKey && window.__imapFitKey !== opts.fitKey) {
      window.__imapFitKey = opts.fitKey;
      if (opts.fit) {
        map.fitBounds([[opts.fit[0], opts.fit[1]], [opts.fit[2], opts.fit[3]]], {padding: [30, 30], maxZoom: 10});
      }
    }
  }
  var layer = render();
  if (layer._map) { onMap(layer._map); } else { layer.once("add", function () { onMap(layer._map); }); }
  window.__imapCtl = ctl;
  return layer;
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
                           ("leafletheatjs", f"{assets}/leaflet.heat/leaflet-heat.js")]
        self.default_css = [("markerclustercss", cluster + "MarkerCluster.css"),
                            ("markerclusterdefcss", cluster + "MarkerCluster.Default.css")]
        self.data_json = script_json(cells if cells is not None else _packed_points(rows))
        self.legend_json = script_json([list(entry) for entry in legend])
        box = [fit.south, fit.west, fit.north, fit.east] if fit else None
        self.opts_json = script_json({"views": views, "fit": box, "fitKey": fit_key, "focus": focus,
                                      "focusKey": focus_key, "focusZoom": focus_zoom})
        self.clustered = clustered


_CSS = """
<style>
.imap-dot span {display:block;width:12px;height:12px;border-radius:50%;border:1px solid #222;opacity:.9}
.imap-cluster div, .imap-cell div {border-radius:50%;text-align:center;color:#fff;font:bold 12px sans-serif;
  border:2px solid rgba(255,255,255,.9);box-shadow:0 0 0 2px rgba(0,0,0,.25);text-shadow:0 0 2px #000}
.imap-popup {font: 13px/1.35 sans-serif; max-width: 300px}
.imap-title {font-weight: bold; margin-bottom: 4px}
.imap-notes {margin: 6px 0}
.imap-legend {background: rgba(255,255,255,.92); padding: 4px 8px; font: 12px sans-serif; border-radius: 4px;
  max-height: 40vh; overflow-y: auto; max-width: 60vw}
.imap-legend-head {border: 0; background: none; font: bold 12px sans-serif; padding: 2px 0; cursor: pointer}
.imap-legend-row {cursor: default; padding: 1px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis}
.imap-legend-row[role=button] {cursor: pointer}
.imap-legend-row.imap-off {opacity: .4; text-decoration: line-through}
.imap-swatch {display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
.imap-switch {background: #fff; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); display: flex}
.imap-view-btn {border: 0; background: #fff; font: 12px sans-serif; padding: 5px 8px; cursor: pointer}
.imap-view-btn.imap-on {background: #2a6fb0; color: #fff}
.imap-tile-note {background: rgba(255,255,255,.92); padding: 3px 6px; font: 11px sans-serif; border-radius: 3px}
.imap-label {font: 11px sans-serif; color: #333; white-space: nowrap; text-shadow: 0 0 3px #fff}
.leaflet-container {background: #dfe9f2}
</style>
"""

# Tile sources offered in the map's layer control (name: URL template, attribution, subdomains, max zoom).
# Attributions are the providers' required credits; they are constant text from this file.
OSM_CREDIT = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
CARTO_CREDIT = OSM_CREDIT + ' &copy; <a href="https://carto.com/attributions">CARTO</a>'
TILES: dict[str, tuple[str, str, str, int]] = {
    "CARTO Voyager": ("https://{s}.basemaps.cartocdn.com/rastertiles/voyager/{z}/{x}/{y}{r}.png", CARTO_CREDIT,
                      "abcd", 20),
    "OpenStreetMap": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_CREDIT, "", 19),
    "CARTO Light": ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", CARTO_CREDIT, "abcd", 20),
    "CARTO Dark": ("https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png", CARTO_CREDIT, "abcd", 20),
}
OFFLINE = "Offline (borders only)"
DEFAULT_TILES = "CARTO Voyager"
_TILE_ALIASES = {"osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap", "openstreetmapmapnik": "OpenStreetMap",
                 "cartovoyager": "CARTO Voyager", "voyager": "CARTO Voyager", "cartodbvoyager": "CARTO Voyager",
                 "cartolight": "CARTO Light", "cartodbpositron": "CARTO Light", "positron": "CARTO Light",
                 "cartodark": "CARTO Dark", "cartodbdarkmatter": "CARTO Dark", "darkmatter": "CARTO Dark",
                 "offline": OFFLINE, "none": OFFLINE, "off": OFFLINE, "false": OFFLINE, "no": OFFLINE}
TILE_WAIT_MS = 5000  # no real tile by then: the tiles are taken as unreachable


def tile_choice(setting: str | None) -> str:
    """The base layer a deploy starts with, from the ``map_tiles`` secret: unset is
    :data:`DEFAULT_TILES`; ``offline`` (or ``none``) draws the offline borders only, with no
    tile requests; a name of :data:`TILES` or a folium name for one ("OpenStreetMap",
    "CartoDB positron", "CartoDB dark_matter") starts with it. Unknown names fall back to
    the default."""
    if setting is None or not setting.strip():
        return DEFAULT_TILES
    key = re.sub(r"[^a-z]", "", setting.casefold())
    return _TILE_ALIASES.get(key) or next((name for name in TILES if re.sub(r"[^a-z]", "", name.casefold()) == key),
                                          DEFAULT_TILES)


class Basemap(MacroElement):  # type: ignore[misc]
    """What is under the incidents: tiles with a layer control to pick them, falling back to
    offline borders and labels when tiles do not load, and admin-1 boundaries.

    The offline layers (Natural Earth countries, filled, and major cities as DOM text) are
    fetched from the app's static files, never embedded (1.2 MB would travel with every
    rerun). Tiles count as loaded when one real tile arrives: an error, a blank stand-in
    (a 1x1 image, as captive portals and the browser tests answer) or nothing within
    ``TILE_WAIT_MS`` switches to the offline layer with a note in the map. The state is
    ``window.__imapBasemap`` ("tiles:<name>", "offline" or "fallback")."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var o = {{ this.opts_json }};
  var offline = L.layerGroup();
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  fetch(o.countries).then(function (r) { return r.json(); }).then(function (data) {
    offline.addLayer(L.geoJSON(data, {interactive: false, style: {color: "#7a7a7a", weight: 1, fillColor: "#f4f1ea",
                                                                  fillOpacity: 1}}));
    if (map.hasLayer(offline)) { offline.eachLayer(function (l) { if (l.bringToBack) { l.bringToBack(); } }); }
    window.__imapBorders = true;
  }).catch(function () {});
  var labels = L.layerGroup();
  o.labels.forEach(function (p) {
    var span = el("span", null, p[0]);
    labels.addLayer(L.marker([p[1], p[2]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: "imap-label", html: span, iconSize: null})}));
  });
  offline.addLayer(labels);
  fetch(o.admin1).then(function (r) { return r.json(); }).then(function (data) {
    window.__imapAdmin1 = L.geoJSON(data, {interactive: false, style: {color: "#8c8c8c", weight: 0.8, fill: false,
                                                                      dashArray: "3 3", opacity: 0.9}}).addTo(map);
  }).catch(function () {});
  var note = null;
  function say(text) {
    if (note) { note.remove(); note = null; }
    if (!text) { return; }
    note = L.control({position: "bottomleft"});
    note.onAdd = function () { return el("div", "imap-tile-note", text); };
    note.addTo(map);
  }
  var bases = {};
  o.tiles.forEach(function (t) {
    var layer = L.tileLayer(t[1], {attribution: t[2], subdomains: t[3] || "abc", maxZoom: t[4],
                                   detectRetina: false});
    var good = 0, bad = 0, timer = null;
    function fail() {
      if (good || !map.hasLayer(layer)) { return; }
      map.removeLayer(layer);
      map.addLayer(offline);
      window.__imapBasemap = "fallback";
      say(t[0] + " tiles did not load: showing the offline borders. Pick a basemap in the layer control to retry.");
    }
    layer.on("tileload", function (e) {
      if (e.tile && e.tile.naturalWidth >= 64) {
        good += 1;
        if (good === 1) { window.__imapBasemap = "tiles:" + t[0]; say(null); }
      } else if (++bad >= 3) { setTimeout(fail, 0); }  // not inside Leaflet's own tile handling
    });
    layer.on("tileerror", function () { if (++bad >= 3) { setTimeout(fail, 0); } });
    layer.on("add", function () {
      good = 0; bad = 0;
      if (map.hasLayer(offline)) { map.removeLayer(offline); }
      clearTimeout(timer);
      timer = setTimeout(fail, o.wait);
    });
    layer.on("remove", function () { clearTimeout(timer); });
    bases[t[0]] = layer;
  });
  bases[o.offline] = offline;
  window.__imapOffline = offline;
  offline.on("add", function () { if (window.__imapBasemap !== "fallback") { window.__imapBasemap = "offline"; } });
  if (o.tiles.length) {
    L.control.layers(bases, null, {position: "topleft", collapsed: true}).addTo(map);
  }
  map.addLayer(bases[o.start] || offline);
})();
{% endmacro %}
""")

    def __init__(self, start: str, labels: list[tuple[str, float, float]], countries: str, admin1: str) -> None:
        super().__init__()
        tiles = [] if start == OFFLINE else [[name, *source] for name, source in TILES.items()]
        self.opts_json = script_json({"start": start, "tiles": tiles, "offline": OFFLINE, "labels": labels,
                                      "countries": countries, "admin1": admin1, "wait": TILE_WAIT_MS})


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


def base_map(labels: list[tuple[str, float, float]], *, tiles: str | None = None,
             center: tuple[float, float] = (33.5, 41.0), zoom: int = 5, assets: str = ASSETS) -> folium.Map:
    """The map under the incidents (see :class:`Basemap`). ``tiles`` is the ``map_tiles``
    setting (:func:`tile_choice`): unset starts with :data:`DEFAULT_TILES`, ``offline``
    never asks for tiles.

    ``maxZoom`` is set explicitly: without a tile layer Leaflet has none, and the marker
    cluster plugin refuses to start ("Map has no maxZoom specified")."""
    m = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=True,
                   maxZoom=18)
    # Only Leaflet: popups here are DOM nodes, so folium's jQuery/Bootstrap are not needed.
    m.default_js = [("leaflet", f"{assets}/leaflet/leaflet.js")]
    m.default_css = [("leaflet_css", f"{assets}/leaflet/leaflet.css")]
    Basemap(tile_choice(tiles), labels, BORDERS, ADMIN1).add_to(m)
    m.get_root().header.add_child(folium.Element(_CSS))  # type: ignore[attr-defined]
    return m


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
                   tolls: Mapping[str, tuple[str, str]] | None = None) -> folium.FeatureGroup:
    """The incident markers as a feature group, for ``st_folium(feature_group_to_add=…)``,
    with the markers / heatmap / precision switch. ``focus`` is the event_id to fly to;
    ``sources``, ``chains`` and ``tolls`` add to the popups (:func:`incident_rows`)."""
    fg = folium.FeatureGroup(name="Incidents")
    rows = incident_rows(incidents, colors, sources, chains, tolls)
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
