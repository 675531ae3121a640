"""One audited write path (Store.upsert): who, when, what, before and after, in the same
transaction as the write; imports are insert-only unless asked to update; the CLI is "cli"."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy.exc

from geo.__main__ import main
from geo.formats import parse_text
from geo.ingest import loading
from geo.records import FIELDS, Incident
from geo.store.database import Store
from geo.store.queries import stream

HEADER = ",".join(FIELDS)


def incident(event_id: str = "A-1", **changes: object) -> Incident:
    fields: dict[str, object] = {"event_id": event_id, "event_date": date(2024, 8, 5), "group": "Al-Thawriun",
                                 "location": "Al-Asad Air Base", "latitude": 33.79, "longitude": 42.44,
                                 "country_code": "IQ", "injured": 7}
    return Incident(**{**fields, **changes})  # type: ignore[arg-type]


class _NoGeocoding:
    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> None:
        raise AssertionError(f"unexpected geocoding of {query!r}")


def native_csv(*rows: dict[str, object]) -> str:
    lines = [HEADER]
    for row in rows:
        lines.append(",".join(str(row.get(f, "")) for f in FIELDS))
    return "\n".join(lines) + "\n"


PARIS = {"event_id": "A-1", "event_date": "2024-08-05", "group": "Al-Thawriun", "location": "Paris",
         "latitude": 48.86, "longitude": 2.35, "country_code": "FR", "killed": 999}


def test_every_change_is_audited_with_before_and_after(store: Store) -> None:
    store.upsert([incident()], actor="editor@example.org", action="article")
    store.upsert([incident(injured=8)], actor="token:alice", action="article")
    store.upsert([incident(injured=8)], actor="token:alice", action="article")  # unchanged: nothing to record
    update, add = store.audit()
    assert (add.change, add.actor, add.action, add.event_id, add.before) == ("add", "editor@example.org", "article",
                                                                           "A-1", None)
    assert add.after["injured"] == 7 and add.after["event_date"] == "2024-08-05" and set(add.after) == set(FIELDS)
    assert (update.change, update.actor) == ("update", "token:alice")
    assert update.before is not None and update.before["injured"] == 7 and update.after["injured"] == 8
    assert update.at.endswith("+00:00") and update.id > add.id
    assert [e.id for e in store.audit("A-1")] == [update.id, add.id] and store.audit("other") == []


def test_a_write_must_say_who_makes_it(store: Store) -> None:
    with pytest.raises(ValueError):
        store.upsert([incident()], actor="", action="import")
    with pytest.raises(TypeError):
        store.upsert([incident()])  # type: ignore[call-arg]
    assert store.count() == 0 and store.audit() == []


def test_audit_cannot_be_skipped_by_a_failing_audit_insert(store: Store) -> None:
    """If the audit row cannot be written, the incident is not written either."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql("CREATE FUNCTION audit_full() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION 'audit full' USING ERRCODE = 'check_violation'; END $$")
            conn.exec_driver_sql("CREATE TRIGGER no_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_full()")
        else:
            conn.exec_driver_sql("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        store.upsert([incident()], actor="cli", action="import")
    assert store.count() == 0


def test_insert_only_import_leaves_a_stored_incident_unchanged(store: Store) -> None:
    original = incident()
    store.upsert([original], actor="editor@example.org", action="article")
    result = parse_text(native_csv(PARIS, {**PARIS, "event_id": "B-1"}), "paris.csv")
    report = loading.import_result(store, result, _NoGeocoding(), actor="token:alice")
    assert (report.added, report.updated, report.skipped) == (1, 0, 1)
    assert "1 added, 0 updated" in report.summary() and "1 skipped" in report.summary()
    assert store.get("A-1") == original
    assert [(e.change, e.event_id, e.action) for e in store.audit()] == [("add", "B-1", "import"),
                                                                        ("add", "A-1", "article")]


def test_update_existing_overwrites_and_records_the_old_values(store: Store) -> None:
    store.upsert([incident()], actor="editor@example.org", action="article")
    result = parse_text(native_csv(PARIS), "paris.csv")
    report = loading.import_result(store, result, _NoGeocoding(), actor="token:alice", update_existing=True)
    assert (report.added, report.updated, report.skipped) == (0, 1, 0)
    assert store.get("A-1").location == "Paris"  # type: ignore[union-attr]
    [entry, _] = store.audit()
    assert (entry.actor, entry.action, entry.change) == ("token:alice", "import (update existing)", "update")
    assert entry.before is not None and entry.before["location"] == "Al-Asad Air Base" and entry.after["killed"] == 999


def test_text_is_stored_without_control_characters(store: Store) -> None:
    dirty = incident("A-\x001", group="Al-\x07Thawriun\t", notes="line one\r\nline\x00 two\x1b", location=" Al-Asad\n")
    store.upsert([dirty], actor="cli", action="import")
    [saved] = list(stream(store))
    assert (saved.event_id, saved.group, saved.location) == ("A-1", "Al-Thawriun", "Al-Asad")
    assert saved.notes == "line one\nline two"


@pytest.mark.parametrize("field, value", [("killed", "²"), ("killed", True), ("injured", 1.5),
                                          ("latitude", float("nan")), ("longitude", "42"), ("event_date", None)])
def test_values_of_the_wrong_kind_roll_the_whole_write_back(store: Store, field: str,
                                                                          value: object) -> None:
    with pytest.raises(ValueError):
        store.upsert([incident("OK"), incident("BAD", **{field: value})], actor="cli", action="import")
    assert store.count() == 0


def test_cli_import_is_insert_only_unless_update_existing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("INCIDENTS_DB", str(db))
    Store(str(db)).upsert([incident()], actor="editor@example.org", action="article")
    path = tmp_path / "paris.csv"
    path.write_text(native_csv(PARIS), encoding="utf-8")

    def run(*args: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(list(args)) == 0
        return out.getvalue()

    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in run("import", str(path))
    assert Store(str(db)).get("A-1").location == "Al-Asad Air Base"  # type: ignore[union-attr]
    assert "0 added, 1 updated" in run("import", str(path), "--update-existing")
    assert Store(str(db)).get("A-1").location == "Paris"  # type: ignore[union-attr]
    log = [json.loads(line) for line in run("audit", "--event-id", "A-1").splitlines()]
    assert [(e["actor"], e["change"]) for e in log] == [("cli", "update"), ("editor@example.org", "add")]
    assert log[0]["before"]["location"] == "Al-Asad Air Base" and log[0]["after"]["location"] == "Paris"
