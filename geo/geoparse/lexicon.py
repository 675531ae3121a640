"""Word lists of the geoparser, read from ``data/lexicon/<language>/<name>.txt``.

Why data files: the rules are language-independent code, the words are not. A new
language is a new folder of the same files plus tests, not an edit of the parser. A file
holds one entry per line (an entry may have several words); ``#`` starts a comment.
Entries are plain text, never regular expressions: :func:`alternation` escapes them.
"""

from __future__ import annotations

import functools
import re

from geo import settings

__all__ = ["LEXICON_DIR", "words", "alternation", "mapping", "pairs"]

LEXICON_DIR = settings.DATA_DIR / "lexicon"
LANGUAGE = "en"


@functools.cache
def _entries(name: str, language: str = LANGUAGE) -> tuple[str, ...]:
    path = LEXICON_DIR / language / f"{name}.txt"
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            out.append(" ".join(entry.split()))
    return tuple(out)


def words(name: str, language: str = LANGUAGE) -> frozenset[str]:
    """The entries of one list, lower-cased, for membership tests."""
    return frozenset(e.lower() for e in _entries(name, language))


def alternation(name: str, language: str = LANGUAGE) -> str:
    """A regex group matching any entry (longest first, spaces as ``\\s+``), for use
    between word boundaries."""
    parts = sorted(_entries(name, language), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


def pairs(name: str, language: str = LANGUAGE) -> list[tuple[str, str]]:
    """``key = value`` entries as written (case kept: "Iraqi" is a demonym, "iraqi" is not)."""
    out = []
    for entry in _entries(name, language):
        key, _, value = entry.partition("=")
        out.append((key.strip(), value.strip()))
    return out


def mapping(name: str, language: str = LANGUAGE) -> dict[str, str]:
    """``key = value`` entries with lower-cased keys (for example number words and their values)."""
    return {key.lower(): value for key, value in pairs(name, language)}
