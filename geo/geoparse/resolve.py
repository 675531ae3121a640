"""Resolution: pick one gazetteer place per mention, using the whole document.

A name alone is ambiguous ("Lebanon" is a country and sixteen US towns, "Gaza" a city
and a Mozambican province). Writers disambiguate for their readers, and the resolver
reads the same cues, in this order of strength:

* stated containers: "X town (District, Governorate)", "X area, Y city, Z governorate,
  Iraq", "X, a village in the Y district", "X in Y", "X near Y". A candidate outside a
  stated container is never chosen (variant spellings inside it are tried first); when
  nothing inside matches, or the name is unknown, the answer is the smallest stated
  container at its honest precision (2 district or near a town, 3 province, 4 country);
* apposition without a kind word ("Marjayoun, Lebanon") is a strong hint, not a filter:
  "Mosul, Kirkuk and Erbil" is a list;
* the story's countries and provinces: every country, province and demonym named
  anywhere lends weight to candidates inside it;
* nearness: a town close to the story's other places beats a homonym abroad;
* a prior for each candidate: where all of a name's candidates lie in countries with a village
  layer, the geocoder's fitted ranking model (:func:`geo.gazetteer.ranking.model`, fitted on
  such places: on the conflict tune rows 284 → 290 of 397 points right); elsewhere the hand-set
  prior from the feature and size, which general news (towns of the base index) keeps, as the
  model lowered GeoWebNews and TR-News there.

Scores are additive and cheap (one pass for context, one for picks, one for nearness)
so a story resolves in well under a millisecond.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geo.gazetteer import Gazetteer, Place, names, ranking
from geo.geoparse import lexicon
from geo.geoparse.demonyms import area
from geo.geoparse.nearby import NearIndex
from geo.geoparse.recognise import Mention, place_of

__all__ = ["Resolved", "resolve", "distance_km"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention with its chosen place (``None`` when the gazetteer has no candidate).

    ``container`` marks a mention that only says where another one lies ("Anbar" in
    "Hit (Hit district, Anbar)"); ``fallback`` one placed at its stated container because
    its own place is unknown there."""

    mention: Mention
    place: Place | None
    geo_precision: int | None
    score: float = 0.0
    container: bool = False
    fallback: bool = False


_AREA = ("country", "admin1", "region")
_DIVISIONS = ("country", "admin1", "admin2", "admin3", "region")
_key = functools.lru_cache(maxsize=1 << 16)(names.key)
_NAMED_COUNTRY = 12.0  # score of a mention spelled as a country's name; apposition ("Turkey, Texas") beats it


distance_km = ranking.distance_km


def _candidates(mention: Mention, gazetteer: Gazetteer) -> list[Place]:
    if mention.kind == "area":
        found = area(mention.lookup)
        if found is None:
            return []
        name, lat, lon, cc = found
        return [Place(f"area:{mention.lookup}", name, lat, lon, cc, "", "region", 0, "geo.geoparse.demonyms.AREAS")]
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
    for k, m in enumerate(mentions):
        cands[k] = _by_kind_word(text, m, cands[k])
    # 2. stated containers filter candidates (hard), apposition without a kind word boosts them (soft)
    links = container_links(text, mentions, cands)
    # a container abroad is no container: "Djibo in Soum province", in a story that names Burkina Faso,
    # is not in the Senegalese town of Soum. Outside every country the story names, a town is dropped as
    # a container when the text calls it a division, or when it is small (as _no_small_place_abroad)
    story_countries = {p.country_code for k, cs in enumerate(cands) for p in cs  # countries and provinces it names
                       if p.feature in ("country", "admin1") and _key(p.name) == _key(mentions[k].lookup)}
    if story_countries:
        for link in links:
            outer = mentions[link.outer]
            if link.hard and not link.near:
                division = bool(_DIVISION_WORD.match(text[outer.end:outer.end + 25]))
                cands[link.outer] = [p for p in cands[link.outer] if p.is_area or p.country_code in story_countries
                                     or not division and p.population > _SMALL_ABROAD]
    falls_back_to, is_container = _apply_containers(mentions, cands, links, gazetteer)
    container: dict[int, list[Place]] = {}
    for link in links:
        if not link.hard and not link.near:
            container[link.inner] = [p for p in cands[link.outer] if p.feature in _DIVISIONS]

    # where a name's every candidate lies in a country with a village layer (what the ranking model
    # was fitted on), the model ranks them; elsewhere (towns of the world's base index) the hand prior
    layered = gazetteer.layer_countries()
    fitted: dict[int, dict[str, float]] = {}

    def prior(k: int, p: Place) -> float:
        if k not in fitted:
            cs = cands[k]
            fitted[k] = {} if not layered or len(cs) < 2 or any(
                q.country_code not in layered or q.feature == "country" or q.curated for q in cs) else \
                {q.id: ranking.model().score(row) for q, row in zip(cs, ranking.features(cs, mentions[k].lookup, gazetteer),
                                                                     strict=True)}
        return fitted[k].get(p.id, ranking.prior(p, mentions[k].text))

    def score(k: int, p: Place) -> float:
        s = prior(k, p)
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
            if ranking.inside(p, box):
                s += 10.0
                break
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
        best = _prefer_town(max(cs, key=lambda p: cached(k, p)), cs, k in is_container, mentions[k].lookup)
        first.append((best, cached(k, best)))
    # 3. nearness to the other places (points only; countries are too coarse)
    # (a grid of the story's points, each with the names it was found under: a mention is
    # not near itself, and asking costs the same however many places the story names)
    named_at: dict[str, set[str]] = {}
    points: NearIndex[str] = NearIndex(ranking.NEAR_KM)
    for j, (anchor, _) in enumerate(first):
        if anchor is not None and anchor.feature not in _AREA:
            if anchor.id not in named_at:
                named_at[anchor.id] = set()
                points.add(anchor.latitude, anchor.longitude, anchor.id)
            named_at[anchor.id].add(mentions[j].lookup)
    every_name: set[str] = set().union(*named_at.values())
    out: list[Resolved] = []
    for k, (m, cs) in enumerate(zip(mentions, cands, strict=True)):
        place, s = first[k]
        if place is not None and len(cs) > 1 and s < _NAMED_COUNTRY and every_name - {m.lookup}:
            cs = sorted(cs, key=lambda p: cached(k, p), reverse=True)[:8]

            def near(p: Place, lookup: str = m.lookup) -> float:
                if p.feature == "country":
                    return 0.0
                found = points.any_near(p.latitude, p.longitude, lambda i: len(named_at[i]) > 1 or lookup not in named_at[i])
                return ranking.NEAR_BONUS if found else 0.0
            place = _prefer_town(max(cs, key=lambda p: cached(k, p) + near(p)), cs, k in is_container, m.lookup)
            s = cached(k, place) + near(place)
        out.append(Resolved(m, place, _precision(m, place), s, k in is_container))
    out = _no_small_place_abroad(out, cands, cached)
    near_inner = {link.inner for link in links if link.near}
    for k, j in falls_back_to.items():
        box = out[j].place
        if box is not None:
            precision = 2 if k in near_inner else ranking.fallback_precision(box)
            out[k] = Resolved(mentions[k], box, precision, out[j].score, False, True)
    return _one_sense_per_story(out)


_SMALL_ABROAD = 100_000  # a town this size or smaller, outside every country the story places itself in


def _no_small_place_abroad(out: list[Resolved], cands: Sequence[Sequence[Place]],
                           score: Callable[[int, Place], float]) -> list[Resolved]:
    """The story's countries are those of the provinces, districts, cities and sites it
    names, and of the containers it states ("Aleppo countryside", "(Jowhar, Middle
    Shabelle)"); a country named in passing ("the border with Israel") does not count. A small town or village outside all of
    them, or any town there known by another name (a Syrian "Mare" is not Malé), is a homonym
    (a group's name is not a village abroad that shares it): the best
    candidate inside the story's countries is taken instead, or none (a wrong point is
    worse than no point)."""
    story = {r.place.country_code for r in out if r.place is not None and r.mention.kind == "place"
             and not r.mention.in_organisation and (r.container or r.place.feature in ("admin1", "admin2", "admin3")
                                                    or not r.place.is_area and r.place.population > _SMALL_ABROAD
                                                    or r.place.curated)}
    if not story:
        return out
    fixed = []
    for k, r in enumerate(out):
        p = r.place
        own_name = p is not None and names.article_free(_key(p.name)) == names.article_free(_key(r.mention.lookup))
        if p is not None and p.country_code not in story and not p.is_area and not p.curated \
                and p.feature not in ("airbase", "airport") and (p.population <= _SMALL_ABROAD or not own_name):
            home = [c for c in cands[k] if c.country_code in story]
            best = max(home, key=lambda c: score(k, c)) if home else None
            r = Resolved(r.mention, best, _precision(r.mention, best), score(k, best) if best else 0.0, r.container)
        fixed.append(r)
    return fixed


_KIND = (r"(?:town|village|city|area|district|sub-?district|governorate|province|region|oblast|raion|rayon|"
         r"county|neighbou?rhood|quarter|camp|municipality|locality|state|hamlet|nahiya|qada|countryside|"
         r"outskirts|vicinity|refugee camp|township|LGA|hromada|market|road|street|square|school|hospital|"
         r"mosque|church|bridge|junction|checkpoint|base|airport|station|prison|farm|field|office|roundabout)")
# The gaps between mentions can be long. Every run of spaces is taken whole (possessive
# \s++ and \s*+, and a word as \w++), so a failed match never retries a run from each
# position: "\s*,?\s+" is written "(?:\s*+,)?\s++", which reads the same text.
_COMPASS_WORD = r"(?:(?:north|south|east|west)(?:ern|east|west|eastern|western)?\s++|central\s++|rural\s++)?"
_KINDS_FIRST = rf"^(?:\s++{_KIND})*"
_HARD_GAP = re.compile(rf"{_KINDS_FIRST}(?:\s*+\(\s*+|\s++of\s++(?:the\s++)?{_COMPASS_WORD}|"
                       rf"(?:\s*+,)?\s++in\s++(?:the\s++)?{_COMPASS_WORD}|"
                       rf"\s*+,\s++(?:an?\s++|the\s++)?(?:\w++\s++)?{_KIND}\s++(?:in|of)\s++(?:the\s++)?{_COMPASS_WORD}"
                       rf"(?:{_KIND}\s++of\s++)?)$", re.IGNORECASE)
_KIND_ONLY_GAP = re.compile(rf"^(?:\s++{_KIND})+\s++$", re.IGNORECASE)  # "Kani Masi area Amedi district"
_SOFT_GAP = re.compile(rf"{_KINDS_FIRST}\s*+,\s*+(?:in\s++)?(?:the\s++)?$", re.IGNORECASE)
_NEAR_GAP = re.compile(rf"{_KINDS_FIRST}(?:\s*+,)?\s++(?:near|outside|close to|on the outskirts of|"
                       rf"(?:\d++\s*+km\s++)?(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s++of)"
                       rf"\s++(?:the\s++)?(?:{_KIND}\s++of\s++)?$", re.IGNORECASE)
_NAME_WORDS = r"[A-Z][\w'\u2019-]*+(?:[ -][A-Z][\w'\u2019-]*+){0,3}"  # up to four capitalised words, each whole
_UNKNOWN_PART = re.compile(rf"(?:(?<=[(,] )|(?<=of )){_NAME_WORDS},(?= )|(?<=[(,]){_NAME_WORDS},")
_CONTINUATION = re.compile(rf"^(?![ -](?i:{_KIND}|international|air\s?base|airport)\b)[ -]{_NAME_WORDS}(?=,|\s*+\()")
_SMALL_KIND = re.compile(r"(?<!\s)\s++(?:neighbou?rhood|quarter|area|district of|suburb)\b", re.IGNORECASE)
_KIND_NEXT = re.compile(rf"^\s++{_KIND}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    """Mention ``outer`` states where mention ``inner`` lies (``near``: close to it;
    ``parens``: inside parentheses)."""

    inner: int
    outer: int
    hard: bool
    near: bool = False
    parens: bool = False
    partial: bool = False  # the inner mention is only the head of a longer unknown name ("Tal Zahra Kabir", only "Tal Zahra" known)
    small: bool = False  # the inner is a neighbourhood or area of a city: it lies close to it


_WATER = lexicon.words("water_words")


def water(name: str) -> bool:
    """Whether a name is a body of water ("Red Sea", "Gulf of Aden")."""
    return bool(set(name.lower().split()) & _WATER)


def container_links(text: str, mentions: Sequence[Mention], cands: Sequence[Sequence[Place]]) -> list[Link]:
    """Containment the text states between neighbouring mentions.

    Hard (a filter): a parenthesis ("X (District, Governorate)"), "in", "X, a village in
    the Y district", a kind word after the container ("…, Anbar governorate"), a country
    after a comma. Soft (a hint): a bare comma, which may also separate a list."""
    links: list[Link] = []
    in_parens = False
    for k in range(len(mentions) - 1):
        a, b = mentions[k], mentions[k + 1]
        # names the index lacks inside an address ("(Khanaqindistrict, Diyala)", ", Northern District, Israel") keep the chain
        gap = _UNKNOWN_PART.sub("", text[a.end:b.start])
        rest = _CONTINUATION.match(gap) if a.kind == "place" else None
        partial = rest is not None
        if rest:
            gap = gap[rest.end():]
        small = bool(_SMALL_KIND.match(text, a.end))
        if ")" in gap or len(gap) > 60 or water(b.text):  # "off Hodeidah in the Red Sea": no container
            in_parens = False
            continue
        after = text[b.end:b.end + 30]
        if _NEAR_GAP.match(gap):
            if not any(p.feature == "country" for p in cands[k]):  # "the border with Syria near Al-Qaim"
                links.append(Link(k, k + 1, True, True, partial=partial))
        elif _HARD_GAP.match(gap) or _KIND_ONLY_GAP.match(gap) and _KIND_NEXT.match(after):
            in_parens = in_parens or "(" in gap
            links.append(Link(k, k + 1, True, parens=in_parens, partial=partial, small=small))
        elif _SOFT_GAP.match(gap):
            country = any(p.feature == "country" and _key(p.name) == _key(b.lookup) for p in cands[k + 1])
            hard = in_parens or bool(_KIND_NEXT.match(after)) or country
            links.append(Link(k, k + 1, hard, parens=in_parens, partial=partial, small=small))
        else:
            in_parens = False
    # "X, Y, Z, Iraq": a comma chain that ends in a country is an address, not a list
    for n in range(len(links) - 1, 0, -1):
        if links[n].hard and not links[n - 1].hard and not links[n - 1].near and links[n - 1].outer == links[n].inner:
            links[n - 1] = dataclasses.replace(links[n - 1], hard=True)
    return links


_MAX_CHAIN = 6  # containers above a mention's own: village, subdistrict, district, province, country and a spare


def _apply_containers(mentions: Sequence[Mention], cands: list[list[Place]], links: list[Link],
                      gazetteer: Gazetteer) -> tuple[dict[int, int], set[int]]:
    """Filter each mention's candidates by the containers stated for it, largest first.

    Returns (mention -> the container mention to fall back to, container mentions)."""
    outer_of: dict[int, list[Link]] = {}
    for link in links:
        outer_of.setdefault(link.inner, []).append(link)
    chain_up: dict[int, list[Link]] = {}
    for k in sorted(outer_of, reverse=True):  # a container's own containers apply to what it contains
        up = [x for link in outer_of[k] for x in chain_up.get(link.outer, []) if x.hard]
        chain_up[k] = outer_of[k] + up[:_MAX_CHAIN]  # an address has a few levels; a long comma list is not one
    falls_back: dict[int, int] = {}
    is_container: set[int] = set()
    for k in sorted(chain_up, reverse=True):
        boxes = chain_up[k]
        # "(Xdistrict, Province)": reports list districts in parentheses; one known only as a town is a hint, not a limit
        hard = [link for link in boxes if link.hard and not (
            link.parens and not link.near and cands[link.outer] and not any(p.feature in _DIVISIONS
                                                                            for p in cands[link.outer]))]
        if not hard:
            _soft_containers(k, mentions[k], boxes, cands, gazetteer, falls_back, is_container)
            continue
        for link in hard:
            if not link.near:
                cands[link.outer] = _as_container(cands[link.outer], link.parens)
                is_container.add(link.outer)
        partial = any(link.partial for link in boxes if link.inner == k)  # not a container's own
        if partial:
            cands[k] = []  # its candidates are for the head word, another place

        def fits(p: Place, hard: list[Link] = hard) -> bool:
            return all(_fits(p, cands[link.outer], link.near, gazetteer, link.small) for link in hard
                       if cands[link.outer])

        kept = [p for p in cands[k] if fits(p)]
        if not kept and not partial and mentions[k].kind == "place" and mentions[k].lookup:  # variant spellings
            kept = [p for p in (place_of(gazetteer, i) for i in gazetteer.indices(mentions[k].lookup, True)) if fits(p)]
        if kept:
            cands[k] = kept
        elif any(cands[link.outer] for link in hard):
            cands[k] = []
            falls_back[k] = next(link.outer for link in hard if cands[link.outer])
    return falls_back, is_container


_TOWN_WORD = re.compile(r"^\s++(?:city|town|village|camp|refugee camp|neighbou?rhood|quarter|area)\b", re.IGNORECASE)
_DIVISION_WORD = re.compile(r"^\s++(?:(district|sub-?district|county|raion|rayon)|(governorate|province|region|"
                            r"oblast|state))\b", re.IGNORECASE)


def _by_kind_word(text: str, m: Mention, cands: list[Place]) -> list[Place]:
    """"Hodeidah city" is the town, "Hodeidah governorate" the province, "Sinjar district" the
    district: a kind word after a name picks among same-named places."""
    after = text[m.end:m.end + 25]
    if _TOWN_WORD.match(after):
        towns = [p for p in cands if not p.is_area]
        return towns or cands
    division = _DIVISION_WORD.match(after)
    if division:
        level = ("admin2", "admin3") if division.group(1) else ("admin1", "region")
        return [p for p in cands if p.feature in level] or cands
    return cands


def _soft_containers(k: int, mention: Mention, boxes: list[Link], cands: list[list[Place]], gazetteer: Gazetteer,
                     falls_back: dict[int, int], is_container: set[int]) -> None:
    """A bare comma ("Izium, Kharkiv"; but also "Mosul, Kirkuk and Erbil"): candidates
    inside the division after it are taken when there are any, also under variant
    spellings; a name with no candidate in that division's country falls back to it."""
    for link in boxes:
        areas = [p for p in cands[link.outer] if p.feature in _DIVISIONS]
        if link.near or not areas or mention.kind != "place":
            continue
        inside = [p for p in cands[k] if _fits(p, areas, False, gazetteer)]
        if not inside and mention.lookup:
            inside = [p for p in (place_of(gazetteer, i) for i in gazetteer.indices(mention.lookup, True))
                      if _fits(p, areas, False, gazetteer)]
        if inside:
            cands[k] = inside
            cands[link.outer] = areas
            is_container.add(link.outer)
        elif not any(p.country_code in {a.country_code for a in areas} for p in cands[k]):
            cands[k] = []
            cands[link.outer] = areas
            falls_back[k] = link.outer
            is_container.add(link.outer)
        return


def _as_container(cands: list[Place], in_parens: bool = False) -> list[Place]:
    """A container mention means a division, or the town that shares a division's name and
    lies in it ("Sinjar, Nineveh": the town Sinjar, also a district). Inside
    parentheses ("(Suleja, Niger)") reports list districts and provinces, not countries."""
    areas = [p for p in cands if p.feature in _DIVISIONS]
    if in_parens:
        areas = [p for p in areas if p.feature != "country"] or areas
    if not areas:
        return cands
    area_names = {(p.country_code, names.article_free(_key(p.name))) for p in areas}
    towns = [p for p in cands if not p.is_area and (p.country_code, names.article_free(_key(p.name))) in area_names
             and any(ranking.inside(p, a) for a in areas)]
    return areas + towns


def _fits(p: Place, boxes: Sequence[Place], near: bool, gazetteer: Gazetteer, small: bool = False) -> bool:
    if near:
        return any(ranking.distance_km(p.latitude, p.longitude, b.latitude, b.longitude) < ranking.NEAR_PLACE_KM
                   for b in boxes[:8])
    towns = [b for b in boxes[:12] if not b.is_area]
    if small and towns:  # "Karrada neighbourhood, Baghdad": part of the town, not a village 25 km out
        return any(p.id != b.id and ranking.distance_km(p.latitude, p.longitude, b.latitude, b.longitude)
                   < ranking.NEIGHBOURHOOD_KM for b in towns)
    return any(p.id == b.id or ranking.inside(p, b, gazetteer.division_names(b) if b.is_area else frozenset())
               for b in boxes[:12])


_NAMESAKE_TOWN = 10_000  # people: a town this size found under a province's name is its namesake


def _prefer_town(best: Place, cs: Sequence[Place], container: bool, lookup: str = "") -> Place:
    """"Benghazi", "Marib", "Erbil": when a province or district and a town inside it share
    a name, a report means the town (as the geocoder ranks it, :mod:`geo.gazetteer.ranking`), unless
    the name only says where another place is, or the text says "province" (then the town
    is not among the candidates). A town found under the name through one of its other
    names counts when it is a real town ("Nabatieh" for "Nabatîyé et Tahta"), and so does a
    town spelled as the text spells it when the division was found under another name."""
    if container or best.feature not in ("admin1", "admin2", "admin3"):
        return best
    own = {names.article_free(_key(best.name)), names.article_free(_key(lookup)) if lookup else ""}
    towns = [p for p in cs if not p.is_area and ranking.inside(p, best)
             and (names.article_free(_key(p.name)) in own or p.population >= _NAMESAKE_TOWN)]
    return max(towns, key=lambda p: ranking.prior(p)) if towns else best


def _one_sense_per_story(resolved: list[Resolved]) -> list[Resolved]:
    """A name keeps one referent within a story: "Parkland, Florida" early on settles the
    later bare "Parkland"s. The best-supported reading of each name wins."""
    best: dict[str, Resolved] = {}
    for r in resolved:
        if r.place is None or r.container or r.fallback:  # "Hodeidah city, Hodeidah": a town and its province
            continue
        k = names.key(r.mention.lookup)
        if k not in best or r.score > best[k].score:
            best[k] = r
    out = []
    for r in resolved:
        b = best.get(names.key(r.mention.lookup))
        if b is not None and r.place is not None and b.place is not None and b.place.id != r.place.id \
                and r.mention.kind == b.mention.kind and not r.container and not r.fallback:
            r = Resolved(r.mention, b.place, _precision(r.mention, b.place), b.score)
        out.append(r)
    return out


def _precision(m: Mention, place: Place | None) -> int | None:
    if place is None:
        return None
    if m.kind == "region":
        return 3
    return place.geo_precision
