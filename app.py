"""Incident map: incidents from the store on a map, filtered by date, group, country and type.

Thin by design: widgets choose arguments, ``geo`` does the work (see DESIGN.md).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import export, filters, mapview
from geo.join import unlocated_reason
from geo.records import Incident
from geo.safetext import markdown_literal
from geo.ui_article import article_panel, import_panel
from geo.ui_roles import session_access
from geo.ui_state import (
    ensure_layers,
    filters_from_url,
    load_gazetteer,
    load_incidents,
    load_labels,
    load_locator,
    load_store,
    secret,
    write_url,
)

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
ensure_layers()

store = load_store()
incidents = load_incidents(store.revision())
options = filters.options(incidents)
notes = filters_from_url(options)


def sidebar_filters() -> filters.Filters:
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input("Date range", min_value=options.first, max_value=options.last,
                               format="YYYY-MM-DD", key="f_dates")
        days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, date)]
        start, end = (days[0], days[-1]) if days else (options.first, options.last)
        groups = st.multiselect("Group", list(options.groups), key="f_groups",
                                format_func=lambda g: f"{g} ({options.groups[g]})", placeholder="All groups")
        countries = st.multiselect("Country", list(options.countries), key="f_countries",
                                   format_func=lambda c: f"{c} ({options.countries[c]})", placeholder="All countries")
        types = st.multiselect("Event type", list(options.event_types), key="f_types",
                               format_func=lambda t: f"{t} ({options.event_types[t]})", placeholder="All types")
        st.caption("The address bar holds these filters: copy it to share this view.")
    return filters.Filters(start, end, tuple(groups), tuple(countries), tuple(types))


def show_map(shown: list[Incident], chosen: filters.Filters) -> None:
    for note in notes:
        st.warning(markdown_literal(note))  # the note quotes the link's values
    st.markdown(f"**{filters.summary(shown)}** · {chosen.start} to {chosen.end}")
    colors = mapview.group_colors(list(options.groups))
    base = mapview.base_map(load_labels(), tiles=secret("map_tiles"))
    st_folium(base, key="incident_map", height=560, use_container_width=True, returned_objects=[],
              feature_group_to_add=mapview.incident_layer(shown, colors))
    unplaced = [i for i in shown if not i.located]
    if unplaced:
        with st.expander(f"{len(unplaced)} incident{'s' if len(unplaced) != 1 else ''} not on the map"):
            st.dataframe(pd.DataFrame([{"event_id": i.event_id, "location": i.location,
                                        "reason": unlocated_reason(i)} for i in unplaced]), hide_index=True)


def show_table(shown: list[Incident]) -> None:
    table = pd.DataFrame([i.to_row() for i in shown],
                         columns=["event_id", "event_date", "group", "group_role", "location", "country_code",
                                  "admin1", "event_type", "sub_event_type", "killed", "injured", "notes", "source",
                                  "source_url"])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"source_url": st.column_config.LinkColumn("source link")})
    st.download_button("Download these incidents (CSV)", export.to_csv(shown), file_name="incidents.csv",
                       mime="text/csv")


chosen = sidebar_filters()
access = session_access()  # read-only unless an editor signed in, or a private deploy
write_url(chosen, options)
shown = filters.apply(incidents, chosen)

st.title("Incident map")
map_tab, article_tab, import_tab = st.tabs(["Map", "Add from an article", "Import records"])
with map_tab:
    show_map(shown, chosen)
    show_table(shown)
with article_tab:
    article_panel(load_gazetteer, store, load_labels, access)
with import_tab:
    import_panel(store, load_locator, access)
