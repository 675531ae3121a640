"""Offline gazetteer: every name a place is known by, in one SQLite index on disk.

Layers (see :mod:`geo.gazetteer.build` and :mod:`geo.gazetteer.layers`):

* the base, built on first use from PyPI data packages (GeoNames towns of 500+ people,
  countries, air bases) and ``data/gazetteer/`` (admin1 divisions, curated sites);
* country layers in the GeoNames dump layout (villages, neighbourhoods, districts and
  governorates with their Arabic and variant names), installed with
  ``python -m geo gazetteer add``. A layer place with a GeoNames id supersedes the base
  town with that id, so one place never shows up twice.

Why SQLite and not Python objects: with 15 conflict countries installed the index holds
over half a million places and millions of names. As Python dicts that is hundreds of MB
per process; on disk it is a few page reads per lookup (microseconds) and the process
stays small, which a hosted app needs. Opening it is instant and nothing is rebuilt on
start.
"""

from __future__ import annotations

import difflib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer import names
from geo.gazetteer.format import LEVEL_EXACT, LEVEL_LOOSE, LEVEL_SKELETON, PLACE_COLUMNS, KeyFilter

__all__ = ["Place", "Gazetteer", "FEATURE_PRECISION", "PROVINCE_WORDS", "AREA_FEATURES"]

# geo_precision per feature kind (docs/DESIGN.md: 1 named place, 2 near a place or a district, 3 province, 4 country)
FEATURE_PRECISION = {"country": 4, "admin1": 3, "region": 3, "admin2": 2, "admin3": 2}
AREA_FEATURES = frozenset({"country", "admin1", "admin2", "admin3", "region"})
PROVINCE_WORDS = ("province", "governorate", "region", "oblast", "state")
_BASE_WORDS = PROVINCE_WORDS + ("district", "air base", "airbase", "airport", "air field", "airfield",
                                "international", "town", "village", "city", "camp", "area", "subdistrict")
_SKELETON_BUCKET = 400  # spellings under one skeleton beyond which a fuzzy match is not attempted


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry. ``feature`` is ``country``, ``admin1``, ``admin2``, ``region``,
    ``city`` (any populated place), ``neighbourhood``, ``airbase``, ``airport``,
    ``landmark`` or a curated site kind (``base``, ``outpost``, ``field`` …).

    ``admin1``/``admin2`` are the names of the province and district the place lies in
    (for a division, its own name at its level); ``admin1_code``/``admin2_code`` identify
    them within one source, so containment is tested on codes when both sides have them."""

    id: str
    name: str
    latitude: float
    longitude: float
    country_code: str
    admin1: str
    feature: str
    population: int = 0
    source: str = ""
    curated: bool = False
    capital: bool = False
    admin2: str = ""
    admin1_code: str = ""
    admin2_code: str = ""
    seat: int = 0  # seat of a division at this level (GeoNames PPLA=1, PPLA2=2, PPLA3=3); 0 none or unknown

    @property
    def geo_precision(self) -> int:
        return FEATURE_PRECISION.get(self.feature, 1)

    @property
    def is_area(self) -> bool:
        return self.feature in AREA_FEATURES


_SELECT = "SELECT " + ", ".join(PLACE_COLUMNS) + " FROM places"


class _KeyView:
    """``gazetteer.exact.get(key)`` and friends: the place indices filed under one key level.

    A superseded base place answers as the layer place that replaced it."""

    def __init__(self, gazetteer: Gazetteer, level: int) -> None:
        self._g = gazetteer
        self._level = level
        self._memo: OrderedDict[str, tuple[int, ...]] = OrderedDict()

    def get(self, k: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        hit = self._memo.get(k)
        if hit is None and self._g.key_filter is not None and f"{self._level}:{k}" not in self._g.key_filter:
            return default
        if hit is None:
            rows = self._g.query(
                "SELECT DISTINCT coalesce(p.superseded, p.id) FROM names n JOIN places p ON p.id = n.place "
                "WHERE n.k = ? AND n.level = ?", (k, self._level))
            hit = tuple(r[0] for r in rows)
            self._memo[k] = hit
            if len(self._memo) > 50_000:
                self._memo.popitem(last=False)
        return hit or default

    def __contains__(self, k: str) -> bool:
        return bool(self.get(k))


class Gazetteer:
    """Read access to the index: places by number, names by key (see :mod:`geo.gazetteer.names`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._db.execute("PRAGMA cache_size = -16000")  # 16 MB page cache
        self._lock = threading.Lock()
        self.exact = _KeyView(self, LEVEL_EXACT)
        self.loose = _KeyView(self, LEVEL_LOOSE)
        self._indices: OrderedDict[tuple[str, bool, bool], tuple[int, ...]] = OrderedDict()
        self._within: OrderedDict[tuple[str, str], dict[str, list[tuple[str, int]]]] = OrderedDict()
        found = self.query("SELECT value FROM meta WHERE key = 'key_filter'")
        self.key_filter = KeyFilter(found[0][0]) if found and isinstance(found[0][0], bytes) else None
        self._division_names: dict[str, frozenset[str]] = {}
        self._prominence: OrderedDict[str, tuple[int, bool]] = OrderedDict()
        self._layer_countries: frozenset[str] | None = None
        self._count = int(self.query("SELECT count(*) FROM places WHERE superseded IS NULL")[0][0])
        self.by_country = {p.country_code: p for p in (self._row(r) for r in self.query(
            _SELECT + " WHERE feature = 'country' AND superseded IS NULL"))}

    def query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def _row(r: tuple) -> Place:
        return Place(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]), bool(r[10]), r[11], r[12],
                     r[13], r[14] or 0)

    def __len__(self) -> int:
        return self._count

    def place(self, index: int) -> Place:
        rows = self.query(_SELECT + " WHERE id = ?", (index,))
        if not rows:
            raise KeyError(index)
        return self._row(rows[0])

    def places(self, indices: Iterable[int]) -> list[Place]:
        """Several places in one query, in the order asked ("Hoseynabad" names hundreds)."""
        wanted = list(dict.fromkeys(indices))
        found: dict[int, Place] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.query(f"SELECT id, {', '.join(PLACE_COLUMNS)} FROM places WHERE id IN ({marks})", chunk):
                found[r[0]] = self._row(r[1:])
        return [found[i] for i in wanted if i in found]

    def cities_over(self, population: int) -> list[Place]:
        """Towns with at least ``population`` people (for map labels)."""
        return [self._row(r) for r in self.query(
            _SELECT + " WHERE population >= ? AND feature = 'city' AND superseded IS NULL", (population,))]

    def exact_matches(self, name: str) -> list[Place]:
        return self.places(self.exact.get(names.key(name)))

    def indices(self, name: str, every_level: bool = False, fuzzy: bool = True) -> tuple[int, ...]:
        """Place numbers for ``name``: exact key first, else article-free, else a close
        skeleton match (the spelling must stay similar: a skeleton alone turns "Ghouta"
        into Guwahati). ``every_level`` returns the union of all three, for callers that
        filter by a stated container and need the variant spellings inside it; ``fuzzy=False``
        leaves skeletons out (the recogniser: they turn "Monday" into "Manado")."""
        memo_key = (name, every_level, fuzzy)
        hit = self._indices.get(memo_key)
        if hit is None:
            hit = self._indices[memo_key] = self._lookup(name, every_level, fuzzy)
            if len(self._indices) > 50_000:
                self._indices.popitem(last=False)
        return hit

    def _lookup(self, name: str, every_level: bool, fuzzy: bool) -> tuple[int, ...]:
        k = names.key(name)
        if len(k) < 2:
            return ()
        found: dict[int, None] = dict.fromkeys(self.exact.get(k))
        if found and not every_level:
            return tuple(found)
        free = names.article_free(k)
        if names.bare_particle(free):
            return tuple(found)
        found.update(dict.fromkeys(self.exact.get(free) + self.loose.get(free)))
        if found and not every_level:
            return tuple(found)
        sk = names.skeleton(k)
        if fuzzy and len(sk) >= 3 and (self.key_filter is None or f"{LEVEL_SKELETON}:{sk}" in self.key_filter):
            rows = self.query(
                "SELECT n.k, coalesce(p.superseded, p.id) FROM names n JOIN places p ON p.id = n.place "
                "WHERE n.level = ? AND n.k >= ? AND n.k < ? LIMIT ?",
                (LEVEL_SKELETON, sk + "\t", sk + "\t\U0010ffff", _SKELETON_BUCKET + 1))
            if len(rows) <= _SKELETON_BUCKET:  # a bigger bucket is too generic a skeleton to guess from
                close = {other for other in {r[0].split("\t", 1)[1] for r in rows} if names.similar(k, other)}
                found.update(dict.fromkeys(idx for key, idx in rows if key.split("\t", 1)[1] in close))
        return tuple(found)

    def prominence(self, place: Place) -> tuple[int, bool]:
        """How well known a place is where its population is not: the number of names it is
        filed under (spellings, languages) and whether GeoNames lists it among towns of 500+
        people (the base set, even when a country layer superseded that entry)."""
        got = self._prominence.get(place.id)
        if got is None:
            rows = self.query(
                "SELECT (SELECT count(*) FROM names n WHERE n.place = p.id AND n.level = 0), "
                "p.layer = 'base' OR EXISTS (SELECT 1 FROM places b WHERE b.superseded = p.id) "
                "FROM places p WHERE p.ref = ? AND p.superseded IS NULL", (place.id,))
            got = (int(rows[0][0]), bool(rows[0][1])) if rows else (0, False)
            self._prominence[place.id] = got
            if len(self._prominence) > 50_000:
                self._prominence.popitem(last=False)
        return got

    def spelled_exactly(self, name: str) -> frozenset[str]:
        """Ids of the places filed under ``name``'s exact key (one of their own spellings, not a
        variant or a skeleton match)."""
        return frozenset(p.id for p in self.places(self.exact.get(names.key(name))))

    def division_names(self, place: Place) -> frozenset[str]:
        """Article-free keys of every name of a division (its aliases across sources), so a
        town labelled "Babil" is known to lie in the province named "Babylon"."""
        got = self._division_names.get(place.id)
        if got is None:
            rows = self.query("SELECT n.k FROM names n JOIN places p ON p.id = n.place "
                              "WHERE p.ref = ? AND n.level IN (0, 1)", (place.id,))
            got = frozenset(names.article_free(r[0]) for r in rows) | {names.article_free(names.key(place.name))}
            self._division_names[place.id] = got
        return got

    def spelled_like(self, name: str, container: Place, similarity: float) -> list[Place]:
        """Places inside a province or district (``container``) with a name spelled like
        ``name`` (:func:`names.similar` at ``similarity``), closest first. For the spellings no
        key level joins ("Mhemideh", "Muhaymidah"): too loose to search the whole index, safe
        within one division that a record states."""
        column = {"admin1": "admin1_code", "admin2": "admin2_code"}.get(container.feature)
        code = getattr(container, column) if column else ""
        if not column or not code:
            return []
        wanted = names.article_free(names.key(name))
        first = names.skeleton(wanted)[:1]
        rows = self._within.get((column, code))
        if rows is None:  # the division's names by the first letter of their skeleton (its own rows of the index)
            by_first: dict[str, list[tuple[str, int]]] = {}
            for k, idx in self.query(
                    f"SELECT n.k, coalesce(p.superseded, p.id) FROM places p JOIN names n ON n.place = p.id "
                    f"WHERE p.cc = ? AND p.{column} = ? AND n.level = ?", (container.country_code, code, LEVEL_SKELETON)):
                by_first.setdefault(k[:1], []).append((k.split("\t", 1)[1], idx))
            rows = self._within[(column, code)] = by_first
            if len(self._within) > 64:
                self._within.popitem(last=False)
        scored: dict[int, float] = {}
        matcher = difflib.SequenceMatcher(None, "", wanted)  # the wanted name indexed once
        for key, idx in rows.get(first, ()):
            free = names.article_free(key)
            if 2 * min(len(free), len(wanted)) < similarity * (len(free) + len(wanted)):
                continue  # lengths alone keep the ratio below the bar
            matcher.set_seq1(free)
            if matcher.quick_ratio() >= similarity:
                ratio = matcher.ratio()
                if ratio >= similarity:
                    scored[idx] = max(scored.get(idx, 0.0), ratio)
        return self.places(sorted(scored, key=lambda i: -scored[i]))

    def variants(self, name: str) -> list[Place]:
        """Every place whose name is ``name`` at any key level: the spellings to search when a
        stated container holds none of the exact one."""
        return self.places(self.indices(name, every_level=True))

    def candidates(self, name: str) -> list[Place]:
        """Places called ``name``; failing that, ``name`` without a trailing or leading kind
        word ("Sinjar district" -> Sinjar, "Hit town" -> Hit)."""
        hits = self.indices(name)
        if hits:
            return self.places(hits)
        k = names.key(name)
        stripped = _strip_words(k, _BASE_WORDS)
        if stripped != k and stripped:
            return [p for p in self.candidates(stripped) if p.feature != "country"]
        return []

    def country(self, code: str) -> Place | None:
        return self.by_country.get(code.upper())

    def country_code_for(self, name: str) -> str | None:
        """ISO code of a country written as a code ("IQ") or a name ("Iraq", "Syrian Arab Republic")."""
        if len(name) == 2 and name.upper() in self.by_country:
            return name.upper()
        for p in self.exact_matches(name):
            if p.feature == "country":
                return p.country_code
        return None

    def layer_countries(self) -> frozenset[str]:
        """Codes of the countries with a village layer installed (read once)."""
        if self._layer_countries is None:
            self._layer_countries = frozenset(str(r[0]) for r in self.query("SELECT code FROM layers"))
        return self._layer_countries

    def layers(self) -> list[dict[str, object]]:
        """Installed country layers: code, places, source, installed (date)."""
        return [{"code": r[0], "places": r[1], "source": r[2], "installed": r[3]}
                for r in self.query("SELECT code, places, source, installed FROM layers ORDER BY code")]


def _strip_words(k: str, words: Iterable[str]) -> str:
    padded = f" {k} "
    for w in words:
        padded = padded.replace(f" {w} ", " ")
    return " ".join(padded.split())
