"""Resolution: pick one gazetteer place per mention, using the whole document.

A name alone is ambiguous ("Lebanon" is a country and sixteen US towns, "Gaza" a city
and a Mozambican province). Writers disambiguate for their readers, and the resolver
reads the same cues, in this order of strength:

* apposition: "Marjayoun, Lebanon", "(Marjayoun, Al Nabatieh)", "Hit in Anbar": the
  second name contains the first;
* the story's countries and provinces: every country, province and demonym named
  anywhere lends weight to candidates inside it;
* nearness: a town close to the story's other places beats a homonym abroad;
* a prior from the feature and size: countries, curated sites (bases, crossings), then
  cities by population, provinces a little below big cities (a bare "Gaza" or
  "Washington" in news is the city).

Scores are additive and cheap (one pass for context, one for picks, one for nearness)
so a story resolves in well under a millisecond.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from geo import names
from geo.demonyms import area
from geo.gazetteer import Gazetteer, Place
from geo.mentions import Mention, place_of

__all__ = ["Resolved", "resolve", "distance_km"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention with its chosen place (``None`` when the gazetteer has no candidate)."""

    mention: Mention
    place: Place | None
    geo_precision: int | None
    score: float = 0.0


_AREA = ("country", "admin1", "region")
_key = functools.lru_cache(maxsize=1 << 16)(names.key)
_NEAR_KM = 250.0
_NAMED_COUNTRY = 12.0  # score of a mention spelled as a country's name; apposition ("Turkey, Texas") beats it
_NAMESAKE_CITY_MIN = 1_000_000  # a province's namesake city wins only when it is this big ("Baghdad", not "Quebec")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def _prior(place: Place, mention: Mention) -> float:
    """Feature-and-size prior; provinces sit just below a city of 100k."""
    if place.feature == "country":
        return 10.0
    if place.curated:
        return 9.0
    if place.feature == "admin1":
        return 5.5
    if place.feature == "airbase":
        return 6.0
    if place.feature == "airport":
        low = mention.text.lower()
        return 6.0 if "airport" in low or "air" in low else 2.0
    return math.log10(place.population + 10)


def _candidates(mention: Mention, gazetteer: Gazetteer) -> list[Place]:
    if mention.kind == "area":
        found = area(mention.lookup)
        if found is None:
            return []
        name, lat, lon, cc = found
        return [Place(f"area:{mention.lookup}", name, lat, lon, cc, "", "region", 0, "geo.demonyms.AREAS")]
    if mention.kind == "demonym":
        places = [place_of(gazetteer, i) for i in gazetteer.exact.get(names.key(mention.lookup), ())]
        areas = [p for p in places if p.feature in _AREA]
        return areas or places
    places = [place_of(gazetteer, i) for i in mention.candidates]
    if mention.kind == "place" and not any(p.feature in _AREA for p in places):
        # provinces are often indexed under their official form: "Guizhou Sheng", "Kherson Oblast"
        k = _key(mention.lookup)
        for suffix in _ADMIN_SUFFIXES:
            places.extend(p for p in (place_of(gazetteer, i) for i in gazetteer.exact.get(f"{k} {suffix}", ()))
                          if p.feature == "admin1")
    if mention.kind == "region":
        areas = [p for p in places if p.feature in _AREA]
        return areas or places
    return places


_ADMIN_SUFFIXES = ("sheng", "zizhiqu", "shi", "oblast", "governorate", "province", "state", "region", "prefecture",
                   "krai", "kray", "voivodeship", "department", "district")
_GENERIC_TAIL = frozenset({"county", "city", "state", "province", "district", "region", "governorate", "town",
                           "village", "camp", "area", "municipality", "parish", "borough", "township", "metro",
                           "downtown", "suburbs", "countryside", "outskirts"})


def _fallback(mention: Mention, gazetteer: Gazetteer) -> list[Place]:
    """Names the gazetteer lacks but whose head it knows: "Orange County" -> Orange,
    "Nuwakot district" -> Nuwakot. The result is a place nearby (precision 2)."""
    words = names.key(mention.lookup).split()
    while words and words[-1] in _GENERIC_TAIL:
        words.pop()
    while words and words[0] in _GENERIC_TAIL:
        words.pop(0)
    k = " ".join(words)
    if not k or k == names.key(mention.lookup):
        return []
    return [place_of(gazetteer, i) for i in gazetteer.exact.get(k, ())]


def resolve(text: str, mentions: Sequence[Mention], gazetteer: Gazetteer) -> list[Resolved]:
    """One :class:`Resolved` per mention, same order."""
    cands = [_candidates(m, gazetteer) for m in mentions]
    fallback = {k: _fallback(m, gazetteer) for k, m in enumerate(mentions) if not cands[k]}
    # 1. the story's countries and provinces
    countries: Counter[str] = Counter()
    provinces: Counter[tuple[str, str]] = Counter()
    own_country: list[str] = []
    own_province: list[tuple[str, str]] = []
    for cs in cands:
        own_country.append("")
        own_province.append(("", ""))
        for p in cs:
            if p.feature == "country":
                countries[p.country_code] += 1
                own_country[-1] = p.country_code
                break
        else:
            admins = [p for p in cs if p.feature == "admin1"]
            if len(admins) == 1:
                key = (admins[0].country_code, admins[0].admin1)
                provinces[key] += 1
                countries[key[0]] += 1
                own_country[-1], own_province[-1] = key[0], key
    # a generic-head fallback ("Orange County" -> Orange) only inside a province the story
    # names, or a sizeable town in a country it names: a wrong point is worse than none
    for k, extra in fallback.items():
        cands[k] = [p for p in extra if provinces[(p.country_code, p.admin1)] > 0
                    or countries[p.country_code] > 0 and p.population >= 50_000]
    # 2. apposition: "X, Y", "X (Y", "X in Y"
    container: dict[int, list[Place]] = {}
    for k in range(len(mentions) - 1):
        a, b = mentions[k], mentions[k + 1]
        gap = text[a.end:b.start]
        if gap in (", ", " (", " in ", ", in ", " of ", " province of ") or gap.strip(" ,(") == "":
            container[k] = [p for p in cands[k + 1] if p.feature in _AREA]

    def score(k: int, p: Place) -> float:
        m = mentions[k]
        s = _prior(p, m)
        # context counts less for hamlets: a story naming the US does not make every
        # "Florida, NY" likelier than the state
        size = 1.0 if p.feature != "city" or p.curated else min(1.0, max(0.3, (math.log10(p.population + 10) - 2) / 3))
        own = 1 if own_country[k] == p.country_code else 0  # a mention does not vouch for itself
        if countries[p.country_code] - own > 0 and p.feature != "country":
            s += 3.0 * size
        own_p = 1 if own_province[k] == (p.country_code, p.admin1) else 0
        if p.feature != "admin1" and provinces[(p.country_code, p.admin1)] - own_p > 0:
            s += 2.0 * size
        for box in container.get(k, ()):
            if box.country_code == p.country_code and (box.feature == "country" or box.admin1 == p.admin1):
                s += 10.0
                break
        if _key(p.name) == _key(m.lookup):
            s += 0.5
        return s

    memo: dict[tuple[int, str], float] = {}

    def cached(k: int, p: Place) -> float:
        got = memo.get((k, p.id))
        if got is None:
            got = memo[(k, p.id)] = score(k, p)
        return got

    first: list[tuple[Place | None, float]] = []
    for k, cs in enumerate(cands):
        if not cs:
            first.append((None, 0.0))
            continue
        named = [p for p in cs if p.feature == "country" and _key(p.name) == _key(mentions[k].lookup)]
        if named and k not in container:
            first.append((named[0], _NAMED_COUNTRY))
            continue
        best = _prefer_province(max(cs, key=lambda p: cached(k, p)), cs)
        first.append((best, cached(k, best)))
    # 3. nearness to the other places (points only; countries are too coarse)
    anchors = [(k, p) for k, (p, _) in enumerate(first) if p is not None and p.feature not in _AREA]
    out: list[Resolved] = []
    for k, (m, cs) in enumerate(zip(mentions, cands, strict=True)):
        place, s = first[k]
        if place is not None and len(cs) > 1 and s < _NAMED_COUNTRY:
            others = list({p.id: p for j, p in anchors if mentions[j].lookup != m.lookup}.values())
            if others:
                cs = sorted(cs, key=lambda p: cached(k, p), reverse=True)[:8]
                def near(p: Place, others: list[Place] = others) -> float:
                    if p.feature == "country":
                        return 0.0
                    for o in others:
                        # 2.5 degrees of latitude is ~280 km: skip the trigonometry for far pairs
                        if abs(p.latitude - o.latitude) < 2.5 and \
                                distance_km(p.latitude, p.longitude, o.latitude, o.longitude) < _NEAR_KM:
                            return 2.0
                    return 0.0
                place = _prefer_province(max(cs, key=lambda p: cached(k, p) + near(p)), cs)
                s = cached(k, place) + near(place)
        out.append(Resolved(m, place, _precision(m, place), s))
    return _one_sense_per_story(out)


def _prefer_province(best: Place, cs: Sequence[Place]) -> Place:
    """"Quebec", "Kerman": when a town and the province containing it share a name, the
    province is meant more often, unless the town is a metropolis ("Baghdad")."""
    if best.feature == "city" and best.population < _NAMESAKE_CITY_MIN:
        for p in cs:
            if p.feature == "admin1" and p.country_code == best.country_code and p.admin1 == best.admin1:
                return p
    return best


def _one_sense_per_story(resolved: list[Resolved]) -> list[Resolved]:
    """A name keeps one referent within a story: "Parkland, Florida" early on settles the
    later bare "Parkland"s. The best-supported reading of each name wins."""
    best: dict[str, Resolved] = {}
    for r in resolved:
        if r.place is None:
            continue
        k = names.key(r.mention.lookup)
        if k not in best or r.score > best[k].score:
            best[k] = r
    out = []
    for r in resolved:
        b = best.get(names.key(r.mention.lookup))
        if b is not None and r.place is not None and b.place is not None and b.place.id != r.place.id \
                and r.mention.kind == b.mention.kind:
            r = Resolved(r.mention, b.place, _precision(r.mention, b.place), b.score)
        out.append(r)
    return out


def _precision(m: Mention, place: Place | None) -> int | None:
    if place is None:
        return None
    if m.kind == "region":
        return 3
    return place.geo_precision
