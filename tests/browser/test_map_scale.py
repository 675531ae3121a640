"""Many incidents in a real browser: the map shows counts per area, zooms in on a click
to single incidents, a filter change replaces the layer instead of piling layers up, and the map is
planned for the view it is about to fit to, so it draws each change once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_harness import StreamlitApp, wait_for_app_map

from geo.records import Incident
from geo.store.database import Store
from tests.test_scale_queries import synthetic

pytestmark = pytest.mark.browser

INCIDENTS = 6000  # three times the markers one view may hold
LAYER = "() => window.__imapLayer ? [window.__imapLayer.imapMode, window.__imapLayer.imapCount] : null"
DRAWN = """() => document.querySelectorAll('.imap-cell, .imap-dot, .marker-cluster').length"""


def _served(folder: Path, incidents: list[Incident]) -> Iterator[str]:
    """An app on a new store of ``incidents``: its URL while the fixture lasts."""
    db = folder / "incidents.sqlite3"
    Store(str(db)).upsert(incidents, actor="test", action="test")
    server = StreamlitApp(db_path=db, log_path=folder / "streamlit.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def big_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _served(tmp_path_factory.mktemp("big_app"), synthetic(INCIDENTS, seed=11))


def open_map(page, url: str):  # noqa: ANN001, ANN201 - Playwright objects
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("text=/6,000 incidents, 4 groups/", timeout=60_000)
    frame = wait_for_app_map(page)
    frame.wait_for_function("() => window.__imapLayer && window.__imapLayer.imapMode === 'cells'", timeout=30_000)
    return frame


def test_many_incidents_show_as_counts_per_area(big_app: str, page) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    frame = open_map(page, big_app)
    mode, count = frame.evaluate(LAYER)
    placed = sum(1 for i in synthetic(INCIDENTS, seed=11) if i.located)
    assert (mode, count) == ("cells", placed)  # every placed incident is in the first view's counts
    bubbles = frame.evaluate("() => [...document.querySelectorAll('.imap-cell')].map(e => e.textContent)")
    assert bubbles and sum(int(b) for b in bubbles if b.isdigit()) + sum(
        1000 * int(b[:-1]) for b in bubbles if b.endswith("k")) == placed
    assert "Zoom in, or click a count" in page.inner_text("body")
    assert errors == []


LAYERS_SEEN = """(() => { window.__seen = []; setInterval(() => { const l = window.__imapLayer;
    if (l && window.__seen[window.__seen.length - 1] !== l) { window.__seen.push(l); } }, 10); })()"""


def settled(page, quiet_ms: int = 2500) -> None:  # noqa: ANN001
    """Until the app has shown no run for ``quiet_ms``: the map's report of its new view has
    been sent and answered (a loaded machine only makes this wait longer)."""
    page.evaluate("() => { delete window.__idleSince; }")
    page.wait_for_function("""(quiet) => {
        const now = performance.now();
        if (document.querySelector('[data-testid="stStatusWidget"]') || window.__idleSince === undefined) {
            window.__idleSince = now;
        }
        return now - window.__idleSince >= quiet; }""", arg=quiet_ms, polling=100, timeout=60_000)


def test_the_map_opens_fitted_to_the_data_and_draws_it_once(big_app: str, page) -> None:  # noqa: ANN001
    page.add_init_script(LAYERS_SEEN)  # in the map's frame too: every layer it is given, in order
    frame = open_map(page, big_app)
    settled(page)
    assert frame.evaluate("() => window.__seen.length") == 1  # planned for the fitted view: no second plan
    shown = frame.evaluate("() => { const b = window.map.getBounds(); "
                           "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }")
    assert shown[0] < 30.5 and shown[2] > 49.5 and shown[1] < 30.5 and shown[3] > 44.5  # every incident in view


@pytest.fixture(scope="module")
def two_regions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """2,500 incidents of one group around the Levant, 2,500 of another around Yemen: each
    group alone is still counted per area, and choosing one moves the map."""
    r = random.Random(5)
    yield from _served(tmp_path_factory.mktemp("two_regions"), [
        Incident(f"{name[:1]}-{k}", date(2024, 1, 1) + timedelta(days=k % 300), name, f"Place {k % 40}",
                 latitude=r.uniform(*lat), longitude=r.uniform(*lon), country_code="XX")
        for name, lat, lon in (("North Front", (32.0, 36.0), (35.0, 40.0)), ("South Front", (13.0, 17.0), (43.0, 48.0)))
        for k in range(2500)])


def test_choosing_a_group_elsewhere_draws_the_map_once_where_it_fits(two_regions: str, page) -> None:  # noqa: ANN001
    page.add_init_script(LAYERS_SEEN)
    page.goto(two_regions, wait_until="domcontentloaded")
    page.wait_for_selector("text=/5,000 incidents, 2 groups/", timeout=60_000)
    frame = wait_for_app_map(page)
    frame.wait_for_function("() => window.__imapLayer && window.__imapLayer.imapMode === 'cells'", timeout=30_000)
    page.wait_for_timeout(2000)
    assert frame.evaluate("() => window.__seen.length") == 1
    box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)  # the group filter
    box.click()
    box.fill("North Front")
    page.get_by_role("option").filter(has_text="North Front").first.click()
    page.keyboard.press("Escape")
    page.wait_for_selector("text=/2,500 incidents, 1 group/", timeout=30_000)
    frame.wait_for_function("() => window.__seen.length >= 2 && window.__imapLayer.imapCount === 2500", timeout=30_000)
    settled(page)
    # one new layer, planned for the fitted view: not the old view's first, nor a second after the map's report
    assert frame.evaluate("() => window.__seen.length") == 2
    shown = frame.evaluate("() => { const b = window.map.getBounds(); "
                           "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }")
    assert shown[0] < 32.0 and shown[2] > 36.0 and shown[1] < 35.0 and shown[3] > 40.0 and shown[0] > 17.0


def test_clicking_a_count_zooms_in_and_draws_what_is_there(big_app: str, page) -> None:  # noqa: ANN001
    frame = open_map(page, big_app)
    frame.evaluate("() => { window.__firstLayer = window.__imapLayer; }")
    zoom = frame.evaluate("() => window.map.getZoom()")
    for _ in range(4):  # each click zooms to one cell; cells get finer until markers are few enough
        frame.locator(".imap-cell").first.click()
        frame.wait_for_function(f"() => window.map.getZoom() > {zoom}", timeout=15_000)
        zoom = frame.evaluate("() => window.map.getZoom()")
        frame.wait_for_function("() => window.__imapLayer !== window.__firstLayer", timeout=30_000)
        page.wait_for_timeout(500)
        if frame.evaluate(LAYER)[0] == "points":
            break
    mode, count = frame.evaluate(LAYER)
    assert mode == "points" and 0 < count <= 2000
    assert frame.evaluate("() => window.__firstLayer.getLayers().length") == 0  # the old layer let go of its markers


def test_filter_changes_replace_the_layer(big_app: str, page) -> None:  # noqa: ANN001
    frame = open_map(page, big_app)
    box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)  # the group filter
    frame.evaluate("() => { window.__firstLayer = window.__imapLayer; }")
    for _ in range(3):
        box.click()
        box.fill("Beta Front")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_selector("text=/incidents, 1 group\\b/", timeout=30_000)
        box.click()
        page.keyboard.press("Backspace")
        page.keyboard.press("Escape")
        page.wait_for_selector("text=/6,000 incidents, 4 groups/", timeout=30_000)
    frame.wait_for_function("() => window.__imapLayer !== window.__firstLayer", timeout=30_000)
    page.wait_for_timeout(1000)
    mode, _count = frame.evaluate(LAYER)
    assert mode == "cells"  # back to all 6,000: counts per area, one marker per cell
    cells = frame.evaluate("() => window.__imapLayer.getLayers().length")
    assert frame.evaluate("() => window.__firstLayer.getLayers().length") == 0
    assert frame.evaluate(DRAWN) == cells  # nothing left on the map from earlier layers
