"""Hostile records in a real browser: script, HTML, template-literal and URL payloads in
every text field of the stored incidents never run, in the app page or in the
streamlit-folium map iframe (same origin as the app), and Jinja syntax never reaches Jinja. Every marker's popup is opened by
clicking it and shows the payloads as literal text, no popup link has a non-http(s) href,
and the Streamlit table and the map legend show the payloads as text too.

The store is seeded before the app starts: a CSV of hostile records with coordinates goes
through ``geo.ingest.loading.import_file`` (the import path users take), then the raw hostile
``source_url`` values, which the importer leaves out, are written back with
``Store.upsert`` as a store filled by an older version or another path could hold them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from browser_harness import ST_FOLIUM_IFRAME, StreamlitApp, wait_for_app_map

from geo.ingest import loading
from geo.records import FIELDS
from geo.store.database import Store
from geo.store.queries import stream

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "${window.__pwned=1}",
    "`;window.__pwned=1;`",
    "</script><script>window.__pwned=1</script>",
    "javascript:window.__pwned=1",
    '" onmouseover="window.__pwned=1',
    "{% if x %}{{ 7*7 }}{# open comment",  # folium compiles the map script as a Jinja template again
]
CONTROL_URL = "https://example.org/report?id=control"  # one real link: the href check is not vacuous


def _records() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(PAYLOADS + [PAYLOADS[0]]):
        rows.append({"event_id": f"HOSTILE-{i}", "event_date": f"2024-03-{i + 1:02d}", "group": f"G{i} {p}",
                     "group_role": "claimed", "location": f"L{i} {p}", "admin1": p, "notes": f"N{i} {p}",
                     "source": f"S{i} {p}", "source_url": CONTROL_URL if i == len(PAYLOADS) else p,
                     "latitude": 30 + i, "longitude": 40 + i, "country_code": "IQ", "killed": i,
                     "event_type": p, "target": p})
    return rows


class _NoGeocoding:
    """Every hostile record has coordinates: nothing should be geocoded."""

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> None:
        raise AssertionError(f"unexpected geocoding of {query!r}")


def seed_hostile_store(db: Path) -> int:
    rows = _records()
    source = db.with_name("hostile.csv")
    with open(source, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(rows)
    store = Store(str(db))
    try:
        report = loading.import_file(store, source, _NoGeocoding(), actor="test")
        assert (report.added, report.rejected) == (len(rows), []), report
        raw = [store.get(r["event_id"]) for r in rows]
        store.upsert([i.replace(source_url=r["source_url"]) for i, r in zip(raw, rows) if i is not None],
                     actor="test", action="test")
        assert [i.source_url for i in list(stream(store))] == [r["source_url"] for r in rows]
    finally:
        store.close()
    return len(rows)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory):
    """The app on a free port over a store holding only the hostile records."""
    from browser_harness import APP

    if not APP.exists():
        pytest.skip(f"{APP.name} does not exist yet")
    tmp = tmp_path_factory.mktemp("hostile_app")
    db = tmp / "incidents.sqlite3"
    count = seed_hostile_store(db)
    server = StreamlitApp(db_path=db, log_path=tmp / "streamlit.log")
    server.start()
    try:
        yield server.url, count
    finally:
        server.stop()


MARKERS = """() => {
    window.__markers = []; window.__clusters = [];
    (window.feature_group || []).forEach(fg => fg.eachLayer(l => {
        if (typeof l.getLayers === 'function') {
            l.getLayers().forEach(m => { window.__markers.push(m); window.__clusters.push(l); });
        } else if (typeof l.getLatLng === 'function') { window.__markers.push(l); window.__clusters.push(null); }
    }));
    return window.__markers.length;
}"""

SHOW_MARKER = """(i) => new Promise(resolve => {
    window.map.closePopup();
    const m = window.__markers[i], c = window.__clusters[i];
    // zoom until the marker is not in a cluster, then centre it (clear of the legend and the page header)
    const done = () => { window.map.setView(m.getLatLng(), window.map.getZoom(), {animate: false});
                         setTimeout(() => resolve(!!m._icon), 50); };
    if (c && typeof c.zoomToShowLayer === 'function') { c.zoomToShowLayer(m, done); } else { done(); }
})"""

POPUP = """(i) => {
    const m = window.__markers[i];
    const el = m.isPopupOpen() && m.getPopup().getElement();
    const box = el && el.querySelector('.leaflet-popup-content');
    if (!box) { return null; }
    return {
        text: box.textContent,
        hrefs: [...box.querySelectorAll('a')].map(a => a.getAttribute('href')),
        injected: box.querySelectorAll('script, img, iframe, object, embed, [onerror], [onmouseover], [onload]').length,
    };
}"""

PWNED = "() => typeof window.__pwned"


def _assert_not_pwned(page) -> None:
    for frame in page.frames:
        assert frame.evaluate(PWNED) == "undefined", f"payload ran in {frame.url}"


def test_hostile_records_render_as_text(hostile_app, page) -> None:
    url, count = hostile_app
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(f"text=/{count} incidents?,/", timeout=60_000)

    frame = wait_for_app_map(page)
    page.eval_on_selector(ST_FOLIUM_IFRAME, "e => e.scrollIntoView({block: 'center'})")
    frame.wait_for_function(f"() => ({MARKERS})() === {count}", timeout=30_000)
    rows = _records()
    opened: dict[str, dict[str, Any]] = {}
    for i in range(count):
        assert frame.evaluate(SHOW_MARKER, i), f"marker {i} has no icon after zoomToShowLayer"
        icon = frame.evaluate_handle("(i) => window.__markers[i]._icon", i).as_element()
        assert icon is not None
        icon.click(timeout=10_000)  # a real click on the marker, as a user would
        frame.wait_for_function(f"() => ({POPUP})({i}) !== null", timeout=10_000)
        popup = frame.evaluate(POPUP, i)
        frame.evaluate_handle("(i) => window.__markers[i].getPopup().getElement()", i).as_element().hover()
        [row] = [r for r in rows if popup["text"].startswith(f"{r['event_date']} · {r['group']}")]
        opened[row["event_id"]] = popup
        _assert_not_pwned(page)

    assert sorted(opened) == sorted(r["event_id"] for r in rows), "every marker's popup was opened once"
    for row in rows:
        popup = opened[row["event_id"]]
        for field in ("group", "location", "notes", "source"):
            assert row[field] in popup["text"], (field, popup["text"])
        assert row["admin1"] in popup["text"]
        assert popup["injected"] == 0
        for href in popup["hrefs"]:
            assert href is not None and href.startswith(("http://", "https://")), href
        assert popup["hrefs"] == ([CONTROL_URL] if row["source_url"] == CONTROL_URL else [])

    # the legend names every group, as text
    legend = frame.evaluate("() => document.querySelector('.imap-legend').textContent")
    for row in rows[:-1]:
        assert row["group"] in legend

    # the Streamlit table (glide-data-grid; its accessible table mirrors the visible cells)
    table = page.get_by_test_id("stDataFrame")
    table.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stDataFrame\"] table td').length > 0")
    cells = set(page.eval_on_selector_all('[data-testid="stDataFrame"] table td', "tds => tds.map(t => t.textContent)"))
    for row in rows:
        assert row["group"] in cells and row["location"] in cells, row["event_id"]
    page.eval_on_selector('[data-testid="stDataFrame"] .dvn-scroller', "s => { s.scrollLeft = s.scrollWidth; }")
    page.wait_for_timeout(500)
    cells = set(page.eval_on_selector_all('[data-testid="stDataFrame"] table td', "tds => tds.map(t => t.textContent)"))
    for row in rows:
        assert row["notes"] in cells and row["source"] in cells, row["event_id"]

    _assert_not_pwned(page)
    assert dialogs == []
    assert errors == [], errors
