"""Name keys: the one normalisation shared by the gazetteer index, the recogniser and the geocoder.

Conflict reporting spells one place many ways: "Aita ech Chaab", "Ayta ash Shab" and
"Aïta al-Shaab"; "Deir ez-Zor" and "Dayr az Zawr"; "Kharkiv" and "Kharkov"; "عيتا الشعب".
Three keys of decreasing strictness let lookups be exact first and forgiving only when
nothing exact exists:

* :func:`key`: case, accents, apostrophes, ʿayn marks and punctuation folded; Latin,
  Arabic-script and Cyrillic letters kept ("Ma'an" -> "maan", "الرمادي" -> "الرمادي").
* :func:`article_free`: article and particle spellings made one ("ech", "ash", "el" and
  "al" dropped; "dayr"/"dair" -> "deir", "tall"/"tel" -> "tal", "kfar" -> "kafr", "ayn" ->
  "ain" …), so "Deir ez-Zor" and "Dayr az-Zor" share a key.
* :func:`skeleton`: consonants only, after folding the transliteration habits that differ
  between French, English and scholarly spellings (ch/sh, ou/u, q/k, kh/k, final -ah),
  so "Chaab"/"Shab"/"Shaab" and "Kharkiv"/"Kharkov" meet. Only a last resort: callers
  confirm a skeleton hit with :func:`similar`.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

__all__ = ["key", "article_free", "skeleton", "similar", "is_latin", "indexable", "bare_particle", "ARTICLES"]

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc\u02bb\u02be\u02bf\u02b9\u02ca'`\u00b4\u0060]")
_NON_WORD = re.compile(r"[\W_]+")
# letters NFKD does not decompose, and Arabic/Persian letter variants written interchangeably
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ß": "ss", "æ": "ae",
                       "œ": "oe", "þ": "th", "ŋ": "n", "ə": "a", "ʻ": "", "ʿ": "", "ʾ": "",
                       "\u0640": "", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه", "ٱ": "ا",
                       "ё": "е", "ґ": "г"})

# Articles: dropped from the loose key. Sun-letter assimilations ("ash-", "ad-", "ech"…) included.
ARTICLES = frozenset({"al", "el", "il", "ul", "ad", "ar", "as", "at", "az", "an", "ash", "adh", "ath", "aj",
                      "ez", "es", "ed", "et", "er", "en", "ech", "esh", "ej", "eth", "edh", "l",
                      "ال"})
# Particles that start Arabic, Persian and Kurdish place names, each spelling -> one form.
_PARTICLES = {
    **dict.fromkeys(("ain", "ayn", "ein", "ayin", "aïn", "aain", "aayn", "ayun", "ayoun", "ayoun"), "ain"),
    **dict.fromkeys(("deir", "dayr", "dair", "deyr", "dier"), "deir"),
    **dict.fromkeys(("tal", "tall", "tel", "tell", "til"), "tal"),
    **dict.fromkeys(("kafr", "kfar", "kafar", "kfr", "kefr"), "kafr"),
    **dict.fromkeys(("beit", "bayt", "beyt", "bait", "bet", "bayt"), "beit"),
    **dict.fromkeys(("khirbet", "khirbat", "khirba", "kherbet", "khirbit", "khurbat", "kherbat"), "khirbet"),
    **dict.fromkeys(("jabal", "jebel", "jbel", "jabel", "djebel", "jebal"), "jabal"),
    **dict.fromkeys(("wadi", "wady", "ouadi", "oued", "wad"), "wadi"),
    **dict.fromkeys(("ras", "raas", "rass"), "ras"),
    **dict.fromkeys(("qasr", "kasr", "qsar", "ksar"), "qasr"),
    **dict.fromkeys(("bir", "bi'r", "beer", "bi r", "bier"), "bir"),
    **dict.fromkeys(("nahr", "nahar", "nehr"), "nahr"),
    **dict.fromkeys(("sheikh", "shaykh", "shaikh", "sheik", "cheikh", "shekh", "sheykh", "shiekh"), "sheikh"),
    **dict.fromkeys(("umm", "um", "om", "oum", "omm"), "umm"),
    **dict.fromkeys(("abu", "abou", "bou", "abo"), "abu"),
    **dict.fromkeys(("ibn", "bin", "ben"), "bin"),
    **dict.fromkeys(("qal'at", "qalat", "qalaat", "kalaat", "qalaa", "qalaah"), "qalat"),
    **dict.fromkeys(("hay", "hayy", "hai"), "hay"),
    **dict.fromkeys(("sayyidah", "sayyida", "saida", "sayida"), "sayyida"),
}
_PARTICLE_FORMS = frozenset(_PARTICLES.values())
_DIGRAPHS = (("sch", "sh"), ("ch", "sh"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("kh", "k"), ("gh", "g"),
             ("dh", "d"), ("th", "t"), ("ph", "f"), ("q", "k"), ("c", "k"), ("dj", "j"), ("dzh", "j"),
             ("zh", "j"), ("ts", "z"), ("x", "ks"))
_VOWELS = re.compile(r"[aeiouyw]")  # w and y are glides in transliteration: "Huwayjah" = "Hawija"
_DOUBLES = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")


@functools.lru_cache(maxsize=1 << 17)
def key(name: str) -> str:
    """Lower-case words separated by single spaces; marks, apostrophes and punctuation gone."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", name).lower().translate(_FOLD))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain.translate(_FOLD)).strip()


@functools.lru_cache(maxsize=1 << 16)
def article_free(k: str) -> str:
    """``k`` with articles dropped, particles in one spelling, doubled letters single and a
    final -ah/-eh as -a/-e ("Ein Issa" = "'Ayn 'Isa", "Sawwanah" = "Sawana"); ``k`` when
    nothing else is left.

    An Arabic-script article is written joined ("الرمادي"): it is cut from the word."""
    words = []
    for w in k.split():
        if w in ARTICLES:
            continue
        if w.startswith("ال") and len(w) > 3:
            w = w[2:]
        w = _PARTICLES.get(w, w)
        if w not in _PARTICLE_FORMS:
            w = _FINAL_H.sub("", _DOUBLES.sub(r"\1", w)) if len(w) > 3 else _DOUBLES.sub(r"\1", w)
        words.append(w)
    return " ".join(words) if words else k


def bare_particle(free: str) -> bool:
    """An article-free key that is only a particle ("tal", "deir", "ain"): too little to
    match a place loosely ("Tal Qasr" is not "At Tall")."""
    return free in _PARTICLE_FORMS


@functools.lru_cache(maxsize=1 << 15)
def skeleton(k: str) -> str:
    """Consonant skeleton of ``article_free(k)``, without spaces ("Jalal Abad" = "Jalalabad");
    Latin keys only, others are returned loose."""
    free = article_free(k)
    if not free.isascii():
        return free
    out = []
    for word in free.split():
        word = _FINAL_H.sub("", word)
        for a, b in _DIGRAPHS:
            word = word.replace(a, b)
        word = _DOUBLES.sub(r"\1", _VOWELS.sub("", word))
        out.append(word)
    return "".join(out)


def similar(a: str, b: str, threshold: float = 0.72) -> bool:
    """Two keys spell one name closely enough to trust a skeleton match ("Ghouta" is not "Guwahati")."""
    fa, fb = article_free(a), article_free(b)
    matcher = difflib.SequenceMatcher(None, fa, fb)
    return matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold and \
        matcher.ratio() >= threshold


def is_latin(name: str) -> bool:
    """True when a name is written in Latin script."""
    return bool(name) and all(ord(ch) < 0x250 or unicodedata.combining(ch) or 0x1E00 <= ord(ch) < 0x1F00
                              or ch in "\u02bb\u02bc\u02be\u02bf\u2018\u2019" for ch in name)


_INDEXED_SCRIPTS = re.compile(r"^[\s\-\u0600-\u06FF\u0750-\u077F\u0400-\u04FF\u0590-\u05FF'\u2019.()]+$")


def indexable(name: str) -> bool:
    """Alternate names worth indexing: Latin, Arabic-script (Arabic, Persian, Pashto,
    Kurdish), Cyrillic and Hebrew. Other scripts on small villages are mostly
    machine-copied translations of a namesake and only add false matches."""
    return is_latin(name) or bool(_INDEXED_SCRIPTS.match(name))
