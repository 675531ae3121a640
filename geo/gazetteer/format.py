"""The index's on-disk format: tables, name keys at three levels, the writer and the key filter.

One place for what the base build (:mod:`geo.gazetteer.build`), the country layers
(:mod:`geo.gazetteer.layers`) and the reader (:mod:`geo.gazetteer.index`) must agree on, so
none of them imports another to learn it.
"""

from __future__ import annotations

import itertools
import sqlite3
import zlib
from collections.abc import Iterable, Iterator

import numpy as np

from geo.gazetteer import names

__all__ = ["SCHEMA_VERSION", "SCHEMA", "INDEXES", "LEVEL_EXACT", "LEVEL_LOOSE", "LEVEL_SKELETON", "PLACE_COLUMNS",
           "KeyFilter", "name_rows", "Writer", "write_key_filter"]

LEVEL_EXACT, LEVEL_LOOSE, LEVEL_SKELETON = 0, 1, 2
SCHEMA_VERSION = "8"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS layers (code TEXT PRIMARY KEY, places INTEGER, source TEXT, installed TEXT);
CREATE TABLE IF NOT EXISTS places (
    id INTEGER PRIMARY KEY, ref TEXT, name TEXT, lat REAL, lon REAL, cc TEXT, admin1 TEXT, feature TEXT,
    population INTEGER, source TEXT, curated INTEGER, capital INTEGER, admin2 TEXT, admin1_code TEXT,
    admin2_code TEXT, seat INTEGER, gid INTEGER, layer TEXT, superseded INTEGER);
CREATE TABLE IF NOT EXISTS names (k TEXT, level INTEGER, place INTEGER, PRIMARY KEY (k, level, place))
    WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS places_gid ON places (gid);
CREATE INDEX IF NOT EXISTS places_ref ON places (ref);
CREATE INDEX IF NOT EXISTS places_layer ON places (layer, cc);
CREATE INDEX IF NOT EXISTS places_super ON places (superseded);
CREATE INDEX IF NOT EXISTS names_place ON names (place);
CREATE INDEX IF NOT EXISTS places_admin1 ON places (cc, admin1_code);
CREATE INDEX IF NOT EXISTS places_admin2 ON places (cc, admin2_code);
"""

PLACE_COLUMNS = ("ref", "name", "lat", "lon", "cc", "admin1", "feature", "population", "source", "curated",
                 "capital", "admin2", "admin1_code", "admin2_code", "seat")


class KeyFilter:
    """A Bloom filter over every (level, key) in the index, kept in the index itself.

    Most n-grams the recogniser tries are no place name anywhere; answering those from
    4 MB of bits (~1 µs) instead of SQLite (~20 µs) keeps parsing fast. A "maybe" goes to
    SQLite, so a false positive costs one query and never a wrong answer."""

    BITS = 1 << 25

    def __init__(self, bits: bytes) -> None:
        self.bits = bits

    @staticmethod
    def positions(entry: str) -> tuple[int, int, int, int]:
        """Four bit positions by double hashing with CRC-32 and Adler-32 (C speed, and the
        same in every process, unlike ``hash``)."""
        data = entry.encode()
        h1, h2 = zlib.crc32(data), zlib.adler32(data) | 1
        m = KeyFilter.BITS - 1
        return h1 & m, (h1 + h2) & m, (h1 + 2 * h2) & m, (h1 + 3 * h2) & m

    def __contains__(self, entry: str) -> bool:
        bits = self.bits
        return all(bits[p >> 3] >> (p & 7) & 1 for p in self.positions(entry))

    @classmethod
    def build(cls, entries: Iterable[str]) -> bytes:
        """The filter's bits for ``entries``, as :meth:`positions` places them: the hashes taken
        in C a chunk at a time and the bits set in numpy (every install rewrites the filter of
        two million names: 4 s set bit by bit in Python, about 1 s so), a byte a bit (32 MB)
        while it runs."""
        bits = np.zeros(cls.BITS, dtype=np.bool_)
        mask = np.uint64(cls.BITS - 1)
        entries = iter(entries)
        while chunk := [entry.encode() for entry in itertools.islice(entries, 200_000)]:
            h1 = np.fromiter(map(zlib.crc32, chunk), np.uint64, len(chunk))
            h2 = np.fromiter(map(zlib.adler32, chunk), np.uint64, len(chunk)) | np.uint64(1)
            for k in range(4):
                bits[(h1 + np.uint64(k) * h2) & mask] = True
        return np.packbits(bits, bitorder="little").tobytes()


def name_rows(place: int, aliases: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    """(key, level, place) rows for every name of a place, at the three key levels (a
    skeleton row's key is "skeleton TAB key")."""
    seen: set[tuple[str, int]] = set()
    for alias in aliases:
        k = names.key(alias)
        if len(k) < 2 or k.isdigit():
            continue
        free = names.article_free(k)
        sk = names.skeleton(k)
        # a skeleton row keeps the key it came from, so a fuzzy match is confirmed without another query
        for row in ((k, LEVEL_EXACT), (free, LEVEL_LOOSE) if free != k else None,
                    (f"{sk}\t{k}", LEVEL_SKELETON) if len(sk) >= 3 else None):
            if row is not None and row not in seen:
                seen.add(row)
                yield row[0], row[1], place


class Writer:
    """Batched inserts into an open index; hands out place numbers."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.next_id = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM places").fetchone()[0])
        self._places: list[tuple] = []
        self._names: list[tuple[str, int, int]] = []

    def add(self, values: dict[str, object], aliases: Iterable[str], *, gid: int | None, layer: str) -> int:
        idx = self.next_id
        self.next_id += 1
        self._places.append((idx, *(values.get(c, 0 if c == "seat" else "") for c in PLACE_COLUMNS), gid, layer))
        self.add_names(idx, aliases)
        if len(self._places) >= 5000:
            self.flush()
        return idx

    def add_names(self, idx: int, aliases: Iterable[str]) -> None:
        self._names.extend(name_rows(idx, aliases))
        if len(self._names) >= 50_000:
            self.flush()

    def flush(self) -> None:
        cols = ", ".join(("id", *PLACE_COLUMNS, "gid", "layer"))
        marks = ", ".join("?" * (len(PLACE_COLUMNS) + 3))
        self.db.executemany(f"INSERT INTO places ({cols}) VALUES ({marks})", self._places)
        self.db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?, ?)", self._names)
        self._places.clear()
        self._names.clear()


def write_key_filter(db: sqlite3.Connection) -> None:
    """(Re)write the index's :class:`~geo.gazetteer.index.KeyFilter` from its names table."""
    bits = KeyFilter.build(f"{level}:{k.split(chr(9))[0]}" for k, level in db.execute("SELECT k, level FROM names"))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('key_filter', ?)", (bits,))
