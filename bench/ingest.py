"""Batch ingest benchmark: articles per second into the store, memory per worker, and dedup at 100k stored.

    python bench/ingest.py [--sizes 1000 10000] [--configs 1 2 dask] [--dedup] [--out bench/RESULTS-ingest.md]
                           [--pg URL | --no-pg] [--stored 100000] [--incoming 1000]

Corpus: every article text of the public evaluation sets, read by their own loaders from
``../shared/eval`` (never copied into the repository): GeoWebNews, TR-News, the RELABEL
event-location sentences, the ACLED notes and GTD summaries of the conflict set. Each item
carries the date its loader gives (the conflict rows' ``event_date``), else ``FIXED_DAY``.
The items are put in one fixed order (a seeded shuffle, so 1k is a mix of every set) and
cycled to the size wanted, each repeat a distinct article (key ``<set>-<id>-rep<n>``):
repeats of one text report the same events, so from the second cycle on they merge into
the incidents already filed, which exercises the dedup step.

Ingest: the items are written as JSON lines to a temporary folder; each run is a fresh
process (``--one``) that times ``ingest(read_inputs([that.jsonl]), Store(new SQLite file),
actor="bench", jobs=..., dask=...)`` end to end. Configurations: ``1`` (jobs=1, in
process), ``2`` (jobs=2, a spawn process pool), ``dask`` (dask="local", jobs=2: a
LocalCluster of two single-threaded worker processes). 1k runs are best of 2, 10k once.

Start-up is reported apart, not removed by a warm-up: the time from the start to the first
batch of articles filed (Filer set-up, pool or cluster start, the gazetteer opened in each
worker, the first window's head read and the first batch of 32 parsed). "After start-up"
rates are the articles after that first batch over the time from it to the end. The ingest
reads its input as it goes; "reading s" is reading the whole input alone, timed apart. Memory: the peak RSS (``VmHWM``) of
every worker process, sampled from ``/proc`` every 0.5 s, and the driver's own
(``VmHWM`` too: ``ru_maxrss`` would carry the parent's peak over ``exec``). Filing time
is the driver's time inside ``Filer.file`` (the bench wraps the class in its own process;
no code in ``geo`` is changed).

Dedup (``--dedup``): a store filled with ``--stored`` synthetic incidents
(``bench/scale_data.py``, by ``Store.upsert``), then ``--incoming`` incidents, half
near a stored one (same day, 0.5-3 km away, same group and type) and half drawn like new
events (a place weighted as the stored ones are, any day of the three years, a group
active there), alternating. Per incoming incident: ``likely_duplicates(store, incident,
any_group=True)`` alone, then the whole filing step ``Filer.file`` of a one-incident
reading. On SQLite and, when reachable, on PostgreSQL (a database of its own, dropped at
the end).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_sets import commit_label, cpu_model, load_module  # noqa: E402

FIXED_DAY = date(2024, 8, 6)  # publication date of the texts whose loader gives none
SHUFFLE_SEED = 20241125


@dataclass(frozen=True)
class Config:
    jobs: int
    dask: str
    workers: int  # processes that parse: what "per core" divides by
    label: str


CONFIGS = {"1": Config(1, "", 1, "jobs=1 (in process)"), "2": Config(2, "", 2, "jobs=2 (process pool)"),
           "dask": Config(2, "local", 2, "Dask LocalCluster, 2 workers")}
PG_DEFAULT = "postgresql://postgres@/incidents?host=/tmp/pgm&port=54329"
TARGET_PER_CORE = 200.0
TARGET_DEDUP_MS = 5.0


# ----------------------------------------------------------------- corpus

def corpus() -> list[dict[str, Any]]:
    """Every text of the public sets, in a fixed (seeded) order: {set, id, text, published, title}."""
    geo_sets = load_module("geoparse", "GEOPARSE_EVAL_DIR")
    conflict = load_module("conflict", "CONFLICT_EVAL_DIR")
    items: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def add(kind: str, ident: str, text: str, published: date, title: str = "") -> None:
        ident = ident.removeprefix(f"{kind}-")
        n = seen.get(f"{kind}-{ident}", 0)
        seen[f"{kind}-{ident}"] = n + 1
        if n:  # a few RELABEL items share an id: the key must still be distinct
            ident = f"{ident}~{n + 1}"
        items.append({"set": kind, "id": ident, "text": text, "published": published.isoformat(), "title": title})

    for record in geo_sets.load_gwn():
        add("gwn", record["id"], record["text"], FIXED_DAY, record["title"])
    for record in geo_sets.load_trnews():
        add("trnews", record["id"], record["text"], FIXED_DAY, record["title"])
    for record in geo_sets.load_event_location(only_gold=True):
        add("relabel", record["id"], record["text"], FIXED_DAY)
    for row in conflict.load_acled():
        add("acled", row["id"], row["text"], date.fromisoformat(row["event_date"]))
    for row in conflict.load_gtd():
        add("gtd", row["id"], row["text"], date.fromisoformat(row["event_date"]))
    random.Random(SHUFFLE_SEED).shuffle(items)
    return items


def write_items(items: list[dict[str, Any]], size: int, path: Path) -> None:
    """``size`` articles cycling through ``items``, as JSON lines."""
    with path.open("w", encoding="utf-8") as out:
        for k in range(size):
            item = items[k % len(items)]
            line = {"id": f"{item['set']}-{item['id']}-rep{k // len(items)}", "text": item["text"],
                    "published": item["published"], "source": item["set"], "title": item["title"]}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def corpus_facts(items: list[dict[str, Any]]) -> dict[str, Any]:
    by_set: dict[str, int] = {}
    chars: dict[str, int] = {}
    for item in items:
        by_set[item["set"]] = by_set.get(item["set"], 0) + 1
        chars[item["set"]] = chars.get(item["set"], 0) + len(item["text"].strip())
    return {"items": len(items), "distinct_texts": len({i["text"].strip() for i in items}), "by_set": by_set,
            "mean_chars": {k: round(chars[k] / n) for k, n in by_set.items()},
            "mean_chars_all": round(sum(chars.values()) / len(items))}


# ----------------------------------------------------------------- process sampling

def _hwm_kb(pid: int) -> int:
    """Peak resident set (``VmHWM``) of a live process, kB; 0 when gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler:
    """Every 0.5 s: each descendant's peak RSS and CPU seconds (kept after it exits). Listing
    the descendants scans all of ``/proc``: at 0.1 s that took ~6% of the driver's samples in
    a py-spy profile, so the interval is longer (peak RSS only rises; a worker's last half
    second of growth before it exits can be missed)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.me = psutil.Process()
        self.procs: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.5)

    def sample(self) -> None:
        psutil = self._psutil
        try:
            children = self.me.children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            try:
                info = self.procs.get(child.pid)
                if info is None:
                    info = {"cmd": " ".join(child.cmdline())[:300], "hwm_kb": 0, "cpu_s": 0.0}
                    self.procs[child.pid] = info
                cpu = child.cpu_times()
                info["cpu_s"] = max(info["cpu_s"], cpu.user + cpu.system)
                info["hwm_kb"] = max(info["hwm_kb"], _hwm_kb(child.pid))
            except psutil.Error:
                continue

    def workers(self) -> list[dict[str, Any]]:
        """The processes that parse: spawned Python processes other than multiprocessing's
        resource tracker (pool workers; Dask's worker processes)."""
        return [p for p in self.procs.values() if "resource_tracker" not in p["cmd"]
                and ("spawn_main" in p["cmd"] or "forkserver" in p["cmd"])]


def _reaped_cpu_s() -> float:
    """CPU seconds of this process's children that have exited and been waited for."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _busy_s() -> float:
    import psutil

    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
                 + getattr(t, "steal", 0.0))


# ----------------------------------------------------------------- one ingest run (own process)

def run_one(config: str, jsonl: Path) -> dict[str, Any]:
    """One timed ingest of ``jsonl`` into a new SQLite store: figures as a dict."""
    import geo.ingest.run as run
    from geo.ingest.filing import Filer, Summary
    from geo.ingest.inputs import read_inputs
    from geo.ingest.reading import Reading
    from geo.store.database import Store

    filing = [0.0]

    class TimedFiler(Filer):
        def file(self, readings: Sequence[Reading], summary: Summary) -> None:
            start = time.perf_counter()
            super().file(readings, summary)
            filing[0] += time.perf_counter() - start

    run.Filer = TimedFiler  # type: ignore[misc]  # this process only: the bench's own measurement

    spec = CONFIGS[config]
    marks: dict[str, float] = {}
    load_start = os.getloadavg()

    t_read = time.perf_counter()  # reading alone, apart: the ingest reads as it goes
    sum(1 for _ in read_inputs([str(jsonl)]))
    read_s = time.perf_counter() - t_read

    def progress(_what: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if "first" not in marks:
            marks["first"], marks["first_done"] = now, done
        marks["last"] = now

    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as folder:
        store = Store(str(Path(folder) / "ingest.sqlite3"))
        busy0, cpu0 = _busy_s(), time.process_time()
        reaped0 = _reaped_cpu_s()
        with Sampler() as sampler:
            t0 = time.perf_counter()
            summary = run.ingest(read_inputs([str(jsonl)]), store, actor="bench", jobs=spec.jobs, dask=spec.dask, progress=progress)
            t_end = time.perf_counter()
            sampler.sample()
        driver_cpu = time.process_time() - cpu0
        busy = _busy_s() - busy0
        reaped = _reaped_cpu_s() - reaped0
        stored = store.count()
        store.close()
    load_end = os.getloadavg()
    wall = t_end - t0
    n = summary.articles
    workers = sampler.workers()
    children_cpu = max(reaped, sum(p["cpu_s"] for p in sampler.procs.values()))  # exited and waited for, or sampled
    first = marks.get("first", t_end)
    first_done = int(marks.get("first_done", n))
    after = (n - first_done) / (t_end - first) if n > first_done and t_end > first else None
    return {"config": config, "label": spec.label, "workers": spec.workers, "articles": n,
            "wall_s": wall, "read_s": read_s, "startup_s": first - t0,
            "after_startup_s": t_end - first, "per_s": n / wall, "per_s_after_startup": after,
            "filing_s": filing[0], "added": summary.added, "merged": summary.merged, "to_review": summary.to_review,
            "unplaced": summary.unplaced, "rejected": summary.rejected_count, "failed": summary.failed_count,
            "new_groups": len(summary.new_groups), "stored": stored,
            "driver_peak_mb": _hwm_kb(os.getpid()) / 1024,
            "driver_cpu_s": driver_cpu, "children_cpu_s": children_cpu,
            "workers_found": len(workers), "worker_peak_mb": [p["hwm_kb"] / 1024 for p in workers],
            "worker_cpu_s": [p["cpu_s"] for p in workers],
            "other_procs": [{"cmd": p["cmd"][:120], "peak_mb": p["hwm_kb"] / 1024, "cpu_s": p["cpu_s"]}
                            for p in sampler.procs.values() if p not in workers],
            "others_busy_cores": max(0.0, (busy - driver_cpu - children_cpu) / wall),
            "load_start": load_start, "load_end": load_end}


def spawn_one(config: str, jsonl: Path) -> dict[str, Any]:
    """``run_one`` in a fresh interpreter: nothing loaded or cached from an earlier run."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", config, str(jsonl)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"the {config} run failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------- dedup at 100k stored

def _incoming(store: Any, n_stored: int, n: int, seed: int = 7) -> list[tuple[str, Any]]:
    """``n`` incoming incidents, alternating near a stored one and drawn like a new event."""
    from bench import scale_data
    from geo.records import Incident

    rng = random.Random(seed)
    spots = scale_data.places(random.Random(scale_data.SEED))  # the places the stored incidents use
    weights = [p.weight for p in spots]
    picked = rng.sample(range(n_stored), n // 2 + n % 2)
    out: list[tuple[str, Any]] = []
    for k in range(n):
        if k % 2 == 0:
            s = store.get(f"SCL{picked[k // 2]:07d}")
            km, bearing = rng.uniform(0.5, 3.0), rng.uniform(0, 2 * math.pi)
            lat = s.latitude + km * math.cos(bearing) / 111.0
            lon = s.longitude + km * math.sin(bearing) / (111.0 * math.cos(math.radians(s.latitude)))
            out.append(("near", Incident(
                event_id=f"bench-near-{k:05d}", event_date=s.event_date, group=s.group, location=s.location,
                group_role="attributed", event_type=s.event_type, sub_event_type=s.sub_event_type,
                latitude=round(lat, 5), longitude=round(lon, 5), geo_precision=1, country_code=s.country_code,
                admin1=s.admin1, killed=s.killed, source="bench", published=s.event_date)))
        else:
            place = rng.choices(spots, weights)[0]
            actors = [a for a, countries, _ in scale_data.ACTORS if place.country in countries]
            day = scale_data.FIRST_DAY + timedelta(days=rng.randrange(scale_data.DAYS))
            kind = rng.choice([t for t, _, _ in scale_data.EVENT_TYPES])
            out.append(("new", Incident(
                event_id=f"bench-new-{k:05d}", event_date=day, group=rng.choice(actors), location=place.name,
                group_role="attributed", event_type=kind, latitude=round(place.latitude + rng.uniform(-0.02, 0.02), 5),
                longitude=round(place.longitude + rng.uniform(-0.02, 0.02), 5), geo_precision=1,
                country_code=place.country, admin1=place.admin1, source="bench", published=day)))
    return out


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": statistics.median(ordered) * 1000, "p95": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000,
            "max": ordered[-1] * 1000, "mean": statistics.fmean(ordered) * 1000}


def dedup(location: str, backend: str, n_stored: int, n_incoming: int) -> dict[str, Any]:
    """Fill a store at ``location`` and time the dedup and the filing of each incoming incident."""
    from bench import scale_data
    from geo.ingest.filing import Filer, Summary
    from geo.ingest.reading import Found, Reading
    from geo.store.database import Store
    from geo.store.duplicates import likely_duplicates

    load_start = os.getloadavg()
    store = Store(location)
    t0 = time.perf_counter()
    counts = store.upsert(scale_data.incidents(n_stored), actor="bench", action="bench dedup fill")
    fill_s = time.perf_counter() - t0
    if counts.added != n_stored:
        raise SystemExit(f"{backend}: added {counts.added} of {n_stored}")
    incoming = _incoming(store, n_stored, n_incoming)
    for _, incident in _incoming(store, n_stored, 20, seed=99):  # warm-up: connections, statement caches
        likely_duplicates(store, incident, any_group=True)
    times: dict[str, list[float]] = {"near": [], "new": []}
    found: dict[str, int] = {"near": 0, "new": 0}
    candidates: list[int] = []
    for kind, incident in incoming:
        start = time.perf_counter()
        dups = likely_duplicates(store, incident, any_group=True)
        times[kind].append(time.perf_counter() - start)
        found[kind] += bool(dups)
        candidates.append(len(dups))
    t1 = time.perf_counter()
    filer = Filer(store, actor="bench")
    filer_s = time.perf_counter() - t1
    summary = Summary()
    ftimes: dict[str, list[float]] = {"near": [], "new": []}
    for k, (kind, incident) in enumerate(incoming):
        reading = Reading(f"bench-in-{k:05d}", "bench", (Found(incident, "{}"),))
        start = time.perf_counter()
        filer.file([reading], summary)
        ftimes[kind].append(time.perf_counter() - start)
    stored = store.count()
    store.close()
    every = times["near"] + times["new"]
    fevery = ftimes["near"] + ftimes["new"]
    return {"backend": backend, "stored_before": n_stored, "incoming": len(incoming), "fill_s": fill_s,
            "fill_per_s": n_stored / fill_s, "dups_all": _ms(every), "dups_near": _ms(times["near"]),
            "dups_new": _ms(times["new"]), "with_candidates": found, "candidates_mean": statistics.fmean(candidates),
            "candidates_max": max(candidates), "filer_setup_s": filer_s, "file_all": _ms(fevery),
            "file_near": _ms(ftimes["near"]), "file_new": _ms(ftimes["new"]), "added": summary.added,
            "merged": summary.merged, "to_review": summary.to_review, "new_groups": len(summary.new_groups),
            "stored_after": stored, "load_start": load_start, "load_end": os.getloadavg()}


def dedup_postgres(url: str, n_stored: int, n_incoming: int) -> dict[str, Any] | str:
    """The dedup figures on PostgreSQL, in a new database dropped at the end; a note when unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from geo.store.schema import database_url

    base = make_url(database_url(url))
    name = f"ingest_bench_{os.getpid()}"
    try:
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 5})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server, no driver, no right to create a database
        return f"PostgreSQL skipped: {type(error).__name__}: {str(error).strip().splitlines()[0][:200]}"
    try:
        version = ""
        with admin.connect() as conn:
            version = str(conn.execute(text("show server_version")).scalar())
        result = dedup(base.set(database=name).render_as_string(hide_password=False), f"PostgreSQL {version}",
                       n_stored, n_incoming)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return result


# ----------------------------------------------------------------- report

def machine() -> dict[str, Any]:
    import dask
    import psutil

    return {"cores": os.cpu_count(), "cpu": cpu_model() or platform.processor(), "ram_gb": psutil.virtual_memory().total / 2**30,
            "python": platform.python_version(), "dask": dask.__version__, "commit": commit_label(("geo", "data")),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "platform": platform.platform()}


def _f(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def ingest_table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| articles | configuration | wall s | reading s | start-up s | articles/s end to end | articles/s after start-up "
           "| **per core** after start-up (end to end) | articles per CPU s, all our processes "
           "| incidents added / merged (to review) | rejected / failed "
           "| driver filing s (ms per article) | peak RSS MB: driver; each worker | CPU s: driver; workers | others' cores busy "
           "| load avg 1-min start → end |",
           "|" + "---|" * 16]
    for r in rows:
        per_core = r["per_s_after_startup"] / r["workers"] if r["per_s_after_startup"] else None
        workers = "; ".join(f"{m:.0f}" for m in r["worker_peak_mb"]) or "–"
        wcpu = " + ".join(f"{c:.1f}" for c in r["worker_cpu_s"]) or "–"
        out.append(f"| {r['articles']:,} | {r['label']} | {r['wall_s']:.2f} | {r['read_s']:.2f} | {r['startup_s']:.2f} "
                   f"| {r['per_s']:,.0f} | {_f(r['per_s_after_startup'])} | **{_f(per_core)}** ({r['per_s'] / r['workers']:,.0f}) "
                   f"| {r['articles'] / max(1e-9, r['driver_cpu_s'] + r['children_cpu_s']):,.0f} "
                   f"| {r['added']:,} / {r['merged']:,} ({r['to_review']:,}) | {r['rejected']:,} / {r['failed']:,} "
                   f"| {r['filing_s']:.2f} ({r['filing_s'] / max(1, r['articles']) * 1000:.2f}) "
                   f"| {r['driver_peak_mb']:.0f}; {workers} | {r['driver_cpu_s']:.1f}; {wcpu} "
                   f"| {r['others_busy_cores']:.2f} | {r['load_start'][0]:.2f} → {r['load_end'][0]:.2f} |")
    return out


def dedup_table(results: list[dict[str, Any]]) -> list[str]:
    out = ["| store | fill (upsert) s | incoming | likely_duplicates ms p50 / p95 / max | … near / new p50 | "
           "with a candidate: near / new | whole filing ms p50 / p95 / max | … near / new p50 | merged / added (to review) |",
           "|" + "---|" * 9]
    for d in results:
        a, f = d["dups_all"], d["file_all"]
        out.append(f"| {d['backend']}, {d['stored_before']:,} stored | {d['fill_s']:.1f} | {d['incoming']:,} "
                   f"| **{a['p50']:.2f}** / **{a['p95']:.2f}** / {a['max']:.2f} "
                   f"| {d['dups_near']['p50']:.2f} / {d['dups_new']['p50']:.2f} "
                   f"| {d['with_candidates']['near']} / {d['with_candidates']['new']} "
                   f"| **{f['p50']:.2f}** / **{f['p95']:.2f}** / {f['max']:.2f} "
                   f"| {d['file_near']['p50']:.2f} / {d['file_new']['p50']:.2f} "
                   f"| {d['merged']} / {d['added']} ({d['to_review']}) |")
    return out


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda r: r["wall_s"])


def report(args: argparse.Namespace, facts: dict[str, Any], mach: dict[str, Any], rows: list[dict[str, Any]],
           all_runs: dict[str, list[float]], dedups: list[dict[str, Any]], notes: list[str]) -> str:
    lines = ["# Batch ingest: articles per second, memory per worker, dedup at 100k stored", "",
             "`python bench/ingest.py " + " ".join(sys.argv[1:]) + "`", "",
             f"{mach['date']}; commit {mach['commit']}; {mach['cores']} cores ({mach['cpu']}), {mach['ram_gb']:.0f} GB, "
             f"Python {mach['python']}, Dask {mach['dask']}; {mach['platform']}", ""]
    if rows:
        lines += ["## Ingest end to end (JSON lines → parse → file into a new SQLite store)", ""]
        lines += ingest_table(rows)
        lines += [""]
        for key, walls in all_runs.items():
            if len(walls) > 1:
                lines.append(f"- {key}: walls of the runs " + ", ".join(f"{w:.2f} s" for w in walls) + " (best shown)")
        lines += [""]
        verdict = []
        for r in rows:
            per_core = r["per_s_after_startup"] / r["workers"] if r["per_s_after_startup"] else 0.0
            e2e = r["per_s"] / r["workers"]
            verdict.append(f"- ≥ {TARGET_PER_CORE:.0f} articles/s per core, {r['articles']:,}, {r['label']}: "
                           f"after start-up {per_core:,.0f} ({'met' if per_core >= TARGET_PER_CORE else 'missed'}); "
                           f"end to end with start-up {e2e:,.0f} ({'met' if e2e >= TARGET_PER_CORE else 'missed'})")
        lines += ["Against the target:", ""] + verdict + [""]
    if dedups:
        lines += ["## Dedup with 100k incidents stored (time per incoming incident)", ""]
        lines += dedup_table(dedups) + [""]
        for d in dedups:
            ok = d["dups_all"]["p95"] < TARGET_DEDUP_MS
            ok_file = d["file_all"]["p95"] < TARGET_DEDUP_MS
            lines.append(f"- {d['backend']}: dedup under {TARGET_DEDUP_MS:.0f} ms per incoming incident: "
                         f"likely_duplicates p95 {d['dups_all']['p95']:.2f} ms ({'met' if ok else 'missed'}); "
                         f"the whole filing step p95 {d['file_all']['p95']:.2f} ms ({'met' if ok_file else 'missed'}). "
                         f"Candidates per incoming: mean {d['candidates_mean']:.2f}, max {d['candidates_max']}; "
                         f"Filer set-up {d['filer_setup_s'] * 1000:.0f} ms (once per ingest, not counted); "
                         f"load average {_load(d['load_start'])} → {_load(d['load_end'])}")
        lines += [""]
    lines += ["## Corpus", "",
              f"{facts['items']:,} items from the public sets ("
              + ", ".join(f"{k} {v:,}" for k, v in facts["by_set"].items())
              + f"), {facts['distinct_texts']:,} distinct texts; mean length {facts['mean_chars_all']:,} characters ("
              + ", ".join(f"{k} {v:,}" for k, v in facts["mean_chars"].items()) + "). "
              "1k articles are the first 1,000 of a fixed seeded order (every set mixed, no text twice); 10k cycle "
              f"through all {facts['items']:,} about {10_000 / facts['items']:.1f} times. Each repeat is a distinct article "
              "(its own key), so from the second cycle on its incidents meet the ones its text gave before and merge "
              "(dedup exercised); the loaders give dates for ACLED and GTD only (their event date, used as the "
              f"publication date), the other sets get {FIXED_DAY.isoformat()}.", ""]
    lines += ["## How it was measured", ""]
    for paragraph in (__doc__ or "").split("\n\n")[2:6]:
        lines += [paragraph.strip(), ""]
    lines += ["## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000])
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--dedup", action="store_true", help="the dedup step at --stored incidents")
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--incoming", type=int, default=1000)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server for the dedup step (a new database on it)")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--repeats-small", type=int, default=2, help="runs of sizes under 10k (best kept)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--one", nargs=2, metavar=("CONFIG", "JSONL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))), flush=True)
        return 0

    mach = machine()
    items = corpus()
    facts = corpus_facts(items)
    print(f"corpus: {facts}", flush=True)
    rows: list[dict[str, Any]] = []
    all_runs: dict[str, list[float]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ingest-items-") as folder:
        files = {}
        for size in args.sizes:
            files[size] = Path(folder) / f"articles-{size}.jsonl"
            write_items(items, size, files[size])
        for config in args.configs:
            for size in args.sizes:
                repeats = args.repeats_small if size < 10_000 else 1
                runs = []
                for _ in range(repeats):
                    result = spawn_one(config, files[size])
                    print(json.dumps(result), flush=True)
                    runs.append(result)
                all_runs[f"{size:,} {CONFIGS[config].label}"] = [r["wall_s"] for r in runs]
                rows.append(best(runs))
    dedups: list[dict[str, Any]] = []
    if args.dedup:
        with tempfile.TemporaryDirectory(prefix="ingest-dedup-") as folder:
            result = dedup(str(Path(folder) / "dedup.sqlite3"), "SQLite", args.stored, args.incoming)
            print(json.dumps(result), flush=True)
            dedups.append(result)
        if args.no_pg:
            notes.append("PostgreSQL not measured (--no-pg).")
        else:
            pg = dedup_postgres(args.pg, args.stored, args.incoming)
            print(json.dumps(pg), flush=True)
            if isinstance(pg, str):
                notes.append(pg)
            else:
                dedups.append(pg)
    for r in rows:
        busy = sum(r["worker_cpu_s"]) / (r["workers"] * r["wall_s"]) if r["worker_cpu_s"] else None
        notes.append(f"{r['articles']:,} {r['label']}: the driver spent {r['filing_s'] / r['wall_s']:.0%} of the wall time "
                     f"in Filer.file" + (f"; the workers' CPU was {busy:.0%} of their wall time" if busy is not None else ""))
    for r in rows:
        extra = [p for p in r["other_procs"] if p["cpu_s"] > 0.5 or p["peak_mb"] > 50]
        if extra:
            notes.append(f"{r['articles']:,} {r['label']}: other processes besides the workers: "
                         + "; ".join(f"{p['cmd'][:60]!r} {p['peak_mb']:.0f} MB, {p['cpu_s']:.1f} CPU s" for p in extra))
    text = report(args, facts, mach, rows, all_runs, dedups, notes)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
