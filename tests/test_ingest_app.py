"""The "Ingest articles" tab under AppTest: an editor gives a feed's address (served on
127.0.0.1 by the test), the articles are filed, the summary says what happened, and the
review queue lists the name no register knows and the pins to check until the editor
decides. A visitor who
is not an editor gets the read-only note and no controls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.ingest import review
from geo.settings import store_url
from geo.store.database import Store
from geo.ui.state import load_store

# Written for this test (fictional outlet): two reports of one attack, one of them the
# statement of a front name, and a claim by a name nobody has listed. The items' pages are
# on the test's own server, which has none (404): their own text is used, and nothing is
# asked of the outside world.
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Militia Monitor</title><link>https://monitor.example.org/</link>
<description>Statements</description>
<item><title>Drones hit Ain al-Asad</title><guid isPermaLink="false">mm-1</guid>
<link>/mm-1</link><pubDate>Mon, 11 Mar 2024 08:00:00 +0000</pubDate>
<description>Drones struck Ain al-Asad air base in Iraq's western Anbar province on Sunday, wounding three
American service members, officials said. The Islamic Resistance in Iraq claimed the attack.</description></item>
<item><title>Statement</title><guid isPermaLink="false">mm-2</guid>
<link>/mm-2</link><pubDate>Mon, 11 Mar 2024 09:00:00 +0000</pubDate>
<description>A group calling itself Al-Thawriun said on Sunday that its fighters had attacked the Ain al-Asad
base in Anbar with two explosive drones.</description></item>
<item><title>Convoy</title><guid isPermaLink="false">mm-3</guid>
<link>/mm-3</link><pubDate>Wed, 13 Mar 2024 09:00:00 +0000</pubDate>
<description>A previously unknown group calling itself Saraya Ghadab al-Furat claimed a rocket attack on a fuel
convoy near Baiji in Salahuddin province on Tuesday.</description></item>
</channel></rss>"""


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        body = FEED.encode() if self.path == "/feed.xml" else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> AppTest:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("INCIDENT_MAP_MODE", mode)
    load_store.clear()
    return AppTest.from_file("../app.py", default_timeout=120)


def ingested_ids(store: Store) -> list[str]:
    from sqlalchemy import select

    from geo.store.schema import incidents

    with store.read() as conn:
        return [r[0] for r in conn.execute(select(incidents.c.event_id).where(incidents.c.event_id.like("ingest-%")))]


def _said(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in (at.markdown, at.success, at.error, at.info)
                     for e in kind).replace("\\", "")


def test_an_editor_ingests_a_feed_and_decides_the_new_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           feed_url: str) -> None:
    monkeypatch.setenv("INCIDENT_MAP_REVIEW_BELOW", "1")  # every new pin waits for a person
    at = _app(tmp_path, monkeypatch, "private").run()
    assert not at.exception
    at.text_input(key="ingest_feed").input(feed_url).run()
    at.button(key="ingest_go").click().run()
    assert not at.exception
    said = _said(at)
    assert "3 articles read" in said and "1 merged into incidents already stored" in said
    assert "New group name: Saraya Ghadab al-Furat" in said
    assert "could not be read" in said and "0 could not be read" in said
    store = Store(store_url())
    # the merged attack's reports, with the sentences each was read from, in the editor
    [asad] = [e for e in ingested_ids(store) if store.get(e) and store.get(e).group == "Al-Thawriun"]
    at.text_input(key="curate_query").input(asad).run()
    assert not at.exception
    assert [x for x in at.expander if x.label == "What each of the 2 reports said"]
    marked = [m.value for m in at.markdown if "<mark" in str(m.value) and "Ain al-Asad" in str(m.value)]
    assert len(marked) >= 2  # one evidence sentence per report, its place mention marked
    [entry] = review.open_reviews(store, "group")
    at.button(key=f"review_keep_{entry.id}").click().run()
    assert not at.exception
    assert review.open_reviews(store, "group") == []
    assert "New group name" not in _said(at)
    asad = [i for i in (store.get(e) for e in [entry.event_id]) if i]  # the kept name's incident is still stored
    assert asad and asad[0].group == "Saraya Ghadab al-Furat"
    # taken back: the entry is open again, and the decision and its undoing are in the audit log
    at.button(key=f"review_reopen_{entry.id}").click().run()
    assert not at.exception
    assert review.open_reviews(store, "group") == [entry] and "New group name: Saraya Ghadab al-Furat" in _said(at)
    assert [e.action for e in store.audit(change="review")] == [f"review #{entry.id}: reopened",
                                                                 f"review #{entry.id}: kept"]
    # the pins read from the feed, each listed with how sure the reader was, until checked
    pins = review.open_reviews(store, "place")
    assert pins and "read with low confidence" in said and "Pin to check:" in _said(at)
    at.button(key=f"review_place_{pins[0].id}").click().run()
    assert not at.exception and review.open_reviews(store, "place") == pins[1:]


def test_a_visitor_gets_no_ingest_controls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(tmp_path, monkeypatch, "public").run()
    assert not at.exception
    assert not [w for w in at.text_input if w.key == "ingest_feed"]
    assert "Ingesting articles needs an editor" in _said(at)
