"""What the map draws for a view: markers with popups, or counts per grid cell.

Markers are drawn when the incidents that pass the filters are few (then all of them,
and panning or zooming needs nothing new from the server), or when the view holds few,
or when zoomed in close. Otherwise the view shows grid cells, about 60 pixels wide at its
zoom, each with its count and the colour of its most frequent group. Data is sent for a
box padded around the view, so a small pan asks for nothing new (:meth:`Plan.covers`).
What a rerun sends is bounded by ``MARKER_LIMIT`` popups or by the cells that fit a
screen, whatever the store holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from geo.filters import Filters
from geo.records import Incident
from geo.store.columns import Columns, searched
from geo.store.database import Store
from geo.store.groups import Hierarchy, bundled
from geo.store.queries import BBox, Cell, cell_size, points
from geo.store.reports import by_source, reports_for, toll_range, unchecked

__all__ = ["MARKER_LIMIT", "CLOSE_ZOOM", "FOCUS_ZOOM", "View", "Plan", "plan", "DEFAULT_VIEW", "view_from_map",
           "focus_view", "with_focus", "fitted_view", "fit_centre", "pixel_size", "MAP_SIZE"]

MARKER_LIMIT = 2000  # markers with popups in one view: ~1 MB of popup text at most
CLOSE_ZOOM = 13  # from here on (a town's streets), markers even when there are more: the newest first


@dataclass(frozen=True, slots=True)
class View:
    """What the map shows: its box and zoom level."""

    bbox: BBox
    zoom: int


DEFAULT_VIEW = View(BBox(21.0, 15.0, 46.0, 67.0), 5)  # the base map's start: the Middle East at zoom 5


@dataclass(frozen=True, slots=True)
class Plan:
    mode: str  # "points" or "cells"
    box: BBox | None  # the area the data covers; None: every incident that passes the filters
    zoom: int | None  # the zoom the data was made for; None: right at any zoom
    in_box: int  # incidents (placed, passing the filters) in the box
    incidents: list[Incident] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    bounds: BBox | None = None  # around every placed incident that passes the filters: what "fit to data" shows
    sources: dict[str, list[str]] = field(default_factory=dict)  # event_id -> the sources merged into it
    chains: dict[str, str] = field(default_factory=dict)  # group -> who reporting files it under (geo.store.groups)
    tolls: dict[str, tuple[str, str]] = field(default_factory=dict)  # event_id -> (toll range, figures by source)
    unchecked: frozenset[str] = frozenset()  # pins read with low confidence that nobody has checked yet

    def covers(self, view: View) -> bool:
        """Whether this plan still serves ``view`` (no new data needed)."""
        if self.box is None:
            return True
        inside = (self.box.south <= view.bbox.south and view.bbox.north <= self.box.north
                  and self.box.west <= view.bbox.west and view.bbox.east <= self.box.east)
        return inside and (self.zoom is None or self.zoom == view.zoom)


def _padded(box: BBox) -> BBox:
    """``box`` grown by half its size on every side, within the world."""
    dy, dx = (box.north - box.south) / 2, (box.east - box.west) / 2
    return BBox(max(-90.0, box.south - dy), max(-180.0, box.west - dx), min(90.0, box.north + dy),
                min(180.0, box.east + dx))


def plan(store: Store, columns: Columns, f: Filters, view: View | None, hierarchy: Hierarchy | None = None,
         matched: npt.NDArray[np.bool_] | None = None, deadline_s: float | None = None,
         ids: Sequence[str] | None = None) -> Plan:
    """What to draw for ``f`` seen through ``view`` (``None``: the map's first view);
    ``hierarchy`` gives the popups each group's parents (default: the bundled links). With a
    search, ``matched`` says which incidents match it (``Columns.matched``; asked of the store
    when not given) and the markers' rows are read within ``deadline_s``, or by ``ids`` when the
    search index gave them (``geo.store.queries.where``)."""
    hierarchy = hierarchy or bundled()
    if matched is None:
        matched = searched(store, columns, f, deadline_s)
    passing = columns.mask(f, matched if f.search.strip() else None) & columns.placed
    total, bounds = int(passing.sum()), columns.bounds(passing)
    if total == 0:  # nothing to read: a search that matches nothing costs its one scan, no more
        return Plan("points", None, None, 0)
    if total <= MARKER_LIMIT:
        return _markers(store, f, None, None, total, bounds, hierarchy, deadline_s, ids)
    view = view or DEFAULT_VIEW
    box = _padded(view.bbox)
    keep = passing & columns.inside(box)
    in_box = int(keep.sum())
    if in_box <= MARKER_LIMIT:
        return _markers(store, f, box, None, in_box, bounds, hierarchy, deadline_s, ids)
    if view.zoom >= CLOSE_ZOOM:
        return _markers(store, f, box, view.zoom, in_box, bounds, hierarchy, deadline_s, ids)
    return Plan("cells", box, view.zoom, in_box, cells=columns.cells(keep, cell_size(view.zoom)), bounds=bounds)


def _markers(store: Store, f: Filters, box: BBox | None, zoom: int | None, in_box: int, bounds: BBox | None,
             hierarchy: Hierarchy, deadline_s: float | None, ids: Sequence[str] | None) -> Plan:
    """A plan of the newest ``MARKER_LIMIT`` markers in ``box``, with what their popups
    add: the reports merged into each, its group's parents, and the tolls by source where
    several reports give figures."""
    incidents = points(store, f, box, MARKER_LIMIT, deadline_s if f.search.strip() else None, ids)
    ids = [i.event_id for i in incidents]
    merged = store.sources_for(ids)
    names = {event_id: [s.source or s.source_url for s in found] for event_id, found in merged.items()}
    chains = {g: text for g in {i.group for i in incidents} if (text := hierarchy.chain_text(g))}
    told = reports_for(store, [i for i in ids if i in merged])
    tolls = {i.event_id: (toll_range(i, told[i.event_id]), by_source(told[i.event_id]))
             for i in incidents if len(told.get(i.event_id, ())) > 1}
    return Plan("points", box, zoom, in_box, incidents, bounds=bounds, sources=names, chains=chains, tolls=tolls,
                unchecked=frozenset(unchecked(store, [i.event_id for i in incidents if i.confidence is not None])))


FOCUS_ZOOM = 14  # a focused incident is shown at street level, where markers are always drawn (>= CLOSE_ZOOM)


def focus_view(latitude: float, longitude: float) -> View:
    """A close view around one incident (what the map flies to when a table row is picked):
    its plan always draws markers, so the incident is among them, not inside a cell."""
    return View(BBox(max(-90.0, latitude - 0.03), max(-180.0, longitude - 0.05), min(90.0, latitude + 0.03),
                     min(180.0, longitude + 0.05)), FOCUS_ZOOM)


def with_focus(plan: Plan, focused: Incident | None) -> list[Incident]:
    """The plan's markers, with ``focused`` among them (first) when it is not already; a
    plan of cells draws no markers and is returned as it is."""
    if plan.mode != "points" or focused is None or not focused.located:
        return plan.incidents
    if any(i.event_id == focused.event_id for i in plan.incidents):
        return plan.incidents
    return [focused, *plan.incidents]


def view_from_map(returned: object) -> View | None:
    """The view st_folium reports (``{"bounds": {"_southWest": {"lat", "lng"}, …}, "zoom"}``),
    or ``None`` when it has not reported one or reports something else."""
    if not isinstance(returned, dict):
        return None
    bounds, zoom = returned.get("bounds"), returned.get("zoom")
    if not isinstance(zoom, (int, float)) or isinstance(zoom, bool):
        return None
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        box = BBox(max(-90.0, float(sw["lat"])), max(-180.0, float(sw["lng"])),
                   min(90.0, float(ne["lat"])), min(180.0, float(ne["lng"])))
        level = int(zoom)
    except (KeyError, TypeError, ValueError):
        return None
    if not (box.south < box.north and box.west < box.east):
        return None
    return View(box, level)


# ----------------------------------------------------------------- the view a fit will show

MAP_SIZE = (1000, 560)  # pixels, until the map has reported its own (geo/ui/map.py: st_folium's height is 560)
FIT_PADDING = 30  # as static/js/incident-layer.js fits the data: fitBounds(…, {padding: [30, 30], maxZoom: 10})
FIT_MAX_ZOOM = 10
_TILE = 256
_MAX_LATITUDE = 85.0511287798  # Web Mercator's edge


def _y(latitude: float) -> float:
    """Web Mercator y in world units (0 at the top, 1 at the bottom)."""
    phi = math.radians(max(-_MAX_LATITUDE, min(_MAX_LATITUDE, latitude)))
    return (1 - math.asinh(math.tan(phi)) / math.pi) / 2


def _latitude(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


def pixel_size(view: View) -> tuple[int, int] | None:
    """The map's size in pixels, from a view it reported (``None`` when its box was cut at the
    world's edge, so the size cannot be read from it)."""
    box = view.bbox
    if box.west <= -180.0 or box.east >= 180.0 or box.north >= _MAX_LATITUDE or box.south <= -_MAX_LATITUDE:
        return None
    scale = _TILE * 2**view.zoom
    return round((box.east - box.west) / 360 * scale), round((_y(box.south) - _y(box.north)) * scale)


def fit_centre(bounds: BBox, zoom: int) -> tuple[float, float, int]:
    """Where a fit to ``bounds`` centres the map (the middle in projected space), at ``zoom``:
    the map's first view, so it opens where the fit would take it and reports no other view first."""
    return _latitude((_y(bounds.north) + _y(bounds.south)) / 2), (bounds.west + bounds.east) / 2, zoom


def fitted_view(bounds: BBox, size: tuple[int, int]) -> View:
    """The view the browser will show when the map is fitted to ``bounds`` on a map of
    ``size`` pixels, worked out as Leaflet's ``fitBounds`` does (the largest whole zoom at
    which the box fits inside the padding, up to ``FIT_MAX_ZOOM``, centred in projected
    space). Planning for it at once saves the second run a fit would otherwise cause: the
    map reports the fitted view, and a plan made for it already covers it."""
    width, height = size
    dx = (bounds.east - bounds.west) / 360
    dy = _y(bounds.south) - _y(bounds.north)
    room_x, room_y = max(width - 2 * FIT_PADDING, 1), max(height - 2 * FIT_PADDING, 1)
    scale = min(room_x / (dx * _TILE) if dx > 0 else math.inf, room_y / (dy * _TILE) if dy > 0 else math.inf)
    zoom = FIT_MAX_ZOOM if math.isinf(scale) else min(FIT_MAX_ZOOM, max(0, math.floor(round(math.log2(scale), 2))))
    cx, cy = (bounds.west + 180) / 360 + dx / 2, (_y(bounds.north) + _y(bounds.south)) / 2
    world = _TILE * 2**zoom
    half_x, half_y = width / 2 / world, height / 2 / world
    box = BBox(max(-90.0, _latitude(min(1.0, cy + half_y))), max(-180.0, (cx - half_x) * 360 - 180),
               min(90.0, _latitude(max(0.0, cy - half_y))), min(180.0, (cx + half_x) * 360 - 180))
    return View(box, zoom)
