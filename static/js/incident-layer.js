/*
 * The incident layer (geo/map/layer.py, class IncidentLayer): incidents drawn in the browser
 * from packed JSON, as markers with popups (clustered unless told not to) or, for many
 * incidents, grid cells showing a count in the colour of the cell's most frequent group.
 *
 * The same data can be drawn four ways, switched in the map without a rerun (the choice is
 * kept in the page while layers come and go): markers (or cells), a heatmap (Leaflet.heat;
 * cells weigh by their count), a precision view where an incident placed "near a place", at a
 * province or a country is a circle of about that size, and a view sized by the number killed.
 * Clicking a legend entry hides or shows its group.
 *
 * Popups are DOM nodes filled with textContent (imap.el, static/js/dom.js): text from
 * articles is never parsed as HTML. A new layer first empties the one it replaces
 * (streamlit-folium swaps layers on every rerun).
 *
 * imap.incidentLayer(parent, data, legend, opts) draws into the feature group `parent` and
 * returns the Leaflet layer; the Python side passes data only:
 *   data   the packed columns (layer.py, _packed_points or _packed_cells; "mode" says which);
 *   legend [[label, colour, toggles]…];
 *   opts   {clustered, views, fit: [south, west, north, east] | null, fitKey, focus, focusKey,
 *           focusZoom}.
 * Tests and benchmarks read window.__imapLayer (imapCount, imapShown, imapMode, imapView).
 */
(function (imap) {
  "use strict";

  imap.incidentLayer = function (parent, data, legend, opts) {
    var el = imap.el;
    var previous = window.__imapLayer;
    var reopen = window.__imapFocusOpen && opts.focusKey && window.__imapFocusKey === opts.focusKey;
    window.__imapReplacing = true;  // a popup closed by the swap is not one the user closed
    if (window.__imapCtl) { window.__imapCtl.destroy(); }
    if (previous) { previous.clearLayers(); previous.off(); if (previous.imapLegend) { previous.imapLegend.remove(); } }
    window.__imapReplacing = false;
    var hidden = window.__imapHidden || (window.__imapHidden = {});
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
    // Playback: markers up to a day (days since 1970-01-01), stepped a week at a time in the
    // browser, with no rerun; null shows every incident.
    var play = {upto: null, timer: null};
    function shown(k) {
      return !(data.group && hidden[groups[data.group[k]]]) && (play.upto === null || !(data.day && data.day.length) || data.day[k] <= play.upto);
    }
    var RADIUS_KM = {2: 10, 3: 60, 4: 250};  // what "near a place", a province and a country stand for
    var markers = {};
    function marker(k) {
      var color = data.colors[data.color[k]];
      // A pin read with low confidence that nobody has checked is drawn faded, with a dashed ring.
      var icon = L.divIcon({className: unsure[k] ? "imap-dot imap-unsure" : "imap-dot", iconSize: [14, 14],
                            html: '<span style="background:' + color + '"></span>'});
      var m = L.marker([data.lat[k], data.lon[k]], {icon: icon,
                                                    title: data.popup[k][0] + (unsure[k] ? " (pin not checked)" : ""),
                                                    imapColor: color, zIndexOffset: front[k] ? 1000 : 0});
      m.bindPopup(function () { return popup(data.popup[k]); }, {maxWidth: 320});
      markers[k] = m;
      return m;
    }
    var front = {};
    (data.front || []).forEach(function (k) { front[k] = true; });
    var unsure = {};
    (data.unsure || []).forEach(function (k) { unsure[k] = true; });
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
        var clusterOptions = {maxClusterRadius: 35, showCoverageOnHover: false, chunkedLoading: true,
          iconCreateFunction: function (c) {
            var tally = {}, best = null;
            c.getAllChildMarkers().forEach(function (m) {
              tally[m.options.imapColor] = (tally[m.options.imapColor] || 0) + 1;
              if (best === null || tally[m.options.imapColor] > tally[best]) { best = m.options.imapColor; }
            });
            return bubble(c.getChildCount(), best, "imap-cluster");
          }};
        // Not clustered (a handful of candidates): every marker on its own from zoom 1 on.
        if (!opts.clustered) { clusterOptions.disableClusteringAtZoom = 1; }
        layer = L.markerClusterGroup(clusterOptions);
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
      drawPlay();
      window.__imapPlay = {upto: play.upto === null ? null : isoDay(play.upto), playing: !!play.timer};
      return layer;
    }
    var legendBox = null, switchBox = null, playBox = null;
    var days = data.day || [];
    var firstDay = days.length ? Math.min.apply(null, days) : 0, lastDay = days.length ? Math.max.apply(null, days) : 0;
    function isoDay(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }
    function stop() { if (play.timer) { clearInterval(play.timer); play.timer = null; } }
    function step() {  // the next week; past the last incident, every incident again
      play.upto = play.upto === null ? firstDay + 6 : play.upto + 7;
      if (play.upto >= lastDay + 7) { play.upto = null; stop(); }
      render();
    }
    function drawPlay() {
      if (!playBox) { return; }
      var div = playBox.getContainer();
      if (!div) { return; }
      while (div.firstChild) { div.removeChild(div.firstChild); }
      var go = el("button", "imap-view-btn" + (play.timer ? " imap-on" : ""), play.timer ? "\u275a\u275a Pause" : "\u25b6 Play");
      go.type = "button"; go.setAttribute("data-play", "play");
      go.title = "Play the incidents week by week, as they happened";
      go.onclick = function () {
        if (play.timer) { stop(); drawPlay(); return; }
        if (play.upto === null) { play.upto = firstDay - 1; }
        play.timer = setInterval(step, 800);
        step();
      };
      var next = el("button", "imap-view-btn", "Week \u203a");
      next.type = "button"; next.setAttribute("data-play", "step"); next.title = "One week further";
      next.onclick = function () { stop(); step(); };
      div.appendChild(go); div.appendChild(next);
      var shownNow = ctl.current ? ctl.current.imapShown : n;
      div.appendChild(el("span", "imap-play-label", play.upto === null ? "All dates"
        : "Up to " + isoDay(play.upto) + " \u00b7 " + shownNow + " of " + n));
    }
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
      stop();
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
      if (opts.views && data.mode !== "cells" && days.length > 1 && lastDay > firstDay) {
        playBox = L.control({position: "bottomleft"});
        playBox.onAdd = function () { var d = el("div", "imap-switch imap-play"); L.DomEvent.disableClickPropagation(d); return d; };
        playBox.addTo(map); ctl.controls.push(playBox);
      }
      drawLegend(); drawSwitch(); drawPlay();
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
  };
})(window.imap = window.imap || {});
