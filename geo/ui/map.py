"""The map panel: a Streamlit fragment that reruns alone when the map is panned or zoomed.

It also keeps the map's side of the focus contract: ``st.session_state["map_focus"]`` holds
an event_id (the table's row selection sets it); the map plans a close view around that
incident, draws it as a marker, flies there and opens its popup (``geo.map.layer``)."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.filters import Filters, Options
from geo.map import basemap
from geo.map import layer as mapview
from geo.map import plan as mapplan
from geo.records import Incident
from geo.store.database import QueryTimedOut, Store
from geo.ui.state import labels_now, load_bounds, load_plan, remember_view, secret, write_url

__all__ = ["map_panel", "focused_incident", "stale_view", "expect_fitted_view"]


@st.fragment
def map_panel(store: Store, version: tuple[str, int], chosen: Filters, options: Options, colors: dict[str, str]) -> None:
    """The map alone reruns when it is panned or zoomed, and asks for new data only when
    the view leaves the area (or zoom) its data was made for."""
    focused = focused_incident(store)
    centre = st.session_state.get("map_centre")  # a link's map=LAT,LON,ZOOM
    fit_key = f"{version}|{chosen}"  # fit the map to the data once per filter choice and store revision
    # a link's own view is kept until the filters or the data change
    fits = not (centre is not None and st.session_state.setdefault("first_fit_key", fit_key) == fit_key)
    fitted = None
    if fits and focused is None and st.session_state.get("_map_fit_key") != fit_key:
        fitted = expect_fitted_view(version, chosen)
        st.session_state["_map_fit_key"] = fit_key
    try:
        plan = load_plan(version, chosen, st.session_state.get("map_view"))
    except QueryTimedOut:
        st.warning("Reading the markers for this search took too long: narrow the dates or use more specific words.")
        return
    fit = plan.bounds if fits else None
    layer = (mapview.cell_layer(plan.cells, colors, fit=fit, fit_key=fit_key) if plan.mode == "cells"
             else mapview.incident_layer(mapplan.with_focus(plan, focused), colors, fit=fit, fit_key=fit_key,
                                         focus=focused.event_id if focused else "", focus_zoom=mapplan.FOCUS_ZOOM,
                                         sources=plan.sources, chains=plan.chains, tolls=plan.tolls,
                                         unchecked=plan.unchecked))
    start = st.session_state.setdefault("_map_start", (centre.latitude, centre.longitude, centre.zoom) if centre
                                        else mapplan.fit_centre(fit, fitted.zoom) if fit and fitted else None)
    base = basemap.base_map(labels_now(), tiles=secret("map_tiles"),  # the same each run: the map is drawn once
                            **({"center": start[:2], "zoom": start[2]} if start else {}))
    returned = st_folium(base, key="incident_map", height=560, use_container_width=True,
                         returned_objects=["bounds", "zoom"], feature_group_to_add=layer)
    if plan.mode == "cells":
        st.caption(f"{plan.in_box:,} incidents around this view, counted per area in the colour of the group "
                   "with most of them. Zoom in, or click a count, to see single incidents.")
    elif plan.in_box > len(plan.incidents):
        st.caption(f"Showing the newest {len(plan.incidents):,} of the {plan.in_box:,} incidents around this view.")
    view = mapplan.view_from_map(returned)
    if view is not None and (size := mapplan.pixel_size(view)) is not None:
        st.session_state["_map_size"] = size
    remember_view(view)
    write_url(chosen, options)  # the permalink: every filter and this view, written whole
    # a run that planned for the view the map is about to fit to: the view reported is the one
    # it leaves, and acting on it would plan (and draw) that old view again
    if fitted is None and view is not None and not plan.covers(view) and not stale_view(view, focused):
        st.session_state["map_view"] = view
        try:
            st.rerun(scope="fragment")
        except st.errors.StreamlitAPIException:  # a full run of the page (not one of the map's own)
            st.rerun()


def expect_fitted_view(version: tuple[str, int], chosen: Filters) -> mapplan.View | None:
    """Plan for the view the map is about to fit itself to, not the one it shows now: the
    browser then reports a view the plan already covers, and a filter change costs one
    plan, not two (the second made after the map's report, in a rerun of its own)."""
    bounds = load_bounds(version, chosen)
    if bounds is None:
        return None
    view = mapplan.fitted_view(bounds, st.session_state.get("_map_size", mapplan.MAP_SIZE))
    st.session_state["map_view"] = view
    return view


def focused_incident(store: Store) -> Incident | None:
    """The placed incident ``map_focus`` names, or ``None``. A newly named one moves the map's
    data to a close view around it (:func:`geo.map.plan.focus_view`), so it is drawn as a
    marker, never inside a cell."""
    focus = st.session_state.get("map_focus")
    if not isinstance(focus, str) or not focus:
        return None
    incident = store.get(focus)
    if incident is None or not incident.located:
        return None
    if st.session_state.get("_map_focused") != focus:
        st.session_state["_map_focused"] = focus
        st.session_state["map_view"] = mapplan.focus_view(incident.latitude or 0.0, incident.longitude or 0.0)
        st.session_state["_map_focus_pending"] = 3  # reports to ignore until the map shows the view it flew to
    return incident


def stale_view(view: mapplan.View, focused: Incident | None) -> bool:
    """Whether ``view`` is what the map showed before flying to a newly focused incident (the
    component's last report): acting on it would take the data away from the incident."""
    pending = st.session_state.get("_map_focus_pending") or 0
    if not pending or focused is None:
        return False
    box = view.bbox
    if (view.zoom >= mapplan.CLOSE_ZOOM and box.south <= (focused.latitude or 0.0) <= box.north
            and box.west <= (focused.longitude or 0.0) <= box.east):
        st.session_state["_map_focus_pending"] = 0  # the map is there now
        return False
    st.session_state["_map_focus_pending"] = pending - 1
    return True
