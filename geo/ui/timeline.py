"""The timeline under the map: incidents per week by group (stacked bars, the top groups
and "Other groups"), following every filter. Dragging across it selects a span, which
becomes the date filter, so the map, the counts, the table and the link follow."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from geo import filters
from geo.store import queries
from geo.ui.filters import use_dates

__all__ = ["SPAN", "span_dates", "timeline"]

SPAN = "span"  # the chart's interval selection (its name in the selection state)


def _day(value: object) -> date | None:
    """A day from what the chart reports for a temporal bound: epoch milliseconds, or ISO text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def span_dates(selection: Mapping[str, Any], options: filters.Options) -> tuple[date, date] | None:
    """The dates an interval selection covers (``{"span": {"week": [t0, t1]}}``), within the
    data; ``None`` when nothing (or nothing readable) is selected."""
    bounds = (selection.get(SPAN) or {}).get("week")
    if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
        return None
    first, last = _day(bounds[0]), _day(bounds[1])
    if first is None or last is None:
        return None
    start, end = max(options.first, min(first, last)), min(options.last, max(first, last))
    return (start, end) if start <= end else None


def _span_picked(key: str, options: filters.Options) -> Callable[[], None]:
    def picked() -> None:
        state = st.session_state.get(key) or {}
        found = span_dates(state.get("selection") or {}, options)
        if found is not None:
            use_dates(*found)
    return picked


def chart(weeks: list[queries.Week], colors: Mapping[str, str], other: str) -> alt.Chart:
    """Stacked weekly bars, one colour per group as on the map, with a span selection."""
    frame = pd.DataFrame([{"week": w.start.isoformat(), "end": (w.start + timedelta(days=7)).isoformat(),
                           "group": w.group or "(no group)", "incidents": w.count} for w in weeks])
    domain = list(dict.fromkeys(frame["group"]))
    scale = alt.Scale(domain=domain, range=[colors.get(g, other) for g in domain])
    span = alt.selection_interval(name=SPAN, encodings=["x"])
    return (alt.Chart(frame).mark_bar().encode(
        x=alt.X("week:T", title=None), x2="end:T",
        y=alt.Y("sum(incidents):Q", title="incidents", stack="zero", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("group:N", scale=scale, legend=alt.Legend(orient="bottom", title=None, columns=3)),
        tooltip=[alt.Tooltip("week:T", title="week of", format="%Y-%m-%d"), alt.Tooltip("group:N"),
                 alt.Tooltip("incidents:Q")],
    ).add_params(span).properties(height=150, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))


def timeline(weeks: list[queries.Week], colors: Mapping[str, str], other: str, options: filters.Options,
             chosen: filters.Filters) -> None:
    """Draw the timeline; a span dragged on it becomes the date filter (on the next run).
    The chart is a new widget for each date range, so the brush of a span already applied
    does not linger over the narrowed chart."""
    if not weeks:
        return
    key = f"timeline_{chosen.start}_{chosen.end}"
    st.altair_chart(chart(weeks, colors, other), key=key, on_select=_span_picked(key, options), selection_mode=SPAN,
                    width="stretch")
    st.caption("Incidents per week, by group. Drag across the bars to show only that span; "
               "pick a period in the sidebar (\"All\") to widen it again.")
