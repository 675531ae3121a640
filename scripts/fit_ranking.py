"""Fit the place-ranking model on the training rows: ``data/models/place_ranking.json``.

    pip install -r scripts/requirements-models.txt
    python scripts/fit_ranking.py [--eval DIR]

Every precision-1 training row of ../shared/eval/conflict gives a query (``location`` with
its country and ``admin1``) and the point the provider coded. The offline geocoder gathers
the query's candidates (:meth:`geo.geocoding.offline.OfflineGeocoder.gather`); a candidate
is right when it lies within 10 km (ACLED) or 25 km (GTD) of that point. A logistic
regression (scikit-learn) learns from :data:`geo.gazetteer.ranking.FEATURES` which
candidate is right. Two settings, the regularisation ``C`` and the probability a place
outside the stated division needs (``outside_min``), are chosen on the ``tune`` half of the
development rows; the ``report`` half is never read here (``bench/conflict.py`` publishes
it). The file keeps its weights on the raw feature scale, so the app scores with a dot
product and needs no scikit-learn.

Run it with the 30 country layers of ../shared/gazetteer installed (``python -m geo gazetteer
add`` with each, or ``INCIDENT_MAP_CACHE`` pointing at a cache that has them): the candidates
and so the fit depend on the installed layers. It prints both halves' figures and writes
them into the file's ``about``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from tune_geocoder import queries  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.gazetteer import ranking  # noqa: E402
from geo.gazetteer.ranking import distance_km  # noqa: E402
from geo.geocoding import offline  # noqa: E402

C_GRID = (0.01, 0.1, 1.0, 10.0)
OUTSIDE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never outside


class Query:
    """One row's gathered candidates as feature rows, with which are right."""

    def __init__(self, found: offline.Gathered, gaz: gazetteer.Gazetteer, point: tuple[float, float], radius: float):
        def right(p: gazetteer.Place) -> bool:
            return distance_km(p.latitude, p.longitude, *point) <= radius

        self.spelled_like = found.spelled_like
        self.inside = np.array(ranking.features(found.inside, found.surface, gaz)) if found.inside else None
        self.inside_right = np.array([right(p) for p in found.inside])
        places = [p for p, _ in found.outside]
        self.outside = (np.array(ranking.features(places, found.surface, gaz, [km for _, km in found.outside]))
                        if places else None)
        self.outside_right = np.array([right(p) for p in places])
        self.fallback_right = found.fallback is not None and right(found.fallback)

    def answer_right(self, model: LogisticRegression, outside_min: float) -> bool:
        if self.inside is not None:
            if self.spelled_like or len(self.inside) == 1:
                return bool(self.inside_right[0])
            return bool(self.inside_right[int(np.argmax(model.decision_function(self.inside)))])
        if self.outside is not None:
            p = model.predict_proba(self.outside)[:, 1]
            if p.max() >= outside_min:
                return bool(self.outside_right[int(np.argmax(p))])
        return self.fallback_right


def gather(gaz: gazetteer.Gazetteer, rows: list) -> list[Query]:
    geocoder = offline.OfflineGeocoder(gaz)
    return [Query(geocoder.gather(loc, code, admin1), gaz, (lat, lon), radius)
            for loc, code, admin1, lat, lon, radius in rows]


def training_set(qs: list[Query]) -> tuple[np.ndarray, np.ndarray]:
    """Candidates of the queries where the choice matters: several inside with one right,
    or places outside the stated division (whose probability decides against the fallback)."""
    xs, ys = [], []
    for q in qs:
        if q.inside is not None and len(q.inside) > 1 and not q.spelled_like and q.inside_right.any():
            xs.append(q.inside)
            ys.append(q.inside_right)
        if q.outside is not None:
            xs.append(q.outside)
            ys.append(q.outside_right)
    return np.vstack(xs), np.concatenate(ys)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
    """A logistic regression on standardised features; returns it with the mean and scale."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return model, mean, scale


class Scaled:
    """A fitted model that takes raw features (for scoring the gathered queries)."""

    def __init__(self, model: LogisticRegression, mean: np.ndarray, scale: np.ndarray):
        self.weights = model.coef_[0] / scale
        self.intercept = float(model.intercept_[0] - (model.coef_[0] * mean / scale).sum())

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-self.decision_function(x)))
        return np.column_stack([1 - p, p])


def share(qs: list[Query], model: Scaled, outside_min: float) -> float:
    return sum(q.answer_right(model, outside_min) for q in qs) / len(qs)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict")
    parser.add_argument("--out", type=Path, default=ranking.MODEL_PATH)
    args = parser.parse_args(argv)
    gaz = gazetteer.load()
    train, tune = gather(gaz, queries(args.eval, "train")), gather(gaz, queries(args.eval, "tune"))
    x, y = training_set(train)
    print(f"training candidates: {len(y)} ({int(y.sum())} right) from {len(train)} queries")
    best: tuple[float, float, float] | None = None
    for c in C_GRID:
        model = Scaled(*fit(x, y, c))
        for outside_min in sorted(OUTSIDE_GRID, reverse=True):  # on a tie, the stricter bar
            on_tune = share(tune, model, outside_min)
            print(f"C={c:<5} outside_min={outside_min:.2f}: tune {on_tune:.3f}  train {share(train, model, outside_min):.3f}")
            if best is None or on_tune > best[0]:
                best = (on_tune, c, outside_min)
    assert best is not None
    on_tune, c, outside_min = best
    model = Scaled(*fit(x, y, c))
    on_train = share(train, model, outside_min)
    print(f"chosen on tune: C={c}, outside_min={outside_min} (tune {on_tune:.3f}, train {on_train:.3f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    about = {"fitted_on": "precision-1 training rows of ../shared/eval/conflict (acled_train.csv, gtd_train.csv)",
             "queries": len(train), "candidates": len(y), "C": c, "scikit_learn": sklearn.__version__,
             "layers": sorted(str(layer["code"]) for layer in gaz.layers()),
             "within_radius": {"train": round(on_train, 3), "tune": round(on_tune, 3)},
             "rebuild": "python scripts/fit_ranking.py"}
    args.out.write_text(json.dumps({
        "weights": {f: round(float(w), 6) for f, w in zip(ranking.FEATURES, model.weights, strict=True)},
        "intercept": round(model.intercept, 6), "outside_min": outside_min, "about": about}, indent=1) + "\n",
        encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
