"""How long the app takes to start, as a user meets it: ``streamlit run`` to a drawn map.

    python bench/startup.py [--runs 3]

Each run starts a new server (gazetteer already in the disk cache, store already
created, as on any start after the first) and opens it in headless Chromium, timing
(a) the server answering its health check, (b) the "N incidents" headline, and (c) the
first incident markers painted in the map. Needs Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))

from browser_harness import StreamlitApp, launch_chromium, wait_for_app_map  # noqa: E402
from cdn_routes import CdnRouter  # noqa: E402

MARKERS = "() => document.querySelectorAll('.marker-cluster, .leaflet-marker-icon:not(.imap-label)').length > 0"


def one_run(db: Path) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)  # the user's browser is already open: not timed
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        CdnRouter().install(page)
        t0 = time.monotonic()
        app = StreamlitApp(db)
        app.start()
        healthy = time.monotonic() - t0
        page.goto(app.url, wait_until="domcontentloaded")
        page.wait_for_selector("text=/\\d+ incidents?,/", timeout=90_000)
        headline = time.monotonic() - t0
        wait_for_app_map(page, timeout_ms=90_000).wait_for_function(MARKERS, timeout=60_000)
        drawn = time.monotonic() - t0
        browser.close()
        app.stop()
    return healthy, headline, drawn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "incidents.sqlite3"
        print("warm-up (creates the store, builds the gazetteer cache if missing):", one_run(db))
        runs = [one_run(db) for _ in range(args.runs)]
    print("| step | median s | runs |\n|---|---|---|")
    for i, label in enumerate(("server healthy", "headline shown", "markers drawn")):
        values = [r[i] for r in runs]
        print(f"| {label} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")


if __name__ == "__main__":
    main()
