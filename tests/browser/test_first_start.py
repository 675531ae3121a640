"""A first start on a new machine, in Chromium: no place index built yet and an empty store.
The page shows the map at once and says what it is preparing; the tabs that need the place
index say they wait for it (issue 20: a bare spinner for 67–117 s before)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_harness import ST_FOLIUM_IFRAME, StreamlitApp

pytestmark = pytest.mark.browser


def test_a_first_start_draws_the_map_at_once_and_says_what_it_prepares(page, tmp_path: Path) -> None:  # noqa: ANN001
    cache = tmp_path / "fresh-cache"  # nothing built: the place index is made in the background
    with StreamlitApp(tmp_path / "incidents.sqlite3", log_path=tmp_path / "streamlit.log",
                      extra_env={"INCIDENT_MAP_CACHE": str(cache), "INCIDENT_MAP_MODE": "private"}) as app:
        page.goto(app.url)
        page.wait_for_selector("text=/First start on this machine/", timeout=30_000)
        page.wait_for_selector(ST_FOLIUM_IFRAME, state="attached", timeout=30_000)
        frame = page.query_selector(ST_FOLIUM_IFRAME).content_frame()
        frame.wait_for_selector(".leaflet-container", timeout=30_000)  # the map, before any index exists
        assert page.get_by_text("First start on this machine").is_visible()  # drawn while the index is still built
        page.get_by_role("tab", name="Add from an article").click()
        page.wait_for_selector("text=/place index is being built \\(first start\\)/", timeout=10_000)
