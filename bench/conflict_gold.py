"""Which conflict-set rows can score the group and the toll, and what counts as right.

The rules of ``../shared/eval/conflict/README.md`` ("How to score the actor and toll"),
written down once so that :mod:`conflict` applies them the same way to ``tune`` and
``report`` rows. They read the provider's columns and the row's text only, never the
parser's output, so the row sets do not depend on the parser. The force words, the
toll phrases and the mismatch rule were written on ``tune`` rows; ``report`` rows were
not opened.

**Group.** Every provider name gets a fixed set of aliases (:func:`aliases`):

* the name itself, split on ``" and/or "`` (one ACLED actor names two groups);
* the name without its parentheses. ACLED's parentheses hold years, a country tag or a
  faction label (``(2000-)``, ``(Syria)``, ``(West Africa)``) and are dropped; in GTD
  names (and register names) the words inside a parenthesis that is not a country are an
  alias as well (``ISIL``, ``Ansar Allah``, ``YPG``);
* ``ACRONYM: Full name`` gives both parts (``JNIM``, ``QSD``); when both parts have the
  same number of ``/``-separated pieces and every piece of the full name has two words or
  more, each piece too (``KIO``, ``Kachin Independence Army``);
* ``Military Forces of X`` / ``Police Forces of X`` (with or without a unit after the
  years): the nationality adjective of X followed by a force word ("Russian forces",
  "Turkish army", "Nigerian police"); adjectives come from :data:`NATIONALITY`. Not for
  ``Military Forces of Yemen (2016-) Supreme Political Council``: the README names it as
  the Houthis, who are not "Yemeni forces";
* the singular of a plural last word ("Fulani extremist", "Maoist", "Rioter");
* the README's short list of well-known aliases (:data:`WELL_KNOWN`), matched as a prefix
  of the provider's name so that units inherit them.

A row counts for the group figure when one of these aliases occurs in its text
(:func:`named_in`): whole words; case-insensitive except for acronyms (an alias with no
lower-case letter, so ``IS`` does not match "is"); a hyphen and a space are the same
separator, curly and straight apostrophes the same. ACLED ``Unidentified …`` actors and
GTD ``Unknown`` are not names: they form their own class (:func:`generic_actor`).

A prediction is right when one of the parser's names (its group, plus that group's
aliases in ``data/groups.csv`` when the register has it) equals one of the provider
name's aliases after :func:`norm` (case, apostrophes, hyphens, spaces).

**Toll.** :func:`toll_kind` reads the text for a number of dead (or injured): a number
in digits or words next to a death word, "killing 3", "3 fatalities", "fatalities coded
as 3", or an explicit none ("There were no casualties." → 0). ``"singular"`` marks a
single victim described without a number ("killed a civilian", "the assailant was
killed"); whether that counts as 1 was decided on ``tune`` (:data:`SINGULAR_COUNTS`): the
gold is 1 on 27 of 27 such ACLED rows and 35 of 36 GTD rows (injured: 17 of 18), so it
does. A number counts when it stands up to six words before a death (injury) word in the
same sentence with no other number, no word of the other kind and no ``;`` between
(asides in brackets and ", including …," skipped), or right after a verb-first form with
only words like "at least" between; years, dates, clock times, measures and "one of two
…" are not counts. The row filter only asks whether the text gives a toll; it does not
try to add parts or pick the low end of a range, and it never looks at the parser.
:func:`known_mismatch` is the ``tune``-written rule that drops texts whose gold is known
not to be the number in the text (split totals, "coded as", totals across attacks).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["NATIONALITY", "SINGULAR_COUNTS", "WELL_KNOWN", "aliases", "generic_actor", "gold_names",
           "known_mismatch", "named_in", "norm", "predicted_names", "register_aliases", "split_actors",
           "toll_kind", "toll_value"]

ROOT = Path(__file__).resolve().parent.parent
GROUPS_CSV = ROOT / "data" / "groups.csv"

# ----------------------------------------------------------------- group: aliases

# Nationality adjectives for the X of ACLED's "Military/Police Forces of X" (every X in the
# dev and training rows). Several where news uses more than one.
NATIONALITY: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("Afghan",), "Algeria": ("Algerian",), "Argentina": ("Argentine", "Argentinian"),
    "Armenia": ("Armenian",), "Artsakh": ("Artsakh", "Karabakh"), "Australia": ("Australian",),
    "Austria": ("Austrian",), "Azerbaijan": ("Azerbaijani", "Azeri"), "Bangladesh": ("Bangladeshi",),
    "Belarus": ("Belarusian",), "Benin": ("Beninese",), "Brazil": ("Brazilian",),
    "Burkina Faso": ("Burkinabe", "Burkinabè"), "Burundi": ("Burundian",), "Cameroon": ("Cameroonian",),
    "Central African Republic": ("Central African",), "Chad": ("Chadian",), "Chile": ("Chilean",),
    "China": ("Chinese",), "Colombia": ("Colombian",), "Cuba": ("Cuban",),
    "Democratic Republic of Congo": ("Congolese",), "Djibouti": ("Djiboutian",), "Dominican Republic": ("Dominican",),
    "Ecuador": ("Ecuadorian",), "Egypt": ("Egyptian",), "El Salvador": ("Salvadoran", "Salvadorian"),
    "Ethiopia": ("Ethiopian",), "Finland": ("Finnish",), "France": ("French",), "Germany": ("German",),
    "Ghana": ("Ghanaian",), "Greece": ("Greek",), "Guatemala": ("Guatemalan",), "Guinea": ("Guinean",),
    "Haiti": ("Haitian",), "Honduras": ("Honduran",), "India": ("Indian",), "Indonesia": ("Indonesian",),
    "Iran": ("Iranian",), "Iraq": ("Iraqi",), "Israel": ("Israeli",), "Italy": ("Italian",),
    "Jamaica": ("Jamaican",), "Jubaland": ("Jubaland",), "Kazakhstan": ("Kazakh", "Kazakhstani"),
    "Kenya": ("Kenyan",), "Kyrgyzstan": ("Kyrgyz",), "Lebanon": ("Lebanese",), "Libya": ("Libyan",),
    "Madagascar": ("Malagasy",), "Malawi": ("Malawian",), "Mali": ("Malian",), "Mexico": ("Mexican",),
    "Morocco": ("Moroccan",), "Mozambique": ("Mozambican",), "Myanmar": ("Myanmar", "Burmese"),
    "Nepal": ("Nepali", "Nepalese"), "Netherlands": ("Dutch",), "Nicaragua": ("Nicaraguan",),
    "Niger": ("Nigerien",), "Nigeria": ("Nigerian",), "North Korea": ("North Korean",),
    "Pakistan": ("Pakistani",), "Palestine": ("Palestinian",), "Panama": ("Panamanian",),
    "Papua New Guinea": ("Papua New Guinean",), "Peru": ("Peruvian",), "Philippines": ("Philippine", "Filipino"),
    "Poland": ("Polish",), "Puntland": ("Puntland",), "Russia": ("Russian",), "Rwanda": ("Rwandan",),
    "Saudi Arabia": ("Saudi",), "Senegal": ("Senegalese",), "Somalia": ("Somali",),
    "South Africa": ("South African",), "South Sudan": ("South Sudanese",), "Sri Lanka": ("Sri Lankan",),
    "Sudan": ("Sudanese",), "Sweden": ("Swedish",), "Syria": ("Syrian",), "Taiwan": ("Taiwanese",),
    "Tajikistan": ("Tajik",), "Tanzania": ("Tanzanian",), "Thailand": ("Thai",), "Tunisia": ("Tunisian",),
    "Turkey": ("Turkish",), "Turkmenistan": ("Turkmen",), "Uganda": ("Ugandan",), "Ukraine": ("Ukrainian",),
    "United Kingdom": ("British", "UK"), "United States": ("American", "US", "U.S."),
    "Uzbekistan": ("Uzbek",), "Venezuela": ("Venezuelan",), "Yemen": ("Yemeni",), "Zambia": ("Zambian",),
    "Zimbabwe": ("Zimbabwean",), "eSwatini": ("Swazi",),
}

# Force words after the adjective ("Turkish army warplanes" contains "Turkish army"); written
# on tune rows ("Iraqi airstrikes", "Turkish artillery", "Iraqi border guards", "Russian soldier").
MILITARY_WORDS = ("forces", "force", "army", "military", "troops", "soldiers", "soldier", "servicemen",
                  "serviceman", "armed forces", "security forces", "government forces", "land forces",
                  "special forces", "air force", "navy", "marines", "border guards", "border guard",
                  "warplanes", "warplane", "jets", "aircraft", "helicopters", "helicopter", "drones", "drone",
                  "airstrikes", "airstrike", "air strikes", "air strike", "artillery", "gunboats")
POLICE_WORDS = ("police", "policemen", "policeman", "police officers", "police officer", "police forces",
                "police force", "security forces", "forces", "border guards", "border guard")

# The README's short list of names the notes use that the providers' names do not contain;
# the key is matched as a prefix of the provider's name.
WELL_KNOWN: dict[str, tuple[str, ...]] = {
    "Military Forces of Afghanistan (2021-)": ("Taliban",),
    "Military Forces of Yemen (2016-) Supreme Political Council": ("Houthis", "Houthi", "Huthis", "Huthi"),
    "Military Forces of Yemen (2012-)": ("pro-Hadi forces", "pro-Hadi", "IRG forces", "IRG"),
    "Operation Restoring Hope": ("Saudi-led coalition",),
    "Operation Peace Spring": ("OPS",),
    "Military Forces of Syria (2000-)": ("regime forces", "Syrian regime forces"),
    "Rioters (Israel)": ("Israeli settlers", "Israeli settler", "settlers", "settler"),
}

# Actors that the README says are not the state's forces although named as such.
NO_NATIONALITY = ("Military Forces of Yemen (2016-) Supreme Political Council",)

_STATE = re.compile(r"^(Military|Police) Forces of (?:the )?(.+?)(?: \(|$)")
_PAREN = re.compile(r"\s*\(([^()]*)\)")
_YEARS = re.compile(r"^[\d\s\-–/]+$")
_COUNTRY_TAGS = frozenset(NATIONALITY) | {
    "International", "Democratic Republic of the Congo", "Congo", "the Democratic Republic of Congo",
    "West Bank and Gaza Strip", "Gaza", "Zaire",
}


def split_actors(value: str) -> list[str]:
    """One provider cell as actor names: associates are joined with ``"; "``."""
    return [part.strip() for part in value.split(";") if part.strip()]


def _is_country_tag(inside: str) -> bool:
    return bool(_YEARS.match(inside)) or inside in _COUNTRY_TAGS


def _singular(name: str) -> str | None:
    head, _, last = name.rpartition(" ")
    if last.endswith("men") and len(last) > 4:
        word = last[:-3] + "man"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        word = last[:-1]
    else:
        return None
    return f"{head} {word}".strip()


def _acronym_parts(name: str) -> list[str]:
    """``ACRONYM: Full name`` → both parts, and the ``/`` pieces when they pair up."""
    if ": " not in name:
        return []
    short, full = (part.strip() for part in name.split(": ", 1))
    out = [short, full]
    shorts, fulls = short.split("/"), full.split("/")
    if len(shorts) > 1 and len(shorts) == len(fulls) and all(len(f.split()) >= 2 for f in fulls):
        out += [s.strip() for s in shorts] + [f.strip() for f in fulls]
    return out


@functools.lru_cache(maxsize=4096)
def aliases(name: str, provider: str) -> frozenset[str]:
    """The fixed alias set of a provider's actor name (``provider``: ``"ACLED"``, ``"GTD"`` or
    ``"register"``), as written forms; compare them with :func:`norm`."""
    out: set[str] = set()
    for one in (p.strip() for p in name.split(" and/or ")):
        if not one:
            continue
        forms = {one}
        bare = re.sub(r"\s+", " ", _PAREN.sub("", one)).strip()
        forms.add(bare)
        if provider != "ACLED":
            for inside in _PAREN.findall(one):
                inside = inside.strip()
                if inside and not _is_country_tag(inside):
                    forms.add(inside)
        for form in list(forms):
            forms.update(_acronym_parts(form))
        state = _STATE.match(one)
        if state and not any(one.startswith(k) for k in NO_NATIONALITY):
            words = MILITARY_WORDS if state.group(1) == "Military" else POLICE_WORDS
            for adj in NATIONALITY.get(state.group(2), ()):
                forms.update(f"{adj} {w}" for w in words)
        for key, extra in WELL_KNOWN.items():
            if one.startswith(key):
                forms.update(extra)
        for form in list(forms):
            single = _singular(form)
            if single:
                forms.add(single)
        out.update(f for f in forms if len(f) >= 2)
    return frozenset(out)


def generic_actor(name: str, provider: str) -> bool:
    """ACLED ``Unidentified …`` and GTD ``Unknown``: "no named group" is the right answer."""
    return name.startswith("Unidentified") if provider == "ACLED" else name.strip() == "Unknown"


def norm(name: str) -> str:
    """Case, apostrophes, hyphens and spacing folded, for comparing names."""
    name = name.replace("’", "'").replace("‘", "'").replace("`", "'")
    name = re.sub(r"[\s\-–]+", " ", name)
    return name.strip().casefold()


def _acronym(alias: str) -> bool:
    return not any(ch.islower() for ch in alias)


@functools.lru_cache(maxsize=8192)
def _alias_pattern(alias: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s\-–]+", alias.replace("’", "'")) if p]
    body = r"[\s\-–]+".join(parts)
    return re.compile(r"(?<![\w'])" + body + r"(?![\w])", 0 if _acronym(alias) else re.IGNORECASE)


def named_in(text: str, names: Iterable[str]) -> bool:
    """Does the text name one of these aliases (whole words; acronyms case-sensitive)?"""
    text = text.replace("’", "'")
    return any(_alias_pattern(a).search(text) for a in names)


@functools.lru_cache(maxsize=1)
def register_aliases(path: Path = GROUPS_CSV) -> dict[str, tuple[str, ...]]:
    """``data/groups.csv`` read directly: normalised canonical name or alias → every name of that actor."""
    out: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            names = (row["canonical"], *[a.strip() for a in row["aliases"].split("|") if a.strip()])
            out.setdefault(norm(row["canonical"]), names)
    return out


def predicted_names(group: str) -> frozenset[str]:
    """The parser's group and, when the register knows it, the register's aliases of it (normalised)."""
    if not group.strip():
        return frozenset()
    names = register_aliases().get(norm(group), (group,))
    return frozenset(norm(n) for n in (group, *names))


def gold_names(actor_names: Iterable[str], provider: str) -> frozenset[str]:
    """Normalised aliases of several provider names (generic ones left out)."""
    return frozenset(norm(a) for name in actor_names if name and not generic_actor(name, provider)
                     for a in aliases(name, provider))


# ----------------------------------------------------------------- toll

_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety").split()
WORD_VALUE = {w: i + 1 for i, w in enumerate(_WORDS[:20])} | {w: 30 + 10 * i for i, w in enumerate(_WORDS[20:])}
_WORD_NUM = (r"\b(?:" + "|".join(_WORDS) + r")(?:[\s-](?:" + "|".join(_WORDS[:9]) + r"))?(?:\s+hundred)?\b")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_NUM = re.compile(r"(?<![\w.,\-/])(?:\d{1,3}(?:,\d{3})+|\d+)(?![\w:%/]|[.,]\d|\s*(?:am|pm|a\.m|p\.m|km|mm|kilomet|"
                  r"miles|met(?:er|re)s|hours|minutes|households|years?-old)\b)|" + _WORD_NUM, re.IGNORECASE)
_NOT_COUNT_AFTER = re.compile(r"\s*(?:" + _MONTHS + r")\b|\s*(?:st|nd|rd|th)\b", re.IGNORECASE)
_ONE_NOT_COUNT = re.compile(r"\s*(?:of\s+(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)\b|another\b)",
                            re.IGNORECASE)  # "one of two related attacks", "one another"
_NOT_COUNT_BEFORE = re.compile(r"(?:\b(?:" + _MONTHS + r")|\bno|\beach|\bDivision|\bBrigade|\bDistrict|\bPD|"
                               r"\bUnit)\s*$", re.IGNORECASE)

_DEATH = re.compile(r"\b(?:killed|killing|kills|kill|dead|died|dies|deaths?|fatalit(?:y|ies)|perished|executed|"
                    r"beheaded|massacred|bodies|lost\s+(?:their|his|her)\s+lives?|death\s+toll)\b", re.IGNORECASE)
_INJURY = re.compile(r"\b(?:injured|injuring|injures|injure|injuries|injury|wounded|wounding|wounds|hurt|"
                     r"casualties\s+among\s+the\s+wounded)\b", re.IGNORECASE)
# Words that may stand between a killing word and its number ("killing at least 3", "fatalities coded as 3").
_BRIDGE = frozenset(("at least about some around nearly over more than a total of an estimated approximately up to as "
                     "coded between almost roughly another additional rose reached stood at was were is of "
                     "further other").split())
_VERB_FIRST = re.compile(r"^(?:killed|killing|kills|kill|fatalit(?:y|ies)|deaths?|death\s+toll|executed|"
                         r"beheaded|massacred|injured|injuring|injures|wounded|wounding|injuries)$", re.IGNORECASE)

_NONE_DEAD = re.compile(
    r"\bno\s+(?:(?:reported|other|immediate|known)\s+)?(?:casualties|fatalities|deaths|dead|one\s+(?:was\s+)?killed|"
    r"injuries\s+or\s+fatalities|injuries\s+or\s+deaths|injuries\s+nor\s+fatalities)\b|"
    r"\b(?:no\s+one|nobody|none)\s+(?:was|were)\s+(?:killed|hurt\s+or\s+killed|injured\s+or\s+killed)\b|"
    r"\bfatalities\s+nor\s+injuries\b|\bwithout\s+(?:any\s+)?casualties\b|\bcaused\s+no\s+casualties\b",
    re.IGNORECASE)
_NONE_INJURED = re.compile(
    r"\bno\s+(?:(?:reported|other|immediate|known)\s+)?(?:casualties|injuries|injured|one\s+(?:was\s+)?(?:injured|hurt)|"
    r"fatalities\s+(?:or|nor)\s+injuries|injuries\s+or\s+fatalities|injuries\s+nor\s+fatalities)\b|"
    r"\b(?:no\s+one|nobody|none)\s+(?:was|were)\s+(?:injured|hurt|wounded)\b|"
    r"\bwithout\s+(?:any\s+)?casualties\b|\bcaused\s+no\s+casualties\b",
    re.IGNORECASE)

_SINGULAR_DEAD = re.compile(
    r"\b(?:killed|killing|kills|kill|shot\s+dead|executed|beheaded|assassinated|assassinating)\s+(?:a|an|one)\s+\w|"
    r"\b(?:killed|killing|shot\s+dead)\s+the\s+(?:[\w'-]+\s+){0,3}?[\w'-]*[^s\W](?=\s*(?:[,.;]|$|\b(?:in|at|on|near|and|"
    r"while|during|who|after|with|from|by|as)\b))|"
    r"\b(?:shot|stabbed|attacked)\s+and\s+killed\s+(?:[A-Z]|(?:his|her)\b)|"
    r"\b(?:was|is|has\s+been|had\s+been)\s+(?:shot\s+and\s+)?(?:killed|shot\s+dead|found\s+dead|confirmed\s+dead|"
    r"executed|beheaded|assassinated)\b|\b(?:he|she)\s+died\b|\bdied\s+of\s+(?:his|her)\b")
_SINGULAR_INJURED = re.compile(
    r"\b(?:injured|injuring|wounded|wounding)\s+(?:a|an|one|his|her)\s+\w|"
    r"\b(?:was|has\s+been|had\s+been)\s+(?:shot\s+and\s+)?(?:injured|wounded|hurt)\b",
    re.IGNORECASE)

# Asides skipped between a number and its word: "(likely JNIM militants)", ", including the district chief,".
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|,\s*including\b[^,]*,")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[\[A-Z0-9\"'(])")

# Decided on tune (module docstring): a single victim in the singular counts as 1.
SINGULAR_COUNTS = True


def _value(token: str) -> int:
    t = token.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    parts = re.split(r"[\s-]+", t)
    n = 0
    for p in parts:
        if p == "hundred":
            n = max(n, 1) * 100
        else:
            n += WORD_VALUE.get(p, 0)
    return n


def _numbers(sentence: str) -> list[re.Match[str]]:
    out = []
    for m in _NUM.finditer(sentence):
        tok = m.group()
        if tok.isdigit() and len(tok) == 4 and tok.startswith(("19", "20")):
            continue  # a year
        if _NOT_COUNT_AFTER.match(sentence, m.end()) or _NOT_COUNT_BEFORE.search(sentence[:m.start()]):
            continue
        if tok.lower() == "one" and _ONE_NOT_COUNT.match(sentence, m.end()):
            continue
        out.append(m)
    return out


def _owned_by(before: str, other: re.Pattern[str]) -> bool:
    """Is the number right after the other kind's verb ("injuring at least 4 and killing …")?"""
    words = before.split()
    while words and words[-1].lower() in _BRIDGE:
        words.pop()
    return bool(words) and bool(other.fullmatch(words[-1].lower()))


def _counts(text: str, word: re.Pattern[str], other: re.Pattern[str]) -> list[int]:
    """Numbers the text ties to ``word`` (death or injury words): a number up to six words before
    it with no other number and no ``other`` word between, or right after a verb-first form
    ("killing at least 3", "fatalities coded as 3")."""
    found: list[int] = []
    for sentence in _SENTENCE.split(text):
        nums = _numbers(sentence)
        for w in word.finditer(sentence):
            before = [n for n in nums if n.end() <= w.start()]
            if before:
                n = before[-1]
                gap = _PARENTHETICAL.sub(" ", sentence[n.end():w.start()])
                if (len(gap.split()) <= 6 and not other.search(gap) and not re.search(r"[;:]", gap)
                        and not _owned_by(sentence[:n.start()], other)):
                    found.append(_value(n.group()))
                    continue
            if _VERB_FIRST.match(re.sub(r"\s+", " ", w.group())):
                after = [n for n in nums if n.start() >= w.end()]
                if after:
                    n = after[0]
                    gap_words = sentence[w.end():n.start()].replace(",", " ").split()
                    if len(gap_words) <= 4 and all(g.lower() in _BRIDGE for g in gap_words):
                        found.append(_value(n.group()))
    return found


def toll_kind(text: str, what: str = "killed") -> str | None:
    """``"number"``, ``"none"``, ``"singular"`` or ``None`` (the text gives no toll) for the dead
    (``what="killed"``) or the injured (``what="injured"``)."""
    if what == "killed":
        word, other, none, single = _DEATH, _INJURY, _NONE_DEAD, _SINGULAR_DEAD
    else:
        word, other, none, single = _INJURY, _DEATH, _NONE_INJURED, _SINGULAR_INJURED
    if _counts(text, word, other):
        return "number"
    if none.search(text):
        return "none"
    if single.search(text):
        return "singular"
    return None


def toll_value(text: str, what: str = "killed") -> list[int]:
    """The numbers :func:`toll_kind` found (for ``--errors`` and the mismatch check on tune)."""
    if what == "killed":
        return _counts(text, _DEATH, _INJURY)
    return _counts(text, _INJURY, _DEATH)


# Known mismatches between the text's number and the gold, written on tune rows: ACLED's
# split totals and coder's notes ("split", "coded as"); totals "across" several attacks;
# GTD's parts of a multi-part attack ("one of three related attacks"), whose summary often
# gives the whole attack's toll; GTD's dead perpetrators counted in nkill ("In addition
# to the assailant, 20 civilians were killed" is coded 21).
_MISMATCH = re.compile(
    r"\bsplit\b|\bcoded\s+as\b|\bacross\b|"
    r"\bone\s+of\s+(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:attacks|incidents|raids|bombings|assaults|explosions|blasts)\b|"
    r"\bin\s+addition\s+to\s+(?:the|an?|one|two|three|four|five|\d+)\s+(?:[\w-]+\s+)?(?:assailants?|attackers?|bombers?)\b",
    re.IGNORECASE)


def known_mismatch(text: str) -> bool:
    """The ``tune``-written rule: the gold is known not to be the text's own number here."""
    return bool(_MISMATCH.search(text))
