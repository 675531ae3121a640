"""Recognition: find the place mentions (toponym spans) in English news text.

Why rules and not a tagger: the parser must run offline at hundreds of articles a second
per core, and the gazetteer already knows ~640k place names. So recognition is
gazetteer n-gram matching on capitalised token runs, and the work is in rejecting the
many English words and person names that are also place names somewhere ("Of" in
Turkey, "Police" in Poland, "Austin", "Hit"). The rules, cheapest first:

* only capitalised runs (plus Arabic-article "al-" starts and "of"/"de"-style connectors)
  are looked up, longest match first, with exact then article-free keys (no consonant
  skeletons: they turn "Monday" into "Manado");
* common English words, months and weekdays never match alone unless the place is big
  and written mid-sentence; a capitalised word that the same text also uses in lower
  case is a common word there;
* person cues: a title ("Mr.", "Secretary", "Gen.") or a known first name in front, a
  person name seen earlier in the document ("Lloyd Austin" ... "Austin"), "X said";
* single-word matches through a minor alternate name need a real-sized place;
* place names inside organisation names ("Islamic Resistance in Iraq", "The Washington
  Post") are kept as mentions (GeoWebNews annotates them, and they tell the resolver
  which country a story is about) but flagged ``in_organisation`` so they are never an
  event location;
* demonyms ("Iraqi", "Lebanese") are mentions of their country, ``kind == "demonym"``;
* compass qualifiers join the span ("western Iraq", "southern Lebanon"), ``kind ==
  "region"``: the place is the country, the precision a region.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from typing import NamedTuple

from geo.gazetteer import Gazetteer, Place, names
from geo.geoparse import lexicon
from geo.geoparse.demonyms import STATE_ABBREVIATIONS, area, demonym_place
from geo.geoparse.spans import SpanSet

__all__ = ["Mention", "Token", "find", "from_spans", "tokenize", "COMMON_WORDS"]


class Token(NamedTuple):
    """A word with offsets (a tuple: articles have thousands and dataclass init is slow)."""

    start: int
    end: int
    text: str
    key: str
    sentence_start: bool


@dataclass(frozen=True, slots=True)
class Mention:
    """A place mention: ``text[start:end]`` plus what recognition knows about it.

    ``candidates`` are gazetteer place indices (empty when the name is unknown);
    ``lookup`` is the name they were found under (the country for a demonym).
    """

    start: int
    end: int
    text: str
    lookup: str
    candidates: tuple[int, ...] = ()
    kind: str = "place"  # place | demonym | region
    qualifier: str = ""  # compass word for kind == "region"
    in_organisation: bool = False
    possessive: bool = False
    flags: frozenset[str] = field(default_factory=frozenset)


# ----------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_new_token = Token._make
_BREAKS = frozenset("\n!?:;\u201c\"\u2022|")


def tokenize(text: str) -> list[Token]:
    """Word tokens with their offsets; possessive "'s" is cut off ("Iraq's" -> "Iraq").

    ``sentence_start`` marks tokens where English capitalises anyway (after a full stop
    that is not an abbreviation's, a line break, a colon or an opening quote)."""
    out: list[Token] = []
    append = out.append
    new, key_of, breaks, abbreviations = _new_token, _key, _BREAKS, _ABBREVIATIONS
    prev_end = -1
    prev = ""
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        word = m.group()
        end = e
        if word[-1] in "sS" and len(word) > 2 and word[-2] in "'\u2019":
            e -= 2
            word = word[:-2]
        if s == prev_end + 1 and text[prev_end] == " ":
            sentence_start = False
        else:
            gap = text[max(prev_end, 0):s]
            if prev_end < 0 or not breaks.isdisjoint(gap):
                sentence_start = True
            elif "." in gap:
                sentence_start = not (prev.lower() in abbreviations or len(prev) == 1 and prev.isupper())
            else:
                sentence_start = False
        append(new((s, e, word, word.lower() if word.isascii() and "'" not in word else key_of(word),
                    sentence_start)))
        prev_end = end
        prev = word
    return out


_ABBREVIATIONS = frozenset({"st", "ft", "mt", "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "sen",
                            "rep", "gov", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                            "nov", "dec", "no", "vs", "maj", "brig", "adm", "pres", "prof", "rev", "cpl", "pvt",
                            "cmdr", "gens", "reps", "sens"})


# ----------------------------------------------------------------- word lists (data/lexicon/en)

COMMON_WORDS = lexicon.words("common_words")

_MONTHS_DAYS = frozenset("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split())

_CONNECTORS = lexicon.words("name_connectors")
_ARTICLES = names.ARTICLES

_TITLES = lexicon.words("titles")

_FIRST_NAMES = lexicon.words("first_names")

_ORG_HEADS = lexicon.words("organisation_heads")

_COMPASS = lexicon.words("compass")

_SAID = lexicon.words("speech_verbs")

_LOCATIVE = lexicon.words("locatives")

MAX_WORDS = 7
_key = functools.lru_cache(maxsize=1 << 16)(names.key)


@functools.lru_cache(maxsize=1 << 17)
def place_of(gazetteer: Gazetteer, index: int) -> Place:
    """``place_of(gazetteer, index)``, cached: a name like "Washington" has dozens of
    candidates and each rule looks at them again."""
    return gazetteer.place(index)
_WEAPONS = lexicon.words("weapons")
_SITE_WORDS = lexicon.words("site_words")


def _capitalised(tok: Token) -> bool:
    c = tok.text[0]
    return c.isupper() or c.isdigit()


def find(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Every place mention in ``text``, in text order, non-overlapping."""
    tokens = tokenize(text)
    lower_words = {t.key for t in tokens if t.text[0].islower()}
    persons: set[str] = set()
    out: list[Mention] = []
    weak: list[Mention] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        first = tok.text[0]
        starts_article = tok.key in _ARTICLES and i + 1 < n and text[tok.end:tokens[i + 1].start] == "-"
        if not (first.isupper() or starts_article):
            i += 1
            continue
        # person cue in front: the capitalised run is a name; remember its parts
        if _person_before(tokens, i, text):
            j = i
            while j < n and (j == i or _joined(text, tokens[j - 1], tokens[j])) and (
                    _capitalised(tokens[j]) or tokens[j].key in _ARTICLES):
                persons.add(tokens[j].key)
                j += 1
            i = max(j, i + 1)
            continue
        special = _area_or_abbreviation(tokens, i, text, gazetteer)
        if special is not None:
            end = _index_after(tokens, special.end, i)
            if _in_organisation(tokens, i, end, text):
                special = dc_replace(special, in_organisation=True)
            out.append(special)
            i = _index_after(tokens, special.end, i)
            continue
        demonym = _demonym(tokens, i, text)
        if demonym is not None:
            out.append(demonym)
            i = _index_after(tokens, demonym.end, i)
            continue
        match = _longest_match(tokens, i, text, gazetteer)
        if match is None:
            i += 1
            continue
        j, lookup, cands = match
        span_tokens = tokens[i:j]
        verdict = _accept(span_tokens, tokens, i, j, text, gazetteer, cands, lower_words, persons)
        if verdict == _REJECT:
            i += 1
            continue
        start, end = span_tokens[0].start, span_tokens[-1].end
        if len(span_tokens[-1].text) == 1 and text[end:end + 1] == ".":
            end += 1  # "U.S." keeps its last full stop
        kind, qualifier = "place", ""
        if i > 0 and tokens[i - 1].key in _COMPASS and _joined(text, tokens[i - 1], tokens[i]) and \
                _is_area(cands, gazetteer):
            start = tokens[i - 1].start
            kind, qualifier = "region", tokens[i - 1].key
        possessive = text[end:end + 2] in ("'s", "\u2019s")
        mention = Mention(start, end, text[start:end], lookup, cands, kind, qualifier,
                          _in_organisation(tokens, i, j, text), possessive)
        (weak if verdict == _WEAK else out).append(mention)
        i = j
    if weak:
        out = _admit_weak(out, weak, gazetteer)
    return _add_unknown_named_places(text, out, tokens, persons, gazetteer)


# A capitalised name word, taken whole and at most 41 characters long: a scan that starts
# at every capital of a long hyphen or apostrophe chain ("Al-Al-Al-…") then stays linear.
_WORD = r"[A-Z][\w'\u2019-]{1,40}+"
_KIND_BEFORE = re.compile(r"\b(?:village|town|city|district|province|governorate|camp|neighbou?rhood|suburb|"
                          r"area|region|municipality|county|hamlet|slum|settlement)\s++of\s++((?:(?:al|el|ad|as|ar)-)?"
                          + _WORD + r"(?:\s(?:(?:al|el)-)?" + _WORD + r"){0,2})")
_KIND_AFTER = re.compile(r"\b((?:(?:al|el)-)?" + _WORD + r"(?:\s" + _WORD + r"){0,2})\s(?:village|town|city|"
                         r"district|province|governorate|camp|neighbou?rhood|suburb|refugee camp|"
                         r"countryside|municipality|county|army base|military base|base|checkpoint|crossing|"
                         r"junction|township|locality|LGA|area|quarter|sub-?district|raion|hromada)\b")
_NAME_ITEM = r"(?:(?:al|el)-)?" + _WORD + r"(?:\s(?:(?:al|el)-)?" + _WORD + r"){0,2}"
_NAME_ITEM_RE = re.compile(_NAME_ITEM)
_KIND_LIST = re.compile(r"\b(?:cities|towns|villages|settlements|areas|districts|neighbou?rhoods|provinces|"
                        r"regions|camps)\s++of\s++(" + _NAME_ITEM + r"(?:(?:,\s*+|,?\s++and\s++)" + _NAME_ITEM + r")*)")


# "in Xville, Province": a name heading an address whose next part is a known place
_ADDRESS_HEAD = re.compile(r"\b(?:in|at|near|outside)\s++((?:(?:al|el)-)?" + _WORD + r"(?:\s" + _WORD + r"){0,2}),\s")
_EVENT_BEFORE = re.compile(r"\b(?:killed|clash(?:es)?|fighting|attack(?:s|ed)?|strikes?|struck|shell(?:ed|ing)|"
                           r"bomb(?:ed|ing)?|explosion|exploded|detonated|blast|raid(?:s|ed)?|captured|seized|liberated|battles?|"
                           r"offensive|ambush(?:ed)?|withdr[ae]w(?:ing)?|advanced|fell|wounded|injured|died)\b[^.;]{0,40}"
                           r"\b(?:in|near|outside|at|into|from|on|around|of)\s++(?:the\s++)?$")
_POSSESSIVE_END = re.compile(r"['\u2019]s$")


def _unknown_after_event(text: str, tokens: Sequence[Token], persons: set[str], taken: SpanSet) -> list[Mention]:
    """A capitalised name right after "killed in", "clashes near", "withdrawing from":
    the gazetteer may lack a small village, but the sentence says it is a place."""
    out: list[Mention] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if not tok.text[0].isupper() or tok.sentence_start or tok.key in COMMON_WORDS or tok.key in _MONTHS_DAYS \
                or tok.key in persons or tok.key in _TITLES or demonym_place(tok.text) or tok.text.isupper():
            i += 1
            continue
        if not _EVENT_BEFORE.search(text, max(0, tok.start - 60), tok.start):
            i += 1
            continue
        j = i + 1
        while j < n and j - i < 4 and _joined(text, tokens[j - 1], tokens[j]) and (
                _capitalised(tokens[j]) or tokens[j].key in _ARTICLES):
            j += 1
        s, e = tok.start, tokens[j - 1].end
        if not taken.overlaps(s, e):
            out.append(Mention(s, e, text[s:e], text[s:e], (), "place", flags=frozenset({"unknown"})))
            taken.add(s, e)
        i = j
    return out


def _inside(mentions: Sequence[Mention], gone: set[int], start: int, end: int) -> list[int]:
    """Indices of the mentions (sorted, not overlapping) that lie within ``start..end``,
    except those ``gone``: a binary search, since it is asked once per candidate name."""
    k = bisect.bisect_left(mentions, start, key=_mention_start)
    out = []
    while k < len(mentions) and mentions[k].start < end:
        if k not in gone and mentions[k].end <= end:
            out.append(k)
        k += 1
    return out


def _mention_start(m: Mention) -> int:
    return m.start


def _add_unknown_named_places(text: str, found: list[Mention], tokens: Sequence[Token] = (),
                              persons: set[str] | None = None, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Names the text calls a place that recognition missed: "the village of Kafr Zayta",
    "Sanjar district", "clashes in Tell Ahmar". A name with a kind word ("Tell Ahmar town")
    replaces shorter matches inside it ("Tal"). Each is looked up with every key level
    (variant spellings); without a match it is reported unresolved (latitude null).

    ``found`` is in text order. The text taken so far is a :class:`SpanSet` and replaced
    mentions are marked ``gone``, so each candidate name costs a binary search, not a scan."""
    taken = SpanSet([(m.start, m.end) for m in found])
    after_event = _unknown_after_event(text, tokens, persons or set(), taken)
    gone: set[int] = set()  # found mentions replaced by a longer name
    gone_after: set[int] = set()  # after-event ones replaced by an address head
    named: list[Mention] = []
    items: list[tuple[int, int, str]] = []
    for pattern in (_KIND_BEFORE, _KIND_AFTER):
        items.extend((m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(text))
    for m in _KIND_LIST.finditer(text):  # "the villages of Kafr Batna, Saqba and Hamouriyah"
        for item in _NAME_ITEM_RE.finditer(m.group(1)):
            items.append((m.start(1) + item.start(), m.start(1) + item.end(), item.group()))
    for s, e, name in items:
        words = name.split()
        if words[0].lower() in COMMON_WORDS or words[0].lower() in _TITLES or demonym_place(words[0]):
            continue
        if any(w.lower() in _ORG_HEADS for w in words) or (len(words) == 1 and words[0].isupper()):
            continue  # "a Border Guard Forces checkpoint", "the SDF camp": an actor, not a place
        if len(words) > 1 and words[-1].isupper():  # "Kalma IDP camp": the place is the name before
            e -= len(words[-1]) + 1
            name = name[:e - s]
            words = words[:-1]
        inner = [k for k in _inside(found, gone, s, e) if (found[k].start, found[k].end) != (s, e)]
        if inner and all(found[k].kind == "place" and not found[k].in_organisation for k in inner):
            gone.update(inner)
            for k in inner:
                taken.discard(found[k].start, found[k].end)
        if taken.overlaps(s, e):
            continue
        taken.add(s, e)
        named.append(Mention(s, e, name, name, (), "place", flags=frozenset({"unknown", "named"})))
    starts = {m.start for k, m in enumerate(found) if k not in gone and m.kind != "demonym"}
    for m in _ADDRESS_HEAD.finditer(text):
        s, e = m.span(1)
        if m.end() not in starts or m.group(1).split()[0].lower() in COMMON_WORDS:
            continue
        inner = _inside(found, gone, s, e)
        unnamed = _inside(after_event, gone_after, s, e)
        replaced = {(found[k].start, found[k].end) for k in inner} | \
            {(after_event[k].start, after_event[k].end) for k in unnamed}
        if any(span not in replaced for span in taken.overlapping(s, e)):
            continue
        # a longer name replaces the part of it that was found only when the index knows it
        # ("Tall Kayf" over "Tall"; "Kani-7" keeps "Kani")
        if inner and not (gazetteer is not None and gazetteer.indices(m.group(1))):
            continue
        gone.update(inner)
        gone_after.update(unnamed)
        for span in replaced:
            taken.discard(*span)
        taken.add(s, e)
        named.append(Mention(s, e, m.group(1), m.group(1), (), "place", flags=frozenset({"unknown", "named"})))
    kept = [m for k, m in enumerate(found) if k not in gone]
    extra = [m for k, m in enumerate(after_event) if k not in gone_after] + named
    if not extra:
        return kept
    if gazetteer is not None:  # a name the text calls a place: variant spellings welcome
        extra = [dc_replace(m, candidates=gazetteer.indices(m.lookup)) if "named" in m.flags else m for m in extra]
    return sorted(kept + extra, key=_mention_start)


def _admit_weak(strong: list[Mention], weak: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """Keep a doubtful mention ("Marjayoun" with no population, a surname-like town) when
    the document names its country or province elsewhere: that is how news sets a scene."""
    countries: set[str] = set()
    regions: set[str] = set()
    for m in strong:
        if m.kind == "demonym":
            countries.update(place_of(gazetteer, c).country_code for c in gazetteer.exact.get(names.key(m.lookup), ()))
            continue
        for c in m.candidates:
            p = place_of(gazetteer, c)
            if p.feature in ("country", "admin1") or p.curated:
                countries.add(p.country_code)
            if p.feature == "admin1":
                regions.add(p.admin1)
    kept = [m for m in weak if any(place_of(gazetteer, c).country_code in countries for c in m.candidates)]
    weak_ids, kept_ids = {id(m) for m in weak}, {id(m) for m in kept}
    # "Marjayoun (Marjayoun, Al Nabatieh)": adjacent names that share a country vouch for each other
    every = sorted(strong + weak, key=lambda m: m.start)
    for a, b in zip(every, every[1:], strict=False):
        if b.start - a.end <= 3 and _share_country(a, b, gazetteer):
            for x in (a, b):
                if id(x) in weak_ids and id(x) not in kept_ids:
                    kept.append(x)
                    kept_ids.add(id(x))
    return sorted(strong + kept, key=lambda m: m.start)


def _share_country(a: Mention, b: Mention, gazetteer: Gazetteer) -> bool:
    ca = {place_of(gazetteer, c).country_code for c in a.candidates}
    return any(place_of(gazetteer, c).country_code in ca for c in b.candidates)


_ABBREV_AT = re.compile(r"(?:[A-Z]\.){2,3}|[A-Z][a-z]{1,4}\.|BC\b")


def _area_or_abbreviation(tokens: Sequence[Token], i: int, text: str, gazetteer: Gazetteer) -> Mention | None:
    """World regions the gazetteer lacks ("Europe", "Middle East", "EU") and AP state
    abbreviations after a town ("Louisville, Ky.")."""
    tok = tokens[i]
    if text[max(0, tok.start - 2):tok.start] == ", ":
        m = _ABBREV_AT.match(text, tok.start)
        if m and m.group() in STATE_ABBREVIATIONS:
            name = STATE_ABBREVIATIONS[m.group()]
            cands = tuple(c for c in gazetteer.exact.get(names.key(name), ())
                          if place_of(gazetteer, c).feature in ("admin1", "city"))
            return Mention(tok.start, m.end(), m.group(), name, cands)
    keys: list[str] = []
    best: Mention | None = None
    for j in range(i, min(i + 3, len(tokens))):
        if j > i and not (_joined(text, tokens[j - 1], tokens[j]) and _capitalised(tokens[j])):
            break
        keys.append(tokens[j].key)
        k = " ".join(keys)
        if area(k) is not None and (len(k) > 3 or tokens[j].text.isupper()):
            best = Mention(tok.start, tokens[j].end, text[tok.start:tokens[j].end], k, (), "area")
    return best


def _index_after(tokens: Sequence[Token], end: int, i: int) -> int:
    while i < len(tokens) and tokens[i].start < end:
        i += 1
    return i


def _joined(text: str, a: Token, b: Token) -> bool:
    """Two tokens belong to one name: a single space or hyphen between, or "St. X"."""
    gap = text[a.end:b.start]
    if gap in (" ", "-", "\u00a0"):
        return True
    if gap in (".", ". ") and (len(a.text) <= 3 and a.text[0].isupper()):
        return True
    return False


def _longest_match(tokens: Sequence[Token], i: int, text: str,
                   gazetteer: Gazetteer) -> tuple[int, str, tuple[int, ...]] | None:
    """(end token index, lookup string, candidate indices) of the longest gazetteer name at ``i``."""
    keys: list[str] = []
    best: tuple[int, str, tuple[int, ...]] | None = None
    j = i
    n = len(tokens)
    while j < n and j - i < MAX_WORDS:
        tok = tokens[j]
        if j > i:
            if not _joined(text, tokens[j - 1], tok):
                break
            if not (_capitalised(tok) or tok.key in _CONNECTORS or tok.key in _SITE_WORDS):
                break
        keys.append(tok.key)
        j += 1
        last = tokens[j - 1]
        if not (_capitalised(last) or last.key in _SITE_WORDS):
            continue
        hits = gazetteer.indices(" ".join(keys), fuzzy=False)
        if hits:
            best = (j, text[tokens[i].start:last.end], hits)
    return best


def _is_area(cands: Iterable[int], gazetteer: Gazetteer) -> bool:
    return any(place_of(gazetteer, c).feature in ("country", "admin1", "region") for c in cands)


def _best_place_size(cands: Sequence[int], gazetteer: Gazetteer) -> tuple[float, bool, bool]:
    """(largest population, any country/admin1/curated/base, any primary-name match)."""
    pop = 0.0
    area = False
    for c in cands:
        p = place_of(gazetteer, c)
        pop = max(pop, p.population)
        if p.feature in ("country", "admin1", "region", "airbase") or p.curated:
            area = True
    return pop, area, False


_REJECT, _WEAK, _STRONG = 0, 1, 2


def _accept(span: Sequence[Token], tokens: Sequence[Token], i: int, j: int, text: str, gazetteer: Gazetteer,
            cands: Sequence[int], lower_words: set[str], persons: set[str]) -> int:
    """Context rules that turn a gazetteer hit into a place mention (see module docstring)."""
    first = span[0]
    words = [t.key for t in span]
    multi = len(span) > 1
    pop, area, _ = _best_place_size(cands, gazetteer)
    primary = _primary_match(" ".join(words), cands, gazetteer)
    if not multi:
        w = words[0]
        tok_text = first.text
        if w in _MONTHS_DAYS or w in _WEAPONS:
            return _REJECT
        if names.bare_particle(names.article_free(w)) and j < len(tokens) and _joined(text, first, tokens[j]) \
                and (_capitalised(tokens[j]) or tokens[j].key in _ARTICLES):
            return _REJECT  # "Jabal Sinjar", "Wadi Hauran": the name goes on; "Jabal" alone is another place
        if len(tok_text) <= 3 and not tok_text.isupper() and not primary:
            return _REJECT  # "Can" is not CAN (Canada's ISO3 code)
        if tok_text.isupper() and len(tok_text) > 1:
            if len(tok_text) <= 3:
                if any(place_of(gazetteer, c).feature == "country" for c in cands):
                    return _STRONG  # "US", "UK", "UAE"
                return _REJECT  # acronyms: "CNN", "AP"
            if not area and not (primary and pop >= 100_000):
                return _REJECT  # "ISIS"; datelines like "LONDON" pass
        if (w in COMMON_WORDS or w in _COMPASS) and area and not any(
                place_of(gazetteer, c).feature == "country" for c in cands) and not _locative_before(tokens, i, True):
            return _REJECT  # "Centre", "West": provinces somewhere, words here
        if w in persons:
            return _REJECT
        if not area and pop < 100_000 and _person_run_after(tokens, j, text):
            persons.add(w)
            return _REJECT  # "Hamad Ali Hassan", "Aung San Suu": a person's names go on
        # surname after a known first name: "Lloyd Austin", "Michael Jordan"
        if i > 0 and tokens[i - 1].key in _FIRST_NAMES and _joined(text, tokens[i - 1], first) \
                and tokens[i - 1].text[0].isupper():
            persons.add(w)
            return _REJECT
        # first name followed by a capitalised surname-like word: "Jordan Peterson", "Austin Powers"
        if j < len(tokens) and w in _FIRST_NAMES and _capitalised(tokens[j]) and _joined(text, first, tokens[j]):
            return _REJECT
        if i > 0 and not area and _name_run_before(tokens, i, text):
            persons.add(w)
            return _REJECT  # "Anna Paris", "John Jordan": part of a person's name
        if j < len(tokens) and tokens[j].key in _SAID and not area and text[first.end:tokens[j].start] == " ":
            return _REJECT
        if w in _ARTICLES:
            return _REJECT
        common = w in COMMON_WORDS or w in lower_words or w in _TITLES or w in _ORG_HEADS
        if common:
            if first.sentence_start:
                return _REJECT
            if primary and pop >= 10_000 and _locative_before(tokens, i, strict=True):
                return _STRONG  # "near Hit", "in Best"
            if not area:
                return _REJECT  # a common word capitalised mid-sentence ("the Man in the photo")
            big = area and (primary or pop > 0) or pop >= 100_000 and primary
            if not big:
                return _REJECT
            if w in lower_words and not area and pop < 500_000:
                return _REJECT
        if not primary and not area:
            # matched only through an alternate name ("Hamas" is listed for Hamm)
            if pop >= 1_000_000:
                return _STRONG
            return _WEAK if pop >= 20_000 else _REJECT
        if first.sentence_start and not area and pop < 1_000 and not _locative_before(tokens, i):
            return _REJECT
        if not area and pop < 2_000 and not _locative_before(tokens, i) and not _comma_place_after(
                tokens, j, text, gazetteer):
            return _WEAK
    else:
        if all(k in COMMON_WORDS or k in _CONNECTORS for k in words) and not area and (
                first.sentence_start or pop < 50_000):
            return _REJECT  # "Police Station", "Long Island"? big ones survive
        if words[0] in _FIRST_NAMES and not area and pop < 100_000:
            return _REJECT
        if words[0] in _ARTICLES and i > 0 and not area and _name_run_before(tokens, i, text):
            return _REJECT  # "Abu Omar al-Tunisi": a nisba surname
    return _STRONG


def _person_run_after(tokens: Sequence[Token], j: int, text: str) -> bool:
    """Two more capitalised name words follow, joined by spaces, none a place kind, title,
    organisation word or common word: a person's full name, of which the match is the first."""
    run = 0
    k = j
    end = min(len(tokens), j + 8)  # a name's particles ("bin", "al") are few: "al al al …" is not read to its end
    while k < end and run < 2 and _joined(text, tokens[k - 1], tokens[k]) and text[tokens[k - 1].end] == " ":
        t = tokens[k]
        if t.key in ("bin", "ibn", "bint", "abu", "al", "el") and k + 1 < len(tokens):
            k += 1
            continue
        if not t.text[0].isupper() or t.text.isupper() or t.key in COMMON_WORDS or t.key in _ORG_HEADS \
                or t.key in _TITLES or t.key in _SITE_WORDS or t.key in _KIND_WORDS:
            return False
        run += 1
        k += 1
    return run >= 2


_KIND_WORDS = frozenset({"village", "town", "city", "district", "province", "governorate", "camp", "area",
                         "neighborhood", "neighbourhood", "township", "region", "state", "county", "market", "road",
                         "street", "square", "junction", "checkpoint", "base", "refugee", "subdistrict", "locality",
                         "oblast", "raion", "countryside", "municipality", "quarter", "suburb", "lga"})


def _name_run_before(tokens: Sequence[Token], i: int, text: str) -> bool:
    """The previous word is a capitalised name word, not a function word, title or place
    qualifier: the match continues someone's name."""
    prev = tokens[i - 1]
    if not prev.text[0].isupper() or text[prev.end:tokens[i].start] != " ":
        return False
    k = prev.key
    if prev.sentence_start and (k in COMMON_WORDS or k in _CONNECTORS):
        return False
    if k in COMMON_WORDS or k in _COMPASS or k in _TITLES or k in _MONTHS_DAYS or k in _ORG_HEADS:
        return False
    if demonym_place(prev.text) is not None or prev.text.isupper():
        return False
    return True


def _primary_match(k: str, cands: Sequence[int], gazetteer: Gazetteer) -> bool:
    """The span is the place's own name (not one of its many alternate names)."""
    for c in cands:
        p = place_of(gazetteer, c)
        pk = _key(p.name)
        if pk == k or names.article_free(pk) == names.article_free(k):
            return True
    return False


_STRICT_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "of", "from", "into", "toward", "towards"})


def _locative_before(tokens: Sequence[Token], i: int, strict: bool = False) -> bool:
    return i > 0 and tokens[i - 1].key in (_STRICT_LOCATIVE if strict else _LOCATIVE) and \
        tokens[i - 1].text[0].islower()


def _comma_place_after(tokens: Sequence[Token], j: int, text: str, gazetteer: Gazetteer) -> bool:
    """"Marjayoun, Lebanon": the next name after a comma is a country or province."""
    if j >= len(tokens) or text[tokens[j - 1].end:tokens[j].start] not in (", ", " (", ", the "):
        return False
    match = _longest_match(tokens, j, text, gazetteer)
    return match is not None and any(place_of(gazetteer, c).feature in ("country", "admin1") for c in match[2])


def _person_before(tokens: Sequence[Token], i: int, text: str) -> bool:
    if i == 0:
        return False
    prev = tokens[i - 1]
    if prev.key not in _TITLES or prev.key == "said":
        return False
    if prev.key in ("general", "king", "prince", "president", "governor", "sen", "rep") and False:
        return False
    gap = text[prev.end:tokens[i].start]
    return gap in (" ", ". ") and (prev.text[0].isupper() or prev.key in ("mr", "mrs", "ms", "dr"))


def _demonym(tokens: Sequence[Token], i: int, text: str) -> Mention | None:
    tok = tokens[i]
    if i + 1 < len(tokens) and _joined(text, tok, tokens[i + 1]):
        two = f"{tok.text} {tokens[i + 1].text}"
        place = demonym_place(two)
        if place:
            return Mention(tok.start, tokens[i + 1].end, text[tok.start:tokens[i + 1].end], place, (), "demonym")
    place = demonym_place(tok.text)
    if place is None:
        return None
    # "Jordanian-born" etc. are still demonyms; "Turkish Airlines" is an organisation but still names Turkey
    return Mention(tok.start, tok.end, tok.text, place, (), "demonym")


_ORG_WORDS = 12  # words of an organisation's name before a place in it ("Islamic State of Iraq and the Levant": 6)


def _in_organisation(tokens: Sequence[Token], i: int, j: int, text: str) -> bool:
    """The place is part of a longer proper name: "Islamic Resistance in Iraq", "Washington Post"."""
    # after: "<Place> Post", "<Place> University"
    if j < len(tokens) and _joined(text, tokens[j - 1], tokens[j]) and _capitalised(tokens[j]):
        if tokens[j].key in _ORG_HEADS:
            return True
    # before: "<Org words> of/in <Place>" inside one capitalised run, also across "and the"
    # ("Islamic State of Iraq and the Levant": the Levant is part of the name too)
    floor = max(1, i - _ORG_WORDS)  # looked at no further back than a name can reach
    k = i - 1
    while k >= floor and tokens[k].key in ("and", "the") and _joined(text, tokens[k], tokens[k + 1]):
        k -= 1
        while k >= floor and _capitalised(tokens[k]) and tokens[k].key not in _ORG_HEADS and \
                _joined(text, tokens[k], tokens[k + 1]):
            k -= 1
    if k >= floor and tokens[k].key in ("of", "in", "for") and _joined(text, tokens[k], tokens[k + 1]):
        m = k - 1
        while m >= floor - 1 and _capitalised(tokens[m]) and _joined(text, tokens[m], tokens[m + 1]):
            if tokens[m].key in _ORG_HEADS:
                return True
            m -= 1
    return False


def from_spans(text: str, spans: Iterable[tuple[int, int]], gazetteer: Gazetteer) -> list[Mention]:
    """Mentions for given spans (gold toponyms in the benchmark, or a user's selection):
    looked up as written, as a demonym, or through the gazetteer's forgiving keys."""
    out: list[Mention] = []
    for start, end in spans:
        surface = text[start:end]
        stripped = _POSSESSIVE_END.sub("", surface)
        lookup = stripped
        kind = "place"
        place = demonym_place(stripped) or demonym_place(stripped.rstrip("s"))
        k0 = names.key(stripped)
        if place is not None and area(names.key(place)) is not None:
            out.append(Mention(start, end, surface, names.key(place), (), "area"))
            continue
        if place is not None and not any(place_of(gazetteer, c).feature in ("country", "admin1")
                                         for c in gazetteer.exact.get(k0, ())):
            lookup, kind = place, "demonym"
        elif area(k0) is not None:
            out.append(Mention(start, end, surface, k0, (), "area"))
            continue
        elif stripped in STATE_ABBREVIATIONS:
            lookup = STATE_ABBREVIATIONS[stripped]
        cands = tuple(gazetteer.exact.get(names.key(lookup), ())) if kind == "demonym" else ()
        if not cands:
            cands = gazetteer.indices(lookup)
        out.append(Mention(start, end, surface, lookup, cands, kind))
    return out
