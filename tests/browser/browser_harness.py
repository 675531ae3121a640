"""Shared pieces of the browser tests and scripts: start the Streamlit app, launch
Debian's headless Chromium (never a Playwright-downloaded browser), wait for maps."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
# INCIDENT_MAP_APP: run another entry script (e.g. a patched copy while debugging).
APP = Path(os.environ.get("INCIDENT_MAP_APP") or ROOT / "app.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HEALTH_TIMEOUT_S = 90.0
# The editor token of the test servers that need one (EDITOR_TOKEN in their environment).
EDITOR_TOKEN = "a-browser-test-editor-token"
# streamlit-folium renders the map in a component iframe with this title.
ST_FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitApp:
    """``streamlit run app.py`` in its own process group, on 127.0.0.1:<port>."""

    def __init__(self, db_path: Path, port: int | None = None, log_path: Path | None = None,
                 app: Path = APP, extra_env: dict[str, str] | None = None) -> None:
        self.db_path = Path(db_path)
        self.port = port or free_port()
        self.log_path = log_path or self.db_path.with_suffix(".streamlit.log")
        self.app = app
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = HEALTH_TIMEOUT_S) -> str:
        env = dict(os.environ)
        env.update(
            INCIDENTS_DB=str(self.db_path),
            STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(self.app),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.wait_healthy(timeout)
        return self.url

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        health = f"{self.url}/_stcore/health"
        last: Exception | str = "no answer"
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:
                    body = resp.read().decode("utf-8", "replace").strip()
                    if resp.status == 200 and body == "ok":
                        return
                    last = f"{resp.status} {body!r}"
            except Exception as exc:  # noqa: BLE001 - connection refused while booting
                last = exc
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"{health} not ok after {timeout:.0f}s (last: {last}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> StreamlitApp:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# Markers in the incident layer on the map, clustered or not. streamlit-folium keeps
# replaced feature groups in window.feature_group (off the map): count the one on it.
LAYER_MARKERS = """() => {
    let n = 0;
    (window.feature_group || []).filter(fg => fg._map).forEach(fg => fg.eachLayer(l => {
        n += (typeof l.getLayers === 'function') ? l.getLayers().length : 1;
    }));
    return n;
}"""


# the incident markers Leaflet holds in a standalone page's feature groups (folium names them as globals)
PAGE_MARKERS = """() => Object.keys(window).filter(k => k.startsWith('feature_group_')).map(k => window[k])
    .filter(fg => fg._map).reduce((n, fg) => { fg.eachLayer(l => { n += l.getLayers ? l.getLayers().length : 1; });
                                              return n; }, 0)"""


def sign_in(page: Any, token: str = EDITOR_TOKEN) -> None:
    """Type the editor token in the sidebar's "Editing" box; the write tabs open, and the
    token is shown nowhere on the page."""
    box = page.get_by_test_id("stSidebar").locator('input[type="password"]')
    box.fill(token)
    box.press("Enter")
    page.wait_for_selector("text=/Editing with the editor token/")
    assert token not in page.inner_text("body")


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright's sync API (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_for_app_map(page: Any, timeout_ms: int = 60_000) -> Any:
    """Wait for the streamlit-folium iframe and for Leaflet to draw in it.

    Returns the iframe's ``Frame``. Markers are drawn once the component has loaded
    folium's scripts (sequentially) and run the map script, so wait on Leaflet DOM.
    """
    page.wait_for_selector(ST_FOLIUM_IFRAME, state="attached", timeout=timeout_ms)
    frame_el = page.query_selector(ST_FOLIUM_IFRAME)
    frame = frame_el.content_frame()
    assert frame is not None, "streamlit-folium iframe has no frame"
    frame.wait_for_selector(".leaflet-container", timeout=timeout_ms)
    frame.wait_for_function(
        "() => document.querySelectorAll('.leaflet-marker-icon, .leaflet-interactive').length > 0",
        timeout=timeout_ms,
    )
    return frame


def marker_summary(frame: Any, label_class: str = "imap-label") -> dict[str, Any]:
    """Counts of what Leaflet drew: clusters, their total, single markers (place-label
    divIcons with ``label_class`` counted apart) and vector paths."""
    return frame.evaluate(
        """(labelClass) => {
            const clusters = [...document.querySelectorAll('.marker-cluster')];
            const counts = clusters.map(c => parseInt(c.textContent.trim(), 10) || 0);
            const icons = [...document.querySelectorAll('.leaflet-marker-icon')];
            const labels = icons.filter(e => e.classList.contains(labelClass)).length;
            const vectors = document.querySelectorAll('path.leaflet-interactive').length;
            return {clusters: clusters.length, cluster_total: counts.reduce((a, b) => a + b, 0),
                    single_markers: icons.length - clusters.length - labels, labels: labels,
                    vectors: vectors};
        }""",
        label_class,
    )
