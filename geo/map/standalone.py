"""One HTML file of a map view that a newsroom can publish or send: the same base map,
markers or counts, legend and popups as the app draws, with Leaflet, the map's own scripts and
styles, the offline borders and the data inlined, so it opens from a disk with no network and
from any static host.

It is the app's map rendered once (:mod:`geo.map.basemap`, :mod:`geo.map.layer`), then every
asset the app would serve from ``static/`` written into the page: scripts and styles inline,
the images a stylesheet names and the borders the offline base map fetches as ``data:`` URLs.
The text of records reaches the page only as escaped JSON that the map's script puts into
popups with ``textContent`` (:func:`geo.map.basemap.script_json`), as in the app; the title and
the caption are HTML-escaped here.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path

import folium
import numpy as np
import numpy.typing as npt

from geo.filters import Filters
from geo.map import plan as mapplan
from geo.map.basemap import STATIC, STATIC_DIR, base_map
from geo.map.layer import cell_layer, group_colors, incident_layer
from geo.map.plan import Plan
from geo.store import columns, queries
from geo.store.columns import Columns
from geo.store.database import Store
from geo.store.groups import Hierarchy

__all__ = ["standalone_html", "view_html", "filtered_html", "ATTRIBUTION"]

ATTRIBUTION = ("Each incident's sources are in its popup. Base map: OpenStreetMap contributors or the tile "
               "layer chosen in it; offline borders: Natural Earth. Made with incident-map (Leaflet).")

_SCRIPT = re.compile(r'<script src="' + re.escape(STATIC) + r'/([^"?]+)(?:\?v=[0-9a-f]+)?"></script>')
_STYLE = re.compile(r'<link rel="stylesheet" href="' + re.escape(STATIC) + r'/([^"?]+)(?:\?v=[0-9a-f]+)?"/>')
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|https?:|/|#)([^)'\"]+)\1\)")
_STATIC_URL = re.compile(r'"' + re.escape(STATIC) + r'/([^"?]+\.geojson)"')


def _data_url(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or ("application/geo+json" if path.suffix == ".geojson" else
                                                 "application/octet-stream")
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _asset(relative: str) -> Path:
    path = (STATIC_DIR / relative).resolve()
    if STATIC_DIR.resolve() not in path.parents:
        raise ValueError(f"{relative}: not a file of static/")
    return path


def _script(match: re.Match[str]) -> str:
    code = _asset(match.group(1)).read_text(encoding="utf-8")
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _style(match: re.Match[str]) -> str:
    path = _asset(match.group(1))

    def inline(m: re.Match[str]) -> str:
        image = (path.parent / m.group(2)).resolve()
        return f"url({_data_url(image)})" if image.is_file() and STATIC_DIR.resolve() in image.parents else m.group(0)

    css = _CSS_URL.sub(inline, path.read_text(encoding="utf-8"))
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


def standalone_html(m: folium.Map, title: str, caption: str) -> str:
    """The map ``m`` (from :func:`geo.map.basemap.base_map`, with its incident layer added) as one
    self-contained page, titled ``title``, with ``caption`` (what it shows, and from where) above it."""
    page = m.get_root().render()
    page = _SCRIPT.sub(_script, page)
    page = _STYLE.sub(_style, page)
    page = _STATIC_URL.sub(lambda g: '"' + _data_url(_asset(g.group(1))) + '"', page)
    if STATIC + "/" in page:
        raise ValueError("the map still names a file of the app's static/ folder")
    head = (f"<title>{html.escape(title)}</title>\n<style>body{{margin:0;font-family:sans-serif}}"
            ".imap-export-caption{padding:6px 10px;font-size:14px}"
            ".imap-export-caption small{color:#555}</style>")
    top = (f'<div class="imap-export-caption"><strong>{html.escape(title)}</strong><br>'
           f"<small>{html.escape(caption)}</small></div>")
    page = page.replace("<head>", "<head>\n" + head, 1)
    return page.replace("<body>", "<body>\n" + top, 1)


def view_html(plan: Plan, colors: Mapping[str, str], labels: list[tuple[str, float, float]], *, title: str,
              caption: str, tiles: str | None = None) -> str:
    """The page of one planned view (:func:`geo.map.plan.plan`): its markers with their popups, or
    its counts per area, as the app draws them, fitted to what it shows."""
    m = base_map(labels, tiles=tiles)
    layer = (cell_layer(plan.cells, colors, fit=plan.bounds, fit_key="export") if plan.mode == "cells"
             else incident_layer(plan.incidents, colors, fit=plan.bounds, fit_key="export", sources=plan.sources,
                                 unchecked=plan.unchecked,
                                 chains=plan.chains, tolls=plan.tolls))
    layer.add_to(m)
    return standalone_html(m, title, caption)


def filtered_html(store: Store, chosen: Filters, hierarchy: Hierarchy, labels: list[tuple[str, float, float]], *,
                  title: str, kept: Columns | None = None, matched: npt.NDArray[np.bool_] | None = None,
                  view: mapplan.View | None = None) -> str:
    """The page for the incidents that pass ``chosen`` (a parent group taking in its fronts, as
    in the app), in ``view`` or all of them: markers up to the map's limit, else counts. The
    app passes the columns it holds and its search's answer; the CLI reads both here."""
    widened = hierarchy.widened(chosen)
    kept = kept if kept is not None else columns.load(store)
    if matched is None:
        matched = columns.searched(store, kept, chosen)
    plan = mapplan.plan(store, kept, widened, view, hierarchy, matched)
    found = kept.totals(kept.mask(widened, matched))
    options = kept.options()
    colors = group_colors(list(options.groups))
    start, end = max(chosen.start, options.first), min(chosen.end, options.last)  # "all dates": the data's span
    picked = [f"groups: {', '.join(chosen.groups)}" if chosen.groups else "",
              f"countries: {', '.join(chosen.countries)}" if chosen.countries else "",
              f"types: {', '.join(chosen.event_types)}" if chosen.event_types else "",
              f"search: {chosen.search}" if chosen.search else ""]
    shown = (f"{plan.in_box:,} incidents counted per area" if plan.mode == "cells"
             else f"{len(plan.incidents):,} incidents shown")
    caption = "; ".join(p for p in [f"{queries.summary(found)} from {start} to {end}", *picked, shown,
                                    ATTRIBUTION] if p)
    return view_html(plan, colors, labels, title=title, caption=caption)
