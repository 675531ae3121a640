"""The store's tables and how to connect, for SQLite and PostgreSQL alike.

Described once with SQLAlchemy Core, so the same ``CREATE`` and the same queries run on a
SQLite file (a laptop, a small hosted app) and on a PostgreSQL server (a hosted app that
many people share). Dates are ISO text on both: they sort and compare as dates.
"""

from __future__ import annotations

import re
import secrets
import threading
from typing import Any

from sqlalchemy import (
    Column,
    DefaultClause,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from geo.errors import InvalidInput
from geo.records import FIELDS

__all__ = ["INT_FIELDS", "REAL_FIELDS", "DATE_FIELDS", "metadata", "incidents", "audit", "meta", "imports", "sources",
           "reports", "articles", "reviews", "group_links", "like_pattern",
           "UnsupportedStore", "StoreUnavailable", "engine_for", "database_url", "redacted", "create_schema"]

INT_FIELDS = frozenset({"time_precision", "geo_precision", "killed", "injured"})
REAL_FIELDS = frozenset({"latitude", "longitude", "confidence"})
DATE_FIELDS = frozenset({"event_date", "published", "first_reported"})


class UnsupportedStore(InvalidInput):
    """Raised when ``INCIDENTS_DB`` names a database this build cannot open."""


class StoreUnavailable(UnsupportedStore):
    """Raised when the store cannot be reached or refuses us (a server that is down, a wrong
    password, a missing database); the message names the store without its password."""


def redacted(location: str) -> str:
    """``location`` fit to show: a URL's password (``user:PASSWORD@`` or ``password=`` in the
    query) replaced by ``***``. Works on a URL too malformed to parse."""
    location = re.sub(r"(://[^/?#@:]*:).*@", r"\1***@", location)  # up to the last "@": may over-redact
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", location)


def _column(name: str) -> Column[Any]:
    if name in INT_FIELDS:
        return Column(name, Integer)
    if name in REAL_FIELDS:
        return Column(name, Float(precision=53))  # DOUBLE PRECISION on PostgreSQL, REAL on SQLite
    return Column(name, Text, primary_key=name == "event_id")


metadata = MetaData()
incidents = Table(
    "incidents", metadata,
    *(_column(name) for name in FIELDS),
    Column("row_hash", Text),  # a digest of the stored values: an unchanged re-import is one lookup per row
    # "RAW:ROW": the digest of the file row these values were converted from and the row_hash
    # they had then; a re-import skips that file row unconverted while row_hash is still ROW
    Column("raw_hash", Text),
    # What the filters and the headline ask for, answered from an index alone: a date range
    # first, then the values the filters and the map read; or a group first (one group of a
    # million incidents is counted in 0.06 s, 8 s when its rows had to be read); the few
    # unplaced incidents by a partial index.
    Index("incidents_view", "event_date", "latitude", "longitude", "group", "country_code", "event_type"),
    Index("incidents_group", "group", "event_date", "latitude", "country_code", "event_type"),
    Index("incidents_unplaced", "event_date", sqlite_where=text("latitude IS NULL"),
          postgresql_where=text("latitude IS NULL")),
)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("change", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("before", Text),
    Column("after", Text, nullable=False),  # "" for an add: the record as added is the next change's "before"
    Index("audit_event", "event_id", "id"),
    # The few deletes, newest first, for "put a deleted incident back" (an import adds none).
    Index("audit_deletes", "id", sqlite_where=text("change = 'delete'"), postgresql_where=text("change = 'delete'")),
)
# The further sources of an incident (its own ``source``/``source_url`` are its first): one
# row per report merged into it. ``via`` is the audit id of the merge that added the row, so
# undoing that merge removes exactly those rows. Rows of a deleted incident stay, and come
# back with it.
sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("source_url", Text, nullable=False),
    Column("published", Text),  # ISO date or NULL
    Column("added_at", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("via", Integer),
    Column("report", Text, nullable=False, server_default=""),  # the ingested report it came from (reports.id), or ""
    Index("sources_event", "event_id", "id"),
)
meta = Table("meta", metadata, Column("key", Text, primary_key=True), Column("value", Integer))
# Files imported without the geocoder (every row had coordinates): the same file imported
# again in the same mode while the store's revision has not moved cannot change anything.
imports = Table(
    "imports", metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 of the file's bytes
    Column("update_existing", Integer, primary_key=True),
    Column("revision", Integer, nullable=False),  # the store's revision right after that import
    Column("at", Text, nullable=False),
    Column("report", Text, nullable=False),  # that import's counts (JSON)
)


# Batch ingest (geo.ingest). Every incident read from an article is a report, kept whole with
# its evidence even when it was merged into an incident already stored: the incident shows
# each source's own figures, and a merge can be split again.
reports = Table(
    "reports", metadata,
    Column("id", Text, primary_key=True),  # the incident id it was read as (an ingest id)
    Column("article", Text, nullable=False),  # articles.key
    Column("source", Text, nullable=False),
    Column("source_url", Text, nullable=False),
    Column("published", Text),
    Column("group", Text, nullable=False),
    Column("group_role", Text, nullable=False),
    Column("killed", Integer),
    Column("injured", Integer),
    Column("evidence", Text, nullable=False),  # JSON: {"sentences": [...], "mentions": [[sentence, start, end, role, name]]}
    Column("at", Text, nullable=False),
)
# Articles ingested: the same article (key) with the same content (digest) is not read again.
articles = Table(
    "articles", metadata,
    Column("key", Text, primary_key=True),
    Column("digest", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("outcome", Text, nullable=False),  # JSON: what reading it gave (counts, reasons)
)
# What a person should look at: a merge the rules were not sure of ("merge": confirm or
# split), or a group name the register does not know ("group": keep as new, or file under
# a parent). ``audit_id`` is the merge's audit entry, which a split undoes.
reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("subject", Text, nullable=False),  # the merged report's id, or the group name
    Column("reason", Text, nullable=False),
    Column("audit_id", Integer),
    Column("status", Text, nullable=False),  # "open", "confirmed", "split", "kept", "filed", "checked"
    Column("at", Text, nullable=False),
    Column("decided_by", Text, nullable=False, server_default=""),
    Column("decided_at", Text, nullable=False, server_default=""),
    Index("reviews_open", "status", "kind", "id"),
)
# Links editors add between a group and its parent, with the reporting that says so (the
# bundled ones are in data/group_links.csv).
group_links = Table(
    "group_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group", Text, nullable=False),
    Column("relation", Text, nullable=False),
    Column("parent", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", Text, nullable=False),
)


def like_pattern(term: str) -> str:
    """``%term%`` for ``LIKE … ESCAPE '\\'``, the term's own ``%``, ``_`` and ``\\`` taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def database_url(location: str) -> str:
    """A SQLAlchemy URL from what ``INCIDENTS_DB`` may hold: a SQLite path, a ``sqlite:///``
    URL, or a ``postgresql://`` URL (driven by psycopg 3)."""
    if "://" not in location:
        return "sqlite:///" + location if location != ":memory:" else "sqlite://"
    scheme = location.split("://", 1)[0].lower()
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + location.split("://", 1)[1]
    if scheme in ("sqlite", "postgresql+psycopg"):
        return location
    raise UnsupportedStore(f"INCIDENTS_DB={scheme}://…: use a SQLite path, a sqlite:/// URL or a postgresql:// URL")


def engine_for(location: str) -> tuple[Engine, threading.RLock | None]:
    """An engine and, for an in-memory SQLite database (one connection shared by every
    thread), the lock that gives that connection to one thread at a time.

    SQLite gets WAL (readers never wait for a writer) and ``BEGIN IMMEDIATE`` for writes,
    so two writers queue for the lock instead of failing half-way; PostgreSQL gets a pool."""
    chosen = database_url(location)
    try:
        url = make_url(chosen)
    except (ArgumentError, ValueError):  # the error may quote the URL, password and all
        raise UnsupportedStore(f"INCIDENTS_DB is not a database URL: {redacted(location)}") from None
    if url.get_backend_name() == "sqlite":
        memory = url.database in (None, "", ":memory:")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **({"poolclass": StaticPool} if memory else {}))

        @event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # SQLAlchemy's "begin" below decides how a transaction starts
            dbapi.execute("PRAGMA journal_mode=MEMORY" if memory else "PRAGMA journal_mode=WAL")
            dbapi.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine, threading.RLock() if memory else None
    if url.get_backend_name() == "postgresql":
        # a server that does not answer is reported after 10 s, not after the TCP timeout
        timeout = {} if "connect_timeout" in url.query else {"connect_args": {"connect_timeout": 10}}
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **timeout), None
    raise UnsupportedStore(f"INCIDENTS_DB: {url.get_backend_name()} is not supported (SQLite or PostgreSQL)")


def create_schema(engine: Engine) -> None:
    """Create what is missing; a store made by an older version gains the new columns.

    One transaction that holds the write lock (SQLite's ``BEGIN IMMEDIATE``, an advisory lock
    on PostgreSQL, where DDL is transactional too), so app processes starting at once on a
    new store do not race to create the same tables."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))  # any number: this app's schema lock
        metadata.create_all(conn)
        for table in (incidents, sources):
            have = {c["name"] for c in inspect(conn).get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=engine.dialect)
                    default = f" NOT NULL DEFAULT '{column.server_default.arg}'" \
                        if isinstance(column.server_default, DefaultClause) else ""
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}'))
                    if table is incidents and column.name in FIELDS and isinstance(column.type, Text):  # never NULL
                        conn.execute(text(f'UPDATE incidents SET "{column.name}" = \'\''))
        for table in (incidents, audit, sources):  # an index missing, or made by an older version with other columns
            built = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes(table.name)}
            for index in table.indexes:
                wanted = [c.name for c in index.columns]
                if index.name in built and built[index.name] != wanted:
                    index.drop(conn)
                if built.get(index.name) != wanted:
                    index.create(conn)
        if conn.execute(meta.select().where(meta.c.key == "revision")).first() is None:
            conn.execute(meta.insert().values(key="revision", value=0))
        if conn.execute(meta.select().where(meta.c.key == "identity")).first() is None:  # names files made from it
            conn.execute(meta.insert().values(key="identity", value=secrets.randbits(31)))
