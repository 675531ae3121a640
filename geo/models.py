"""The fitted models the reader ships: logistic weights in a small JSON file, read once.

Two choices are made by models fitted on coded events rather than by hand-set constants:
which of a name's places is meant (:mod:`geo.gazetteer.ranking`) and which mention of a
story is where the event happened (:mod:`geo.geoparse.location`). Each is fitted by one
script in ``scripts/`` from the training rows of ../shared/eval/conflict with scikit-learn;
the file keeps the weights on the raw feature scale, so scoring at run time is a dot product
and the app needs no learning library. A file fitted on other features than the code
computes is refused with a message that says how to rebuild it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.errors import IncidentMapError

__all__ = ["LinearModel", "ModelError"]


class ModelError(IncidentMapError):
    """A shipped model file is missing, damaged, or fitted on other features than this code
    computes (a packaging mistake, not a user's: the message says how to rebuild it)."""


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A fitted logistic model: ``score`` is the log-odds of a row of features."""

    weights: tuple[float, ...]
    intercept: float
    settings: dict[str, float]  # values chosen on the tune rows with the weights (thresholds)
    about: dict[str, object]

    def score(self, row: Sequence[float]) -> float:
        return self.intercept + math.fsum(w * x for w, x in zip(self.weights, row, strict=True))

    def probability(self, row: Sequence[float]) -> float:
        z = self.score(row)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    @classmethod
    def read(cls, path: Path, features: Sequence[str], settings: Sequence[str], rebuild: str) -> LinearModel:
        """The model in ``path``, which must weigh exactly ``features`` and give ``settings``;
        ``rebuild`` is the command named in the message when it cannot be used."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            weights = raw["weights"]
            if list(weights) != list(features):
                raise ModelError(f"{path}: the model was fitted on other features than this code computes; "
                                 f"rebuild it with {rebuild}")
            return cls(tuple(float(weights[f]) for f in features), float(raw["intercept"]),
                       {name: float(raw[name]) for name in settings}, dict(raw.get("about", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: the model cannot be read ({exc}); rebuild it with {rebuild}") from exc
