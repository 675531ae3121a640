"""The incident store: a SQLite database, created from the bundled data on first use.

Every write is one transaction, so an import that fails or is killed half-way leaves the
store as it was. Rows are keyed by ``event_id``: importing the same file twice updates
rather than duplicates.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.records import FIELDS, Incident

__all__ = ["Store", "UpsertCounts", "UnsupportedStore", "sqlite_path"]

_INT_FIELDS = {"time_precision", "geo_precision", "killed", "injured"}
_REAL_FIELDS = {"latitude", "longitude"}
_DATE_FIELDS = {"event_date", "published"}


class UnsupportedStore(ValueError):
    """Raised when ``INCIDENTS_DB`` names a database this build cannot open."""


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int
    updated: int
    unchanged: int


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

    def upsert(self, incidents: Iterable[Incident]) -> UpsertCounts:
        """Insert new incidents and update changed ones, all in one transaction."""
        added = updated = unchanged = 0
        with self._transaction() as db:
            for incident in incidents:
                values = _to_db(incident)
                old = db.execute(f"SELECT {_QUOTED} FROM incidents WHERE event_id = ?", (incident.event_id,)).fetchone()
                if old is None:
                    added += 1
                elif tuple(old) == values:
                    unchanged += 1
                    continue
                else:
                    updated += 1
                db.execute(f"INSERT OR REPLACE INTO incidents ({_QUOTED}) VALUES ({_PLACEHOLDERS})", values)
            if added or updated:
                db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return UpsertCounts(added, updated, unchanged)

    def all(self) -> list[Incident]:
        rows = self._many(f"SELECT {_QUOTED} FROM incidents ORDER BY event_date, event_id")
        return [_from_db(row) for row in rows]

    def get(self, event_id: str) -> Incident | None:
        row = self._one(f"SELECT {_QUOTED} FROM incidents WHERE event_id = ?", (event_id,))
        return _from_db(row) if row else None


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
