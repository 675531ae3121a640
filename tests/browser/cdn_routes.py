"""Serve the CDN files folium / streamlit-folium ask for from local copies.

Browser tests run offline. streamlit-folium loads folium's ``default_js`` one by one
(``await`` on each ``<script>`` ``onload``; an ``onerror`` rejects the chain and the map
is never drawn), so an unreachable CDN means no map, and a hanging one means a slow
test. Install :class:`CdnRouter` on a page (or context)::

    router = CdnRouter()
    router.install(page)          # page.route("**/*", router.handle)
    ...
    assert not router.unexpected  # nothing outside the known CDN list was asked for

Rules, per request:

* ``localhost`` / ``127.0.0.1`` / ``[::1]`` (and ``data:``/``blob:``): ``route.continue_()``.
* A CDN URL with a local file (``static/vendor/`` first, then ``node_modules/``):
  fulfilled from that file.
* Any other URL: fulfilled with an empty ``200`` of a matching content type (a 1x1
  transparent PNG for images such as map tiles) and recorded. No non-local request is
  ever continued, so nothing leaves the machine.
"""

from __future__ import annotations

import mimetypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
NODE_MODULES = ROOT / "node_modules"

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

# URL prefix (ending in "/") -> local directories searched in order for the rest of the
# URL path; or exact URL -> local files tried in order.
PREFIX_DIRS: list[tuple[str, list[Path]]] = [
    # folium.Map default_js: jQuery 3.7.1 (folium's Popup/Tooltip code calls $(...))
    ("https://code.jquery.com/jquery-3.7.1.min.js", [VENDOR / "jquery" / "jquery.min.js"]),
    ("https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js", [VENDOR / "jquery" / "jquery.min.js"]),
    # folium.folium._default_js / _default_css (Leaflet 1.9.3)
    ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/", [VENDOR / "leaflet", NODE_MODULES / "leaflet" / "dist"]),
    ("https://unpkg.com/leaflet@1.9.3/dist/", [VENDOR / "leaflet", NODE_MODULES / "leaflet" / "dist"]),
    # folium.plugins.MarkerCluster / FastMarkerCluster
    (
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/",
        [VENDOR / "leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"],
    ),
    (
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.1.0/dist/",
        [VENDOR / "leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"],
    ),
    (
        "https://unpkg.com/leaflet.markercluster@1.1.0/dist/",
        [VENDOR / "leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"],
    ),
]

# The CDN URLs folium 0.20 / streamlit-folium 0.27 put in a page for the layers this
# project uses; those without a local file are stubbed (empty 200) on purpose.
KNOWN_CDN_URLS: tuple[str, ...] = (
    # folium.Map default_js
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "https://code.jquery.com/jquery-3.7.1.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    # folium.Map default_css
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
    # Leaflet's own images (referenced from leaflet.css / default icon)
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/marker-icon.png",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/marker-icon-2x.png",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/marker-shadow.png",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/layers.png",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/layers-2x.png",
    # folium.plugins.MarkerCluster / FastMarkerCluster
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
    # folium.plugins.HeatMap
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js",
    # branca colormaps inside st_folium
    "https://d3js.org/d3.v4.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
)

# Map tiles (OpenStreetMap, CartoDB, Esri, Stamen/Stadia...): stubbed with a blank PNG.
TILE_RE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp|pbf)(\?|$)|tile", re.IGNORECASE)

# 1x1 transparent PNG.
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)

_CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".html": "text/html; charset=utf-8",
    ".pbf": "application/x-protobuf",
}
_RESOURCE_TYPES = {
    "script": "application/javascript; charset=utf-8",
    "stylesheet": "text/css; charset=utf-8",
    "image": "image/png",
    "font": "font/woff2",
    "document": "text/html; charset=utf-8",
    "xhr": "application/json",
    "fetch": "application/json",
}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def content_type_for(url: str, resource_type: str | None = None) -> str:
    path = urlsplit(url).path.lower()
    suffix = Path(path).suffix
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    if resource_type in _RESOURCE_TYPES:
        return _RESOURCE_TYPES[resource_type]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def local_file_for(url: str) -> Path | None:
    """Local copy of a CDN URL, or None. Query strings and fragments are ignored."""
    bare = url.split("#", 1)[0].split("?", 1)[0]
    for prefix, dirs in PREFIX_DIRS:
        if bare == prefix:  # a single-file entry
            for d in dirs:
                if d.is_file():
                    return d
            return None
        if prefix.endswith("/") and bare.startswith(prefix):
            rest = bare[len(prefix):]
            if not rest or ".." in rest.split("/"):
                return None
            for d in dirs:
                candidate = d / rest
                if candidate.is_file():
                    return candidate
    return None


def vendored_url_map(base: str = "/app/static/vendor") -> dict[str, str]:
    """CDN URL -> URL under the app's static serving, for the vendored files only.

    Handy for the app (folium ``default_js``/``default_css`` rewriting) and tests.
    """
    out: dict[str, str] = {}
    for url in KNOWN_CDN_URLS:
        path = local_file_for(url)
        if path is not None and VENDOR in path.parents:
            out[url] = base.rstrip("/") + "/" + path.relative_to(VENDOR).as_posix()
    return out


@dataclass
class Served:
    url: str
    kind: str  # "file" | "stub" | "tile"
    path: str | None = None


@dataclass
class CdnRouter:
    """Playwright route handler; thread-safe records of what it did."""

    known: frozenset[str] = field(default_factory=lambda: frozenset(KNOWN_CDN_URLS))
    served: list[Served] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    continued_external: list[str] = field(default_factory=list)  # must stay empty
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ---- recorded views -------------------------------------------------
    @property
    def external(self) -> list[str]:
        """Every non-local URL the page asked for (all answered locally)."""
        return [s.url for s in self.served]

    @property
    def from_files(self) -> list[str]:
        return [s.url for s in self.served if s.kind == "file"]

    @property
    def stubbed(self) -> list[str]:
        return [s.url for s in self.served if s.kind == "stub"]

    @property
    def tiles(self) -> list[str]:
        return [s.url for s in self.served if s.kind == "tile"]

    @property
    def unexpected(self) -> list[str]:
        """Stubbed URLs that are neither known folium CDN URLs nor map tiles."""
        return [u for u in self.stubbed if u.split("#", 1)[0] not in self.known]

    # ---- wiring -----------------------------------------------------------
    def install(self, target: Any) -> CdnRouter:
        """``target`` is a Playwright ``Page`` or ``BrowserContext`` (sync API)."""
        target.route("**/*", self.handle)
        return self

    def handle(self, route: Any, request: Any | None = None) -> None:
        req = request if request is not None else route.request
        url = req.url
        if is_local(url):
            with self._lock:
                self.local.append(url)
            route.continue_()
            return
        path = local_file_for(url)
        if path is not None:
            with self._lock:
                self.served.append(Served(url, "file", str(path)))
            route.fulfill(
                status=200,
                body=path.read_bytes(),
                headers={
                    "content-type": content_type_for(str(path), req.resource_type),
                    "access-control-allow-origin": "*",
                },
            )
            return
        resource_type = getattr(req, "resource_type", None)
        ctype = content_type_for(url, resource_type)
        is_tile = url not in self.known and (resource_type == "image" or ctype.startswith("image/")) and bool(
            TILE_RE.search(url)
        )
        body = BLANK_PNG if ctype == "image/png" or (resource_type == "image" and not ctype.startswith("image/svg")) else b""
        if body:
            ctype = "image/png"
        with self._lock:
            self.served.append(Served(url, "tile" if is_tile else "stub"))
        route.fulfill(status=200, body=body, headers={"content-type": ctype, "access-control-allow-origin": "*"})
