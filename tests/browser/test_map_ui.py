"""The map as an analyst uses it, in Chromium: the legend hides and shows a group, the map
fits the filtered incidents, colours stay put when a group is added, the offline borders
draw when tiles do not load, the heatmap and precision views draw, a phone-sized screen
keeps map, legend and filters usable, and a focused incident opens its popup.

Runs offline: the test routes answer tile requests with a blank 1x1 image, which the map
must take as "no tiles"."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_harness import ROOT, StreamlitApp, wait_for_app_map

from geo.map import plan as mapplan
from geo.records import Incident
from geo.store.database import Store
from geo.store.queries import BBox
from tests.test_scale_queries import synthetic

pytestmark = pytest.mark.browser

# Houthis in Yemen, the Islamic Resistance in Iraq at Ain al-Asad and around, al-Shabaab in Somalia
# (outside the map's first view), with exact, near-a-place and province-level points.
PLACES = {
    "Houthis": [(15.35, 44.2, 1), (14.8, 42.95, 2), (16.9, 43.7, 3), (13.6, 44.0, 1)],
    "Islamic Resistance in Iraq": [(33.8, 42.44, 1), (36.34, 43.13, 1), (33.3, 44.4, 3), (32.0, 45.0, 2),
                                   (34.5, 41.0, 1)],
    "Al-Shabaab": [(2.05, 45.32, 1), (3.1, 43.65, 2), (0.35, 42.55, 1)],
}


def incidents() -> list[Incident]:
    out = []
    for g, points in PLACES.items():
        for k, (lat, lon, prec) in enumerate(points):
            day = date(2024, 1, 1) + timedelta(days=7 * k)
            out.append(Incident(f"{g[:3]}-{k}", day, g, f"{g} place {k}",
                                latitude=lat, longitude=lon, geo_precision=prec, country_code="XX",
                                notes=f"note {g} {k}", killed=None if k == 0 else 4 * k,
                                first_reported=day + timedelta(days=3) if g == "Houthis" else None))
    return out


@pytest.fixture(scope="module")
def small_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp: Path = tmp_path_factory.mktemp("map_ui")
    db = tmp / "map_ui.sqlite3"
    Store(str(db)).upsert(incidents(), actor="test", action="test")
    server = StreamlitApp(db_path=db, log_path=tmp / "streamlit.log")
    server.start()
    try:
        yield server, db
    finally:
        server.stop()


def open_map(page: Any, url: str, total: int = 12) -> Any:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f"text=/{total} incidents/", timeout=60_000)
    frame = wait_for_app_map(page)
    frame.wait_for_function("() => window.__imapLayer && window.__imapCtl && window.__imapCtl.map", timeout=30_000)
    return frame


LEGEND = """() => [...document.querySelectorAll('.imap-legend-row')].map(r => [
    r.textContent, r.querySelector('.imap-swatch').style.background, r.classList.contains('imap-off')])"""
SHOWN = "() => [window.__imapLayer.imapShown, window.__imapLayer.getLayers().length]"
ALL_IN_VIEW = """() => { const b = window.map.getBounds(); const out = [];
    window.__imapLayer.getLayers().forEach(m => { if (!b.contains(m.getLatLng())) { out.push(m.getLatLng()); } });
    return out; }"""


def test_legend_click_hides_and_shows_a_group(small_app: Any, page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    frame = open_map(page, small_app[0].url)
    assert frame.evaluate(SHOWN) == [12, 12]
    row = frame.locator(".imap-legend-row", has_text="Houthis")
    row.click()
    frame.wait_for_function("() => window.__imapLayer.imapShown === 8")
    assert frame.evaluate(SHOWN) == [8, 8]  # the four Houthi markers are gone from the map
    houthis = [r for r in frame.evaluate(LEGEND) if r[0] == "Houthis"]
    assert houthis and houthis[0][2] is True  # the entry is greyed
    titles = frame.evaluate("() => window.__imapLayer.getLayers().map(m => m.options.title)")
    assert not any("Houthis" in t for t in titles)
    row.click()
    frame.wait_for_function("() => window.__imapLayer.imapShown === 12")
    assert [r[2] for r in frame.evaluate(LEGEND)] == [False, False, False]
    assert errors == []


def test_map_fits_the_filtered_incidents(small_app: Any, page: Any) -> None:
    frame = open_map(page, small_app[0].url)
    frame.wait_for_function(f"() => ({ALL_IN_VIEW})().length === 0", timeout=15_000)  # first view: all 12
    box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)  # the group filter
    box.click()
    box.fill("Al-Shabaab")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_selector("text=/3 incidents, 1 group/", timeout=30_000)
    frame.wait_for_function("() => window.__imapLayer.imapShown === 3", timeout=30_000)
    frame.wait_for_function(f"() => ({ALL_IN_VIEW})().length === 0", timeout=15_000)
    zoom = frame.evaluate("() => window.map.getZoom()")
    assert zoom >= 6  # fitted to Somalia, not the whole region
    center = frame.evaluate("() => window.map.getCenter()")
    assert -1 < center["lat"] < 4 and 42 < center["lng"] < 46
    # the server planned for this very view before the browser fitted it (geo.map.plan.fitted_view)
    size = frame.evaluate("() => [window.map.getSize().x, window.map.getSize().y]")
    shabaab = PLACES["Al-Shabaab"]
    expected = mapplan.fitted_view(BBox(min(p[0] for p in shabaab), min(p[1] for p in shabaab),
                                        max(p[0] for p in shabaab), max(p[1] for p in shabaab)), (size[0], size[1]))
    shown = frame.evaluate("() => { const b = window.map.getBounds(); "
                           "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }")
    assert zoom == expected.zoom
    assert shown == pytest.approx([expected.bbox.south, expected.bbox.west, expected.bbox.north, expected.bbox.east],
                                  abs=0.02)


def test_offline_borders_draw_when_tiles_do_not_load(small_app: Any, page: Any, cdn_router: Any) -> None:
    frame = open_map(page, small_app[0].url)
    frame.wait_for_function("() => window.__imapBasemap === 'fallback'", timeout=20_000)
    assert cdn_router.tiles  # tiles were asked for (online by default) and came back blank
    frame.wait_for_function("() => window.__imapBorders === true && window.__imapAdmin1", timeout=15_000)
    assert frame.evaluate("() => window.map.hasLayer(window.__imapOffline)")
    assert frame.evaluate("() => window.__imapAdmin1.getLayers().length") > 100  # provinces of the region
    assert frame.locator(".imap-label").count() > 0  # city labels
    note = frame.locator(".imap-tile-note").inner_text()
    assert "tiles did not load" in note


def test_heatmap_precision_and_killed_views_draw(small_app: Any, page: Any) -> None:
    frame = open_map(page, small_app[0].url)
    frame.locator(".imap-view-btn[data-view=heat]").click()
    frame.wait_for_function("() => window.__imapLayer.imapView === 'heat'")
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert frame.evaluate("() => document.querySelectorAll('.imap-dot').length") == 0  # no pins under the heat
    frame.locator(".imap-view-btn[data-view=precision]").click()
    frame.wait_for_function("() => window.__imapLayer.imapView === 'precision'")
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 0
    areas = sum(1 for points in PLACES.values() for p in points if p[2] > 1)
    assert frame.evaluate("() => window.__imapLayer.imapAreas") == areas  # rings, not pins
    radii = frame.evaluate("""() => window.__imapLayer.getLayers().filter(l => l.getRadius && !l.getIcon)
                                   .map(l => l.getRadius()).sort((a, b) => a - b)""")
    assert radii[0] == 10_000 and radii[-1] == 60_000  # near a place: 10 km; a province: 60 km
    pins = frame.evaluate("() => window.__imapLayer.getLayers().filter(l => l.getIcon).length")
    assert pins == 12 - areas
    frame.locator(".imap-view-btn[data-view=killed]").click()
    frame.wait_for_function("() => window.__imapLayer.imapView === 'killed'")
    sizes = frame.evaluate("""() => window.__imapLayer.getLayers().map(l => [l.getRadius(), l.options.fillOpacity])""")
    assert len(sizes) == 12
    assert sorted(r for r, _ in sizes)[-1] == 4 + 3 * 16 ** 0.5  # 16 killed (the fifth Iraqi incident): the largest
    assert sum(1 for _r, fill in sizes if fill == 0) == 3  # toll not reported: hollow rings, one per group
    frame.locator(".imap-view-btn[data-view=markers]").click()
    frame.wait_for_function("() => window.__imapLayer.imapView === 'markers'")


def test_the_dates_can_be_those_of_the_first_report(small_app: Any, page: Any) -> None:
    """In the first week three incidents happened; choosing "First reported" shows the one that
    was reported within it (the others have no report date), and the link keeps the choice."""
    open_map(page, f"{small_app[0].url}/?from=2024-01-01&to=2024-01-07", total=3)
    page.get_by_test_id("stSidebar").get_by_text("First reported").click()
    page.wait_for_selector("text=/1 incident, 1 group/", timeout=30_000)
    page.wait_for_selector("text=/to 2024-01-07 \\(first reported\\)/", timeout=10_000)  # the headline says which dates
    page.wait_for_function("() => window.location.search.includes('dates=reported')", timeout=10_000)


def test_playback_steps_the_map_week_by_week_in_the_browser(small_app: Any, page: Any) -> None:
    """"Week ›" shows the incidents up to the end of each week in turn, "Play" runs on to the
    end and shows every incident again; none of it asks the server for a rerun (the layer's
    controller, which a rerun replaces, stays the same object)."""
    frame = open_map(page, small_app[0].url)
    frame.evaluate("() => { window.__imapCtl.probe = 'same'; }")
    step = frame.locator(".imap-play button[data-play=step]")
    step.click()
    frame.wait_for_function("() => window.__imapPlay.upto === '2024-01-07'")
    assert frame.evaluate(SHOWN) == [3, 3]  # the first week: one incident of each group
    assert "Up to 2024-01-07 · 3 of 12" in frame.locator(".imap-play").inner_text()
    step.click()
    frame.wait_for_function("() => window.__imapPlay.upto === '2024-01-14'")
    assert frame.evaluate(SHOWN) == [6, 6]
    frame.locator(".imap-play button[data-play=play]").click()
    frame.wait_for_function("() => window.__imapPlay.upto === null && !window.__imapPlay.playing", timeout=30_000)
    assert frame.evaluate(SHOWN) == [12, 12] and "All dates" in frame.locator(".imap-play").inner_text()
    assert frame.evaluate("() => window.__imapCtl.probe") == "same"


def test_phone_screen_keeps_map_legend_and_filters_usable(small_app: Any, browser: Any, cdn_router: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    cdn_router.install(page)
    try:
        frame = open_map(page, small_app[0].url)
        width = frame.evaluate("() => window.map.getSize().x")
        assert 200 < width <= 390
        head = frame.locator(".imap-legend-head")
        assert head.get_attribute("aria-expanded") == "false"  # collapsed: the legend does not cover the map
        assert frame.locator(".imap-legend-row").count() == 0
        head.click()
        frame.wait_for_function("() => document.querySelectorAll('.imap-legend-row').length === 3")
        frame.locator(".imap-legend-head").click()
        frame.wait_for_function("() => document.querySelectorAll('.imap-legend-row').length === 0")
        # The filters are one tap away: the sidebar opens and its group filter is on screen.
        page.get_by_test_id("stExpandSidebarButton").click()
        group_filter = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)
        group_filter.wait_for(state="visible")
        page.wait_for_function("""() => { const s = document.querySelector('[data-testid=stSidebar]');
            const r = s.getBoundingClientRect(); return r.left >= 0 && r.width > 200; }""")  # slid in
        box = group_filter.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_colours_stay_when_a_group_is_added(small_app: Any, page: Any) -> None:
    server, db = small_app
    frame = open_map(page, server.url)
    before = {name: color for name, color, _off in frame.evaluate(LEGEND)}
    assert set(before) == set(PLACES)
    Store(str(db)).upsert([Incident(f"NEW-{k}", date(2024, 3, 1), "Saraya Awliya al-Dam", "Baghdad", latitude=33.3,
                                    longitude=44.4) for k in range(8)], actor="test", action="test")  # now the biggest group
    frame = open_map(page, server.url, total=20)
    after = {name: color for name, color, _off in frame.evaluate(LEGEND)}
    assert set(after) == set(PLACES) | {"Saraya Awliya al-Dam"}
    assert {g: after[g] for g in PLACES} == before
    houthi_dots = frame.evaluate("""() => window.__imapLayer.getLayers()
        .filter(m => m.options.title.includes('Houthis')).map(m => m.options.imapColor)""")
    assert len(houthi_dots) == 4 and {_rgb(c) for c in houthi_dots} == {after["Houthis"]}  # the legend's colour


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


FOCUS_APP = """import runpy

import streamlit as st

focus = st.query_params.get("test_focus")
if focus:
    st.session_state["map_focus"] = focus
runpy.run_path({app!r}, run_name="__main__")
"""


@pytest.fixture(scope="module")
def focus_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp: Path = tmp_path_factory.mktemp("map_focus")
    db = tmp / "focus.sqlite3"
    Store(str(db)).upsert(synthetic(3000, seed=5), actor="test", action="test")
    # The app with st.session_state["map_focus"] set from the test_focus link parameter, as the table's
    # row selection (another part of the app, tested on its own) sets it. Streamlit serves static/ from
    # beside the script it runs, hence the link.
    (tmp / "static").symlink_to(ROOT / "static", target_is_directory=True)
    (tmp / "focus_app.py").write_text(FOCUS_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
    server = StreamlitApp(db_path=db, log_path=tmp / "streamlit.log", app=tmp / "focus_app.py")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_focused_incident_flies_there_and_opens_its_popup(focus_app: str, page: Any) -> None:
    target = min((i for i in synthetic(3000, seed=5) if i.located), key=lambda i: (i.event_date, i.event_id))
    page.goto(f"{focus_app}/?test_focus={target.event_id}", wait_until="domcontentloaded")
    page.wait_for_selector("text=/3,000 incidents/", timeout=60_000)
    frame = wait_for_app_map(page)
    frame.wait_for_selector(".leaflet-popup-content", timeout=30_000)
    title = frame.locator(".leaflet-popup-content .imap-title").inner_text()
    assert title == f"{target.event_date.isoformat()} · {target.group}"
    center = frame.evaluate("() => window.map.getCenter()")
    assert abs(center["lat"] - (target.latitude or 0)) < 0.05 and abs(center["lng"] - (target.longitude or 0)) < 0.05
    assert frame.evaluate("() => window.map.getZoom()") >= 14
    assert frame.evaluate("() => window.__imapLayer.imapMode") == "points"  # a marker, not a count
    page.wait_for_timeout(2500)  # the map reports its new view and reruns: the popup stays open on the incident
    assert frame.locator(".leaflet-popup-content .imap-title").inner_text() == title
    assert frame.evaluate("() => window.__imapLayer.imapMode") == "points"


def test_map_fits_the_data_after_an_import(browser: Any, cdn_router: Any, tmp_path: Path) -> None:
    """An import that saves something redraws the page, and the map moves to take in the new
    incident: here one in Jakarta, far east of everything shown before."""
    db = tmp_path / "private.sqlite3"
    Store(str(db)).upsert(incidents(), actor="test", action="test")
    with StreamlitApp(db_path=db, log_path=tmp_path / "private.log", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        cdn_router.install(page)
        try:
            frame = open_map(page, app.url)
            frame.wait_for_function(f"() => ({ALL_IN_VIEW})().length === 0", timeout=15_000)
            assert not frame.evaluate("() => window.map.getBounds().contains([-6.2, 106.85])")
            csv_file = tmp_path / "jakarta.csv"
            csv_file.write_text("event_id,event_date,group,location,latitude,longitude,geo_precision,country_code\n"
                                "JKT-1,2024-06-01,Islamic State,Jakarta,-6.2,106.85,1,ID\n", encoding="utf-8")
            page.get_by_role("tab", name="Import records").click()
            page.locator('input[type="file"][accept*=".geojson"]').set_input_files(str(csv_file))
            page.get_by_role("button", name="Import").click()
            page.wait_for_selector("text=/13 incidents/", state="attached", timeout=60_000)
            page.get_by_role("tab", name="Map").click()
            frame = wait_for_app_map(page)
            frame.wait_for_function("() => window.__imapLayer && window.__imapLayer.imapShown === 13", timeout=30_000)
            frame.wait_for_function("() => window.map.getBounds().contains([-6.2, 106.85])", timeout=15_000)
            assert frame.evaluate(ALL_IN_VIEW) == []  # the old ones are still in view too
        finally:
            page.close()
