"""Event location and incident fields: from raw news text to located incidents.

:func:`parse` is the public entry point (used by ``python -m geo parse`` and the app):
recognise mentions (:mod:`geo.mentions`), resolve them (:mod:`geo.resolve`), decide
which one is where the reported event happened, and read the date, group, casualties
and event type from the text. Everything is rules over the text, so it runs offline at
hundreds of articles a second and every decision can be traced to a cue:

* event location: the mention nearest an event word (attack, strike, killed, blast…)
  in the earliest sentence that has one, preferring "attack on/at/near X", specific
  places (a base or town over a country), and penalising places after "after"/
  "following"/"amid" (background), possessives and metonyms ("Iraq's prime minister",
  "Tehran said"), organisation names and demonyms (never an event location);
* date: the date expression nearest the event, resolved against the publication date
  ("on Monday", "Aug. 5", "yesterday" → precision 1; "last week" → 2; "late January",
  "last month" → 3); none found → the publication date with precision 2;
* group: "claimed by X" / "X claimed responsibility" → claimed; "blamed on X",
  "attributed to X", "suspected X" → attributed; otherwise unknown;
* casualties: numbers in digits or words next to killed/injured verbs, summing
  "five service members and two contractors" and stopping at "including";
* event type in ACLED's vocabulary, from weapon and action words.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from geo import mentions as mentions_mod
from geo.gazetteer import Gazetteer
from geo.records import Incident
from geo.resolve import Resolved, resolve

__all__ = ["LocatedMention", "EventRecord", "ParseResult", "parse", "to_incident", "EVENT_TYPES"]


@dataclass(frozen=True, slots=True)
class LocatedMention:
    """A place mention as reported by ``parse`` (DESIGN.md ``mentions`` entries)."""

    start: int
    end: int
    text: str
    name: str
    latitude: float | None
    longitude: float | None
    country_code: str
    feature: str
    geo_precision: int | None
    role: str  # "event" | "context"
    admin1: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "name": self.name,
                "latitude": self.latitude, "longitude": self.longitude, "country_code": self.country_code,
                "feature": self.feature, "geo_precision": self.geo_precision, "role": self.role}


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An incident read from one article (DESIGN.md ``incidents`` entries).

    ``event_date`` is ``None`` only when the text gives no date and no publication date
    was supplied; ``killed``/``injured`` are ``None`` when the text gives no number.
    """

    event_date: date | None
    time_precision: int
    group: str
    group_role: str
    location: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    country_code: str
    admin1: str
    killed: int | None
    injured: int | None
    event_type: str
    mention_start: int
    mention_end: int
    sub_event_type: str = ""
    mention: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"event_date": self.event_date.isoformat() if self.event_date else None,
                "time_precision": self.time_precision, "group": self.group, "group_role": self.group_role,
                "location": self.location, "latitude": self.latitude, "longitude": self.longitude,
                "geo_precision": self.geo_precision, "country_code": self.country_code, "admin1": self.admin1,
                "killed": self.killed, "injured": self.injured, "event_type": self.event_type,
                "mention_start": self.mention_start, "mention_end": self.mention_end}


@dataclass(frozen=True, slots=True)
class ParseResult:
    mentions: list[LocatedMention] = field(default_factory=list)
    incidents: list[EventRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Exactly the DESIGN.md ``parse`` shape (the CLI adds ``id``)."""
        return {"mentions": [m.to_json() for m in self.mentions],
                "incidents": [i.to_json() for i in self.incidents]}


# ----------------------------------------------------------------- public API

def parse(text: str, published: date | None, gazetteer: Gazetteer) -> ParseResult:
    """Mentions (every one, resolved or not) and the story's main incident, if it reports one."""
    found = mentions_mod.find(text, gazetteer)
    resolved = resolve(text, found, gazetteer)
    sentences = _sentences(text)
    event_index = _event_mention(text, resolved, sentences)
    event_place = resolved[event_index].place if event_index is not None else None
    out_mentions: list[LocatedMention] = []
    for k, r in enumerate(resolved):
        same = event_index is not None and (k == event_index or (
            event_place is not None and r.place is not None and r.place.id == event_place.id
            and r.mention.kind != "demonym" and not r.mention.in_organisation))
        out_mentions.append(_located(r, "event" if same else "context"))
    incidents: list[EventRecord] = []
    if event_index is not None:
        r = resolved[event_index]
        anchor = r.mention.start
        event_date, precision = event_date_of(text, published, anchor, sentences)
        group, role = group_of(text)
        killed, injured = casualties(text)
        etype, subtype = event_type_of(_sentence_text(text, sentences, anchor) + " " + text[:400])
        lm = out_mentions[event_index]
        geo_precision = lm.geo_precision
        if geo_precision == 1 and _NEAR_BEFORE.search(text, max(0, r.mention.start - 40), r.mention.start):
            geo_precision = 2  # "near Tikrit": the town is where it is coded, not where it happened
        incidents.append(EventRecord(event_date, precision, group, role, lm.name, lm.latitude, lm.longitude,
                                     geo_precision, lm.country_code, lm.admin1, killed, injured, etype,
                                     r.mention.start, r.mention.end, subtype, r.mention.text))
    return ParseResult(out_mentions, incidents)


def to_incident(result_incident: EventRecord, *, source: str = "", source_url: str = "",
                published: date | None = None, notes: str = "", event_id: str = "") -> Incident:
    """The storable :class:`~geo.records.Incident` for a parsed incident.

    Without a date in the text or a publication date there is no event date to store,
    so that case raises ``ValueError`` rather than invent one.
    """
    event_date = result_incident.event_date or published
    if event_date is None:
        raise ValueError("incident has no event date and no publication date")
    precision = result_incident.time_precision if result_incident.event_date else 3
    if not event_id:
        import hashlib

        seed = f"{source_url}|{event_date.isoformat()}|{result_incident.location}|{result_incident.mention_start}"
        event_id = "parsed-" + hashlib.sha1(seed.encode()).hexdigest()[:12]
    return Incident(event_id=event_id, event_date=event_date, group=result_incident.group,
                    location=result_incident.location, time_precision=precision,
                    group_role=result_incident.group_role, event_type=result_incident.event_type,
                    sub_event_type=result_incident.sub_event_type, mention=result_incident.mention,
                    latitude=result_incident.latitude, longitude=result_incident.longitude,
                    geo_precision=result_incident.geo_precision, country_code=result_incident.country_code,
                    admin1=result_incident.admin1, killed=result_incident.killed,
                    injured=result_incident.injured, notes=notes, source=source, source_url=source_url,
                    published=published)


def _located(r: Resolved, role: str) -> LocatedMention:
    m, p = r.mention, r.place
    if p is None:
        return LocatedMention(m.start, m.end, m.text, m.lookup, None, None, "", "", None, role)
    return LocatedMention(m.start, m.end, m.text, p.name, p.latitude, p.longitude, p.country_code,
                          "region" if m.kind == "region" else p.feature, r.geo_precision, role, p.admin1)


# ----------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c(]?[A-Z0-9])|\n+")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_NOT_ENDS = frozenset({"mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "sgt", "gov", "sen", "rep", "no", "jr",
                       "sr", "capt", "maj", "brig", "adm", "prof", "rev", "ft", "mt", "jan", "feb", "mar", "apr",
                       "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "inc", "corp"})


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after an abbreviation ("Gen.", "U.S.",
    "Aug.") does not end one."""
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


def _sentence_index(sentences: Sequence[tuple[int, int]], pos: int) -> int:
    k = bisect.bisect_right([s for s, _ in sentences], pos) - 1
    return min(max(k, 0), len(sentences) - 1)


def _sentence_text(text: str, sentences: Sequence[tuple[int, int]], pos: int) -> str:
    s, e = sentences[_sentence_index(sentences, pos)]
    return text[s:e]


# ----------------------------------------------------------------- event location

_EVENT_WORDS = re.compile(
    r"\b(?:attack(?:s|ed|ing)?|strikes?|struck|air ?strikes?|air ?raids?|raid(?:s|ed)?|bomb(?:s|ed|ing|ings)?|"
    r"explo(?:sion|sions|ded|sive|sives)|blasts?|shell(?:ing|ed)|rockets?|missiles?|mortars?|drones?|kill(?:ed|ing|s)?|"
    r"wound(?:ed|ing)?|injur(?:ed|ing|ies)|dead|died|deaths?|casualties|clash(?:es|ed)?|fighting|fought|battles?|"
    r"ambush(?:ed)?|shot|shoot(?:ing|ings)?|gun(?:men|fire|man)|fired|targeted|assault(?:s|ed)?|offensive|"
    r"captured|seized|stormed|kidnapp?(?:ed|ing)|abduct(?:ed|ion)|opened fire|fire on|executed|massacre|suicide|IEDs?|grenades?|"
    r"landmines?|protest(?:s|ed|ers)?|demonstrat(?:ion|ions|ors|ed)|riot(?:s|ed|ing)?|arrested|crash(?:ed)?|"
    r"destroyed|burned|torched|detonated|hit|erupted|liberated|besieged|evacuated|violence|unrest)\b",
    re.IGNORECASE)
_EVENT_WORDS_LOWER = re.compile(_EVENT_WORDS.pattern.replace("IEDs?", "ieds?"))
_BACKGROUND = re.compile(r"\b(?:after|following|since|amid|in retaliation for|in response to|months after|"
                         r"weeks after|days after|earlier|previous|last year|in \d{4})\b", re.IGNORECASE)
_METONYM_AFTER = re.compile(r"^\s*(?:'s\s+|\u2019s\s+)?(?:officials?|government|authorities|ministry|military|"
                            r"forces|troops|army|police|embassy|said|says|has said|officials said|"
                            r"announced|claimed|accused|denied|warned|president|prime minister|leaders?|"
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
                          r"northwest|southeast|southwest)(?:ern)?\s+of)\s+(?:the\s+)?(?:(?:town|city|village)\s+)?(?:of\s+)?$",
                          re.IGNORECASE)
_LAUNCHED_FROM = re.compile(r"\s+(?:\w+\s+){0,2}?(?:fired|launched|lobbed)\b", re.IGNORECASE)
_CONTAINER_GAP = re.compile(r",?\s+(?:(?:city|town|village|district|area|camp|neighbou?rhood)\s+)?(?:in|of)\s+"
                            r"(?:the\s+)?(?:[a-z-]+\s+){0,3}(?:of\s+)?(?:the\s+)?$")


def precision_of(r: Resolved) -> int:
    return r.geo_precision or 2


def _event_mention(text: str, resolved: Sequence[Resolved], sentences: Sequence[tuple[int, int]]) -> int | None:
    """Index of the mention where the main event happened, or ``None`` when no mention
    stands next to an event word."""
    best: tuple[float, int] | None = None
    lowered = text.lower()
    if len(lowered) == len(text):  # lower-casing kept offsets: the case-sensitive scan is ~3x faster
        cues = [(m.start(), m.end()) for m in _EVENT_WORDS_LOWER.finditer(lowered)]
    else:
        cues = [(m.start(), m.end()) for m in _EVENT_WORDS.finditer(text)]
    if not cues:
        return None
    cue_sentences: dict[int, list[tuple[int, int]]] = {}
    for c in cues:
        cue_sentences.setdefault(_sentence_index(sentences, c[0]), []).append(c)
    first_cue_sentence = min(cue_sentences)
    for k, r in enumerate(resolved):
        m = r.mention
        if m.kind == "demonym" or m.in_organisation:
            continue
        si = _sentence_index(sentences, m.start)
        local = cue_sentences.get(si)
        score = 0.0
        if not local:
            # "Gunmen opened fire on a patrol in X, Y. Two died.": the scene is set in the
            # sentence next to the one with the event word
            near_si = min(cue_sentences, key=lambda c: abs(c - si))
            if abs(near_si - si) > 1:
                continue
            local, score = cue_sentences[near_si], -2.0
        s_start = sentences[si][0]
        score += 3.0 if si == first_cue_sentence else (1.5 if si <= first_cue_sentence + 1 else 0.0)
        score -= 0.05 * min(si, 20)
        dist = min(abs(m.start - c[1]) if c[1] <= m.start else abs(c[0] - m.end) for c in local)
        score += 3.0 / (1.0 + dist / 25.0)
        before = text[max(s_start, m.start - 60):m.start]
        if _ATTACK_ON.search(before):
            score += 2.5
        elif _AT_BEFORE.search(before):
            score += 1.5
        if _SOURCE_BEFORE.search(before):
            score -= 1.5
        if _LAUNCHED_FROM.match(text, m.end):
            score -= 2.5  # "militants in X fired rockets that hit Y": X is where they came from
        after = text[m.end:m.end + 30]
        if m.possessive or _METONYM_AFTER.match(after):
            score -= 2.0
        elif precision_of(r) == 4 and re.match(r"\s[a-z]", after):
            score -= 2.0  # a country as modifier: "a U.S. patrol", "a US air strike"
        clause = text[s_start:m.start]
        bg = [b.end() for b in _BACKGROUND.finditer(clause)]
        if bg and any(c[1] <= bg[-1] for c in local) or bg and m.start - bg[-1] < 60:
            score -= 2.5
        precision = r.geo_precision or (1 if "named" in m.flags else 2)
        score += {1: 1.5, 2: 1.0, 3: 0.5, 4: 0.0}.get(precision, 0.0)
        if k > 0 and _CONTAINER_GAP.match(text[resolved[k - 1].mention.end:m.start]) and \
                resolved[k - 1].mention.kind != "demonym":
            score -= 2.0  # "Ashmi in the countryside of Kobane": Kobane only says where Ashmi is
        if k + 1 < len(resolved) and precision >= 3:
            nxt = resolved[k + 1]
            between = text[m.end:nxt.mention.start]
            if len(between) <= 35 and not re.search(r"[,.;]|\band\b", between) and \
                    (nxt.geo_precision or 2) < precision and nxt.mention.kind != "demonym":
                score -= 2.5  # "Syria's Aleppo province", "the Belarus capital Minsk": the next one is where
        if r.place is None and "named" not in m.flags:
            score -= 0.5
        if r.container:
            score -= 3.0  # "(Sinjar district, Ninewa)": these only say where the mention before them is
        if best is None or score > best[0]:
            best = (score, k)
    return best[1] if best else None


# ----------------------------------------------------------------- dates

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("month_day", re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")),
    ("day_month", re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"(?:,?\s+(\d{4}))?")),
    ("weekday", re.compile(r"\b(?:(last|this|on|late|early|)\s*)(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                           r"Sunday)\b")),
    ("relative", re.compile(r"\b(yesterday|today|tonight|last night|overnight|this morning|earlier today|"
                            r"this week|earlier this week|last week|last weekend|over the weekend|this weekend|"
                            r"last month|earlier this month|this month)\b", re.IGNORECASE)),
    ("part_month", re.compile(r"\b(early|mid|mid-|late|in|since|end of|beginning of)\s*-?\s*" + _MONTH_RE
                              + r"(?!\s+\d)(?:\s+(\d{4}))?")),
]


def _year_for(month: int, day: int, published: date) -> date | None:
    """The date ``month/day`` nearest before (or just after) publication."""
    for year in (published.year, published.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= published + timedelta(days=2):
            return d
    return None


def _resolve_date(kind: str, m: re.Match[str], published: date | None) -> tuple[date, int] | None:
    if kind in ("month_day", "day_month"):
        month_s, day_s = (m.group(1), m.group(2)) if kind == "month_day" else (m.group(2), m.group(1))
        month, day = _MONTHS[month_s.lower().rstrip(".")], int(day_s)
        if not 1 <= day <= 31:
            return None
        if m.group(3):
            try:
                return date(int(m.group(3)), month, day), 1
            except ValueError:
                return None
        if published is None:
            return None
        d = _year_for(month, day, published)
        return (d, 1) if d else None
    if published is None:
        return None
    if kind == "weekday":
        qualifier, name = (m.group(1) or "").lower(), m.group(2).lower()
        back = (published.weekday() - _WEEKDAYS[name]) % 7
        if qualifier == "last" and back == 0:
            back = 7
        return published - timedelta(days=back), 1
    if kind == "relative":
        word = m.group(1).lower()
        if word in ("yesterday", "last night", "overnight"):
            return published - timedelta(days=1), 1
        if word in ("today", "tonight", "this morning", "earlier today"):
            return published, 1
        if word in ("this week", "earlier this week", "this weekend"):
            return published, 2
        if word in ("last week",):
            return published - timedelta(days=7), 2
        if word in ("last weekend", "over the weekend"):
            back = (published.weekday() - 5) % 7 or 7
            return published - timedelta(days=back), 2
        if word == "last month":
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=15), 3
        return published.replace(day=max(1, published.day // 2)), 3
    if kind == "part_month":
        part = m.group(1).lower().rstrip("-")
        month = _MONTHS[m.group(2).lower().rstrip(".")]
        day = {"early": 5, "beginning of": 5, "mid": 15, "late": 25, "end of": 25}.get(part, 15)
        if m.group(3):
            return date(int(m.group(3)), month, day), 3
        d = _year_for(month, 1, published)
        if d is None:
            return None
        return d.replace(day=day), 3
    return None


def event_date_of(text: str, published: date | None, anchor: int,
                  sentences: Sequence[tuple[int, int]] | None = None) -> tuple[date | None, int]:
    """(event date, time precision) from the date expression nearest ``anchor`` in its sentence,
    else the first one in the story's first two sentences, else the publication date (precision 2)."""
    sentences = sentences or _sentences(text)
    si = _sentence_index(sentences, anchor)
    windows = [sentences[si]] + [s for s in sentences[:2] if s != sentences[si]]
    for s, e in windows:
        found: list[tuple[int, date, int]] = []
        segment = text[s:e]
        for kind, pattern in _DATE_PATTERNS:
            for m in pattern.finditer(segment):
                if kind == "weekday" and not m.group(1) and segment[max(0, m.start() - 5):m.start()].strip() == "":
                    pass
                got = _resolve_date(kind, m, published)
                if got is not None:
                    found.append((abs(s + m.start() - anchor), got[0], got[1]))
        if found:
            found.sort(key=lambda x: (x[0], x[2]))
            return found[0][1], found[0][2]
    return published, 2


# ----------------------------------------------------------------- group

_NAME = (r"(?:[Aa]l-|[Ee]l-)?[A-Z][\w'\u2019-]*"
         r"(?:\s(?:(?:of|in|for|the|al|and|de|bin)\s)?(?:[Aa]l-)?[A-Z][\w'\u2019-]*){0,6}")
_GROUP_NOUN = r"(?:group|militia|faction|organi[sz]ation|outfit|coalition|movement|network|front|umbrella group)"
_ADJ = r"(?:(?:a|an|the|new|little-known|shadowy|previously unknown|unknown|militant|armed|Iran-backed|" \
       r"Iranian-backed|jihadist|Islamist|extremist|rebel|insurgent|obscure|self-styled|hardline)\s+)*"
_CLAIMED = [
    re.compile(r"claimed by\s+" + _ADJ + r"(?:" + _GROUP_NOUN + r"\s+)?(?:(?:called|calling itself|named|known as)\s+)?"
               r"(" + _NAME + ")"),
    re.compile(r"(" + _NAME + r")(?:,[^,.]{1,80},)?\s+(?:has\s+|had\s+|have\s+|quickly\s+|later\s+)?"
               r"(?:claimed|claims|claiming|took|takes)\s+(?:responsibility|credit|the attack|the strike|it)"),
    re.compile(r"responsibility\s+(?:for\s+[^.]{1,60}?\s+)?was\s+claimed\s+by\s+" + _ADJ + r"(?:" + _GROUP_NOUN
               + r"\s+)?(" + _NAME + ")"),
    re.compile(r"(" + _NAME + r")\s+said\s+(?:it|its fighters|they)\s+(?:had\s+)?(?:carried out|launched|was behind|"
               r"were behind|targeted|attacked|struck|fired)"),
]
_ATTRIBUTED = [
    re.compile(r"blamed\s+(?:the\s+\w+\s+)?on\s+" + _ADJ + r"(" + _NAME + ")"),
    re.compile(r"attributed\s+(?:the\s+\w+\s+)?to\s+" + _ADJ + r"(" + _NAME + ")"),
    re.compile(r"(?:suspected|alleged)\s+(" + _NAME + r")\s+(?:militants|fighters|gunmen|members|insurgents|rebels)"),
    re.compile(r"(?:accused|blamed)\s+" + _ADJ + r"(" + _NAME + r")\s+(?:of|for)\b"),
    re.compile(r"(" + _NAME + r")\s+(?:was|were|is|are)\s+(?:blamed|suspected|believed to be behind|accused)"),
    re.compile(r"carried out by\s+" + _ADJ + r"(" + _NAME + ")"),
]
_NAME_NOISE = {"the", "a", "an", "on", "in", "at", "yesterday", "today", "officials", "but", "and", "while",
               "meanwhile", "however", "late", "early", "last", "it", "he", "she", "they"}


def _clean_group(name: str) -> str:
    words = name.split()
    while words and (words[0].lower() in _NAME_NOISE or words[0].lower() in _WEEKDAYS
                     or words[0].lower().rstrip(".") in _MONTHS):
        words.pop(0)
    return " ".join(words).strip(" ,'\u2019")


def group_of(text: str) -> tuple[str, str]:
    """(group, group_role): ``claimed`` beats ``attributed``; ("", "unknown") when no cue."""
    for role, patterns in (("claimed", _CLAIMED), ("attributed", _ATTRIBUTED)):
        hits = []
        for p in patterns:
            m = p.search(text)
            if m:
                name = _clean_group(m.group(1))
                if name and name.lower() not in _NAME_NOISE:
                    hits.append((m.start(), name))
        if hits:
            return min(hits)[1], role
    return "", "unknown"


# ----------------------------------------------------------------- casualties

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12, "a hundred": 100})
_NUM = r"(\d{1,4}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_NUM_RE = re.compile(r"\b" + _NUM + r"(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\b(?!\s*(?:%|percent|"
                     r"per cent|years?\b|-year|year-old|km|kilomet|miles?|a\.m|p\.m|hours?|days?|weeks?|months?|"
                     r"times|o'clock|rockets?|drones?|missiles?|shells?|mortars?|vehicles?|houses?|buildings?|"
                     r"homes?|meters|metres|feet|kg|tons?|million|billion))", re.IGNORECASE)
_KILLED = r"(?:killed|killing|kills|dead|died|deaths?|lost their lives|slain|perished)"
_INJURED = r"(?:injured|injuring|injures|wounded|wounding|wounds|hurt|injuries)"
_CLAUSE_STOP = re.compile(r"(?<![A-Z])\.|[;:()]|,\s*(?:including|among them|most of them|of whom|many|both|all)\b|"
                          r"\bincluding\b|"
                          r"\b(?:in|on|near|when|after|as|while|during|and (?:killed|injured|wounded)|"
                          r"according)\b|\bat\b(?!\s+least)")


_CLAUSE_START = re.compile(r"(?<![A-Z])[.;:\n]")


def _numbers(fragment: str) -> int | None:
    total = 0
    seen = False
    for m in _NUM_RE.finditer(fragment):
        before = fragment[max(0, m.start() - 6):m.start()]
        if re.search(_MONTH_RE + r"\s*$", before) or "$" in before or "No." in before:
            continue
        word = m.group(1).lower()
        value = int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 0)
        if m.group(2):
            value += _NUMBER_WORDS[m.group(2).lower()]
        if word.isdigit() and (len(word) == 4 and 1900 <= value <= 2100):
            continue
        total += value
        seen = True
    return total if seen else None


def _count(text: str, verb: str) -> int | None:
    """First count stated for ``verb`` (killed or injured): "killing seven people",
    "five service members and two contractors were injured"."""
    for m in re.finditer(r"\b" + verb + r"\b", text):
        after = text[m.end():m.end() + 120]
        stop = _CLAUSE_STOP.search(after)
        got = _numbers(after[:stop.start()] if stop else after)
        if got is not None and re.match(r"\s+(?:at least\s+|more than\s+|about\s+|some\s+|nearly\s+|up to\s+)?"
                                        + _NUM, after, re.IGNORECASE):
            return got
        before = text[max(0, m.start() - 140):m.start()]
        cuts = [c.end() for c in _CLAUSE_START.finditer(before)]
        clause = before[cuts[-1]:] if cuts else before
        comma = clause.rfind(", ")
        if comma >= 0 and re.search(r"\d|" + "|".join(_NUMBER_WORDS), clause[comma:], re.IGNORECASE):
            clause = clause[comma:]
        if re.search(r"\b(?:were|was|have been|had been|are|been|is|left|people|civilians|soldiers|others|"
                     r"troops|members|personnel)\s*$", clause) or re.search(_NUM + r"\s*$", clause):
            for prior in (_KILLED, _INJURED):
                hit = list(re.finditer(prior, clause))
                if hit:
                    clause = clause[hit[-1].end():]
            got = _numbers(clause)
            if got is not None:
                return got
    return None


def casualties(text: str) -> tuple[int | None, int | None]:
    """(killed, injured) as stated first in the story; ``None`` when no number is given."""
    return _count(text, _KILLED), _count(text, _INJURED)


# ----------------------------------------------------------------- event type

EVENT_TYPES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"\bsuicide\s+(?:bomb|attack|car|vest|blast)", re.I), "Explosions/Remote violence", "Suicide bomb"),
    (re.compile(r"\b(?:IEDs?|roadside bomb|improvised explosive|landmines?|land mines?|car bomb|explosive device|"
                r"booby[- ]trap|bomb exploded|bomb went off|mine exploded)", re.I),
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    (re.compile(r"\b(?:drones?|air ?strikes?|air ?raids?|warplanes?|jets|aerial|bombers?|helicopter gunships?|"
                r"UAVs?)\b", re.I), "Explosions/Remote violence", "Air/drone strike"),
    (re.compile(r"\b(?:rockets?|missiles?|shell(?:ing|ed|s)|mortars?|artillery|projectiles?|katyusha)\b", re.I),
     "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    (re.compile(r"\bgrenades?\b", re.I), "Explosions/Remote violence", "Grenade"),
    (re.compile(r"\b(?:explosions?|blasts?|bombings?|bomb)\b", re.I), "Explosions/Remote violence",
     "Remote explosive/landmine/IED"),
    (re.compile(r"\b(?:clash(?:es|ed)?|fighting|gunfights?|firefights?|battles?|exchanged fire)\b", re.I),
     "Battles", "Armed clash"),
    (re.compile(r"\b(?:kidnapp\w*|abduct\w*|hostages?)\b", re.I), "Violence against civilians",
     "Abduction/forced disappearance"),
    (re.compile(r"\b(?:riot\w*|mob)\b", re.I), "Riots", "Violent demonstration"),
    (re.compile(r"\b(?:protest\w*|demonstrat\w*|rall(?:y|ies))\b", re.I), "Protests", "Peaceful protest"),
    (re.compile(r"\b(?:gunmen|shot dead|shot and killed|massacre\w*|executed|stabb\w*)\b", re.I),
     "Violence against civilians", "Attack"),
    (re.compile(r"\b(?:attack\w*|ambush\w*|raid\w*|assault\w*|stormed)\b", re.I), "Battles", "Armed clash"),
]


def event_type_of(text: str) -> tuple[str, str]:
    """(ACLED event_type, sub_event_type) of the first matching rule; ("", "") when none."""
    for pattern, etype, subtype in EVENT_TYPES:
        if pattern.search(text):
            return etype, subtype
    return "", ""
