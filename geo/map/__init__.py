"""The incident map: which incidents a view shows, and how the browser draws them.

The server side runs in two steps over the incidents' compact columns
(:class:`geo.store.columns.Columns`, which count incidents per grid cell in tens of
milliseconds), each module importing only the ones before it:

- ``plan`` (:class:`Plan`, ``plan.plan``): for a view and the filters, markers with popups
  (few incidents, or zoomed in close) or counts per grid cell, for a box padded around the
  view so a small pan needs nothing new;
- ``layer`` and ``basemap``: the folium elements. ``basemap`` is the map under the incidents
  (tiles, offline borders and labels, admin-1 lines); ``layer`` packs the plan's incidents or
  cells as JSON, with group colours, popup rows and the legend.

The browser side is plain JavaScript in ``static/js/`` (``dom.js``, ``basemap.js``,
``incident-layer.js``, with their styles in ``static/css/``), served by the app like the vendored Leaflet files in
``static/vendor/`` and linked through folium's ``default_js``/``default_css``; the Python
elements pass it data only. ``npx eslint static/js`` lints it (``.ci/run``).

The function ``plan.plan`` is not re-exported here: under that name it would hide the
``geo.map.plan`` module (``from geo.map import plan``).
"""

from geo.map.basemap import OFFLINE, TILES, base_map, place_labels, tile_choice
from geo.map.layer import (
    OTHER_COLOR,
    PRECISION_LABEL,
    IncidentLayer,
    cell_layer,
    group_color,
    group_colors,
    incident_layer,
    incident_rows,
)
from geo.map.plan import DEFAULT_VIEW, MARKER_LIMIT, Plan, View, view_from_map

__all__ = ["Plan", "View", "DEFAULT_VIEW", "MARKER_LIMIT", "view_from_map", "IncidentLayer",
           "incident_layer", "cell_layer", "incident_rows", "group_color", "group_colors", "OTHER_COLOR",
           "PRECISION_LABEL", "base_map", "place_labels", "tile_choice", "TILES", "OFFLINE"]
