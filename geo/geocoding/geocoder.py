"""Geocoding behind geopy's interface: the offline gazetteer as one more geopy provider,
plus wrappers (cache, fallback) that make any online geopy geocoder safe to opt into.

``OfflineGeocoder`` is the default and needs no network. An online provider (e.g.
Nominatim) is only used when configured with a user agent naming the deploy; it is
rate-limited, pauses on the provider's ``Retry-After`` and backs off on failures, makes at
most an import's and a session's allowance of requests (:func:`lookup_run`), is cached on
disk, and any error of the provider falls back to the offline answer with a notice
(collected per import), never a crash.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter, get_retry_after
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import PROVINCE_WORDS, Gazetteer, Place, names, ranking
from geo.settings import GeocoderLimits

__all__ = ["GeocodeResult", "Locator", "OfflineGeocoder", "OnlineLocator", "CachedLocator",
           "FallbackLocator", "GeocoderReplyError", "LookupRun", "Notices", "Quota", "Skipped", "lookup_run",
           "make_locator", "user_agent_problem"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where a name was placed, and how precisely (docs/DESIGN.md ``geo_precision``)."""

    name: str
    latitude: float
    longitude: float
    geo_precision: int
    country_code: str
    admin1: str
    feature: str
    provider: str = "offline"


class Locator(Protocol):
    """Anything that turns a place name (with optional hints) into one result."""

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None: ...


def _result(place: Place, precision: int | None = None) -> GeocodeResult:
    return GeocodeResult(place.name, place.latitude, place.longitude, precision or place.geo_precision,
                         place.country_code, place.admin1, place.feature)


_NOTE = re.compile(r"(?<!\s)\s*+\([^()]*+\)\s*+$")  # spaces and "(" each tried once: linear


def rank(candidates: list[Place], surface: str = "") -> list[Place]:
    """Order homonyms that passed the container filters by :func:`geo.gazetteer.ranking.prior`.

    A province or district that shares its name with a town inside it ("Erbil",
    "Sinjar") yields to the town, as reports code the town unless they say "province"
    or "district"."""
    towns = [p for p in candidates if not p.is_area]
    asked_for_division = any(w in names.key(surface).split() for w in (*PROVINCE_WORDS, "district"))

    def namesake_inside(division: Place) -> bool:
        own = names.article_free(names.key(division.name))
        return any(names.article_free(names.key(t.name)) == own and ranking.inside(t, division) for t in towns)

    def score(p: Place) -> float:
        s = ranking.prior(p, surface)
        if p.feature in ("admin1", "admin2") and not asked_for_division and namesake_inside(p):
            s -= ranking.NAMESAKE_DIVISION_PENALTY
        return s

    return sorted(candidates, key=score, reverse=True)


@dataclass(frozen=True, slots=True)
class Choice:
    """Ranked candidates for a query, or (``fallback``) the smallest stated container when
    no candidate lies inside what the query states."""

    places: list[Place]
    fallback: bool = False

    def result(self) -> GeocodeResult | None:
        if not self.places:
            return None
        top = self.places[0]
        return _result(top, ranking.fallback_precision(top) if self.fallback else None)


class OfflineGeocoder(Geocoder):
    """A geopy ``Geocoder`` over the offline gazetteer.

    Queries may carry containers after commas ("Anbar, Iraq", "Hit, Hit district, Anbar,
    IQ"); with ``country``/``admin1`` hints they are hard limits: a candidate outside them
    is never chosen (no homonym abroad). When nothing inside matches, the answer is the
    smallest stated container that is known, at its own precision."""

    def __init__(self, gazetteer: Gazetteer, *, user_agent: str = "incident-map-offline") -> None:
        super().__init__(user_agent=user_agent)
        self.gazetteer = gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, country_codes: str | list[str] | None = None,
                ) -> Location | list[Location] | None:
        country = country_codes[0] if isinstance(country_codes, list) and country_codes else country_codes
        places = self.places(query, country if isinstance(country, str) else None)
        locations = [Location(p.name, (p.latitude, p.longitude), _raw(p)) for p in places]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def places(self, query: str, country: str | None = None, admin1: str | None = None) -> list[Place]:
        """Ranked candidates for a query with its comma hints (the fallback container when none fits)."""
        return self.choose(query, country, admin1).places

    def choose(self, query: str, country: str | None = None, admin1: str | None = None,
               admin2: str | None = None) -> Choice:
        parts = [p.strip() for p in query.split(",") if p.strip()]
        if not parts:
            return Choice([])
        country = self._code(country)
        hints: list[str] = []
        # "X (near the front)": a note on the place; "Aden - Crater": a part of a city (ACLED's form)
        head = _NOTE.sub("", parts[0]).strip() or parts[0]
        city_box: list[Place] = []
        if " - " in head:
            city, _, part = head.partition(" - ")
            head = part.strip() or city
            found = [p for p in self.gazetteer.candidates(city.strip()) if not country or p.country_code == country]
            city_box = rank([p for p in found if not p.is_area], city)[:1] or self.containers(city, country)
        parts[0] = head
        for hint in parts[1:]:
            code = self.gazetteer.country_code_for(hint)
            if code:
                country = country or code
            else:
                hints.append(hint)
        boxes = [box for box in (self.containers(h, country) for h in hints) if box]
        if city_box:
            boxes.insert(0, city_box)
        candidates = self.gazetteer.candidates(parts[0])
        asked = names.key(parts[0]).split()
        if any(w in asked for w in PROVINCE_WORDS):
            candidates = [p for p in candidates if p.feature == "admin1"] or candidates
        elif "district" in asked:
            candidates = [p for p in candidates if p.feature in ("admin2", "admin3")] or candidates
        if country:
            candidates = [p for p in candidates if p.country_code == country]
        # a record's own province and district columns: divisions only, never a namesake town
        for level, stated in (("admin1", admin1), ("admin2", admin2)):
            if not stated:
                continue
            box = [p for p in self.containers(stated, country) if p.feature == level]
            if box:
                boxes.append(box)
            else:  # a division the index does not know by that name: match the candidates' own labels
                named = [p for p in candidates if ranking.same_division(getattr(p, level), stated)]
                candidates = named or candidates
        for box in boxes:
            candidates = [p for p in candidates if any(
                p.id == b.id or ranking.inside(p, b, self.gazetteer.division_names(b)) for b in box)]
        if candidates:
            return Choice(rank(candidates, parts[0]))
        home = self.gazetteer.country(country) if country else None
        fallback = ranking.smallest([box[0] for box in boxes] + ([home] if home else []))
        return Choice([fallback], True) if fallback else Choice([])

    def options(self, query: str, country: str | None = None, admin1: str | None = None) -> list[Place]:
        """Places a person may pick for ``query``: those inside the stated country and
        province first (the automatic choice), then the name's other places in the hinted
        country, then elsewhere when no country is hinted. Empty when nothing has the name
        (a container fallback is an automatic answer, not a candidate)."""
        choice = self.choose(query, country, admin1)
        first = [] if choice.fallback else choice.places
        name = query.split(",")[0].strip()
        code = self._code(country)
        rest = [p for p in rank(self.gazetteer.candidates(name), name) if not code or p.country_code == code]
        return list({p.id: p for p in first + rest}.values())

    def _code(self, country: str | None) -> str | None:
        """A country hint as an ISO code ("Iraq", "iq" -> "IQ")."""
        return (self.gazetteer.country_code_for(country) or country.upper()) if country else None

    def containers(self, name: str, country: str | None) -> list[Place]:
        """The places a stated container name may be: divisions first, else the best town."""
        found = self.gazetteer.candidates(name)
        if country:
            found = [p for p in found if p.country_code == country]
        areas = [p for p in found if p.feature in ("admin1", "admin2", "admin3")]
        if "district" in names.key(name).split():
            areas = [p for p in areas if p.feature != "admin1"] or areas
        if areas:
            return sorted(areas, key=lambda p: ranking.prior(p, name), reverse=True)
        towns = rank([p for p in found if p.feature not in ("country", "region")], name)
        return towns[:1]

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        return self.choose(query, country, admin1).result()

    def reverse(self, query: Any, *, exactly_one: bool = True) -> None:
        raise NotImplementedError("the offline geocoder answers names, not coordinates")


def _raw(place: Place) -> dict[str, Any]:
    raw = {f: getattr(place, f) for f in ("id", "name", "country_code", "admin1", "feature", "source")}
    raw["geo_precision"] = place.geo_precision
    return raw


_PRECISION_BY_TYPE = {"country": 4, "state": 3, "province": 3, "region": 3, "county": 3, "governorate": 3}
_MAX_RETRY_AFTER = 86_400.0  # a day: longer asks are read as a day


# ------------------------------------------------------------- why a lookup was answered offline

class Skipped(geopy_exc.GeopyError):
    """No request was sent for this lookup. ``kind``: ``backoff`` (the provider asked for a
    pause, or failed), ``busy`` (the shared queue is longer than the longest wait),
    ``import_cap`` or ``session_quota`` (the allowance is spent)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


class GeocoderReplyError(geopy_exc.GeocoderParseError):
    """The provider answered, but not with a usable place (wrong types, no or impossible
    coordinates)."""


_SHOWN_NAMES = 3


def _notice(key: str, detail: str, count: int, names: list[str]) -> str:
    kind, _, error = key.partition(":")
    if kind == "refused":
        return detail
    quoted = ", ".join(repr(n[:60]) for n in names)
    who = quoted if count == 1 else f"{count} lookups ({quoted}{', …' if count > len(names) else ''})"
    if kind == "failed":
        return f"Online geocoder failed for {who} ({error}); used the offline gazetteer."
    reason = {
        "backoff": f"the online geocoder is pausing ({detail})",
        "busy": f"the online geocoder's queue, shared by every visitor, is full ({detail})",
        "import_cap": f"one import may ask the online geocoder for {detail} names (GEOCODER_LOOKUPS_PER_IMPORT)",
        "session_quota": f"this session has used its {detail} online lookups (GEOCODER_LOOKUPS_PER_SESSION)",
    }.get(kind, kind)
    return f"Used the offline gazetteer for {who}: {reason}."


class Notices:
    """Why lookups were answered offline: one line per reason, with a count and the first
    few names, so it stays short however many rows an import has."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, int, list[str]]] = {}  # key -> (first detail, count, first names)
        self._lock = threading.Lock()

    def add(self, key: str, query: str, detail: str = "") -> None:
        with self._lock:
            first, count, names = self._seen.get(key, (detail, 0, []))
            if len(names) < _SHOWN_NAMES and query not in names:
                names.append(query)
            self._seen[key] = (first, count + 1, names)

    def lines(self) -> list[str]:
        with self._lock:
            seen = [(key, first, count, list(names)) for key, (first, count, names) in self._seen.items()]
        return [_notice(*item) for item in seen]

    def __bool__(self) -> bool:
        return bool(self._seen)


class Quota:
    """Online lookups a session may still make, over all its imports (thread-safe)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.remaining = total
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.remaining = min(self.total, self.remaining + 1)


class LookupRun:
    """One import: its allowance of online requests (``limit``, and the session's
    ``quota``) and the notices of the lookups answered offline."""

    def __init__(self, limit: int | None = None, quota: Quota | None = None) -> None:
        self.limit = limit
        self.quota = quota
        self.used = 0
        self.notices = Notices()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Count one online request, or raise :class:`Skipped` when the allowance is spent."""
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                raise Skipped("import_cap", str(self.limit))
            if self.quota is not None and not self.quota.take():
                raise Skipped("session_quota", str(self.quota.total))
            self.used += 1

    def give_back(self) -> None:
        """Undo :meth:`take` for a request that was not sent."""
        with self._lock:
            self.used -= 1
            if self.quota is not None:
                self.quota.give_back()


_RUN: ContextVar[LookupRun | None] = ContextVar("geocoding_run", default=None)


@contextmanager
def lookup_run(limit: int | None = None, quota: Quota | None = None) -> Iterator[LookupRun]:
    """Within the block (one import, in this thread), online requests count against
    ``limit`` and ``quota``, and notices go to the run rather than to the locator, which
    all sessions share. Cached answers cost nothing."""
    run = LookupRun(limit, quota)
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


# ----------------------------------------------------------------------------- online provider

def _text(value: Any, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


class OnlineLocator:
    """An online geopy geocoder (opt-in) with the manners a shared provider asks for.

    - Requests start at least ``min_delay_seconds`` apart (Nominatim: 1 s), over all threads.
    - After a 429, a 5xx, a timeout or a refused connection no request is sent for a pause:
      the provider's ``Retry-After`` (seconds or an HTTP date) or ``backoff_seconds``,
      doubling with every failure in a row up to ``max_backoff_seconds``, whichever is longer.
    - A lookup waits at most ``max_wait_seconds`` for its turn; a longer wait raises
      :class:`Skipped` at once (the caller answers offline), so no queue grows without bound.
    - In a :func:`lookup_run`, each request counts against the run's allowance.
    - A reply that is not a usable place raises :class:`GeocoderReplyError`.

    ``sleep`` and ``clock`` are injectable so tests need not wait.
    """

    def __init__(self, geocoder: Geocoder, *, provider: str, min_delay_seconds: float = 1.0,
                 max_wait_seconds: float = 10.0, backoff_seconds: float = 2.0, max_backoff_seconds: float = 900.0,
                 sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None) -> None:
        import time

        self.geocoder = geocoder
        self.provider = provider
        self.min_delay = min_delay_seconds
        self.max_wait = max_wait_seconds
        self.backoff = backoff_seconds
        self.max_backoff = max_backoff_seconds
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._next = -math.inf  # earliest start of the next request
        self._paused_until = -math.inf
        self._pause = ""  # why
        self._failures = 0  # in a row
        self._lock = threading.Lock()
        # Providers that can restrict a search to a country (Nominatim's ``country_codes``) get the hint.
        self._takes_country = "country_codes" in inspect.signature(geocoder.geocode).parameters

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        run = _RUN.get()
        if run is not None:
            run.take()
        try:
            self._wait_turn()
        except Skipped:
            if run is not None:
                run.give_back()
            raise
        text = ", ".join(p for p in (query, admin1) if p)
        kwargs: dict[str, Any] = {"exactly_one": True}
        if country and self._takes_country:
            kwargs["country_codes"] = country.lower()
        try:
            location = self.geocoder.geocode(text, **kwargs)
            result = None if location is None else self._result(location, query, country, admin1)
        except Exception as error:
            self._failed(error)
            if isinstance(error, (geopy_exc.GeopyError, OSError)):
                raise
            raise GeocoderReplyError(f"unusable reply ({type(error).__name__})") from error
        with self._lock:
            self._failures = 0
        return result

    def _wait_turn(self) -> None:
        """Sleep until this request may start, or raise :class:`Skipped` when that is more
        than ``max_wait`` away (a pause, or a queue of other visitors' requests)."""
        while True:
            with self._lock:
                now = self._clock()
                start = max(now, self._next, self._paused_until)
                if start - now > self.max_wait:
                    if self._paused_until > now:
                        raise Skipped("backoff", f"{self._pause}; next request in {self._paused_until - now:.0f} s")
                    raise Skipped("busy", f"the wait would be {start - now:.0f} s")
                self._next = start + self.min_delay
            if start > now:
                self._sleep(start - now)
            with self._lock:
                if self._paused_until <= self._clock():
                    return
            # a pause began while this request waited (another one was refused): queue again

    def _failed(self, error: BaseException) -> None:
        """Start a pause when the failure is the service's (not this query's reply)."""
        service = isinstance(error, (geopy_exc.GeocoderServiceError, OSError)) and not isinstance(
            error, (geopy_exc.GeocoderQueryError, geopy_exc.GeocoderParseError))
        if not service:
            with self._lock:
                self._failures = 0
            return
        cause = error.__cause__
        asked = getattr(error, "retry_after", None)
        if asked is None and isinstance(getattr(cause, "headers", None), dict):
            asked = get_retry_after(cause.headers)  # type: ignore[union-attr]
        retry_after = float(asked) if isinstance(asked, (int, float)) and math.isfinite(asked) and asked > 0 else 0.0
        status = getattr(cause, "status_code", None)
        with self._lock:
            self._failures += 1
            pause = min(self.max_backoff, self.backoff * 2.0 ** min(self._failures - 1, 30))
            pause = max(pause, min(retry_after, _MAX_RETRY_AFTER))
            self._paused_until = max(self._paused_until, self._clock() + pause)
            self._pause = (f"HTTP {status}" if isinstance(status, int) else type(error).__name__) + (
                f", Retry-After {retry_after:.0f} s" if retry_after else "") + f", failure {self._failures} in a row"
        log.warning("online geocoder paused %.1f s: %s", pause, self._pause)

    def _result(self, location: Any, query: str, country: str | None, admin1: str | None) -> GeocodeResult:
        try:
            lat, lon = float(location.latitude), float(location.longitude)
        except (AttributeError, TypeError, ValueError) as error:
            raise GeocoderReplyError("no coordinates") from error
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeocoderReplyError("coordinates out of range")
        raw: dict[str, Any] = location.raw if isinstance(location.raw, dict) else {}
        if (lat, lon) == (0.0, 0.0):  # geopy's reading of missing coordinates ("lat": null), never a named place
            raise GeocoderReplyError("no coordinates")
        kind = _text(raw.get("addresstype"), 40) or _text(raw.get("type"), 40)
        found = raw.get("address")
        address: dict[str, Any] = found if isinstance(found, dict) else {}
        code = _text(address.get("country_code")).upper()
        if not re.fullmatch("[A-Z]{2}", code):
            code = (country or "").upper()
        name = _text(getattr(location, "address", None), 1000).split(",")[0].strip() or query
        return GeocodeResult(name, lat, lon, _PRECISION_BY_TYPE.get(kind, 1), code,
                             _text(address.get("state")) or admin1 or "", kind or "place", self.provider)


class CachedLocator:
    """Remembers answers (including "not found") in a SQLite file, so each name is asked once."""

    def __init__(self, inner: Locator, path: Path, *, namespace: str) -> None:
        self.inner = inner
        self.namespace = namespace
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS geocode_cache (ns TEXT, q TEXT, answer TEXT, PRIMARY KEY (ns, q))")
        self._lock = threading.Lock()

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        q = json.dumps([query, country, admin1])
        with self._lock:
            row = self._db.execute("SELECT answer FROM geocode_cache WHERE ns=? AND q=?", (self.namespace, q)).fetchone()
        if row is not None:
            return GeocodeResult(**json.loads(row[0])) if row[0] != "null" else None
        result = self.inner.locate(query, country, admin1)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?)",
                             (self.namespace, q, json.dumps(asdict(result) if result else None)))
        return result


class FallbackLocator:
    """Ask ``primary`` (the online geocoder); when it fails, is skipped or was refused
    (``primary`` is ``None``, ``refused`` says why), answer from ``fallback`` (the offline
    gazetteer) and say so: in the current :func:`lookup_run`, else in ``notices``."""

    def __init__(self, primary: Locator | None, fallback: Locator, *, refused: str = "") -> None:
        self.primary = primary
        self.fallback = fallback
        self.refused = refused
        self._notices = Notices()

    @property
    def notices(self) -> list[str]:
        """Notices of the lookups made outside any :func:`lookup_run`."""
        return self._notices.lines()

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        run = _RUN.get()
        notices = run.notices if run is not None else self._notices
        if self.primary is None:
            notices.add("refused", query, self.refused)
            return self.fallback.locate(query, country, admin1)
        try:
            result = self.primary.locate(query, country, admin1)
        except Skipped as skipped:
            notices.add(skipped.kind, query, skipped.detail)
        except Exception as error:  # any provider failure (bad reply, network, cache file): offline, never a crash
            notices.add(f"failed:{type(error).__name__}", query)
            log.warning("online geocoder failed: %s", type(error).__name__)
        else:
            return result or self.fallback.locate(query, country, admin1)
        return self.fallback.locate(query, country, admin1)


_STOCK_AGENTS = ("geopy", "python", "urllib", "requests", "httpx", "aiohttp", "curl", "wget", "mozilla", "java",
                 "go-http-client", "okhttp")
_PROJECT_NAMES = {"incident-map", "incident map", "incidentmap", "incident_map", "incident-map-offline"}


def user_agent_problem(agent: str | None) -> str | None:
    """Why ``agent`` does not identify this deploy, or ``None`` when it does. Nominatim's
    usage policy asks for an agent naming the application; stock agents are blocked."""
    text = (agent or "").strip()
    low = text.lower()
    if not text:
        return "no user agent is set"
    if not text.isprintable() or len(text) > 200:
        return "the user agent must be one printable line of at most 200 characters"
    if low.startswith(_STOCK_AGENTS):
        return f"{text!r} is a software library's stock user agent"
    if re.search(r"example\.(?:org|com|net)\b", low):
        return f"{text!r} is the documentation's example"
    if re.sub(r"[\s/]*v?[\d.]*$", "", low) in _PROJECT_NAMES or not re.search(r"[a-z]{3}", low):
        return f"{text!r} names the software, not this deploy"
    return None


def make_locator(offline: OfflineGeocoder, *, provider: str | None, user_agent: str | None = None,
                 api_key: str | None = None, domain: str | None = None, cache: Path | None = None,
                 timeout: float = 5.0, min_delay_seconds: float = 1.0, limits: GeocoderLimits | None = None) -> Locator:
    """The offline geocoder, or an online ``provider`` (a geopy service name such as
    ``nominatim``) behind :class:`OnlineLocator`'s manners (``min_delay_seconds`` between
    requests, pauses and waits from ``limits``), a cache and the offline fallback.

    The online geocoder is refused (the answer is the offline one, and every import says
    why) without a user agent naming this deploy, for an unknown provider, or when the
    provider's settings are incomplete."""
    if not provider or provider == "offline":
        return offline
    limits = limits or GeocoderLimits()
    problem = user_agent_problem(user_agent)
    geocoder: Geocoder | None = None
    if problem is None:
        try:
            cls = get_geocoder_for_service(provider)
            # urllib, not geopy's default requests adapter: that one silently retries a timed-out or
            # refused request twice at once, which triples the wait and breaks the provider's rate limit.
            options: dict[str, Any] = {"user_agent": (user_agent or "").strip(), "timeout": timeout,
                                       "adapter_factory": URLLibAdapter}
            if api_key:
                options["api_key"] = api_key
            if domain:
                options["domain"] = domain
                options["scheme"] = "http" if domain.startswith(("127.", "localhost")) else "https"
            geocoder = cls(**options)
        except geopy_exc.GeocoderNotFound:
            problem = "geopy has no geocoder of that name"
        except (geopy_exc.GeopyError, TypeError, ValueError) as error:
            problem = f"its settings are incomplete ({type(error).__name__})"
    if geocoder is None:
        message = (f"The online geocoder {provider!r} is off: {problem}. Set geocoder_user_agent (secrets) or "
                   "GEOCODER_USER_AGENT to a name for this deploy with a contact, for example "
                   "\"acme-news-incident-map (maps@acme.news)\", as the provider's usage policy asks. "
                   "Places were found with the offline gazetteer.")
        log.warning("%s", message)
        return FallbackLocator(None, offline, refused=message)
    online: Locator = OnlineLocator(geocoder, provider=provider, min_delay_seconds=min_delay_seconds,
                                    max_wait_seconds=limits.geocoder_max_wait_seconds,
                                    backoff_seconds=limits.geocoder_backoff_seconds,
                                    max_backoff_seconds=limits.geocoder_max_backoff_seconds)
    if cache is not None:
        online = CachedLocator(online, cache, namespace=f"{provider}:{domain or ''}")
    return FallbackLocator(online, offline)
