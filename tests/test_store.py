"""The store keeps what was saved: re-imports update, failures roll back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.geocoding.offline import OfflineGeocoder
from geo.ingest import loading
from geo.records import Incident
from geo.store.database import QueryTimedOut, Store, UnsupportedStore
from geo.store.queries import stream


def incident(event_id: str = "A-1", **changes: object) -> Incident:
    return Incident(event_id, date(2024, 8, 5), "Al-Thawriun", "Al-Asad Air Base", **changes)  # type: ignore[arg-type]


def test_saved_incident_reads_back_identically(store: Store) -> None:
    original = incident(latitude=33.78, longitude=42.44, injured=7, published=date(2024, 8, 6))
    store.upsert([original], actor="test", action="test")
    assert store.get("A-1") == original


def test_importing_the_same_file_twice_does_not_duplicate(store: Store, geocoder: OfflineGeocoder) -> None:
    first = loading.ensure_bundled(store, geocoder)
    assert first is not None and first.added >= 60
    again = loading.import_file(store, "data/incidents.csv", geocoder, actor="test")
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    assert store.count() == first.added


def test_changed_row_is_updated_and_bumps_revision(store: Store) -> None:
    store.upsert([incident(injured=5)], actor="test", action="test")
    before = store.revision()
    counts = store.upsert([incident(injured=7)], actor="test", action="test")
    assert (counts.added, counts.updated) == (0, 1) and store.revision() == before + 1
    assert store.get("A-1").injured == 7  # type: ignore[union-attr]


def test_failed_write_leaves_the_store_as_before(store: Store) -> None:
    store.upsert([incident("KEEP")], actor="test", action="test")

    def rows():
        yield incident("NEW-1")
        raise RuntimeError("crash mid-import")

    with pytest.raises(RuntimeError):
        store.upsert(rows(), actor="test", action="test")
    assert [i.event_id for i in list(stream(store))] == ["KEEP"]
    assert [e.event_id for e in store.audit()] == ["KEEP"]  # the audit rows are in the same transaction


def test_store_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite3")
    Store(path).upsert([incident()], actor="test", action="test")
    assert Store(f"sqlite:///{path}").count() == 1


def test_unsupported_database_url_is_refused_clearly() -> None:
    with pytest.raises(UnsupportedStore, match="SQLite path, a sqlite:/// URL or a postgresql:// URL"):
        Store("mysql://user@host/db")


def test_a_read_with_a_deadline_is_stopped_with_a_message(store: Store) -> None:
    """What keeps one visitor's text search from holding the server (``Store.read(deadline_s)``):
    SQLite's progress handler, PostgreSQL's statement_timeout."""
    endless = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
                   "SELECT count(*) FROM n")
    with pytest.raises(QueryTimedOut, match="stopped after 0.2 s"):
        with store.read(0.2) as conn:
            conn.execute(endless).scalar_one()
    with store.read(5) as conn:  # the connection is usable again, the handler gone
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert store.count() == 0
