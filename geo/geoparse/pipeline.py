"""From news text to located incidents: the geoparser's one entry point, :func:`parse`.

Recognise the place mentions (:mod:`~geo.geoparse.recognise`), resolve them
(:mod:`~geo.geoparse.resolve`), read the story's incidents and their places
(:mod:`~geo.geoparse.location`), and for each incident read the date, group, toll and
event type from the sentences about it (:mod:`~geo.geoparse.dates`,
:mod:`~geo.geoparse.actors`, :mod:`~geo.geoparse.casualties`,
:mod:`~geo.geoparse.event_types`). Everything is rules over the text and word lists in
``data/lexicon``, so it runs offline at hundreds of articles a second and every decision
can be traced to a cue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from geo.errors import InvalidInput
from geo.gazetteer import Gazetteer
from geo.geoparse import actors, confidence, location, recognise, spans
from geo.geoparse import sentences as sentences_mod
from geo.geoparse.casualties import casualties, count_in_sentence
from geo.geoparse.dates import event_date_of
from geo.geoparse.event_types import event_type_of
from geo.geoparse.resolve import Resolved, resolve
from geo.records import Incident

__all__ = ["LocatedMention", "EventRecord", "ParseResult", "parse", "to_incident"]


@dataclass(frozen=True, slots=True)
class LocatedMention:
    """A place mention as reported by ``parse`` (docs/DESIGN.md ``mentions`` entries)."""

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
    confidence: float = 0.0  # the chance this is the event's place, placed right (``geo.geoparse.confidence``)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "name": self.name,
                "latitude": self.latitude, "longitude": self.longitude, "country_code": self.country_code,
                "feature": self.feature, "geo_precision": self.geo_precision, "role": self.role,
                "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An incident read from one article (docs/DESIGN.md ``incidents`` entries).

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
    group_known: bool = False
    evidence: tuple[tuple[int, int], ...] = ()
    # the chance the point is where the event happened (``geo.geoparse.confidence``; None: no
    # point), and the best-scored other place with its distance ("Tehran, 520 km"), if any
    confidence: float | None = None
    runner_up: str = ""
    signals: tuple[float, ...] = ()  # the confidence model's features, for scripts/fit_confidence.py

    def to_json(self) -> dict[str, Any]:
        return {"event_date": self.event_date.isoformat() if self.event_date else None,
                "time_precision": self.time_precision, "group": self.group, "group_role": self.group_role,
                "location": self.location, "latitude": self.latitude, "longitude": self.longitude,
                "geo_precision": self.geo_precision, "country_code": self.country_code, "admin1": self.admin1,
                "killed": self.killed, "injured": self.injured, "event_type": self.event_type,
                "mention_start": self.mention_start, "mention_end": self.mention_end,
                "sub_event_type": self.sub_event_type, "group_known": self.group_known,
                "evidence": [list(span) for span in self.evidence], "confidence": self.confidence,
                "runner_up": self.runner_up}


@dataclass(frozen=True, slots=True)
class ParseResult:
    mentions: list[LocatedMention] = field(default_factory=list)
    incidents: list[EventRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The docs/DESIGN.md ``parse`` shape (the CLI adds ``id``), plus each incident's
        ``sub_event_type``, ``group_known``, ``evidence`` (its sentences' offsets),
        ``confidence`` and ``runner_up``, and each mention's ``confidence``."""
        return {"mentions": [m.to_json() for m in self.mentions],
                "incidents": [i.to_json() for i in self.incidents]}


# ----------------------------------------------------------------- public API

def parse(text: str, published: date | None, gazetteer: Gazetteer,
          register: actors.Register | None = None) -> ParseResult:
    """Every place mention (resolved or not, with its role) and every incident the story
    reports, main one first."""
    reg = register or actors.register()
    actor_spans = [(a, b) for a, b, _ in reg.find(text)]
    # a word inside a group's name that the gazetteer knows as a town or a region is part of the
    # name ("Shabaab", "Hamas", "West Africa" in ISWAP's), not a place of the story; a country or
    # province there ("Islamic State in Iraq") and a nationality still say where the story is
    resolved = [r for r in resolve(text, recognise.find(text, gazetteer), gazetteer)
                if r.mention.kind == "demonym" or not spans.covers(actor_spans, r.mention.start, r.mention.end)
                or r.place is not None and r.place.feature in ("country", "admin1")]
    sentences = sentences_mod.split(text)
    framing = sentences_mod.framing(text)
    cues = location.event_cues(text)
    anchor_date = location.lede_date(text, sentences, cues, published)
    background = location.background_sentences(text, sentences, cues, published, anchor_date)
    score = location.scores(text, resolved, sentences, cues, background, framing, actor_spans)
    events = location.incidents(text, resolved, sentences, score, background, count_in_sentence)
    anchors = {e.mention for e in events}
    event_ids = {p.id for p in (resolved[a].place for a in anchors) if p is not None}
    story = confidence.Story(resolved, score)
    out_mentions = []
    for k, (r, sure) in enumerate(zip(resolved, story.of_mentions(), strict=True)):
        is_event = k in anchors or (r.place is not None and r.place.id in event_ids
                                    and r.mention.kind != "demonym" and not r.mention.in_organisation)
        out_mentions.append(_located(r, "event" if is_event else "context", sure))
    return ParseResult(out_mentions, [_sure(_record(text, published, sentences, resolved, e, out_mentions, reg),
                                            e, story) for e in events])


def _sure(record: EventRecord, event: location.EventSpan, story: confidence.Story) -> EventRecord:
    """``record`` with how sure the reader is of its point, and the runner-up place."""
    row = story.features(event.mention, record.geo_precision, event.coded >= 0)
    sure = round(confidence.model().probability(row), 3) if record.latitude is not None else None
    other = story.runner_up(event.mention)
    return replace(record, confidence=sure, runner_up=f"{other[0]}, {other[1]:,.0f} km" if other else "",
                   signals=tuple(row))


_TYPE_CONTEXT = 600  # characters of the event's other sentences read for its type, after its own sentence


def _record(text: str, published: date | None, sentences: list[tuple[int, int]], resolved: list[Resolved],
            event: location.EventSpan, located: list[LocatedMention], reg: actors.Register) -> EventRecord:
    r = resolved[event.mention]
    anchor = r.mention.start
    event_date, precision = event_date_of(text, published, anchor, event.spans, sentences)
    group = actors.group_of(text, event.spans, reg)
    own = sentences[sentences_mod.index_of(sentences, anchor)]
    killed, injured = casualties(text, [own] + [s for s in event.spans if s != own])  # its own sentence's toll first
    etype, subtype = event_type_of(sentences_mod.text_of(text, sentences, anchor) + " "
                                   + " ".join(text[s:e] for s, e in event.spans)[:_TYPE_CONTEXT])
    where = resolved[event.coded] if event.coded >= 0 else r
    lm = located[event.coded] if event.coded >= 0 else located[event.mention]
    return EventRecord(event_date, precision, group.name, group.role, lm.name, lm.latitude, lm.longitude,
                       location.near_precision(where, event.near), lm.country_code, lm.admin1, killed, injured,
                       etype, r.mention.start, r.mention.end, subtype, r.mention.text, group.known, event.spans)


def to_incident(result_incident: EventRecord, *, source: str = "", source_url: str = "",
                published: date | None = None, notes: str = "", event_id: str = "") -> Incident:
    """The storable :class:`~geo.records.Incident` for a parsed incident.

    Without a date in the text or a publication date there is no event date to store,
    so that case raises :class:`~geo.errors.InvalidInput` (a ``ValueError``) rather than invent one.
    """
    event_date = result_incident.event_date or published
    if event_date is None:
        raise InvalidInput("incident has no event date and no publication date")
    precision = result_incident.time_precision if result_incident.event_date else 3
    if not event_id:
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
                    published=published, first_reported=published, confidence=result_incident.confidence,
                    runner_up=result_incident.runner_up)


def _located(r: Resolved, role: str, sure: float) -> LocatedMention:
    m, p = r.mention, r.place
    if p is None:
        return LocatedMention(m.start, m.end, m.text, m.lookup, None, None, "", "", None, role)
    return LocatedMention(m.start, m.end, m.text, p.name, p.latitude, p.longitude, p.country_code,
                          "region" if m.kind == "region" else p.feature, r.geo_precision, role, p.admin1, sure)
