"""Many visitors at once: N headless Chromium sessions on one app server, each changing a
filter every few seconds.

    python bench/load.py                              # the sweep: 5, 10, 20, 40 sessions, 60 s each
    python bench/load.py --sessions 5,10 --seconds 30
    python bench/load.py --sessions 20 --profile      # py-spy samples the server (pip install py-spy)
    python bench/load.py --clients replay             # the server alone: no browsers on the machine
    python bench/load.py --write /tmp/load.md         # also write the report as Markdown

For each session count a new ``streamlit run app.py`` starts headless on a free port, with a
temporary store (created from ``data/`` by a warm-up visit, as on a running deploy) and the
gazetteer cache of ``INCIDENT_MAP_CACHE``. One Debian Chromium (/usr/bin/chromium, never a
downloaded one) opens N isolated contexts, each a Streamlit session of its own:

- **first load**: from ``page.goto`` to the map drawing every incident marker;
- **filter change**: every 3 s (±1 s) a session picks a group in the sidebar, or clears it
  again. Two times are taken from the key press that changes the filter:
  - *headline*: the page shows the new "N incidents, …" headline (the server reran the script
    and the page rendered it);
  - *map redrawn*: the map's incident layer holds exactly the markers of the new filter
    (counted in the streamlit-folium iframe as the browser tests do, ``LAYER_MARKERS``);
- **errors**: a change not redrawn within 30 s, a page error, a failed request, a Streamlit
  exception box or a lost connection;
- **server script run**: from the rerun request leaving on Streamlit's websocket to the
  server's ``script_finished`` message arriving (the server's share of a change);
- **server**: resident memory (RSS of the streamlit process and its children; peak) and CPU,
  sampled from /proc every 0.5 s; the machine's own load (other work on it) is measured
  before each run and during it, split into server, browser (this script and Chromium) and
  the rest.

With ``--clients replay`` no browser runs during the measurement: one Chromium page first
goes through every group (chosen, then cleared) and its rerun requests are recorded (each
holds every widget's state); then N websocket sessions send them to the server in turn, and
the time is the server's alone (request sent to ``script_finished``, the headline's count
checked). On a machine that also runs the N browsers, their rendering competes with the
server for the same cores; replay shows what the server does when visitors bring their own.

The target (issue 9): 20 sessions with p95 under 2 s and no errors, server memory under 1 GB.

Attacks (issue 20; replay clients only):

    python bench/load.py --attack none,clear_cache,search --store /tmp/scale-200k.sqlite3

    # N bystanders (--sessions, default 5) replay the recorded changes as above while K attackers
    # (--attackers, default 5), raw websocket sessions of their own, send:
    #   clear_cache  Streamlit's clear_cache BackMsg every second (--attack-every): it empties
    #                st.cache_data and st.cache_resource for the whole server;
    #   search       a rerun request whose search box (f_search) holds a new random word (the
    #                recorded request's widget states, that one changed) every 0.5 s, or as soon
    #                as the previous one's script run has ended if that takes longer.

Each case is one level with a server of its own (``none``: the same bystanders, no attackers).
The bystanders' script runs give p50/p95, the server's CPU is sampled as above, and each
attacker's answers are sorted per script run: a run whose sidebar warns "Too many new
searches", "busy" or "stopped after" was refused (the per-client limit, both search slots
taken, the deadline), one that drew the headline without such a warning applied the search,
one stopped by the attacker's next request before either counts as superseded. Attackers
connect with ``X-Forwarded-For: --attacker-ip`` (default 198.51.100.7; uvicorn trusts the
header from 127.0.0.1), so the server keys them by one address as it would one visitor's;
``--attacker-ip ''`` leaves it out, and on 127.0.0.1 the app then keys each session apart
(``st.context.ip_address`` is None on localhost). ``--store FILE`` serves a copy of an existing
store (e.g. ``bench/scale_data.py --size 200000``) instead of one created from ``data/``;
``--record-groups N`` records only the N largest groups' changes; ``--search-index`` builds each
served copy's search index first (the copy is a new store to the app, so the index a search would
start is otherwise built during the measured minute).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_harness import CHROMIUM, CHROMIUM_ARGS, LAYER_MARKERS, ST_FOLIUM_IFRAME, StreamlitApp  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS-load.md"
REDRAW_TIMEOUT_S = 30.0
FIRST_LOAD_TIMEOUT_S = 180.0
TICK = os.sysconf("SC_CLK_TCK")
# every page is a visitor's foreground tab: no throttling of background pages' timers
BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]
TARGET = {"sessions": 20, "p95_s": 2.0, "rss_mb": 1024}


# ----------------------------------------------------------------------------- /proc sampling

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree(root: int, kids: dict[int, list[int]]) -> list[int]:
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _machine() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def machine_busy(seconds: float) -> float:
    """Cores' worth of CPU the machine is busy with, averaged over ``seconds``."""
    busy0, total0 = _machine()
    time.sleep(seconds)
    busy1, total1 = _machine()
    cores = os.cpu_count() or 1
    return cores * (busy1 - busy0) / max(total1 - total0, 1)


@dataclass
class Usage:
    peak_rss_mb: float = 0.0
    end_rss_mb: float = 0.0
    server_cores: float = 0.0  # CPU cores' worth, averaged over the window
    server_peak_cores: float = 0.0  # the busiest 2 s
    browser_cores: float = 0.0  # this script, Playwright's driver and Chromium
    chromium_cores: float = 0.0  # Chromium's processes alone
    other_cores: float = 0.0  # everything else on the machine (other people's work)
    machine_cores: float = 0.0


class Sampler(threading.Thread):
    """RSS and CPU of the server's process tree, of this script's tree (Playwright and
    Chromium) and of the machine, every ``every`` seconds."""

    def __init__(self, server_pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.every = every
        # t, rss kB, server ticks, client ticks, machine busy, machine total, Chromium ticks
        self.samples: list[tuple[float, int, int, int, int, int, int]] = []
        self._stop_event = threading.Event()
        self._server_ticks: dict[int, int] = {}
        self._client_ticks: dict[int, int] = {}
        self._chromium: set[int] = set()
        self.window: tuple[float, float] | None = None

    def sample(self) -> None:
        kids = _children()
        server = _tree(self.server_pid, kids)
        for pid in server:  # kept per process, so one that exits keeps counting what it used
            self._server_ticks[pid] = max(self._server_ticks.get(pid, 0), _cpu_ticks(pid))
        for pid in _tree(os.getpid(), kids):
            if pid not in self._server_ticks:
                if pid not in self._client_ticks and _comm(pid) == "chromium":
                    self._chromium.add(pid)
                self._client_ticks[pid] = max(self._client_ticks.get(pid, 0), _cpu_ticks(pid))
        busy, total = _machine()
        self.samples.append((time.monotonic(), sum(_rss_kb(p) for p in server), sum(self._server_ticks.values()),
                             sum(self._client_ticks.values()), busy, total,
                             sum(t for p, t in self._client_ticks.items() if p in self._chromium)))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()

    def usage(self) -> Usage:
        cores = os.cpu_count() or 1
        start, end = self.window or (self.samples[0][0], self.samples[-1][0])
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples
        first, last = inside[0], inside[-1]
        wall = max(last[0] - first[0], 1e-6)
        machine = cores * (last[4] - first[4]) / max(last[5] - first[5], 1)
        server = (last[2] - first[2]) / TICK / wall
        browser = (last[3] - first[3]) / TICK / wall
        peak = 0.0
        for a, b in zip(inside, inside[4:]):  # 2 s windows
            peak = max(peak, (b[2] - a[2]) / TICK / max(b[0] - a[0], 1e-6))
        return Usage(max(s[1] for s in self.samples) / 1024, self.samples[-1][1] / 1024, server, peak, browser,
                     (last[6] - first[6]) / TICK / wall, max(machine - server - browser, 0.0), machine)


# ----------------------------------------------------------------------------- the sessions

@dataclass
class SessionLog:
    first_load_s: float | None = None
    headline_s: list[float] = field(default_factory=list)
    redraw_s: list[float] = field(default_factory=list)
    server_s: list[float] = field(default_factory=list)  # rerun request sent -> script_finished received
    reruns: list[int] = field(default_factory=list)  # script runs one change caused
    errors: list[str] = field(default_factory=list)
    wire: list[tuple[float, str]] = field(default_factory=list)  # (time, "rerun" | "finished")

    def watch(self, ws: Any) -> None:
        """Note the rerun requests and script_finished messages on Streamlit's websocket."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def kind(payload: Any, message: Any) -> str | None:
            if not isinstance(payload, bytes):
                return None
            try:
                return message.FromString(payload).WhichOneof("type")
            except Exception:  # noqa: BLE001 - not a Streamlit message
                return None

        ws.on("framesent", lambda p: self.wire.append((time.monotonic(), "rerun"))
              if kind(p, BackMsg) == "rerun_script" else None)
        ws.on("framereceived", lambda p: self.wire.append((time.monotonic(), "finished"))
              if kind(p, ForwardMsg) == "script_finished" else None)

    def server_time(self, t0: float, t1: float) -> None:
        """The server's share of a change made at ``t0`` and redrawn at ``t1``."""
        sent = [t for t, what in self.wire if what == "rerun" and t0 <= t <= t1]
        done = [t for t, what in self.wire if what == "finished" and sent and t >= sent[0]]
        if sent and done:
            self.server_s.append(done[0] - sent[0])
        self.reruns.append(len(sent))


@dataclass
class Plan:
    url: str
    total: int  # markers with no filter
    groups: dict[str, int]  # markers per group
    interval: float
    go: asyncio.Event = field(default_factory=asyncio.Event)  # every session has loaded
    deadline: float = math.inf


def expected_markers(db: Path) -> tuple[int, dict[str, int]]:
    """Located incidents in the store: all of them, and per group's filter (its family)."""
    from geo.store.database import Store
    from geo.store.groups import hierarchy_of
    from geo.store.queries import stream

    store = Store(str(db))
    try:
        located = [i for i in stream(store) if i.located]
        # a parent group's filter takes in its fronts and members (the bundled group links)
        return len(located), hierarchy_of(store).with_parents(Counter(i.group for i in located))
    finally:
        store.close()


HEADLINE_MD = re.compile(r"\*\*([\d,]+) incidents?,")  # the headline in the markdown element's body
MARKERS_ARE = "(n) => { try { return (" + LAYER_MARKERS + ")() === n; } catch (e) { return false; } }"
HEADLINE_IS = ("(n) => { const m = document.body.innerText.match(/([\\d,]+) incidents?, [\\d,]+ groups?/); "
               "return !!m && +m[1].replace(/,/g, '') === n; }")


async def wait_markers(page: Any, expected: int, timeout_s: float) -> None:
    """The map's incident layer holds ``expected`` markers (the iframe is looked up each
    time, in case it was remounted)."""
    handle = await page.wait_for_selector(ST_FOLIUM_IFRAME, state="attached", timeout=max(timeout_s, 0.1) * 1000)
    frame = await handle.content_frame()
    if frame is None:
        raise RuntimeError("the map iframe has no frame")
    await frame.wait_for_function(MARKERS_ARE, arg=expected, polling=50, timeout=max(timeout_s, 0.1) * 1000)


async def session(k: int, browser: Any, plan: Plan, log: SessionLog, loaded: asyncio.Event) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    page.on("pageerror", lambda e: log.errors.append(f"page error: {str(e)[:120]}"))
    page.on("websocket", log.watch)
    page.on("requestfailed", lambda r: log.errors.append(f"request failed: {r.url[:80]} ({r.failure})"))
    rng = random.Random(k)
    names = sorted(plan.groups, key=lambda g: (-plan.groups[g], g))
    names = names[k % len(names):] + names[:k % len(names)]  # sessions start on different groups
    try:
        await asyncio.sleep(k * 0.2)  # visitors arrive over a few seconds, not in one instant
        t0 = time.monotonic()
        await page.goto(plan.url, wait_until="domcontentloaded", timeout=FIRST_LOAD_TIMEOUT_S * 1000)
        await wait_markers(page, plan.total, FIRST_LOAD_TIMEOUT_S - (time.monotonic() - t0))
        log.first_load_s = time.monotonic() - t0
    except Exception as error:  # noqa: BLE001 - counted; the other sessions go on
        log.errors.append(f"first load failed: {type(error).__name__}: {str(error)[:160]}")
        await context.close()
        return
    finally:
        loaded.set()
    box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)  # the group filter
    chosen: str | None = None
    turn = 0
    try:
        await plan.go.wait()
        await asyncio.sleep(rng.uniform(0, plan.interval))
        while time.monotonic() < plan.deadline:
            began = time.monotonic()
            await box.click()
            if chosen is None:
                chosen = names[turn % len(names)]
                turn += 1
                await box.fill(chosen)
                expected = plan.groups[chosen]
                option = page.get_by_role("option", name=re.compile(rf"^{re.escape(chosen)} \([\d,]+\)$"))
                await option.wait_for()  # its own option, not "Select N matches" (see record)
                t0 = time.monotonic()
                await option.click()
            else:
                chosen = None
                expected = plan.total
                t0 = time.monotonic()
                await page.keyboard.press("Backspace")  # removes the chosen group
            try:
                await page.wait_for_function(HEADLINE_IS, arg=expected, polling=50, timeout=REDRAW_TIMEOUT_S * 1000)
                log.headline_s.append(time.monotonic() - t0)
                await wait_markers(page, expected, REDRAW_TIMEOUT_S - (time.monotonic() - t0))
                log.redraw_s.append(time.monotonic() - t0)
                await asyncio.sleep(0.3)  # a rerun the map component might ask for after drawing
                log.server_time(t0, time.monotonic())
            except Exception as error:  # noqa: BLE001 - the error being counted
                log.errors.append(f"not redrawn within {REDRAW_TIMEOUT_S:.0f} s ({type(error).__name__})")
                await page.goto(plan.url, wait_until="domcontentloaded")
                chosen = None
                await wait_markers(page, plan.total, FIRST_LOAD_TIMEOUT_S)
            await page.keyboard.press("Escape")  # close the drop-down, as a person would
            if await page.locator('[data-testid="stException"]').count():
                log.errors.append("an exception is shown in the page")
            if await page.get_by_text("Connection error").count():
                log.errors.append("the page lost its connection")
            await asyncio.sleep(max(0.0, plan.interval + rng.uniform(-1, 1) - (time.monotonic() - began)))
    except Exception as error:  # noqa: BLE001 - counted; the other sessions go on
        log.errors.append(f"session failed: {type(error).__name__}: {str(error)[:160]}")
    finally:
        await context.close()


@dataclass
class Attack:
    kind: str  # "clear_cache" or "search"
    attackers: int
    every: float  # seconds between one attacker's messages
    address: str  # sent as X-Forwarded-For ("": none)
    logs: list[AttackLog] = field(default_factory=list)


async def drive(plan: Plan, n: int, seconds: float, sampler: Sampler, on_go: Any,
                replay: Recorded | None = None, attack: Attack | None = None) -> list[SessionLog]:
    """Open ``n`` sessions (Chromium pages, or websocket replays of ``replay``) and the
    ``attack``'s attackers; once all have loaded, each changes the filter (or attacks) for
    ``seconds``. ``on_go()`` runs as they start."""
    from playwright.async_api import async_playwright

    logs = [SessionLog() for _ in range(n)]
    loaded = [asyncio.Event() for _ in range(n)]
    async with async_playwright() as pw:
        browser = None
        if replay is None:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
            tasks = [asyncio.create_task(session(k, browser, plan, logs[k], loaded[k])) for k in range(n)]
        else:
            tasks = [asyncio.create_task(replay_session(k, replay, plan, logs[k], loaded[k])) for k in range(n)]
        if attack is not None and replay is not None:
            attack.logs = [AttackLog() for _ in range(attack.attackers)]
            for k, log in enumerate(attack.logs):
                loaded.append(asyncio.Event())
                tasks.append(asyncio.create_task(attacker(k, attack.kind, attack.every, attack.address, replay, plan,
                                                          log, loaded[-1])))
        for event in loaded:
            await event.wait()
        plan.deadline = time.monotonic() + seconds
        sampler.window = (time.monotonic(), plan.deadline)
        on_go()
        plan.go.set()
        await asyncio.gather(*tasks)
        sampler.window = (sampler.window[0], time.monotonic())
        if browser is not None:
            await browser.close()
    return logs


# ----------------------------------------------------------------------------- replayed sessions

@dataclass
class Recorded:
    """What one real browser sent: the first rerun request of a page, and the requests for
    each group chosen and for the filter cleared (every widget's state is in each)."""

    ws_url: str
    origin: str
    first: bytes
    changes: list[tuple[bytes, int]]  # (rerun request, the headline's incident count it must give)


def _without_cache_hashes(payload: bytes) -> bytes:
    """A rerun request that claims no cached messages, so the server sends every element."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg.FromString(payload)
    del message.rerun_script.cached_message_hashes[:]
    return message.SerializeToString()


def record(url: str, groups: dict[str, int], total: int, limit: int = 0) -> Recorded:
    """Drive one Chromium page through every group (chosen, then cleared; the ``limit``
    largest only, if given) and keep the rerun requests it sent, to replay them from many
    websocket sessions."""
    from playwright.sync_api import sync_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg

    sent: list[bytes] = []

    def keep(payload: Any) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            sent.append(_without_cache_hashes(payload))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        runs = watch_runs(page)
        page.on("websocket", lambda ws: ws.on("framesent", keep))
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function(HEADLINE_IS, arg=total, timeout=FIRST_LOAD_TIMEOUT_S * 1000)
        wait_idle(page, runs)
        first = [r for r in sent if not BackMsg.FromString(r).rerun_script.fragment_id][-1]  # not the map's own run
        box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)
        changes = []
        follow_ups = 0
        for group in sorted(groups, key=lambda g: (-groups[g], g))[:limit or None]:
            for pick, expected in ((True, groups[group]), (False, total)):
                before = len(sent)
                box.click()
                if pick:  # the group's own option: Enter would take "Select N matches" when the name
                    box.fill(group)  # begins others' too (Islamic State, Islamic State (Iraq), ...)
                    page.get_by_role("option", name=re.compile(rf"^{re.escape(group)} \([\d,]+\)$")).click()
                else:
                    page.keyboard.press("Backspace")
                page.wait_for_function(HEADLINE_IS, arg=expected, timeout=30_000)
                wait_idle(page, runs, 0.5, 60.0)  # the map's own run too, if it asks for one
                page.keyboard.press("Escape")
                page_runs = [r for r in sent[before:] if not BackMsg.FromString(r).rerun_script.fragment_id]
                if len(page_runs) != 1:
                    raise RuntimeError(f"a filter change asked for {len(page_runs)} runs of the page")
                follow_ups += len(sent) - before - 1
                changes.append((page_runs[0], expected))
        wait_idle(page, runs)
        browser.close()
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    if follow_ups:
        print(f"  recorded {len(changes)} changes; the map also asked for {follow_ups} fragment runs of its own (after "
              "fitting the new bounds): not replayed", flush=True)
    return Recorded(ws_url, url, first, changes)


async def _run_script(ws: Any, request: bytes, timeout_s: float) -> int | None:
    """Send a rerun request; wait for ``script_finished``. Returns the headline's count."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await ws.send(request)
    count = None
    deadline = time.monotonic() + timeout_s
    while True:
        frame = await asyncio.wait_for(ws.recv(), max(deadline - time.monotonic(), 0.01))
        message = ForwardMsg.FromString(frame)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "markdown":
            found = HEADLINE_MD.match(message.delta.new_element.markdown.body)
            if found:
                count = int(found.group(1).replace(",", ""))
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return count


async def replay_session(k: int, recorded: Recorded, plan: Plan, log: SessionLog, loaded: asyncio.Event) -> None:
    """A session without a browser: the recorded rerun requests over Streamlit's websocket.
    The time is the server's alone: request sent to ``script_finished`` received."""
    from websockets.asyncio.client import connect

    rng = random.Random(k)
    changes = recorded.changes[2 * k % len(recorded.changes):] + recorded.changes[:2 * k % len(recorded.changes)]
    try:
        await asyncio.sleep(k * 0.2)
        t0 = time.monotonic()
        async with connect(recorded.ws_url, origin=recorded.origin, subprotocols=["streamlit"],  # type: ignore[list-item]
                           max_size=None, open_timeout=FIRST_LOAD_TIMEOUT_S) as ws:
            if await _run_script(ws, recorded.first, FIRST_LOAD_TIMEOUT_S) != plan.total:
                log.errors.append("the first run did not show every incident")
            log.first_load_s = time.monotonic() - t0
            loaded.set()
            await plan.go.wait()
            await asyncio.sleep(rng.uniform(0, plan.interval))
            turn = 0
            while time.monotonic() < plan.deadline:
                began = time.monotonic()
                request, expected = changes[turn % len(changes)]
                turn += 1
                try:
                    count = await _run_script(ws, request, REDRAW_TIMEOUT_S)
                except TimeoutError:
                    log.errors.append(f"no script_finished within {REDRAW_TIMEOUT_S:.0f} s")
                    break
                log.server_s.append(time.monotonic() - began)
                log.reruns.append(1)
                if count != expected:
                    log.errors.append(f"the headline said {count}, not {expected}")
                await asyncio.sleep(max(0.0, plan.interval + rng.uniform(-1, 1) - (time.monotonic() - began)))
    except Exception as error:  # noqa: BLE001 - counted; the other sessions go on
        log.errors.append(f"session failed: {type(error).__name__}: {str(error)[:160]}")
    finally:
        loaded.set()


# ----------------------------------------------------------------------------- attackers (issue 20)

ATTACK_EVERY = {"clear_cache": 1.0, "search": 0.5}  # seconds between one attacker's messages (±20%)
REFUSALS = {"refused: too many searches": "Too many new searches", "refused: slots busy": "busy",
            "refused: stopped after the deadline": "stopped after"}


@dataclass
class AttackLog:
    sent: int = 0
    runs: Counter[str] = field(default_factory=Counter)  # script runs the attacker's requests caused, by outcome
    errors: list[str] = field(default_factory=list)
    finished: asyncio.Event = field(default_factory=asyncio.Event)  # a script run of the attacker's ended
    run_s: list[float] = field(default_factory=list)  # search sent -> its script run ended


def search_request(recorded: Recorded) -> tuple[bytes, str]:
    """A recorded rerun request with no filter chosen (the widgets' states as the page sent
    them) and the id of its search box's state."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    for request, expected in recorded.changes:
        message = BackMsg.FromString(request)
        ids = [w.id for w in message.rerun_script.widget_states.widgets if "f_search" in w.id]
        if ids and expected == max(e for _, e in recorded.changes):
            return request, ids[0]
    raise RuntimeError("no recorded rerun request holds the search box's (f_search) state")


def with_search(request: bytes, widget: str, text: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg.FromString(request)
    for state in message.rerun_script.widget_states.widgets:
        if state.id == widget:
            state.string_value = text
    return message.SerializeToString()


def random_word(rng: random.Random) -> str:
    """A word no incident holds (so every search scans the whole store), new each time."""
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(4)) + "".join(rng.choice("aeiouy") for _ in range(3))


async def _frames(ws: Any) -> Any:
    """The websocket's frames until it closes (however it closes)."""
    from websockets.exceptions import ConnectionClosed

    try:
        async for frame in ws:
            yield frame
    except ConnectionClosed:
        return


async def _read_runs(ws: Any, log: AttackLog) -> None:
    """Sort the script runs the attacker caused: refused (which refusal the sidebar warned
    of), applied (the headline drawn with no warning) or superseded (stopped by the
    attacker's next request before either)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    run: str | None = None  # the open run's outcome so far ("" while unknown)

    def close() -> None:
        nonlocal run
        if run is not None:
            log.runs[run or "superseded"] += 1
        run = None

    async for frame in _frames(ws):
        message = ForwardMsg.FromString(frame)
        kind = message.WhichOneof("type")
        if kind == "new_session":  # a script run begins
            close()
            run = ""
        elif kind == "delta" and run == "":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "alert":
                run = next((what for what, text in REFUSALS.items() if text in element.alert.body), "")
            elif which == "markdown" and HEADLINE_MD.match(element.markdown.body):
                run = "applied"
        elif kind == "script_finished":
            close()
            log.finished.set()


async def attacker(k: int, attack: str, every: float, address: str, recorded: Recorded, plan: Plan,
                   log: AttackLog, loaded: asyncio.Event) -> None:
    """One attacker: a page's first run (a visitor like the others), then ``attack`` every
    ``every`` seconds (±20%) until the deadline: clear_cache without waiting for anything, a
    search once the previous one's script run has ended (Streamlit runs one script at a time
    per session: a request sent sooner stops the running one at its next element, after a
    search already begun, and its outcome would not be seen)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from websockets.asyncio.client import connect

    rng = random.Random(1000 + k)
    clear = BackMsg(clear_cache=True).SerializeToString()
    base, widget = search_request(recorded) if attack == "search" else (b"", "")
    headers = {"X-Forwarded-For": address} if address else None
    try:
        async with connect(recorded.ws_url, origin=recorded.origin, subprotocols=["streamlit"],  # type: ignore[list-item]
                           max_size=None, open_timeout=FIRST_LOAD_TIMEOUT_S, additional_headers=headers) as ws:
            await _run_script(ws, recorded.first, FIRST_LOAD_TIMEOUT_S)
            loaded.set()
            await plan.go.wait()
            reader = asyncio.create_task(_read_runs(ws, log))
            await asyncio.sleep(rng.uniform(0, every))
            while time.monotonic() < plan.deadline:
                began = time.monotonic()
                log.finished.clear()
                await ws.send(clear if attack == "clear_cache" else with_search(base, widget, random_word(rng)))
                log.sent += 1
                if attack == "search":  # however long it takes: the next search would stop this run
                    try:
                        await asyncio.wait_for(log.finished.wait(), max(plan.deadline - time.monotonic(), 0) + 60)
                        log.run_s.append(time.monotonic() - began)
                    except TimeoutError:
                        log.runs["unfinished 60 s after the end"] += 1
                        break
                await asyncio.sleep(max(0.0, every * rng.uniform(0.8, 1.2) - (time.monotonic() - began)))
            await asyncio.sleep(0.5)
            reader.cancel()
    except Exception as error:  # noqa: BLE001 - counted; the others go on
        log.errors.append(f"attacker failed: {type(error).__name__}: {str(error)[:160]}")
    finally:
        loaded.set()


# ----------------------------------------------------------------------------- one level

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Level:
    clients: str
    sessions: int
    seconds: float
    changes: int
    first_load_p50: float | None
    first_load_p95: float | None
    headline_p50: float | None
    headline_p95: float | None
    redraw_p50: float | None
    redraw_p95: float | None
    redraw_max: float | None
    server_p50: float | None
    server_p95: float | None
    reruns_per_change: float
    errors: int
    error_kinds: dict[str, int]
    idle_before_cores: float
    usage: Usage
    profile: dict[str, Any] | None = None
    attack: str = "none"  # the attackers' case (issue 20), "none" without them
    attackers: int = 0
    attack_sent: int = 0  # messages the attackers sent during the window
    attack_runs: dict[str, int] = field(default_factory=dict)  # the script runs they caused, by outcome
    attack_errors: list[str] = field(default_factory=list)
    address: str = ""  # the attackers' X-Forwarded-For
    server_max: float | None = None
    attack_run_p50: float | None = None  # an attacker's search sent -> its script run ended
    attack_run_max: float | None = None

    @property
    def met(self) -> bool:
        return (self.redraw_p95 is not None and self.redraw_p95 < TARGET["p95_s"] and self.errors == 0
                and self.usage.peak_rss_mb < TARGET["rss_mb"])


def warm_up(url: str) -> None:
    """One visit before the measured ones: creates the store, loads the caches (a deploy
    that is already running)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        runs = watch_runs(page)
        page.goto(url, wait_until="domcontentloaded")
        # the store filled (a first start places the bundled incidents behind the page)
        page.wait_for_selector("text=/[1-9][\\d,]* incidents?, [\\d,]+ groups?/", timeout=FIRST_LOAD_TIMEOUT_S * 1000)
        wait_idle(page, runs)
        browser.close()


def watch_runs(page: Any) -> list[str]:
    """The page's rerun requests and finished script runs, in order ("rerun" | "finished")."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    events: list[str] = []

    def sent(payload: Any) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            events.append("rerun")

    def received(payload: Any) -> None:
        if isinstance(payload, bytes) and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
            events.append("finished")

    page.on("websocket", lambda ws: (ws.on("framesent", sent), ws.on("framereceived", received)))
    return events


def wait_idle(page: Any, runs: list[str], quiet_s: float = 1.5, timeout_s: float = FIRST_LOAD_TIMEOUT_S) -> None:
    """Until the page's last script run finished ``quiet_s`` ago and none was asked for since.
    A page closed while its session waits for a value another session builds (the map
    index) can leave that value's build lock held (geo/ui/state.py ``_Shared``: the wait is in
    ``st.spinner``, whose exit raises the stop), and every later session hangs on it."""
    end = time.monotonic() + timeout_s
    seen, since = -1, time.monotonic()
    while time.monotonic() < end:
        if len(runs) != seen:
            seen, since = len(runs), time.monotonic()
        elif runs and runs[-1] == "finished" and time.monotonic() - since >= quiet_s:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"the page's script runs did not finish within {timeout_s:.0f} s")


def expected_headlines(db: Path) -> tuple[int, dict[str, int]]:
    """The headline's incident count with no filter, and per group (the whole date range):
    counted from the store's columns, as the app counts them."""
    from geo.filters import Filters
    from geo.store import columns
    from geo.store.database import Store
    from geo.store.groups import hierarchy_of

    store = Store(str(db))
    try:
        kept = columns.load(store)
        opts = kept.options()
        return (kept.totals(kept.mask(Filters(opts.first, opts.last, (), (), ()))).incidents,
                hierarchy_of(store).with_parents(opts.groups))
    finally:
        store.close()


def index_the_copy(db: Path) -> None:
    """Build the copy's search index where the app will look for it (``INCIDENT_MAP_CACHE``),
    as a server that has already answered one search on this revision has: the copy is a new
    store to the app, so an index built for an earlier case is not its own."""
    from geo import settings
    from geo.store.database import Store
    from geo.store.search import SearchIndex

    store = Store(str(db))
    try:
        SearchIndex.of(store, settings.cache_dir() / "search").build(store)
    finally:
        store.close()


def run_level(n: int, seconds: float, interval: float, profile: Path | None, py_spy: str | None,
              env: dict[str, str], clients: str, store: Path | None = None, attack: Attack | None = None,
              record_groups: int = 0, search_index: bool = False) -> Level:
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        db = Path(tmp) / "incidents.sqlite3"
        if store is not None:  # a copy: the app may write to its store
            shutil.copyfile(store, db)
        if search_index:
            index_the_copy(db)
        idle = machine_busy(3.0)
        app = StreamlitApp(db, log_path=Path(tmp) / "streamlit.log", extra_env=env)
        app.start()
        spies: list[subprocess.Popen[bytes]] = []
        try:
            assert app.proc is not None
            warm_up(app.url)
            total, groups = expected_markers(db) if store is None else expected_headlines(db)
            replay = record(app.url, groups, total, record_groups) if clients == "replay" else None
            sampler = Sampler(app.proc.pid)
            sampler.start()
            plan = Plan(app.url, total, groups, interval)
            server_pid = app.proc.pid

            def start_profile() -> None:  # the measured minute only, not the first loads
                if profile is not None and py_spy:
                    spies.append(subprocess.Popen(
                        [py_spy, "record", "--pid", str(server_pid), "--rate", "50", "--gil", "--format", "raw",
                         "--output", str(profile), "--duration", str(int(seconds + 30)), "--nonblocking"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))

            logs = asyncio.run(drive(plan, n, seconds, sampler, start_profile, replay, attack))
            for spy in spies:
                spy.send_signal(2)  # SIGINT: py-spy writes what it has
                spy.wait(60)
            sampler.stop()
        finally:
            app.stop()
    first = [g.first_load_s for g in logs if g.first_load_s is not None]
    heads = [t for g in logs for t in g.headline_s]
    redraws = [t for g in logs for t in g.redraw_s]
    server = [t for g in logs for t in g.server_s]
    reruns = [r for g in logs for r in g.reruns]
    errors = [e for g in logs for e in g.errors]
    kinds = Counter(re.sub(r"\d+(\.\d+)?", "N", e)[:100] for e in errors)
    changes = max(len(redraws), len(server)) + sum("not redrawn" in e or "no script_finished" in e for e in errors)
    return Level(clients, n, seconds, changes, pct(first, 0.5), pct(first, 0.95),
                 pct(heads, 0.5), pct(heads, 0.95), pct(redraws, 0.5), pct(redraws, 0.95), max(redraws, default=None),
                 pct(server, 0.5), pct(server, 0.95), sum(reruns) / max(len(reruns), 1), len(errors), dict(kinds), idle,
                 sampler.usage(),
                 summarise_profile(profile) if profile is not None and profile.exists() else None,
                 *((attack.kind, attack.attackers, sum(a.sent for a in attack.logs),
                    dict(sum((a.runs for a in attack.logs), Counter())), [e for a in attack.logs for e in a.errors],
                    attack.address) if attack is not None else ("none", 0, 0, {}, [], "")),
                 max(server, default=None),
                 pct([t for a in attack.logs for t in a.run_s], 0.5) if attack is not None else None,
                 max((t for a in attack.logs for t in a.run_s), default=None) if attack is not None else None)


# ----------------------------------------------------------------------------- the server profile

PHASES: list[tuple[str, str]] = [  # (what, a frame that marks it), the first that a stack holds
    ("map: st_folium (folium to HTML, component message)", "st_folium ("),
    ("map: incident layer and base map (folium objects)", "geo/map/"),
    ("table: DataFrame and st.dataframe (Arrow)", "table_panel ("),
    ("CSV download (formats.export)", "geo/formats/export.py"),
    ("sidebar filters and URL", "chosen_filters ("),
    ("article and import tabs", "geo/ui/article.py"),
    ("filters.apply / options", "geo/filters.py"),
    ("other script run (app.py, imports, caches)", "app.py"),
    ("script runner: gc.collect(2) after every run (runner.postScriptGC)", "_on_script_finished ("),
    ("script runner outside app.py (rerun, widgets, session state)", "script_runner.py"),
    ("server: websocket and HTTP (uvicorn, starlette, asyncio)", "asyncio"),
    ("file watcher (polling the app's files)", "watcher"),
]


def summarise_profile(path: Path) -> dict[str, Any]:
    """Where the server's CPU samples fall (py-spy raw format: ``frame;frame;… count``)."""
    phases: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        phase = next((what for what, mark in PHASES if any(mark in f for f in frames)), "other")
        phases[phase] += count
        leaves[re.sub(r":\d+\)$", ")", frames[-1])] += count
    return {"samples": total, "rate_hz": 50,
            "phases": [(what, n / max(total, 1)) for what, n in phases.most_common()],
            "leaves": [(what, n / max(total, 1)) for what, n in leaves.most_common(12)]}


# ----------------------------------------------------------------------------- output

def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def table(levels: list[Level]) -> str:
    rows = ["| clients | sessions | changes | first load p50 / p95 s | map redrawn p50 / p95 / max s | headline p50 / p95 s | "
            "server script run p50 / p95 s | errors | server RSS peak MB | server CPU avg / peak cores | "
            "browsers' CPU cores (Chromium) | other work cores (before / during) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for v in levels:
        u = v.usage
        rows.append(f"| {v.clients} | {v.sessions} | {v.changes} | {_s(v.first_load_p50)} / {_s(v.first_load_p95)} | "
                    f"{_s(v.redraw_p50)} / **{_s(v.redraw_p95)}** / {_s(v.redraw_max)} | "
                    f"{_s(v.headline_p50)} / {_s(v.headline_p95)} | {_s(v.server_p50)} / {_s(v.server_p95)} | "
                    f"{v.errors} | {u.peak_rss_mb:.0f} | {u.server_cores:.2f} / "
                    f"{u.server_peak_cores:.2f} | {u.browser_cores:.2f} ({u.chromium_cores:.2f}) | {v.idle_before_cores:.2f} / "
                    f"{u.other_cores:.2f} |")
    return "\n".join(rows)


def attack_table(levels: list[Level]) -> str:
    """Bystanders' script runs and the server under each attack (issue 20)."""
    rows = ["| attack | bystanders | attackers (X-Forwarded-For) | attack messages sent | attackers' script runs: "
            "applied / refused: limit, busy, deadline / superseded | bystander changes | bystander script run "
            "p50 / **p95** / max s | errors | server CPU avg / peak cores | server RSS peak MB | "
            "bench process cores | other work cores (before / during) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for v in levels:
        u, r = v.usage, v.attack_runs
        runs = "—" if v.attack != "search" else (
            f"{r.get('applied', 0)} / {r.get('refused: too many searches', 0)}, {r.get('refused: slots busy', 0)}, "
            f"{r.get('refused: stopped after the deadline', 0)} / {r.get('superseded', 0)}"
            + "".join(f"; {n} {what}" for what, n in r.items() if what.startswith("unfinished"))
            + f" (run p50 {_s(v.attack_run_p50)} s, max {_s(v.attack_run_max)} s)")
        who = "—" if not v.attackers else f"{v.attackers} ({v.address or 'none: one key per session'})"
        rows.append(f"| {v.attack} | {v.sessions} | {who} | {v.attack_sent if v.attackers else '—'} | {runs} | "
                    f"{v.changes} | {_s(v.server_p50)} / **{_s(v.server_p95)}** / {_s(v.server_max)} | "
                    f"{v.errors + len(v.attack_errors)} | {u.server_cores:.2f} / {u.server_peak_cores:.2f} | "
                    f"{u.peak_rss_mb:.0f} | {u.browser_cores:.2f} | {v.idle_before_cores:.2f} / {u.other_cores:.2f} |")
    return "\n".join(rows)


def environment() -> str:
    from importlib.metadata import version

    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return (f"commit {commit}; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"streamlit {version('streamlit')}, streamlit-folium {version('streamlit-folium')}, playwright {version('playwright')}, "
            f"{chromium}")


def report(levels: list[Level], args: argparse.Namespace) -> str:
    shown = attack_table(levels) if args.attack else table(levels)
    lines = [shown, "", "Script runs per filter change (rerun requests on the websocket): " + ", ".join(
        f"{v.reruns_per_change:.2f} at {v.sessions}" for v in levels) + ".", ""]
    for v in levels:
        if v.error_kinds:
            lines.append(f"Errors at {v.sessions} sessions: " + "; ".join(f"{n}× {k}" for k, n in v.error_kinds.items()))
        if v.attack_errors:
            lines.append(f"Attackers' errors ({v.attack}): " + "; ".join(sorted(set(v.attack_errors))))
    for v in levels:
        if v.profile:
            lines.append(f"\nServer profile at {v.sessions} sessions (py-spy --gil: {v.profile['samples']} samples at "
                         f"{v.profile['rate_hz']} Hz of the thread holding the GIL):\n")
            lines.append("| where | share |\n|---|---|")
            lines += [f"| {what} | {share:.0%} |" for what, share in v.profile["phases"]]
            lines.append("\nBusiest functions (own time):\n\n| function | share |\n|---|---|")
            lines += [f"| `{what}` | {share:.0%} |" for what, share in v.profile["leaves"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", help="session counts, comma-separated (default 5,10,20,40; with --attack, 5)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each level changes filters")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between one session's changes (±1)")
    parser.add_argument("--clients", choices=["chromium", "replay"],
                        help="chromium (default): real pages; replay (default with --attack): one page's recorded rerun "
                             "requests sent over N websockets (the server's time alone, no browser on the machine)")
    parser.add_argument("--attack", help="cases, comma-separated, each a level of its own: none, clear_cache, search "
                                         "(replay clients only)")
    parser.add_argument("--attackers", type=int, default=5, help="attackers beside the sessions (default 5)")
    parser.add_argument("--attack-every", type=float, help="seconds between one attacker's messages "
                                                           "(default 1 for clear_cache, 0.5 for search)")
    parser.add_argument("--attacker-ip", default="198.51.100.7",
                        help="the attackers' X-Forwarded-For, one address for all ('' for none: on 127.0.0.1 the app "
                             "then keys each session apart)")
    parser.add_argument("--store", type=Path, help="serve a copy of this store instead of one created from data/ "
                                                   "(replay clients only), e.g. one from bench/scale_data.py")
    parser.add_argument("--record-groups", type=int, default=0,
                        help="record only the N largest groups' changes (default: every group)")
    parser.add_argument("--search-index", action="store_true",
                        help="build each served copy's search index before the level starts (as after one search)")
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy at every level")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="the py-spy binary")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="server environment, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help=f"write the report as Markdown (the figures in {RESULTS.relative_to(ROOT)} come from these)")
    args = parser.parse_args()
    cases = [c.strip() for c in (args.attack or "").split(",") if c.strip()]
    if any(c not in ("none", *ATTACK_EVERY) for c in cases):
        parser.error("--attack takes none, clear_cache, search")
    args.clients = args.clients or ("replay" if cases or args.store else "chromium")
    if (cases or args.store) and args.clients != "replay":
        parser.error("--attack and --store need --clients replay")
    args.sessions = args.sessions or ("5" if cases else "5,10,20,40")
    counts = [int(c) for c in args.sessions.split(",") if c.strip()]
    if args.profile and not args.py_spy:
        parser.error("--profile needs py-spy (pip install py-spy, or --py-spy PATH)")
    from geo import gazetteer

    gazetteer.load().close()  # a deployed app has its index built
    print(environment(), flush=True)
    levels = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="load-profile-") as tmp:
        for n in counts:
            for case in cases or [None]:
                print(f"{n} sessions{'' if case is None else f', attack: {case}'}…", flush=True)
                profile = Path(tmp) / f"profile-{n}-{case}.txt" if args.profile else None
                attack = None if case in (None, "none") else Attack(
                    case, args.attackers, args.attack_every or ATTACK_EVERY[case], args.attacker_ip)
                level = run_level(n, args.seconds, args.interval, profile, args.py_spy,
                                  dict(item.split("=", 1) for item in args.env), args.clients, args.store, attack,
                                  args.record_groups, args.search_index)
                levels.append(level)
                print((attack_table if cases else table)([level]).splitlines()[-1], flush=True)
    print(f"\nsweep took {time.monotonic() - started:.0f} s\n")
    text = report(levels, args)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([asdict(v) for v in levels], indent=1), encoding="utf-8")
    if args.write:
        args.write.write_text(results_page(levels, args, text), encoding="utf-8")


def results_page(levels: list[Level], args: argparse.Namespace, text: str) -> str:
    met = [v for v in levels if v.sessions == TARGET["sessions"]]
    verdict = ("met" if met[0].met else "missed") if met else "not measured (no 20-session level)"
    options = (f" --clients {args.clients}" + "".join(f" --env {item}" for item in args.env)
               + (" --profile" if args.profile else "")
               + (f" --attack {args.attack} --attackers {args.attackers} --attacker-ip '{args.attacker_ip}'"
                  if args.attack else "") + (f" --store {args.store}" if args.store else "")
               + (f" --record-groups {args.record_groups}" if args.record_groups else "")
               + (" --search-index" if args.search_index else ""))
    return (f"# Load: many sessions on one server\n\n`python bench/load.py --sessions {args.sessions} --seconds "
            f"{args.seconds:g}{options}`\n\n{environment()}\n\n"
            f"Target (issue 9): {TARGET['sessions']} sessions with the map redrawn within {TARGET['p95_s']:g} s at p95, "
            f"no errors, server memory under {TARGET['rss_mb'] // 1024} GB: **{verdict}**.\n\n{text}\n")


if __name__ == "__main__":
    main()
