"""Online geocoders (any geopy service), made safe to opt into: paced, budgeted, cached,
and falling back to the offline answer.

An online provider is used only when configured with a user agent naming the deploy. It
is rate-limited, pauses on the provider's ``Retry-After`` and backs off on failures,
makes at most an import's and a session's allowance of requests
(:func:`geo.geocoding.budget.lookup_run`), is cached on disk, and any error of the
provider falls back to the offline answer with a notice, never a crash.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter, get_retry_after
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder

from geo.errors import IncidentMapError
from geo.geocoding.budget import Notices, Skipped, current_run
from geo.geocoding.offline import GeocodeResult, Locator, OfflineGeocoder
from geo.settings import GeocoderLimits

__all__ = ["OnlineLocator", "CachedLocator", "FallbackLocator", "GeocoderReplyError", "make_locator",
           "user_agent_problem"]

log = logging.getLogger(__name__)

_PRECISION_BY_TYPE = {"country": 4, "state": 3, "province": 3, "region": 3, "county": 3, "governorate": 3}
_MAX_RETRY_AFTER = 86_400.0  # a day: longer asks are read as a day


class GeocoderReplyError(IncidentMapError, geopy_exc.GeocoderParseError):
    """The provider answered, but not with a usable place (wrong types, no or impossible
    coordinates)."""


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
        run = current_run()
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
        run = current_run()
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
