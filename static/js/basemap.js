/*
 * What is under the incidents (geo/map/basemap.py, class Basemap): tiles with a layer control
 * to pick them, falling back to offline borders and labels when tiles do not load, and
 * admin-1 boundaries.
 *
 * The offline layers (Natural Earth countries, filled, and major cities as DOM text) are
 * fetched from the app's static files, never embedded. Tiles count as loaded when one real
 * tile arrives: an error, a blank stand-in (a 1x1 image, as captive portals and the browser
 * tests answer) or nothing within o.wait milliseconds switches to the offline layer with a
 * note in the map. The state is window.__imapBasemap ("tiles:<name>", "offline" or
 * "fallback").
 *
 * imap.basemap(map, o) with o = {start, tiles: [[name, url, attribution, subdomains, maxZoom]…],
 * offline (the offline layer's name), labels: [[text, lat, lon]…], countries, admin1 (URLs),
 * wait (ms)}.
 */
(function (imap) {
  "use strict";

  imap.basemap = function (map, o) {
    var el = imap.el;
    var offline = L.layerGroup();
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
  };
})(window.imap = window.imap || {});
