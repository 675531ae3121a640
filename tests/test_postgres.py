"""What is particular to a PostgreSQL store (the tests of ``tests/test_store.py`` and the
others on the ``store`` fixture run on it too): the app opening on one named in the
secrets, writers at once, an export → import round trip, reopening, exact values, and a
store that cannot be reached said plainly, without its password."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import filters
from geo.formats import export, parse_text
from geo.ingest import loading
from geo.records import Incident
from geo.store import columns
from geo.store.database import Store, StoreUnavailable
from geo.store.queries import stream
from geo.ui.state import load_store

from .test_roundtrip import tricky_incidents


class _NoPlaces:
    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> None:
        return None  # the one unplaced record stays unplaced


@pytest.fixture
def pg(pg_location: str) -> Store:
    store = Store(pg_location)
    yield store
    store.close()


def _app(monkeypatch: pytest.MonkeyPatch, incidents_db: str) -> AppTest:
    """The app with ``incidents_db`` in its secrets (and not in the environment)."""
    monkeypatch.delenv("INCIDENTS_DB", raising=False)
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")
    load_store.clear()
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.secrets["incidents_db"] = incidents_db
    return at


def test_app_opens_on_a_postgresql_store_named_in_the_secrets(pg_location: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, pg_location).run()
    try:
        assert not at.exception and not at.error
        table = at.dataframe[0].value
        headline = next(m.value for m in at.markdown if " incident" in m.value)
        assert headline.startswith(f"**{len(table)} incidents, ") and len(table) >= 60
        store = load_store()
        assert store.dialect == "postgresql" and store.count() == len(table)  # filled from the bundled data
        kept = columns.load(store)
        assert len(kept) == len(table) and kept.placed.all()  # every bundled incident is placed
        options = kept.options()
        found = kept.totals(kept.mask(filters.Filters(options.first, options.last)))
        assert (found.incidents, found.unlocated) == (len(table), 0) and found.groups == len(options.groups)
    finally:
        load_store().close()
        load_store.clear()


@pytest.mark.parametrize("url", [
    "postgresql://alice:s3cr3t-pw@/incidents?host={tmp}&port=54329",  # no server there: refused
    "postgresql://alice@/incidents?host={tmp}&port=54329&password=s3cr3t-pw",
    "postgresql://alice:s3cr3t-pw@localhost:notaport/incidents",  # not a URL
])
def test_a_store_that_cannot_be_opened_is_said_plainly_without_its_password(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, url.format(tmp=tmp_path)).run()
    assert not at.exception
    [error] = at.error
    assert "INCIDENTS_DB is not a database URL" in error.value or "Cannot open the incident store" in error.value
    assert "alice" in error.value and "***" in error.value
    shown = " ".join(str(e.value) for e in (*at.error, *at.markdown, *at.exception))
    assert "s3cr3t" not in shown


def test_a_public_deploy_says_its_store_is_down_without_where_it_lives(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Visitors of a public deploy read that the store cannot be opened; its user, host, port and
    database name are for the operator, in the server's log."""
    at = _app(monkeypatch, f"postgresql://alice:s3cr3t-pw@/incidents?host={tmp_path}&port=54329")
    monkeypatch.setenv("INCIDENT_MAP_MODE", "public")
    at.run()
    assert not at.exception
    [error] = at.error
    assert "cannot be opened right now" in error.value
    shown = " ".join(str(e.value) for e in (*at.error, *at.markdown, *at.caption))
    assert not any(part in shown for part in ("alice", "s3cr3t", "54329", "incidents?host"))


def test_a_wrong_user_or_password_is_reported_without_the_password(pg_location: str) -> None:
    with pytest.raises(StoreUnavailable) as raised:
        Store(pg_location.replace("postgresql://postgres@", "postgresql://nobody:wr0ng-pw@", 1))
    assert "nobody" in str(raised.value) and "wr0ng" not in str(raised.value)


def test_two_threads_writing_at_once_both_land(pg: Store) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(tag: str) -> None:
        try:
            start.wait(10)
            pg.upsert([Incident(f"{tag}-{k:04d}", date(2024, 3, 1), f"Group {tag}", "Mosul", latitude=36.3,
                                longitude=43.1) for k in range(1500)], actor=f"writer {tag}", action="test")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    before = pg.revision()
    threads = [threading.Thread(target=write, args=(tag,)) for tag in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert pg.count() == 3000 and pg.revision() == before + 2
    assert sorted({e.actor for e in pg.audit(limit=5000)}) == ["writer A", "writer B"]
    assert len(pg.audit(limit=5000)) == 3000


def test_export_then_import_round_trip(pg: Store, pg_location: str, tmp_path: Path) -> None:
    pg.upsert(tricky_incidents(), actor="test", action="test")
    stored = list(stream(pg))
    text = export.to_csv(stored)
    again = loading.import_result(pg, parse_text(text, "export.csv"), _NoPlaces(), actor="test")
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(stored))
    elsewhere = Store(str(tmp_path / "copy.sqlite3"))  # and into a SQLite store: the same records
    loading.import_result(elsewhere, parse_text(text, "export.csv"), _NoPlaces(), actor="test")
    assert list(stream(elsewhere)) == stored
    back = export.to_csv(stream(elsewhere))
    assert back == text


def test_reopening_a_store_keeps_its_rows(pg_location: str) -> None:
    first = Store(pg_location)
    kept = Incident("R-1", date(2024, 8, 5), "Al-Thawriun", "Al-Asad Air Base", latitude=33.78, longitude=42.44)
    first.upsert([kept], actor="test", action="test")
    revision = first.revision()
    first.close()
    again = Store(pg_location)
    try:
        assert again.count() == 1 and again.get("R-1") == kept and again.revision() == revision
        assert [e.change for e in again.audit()] == ["add"]
    finally:
        again.close()


def _exact(k: int) -> Incident:
    texts = ["Ain al-Asad عين الأسد", "Київ", "Zürich – “quoted” ‘x’", "東京都", "emoji 🚀 in text", "x\u200cy",
             "e\u0301 (combining)", "O'Brien; DROP TABLE incidents; --", "back\\slash %s %(x)s ? $1"]
    text = texts[k % len(texts)]
    return Incident(
        event_id=f"X-{k:04d}-{text.split()[0]}", event_date=date(1900, 1, 1) + timedelta(days=k * 47), group=text,
        location=f"{text} {k}", time_precision=1 + k % 3, group_role="claimed", target=text,
        latitude=None if k % 7 == 0 else (k * 0.123456789012345) % 180 - 90,
        longitude=None if k % 7 == 0 else -179.99999999999997 + (k * 1.0000000000000002) % 359,
        geo_precision=None if k % 5 == 0 else 1 + k % 4, country_code="IQ" if k % 2 else "",
        killed=None if k % 3 == 0 else k * 1000, injured=0 if k % 4 == 0 else None,
        notes=f"{text}\nline two\twith a tab" if k % 2 else "", source_url=f"https://example.org/{k}?a=1&b=ü",
        published=None if k % 2 else date(2024, 12, 31) - timedelta(days=k))


def test_non_ascii_text_and_a_thousand_row_batch_round_trip_exactly(pg: Store) -> None:
    rows = [_exact(k) for k in range(1000)]
    counts = pg.upsert(rows, actor="test", action="test")
    assert counts.added == 1000
    assert {i.event_id: i for i in stream(pg)} == {i.event_id: i for i in rows}  # floats bit for bit, NULLs as NULLs
    assert pg.get(rows[1].event_id) == rows[1] and pg.get(rows[7].event_id) == rows[7]
    assert pg.upsert(rows, actor="test", action="test").unchanged == 1000  # the digests agree with what came back


def test_processes_opening_a_new_store_at_once_all_succeed(pg_location: str) -> None:
    """App processes starting together on an empty database do not race to create the tables."""
    code = "import sys; from geo.store.database import Store; Store(sys.argv[1]).close()"
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_location], cwd=root, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = Store(pg_location)
    try:
        assert store.count() == 0 and store.revision() == 0
    finally:
        store.close()
