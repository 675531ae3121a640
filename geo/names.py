"""Name normalisation shared by the gazetteer, the geocoder and mention matching.

News English spells the same place many ways ("Al-Asad", "Ain al-Assad", "Irbil",
"Deir al-Zour"). Three keys of decreasing strictness let lookups be exact first and
forgiving only when nothing exact exists:

* ``key``: case, accents, apostrophes and punctuation folded ("Ma'an" -> "maan").
* ``article_free``: Arabic articles dropped ("al asad" -> "asad", "deir ez zor" -> "deir zor").
* ``skeleton``: also vowels and doubled letters dropped ("irbil"/"erbil"/"arbil" -> "rbl").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["key", "article_free", "skeleton", "is_latin"]

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc\u02bb\u02be\u02bf'`\u00b4]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "at", "az", "an", "ash", "adh", "ath", "ez", "es", "ed", "ul"})
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLES = re.compile(r"(.)\1+")


def key(name: str) -> str:
    """Lower-case ASCII words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", name))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", ascii_only.lower()).strip()


def article_free(k: str) -> str:
    """``k`` without Arabic article tokens; ``k`` itself when nothing else is left."""
    words = [w for w in k.split() if w not in ARTICLES]
    return " ".join(words) if words else k


def skeleton(k: str) -> str:
    """Consonant skeleton of ``article_free(k)``, for last-resort transliteration matches."""
    out = []
    for word in article_free(k).split():
        word = _DOUBLES.sub(r"\1", _VOWELS.sub("", word.replace("ou", "u")))
        out.append(word or "_")
    return " ".join(out)


def is_latin(name: str) -> bool:
    """True when a name is written in Latin script (alternate names in other scripts are skipped)."""
    return bool(name) and all(ord(ch) < 0x250 or unicodedata.combining(ch) for ch in name)
