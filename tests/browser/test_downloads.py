"""Downloads in the real browser: both buttons deliver the filtered view as a file.

Streamlit builds a deferred download when it is clicked; these tests click as a user does and
read the file the browser saved: its name, the CSV's byte order mark (Excel reads the accents
right), its rows, and the GeoJSON's features, all for the chosen group only.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from browser_harness import PAGE_MARKERS

pytestmark = pytest.mark.browser

GROUP = "Al-Thawriun"


def _download(page, label: str):
    button = page.get_by_role("button", name=re.compile(label))
    button.wait_for()
    with page.expect_download(timeout=60_000) as caught:
        button.click()
    download = caught.value
    path = download.path()
    assert download.failure() is None and path is not None
    return download.suggested_filename, path.read_bytes()


def test_the_csv_download_holds_the_filtered_incidents(streamlit_app, page) -> None:
    page.goto(f"{streamlit_app}/?group={GROUP}")
    page.wait_for_selector("text=/4 incidents, 1 group/")
    name, raw = _download(page, r"Download these 4 incidents \(CSV\)")
    assert re.fullmatch(rf"incidents_\d{{4}}-\d\d-\d\d_\d{{4}}-\d\d-\d\d_{GROUP}\.csv", name), name
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 4 and {row["group"] for row in rows} == {GROUP}


def test_the_geojson_download_holds_the_filtered_incidents(streamlit_app, page) -> None:
    page.goto(f"{streamlit_app}/?group={GROUP}")
    page.wait_for_selector("text=/4 incidents, 1 group/")
    name, raw = _download(page, r"Download these 4 incidents \(GeoJSON\)")
    assert name.endswith(f"_{GROUP}.geojson"), name
    collection = json.loads(raw.decode("utf-8"))
    features = collection["features"]
    assert collection["type"] == "FeatureCollection" and len(features) == 4
    assert {f["properties"]["group"] for f in features} == {GROUP}
    assert all(f["geometry"]["type"] == "Point" for f in features)


def test_the_map_download_is_a_page_that_shows_the_same_incidents_offline(streamlit_app, page, tmp_path) -> None:
    """"Download this map (HTML)": the file opens from disk with the network refused and holds
    the chosen group's four incidents, as the app's map does."""
    page.goto(f"{streamlit_app}/?group={GROUP}")
    page.wait_for_selector("text=/4 incidents, 1 group/")
    name, raw = _download(page, r"Download this map \(HTML")
    assert name.endswith(f"_{GROUP}.html"), name
    saved = tmp_path / name
    saved.write_bytes(raw)
    offline = page.context.browser.new_context().new_page()
    try:
        offline.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        offline.goto(saved.as_uri())
        offline.wait_for_function("() => document.querySelectorAll('.marker-cluster, .imap-dot').length > 0",
                                  timeout=30_000)
        assert offline.evaluate(PAGE_MARKERS) == 4
        assert "4 incidents, 1 group" in offline.locator(".imap-export-caption").inner_text()
        assert GROUP in offline.locator(".imap-legend").inner_text()
    finally:
        offline.context.close()
