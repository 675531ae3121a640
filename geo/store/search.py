"""A full-text index of the searched columns, built beside the store after its writes.

A search without it is a scan of every row (:func:`geo.store.queries.matching`). Kept current
on every write, a full-text table made imports 22–52× slower, so this index is built from the
store as a whole, into its own SQLite file in the cache folder (whatever the store's database),
and is used only while the store is at the revision it was built from; until a new one is
built, searches scan as before. One word of three or more characters is looked up by SQLite
FTS5's trigram tokenizer, which matches any substring, as the scan's ``LIKE '%word%'`` does;
every word of a search must match, as in the scan. Text is lowered by Python (every script's
letters, as PostgreSQL's ``lower()`` does; SQLite's scan lowers ASCII only).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy import select

from geo.store.database import Store
from geo.store.queries import SEARCHED
from geo.store.schema import incidents, meta

__all__ = ["SearchIndex", "MIN_WORD"]

MIN_WORD = 3  # characters: a trigram index cannot look up a shorter word
_BATCH = 20_000


class SearchIndex:
    """The index file of one store (``path``): :meth:`build` makes it, :meth:`find` asks it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, store: Store, folder: Path) -> SearchIndex:
        """The index file of ``store`` in ``folder`` (one per store, replaced by each build)."""
        return cls(folder / f"search-{store.file_key()}.sqlite3")

    def revision(self) -> int | None:
        """The store revision the file was built from (``None``: no usable file)."""
        try:
            with _open(self.path) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row else None

    def build(self, store: Store) -> int:
        """Index every incident as the store holds it now; return the revision it was read
        at. Written to a new file and moved into place, so a reader never sees half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        os.close(handle)
        try:
            revision = self._fill(store, Path(temporary))
            os.replace(temporary, self.path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return revision

    def _fill(self, store: Store, target: Path) -> int:
        db = sqlite3.connect(target)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE VIRTUAL TABLE words USING fts5(body, content='', tokenize='trigram case_sensitive 1')")
            db.execute("CREATE TABLE ids (n INTEGER PRIMARY KEY, event_id TEXT NOT NULL)")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
            query = select(incidents.c.event_id, *(incidents.c[name] for name in SEARCHED))
            n = 0
            with store.read() as conn:  # one snapshot: the rows and the revision agree
                revision = int(conn.execute(select(meta.c.value).where(meta.c.key == "revision")).scalar_one())
                result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
                for rows in result.partitions(_BATCH):
                    numbers = range(n, n + len(rows))
                    db.executemany("INSERT INTO ids (n, event_id) VALUES (?, ?)",
                                   zip(numbers, (r[0] for r in rows), strict=True))
                    db.executemany("INSERT INTO words (rowid, body) VALUES (?, ?)",
                                   ((k, "\n".join(v or "" for v in r[1:]).lower()) for k, r in zip(numbers, rows,
                                                                                                 strict=True)))
                    n += len(rows)
            db.execute("INSERT INTO meta VALUES ('revision', ?)", (revision,))
            db.commit()
        finally:
            db.close()
        return revision

    def find(self, text: str) -> list[str] | None:
        """The event ids of the incidents holding every word of ``text``; ``None`` when the
        index cannot answer (a word shorter than :data:`MIN_WORD`, or no file)."""
        words = text.lower().split()
        if not words or any(len(word) < MIN_WORD for word in words):
            return None
        phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
        try:
            with _open(self.path) as db:
                rows = db.execute("SELECT ids.event_id FROM words JOIN ids ON ids.n = words.rowid WHERE words MATCH ?",
                                  (phrase,)).fetchall()
        except sqlite3.Error:
            return None
        return [event_id for (event_id,) in rows]


def _open(path: Path) -> closing[sqlite3.Connection]:
    """The file read-only (a missing one is an error, not a new empty file), closed on exit
    (sqlite3's own ``with`` only commits)."""
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
