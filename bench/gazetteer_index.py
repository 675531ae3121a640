"""The gazetteer index with country layers installed, against the hosted-app budget.

    python bench/gazetteer_index.py [--layers DIR] [--eval DIR] [--samples 2000] [--seed 7]
                                    [--loads 5] [--no-app] [--out FILE]

Budget (from the project's issue): with all the layers of ``--layers`` installed (30
countries in ``/work/shared/gazetteer``), the app's resident memory stays under 500 MB at
any time, cold start included; loading the index takes under 2 s; nothing is rebuilt on
start; a lookup takes well under a millisecond.

Everything runs in a fresh temporary cache (``INCIDENT_MAP_CACHE``) and store
(``INCIDENTS_DB``); the user's own cache is never touched. Steps:

1. Cold build, each in a child process whose peak RSS is its own ``ru_maxrss`` (from
   ``os.wait4`` on that child): ``gazetteer.load()`` on an empty cache (the base, from the
   PyPI data packages), then ``python -m geo gazetteer add DIR`` (every layer). The index
   file's size and ``len(gazetteer.load())`` are reported.
2. Load: ``--loads`` fresh processes each time ``from geo import gazetteer;
   gazetteer.load()`` (import and open) from inside; the index file's mtime and the cache
   listing must not change (nothing rebuilt).
3. Lookups, in one child process: ``--samples`` names drawn with a fixed seed, half from
   the layer files' names (with their country) and half from the ``location`` column of
   the conflict set's CSVs (with the row's country). ``Gazetteer.candidates(name)`` and
   ``OfflineGeocoder.locate(name, cc)`` are timed per call: the first pass starts with the
   index file evicted from the OS page cache (``posix_fadvise(DONTNEED)``) and a new
   ``Gazetteer`` (empty SQLite page cache and key memo), the second pass repeats the same
   names (warm). Then ``geoparse.parse(text, None, gaz)`` over every conflict text.
4. The app: the index file (and everything else in the cache but ``layers/``) is deleted,
   so the first start rebuilds base plus layers as on a new hosted machine with
   ``gazetteer_countries`` configured (``GAZETTEER_COUNTRIES`` set to the installed
   codes, so nothing is downloaded). ``streamlit run app.py`` with a fresh store, headless
   Chromium: the headline, then "Add from an article" with a short article, "Find places
   and the event" until the highlighted result, then two reloads. The server process (and
   any children) is sampled every 0.2 s (``VmRSS``, ``VmHWM`` in ``/proc/<pid>/status``).
   Then a second, warm start with the index present (fresh store again): same flow.

Prints a markdown table (step | value | budget | verdict) and writes it, with the machine,
date and commit, to ``bench/RESULTS-gazetteer-index.md`` (``--out``). Needs Debian's
Chromium (/usr/bin/chromium) for step 4.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from bench.eval_sets import cpu_model  # noqa: E402

BUDGET_MB = 500
LOAD_BUDGET_S = 2.0
LOOKUP_BUDGET_US = 1000.0
HEADLINE = "text=/\\d+ incidents?, \\d+ groups?/"
ARTICLE = ("An Israeli airstrike on the village of Aitaroun in the Bint Jbeil district of south Lebanon "
           "killed three people, including a child, on Tuesday, Lebanon's health ministry said. The strike "
           "hit a house near the village square. Hezbollah said it fired rockets at military positions "
           "across the border in response.")
PAGE_TIMEOUT_MS = 900_000  # the cold first page rebuilds the whole index


# ----------------------------------------------------------------- child processes


@dataclass
class ChildRun:
    wall_s: float
    peak_mb: float
    stdout: str
    returncode: int


def run_child(cmd: list[str], env: dict[str, str], log: Path) -> ChildRun:
    """Run ``cmd`` to the end; its wall time and its own peak RSS (``ru_maxrss`` of this child
    alone, from ``os.wait4``, so earlier children do not count)."""
    with tempfile.TemporaryFile() as out, log.open("ab") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return ChildRun(wall, usage.ru_maxrss / 1024, text, proc.returncode)


def child_env(cache: Path, db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(INCIDENT_MAP_CACHE=str(cache), INCIDENTS_DB=str(db), PYTHONUNBUFFERED="1")
    return env


LOAD_SNIPPET = """
import json, time
t0 = time.perf_counter()
from geo import gazetteer
g = gazetteer.load()
t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0, "places": len(g), "path": str(g.path)}))
"""


def index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("gazetteer-*.sqlite3"))


def listing(cache: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(cache)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(cache.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------- step 3, in its own process


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _stats_us(times: list[float]) -> dict[str, float]:
    us = [t * 1e6 for t in times]
    return {"median": statistics.median(us), "p95": _pct(us, 0.95), "p99": _pct(us, 0.99), "first": us[0],
            "max": max(us), "n": len(us)}


def _evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _resident_pages(path: Path) -> str:
    """``fincore``'s count of the file's pages in the OS page cache (to show the eviction worked)."""
    try:
        out = subprocess.run(["fincore", "--noheadings", "--output", "PAGES", str(path)], capture_output=True,
                             text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out


def sample_names(layers_dir: Path, eval_dir: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """(name, country code) pairs: half layer names, half conflict-set locations."""
    import csv

    from geo.gazetteer import layers

    layer_names: list[tuple[str, str]] = []
    for path in sorted(layers_dir.glob("??.txt.gz")):
        code = path.name[:2]
        layer_names.extend((row[1], code) for row in layers.read_rows(path))
    iso = _conflict_iso()
    conflict: list[tuple[str, str]] = []
    for path in sorted(eval_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            conflict.extend((r["location"].strip(), iso.get(r["country"], "")) for r in csv.DictReader(f)
                            if r["location"].strip())
    rng = random.Random(seed)
    half = count // 2
    picked = rng.sample(layer_names, half) + [rng.choice(conflict) for _ in range(count - half)]
    rng.shuffle(picked)
    return picked


def _conflict_iso() -> dict[str, str]:
    from bench.conflict import COUNTRY_ISO

    return COUNTRY_ISO


def conflict_texts(eval_dir: Path) -> list[str]:
    import csv

    texts = []
    for path in sorted(eval_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts.extend(r["text"] for r in csv.DictReader(f))
    return texts


def slow_calls(gaz: Any, picked: list[tuple[str, str]], times: list[float]) -> dict[str, Any]:
    """Which warm ``candidates`` calls take over 1 ms, and how many went to the skeleton
    fallback (no exact or article-free key: the spellings filed under the consonant
    skeleton are compared with ``names.similar``)."""
    from geo.gazetteer import names

    slow = [(t, name) for t, (name, _) in zip(times, picked, strict=True) if t * 1e6 >= LOOKUP_BUDGET_US]
    fallback, buckets = 0, []
    for _, name in slow:
        k = names.key(name)
        free = names.article_free(k)
        sk = names.skeleton(k)
        if gaz.exact.get(k) or gaz.exact.get(free) or gaz.loose.get(free) or len(sk) < 3:
            continue
        fallback += 1
        rows = gaz.query("SELECT count(*) FROM names WHERE level = 2 AND k >= ? AND k < ?",
                         (sk + "\t", sk + "\t\U0010ffff"))
        buckets.append(int(rows[0][0]))
    worst = max(slow, default=(0.0, ""))
    return {"n": len(slow), "share_of_time": sum(t for t, _ in slow) / sum(times), "fallback": fallback,
            "bucket_median": statistics.median(buckets) if buckets else 0, "bucket_max": max(buckets, default=0),
            "keys_median": statistics.median(buckets) if buckets else 0, "worst_ms": worst[0] * 1e3, "worst": worst[1]}


def lookup_child(layers_dir: Path, eval_dir: Path, count: int, seed: int) -> None:
    """Step 3 (runs in a child process); prints one JSON object."""
    from geo import gazetteer, geoparse
    from geo.geocoding.offline import OfflineGeocoder

    picked = sample_names(layers_dir, eval_dir, count, seed)
    texts = conflict_texts(eval_dir)
    path = gazetteer.index_path()
    out: dict[str, Any] = {"names": len(picked), "texts": len(texts)}

    def passes(call: Any) -> tuple[list[float], list[float]]:
        runs = []
        for _ in range(2):
            times = []
            for name, cc in picked:
                t = time.perf_counter()
                call(name, cc)
                times.append(time.perf_counter() - t)
            runs.append(times)
        return runs[0], runs[1]

    _evict(path)
    out["resident_pages_before_candidates"] = _resident_pages(path)
    gaz = gazetteer.load()
    cold, warm = passes(lambda name, cc: gaz.candidates(name))
    out["candidates"] = {"cold": _stats_us(cold), "warm": _stats_us(warm)}
    out["found"] = sum(1 for name, _ in picked if gaz.candidates(name))
    out["slow"] = slow_calls(gaz, picked, warm)
    gaz.close()

    _evict(path)
    out["resident_pages_before_locate"] = _resident_pages(path)
    gaz = gazetteer.load()
    geocoder = OfflineGeocoder(gaz)
    cold, warm = passes(lambda name, cc: geocoder.locate(name, cc or None))
    out["locate"] = {"cold": _stats_us(cold), "warm": _stats_us(warm)}

    times = []
    for text in texts:
        t = time.perf_counter()
        geoparse.parse(text, None, gaz)
        times.append(time.perf_counter() - t)
    out["parse_ms"] = {"median": statistics.median(times) * 1e3, "p95": _pct(times, 0.95) * 1e3,
                       "max": max(times) * 1e3, "total_s": sum(times)}
    out["vmhwm_mb"] = _status_kb(os.getpid()).get("VmHWM", 0) / 1024
    print(json.dumps(out))


# ----------------------------------------------------------------- step 4: the app's memory


def _status_kb(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/children", encoding="ascii") as f:
                    kids = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


@dataclass
class Sampler:
    """VmRSS and VmHWM of a process and its descendants, every ``interval`` seconds."""

    pid: int
    interval: float = 0.2
    samples: list[tuple[float, float]] = field(default_factory=list)  # (t, summed VmRSS MB)
    hwm_kb: dict[int, int] = field(default_factory=dict)
    marks: list[tuple[float, str]] = field(default_factory=list)
    children_seen: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.mark("start to healthy")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def mark(self, label: str) -> None:
        self.marks.append((time.monotonic(), label))

    def sample(self) -> float:
        total = 0
        kids = _descendants(self.pid)
        self.children_seen.update(kids)
        for p in [self.pid, *kids]:
            st = _status_kb(p)
            total += st.get("VmRSS", 0)
            if "VmHWM" in st:
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), st["VmHWM"])
        mb = total / 1024
        self.samples.append((time.monotonic(), mb))
        return mb

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def stop(self) -> float:
        if self._stop.is_set():
            return self.samples[-1][1]
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.sample()

    @property
    def peak_hwm_mb(self) -> float:
        """The server's own VmHWM, plus the VmHWM of any child (an upper bound of their sum)."""
        return sum(self.hwm_kb.values()) / 1024

    @property
    def peak_sampled_mb(self) -> float:
        return max(mb for _, mb in self.samples)

    def phases(self) -> list[tuple[str, float, float]]:
        """(phase, seconds, peak sampled RSS MB) between consecutive marks."""
        out = []
        ends = [*self.marks[1:], (float("inf"), "")]
        for (start, label), (end, _) in zip(self.marks, ends, strict=True):
            inside = [mb for t, mb in self.samples if start <= t < end]
            out.append((label, (end if end != float("inf") else self.samples[-1][0]) - start,
                        max(inside) if inside else float("nan")))
        return out


@dataclass
class AppRun:
    label: str
    healthy_s: float
    first_page_s: float
    article_s: float
    peak_hwm_mb: float
    peak_sampled_mb: float
    final_rss_mb: float
    children: int
    phases: list[tuple[str, float, float]]
    headline: str
    marks_found: str
    rebuilt: bool


def app_run(label: str, cache: Path, workdir: Path, codes: list[str]) -> AppRun:
    from browser_harness import StreamlitApp, launch_chromium
    from cdn_routes import CdnRouter
    from playwright.sync_api import sync_playwright

    class SampledApp(StreamlitApp):
        """Starts sampling the server as soon as it has a pid (before its health check)."""

        sampler: Sampler | None = None

        def wait_healthy(self, timeout: float) -> None:
            if self.sampler is None and self.proc is not None:
                self.sampler = Sampler(self.proc.pid)
                self.sampler.start()
            super().wait_healthy(timeout)

    db = workdir / f"incidents-{label}.sqlite3"
    before = {p.name: p.stat().st_mtime_ns for p in index_files(cache)}
    app = SampledApp(db, log_path=workdir / f"streamlit-{label}.log",
                     extra_env={"INCIDENT_MAP_CACHE": str(cache), "GAZETTEER_COUNTRIES": ",".join(codes)})
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        CdnRouter().install(page)
        t0 = time.monotonic()
        try:
            app.start(timeout=120)
            sampler = app.sampler
            assert sampler is not None
            healthy = time.monotonic() - t0
            sampler.mark("first page")
            t1 = time.monotonic()
            page.goto(app.url, wait_until="domcontentloaded")
            page.wait_for_selector(HEADLINE, timeout=PAGE_TIMEOUT_MS)
            first_page = time.monotonic() - t1
            headline = page.locator(HEADLINE).first.inner_text().strip()
            sampler.mark("article")
            t2 = time.monotonic()
            page.get_by_role("tab", name="Add from an article").click()
            page.get_by_label("…or paste its text").fill(ARTICLE)
            page.get_by_role("button", name="Find places and the event").click()
            page.wait_for_selector("mark", timeout=PAGE_TIMEOUT_MS)
            article = time.monotonic() - t2
            marks_found = "; ".join(page.locator("mark").evaluate_all(
                "ms => ms.map(m => `${m.firstChild.textContent} (${m.querySelector('sub').textContent}: ${m.title})`)"))
            for n in (1, 2):
                sampler.mark(f"reload {n}")
                page.reload(wait_until="domcontentloaded")
                page.wait_for_selector(HEADLINE, timeout=PAGE_TIMEOUT_MS)
            sampler.mark("idle 3 s")
            time.sleep(3)
            final = sampler.stop()
        finally:
            if app.sampler is not None:
                app.sampler.stop()
            browser.close()
            app.stop()
    after = {p.name: p.stat().st_mtime_ns for p in index_files(cache)}
    return AppRun(label, healthy, first_page, article, sampler.peak_hwm_mb, sampler.peak_sampled_mb, final,
                  len(sampler.children_seen), sampler.phases(), headline, marks_found, before != after)


# ----------------------------------------------------------------- report


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "geo", "app.py"],
                               capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in geo/ or app.py" if dirty else "")


def _machine() -> str:
    model = cpu_model() or "?"
    try:
        mem_kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                          if ln.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return (f"{os.cpu_count()} cores ({model}), {mem_kb / 2**20:.0f} GB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}")


def verdict_max(value: float, budget: float, unit: str) -> str:
    if value <= budget:
        return f"ok ({budget - value:.0f} {unit} to spare)" if unit == "MB" else "ok"
    return f"**over by {value - budget:.1f} {unit} ({(value / budget - 1) * 100:.0f}%)**"


def lookup_verdict(s: dict[str, float]) -> str:
    if s["median"] >= LOOKUP_BUDGET_US:
        return f"**over: median {s['median'] / 1000:.1f} ms**"
    if s["p95"] >= LOOKUP_BUDGET_US:
        return f"median ok; **p95 {s['p95'] / 1000:.1f} ms is over 1 ms**"
    if s["p99"] >= LOOKUP_BUDGET_US:
        return f"ok to p95; p99 {s['p99'] / 1000:.1f} ms"
    return "ok"


def _us(s: dict[str, float]) -> str:
    return f"median {s['median']:.0f} µs, p95 {s['p95']:.0f} µs, p99 {s['p99']:.0f} µs (first call {s['first']:.0f} µs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=Path, default=ROOT.parent / "shared" / "gazetteer",
                        help="folder of country layers in GeoNames dump layout")
    parser.add_argument("--eval", type=Path, default=Path(os.environ.get("CONFLICT_EVAL_DIR")
                                                          or ROOT.parent / "shared" / "eval" / "conflict"),
                        help="conflict-set folder (CSV files with location, country and text)")
    parser.add_argument("--samples", type=int, default=2000, help="names to look up")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--loads", type=int, default=5, help="fresh processes timing the index load")
    parser.add_argument("--no-app", action="store_true", help="skip step 4 (Streamlit and Chromium)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS-gazetteer-index.md")
    parser.add_argument("--child-lookup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_lookup:
        lookup_child(args.layers, args.eval, args.samples, args.seed)
        return

    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
    codes = sorted(p.name[:2] for p in args.layers.glob("??.txt.gz"))
    with tempfile.TemporaryDirectory(prefix="bench-gazetteer-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        cache.mkdir()
        env = child_env(cache, work / "incidents.sqlite3")
        log = work / "children.log"
        try:
            run_bench(args, rows, notes, codes, work, cache, env, log)
        except BaseException:
            print(f"children's stderr ({log}):\n{log.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            raise

    table = ["| step | value | budget | verdict |", "|---|---|---|---|",
             *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)]
    print("\n".join(table))
    print("\n".join(notes))
    header = [
        f"# Gazetteer index with {len(codes)} country layers: build, load, lookups, app memory",
        "",
        f"`python bench/gazetteer_index.py` (see its docstring for the method); {date.today().isoformat()}, "
        f"commit {_commit()}.",
        f"Machine: {_machine()}.",
        f"Layers: {len(codes)} from `{args.layers}` ({' '.join(codes)}).",
        "",
    ]
    args.out.write_text("\n".join([*header, *table, "", *notes, ""]), encoding="utf-8")
    print(f"\nwritten to {args.out}")


def run_bench(args: argparse.Namespace, rows: list[tuple[str, str, str, str]], notes: list[str], codes: list[str],
              work: Path, cache: Path, env: dict[str, str], log: Path) -> None:
    py = sys.executable
    mb = f"< {BUDGET_MB} MB"

    # 1. cold build: base, then every layer
    base = run_child([py, "-c", "from geo import gazetteer; gazetteer.load()"], env, log)
    rows.append(("1. cold build of the base (`gazetteer.load()`, empty cache)",
                 f"{base.wall_s:.1f} s, peak RSS {base.peak_mb:.0f} MB", mb, verdict_max(base.peak_mb, BUDGET_MB, "MB")))
    print(f"base build: {base.wall_s:.1f} s, {base.peak_mb:.0f} MB", file=sys.stderr)
    add = run_child([py, "-m", "geo", "gazetteer", "add", str(args.layers)], env, log)
    rows.append((f"1. `python -m geo gazetteer add` ({len(codes)} layers)",
                 f"{add.wall_s:.1f} s, peak RSS {add.peak_mb:.0f} MB", mb, verdict_max(add.peak_mb, BUDGET_MB, "MB")))
    print(f"layers add: {add.wall_s:.1f} s, {add.peak_mb:.0f} MB", file=sys.stderr)
    [index] = index_files(cache)
    size_mb = index.stat().st_size / 2**20

    # 2. load time in fresh processes; nothing rebuilt
    before = listing(cache)
    loads = [run_child([py, "-c", LOAD_SNIPPET], env, log) for _ in range(args.loads)]
    after = listing(cache)
    got = [json.loads(r.stdout) for r in loads]
    places = got[0]["places"]
    rows.append(("1. index on disk", f"{size_mb:.0f} MB, {places:,} places (`len(gazetteer.load())`)", "—", "—"))
    secs = [g["seconds"] for g in got]
    walls = [r.wall_s for r in loads]
    rows.append((f"2. load: `from geo import gazetteer; gazetteer.load()`, {args.loads} fresh processes",
                 f"median {statistics.median(secs):.2f} s, max {max(secs):.2f} s (whole process: median "
                 f"{statistics.median(walls):.2f} s; peak RSS {max(r.peak_mb for r in loads):.0f} MB)",
                 f"< {LOAD_BUDGET_S:.0f} s", verdict_max(max(secs), LOAD_BUDGET_S, "s")))
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    rows.append(("2. rebuilt on load?", "no: index mtime and cache listing unchanged" if not changed
                 else f"**yes: changed {', '.join(changed)}**", "nothing rebuilt", "ok" if not changed else "**fails**"))

    # 3. lookups
    lk = run_child([py, str(Path(__file__).resolve()), "--child-lookup", "--layers", str(args.layers), "--eval",
                    str(args.eval), "--samples", str(args.samples), "--seed", str(args.seed)], env, log)
    look = json.loads(lk.stdout.strip().splitlines()[-1])
    for what, key in (("`gaz.candidates(name)`", "candidates"), ("`OfflineGeocoder(gaz).locate(name, cc)`", "locate")):
        for phase, label in (("cold", "first pass, page cache evicted"), ("warm", "repeated")):
            s = look[key][phase]
            rows.append((f"3. {what}, {look['names']:,} names, {label}", _us(s), "well under 1 ms", lookup_verdict(s)))
    p = look["parse_ms"]
    rows.append((f"3. `geoparse.parse(text, None, gaz)`, {look['texts']:,} conflict texts",
                 f"median {p['median']:.1f} ms, p95 {p['p95']:.1f} ms, max {p['max']:.0f} ms (total {p['total_s']:.1f} s)",
                 "—", "—"))
    notes.append(f"- Step 3 names: {look['names']:,} (seed {args.seed}), half from the layer files' name column, half "
                 f"from the conflict CSVs' `location` column; {look['found']:,} have candidates. OS page cache pages of "
                 f"the index after eviction (fincore): {look['resident_pages_before_candidates']} before the candidates "
                 f"pass, {look['resident_pages_before_locate']} before the locate pass. Lookup process peak RSS "
                 f"{look['vmhwm_mb']:.0f} MB.")
    slow = look["slow"]
    if slow["n"]:
        notes.append(
            f"- Slow lookups: {slow['n']} of {look['names']:,} repeated `candidates` calls take over 1 ms "
            f"({slow['share_of_time'] * 100:.0f}% of that pass's time; slowest {slow['worst_ms']:.0f} ms for "
            f"\"{slow['worst']}\"). {slow['fallback']} of them have no exact or article-free key and fall back to "
            f"the consonant skeleton: `Gazetteer.indices` then compares the spellings filed under that skeleton "
            f"with `names.similar` (median {slow['bucket_median']:.0f}, max {slow['bucket_max']} spellings; a "
            f"skeleton with more than 400 is not tried). Results are memoised, so a repeated name is cheap.")

    if args.no_app:
        return
    # 4. the app: cold start (index rebuilt in the server), then warm
    for p in cache.iterdir():
        if p.name != "layers":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    runs = [app_run("cold", cache, work, codes), app_run("warm", cache, work, codes)]
    for run in runs:
        what = ("cold start (index and cache deleted, layers kept: rebuilt in the server)" if run.label == "cold"
                else "warm start (index present)")
        rows.append((f"4. app {what}: first page (headline)",
                     f"{run.first_page_s:.1f} s (server healthy after {run.healthy_s:.1f} s; article parse "
                     f"{run.article_s:.1f} s)", "—", "—"))
        rows.append((f"4. app {run.label}: peak VmHWM (server{' + children' if run.children else ''})",
                     f"{run.peak_hwm_mb:.0f} MB (highest 0.2 s sample of VmRSS: {run.peak_sampled_mb:.0f} MB)", mb,
                     verdict_max(run.peak_hwm_mb, BUDGET_MB, "MB")))
        rows.append((f"4. app {run.label}: final VmRSS (after 2 reloads + 3 s)", f"{run.final_rss_mb:.0f} MB", mb,
                     verdict_max(run.final_rss_mb, BUDGET_MB, "MB")))
        if run.label == "warm":
            rows.append(("4. app warm: index rebuilt on start?", "yes" if run.rebuilt else "no (index mtime unchanged)",
                         "nothing rebuilt", "**fails**" if run.rebuilt else "ok"))
        phases = "; ".join(f"{label} {secs:.1f} s, peak {peak:.0f} MB" for label, secs, peak in run.phases)
        notes.append(f"- App {run.label}: headline \"{run.headline}\"; highlighted: {run.marks_found}; "
                     f"child processes seen: {run.children}. Sampled VmRSS by phase: {phases}.")
    notes.append("- The app runs use a fresh store each (the first page also geocodes the bundled incidents) and "
                 f"`GAZETTEER_COUNTRIES={','.join(codes)}` (all installed: nothing is downloaded).")


if __name__ == "__main__":
    main()
