"""Fit the event-place weights on the training rows: ``data/models/event_place.json``.

    pip install -r scripts/requirements-models.txt
    python scripts/fit_event_place.py [--eval DIR]

Each precision-1 training row of ../shared/eval/conflict is a short report with the point its
provider coded. The geoparser reads the text up to the event-place step; every mention that
could be the event place gets its :data:`geo.geoparse.location.CUES`, and it is right when its
place lies within 10 km (ACLED) or 25 km (GTD) of the coded point. A logistic regression
(scikit-learn) weighs the cues. Two settings are chosen on tune halves: ``C``, and which of the
story-level cues (:data:`STORY_CUES`) to use. The measure is the mean of two shares: how often the
best-scored mention is right on the ``tune`` half of the conflict rows, and how often it is the
gold event location on the ``tune`` half of RELABEL (../shared/eval/geoparse, general news
sentences, split as ``bench/geoparse.py`` splits it). The hand-set weights are scored beside
them. The ``report`` halves are never read here (``bench/conflict.py`` and ``bench/geoparse.py``
publish them).

The bar a second incident's place must pass (``extra_min``) cannot be fitted here (each row is
one event): it is set so that the same share of training mentions passes it as passed the
hand-set bar.

Run it with the 30 country layers of ../shared/gazetteer installed, like scripts/fit_ranking.py.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_sets  # noqa: E402

from geo import countries, gazetteer  # noqa: E402
from geo.gazetteer.ranking import distance_km  # noqa: E402
from geo.geoparse import actors, location, recognise  # noqa: E402
from geo.geoparse import sentences as sentences_mod  # noqa: E402
from geo.geoparse.resolve import resolve  # noqa: E402

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 10.0)
BLEND_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)  # share of the hand-set weights
STORY_CUES = ("named_again", "holds_another", "inside_another", "first_specific")
HAND_EXTRA_MIN = 2.0  # the hand-set bar of location.incidents for a second incident
# the weights of location.CUES as they were set by hand before this fit, scored beside it
HAND_WEIGHTS = (3.0, 1.5, -0.05, -2.0, 3.0, 2.5, 1.5, 2.0, -1.5, -2.5, -2.5, -2.0, -2.0, -2.5, -3.0, -3.0, 1.5, 1.0,
           0.5, -2.0, -2.5, -0.5, -3.0, 0.0, 0.0, 0.0, 0.0)


def rows(folder: Path, split: str) -> list[tuple[str, float, float, float]]:
    """(text, latitude, longitude, radius) of the precision-1 rows of a split."""
    files = ("acled_train.csv", "gtd_train.csv") if split == "train" else ("acled_dev.csv", "gtd_dev.csv")
    out = []
    for name in files:
        with (folder / name).open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                if row["split"] == split and row["precision"] == "1" and countries.code_of_name(row["country"]):
                    out.append((row["text"], float(row["latitude"]), float(row["longitude"]),
                                10.0 if name.startswith("acled") else 25.0))
    return out


def cue_rows(gaz: gazetteer.Gazetteer, text: str, reg: actors.Register) -> tuple[list, list]:
    """The resolved mentions of a text and their cue rows (None: never an event place)."""
    resolved = resolve(text, recognise.find(text, gaz), gaz)
    sentences = sentences_mod.split(text)
    cues = location.event_cues(text)
    anchor = location.lede_date(text, sentences, cues, None)
    background = location.background_sentences(text, sentences, cues, None, anchor)
    return resolved, location.cue_features(text, resolved, sentences, cues, background, sentences_mod.framing(text),
                                           [(a, b) for a, b, _ in reg.find(text)])


def mentions(gaz: gazetteer.Gazetteer, text: str, point: tuple[float, float], radius: float,
             reg: actors.Register) -> tuple[np.ndarray, np.ndarray] | None:
    """The cue rows of a text's candidate mentions and which are right (None: none to choose)."""
    resolved, feats = cue_rows(gaz, text, reg)
    xs, ys = [], []
    for r, row in zip(resolved, feats, strict=True):
        if row is not None and r.place is not None:  # a placeless mention has no point to be right or wrong
            xs.append(row)
            ys.append(distance_km(r.place.latitude, r.place.longitude, *point) <= radius)
    return (np.array(xs), np.array(ys)) if xs else None


def relabel_tune(gaz: gazetteer.Gazetteer, reg: actors.Register) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """RELABEL's tune items with a gold event location: each scored mention, and whether its
    span is a gold one."""
    load = eval_sets.load_module("geoparse", "GEOPARSE_EVAL_DIR")
    out: list[tuple[np.ndarray, np.ndarray] | None] = []
    for d in load.load_event_location(only_gold=True):
        text = d["text"]
        gold = {(g["start"], g["end"]) for g in d["toponyms"] if _whole_words(text, g["start"], g["end"])}
        if eval_sets.split_of(d["id"]) != "tune" or not gold:
            continue
        resolved, feats = cue_rows(gaz, text, reg)
        rows = [(row, (r.mention.start, r.mention.end) in gold) for r, row in zip(resolved, feats, strict=True)
                if row is not None]
        out.append((np.array([r for r, _ in rows]), np.array([g for _, g in rows])) if rows else None)
    return out


def _whole_words(text: str, start: int, end: int) -> bool:
    """A gold span bench/geoparse.py scores: two characters or more, not cutting a word."""
    if end - start < 2 or not text[start:end].strip():
        return False
    return not (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) and \
        not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def top_right(texts: list[tuple[np.ndarray, np.ndarray] | None], weights: np.ndarray, intercept: float = 0.0) -> float:
    """Share of texts whose best-scored mention is right (no candidate: a miss)."""
    right = 0
    for t in texts:
        if t is not None:
            s = t[0] @ weights + intercept
            right += bool(t[1][int(np.argmax(s))])  # the first of equals, as location.incidents takes it
    return right / len(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict")
    parser.add_argument("--out", type=Path, default=location.MODEL_PATH)
    args = parser.parse_args(argv)
    gaz, reg = gazetteer.load(), actors.register()
    train = [mentions(gaz, text, (lat, lon), r, reg) for text, lat, lon, r in rows(args.eval, "train")]
    tune = [mentions(gaz, text, (lat, lon), r, reg) for text, lat, lon, r in rows(args.eval, "tune")]
    news = relabel_tune(gaz, reg)
    useful = [t for t in train if t is not None and len(t[1]) > 1 and t[1].any()]
    x, y = np.vstack([t[0] for t in useful]), np.concatenate([t[1] for t in useful])
    hand = np.array(HAND_WEIGHTS)
    print(f"{len(train)} training texts, {len(useful)} with a choice to make ({len(y)} mentions, {int(y.sum())} right)")
    print(f"hand-set weights: conflict tune {top_right(tune, hand):.3f}, RELABEL tune {top_right(news, hand):.3f}, "
          f"conflict train {top_right(train, hand):.3f}")
    best = None
    for used in itertools.product((True, False), repeat=len(STORY_CUES)):
        dropped = [location.CUES.index(c) for c, u in zip(STORY_CUES, used, strict=True) if not u]
        kept = x.copy()
        kept[:, dropped] = 0.0
        mean, scale = kept.mean(axis=0), kept.std(axis=0)
        scale[scale == 0] = 1.0
        for c in C_GRID:
            model = LogisticRegression(C=c, max_iter=5000).fit((kept - mean) / scale, y)
            w = model.coef_[0] / scale
            w[dropped] = 0.0
            b = float(model.intercept_[0] - (model.coef_[0] * mean / scale).sum())
            both = (top_right(tune, w, b) + top_right(news, w, b)) / 2
            if best is None or both > best[0] + 1e-9:
                best = (both, c, w, b, [s for s, u in zip(STORY_CUES, used, strict=True) if u])
                print(f"C={c:<5} story cues {best[4]}: conflict tune {top_right(tune, w, b):.3f}, "
                      f"RELABEL tune {top_right(news, w, b):.3f}, conflict train {top_right(train, w, b):.3f}")
    assert best is not None
    _, c, w, b, story = best
    # cues the training rows never show (a port or a sea; a placeless mention) cannot be fitted: they keep
    # their hand-set weight, brought to the model's scale by the median ratio of fitted to hand weights
    shown = x.std(axis=0) > 0
    fitted = shown & (hand != 0) & (w != 0)
    ratio = float(np.median(np.abs(w[fitted]) / np.abs(hand[fitted])))
    w = np.where(shown, w, hand * ratio)
    print(f"not in the training rows, hand-set x {ratio:.3f}: {[c for c, s in zip(location.CUES, shown) if not s]}")
    # the fitted weights blended with the hand-set ones (on the same scale), the share chosen on tune:
    # the training rows are short one-event summaries, and the news sentences of RELABEL are not
    blends = []
    for share_hand in BLEND_GRID:
        wb, bb = (1 - share_hand) * w + share_hand * hand * ratio, (1 - share_hand) * b
        both = (top_right(tune, wb, bb) + top_right(news, wb, bb)) / 2
        print(f"hand-set share {share_hand:.2f}: conflict tune {top_right(tune, wb, bb):.3f}, "
              f"RELABEL tune {top_right(news, wb, bb):.3f}")
        blends.append((both, -share_hand, wb, bb))
    _, minus_share, w, b = max(blends, key=lambda blend: blend[:2])  # on a tie, the more fitted
    share_hand = -minus_share
    on_tune, on_news = top_right(tune, w, b), top_right(news, w, b)
    every = np.vstack([t[0] for t in train if t is not None])
    passing = float((every @ hand >= HAND_EXTRA_MIN).mean())
    extra_min = float(np.quantile(every @ w + b, 1 - passing))
    print(f"chosen on tune: C={c}, story cues {story}, hand-set share {share_hand} "
          f"(conflict tune {on_tune:.3f}, RELABEL tune {on_news:.3f}); "
          f"extra_min {extra_min:.3f} passes {passing:.3f} of mentions")
    about = {"fitted_on": "precision-1 training rows of ../shared/eval/conflict (acled_train.csv, gtd_train.csv)",
             "texts": len(train), "mentions": len(y), "C": c,
             "hand_set_cues": [c for c, s in zip(location.CUES, shown, strict=True) if not s],
             "hand_scale": round(ratio, 4), "scikit_learn": sklearn.__version__,
             "layers": sorted(str(layer["code"]) for layer in gaz.layers()),
             "story_cues_used": story, "hand_set_share": share_hand,
             "best_mention_right": {"conflict_train": round(top_right(train, w, b), 3),
                                    "conflict_tune": round(on_tune, 3), "relabel_tune": round(on_news, 3),
                                    "conflict_tune_hand_weights": round(top_right(tune, hand), 3),
                                    "relabel_tune_hand_weights": round(top_right(news, hand), 3)},
             "rebuild": "python scripts/fit_event_place.py"}
    args.out.write_text(json.dumps({"weights": {f: round(float(v), 6) for f, v in zip(location.CUES, w, strict=True)},
                                    "intercept": round(b, 6), "extra_min": round(extra_min, 6), "about": about},
                                   indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
