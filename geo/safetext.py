"""Untrusted text made safe: for Streamlit's Markdown messages, and for the store.

Text from users, uploaded files, link parameters and articles reaches the page through
``st.warning``, ``st.error``, ``st.caption``, widget labels and the like, which all render
Markdown (links, images, emphasis, code, HTML). :func:`markdown_literal` turns such text
into Markdown that shows exactly the characters typed: nothing becomes a link, an image
that the browser fetches, emphasis, code or a tag. Build a message from fixed Markdown and
escaped parts, never by escaping a message that already holds Markdown.

:func:`clean_text` removes the control characters (NUL and the rest) and the invisible
format characters (bidi overrides, zero-width spaces) that have no place in a stored record:
they break CSV and terminals, hide or reverse text and split one name into two.
"""

from __future__ import annotations

import re

__all__ = ["markdown_literal", "markdown_lines", "clean_text", "safe_url", "WORD_JOINER"]

# Every ASCII punctuation character may be escaped with a backslash in CommonMark, and an
# escaped one is always shown as itself: so escape all of them. That stops links, images,
# emphasis, code, Streamlit's ``:red[…]`` directives and emoji shortcodes, ``$…$`` maths
# and raw HTML (``\<img …\>``).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Escapes do not stop GitHub-style autolinks: Streamlit's renderer finds ``https://…``,
# ``www.…`` and ``name@host`` in the text *after* escapes are read, and makes them links.
# An invisible word joiner (U+2060) inside each pattern breaks it; the text looks the same.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=\\:)(?=\\/\\/)|(?<=[wW]{3})(?=\\\.)|(?=\\@)")
# C0 controls, DEL, C1 controls, lone surrogates (which cannot be stored as UTF-8), and the
# invisible format characters that change how text looks or compares without being seen: bidi
# embeddings, overrides and isolates (a legend shown reversed), the zero-width space and word
# joiner and the byte order mark ("Hez\u200bbollah" would be a second group). The zero-width
# (non-)joiners and the left-to-right and right-to-left marks stay: Persian, Arabic, Hebrew and
# Indic spellings need them, and they reverse nothing.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b\u202a-\u202e"
                      r"\u2060-\u2064\u2066-\u2069\ufeff]")
_TAB_NEWLINE = re.compile(r"[\t\n]")


def markdown_literal(text: object) -> str:
    """``text`` as Markdown that shows it verbatim, on one line: every ASCII punctuation
    character gets a backslash and runs of whitespace (newlines too) become one space, so
    ``[Log in](https://evil.example)``, ``![x](https://evil.example/p.png)``, ``*x*``,
    `` `x` ``, ``<b>`` or ``:red[x]`` show as typed, and a word joiner (:data:`WORD_JOINER`)
    keeps ``https://``, ``www.`` and ``@`` from becoming autolinks. Control characters are
    dropped."""
    plain = " ".join(clean_text(str(text)).split())
    return _AUTOLINK.sub(WORD_JOINER, _PUNCTUATION.sub(r"\\\1", plain))


def markdown_lines(lines: list[str] | tuple[str, ...]) -> str:
    """Several untrusted lines as one Markdown message, one line each (hard line breaks)."""
    return "  \n".join(markdown_literal(line) for line in lines)


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters. Tabs and newlines are kept when ``multiline``
    (a summary may have paragraphs; ``\\r\\n`` and ``\\r`` become ``\\n``); otherwise
    they become spaces, since a name or an id is one line."""
    if text.isprintable():  # the common case, checked in C: nothing to remove or replace
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text if multiline else _TAB_NEWLINE.sub(" ", text)


_HTTP_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) link, else "" (no ``javascript:`` or ``data:`` links)."""
    url = url.strip()
    return url if _HTTP_URL.fullmatch(url) else ""
