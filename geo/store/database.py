"""The incident store: a SQLite file or a PostgreSQL database, created on first use.

Every write goes through :meth:`Store.upsert` (or, for an editor's corrections,
:meth:`Store.delete`, :meth:`Store.merge` and :meth:`Store.restore`, under the same lock), and
is one transaction, so an import that fails or is killed half-way leaves the store as it was. The same transaction writes the
``audit`` table: who made each change, when, with which action, and the record before
and after. Rows are keyed by ``event_id``: importing the same file twice updates rather
than duplicates, and an insert-only write leaves stored records alone.

Writes stream: records are consumed in batches, so a million-row import holds one batch
in memory, and a stored digest of each row (``row_hash``) makes an unchanged re-import one
indexed lookup per row. Reads for the app (filters, counts, the map) are SQL in
:mod:`geo.store.queries`; nothing here loads the whole store.

Text goes in clean (no control characters, see :func:`geo.safetext.clean_text`) and
numbers as numbers, whatever path they came by.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Text, any_, bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from geo.errors import IncidentMapError, InvalidInput, NotFound
from geo.records import FIELDS, Incident
from geo.safetext import clean_text
from geo.store.curation import merged
from geo.store.schema import (
    DATE_FIELDS,
    INT_FIELDS,
    REAL_FIELDS,
    StoreUnavailable,
    UnsupportedStore,
    audit,
    create_schema,
    database_url,
    engine_for,
    imports,
    incidents,
    meta,
    redacted,
    sources,
)

__all__ = ["Store", "UpsertCounts", "AuditEntry", "Source", "NotStored", "NothingToUndo", "ChangedSince", "UnsupportedStore",
           "StoreUnavailable", "WriteLimitExceeded", "QueryTimedOut", "stored_values", "utc_now", "BATCH", "DECISION"]

_MULTILINE_FIELDS = {"notes"}
BATCH = 2000  # records per round trip: large enough to amortise it, small enough to keep memory flat
# A write that adds at least this many records, and more than the store held, is a bulk
# load: on SQLite the secondary indexes are dropped and built again once, at the end of
# the same transaction (readers keep seeing the old snapshot meanwhile, indexes and all).
BULK_ROWS = 50_000
_BULK_INDEXES = [index for table in (incidents, audit) for index in table.indexes]
_COLUMNS = [incidents.c[name] for name in FIELDS]


class QueryTimedOut(IncidentMapError):
    """A read stopped at its deadline (:meth:`Store.read`): the caller says what to narrow."""


class WriteLimitExceeded(InvalidInput):
    """A write would add or change more records than its ``limit``: nothing was written."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"this would add or change more than {limit:,} records")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int
    updated: int
    unchanged: int
    skipped: int = 0  # stored records that differ but were left alone (an insert-only write)


class NotStored(NotFound):
    """An event id (or audit entry) that is not in the store; the message names it."""


class NothingToUndo(InvalidInput):
    """Undoing an audit entry would change nothing: the record is already as it was before it."""


class ChangedSince(InvalidInput):
    """Undoing a merge would silently revert a later change to one of its records."""


@dataclass(frozen=True, slots=True)
class Source:
    """One report of an incident: its own ``source``/``source_url`` first, then one per
    incident merged into it (``added_by``/``added_at`` say who merged it, when)."""

    source: str
    source_url: str
    published: str = ""  # ISO date or ""
    added_at: str = ""
    added_by: str = ""
    report: str = ""  # the incident id it was first filed as (an ingested report's id: reports.id)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: ``change`` is "add", "update" or "delete"; ``before`` is ``None`` for an
    add, ``after`` is ``{}`` for a delete. An undo is a change like any other, its
    ``action`` "undo of #N"; a merge is two entries (an update of the incident kept, a
    delete of the one merged into it) whose action is "merge B into A"."""

    id: int
    at: str  # UTC, ISO 8601
    actor: str
    action: str
    change: str
    event_id: str
    before: dict[str, Any] | None
    after: dict[str, Any]


class Store:
    """Incidents in SQLite or PostgreSQL (``location``: a path, ``sqlite:///`` or
    ``postgresql://`` URL). Safe for several app sessions: one ``Store`` is shared by every
    session (``st.cache_resource``); each thread gets its own pooled connection, and an
    in-memory SQLite database, which has only one, is handed to one thread at a time."""

    def __init__(self, location: str) -> None:
        self.location = location  # as given: a path or a URL
        url = database_url(location)
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine, self._lock = engine_for(location)
        self.instance = uuid.uuid4().hex  # with the revision, a cache key no other Store object shares
        self.dialect = self.engine.dialect.name  # "sqlite" or "postgresql"
        try:
            create_schema(self.engine)
        except (OperationalError, InterfaceError) as error:  # refused, wrong password, no such database
            self.engine.dispose()
            reason = redacted(str(error.orig or error).strip().splitlines()[0])
            raise StoreUnavailable(f"Cannot open the incident store {redacted(location)}: {reason}"[:500]) from None
        self._sql = _write_sql("?" if self.engine.dialect.paramstyle == "qmark" else "%s")
        self._writing = threading.local()  # .conn: this thread's bulk write under way (see raw_digests)

    @contextmanager
    def read(self, deadline_s: float | None = None) -> Iterator[Connection]:
        """A connection in one read transaction: a consistent view for several queries. With
        ``deadline_s``, a statement still running after that many seconds is stopped and
        :class:`QueryTimedOut` raised (SQLite: a progress handler; PostgreSQL: ``statement_timeout``);
        so is a read that finished after it."""
        with self._lock or nullcontext(), self.engine.connect() as conn, conn.begin():
            if deadline_s is None:
                yield conn
                return
            raw: Any = conn.connection.driver_connection
            ends = time.monotonic() + deadline_s
            try:
                if self.dialect == "sqlite":
                    raw.set_progress_handler(lambda: int(time.monotonic() > ends), 1_000)
                else:
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(deadline_s * 1000))}")
                yield conn
                if time.monotonic() > ends:  # finished, but late: as slow as one stopped
                    raise QueryTimedOut(f"stopped after {deadline_s:g} s")
            except (OperationalError, DBAPIError) as error:
                text = str(error.orig or error).lower()
                if "interrupted" in text or "statement timeout" in text or "canceling statement" in text:
                    raise QueryTimedOut(f"stopped after {deadline_s:g} s") from None
                raise
            finally:
                if self.dialect == "sqlite":
                    raw.set_progress_handler(None, 0)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._lock or nullcontext(), self.engine.connect().execution_options(write=True) as conn, conn.begin():
            # One writer at a time on PostgreSQL too (SQLite's BEGIN IMMEDIATE does it there).
            conn.execute(select(meta.c.value).where(meta.c.key == "revision").with_for_update())
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction for work on several records at once (``geo.ingest`` files
        an article's incidents, with their reports, in one); the store's revision moves."""
        with self._write() as conn:
            yield conn
            self._bump(conn)

    def revision(self) -> int:
        """A counter bumped by every write that changed something: a cache key for readers."""
        with self.read() as conn:
            return int(conn.execute(select(meta.c.value).where(meta.c.key == "revision")).scalar_one())

    def identity(self) -> int:
        """A random number drawn when the store was created: which store a file made from it
        (``geo.store.columns.kept``) belongs to, whoever opens it."""
        with self.read() as conn:
            return int(conn.execute(select(meta.c.value).where(meta.c.key == "identity")).scalar_one())

    def file_key(self) -> str:
        """A name for files made from this store (its identity and where it is: a copied
        database file is another store), for the columns and the search index it keeps."""
        return hashlib.sha256(f"{self.identity()}|{database_url(self.location)}".encode()).hexdigest()[:20]

    def version(self) -> tuple[str, int]:
        """(this object, its revision): what a cache of query answers is keyed on."""
        return self.instance, self.revision()

    def count(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(func.count()).select_from(incidents)).scalar_one())

    def close(self) -> None:
        self.engine.dispose()

    def upsert(self, records: Iterable[Incident], *, actor: str, action: str, update_existing: bool = True,
               progress: Callable[[int], None] | None = None, limit: int | None = None,
               digests: Callable[[], Mapping[str, str]] | None = None) -> UpsertCounts:
        """The one write path. Insert new incidents and, when ``update_existing``, update
        changed ones, all in one transaction with one ``audit`` row per change naming
        ``actor`` (an editor's email, "token:NAME", "private", "cli", …) and ``action``
        ("article", "import", …). Insert-only (``update_existing=False``) counts a stored
        record that differs as skipped and leaves it as it is.

        ``records`` is consumed lazily, ``BATCH`` at a time; ``progress`` is called with the
        number of records handled so far after each batch. A record repeated within one
        write counts once per occurrence, the last one winning. With ``limit``, a write
        that would add or change more records than that raises :class:`WriteLimitExceeded`
        and writes nothing (unchanged records do not count).

        ``digests`` (an import's reader: ``Records.take_digests``), called after each batch is
        read, gives the raw-row digest of that batch's records, by id; each is kept beside the
        record it made (``raw_hash``) for :meth:`raw_digests`. While the write runs, that
        method reads in its transaction, so the reader may ask it from inside."""
        if not actor.strip() or not action.strip():
            raise InvalidInput("a write must name who makes it and why (actor, action)")
        take = digests or dict
        totals = [0, 0, 0, 0]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cleaned = map(stored_values, records)  # a bad record rolls the whole write back
        done = 0
        with self._write() as conn, self._reading_in(conn):
            bulk, before = False, None
            while batch := list(islice(cleaned, BATCH)):
                raw = take()
                for chunk in _without_repeats(batch):
                    counts = self._upsert_batch(conn, chunk, actor, action, update_existing, now, raw)
                    totals = [a + b for a, b in zip(totals, counts, strict=True)]
                    if limit is not None and totals[0] + totals[1] > limit:
                        raise WriteLimitExceeded(limit)  # rolls the transaction back
                done += len(batch)
                if progress is not None:
                    progress(done)
                if not bulk and self.dialect == "sqlite" and totals[0] >= BULK_ROWS:
                    before = self._held(conn) - totals[0] if before is None else before  # counted once
                    bulk = totals[0] >= before  # a large load: build the indexes once at the end, not row by row
                    for index in _BULK_INDEXES if bulk else ():
                        index.drop(conn)
            if bulk:
                for index in _BULK_INDEXES:
                    index.create(conn)
            if totals[0] or totals[1]:
                conn.execute(update(meta).where(meta.c.key == "revision").values(value=meta.c.value + 1))
        return UpsertCounts(*totals)

    @contextmanager
    def _reading_in(self, conn: Connection) -> Iterator[None]:
        """:meth:`raw_digests` in this thread reads in ``conn`` (the write under way) meanwhile."""
        self._writing.conn = conn
        try:
            yield
        finally:
            self._writing.conn = None

    def raw_digests(self, ids: list[str]) -> dict[str, str]:
        """For those of ``ids`` stored, the digest of the file row last imported into each, where
        the stored values are still what that import wrote (``raw_hash``'s second half is the
        row's ``row_hash``): an edit, a merge or an article since voids it."""
        if not ids:
            return {}
        # the driver's own cursor: a re-import asks this for every row, and SQLAlchemy's compiling
        # and result rows cost as much as the lookup itself
        among, params = ("= ANY(%s)", (list(ids),)) if self.dialect == "postgresql" else \
            (f"IN ({', '.join('?' * len(ids))})", tuple(ids))
        query = f"SELECT event_id, raw_hash, row_hash FROM incidents WHERE raw_hash IS NOT NULL AND event_id {among}"
        conn = getattr(self._writing, "conn", None)
        with nullcontext(conn) if conn is not None else self.read() as reading:
            cursor = reading.connection.cursor()
            try:
                cursor.execute(query, params)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        return {ident: raw[:cut] for ident, raw, row in rows
                if row and (cut := raw.find(":")) > 0 and raw[cut + 1:] == row}

    @staticmethod
    def _held(conn: Connection) -> int:
        """Rows in ``incidents`` as this transaction sees them: asked only once a write is
        large, so a small save never counts the table."""
        return int(conn.execute(select(func.count()).select_from(incidents)).scalar_one())

    def _upsert_batch(self, conn: Connection, batch: Sequence[tuple[Any, ...]], actor: str, action: str,
                      update_existing: bool, now: str, raw: Mapping[str, str]) -> tuple[int, int, int, int]:
        rows = list(batch)
        ids = [row[0] for row in rows]
        stored, kept = {}, {}
        for ident, row_hash, raw_hash in conn.execute(
                select(incidents.c.event_id, incidents.c.row_hash, incidents.c.raw_hash).where(self._among(ids))):
            stored[ident], kept[ident] = row_hash, raw_hash
        new = [row for row in rows if row[0] not in stored]
        differing = [row for row in rows if row[0] in stored and stored[row[0]] != row[-1]]
        old: dict[str, tuple[Any, ...]] = {}
        if differing:  # a digest may be missing (a store from an older version): compare the values
            found = conn.execute(select(*_COLUMNS).where(self._among([r[0] for r in differing])))
            old = {r[0]: tuple(r) for r in found}
            same = [r for r in differing if r[:-1] == old[r[0]]]
            if same:
                conn.exec_driver_sql(self._sql["hash"], [(r[-1], r[0]) for r in same])
                stored.update((r[0], r[-1]) for r in same)
            differing = [r for r in differing if r[:-1] != old[r[0]]]
        unchanged = len(rows) - len(new) - len(differing)
        if differing and not update_existing:
            skipped, differing = len(differing), []
        else:
            skipped = 0
        def with_raw(row: tuple[Any, ...]) -> str | None:
            return f"{digest}:{row[-1]}" if (digest := raw.get(row[0])) else None

        if raw:  # unchanged records: what a re-import of the same file rows will find, when it moved
            moved = [(value, r[0]) for r in rows if r[0] in stored and stored[r[0]] == r[-1]
                     and (value := with_raw(r)) and value != kept[r[0]]]
            if moved:
                conn.exec_driver_sql(self._sql["raw"], moved)
        if new:
            self._insert(conn, "incidents", _IMPORTED, [(*r, with_raw(r)) for r in new])
        if differing:
            self._update(conn, [(*r, with_raw(r)) for r in differing])
        entries: list[tuple[Any, ...]] = [(now, actor, action, "add", r[0], None, "") for r in new]
        entries += [(now, actor, action, "update", r[0], _json(old[r[0]]), _json(r[:-1])) for r in differing]
        if entries:
            self._insert(conn, "audit", _AUDIT, entries)
        return len(new), len(differing), unchanged, skipped

    def _among(self, ids: list[str]) -> ColumnElement[bool]:
        """``event_id`` is one of ``ids``: one array parameter on PostgreSQL (thousands of
        placeholders cost more to send and plan), ``IN`` on SQLite."""
        if self.dialect == "postgresql":
            return incidents.c.event_id == any_(bindparam("ids", ids, type_=ARRAY(Text)))
        return incidents.c.event_id.in_(ids)

    def _update(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Replace stored rows: on PostgreSQL copied into a temporary table and applied by
        one ``UPDATE … FROM`` (half the time of an ``UPDATE`` per row)."""
        if self.dialect != "postgresql":
            conn.exec_driver_sql(self._sql["update"], [(*r[1:], r[0]) for r in rows])
            return
        conn.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS incoming (LIKE incidents) ON COMMIT DROP")
        conn.exec_driver_sql("TRUNCATE incoming")
        self._insert(conn, "incoming", _IMPORTED, rows)
        conn.exec_driver_sql("UPDATE incidents SET " + ", ".join(f'"{n}" = incoming."{n}"' for n in _IMPORTED[1:])
                             + " FROM incoming WHERE incidents.event_id = incoming.event_id")

    def _insert(self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert many rows: ``COPY`` on PostgreSQL (several times faster than row-by-row
        ``INSERT``s, even pipelined), one prepared ``INSERT`` run for each row on SQLite."""
        if self.dialect != "postgresql":
            conn.exec_driver_sql(self._sql["insert" if table == "incidents" else "audit"], rows)
            return
        names = ", ".join(f'"{name}"' for name in columns)
        statement = f"COPY {table} ({names}) FROM STDIN"
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        cursor = conn.connection.cursor()
        try:
            with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        except dbapi_error as error:  # raised as SQLAlchemy raises a failed statement's (IntegrityError, …)
            raise DBAPIError.instance(statement, None, error, dbapi_error) from error
        finally:
            cursor.close()

    def audit(self, event_id: str | None = None, limit: int = 1000, change: str | None = None) -> list[AuditEntry]:
        """The audit log, newest first (one record's history when ``event_id`` is given, only
        changes of one kind, e.g. "delete", when ``change`` is).

        An add stores no copy of the record: what was added is the ``before`` of the
        record's next change, or the record as stored when there was none."""
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        if event_id is not None:
            query = query.where(audit.c.event_id == event_id)
        if change is not None:  # inline, so a partial index on one kind (deletes) can serve it
            query = query.where(audit.c.change == literal(change, literal_execute=True))
        with self.read() as conn:
            entries = conn.execute(query).all()
            out = []
            for e in entries:
                after = json.loads(e.after) if e.after else {} if e.change == "delete" else \
                    self._as_added(conn, e.event_id, e.id)
                out.append(AuditEntry(e.id, e.at, e.actor, e.action, e.change, e.event_id,
                                      json.loads(e.before) if e.before else None, after))
        return out

    @staticmethod
    def _as_added(conn: Connection, event_id: str, entry: int) -> dict[str, Any]:
        later = conn.execute(select(audit.c.before).where(audit.c.event_id == event_id, audit.c.id > entry,
                                                          audit.c.before.is_not(None))
                             .order_by(audit.c.id).limit(1)).scalar()
        if later:
            return dict(json.loads(later))
        row = conn.execute(select(*_COLUMNS).where(incidents.c.event_id == event_id)).first()
        return dict(row._mapping) if row else {}

    def note_import(self, digest: str, update_existing: bool, report: dict[str, Any]) -> None:
        """Remember that the file with this SHA-256 was imported (in this mode) and what it
        did, with the store's revision as it is now."""
        with self._write() as conn:
            revision = conn.execute(select(meta.c.value).where(meta.c.key == "revision")).scalar_one()
            conn.execute(imports.delete().where(imports.c.digest == digest,
                                                imports.c.update_existing == int(update_existing)))
            conn.execute(imports.insert().values(digest=digest, update_existing=int(update_existing), revision=revision,
                                                 at=datetime.now(UTC).isoformat(timespec="seconds"),
                                                 report=json.dumps(report)))

    def same_import(self, digest: str, update_existing: bool) -> tuple[str, dict[str, Any]] | None:
        """(when, what it did) for an earlier import of this file in this mode, if nothing
        has been written to the store since; else ``None``."""
        with self.read() as conn:
            row = conn.execute(select(imports.c.revision, imports.c.at, imports.c.report)
                               .where(imports.c.digest == digest, imports.c.update_existing == int(update_existing))).first()
            revision = conn.execute(select(meta.c.value).where(meta.c.key == "revision")).scalar_one()
        if row is None or row.revision != revision:
            return None
        return row.at, dict(json.loads(row.report))

    def get(self, event_id: str) -> Incident | None:
        with self.read() as conn:
            row = conn.execute(select(*_COLUMNS).where(incidents.c.event_id == event_id)).first()
        return from_db(row._mapping) if row else None

    # ------------------------------------------------------------- curation
    # Small writes (one editor's change), each one transaction under the same write lock
    # as :meth:`upsert`, each change audited with the whole record before it, each bumping
    # the revision. Nothing is lost: a delete keeps the record in its audit row, and
    # :meth:`restore` puts back what any audit entry replaced.

    def delete(self, event_ids: Iterable[str], *, actor: str, action: str = "delete") -> int:
        """Remove these incidents; each audit row (change "delete") keeps the record whole
        as its ``before``. An unknown id raises :class:`NotStored` and nothing is removed."""
        _check_who(actor, action)
        ids = list(dict.fromkeys(event_ids))
        now = utc_now()
        with self._write() as conn:
            rows = self._rows(conn, ids)
            missing = [i for i in ids if i not in rows]
            if missing:
                more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
                raise NotStored(f"no incident with id {missing[0]!r}{more}; nothing deleted")
            for event_id in ids:
                self._remove(conn, rows[event_id], now, actor, action)
            if ids:
                self._bump(conn)
        return len(ids)

    def restore(self, audit_id: int, *, actor: str) -> list[tuple[str, str]]:
        """Undo audit entry ``audit_id``: its record goes back to what it was before that
        change (an update or a delete is reverted; an added record is removed). Undoing one
        entry of a merge undoes the whole merge: the merged incident comes back and the
        sources it brought leave the one it was merged into. Itself audited, action "undo
        of #N". A merge whose records changed since is refused (:class:`ChangedSince`): undoing it
        would revert that change unseen. Returns (event_id, change) for each record changed; :class:`NothingToUndo`
        when it would change nothing, :class:`NotStored` for an unknown entry."""
        _check_who(actor, "undo")
        now = utc_now()
        with self._write() as conn:
            entry = conn.execute(select(audit).where(audit.c.id == audit_id)).first()
            if entry is None:
                raise NotStored(f"no audit entry #{audit_id}")
            if entry.change == DECISION:
                raise NothingToUndo(f"#{audit_id} is a review decision ({entry.action}): undo it in the review queue")
            entries = [entry]
            if entry.action.startswith("merge "):
                entries += conn.execute(select(audit).where(audit.c.action == entry.action,
                                                            audit.c.id.in_([audit_id - 1, audit_id + 1]),
                                                            audit.c.change != entry.change)).all()
            if entry.action.startswith("merge "):  # an edit made since would be lost without a word: refuse
                for e in entries:
                    after = json.loads(e.after) if e.after else None
                    current = self._rows(conn, [e.event_id]).get(e.event_id)
                    before = json.loads(e.before) if e.before else None
                    if current != after and current != before:  # neither as the merge left it nor undone
                        later = conn.execute(select(audit.c.id, audit.c.action).where(
                            audit.c.event_id == e.event_id, audit.c.id > e.id).order_by(audit.c.id.desc()).limit(1)).first()
                        since = f" (#{later.id}, {later.action})" if later is not None else ""
                        raise ChangedSince(f"{e.event_id} was changed after the merge{since}: undo that first, or "
                                           "correct the incident by editing it")
            done: list[tuple[str, str]] = []
            moved = 0  # sources a merge brought (copies: the merged record keeps its own)
            for e in sorted(entries, key=lambda e: e.id):
                if e.change == "delete" and e.action.startswith("merge "):
                    moved += conn.execute(sources.delete().where(sources.c.via == e.id)).rowcount
                target = json.loads(e.before) if e.before else None
                current = self._rows(conn, [e.event_id]).get(e.event_id)
                if target is None and current is None or target is not None and target == current:
                    continue
                why = f"undo of #{e.id}"
                if target is None:
                    assert current is not None
                    self._remove(conn, current, now, actor, why)
                    done.append((e.event_id, "delete"))
                else:
                    self._put(conn, target, exists=current is not None)
                    self._audit(conn, now, actor, why, "update" if current else "add", e.event_id, current, target)
                    done.append((e.event_id, "update" if current else "add"))
            if not done and not moved:
                raise NothingToUndo(f"nothing to undo: {entry.event_id} is already as it was before #{audit_id}")
            self._bump(conn)
        return done

    def merge(self, keep_id: str, other_id: str, *, actor: str) -> Incident:
        """Merge incident ``other_id`` into ``keep_id`` (see :func:`geo.store.curation.merged`): the
        kept one gains the other's sources and its better place or date, the other is
        deleted. Two audit entries, action "merge OTHER into KEEP"; undoing either undoes both."""
        _check_who(actor, "merge")
        if keep_id == other_id:
            raise InvalidInput("an incident cannot be merged into itself")
        with self._write() as conn:
            rows = self._rows(conn, [keep_id, other_id])
            for event_id in (keep_id, other_id):
                if event_id not in rows:
                    raise NotStored(f"no incident with id {event_id!r}")
            result = merged(from_db(rows[keep_id]), from_db(rows[other_id]))
            self._merge_rows(conn, rows[keep_id], rows[other_id], result, actor=actor, stored=True)
            self._bump(conn)
        return result

    def absorb(self, conn: Connection, keep_id: str, incoming: Incident, result: Incident, *, actor: str) -> int:
        """In the write transaction ``conn`` (:meth:`write`): file ``incoming``, a report never
        stored, as another source of stored incident ``keep_id``, which becomes ``result``.
        Audited exactly like :meth:`merge` (the incoming record is kept whole in the delete
        entry), so undoing it splits the report off as an incident of its own. Returns the
        audit id of that delete entry."""
        _check_who(actor, "merge")
        row = conn.execute(_ONE_ROW, {"id": keep_id}).first()
        if row is None:
            raise NotStored(f"no incident with id {keep_id!r}")
        other = dict(zip(FIELDS, stored_values(incoming)[:-1], strict=True))  # as an audit row keeps a record
        return self._merge_rows(conn, dict(row._mapping), other, result, actor=actor, stored=False)

    def add(self, conn: Connection, incident: Incident, *, actor: str, action: str) -> None:
        """In the write transaction ``conn``: store a new incident, audited as an add."""
        _check_who(actor, action)
        row = stored_values(incident)
        conn.execute(_INSERT_ONE, dict(zip(_STORED, row, strict=True)))
        self._audit(conn, utc_now(), actor, action, "add", incident.event_id, None, dict(zip(FIELDS, row[:-1], strict=True)))

    def _merge_rows(self, conn: Connection, keep: dict[str, Any], other: dict[str, Any], result: Incident, *,
                    actor: str, stored: bool) -> int:
        now = utc_now()
        keep_id, other_id = keep["event_id"], other["event_id"]
        action = f"merge {other_id} into {keep_id}"
        after = dict(zip(FIELDS, stored_values(result)[:-1], strict=True))
        self._put(conn, after, exists=True)
        self._audit(conn, now, actor, action, "update", keep_id, keep, after)
        if stored:
            via = self._remove(conn, other, now, actor, action)
        else:  # never stored: only its audit row, which an undo puts back as an incident
            via = self._audit(conn, now, actor, action, "delete", other_id, other, None)
        have = {(s.source, s.source_url) for s in self._sources(conn, from_db(keep))}
        brought = self._sources(conn, from_db(other)) if stored else self._own_source(from_db(other))
        for s in brought:
            if (s.source, s.source_url) in have:
                continue
            have.add((s.source, s.source_url))
            conn.execute(_SOURCE_ONE, {"event_id": keep_id, "source": s.source, "source_url": s.source_url,
                                       "published": s.published or None, "added_at": now, "added_by": actor,
                                       "via": via, "report": s.report})
        return via

    def sources(self, event_id: str) -> list[Source]:
        """Every report of the incident: its own source first, then those merged into it."""
        incident = self.get(event_id)
        if incident is None:
            return []
        with self.read() as conn:
            return self._sources(conn, incident)

    def sources_for(self, event_ids: Sequence[str]) -> dict[str, list[Source]]:
        """The merged-in sources (not the incident's own) of each of these incidents that has any."""
        out: dict[str, list[Source]] = {}
        if not event_ids:
            return out
        with self.read() as conn:
            for r in conn.execute(select(sources).where(sources.c.event_id.in_(list(event_ids)))
                                  .order_by(sources.c.id)):
                out.setdefault(r.event_id, []).append(Source(r.source, r.source_url, r.published or "",
                                                             r.added_at, r.added_by, r.report))
        return out

    @staticmethod
    def _own_source(incident: Incident) -> list[Source]:
        return [Source(incident.source, incident.source_url, incident.published.isoformat() if incident.published
                       else "", report=incident.event_id)] if incident.source or incident.source_url else []

    @classmethod
    def _sources(cls, conn: Connection, incident: Incident) -> list[Source]:
        own = cls._own_source(incident)
        rows = conn.execute(_ITS_SOURCES, {"id": incident.event_id})
        return own + [Source(r.source, r.source_url, r.published or "", r.added_at, r.added_by, r.report) for r in rows]

    def _rows(self, conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The stored values of these incidents, by id (absent ids left out)."""
        if not ids:
            return {}
        return {r[0]: dict(r._mapping) for r in conn.execute(select(*_COLUMNS).where(self._among(ids)))}

    def _put(self, conn: Connection, values: dict[str, Any], *, exists: bool) -> None:
        row = dict(zip(_STORED, stored_values(from_db(values)), strict=True))
        if exists:  # one statement, values as parameters: compiled once, not built per record
            conn.execute(_UPDATE_ONE, {**row, "_id": row["event_id"]})
        else:
            conn.execute(_INSERT_ONE, row)

    def _remove(self, conn: Connection, values: dict[str, Any], now: str, actor: str, action: str) -> int:
        conn.execute(incidents.delete().where(incidents.c.event_id == values["event_id"]))
        return self._audit(conn, now, actor, action, "delete", values["event_id"], values, None)

    @classmethod
    def audit_decision(cls, conn: Connection, actor: str, action: str, subject: str,
                       before: dict[str, Any], after: dict[str, Any]) -> int:
        """An audit row for a decision that changes no incident but what every visitor sees (a
        review decided, a group link filed), written in the caller's transaction (change
        "review"). :meth:`restore` does not undo it: the review queue does."""
        _check_who(actor, action)
        return cls._audit(conn, utc_now(), actor, action, DECISION, subject, before, after)

    @staticmethod
    def _audit(conn: Connection, now: str, actor: str, action: str, change: str, event_id: str,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        """One audit row; ``after`` is kept whole (only a bulk add leaves it to the next change)."""
        done = conn.execute(_AUDIT_ONE, {
            "at": now, "actor": actor, "action": action, "change": change, "event_id": event_id,
            "before": None if before is None else json.dumps(before, ensure_ascii=False),
            "after": "" if after is None else json.dumps(after, ensure_ascii=False)})
        key = done.inserted_primary_key
        assert key is not None
        return int(key[0])

    @staticmethod
    def _bump(conn: Connection) -> None:
        conn.execute(update(meta).where(meta.c.key == "revision").values(value=meta.c.value + 1))


_ONE_ROW = select(*_COLUMNS).where(incidents.c.event_id == bindparam("id"))
_ITS_SOURCES = select(sources).where(sources.c.event_id == bindparam("id")).order_by(sources.c.id)
_INSERT_ONE = incidents.insert()
_UPDATE_ONE = incidents.update().where(incidents.c.event_id == bindparam("_id"))
_AUDIT_ONE = audit.insert()
_SOURCE_ONE = sources.insert()


DECISION = "review"  # the audit's change for a review decision (see Store.audit_decision)


def utc_now() -> str:
    """Now, in UTC, as the audit and the ingest tables write it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_who(actor: str, action: str) -> None:
    if not actor.strip() or not action.strip():
        raise InvalidInput("a write must name who makes it and why (actor, action)")


def _without_repeats(batch: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """``batch`` (stored values, the id first) split where an id comes again, so each
    piece has each id once."""
    seen: set[str] = set()
    start = 0
    for n, row in enumerate(batch):
        if row[0] in seen:
            yield batch[start:n]
            seen, start = set(), n
        seen.add(row[0])
    yield batch[start:]


_STORED = (*FIELDS, "row_hash")
_IMPORTED = (*_STORED, "raw_hash")  # as the bulk write stores a record
_AUDIT = ("at", "actor", "action", "change", "event_id", "before", "after")


def _write_sql(mark: str) -> dict[str, str]:
    """The write statements, in the driver's own parameter style: the bulk path skips
    SQLAlchemy's per-row parameter processing (a third of an import's time)."""
    names = ", ".join(f'"{name}"' for name in _IMPORTED)
    return {
        "insert": f"INSERT INTO incidents ({names}) VALUES ({', '.join(mark for _ in _IMPORTED)})",
        "update": "UPDATE incidents SET " + ", ".join(f'"{name}" = {mark}' for name in _IMPORTED[1:])
                  + f" WHERE event_id = {mark}",
        "hash": f"UPDATE incidents SET row_hash = {mark} WHERE event_id = {mark}",
        "raw": f"UPDATE incidents SET raw_hash = {mark} WHERE event_id = {mark}",
        "audit": f"INSERT INTO audit ({', '.join(_AUDIT)}) VALUES ({', '.join(mark for _ in _AUDIT)})",
    }


def _json(values: Sequence[Any]) -> str:
    return json.dumps(dict(zip(FIELDS, values, strict=True)), ensure_ascii=False)


_GET = operator.attrgetter(*FIELDS)
_TEXT = [k for k, name in enumerate(FIELDS) if name not in INT_FIELDS | REAL_FIELDS | DATE_FIELDS]
_INT = [k for k, name in enumerate(FIELDS) if name in INT_FIELDS]
_REAL = [k for k, name in enumerate(FIELDS) if name in REAL_FIELDS]
_DATE = [k for k, name in enumerate(FIELDS) if name in DATE_FIELDS]


def stored_values(incident: Incident) -> tuple[Any, ...]:
    """``incident`` as it is stored, in ``FIELDS`` order and then a digest of the values:
    text without control characters (tabs and newlines only in the notes) and without
    surrounding spaces, ISO dates, whole numbers as ``int`` and coordinates as finite
    floats. :class:`~geo.errors.InvalidInput` (a ``ValueError``) names a field that cannot be stored.

    This runs once for every row of every import, so the common case is checked in C:
    all text at once for control characters, each for surrounding space (``strip``
    returns the very same string when there is none)."""
    values = list(_GET(incident))
    texts = [values[k] for k in _TEXT]
    if set(map(type, texts)) != {str}:
        k = next(k for k in _TEXT if type(values[k]) is not str)
        raise InvalidInput(f"{incident.event_id!r}: {FIELDS[k]} must be text, not {type(values[k]).__name__}"[:200])
    if not "".join(texts).isprintable() or list(map(str.strip, texts)) != texts:
        for k in _TEXT:  # most often one field: a note over several lines
            if not (value := values[k]).isprintable() or value.strip() != value:
                values[k] = clean_text(value, multiline=FIELDS[k] in _MULTILINE_FIELDS).strip()
    for k in _INT:
        if values[k] is not None and type(values[k]) is not int:
            raise InvalidInput(f"{incident.event_id!r}: {FIELDS[k]} must be a whole number or empty, "
                             f"not {values[k]!r}"[:200])
    for k in _REAL:
        value = values[k]
        if value is not None:
            if type(value) not in (int, float) or not math.isfinite(value):
                raise InvalidInput(f"{incident.event_id!r}: {FIELDS[k]} must be a number or empty, not {value!r}"[:200])
            values[k] = float(value)
    for k in _DATE:
        value = values[k]
        if value is None and FIELDS[k] != "event_date":
            continue
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidInput(f"{incident.event_id!r}: {FIELDS[k]} must be a date, not {value!r}"[:200])
        values[k] = value.isoformat()
    if not values[0]:
        raise InvalidInput("an incident needs an event_id")
    stored = tuple(values)
    # pickle: a quarter of repr's cost, and the same bytes for the same values in every process
    return (*stored, hashlib.blake2b(pickle.dumps(stored, 4), digest_size=12).hexdigest())


def from_db(row: Any) -> Incident:
    """An ``Incident`` from a row of the ``FIELDS`` columns (a mapping)."""
    values: dict[str, object] = {}
    for name in FIELDS:
        value = row[name]
        if name in DATE_FIELDS:
            values[name] = date.fromisoformat(str(value)) if value else None
        elif value is None and name not in INT_FIELDS and name not in REAL_FIELDS:
            values[name] = ""
        else:
            values[name] = value
    return Incident(**values)  # type: ignore[arg-type]

