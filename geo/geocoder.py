"""Geocoding behind geopy's interface: the offline gazetteer as one more geopy provider,
plus wrappers (cache, fallback) that make any online geopy geocoder safe to opt into.

``OfflineGeocoder`` is the default and needs no network. An online provider (e.g.
Nominatim) is only used when configured; it is rate-limited, cached on disk, and any
network or service error falls back to the offline answer with a notice, never a crash.
"""

from __future__ import annotations

import inspect
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo import names
from geo.gazetteer import PROVINCE_WORDS, Gazetteer, Place

__all__ = ["GeocodeResult", "Locator", "OfflineGeocoder", "OnlineLocator", "CachedLocator",
           "FallbackLocator", "make_locator"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where a name was placed, and how precisely (DESIGN.md ``geo_precision``)."""

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


def _result(place: Place) -> GeocodeResult:
    return GeocodeResult(place.name, place.latitude, place.longitude, place.geo_precision,
                         place.country_code, place.admin1, place.feature)


def rank(candidates: list[Place], country: str | None = None, admin1: str | None = None) -> list[Place]:
    """Order homonyms: hinted country and province first, then prominence.

    A province that shares its name with its own capital ("Erbil") yields to the city, as
    ACLED codes the city unless the text says "province".
    """
    admin1_key = names.article_free(names.key(admin1)) if admin1 else ""
    cities_by_admin = {(p.country_code, names.key(p.admin1)) for p in candidates if p.feature != "admin1"}

    def score(p: Place) -> float:
        s = p.prominence
        if country:
            s += 20 if p.country_code == country else -20
        if admin1_key and (names.article_free(names.key(p.admin1)) == admin1_key
                           or names.article_free(names.key(p.name)) == admin1_key):
            s += 5
        if p.feature == "admin1" and (p.country_code, names.key(p.name)) in cities_by_admin:
            s -= 5
        return s

    return sorted(candidates, key=score, reverse=True)


class OfflineGeocoder(Geocoder):
    """A geopy ``Geocoder`` over the offline gazetteer.

    Queries may carry hints after commas ("Anbar, Iraq", "Harir base, Erbil, IQ"): each
    part that names a country or province narrows the choice among homonyms.
    """

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
        """Ranked candidates for a query with its comma hints."""
        parts = [p.strip() for p in query.split(",") if p.strip()]
        if not parts:
            return []
        country = country.upper() if country else None
        for hint in parts[1:]:
            code = self.gazetteer.country_code_for(hint)
            if code:
                country = country or code
            else:
                admin1 = admin1 or hint
        candidates = self.gazetteer.candidates(parts[0])
        if any(w in names.key(parts[0]).split() for w in PROVINCE_WORDS):
            candidates = [p for p in candidates if p.feature == "admin1"] or candidates
        if country and candidates and not any(p.country_code == country for p in candidates):
            # the hinted country has no such name: try the name without its country-less homonyms
            alt = [p for p in self.gazetteer.candidates(names.article_free(names.key(parts[0])))
                   if p.country_code == country]
            candidates = alt or candidates
        return rank(candidates, country, admin1)

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        places = self.places(query, country, admin1)
        return _result(places[0]) if places else None

    def reverse(self, query: Any, *, exactly_one: bool = True) -> None:
        raise NotImplementedError("the offline geocoder answers names, not coordinates")


def _raw(place: Place) -> dict[str, Any]:
    raw = {f: getattr(place, f) for f in ("id", "name", "country_code", "admin1", "feature", "source")}
    raw["geo_precision"] = place.geo_precision
    return raw


_PRECISION_BY_TYPE = {"country": 4, "state": 3, "province": 3, "region": 3, "county": 3, "governorate": 3}


class OnlineLocator:
    """An online geopy geocoder (opt-in), rate-limited to the provider's policy.

    ``min_delay_seconds`` defaults to 1 s, Nominatim's usage policy; ``sleep`` and
    ``clock`` are injectable so tests need not wait.
    """

    def __init__(self, geocoder: Geocoder, *, provider: str, min_delay_seconds: float = 1.0,
                 sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None) -> None:
        import time

        self.geocoder = geocoder
        self.provider = provider
        self.min_delay = min_delay_seconds
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._last = -float("inf")
        self._lock = threading.Lock()
        # Providers that can restrict a search to a country (Nominatim's ``country_codes``) get the hint.
        self._takes_country = "country_codes" in inspect.signature(geocoder.geocode).parameters

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        with self._lock:
            wait = self._last + self.min_delay - self._clock()
            if wait > 0:
                self._sleep(wait)
            self._last = self._clock()
        text = ", ".join(p for p in (query, admin1) if p)
        kwargs: dict[str, Any] = {"exactly_one": True}
        if country and self._takes_country:
            kwargs["country_codes"] = country.lower()
        location = self.geocoder.geocode(text, **kwargs)
        if location is None:
            return None
        raw: dict[str, Any] = location.raw if isinstance(location.raw, dict) else {}
        kind = str(raw.get("addresstype") or raw.get("type") or "")
        found = raw.get("address")
        address: dict[str, Any] = found if isinstance(found, dict) else {}
        return GeocodeResult(location.address.split(",")[0], location.latitude, location.longitude,
                             _PRECISION_BY_TYPE.get(kind, 1), str(address.get("country_code", country or "")).upper(),
                             str(address.get("state", admin1 or "")), kind or "place", self.provider)


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


@dataclass
class FallbackLocator:
    """Ask ``primary``; on any network or provider error answer from ``fallback`` and say so."""

    primary: Locator
    fallback: Locator
    notices: list[str] = field(default_factory=list)

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        try:
            result = self.primary.locate(query, country, admin1)
        except (geopy_exc.GeopyError, OSError, ValueError) as error:
            self.notices.append(f"Online geocoder failed for {query!r} ({type(error).__name__}); used the offline gazetteer.")
            log.warning("online geocoder failed: %s", type(error).__name__)
            return self.fallback.locate(query, country, admin1)
        return result or self.fallback.locate(query, country, admin1)


def make_locator(offline: OfflineGeocoder, *, provider: str | None, user_agent: str | None = None,
                 api_key: str | None = None, domain: str | None = None, cache: Path | None = None,
                 timeout: float = 5.0, min_delay_seconds: float = 1.0) -> Locator:
    """The offline geocoder, or an online ``provider`` (a geopy service name such as
    ``nominatim``) wrapped in rate limit (``min_delay_seconds`` between requests), cache and
    offline fallback."""
    if not provider or provider == "offline":
        return offline
    cls = get_geocoder_for_service(provider)
    # urllib, not geopy's default requests adapter: that one silently retries a timed-out or
    # refused request twice at once, which triples the wait and breaks the provider's rate limit.
    options: dict[str, Any] = {"user_agent": user_agent or "incident-map (https://github.com/)", "timeout": timeout,
                               "adapter_factory": URLLibAdapter}
    if api_key:
        options["api_key"] = api_key
    if domain:
        options["domain"] = domain
        options["scheme"] = "http" if domain.startswith(("127.", "localhost")) else "https"
    online: Locator = OnlineLocator(cls(**options), provider=provider, min_delay_seconds=min_delay_seconds)
    if cache is not None:
        online = CachedLocator(online, cache, namespace=f"{provider}:{domain or ''}")
    return FallbackLocator(online, offline)
