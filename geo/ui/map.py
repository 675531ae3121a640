"""The map's side of the focus contract: ``st.session_state["map_focus"]`` holds an
event_id (the table's row selection sets it); the map plans a close view around that
incident, draws it as a marker, flies there and opens its popup (``geo.map.layer``)."""

from __future__ import annotations

import streamlit as st

from geo.map import plan as mapplan
from geo.records import Incident
from geo.store.database import Store

__all__ = ["focused_incident", "stale_view"]


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
