"""The review queue: what ingest was not sure of, for a person to decide.

* an uncertain merge (matched by place name only, groups or types that differ, …):
  **confirm** it, or **split** it, which undoes the merge (:meth:`geo.store.database.Store.restore`)
  so the report becomes an incident of its own again;
* a group name the register does not know: **keep** it as a new group, or **file** it
  under a parent with the reporting that says so (a link in the store's ``group_links``,
  which the filters and popups use at once).

Every decision names who made it and when; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection, func, select

from geo.errors import InvalidInput
from geo.safetext import safe_url
from geo.store.database import NothingToUndo, Store, utc_now
from geo.store.groups import RELATIONS
from geo.store.schema import group_links, reviews

__all__ = ["Review", "ReviewError", "open_reviews", "open_counts", "confirm", "split", "keep_group", "file_group"]


class ReviewError(InvalidInput):
    """A decision that cannot be made (unknown or already decided entry, bad link)."""


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    kind: str  # "merge" or "group"
    event_id: str  # the incident concerned
    subject: str  # the merged report's id, or the group name
    reason: str
    audit_id: int | None
    status: str
    at: str


def open_reviews(store: Store, kind: str, limit: int = 200) -> list[Review]:
    """The oldest open entries of one kind."""
    with store.read() as conn:
        rows = conn.execute(select(reviews).where(reviews.c.status == "open", reviews.c.kind == kind)
                            .order_by(reviews.c.id).limit(limit)).all()
    return [Review(r.id, r.kind, r.event_id, r.subject, r.reason, r.audit_id, r.status, r.at) for r in rows]


def open_counts(store: Store) -> dict[str, int]:
    """Open entries per kind ("merge", "group")."""
    with store.read() as conn:
        rows = conn.execute(select(reviews.c.kind, func.count()).where(reviews.c.status == "open")
                            .group_by(reviews.c.kind)).all()
    return {"merge": 0, "group": 0} | {kind: int(n) for kind, n in rows}


def _open(conn: Connection, review_id: int, kind: str) -> Review:
    row = conn.execute(select(reviews).where(reviews.c.id == review_id)).first()
    if row is None or row.kind != kind:
        raise ReviewError(f"no {kind} review #{review_id}")
    if row.status != "open":
        raise ReviewError(f"review #{review_id} was already decided ({row.status})")
    return Review(row.id, row.kind, row.event_id, row.subject, row.reason, row.audit_id, row.status, row.at)


def _mark(conn: Connection, review_id: int, kind: str, status: str, actor: str) -> Review:
    review = _open(conn, review_id, kind)
    conn.execute(reviews.update().where(reviews.c.id == review_id)
                 .values(status=status, decided_by=actor, decided_at=utc_now()))
    return replace(review, status=status)


def _decide(store: Store, review_id: int, kind: str, status: str, actor: str) -> Review:
    with store.write() as conn:
        return _mark(conn, review_id, kind, status, actor)


def confirm(store: Store, review_id: int, *, actor: str) -> Review:
    """The merge was right: it stays."""
    return _decide(store, review_id, "merge", "confirmed", actor)


def split(store: Store, review_id: int, *, actor: str) -> Review:
    """The merge was wrong: undo it; the report comes back as an incident of its own. The
    entry is marked split only once the undo is done."""
    with store.read() as conn:
        review = _open(conn, review_id, "merge")
    if review.audit_id is not None:
        try:
            store.restore(review.audit_id, actor=actor)
        except NothingToUndo as error:
            raise ReviewError(f"review #{review_id}: {error}") from None
    return _decide(store, review_id, "merge", "split", actor)


def keep_group(store: Store, review_id: int, *, actor: str) -> Review:
    """The name is a group of its own (as far as reporting says)."""
    return _decide(store, review_id, "group", "kept", actor)


def file_group(store: Store, review_id: int, *, parent: str, relation: str, source: str, actor: str) -> Review:
    """Reporting attributes the name to ``parent`` (``relation``: front, member, …), as
    ``source`` (an http(s) link) says: the link is stored and used from now on."""
    parent = " ".join(parent.split())
    if not parent:
        raise ReviewError("name the parent group")
    if relation not in RELATIONS:
        raise ReviewError(f"relation must be one of: {', '.join(RELATIONS)}")
    if not safe_url(source.strip()):
        raise ReviewError("give the http(s) link to the reporting that attributes it (a source per link)")
    with store.write() as conn:  # the decision and the link together, or neither
        review = _mark(conn, review_id, "group", "filed", actor)
        conn.execute(group_links.insert().values(group=review.subject, relation=relation, parent=parent,
                                                 source=source.strip(), added_by=actor, added_at=utc_now()))
    return review
