"""Batch ingest inputs: folders, files, JSON lines, zips and RSS/Atom feeds into articles.

Every article and feed here is written for these tests. Nothing is downloaded: URL feeds
are served by a local http.server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geo.ingest import inputs
from geo.ingest.inputs import Article, FetchError, Rejected, fetch_url, read_inputs, read_upload, take

PAGE = """<!doctype html><html><head><title>Market fire | The Valley Courier</title>
<link rel="canonical" href="https://www.valleycourier.example/news/market-fire">
<meta property="og:site_name" content="The Valley Courier">
<meta property="article:published_time" content="2024-10-18T07:45:00+03:00">
<script>var tracker = "not article text";</script></head>
<body><h1>Fire at the old market</h1><p>A fire broke out at the old market in Riverton on Thursday.</p></body></html>"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Riverton Daily</title><link>https://riverton.example/</link>
<description>Local news</description>
<item><title>Bridge closed after flooding</title><link>https://riverton.example/bridge</link>
<guid isPermaLink="false">riverton-101</guid><pubDate>Sat, 19 Oct 2024 01:30:00 +0300</pubDate>
<description>&lt;p&gt;The east bridge was &lt;b&gt;closed&lt;/b&gt; by the river authority.&lt;/p&gt;</description></item>
<item><title>School reopens</title><link>https://riverton.example/school</link>
<description>Pupils returned to the north school.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hill Post</title><id>urn:hill-post</id>
<updated>2024-11-02T10:00:00Z</updated>
<entry><title>Road repaired</title><id>urn:hill-post:7</id><link href="https://hillpost.example/road"/>
<published>2024-11-01T22:15:00-05:00</published><updated>2024-11-02T10:00:00Z</updated>
<content type="html">&lt;p&gt;Crews finished the mountain road.&lt;/p&gt;</content></entry>
</feed>"""


def read(*given: str | Path, **options: bool) -> list[Article | Rejected]:
    return list(read_inputs([str(g) for g in given], **options))


def by_key(items: list[Article | Rejected]) -> dict[str, Article | Rejected]:
    return {item.key: item for item in items}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root / "a-note.txt", "Two shops were damaged in Riverton on Monday.\n")
    write(root / "pages" / "fire.html", PAGE)
    write(root / "wire.jsonl", jsonl(
        {"id": "w-1", "text": "A convoy reached Hilltown.", "published": "2024-10-20", "url": "https://wire.example/1",
         "source": "Wire One", "title": "Convoy"},
        {"id": 2, "html": "<p>Power was cut in <b>Lakeside</b>.</p>", "published": "2024-10-21T09:00:00+02:00",
         "url": "ftp://wire.example/2"},
    ))
    write(root / ".hidden.txt", "Not to be read.")
    write(root / "__MACOSX" / "a-note.txt", "Not to be read either.")
    write(root / "table.csv", "a,b\n1,2\n")
    return root


def test_folder_walk_reads_text_html_and_json_lines_and_skips_the_rest(folder: Path) -> None:
    items = read(folder)
    assert [item.key for item in items] == ["a-note.txt", "w-1", "2", "pages/fire.html"]
    assert all(isinstance(item, Article) for item in items)
    found = by_key(items)
    assert found["a-note.txt"] == Article("a-note.txt", "Two shops were damaged in Riverton on Monday.", None)
    wire = found["w-1"]
    assert isinstance(wire, Article)
    assert (wire.published, wire.url, wire.source, wire.title) == (date(2024, 10, 20), "https://wire.example/1",
                                                                   "Wire One", "Convoy")
    power = found["2"]
    assert isinstance(power, Article)
    assert (power.text, power.published, power.url, power.source) == ("Power was cut in Lakeside.", date(2024, 10, 21), "", "")


def test_keys_and_digests_are_the_same_on_a_second_read_and_a_changed_article_is_seen(folder: Path) -> None:
    first = {item.key: item.digest for item in read(folder) if isinstance(item, Article)}
    assert first == {item.key: item.digest for item in read(folder) if isinstance(item, Article)}
    write(folder / "a-note.txt", "Three shops were damaged in Riverton on Monday.\n")
    again = {item.key: item.digest for item in read(folder) if isinstance(item, Article)}
    assert again.keys() == first.keys()
    assert [k for k in first if first[k] != again[k]] == ["a-note.txt"]


def test_a_single_file_is_keyed_by_its_name(folder: Path) -> None:
    assert [item.key for item in read(folder / "pages" / "fire.html")] == ["fire.html"]


def test_html_page_gives_its_date_canonical_address_outlet_and_headline(folder: Path) -> None:
    (page,) = read(folder / "pages" / "fire.html")
    assert isinstance(page, Article)
    assert page.published == date(2024, 10, 18)
    assert page.url == "https://www.valleycourier.example/news/market-fire"
    assert page.source == "The Valley Courier"
    assert page.title == "Market fire | The Valley Courier"
    assert page.text == "Fire at the old market\n\nA fire broke out at the old market in Riverton on Thursday."


def test_a_malformed_page_is_read_up_to_its_bad_markup_and_the_folder_goes_on(tmp_path: Path) -> None:
    """``<![ x`` stops Python 3.11's HTML parser with an AssertionError; a browser reads the rest
    as a comment. The page keeps what came before, and the other pages are read."""
    write(tmp_path / "in" / "bad.html", "<title>Bad</title><p>Shelling hit the old bridge.</p><![ x <p>lost</p>")
    write(tmp_path / "in" / "good.html", "<title>Good</title><p>Crews reopened the road.</p>")
    items = by_key(read(tmp_path / "in"))
    bad, good = (next(i for k, i in items.items() if k.endswith(name)) for name in ("bad.html", "good.html"))
    assert isinstance(bad, Article) and bad.text.endswith("Shelling hit the old bridge.") and "lost" not in bad.text
    assert isinstance(good, Article) and good.text.endswith("Crews reopened the road.")


def test_html_page_without_site_name_takes_the_outlet_from_its_address(tmp_path: Path) -> None:
    path = write(tmp_path / "p.html", '<html><head><meta property="og:url" content="https://www.lakeside.example/x">'
                 "</head><body><p>The ferry ran again.</p></body></html>")
    (page,) = read(path)
    assert isinstance(page, Article)
    assert (page.url, page.source, page.published) == ("https://www.lakeside.example/x", "lakeside.example", None)


def test_json_lines_bad_lines_are_rejected_by_number_and_the_others_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "batch.jsonl", jsonl(
        {"id": "ok-1", "text": "The dam held.", "published": "2024-01-05"},
        '{"id": "broken", "text": ',
        {"id": "no-text", "published": "2024-01-06"},
        {"id": "bad-date", "text": "The well was dug.", "published": "last Tuesday"},
        "",
        {"id": "empty", "text": "   "},
        {"text": "No id here."},
        {"id": "ok-2", "text": "The school opened.", "published": None},
    ))
    items = read(path)
    assert [item.key for item in items if isinstance(item, Article)] == ["ok-1", "ok-2"]
    rejected = {item.key: item.reason for item in items if isinstance(item, Rejected)}
    assert list(rejected) == ["batch.jsonl:line 2", "batch.jsonl:line 3", "batch.jsonl:line 4", "batch.jsonl:line 6",
                              "batch.jsonl:line 7"]
    assert rejected["batch.jsonl:line 2"].startswith("batch.jsonl, line 2: not valid JSON")
    assert '"text"' in rejected["batch.jsonl:line 3"]
    assert '"published"' in rejected["batch.jsonl:line 4"] and "last Tuesday" in rejected["batch.jsonl:line 4"]
    assert "empty" in rejected["batch.jsonl:line 6"]
    assert '"id"' in rejected["batch.jsonl:line 7"]


def test_rss_file_entries_become_articles_with_the_publishers_date(tmp_path: Path) -> None:
    items = read(write(tmp_path / "riverton.rss", RSS))
    assert [item.key for item in items] == ["riverton.rss#riverton-101", "https://riverton.example/school"]
    bridge, school = items
    assert isinstance(bridge, Article) and isinstance(school, Article)
    assert bridge.text == "Bridge closed after flooding\n\nThe east bridge was closed by the river authority."
    assert bridge.published == date(2024, 10, 19)  # 01:30 at +03:00 is still the 18th in UTC
    assert (bridge.url, bridge.source, bridge.title) == ("https://riverton.example/bridge", "Riverton Daily",
                                                         "Bridge closed after flooding")
    assert school.published is None


def test_atom_file_entries_become_articles(tmp_path: Path) -> None:
    (road,) = read(write(tmp_path / "hill.atom", ATOM))
    assert isinstance(road, Article)
    assert road.key == "urn:hill-post:7"
    assert road.text == "Road repaired\n\nCrews finished the mountain road."
    # 22:15 at -05:00 is already the 2nd in UTC
    assert (road.published, road.url, road.source) == (date(2024, 11, 1), "https://hillpost.example/road", "Hill Post")


def test_an_xml_file_that_is_not_a_feed_is_rejected(tmp_path: Path) -> None:
    (item,) = read(write(tmp_path / "sitemap.xml", "<urlset><url><loc>x</loc></url></urlset>"))
    assert item == Rejected("sitemap.xml", "sitemap.xml: not an RSS or Atom feed")


# ----------------------------------------------------------------- feeds over HTTP


class _Site(SimpleHTTPRequestHandler):
    requested: list[str]

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path, list[str]]]:
    """A local web server: (its base URL, the folder it serves, the paths requested)."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "site"
    root.mkdir()
    requested: list[str] = []
    handler = type("Handler", (_Site,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, requested
    finally:
        server.shutdown()
        server.server_close()


def site_feed(base: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Delta Times</title>
<item><title>Levee work</title><link>{base}/levee.html</link><guid isPermaLink="false">delta-1</guid>
<description>Short summary of the levee work.</description></item>
<item><title>Ferry schedule</title><link>{base}/missing.html</link><guid isPermaLink="false">delta-2</guid>
<pubDate>Sat, 02 Nov 2024 08:00:00 +0000</pubDate><description>The ferry runs hourly again.</description></item>
</channel></rss>"""


def test_url_feed_reads_each_entrys_page_from_the_server(site: tuple[str, Path, list[str]]) -> None:
    base, root, requested = site
    write(root / "feed.xml", site_feed(base))
    write(root / "levee.html", '<html><head><meta name="date" content="2024-11-03"></head><body>'
          "<p>Workers raised the levee by a metre along the delta road.</p></body></html>")
    items = read(f"{base}/feed.xml")
    assert requested == ["/feed.xml", "/levee.html", "/missing.html"]
    levee, ferry = items
    assert isinstance(levee, Article) and isinstance(ferry, Article)
    assert levee.key == f"{base}/feed.xml#delta-1"  # a bare guid is unique only within its feed
    assert levee.text == "Workers raised the levee by a metre along the delta road."
    assert levee.published == date(2024, 11, 3)  # the entry has no date: the page's
    assert (levee.url, levee.source, levee.title) == (f"{base}/levee.html", "Delta Times", "Levee work")
    # the page is not found: the entry's own summary, not a rejection
    assert ferry.text == "Ferry schedule\n\nThe ferry runs hourly again."
    assert ferry.published == date(2024, 11, 2)


def test_url_feed_without_fetch_pages_reads_the_entries_only(site: tuple[str, Path, list[str]]) -> None:
    base, root, requested = site
    write(root / "feed.xml", site_feed(base))
    items = read(f"{base}/feed.xml", fetch_pages=False)
    assert requested == ["/feed.xml"]
    assert [item.text for item in items if isinstance(item, Article)] == [
        "Levee work\n\nShort summary of the levee work.", "Ferry schedule\n\nThe ferry runs hourly again."]


def test_a_feed_url_that_cannot_be_fetched_is_one_rejection(site: tuple[str, Path, list[str]]) -> None:
    base, _root, _requested = site
    (item,) = read(f"{base}/nothing.xml")
    assert isinstance(item, Rejected)
    assert item.key == f"{base}/nothing.xml"
    assert "404" in item.reason


def test_fetch_url_caps_the_size(site: tuple[str, Path, list[str]]) -> None:
    base, root, _requested = site
    write(root / "big.xml", b"x" * 5000)
    assert fetch_url(f"{base}/big.xml", max_bytes=5000) == b"x" * 5000
    with pytest.raises(FetchError, match="larger than"):
        fetch_url(f"{base}/big.xml", max_bytes=4999)


def test_public_fetch_refuses_a_loopback_address_without_requesting(site: tuple[str, Path, list[str]]) -> None:
    base, root, requested = site
    write(root / "feed.xml", site_feed(base))
    with pytest.raises(FetchError, match="127.0.0.1, a loopback address"):
        fetch_url(f"{base}/feed.xml", public=True)
    (item,) = read_inputs([f"{base}/feed.xml"], fetch=functools.partial(fetch_url, public=True))
    assert isinstance(item, Rejected) and "loopback" in item.reason
    assert requested == []


def test_public_fetch_checks_the_address_connected_to_not_only_the_lookup(site: tuple[str, Path, list[str]],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that looks public when checked and resolves to loopback when connecting (DNS rebinding)."""
    base, root, requested = site
    write(root / "feed.xml", site_feed(base))
    monkeypatch.setattr(inputs, "_check_host", lambda url: None)
    with pytest.raises(FetchError, match="loopback"):
        fetch_url(f"{base}/feed.xml", public=True)
    assert requested == []


def test_fetch_url_refuses_other_schemes() -> None:
    with pytest.raises(FetchError, match="not an http"):
        fetch_url("file:///etc/hostname")


# ----------------------------------------------------------------- zips, uploads and bad files


def zipped(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ARCHIVE = {
    "b/fire.html": PAGE,
    "a.txt": "The clinic reopened in Hilltown.",
    "lines.ndjson": jsonl({"id": "z-1", "text": "The road was cleared."}),
    "feed.xml": RSS,
    "inner.zip": zipped({"x.txt": "inside"}),
    "__MACOSX/._a.txt": b"\x00\x05\x16\x07",
    "notes.docx": b"PK\x03\x04",
}


def test_zip_members_are_read_by_the_rules_for_files(tmp_path: Path) -> None:
    write(tmp_path / "in" / "batch.zip", zipped(ARCHIVE))
    items = read(tmp_path / "in")
    assert [item.key for item in items] == ["batch.zip/a.txt", "batch.zip/b/fire.html", "batch.zip/feed.xml#riverton-101",
                                            "https://riverton.example/school", "batch.zip/inner.zip", "z-1"]
    (inner,) = [item for item in items if isinstance(item, Rejected)]
    assert inner.key == "batch.zip/inner.zip" and "zip inside a zip" in inner.reason
    fire = by_key(items)["batch.zip/b/fire.html"]
    assert isinstance(fire, Article) and fire.source == "The Valley Courier"


def test_an_uploaded_zip_gives_the_same_articles_as_one_on_disk(tmp_path: Path) -> None:
    raw = zipped(ARCHIVE)
    on_disk = read(write(tmp_path / "batch.zip", raw))
    assert list(read_upload("C:\\Users\\me\\batch.zip", raw)) == on_disk


def test_a_zip_over_the_member_or_size_limit_is_rejected_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "many.zip", zipped({f"{n}.txt": f"Report number {n}." for n in range(5)}))
    assert len(read(path)) == 5
    monkeypatch.setattr(inputs, "MAX_ZIP_MEMBERS", 4)
    (item,) = read(path)
    assert isinstance(item, Rejected) and item.key == "many.zip" and "5 files" in item.reason
    monkeypatch.setattr(inputs, "MAX_ZIP_MEMBERS", 100)
    monkeypatch.setattr(inputs, "MAX_ZIP_BYTES", 40)
    (item,) = read(path)
    assert isinstance(item, Rejected) and item.key == "many.zip" and "uncompressed" in item.reason


def test_a_file_that_is_not_utf8_is_rejected_and_the_folder_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Caf\xe9 owners met the mayor.".encode("latin-1"))
    write(tmp_path / "b.txt", "The bakery reopened.")
    write(tmp_path / "c.html", b"\x00\x01binary\x00")
    rejected, kept, binary = read(tmp_path)
    assert isinstance(rejected, Rejected) and rejected.key == "a.txt"
    assert rejected.reason.startswith("a.txt: not UTF-8")
    assert isinstance(kept, Article) and kept.key == "b.txt"
    assert isinstance(binary, Rejected) and "binary" in binary.reason


def test_a_file_over_the_article_limit_is_rejected(tmp_path: Path) -> None:
    (item,) = read(write(tmp_path / "long.txt", "word " * (inputs.MAX_ARTICLE_BYTES // 5 + 1)))
    assert isinstance(item, Rejected) and "limit" in item.reason


def test_a_single_file_of_another_type_or_a_missing_path_is_rejected(tmp_path: Path) -> None:
    (csv,) = read(write(tmp_path / "events.csv", "a,b\n"))
    assert isinstance(csv, Rejected) and csv.key == "events.csv" and "'.csv' files are not read" in csv.reason
    (missing,) = read(tmp_path / "nowhere")
    assert isinstance(missing, Rejected) and "no such file or folder" in missing.reason
    (upload,) = read_upload("photo.jpg", b"\xff\xd8")
    assert isinstance(upload, Rejected) and "'.jpg'" in upload.reason


def test_a_zip_member_larger_than_its_header_says_is_rejected_not_unpacked() -> None:
    import struct

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", "The market reopened. " * 5000)
    data = bytearray(buf.getvalue())
    for header, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # both headers claim 10 bytes
        struct.pack_into("<I", data, data.find(header) + offset, 10)
    (item,) = read_upload("lying.zip", bytes(data))
    assert isinstance(item, Rejected) and item.key == "lying.zip/big.txt" and "cannot be unzipped" in item.reason


def test_taking_articles_stops_at_the_first_one_past_the_limit(tmp_path: Path) -> None:
    """The app's 2,000-article limit is checked as the input is read: a small zip of many JSON
    lines is refused after limit + 1 articles, not unpacked whole first."""
    lines = "\n".join(json.dumps({"id": f"a{k}", "text": f"Clashes near a made-up town {k}."}) for k in range(50_000))
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("many.jsonl", lines)
    read_so_far = 0

    def counted() -> Iterator[Article | Rejected]:
        nonlocal read_so_far
        for item in read_inputs([str(path)]):
            read_so_far += 1
            yield item

    kept, more = take(counted(), 100)
    assert more and len(kept) == 100 and read_so_far == 101
    kept, more = take(read_inputs([str(path)]), 60_000)
    assert not more and len(kept) == 50_000


def test_a_server_that_trickles_its_feed_is_cut_off_at_the_deadline() -> None:
    """Each byte well within the socket timeout, the whole far too slow: the fetch ends at its
    deadline with a message, instead of reading for minutes."""
    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass  # the client gave up

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match="took too long"):
            fetch_url(f"http://127.0.0.1:{server.server_port}/feed.xml", timeout=2.0, deadline=0.5)
        assert time.monotonic() - started < 3.0  # not the 4 s the server would take
    finally:
        server.shutdown()
