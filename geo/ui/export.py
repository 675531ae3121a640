"""Streamlit glue for downloads: the filtered view as CSV or GeoJSON, and the map as one HTML
page (:mod:`geo.map.standalone`), made on click.

Nothing is built until the user clicks (Streamlit calls the function then). The file is
written row by row from a streamed query into a spooled temporary file
(:func:`geo.formats.export.spooled`), so the rows are never all in memory; Streamlit then
holds the finished file's bytes until the browser has fetched it (a deferred download must
return bytes: Streamlit 1.67 refuses a temporary file), and drops them with the session.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import streamlit as st

from geo.filters import Filters
from geo.formats import export
from geo.map.standalone import filtered_html
from geo.store import queries
from geo.store.database import Store
from geo.ui.state import labels_now, load_columns, load_hierarchy, search_mask

__all__ = ["export_buttons", "file_name"]

NAME_MAX = 120  # characters of a file name before its suffix: every file system takes it


def _slug(text: str, limit: int = 40) -> str:
    """``text`` as a safe piece of a file name: ASCII letters, digits and ``-`` only (no
    ``/``, ``..``, spaces or control characters), accents dropped ("Nabatîyé" → "Nabatiye")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")


def _part(kind: str, kinds: str, values: tuple[str, ...]) -> str:
    """One value by name, several by how many: ``Al-Thawriun``, ``3-groups``."""
    if len(values) == 1:
        return _slug(values[0]) or kind
    return f"{len(values)}-{kinds}"


def file_name(chosen: Filters, suffix: str) -> str:
    """A name that says what is in the file, for instance
    ``incidents_2024-01-01_2024-08-31_Al-Thawriun_IQ_search-asad.csv``: the dates, then the
    groups, countries and types when some are chosen, then the search; safe on every file
    system and at most ``NAME_MAX`` characters before the suffix."""
    parts = ["incidents", chosen.start.isoformat(), chosen.end.isoformat()]
    for kind, kinds, values in (("group", "groups", chosen.groups), ("country", "countries", chosen.countries),
                                ("type", "types", chosen.event_types)):
        if values:
            parts.append(_part(kind, kinds, values))
    if chosen.search.strip():
        parts.append("search-" + (_slug(chosen.search, 30) or "text"))
    name = "_".join(parts)[:NAME_MAX].rstrip("-_")
    return f"{name}.{suffix}"


def _maker(store: Store, chosen: Filters, fmt: str) -> Callable[[], bytes]:
    def make() -> bytes:
        with export.spooled(queries.stream(store, chosen), fmt) as spool:
            return spool.read()
    return make


def _map_maker(store: Store, chosen: Filters) -> Callable[[], bytes]:
    """The map of the view on screen (its area when the map was moved, else all it shows)."""
    version, view = store.version(), st.session_state.get("map_view")

    def make() -> bytes:
        return filtered_html(store, chosen, load_hierarchy(version), labels_now(), title="Incident map",
                             kept=load_columns(version), matched=search_mask(version, chosen),
                             view=view).encode("utf-8")
    return make


def export_buttons(store: Store, chosen: Filters, count: int) -> None:
    left, middle, right = st.columns(3)
    label = f"{count:,} incident{'s' if count != 1 else ''}"
    left.download_button(f"Download these {label} (CSV)", _maker(store, chosen, "csv"),
                         file_name=file_name(chosen, "csv"), mime="text/csv", on_click="ignore")
    middle.download_button(f"Download these {label} (GeoJSON)", _maker(store, chosen, "geojson"),
                           file_name=file_name(chosen, "geojson"), mime="application/geo+json", on_click="ignore")
    right.download_button("Download this map (HTML, opens offline)", _map_maker(store, chosen),
                          file_name=file_name(chosen, "html"), mime="text/html", on_click="ignore",
                          help="One page with the map, its legend and popups, Leaflet and the data inside: "
                               "publish it on any static host or open it from a disk.")
