"""The "Edit incidents" tab under AppTest: edit → its audit row in the history → undo; delete
with a confirmation → put back from recent changes; merge a likely duplicate; a renamed place is
looked up again; a saved article that repeats a stored attack is flagged and can be merged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import store_url
from geo.store.database import Store
from geo.ui.state import load_store

AL_ASAD_STORY = ("Two rockets hit Al-Asad Air Base in western Iraq on Monday, injuring five U.S. service members "
                 "and two contractors. Al-Thawriun claimed the attack.")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")
    load_store.clear()
    return AppTest.from_file("../app.py", default_timeout=90)


def field(widgets: Any, event_id: str, name: str) -> Any:
    """The edit form's widget for this incident's field (keys carry the stored version)."""
    [w] = [w for w in widgets if w.key and w.key.startswith(f"cur_{event_id}_") and w.key.endswith(f"_{name}")]
    return w


def button(at: AppTest, label: str, key_part: str = "") -> Any:
    found = [b for b in at.button if b.label == label and key_part in (b.key or "")]
    assert found, f"no button {label!r}"
    return found[0]


def table_row(at: AppTest, event_id: str) -> Any:
    table = at.dataframe[0].value
    rows = table[table["event_id"] == event_id]
    return None if rows.empty else rows.iloc[0]


def texts(at: AppTest) -> str:
    """What the page says, as a reader sees it (record text is shown escaped)."""
    return "\n".join(str(e.value) for kind in (at.markdown, at.caption, at.success, at.error, at.warning, at.info)
                     for e in kind).replace("\\", "")


def open_incident(at: AppTest, event_id: str) -> AppTest:
    at.text_input(key="curate_query").input(event_id).run()
    assert not at.exception
    return at


def test_edit_shows_in_the_table_and_history_and_undo_restores_it(app: AppTest) -> None:
    at = open_incident(app.run(), "IMAP-0057")
    assert table_row(at, "IMAP-0057")["injured"] == 7
    field(at.number_input, "IMAP-0057", "injured").set_value(9)
    field(at.text_area, "IMAP-0057", "notes").input("Corrected after the CENTCOM statement.")
    button(at, "Save changes").click().run()
    assert not at.exception and "Saved IMAP-0057" in texts(at)
    assert table_row(at, "IMAP-0057")["injured"] == 9  # the table (and map) show it at once
    [entry] = [e for e in Store(store_url()).audit("IMAP-0057") if e.action == "edit"]
    assert entry.actor == "private" and entry.before["injured"] == 7 and entry.after["injured"] == 9  # type: ignore[index]
    assert f"#{entry.id}" in texts(at) and "injured: 7 → 9" in texts(at)  # its history lists the change
    button(at, "Undo", f"hist_undo_{entry.id}").click().run()
    assert not at.exception and table_row(at, "IMAP-0057")["injured"] == 7
    assert Store(store_url()).audit("IMAP-0057")[0].action == f"undo of #{entry.id}"


def test_delete_needs_a_confirmation_and_can_be_undone(app: AppTest) -> None:
    at = open_incident(app.run(), "IMAP-0057")
    delete = button(at, "Delete incident")
    assert delete.disabled
    field(at.checkbox, "IMAP-0057", "sure").check().run()
    button(at, "Delete incident").click().run()
    assert not at.exception and table_row(at, "IMAP-0057") is None and "Deleted IMAP-0057" in texts(at)
    entry = Store(store_url()).audit("IMAP-0057")[0]
    assert entry.change == "delete"
    button(at, "Undo", f"deleted_undo_{entry.id}").click().run()
    assert not at.exception and table_row(at, "IMAP-0057")["injured"] == 7


def test_a_renamed_place_is_looked_up_again_never_kept_at_the_old_point(app: AppTest) -> None:
    at = open_incident(app.run(), "IMAP-0057")
    field(at.text_input, "IMAP-0057", "place").input("Mosul").run()
    candidates = next(d.value for d in at.dataframe if "precision" in d.value.columns)
    assert "Mosul" in list(candidates["place"])
    button(at, "Save changes").click().run()
    assert not at.exception
    stored = Store(store_url()).get("IMAP-0057")
    assert stored is not None and stored.location == "Mosul" and stored.latitude is not None
    assert abs(stored.latitude - 36.34) < 0.1 and stored.admin1 != "Anbar"


def test_a_likely_duplicate_is_listed_and_merged(app: AppTest) -> None:
    at = app.run()
    Store(store_url()).upsert([Store(store_url()).get("IMAP-0057").replace(  # type: ignore[union-attr]
        event_id="COPY-1", group="Unknown", source="Another wire", source_url="https://example.org/copy")],
        actor="test", action="import")
    at = open_incident(at.run(), "IMAP-0057")
    assert any(e.label.startswith("1 likely duplicate") for e in at.expander)  # listed as one, not just in the log
    button(at, "Merge into this one", "COPY-1").click().run()
    assert not at.exception and table_row(at, "COPY-1") is None and "Merged COPY-1 into IMAP-0057" in texts(at)
    assert [s.source_url for s in Store(store_url()).sources("IMAP-0057")][-1] == "https://example.org/copy"


def test_saving_an_article_about_a_stored_attack_warns_and_merges(app: AppTest) -> None:
    at = app.run()
    at.text_area(key="article_text").input(AL_ASAD_STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.text_input(key="article_source").input("Test wire, 2024-08-06")
    at.text_input(key="article_url").input("https://example.org/story")
    at.button(key="article_find").click().run()
    count = Store(store_url()).count()
    at.button(key="inc0_save").click().run()
    assert not at.exception and Store(store_url()).count() == count  # nothing saved yet: it waits for the editor
    assert "Likely already stored" in texts(at) and "IMAP-0057" in texts(at)
    at.button(key="dup_merge_0_IMAP-0057").click().run()
    assert not at.exception and Store(store_url()).count() == count  # one incident, two sources
    assert "merged into IMAP-0057" in texts(at)
    assert [s.source_url for s in Store(store_url()).sources("IMAP-0057")][-1] == "https://example.org/story"


def test_a_row_picked_in_the_table_opens_in_the_editor(app: AppTest) -> None:
    at = app.run()
    at.session_state["map_focus"] = "IMAP-0004"  # what the table's row selection sets
    at.run()
    assert not at.exception and at.text_input(key="curate_query").value == "IMAP-0004"
    assert field(at.text_input, "IMAP-0004", "place").value == "Al-Asad Air Base"


def test_an_empty_place_is_refused_and_nothing_is_written(app: AppTest) -> None:
    at = open_incident(app.run(), "IMAP-0057")
    audit = len(Store(store_url()).audit())
    field(at.text_input, "IMAP-0057", "place").input("").run()
    button(at, "Save changes").click().run()
    assert not at.exception and "Not saved: Name the place" in texts(at)
    assert len(Store(store_url()).audit()) == audit


def test_a_reader_sees_why_editing_needs_an_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    for name in ("INCIDENT_MAP_MODE", "EDITOR_TOKEN", "EDITORS"):
        monkeypatch.delenv(name, raising=False)
    load_store.clear()
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    assert not at.exception and "Editing incidents needs an editor" in texts(at)
    assert not [b for b in at.button if b.label in ("Save changes", "Delete incident", "Undo")]
    assert not [t for t in at.text_input if t.key == "curate_query"]


def test_edits_count_against_the_session_allowance_and_are_signed_by_the_editor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    for name in ("INCIDENT_MAP_MODE", "EDITOR_TOKEN", "EDITORS"):
        monkeypatch.delenv(name, raising=False)
    load_store.clear()
    app = AppTest.from_file("../app.py", default_timeout=90)
    app.secrets["editor_token"] = "an-editor-token-long-enough-42"
    app.secrets["max_session_writes"] = 1
    at = app.run()
    at.text_input(key="editor_token_input").input("an-editor-token-long-enough-42").run()
    at = open_incident(at, "IMAP-0057")
    field(at.number_input, "IMAP-0057", "injured").set_value(9)
    button(at, "Save changes").click().run()
    assert not at.exception and Store(store_url()).audit("IMAP-0057")[0].actor == "token:editor"
    field(at.number_input, "IMAP-0057", "injured").set_value(10)
    button(at, "Save changes").click().run()
    assert "max_session_writes" in texts(at)  # refused whole, with the setting named
    assert Store(store_url()).get("IMAP-0057").injured == 9  # type: ignore[union-attr]
