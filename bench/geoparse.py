"""Geoparser benchmark on the public evaluation sets (read from ../shared/eval/geoparse).

    python bench/geoparse.py [--limit N] [--errors FILE] [--out FILE]

Every figure is given for the ``tune`` and the ``report`` half side by side. The sets have
no split of their own; the fixed rule (``eval_sets.split_of``): an item is ``tune`` when the
first byte of SHA-256 of its loader id (``gwn-<file>``, ``trnews-<docid>``, the
event-location ``_id``) is even, else ``report`` (GeoWebNews 98 / 102 articles, TR-News
56 / 62, RELABEL 248 / 248 items). Published figures are the ``report`` half; ``--errors``
writes ``tune`` misses only. Strict figures stand beside the lenient ones:

* recognition precision / recall / F1 on GeoWebNews and TR-News. *Strict*: a predicted
  span matches a gold span only with exactly the same boundaries. *Lenient*: the spans
  overlap (each gold and each prediction used once). Demonyms count as toponyms on both
  sides: both sets annotate them, and the parser reports them as mentions of their country.
* acc@161 km over every gold toponym with coordinates (those without cannot be scored for
  distance and are left out; their number is printed). *Given gold spans*: the gold spans
  of a document are handed to the resolver together (the "given gold names" protocol); the
  pick must lie within 161 km of the gold point, an unresolved name is a miss (strict);
  the lenient *entity* figure also accepts a country or province pick when the gold point
  lies inside it. *End to end*: the full ``parse`` reads the text and the gold toponym
  counts only if one of its mentions has exactly the gold span (strict) or overlaps it
  (lenient) and that mention's point lies within 161 km; not found, unresolved or too far
  are misses.
* event location (Halterman 2019, ``source == "RELABEL"``): the parser reads the sentence
  alone (no trigger verb given) and its main incident's mention must equal a gold event
  span exactly (strict) or overlap one (lenient). Items whose gold spans are all empty,
  shorter than two characters or cut out of a word are reported separately as the share
  where the parser also names no event place.
* documents per second for the full parse (recognise, resolve, incidents, fields) on one
  core, all GeoWebNews + TR-News texts (both halves: speed is not tuned), name caches
  emptied before each run; the median of three runs (CPU time of this process, so other
  load on the machine matters less), after ``gc.freeze()`` of the loaded gazetteer (a
  batch CLI should do the same).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import eval_sets  # noqa: E402  (bench/ is on the path when run as a script)

from geo import gazetteer, geoparse  # noqa: E402
from geo.geoparse import recognise as mentions  # noqa: E402
from geo.geoparse import resolve  # noqa: E402

Span = tuple[int, int]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _exact(a: Span, b: Span) -> bool:
    return a == b


def _match(pred: list[Span], gold: list[Span], same: Callable[[Span, Span], bool]) -> tuple[set[int], set[int]]:
    """One-to-one matching in text order: (matched prediction indices, matched gold indices)."""
    used_p: set[int] = set()
    used_g: set[int] = set()
    for i, p in enumerate(pred):
        hit = next((k for k, g in enumerate(gold) if k not in used_g and same(p, g)), None)
        if hit is not None:
            used_p.add(i)
            used_g.add(hit)
    return used_p, used_g


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _context(text: str, a: int, b: int) -> str:
    return repr(text[max(0, a - 40):b + 40])


def recognition(docs: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str] | None) -> dict[str, Any]:
    """Strict (exact boundaries) and lenient (overlap) P/R/F1; misses (lenient) go to ``errors``."""
    n_pred = n_gold = tp_exact = tp_overlap = 0
    for d in docs:
        text = d["text"]
        gold = [(t["start"], t["end"]) for t in d["toponyms"]]
        pred = [(m.start, m.end) for m in mentions.find(text, gaz)]
        n_pred += len(pred)
        n_gold += len(gold)
        tp_exact += len(_match(pred, gold, _exact)[0])
        used_p, used_g = _match(pred, gold, _overlap)
        tp_overlap += len(used_p)
        if errors is None:
            continue
        errors += [f"FP {d['id']}\t{text[a:b]}\t{_context(text, a, b)}"
                   for i, (a, b) in enumerate(pred) if i not in used_p]
        errors += [f"FN {d['id']}\t{text[a:b]}\t{_context(text, a, b)}"
                   for k, (a, b) in enumerate(gold) if k not in used_g]
    return {"strict": _prf(tp_exact, n_pred, n_gold), "lenient": _prf(tp_overlap, n_pred, n_gold), "gold": n_gold}


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


def _near(lat: float | None, lon: float | None, t: dict[str, Any]) -> bool:
    return lat is not None and lon is not None and resolve.distance_km(lat, lon, t["lat"], t["lon"]) <= 161


def accuracy161(docs: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str] | None,
                areas: _Areas) -> dict[str, Any]:
    """acc@161 km over gold toponyms with coordinates, given the gold spans: strict (points,
    unresolved = miss) and "entity" (a country or province pick also counts when the gold
    point lies inside it)."""
    ok = total = same_area = no_coords = 0
    for d in docs:
        tops = sorted(d["toponyms"], key=lambda t: t["start"])
        ms = mentions.from_spans(d["text"], [(t["start"], t["end"]) for t in tops], gaz)
        for t, r in zip(tops, resolve.resolve(d["text"], ms, gaz), strict=True):
            if t["lat"] is None or t["lon"] is None:
                no_coords += 1
                continue
            total += 1
            if r.place is not None and _near(r.place.latitude, r.place.longitude, t):
                ok += 1
                continue
            if r.place is not None and r.place.feature in ("country", "admin1"):
                cc, admin1 = areas.containing(t["lat"], t["lon"])
                if cc == r.place.country_code and (r.place.feature == "country" or admin1 == r.place.admin1):
                    same_area += 1
                    continue
            if errors is not None:
                got = f"{r.place.name} {r.place.country_code} {r.place.feature}" if r.place else "-"
                errors.append(f"GEO {d['id']}\t{t['name']}\tgot {got}\tgold {t['lat']},{t['lon']}")
    return {"strict": ok / total if total else 0.0, "lenient": (ok + same_area) / total if total else 0.0,
            "n": total, "no_coords": no_coords}


def _found_near(gold: list[dict[str, Any]], pred: list[geoparse.LocatedMention],
                same: Callable[[Span, Span], bool]) -> int:
    """Gold toponyms with a predicted mention of the same (or an overlapping) span placed
    within 161 km; each prediction serves one gold toponym at most."""
    used: set[int] = set()
    for t in gold:
        g = (t["start"], t["end"])
        k = next((i for i, m in enumerate(pred) if i not in used and same((m.start, m.end), g)
                  and _near(m.latitude, m.longitude, t)), None)
        if k is not None:
            used.add(k)
    return len(used)


def end_to_end161(docs: list[dict[str, Any]], gaz: gazetteer.Gazetteer) -> dict[str, Any]:
    """acc@161 km of the full parse over gold toponyms with coordinates: the parser must
    find the toponym (same span: strict; overlapping span: lenient) and place it within
    161 km; not found, unresolved or too far is a miss."""
    exact = overlap = total = 0
    for d in docs:
        gold = [t for t in sorted(d["toponyms"], key=lambda t: t["start"])
                if t["lat"] is not None and t["lon"] is not None]
        pred = geoparse.parse(d["text"], None, gaz).mentions
        total += len(gold)
        exact += _found_near(gold, pred, _exact)
        overlap += _found_near(gold, pred, _overlap)
    return {"strict": exact / total if total else 0.0, "lenient": overlap / total if total else 0.0, "n": total}


def _whole_words(text: str, start: int, end: int) -> bool:
    """A usable gold span: two or more characters that start and end on word boundaries
    (the set has fragments such as "ur" or "kil" cut out of longer words)."""
    if end - start < 2 or not text[start:end].strip():
        return False
    return not (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) and \
        not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def event_location(items: list[dict[str, Any]], gaz: gazetteer.Gazetteer, errors: list[str] | None) -> dict[str, Any]:
    exact = hit = with_gold = none_ok = no_gold = 0
    for d in items:
        gold = [(t["start"], t["end"]) for t in d["toponyms"] if _whole_words(d["text"], t["start"], t["end"])]
        result = geoparse.parse(d["text"], None, gaz)
        chosen = [(i.mention_start, i.mention_end) for i in result.incidents]
        if gold:
            with_gold += 1
            exact += bool(chosen) and chosen[0] in gold
            if chosen and any(_overlap(chosen[0], g) for g in gold):
                hit += 1
            elif errors is not None:
                pick = d["text"][chosen[0][0]:chosen[0][1]] if chosen else "-"
                errors.append(f"EV {d['id']}\tgot {pick}\tgold {[d['text'][a:b] for a, b in gold]}\t{d['text']!r}")
        else:
            no_gold += 1
            none_ok += not chosen
    return {"strict": exact / with_gold if with_gold else 0.0, "lenient": hit / with_gold if with_gold else 0.0,
            "n": with_gold, "none_ok": none_ok / no_gold if no_gold else 0.0, "n_none": no_gold}


def _clear_name_caches() -> None:
    """Empty the parser's memoised name keys and place lookups (a cold start)."""
    for module, name in ((mentions, "_key"), (resolve, "_key"), (mentions, "place_of")):
        cached = getattr(module, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


def throughput(texts: list[str], gaz: gazetteer.Gazetteer) -> float:
    """Documents per CPU second over all texts, name caches emptied first."""
    _clear_name_caches()
    t0 = time.process_time()
    for text in texts:
        geoparse.parse(text, None, gaz)
    return len(texts) / max(time.process_time() - t0, 1e-9)


# ----------------------------------------------------------------- output


def _f(x: float) -> str:
    return f"{x:.3f}"


def _pr(m: dict[str, float]) -> str:
    return f"{_f(m['p'])} / {_f(m['r'])} / **{_f(m['f1'])}**"


def _sl(m: dict[str, Any]) -> str:
    return f"**{_f(m['strict'])}** / {_f(m['lenient'])}"


def table(res: dict[str, dict[str, Any]], dps: float, n_articles: int) -> list[str]:
    """Rows: measure, report, tune, target, n report, n tune."""
    sides = [res[sp] for sp in eval_sets.SPLITS]
    rows: list[list[str]] = []
    for name, key, target in (("GeoWebNews", "gwn", "F1 ≥ 0.80"), ("TR-News", "trn", "F1 ≥ 0.85")):
        n = [f"{x[f'rec_{key}']['gold']} gold spans" for x in sides]
        rows.append([f"{name} recognition P / R / F1, strict (exact boundaries)",
                     *(_pr(x[f"rec_{key}"]["strict"]) for x in sides), "—", *n])
        rows.append([f"{name} recognition P / R / F1, lenient (overlap)",
                     *(_pr(x[f"rec_{key}"]["lenient"]) for x in sides), target, *n])
    for name, key, target in (("GeoWebNews", "gwn", "≥ 0.94"), ("TR-News", "trn", "≥ 0.90")):
        n = [f"{x[f'acc_{key}']['n']} toponyms" for x in sides]
        rows.append([f"{name} acc@161 km, gold spans given: strict (point) / entity",
                     *(_sl(x[f"acc_{key}"]) for x in sides), target, *n])
        rows.append([f"{name} acc@161 km, end to end: strict (exact span) / lenient (overlap)",
                     *(_sl(x[f"e2e_{key}"]) for x in sides), "—", *n])
    rows.append(["Event location (RELABEL, gold span present): strict (exact span) / lenient (overlap)",
                 *(_sl(x["ev"]) for x in sides), "≥ 0.80", *(f"{x['ev']['n']} items" for x in sides)])
    rows.append(["  … no gold span: parser names no event place", *(_f(x["ev"]["none_ok"]) for x in sides),
                 "—", *(f"{x['ev']['n_none']} items" for x in sides)])
    rows.append(["Full parse throughput, one core, both halves together", f"**{dps:.0f} docs/s**", "—", "≥ 200",
                 f"{n_articles} articles", "—"])
    a, b = eval_sets.SPLITS
    out = [f"| measure | {a} | {b} | target | n {a} | n {b} |", "|---|---|---|---|---|---|"]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="documents per set (0: all), before the split")
    ap.add_argument("--errors", type=Path, help="write every tune-half miss to this file (report misses never)")
    ap.add_argument("--out", type=Path, help="also write the table, with commit and date, to this file")
    args = ap.parse_args(argv)
    load = eval_sets.load_module("geoparse", "GEOPARSE_EVAL_DIR")
    gaz = gazetteer.load()
    lim = args.limit or None
    sets = {"gwn": list(load.load_gwn())[:lim], "trn": list(load.load_trnews())[:lim],
            "ev": list(load.load_event_location(only_gold=True))[:lim]}
    # The gazetteer is millions of long-lived objects; without freezing them every full
    # garbage collection walks them all and parsing slows down as a run goes on.
    gc.freeze()
    areas = _Areas(gaz)
    errors: list[str] = []
    res: dict[str, dict[str, Any]] = {}
    for split in eval_sets.SPLITS:
        part = {k: [d for d in v if eval_sets.split_of(d["id"]) == split] for k, v in sets.items()}
        err = errors if split == "tune" else None
        res[split] = {"ev": event_location(part["ev"], gaz, err)}
        for key in ("gwn", "trn"):
            res[split][f"rec_{key}"] = recognition(part[key], gaz, err)
            res[split][f"acc_{key}"] = accuracy161(part[key], gaz, err, areas)
            res[split][f"e2e_{key}"] = end_to_end161(part[key], gaz)
    texts = [d["text"] for d in sets["gwn"] + sets["trn"]]
    runs = sorted(throughput(texts, gaz) for _ in range(3))
    dps = runs[1]  # median of three cold runs: the machine is shared
    lines = table(res, dps, len(texts))
    no_coords = {k: sum(res[s][f"acc_{k}"]["no_coords"] for s in eval_sets.SPLITS) for k in ("gwn", "trn")}
    notes = [f"Commit {eval_sets.commit_label()}, {date.today().isoformat()}; throughput runs "
             f"{', '.join(f'{x:.0f}' for x in runs)} docs/s. Gold toponyms without coordinates (not scored "
             f"for acc@161): GeoWebNews {no_coords['gwn']}, TR-News {no_coords['trn']}."]
    print("\n".join(lines + [""] + notes))
    if args.out:
        args.out.write_text("\n".join(lines + [""] + notes) + "\n", encoding="utf-8")
    if args.errors:
        args.errors.write_text("\n".join(errors) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
