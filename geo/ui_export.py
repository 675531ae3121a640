"""Streamlit glue for downloads: the filtered view as CSV or GeoJSON, made on click.

Nothing is built until the user clicks (Streamlit calls the function then); the file is
written row by row from a streamed query (:func:`geo.export.spooled`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

import streamlit as st

from geo import export, queries
from geo.filters import Filters
from geo.store import Store

__all__ = ["export_buttons", "file_name"]


def file_name(chosen: Filters, suffix: str) -> str:
    """A name that says what is in the file: ``incidents_2024-01-01_2024-08-31.csv``."""
    return f"incidents_{chosen.start.isoformat()}_{chosen.end.isoformat()}.{suffix}"


def _maker(store: Store, chosen: Filters, fmt: str) -> Callable[[], BinaryIO]:
    return lambda: export.spooled(queries.stream(store, chosen), fmt)


def export_buttons(store: Store, chosen: Filters, count: int) -> None:
    left, right = st.columns(2)
    label = f"{count:,} incident{'s' if count != 1 else ''}"
    left.download_button(f"Download these {label} (CSV)", _maker(store, chosen, "csv"),
                         file_name=file_name(chosen, "csv"), mime="text/csv", on_click="ignore")
    right.download_button(f"Download these {label} (GeoJSON)", _maker(store, chosen, "geojson"),
                          file_name=file_name(chosen, "geojson"), mime="application/geo+json", on_click="ignore")
