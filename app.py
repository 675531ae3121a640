"""Incident map: incidents from the store on a map, filtered by date, group, country and type.

Thin by design: this page lays out the panels of ``geo.ui``, and ``geo`` does the work (see
docs/DESIGN.md). Every number and row shown comes from a query (``geo.store.queries``,
``geo.map.plan``), so a page costs about the same whether the store holds a thousand incidents
or a million.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import IncidentMapError
from geo.map.layer import OTHER_COLOR, group_colors
from geo.safetext import markdown_literal
from geo.store import queries
from geo.ui import (
    article_panel,
    chosen_filters,
    curate_panel,
    ensure_layers,
    filters_from_url,
    first_start_panel,
    import_panel,
    ingest_panel,
    load_gazetteer,
    load_labels,
    load_locator,
    load_options,
    load_store,
    load_totals,
    load_weekly,
    map_panel,
    session_access,
    store_problem,
    table_panel,
    timeline,
    write_url,
)

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
ensure_layers()

try:
    store = load_store()
except IncidentMapError as error:  # a wrong INCIDENTS_DB / incidents_db, a server down: said, never its password
    st.error(store_problem(error))
    st.stop()
version = store.version()  # caches of query answers are keyed on it
options = load_options(version)
notes = filters_from_url(options)
colors = group_colors(list(options.groups))  # fixed per group: the map, legend and timeline agree

chosen = chosen_filters(version, options)
access = session_access()  # read-only unless an editor signed in, or a private deploy
write_url(chosen, options)
found = load_totals(version, chosen)

st.title("Incident map")
starting = first_start_panel(store)  # a new machine: the place index is built while the page is in use
map_tab, article_tab, ingest_tab, import_tab, curate_tab = st.tabs(
    ["Map", "Add from an article", "Ingest articles", "Import records", "Edit incidents"])
waiting = "The offline place index is being built (first start): this tab can be used as soon as it is done."
with map_tab:
    for note in notes:
        st.warning(markdown_literal(note))  # the note quotes the link's values
    st.markdown(f"**{queries.summary(found)}** · {chosen.start} to {chosen.end}"
                + (" (first reported)" if chosen.dated == "reported" else ""))
    map_panel(store, version, chosen, options, colors)
    timeline(load_weekly(version, chosen), colors, OTHER_COLOR, options, chosen)
    table_panel(store, version, chosen, found)
with article_tab:
    if starting:
        st.info(waiting)
    article_panel(load_gazetteer, store, load_labels, access)
with ingest_tab:
    if starting:
        st.info(waiting)
    ingest_panel(store, access)
with import_tab:
    if starting:
        st.info(waiting)
    import_panel(store, load_locator, access)
with curate_tab:
    curate_panel(store, load_gazetteer, load_labels, access)
