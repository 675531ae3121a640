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

__all__ = ["FEATURES", "MODEL_PATH", "model", "review_below", "Story"]

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


def review_below(secret: object = None) -> float:
    """The cut in force: the deploy's setting (``geo.settings.review_below``), else the model's.
    Ingest lists pins under it for checking and the article tab warns under it: one cut for both."""
    return settings.review_below(secret, model().settings["review_below"])


_RIVALS = 50  # other places weighed per mention, best first: the rest add nothing a share would show


class Story:
    """One story's scored places, gathered once, so each mention's features cost no more than
    a look at the best few other places (a long text names thousands of places: comparing every
    mention with every other one would make the parse quadratic)."""

    def __init__(self, resolved: Sequence[Resolved], score: Sequence[float | None]) -> None:
        self.resolved, self.score = resolved, score
        best: dict[str, tuple[float, int]] = {}  # place id -> its best mention's score and index
        for j, (r, s) in enumerate(zip(resolved, score, strict=True)):
            if s is not None and r.place is not None and (r.place.id not in best or s > best[r.place.id][0]):
                best[r.place.id] = (s, j)
        self.ranked = sorted(best.values(), key=lambda item: (-item[0], item[1]))  # each place once, best first

    def _rivals(self, k: int) -> list[int]:
        """The best mention of each other place than mention ``k``'s (none within 25 km), best first."""
        here = self.resolved[k].place
        out = []
        for _, j in self.ranked:
            there = self.resolved[j].place
            if there is None or j == k:
                continue
            if here is not None and (there.id == here.id or distance_km(here.latitude, here.longitude, there.latitude,
                                                                       there.longitude) <= _SAME_PLACE_KM):
                continue
            out.append(j)
            if len(out) == _RIVALS:
                break
        return out

    def features(self, k: int, precision: int | None, fallback: bool) -> list[float]:
        """:data:`FEATURES` of mention ``k`` as an incident's place at ``precision`` (``fallback``:
        coded to a container because the gazetteer lacks the place itself)."""
        own = _clip(self.score[k] or 0.0)
        share = 1.0 / (1.0 + math.fsum(math.exp(_clip(self.score[j] or 0.0) - own) for j in self._rivals(k)))
        r = self.resolved[k]
        return [share, own, _clip(r.score), float(precision == 2), float((precision or 9) >= 3),
                float(fallback or r.fallback), math.log1p(len(self.ranked))]

    def runner_up(self, k: int) -> tuple[str, float] | None:
        """The best-scored other place than mention ``k``'s, and how far it is (km): where the
        event would be if the reader chose wrong."""
        rivals = self._rivals(k)
        here, there = self.resolved[k].place, self.resolved[rivals[0]].place if rivals else None
        if here is None or there is None:
            return None
        return there.name, distance_km(here.latitude, here.longitude, there.latitude, there.longitude)

    def of_mentions(self) -> list[float]:
        """Each mention's chance of being the event's place, placed right (0 for a mention that
        is never an event place, or has no point)."""
        weigh = model().probability
        return [0.0 if s is None or r.place is None else round(weigh(self.features(k, r.geo_precision, False)), 3)
                for k, (r, s) in enumerate(zip(self.resolved, self.score, strict=True))]
