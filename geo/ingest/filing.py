"""Filing what was read into the store: one incident per event, however many reports.

Articles are filed a batch per transaction, in input order, by one writer, so two outlets'
reports of one attack meet here whatever order the workers finished in. For each incident
read, the likely duplicates already stored are judged (:mod:`geo.ingest.matching`): a
match takes the report as another source (:meth:`geo.store.database.Store.absorb`, undoable like
any merge), anything else is added. Every report is kept with its evidence and its own
figures (``reports``), an uncertain merge, an unknown group name or a new pin read with
low confidence goes to the review queue (``reviews``), and the article's key and digest are noted (``articles``) so running
over the same input again adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select

from geo.geoparse import actors, confidence
from geo.ingest.inputs import Article
from geo.ingest.matching import best_match, combined
from geo.ingest.reading import Found, Reading
from geo.records import Incident
from geo.store.curation import unknown_group
from geo.store.database import Store, utc_now
from geo.store.duplicates import likely_duplicates
from geo.store.groups import hierarchy_of
from geo.store.schema import articles, reports, reviews

__all__ = ["Summary", "Filer"]

_KEEP_REASONS = 1000  # reasons listed in a summary; the counts go on
# Built once, values as parameters: the single writer does not rebuild a statement per report.
_ARTICLE_DIGEST = select(articles.c.digest).where(articles.c.key == bindparam("key"))
_REPORT_FILED = select(reports.c.id).where(reports.c.id == bindparam("id"))
_GROUP_LISTED = select(reviews.c.id).where(reviews.c.kind == "group", reviews.c.subject == bindparam("name"))


@dataclass
class Summary:
    """What an ingest did (its JSON is the run's report)."""

    articles: int = 0  # read and filed
    unchanged: int = 0  # already ingested with the same content
    added: int = 0
    unplaced: int = 0  # of those added: no point (the map's "not on the map" list)
    merged: int = 0
    to_review: int = 0  # merges left for a person to confirm or split
    to_check: int = 0  # of those added: pins read with a confidence under the cut, listed for a person to check
    already_filed: int = 0  # incidents of a changed article that were filed before
    failed: list[tuple[str, str]] = field(default_factory=list)  # articles not read: (key, reason)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # incidents not stored: (key, reason)
    failed_count: int = 0
    rejected_count: int = 0
    new_groups: list[str] = field(default_factory=list)

    def fail(self, key: str, reason: str) -> None:
        self.failed_count += 1
        if len(self.failed) < _KEEP_REASONS:
            self.failed.append((key, reason))

    def reject(self, key: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < _KEEP_REASONS:
            self.rejected.append((key, reason))

    def to_json(self) -> dict[str, Any]:
        return {"articles_read": self.articles, "articles_unchanged": self.unchanged,
                "articles_failed": self.failed_count, "incidents_added": self.added,
                "incidents_added_unplaced": self.unplaced, "incidents_merged": self.merged,
                "merges_to_review": self.to_review, "pins_to_check": self.to_check,
                "incidents_already_filed": self.already_filed,
                "incidents_rejected": self.rejected_count, "new_groups": self.new_groups,
                "failed": [{"article": k, "reason": r} for k, r in self.failed],
                "rejected": [{"article": k, "reason": r} for k, r in self.rejected]}

    def lines(self) -> list[str]:
        """The summary a person reads (CLI, app)."""
        out = [f"{_count(self.articles, 'article')} read, {self.unchanged:,} unchanged since the last ingest, "
               f"{self.failed_count:,} could not be read",
               f"{_count(self.added, 'incident')} added ({self.unplaced:,} without a point), {self.merged:,} merged "
               f"into incidents already stored ({self.to_review:,} to review), {self.rejected_count:,} rejected"]
        if self.to_check:
            out.append(f"{_count(self.to_check, 'pin')} read with low confidence, listed for review before they are "
                       "shown as certain")
        if self.new_groups:
            out.append(f"{_count(len(self.new_groups), 'group name')} the register does not know, listed for review: "
                       + ", ".join(self.new_groups[:10]) + (" …" if len(self.new_groups) > 10 else ""))
        return out


def place_doubt(incident: Incident) -> str:
    """Why a pin is listed: where it was put, how sure the reader was, and the runner-up."""
    where = ", ".join(p for p in (incident.location, incident.admin1, incident.country_code) if p)
    return (f"placed at {where} with {incident.confidence:.2f} confidence"
            + (f"; runner-up: {incident.runner_up}" if incident.runner_up else ""))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class Filer:
    """Files readings into ``store`` as ``actor`` (who the audit names)."""

    def __init__(self, store: Store, *, actor: str, review_below: float | None = None) -> None:
        self.store = store
        self.actor = actor
        # a new pin read with less confidence than this is listed for a person to check
        self.review_below = review_below if review_below is not None else confidence.review_below()
        self.hierarchy = hierarchy_of(store)
        self.register = actors.register()

    def known(self, group: str) -> bool:
        """Whether the register (or a link an editor added) knows this name."""
        return self.register.lookup(group) is not None or bool(self.hierarchy.parent_of(group))

    def unchanged(self, items: Sequence[Article]) -> set[str]:
        """The keys of these articles already ingested with the same content."""
        digests = {a.key: a.digest for a in items}
        keys = list(digests)
        out: set[str] = set()
        with self.store.read() as conn:
            for k in range(0, len(keys), 500):
                rows = conn.execute(select(articles.c.key, articles.c.digest).where(articles.c.key.in_(keys[k:k + 500])))
                out.update(key for key, digest in rows if digests[key] == digest)
        return out

    def file(self, readings: Sequence[Reading], summary: Summary) -> None:
        """File these articles' readings, in order, in one transaction: what one article
        writes is seen by the next (several articles per transaction keep the single
        writer's cost per article low; a failure writes none of them)."""
        with self.store.write() as conn:
            for reading in readings:
                if reading.problem:
                    summary.fail(reading.key, reading.problem)
                else:
                    self._file_article(conn, reading, summary)

    def _file_article(self, conn: Connection, reading: Reading, summary: Summary) -> None:
        seen = conn.execute(_ARTICLE_DIGEST, {"key": reading.key}).scalar()
        if seen == reading.digest:
            summary.unchanged += 1
            return
        summary.articles += 1
        for reason in reading.rejected:
            summary.reject(reading.key, reason)
        mine: set[str] = set()
        outcome: dict[str, list[str]] = {"added": [], "merged": [], "rejected": list(reading.rejected)}
        for found in reading.found:
            filed_as = self._file_one(conn, reading.key, found, mine, summary)
            if filed_as:
                outcome["merged" if filed_as != found.incident.event_id else "added"].append(filed_as)
        values = {"digest": reading.digest, "at": utc_now(), "outcome": json.dumps(outcome)}
        if seen is None:
            conn.execute(articles.insert(), {"key": reading.key, **values})
        else:
            conn.execute(articles.update().where(articles.c.key == reading.key).values(**values))

    def _file_one(self, conn: Connection, key: str, found: Found, mine: set[str], summary: Summary) -> str:
        incoming = found.incident
        if conn.execute(_REPORT_FILED, {"id": incoming.event_id}).first() is not None:
            summary.already_filed += 1
            return ""
        parent = self.hierarchy.parent_of(incoming.group)
        if parent:
            incoming = incoming.replace(parent_group=parent)
        candidates = [c for c in likely_duplicates(self.store, incoming, any_group=True, conn=conn)
                      if c.incident.event_id not in mine]  # an article's own incidents are different events
        match = best_match(candidates, incoming, self.hierarchy, self.known)
        if match is None:
            self.store.add(conn, incoming, actor=self.actor, action=f"ingest {key}")
            filed_as = incoming.event_id
            mine.add(filed_as)
            summary.added += 1
            summary.unplaced += not incoming.located
            if incoming.located and incoming.confidence is not None and incoming.confidence < self.review_below:
                summary.to_check += 1
                conn.execute(reviews.insert(), dict(kind="place", event_id=filed_as, subject=filed_as,
                                                     reason=place_doubt(incoming), status="open", at=utc_now()))
        else:
            stored, verdict = match
            filed_as = stored.incident.event_id
            via = self.store.absorb(conn, filed_as, incoming, combined(stored.incident, incoming, self.hierarchy),
                                    actor=self.actor)
            summary.merged += 1
            if verdict.doubts:
                summary.to_review += 1
                conn.execute(reviews.insert(), dict(kind="merge", event_id=filed_as, subject=incoming.event_id,
                                                     reason="; ".join(verdict.doubts), audit_id=via, status="open",
                                                     at=utc_now()))
        conn.execute(reports.insert(), dict(
            id=incoming.event_id, article=key, source=incoming.source, source_url=incoming.source_url,
            published=incoming.published.isoformat() if incoming.published else None, group=incoming.group,
            group_role=incoming.group_role, killed=incoming.killed, injured=incoming.injured,
            evidence=found.evidence, at=utc_now()))
        self._new_group(conn, incoming.group, filed_as, summary)
        return filed_as

    def _new_group(self, conn: Connection, group: str, event_id: str, summary: Summary) -> None:
        """List a group name nobody knows for review, once per name."""
        name = " ".join(group.split())
        if unknown_group(name) or self.known(name):
            return
        listed = conn.execute(_GROUP_LISTED, {"name": name}).first()
        if listed is None:
            conn.execute(reviews.insert(), dict(kind="group", event_id=event_id, subject=name, status="open",
                                                 reason="a group name the register does not know", at=utc_now()))
            summary.new_groups.append(name)
