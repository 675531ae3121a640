"""Article text from what analysts paste or upload: plain text, or an HTML page.

HTML is reduced to its visible text with libxml2's tolerant HTML parser (lxml: linear in
the page, where the standard library's is quadratic on some malformed markup), scripts,
styles and other non-content elements dropped, so a saved page never brings markup, let
alone script, into the app. The page's publication date is read from
its metadata (:func:`published_date`), since "on Monday" means nothing without it.

Also here, for the article form: the escaped HTML that shows an article with its place
mentions marked, or an incident's evidence sentences, and the stable id of an incident
read from an article.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import lxml.etree
import lxml.html

from geo.errors import InvalidInput
from geo.safetext import safe_url

__all__ = ["MAX_ARTICLE_BYTES", "ArticleError", "html_to_text", "decode_article", "decode_upload", "upload_published",
           "PageFacts", "page_facts", "published_date",
           "highlight_html", "evidence_html", "incident_id", "incident_label"]

MAX_ARTICLE_BYTES = 2 * 1024 * 1024
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote"}


class ArticleError(InvalidInput):
    """An upload that cannot be read as an article (size, encoding, type)."""


_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_HTML_START = re.compile(r"(?<!\s)\s*+<(!doctype|html)", re.IGNORECASE)


# libxml2's HTML parser: linear in the page and tolerant as a browser is. Python 3.11's html.parser
# is quadratic on some malformed markup (160 KB of "<!--" took 8 s; the 2 MB limit, minutes).
_HTML = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_pis=True)


def _document(markup: str) -> Any:
    """The page's element tree (``None`` for a page with no element: empty or all comment)."""
    try:
        return lxml.html.document_fromstring(markup.replace("\x00", "").encode("utf-8", "replace"), parser=_HTML)
    except (lxml.etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """The visible text of a page: scripts, styles and the head left out, a line break at each
    paragraph, heading, list item, row and ``<br>``, character references decoded."""
    root = _document(markup)
    if root is None:
        return ""
    parts: list[str] = []
    skipping = 0
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""  # "" for a comment
        if event == "start":
            if tag in _SKIP:
                skipping += 1
            elif tag in _BLOCK:
                parts.append("\n")
            if tag and not skipping and element.text:
                parts.append(element.text)
            continue
        if tag in _SKIP:
            skipping -= 1
        elif tag in _BLOCK and tag != "br":  # a <br> has no end in the page: one break, not two
            parts.append("\n")
        if not skipping and element.tail:
            parts.append(element.tail)
    text = _SPACES.sub(" ", "".join(parts))
    return _BLANK_LINES.sub("\n\n", text).strip()


def decode_upload(raw: bytes, name: str) -> str:
    """Text of an uploaded ``.txt`` or ``.html`` article; ``ArticleError`` names the problem."""
    text, is_html = decode_article(raw, name)
    return html_to_text(text) if is_html else text


def upload_published(raw: bytes, name: str) -> date | None:
    """The publication date an uploaded HTML page states (:func:`published_date`); ``None``
    for plain text, a page that states none, or a file that cannot be read (reading the
    article reports that)."""
    try:
        text, is_html = decode_article(raw, name)
    except ArticleError:
        return None
    return published_date(text) if is_html else None


def decode_article(raw: bytes, name: str) -> tuple[str, bool]:
    """The upload as text, and whether it is an HTML page."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{name}: {len(raw) / 1e6:.1f} MB is over the {MAX_ARTICLE_BYTES // 2**20} MB article limit")
    if b"\x00" in raw[:4096]:
        raise ArticleError(f"{name}: looks like a binary file, not text or HTML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{name}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    lowered = name.lower()
    return text, bool(lowered.endswith((".html", ".htm")) or _HTML_START.match(text[:200]))


def highlight_html(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """``text`` as escaped HTML with ``<mark>`` around each (start, end, role, label) span.

    Every piece of the article and every label is escaped; only the tags written here are
    markup. Overlapping spans keep the first.
    """
    colors = {"event": "#ffb3b3", "context": "#cfe3ff"}
    out: list[str] = []
    pos = 0
    for start, end, role, label in sorted(spans):
        if start < pos or start >= end or end > len(text):
            continue
        out.append(escape(text[pos:start]))
        out.append(f'<mark style="background:{colors.get(role, "#eeeeee")}" title="{escape(label, quote=True)}">'
                   f"{escape(text[start:end])}<sub>{escape(role)}</sub></mark>")
        pos = end
    out.append(escape(text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    return f'<div style="line-height:1.6;font-size:0.95rem">{body}</div>'


def evidence_html(text: str, evidence: Sequence[tuple[int, int]], spans: list[tuple[int, int, str, str]]) -> str:
    """The sentences ``text[start:end]`` an incident was read from, one block each, escaped
    as in :func:`highlight_html`, with the (start, end, role, label) ``spans`` inside them
    marked. Offsets outside ``text`` are skipped."""
    blocks = []
    for start, end in evidence:
        if not 0 <= start < end <= len(text):
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        inside = [(a - start, b - start, role, label) for a, b, role, label in spans if start <= a and b <= end]
        blocks.append(highlight_html(text[start:end], inside))
    style = "border-left:3px solid #bbbbbb;padding-left:0.6rem;margin:0.2rem 0"
    return "".join(f'<blockquote style="{style}">{block}</blockquote>' for block in blocks)


def incident_id(text: str, anchor: tuple[int, int] | None) -> str:
    """The event id of the incident the parser anchored at ``anchor`` (its place mention's
    offsets; ``None`` for the one incident typed in by hand) in the article ``text``.

    It depends only on the article and the incident's place in it, not on any field the
    analyst corrects (date, place, toll), so saving an incident again, corrected or not,
    updates it instead of adding another; two incidents of one article have different
    anchors, and the same offsets in another article give another id.
    """
    where = "manual" if anchor is None else f"{anchor[0]}:{anchor[1]}"
    digest = hashlib.sha1(f"{text}\x00{where}".encode()).hexdigest()[:12]
    return f"article-{digest}"


def incident_label(number: int, total: int, place: str, killed: int | None, injured: int | None,
                   saved: bool = False) -> str:
    """One line naming an incident of an article, e.g. ``Incident 1 of 2 — Nabatieh, killed 3``
    (plain text: escape it for Markdown labels)."""
    parts = [" ".join(place.split()) or "place not named"]
    if killed is not None:
        parts.append(f"killed {killed}")
    if injured is not None:
        parts.append(f"injured {injured}")
    return f"Incident {number} of {total} — " + ", ".join(parts) + (" · saved" if saved else "")


# ----------------------------------------------------------------- the publication date

# Where pages state when they were published, best first: Open Graph / article metadata,
# other <meta> conventions, schema.org microdata, JSON-LD, and last a <time datetime>.
_META_KEYS = ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
              "publishdate", "publish-date", "publish_date", "dc.date.issued", "dcterms.issued", "dc.date",
              "dcterms.created", "sailthru.date", "parsely-pub-date")
_ISO_DATE = re.compile(r"(?<!\s)\s*+(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d])")
_MAX_JSON_CHARS = 200_000


def _as_date(value: object) -> date | None:
    """The calendar date at the start of an ISO 8601 value (``2024-10-18``,
    ``2024-10-18T07:30:00+03:00``): the publisher's own date, whatever the zone."""
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if m is None:
        return None
    try:
        found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return found if found.year >= 1900 else None


def _json_published(data: str) -> date | None:
    """``datePublished`` anywhere in a JSON-LD block (an object, a list, an ``@graph``)."""
    try:
        tree = json.loads(data[:_MAX_JSON_CHARS])
    except (ValueError, RecursionError):
        return None
    stack = [tree]
    while stack:  # depth-first without recursion: a hostile page may nest deeply
        node = stack.pop()
        if isinstance(node, dict):
            found = _as_date(node.get("datePublished"))
            if found is not None:
                return found
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return None


_PAGE_KEYS = ("og:url", "og:site_name", "og:title")


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What a saved page says about itself: when it was published (:func:`published_date`),
    its address (an http(s) canonical link, else ``og:url``), its outlet (``og:site_name``) and its
    headline (``og:title``, else ``<title>``); "" where it says nothing."""

    published: date | None
    url: str
    site: str
    title: str


def page_facts(markup: str) -> PageFacts:
    """The page's :class:`PageFacts`, read in one pass over its elements: the publication
    date by kind (meta tags first, then ``itemprop``, JSON-LD, the first ``<time>``) and its
    address, outlet and headline (the first of each)."""
    root = _document(markup)
    meta: dict[str, date] = {}
    itemprop = json_ld = first_time = None
    facts: dict[str, str] = {}
    for element in root.iter() if root is not None else ():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag
        a = {str(k).lower(): (v or "") for k, v in element.attrib.items()}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
            found = _as_date(a.get("content"))
            if key in _META_KEYS and found is not None:
                meta.setdefault(key, found)
            if key in _PAGE_KEYS and a.get("content", "").strip():
                facts.setdefault(key, a["content"].strip())
        if tag == "link" and "canonical" in a.get("rel", "").lower().split():
            facts.setdefault("canonical", a.get("href", "").strip())
        if tag == "title" and "title" not in facts:
            facts["title"] = element.text_content()
        if a.get("itemprop", "").strip() == "datePublished" and itemprop is None:
            itemprop = _as_date(a.get("content") or a.get("datetime"))
        if tag == "time" and first_time is None:
            first_time = _as_date(a.get("datetime"))
        if tag == "script" and a.get("type", "").strip().lower() == "application/ld+json" and json_ld is None:
            json_ld = _json_published(element.text or "")
    published = next((meta[key] for key in _META_KEYS if key in meta), None) or itemprop or json_ld or first_time
    # a relative canonical link ("/news/x") says less than an absolute og:url
    return PageFacts(published, safe_url(facts.get("canonical", "")) or facts.get("og:url", ""),
                     facts.get("og:site_name", ""), facts.get("og:title") or facts.get("title", ""))


def published_date(markup: str) -> date | None:
    """When an HTML page says it was published, from its metadata:
    ``<meta property="article:published_time">`` and the like, ``itemprop="datePublished"``,
    JSON-LD ``datePublished``, else the first ``<time datetime>``. ``None`` when it says nothing
    usable (a value that is not an ISO date is ignored)."""
    return page_facts(markup).published
