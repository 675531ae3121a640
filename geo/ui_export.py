"""Streamlit glue for downloads: the filtered view as CSV or GeoJSON, made on click.

Nothing is built until the user clicks (Streamlit calls the function then), and the
file is written row by row from a streamed query into a temporary file that spills to
disk past a few megabytes, so a million-row export never holds the rows as objects.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO, cast

import streamlit as st

from geo import export, queries
from geo.filters import Filters
from geo.records import Incident
from geo.store import Store

__all__ = ["export_buttons", "file_name"]


def file_name(chosen: Filters, suffix: str) -> str:
    """A name that says what is in the file: ``incidents_2024-01-01_2024-08-31.csv``."""
    return f"incidents_{chosen.start.isoformat()}_{chosen.end.isoformat()}.{suffix}"


def _maker(store: Store, chosen: Filters, write: Callable[[Iterable[Incident], TextIO], int],
           ) -> Callable[[], BinaryIO]:
    def make() -> BinaryIO:
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 - Streamlit reads and closes it
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
        write(queries.stream(store, chosen), text)
        text.flush()
        text.detach()
        spool.seek(0)
        return cast(BinaryIO, spool)
    return make


def export_buttons(store: Store, chosen: Filters, count: int) -> None:
    left, right = st.columns(2)
    label = f"{count:,} incident{'s' if count != 1 else ''}"
    left.download_button(f"Download these {label} (CSV)", _maker(store, chosen, export.write_csv),
                         file_name=file_name(chosen, "csv"), mime="text/csv", on_click="ignore")
    right.download_button(f"Download these {label} (GeoJSON)", _maker(store, chosen, export.write_geojson),
                          file_name=file_name(chosen, "geojson"), mime="application/geo+json", on_click="ignore")
