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
import re
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

from geo import names, ranking
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


def _result(place: Place, precision: int | None = None) -> GeocodeResult:
    return GeocodeResult(place.name, place.latitude, place.longitude, precision or place.geo_precision,
                         place.country_code, place.admin1, place.feature)


_NOTE = re.compile(r"(?<!\s)\s*+\([^()]*+\)\s*+$")  # spaces and "(" each tried once: linear


def rank(candidates: list[Place], surface: str = "") -> list[Place]:
    """Order homonyms that passed the container filters by :func:`geo.ranking.prior`.

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
