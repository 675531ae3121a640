"""The map under the incidents: a folium map with tiles to pick from, offline borders and
place labels when tiles do not load, and admin-1 boundaries.

The browser side is ``static/js/basemap.js`` (with ``static/js/dom.js`` and
``static/css/basemap.css``), served by the app like the vendored Leaflet files and loaded
through folium's asset lists (``default_js``/``default_css``); this module passes it data
only. :func:`static_asset` and :func:`script_json` are shared with :mod:`geo.map.layer`.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.gazetteer import Gazetteer

__all__ = ["ASSETS", "STATIC", "static_asset", "script_json", "DataElement", "TILES", "OFFLINE", "DEFAULT_TILES", "tile_choice",
           "Basemap", "place_labels", "base_map"]

# The repository's static/ folder as the app serves it (Streamlit static serving,
# ``[server] enableStaticServing`` in .streamlit/config.toml), the same origin as the map's iframe.
STATIC = "/app/static"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
# Leaflet and its plugins are served by the app itself (``static/vendor``), never from a CDN,
# so the map draws offline and on locked-down networks.
ASSETS = f"{STATIC}/vendor"
BORDERS = f"{STATIC}/basemap/countries.geojson"  # Natural Earth (static/basemap)
ADMIN1 = f"{STATIC}/basemap/admin1.geojson"  # provinces of the region (scripts/build_admin1_boundaries.py)


def static_asset(path: str) -> str:
    """The URL the browser loads ``static/<path>`` from (one of the map's own scripts or
    styles, ``js/…``), with a hash of its content: a deploy (or an edit) that changes the
    file changes the URL, so no browser runs a cached script against data of a newer shape.
    A missing file fails here, when the map is built, not silently in the browser."""
    return _hashed(path, (STATIC_DIR / path).stat().st_mtime_ns)


@cache
def _hashed(path: str, mtime_ns: int) -> str:
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"{STATIC}/{path}?v={digest}"


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_braces(match: re.Match[str]) -> str:
    return match.group(0).replace("{", "\\u007b").replace("}", "\\u007d")


def script_json(value: Any) -> str:
    """JSON that is safe to place inside a ``<script>``: no ``</script>``, no HTML specials,
    and no ``{`` or ``}`` inside strings where they could start Jinja syntax.

    The braces matter because folium (branca) compiles each element's rendered script
    *again* as a Jinja template on every render: a note holding ``{%`` or ``{#`` would
    fail that compile (and blank the map for every visitor), and ``{{ … }}`` would be
    evaluated on the server. Escaped as ``\\u007b``/``\\u007d`` they are the same
    characters to the browser and nothing to Jinja. JSON's own braces, outside strings,
    never form ``{{``, ``{%`` or ``{#``, so text holding none of the three is left as it is
    (the escaping visits every string: a tenth of a second for a layer of 2,000 markers)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    if "{{" in text or "{%" in text or "{#" in text:
        text = _JSON_STRING.sub(_escape_braces, text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Text(Element):  # type: ignore[misc]
    """Text placed in the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class DataElement(JSCSSMixin):  # type: ignore[misc]
    """An element whose script carries data (the incidents, the labels): rendered into the
    page's script once. branca would compile the rendered script again as a Jinja template,
    lexing every byte of the data (0.05 s for a layer of 2,000 markers, on every rerun),
    though nothing in it is a template. The template has only a ``script`` macro."""

    def render(self, **kwargs: Any) -> str:
        """Adds the element's links to the page's header and its script to the page's script."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "an element is rendered in a figure"
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        figure.script.add_child(_Text(self._template.module.script(self, kwargs)), name=self.get_name())
        return ""


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


class Basemap(DataElement):
    """What is under the incidents: tiles with a layer control to pick them, falling back to
    offline borders and labels when tiles do not load, and admin-1 boundaries.

    The offline layers (Natural Earth countries, filled, and major cities as DOM text) are
    fetched from the app's static files, never embedded (1.2 MB would travel with every
    rerun). Tiles count as loaded when one real tile arrives: an error, a blank stand-in
    (a 1x1 image, as captive portals and the browser tests answer) or nothing within
    ``TILE_WAIT_MS`` switches to the offline layer with a note in the map. The state is
    ``window.__imapBasemap`` ("tiles:<name>", "offline" or "fallback"). The code that does
    this is ``static/js/basemap.js``; the element's script only calls it with the options."""

    _template = Template("""
{% macro script(this, kwargs) %}
imap.basemap({{ this._parent.get_name() }}, {{ this.opts_json }});
{% endmacro %}
""")

    def __init__(self, start: str, labels: list[tuple[str, float, float]], countries: str, admin1: str) -> None:
        super().__init__()
        self._name = "Basemap"
        self.default_js = [("imap_dom", static_asset("js/dom.js")), ("imap_basemap", static_asset("js/basemap.js"))]
        self.default_css = [("imap_basemap_css", static_asset("css/basemap.css"))]
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
    return m
