"""Event location: which place mentions are where the reported events happened.

Each resolved mention gets cues from its sentence and story (:func:`cue_features`): the
distance to an event word, "attack on/at/near X", how specific the place is, what contains
what, and what only sets the scene (background clauses, recalled older events, metonyms
such as "Tehran said", containers such as "(Sinjar district, Ninewa)", places inside actor
names, the headline and the dateline). How much each cue counts is not set by hand: a
logistic model fitted on the training rows of ../shared/eval/conflict weighs them
(:func:`model`, rebuilt by ``scripts/fit_event_place.py``). :func:`incidents` then reads
the story's incidents from the scores:

* the main one is the best-scoring mention, made more specific when a coreferent
  sentence names a place inside it ("an attack on a base in western Iraq ... the strike
  on the X Air Base" → X Air Base);
* another one starts where a sentence reports an event at a different specific place and
  has its own toll or a "separate/another" cue;
* every incident keeps the sentences about it, so the date, group and toll readers never
  look at a recalled older attack.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter

from geo import settings
from geo.gazetteer import ranking
from geo.geoparse import dates, lexicon, spans
from geo.geoparse import sentences as sentences_mod
from geo.geoparse.nearby import NearIndex
from geo.geoparse.resolve import Resolved, water
from geo.models import LinearModel

__all__ = ["EventSpan", "CUES", "MODEL_PATH", "model", "event_cues", "cue_features", "scores", "incidents",
           "lede_date", "background_sentences", "near_precision"]

Span = tuple[int, int]

_EVENT_WORDS = re.compile(r"\b" + lexicon.alternation("event_words") + r"\b", re.IGNORECASE)
# the same words matched case-sensitively on lower-cased text: about three times faster
_EVENT_WORDS_LOWER = re.compile(r"\b" + lexicon.alternation("event_words").lower() + r"\b")
_RECALL = re.compile(r"\b" + lexicon.alternation("recall_cues") + r"\b", re.IGNORECASE)
_SEPARATE = re.compile(r"\b" + lexicon.alternation("separate_cues") + r"\b", re.IGNORECASE)
_BACKGROUND = re.compile(r"\b(?:after|following|since|amid|in retaliation for|in response to|months after|"
                         r"weeks after|days after|earlier|previous|last year|in \d{4})\b", re.IGNORECASE)
_METONYM_AFTER = re.compile(r"^\s*+(?:'s\s++|\u2019s\s++)?(?:officials?|government|authorities|ministry|military|"
                            r"forces|troops|army|police|embassy|said|says|has said|officials said|"
                            r"announced|claimed|accused|blamed|condemned|vowed|denied|warned|president|prime minister|leaders?|"
                            r"foreign|defen[cs]e|spokes\w+|-backed|-based|-born|-led|-aligned|-allied)\b",
                            re.IGNORECASE)
_AT_BEFORE = re.compile(r"\b(?:on|at|near|in|outside|inside|into|against|targeting|hit|struck|across|around|"
                        r"north of|south of|east of|west of|"
                        r"(?:town|city|village|district|area|cities|towns|villages|outskirts|vicinity|"
                        r"suburbs|province|governorate|neighbou?rhood|region|settlements?|slum|countryside) of)\s+"
                        r"(?:the\s+)?(?:[a-z-]+\s+)?$")
_ATTACK_ON = re.compile(r"\b(?:attacks?|strikes?|raids?|assault|bombing|shelling|explosion|blast|ambush|fighting|"
                        r"clashes|killed|wounded|injured|shot|exploded|detonated|rocket|drone|missile)\s+"
                        r"(?:\w+\s+){0,3}(?:on|at|in|near|against|outside|inside|targeting)\s+(?:the\s+)?"
                        r"(?:[a-z-]+\s+)?$", re.IGNORECASE)
_SOURCE_BEFORE = re.compile(r"\b(?:from|to|told|visit(?:ed|ing)?|based in|headquartered in|reporting from|"
                            r"returned to|travel(?:led|ed)? to|flew to|born in)\s+(?:the\s+)?$", re.IGNORECASE)
_NEAR_BEFORE = re.compile(r"\b(?:near|outside|close to|on the outskirts of|outskirts of|in the vicinity of|"
                          r"(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?(?:north|south|east|west|northeast|"
                          r"northwest|southeast|southwest)(?:ern)?\s+of)\s+(?:the\s+)?(?:(?:town|city|village)\s+)?"
                          r"(?:of\s+)?$", re.IGNORECASE)
# "off Hodeidah", "off the coast of Aden", "off the port of Mokha": a sea event coded to the shore
_OFF_BEFORE = re.compile(r"\b(?:off|off the coast of|off the coasts? of|off the port of|off the port city of|"
                         r"off the coastal (?:city|town) of|in waters off|in the waters off)\s+(?:the\s+)?$",
                         re.IGNORECASE)
# "on the Kirkuk-Tikrit road", "the Aden-Lahij highway": towns that name a road say where it runs
# These are matched right after a mention: (?<!\s) and possessive \s++ enter a run of
# spaces once (a scan from inside it could retry the run from every position).
_ROAD_AFTER = re.compile(r"(?<!\s)(?:-[A-Z][\w'\u2019]*+(?: [A-Z][\w'\u2019]*+)?)?\s++(?:road|highway|expressway|motorway)\b",
                         re.IGNORECASE)
_LAUNCHED_FROM = re.compile(r"(?<!\s)\s++(?:\w++\s++){0,2}?(?:fired|launched|lobbed)\b", re.IGNORECASE)
# "Tarmiyah, just north of Baghdad", "X, 20 km west of Y": Y only says where X is
_POSITION_GAP = re.compile(r"(?<!\s),?\s++(?:just\s++|about\s++|some\s++|\d++\s*+(?:km|kilometres|kilometers|miles)\s++)?"
                           r"(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s++of\s++"
                           r"(?:the\s++)?(?:(?:city|town|capital|village)\s++(?:of\s++)?)?$", re.IGNORECASE)
_CONTAINER_GAP = re.compile(r"(?<!\s),?\s++(?:(?:city|town|village|district|area|camp|neighbou?rhood)\s++)?(?:in|of)\s++"
                            r"(?:the\s++)?(?:[a-z-]++\s++){0,3}(?:of\s++)?(?:the\s++)?$")
_MODIFIER_AFTER = re.compile(r"\s[a-z]")  # "a U.S. patrol": a country used as a modifier
_LIST_BETWEEN = re.compile(r"[,.;]|\band\b")
_SAME_PLACE_KM = 5.0
MODEL_PATH = settings.DATA_DIR / "models" / "event_place.json"


@dataclass(frozen=True, slots=True)
class EventSpan:
    """One incident: the mention that says where it happened, the mention whose place it is
    coded to (the same one, or the known place that mention lies in or near when the
    gazetteer lacks it), and the sentences about it."""

    mention: int
    spans: tuple[Span, ...]
    near: bool  # "near X" / "off X": X is where it is coded, not where it happened
    coded: int = -1  # -1: the mention itself


def precision_of(r: Resolved) -> int:
    return r.geo_precision or 2


def event_cues(text: str) -> list[Span]:
    """(start, end) of every event word."""
    lowered = text.lower()
    if len(lowered) == len(text):  # lower-casing kept the offsets
        return [m.span() for m in _EVENT_WORDS_LOWER.finditer(lowered)]
    return [m.span() for m in _EVENT_WORDS.finditer(text)]


def _cue_sentences(cues: Sequence[Span], sentences: Sequence[Span]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = {}
    for m in cues:
        out.setdefault(sentences_mod.index_of(sentences, m[0]), []).append(m)
    return out


_START, _END = itemgetter(0), itemgetter(1)


def _distance_to_cue(local: Sequence[Span], start: int, end: int) -> int:
    """Characters between a mention and the nearest of its sentence's event words
    (``local``, in order): found by binary search, not by trying each word."""
    before = bisect.bisect_right(local, start, key=_END) - 1  # the last cue ending before the mention
    best = start - local[before][1] if before >= 0 else None
    k = bisect.bisect_left(local, end, lo=before + 1, key=_START)
    for j in (k - 1, k):
        if before < j < len(local):
            d = abs(local[j][0] - end)
            best = d if best is None else min(best, d)
    assert best is not None
    return best


# what each cue says about a mention being where an event happened (:func:`cue_features`)
CUES = ("first_event_sentence", "near_first_event_sentence", "sentence_number", "event_word_next_sentence",
        "event_word_closeness", "attack_on", "at_before", "off_before", "source_before", "road_after",
        "launched_from", "metonym", "country_modifier", "background_clause", "recalled_sentence",
        "sea_off_coast", "precision1", "precision2", "precision3", "container_before", "more_specific_next",
        "unresolved", "container", "named_again", "holds_another", "inside_another", "first_specific")
_ZONE_SHIFT = 100.0  # far below any score a body mention gets
_CONTAINMENT_PLACES = 40  # distinct places compared for what contains what (keeps a long story linear)


def cue_features(text: str, resolved: Sequence[Resolved], sentences: Sequence[Span], cues: Sequence[Span],
                 background: set[int], framing: Sequence[Span] = (),
                 actor_spans: Sequence[Span] = ()) -> list[list[float] | None]:
    """The :data:`CUES` of each mention (``None``: never an event place: a demonym, a place
    inside a name, or a sentence with no event word in or next to it)."""
    cue_sentences = _cue_sentences(cues, sentences)
    out: list[list[float] | None] = [None] * len(resolved)
    if not cue_sentences:
        return out
    first_cue_sentence = min((s for s in cue_sentences if s not in background), default=min(cue_sentences))
    coastal = {sentences_mod.index_of(sentences, r.mention.start) for r in resolved
               if _OFF_BEFORE.search(text, max(0, r.mention.start - 40), r.mention.start)}
    background_cues = [b.span() for b in _BACKGROUND.finditer(text)]
    holds, inside = _containment(resolved)
    named: dict[str, int] = {}  # how often the body names each place
    for r in resolved:
        if r.place is not None and r.mention.kind != "demonym" and not spans.covers(framing, r.mention.start,
                                                                                      r.mention.end):
            named[r.place.id] = named.get(r.place.id, 0) + 1
    # the body's first mention of a town, village or site, known to the gazetteer or not
    first_specific = next((k for k, r in enumerate(resolved) if r.mention.kind not in ("demonym", "region")
                           and not r.mention.in_organisation and not spans.covers(framing, r.mention.start, r.mention.end)
                           and (r.geo_precision or (1 if "named" in r.mention.flags else 2)) <= 2), -1)
    for k, r in enumerate(resolved):
        m = r.mention
        if m.kind == "demonym" or m.in_organisation or spans.covers(actor_spans, m.start, m.end):
            continue
        f = dict.fromkeys(CUES, 0.0)
        if r.place is not None:
            f["named_again"] = min(named.get(r.place.id, 1) - 1, 3)
            f["holds_another"] = r.place.id in holds  # a province or town another mention lies in
            f["inside_another"] = r.place.id in inside
        f["first_specific"] = k == first_specific
        si = sentences_mod.index_of(sentences, m.start)
        local = cue_sentences.get(si)
        if not local:
            # "Gunmen opened fire on a patrol in X, Y. Two died.": the scene is set in the
            # sentence next to the one with the event word
            near_si = si - 1 if si - 1 in cue_sentences else si + 1
            if near_si not in cue_sentences:
                continue
            local, f["event_word_next_sentence"] = cue_sentences[near_si], 1.0
        s_start = sentences[si][0]
        f["first_event_sentence"] = si == first_cue_sentence
        f["near_first_event_sentence"] = si != first_cue_sentence and si <= first_cue_sentence + 1
        f["sentence_number"] = min(si, 20)
        f["event_word_closeness"] = 1.0 / (1.0 + _distance_to_cue(local, m.start, m.end) / 25.0)
        before = text[max(s_start, m.start - 60):m.start]
        f["attack_on"] = bool(_ATTACK_ON.search(before))
        f["at_before"] = not f["attack_on"] and bool(_AT_BEFORE.search(before))
        f["off_before"] = bool(_OFF_BEFORE.search(before))
        f["source_before"] = bool(_SOURCE_BEFORE.search(before))
        f["road_after"] = bool(_ROAD_AFTER.match(text, m.end))
        # "militants in X fired rockets that hit Y": X is where they came from
        f["launched_from"] = bool(_LAUNCHED_FROM.match(text, m.end))
        after = text[m.end:m.end + 30]
        f["metonym"] = bool(m.possessive or _METONYM_AFTER.match(after))
        # a country as modifier: "a U.S. patrol", "a UK frigate"
        f["country_modifier"] = not f["metonym"] and precision_of(r) == 4 and bool(_MODIFIER_AFTER.match(after))
        b = bisect.bisect_right(background_cues, m.start, key=_END) - 1  # the last one before the mention
        if b >= 0 and background_cues[b][0] >= s_start:  # a background clause ("after X", "since") before it
            # NB: its end is taken relative to the sentence and compared with offsets in the text, as the
            # rule has always done; comparing like with like moves event roles (a scoring change, not this one)
            bg_end = background_cues[b][1] - s_start
            f["background_clause"] = local[0][1] <= bg_end or m.start - bg_end < 60
        f["recalled_sentence"] = si in background  # a recalled older attack
        # "in the Red Sea off Hodeidah": the shore place, not the sea's centre
        f["sea_off_coast"] = bool(water(r.mention.text) and si in coastal)
        precision = r.geo_precision or (1 if "named" in m.flags else 2)
        if precision in (1, 2, 3):
            f[f"precision{precision}"] = 1.0
        gap = text[resolved[k - 1].mention.end:m.start] if k > 0 else ""
        # "a village in the countryside of X": X only says where the village is
        f["container_before"] = k > 0 and bool(_CONTAINER_GAP.match(gap) or _POSITION_GAP.match(gap)) and \
            resolved[k - 1].mention.kind != "demonym"
        if k + 1 < len(resolved) and precision >= 3:
            nxt = resolved[k + 1]
            between = text[m.end:nxt.mention.start]
            # "Syria's Aleppo province", "the country's capital X": the next one is where
            f["more_specific_next"] = len(between) <= 35 and not _LIST_BETWEEN.search(between) and \
                (nxt.geo_precision or 2) < precision and nxt.mention.kind != "demonym"
        f["unresolved"] = r.place is None and "named" not in m.flags
        # "(Sinjar district, Ninewa)": these only say where the mention before them is
        f["container"] = bool(r.container)
        out[k] = [float(f[c]) for c in CUES]
    return out


def _containment(resolved: Sequence[Resolved]) -> tuple[set[str], set[str]]:
    """Ids of the story's districts, provinces and countries that hold another of its places,
    and of the places inside one of those."""
    places = list({r.place.id: r for r in resolved if r.place is not None and r.mention.kind != "demonym"
                   and not r.mention.in_organisation}.values())[:_CONTAINMENT_PLACES]
    holds: set[str] = set()
    inside: set[str] = set()
    for outer in places:
        if precision_of(outer) < 2:
            continue
        for inner in places:
            if inner is not outer and precision_of(inner) < precision_of(outer) and _within(inner, outer):
                holds.add(outer.place.id)  # type: ignore[union-attr]
                inside.add(inner.place.id)  # type: ignore[union-attr]
    return holds, inside


@cache
def model() -> LinearModel:
    """The event-place weights (setting ``extra_min``: the score a second incident's place
    needs), read once per process."""
    return LinearModel.read(MODEL_PATH, CUES, ("extra_min",), "python scripts/fit_event_place.py")


def scores(text: str, resolved: Sequence[Resolved], sentences: Sequence[Span], cues: Sequence[Span],
           background: set[int], framing: Sequence[Span] = (), actor_spans: Sequence[Span] = ()) -> list[float | None]:
    """A score per mention (``None``: never an event place) for being where an event
    happened: the log-odds :func:`model` gives its cues. The headline and the dateline are a
    zone, not a cue: their places come after every place the body names (they say where the
    story is filed or what it is about, and win only when the body names nothing)."""
    weigh = model().score
    return [None if row is None else weigh(row) - (_ZONE_SHIFT if spans.covers(framing, r.mention.start, r.mention.end)
                                                   else 0.0)
            for r, row in zip(resolved, cue_features(text, resolved, sentences, cues, background, framing, actor_spans),
                              strict=True)]


def lede_date(text: str, sentences: Sequence[Span], cues: Sequence[Span], published: date | None) -> date | None:
    """The date of the first sentence that reports an event (news puts the main event
    first); ``None`` when that sentence has no date expression."""
    if not cues:
        return None
    s, e = sentences[sentences_mod.index_of(sentences, cues[0][0])]
    found = dates.dates_in(text, s, e, published)
    return min(found, key=lambda f: (abs(f[0] - cues[0][0]), f[2]))[1] if found else None


def background_sentences(text: str, sentences: Sequence[Span], cues: Sequence[Span], published: date | None,
                         anchor_date: date | None) -> set[int]:
    """Sentences reporting an event (``cues``) that recall an older one: a recall cue, or
    an explicit day more than three days from the event's date."""
    out = set()
    for i in sorted({sentences_mod.index_of(sentences, c[0]) for c in cues}):
        s, e = sentences[i]
        if _RECALL.search(text, s, e):
            out.add(i)
        elif anchor_date is not None:
            found = [d for _, d, p in dates.dates_in(text, s, e, published) if p <= 3]
            if found and all(abs((d - anchor_date).days) > 3 for d in found):
                out.add(i)
    return out


def _specific(r: Resolved) -> bool:
    return r.place is not None and precision_of(r) <= 2 and r.mention.kind != "region"


def _within(inner: Resolved, outer: Resolved) -> bool:
    """``inner`` lies in the area ``outer`` names (same country, and same admin1 for a province)."""
    if inner.place is None or outer.place is None:
        return False
    if outer.mention.kind == "region":  # "western Iraq": the country, read as a region of it
        return inner.place.country_code == outer.place.country_code
    return ranking.inside(inner.place, outer.place)


def _same(a: Resolved, b: Resolved) -> bool:
    if a.place is None or b.place is None:
        return a.mention.lookup == b.mention.lookup
    return a.place.id == b.place.id or ranking.distance_km(
        a.place.latitude, a.place.longitude, b.place.latitude, b.place.longitude) < _SAME_PLACE_KM


def incidents(text: str, resolved: Sequence[Resolved], sentences: Sequence[Span], score: Sequence[float | None],
              background: set[int], has_toll: Callable[[str], bool]) -> list[EventSpan]:
    """The story's incidents, main one first. ``has_toll(sentence)`` says whether a
    sentence states a casualty count of its own."""
    ranked = sorted((s, -k) for k, s in enumerate(score) if s is not None)
    if not ranked:
        return []
    extra_min = model().settings["extra_min"]
    main = -ranked[-1][1]
    # a place the gazetteer lacks, placed at its container or not at all, is specific: it is kept
    if resolved[main].place is not None and not resolved[main].fallback and not _specific(resolved[main]):
        inside = [(s, k) for k, s in enumerate(score) if s is not None and k != main and _specific(resolved[k])
                  and _within(resolved[k], resolved[main])
                  and sentences_mod.index_of(sentences, resolved[k].mention.start) not in background
                  and (_ATTACK_ON.search(text[max(0, resolved[k].mention.start - 60):resolved[k].mention.start])
                       or s >= extra_min and not _in_background_clause(text, sentences, resolved[k].mention.start))]
        if inside:
            main = max(inside)[1]  # the coreferent sentence names the specific place
    coded = -1
    if resolved[main].place is None:
        # a place the gazetteer lacks: the event is coded to the smallest known place the
        # same sentence puts it in or near ("in Qaryat X, near Aleppo")
        si = sentences_mod.index_of(sentences, resolved[main].mention.start)
        around = [k for k in range(main + 1, len(resolved)) if resolved[k].place is not None
                  and resolved[k].mention.kind != "demonym" and not resolved[k].mention.in_organisation
                  and sentences_mod.index_of(sentences, resolved[k].mention.start) == si
                  and resolved[k].mention.start - resolved[main].mention.end < 80]
        if around:
            coded = min(around, key=lambda k: (precision_of(resolved[k]), k))
    sentence_of = [sentences_mod.index_of(sentences, r.mention.start) for r in resolved]
    candidates: dict[int, list[int]] = {}  # sentence -> its specific, scored mentions
    for k, s in enumerate(score):
        if s is not None and _specific(resolved[k]):
            candidates.setdefault(sentence_of[k], []).append(k)
    anchors = [main]
    seen = _Anchors()
    seen.add(resolved[main], sentence_of[main])
    reports: dict[int, bool] = {}  # sentence -> has a "separate" cue or a toll of its own
    for si in sorted(candidates):
        for k in candidates[si]:
            here = score[k]
            if here is None or here < extra_min or si in background or seen.has(resolved[k], si):
                continue
            if not _ATTACK_ON.search(text[max(sentences[si][0], resolved[k].mention.start - 60):resolved[k].mention.start]):
                continue
            if si not in reports:
                reports[si] = bool(_SEPARATE.search(text, *sentences[si]) or has_toll(text[slice(*sentences[si])]))
            if reports[si]:
                best_here = max((score[j] or -1e9, j) for j in candidates[si])[1]
                anchors.append(best_here)
                seen.add(resolved[best_here], si)
    # each sentence belongs to the incident whose sentence it is, or follows the latest
    # one before it when it names no place of its own; the rest are the main incident's
    extra_at = {sentence_of[a]: a for a in anchors if a != main}
    placed = {sentence_of[k] for k, r in enumerate(resolved) if r.place is not None and r.mention.kind != "demonym"}
    owned: dict[int, list[Span]] = {a: [] for a in anchors}
    latest = main
    for i, span in enumerate(sentences):
        latest = extra_at.get(i, latest)
        if i in background:
            continue
        owned[extra_at.get(i, main) if i in placed else latest].append(span)
    return [EventSpan(a, tuple(owned[a]) or (sentences[sentence_of[a]],),
                      _near(text, resolved[a]) or (a == main and coded >= 0), coded if a == main else -1)
            for a in anchors]


def _in_background_clause(text: str, sentences: Sequence[Span], start: int) -> bool:
    """A background clause ("after", "since", "amid" …) opens between the sentence's start and ``start``."""
    return bool(_BACKGROUND.search(text, sentences[sentences_mod.index_of(sentences, start)][0], start))


class _Anchors:
    """The incidents found so far: their sentences and places. A new one needs its own
    sentence and a place that is not the same as (or within 5 km of) one already found."""

    def __init__(self) -> None:
        self.sentences: set[int] = set()
        self.ids: set[str] = set()
        self.placeless: set[str] = set()  # lookups of anchors without a place: the same name is the same place
        self.points: NearIndex[str] = NearIndex(_SAME_PLACE_KM)

    def add(self, r: Resolved, sentence: int) -> None:
        self.sentences.add(sentence)
        if r.place is None:
            self.placeless.add(r.mention.lookup)
        else:
            self.ids.add(r.place.id)
            self.points.add(r.place.latitude, r.place.longitude, r.place.id)

    def has(self, r: Resolved, sentence: int) -> bool:
        if sentence in self.sentences or r.mention.lookup in self.placeless:
            return True
        p = r.place
        if p is None:
            return False
        return p.id in self.ids or self.points.any_near(p.latitude, p.longitude)


def _near(text: str, r: Resolved) -> bool:
    before = text[max(0, r.mention.start - 40):r.mention.start]
    return bool(_NEAR_BEFORE.search(before) or _OFF_BEFORE.search(before))


def near_precision(r: Resolved, near: bool) -> int | None:
    """Precision of an incident placed at ``r``: a town the text says it was near or off is 2."""
    if near and r.geo_precision == 1:
        return 2
    return r.geo_precision
