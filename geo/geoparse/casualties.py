"""Casualty counts of one event: killed and injured, from that event's sentences only.

Numbers in digits or words stand next to a killed/injured word ("killing seven people",
"five service members and two contractors were injured" = 7); a clause stops at
"including"/"among them" so a breakdown is not added twice. A sentence that gives a
running total ("since October, 300 killed") gives no toll, and the caller passes only
the sentences about the event, so a recalled older attack's toll is never taken.

How coders read a toll, and so how it is read here: one victim in the singular is a count
of one ("killed a civilian", "a child was killed", "one forester died"); a range counts its
low end ("between 16 and 25", "3-4"); a day of the month is not a count ("On 24 February,
gunmen killed …"); and an explicit none is zero ("There were no casualties": killed and
injured 0; "no fatalities": killed 0). ``None`` means the text gives no number, not zero.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from geo.geoparse import lexicon
from geo.geoparse import spans as spans_mod
from geo.geoparse.dates import MONTH_RE

__all__ = ["casualties", "count_in", "count_in_sentence", "stated_none"]

_NUMBER_WORDS = {k: int(v) for k, v in lexicon.mapping("numbers").items()}
_UNITS = "|".join(k for k, v in _NUMBER_WORDS.items() if 1 <= v <= 9 and " " not in k)
_NUM = r"(\d{1,4}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")"
_NUM_RE = re.compile(r"\b" + _NUM + r"(?:[- ](" + _UNITS + r"))?\b(?!\s*(?:%|percent|"
                     r"per cent|years?\b|-year|year-old|km|kilomet|miles?|a\.m|p\.m|hours?|days?|weeks?|months?|"
                     r"times|o'clock|rockets?|drones?|missiles?|shells?|mortars?|vehicles?|houses?|buildings?|"
                     r"homes?|meters|metres|feet|kg|tons?|million|billion))", re.IGNORECASE)
_KILLED = r"(?:" + lexicon.alternation("killed_words") + r")"
_INJURED = r"(?:" + lexicon.alternation("injured_words") + r")"
_TOLL_WORD = re.compile(r"\b(?:" + _KILLED + "|" + _INJURED + r")\b")
_CUMULATIVE = re.compile(r"\b" + lexicon.alternation("cumulative_cues") + r"\b", re.IGNORECASE)
# a comma that opens an attribution ("wounding three soldiers, two officials said") ends the count
_CLAUSE_STOP = re.compile(r"(?<![A-Z])\.|[;:()]|,\s*(?:including|among them|most of them|of whom|many|both|all)\b|"
                          r",(?=[^,.;]{0,60}\b(?:said|says|say|told|reported|according)\b)|"
                          r"\bincluding\b|"
                          r"\b(?:in|on|near|when|after|as|while|during|according)\b|\bat\b(?!\s+least)|"
                          r"\band\s+(?:" + _KILLED + "|" + _INJURED + r")\b")  # "killing four and wounding six"
_CLAUSE_START = re.compile(r"(?<![A-Z])[.;:\n]")
# (?<!\s) and possessive \s++: a run of spaces is entered once, never retried from inside
_QUANTIFIER = re.compile(r"(?<!\s)\s++(?:(?:at least|more than|about|some|nearly|up to|around|an estimated|between)\s++)?" + _NUM,
                         re.IGNORECASE)
_SUBJECT_END = re.compile(r"\b(?:were|was|have been|had been|are|been|is|left|people|civilians|soldiers|others|"
                          r"troops|members|personnel|fighters|militants|children|women)\s*$")
_ANY_NUMBER = re.compile(r"\d|\b(?:" + "|".join(map(re.escape, _NUMBER_WORDS)) + r")\b", re.IGNORECASE)
_NOT_A_COUNT_BEFORE = re.compile(MONTH_RE + r"\s*+$|\b[Nn]o\s++$")  # "Aug. 5", "No. 3"
_NUM_AT_END = re.compile(_NUM + r"\s*+$", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(r"(?<!\s)(?:st|nd|rd|th)?\s++" + MONTH_RE + r"(?![a-z])")  # "24 February", "3rd of"
_RANGE_REST = re.compile(r"(?<!\s)\s*+(?:-|–|to|or)\s*+" + _NUM + r"\b", re.IGNORECASE)  # "16 to 25": the low end
_BETWEEN_REST = re.compile(r"(?<!\s)\s++and\s++" + _NUM + r"\b", re.IGNORECASE)  # "between 16 and 25"
# ", including 11 assailants," inside a subject: a breakdown of the count before it, never added to it
_BREAKDOWN = re.compile(r",\s*+(?:including|among them|most of them|of whom|mostly)\b[^,]{0,80}+,")
# one victim in the singular, after the verb ("killed a civilian") or as the subject of a passive
# or of "died" ("a child was killed", "one forester died"); not "a number of", "an unknown number"
_NOT_ONE = r"(?!(?:number|total|few|couple|dozen|series|lot|unknown|unspecified|estimated|further)\b)"
_ONE_AFTER = re.compile(r"(?<!\s)\s++(?:a|an)\s++" + _NOT_ONE + r"[a-z]", re.IGNORECASE)
_ONE_PASSIVE = re.compile(r"(?:^|[\s,])(?:a|an|one)\s++" + _NOT_ONE + r"(?:[\w'-]++\s++){1,4}?"
                          r"(?:was|has\s++been|had\s++been)(?:\s++(?:shot|found|reportedly|also|later))?\s*+$",
                          re.IGNORECASE)
_ONE_DIED = re.compile(r"(?:^|[\s,])(?:a|an|one)\s++" + _NOT_ONE + r"(?:[\w'-]++\s++){1,4}?$", re.IGNORECASE)
_INTRANSITIVE = re.compile(r"died|perished|lost their lives")
# an explicit none: "There were no (reported) casualties", "no fatalities were reported", "nobody was hurt"
_NONE = re.compile(r"\b(?:no|zero|without(?:\s++any)?)\s++(?:reported\s++|immediate\s++|known\s++)?"
                   r"(casualties|fatalities|deaths|injuries)\b|\b(?:no\s++one|nobody)\s++was\s++(killed|injured|hurt)\b",
                   re.IGNORECASE)
_VERB = {_KILLED: re.compile(r"\b" + _KILLED + r"\b"), _INJURED: re.compile(r"\b" + _INJURED + r"\b")}
_VERB_ANYWHERE = {_KILLED: re.compile(_KILLED), _INJURED: re.compile(_INJURED)}


def _numbers(fragment: str) -> int | None:
    total = 0
    seen = False
    skip_to = -1
    for m in _NUM_RE.finditer(fragment):
        before = fragment[max(0, m.start() - 6):m.start()]
        if _NOT_A_COUNT_BEFORE.search(before) or "$" in before or "No." in before:
            continue
        if _DAY_OF_MONTH.match(fragment, m.end()):
            continue
        if skip_to > m.start():
            continue  # the high end of a range
        word = m.group(1).lower()
        value = int(word) if word.isdigit() else _NUMBER_WORDS.get(" ".join(word.split()), 0)
        if m.group(2):
            value += _NUMBER_WORDS[m.group(2).lower()]
        if word.isdigit() and (len(word) == 4 and 1900 <= value <= 2100):
            continue
        total += value
        seen = True
        rest = _RANGE_REST.match(fragment, m.end()) or (
            _BETWEEN_REST.match(fragment, m.end()) if fragment[:m.start()].rstrip().lower().endswith("between") else None)
        if rest:
            skip_to = rest.end()
    return total if seen else None


def count_in(text: str, verb: str) -> int | None:
    """First count stated for ``verb`` (a killed or injured alternation) in ``text``."""
    for m in _VERB[verb].finditer(text):
        after = text[m.end():m.end() + 120]
        stop = _CLAUSE_STOP.search(after)
        if _QUANTIFIER.match(after):
            got = _numbers(after[:stop.start()] if stop else after)
            if got is not None:
                return got
        if _ONE_AFTER.match(after):
            return 1
        before = text[max(0, m.start() - 140):m.start()]
        cuts = [c.end() for c in _CLAUSE_START.finditer(before)]
        clause = _BREAKDOWN.sub(",", before[cuts[-1]:] if cuts else before)
        comma = clause.rfind(", ")
        if comma >= 0 and _ANY_NUMBER.search(clause[comma:]):
            clause = clause[comma:]
        if _SUBJECT_END.search(clause) or _NUM_AT_END.search(clause):
            for prior in (_KILLED, _INJURED):
                hit = list(_VERB_ANYWHERE[prior].finditer(clause))
                if hit:
                    clause = clause[hit[-1].end():]
            got = _numbers(clause)
            if got is not None:
                return got
        if _ONE_PASSIVE.search(clause) or _INTRANSITIVE.fullmatch(m.group(0)) and _ONE_DIED.search(clause):
            return 1
    return None


def stated_none(sentence: str) -> tuple[bool, bool]:
    """(no one killed, no one injured) as the sentence states it outright."""
    killed = injured = False
    for m in _NONE.finditer(sentence):
        word = (m.group(1) or m.group(2)).lower()
        killed |= word in ("casualties", "fatalities", "deaths", "killed")
        injured |= word in ("casualties", "injuries", "injured", "hurt")
    return killed, injured


def casualties(text: str, spans: Sequence[tuple[int, int]]) -> tuple[int | None, int | None]:
    """(killed, injured) as first stated in the event's sentences ``spans``; sentences
    that give a running total are skipped."""
    killed = injured = None
    words = _toll_words(text)
    for s, e in spans:
        if not spans_mod.within(words, s, e):
            continue
        sentence = text[s:e]
        if _CUMULATIVE.search(sentence):
            continue
        if killed is None:
            killed = count_in(sentence, _KILLED)
        if injured is None:
            injured = count_in(sentence, _INJURED)
    if killed is None or injured is None:
        for s, e in spans:
            no_killed, no_injured = stated_none(text[s:e])
            killed = 0 if killed is None and no_killed else killed
            injured = 0 if injured is None and no_injured else injured
    return killed, injured


@functools.lru_cache(maxsize=8)  # each incident of a story asks about the same text
def _toll_words(text: str) -> tuple[tuple[int], ...]:
    return tuple((m.start(),) for m in _TOLL_WORD.finditer(text))


def count_in_sentence(sentence: str) -> bool:
    """Whether a sentence states a toll of its own (and not a running total)."""
    return bool(_TOLL_WORD.search(sentence)) and not _CUMULATIVE.search(sentence) and (
        count_in(sentence, _KILLED) is not None
                                                 or count_in(sentence, _INJURED) is not None)
