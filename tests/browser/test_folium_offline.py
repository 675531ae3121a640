"""Proves the harness on a plain folium file: Leaflet + MarkerCluster draw offline."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from cdn_routes import KNOWN_CDN_URLS, local_file_for

pytestmark = pytest.mark.browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture()
def served_dir(tmp_path: Path):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _cluster_map(path: Path) -> None:
    import folium
    from folium.plugins import MarkerCluster

    m = folium.Map(location=[33.3, 44.4], zoom_start=5)  # default OSM tiles: stubbed
    cluster = MarkerCluster().add_to(m)
    for lat, lon, name in [(33.31, 44.36, "a"), (33.35, 44.40, "b"), (33.28, 44.45, "c")]:
        folium.Marker([lat, lon], popup=name).add_to(cluster)
    m.save(str(path))


def test_known_leaflet_urls_have_local_files():
    for url in KNOWN_CDN_URLS:
        if "leaflet@1.9.3" in url or "leaflet.markercluster/1.1.0" in url or "jquery-3.7.1" in url:
            assert local_file_for(url) is not None, url


def test_folium_cluster_renders_offline(page, cdn_router, served_dir):
    directory, base = served_dir
    _cluster_map(directory / "map.html")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{base}/map.html", wait_until="load")

    page.wait_for_selector(".leaflet-container")
    cluster = page.wait_for_selector(".marker-cluster")
    assert cluster.inner_text().strip() == "3"
    assert page.evaluate("typeof L !== 'undefined' && L.version") == "1.9.3"
    assert page.evaluate("typeof L.markerClusterGroup") == "function"
    # MarkerCluster.Default.css applied (the bubble gets its coloured background).
    bg = cluster.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg not in ("", "rgba(0, 0, 0, 0)"), bg

    # Leaflet and markercluster came from local files; nothing unknown was asked for;
    # no non-local request was let through; nothing failed.
    served = set(cdn_router.from_files)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in served
    assert "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js" in served
    assert cdn_router.unexpected == []
    assert cdn_router.continued_external == []
    assert cdn_router.tiles, "default OSM tiles should have been requested (and stubbed)"
    assert failed == []


def test_nothing_external_reaches_network(page, cdn_router, served_dir):
    """An arbitrary external URL is answered locally (empty), never fetched."""
    directory, base = served_dir
    (directory / "x.html").write_text(
        "<html><body><script src='https://example.invalid/some.js'></script>"
        "<img src='https://example.invalid/pic.png'></body></html>"
    )
    page.goto(f"{base}/x.html", wait_until="load")
    assert sorted(cdn_router.unexpected) == [
        "https://example.invalid/pic.png",
        "https://example.invalid/some.js",
    ]
    assert cdn_router.continued_external == []
