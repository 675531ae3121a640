"""Incident map: incidents from the store on a map, filtered by date, group, country and type.

Thin by design: widgets choose arguments, ``geo`` does the work (see DESIGN.md). Every
number and row shown comes from a query (``geo.queries``, ``geo.mapplan``), so a page
costs about the same whether the store holds a thousand incidents or a million.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import filters, mapplan, mapview, queries
from geo.join import unlocated_reason
from geo.safetext import markdown_literal
from geo.store import UnsupportedStore
from geo.ui_article import article_panel, import_panel
from geo.ui_export import export_buttons
from geo.ui_map import focused_incident, stale_view
from geo.ui_roles import session_access
from geo.ui_state import (
    ensure_layers,
    filters_from_url,
    load_gazetteer,
    load_labels,
    load_locator,
    load_options,
    load_plan,
    load_store,
    load_totals,
    secret,
    write_url,
)

TABLE_ROWS = 500  # the newest rows shown in the table; the download has them all

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
ensure_layers()

try:
    store = load_store()
except UnsupportedStore as error:  # a wrong INCIDENTS_DB / incidents_db, a server down: said plainly, no password
    st.error(str(error))
    st.stop()
version = store.version()  # caches of query answers are keyed on it
options = load_options(version)
notes = filters_from_url(options)


def sidebar_filters() -> filters.Filters:
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input("Date range", min_value=options.first, max_value=options.last,
                               format="YYYY-MM-DD", key="f_dates")
        days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, date)]
        start, end = (days[0], days[-1]) if days else (options.first, options.last)
        groups = st.multiselect("Group", list(options.groups), key="f_groups",
                                format_func=lambda g: f"{g} ({options.groups[g]:,})", placeholder="All groups")
        countries = st.multiselect("Country", list(options.countries), key="f_countries",
                                   format_func=lambda c: f"{c} ({options.countries[c]:,})", placeholder="All countries")
        types = st.multiselect("Event type", list(options.event_types), key="f_types",
                               format_func=lambda t: f"{t} ({options.event_types[t]:,})", placeholder="All types")
        st.caption("The address bar holds these filters: copy it to share this view.")
    return filters.Filters(start, end, tuple(groups), tuple(countries), tuple(types))


@st.fragment
def show_map(chosen: filters.Filters) -> None:
    """The map alone reruns when it is panned or zoomed, and asks for new data only when
    the view leaves the area (or zoom) its data was made for."""
    focused = focused_incident(store)
    plan = load_plan(version, chosen, st.session_state.get("map_view"))
    colors = mapview.group_colors(list(options.groups))
    fit_key = f"{version}|{chosen}"  # fit the map to the data once per filter choice and store revision
    layer = (mapview.cell_layer(plan.cells, colors, fit=plan.bounds, fit_key=fit_key) if plan.mode == "cells"
             else mapview.incident_layer(mapplan.with_focus(plan, focused), colors, fit=plan.bounds, fit_key=fit_key,
                                         focus=focused.event_id if focused else "", focus_zoom=mapplan.FOCUS_ZOOM))
    base = mapview.base_map(load_labels(), tiles=secret("map_tiles"))
    returned = st_folium(base, key="incident_map", height=560, use_container_width=True,
                         returned_objects=["bounds", "zoom"], feature_group_to_add=layer)
    if plan.mode == "cells":
        st.caption(f"{plan.in_box:,} incidents around this view, counted per area in the colour of the group "
                   "with most of them. Zoom in, or click a count, to see single incidents.")
    elif plan.in_box > len(plan.incidents):
        st.caption(f"Showing the newest {len(plan.incidents):,} of the {plan.in_box:,} incidents around this view.")
    view = mapplan.view_from_map(returned)
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
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"source_url": st.column_config.LinkColumn("source link")})
    if found.incidents > len(rows):
        st.caption(f"The newest {len(rows):,} of {found.incidents:,} incidents; the download has them all.")
    export_buttons(store, chosen, found.incidents)


chosen = sidebar_filters()
access = session_access()  # read-only unless an editor signed in, or a private deploy
write_url(chosen, options)
found = load_totals(version, chosen)

st.title("Incident map")
map_tab, article_tab, import_tab = st.tabs(["Map", "Add from an article", "Import records"])
with map_tab:
    for note in notes:
        st.warning(markdown_literal(note))  # the note quotes the link's values
    st.markdown(f"**{queries.summary(found)}** · {chosen.start} to {chosen.end}")
    show_map(chosen)
    show_unplaced(chosen, found)
    show_table(chosen, found)
with article_tab:
    article_panel(load_gazetteer, store, load_labels, access)
with import_tab:
    import_panel(store, load_locator, access)
