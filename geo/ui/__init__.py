"""The app's Streamlit side: every module here may import Streamlit; nothing below ``geo/ui`` does.

``state`` holds the cached resources (store, gazetteer, map index), settings from secrets
and the URL; the others are one panel each: ``filters`` (sidebar), ``timeline``, ``table``,
``map`` (the focus contract), ``export`` (downloads), ``article`` (article intake and the
import tab, with ``place_pick`` choosing the event place and ``parse`` the capped parse),
``ingest`` (batch ingest and the review queue), ``curate`` (edit, delete, merge, undo) and
``roles`` (sign-in).
"""

from geo.ui.article import article_panel, import_panel
from geo.ui.curate import curate_panel
from geo.ui.filters import chosen_filters
from geo.ui.ingest import ingest_panel
from geo.ui.map import map_panel
from geo.ui.roles import session_access
from geo.ui.state import (
    ensure_layers,
    filters_from_url,
    first_start_panel,
    load_gazetteer,
    load_labels,
    load_locator,
    load_options,
    load_store,
    load_totals,
    load_weekly,
    store_problem,
    write_url,
)
from geo.ui.table import table_panel
from geo.ui.timeline import timeline

__all__ = ["article_panel", "import_panel", "curate_panel", "chosen_filters", "ingest_panel", "map_panel",
           "session_access", "table_panel", "timeline", "ensure_layers", "filters_from_url", "first_start_panel",
           "load_gazetteer",
           "load_labels", "load_locator", "load_options", "load_store", "load_totals", "load_weekly", "store_problem",
           "write_url"]
