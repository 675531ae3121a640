"""One scoring of gazetteer candidates, shared by the geocoder and the document resolver.

A name alone is ambiguous; what decides between homonyms is the same whether the name
comes from a record ("Khiam", country LB) or from an article ("… shelling of Khiam in
south Lebanon"): the feature, size and prominence of each candidate, whether it lies
inside the containers the text or record states (:func:`inside`), and how near it is to
the story's other places (:data:`NEAR_BONUS`).

Which of those weighs how much is not tuned by hand: :func:`model` is a logistic model
fitted on the training rows of ../shared/eval/conflict (``scripts/fit_ranking.py`` rebuilds
``data/models/place_ranking.json``; :data:`FEATURES` are its inputs). The hand-set
:func:`prior` remains for the document resolver, whose context bonuses are in its units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache

from geo import settings
from geo.gazetteer import names
from geo.gazetteer.index import PROVINCE_WORDS, Gazetteer, Place
from geo.models import LinearModel

__all__ = ["prior", "inside", "same_division", "smallest", "distance_km", "fallback_precision",
           "FEATURES", "model", "features", "MODEL_PATH", "COUNTRY_PRIOR", "NEAR_BONUS", "NEAR_KM"]

MODEL_PATH = settings.DATA_DIR / "models" / "place_ranking.json"

COUNTRY_PRIOR = 10.0  # a bare country name means the country
CURATED_PRIOR = 9.0  # a curated base or crossing beats a namesake village
AIRBASE_PRIOR = 6.0
ADMIN1_PRIOR = 5.5  # just below a town of ~300k: a bare "Gaza" or "Erbil" in news is the city
ADMIN2_PRIOR = 4.0  # a district: above villages of unknown size, below towns of 10k
NAMED_AIRPORT_PRIOR = 6.0  # "X airport" in the text
AIRPORT_PRIOR = 2.0
LANDMARK_PRIOR = 1.0
NEIGHBOURHOOD_PENALTY = 0.5
CAPITAL_BONUS = 1.5
# a division's seat is likelier news than a namesake hamlet when neither population is known
SEAT_BONUS = {1: 1.5, 2: 1.0, 3: 0.5}
OWN_NAME_BONUS = 0.5  # the name is the place's own, not one of its alternate names
NAMESAKE_DIVISION_PENALTY = 5.0  # "Erbil", "Sinjar": the town, unless the text says province/district
NEAR_BONUS = 2.0
NEAR_KM = 250.0
CITY_CONTAINER_KM = 30.0  # "X area, Y city": X lies within this of Y
NEAR_PLACE_KM = 60.0  # "X near Y"
NEIGHBOURHOOD_KM = 12.0  # "X neighbourhood, Y": X lies within this of the town Y
REGION_KM = 100.0  # "X (Y, West Bank)": a named region without borders in the index reaches this far from its centre


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def prior(place: Place, surface: str = "") -> float:
    """How likely a bare mention of the name means this place, before any context."""
    feature = place.feature
    if feature == "country":
        return COUNTRY_PRIOR
    if place.curated:
        return CURATED_PRIOR
    if feature == "admin1":
        return ADMIN1_PRIOR
    if feature in ("admin2", "admin3"):
        return ADMIN2_PRIOR
    if feature == "airbase":
        return AIRBASE_PRIOR
    if feature == "airport":
        return NAMED_AIRPORT_PRIOR if "air" in surface.lower() else AIRPORT_PRIOR
    if feature == "landmark":
        return LANDMARK_PRIOR
    score = math.log10(place.population + 10)
    if place.capital:
        score += CAPITAL_BONUS
    score += SEAT_BONUS.get(place.seat, 0.0)
    if feature == "neighbourhood":
        score -= NEIGHBOURHOOD_PENALTY
    if surface and names.key(place.name) == names.key(surface):
        score += OWN_NAME_BONUS
    return score


def same_division(a: str, b: str) -> bool:
    """Two names of one division across sources ("Ninawa"/"Ninewa", "Al Anbar"/"Anbar")."""
    if not a or not b:
        return False
    ka, kb = names.article_free(names.key(a)), names.article_free(names.key(b))
    if ka == kb:
        return True
    return names.skeleton(ka) == names.skeleton(kb) and names.similar(ka, kb, 0.6)


def inside(place: Place, container: Place, container_names: frozenset[str] = frozenset()) -> bool:
    """``place`` lies in ``container`` (a country, province, district or town).

    ``container_names`` (article-free keys of all the container's names, from
    ``Gazetteer.division_names``) let a label from another source match ("Babil" and
    "Babylon")."""
    if place.country_code != container.country_code:
        return False
    kind = container.feature
    if kind == "country":
        return True
    if kind == "admin1":
        if place.admin1_code and place.admin1_code == container.admin1_code:
            return True
        if container_names and place.admin1 and names.article_free(names.key(place.admin1)) in container_names:
            return True
        return same_division(place.admin1, container.admin1 or container.name)
    if kind in ("admin2", "admin3"):
        if place.admin2_code and place.admin2_code == container.admin2_code:
            return True
        if place.admin2 and (same_division(place.admin2, container.admin2 or container.name) or
                             names.article_free(names.key(place.admin2)) in container_names):
            return True
        # sources without districts: near the district's centre
        return not place.admin2 and distance_km(place.latitude, place.longitude,
                                                container.latitude, container.longitude) < NEAR_PLACE_KM / 2
    if kind == "region":
        return same_division(place.admin1, container.name) or \
            distance_km(place.latitude, place.longitude, container.latitude, container.longitude) < REGION_KM
    return distance_km(place.latitude, place.longitude, container.latitude, container.longitude) < CITY_CONTAINER_KM


def smallest(containers: Iterable[Place]) -> Place | None:
    """The most specific of the stated containers (a district before a province before a country)."""
    return min(containers, key=lambda p: p.geo_precision, default=None)


def fallback_precision(container: Place) -> int:
    """Precision of an event placed at a container because its own place is unknown:
    a district or a town it is near is 2, a province 3, a country 4."""
    return max(2, container.geo_precision)


# the model's inputs, in the order of its weights (a change here needs scripts/fit_ranking.py rerun)
FEATURES = ("country", "admin1", "district", "airbase", "airport", "named_airport", "landmark", "neighbourhood",
            "curated", "log_population", "population_known", "capital", "seat1", "seat2", "seat3", "own_name",
            "exact_spelling", "log_names", "base_town", "namesake_division", "asked_division", "log_outside_km")


def features(candidates: Sequence[Place], surface: str, gazetteer: Gazetteer,
             outside_km: Sequence[float] | None = None) -> list[list[float]]:
    """One row of :data:`FEATURES` per candidate of ``surface``. ``outside_km`` is how far
    each lies outside the container the query states (0 inside; only when none is inside)."""
    spelled = gazetteer.spelled_exactly(surface)
    words = names.key(surface).split()
    asked = any(w in words for w in (*PROVINCE_WORDS, "district"))
    towns = [p for p in candidates if not p.is_area]
    own = names.key(surface)
    rows = []
    for n, p in enumerate(candidates):
        count, base = gazetteer.prominence(p)
        division = p.feature in ("admin1", "admin2", "admin3")
        namesake = division and not asked and any(
            names.article_free(names.key(t.name)) == names.article_free(names.key(p.name)) and inside(t, p)
            for t in towns)
        rows.append([
            p.feature == "country", p.feature == "admin1", p.feature in ("admin2", "admin3"),
            p.feature == "airbase", p.feature == "airport", p.feature == "airport" and "air" in surface.lower(),
            p.feature == "landmark", p.feature == "neighbourhood", p.curated,
            math.log10(p.population + 10), p.population > 0, p.capital, p.seat == 1, p.seat == 2, p.seat == 3,
            names.key(p.name) == own, p.id in spelled, math.log1p(count), base, namesake, asked and division,
            math.log1p(outside_km[n]) if outside_km else 0.0])
    return [[float(v) for v in row] for row in rows]


@cache
def model() -> LinearModel:
    """The shipped ranking model (its setting ``outside_min``), read once per process."""
    return LinearModel.read(MODEL_PATH, FEATURES, ("outside_min",), "python scripts/fit_ranking.py")
