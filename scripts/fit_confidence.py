"""Fit how sure the reader is of a pin: ``data/models/pin_confidence.json``.

    pip install -r scripts/requirements-models.txt
    python scripts/fit_confidence.py [--eval DIR]

Each precision-1 training row of ../shared/eval/conflict is a short report with the point its
provider coded. The geoparser reads it whole (``geo.geoparse.pipeline.parse``, with the
ranking and event-place models already fitted); its main incident's point is right when it
lies within 10 km (ACLED) or 25 km (GTD) of the coded one. A logistic regression
(scikit-learn) weighs :data:`geo.geoparse.confidence.FEATURES` on the training rows. On the
``tune`` halves: ``C`` is chosen (by log-loss, the measure of a calibrated probability), Platt's
slope and offset are fitted to the chosen model's log-odds (so the probabilities are calibrated
on rows the weights never saw; both fold into the weights, still a dot product at run time),
then ``review_below``, the confidence under which a pin is more often wrong than right (the cut
that makes fewest wrong calls on tune). The ``report`` halves are never read here:
``bench/conflict.py`` publishes their reliability table.

Run it after scripts/fit_ranking.py and scripts/fit_event_place.py, with the 30 country layers of
../shared/gazetteer installed (``python scripts/fit_models.py`` runs all three in order).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fit_event_place import rows  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.gazetteer.ranking import distance_km  # noqa: E402
from geo.geoparse import actors, confidence, pipeline  # noqa: E402

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 10.0)
CUTS = tuple(round(0.05 * k, 2) for k in range(1, 20))


def pins(gaz: gazetteer.Gazetteer, reg: actors.Register, split: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The main incident's features and whether its point is right, for every row with a point."""
    xs, ys = [], []
    for text, lat, lon, radius in rows(split, name):
        found = pipeline.parse(text, None, gaz, reg).incidents
        if not found or found[0].latitude is None or found[0].longitude is None:
            continue
        xs.append(found[0].signals)
        ys.append(distance_km(found[0].latitude, found[0].longitude, lat, lon) <= radius)
    return np.array(xs), np.array(ys)


def best_cut(p: np.ndarray, y: np.ndarray) -> float:
    """The confidence under which sending pins to review makes fewest wrong calls (a right pin
    sent, or a wrong one kept)."""
    return min(CUTS, key=lambda t: (int(((p >= t) & ~y).sum() + ((p < t) & y).sum()), t))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict")
    parser.add_argument("--out", type=Path, default=confidence.MODEL_PATH)
    args = parser.parse_args(argv)
    gaz, reg = gazetteer.load(), actors.register()
    x, y = pins(gaz, reg, args.eval, "train")
    xt, yt = pins(gaz, reg, args.eval, "tune")
    fits = {c: LogisticRegression(C=c, max_iter=2000).fit(x, y) for c in C_GRID}
    losses = {c: float(log_loss(yt, fit.predict_proba(xt)[:, 1])) for c, fit in fits.items()}
    c = min(losses, key=lambda k: (losses[k], k))
    fit = fits[c]
    # Platt's step on tune: a slope and an offset for the fitted log-odds, so the published
    # probabilities are calibrated on rows the weights were not fitted on
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(fit.decision_function(xt).reshape(-1, 1), yt)
    slope, offset = float(platt.coef_[0][0]), float(platt.intercept_[0])
    weights, intercept = fit.coef_[0] * slope, float(fit.intercept_[0]) * slope + offset
    p = 1.0 / (1.0 + np.exp(-(xt @ weights + intercept)))
    cut = best_cut(p, yt)
    for name, value in (("C", c), ("log-loss tune", losses[c]), ("Platt slope", slope), ("Platt offset", offset),
                        ("review_below", cut),
                        ("train pins right", float(y.mean())), ("tune pins right", float(yt.mean())),
                        ("tune right at >= 0.8", float(yt[p >= 0.8].mean()) if (p >= 0.8).any() else float("nan")),
                        ("tune share >= 0.8", float((p >= 0.8).mean()))):
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
    out = {"weights": {f: round(float(w), 6) for f, w in zip(confidence.FEATURES, weights, strict=True)},
           "intercept": round(intercept, 6), "review_below": cut,
           "about": {"fitted_by": "scripts/fit_confidence.py", "sklearn": sklearn.__version__,
                     "train_pins": int(len(y)), "tune_pins": int(len(yt)), "C": c,
                     "tune_log_loss": round(losses[c], 4), "platt_slope": round(slope, 4),
                     "platt_offset": round(offset, 4), "layers": sorted(str(layer["code"]) for layer in gaz.layers())}}
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
