"""The incident store: a SQLite database, created from the bundled data on first use.

Every write goes through :meth:`Store.upsert`, and is one transaction, so an import that
fails or is killed half-way leaves the store as it was. The same transaction writes the
``audit`` table: who made each change, when, with which action, and the record before
and after (JSON). Rows are keyed by ``event_id``: importing the same file twice updates
rather than duplicates, and an insert-only write leaves stored records alone.

Text goes in clean (no control characters, see :func:`geo.safetext.clean_text`) and
numbers as numbers, whatever path they came by.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from geo.records import FIELDS, Incident
from geo.safetext import clean_text

__all__ = ["Store", "UpsertCounts", "AuditEntry", "UnsupportedStore", "sqlite_path", "clean_incident"]

_INT_FIELDS = {"time_precision", "geo_precision", "killed", "injured"}
_REAL_FIELDS = {"latitude", "longitude"}
_DATE_FIELDS = {"event_date", "published"}


class UnsupportedStore(ValueError):
    """Raised when ``INCIDENTS_DB`` names a database this build cannot open."""


_MULTILINE_FIELDS = {"notes"}


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int
    updated: int
    unchanged: int
    skipped: int = 0  # stored records that differ but were left alone (an insert-only write)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: ``change`` is "add" or "update"; ``before`` is ``None`` for an add."""

    id: int
    at: str  # UTC, ISO 8601
    actor: str
    action: str
    change: str
    event_id: str
    before: dict[str, Any] | None
    after: dict[str, Any]


def sqlite_path(url: str) -> str:
    """A filesystem path (or ``:memory:``) from a path or ``sqlite:///`` URL."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):] or ":memory:"
    if "://" in url:
        raise UnsupportedStore(f"INCIDENTS_DB={url.split('://')[0]}://…: only SQLite paths or sqlite:/// URLs are supported")
    return url


def _column_type(name: str) -> str:
    if name in _INT_FIELDS:
        return "INTEGER"
    if name in _REAL_FIELDS:
        return "REAL"
    return "TEXT"


_COLUMNS = ", ".join(f'"{f}" {_column_type(f)}' + (" PRIMARY KEY" if f == "event_id" else "") for f in FIELDS)
_PLACEHOLDERS = ", ".join("?" for _ in FIELDS)
_QUOTED = ", ".join(f'"{f}"' for f in FIELDS)


class Store:
    """Incidents in SQLite. Safe for several app sessions: each write is a short
    transaction and SQLite serialises writers (``timeout`` waits for the lock).

    One ``Store`` is shared by every session of the app (``st.cache_resource``), i.e. by
    several threads over one connection: a lock gives the connection to one thread at a
    time, so one session's transaction never swallows, or is rolled back with, another's.
    """

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.execute(f"CREATE TABLE IF NOT EXISTS incidents ({_COLUMNS})")
        self._db.execute('CREATE INDEX IF NOT EXISTS incidents_date ON incidents ("event_date")')
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER)")
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('revision', 0)")
        self._db.execute("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
                         "actor TEXT NOT NULL, action TEXT NOT NULL, change TEXT NOT NULL, event_id TEXT NOT NULL, "
                         "before TEXT, after TEXT NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS audit_event ON audit (event_id)")

    def _one(self, sql: str, params: tuple[object, ...] = ()) -> tuple[object, ...] | None:
        with self._lock:
            row: tuple[object, ...] | None = self._db.execute(sql, params).fetchone()
            return row

    def _many(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def revision(self) -> int:
        """A counter bumped by every write that changed something: a cache key for readers."""
        row = self._one("SELECT value FROM meta WHERE key = 'revision'")
        assert row is not None
        return int(str(row[0]))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def count(self) -> int:
        row = self._one("SELECT COUNT(*) FROM incidents")
        assert row is not None
        return int(str(row[0]))

    def upsert(self, incidents: Iterable[Incident], *, actor: str, action: str,
               update_existing: bool = True) -> UpsertCounts:
        """The one write path. Insert new incidents and, when ``update_existing``, update
        changed ones, all in one transaction with one ``audit`` row per change naming
        ``actor`` (an editor's email, "token:NAME", "private", "cli", …) and ``action``
        ("article", "import", …). Insert-only (``update_existing=False``) counts a stored
        record that differs as skipped and leaves it as it is."""
        if not actor.strip() or not action.strip():
            raise ValueError("a write must name who makes it and why (actor, action)")
        added = updated = unchanged = skipped = 0
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            for incident in map(clean_incident, incidents):  # a bad record rolls the whole write back
                values = _to_db(incident)
                old = db.execute(f"SELECT {_QUOTED} FROM incidents WHERE event_id = ?", (incident.event_id,)).fetchone()
                if old is None:
                    added += 1
                elif tuple(old) == values:
                    unchanged += 1
                    continue
                elif not update_existing:
                    skipped += 1
                    continue
                else:
                    updated += 1
                db.execute(f"INSERT OR REPLACE INTO incidents ({_QUOTED}) VALUES ({_PLACEHOLDERS})", values)
                db.execute("INSERT INTO audit (at, actor, action, change, event_id, before, after) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (now, actor, action, "add" if old is None else "update", incident.event_id,
                            None if old is None else _json(old), _json(values)))
            if added or updated:
                db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return UpsertCounts(added, updated, unchanged, skipped)

    def audit(self, event_id: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The audit log, newest first (one record's history when ``event_id`` is given)."""
        where, params = ("WHERE event_id = ?", (event_id,)) if event_id is not None else ("", ())
        rows = self._many(f"SELECT id, at, actor, action, change, event_id, before, after FROM audit {where} "
                          "ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]),
                           json.loads(str(r[6])) if r[6] is not None else None, json.loads(str(r[7]))) for r in rows]

    def all(self) -> list[Incident]:
        rows = self._many(f"SELECT {_QUOTED} FROM incidents ORDER BY event_date, event_id")
        return [_from_db(row) for row in rows]

    def get(self, event_id: str) -> Incident | None:
        row = self._one(f"SELECT {_QUOTED} FROM incidents WHERE event_id = ?", (event_id,))
        return _from_db(row) if row else None


def _json(values: Iterable[object]) -> str:
    return json.dumps(dict(zip(FIELDS, values, strict=True)), ensure_ascii=False)


def clean_incident(incident: Incident) -> Incident:
    """``incident`` as it may be stored: text without control characters (tabs and
    newlines only in the notes) and without surrounding spaces; whole numbers as ``int``
    and coordinates as finite floats. ``ValueError`` names a field that cannot be stored."""
    changes: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(incident, name)
        if name in _INT_FIELDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{incident.event_id!r}: {name} must be a whole number or empty, not {value!r}"[:200])
        elif name in _REAL_FIELDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value)):
                raise ValueError(f"{incident.event_id!r}: {name} must be a number or empty, not {value!r}"[:200])
            if isinstance(value, int):
                changes[name] = float(value)
        elif name in _DATE_FIELDS:
            if (value is not None or name == "event_date") and not isinstance(value, date):
                raise ValueError(f"{incident.event_id!r}: {name} must be a date, not {value!r}"[:200])
        elif isinstance(value, str):
            clean = clean_text(value, multiline=name in _MULTILINE_FIELDS).strip()
            if clean != value:
                changes[name] = clean
        else:
            raise ValueError(f"{incident.event_id!r}: {name} must be text, not {type(value).__name__}"[:200])
    if not (changes.get("event_id", incident.event_id)):
        raise ValueError("an incident needs an event_id")
    return incident.replace(**changes) if changes else incident


def _to_db(incident: Incident) -> tuple[object, ...]:
    row = incident.to_row()
    return tuple(row[f] for f in FIELDS)


def _from_db(row: tuple[object, ...]) -> Incident:
    values: dict[str, object] = {}
    for name, value in zip(FIELDS, row, strict=True):
        if name in _DATE_FIELDS:
            values[name] = date.fromisoformat(str(value)) if value else None
        elif value is None and name not in _INT_FIELDS and name not in _REAL_FIELDS:
            values[name] = ""
        else:
            values[name] = value
    return Incident(**values)  # type: ignore[arg-type]
