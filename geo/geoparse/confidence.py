"""How sure the reader is of a pin: the chance that an incident's point lies where the event
happened (within 10 km for a town, 25 km for the coarser coding GTD uses).

A pin read from text is only as good as two choices: which mention is the event place (the
event-place scores of :mod:`geo.geoparse.location`) and which place of that name is meant
(the resolver's score). The features below say how clear each choice was: the place's share
of the story's event-place scores (a softmax over its places), its own score, the resolver's
score, and what kind of point it is. A logistic model fitted on the training rows of coded events
(``scripts/fit_confidence.py``, ``data/models/pin_confidence.json``) turns them into a
probability; being logistic, it is Platt-calibrated by construction, and its reliability on
the report half is published by ``bench/conflict.py``. The same model gives every mention its
chance of being the event's place, placed right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

from geo import settings
from geo.gazetteer.ranking import distance_km
from geo.geoparse.resolve import Resolved
from geo.models import LinearModel

__all__ = ["FEATURES", "MODEL_PATH", "model", "features", "runner_up", "of_mentions"]

MODEL_PATH = settings.DATA_DIR / "models" / "pin_confidence.json"
FEATURES = ("share", "score", "resolution", "near", "coarse", "fallback", "places")
_SAME_PLACE_KM = 25.0  # another mention this close is the same place, not a rival
_CLIP = 10.0  # the headline zone sits 100 below every body mention: a gap that large says no more than this


def _clip(x: float) -> float:
    return max(-_CLIP, min(_CLIP, x))


@cache
def model() -> LinearModel:
    """The confidence weights (setting ``review_below``: the confidence under which ingest sends
    an incident to the review queue), read once per process."""
    return LinearModel.read(MODEL_PATH, FEATURES, ("review_below",), "python scripts/fit_confidence.py")


def _rivals(k: int, resolved: Sequence[Resolved], score: Sequence[float | None]) -> list[int]:
    """The scored mentions of other places than mention ``k``'s, best first."""
    here = resolved[k].place
    out = []
    for j, s in enumerate(score):
        there = resolved[j].place
        if j == k or s is None or there is None:
            continue
        if here is not None and (there.id == here.id or distance_km(here.latitude, here.longitude, there.latitude,
                                                                   there.longitude) <= _SAME_PLACE_KM):
            continue
        out.append(j)
    return sorted(out, key=lambda j: -(score[j] or 0.0))


def features(k: int, resolved: Sequence[Resolved], score: Sequence[float | None], precision: int | None,
             fallback: bool) -> list[float]:
    """:data:`FEATURES` of mention ``k`` as an incident's place at ``precision`` (``fallback``:
    coded to a container because the gazetteer lacks the place itself)."""
    own = score[k] or 0.0
    rivals: dict[str, float] = {}  # each other place once, at its best mention's score
    for j in _rivals(k, resolved, score):
        there = resolved[j].place
        if there is not None and there.id not in rivals:
            rivals[there.id] = _clip(score[j] or 0.0)
    share = 1.0 / (1.0 + math.fsum(math.exp(s - _clip(own)) for s in rivals.values()))
    places = {r.place.id for r, s in zip(resolved, score, strict=True) if s is not None and r.place is not None}
    return [share, _clip(own), _clip(resolved[k].score), float(precision == 2), float((precision or 9) >= 3),
            float(fallback or resolved[k].fallback), math.log1p(len(places))]


def runner_up(k: int, resolved: Sequence[Resolved], score: Sequence[float | None]) -> tuple[str, float] | None:
    """The best-scored mention of another place than ``k``'s, and how far it is (km): where the
    event would be if the reader chose wrong."""
    rivals = _rivals(k, resolved, score)
    here, there = resolved[k].place, resolved[rivals[0]].place if rivals else None
    if here is None or there is None:
        return None
    return there.name, distance_km(here.latitude, here.longitude, there.latitude, there.longitude)


def of_mentions(resolved: Sequence[Resolved], score: Sequence[float | None]) -> list[float]:
    """Each mention's chance of being the event's place, placed right (0 for a mention that is
    never an event place, or has no point)."""
    weigh = model().probability
    return [0.0 if s is None or r.place is None else round(weigh(features(k, resolved, score, r.geo_precision, False)), 3)
            for k, (r, s) in enumerate(zip(resolved, score, strict=True))]
