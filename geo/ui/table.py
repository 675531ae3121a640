"""The table under the map: the incidents not on the map, the newest rows of the view and
their downloads. Selecting a row asks the map to show that incident.

The row's ``event_id`` goes to ``st.session_state["map_focus"]`` in the selection's
callback, before the page runs again, so the map drawn in that run can fly to it and open
its popup (the map's side is :func:`geo.ui.map.map_panel`'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo.filters import Filters
from geo.geocoding.join import unlocated_reason
from geo.safetext import markdown_literal, safe_url
from geo.store import queries
from geo.store.database import QueryTimedOut, Store
from geo.ui.export import export_buttons
from geo.ui.state import search_deadline, search_ids

__all__ = ["FOCUS", "TABLE_ROWS", "table_panel", "incident_table"]

TABLE_ROWS = 500  # the newest rows shown in the table; the download has them all
FOCUS = "map_focus"
KEY = "incident_table"
_IDS = "incident_table_ids"


def _row_picked() -> None:
    state = st.session_state.get(KEY) or {}
    rows = (state.get("selection") or {}).get("rows") or []
    ids = st.session_state.get(_IDS) or []
    if rows and 0 <= int(rows[0]) < len(ids):
        st.session_state[FOCUS] = ids[int(rows[0])]


def incident_table(table: pd.DataFrame, column_config: Mapping[str, Any]) -> None:
    """Show ``table`` (with an ``event_id`` column); one row can be selected."""
    st.session_state[_IDS] = [str(i) for i in table["event_id"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config=column_config, key=KEY,
                 on_select=_row_picked, selection_mode="single-row")
    focus = st.session_state.get(FOCUS)
    if focus in st.session_state[_IDS]:
        st.caption(f"Showing incident {markdown_literal(str(focus))} on the map. Select another row to move there.")
    else:
        st.caption("Select a row to find its incident on the map.")


def table_panel(store: Store, version: tuple[str, int], chosen: Filters, found: queries.Totals) -> None:
    """What is not on the map, then the newest rows of the view, then the downloads of all of it."""
    _unplaced(store, version, chosen, found)
    try:  # the columns' count says when there is nothing to read
        rows = queries.newest(store, chosen, TABLE_ROWS, search_deadline(chosen), search_ids(version, chosen)) \
            if found.incidents else []
    except QueryTimedOut:
        st.warning("Reading the rows for this search took too long: the counts and the map hold, the table "
                   "is left out. Narrow the dates or use more specific words.")
        export_buttons(store, chosen, found.incidents)
        return
    table = pd.DataFrame([{**i.to_row(), "source_url": safe_url(i.source_url),  # links: http(s) only
                           "lag_days": (i.first_reported - i.event_date).days if i.first_reported else None}
                          for i in rows],
                         columns=["event_id", "event_date", "first_reported", "lag_days", "group", "group_role",
                                  "location", "country_code", "admin1", "event_type", "sub_event_type", "killed",
                                  "injured", "notes", "source", "source_url"])
    incident_table(table, {"source_url": st.column_config.LinkColumn("source link")})
    if found.incidents > len(rows):
        st.caption(f"The newest {len(rows):,} of {found.incidents:,} incidents; the download has them all.")
    export_buttons(store, chosen, found.incidents)


def _unplaced(store: Store, version: tuple[str, int], chosen: Filters, found: queries.Totals) -> None:
    if not found.unlocated:
        return
    n = found.unlocated
    with st.expander(f"{n:,} incident{'s' if n != 1 else ''} not on the map"):
        try:
            rows = queries.unlocated(store, chosen, TABLE_ROWS, search_deadline(chosen), search_ids(version, chosen))
        except QueryTimedOut:
            st.caption("Reading them for this search took too long: narrow the dates or the words.")
            return
        st.dataframe(pd.DataFrame([{"event_id": i.event_id, "location": i.location, "reason": unlocated_reason(i)}
                                   for i in rows]), hide_index=True)
        if n > len(rows):
            st.caption(f"The newest {len(rows):,} of {n:,}; the download has them all.")
