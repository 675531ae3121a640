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

__all__ = ["ROOT", "DATA_DIR", "BUNDLED_INCIDENTS", "CURATED_SITES", "cache_dir", "store_url", "MODES", "PUBLIC",
           "PRIVATE", "app_mode", "MAX_UPLOAD_MB", "GeocoderLimits", "geocoder_limits"]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BUNDLED_INCIDENTS = DATA_DIR / "incidents.csv"
CURATED_SITES = DATA_DIR / "gazetteer" / "sites.csv"
ADMIN1_TABLE = DATA_DIR / "gazetteer" / "admin1.csv"


# Who may write (see ``geo.roles``): a "public" deploy is read-only for anyone not signed
# in as an editor; a "private" one (a laptop, a deploy behind its own login) lets every
# visitor write. Unset or unknown means public: a deploy that forgets to say is read-only.
PUBLIC = "public"
PRIVATE = "private"
MODES = (PUBLIC, PRIVATE)
MODE_ENV = "INCIDENT_MAP_MODE"

# The largest file the app accepts as an upload (``server.maxUploadSize`` in
# .streamlit/config.toml says the same, so the server refuses a larger upload before reading
# it): the import tab's limit (``geo.formats.MAX_UPLOAD_BYTES``); articles are capped lower by
# ``articles.MAX_ARTICLE_BYTES``. Files imported from disk (``python -m geo import``) have no limit.
MAX_UPLOAD_MB = 20


def app_mode(secret: str | None = None) -> tuple[str, str]:
    """The deploy's mode and a note (empty when all is well).

    ``INCIDENT_MAP_MODE`` wins, then ``secret`` (the UI passes ``st.secrets["mode"]``);
    unset means public. An unknown value is public too, with a note naming it, so a typo
    never opens the store to anonymous writes."""
    raw = os.environ.get(MODE_ENV) or secret or ""
    value = raw.strip().lower()
    if not value:
        return PUBLIC, ""
    if value in MODES:
        return value, ""
    return PUBLIC, f"Unknown mode {raw[:40]!r} (expected {' or '.join(MODES)}): the app is read-only."


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


# How much work one request may cause (issue 9: a public app must not let one visitor
# stall the others). Each limit is read like the store's location: the environment
# variable wins, then the value the UI passes from ``st.secrets``, then the default. A
# value that is not a positive number is ignored (the default holds), never an error.
__all__ += ["MAX_PARSE_CHARS", "PARSE_TIMEOUT_S", "MAX_CSV_COLUMNS", "max_parse_chars", "parse_timeout_s",
            "max_csv_columns", "MAX_SESSION_WRITES", "max_session_writes", "SEARCH_TIMEOUT_S", "search_timeout_s",
            "SEARCHES_PER_MINUTE", "searches_per_minute"]

MAX_PARSE_CHARS = 200_000  # a long feature article is ~30k characters; parsing 200k takes a second or two
PARSE_TIMEOUT_S = 20.0  # the app stops a parse that takes longer (``geo.geoparse.worker``)
MAX_CSV_COLUMNS = 500  # ACLED exports have ~30 columns; a header far wider is not a record file
# Records one session of a public deploy may add or change (articles and imports together):
# a leaked editor token or a runaway script cannot flood the store; larger imports go
# through ``python -m geo import`` on the server, which has no such limit.
MAX_SESSION_WRITES = 100_000
# A text search scans the store (``queries.search_condition``): a new one may run this long, and
# one client may start this many new ones a minute (repeating a search costs nothing: it is cached).
SEARCH_TIMEOUT_S = 10.0
SEARCHES_PER_MINUTE = 20


def _positive(env: str, secret: object, default: float) -> float:
    for raw in (os.environ.get(env), secret):
        try:
            value = float(str(raw).strip()) if raw is not None and str(raw).strip() else 0.0
        except ValueError:
            continue
        if 0 < value < float("inf"):
            return value
    return default


def max_parse_chars(secret: object = None) -> int:
    """Longest text parsed (characters): ``INCIDENT_MAP_MAX_PARSE_CHARS``, else ``secret``
    (the UI passes ``st.secrets["max_parse_chars"]``), else :data:`MAX_PARSE_CHARS`."""
    return int(_positive("INCIDENT_MAP_MAX_PARSE_CHARS", secret, MAX_PARSE_CHARS))


def parse_timeout_s(secret: object = None) -> float:
    """Seconds the app lets one parse run: ``INCIDENT_MAP_PARSE_TIMEOUT_S``, else ``secret``
    (the article tab passes ``st.secrets["parse_timeout_s"]``), else :data:`PARSE_TIMEOUT_S`."""
    return _positive("INCIDENT_MAP_PARSE_TIMEOUT_S", secret, PARSE_TIMEOUT_S)


def max_csv_columns(secret: object = None) -> int:
    """Widest CSV header imported (columns): ``INCIDENT_MAP_MAX_CSV_COLUMNS``, else ``secret``
    (the import tab passes ``st.secrets["max_csv_columns"]``), else :data:`MAX_CSV_COLUMNS`."""
    return int(_positive("INCIDENT_MAP_MAX_CSV_COLUMNS", secret, MAX_CSV_COLUMNS))


def max_session_writes(secret: object = None) -> int:
    """Records one editor may add or change in the app a day (over all their sessions; the name
    is older): ``INCIDENT_MAP_MAX_SESSION_WRITES``, else
    ``secret`` (``st.secrets["max_session_writes"]``), else :data:`MAX_SESSION_WRITES`."""
    return int(_positive("INCIDENT_MAP_MAX_SESSION_WRITES", secret, MAX_SESSION_WRITES))


def client_header(secret: object = None) -> str:
    """The request header a trusted proxy in front of the app sets to the visitor's address
    (``X-Forwarded-For``, ``X-Real-IP``): ``INCIDENT_MAP_CLIENT_HEADER``, else ``secret``, else
    none. Set it only behind such a proxy: without one, any visitor could write the header and
    give each request a new address, escaping the per-client limits."""
    return str(os.environ.get("INCIDENT_MAP_CLIENT_HEADER") or secret or "").strip()


def search_timeout_s(secret: object = None) -> float:
    """Seconds a new text search may scan the store: ``INCIDENT_MAP_SEARCH_TIMEOUT_S``, else
    ``secret`` (``st.secrets["search_timeout_s"]``), else :data:`SEARCH_TIMEOUT_S`."""
    return _positive("INCIDENT_MAP_SEARCH_TIMEOUT_S", secret, SEARCH_TIMEOUT_S)


def review_below(secret: object, default: float) -> float:
    """The confidence under which ingest lists a pin for a person to check:
    ``INCIDENT_MAP_REVIEW_BELOW``, else ``secret`` (``st.secrets["review_below"]``), else
    ``default`` (the cut the confidence model chose on tune). 0 lists none."""
    for raw in (os.environ.get("INCIDENT_MAP_REVIEW_BELOW"), secret):
        try:
            value = float(str(raw).strip()) if raw is not None and str(raw).strip() else -1.0
        except ValueError:
            continue
        if 0.0 <= value <= 1.0:
            return value
    return default


def searches_per_minute(secret: object = None) -> int:
    """New text searches one client may start a minute: ``INCIDENT_MAP_SEARCHES_PER_MINUTE``,
    else ``secret``, else :data:`SEARCHES_PER_MINUTE`."""
    return int(_positive("INCIDENT_MAP_SEARCHES_PER_MINUTE", secret, SEARCHES_PER_MINUTE))


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
