"""Where things live: the incident store, the gazetteer cache and the bundled data.

One place decides this so the app and every ``python -m geo`` command use the same
store (``INCIDENTS_DB`` in the environment, else ``incidents_db`` passed from
``st.secrets`` by the UI, else a SQLite file in a writable per-user data folder).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROOT", "DATA_DIR", "BUNDLED_INCIDENTS", "CURATED_SITES", "GeocoderLimits", "cache_dir", "geocoder_limits",
           "store_url"]

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


@dataclass(frozen=True, slots=True)
class GeocoderLimits:
    """How much an opt-in online geocoder may be asked, so that one visitor cannot use up
    a shared provider (each has an environment variable of the same name in upper case)."""

    # online requests one import may make; its other rows are placed by the offline gazetteer
    geocoder_lookups_per_import: int = 30
    # online requests one app session may make over all its imports
    geocoder_lookups_per_session: int = 100
    # longest a lookup waits for its turn on the shared limiter (other visitors' requests, a
    # provider's Retry-After); a longer wait is answered offline at once
    geocoder_max_wait_seconds: float = 10.0
    # pause after a 429, a 5xx, a timeout or a refused connection; it doubles with every
    # failure in a row up to the maximum (a longer Retry-After is honoured as given)
    geocoder_backoff_seconds: float = 2.0
    geocoder_max_backoff_seconds: float = 900.0


def geocoder_limits() -> GeocoderLimits:
    """:class:`GeocoderLimits`, each overridable by its upper-case environment variable
    (``GEOCODER_LOOKUPS_PER_IMPORT=0`` keeps every import offline)."""
    defaults = GeocoderLimits()
    values: dict[str, float] = {}
    for name in GeocoderLimits.__dataclass_fields__:
        default = getattr(defaults, name)
        raw = os.environ.get(name.upper(), "").strip()
        try:
            value = type(default)(raw) if raw else default
        except ValueError:
            value = default
        values[name] = value if math.isfinite(value) and value >= 0 else default
    return GeocoderLimits(**values)  # type: ignore[arg-type]
