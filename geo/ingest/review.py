"""The review queue: what ingest was not sure of, for a person to decide.

* an uncertain merge (matched by place name only, groups or types that differ, …):
  **confirm** it, or **split** it, which undoes the merge (:meth:`geo.store.database.Store.restore`)
  so the report becomes an incident of its own again;
* a group name the register does not know: **keep** it as a new group, or **file** it
  under a parent with the reporting that says so (a link in the store's ``group_links``,
  which the filters and popups use at once);
* a pin read with less confidence than the cut (``geo.geoparse.confidence``): the map shows
  it faded, marked unchecked, until a person **checks** it (after moving it in the editor if
  it was wrong).

Every decision names who made it and when, and leaves a row in the store's audit log (change
"review"), since it changes what every visitor's popups and filters show. :func:`reopen`
undoes one: the entry is open again and a link it filed is removed (itself audited). A split
is the exception: it undid the merge, and the editor's merge puts it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import Connection, func, select

from geo.errors import InvalidInput
from geo.safetext import safe_url
from geo.store.database import DECISION, NothingToUndo, Store, utc_now
from geo.store.groups import RELATIONS
from geo.store.schema import audit, group_links, reviews

__all__ = ["Review", "ReviewError", "open_reviews", "decided_reviews", "open_counts", "confirm", "split", "keep_group",
           "file_group", "check_place", "reopen"]


class ReviewError(InvalidInput):
    """A decision that cannot be made (unknown or already decided entry, bad link)."""


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    kind: str  # "merge", "group" or "place"
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
    """Open entries per kind ("merge", "group", "place")."""
    with store.read() as conn:
        rows = conn.execute(select(reviews.c.kind, func.count()).where(reviews.c.status == "open")
                            .group_by(reviews.c.kind)).all()
    return {"merge": 0, "group": 0, "place": 0} | {kind: int(n) for kind, n in rows}


def _open(conn: Connection, review_id: int, kind: str) -> Review:
    row = conn.execute(select(reviews).where(reviews.c.id == review_id)).first()
    if row is None or row.kind != kind:
        raise ReviewError(f"no {kind} review #{review_id}")
    if row.status != "open":
        raise ReviewError(f"review #{review_id} was already decided ({row.status})")
    return Review(row.id, row.kind, row.event_id, row.subject, row.reason, row.audit_id, row.status, row.at)


def decided_reviews(store: Store, limit: int = 20) -> list[Review]:
    """The newest decisions, newest first (what an editor may want to take back)."""
    with store.read() as conn:
        rows = conn.execute(select(reviews).where(reviews.c.status != "open")
                            .order_by(reviews.c.decided_at.desc(), reviews.c.id.desc()).limit(limit)).all()
    return [Review(r.id, r.kind, r.event_id, r.subject, r.reason, r.audit_id, r.status, r.at) for r in rows]


def _mark(conn: Connection, review_id: int, kind: str, status: str, actor: str, **extra: object) -> Review:
    review = _open(conn, review_id, kind)
    conn.execute(reviews.update().where(reviews.c.id == review_id)
                 .values(status=status, decided_by=actor, decided_at=utc_now()))
    Store.audit_decision(conn, actor, f"review #{review_id}: {status}", _subject(review),
                         {"review": review_id, "status": "open"}, {"review": review_id, "status": status, **extra})
    return replace(review, status=status)


def _subject(review: Review) -> str:
    """What the audit row is about: the incident of a merge or a pin, the name of a group."""
    return f"group:{review.subject}" if review.kind == "group" else review.event_id


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


def check_place(store: Store, review_id: int, *, actor: str) -> Review:
    """The pin is where the event happened (as it is now: moved in the editor if it was wrong)."""
    return _decide(store, review_id, "place", "checked", actor)


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
    with store.write() as conn:  # the decision, the link and their audit together, or none
        subject = _open(conn, review_id, "group").subject
        link = conn.execute(group_links.insert().values(group=subject, relation=relation, parent=parent,
                                                        source=source.strip(), added_by=actor, added_at=utc_now()))
        key = link.inserted_primary_key
        assert key is not None
        return _mark(conn, review_id, "group", "filed", actor, link=int(key[0]), parent=parent, relation=relation,
                     source=source.strip())


def reopen(store: Store, review_id: int, *, actor: str) -> Review:
    """Take a decision back: the entry is open again and a link it filed is removed. A split
    cannot be taken back here (it undid the merge; merging the two incidents in the editor
    puts it back), nor an open entry."""
    with store.write() as conn:
        row = conn.execute(select(reviews).where(reviews.c.id == review_id)).first()
        if row is None:
            raise ReviewError(f"no review #{review_id}")
        review = Review(row.id, row.kind, row.event_id, row.subject, row.reason, row.audit_id, row.status, row.at)
        if review.status == "open":
            raise ReviewError(f"review #{review_id} is open: there is no decision to take back")
        if review.status == "split":
            raise ReviewError(f"review #{review_id} was split, which undid the merge: merge the two incidents "
                              "again in the editor to put it back")
        removed = None
        if review.status == "filed":
            removed = _filed_link(conn, review)
            if removed is not None:
                conn.execute(group_links.delete().where(group_links.c.id == removed))
        conn.execute(reviews.update().where(reviews.c.id == review_id)
                     .values(status="open", decided_by="", decided_at=""))
        Store.audit_decision(conn, actor, f"review #{review_id}: reopened", _subject(review),
                             {"review": review_id, "status": review.status},
                             {"review": review_id, "status": "open", "link_removed": removed})
    return replace(review, status="open")


def _filed_link(conn: Connection, review: Review) -> int | None:
    """The group link the review's latest "filed" decision added (its id, from the audit row)."""
    rows = conn.execute(select(audit.c.after).where(audit.c.change == DECISION, audit.c.event_id == _subject(review),
                                                    audit.c.action == f"review #{review.id}: filed")
                        .order_by(audit.c.id.desc()).limit(1)).all()
    if not rows:
        return None
    link = json.loads(rows[0][0]).get("link")
    return int(link) if link is not None else None
