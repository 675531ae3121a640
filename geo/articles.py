"""Article text from what analysts paste or upload: plain text, or an HTML page.

HTML is reduced to its visible text with the standard library's tolerant parser
(scripts, styles and other non-content elements dropped), so a saved page never
brings markup, let alone script, into the app.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["MAX_ARTICLE_BYTES", "ArticleError", "html_to_text", "decode_upload", "highlight_html"]

MAX_ARTICLE_BYTES = 2 * 1024 * 1024
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote"}


class ArticleError(ValueError):
    """An upload that cannot be read as an article (size, encoding, type)."""


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def decode_upload(raw: bytes, name: str) -> str:
    """Text of an uploaded ``.txt`` or ``.html`` article; ``ArticleError`` names the problem."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{name}: {len(raw) / 1e6:.1f} MB is over the {MAX_ARTICLE_BYTES // 2**20} MB article limit")
    if b"\x00" in raw[:4096]:
        raise ArticleError(f"{name}: looks like a binary file, not text or HTML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{name}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    lowered = name.lower()
    if lowered.endswith((".html", ".htm")) or re.match(r"\s*<(!doctype|html)", text[:200], re.IGNORECASE):
        return html_to_text(text)
    return text


def highlight_html(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """``text`` as escaped HTML with ``<mark>`` around each (start, end, role, label) span.

    Every piece of the article and every label is escaped; only the tags written here are
    markup. Overlapping spans keep the first.
    """
    from html import escape

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
