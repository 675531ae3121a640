"""The app at 1k, 10k, 100k and 1M stored incidents, side by side, against a minimal
folium FastMarkerCluster page on the same data (GitHub issue "scale", its Measure section).

    python bench/scale.py                                  # all sizes: 1k, 10k, 100k, 1m
    python bench/scale.py --sizes 1k,100k --changes 20
    python bench/scale.py --write bench/RESULTS-scale.md   # also the Markdown report
    python bench/scale.py --sizes 1m --profile /tmp/scale-1m.txt   # py-spy the server's filter changes
    python bench/scale.py --sizes 100k --postgres "$(scripts/pg_test_server.sh url /tmp/pg)"   # on PostgreSQL

Data: ACLED-shaped incidents from ``bench/scale_data.py`` (seeded), one SQLite store per
size built once by ``Store.upsert`` into ``--cache`` (default /tmp/scale-bench) and reused
while the generator's version and seed are the same (with ``--postgres``, one database per
size on that server, built the same way); its build time (rows/s), the build's
peak RSS and the file size are reported (from when it was built).

For each size a new ``streamlit run app.py`` starts headless on a free port with
``INCIDENTS_DB`` set to that store (``tests/browser/browser_harness.StreamlitApp``), and one
Debian Chromium page (1280×800) visits it:

- **cold start**: process start → the map drawn (``window.__imapLayer`` exists in the
  streamlit-folium iframe and is on the map) and the headline shown. Cold means a new
  server process: Streamlit's caches (options, totals, the columns, map plans) are empty
  and the ``columns`` folder of ``INCIDENT_MAP_CACHE`` is deleted first, so every row is
  read; the store's file is in the OS page cache (it was just built or read by an earlier
  run), and the gazetteer cache and base-map labels exist already. ``INCIDENT_MAP_CACHE``
  is ``<--cache>/app-cache`` unless set: the bench deletes a folder in it, which the user's
  own cache shares with running apps and tests.
- **restart**: after the filter changes that server stops and a new one starts on the same
  store and cache, the columns file the first one kept now present (issue 22: a restarted
  server should not read every row); process start → headline and → map drawn, timed as
  the cold start, by a new browser.
- **filter change**: ``--changes`` changes (default 50): choose a group in the sidebar's
  group box (a different group each time, most frequent first: Streamlit has not cached the
  answer for that filter yet), by clicking its option, then clear it (the unfiltered answer *is* cached from the
  first load: "clear" rows are warm for totals and map plan; the table query is never
  cached). From the click (choose) or key press (clear) to (a) the headline showing the count SQL gives for that
  filter, (b) a new map layer object on the map (its ``imapCount`` checked: every incident
  when ≤ 2,000 pass, else the cells' total, at most the headline's). Waits poll on
  animation frames.
- **server script time**: rerun request sent on Streamlit's websocket → ``script_finished``
  received (the first run a change caused; the map fragment may ask for a second run).
- **bytes per rerun**: websocket frames' payloads received from the key press until the
  websocket is quiet for 0.5 s, split into the map component's message and the rest.
  (Payload sizes; the socket may compress them on the wire.)
- **JS heap**: the page's V8 isolate (the page and the same-origin map iframe share it) after
  a forced garbage collection (``HeapProfiler.collectGarbage``), after the first change and
  after the last; DOM nodes and event listeners likewise (``Performance.getMetrics``).
- **server memory**: RSS of the server's process tree sampled every 0.5 s (peak, and after
  the changes); the machine's other work (cores busy that are not ours) before and during.

Baseline: every located incident of the store in ``folium.plugins.FastMarkerCluster`` on a
plain ``folium.Map`` (no tiles), written once per size to an HTML file and served from
127.0.0.1; Leaflet and Leaflet.markercluster come from ``static/vendor`` (the CDN URLs are
fulfilled from there by ``tests/browser/cdn_routes.CdnRouter``; Bootstrap/Font Awesome,
which folium lists but this page does not use, get empty answers). folium's default marker
callback needs Leaflet.awesome-markers (not vendored): the page's callback makes plain
``L.marker``s instead. Measured: page load → cluster icons painted, page bytes, JS heap
after GC.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "bench"))

from browser_harness import CHROMIUM, CHROMIUM_ARGS, ST_FOLIUM_IFRAME, StreamlitApp  # noqa: E402
from load import Sampler, machine_busy  # noqa: E402
from scale_data import GENERATOR, SEED  # noqa: E402

from geo import settings  # noqa: E402

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
RESULTS = ROOT / "bench" / "RESULTS-scale.md"
BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]
TARGET = {"redraw_s": 1.0, "ws_mb": 2.0, "rss_mb": 1024, "growth": 2.0}
CHANGE_TIMEOUT_S = 60.0
COLD_TIMEOUT_S = 300.0
BASELINE_TIMEOUT_S = 240.0
MARKER_LIMIT = 2000  # geo.map.plan.MARKER_LIMIT

HEADLINE_IS = ("(n) => { const m = document.body.innerText.match(/([\\d,]+) incidents?, [\\d,]+ groups?/); "
               "return !!m && +m[1].replace(/,/g, '') === n; }")
HEADLINE_ANY = "() => /[\\d,]+ incidents?, [\\d,]+ groups?/.test(document.body.innerText)"
LAYER_DRAWN = "() => { const l = window.__imapLayer; return !!l && !!l._map; }"
LAYER_NEW = "() => { const l = window.__imapLayer; return !!l && l !== window.__imapMark && !!l._map; }"


# ----------------------------------------------------------------------------- stores

def ensure_store(label: str, cache: Path, postgres: str | None = None) -> tuple[str, dict[str, Any]]:
    """The store for ``label`` (its location: a SQLite file in ``cache``, or with ``postgres``, a
    server's URL, the database ``scale_<label>`` on that server), built in a process of its own
    unless a store of this generator version and seed is there."""
    if postgres:
        location, meta_path = pg_database(postgres, f"scale_{label}"), cache / f"scale-{label}-pg.json"
    else:
        location, meta_path = str(cache / f"scale-{label}.sqlite3"), cache / f"scale-{label}.json"
    if meta_path.exists() and (postgres or Path(location).exists()):
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == GENERATOR and meta.get("seed") == SEED and meta.get("rows") == SIZES[label] \
                and stored(location) == SIZES[label]:
            meta["reused"] = True
            return location, meta
    cache.mkdir(parents=True, exist_ok=True)
    print(f"  building the {label} store…", flush=True)
    if postgres:
        fresh_database(postgres, f"scale_{label}")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "scale_data.py"), "--size", str(SIZES[label]),
                          "--out", location], cwd=ROOT, capture_output=True, text=True, check=True)
    meta = json.loads(out.stdout.strip().splitlines()[-1])
    meta_path.write_text(json.dumps(meta))
    meta["reused"] = False
    return location, meta


def pg_database(server: str, name: str) -> str:
    """``server``'s URL naming the database ``name`` instead."""
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


def fresh_database(server: str, name: str) -> None:
    """An empty database ``name`` on the PostgreSQL server of ``server`` (dropped first)."""
    from sqlalchemy import create_engine, text

    from geo.store.schema import database_url

    engine = create_engine(database_url(server), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def stored(location: str) -> int | None:
    """Incidents in the store at ``location``; None when it cannot be opened."""
    from geo.errors import IncidentMapError
    from geo.store.database import Store

    try:
        store = Store(location)
    except IncidentMapError:  # a database that is not there: it is built
        return None
    try:
        return store.count()
    finally:
        store.close()


@dataclass
class Truth:
    total: int
    located: int
    groups: dict[str, int]  # incidents per group over the whole date range


def truth(db: str) -> Truth:
    from geo.filters import Filters
    from geo.store import columns
    from geo.store.database import Store

    store = Store(db)
    try:
        kept = columns.load(store)
        opts = kept.options()
        found = kept.totals(kept.mask(Filters(opts.first, opts.last, (), (), ())))
        return Truth(found.incidents, found.incidents - found.unlocated, dict(opts.groups))
    finally:
        store.close()


# ----------------------------------------------------------------------------- the app

@dataclass
class Wire:
    """What crossed Streamlit's websocket: (time, direction, kind, bytes)."""

    frames: list[tuple[float, str, str, int]] = field(default_factory=list)

    def watch(self, ws: Any) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def sent(payload: Any) -> None:
            kind = "?"
            if isinstance(payload, bytes):
                with contextlib.suppress(Exception):
                    kind = BackMsg.FromString(payload).WhichOneof("type") or "?"
            self.frames.append((time.monotonic(), "sent", kind, len(payload)))

        def received(payload: Any) -> None:
            kind = "?"
            if isinstance(payload, bytes):
                with contextlib.suppress(Exception):
                    message = ForwardMsg.FromString(payload)
                    kind = message.WhichOneof("type") or "?"
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        kind = "element:" + (message.delta.new_element.WhichOneof("type") or "?")
            self.frames.append((time.monotonic(), "received", kind, len(payload)))

        ws.on("framesent", sent)
        ws.on("framereceived", received)

    def mark(self) -> int:
        return len(self.frames)

    def since(self, k: int) -> list[tuple[float, str, str, int]]:
        return self.frames[k:]


def wait_quiet(wire: Wire, quiet_s: float = 0.5, limit_s: float = 10.0) -> None:
    """Until no frame arrived for ``quiet_s`` (a second run the map may ask for included)."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        last = wire.frames[-1][0] if wire.frames else 0.0
        if time.monotonic() - last >= quiet_s:
            return
        time.sleep(0.05)


def heap(cdp: Any) -> dict[str, float]:
    """The page's JS heap (MB) after a forced GC, and its DOM nodes and listeners."""
    cdp.send("HeapProfiler.collectGarbage")
    usage = cdp.send("Runtime.getHeapUsage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"heap_mb": usage["usedSize"] / 2**20, "heap_total_mb": usage["totalSize"] / 2**20,
            "nodes": metrics.get("Nodes", 0), "listeners": metrics.get("JSEventListeners", 0)}


def map_frame(page: Any, timeout_s: float) -> Any:
    handle = page.wait_for_selector(ST_FOLIUM_IFRAME, state="attached", timeout=timeout_s * 1000)
    frame = handle.content_frame()
    if frame is None:
        raise RuntimeError("the map iframe has no frame")
    return frame


@dataclass
class Change:
    kind: str  # "choose" (a filter not asked for before) or "clear" (the unfiltered view, cached)
    group: str
    expected: int
    headline_s: float
    map_s: float
    server_s: float | None
    reruns: int
    bytes_in: int
    map_bytes: int
    count: int
    mode: str
    ok: bool


@dataclass
class AppRun:
    size: str
    healthy_s: float
    cold_headline_s: float
    cold_map_s: float
    cold_mode: str
    cold_ws_bytes: int
    cold_http_bytes: int
    changes: list[Change]
    heap_first: dict[str, float]
    heap_last: dict[str, float]
    iframe_nodes_first: int
    iframe_nodes_last: int
    rss_after_cold_mb: float
    rss_peak_mb: float
    rss_end_mb: float
    idle_before_cores: float
    server_cores: float
    other_cores: float
    errors: list[str]
    restart_healthy_s: float | None = None  # None: a report of a run before the restart was measured
    restart_headline_s: float | None = None
    restart_map_s: float | None = None
    restart_mode: str = ""
    # navigation (the page asked for, the server already healthy and the browser open) → map drawn:
    # issue 22's "cold navigation → map"; the "process start →" figures also hold the browser's launch
    cold_nav_map_s: float | None = None
    restart_nav_map_s: float | None = None


def first_view(page: Any, url: str, t_start: float) -> tuple[float, float, str, float]:
    """A first visit: seconds from ``t_start`` (the server's process start) to the headline and
    to the map drawn, the map's mode, and seconds from the navigation to the map drawn; the
    cold start and the restart are timed alike."""
    t_nav = time.monotonic()
    page.goto(url, wait_until="domcontentloaded", timeout=COLD_TIMEOUT_S * 1000)
    page.wait_for_function(HEADLINE_ANY, polling="raf", timeout=COLD_TIMEOUT_S * 1000)
    headline = time.monotonic() - t_start
    frame = map_frame(page, COLD_TIMEOUT_S)
    frame.wait_for_function(LAYER_DRAWN, polling="raf", timeout=COLD_TIMEOUT_S * 1000)
    drawn = time.monotonic()
    return headline, drawn - t_start, frame.evaluate("() => window.__imapLayer.imapMode"), drawn - t_nav


def run_restart(db: str, want: Truth, errors: list[str]) -> tuple[float, float, float, str, float]:
    """A new server on the store and cache the cold start's server used, after it stopped:
    healthy, headline and map drawn (s from process start), the map's mode, and navigation →
    map drawn."""
    from playwright.sync_api import sync_playwright

    if not any((settings.cache_dir() / "columns").glob("columns-*.npz")):
        errors.append("restart: the first server kept no columns file")
    with tempfile.TemporaryDirectory(prefix="scale-restart-") as tmp:
        app = StreamlitApp(Path(tmp) / "store", log_path=Path(tmp) / "streamlit.log", extra_env={"INCIDENTS_DB": db})
        t_start = time.monotonic()
        app.start(timeout=COLD_TIMEOUT_S)
        healthy = time.monotonic() - t_start
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.on("pageerror", lambda e: errors.append(f"restart: page error: {str(e)[:160]}"))
                headline, drawn, mode, navigated = first_view(page, app.url, t_start)
                page.wait_for_function(HEADLINE_IS, arg=want.total, timeout=10_000)
                browser.close()
        finally:
            app.stop()
    return healthy, headline, drawn, mode, navigated


def run_app(label: str, db: str, want: Truth, n_changes: int, profile: Path | None, py_spy: str | None) -> AppRun:
    from playwright.sync_api import sync_playwright

    groups = sorted(want.groups, key=lambda g: (-want.groups[g], g))
    errors: list[str] = []
    idle = machine_busy(2.0)
    shutil.rmtree(settings.cache_dir() / "columns", ignore_errors=True)  # a first start: every row read
    with tempfile.TemporaryDirectory(prefix="scale-app-") as tmp:
        app = StreamlitApp(Path(tmp) / "store", log_path=Path(tmp) / "streamlit.log", extra_env={"INCIDENTS_DB": db})
        t_start = time.monotonic()
        app.start(timeout=COLD_TIMEOUT_S)
        healthy = time.monotonic() - t_start
        assert app.proc is not None
        sampler = Sampler(app.proc.pid)
        sampler.start()
        spy: subprocess.Popen[bytes] | None = None
        wire = Wire()
        http_bytes = [0]
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                cdp.send("Network.enable")
                cdp.on("Network.loadingFinished", lambda e: http_bytes.__setitem__(0, http_bytes[0] + int(e["encodedDataLength"])))
                page.on("websocket", wire.watch)
                page.on("pageerror", lambda e: errors.append(f"page error: {str(e)[:160]}"))
                cold_headline, cold_map, cold_mode, cold_nav = first_view(page, app.url, t_start)
                page.wait_for_function(HEADLINE_IS, arg=want.total, timeout=10_000)
                wait_quiet(wire, 1.0, 30.0)
                cold_ws = sum(f[3] for f in wire.frames if f[1] == "received")
                cold_http = http_bytes[0]
                rss_after_cold = sampler.samples[-1][1] / 1024 if sampler.samples else 0.0
                sampler.window = (time.monotonic(), float("inf"))
                if profile is not None and py_spy:
                    spy = subprocess.Popen([py_spy, "record", "--pid", str(app.proc.pid), "--rate", "100", "--format", "raw",
                                            "--output", str(profile), "--nonblocking"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
                    time.sleep(1.0)
                box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)
                changes: list[Change] = []
                heap_first: dict[str, float] = {}
                nodes_first = 0
                for k in range(n_changes):
                    choose = k % 2 == 0
                    group = groups[(k // 2) % len(groups)] if choose else ""
                    expected = want.groups[group] if choose else want.total
                    frame = map_frame(page, CHANGE_TIMEOUT_S)
                    frame.evaluate("() => { window.__imapMark = window.__imapLayer; }")
                    print(f"    change {k + 1}/{n_changes}: {group or 'clear'}", flush=True)
                    box.click(timeout=30_000)
                    option = None
                    if choose:  # the option itself: typing "Hezbollah" also lists "Kataib Hezbollah"
                        box.fill(group, timeout=30_000)
                        option = page.get_by_role("option", name=f"{group} ({want.groups[group]:,})", exact=True)
                        option.wait_for(timeout=30_000)
                    start = wire.mark()
                    t0 = time.monotonic()
                    if option is not None:
                        option.click(timeout=30_000)
                    else:
                        page.keyboard.press("Backspace")
                    try:
                        page.wait_for_function(HEADLINE_IS, arg=expected, polling="raf", timeout=CHANGE_TIMEOUT_S * 1000)
                        t_head = time.monotonic() - t0
                        frame = map_frame(page, CHANGE_TIMEOUT_S)
                        frame.wait_for_function(LAYER_NEW, polling="raf", timeout=CHANGE_TIMEOUT_S * 1000)
                        t_map = time.monotonic() - t0
                    except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                        errors.append(f"change {k} ({group or 'clear'}): not redrawn ({type(error).__name__})")
                        page.keyboard.press("Escape")
                        continue
                    wait_quiet(wire)
                    layer = frame.evaluate("() => [window.__imapLayer.imapCount, window.__imapLayer.imapMode]")
                    count, mode = int(layer[0]), str(layer[1])
                    ok = (count == expected and mode == "points") if expected <= MARKER_LIMIT else count <= expected
                    if not ok:
                        errors.append(f"change {k}: layer {mode} {count} for {expected} incidents")
                    frames = wire.since(start)
                    sent = [f[0] for f in frames if f[1] == "sent" and f[2] == "rerun_script"]
                    done = [f[0] for f in frames if f[1] == "received" and f[2] == "script_finished" and sent and f[0] >= sent[0]]
                    received = [f for f in frames if f[1] == "received"]
                    changes.append(Change("choose" if choose else "clear", group, expected, t_head, t_map,
                                          (done[0] - sent[0]) if sent and done else None, len(sent),
                                          sum(f[3] for f in received),
                                          sum(f[3] for f in received if f[2] == "element:component_instance"),
                                          count, mode, ok))
                    page.keyboard.press("Escape")
                    if k == 0:
                        heap_first = heap(cdp)
                        nodes_first = frame.evaluate("() => document.getElementsByTagName('*').length")
                heap_last = heap(cdp)
                nodes_last = map_frame(page, 10).evaluate("() => document.getElementsByTagName('*').length")
                if page.locator('[data-testid="stException"]').count():
                    errors.append("an exception is shown in the page")
                browser.close()
        finally:
            if spy is not None:
                spy.send_signal(2)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    spy.wait(60)
            sampler.window = (sampler.window or (0.0, 0.0))[0], time.monotonic()
            sampler.stop()
            app.stop()
    usage = sampler.usage()
    print(f"  {label}: restart", flush=True)
    *restart, restart_nav = run_restart(db, want, errors)
    return AppRun(label, healthy, cold_headline, cold_map, cold_mode, cold_ws, cold_http, changes, heap_first, heap_last,
                  nodes_first, nodes_last, rss_after_cold, usage.peak_rss_mb, usage.end_rss_mb, idle,
                  usage.server_cores, usage.other_cores, errors, *restart,
                  cold_nav_map_s=cold_nav, restart_nav_map_s=restart_nav)


# ----------------------------------------------------------------------------- the baseline

@dataclass
class Baseline:
    size: str
    html_mb: float
    write_s: float
    paint_s: float | None  # None: no clusters within BASELINE_TIMEOUT_S
    page_mb: float
    heap_mb: float | None
    nodes: float | None
    clusters: int
    error: str = ""


def write_baseline(db: str, html: Path) -> float:
    """Every located incident in a FastMarkerCluster on a plain folium map; seconds taken."""
    import folium
    from folium.plugins import FastMarkerCluster
    from sqlalchemy import select

    from geo.store.database import Store
    from geo.store.schema import incidents as t

    t0 = time.monotonic()
    store = Store(db)
    try:
        with store.read() as conn:
            data = [[lat, lon] for lat, lon in conn.execute(
                select(t.c.latitude, t.c.longitude).where(t.c.latitude.is_not(None), t.c.longitude.is_not(None)))]
    finally:
        store.close()
    m = folium.Map(location=[33.5, 41.0], zoom_start=5, tiles=None, maxZoom=18)  # as the app's base map
    # folium's default callback gives each marker an L.AwesomeMarkers icon (a plugin not vendored, nor used by
    # the app): Leaflet's own marker icon instead.
    FastMarkerCluster(data, callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }").add_to(m)
    m.save(str(html))
    return time.monotonic() - t0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def run_baseline(label: str, db: str, cache: Path) -> Baseline:
    from cdn_routes import CdnRouter
    from playwright.sync_api import sync_playwright

    html = cache / f"baseline-{label}.html"
    stamp = cache / f"baseline-{label}.json"
    if html.exists() and stamp.exists() and json.loads(stamp.read_text()).get("generator") == GENERATOR + "/plain-marker-3":
        write_s = float(json.loads(stamp.read_text())["write_s"])
    else:
        write_s = write_baseline(db, html)
        stamp.write_text(json.dumps({"generator": GENERATOR + "/plain-marker-3", "write_s": write_s}))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(cache)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{html.name}"
    result = Baseline(label, html.stat().st_size / 2**20, write_s, None, 0.0, None, None, 0)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            router = CdnRouter()
            router.install(page)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            cdp.send("Network.enable")
            loaded = [0]
            cdp.on("Network.loadingFinished", lambda e: loaded.__setitem__(0, loaded[0] + int(e["encodedDataLength"])))
            page.add_init_script("window.addEventListener('error', (e) => { window.__err = String(e.message); });")
            t0 = time.monotonic()
            try:
                page.goto(url, wait_until="commit", timeout=BASELINE_TIMEOUT_S * 1000)
                page.wait_for_function("() => window.__err || document.querySelectorAll('.marker-cluster').length > 0",
                                       polling="raf", timeout=BASELINE_TIMEOUT_S * 1000)
                if page.evaluate("() => window.__err || ''"):
                    raise RuntimeError(page.evaluate("() => window.__err"))
                result.paint_s = time.monotonic() - t0
                result.clusters = page.evaluate("() => document.querySelectorAll('.marker-cluster').length")
                time.sleep(0.5)
                h = heap(cdp)
                result.heap_mb, result.nodes = h["heap_mb"], h["nodes"]
            except Exception as error:  # noqa: BLE001 - reported
                result.error = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
            # the page's own bytes (HTML) and what the router served from files (not seen by the network domain)
            served = sum(Path(s.path).stat().st_size for s in router.served if s.path)
            result.page_mb = (max(loaded[0], html.stat().st_size) + served) / 2**20
            browser.close()
    finally:
        server.shutdown()
    return result


# ----------------------------------------------------------------------------- report

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _f(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}×"


@dataclass
class SizeResult:
    size: str
    rows: int
    build: dict[str, Any]
    app: AppRun
    baseline: Baseline | None


def summarise(r: SizeResult) -> dict[str, Any]:
    a = r.app
    choose = [c for c in a.changes if c.kind == "choose"]
    clear = [c for c in a.changes if c.kind == "clear"]
    return {
        "choose_map_p50": pct([c.map_s for c in choose], 0.5), "choose_map_max": max((c.map_s for c in choose), default=None),
        "choose_head_p50": pct([c.headline_s for c in choose], 0.5),
        "clear_map_p50": pct([c.map_s for c in clear], 0.5), "clear_map_max": max((c.map_s for c in clear), default=None),
        "server_choose_p50": pct([c.server_s for c in choose if c.server_s is not None], 0.5),
        "server_clear_p50": pct([c.server_s for c in clear if c.server_s is not None], 0.5),
        "all_map_p50": pct([c.map_s for c in a.changes], 0.5), "all_map_p95": pct([c.map_s for c in a.changes], 0.95),
        "reruns": statistics.mean(c.reruns for c in a.changes) if a.changes else None,
        "ws_mb_p50": (pct([c.bytes_in for c in a.changes], 0.5) or 0) / 2**20,
        "ws_mb_max": max((c.bytes_in for c in a.changes), default=0) / 2**20,
        "map_mb_max": max((c.map_bytes for c in a.changes), default=0) / 2**20,
        "modes": sorted({c.mode for c in a.changes}),
    }


def table(results: list[SizeResult]) -> str:
    head = "| | " + " | ".join(r.size for r in results) + " |"
    rule = "|---|" + "---|" * len(results)
    rows: list[tuple[str, list[str]]] = []
    s = [summarise(r) for r in results]

    def row(name: str, cells: list[str]) -> None:
        rows.append((name, cells))

    row("incidents stored", [f"{r.rows:,}" for r in results])
    row("store file MB", [_f(r.build["file_mb"], 1) for r in results])
    row("store build (upsert) rows/s · s · peak RSS MB",
        [f"{r.build['rows_per_s']:,.0f} · {r.build['seconds']:.0f} · {r.build['peak_rss_mb']:.0f}" for r in results])
    row("cold start: server healthy s", [_f(r.app.healthy_s) for r in results])
    row("cold start: process start → headline s", [_f(r.app.cold_headline_s) for r in results])
    row("**cold start: process start → map drawn s** (mode)", [f"**{_f(r.app.cold_map_s)}** ({r.app.cold_mode})" for r in results])
    row("restart (columns kept on disk): server healthy s", [_f(r.app.restart_healthy_s) for r in results])
    row("restart (columns kept on disk): process start → headline s", [_f(r.app.restart_headline_s) for r in results])
    row("**restart (columns kept on disk): process start → map drawn s** (mode)",
        [f"**{_f(r.app.restart_map_s)}** ({r.app.restart_mode or '—'})" for r in results])
    row("**navigation (server healthy, browser open) → map drawn s**: cold / restart",
        [f"**{_f(r.app.cold_nav_map_s)}** / **{_f(r.app.restart_nav_map_s)}**" for r in results])
    row("first load bytes MB: websocket + HTTP", [f"{r.app.cold_ws_bytes / 2**20:.2f} + {r.app.cold_http_bytes / 2**20:.2f}"
                                                  for r in results])
    row("filter change (choose a group, cold cache) → map redrawn p50 / max s",
        [f"**{_f(x['choose_map_p50'])}** / {_f(x['choose_map_max'])}" for x in s])
    row("… → headline p50 s", [_f(x["choose_head_p50"]) for x in s])
    row("filter cleared (cached plan) → map redrawn p50 / max s",
        [f"{_f(x['clear_map_p50'])} / {_f(x['clear_map_max'])}" for x in s])
    row("all changes → map redrawn p95 s", [_f(x["all_map_p95"]) for x in s])
    row("server script run p50 s: choose / clear", [f"{_f(x['server_choose_p50'])} / {_f(x['server_clear_p50'])}" for x in s])
    row("script runs per change", [_f(x["reruns"]) for x in s])
    row("websocket MB received per change p50 / max (map message max)",
        [f"{x['ws_mb_p50']:.2f} / **{x['ws_mb_max']:.2f}** ({x['map_mb_max']:.2f})" for x in s])
    row("map modes drawn", [", ".join(x["modes"]) for x in s])
    row("JS heap MB after change 1 → last (page + map iframe, after GC)",
        [f"{_f(r.app.heap_first.get('heap_mb'), 1)} → **{_f(r.app.heap_last.get('heap_mb'), 1)}**" for r in results])
    row("DOM nodes after change 1 → last (page; map iframe)",
        [f"{r.app.heap_first.get('nodes', 0):.0f} → {r.app.heap_last.get('nodes', 0):.0f}; "
         f"{r.app.iframe_nodes_first} → {r.app.iframe_nodes_last}" for r in results])
    row("server RSS MB: after cold start / **peak** / end",
        [f"{r.app.rss_after_cold_mb:.0f} / **{r.app.rss_peak_mb:.0f}** / {r.app.rss_end_mb:.0f}" for r in results])
    row("errors", [str(len(r.app.errors)) for r in results])
    row("machine: other work, cores busy before / during (of 2)",
        [f"{r.app.idle_before_cores:.2f} / {r.app.other_cores:.2f}" for r in results])
    if any(r.baseline for r in results):
        b = [r.baseline for r in results]
        row("baseline FastMarkerCluster: HTML MB", [_f(x.html_mb, 1) if x else "—" for x in b])
        row("baseline: load → clusters painted s",
            [(_f(x.paint_s) if x.paint_s is not None else f"not within {BASELINE_TIMEOUT_S:.0f} s") if x else "—" for x in b])
        row("baseline: JS heap MB after GC", [_f(x.heap_mb, 1) if x else "—" for x in b])
        row("ratio app/baseline: cold start (map drawn) vs page painted",
            [_ratio(r.app.cold_map_s, r.baseline.paint_s) if r.baseline else "—" for r in results])
        row("ratio app/baseline: filter change (choose) vs page painted",
            [_ratio(x["choose_map_p50"], r.baseline.paint_s) if r.baseline else "—" for x, r in zip(s, results, strict=True)])
        row("ratio app/baseline: first-load bytes",
            [_ratio((r.app.cold_ws_bytes + r.app.cold_http_bytes) / 2**20, r.baseline.page_mb) if r.baseline else "—"
             for r in results])
        row("ratio app/baseline: JS heap",
            [_ratio(r.app.heap_last.get("heap_mb"), r.baseline.heap_mb) if r.baseline else "—" for r in results])
    return "\n".join([head, rule] + [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows])


def verdicts(results: list[SizeResult]) -> list[str]:
    by = {r.size: r for r in results}
    out = []
    big = by.get("1m")
    if big is None:
        return ["Targets are for 1M incidents stored: not measured in this run."]
    s = summarise(big)
    redraw = s["all_map_p95"]
    out.append(f"- filter change redrawn end to end in under {TARGET['redraw_s']:g} s at 1M: "
               f"{'**met**' if redraw is not None and redraw < TARGET['redraw_s'] else '**missed**'} "
               f"(p95 {_f(redraw)} s over {len(big.app.changes)} changes; choose p50 {_f(s['choose_map_p50'])} s, "
               f"clear p50 {_f(s['clear_map_p50'])} s)")
    out.append(f"- at most {TARGET['ws_mb']:g} MB over the websocket per rerun at 1M: "
               f"{'**met**' if s['ws_mb_max'] <= TARGET['ws_mb'] else '**missed**'} (max {s['ws_mb_max']:.2f} MB per change)")
    out.append(f"- server memory under 1 GB at 1M: {'**met**' if big.app.rss_peak_mb < TARGET['rss_mb'] else '**missed**'} "
               f"(peak {big.app.rss_peak_mb:.0f} MB)")
    h0, h1 = big.app.heap_first.get("heap_mb"), big.app.heap_last.get("heap_mb")
    if h0 and h1:
        flat = h1 <= h0 * 1.2 + 2
        out.append(f"- browser heap flat over {len(big.app.changes)} changes at 1M: {'**met**' if flat else '**missed**'} "
                   f"({h0:.1f} → {h1:.1f} MB after GC; modes drawn: {', '.join(s['modes'])})")
    mid = by.get("100k")
    if mid is not None:
        m = summarise(mid)
        parts = []
        for what, a, b in (("filter change p50", m["choose_map_p50"], s["choose_map_p50"]),
                           ("all changes p95", m["all_map_p95"], s["all_map_p95"]),
                           ("cold start", mid.app.cold_map_s, big.app.cold_map_s)):
            if a and b:
                parts.append(f"{what} {a:.2f} → {b:.2f} s, {b / a:.2f}× "
                             f"({'met' if b / a <= TARGET['growth'] else 'missed'})")
        out.append(f"- 100k → 1M at most {TARGET['growth']:g}× the time: " + "; ".join(parts))
    grown = [f"{r.size} {r.app.heap_first.get('heap_mb', 0):.0f} → {r.app.heap_last.get('heap_mb', 0):.0f} MB"
             for r in results if r.app.heap_first]
    out.append("- JS heap after GC, change 1 → last, every size: " + ", ".join(grown))
    return out


def environment() -> str:
    from importlib.metadata import version

    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {commit}{' (+ uncommitted changes)' if dirty else ''}; "
            f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, "
            f"{platform.machine()}, Python {platform.python_version()}, streamlit {version('streamlit')}, "
            f"streamlit-folium {version('streamlit-folium')}, folium {version('folium')}, {chromium}; "
            f"load average at the end {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f}")


def summarise_profile(path: Path) -> list[tuple[str, float]]:
    """Shares of the server's samples (py-spy raw) by the app's own phase."""
    marks = [("load_plan → map.plan.plan (map index mask, cells, points query)", "geo/map/plan.py"),
             ("load_columns (reading the columns)", "geo/store/columns.py"),
             ("map layer and base map (geo.map.layer, basemap: packing, folium)", "geo/map/"),
             ("st_folium (folium render to HTML, component message)", "st_folium ("),
             ("load_totals (columns)", "load_totals ("),
             ("load_options (columns)", "load_options ("),
             ("table: queries.newest + DataFrame + st.dataframe", "table_panel ("),
             ("export buttons", "geo/ui/export.py"),
             ("rest of app.py", "app.py"),
             ("Streamlit runner (widgets, session, caches' hashing)", "script_runner"),
             ("server (asyncio, websocket)", "asyncio")]
    phases: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n_text = line.rpartition(" ")
        if not n_text.isdigit():
            continue
        frames = stack.split(";")
        if any(f.startswith(("select ", "epoll", "poll ", "wait ")) or "(threading.py)" in frames[-1] for f in frames[-1:]):
            continue  # idle
        n = int(n_text)
        total += n
        phase = next((what for what, mark in marks if any(mark in f for f in frames)), "other")
        phases[phase] = phases.get(phase, 0) + n
    return [(what, n / max(total, 1)) for what, n in sorted(phases.items(), key=lambda kv: -kv[1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k,1m", help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--changes", type=int, default=50, help="filter changes per size (choose, clear, …)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/scale-bench"), help="stores and baseline pages")
    parser.add_argument("--no-baseline", action="store_true", help="skip the FastMarkerCluster page")
    parser.add_argument("--postgres", metavar="URL",
                        help="stores on this PostgreSQL server (databases scale_<size>, replaced when stale), "
                             "e.g. the URL scripts/pg_test_server.sh prints")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="py-spy (raw) the server during the filter changes of the last size")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "/tmp/pyspy/bin/py-spy")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--from-json", type=Path, metavar="FILE", help="no measuring: the report of an earlier --json")
    parser.add_argument("--write", type=Path, metavar="FILE", help=f"write the Markdown report (e.g. {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    os.environ.setdefault("INCIDENT_MAP_CACHE", str(args.cache / "app-cache"))  # the servers' too (see the docstring)
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    if unknown := [s for s in labels if s not in SIZES]:
        parser.error(f"unknown sizes {unknown}; known: {', '.join(SIZES)}")
    results = []
    if args.from_json:
        labels = []
        for raw in json.loads(args.from_json.read_text()):
            app = AppRun(**{**raw["app"], "changes": [Change(**c) for c in raw["app"]["changes"]]})
            base = Baseline(**raw["baseline"]) if raw["baseline"] else None
            results.append(SizeResult(raw["size"], raw["rows"], raw["build"], app, base))
            labels.append(raw["size"])
    else:
        from geo import gazetteer
        from geo.ui import state

        gazetteer.load().close()  # the gazetteer cache and base-map labels exist before any server starts
        state.load_labels()  # (not part of the cold start)
        print(environment(), flush=True)
    for label in ([] if args.from_json else labels):
        print(f"{label}: store", flush=True)
        db, build = ensure_store(label, args.cache, args.postgres)
        want = truth(db)
        print(f"{label}: app ({want.total:,} incidents, {len(want.groups)} groups)", flush=True)
        profile = args.profile if args.profile and label == labels[-1] else None
        app = run_app(label, db, want, args.changes, profile, args.py_spy)
        base = None
        if not args.no_baseline:
            print(f"{label}: baseline", flush=True)
            base = run_baseline(label, db, args.cache)
        results.append(SizeResult(f"{label} PostgreSQL" if args.postgres else label, want.total, build, app, base))
        print(table(results[-1:]), flush=True)
        for e in app.errors:
            print("  error:", e)
    text = [table(results), "", *verdicts(results)]
    if args.profile and args.profile.exists():
        text += ["", f"Server profile during the {labels[-1]} filter changes (py-spy, busy samples only):", "",
                 "| where | share |", "|---|---|"]
        text += [f"| {what} | {share:.0%} |" for what, share in summarise_profile(args.profile)]
    errors = [f"- {r.size}: {e}" for r in results for e in r.app.errors]
    if errors:
        text += ["", "Errors:", *errors]
    report = "\n".join(text)
    print(report)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1, default=str))
    if args.write:
        args.write.write_text(
            f"# Scale: 1k to 1M incidents stored\n\n`python bench/scale.py --sizes {args.sizes} --changes {args.changes}`"
            f"{' --postgres URL' if args.postgres else ''}\n\n{environment()}\n\n{report}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
