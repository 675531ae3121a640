"""Curation: delete, undo (restore), edit checks, merge and likely duplicates, on SQLite
and PostgreSQL. Nothing an editor changes is lost: the audit table can put it back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.gazetteer.ranking import distance_km
from geo.records import FIELDS, Incident
from geo.store import curation
from geo.store.database import ChangedSince, NothingToUndo, NotStored, Store
from geo.store.duplicates import likely_duplicates


def incident(event_id: str = "A-1", **changes: object) -> Incident:
    fields: dict[str, object] = {"event_id": event_id, "event_date": date(2024, 8, 5), "group": "Al-Thawriun",
                                 "location": "Al-Asad Air Base", "latitude": 33.79, "longitude": 42.44,
                                 "geo_precision": 1, "country_code": "IQ", "injured": 7, "source": "Reuters",
                                 "source_url": "https://example.org/a"}
    return Incident(**{**fields, **changes})  # type: ignore[arg-type]


def test_delete_keeps_the_record_in_the_audit_and_undo_puts_it_back(store: Store) -> None:
    store.upsert([incident(), incident("B-1", location="Erbil", latitude=36.19, longitude=44.01)],
                 actor="cli", action="import")
    revision = store.revision()
    assert store.delete(["A-1"], actor="editor@example.org") == 1
    assert store.get("A-1") is None and store.count() == 1 and store.revision() == revision + 1
    entry = store.audit("A-1")[0]
    assert (entry.change, entry.actor, entry.action, entry.after) == ("delete", "editor@example.org", "delete", {})
    assert entry.before is not None and entry.before["injured"] == 7 and set(entry.before) == set(FIELDS)
    assert store.restore(entry.id, actor="token:alice") == [("A-1", "add")]
    assert store.get("A-1") == incident() and store.revision() == revision + 2
    undo = store.audit("A-1")[0]
    assert (undo.change, undo.action, undo.actor, undo.before) == ("add", f"undo of #{entry.id}", "token:alice", None)
    assert undo.after["injured"] == 7
    with pytest.raises(NothingToUndo):  # already back: nothing written, nothing audited
        store.restore(entry.id, actor="cli")
    assert store.revision() == revision + 2 and store.audit("A-1")[0].id == undo.id


def test_undo_of_an_update_restores_the_old_values_and_undo_of_an_add_removes_it(store: Store) -> None:
    store.upsert([incident()], actor="cli", action="import")
    store.upsert([incident(injured=9, location="Hit")], actor="editor", action="edit")
    update, add = store.audit("A-1")
    store.restore(update.id, actor="editor")
    assert store.get("A-1") == incident()
    store.restore(store.audit("A-1")[0].id, actor="editor")  # undo the undo: a redo
    stored = store.get("A-1")
    assert stored is not None and (stored.injured, stored.location) == (9, "Hit")
    store.restore(add.id, actor="editor")  # undoing the add removes the record, kept in the audit
    assert store.get("A-1") is None and store.audit("A-1")[0].change == "delete"
    assert store.audit("A-1")[-1].after["injured"] == 7  # the add still reads back what was added


def test_unknown_ids_are_refused_and_nothing_is_written(store: Store) -> None:
    store.upsert([incident()], actor="cli", action="import")
    revision = store.revision()
    with pytest.raises(NotStored, match="'nope'"):
        store.delete(["A-1", "nope"], actor="cli")
    with pytest.raises(NotStored, match="#999"):
        store.restore(999, actor="cli")
    with pytest.raises(NotStored):
        store.merge("A-1", "nope", actor="cli")
    with pytest.raises(ValueError):
        store.delete(["A-1"], actor="")
    assert store.get("A-1") is not None and store.revision() == revision and len(store.audit()) == 1


def test_merge_keeps_one_incident_with_both_sources_and_undo_splits_them_again(store: Store) -> None:
    keep = incident("A-1", geo_precision=3, location="Anbar", latitude=33.4, longitude=42.0, killed=2,
                    time_precision=2)
    other = incident("B-1", group="Unknown", killed=3, source="AP", source_url="https://example.org/b",
                     published=date(2024, 8, 6), event_date=date(2024, 8, 6))
    store.upsert([keep, other], actor="cli", action="import")
    revision = store.revision()
    result = store.merge("A-1", "B-1", actor="editor")
    assert store.get("B-1") is None and store.count() == 1 and store.revision() == revision + 1
    stored = store.get("A-1")
    assert stored == result
    assert (stored.location, stored.geo_precision, stored.latitude) == ("Al-Asad Air Base", 1, 33.79)  # the precise place
    assert (stored.event_date, stored.time_precision) == (date(2024, 8, 6), 1)  # the precise date
    assert stored.group == "Al-Thawriun" and stored.killed == 2 and "killed 3 (kept 2)" in stored.notes
    assert [(s.source, s.source_url) for s in store.sources("A-1")] == [
        ("Reuters", "https://example.org/a"), ("AP", "https://example.org/b")]
    assert store.sources("A-1")[1].added_by == "editor" and store.sources("A-1")[1].published == "2024-08-06"
    assert store.sources_for(["A-1", "X"]) == {"A-1": store.sources("A-1")[1:]}
    delete = store.audit("B-1")[0]
    assert (delete.change, delete.action) == ("delete", "merge B-1 into A-1")
    assert store.audit("A-1")[0].action == "merge B-1 into A-1"
    changed = store.restore(delete.id, actor="editor")  # undoing the merge: both records as they were
    assert sorted(changed) == [("A-1", "update"), ("B-1", "add")]
    assert store.get("A-1") == keep and store.get("B-1") == other
    assert [s.source for s in store.sources("A-1")] == ["Reuters"] and [s.source for s in store.sources("B-1")] == ["AP"]


def test_a_merge_edited_since_is_not_undone_over_the_edit(store: Store) -> None:
    """Undoing a merge after the kept incident was edited would revert the edit unseen: it is
    refused, naming the edit; once the edit is undone, the merge is."""
    store.upsert([incident("A-1"), incident("B-1", source="AP")], actor="cli", action="import")
    store.merge("A-1", "B-1", actor="editor")
    merge = store.audit("B-1")[0]
    edited = curation.edited(store.get("A-1"), {"killed": "9"})  # type: ignore[arg-type]
    store.upsert([edited], actor="editor", action="edit")
    edit = store.audit("A-1")[0]
    with pytest.raises(ChangedSince, match=f"A-1 was changed after the merge \\(#{edit.id}, edit\\): undo that first"):
        store.restore(merge.id, actor="editor")
    assert store.get("A-1").killed == 9 and store.get("B-1") is None  # type: ignore[union-attr]
    store.restore(edit.id, actor="editor")
    assert sorted(store.restore(merge.id, actor="editor")) == [("A-1", "update"), ("B-1", "add")]
    with pytest.raises(NothingToUndo):
        store.restore(merge.id, actor="editor")  # done already


def test_undoing_the_first_of_two_merges_is_refused_until_the_second_is_undone(store: Store) -> None:
    """Two reports merged into A-1 in turn: undoing the first alone would drop the second's place
    and note while still listing its source (and undoing it after would count one report
    twice). It is refused, naming the second merge; in order, both come back whole."""
    store.upsert([incident("A-1"), incident("B-1", source="AP"), incident("C-1", source="AFP", notes="better")],
                 actor="cli", action="import")
    store.merge("A-1", "B-1", actor="e")
    first = store.audit("B-1")[0]
    store.merge("A-1", "C-1", actor="e")
    second = store.audit("C-1")[0]
    merged = store.get("A-1")
    with pytest.raises(ChangedSince, match="A-1 was changed after the merge .*merge"):
        store.restore(first.id, actor="e")
    assert store.get("A-1") == merged and store.count() == 1
    assert [s.source for s in store.sources("A-1")] == ["Reuters", "AP", "AFP"]
    store.restore(second.id, actor="e")
    store.restore(first.id, actor="e")
    assert store.count() == 3 and [s.source for s in store.sources("A-1")] == ["Reuters"]
    assert store.get("C-1").notes == "better"  # type: ignore[union-attr]


def test_merged_sources_travel_on_and_come_back(store: Store) -> None:
    store.upsert([incident("A-1"), incident("B-1", source="AP"), incident("C-1", source="AFP")],
                 actor="cli", action="import")
    store.merge("B-1", "C-1", actor="e")
    store.merge("A-1", "B-1", actor="e")
    assert [s.source for s in store.sources("A-1")] == ["Reuters", "AP", "AFP"]
    store.restore(store.audit("A-1")[0].id, actor="e")  # the undo from the kept record's entry works too
    assert [s.source for s in store.sources("A-1")] == ["Reuters"]
    assert [s.source for s in store.sources("B-1")] == ["AP", "AFP"]


def test_an_edit_is_checked_like_an_import() -> None:
    old = incident()
    assert curation.edited(old, {"killed": "4", "event_date": "2024-08-07"}).killed == 4
    with pytest.raises(ValueError, match="killed"):
        curation.edited(old, {"killed": "many"})
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        curation.edited(old, {"colour": "red"})
    with pytest.raises(ValueError, match="id cannot be changed"):
        curation.edited(old, {"event_id": "X"})
    with pytest.raises(ValueError, match="source_url: 'javascript:alert"):
        curation.edited(old, {"source_url": "javascript:alert(document.cookie)"})  # import drops it; an edit refuses it
    assert curation.edited(old, {"source_url": "https://example.org/a"}).source_url == "https://example.org/a"
    renamed = curation.edited(old, {"location": "Hit"})
    assert renamed.latitude is None and curation.place_changed(old, renamed)  # never the old point under a new name
    moved = curation.edited(old, {"location": "Hit", "latitude": "33.64", "longitude": "42.83"})
    assert moved.latitude == 33.64 and not curation.place_changed(old, moved)


def test_likely_duplicates_same_days_near_and_same_or_unknown_group(store: Store) -> None:
    new = incident("NEW")
    store.upsert([
        incident("same"),
        incident("next-day", event_date=date(2024, 8, 6), latitude=33.9, longitude=42.5, group="Unknown"),
        incident("far", latitude=36.19, longitude=44.01),
        incident("late", event_date=date(2024, 8, 8)),
        incident("other-group", group="ISIS"),
        incident("unplaced", latitude=None, longitude=None, geo_precision=None, location="al-asad air base"),
        incident("unplaced-elsewhere", latitude=None, longitude=None, geo_precision=None, location="Hit"),
        incident("NEW"),  # itself, saved before: not its own duplicate
    ], actor="cli", action="import")
    found = likely_duplicates(store, new)
    assert [d.incident.event_id for d in found] == ["same", "unplaced", "next-day"]
    assert found[0].km == 0 and found[1].km is None and found[2].days == 1 and 0 < (found[2].km or 0) < 25
    unplaced = likely_duplicates(store, incident("N2", latitude=None, longitude=None, location="Hit"))
    assert [d.incident.event_id for d in unplaced] == ["unplaced-elsewhere"]


def test_distance() -> None:
    assert distance_km(33.79, 42.44, 33.79, 42.44) == 0
    assert 310 < distance_km(33.31, 44.37, 36.19, 44.01) < 335  # Baghdad to Erbil, about 320 km


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from geo.__main__ import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_edit_delete_undo_history(location: str, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTS_DB", location)
    store = Store(location)
    store.upsert([incident(), incident("B-1", source="AP")], actor="editor", action="article")
    code, out, _ = _cli(capsys, "edit", "A-1", "killed=4", "notes=Checked against the ministry's statement")
    assert code == 0 and json.loads(out)["after"]["killed"] == 4 and store.get("A-1").killed == 4  # type: ignore[union-attr]
    code, _, err = _cli(capsys, "edit", "A-1", "killed=many")
    assert code == 1 and "killed" in err and store.get("A-1").killed == 4  # type: ignore[union-attr]
    code, _, err = _cli(capsys, "edit", "nope", "killed=1")
    assert code == 1 and "no incident with id 'nope'" in err
    code, _, err = _cli(capsys, "edit", "A-1", "colour=red")
    assert code == 1 and "unknown field 'colour'" in err
    code, out, err = _cli(capsys, "edit", "A-1", "location=Nowhere-at-all-xyz")  # a new name loses the old point
    stored = store.get("A-1")  # placed as an import would be: in its country, at country precision
    assert code == 0 and stored is not None and stored.location == "Nowhere-at-all-xyz"
    assert stored.geo_precision == 4 and stored.latitude != 33.79 and "country" in err
    code, out, err = _cli(capsys, "edit", "A-1", "location=Elsewhere-xyz", "country_code=")
    stored = store.get("A-1")
    assert code == 0 and stored is not None and stored.latitude is None and "not found" in err
    code, out, _ = _cli(capsys, "delete", "B-1")
    assert code == 0 and store.get("B-1") is None
    assert out.strip() == f"B-1: deleted (undo with: python -m geo undo {store.audit('B-1')[0].id})"
    code, _, err = _cli(capsys, "delete", "B-1")
    assert code == 1 and "no incident with id 'B-1'" in err
    code, out, _ = _cli(capsys, "history", "B-1")
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [e["change"] for e in entries] == ["delete", "add"]
    code, out, _ = _cli(capsys, "undo", str(entries[0]["id"]))
    assert code == 0 and "B-1: put back" in out and store.get("B-1") == incident("B-1", source="AP")
    code, _, err = _cli(capsys, "undo", str(entries[0]["id"]))
    assert code == 1 and "nothing to undo" in err
    code, out, _ = _cli(capsys, "merge", "A-1", "B-1")
    assert code == 0 and store.get("B-1") is None and "2 sources" in out
    assert f"undo {store.audit('B-1')[0].id}" in out
    code, out, _ = _cli(capsys, "history", "A-1")
    assert '"source": "AP"' in out
    store.close()


def test_cli_edit_of_a_place_geocodes_it_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], gazetteer: object) -> None:
    db = str(tmp_path / "cli.sqlite3")
    monkeypatch.setenv("INCIDENTS_DB", db)
    Store(db).upsert([incident()], actor="editor", action="article")
    code, _, err = _cli(capsys, "edit", "A-1", "location=Erbil")
    stored = Store(db).get("A-1")
    assert code == 0 and stored is not None and stored.latitude is not None
    assert abs(stored.latitude - 36.19) < 0.3 and abs(stored.longitude - 44.01) < 0.3  # type: ignore[operator]


def test_the_editors_lookup_finds_by_id_place_or_group(store: Store) -> None:
    from geo.store.duplicates import lookup

    store.upsert([incident("A-1"), incident("B-1", location="Erbil", group="Kata'ib Hezbollah",
                                             event_date=date(2024, 9, 1)),
                  incident("C_1", location="100% Hit")], actor="cli", action="import")
    assert [i.event_id for i in lookup(store, "erbil")] == ["B-1"]
    assert [i.event_id for i in lookup(store, "KATA'IB")] == ["B-1"]
    assert [i.event_id for i in lookup(store, "A-1")] == ["A-1"]
    assert [i.event_id for i in lookup(store, "100%")] == ["C_1"] and lookup(store, "C%1") == []  # no wildcards
    assert [i.event_id for i in lookup(store, "")][0] == "B-1"  # the newest first
    store.delete(["A-1", "B-1"], actor="cli")
    assert [e.event_id for e in store.audit(change="delete")] == ["B-1", "A-1"]


def test_the_exact_id_is_found_first_among_many_newer_matches(store: Store) -> None:
    from geo.store.duplicates import lookup

    newer = [incident(f"X-{k}", event_date=date(2024, 9, 1) + timedelta(days=k)) for k in range(25)]
    store.upsert([incident("X"), *newer], actor="cli", action="import")
    found = [i.event_id for i in lookup(store, "X")]
    assert found[0] == "X" and len(found) == 20


def test_history_lists_a_merged_source_when_the_kept_incident_had_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite3")
    monkeypatch.setenv("INCIDENTS_DB", db)
    Store(db).upsert([incident("A-1", source="", source_url=""), incident("B-1", source="AP")], actor="editor",
                     action="article")
    assert _cli(capsys, "merge", "A-1", "B-1")[0] == 0
    code, out, _ = _cli(capsys, "history", "A-1")
    assert code == 0 and '"source": "AP"' in out


def test_a_merge_keeps_the_earlier_first_report_and_the_better_places_confidence() -> None:
    """Two outlets' reports of one strike: the merged incident was first reported when the first
    of them published, and its pin's confidence is the one of the place it keeps."""
    vague = Incident("A", date(2024, 8, 5), "G", "Anbar", latitude=33.0, longitude=42.0, geo_precision=3,
                     first_reported=date(2024, 8, 7), confidence=0.31, runner_up="Baghdad, 200 km")
    exact = Incident("B", date(2024, 8, 5), "G", "Al-Asad Air Base", latitude=33.8, longitude=42.44, geo_precision=1,
                     first_reported=date(2024, 8, 6), confidence=0.88)
    kept = curation.merged(vague, exact)
    assert (kept.location, kept.first_reported, kept.confidence, kept.runner_up) == (
        "Al-Asad Air Base", date(2024, 8, 6), 0.88, "")
    unknown = curation.merged(exact, vague.replace(first_reported=None))
    assert unknown.first_reported == date(2024, 8, 6) and unknown.confidence == 0.88
