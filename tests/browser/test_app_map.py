"""The app's map in a real browser: the streamlit-folium iframe draws every located incident.

Runs offline: folium's CDN files come from static/vendor / node_modules through
``cdn_routes`` and anything else external is answered with an empty body.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_harness import LAYER_MARKERS, ST_FOLIUM_IFRAME, marker_summary, wait_for_app_map

pytestmark = pytest.mark.browser

# Fit the map to every incident marker so markercluster renders them all in view.
FIT_ALL = """() => {
    const b = L.latLngBounds([]);
    (window.feature_group || []).forEach(fg => fg.eachLayer(l => {
        if (typeof l.getBounds === 'function') { b.extend(l.getBounds()); }
        else if (typeof l.getLatLng === 'function') { b.extend(l.getLatLng()); }
    }));
    if (b.isValid()) { window.map.fitBounds(b, {animate: false, padding: [20, 20]}); }
    return b.isValid();
}"""

VISIBLE_TOTAL = """() => {
    const clusters = [...document.querySelectorAll('.marker-cluster')];
    const inClusters = clusters.reduce((a, c) => a + (parseInt(c.textContent.trim(), 10) || 0), 0);
    const singles = document.querySelectorAll(
        '.leaflet-marker-icon:not(.marker-cluster):not(.imap-label)').length;
    return inClusters + singles;
}"""


def _caption_counts(page) -> tuple[int, int]:
    """(incidents shown, incidents not on the map) from the app's text."""
    body = page.inner_text("body")
    m = re.search(r"\b(\d+) incidents?,", body)
    assert m, "caption 'N incidents, …' not found"
    unplaced = re.search(r"\b(\d+) incidents? not on the map", body)
    return int(m.group(1)), int(unplaced.group(1)) if unplaced else 0


def test_app_map_draws_every_located_incident(streamlit_app, page, cdn_router):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(streamlit_app, wait_until="domcontentloaded")
    page.wait_for_selector("text=/\\d+ incidents?,/", timeout=60_000)

    iframe = page.wait_for_selector(ST_FOLIUM_IFRAME, state="attached", timeout=60_000)
    assert iframe.get_attribute("title") == "streamlit_folium.st_folium"
    shown, unplaced = _caption_counts(page)
    located = shown - unplaced
    assert located > 0, "the bundled data should put incidents on the map"

    frame = wait_for_app_map(page)
    deadline = time.monotonic() + 30
    while frame.evaluate(LAYER_MARKERS) < located:
        assert time.monotonic() < deadline, f"map did not draw {located} incident markers; page errors: {errors}"
        page.wait_for_timeout(250)

    assert frame.evaluate(LAYER_MARKERS) == located
    assert frame.evaluate(FIT_ALL)
    frame.wait_for_function(f"() => ({VISIBLE_TOTAL})() === {located}", timeout=15_000)
    summary = marker_summary(frame)
    assert summary["cluster_total"] + summary["single_markers"] == located

    # The offline borders layer is drawn (canvas renderer with prefer_canvas, else SVG paths).
    assert frame.evaluate(
        "() => document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length"
    ) > 0
    # Leaflet and markercluster come from the app's own static files: no CDN is even asked.
    assert cdn_router.from_files == [] and cdn_router.stubbed == []
    assert cdn_router.continued_external == []
    assert cdn_router.unexpected == [], cdn_router.unexpected
    assert errors == [], errors
