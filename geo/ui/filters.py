"""The sidebar's filters: search, date presets relative to the data, the date range (of
the event, or of its first report), and the group, country and event-type lists with counts that follow the other filters.

Every widget keeps its value in ``st.session_state`` (seeded from the link by
``ui_state.filters_from_url``); :func:`current` reads the view from there, so the lists'
counts can be computed for the view before the widgets are drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from geo import countries, filters
from geo.safetext import markdown_literal
from geo.ui.state import checked_search, load_facets, load_hierarchy

__all__ = ["chosen_filters", "current", "sidebar", "use_dates"]


def chosen_filters(version: tuple[str, int], options: filters.Options) -> filters.Filters:
    """The sidebar drawn and the view it chooses. The lists' counts are for this view, and a
    parent group takes in its fronts and members."""
    chosen, note = checked_search(version, load_hierarchy(version).widened(current(options)))
    sidebar(options, load_facets(version, chosen))
    if note:
        st.sidebar.warning(markdown_literal(note))
    return chosen


def _picked_dates(options: filters.Options) -> tuple[date, date]:
    """The date widget's range; a half-picked range (only a start, while the user is
    choosing the end) counts as start to the newest incident, never as one empty day."""
    picked = st.session_state.get("f_dates")
    days = [d for d in (picked if isinstance(picked, (tuple, list)) else (picked,)) if isinstance(d, date)]
    if not days:
        return options.first, options.last
    if len(days) == 1:
        return days[0], max(days[0], options.last)
    return days[0], days[-1]


def current(options: filters.Options) -> filters.Filters:
    """The view the sidebar's widgets hold now."""
    start, end = _picked_dates(options)
    search = " ".join(str(st.session_state.get("f_search") or "").split())[:filters.SEARCH_MAX]
    dated = st.session_state.get("f_dated")
    return filters.Filters(start, end, tuple(st.session_state.get("f_groups") or ()),
                           tuple(st.session_state.get("f_countries") or ()),
                           tuple(st.session_state.get("f_types") or ()), search,
                           dated=dated if dated in filters.DATED else "event")


def use_dates(start: date, end: date) -> None:
    """Set the date filter (from a callback, before the widgets are drawn)."""
    st.session_state["f_dates"] = (start, end)


def _preset_picked(options: filters.Options) -> Callable[[], None]:
    def picked() -> None:
        key = st.session_state.get("f_preset")
        if key in filters.PRESETS:
            use_dates(*filters.preset_range(key, options))
    return picked


def _label(counts: dict[str, int], name: Callable[[str], str] = str) -> Callable[[str], str]:
    return lambda value: f"{name(value)} ({counts.get(value, 0):,})"


def sidebar(options: filters.Options, facets: dict[str, dict[str, int]]) -> None:
    """Draw the filters; ``facets`` are the lists' counts under the current view."""
    chosen = current(options)
    st.session_state["f_preset"] = filters.preset_of(chosen.start, chosen.end, options)
    for key in ("f_groups", "f_countries", "f_types"):  # sent again, so the chosen chips show today's counts
        st.session_state[key] = list(st.session_state.get(key) or ())
    with st.sidebar:
        st.header("Filters")
        st.text_input("Search", key="f_search", max_chars=filters.SEARCH_MAX,
                      placeholder="Place, group or words in the notes",
                      help="Every word must appear in the place, the group, the target or the notes (any case).")
        st.segmented_control("Period", list(filters.PRESETS), key="f_preset",
                             format_func=lambda p: filters.PRESETS[p][0], on_change=_preset_picked(options),
                             help=f"Counted back from the newest incident in the data ({options.last}), not from today.")
        st.date_input("Date range", min_value=options.first, max_value=options.last, format="YYYY-MM-DD",
                      key="f_dates")
        st.radio("Dates are", list(filters.DATED), key="f_dated", format_func=filters.DATED.__getitem__,
                 horizontal=True, help="When the event happened, or when it was first reported (the earliest "
                 "publication date of its sources; records from datasets have none and are left out).")
        st.multiselect("Group", list(options.groups), key="f_groups", format_func=_label(facets["group"]),
                       placeholder="All groups")
        st.multiselect("Country", list(options.countries), key="f_countries",
                       format_func=_label(facets["country_code"], countries.name), placeholder="All countries")
        st.multiselect("Event type", list(options.event_types), key="f_types",
                       format_func=_label(facets["event_type"]), placeholder="All types")
        st.caption("The address bar holds these filters and the map's view: copy it to share this view.")
