"""What every panel shares: settings from ``st.secrets``, the cached resources (store,
gazetteer, map index, query answers keyed on the store's revision), and the filters
kept in step with the URL.

The resources that are slow to rebuild (the store, the gazetteer, the locator, the map index,
the group links, the map labels) and the query answers every session shares (filter lists,
counts, timeline bars, map plans, keyed on the store's revision) are held by :func:`shared`,
not Streamlit's caches: Streamlit empties those when any client sends a ``clear_cache``
message, so one anonymous visitor could make every session rebuild them again and again.
The answers are returned as they are kept, not copied: callers only read them."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from pathlib import Path
from typing import Generic, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import filters, gazetteer, roles, settings
from geo.errors import IncidentMapError
from geo.gazetteer import Gazetteer
from geo.geocoding.budget import Quota
from geo.geocoding.offline import Locator, OfflineGeocoder
from geo.geocoding.online import make_locator
from geo.ingest.loading import ensure_bundled
from geo.map import basemap
from geo.map import plan as mapplan
from geo.safetext import markdown_literal
from geo.store import columns, groups, queries
from geo.store.database import QueryTimedOut, Store, WriteLimitExceeded
from geo.store.groups import hierarchy_of
from geo.store.search import SearchIndex

P = ParamSpec("P")
T = TypeVar("T")


class _Shared(Generic[P, T]):
    """One value per argument tuple for the whole server process, built once even when several
    sessions ask at the same moment, the oldest dropped past ``max_entries``. Only the server's
    own code can ``clear`` it (after installing layers, between tests); a client cannot."""

    def __init__(self, build: Callable[P, T], spinner: str | None, max_entries: int | None) -> None:
        self._build, self._spinner, self._max = build, spinner, max_entries
        self._values: OrderedDict[tuple[Hashable, ...], T] = OrderedDict()
        self._building: dict[tuple[Hashable, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        self.__doc__, self.__name__ = build.__doc__, build.__name__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (*args, *sorted(kwargs.items()))
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            building = self._building.setdefault(key, threading.Lock())
        held = building.acquire(blocking=False)
        try:
            if not held:  # another session is building it: wait, and say so
                if self._spinner and get_script_run_ctx() is not None:
                    with st.spinner(self._spinner):  # a stopped script raises at the spinner's exit:
                        held = building.acquire()  # the lock is released below all the same
                else:
                    held = building.acquire()
            with self._lock:
                if key in self._values:
                    return self._values[key]
            if self._spinner and get_script_run_ctx() is not None:  # not in a background thread
                with st.spinner(self._spinner):
                    value = self._build(*args, **kwargs)
            else:
                value = self._build(*args, **kwargs)
            with self._lock:
                self._values[key] = value
                self._building.pop(key, None)
                while self._max is not None and len(self._values) > self._max:
                    self._values.popitem(last=False)
        finally:
            if held:
                building.release()
        return value

    def has(self, *args: Hashable) -> bool:
        """Whether the value for ``args`` is held (nothing is built)."""
        with self._lock:
            return tuple(args) in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def shared(spinner: str | None = None, max_entries: int | None = None) -> Callable[[Callable[P, T]], _Shared[P, T]]:
    """Decorator: :class:`_Shared` (a server-wide cache that a ``clear_cache`` message does not reach)."""
    def wrap(build: Callable[P, T]) -> _Shared[P, T]:
        return _Shared(build, spinner, max_entries)
    return wrap


def secret(name: str, *, env: bool = True) -> str | None:
    """``st.secrets[name]`` or the upper-case environment variable; ``None`` when neither is set."""
    found = secret_value(name, env=env)
    return str(found) if found else None


def secret_value(name: str, *, env: bool = True) -> object:
    """Like :func:`secret`, but a list or a table in the secrets comes back as it is."""
    value = os.environ.get(name.upper()) if env else None
    if value:
        return value
    try:
        return st.secrets.get(name)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


@shared(spinner="Loading the gazetteer…")
def load_gazetteer() -> Gazetteer:
    return gazetteer.load()


def wanted_layers() -> list[str]:
    """Country codes in ``gazetteer_countries`` (secrets: a list or "IQ SY LB"; env: "IQ,SY")."""
    value: object = os.environ.get("GAZETTEER_COUNTRIES")
    if not value:
        try:
            value = st.secrets.get("gazetteer_countries")
        except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
            value = None
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace(",", " ").split()
    return [str(c).strip().upper() for c in items if str(c).strip()]


_layers_lock = threading.Lock()
_layer_notes: list[tuple[str, str]] | None = None  # (level, message), once per server process


def ensure_layers() -> None:
    """Install the country layers the hosted app's secrets ask for and the cache lacks
    (first start on a new machine), with a progress bar on the page of whoever opens the
    app first; others wait for it. A failed download is reported and the app goes on with
    the layers it has."""
    global _layer_notes
    wanted = wanted_layers()
    if not wanted:
        return
    with _layers_lock:
        if _layer_notes is None:
            cache = settings.cache_dir()
            have = {stored.code for stored in gazetteer.stored_layers(cache)}
            missing = [c for c in wanted if c not in have]
            _layer_notes = []
            if missing:
                bar = st.progress(0.0, text=f"First start: installing gazetteer layers for {', '.join(missing)}…")

                def progress(what: str, done: int, total: int) -> None:
                    bar.progress(min(done / total, 1.0) if total else 0.0, text=f"Gazetteer layers: {what}")

                try:
                    installed = gazetteer.install_countries(missing, cache, progress)
                    _layer_notes.append(("info", "Installed gazetteer layers: " + ", ".join(
                        f"{code} ({count:,} places)" for code, count in installed)))
                except gazetteer.LayerError as error:
                    _layer_notes.append(("warning", f"Could not install gazetteer layers ({error}). "
                                                    "Places are found with the layers already installed."))
                bar.empty()
                load_gazetteer.clear()
    if not st.session_state.get("layer_notes_shown"):
        st.session_state["layer_notes_shown"] = True
        for level, message in _layer_notes:
            (st.info if level == "info" else st.warning)(markdown_literal(message))


def _labels_path() -> Path:
    rule = hashlib.sha256(Path(basemap.__file__).read_bytes()).hexdigest()[:8]  # how labels are chosen
    return settings.cache_dir() / f"labels-{gazetteer.fingerprint()}-{rule}.json"


def labels_now() -> list[tuple[str, float, float]]:
    """The base map's labels if they can be had without waiting for the place index to be built
    (a first start draws the map without them)."""
    return load_labels() if _labels_path().exists() or gazetteer.index_path().exists() else []


@shared()
def load_labels() -> list[tuple[str, float, float]]:
    """Base-map labels, kept beside the gazetteer cache so drawing the map at start-up does
    not wait for the whole gazetteer to load."""
    path = _labels_path()
    try:
        return [(str(n), float(a), float(b)) for n, a, b in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        labels = basemap.place_labels(load_gazetteer())
        path.write_text(json.dumps(labels), encoding="utf-8")
        return labels


@shared()
def load_locator() -> Locator:
    """One locator for the server: every session shares the online provider's pacing."""
    return make_locator(OfflineGeocoder(load_gazetteer()), provider=secret("geocoder"),
                        user_agent=secret("geocoder_user_agent"), api_key=secret("geocoder_api_key"),
                        domain=secret("geocoder_domain"), cache=settings.cache_dir() / "geocode-cache.sqlite3",
                        limits=settings.geocoder_limits())


def geocoding_quota() -> Quota:
    """This session's allowance of online geocoder requests, over all its imports."""
    quota = st.session_state.get("geocoding_quota")
    if not isinstance(quota, Quota):
        quota = st.session_state["geocoding_quota"] = Quota(settings.geocoder_limits().geocoder_lookups_per_session)
    return quota


def client_key() -> str:
    """Who is asking (for throttles): the visitor's address as a trusted proxy gives it (setting
    ``client_header``), else the connection's address, else (on localhost, where Streamlit gives
    none) this session. Behind a proxy without the setting, every visitor has the proxy's address
    and shares one allowance."""
    header = settings.client_header(secret_value("client_header"))
    proxied = roles.proxied_address(st.context.headers.get(header)) if header else None
    if proxied:
        return f"ip:{proxied}"
    address = st.context.ip_address
    if isinstance(address, str) and address:
        return f"ip:{address}"
    session = st.session_state.setdefault("_client_id", os.urandom(8).hex())
    return f"session:{session}"


_SEARCH_SLOTS = threading.BoundedSemaphore(2)  # new searches scanning the store at once, server-wide


@functools.cache
def _search_throttle(per_minute: int) -> roles.Throttle:
    return roles.Throttle(limit=per_minute, window=60.0, ceiling=per_minute * 10)


def _search_seconds() -> float:
    return settings.search_timeout_s(secret_value("search_timeout_s"))


def search_deadline(chosen: filters.Filters) -> float | None:
    """How long a query reading rows for ``chosen`` may scan: a search's limit when it has one."""
    return _search_seconds() if chosen.search.strip() else None


SEARCH_INDEX_FROM = 20_000  # incidents: a smaller store is scanned in a blink, and keeps no index
_SEARCH_INDEX_EVERY_S = 60.0  # at most one index build started a minute, however often the store is written
_indexing = threading.Lock()
_index_started = [-math.inf]


def search_index() -> SearchIndex:
    """The full-text index kept beside the store (``geo.store.search``), in the cache folder."""
    return SearchIndex.of(load_store(), settings.cache_dir() / "search")


def _index_in_background() -> None:
    """Build the search index for the store as it is now, in a thread of its own: one build at
    a time, at most one started a minute. Searches scan meanwhile."""
    if time.monotonic() - _index_started[0] < _SEARCH_INDEX_EVERY_S or not _indexing.acquire(blocking=False):
        return
    _index_started[0] = time.monotonic()

    def build() -> None:
        try:
            search_index().build(load_store())
        except Exception:  # noqa: BLE001 - searches go on scanning; the log says why
            logging.getLogger(__name__).exception("the search index could not be built")
        finally:
            _indexing.release()

    threading.Thread(target=build, name="search-index", daemon=True).start()


SEARCH_IDS = 10_000  # matches read by id from the search index; more are read by the search's words
_Answer = tuple[npt.NDArray[np.bool_], tuple[str, ...] | None]  # (mask, the ids when the index gave few)


@shared(max_entries=32)
def _search_outcome(version: tuple[str, int], text: str) -> _Answer | str:
    """Which incidents match a search: a mask over :func:`load_columns`, and their event ids
    when the search index gave at most ``SEARCH_IDS``. From the index when it was built at this
    revision and can answer, else asked of the store once per revision within
    ``search_timeout_s`` (and an index build started for a large store); else why not (kept
    too: a search that was too slow is not tried again by every session). Every panel applies
    this one answer: the search's one scan, if any, is this one."""
    index = search_index()
    if index.revision() == version[1]:
        if (ids := index.find(text)) is not None:
            return (load_columns(version).matched(np.unique(queries.id_keys(ids))),
                    tuple(ids) if len(ids) <= SEARCH_IDS else None)
    elif len(load_columns(version).key) >= SEARCH_INDEX_FROM:
        _index_in_background()
    seconds = _search_seconds()
    try:
        return load_columns(version).matched(queries.matching(load_store(), text, seconds)), None
    except QueryTimedOut:
        return (f"The search was stopped after {seconds:g} s and is not applied: use longer or more specific "
                "words (setting search_timeout_s).")


def _answer(version: tuple[str, int], chosen: filters.Filters) -> _Answer | None:
    """:func:`_search_outcome` for ``chosen``'s search; ``None``: no search, or not applied."""
    text = chosen.search.strip().lower()
    found = _search_outcome(version, text) if text else None
    return None if isinstance(found, str) else found


def search_ids(version: tuple[str, int], chosen: filters.Filters) -> tuple[str, ...] | None:
    """The event ids matching ``chosen``'s search when the search index gave them (at most
    ``SEARCH_IDS``): the table's and the markers' rows are then read by id, with no scan for
    the words (``None``: read as the words say)."""
    found = _answer(version, chosen)
    return found[1] if found else None


def search_mask(version: tuple[str, int], chosen: filters.Filters) -> npt.NDArray[np.bool_] | None:
    """The answer to ``chosen``'s search (``None``: no search), once :func:`checked_search` let it through."""
    found = _answer(version, chosen)
    return found[0] if found else None


def checked_search(version: tuple[str, int], chosen: filters.Filters) -> tuple[filters.Filters, str]:
    """``chosen`` with its search if the store can answer it in time, else without it and a
    note. A search not asked before on this revision counts against the client's
    ``searches_per_minute`` and waits for one of two server-wide slots, so a flood of new
    searches slows only the one who sends it."""
    text = chosen.search.strip().lower()
    if not text:
        return chosen, ""
    if not _search_outcome.has(version, text):
        throttle = _search_throttle(settings.searches_per_minute(secret_value("searches_per_minute")))
        client = client_key()
        if throttle.blocked(client):
            return replace(chosen, search=""), ("Too many new searches from here in the last minute: the search is not "
                                                "applied. Wait a moment and try again.")
        throttle.failed(client)  # counted, like a try
        if not _SEARCH_SLOTS.acquire(timeout=_search_seconds()):
            return replace(chosen, search=""), "The server is busy with other searches: try again in a moment."
        try:
            found = _search_outcome(version, text)
        finally:
            _SEARCH_SLOTS.release()
    else:
        found = _search_outcome(version, text)
    return (replace(chosen, search=""), found) if isinstance(found, str) else (chosen, "")


WRITER_KEY = "writer"  # the session's editor (``Access.actor``), set where the role is decided
_LEDGER = roles.WriteLedger()


def _writer() -> tuple[str, str]:
    """Whose allowance a write counts against: the editor, in this store (a session without
    one cannot write; its own id keeps it apart all the same)."""
    writer = st.session_state.get(WRITER_KEY) or f"session:{id(st.session_state)}"
    return load_store().instance, str(writer)


def writes_left() -> int | None:
    """Records this session's editor may still add or change today (``None``: no limit, a
    private deploy). Counted per editor for the server, so a new session starts no new allowance."""
    if settings.app_mode(secret("mode", env=False))[0] == settings.PRIVATE:  # the environment says it as INCIDENT_MAP_MODE
        return None
    return max(0, settings.max_session_writes(secret_value("max_session_writes")) - _LEDGER.used(_writer()))


def count_writes(added: int, updated: int) -> None:
    _LEDGER.add(_writer(), added + updated)


def write_limit_message(limit: int) -> str:
    return (f"Nothing was saved: you may add or change {limit:,} more record{'s' if limit != 1 else ''} today "
            "(setting max_session_writes, counted per editor). Import large files on the server with: "
            "python -m geo import FILE")


def store_problem(error: IncidentMapError) -> str:
    """What the page says when the store cannot be opened. A public deploy's visitors read that
    it is down, not where it lives (user, host, port and database stay in the server's log); a
    private deploy's user is its operator and reads the reason, without the password."""
    if settings.app_mode(secret("mode", env=False))[0] == settings.PRIVATE:
        return str(error)
    logging.getLogger(__name__).error("%s", error)
    return "The incident store cannot be opened right now. The app's operator can read why in the server's log."


def refusal(error: IncidentMapError, lead: str = "") -> str:
    """What a visitor reads when a user action is refused, as Markdown for ``st.error``:
    ``lead`` (Markdown: what did not happen), then the error's own message shown verbatim.
    A write past its limit (in the app, always this session's allowance) names the
    setting and the CLI instead."""
    if isinstance(error, WriteLimitExceeded):
        return markdown_literal(write_limit_message(error.limit))
    return lead + markdown_literal(str(error))


@shared(spinner="Preparing the incident store…")
def load_store() -> Store:
    """The store; on a first run it is filled with the bundled incidents here when the place
    index to place them is there already, else by :class:`FirstStart` in the background."""
    store = Store(settings.store_url(secret("incidents_db")))
    if not store.count() and gazetteer.index_path().exists():
        ensure_bundled(store, load_locator())
    return store


class FirstStart:
    """The first start on a new machine: the place index built (a minute or two) and the bundled
    incidents placed with it, in a thread, while every page shows what the store holds and says
    what is being prepared. Article and import tabs wait for the index when used."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.done = threading.Event()
        self.failed = False
        threading.Thread(target=self._run, name="incident-map-first-start", daemon=True).start()

    def _run(self) -> None:
        try:
            load_gazetteer()
            store = load_store()
            ensure_bundled(store, load_locator())
        except Exception:  # said on the page in general words; the log has the rest
            logging.getLogger(__name__).exception("first start: the place index or the bundled incidents failed")
            self.failed = True
        finally:
            self.done.set()

    def elapsed(self) -> float:
        return time.monotonic() - self.began


@shared()
def first_start() -> FirstStart:
    """The one :class:`FirstStart` of this server process (started on first call)."""
    return FirstStart()


def first_start_panel(store: Store) -> bool:
    """On a first start, say what is being prepared and redraw the page when it is done; ``True``
    while it is under way (the tabs that need the place index say they wait for it)."""
    work = preparing(store)
    if work is None:
        return False

    @st.fragment(run_every=3.0)
    def progress() -> None:
        if work.done.is_set():
            st.rerun(scope="app")
        st.info(f"First start on this machine: building the offline place index and placing the bundled "
                f"incidents (about one to two minutes; {work.elapsed():.0f} s so far). The map fills in when it "
                "is done; adding from articles and importing wait for it.")

    progress()
    return True


def preparing(store: Store) -> FirstStart | None:
    """The first start's work under way (``None`` when there is none: the store has incidents,
    or the place index is built and the bundled incidents are in)."""
    if store.count() or (gazetteer.index_path().exists() and not first_start.has()):
        return None
    work = first_start()
    return None if work.done.is_set() else work


@shared(max_entries=4)
def load_options(version: tuple[str, int]) -> filters.Options:
    """What the data offers to filter on, once per store revision; the group list adds the
    parents of the groups stored, counted with their families."""
    options = load_columns(version).options()
    return replace(options, groups=load_hierarchy(version).with_parents(options.groups))


@shared(max_entries=2)
def load_hierarchy(version: tuple[str, int]) -> groups.Hierarchy:
    """The group links (bundled and added by editors), once per store revision."""
    return hierarchy_of(load_store())


@shared(spinner="Indexing the incidents…", max_entries=1)
def load_columns(version: tuple[str, int]) -> columns.Columns:
    """The incidents' compact columns (see ``geo.store.columns``), once per store revision,
    shared by all sessions: every count on the page is taken from them. Kept on disk beside
    the place index, so a restarted server does not read every row again."""
    return columns.kept(load_store(), settings.cache_dir() / "columns")


@shared(max_entries=4)
def _kept(version: tuple[str, int], chosen: filters.Filters) -> npt.NDArray[np.bool_]:
    """Which incidents pass ``chosen``: made once for the headline and the timeline (a million
    booleans each, so few are kept)."""
    return load_columns(version).mask(chosen, search_mask(version, chosen))


@shared(max_entries=64)
def load_bounds(version: tuple[str, int], chosen: filters.Filters) -> queries.BBox | None:
    """Around every placed incident that passes ``chosen``: what the map fits itself to."""
    data = load_columns(version)
    return data.bounds(_kept(version, chosen) & data.placed)


@shared(max_entries=64)
def load_totals(version: tuple[str, int], chosen: filters.Filters) -> queries.Totals:
    return load_columns(version).totals(_kept(version, chosen))


@shared(max_entries=64)
def load_facets(version: tuple[str, int], chosen: filters.Filters) -> dict[str, dict[str, int]]:
    """Each filter list's counts under the other filters (``Columns.facets``); parents
    counted with their families, as in :func:`load_options`."""
    facets = load_columns(version).facets(chosen, search_mask(version, chosen))
    facets["group"] = load_hierarchy(version).with_parents(facets["group"])
    return facets


@shared(max_entries=64)
def load_weekly(version: tuple[str, int], chosen: filters.Filters) -> list[queries.Week]:
    """The timeline's bars: incidents per week and group (``Columns.weekly``)."""
    return load_columns(version).weekly(_kept(version, chosen), dated=chosen.dated)


@shared(max_entries=256)
def load_plan(version: tuple[str, int], chosen: filters.Filters, view: mapplan.View | None) -> mapplan.Plan:
    """What the map draws: shared by the sessions that look at the same view."""
    return mapplan.plan(load_store(), load_columns(version), chosen, view, load_hierarchy(version),
                        search_mask(version, chosen), search_deadline(chosen), search_ids(version, chosen))


def filters_from_url(options: filters.Options) -> list[str]:
    """Seed the sidebar widgets from the URL on a session's first run; return notes.

    Later runs keep the user's choices, except that a date range still spanning all the
    data grows with it, so an incident saved outside the old span is not hidden."""
    full = (options.first, options.last)
    if "filters_seeded" in st.session_state:
        previous = st.session_state.get("f_dates_full")
        if previous != full and tuple(st.session_state.get("f_dates", ())) == previous:
            st.session_state["f_dates"] = full
        st.session_state["f_dates_full"] = full
        return []
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    chosen, notes = filters.from_query(params, options)
    centre, view_notes = filters.view_from_query(params)
    st.session_state["f_dates"] = (chosen.start, chosen.end)
    st.session_state["f_dates_full"] = full
    st.session_state["f_groups"] = list(chosen.groups)
    st.session_state["f_countries"] = list(chosen.countries)
    st.session_state["f_types"] = list(chosen.event_types)
    st.session_state["f_search"] = chosen.search
    st.session_state["f_dated"] = chosen.dated
    if centre is not None:  # the map opens where the link looked (show_map reads both keys)
        st.session_state["map_centre"] = centre
        st.session_state["map_view"] = view_around(centre)
    st.session_state["filters_seeded"] = True
    return notes + view_notes


def view_around(centre: filters.MapCentre, width_px: int = 1000, height_px: int = 560) -> mapplan.View:
    """The box a map of about this size shows around ``centre`` at its zoom (a 256-pixel
    tile spans 360 / 2**zoom degrees of longitude; latitude shrinks by cos(latitude))."""
    degrees = 360.0 / 2**centre.zoom / 256
    half_w = degrees * width_px / 2
    half_h = degrees * height_px / 2 * max(0.2, math.cos(math.radians(centre.latitude)))
    return mapplan.View(queries.BBox(max(-90.0, centre.latitude - half_h), max(-180.0, centre.longitude - half_w),
                                     min(90.0, centre.latitude + half_h), min(180.0, centre.longitude + half_w)),
                        centre.zoom)


def centre_of(view: mapplan.View) -> filters.MapCentre:
    box = view.bbox
    return filters.MapCentre((box.south + box.north) / 2, (box.west + box.east) / 2, view.zoom)


def write_url(chosen: filters.Filters, options: filters.Options) -> None:
    """Put the filter state and the map's view in the URL, so the address bar is a
    permalink to this view (the map's fragment updates the view part as it is moved)."""
    seen = st.session_state.get("map_seen")
    centre = centre_of(seen) if isinstance(seen, mapplan.View) else st.session_state.get("map_centre")
    wanted = filters.to_query(chosen, options, centre)
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def remember_view(view: mapplan.View | None) -> None:
    """Keep the view the map reports for the permalink (``map=LAT,LON,ZOOM``), once the
    user has moved the map from where it opened (an untouched map adds nothing to links).
    The link itself is written whole by :func:`write_url`: setting the one ``map`` key from
    the map's own rerun could race a filter change and drop the filters from the link."""
    if view is None:
        return
    first = st.session_state.setdefault("map_first", view)
    if view == first and "map_seen" not in st.session_state:
        return
    st.session_state["map_seen"] = view  # write_url puts it in the link, with every filter
