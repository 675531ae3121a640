"""Conflict-event benchmark: ACLED notes and GTD summaries (read from ../shared/eval/conflict).

    python bench/conflict.py [--split report|tune|both] [--limit N] [--errors FILE]
                             [--out FILE] [--layers DIR] [--title TEXT]

Scored as ``../shared/eval/conflict/README.md`` says ("How to score with it"):

* the parser reads each row's ``text`` alone (no country, province, place or date) and the
  first incident it reports is the main event; its point is compared with the provider's
  coded point (great-circle distance, ``haversine_km`` from the set's ``load.py``). A row
  where the parser reports no incident, or one without coordinates, is a miss ("no point").
* ACLED headline: precision-1 rows within 10 km; also every row within 25 km, and the
  precision 2/3 rows (coded to a nearby town or a regional centre) within 10 and 50 km with
  their median error. GTD headline: precision-1 rows within 25 km; also every row within
  25 km, and precision 2-4 rows (administrative centroids) within 50 km.
* *strict*: a point in the wrong country is a miss however close (the parser's country code
  against the provider's country name mapped to ISO 3166 alpha-2; a point without a country
  code is judged on distance alone). *lenient*: distance only. Both are shown as
  ``strict / lenient``.
* the ``report`` split gives the published figures, the ``tune`` split is shown beside it;
  ``--errors`` writes failures of ``tune`` rows only (the README asks that individual
  ``report`` failures are not opened).
* geocoding with a hint: each row's ``location`` with its country's ISO code goes through
  ``python -m geo geocode --jsonl`` (same environment, so ``GEOCODER`` applies if set); the
  answer must lie within 25 km of the coded point and in the hinted country. GTD rows whose
  city is "Unknown" are left out and counted.
* group and toll of the main incident, scored against the set's actor and casualty columns
  as its README prescribes ("How to score the actor and toll"); the rules are fixed in
  ``bench/conflict_gold.py`` and read the provider's columns and the text only, never the
  parser's output. *Group*: only rows whose text names the coded actor (ACLED ``actor1``,
  GTD ``gname``/``gname2``) under that name's fixed aliases count; right when the parser's
  group, or one of its aliases in ``data/groups.csv``, equals one of those aliases. Strict
  matches ``actor1``; lenient any of ``actor1``, ``assoc_actor_1``, ``actor2``,
  ``assoc_actor_2`` (ACLED's actor order is not direction); GTD is the same both ways. Also:
  every row with a named actor (issue 19's denominator); how often the parser names a group
  on ACLED ``Unidentified …`` and GTD ``Unknown`` rows; on GTD rows where the parser gives a
  group, whether its ``group_role`` says ``claimed`` exactly when GTD's ``claimed`` is 1.
  *Killed* (ACLED ``fatalities``, GTD ``nkill``) and *injured* (GTD ``nwound``): exact match
  on toll rows, the rows whose text gives a number, an explicit none (→ 0) or one victim in
  the singular (→ 1, decided on ``tune``); an unknown answer is a miss except against an
  empty GTD cell. Shown on all toll rows and on those left after the ``tune``-written rule
  that drops known mismatches (split totals, "coded as", totals across attacks, parts of
  multi-part attacks, dead assailants in GTD's count), plus the share of "unknown" answers
  on rows whose text gives no toll, and issue 19's measure (every row with a coded toll ≥ 1).
* the other fields of the main incident, per set and split (``published=None``: the set
  gives no publication date). *Event date*: the parser's date must be the coded day
  exactly; no incident or no date is a miss. ACLED notes state the date in the text; GTD
  summaries had their leading date removed by the set's maker, so a GTD date is not a fair
  test and is shown for the record only, marked n/a. *Incidents per text*: mean count, and
  the share of texts with more than one.
* ``--errors`` also writes the ``tune`` rows' group, claim, killed and injured misses (kinds
  ``group``, ``group_on_generic``, ``claim``, ``killed``, ``injured``).

Nothing from the evaluation set is stored in this repository.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import conflict_gold as gold  # noqa: E402  (bench/ is on the path when run as a script)
import eval_sets  # noqa: E402

from geo import gazetteer, geoparse  # noqa: E402

# The providers' country names (both files) to ISO 3166-1 alpha-2.
COUNTRY_ISO = {
    "Afghanistan": "AF", "Burkina Faso": "BF", "Democratic Republic of Congo": "CD",
    "Democratic Republic of the Congo": "CD", "India": "IN", "Iraq": "IQ", "Israel": "IL",
    "Libya": "LY", "Mali": "ML", "Mozambique": "MZ", "Myanmar": "MM", "Nigeria": "NG",
    "Pakistan": "PK", "Palestine": "PS", "West Bank and Gaza Strip": "PS", "Philippines": "PH",
    "Somalia": "SO", "South Sudan": "SS", "Sudan": "SD", "Syria": "SY", "Ukraine": "UA", "Yemen": "YE",
}



def _iso(country: str) -> str:
    try:
        return COUNTRY_ISO[country]
    except KeyError:
        raise SystemExit(f"add {country!r} to COUNTRY_ISO") from None


# ----------------------------------------------------------------- scoring


@dataclass
class Scored:
    """One row and the parser's answer for it."""

    row: dict[str, Any]
    dataset: str  # "ACLED" | "GTD"
    lat: float | None
    lon: float | None
    cc: str
    precision: int | None
    location: str
    km: float | None  # None: no point
    n_incidents: int = 0
    event_date: str | None = None  # ISO day of the main incident, None: no incident or no date
    group: str = ""
    group_role: str = ""
    group_known: bool = False
    killed: int | None = None
    injured: int | None = None
    confidence: float | None = None  # the reader's own, for its point (None: no point)

    @property
    def wrong_country(self) -> bool:
        return self.km is not None and bool(self.cc) and self.cc != _iso(self.row["country"])

    def hit(self, radius: float, strict: bool) -> bool:
        return self.km is not None and self.km <= radius and not (strict and self.wrong_country)

    def error_km(self, strict: bool) -> float:
        """Distance for the median; a miss by rule (no point, wrong country) is infinitely far."""
        if self.km is None or (strict and self.wrong_country):
            return math.inf
        return self.km


def score_rows(rows: list[dict[str, Any]], dataset: str, haversine: Callable[..., float],
               gaz: gazetteer.Gazetteer) -> tuple[list[Scored], float]:
    out: list[Scored] = []
    t0 = time.perf_counter()
    for r in rows:
        res = geoparse.parse(r["text"], None, gaz)
        inc = res.incidents[0] if res.incidents else None
        if inc is None:
            out.append(Scored(r, dataset, None, None, "", None, "", None))
            continue
        km = None
        if inc.latitude is not None and inc.longitude is not None:
            km = haversine(inc.latitude, inc.longitude, r["latitude"], r["longitude"])
        out.append(Scored(r, dataset, inc.latitude, inc.longitude, inc.country_code, inc.geo_precision,
                          inc.location, km, len(res.incidents),
                          inc.event_date.isoformat() if inc.event_date else None,
                          inc.group, inc.group_role, inc.group_known, inc.killed, inc.injured, inc.confidence))
    return out, time.perf_counter() - t0


BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def reliability_rows(acled: list[Scored], gtd: list[Scored]) -> list[list[str]]:
    """Precision-1 pins by their confidence: the share within the headline radius (strict /
    lenient) and how many, per bin; then at 0.8 and over, and the bottom fifth by confidence."""
    out = []
    for name, items, radius in (("ACLED", _p(acled, 1), 10), ("GTD", _p(gtd, 1), 25)):
        pins = [s for s in items if s.confidence is not None]
        for lo, hi in itertools.pairwise(BINS):
            inside = [s for s in pins if lo <= s.confidence < hi]  # type: ignore[operator]
            out.append([f"{name} confidence {lo:.1f}–{min(hi, 1.0):.1f}", _pair(inside, radius), str(len(inside))])
        sure = [s for s in pins if s.confidence >= 0.8]  # type: ignore[operator]
        out.append([f"**{name} confidence ≥ 0.8**", _pair(sure, radius, bold=True), str(len(sure))])
        low = sorted(pins, key=lambda s: s.confidence)[:len(pins) // 5]  # type: ignore[arg-type, return-value]
        out.append([f"{name} bottom fifth by confidence", _pair(low, radius), str(len(low))])
    return out


def _share(items: list[Scored], radius: float, strict: bool) -> float | None:
    return sum(s.hit(radius, strict) for s in items) / len(items) if items else None


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _pair(items: list[Scored], radius: float, bold: bool = False) -> str:
    text = f"{_fmt(_share(items, radius, True))} / {_fmt(_share(items, radius, False))}"
    return f"**{text}**" if bold and items else text


def _median(items: list[Scored], strict: bool) -> str:
    if not items:
        return "—"
    m = statistics.median(s.error_km(strict) for s in items)
    return "∞" if math.isinf(m) else f"{m:.0f}"


def _median_pair(items: list[Scored]) -> str:
    return f"{_median(items, True)} / {_median(items, False)} km"


def _p(items: Iterable[Scored], *codes: int) -> list[Scored]:
    return [s for s in items if s.row["precision"] in codes]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _side_by_side(splits: Iterable[str], per_split: Iterable[list[list[str]]], value: str = "") -> list[str]:
    """One table of ``[measure, value, n]`` rows per split, as measure | value per split | n per split."""
    splits = list(splits)
    blocks = list(per_split)
    rows = [[same[0][0]] + [r[1] for r in same] + [r[2] for r in same] for same in zip(*blocks, strict=True)]
    return _table(["measure"] + [f"{sp} {value}".strip() for sp in splits] + [f"n {sp}" for sp in splits], rows)


def headline_rows(acled: list[Scored], gtd: list[Scored]) -> list[list[str]]:
    a1, a23, g1, g24 = _p(acled, 1), _p(acled, 2, 3), _p(gtd, 1), _p(gtd, 2, 3, 4)
    return [
        ["**ACLED precision 1 within 10 km** (headline)", _pair(a1, 10, bold=True), str(len(a1))],
        ["ACLED all rows within 25 km", _pair(acled, 25), str(len(acled))],
        ["ACLED precision 2/3 within 10 km", _pair(a23, 10), str(len(a23))],
        ["ACLED precision 2/3 within 50 km", _pair(a23, 50), str(len(a23))],
        ["ACLED precision 2/3 median error (no point = ∞)", _median_pair(a23), str(len(a23))],
        ["ACLED precision 2/3 median error, rows with a point in the right country",
         _median([s for s in a23 if s.km is not None and not s.wrong_country], False) + " km",
         str(sum(s.km is not None and not s.wrong_country for s in a23))],
        ["**GTD precision 1 within 25 km** (headline)", _pair(g1, 25, bold=True), str(len(g1))],
        ["GTD all rows within 25 km", _pair(gtd, 25), str(len(gtd))],
        ["GTD precision 2–4 within 50 km", _pair(g24, 50), str(len(g24))],
        ["ACLED / GTD: no point (counted as misses)",
         f"{sum(s.km is None for s in acled)} / {sum(s.km is None for s in gtd)}", f"{len(acled)} / {len(gtd)}"],
        ["ACLED / GTD: point in the wrong country",
         f"{sum(s.wrong_country for s in acled)} / {sum(s.wrong_country for s in gtd)}", f"{len(acled)} / {len(gtd)}"],
    ]


def breakdown(items: list[Scored], key: Callable[[Scored], str], radius_p1: float) -> list[list[str]]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for s in items:
        groups[key(s)].append(s)
    out = []
    for name, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        p1 = _p(group, 1)
        out.append([name, str(len(group)), str(len(p1)), _pair(p1, radius_p1), _pair(group, 25),
                    str(sum(s.km is None for s in group)), str(sum(s.wrong_country for s in group))])
    return out


def precision_shares(items: list[Scored]) -> list[str]:
    """Predicted geo_precision among rows with a point: 1 the place itself, 2-4 a container."""
    with_point = [s for s in items if s.km is not None]
    counts = Counter(s.precision for s in with_point)
    n = len(with_point) or 1
    cells = [f"{counts.get(k, 0) / n:.3f}" for k in (1, 2, 3, 4)]
    other = len(with_point) - sum(counts.get(k, 0) for k in (1, 2, 3, 4))
    return cells + [str(other), str(len(with_point))]


# ----------------------------------------------------------------- date, incidents per text


def _of(items: list[Scored], test: Callable[[Scored], bool]) -> str:
    return _fmt(sum(test(s) for s in items) / len(items)) if items else "—"


def _date_ok(s: Scored) -> bool:
    return s.event_date is not None and s.event_date == s.row["event_date"]


def field_rows(acled: list[Scored], gtd: list[Scored]) -> list[list[str]]:
    """Event date (ACLED scored, GTD for the record) and incidents per text."""
    by_source: dict[str, list[Scored]] = defaultdict(list)
    for s in acled:
        by_source[s.row["source"]].append(s)
    rows = [["**ACLED event date, exact day** (no incident or no date = miss)", f"**{_of(acled, _date_ok)}**",
             str(len(acled))]]
    rows += [[f"… {src}", _of(items, _date_ok), str(len(items))] for src, items in sorted(by_source.items())]
    rows += [
        ["ACLED: no date read (no incident, or none in the text)", _of(acled, lambda s: s.event_date is None),
         str(len(acled))],
        ["GTD event date, exact day", "n/a (date removed from the text by the set's maker)", str(len(gtd))],
        ["… for the record only: GTD exact day / any date read",
         f"{_of(gtd, _date_ok)} / {_of(gtd, lambda s: s.event_date is not None)}", str(len(gtd))],
    ]
    for name, items in (("ACLED", acled), ("GTD", gtd)):
        mean = sum(s.n_incidents for s in items) / len(items) if items else 0.0
        rows.append([f"{name} incidents per text: mean / share with more than one / share with none",
                     f"{mean:.2f} / {_of(items, lambda s: s.n_incidents > 1)} / {_of(items, lambda s: s.n_incidents == 0)}",
                     str(len(items))])
    return rows


# ----------------------------------------------------------------- group and toll (rules in conflict_gold)

TOLL_KINDS = ("number", "none") + (("singular",) if gold.SINGULAR_COUNTS else ())


def _coded_actors(s: Scored, lenient: bool) -> list[str]:
    """The provider names a prediction may match: ACLED ``actor1`` (lenient: and the associates
    and ``actor2``); GTD ``gname`` and ``gname2`` (GTD has no lenient variant)."""
    r = s.row
    if s.dataset == "GTD":
        return [r["gname"], r["gname2"]]
    names = [r["actor1"]]
    if lenient:
        names += gold.split_actors(r["assoc_actor_1"]) + [r["actor2"]] + gold.split_actors(r["assoc_actor_2"])
    return names


def named_actor(s: Scored) -> bool:
    """The row has a named (not generic) coded actor: ACLED ``actor1``, GTD ``gname``/``gname2``."""
    return any(n and not gold.generic_actor(n, s.dataset) for n in _coded_actors(s, lenient=False))


def generic_row(s: Scored) -> bool:
    """ACLED ``actor1`` ``Unidentified …``; GTD ``gname`` ``Unknown``: no named group is right."""
    first = s.row["actor1"] if s.dataset == "ACLED" else s.row["gname"]
    return gold.generic_actor(first, s.dataset)


def group_row(s: Scored) -> bool:
    """A named coded actor whose name (or an alias) the text itself gives: the rows scored."""
    return any(n and not gold.generic_actor(n, s.dataset) and gold.named_in(s.row["text"], gold.aliases(n, s.dataset))
               for n in _coded_actors(s, lenient=False))


def group_right(s: Scored, lenient: bool) -> bool:
    predicted = gold.predicted_names(s.group)
    return bool(predicted & gold.gold_names(_coded_actors(s, lenient), s.dataset))


def _gold_toll(s: Scored, what: str) -> int | None:
    if s.dataset == "ACLED":
        return int(s.row["fatalities"]) if what == "killed" else None
    value = s.row["nkill" if what == "killed" else "nwound"]
    return None if value is None else int(value)


def toll_row(s: Scored, what: str) -> bool:
    return gold.toll_kind(s.row["text"], what) in TOLL_KINDS


def toll_right(s: Scored, what: str) -> bool:
    """Exact match; an unknown answer matches only an empty GTD cell."""
    got = s.killed if what == "killed" else s.injured
    return got == _gold_toll(s, what)


def claim_right(s: Scored) -> bool:
    """GTD: the parser's role ``claimed`` exactly when ``claimed`` is 1 (anything else reads as not claimed)."""
    return (s.group_role == "claimed") == (s.row["claimed"] == 1)


def _group_pair(items: list[Scored], bold: bool = False) -> str:
    text = f"{_of(items, lambda s: group_right(s, False))} / {_of(items, lambda s: group_right(s, True))}"
    return f"**{text}**" if bold and items else text


def group_toll_rows(acled: list[Scored], gtd: list[Scored]) -> list[list[str]]:
    """The table "Group and toll": group figures are ``strict / lenient``, the others one value."""
    rows: list[list[str]] = []
    for name, items in (("ACLED", acled), ("GTD", gtd)):
        coded = "actor1" if name == "ACLED" else "gname/gname2"
        generic = "`Unidentified …`" if name == "ACLED" else "`Unknown`"
        scored = [s for s in items if group_row(s)]
        named = [s for s in items if named_actor(s)]
        generic_rows = [s for s in items if generic_row(s)]
        rows += [
            [f"**{name} group right, rows whose text names {coded}**", _group_pair(scored, bold=True), str(len(scored))],
            [f"{name} group right, every row with a named {coded} (text names it or not)", _group_pair(named),
             str(len(named))],
            [f"{name} {generic} rows: parser names a group anyway (lower is better)",
             _of(generic_rows, lambda s: bool(s.group)), str(len(generic_rows))],
        ]
        if name == "GTD":
            grouped = [s for s in items if s.group]
            claimed = [s for s in grouped if s.row["claimed"] == 1]
            rows += [
                ["GTD claimed vs attributed right, rows where the parser gives a group", _of(grouped, claim_right),
                 str(len(grouped))],
                ["… GTD-claimed rows among those read as claimed", _of(claimed, lambda s: s.group_role == "claimed"),
                 str(len(claimed))],
            ]
        for what in ("killed", "injured") if name == "GTD" else ("killed",):
            col = {"ACLED": "fatalities", "GTD": "nkill"}[name] if what == "killed" else "nwound"
            tolls = [s for s in items if toll_row(s, what)]
            kept = [s for s in tolls if not gold.known_mismatch(s.row["text"])]
            kinds = Counter(gold.toll_kind(s.row["text"], what) for s in tolls)
            others = [s for s in items if gold.toll_kind(s.row["text"], what) is None]
            answer = (lambda s: s.killed is None) if what == "killed" else (lambda s: s.injured is None)
            right = functools.partial(toll_right, what=what)
            rows += [
                [f"**{name} {what} exact (`{col}`), toll rows**", f"**{_of(tolls, right)}**",
                 str(len(tolls))],
                [f"{name} {what} exact, toll rows less known mismatches", _of(kept, right),
                 str(len(kept))],
                [f"… {name} {what} toll rows: a number / an explicit none / one victim in the singular",
                 " / ".join(str(kinds.get(k, 0)) for k in ("number", "none", "singular")), str(len(tolls))],
                [f"{name} {what}: parser answers unknown on rows whose text gives no toll", _of(others, answer),
                 str(len(others))],
            ]
        positive = [s for s in items if (_gold_toll(s, "killed") or 0) >= 1]
        rows.append([f"{name} killed exact, every row with `{'fatalities' if name == 'ACLED' else 'nkill'}` ≥ 1 "
                     "(issue 19's measure)", _of(positive, lambda s: toll_right(s, "killed")), str(len(positive))])
        rows.append([f"{name} parser gives a group (all rows); in the register among those",
                     f"{_of(items, lambda s: bool(s.group))}; "
                     f"{_of([s for s in items if s.group], lambda s: s.group_known)}", str(len(items))])
    return rows


# ----------------------------------------------------------------- geocoding with a hint


def _usable_location(r: dict[str, Any]) -> bool:
    loc = r["location"].strip()
    return bool(loc) and loc.lower() != "unknown"


def geocode_all(rows: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], float]:
    """Answers of ``python -m geo geocode --jsonl`` keyed by "dataset:id", and the wall time."""
    lines = [json.dumps({"id": f"{r['_dataset']}:{r['id']}", "query": r["location"].strip(),
                         "country": _iso(r["country"])}, ensure_ascii=False) for r in rows]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geo", "geocode", "--jsonl"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(), check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"geocode --jsonl failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    answers = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            item = json.loads(line)
            answers[str(item.get("id"))] = item
    return answers, took


@dataclass
class Geocoded:
    row: dict[str, Any]
    answer: dict[str, Any]
    km: float | None

    @property
    def outside(self) -> bool:
        return self.km is not None and self.answer.get("country_code") != _iso(self.row["country"])

    def hit(self) -> bool:
        return self.km is not None and self.km <= 25 and not self.outside


def geocode_scores(rows: list[dict[str, Any]], answers: dict[str, dict[str, Any]],
                   haversine: Callable[..., float]) -> list[Geocoded]:
    out = []
    for r in rows:
        a = answers.get(f"{r['_dataset']}:{r['id']}", {})
        lat, lon = a.get("latitude"), a.get("longitude")
        km = haversine(lat, lon, r["latitude"], r["longitude"]) if lat is not None and lon is not None else None
        out.append(Geocoded(r, a, km))
    return out


def geocode_rows(items: list[Geocoded], skipped: int) -> list[list[str]]:
    def share(group: list[Geocoded]) -> str:
        return _fmt(sum(g.hit() for g in group) / len(group)) if group else "—"

    ap1 = [g for g in items if g.row["_dataset"] == "ACLED" and g.row["precision"] == 1]
    gp1 = [g for g in items if g.row["_dataset"] == "GTD" and g.row["precision"] == 1]
    return [
        ["ACLED precision 1 within 25 km", share(ap1), str(len(ap1))],
        ["GTD precision 1 within 25 km", share(gp1), str(len(gp1))],
        ["**all precision-1 rows within 25 km**", f"**{share(ap1 + gp1)}**", str(len(ap1 + gp1))],
        ["all rows within 25 km", share(items), str(len(items))],
        ["not found (latitude null or error)", str(sum(g.km is None for g in items)), str(len(items))],
        ["answers outside the hinted country (target 0)", f"**{sum(g.outside for g in items)}**", str(len(items))],
        ["rows left out (location empty or \"Unknown\")", str(skipped), "—"],
    ]


def miss_causes(scored: list[Scored], answers: dict[str, Geocoded], radius: float,
                layer_codes: set[str]) -> list[str]:
    """Why precision-1 rows miss, in aggregate: (misses, no layer for the country, coded
    place name unknown to the gazetteer in that country, name known but placed elsewhere)."""
    p1 = [s for s in scored if s.row["precision"] == 1]
    misses = [s for s in p1 if not s.hit(radius, strict=True)]
    no_layer = [s for s in misses if _iso(s.row["country"]) not in layer_codes]
    rest = [s for s in misses if _iso(s.row["country"]) in layer_codes]

    def unknown(s: Scored) -> bool:
        g = answers.get(f"{s.dataset}:{s.row['id']}")
        return g is None or g.answer.get("feature") == "country" or g.km is None

    unknown_name = [s for s in rest if unknown(s)]
    known = [s for s in rest if not unknown(s)]
    no_point = [s for s in known if s.km is None]
    container = [s for s in known if s.km is not None and (s.precision or 1) >= 2]
    return [str(len(p1)), str(len(misses)), str(len(no_layer)), str(len(unknown_name)), str(len(known)),
            str(len(no_point)), str(len(container)), str(len(known) - len(no_point) - len(container))]


# ----------------------------------------------------------------- layers, errors, main


def add_layers(folder: Path) -> str:
    """``python -m geo gazetteer add DIR`` before the run; a warning if that command does not exist yet."""
    proc = subprocess.run([sys.executable, "-m", "geo", "gazetteer", "add", str(folder)], capture_output=True,
                          text=True, cwd=ROOT, env=os.environ.copy(), check=False)
    if proc.returncode == 0:
        return f"layers added from `{folder}`"
    if proc.returncode == 2 and "invalid choice" in proc.stderr:
        print(f"warning: `python -m geo gazetteer add` does not exist yet; running without layers from {folder}",
              file=sys.stderr)
        return "no layers (`python -m geo gazetteer add` not available)"
    raise SystemExit(f"gazetteer add {folder} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")


def field_failures(scored: list[Scored]) -> list[dict[str, Any]]:
    """Tune-split group, claim and toll misses (callers pass tune rows only)."""
    out: list[dict[str, Any]] = []
    for s in scored:
        base = {"dataset": s.dataset, "id": s.row["id"], "country": s.row["country"], "text": s.row["text"]}
        coded = ({k: s.row[k] for k in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")} if s.dataset == "ACLED"
                 else {k: s.row[k] for k in ("gname", "gname2", "claimed")})
        if group_row(s) and not group_right(s, lenient=False):
            out.append({"kind": "group", **base, "coded": coded, "got": s.group, "got_role": s.group_role,
                        "right_lenient": group_right(s, lenient=True)})
        elif generic_row(s) and s.group:
            out.append({"kind": "group_on_generic", **base, "coded": coded, "got": s.group, "got_role": s.group_role})
        if s.dataset == "GTD" and s.group and not claim_right(s):
            out.append({"kind": "claim", **base, "coded": coded, "got": s.group, "got_role": s.group_role})
        for what in ("killed", "injured") if s.dataset == "GTD" else ("killed",):
            if toll_row(s, what) and not toll_right(s, what):
                out.append({"kind": what, **base, "gold": _gold_toll(s, what),
                            "got": s.killed if what == "killed" else s.injured,
                            "text_kind": gold.toll_kind(s.row["text"], what),
                            "text_numbers": gold.toll_value(s.row["text"], what),
                            "known_mismatch": gold.known_mismatch(s.row["text"])})
    return out


def failures(scored: list[Scored], geocoded: list[Geocoded]) -> list[dict[str, Any]]:
    """Tune-split misses, one JSON object each (callers pass tune rows only)."""
    out = []
    for s in scored:
        p = s.row["precision"]
        if s.dataset == "ACLED":
            radius = 10 if p == 1 else 50
        else:
            radius = 25 if p == 1 else 50
        if s.hit(radius, strict=True):
            continue
        out.append({"kind": "parse", "dataset": s.dataset, "id": s.row["id"], "source": s.row["source"],
                    "country": s.row["country"], "precision": p, "radius_km": radius,
                    "gold": [s.row["latitude"], s.row["longitude"]], "gold_location": s.row["location"],
                    "gold_admin1": s.row["admin1"], "got": s.location, "got_point": [s.lat, s.lon],
                    "got_country": s.cc, "got_precision": s.precision,
                    "km": None if s.km is None else round(s.km, 1), "wrong_country": s.wrong_country,
                    "text": s.row["text"]})
    out += field_failures(scored)
    for g in geocoded:
        if g.hit():
            continue
        out.append({"kind": "geocode", "dataset": g.row["_dataset"], "id": g.row["id"], "country": g.row["country"],
                    "precision": g.row["precision"], "query": g.row["location"].strip(),
                    "gold": [g.row["latitude"], g.row["longitude"]], "answer": g.answer,
                    "km": None if g.km is None else round(g.km, 1), "outside_country": g.outside})
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["report", "tune", "both"], default="both")
    ap.add_argument("--limit", type=int, default=0, help="rows per file and split (0: all)")
    ap.add_argument("--errors", type=Path, help="write tune-split failures (only) to this JSONL file")
    ap.add_argument("--out", type=Path, help="write the markdown here instead of printing it")
    ap.add_argument("--layers", type=Path, help="add gazetteer layers from this folder first")
    ap.add_argument("--title", default="Conflict-set benchmark", help="markdown heading")
    ap.add_argument("--no-geocode", action="store_true", help="skip the geocoding-with-hint part")
    args = ap.parse_args(argv)

    load = eval_sets.load_module("conflict", "CONFLICT_EVAL_DIR")
    splits = eval_sets.SPLITS if args.split == "both" else (args.split,)
    lim = args.limit or None
    if args.layers:
        add_layers(args.layers)

    t0 = time.perf_counter()
    gaz = gazetteer.load()
    load_s = time.perf_counter() - t0
    gc.freeze()  # parser tables live for the whole run
    installed = [str(layer["code"]) for layer in gaz.layers()]
    layers = f"country layers {' '.join(installed)}" if installed else "no country layers (base gazetteer only)"

    md: list[str] = [f"## {args.title}", "",
                     f"Commit {eval_sets.commit_label()}, {layers}; geocoder: {os.environ.get('GEOCODER') or 'offline gazetteer'}. "
                     "Figures are `strict / lenient`: strict counts a point in the wrong country as a miss.", ""]
    parse_s = 0.0
    parsed_rows = 0
    geo_s = 0.0
    summary: list[str] = []
    by_split: dict[str, tuple[list[Scored], list[Scored]]] = {}
    for split in splits:
        acled_rows = load.load_acled(split=split)[:lim]
        gtd_rows = load.load_gtd(split=split)[:lim]
        acled, ta = score_rows(acled_rows, "ACLED", load.haversine_km, gaz)
        gtd, tg = score_rows(gtd_rows, "GTD", load.haversine_km, gaz)
        parse_s += ta + tg
        parsed_rows += len(acled) + len(gtd)
        by_split[split] = (acled, gtd)

    geocoded: dict[str, list[Geocoded]] = {}
    skipped: dict[str, int] = {}
    if not args.no_geocode:
        queries: list[dict[str, Any]] = []
        for split in splits:
            acled, gtd = by_split[split]
            rows = [{**s.row, "_dataset": s.dataset} for s in acled + gtd]
            skipped[split] = sum(not _usable_location(r) for r in rows)
            queries.extend(r for r in rows if _usable_location(r))
        answers, geo_s = geocode_all(queries)
        for split in splits:
            geocoded[split] = geocode_scores([r for r in queries if r["split"] == split], answers, load.haversine_km)

    md += ["### Headline: parser on the text alone", ""]
    md += _side_by_side(splits, (headline_rows(*by_split[sp]) for sp in splits), "strict / lenient")
    for split in splits:
        acled, gtd = by_split[split]
        a1, g1 = _p(acled, 1), _p(gtd, 1)
        summary.append(f"{split}: ACLED p1@10km {_pair(a1, 10)} (n={len(a1)}), GTD p1@25km {_pair(g1, 25)} (n={len(g1)})")

    md += ["", "### Group and toll", "",
           "Rules in `bench/conflict_gold.py` (see the module docstring). Group rows are `strict / lenient`: "
           "strict matches ACLED `actor1` only, lenient any of `actor1`, `assoc_actor_1`, `actor2`, `assoc_actor_2` "
           "(GTD: `gname`/`gname2` both times). Right means the parser's group, or one of its aliases in "
           "`data/groups.csv`, equals one of the coded name's aliases. Toll rows are rows whose text gives a "
           "number of dead (injured), an explicit none, or one victim in the singular; exact match, an unknown "
           "answer is a miss (except against an empty GTD cell).", ""]
    md += _side_by_side(splits, (group_toll_rows(*by_split[sp]) for sp in splits))
    for split in splits:
        acled, gtd = by_split[split]
        ag, gg = [s for s in acled if group_row(s)], [s for s in gtd if group_row(s)]
        ak, gk = [s for s in acled if toll_row(s, "killed")], [s for s in gtd if toll_row(s, "killed")]
        summary.append(f"{split}: group ACLED {_group_pair(ag)} (n={len(ag)}), GTD {_group_pair(gg)} (n={len(gg)}); "
                       f"killed exact ACLED {_of(ak, lambda s: toll_right(s, 'killed'))} (n={len(ak)}), "
                       f"GTD {_of(gk, lambda s: toll_right(s, 'killed'))} (n={len(gk)})")

    md += ["", "### Reliability of the pin's confidence (precision-1 rows with a point)", "",
           "`confidence` (scripts/fit_confidence.py, fitted on train, C and the review cut chosen on tune) "
           "against the share of pins within the headline radius (ACLED 10 km, GTD 25 km), `strict / lenient`.",
           ""]
    md += _side_by_side(splits, (reliability_rows(*by_split[sp]) for sp in splits))
    for split in splits:
        acled, gtd = by_split[split]
        for name, items, radius in (("ACLED", _p(acled, 1), 10), ("GTD", _p(gtd, 1), 25)):
            sure = [s for s in items if s.confidence is not None and s.confidence >= 0.8]
            summary.append(f"{split}: {name} confidence >= 0.8: {_pair(sure, radius)} within {radius} km (n={len(sure)})")

    md += ["", "### Event date, incidents per text", "",
           "The parser gets `published=None` (the set gives no publication date).", ""]
    md += _side_by_side(splits, (field_rows(*by_split[sp]) for sp in splits))
    for split in splits:
        acled, gtd = by_split[split]
        summary.append(f"{split}: ACLED date {_of(acled, _date_ok)} (n={len(acled)})")

    md += ["", "### Predicted geo_precision (rows with a point)", "",
           "1 = the place itself; 2–4 = the parser fell back to a container (district, province, country).", ""]
    md += _table(["split", "set", "p1", "p2", "p3", "p4", "other/none", "rows with a point"],
                 [[sp, name] + precision_shares(items)
                  for sp in splits for name, items in zip(("ACLED", "GTD"), by_split[sp], strict=True)])

    for split in splits:
        acled, gtd = by_split[split]
        md += ["", f"### By source ({split})", ""]
        md += _table(["source", "n", "n p1", "p1 within headline radius (ACLED 10, GTD 25 km)", "all within 25 km",
                      "no point", "wrong country"],
                     breakdown(acled, lambda s: s.row["source"], 10) + breakdown(gtd, lambda s: s.row["source"], 25))
        for name, items, radius in (("ACLED", acled, 10), ("GTD", gtd, 25)):
            md += ["", f"### {name} by country ({split})", ""]
            md += _table(["country", "n", "n p1", f"p1 within {radius} km", "all within 25 km", "no point",
                          "wrong country"], breakdown(items, lambda s: s.row["country"], radius))

    if geocoded:
        layer_codes = {str(layer["code"]) for layer in gaz.layers()}
        md += ["", "### Why precision-1 rows miss (counts)", "",
               "A miss is outside the headline radius or in the wrong country. *No layer*: the country has no "
               "village layer installed (only GeoNames towns of 500+ people). *Unknown name*: the geocoder, "
               "given the coded place name and country, knows no such place (it answers the country). "
               "*Known name*: the gazetteer knows the name in that country, but the parser gave no point, "
               "fell back to a container (precision 2–4), or chose another place (another mention or homonym).",
               ""]
        rows_md = []
        for split in splits:
            answers_by = {f"{g.row['_dataset']}:{g.row['id']}": g for g in geocoded[split]}
            acled, gtd = by_split[split]
            rows_md.append([split, "ACLED (10 km)"] + miss_causes(acled, answers_by, 10, layer_codes))
            rows_md.append([split, "GTD (25 km)"] + miss_causes(gtd, answers_by, 25, layer_codes))
        md += _table(["split", "set", "p1 rows", "misses", "no layer", "unknown name", "known name",
                      "… no point", "… a container", "… another place"], rows_md)
        md += ["", "### Geocoding with a hint (`location` + country → `python -m geo geocode --jsonl`)", "",
               "A hit lies within 25 km of the coded point and in the hinted country.", ""]
        md += _side_by_side(splits, (geocode_rows(geocoded[sp], skipped[sp]) for sp in splits))
        for split in splits:
            g = geocoded[split]
            p1 = [x for x in g if x.row["precision"] == 1]
            summary.append(f"{split}: geocode p1@25km {_fmt(sum(x.hit() for x in p1) / len(p1)) if p1 else '—'} "
                           f"(n={len(p1)}), outside hinted country {sum(x.outside for x in g)}")

    rate = parsed_rows / parse_s if parse_s else 0.0
    timing = (f"Gazetteer load {load_s:.1f} s; parse {parsed_rows} rows in {parse_s:.2f} s ({rate:.0f} rows/s, "
              f"wall clock, one process); geocode subprocess {geo_s:.1f} s (includes its own gazetteer load).")
    md += ["", timing, ""]

    if args.errors:
        tune_fail: list[dict[str, Any]] = []
        if "tune" in by_split:
            tune_fail = failures(by_split["tune"][0] + by_split["tune"][1], geocoded.get("tune", []))
        else:
            print("warning: --errors writes tune-split failures only; the tune split was not run", file=sys.stderr)
        args.errors.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in tune_fail), encoding="utf-8")

    text = "\n".join(md)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print("\n".join(summary))
        print(timing)
    else:
        print(text)


if __name__ == "__main__":
    main()
