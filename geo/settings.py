"""Where things live: the incident store, the gazetteer cache and the bundled data.

One place decides this so the app and every ``python -m geo`` command use the same
store (``INCIDENTS_DB`` in the environment, else ``incidents_db`` passed from
``st.secrets`` by the UI, else a SQLite file in a writable per-user data folder).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA_DIR", "BUNDLED_INCIDENTS", "CURATED_SITES", "cache_dir", "store_url"]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BUNDLED_INCIDENTS = DATA_DIR / "incidents.csv"
CURATED_SITES = DATA_DIR / "gazetteer" / "sites.csv"
ADMIN1_TABLE = DATA_DIR / "gazetteer" / "admin1.csv"


def _user_dir(env: str, fallback: str) -> Path:
    base = os.environ.get(env)
    return Path(base) if base else Path.home() / fallback


def cache_dir() -> Path:
    """Folder for the built gazetteer (``INCIDENT_MAP_CACHE`` overrides)."""
    override = os.environ.get("INCIDENT_MAP_CACHE")
    path = Path(override) if override else _user_dir("XDG_CACHE_HOME", ".cache") / "incident-map"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_url(secret: str | None = None) -> str:
    """The store's location: a SQLite path or ``sqlite:///`` URL.

    ``INCIDENTS_DB`` wins, then ``secret`` (the UI passes ``st.secrets["incidents_db"]``),
    then ``~/.local/share/incident-map/incidents.sqlite3``.
    """
    chosen = os.environ.get("INCIDENTS_DB") or secret
    if chosen:
        return chosen
    folder = _user_dir("XDG_DATA_HOME", ".local/share") / "incident-map"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "incidents.sqlite3")
