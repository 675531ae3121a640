"""The map as one HTML file (``python -m geo export --format html``, and the app's download): it
opens from disk in Chromium with every network request refused and shows the same incidents as
the app's view, and text from records does nothing but show."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from browser_harness import PAGE_MARKERS, ROOT

from geo.records import Incident
from geo.store.database import Store

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def _store(path: Path) -> Path:
    store = Store(str(path))
    rows = [Incident(event_id=f"X-{k}", event_date=date(2024, 3, 1 + k),
                     group="Test Front" if k % 2 else f"Group {HOSTILE}", location=f"Place {k}",
                     latitude=33.0 + k * 0.3, longitude=42.0 + k * 0.3, geo_precision=1, country_code="IQ",
                     notes=f"Note {k} {HOSTILE} {{{{ 7*7 }}}} </script><script>window.__pwned=2</script>",
                     source="Test Wire", source_url="https://example.org/x") for k in range(12)]
    store.upsert(rows, actor="test", action="import")
    return path


def test_the_exported_map_opens_offline_with_every_incident_and_runs_no_record_text(browser, tmp_path: Path) -> None:
    db = _store(tmp_path / "x.sqlite3")
    page_file = tmp_path / "map.html"
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--format", "html", "--title", f"Map {HOSTILE}"],
                          cwd=ROOT, env={**os.environ, "INCIDENTS_DB": str(db)},
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    page_file.write_bytes(done.stdout)
    assert b"MB (opens offline" in done.stderr
    context = browser.new_context()
    try:
        page = context.new_page()
        asked: list[str] = []
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else (
            asked.append(route.request.url), route.abort()))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.marker-cluster, .imap-dot').length > 0",
                               timeout=30_000)
        assert page.evaluate(PAGE_MARKERS) == 12
        assert page.evaluate("() => window.__pwned") is None and errors == []
        assert page.title() == f"Map {HOSTILE}"  # the title as text
        assert HOSTILE in page.locator(".imap-export-caption").inner_text()
        legend = page.locator(".imap-legend").inner_text()
        assert "Test Front" in legend and HOSTILE in legend  # a group name shows as typed
        assert all(not url.startswith(("file:", "data:")) for url in asked)  # only tiles were asked, and refused
        page.wait_for_function("() => (window.__imapBasemap || '') !== '' ", timeout=30_000)
    finally:
        context.close()
