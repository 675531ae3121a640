"""No data lost: an import killed half-way (SIGKILL while its transaction is open) leaves
the store exactly as it was, and sessions saving at once (threads sharing the app's one
``Store``, or separate processes on one SQLite file or PostgreSQL database) all keep what they saved.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.records import Incident
from geo.store.database import Store
from geo.store.queries import stream

ROOT = Path(__file__).resolve().parent.parent


def _incidents(tag: str, n: int) -> list[Incident]:
    return [Incident(f"{tag}-{k:06d}", date(2024, 1, 1) + timedelta(days=k % 300), f"Group {tag}", f"Place {k}",
                     latitude=30 + (k % 100) / 10, longitude=40 + (k % 97) / 10, country_code="IQ", killed=k % 7,
                     notes=f"{tag} incident {k}") for k in range(n)]


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def _big_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("event_id,event_date,group,location,latitude,longitude,notes\n")
        for k in range(rows):
            out.write(f"BIG-{k:07d},2024-05-{k % 28 + 1:02d},Big Group,Place {k},{30 + k % 1000 / 1000:.3f},"
                      f"{40 + k % 997 / 1000:.3f},row {k} of a big import\n")


def test_import_killed_mid_transaction_leaves_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite3"
    original = _incidents("KEEP", 500)
    store = Store(str(db))
    store.upsert(original, actor="test", action="test")
    before = list(stream(store))
    revision = store.revision()
    store.close()

    big = tmp_path / "big.csv"
    _big_csv(big, 200_000)
    env = {**os.environ, "INCIDENTS_DB": str(db), "GEOCODER": "offline"}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "import", str(big)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    wal = Path(f"{db}-wal")
    journal = Path(f"{db}-journal")
    deadline = time.monotonic() + 90
    try:
        # the write transaction is open once pages spill into the WAL (or a rollback journal)
        while not ((wal.exists() and wal.stat().st_size > 1_000_000) or (journal.exists() and journal.stat().st_size)):
            assert proc.poll() is None, f"import ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    reopened = Store(str(db))
    try:
        assert reopened.count() == len(original)
        assert list(stream(reopened)) == before
        assert reopened.revision() == revision
        assert reopened.get("BIG-0000000") is None
    finally:
        reopened.close()
    assert _integrity(db) == "ok"


def test_threads_sharing_one_store_both_keep_their_saves(store: Store) -> None:
    """The app's sessions share one Store (st.cache_resource): concurrent saves must not
    collide on its connection ("cannot start a transaction within a transaction")."""
    errors: list[BaseException] = []
    sets = {tag: _incidents(tag, 300) for tag in ("A", "B", "C")}

    def save(batch: list[Incident]) -> None:
        try:
            for k in range(0, len(batch), 3):  # many small transactions, interleaved
                store.upsert(batch[k:k + 3], actor="test", action="test")
                store.count()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(batch,)) for batch in sets.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    stored = {i.event_id: i for i in list(stream(store))}
    for batch in sets.values():
        assert all(stored.get(i.event_id) == i for i in batch)
    assert len(stored) == 900


_WRITER = """
import sys
from datetime import date
from geo.records import Incident
from geo.store.database import Store
store = Store(sys.argv[1])
tag = sys.argv[2]
for k in range(0, 1000, 4):
    store.upsert([Incident(f"{tag}-{j:04d}", date(2024, 2, 1), "Group " + tag, "Mosul", latitude=36.3,
                           longitude=43.1, notes=f"{tag} {j}") for j in range(k, k + 4)],
                 actor="test", action="test")
store.close()
"""


@pytest.mark.parametrize("writers", [2])
def test_two_processes_saving_at_once_keep_both_sets(location: str, writers: int) -> None:
    Store(location).close()
    tags = [f"P{n}" for n in range(writers)]
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, location, tag], cwd=ROOT, stderr=subprocess.PIPE,
                              text=True) for tag in tags]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = Store(location)
    try:
        ids = {i.event_id for i in list(stream(store))}
        for tag in tags:
            assert {f"{tag}-{j:04d}" for j in range(1000)} <= ids
        assert store.count() == 1000 * writers
    finally:
        store.close()
    if "://" not in location:  # a SQLite file
        assert _integrity(Path(location)) == "ok"
