"""The incident table: selecting a row asks the map to show that incident.

The row's ``event_id`` goes to ``st.session_state["map_focus"]`` in the selection's
callback, before the page runs again, so the map drawn in that run can fly to it and open
its popup (the map's side is ``show_map``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo.safetext import markdown_literal

__all__ = ["FOCUS", "incident_table"]

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
