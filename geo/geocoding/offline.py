"""The offline geocoder: the gazetteer behind geopy's ``Geocoder`` interface, the default.

It needs no network. Containers stated in a query or a record ("Hit, Anbar, IQ") are
hard limits, and homonyms are ranked by :mod:`geo.gazetteer.ranking`, the same scoring
the geoparser uses. :class:`Locator` is the one interface every geocoder here offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import PROVINCE_WORDS, Gazetteer, Place, names, ranking

__all__ = ["GeocodeResult", "Locator", "OfflineGeocoder", "Gathered", "Choice", "rank"]


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


# how close a spelling must be to a place's name inside a stated province or district when no key
# level joins them ("Mhemideh", "Muhaymidah"); chosen on the training rows (scripts/tune_geocoder.py)
DIVISION_SIMILARITY = 0.8
_OUTSIDE_MAX = 40  # places of the name weighed outside a stated division
_NOTE = re.compile(r"(?<!\s)\s*+\([^()]*+\)\s*+$")  # spaces and "(" each tried once: linear


def rank(candidates: list[Place], surface: str, gazetteer: Gazetteer) -> list[Place]:
    """Order homonyms that passed the container filters, likeliest first.

    Two structural rules come first, as no training row could teach them: a country's name
    means the country, and a name that asks for an air base or airport means it. The rest
    is ordered by the fitted ranking model (:func:`geo.gazetteer.ranking.model`)."""
    if len(candidates) < 2:
        return list(candidates)
    model = ranking.model()
    scores = [model.score(row) for row in ranking.features(candidates, surface, gazetteer)]
    asks_for_air = "air" in surface.lower()

    def tier(p: Place) -> int:
        return 2 if p.feature == "country" else int(asks_for_air and p.feature in ("airbase", "airport"))

    order = sorted(range(len(candidates)), key=lambda i: (-tier(candidates[i]), -scores[i]))
    return [candidates[i] for i in order]


def _by_prior(places: list[Place], surface: str) -> list[Place]:
    """Containers ("Hit, Anbar", "Aden - Crater") by the hand-set prior: what is gathered, and
    so what the ranking model is fitted on, must not depend on that model."""
    return sorted(places, key=lambda p: ranking.prior(p, surface), reverse=True)


@dataclass(frozen=True, slots=True)
class Gathered:
    """What a query's name may be: ``inside`` the stated containers (``spelled_like`` when
    found by the division spelling search, closest first), else places of the name in the
    stated country ``outside`` them with their distance from the container (km), and the
    smallest stated container to fall back to."""

    surface: str
    inside: list[Place]
    spelled_like: bool = False
    outside: list[tuple[Place, float]] = field(default_factory=list)
    fallback: Place | None = None


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
        found = self.gather(query, country, admin1, admin2)
        if found.inside:
            if found.spelled_like:  # the closest spelling in the division first
                return Choice(found.inside[:1] + rank(found.inside[1:], found.surface, self.gazetteer))
            return Choice(rank(found.inside, found.surface, self.gazetteer))
        if found.outside:
            # the name is known in the stated country, just not inside the stated division: the
            # reporter's province and the gazetteer's differ near borders and after redistricting
            # ("Kikwit, Kwilu" is labelled Bandundu). Taken when the model finds it likely enough.
            model = ranking.model()
            rows = ranking.features([p for p, _ in found.outside], found.surface, self.gazetteer,
                                    [km for _, km in found.outside])
            scored = sorted(zip((model.probability(r) for r in rows), range(len(rows))), reverse=True)
            if scored[0][0] >= model.settings["outside_min"]:
                return Choice([found.outside[i][0] for _, i in scored])
        return Choice([found.fallback], True) if found.fallback else Choice([])

    def gather(self, query: str, country: str | None = None, admin1: str | None = None,
               admin2: str | None = None) -> Gathered:
        """The candidates for a query before ranking (what the model is fitted on)."""
        parts = [p.strip() for p in query.split(",") if p.strip()]
        if not parts:
            return Gathered("", [])
        country = self._code(country)
        hints: list[str] = []
        # "X (near the front)": a note on the place; "Aden - Crater": a part of a city (ACLED's form)
        head = _NOTE.sub("", parts[0]).strip() or parts[0]
        city_box: list[Place] = []
        if " - " in head:
            city, _, part = head.partition(" - ")
            head = part.strip() or city
            found = [p for p in self.gazetteer.candidates(city.strip()) if not country or p.country_code == country]
            city_box = _by_prior([p for p in found if not p.is_area], city)[:1] or self.containers(city, country)
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
        labels: list[tuple[str, str]] = []  # a record's own province and district columns
        for level, label in (("admin1", admin1), ("admin2", admin2)):
            if label:
                box = [p for p in self.containers(label, country) if p.feature == level]
                if box:
                    boxes.append(box)
                else:  # a division the index does not know by that name: match the candidates' own labels
                    labels.append((level, label))

        def fit(candidates: list[Place], within: bool = True) -> list[Place]:
            asked = names.key(parts[0]).split()
            if any(w in asked for w in PROVINCE_WORDS):
                candidates = [p for p in candidates if p.feature == "admin1"] or candidates
            elif "district" in asked:
                candidates = [p for p in candidates if p.feature in ("admin2", "admin3")] or candidates
            if country:
                candidates = [p for p in candidates if p.country_code == country]
            if not within:
                return candidates
            for level, label in labels:
                candidates = [p for p in candidates if ranking.same_division(getattr(p, level), label)] or candidates
            for box in boxes:
                candidates = [p for p in candidates if any(
                    p.id == b.id or ranking.inside(p, b, self.gazetteer.division_names(b)) for b in box)]
            return candidates

        candidates = fit(self.gazetteer.candidates(parts[0]))
        if not candidates and boxes:
            # none of that spelling where the record says: its variant spellings there ("Dardara",
            # "Dardarah"), a looser match being safe once a stated division narrows it (a country alone
            # does not: "Paris" in Iraq is no town called Paras, it is Iraq)
            candidates = fit(self.gazetteer.variants(parts[0]))
        if candidates:
            return Gathered(parts[0], candidates)
        # still none: a spelling no key joins, searched in the smallest stated division
        divisions = sorted((b for box in boxes for b in box if b.feature in ("admin1", "admin2")),
                           key=lambda b: b.feature != "admin2")
        for division in divisions[:2]:
            close = fit(self.gazetteer.spelled_like(parts[0], division, DIVISION_SIMILARITY))
            if close:
                return Gathered(parts[0], close, spelled_like=True)
        home = self.gazetteer.country(country) if country else None
        fallback = ranking.smallest([box[0] for box in boxes] + ([home] if home else []))
        outside: list[tuple[Place, float]] = []
        if boxes and country:  # the name's places in the country, each with how far outside the stated division
            for p in fit(self.gazetteer.candidates(parts[0]), within=False):
                if not p.is_area:
                    outside.append((p, max(min(ranking.distance_km(p.latitude, p.longitude, b.latitude, b.longitude)
                                               for b in box) for box in boxes)))
        return Gathered(parts[0], [], outside=outside[:_OUTSIDE_MAX], fallback=fallback)

    def options(self, query: str, country: str | None = None, admin1: str | None = None) -> list[Place]:
        """Places a person may pick for ``query``: those inside the stated country and
        province first (the automatic choice), then the name's other places in the hinted
        country, then elsewhere when no country is hinted. Empty when nothing has the name
        (a container fallback is an automatic answer, not a candidate)."""
        choice = self.choose(query, country, admin1)
        first = [] if choice.fallback else choice.places
        name = query.split(",")[0].strip()
        code = self._code(country)
        rest = [p for p in rank(self.gazetteer.candidates(name), name, self.gazetteer) if not code or p.country_code == code]
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
        towns = _by_prior([p for p in found if p.feature not in ("country", "region")], name)
        return towns[:1]

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        return self.choose(query, country, admin1).result()

    def reverse(self, query: Any, *, exactly_one: bool = True) -> None:
        raise NotImplementedError("the offline geocoder answers names, not coordinates")


def _raw(place: Place) -> dict[str, Any]:
    raw = {f: getattr(place, f) for f in ("id", "name", "country_code", "admin1", "feature", "source")}
    raw["geo_precision"] = place.geo_precision
    return raw
