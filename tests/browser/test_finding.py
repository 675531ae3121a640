"""Finding incidents in the real browser: a span dragged on the timeline filters the map,
the headline and the link; a search narrows the map and the table; selecting a table row
asks the map to show that incident (``st.session_state["map_focus"]``, shown under the table)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from browser_harness import LAYER_MARKERS, wait_for_app_map

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'


def headline(page) -> int:  # noqa: ANN001 - Playwright page
    page.wait_for_selector("text=/\\d+ incidents?, \\d+ groups?/")
    m = re.search(r"(\d+) incidents?, \d+ groups?", page.inner_text("body"))
    assert m is not None
    return int(m.group(1))


def wait_markers(page, expected: int) -> None:  # noqa: ANN001
    frame = wait_for_app_map(page)
    frame.wait_for_function(f"() => ({LAYER_MARKERS})() === {expected}", timeout=30_000)


def wait_headline_below(page, total: int) -> int:  # noqa: ANN001
    page.wait_for_function(
        """(total) => { const m = document.body.innerText.match(/(\\d+) incidents?, \\d+ groups?/);
                        return m && parseInt(m[1], 10) < total; }""", arg=total, timeout=30_000)
    return headline(page)


def test_dragging_a_span_on_the_timeline_filters_map_headline_and_link(streamlit_app, page) -> None:  # noqa: ANN001
    page.goto(streamlit_app)
    total = headline(page)
    wait_markers(page, total)
    chart = page.locator(CHART)
    chart.scroll_into_view_if_needed()
    plot = chart.locator("path.background").first.bounding_box()  # the bars' area, inside the axes
    assert plot is not None and plot["width"] > 200
    y = plot["y"] + plot["height"] / 2
    page.mouse.move(plot["x"] + plot["width"] * 0.70, y)
    page.mouse.down()
    page.mouse.move(plot["x"] + plot["width"] * 0.85, y, steps=8)
    page.mouse.move(plot["x"] + plot["width"] * 0.99, y, steps=8)
    page.mouse.up()
    shown = wait_headline_below(page, total)
    assert shown > 0  # the last part of the data, not nothing
    wait_markers(page, shown)
    page.wait_for_function("() => location.search.includes('from=') || location.search.includes('preset=')")
    params = parse_qs(urlparse(page.url).query)
    span = re.search(r"· (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", page.inner_text("body"))
    assert span is not None and date.fromisoformat(span.group(1)) > date(2023, 10, 17)
    assert params.get("from") == [span.group(1)] or "preset" in params


def test_a_search_narrows_the_map_and_the_table(streamlit_app, page) -> None:  # noqa: ANN001
    page.goto(streamlit_app)
    total = headline(page)
    wait_markers(page, total)
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Search")
    box.fill("tower 22")
    box.press("Enter")
    shown = wait_headline_below(page, total)
    assert 0 < shown < total
    wait_markers(page, shown)
    assert "q=tower+22" in page.url or "q=tower%2022" in page.url
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    # the table's rows are the search's: its accessible copy lists them
    page.wait_for_function(
        """(n) => { const g = document.querySelector('[data-testid="stDataFrame"] table');
                    return g && g.querySelectorAll('tbody tr').length === n; }""", arg=shown, timeout=15_000)
    text = grid.locator("table").inner_text().lower()
    assert "tower 22" in text


def test_selecting_a_table_row_opens_its_popup_on_the_map(streamlit_app, page) -> None:  # noqa: ANN001
    page.goto(streamlit_app)
    total = headline(page)
    wait_markers(page, total)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    page.wait_for_function("""() => { const g = document.querySelector('[data-testid="stDataFrame"] table');
                                      return g && g.querySelectorAll('tbody tr').length > 0; }""")
    fourth_id = grid.locator("table tbody tr").nth(3).locator("td").first.inner_text().strip()
    assert fourth_id.startswith("IMAP-")
    page.wait_for_timeout(500)  # let the scroll settle before reading where the grid is
    box = grid.bounding_box()
    assert box is not None
    row = grid.locator("table tbody tr").nth(3).locator("td")
    day, group = row.nth(1).inner_text().strip(), row.nth(4).inner_text().strip()  # id, date, first reported, lag, group
    page.mouse.click(box["x"] + 18, box["y"] + 35 * 4 + 17)  # the fourth row's selection box, under the header
    page.wait_for_selector(f"text=Showing incident {fourth_id} on the map", timeout=30_000)
    frame = wait_for_app_map(page)
    frame.wait_for_selector(".leaflet-popup-content .imap-title", timeout=30_000)  # the map flew there
    assert frame.locator(".leaflet-popup-content .imap-title").inner_text() == f"{day} · {group}"


def test_a_preset_keeps_the_chosen_group_and_goes_in_the_link(streamlit_app, page) -> None:  # noqa: ANN001
    page.goto(f"{streamlit_app}/?group=Unknown")
    total = headline(page)
    wait_markers(page, total)
    page.get_by_test_id("stSidebar").get_by_text("Last 30 days of data", exact=True).click()
    shown = wait_headline_below(page, total)
    assert "2024-11-04 to 2024-12-03" in page.inner_text("body")
    wait_markers(page, shown)
    page.wait_for_function("() => location.search.includes('preset=30d')")
    chip = page.get_by_test_id("stSidebar").get_by_text(f"Unknown ({shown})")  # still chosen, counted in the span
    chip.wait_for(timeout=15_000)


def test_the_link_keeps_the_map_view(streamlit_app, page) -> None:  # noqa: ANN001
    page.goto(f"{streamlit_app}/?map=34.4000,40.9000,8")
    frame = wait_for_app_map(page)
    assert frame.evaluate("() => window.map.getZoom()") == 8
    lat, lon = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    assert abs(lat - 34.4) < 0.05 and abs(lon - 40.9) < 0.05
    frame.evaluate("() => { window.map.setView([33.3, 44.4], 9); }")  # the user moves the map to Baghdad
    page.wait_for_function("() => new URLSearchParams(location.search).get('map').endsWith(',9')", timeout=30_000)
    lat, lon, zoom = parse_qs(urlparse(page.url).query)["map"][0].split(",")
    assert abs(float(lat) - 33.3) < 0.05 and abs(float(lon) - 44.4) < 0.05 and zoom == "9"
