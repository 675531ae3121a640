"""Incident map: incidents from the store on a map, filtered by date, group, country and type.

Thin by design: widgets choose arguments, ``geo`` does the work (see docs/DESIGN.md). Every
number and row shown comes from a query (``geo.store.queries``, ``geo.map.plan``), so a page
costs about the same whether the store holds a thousand incidents or a million.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import filters
from geo.errors import IncidentMapError
from geo.geocoding.join import unlocated_reason
from geo.map import basemap
from geo.map import layer as mapview
from geo.map import plan as mapplan
from geo.safetext import markdown_literal
from geo.store import queries
from geo.ui import filters as ui_filters
from geo.ui.article import article_panel, import_panel
from geo.ui.curate import curate_panel
from geo.ui.export import export_buttons
from geo.ui.ingest import ingest_panel
from geo.ui.map import focused_incident, stale_view
from geo.ui.roles import session_access
from geo.ui.state import (
    ensure_layers,
    filters_from_url,
    load_facets,
    load_gazetteer,
    load_hierarchy,
    load_labels,
    load_locator,
    load_options,
    load_plan,
    load_store,
    load_totals,
    load_weekly,
    remember_view,
    secret,
    write_url,
)
from geo.ui.table import incident_table
from geo.ui.timeline import timeline

TABLE_ROWS = 500  # the newest rows shown in the table; the download has them all

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
ensure_layers()

try:
    store = load_store()
except IncidentMapError as error:  # a wrong INCIDENTS_DB / incidents_db, a server down: said plainly, no password
    st.error(str(error))
    st.stop()
version = store.version()  # caches of query answers are keyed on it
options = load_options(version)
notes = filters_from_url(options)
colors = mapview.group_colors(list(options.groups))  # fixed per group: the map, legend and timeline agree


def sidebar_filters() -> filters.Filters:
    # the widgets' values (the lists' counts are for this view); a parent takes in its fronts and members
    chosen = load_hierarchy(version).widened(ui_filters.current(options))
    ui_filters.sidebar(options, load_facets(version, chosen))
    return chosen


@st.fragment
def show_map(chosen: filters.Filters) -> None:
    """The map alone reruns when it is panned or zoomed, and asks for new data only when
    the view leaves the area (or zoom) its data was made for."""
    focused = focused_incident(store)
    plan = load_plan(version, chosen, st.session_state.get("map_view"))
    centre = st.session_state.get("map_centre")  # a link's map=LAT,LON,ZOOM
    fit_key = f"{version}|{chosen}"  # fit the map to the data once per filter choice and store revision
    # a link's own view is kept until the filters or the data change
    fit = None if centre is not None and st.session_state.setdefault("first_fit_key", fit_key) == fit_key else plan.bounds
    layer = (mapview.cell_layer(plan.cells, colors, fit=fit, fit_key=fit_key) if plan.mode == "cells"
             else mapview.incident_layer(mapplan.with_focus(plan, focused), colors, fit=fit, fit_key=fit_key,
                                         focus=focused.event_id if focused else "", focus_zoom=mapplan.FOCUS_ZOOM,
                                         sources=plan.sources, chains=plan.chains, tolls=plan.tolls))
    base = basemap.base_map(load_labels(), tiles=secret("map_tiles"),
                            **({"center": (centre.latitude, centre.longitude), "zoom": centre.zoom} if centre else {}))
    returned = st_folium(base, key="incident_map", height=560, use_container_width=True,
                         returned_objects=["bounds", "zoom"], feature_group_to_add=layer)
    if plan.mode == "cells":
        st.caption(f"{plan.in_box:,} incidents around this view, counted per area in the colour of the group "
                   "with most of them. Zoom in, or click a count, to see single incidents.")
    elif plan.in_box > len(plan.incidents):
        st.caption(f"Showing the newest {len(plan.incidents):,} of the {plan.in_box:,} incidents around this view.")
    view = mapplan.view_from_map(returned)
    remember_view(view)
    write_url(chosen, options)  # the permalink: every filter and this view, written whole
    if view is not None and not plan.covers(view) and not stale_view(view, focused):
        st.session_state["map_view"] = view
        try:
            st.rerun(scope="fragment")
        except st.errors.StreamlitAPIException:  # a full run of the page (not one of the map's own)
            st.rerun()


def show_unplaced(chosen: filters.Filters, found: queries.Totals) -> None:
    if not found.unlocated:
        return
    n = found.unlocated
    with st.expander(f"{n:,} incident{'s' if n != 1 else ''} not on the map"):
        rows = queries.unlocated(store, chosen, TABLE_ROWS)
        st.dataframe(pd.DataFrame([{"event_id": i.event_id, "location": i.location, "reason": unlocated_reason(i)}
                                   for i in rows]), hide_index=True)
        if n > len(rows):
            st.caption(f"The newest {len(rows):,} of {n:,}; the download has them all.")


def show_table(chosen: filters.Filters, found: queries.Totals) -> None:
    rows = queries.newest(store, chosen, TABLE_ROWS)
    table = pd.DataFrame([i.to_row() for i in rows],
                         columns=["event_id", "event_date", "group", "group_role", "location", "country_code",
                                  "admin1", "event_type", "sub_event_type", "killed", "injured", "notes", "source",
                                  "source_url"])
    incident_table(table, {"source_url": st.column_config.LinkColumn("source link")})
    if found.incidents > len(rows):
        st.caption(f"The newest {len(rows):,} of {found.incidents:,} incidents; the download has them all.")
    export_buttons(store, chosen, found.incidents)


chosen = sidebar_filters()
access = session_access()  # read-only unless an editor signed in, or a private deploy
write_url(chosen, options)
found = load_totals(version, chosen)

st.title("Incident map")
map_tab, article_tab, ingest_tab, import_tab, curate_tab = st.tabs(
    ["Map", "Add from an article", "Ingest articles", "Import records", "Edit incidents"])
with map_tab:
    for note in notes:
        st.warning(markdown_literal(note))  # the note quotes the link's values
    st.markdown(f"**{queries.summary(found)}** · {chosen.start} to {chosen.end}")
    show_map(chosen)
    timeline(load_weekly(version, chosen), colors, mapview.OTHER_COLOR, options,
             chosen)
    show_unplaced(chosen, found)
    show_table(chosen, found)
with article_tab:
    article_panel(load_gazetteer, store, load_labels, access)
with ingest_tab:
    ingest_panel(store, access)
with import_tab:
    import_panel(store, load_locator, access)
with curate_tab:
    curate_panel(store, load_gazetteer, load_labels, access)
