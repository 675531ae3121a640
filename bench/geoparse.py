"""Geoparser benchmark on the public evaluation sets (read from ../shared/eval/geoparse).

    python bench/geoparse.py [--limit N] [--errors FILE]

Prints a markdown table:

* recognition precision / recall / F1 on GeoWebNews and TR-News: a predicted span
  matches a gold span when they overlap (each gold and each prediction used once).
  Demonyms count as toponyms on both sides: both sets annotate them, and the parser
  reports them as mentions of their country.
* acc@161 km: for every gold toponym with coordinates, the gold span is handed to the
  resolver together with the other gold spans of the document (the "given gold names"
  protocol), and the pick must lie within 161 km of the gold point; an unresolved
  name counts as a miss.
* event location (Halterman 2019, ``source == "RELABEL"``): the parser reads the
  sentence alone (no trigger verb given) and its main event mention must overlap a
  gold event span. Items whose gold span is empty or shorter than two characters
  (359 of 496: no event location in the sentence) are reported separately as the share
  where the parser also names no event place.
* documents per second for the full parse (recognise, resolve, event, fields) on one
  core, GeoWebNews + TR-News texts, name caches emptied before each run; the median of
  three runs (CPU time of this process, so other load on the machine matters less),
  after ``gc.freeze()`` of the loaded gazetteer (a batch CLI should do the same).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import eval_sets  # noqa: E402  (bench/ is on the path when run as a script)

from geo import gazetteer, geoparse  # noqa: E402
from geo.geoparse import recognise as mentions  # noqa: E402
from geo.geoparse import resolve  # noqa: E402


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def recognition(docs: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str]) -> dict[str, float]:
    tp = fp = fn = 0
    for d in docs:
        gold = [(t["start"], t["end"]) for t in d["toponyms"]]
        pred = [(m.start, m.end) for m in mentions.find(d["text"], gaz)]
        used: set[int] = set()
        for p in pred:
            hit = next((k for k, g in enumerate(gold) if k not in used and _overlap(p, g)), None)
            if hit is None:
                fp += 1
                errors.append(f"FP {d['id']}\t{d['text'][p[0]:p[1]]}\t{d['text'][max(0, p[0] - 40):p[1] + 40]!r}")
            else:
                used.add(hit)
                tp += 1
        for k, g in enumerate(gold):
            if k not in used:
                fn += 1
                errors.append(f"FN {d['id']}\t{d['text'][g[0]:g[1]]}\t{d['text'][max(0, g[0] - 40):g[1] + 40]!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold": tp + fn}


class _Areas:
    """Which country and province a gold point lies in, read off its nearest gazetteer town
    (no polygons offline). Used to judge country and province picks as entities: the
    gazetteer's point for an area (mean of its towns) and GeoNames' hand-set point can lie
    hundreds of km apart (Russia, Alberta) while naming the same place."""

    def __init__(self, gaz: gazetteer.Gazetteer) -> None:
        import numpy as np

        towns = gaz.cities_over(0)
        self._np = np
        self._lat = np.radians(np.array([p.latitude for p in towns]))
        self._lon = np.radians(np.array([p.longitude for p in towns]))
        self._cc = [p.country_code for p in towns]
        self._admin1 = [p.admin1 for p in towns]

    def containing(self, lat: float, lon: float) -> tuple[str, str]:
        np = self._np
        la, lo = np.radians(lat), np.radians(lon)
        d = np.sin((self._lat - la) / 2) ** 2 + np.cos(la) * np.cos(self._lat) * np.sin((self._lon - lo) / 2) ** 2
        k = int(np.argmin(d))
        return self._cc[k], self._admin1[k]


def accuracy161(docs: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str],
                areas: _Areas) -> dict[str, float]:
    """acc@161 km over gold toponyms with coordinates, strict (points) and "entity":
    a country or province pick also counts when the gold point lies inside it."""
    ok = total = same_area = 0
    for d in docs:
        tops = sorted(d["toponyms"], key=lambda t: t["start"])
        ms = mentions.from_spans(d["text"], [(t["start"], t["end"]) for t in tops], gaz)
        for t, r in zip(tops, resolve.resolve(d["text"], ms, gaz), strict=True):
            if t["lat"] is None or t["lon"] is None:
                continue
            total += 1
            if r.place is not None and resolve.distance_km(r.place.latitude, r.place.longitude,
                                                           t["lat"], t["lon"]) <= 161:
                ok += 1
                continue
            if r.place is not None and r.place.feature in ("country", "admin1"):
                cc, admin1 = areas.containing(t["lat"], t["lon"])
                if cc == r.place.country_code and (r.place.feature == "country" or admin1 == r.place.admin1):
                    same_area += 1
                    continue
            got = f"{r.place.name} {r.place.country_code} {r.place.feature}" if r.place else "-"
            errors.append(f"GEO {d['id']}\t{t['name']}\tgot {got}\tgold {t['lat']},{t['lon']}")
    return {"acc161": ok / total if total else 0.0, "n": total,
            "acc161_id": (ok + same_area) / total if total else 0.0}


def _whole_words(text: str, start: int, end: int) -> bool:
    """A usable gold span: two or more characters that start and end on word boundaries
    (the set has fragments such as "ur" or "kil" cut out of longer words)."""
    if end - start < 2 or not text[start:end].strip():
        return False
    return not (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) and \
        not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def event_location(items: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str]) -> dict[str, float]:
    hit = with_gold = none_ok = no_gold = 0
    for d in items:
        gold = [(t["start"], t["end"]) for t in d["toponyms"] if _whole_words(d["text"], t["start"], t["end"])]
        result = geoparse.parse(d["text"], None, gaz)
        chosen = [(i.mention_start, i.mention_end) for i in result.incidents]
        if gold:
            with_gold += 1
            if chosen and any(_overlap(chosen[0], g) for g in gold):
                hit += 1
            else:
                pick = d["text"][chosen[0][0]:chosen[0][1]] if chosen else "-"
                errors.append(f"EV {d['id']}\tgot {pick}\tgold {[d['text'][a:b] for a, b in gold]}\t{d['text']!r}")
        else:
            no_gold += 1
            none_ok += not chosen
    return {"acc": hit / with_gold if with_gold else 0.0, "n": with_gold,
            "none_ok": none_ok / no_gold if no_gold else 0.0, "n_none": no_gold}


def throughput(texts: list[str], gaz: gazetteer.Gazetteer) -> float:
    """CPU seconds per document over all texts, name caches emptied first (a cold start)."""
    mentions._key.cache_clear()
    resolve._key.cache_clear()
    mentions.place_of.cache_clear()
    t0 = time.process_time()
    for text in texts:
        geoparse.parse(text, None, gaz)
    return len(texts) / max(time.process_time() - t0, 1e-9)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="documents per set (0: all)")
    ap.add_argument("--errors", type=Path, help="write every miss to this file")
    args = ap.parse_args(argv)
    load = eval_sets.load_module("geoparse", "GEOPARSE_EVAL_DIR")
    gaz = gazetteer.load()
    lim = args.limit or None
    gwn = list(load.load_gwn())[:lim]
    trn = list(load.load_trnews())[:lim]
    ev = [d for d in load.load_event_location(only_gold=True)][:lim]
    # The gazetteer is millions of long-lived objects; without freezing them every full
    # garbage collection walks them all and parsing slows down as a run goes on.
    gc.freeze()
    errors: list[str] = []
    rg, rt = recognition(gwn, gaz, errors), recognition(trn, gaz, errors)
    areas = _Areas(gaz)
    ag, at = accuracy161(gwn, gaz, errors, areas), accuracy161(trn, gaz, errors, areas)
    el = event_location(ev, gaz, errors)
    runs = sorted(throughput([d["text"] for d in gwn + trn], gaz) for _ in range(3))
    dps = runs[1]  # median of three cold runs: the machine is shared
    rows = [
        ("GeoWebNews recognition P / R / F1", f"{rg['precision']:.3f} / {rg['recall']:.3f} / **{rg['f1']:.3f}**",
         "F1 ≥ 0.80", f"{int(rg['gold'])} gold spans"),
        ("TR-News recognition P / R / F1", f"{rt['precision']:.3f} / {rt['recall']:.3f} / **{rt['f1']:.3f}**",
         "F1 ≥ 0.85", f"{int(rt['gold'])} gold spans"),
        ("GeoWebNews acc@161 km (gold spans): strict / entity",
         f"{ag['acc161']:.3f} / **{ag['acc161_id']:.3f}**", "≥ 0.94", f"{int(ag['n'])} toponyms"),
        ("TR-News acc@161 km (gold spans): strict / entity",
         f"{at['acc161']:.3f} / **{at['acc161_id']:.3f}**", "≥ 0.90", f"{int(at['n'])} toponyms"),
        ("Event location (RELABEL, gold span present)", f"**{el['acc']:.3f}**", "≥ 0.80", f"{int(el['n'])} items"),
        ("  … no gold span: parser names no event place", f"{el['none_ok']:.3f}", "—", f"{int(el['n_none'])} items"),
        ("Full parse throughput, one core", f"**{dps:.0f} docs/s**", "≥ 200", f"{len(gwn) + len(trn)} articles"),
    ]
    print("| measure | result | target | n |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.errors:
        args.errors.write_text("\n".join(errors) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
