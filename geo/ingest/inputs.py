"""Articles for batch ingest, from folders, files, zips, JSON lines and RSS/Atom feeds.

Every input becomes a stream of :class:`Article` items, each with a key that a second run
over the same input gives again, so what was read before is recognised (and
:attr:`Article.digest` tells whether it changed). One bad item never stops a run: it
becomes a :class:`Rejected` naming the file, line and problem, and the rest goes on.

Files are read as the app reads an upload (:mod:`geo.ingest.articles`): UTF-8, at most
``MAX_ARTICLE_BYTES`` an article, HTML reduced to its visible text. Feeds are parsed by
feedparser from bytes fetched here, never by feedparser itself, so every request goes
through :func:`fetch_url`, with its size cap, its timeout and, on the hosted app, its
refusal of private addresses.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import http.client
import io
import ipaddress
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import feedparser

from geo.errors import IncidentMapError
from geo.ingest.articles import MAX_ARTICLE_BYTES, ArticleError, decode_article, html_to_text, page_facts
from geo.safetext import safe_url

__all__ = ["Article", "Rejected", "FetchError", "read_inputs", "read_upload", "fetch_url", "feed_articles",
           "MAX_FEED_BYTES", "MAX_ZIP_MEMBERS", "MAX_ZIP_BYTES", "USER_AGENT", "take"]

MAX_FEED_BYTES = 20 * 2**20  # a feed file or fetched page; an article file is capped at MAX_ARTICLE_BYTES
MAX_ZIP_MEMBERS = 20_000
MAX_ZIP_BYTES = 500 * 2**20  # uncompressed, the whole zip
FETCH_DEADLINE_S = 60.0  # one feed or page, however slowly its server sends it
USER_AGENT = "incident-map-ingest/0.1 (reads news feeds for an incident map)"
# A JSON line holds one article, escaped (a character can take six bytes), and a few short
# fields: a longer line is not read into memory.
_LINE_FACTOR = 8

_KINDS = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl",
          ".ndjson": "jsonl", ".xml": "feed", ".rss": "feed", ".atom": "feed", ".zip": "zip"}
_SUFFIXES = ", ".join(_KINDS)

Fetch = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class Article:
    """One article to read, with what its input says about it besides the text."""

    key: str
    text: str
    published: date | None
    url: str = ""
    source: str = ""
    title: str = ""

    @property
    def digest(self) -> str:
        """Changes when the text, date or link does, so a re-run reads an updated article
        again and skips an unchanged one."""
        stamp = self.published.isoformat() if self.published else ""
        return hashlib.sha256(f"{self.text}\x00{stamp}\x00{self.url}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item (or a whole input) that could not be read, and why."""

    key: str
    reason: str


Item = Article | Rejected


class FetchError(IncidentMapError):
    """A URL that could not be fetched; the message names it and says why. Not an ``OSError``,
    which urllib would wrap in a ``URLError`` when raised while connecting (a private address)."""


# ----------------------------------------------------------------- inputs

def read_inputs(inputs: Sequence[str], *, fetch: Fetch | None = None, fetch_pages: bool = True) -> Iterator[Item]:
    """The articles of each input in turn: a folder (walked in sorted order, hidden files and
    ``__MACOSX`` skipped, as are files of other types), a file, or an http(s) feed URL
    fetched with ``fetch`` (default :func:`fetch_url`) whose entries' pages are fetched too
    when ``fetch_pages``. A feed file on disk is read offline, from its entries alone."""
    for given in inputs:
        if given.lower().startswith(("http://", "https://")):
            yield from _read_url(given, fetch or fetch_url, fetch_pages)
            continue
        path = Path(given)
        if path.is_dir():
            yield from _read_folder(path)
        elif not path.is_file():
            yield Rejected(given, f"{given}: no such file or folder")
        elif _kind(path.name) is None:
            yield _unknown_type(path.name)
        else:
            yield from _read_file(path.name, path)


def take(items: Iterable[Item], limit: int) -> tuple[list[Item], bool]:
    """The items up to ``limit`` articles (rejections ride along), and whether there are more.
    Reading stops at the first article past the limit: a zip of a million lines is refused
    after ``limit + 1`` of them, not unpacked whole first."""
    kept: list[Item] = []
    articles = 0
    for item in items:
        if not isinstance(item, Rejected):
            articles += 1
            if articles > limit:
                return kept, True
        kept.append(item)
    return kept, False


def read_upload(name: str, raw: bytes) -> Iterator[Item]:
    """The articles of a file uploaded in the app, by the rules of :func:`read_inputs`
    (``name`` is used for keys and messages, never as a path). Feeds are read offline."""
    key = PurePosixPath(name.replace("\\", "/")).name or "upload"
    if _kind(key) is None:
        yield _unknown_type(key)
    else:
        yield from _read_file(key, raw)


def _unknown_type(name: str) -> Rejected:
    suffix = PurePosixPath(name).suffix
    what = f"{suffix!r} files are not read" if suffix else "a file without a suffix is not read"
    return Rejected(name, f"{name}: {what} (articles are {_SUFFIXES})")


def _read_url(url: str, fetch: Fetch, fetch_pages: bool) -> Iterator[Item]:
    try:
        raw = fetch(url)
    except FetchError as error:
        yield Rejected(url, str(error))
        return
    yield from feed_articles(raw, url, fetch_pages=fetch_pages, fetch=fetch)


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def _kind(name: str) -> str | None:
    return _KINDS.get(PurePosixPath(name).suffix.lower())


def _read_folder(root: Path) -> Iterator[Item]:
    """Keys are paths relative to ``root``, so the same folder gives the same keys wherever it is."""
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for error in errors:
            where = Path(error.filename or root)
            key = str(root) if where == root else where.relative_to(root).as_posix()
            yield Rejected(key, f"{key}: cannot be read ({error.strerror or error})")
        errors.clear()
        for name in sorted(files):
            path = Path(folder, name)
            if not _hidden(name) and _kind(name) is not None:
                yield from _read_file(path.relative_to(root).as_posix(), path)


def _read_file(key: str, source: Path | bytes) -> Iterator[Item]:
    """The articles of a file on disk or of an upload's bytes."""
    try:
        with io.BytesIO(source) if isinstance(source, bytes) else source.open("rb") as stream:
            if _kind(key) == "zip":
                with zipfile.ZipFile(stream) as archive:
                    yield from _read_zip(key, archive)
            else:
                yield from _read_stream(key, stream)
    except (OSError, zipfile.BadZipFile) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        yield Rejected(key, f"{key}: cannot be read ({reason})")


class _Stream(Protocol):
    def read(self, size: int, /) -> bytes: ...

    def readline(self, size: int, /) -> bytes: ...


def _read_stream(key: str, stream: _Stream) -> Iterator[Item]:
    """A file's articles by its suffix; never more than its limit is read into memory."""
    kind = _kind(key)
    if kind == "jsonl":
        yield from _jsonl(key, stream)
        return
    limit, what = (MAX_FEED_BYTES, "feed") if kind == "feed" else (MAX_ARTICLE_BYTES, "article")
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        yield Rejected(key, f"{key}: larger than the {limit // 2**20} MB {what} limit")
    elif kind == "feed":
        yield from feed_articles(raw, key, fetch_pages=False, fetch=fetch_url)
    else:
        yield _file_article(key, raw)


def _file_article(key: str, raw: bytes) -> Item:
    """A text or HTML file; a page gives its date, address, outlet and headline too."""
    try:
        markup, is_html = decode_article(raw, key)
        if not is_html:
            return _article(key, key, markup)
        page = page_facts(markup)
        return _article(key, key, html_to_text(markup), page.published, page.url, page.site, page.title)
    except ArticleError as error:
        return Rejected(key, str(error))


def _article(key: str, where: str, text: str, published: date | None = None, url: str = "", source: str = "",
             title: str = "") -> Article:
    """The checks every input shares; ``ArticleError`` names ``where`` (file, line or entry)."""
    text = text.strip()
    if not text:
        raise ArticleError(f"{where}: the article text is empty")
    if "\x00" in text:
        raise ArticleError(f"{where}: the text holds NUL characters (binary data, not text)")
    size = len(text.encode())
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{where}: {size / 1e6:.1f} MB of text is over the {MAX_ARTICLE_BYTES // 2**20} MB article limit")
    url = safe_url(url)
    return Article(key, text, published, url, " ".join(source.split()) or _host(url), " ".join(title.split()))


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # "http://[::1" passes the http(s) check
        return ""
    return host.removeprefix("www.")


# ----------------------------------------------------------------- JSON lines

def _jsonl(file: str, stream: _Stream) -> Iterator[Item]:
    """One article a line; a bad line is rejected by its number and the others are kept."""
    for number, line in enumerate(_lines(stream), start=1):
        where = f"{file}, line {number}"
        try:
            if line is None:
                raise ArticleError(f"{where}: the line is over {_LINE_FACTOR * MAX_ARTICLE_BYTES // 2**20} MB, "
                                   "too long for one article")
            if line.strip():
                yield _json_article(where, line)
        except ArticleError as error:
            yield Rejected(f"{file}:line {number}", str(error))


def _lines(stream: _Stream) -> Iterator[bytes | None]:
    """The stream's lines, ``None`` for one too long to be an article (skipped, not held)."""
    limit = _LINE_FACTOR * MAX_ARTICLE_BYTES
    while line := stream.readline(limit + 1):
        if len(line) <= limit:
            yield line
            continue
        while not line.endswith(b"\n") and (line := stream.readline(limit)):
            pass
        yield None


def _json_article(where: str, line: bytes) -> Article:
    try:
        record = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ArticleError(f"{where}: not UTF-8 text (byte 0x{line[error.start]:02x})") from None
    except json.JSONDecodeError as error:
        raise ArticleError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise ArticleError(f"{where}: not valid JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise ArticleError(f"{where}: not a JSON object")
    key = record.get("id")
    if isinstance(key, bool) or not isinstance(key, str | int) or not str(key).strip():
        raise ArticleError(f'{where}: "id" is missing or empty (each article needs an id that stays the same)')
    text, markup = _string(record, "text", where), _string(record, "html", where)
    if text is None and markup is None:
        raise ArticleError(f'{where}: has no "text" (or "html")')
    published = _string(record, "published", where)
    day = _iso_date(published) if published is not None else None
    if published is not None and day is None:
        raise ArticleError(f'{where}: "published" {published[:40]!r} is not an ISO date (YYYY-MM-DD)')
    return _article(str(key).strip(), where, text if text is not None else html_to_text(markup or ""), day,
                    _string(record, "url", where) or "", _string(record, "source", where) or "",
                    _string(record, "title", where) or "")


def _string(record: dict[str, Any], field: str, where: str) -> str | None:
    """A text field of a JSON line; ``None`` when absent or null."""
    value = record.get(field)
    if value is None or isinstance(value, str):
        return value
    raise ArticleError(f'{where}: "{field}" is {json.dumps(value)[:40]}, not text')


def _iso_date(value: str) -> date | None:
    """The date an ISO date or date-time starts with (``2024-10-18T23:30:00+03:00`` is the
    18th: the publisher's own date, whatever the zone)."""
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


# ----------------------------------------------------------------- zips

def _read_zip(key: str, archive: zipfile.ZipFile) -> Iterator[Item]:
    """Members by the rules for files (a zip inside is not opened), keyed ``zip/member``.
    The sizes the zip declares are checked before anything is unpacked; ``zipfile`` gives
    no member more than its declared size, so a lying header cannot unpack more."""
    entries = archive.infolist()
    declared = sum(info.file_size for info in entries)
    too_large = f"{key}: more than {MAX_ZIP_BYTES / 1e6:,.0f} MB uncompressed (the limit for one zip)"
    if len(entries) > MAX_ZIP_MEMBERS:
        yield Rejected(key, f"{key}: {len(entries):,} files, over the limit of {MAX_ZIP_MEMBERS:,} for one zip")
        return
    if declared > MAX_ZIP_BYTES:
        yield Rejected(key, too_large)
        return
    for info in sorted(entries, key=lambda i: i.filename):
        name = f"{key}/{info.filename}"
        kind = _kind(info.filename)
        if info.is_dir() or _hidden(info.filename) or kind is None:
            continue
        if kind == "zip":
            yield Rejected(name, f"{name}: a zip inside a zip is not read (unzip it first)")
            continue
        try:
            with archive.open(info) as member:
                yield from _read_stream(name, member)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError, zlib.error) as error:
            yield Rejected(name, f"{name}: cannot be unzipped ({error})")


# ----------------------------------------------------------------- feeds

def feed_articles(raw: bytes, feed_url: str, *, fetch_pages: bool, fetch: Fetch) -> Iterator[Item]:
    """The entries of an RSS or Atom feed (``feed_url`` its address or file, for keys and
    messages). With ``fetch_pages``, an entry's text is its page's, fetched by ``fetch``;
    a page that cannot be had leaves the entry's own content or summary.

    feedparser gets a stream, not the bytes: given bytes or a string it first tries them as
    a file name (and a URL string it would fetch itself)."""
    base = {"content-location": feed_url} if safe_url(feed_url) else {}
    parsed = feedparser.parse(io.BytesIO(raw), response_headers=base)
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        yield Rejected(feed_url, f"{feed_url}: not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
        return
    source = _detail_text(parsed.feed.get("title_detail"))
    for number, entry in enumerate(entries, start=1):
        where = f"{feed_url}, entry {number}"
        key = str(entry.get("id") or entry.get("link") or "").strip()
        if key and not (safe_url(key) or key.lower().startswith(("urn:", "tag:"))):
            key = f"{feed_url}#{key}"  # a bare guid ("1042") is only unique within its feed
        try:
            if not key:
                raise ArticleError(f"{where}: has no id, guid or link, so a later run could not recognise it")
            yield _entry_article(key, where, entry, source, fetch if fetch_pages else None)
        except ArticleError as error:
            yield Rejected(key or where, str(error))


def _entry_article(key: str, where: str, entry: Any, source: str, fetch: Fetch | None) -> Article:
    link = safe_url(str(entry.get("link") or ""))
    title = _detail_text(entry.get("title_detail"))
    contents = entry.get("content") or []
    body = _detail_text(contents[0] if contents else entry.get("summary_detail"))
    text = "\n\n".join(part for part in (title, body) if part)
    published = _entry_date(entry)
    page = _page(fetch, link) if fetch is not None and link else None
    if page is not None:
        text, published = page[0], published or page[1]
    return _article(key, where, text, published, link, source, title)


def _detail_text(detail: Any) -> str:
    """A feed's text construct as plain text (feedparser gives (X)HTML ones as sanitised HTML)."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    return html_to_text(value) if "html" in str(detail.get("type", "")) else value.strip()


def _entry_date(entry: Any) -> date | None:
    """The entry's date as its publisher wrote it: feedparser's own parsed dates are in UTC,
    which would move a late-evening report to the next day."""
    for field in ("published", "updated", "created"):
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            return email.utils.parsedate_to_datetime(value).date()  # RSS: RFC 822
        except (TypeError, ValueError, IndexError):
            pass
        found = _iso_date(value)  # Atom: RFC 3339
        parsed = entry.get(f"{field}_parsed")  # other forms feedparser knows
        if found is None and parsed:
            found = date(*parsed[:3])
        if found is not None:
            return found
    return None


def _page(fetch: Fetch, url: str) -> tuple[str, date | None] | None:
    """An entry's page: its readable text and the date it states; ``None`` when it cannot be
    fetched or read (not UTF-8, empty, over the article limit once reduced to text)."""
    try:
        markup = fetch(url).decode("utf-8-sig")
    except (FetchError, UnicodeDecodeError):
        return None
    text = html_to_text(markup)
    if not text or len(text.encode()) > MAX_ARTICLE_BYTES:
        return None
    return text, page_facts(markup).published


# ----------------------------------------------------------------- fetching

def fetch_url(url: str, *, public: bool = False, timeout: float = 20.0, max_bytes: int = MAX_FEED_BYTES,
              deadline: float = FETCH_DEADLINE_S) -> bytes:
    """The body at an http(s) ``url`` (redirects followed, to http(s) only), at most
    ``max_bytes``, read within ``deadline`` seconds in all (``timeout`` bounds each wait for
    the server, ``deadline`` a server that trickles a byte at a time). With ``public`` (the hosted app), an address that is not public
    (private, loopback, link-local, multicast, reserved) is refused, when the host is looked
    up and again when connected (a name may resolve differently the second time), so a
    visitor cannot make the server fetch from its own network. ``FetchError`` names the URL
    and the problem."""
    try:
        return _get(url, public, timeout, max_bytes, time.monotonic() + deadline)
    except FetchError as error:
        reason = str(error)
    except urllib.error.HTTPError as error:
        reason = f"the server answered {error.code} {error.reason}"
    except urllib.error.URLError as error:
        reason = str(error.reason)
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = str(error) or type(error).__name__
    raise FetchError(f"{url}: {reason}")


def _get(url: str, public: bool, timeout: float, max_bytes: int, until: float) -> bytes:
    if not safe_url(url):
        raise FetchError("not an http(s) address")
    if public:
        _check_host(url)
    handlers: list[urllib.request.BaseHandler] = [_Redirects()]
    if public:  # a proxy would be the peer checked, and would fetch what it likes
        handlers += [urllib.request.ProxyHandler({}), _PublicHTTPHandler(), _PublicHTTPSHandler()]
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    too_large = FetchError(f"larger than the {max_bytes / 1e6:,.0f} MB limit")
    with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            if time.monotonic() > until:
                raise FetchError("took too long to send (a server that trickles its answer)")
    return b"".join(chunks)


def _check_host(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or (443 if parts.scheme.lower() == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"cannot find {host} ({error.strerror})") from None
    for *_, address in found:
        _refuse_private(str(address[0]), host)


def _refuse_private(address: str, host: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    kinds = (("loopback", ip.is_loopback), ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
             ("unspecified", ip.is_unspecified), ("reserved", ip.is_reserved), ("private", ip.is_private),
             ("non-public", not ip.is_global))
    kind = next((name for name, flag in kinds if flag), None)
    if kind is not None:
        raise FetchError(f"{host} is at {ip}, a {kind} address: the hosted app fetches public addresses only")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) addresses only (urllib's own would follow one to ftp)."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: http.client.HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        if not safe_url(newurl):
            raise FetchError(f"redirected to {newurl[:200]!r}, not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _PublicHTTPConnection(http.client.HTTPConnection):
    """Checks the address actually connected to, before a byte of the request is sent."""

    def connect(self) -> None:
        super().connect()
        try:
            _refuse_private(str(self.sock.getpeername()[0]), self.host)
        except FetchError:
            self.close()
            raise


class _PublicHTTPSConnection(http.client.HTTPSConnection, _PublicHTTPConnection):
    """HTTPS whose TCP connection is checked before TLS starts: ``HTTPSConnection.connect``
    reaches ``_PublicHTTPConnection.connect`` through the method resolution order."""


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPSConnection, req, context=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()
