"""Sentences, headline and dateline of a news text.

The other field readers work per sentence: an event's place, date and toll come from the
sentences about that event, not from anywhere in the story. The headline and the dateline
("BEIRUT (Reuters) -") frame a story; their places are context unless the body says no
more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geo.geoparse import spans

__all__ = ["split", "index_of", "text_of", "framing"]

Span = tuple[int, int]

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*+\s++(?=[\"'\u201c(]?[A-Z0-9])|\n+")
_WORD_BEFORE = re.compile(r"(?<!\w)(\w++)\W*+$")  # a whole word: not retried from inside a long one
_NOT_ENDS = frozenset({"mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "sgt", "gov", "sen", "rep", "no", "jr",
                       "sr", "capt", "maj", "brig", "adm", "prof", "rev", "ft", "mt", "jan", "feb", "mar", "apr",
                       "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "inc", "corp"})
# "BEIRUT (Reuters) -", "GAZA CITY, Dec 3 (AP) —", "SANAA —": capitals, an optional agency, a dash
_DATELINE = re.compile(r"[A-Z][A-Z'.-]{1,30}(?: [A-Z][A-Z'.-]{1,30}){0,3}(?:,[^\n(]{1,40})?"
                       r"(?:\s\([A-Za-z][\w .&-]{0,30}\))?\s{0,3}[-\u2013\u2014:]\s")
_HEADLINE_WORDS = 25


def split(text: str) -> list[Span]:
    """(start, end) of each sentence; a full stop after an abbreviation ("Gen.", "U.S.",
    "Aug.") does not end one, and a line break always does."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            w = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
            if w and (w.group(1).lower() in _NOT_ENDS or len(w.group(1)) == 1 and w.group(1).isupper()):
                continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out or [(0, len(text))]


def index_of(sentences: Sequence[Span], pos: int) -> int:
    """The sentence that holds ``pos`` (a binary search: it is asked once per mention)."""
    return min(max(spans.at(sentences, pos), 0), len(sentences) - 1)


def text_of(text: str, sentences: Sequence[Span], pos: int) -> str:
    s, e = sentences[index_of(sentences, pos)]
    return text[s:e]


def framing(text: str) -> list[Span]:
    """Spans of the headline (a short first line without a closing full stop, followed by
    more text) and of a dateline at the start of the body."""
    out: list[Span] = []
    body = 0
    first = text.find("\n")
    head = text[:first].strip() if first > 0 else ""
    if head and text[first:].strip() and len(head.split()) <= _HEADLINE_WORDS and not head.endswith((".", "\"", "\u201d")):
        out.append((0, first))
        body = first + 1
    while body < len(text) and text[body].isspace():
        body += 1
    m = _DATELINE.match(text, body)
    if m:
        out.append((m.start(), m.end()))
    return out
