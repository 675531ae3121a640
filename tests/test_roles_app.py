"""Roles in the running app (AppTest): a public deploy is read-only for anonymous visitors; an
editor signs in with a token or OIDC and writes under their name; every message quoting a link,
a file or a record shows it as text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.records import FIELDS, Incident
from geo.settings import store_url
from geo.store.database import Store
from geo.store.queries import stream
from geo.ui.state import load_store

TOKEN = "an-editor-token-long-enough-42"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32, "client_id": "id",
        "client_secret": "s", "server_metadata_url": "https://accounts.example/.well-known/openid-configuration"}
STORY = ("A drone attack on Al-Asad Air Base in western Iraq on Monday injured two U.S. soldiers, officials said. "
         "The Islamic Resistance in Iraq claimed the attack.")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    for name in ("INCIDENT_MAP_MODE", "EDITOR_TOKEN", "EDITORS"):
        monkeypatch.delenv(name, raising=False)
    load_store.clear()
    return AppTest.from_file("../app.py", default_timeout=90)


def keys(at: AppTest) -> set[str]:
    return {w.key for w in [*at.button, *at.text_area, *at.file_uploader, *at.checkbox] if w.key}


def texts(at: AppTest) -> str:
    """Every message, caption and Markdown block on the page."""
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.success) for e in kind]
    return "\n".join(str(p) for p in parts)


def native_csv(*rows: dict[str, object]) -> bytes:
    lines = [",".join(FIELDS)] + [",".join(str(r.get(f, "")) for f in FIELDS) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_anonymous_visitor_reads_everything_and_writes_nothing(app: AppTest) -> None:
    at = app.run()
    assert not at.exception and len(at.dataframe[0].value) >= 60  # the map and table are there
    assert not keys(at) & {"article_find", "article_text", "import_go", "import_upload", "import_update"}
    notes = [i.value for i in at.info]
    assert any(n.startswith("Adding incidents needs an editor") for n in notes)
    assert any(n.startswith("Importing records needs an editor") for n in notes)
    assert any("no editors configured" in c.value and "INCIDENT\\_MAP\\_MODE\\=private" in c.value for c in at.caption)
    assert Store(store_url()).audit()[0].actor == "setup"  # only the first run's bundled data was written


def test_a_wrong_token_is_refused_and_never_shown(app: AppTest) -> None:
    app.secrets["editor_token"] = TOKEN
    at = app.run()
    at.text_input(key="editor_token_input").input("not-the-token-but-long").run()
    assert [e.value for e in at.error] == ["That is not an editor token\\."]
    assert "not-the-token-but-long" not in texts(at) and at.text_input(key="editor_token_input").value == ""
    assert "article_find" not in keys(at)


def test_an_editor_token_signs_in_imports_insert_only_and_saves_under_its_name(app: AppTest) -> None:
    app.secrets["editor_token"] = TOKEN
    at = app.run()
    at.text_input(key="editor_token_input").input(TOKEN).run()
    assert not at.exception and {"article_find", "import_upload", "import_update"} <= keys(at)
    assert TOKEN not in texts(at) and "editor_token_input" not in {t.key for t in at.text_input}  # never echoed
    assert TOKEN not in repr([at.session_state[k] for k in ("editor_token_proof",)])  # nor kept
    assert any("Editing with the editor token" in c.value for c in at.caption)

    store = Store(store_url())
    [stored] = [i for i in list(stream(store)) if i.location.startswith("Al-Asad") and i.injured == 7]
    paris = {"event_id": stored.event_id, "event_date": "2024-08-05", "group": "Al-Thawriun", "location": "Paris",
             "latitude": 48.86, "longitude": 2.35, "country_code": "FR", "killed": 999}
    at.file_uploader(key="import_upload").upload("paris.csv", native_csv(paris), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in at.success[0].value.replace("\\", "")
    assert store.get(stored.event_id) == stored  # insert-only: the stored incident is unchanged

    at.checkbox(key="import_update").check().run()
    at.button(key="import_go").click().run()
    assert "0 added, 1 updated" in at.success[0].value.replace("\\", "")
    entry = store.audit(stored.event_id)[0]
    assert (entry.actor, entry.action, entry.change) == ("token:editor", "import (update existing)", "update")
    assert entry.before is not None and entry.before["location"] == stored.location and entry.after["killed"] == 999

    at.text_area(key="article_text").input(STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.button(key="article_find").click().run()
    at.button(key="inc0_save").click().run()
    assert not at.exception and not at.error
    [saved] = [e for e in store.audit() if e.action == "article"]
    assert (saved.actor, saved.change, saved.before) == ("token:editor", "add", None)

    at.button(key="token_sign_out").click().run()
    assert "article_find" not in keys(at)


def test_a_revoked_token_ends_editing_on_the_next_run(app: AppTest) -> None:
    app.secrets["editor_token"] = TOKEN
    at = app.run()
    at.text_input(key="editor_token_input").input(TOKEN).run()
    assert "article_find" in keys(at)
    at.secrets["editor_token"] = "a-new-token-for-the-next-editor"
    at.run()
    assert "article_find" not in keys(at)


def test_a_signed_in_editor_writes_under_their_email(app: AppTest) -> None:
    app.secrets["auth"] = AUTH
    app.secrets["editors"] = ["Editor@Example.org"]
    app.user = {"is_logged_in": True, "email": "editor@example.org", "email_verified": True}
    at = app.run()
    assert not at.exception and "article_find" in keys(at) and "oidc_sign_out" in keys(at)
    assert any(c.value.startswith("Signed in as editor\u2060\\@example\\.org") for c in at.caption)
    at.text_area(key="article_text").input(STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.button(key="article_find").click().run()
    at.button(key="inc0_save").click().run()
    assert not at.exception
    assert [e.actor for e in Store(store_url()).audit() if e.action == "article"] == ["editor@example.org"]


@pytest.mark.parametrize("user", [{"is_logged_in": True, "email": "someone@example.org"},
                                  {"is_logged_in": True, "email": "editor@example.org", "email_verified": False},
                                  {"is_logged_in": False}])
def test_others_who_sign_in_stay_read_only(app: AppTest, user: dict) -> None:
    app.secrets["auth"] = AUTH
    app.secrets["editors"] = ["editor@example.org"]
    app.user = user
    at = app.run()
    assert not at.exception and "article_find" not in keys(at)
    if not user["is_logged_in"]:
        assert "oidc_sign_in_default" in keys(at)


def test_an_unknown_mode_is_read_only_with_a_note(app: AppTest) -> None:
    app.secrets["mode"] = "privat"
    at = app.run()
    assert "article_find" not in keys(at)
    assert any("privat" in w.value and "read\\-only" in w.value for w in at.warning)


def test_a_malicious_link_parameter_shows_as_text(app: AppTest) -> None:
    app.query_params["group"] = ["[Log in again](https://evil.example/x)", "![x](https://evil.example/p.png)",
                                 "<img src=x onerror=alert(1)>"]
    at = app.run()
    assert not at.exception
    [note] = [w.value for w in at.warning if "Ignored unknown groups" in w.value]
    bare = re.sub(r"\\.", "", note)  # what is left once every escaped character is taken out
    assert not set(bare) & set("[]()<>!:/`*_")  # no link, image, tag or autolink can form
    shown = re.sub(r"\\(.)", r"\1", note).replace("\u2060", "")  # word joiners break autolinks, unseen
    assert "'[Log in again](https://evil.example/x)'" in shown and "'<img src=x onerror=alert(1)>'" in shown


def test_template_syntax_in_a_record_does_not_break_the_map(app: AppTest) -> None:
    from tests.test_app import map_rows

    at = app.run()
    notes = "{% if x %} {# c {{ 7*7 }}"
    Store(store_url()).upsert([Incident("JINJA-1", date(2024, 3, 1), "G {{ 1 }}", "Mosul", latitude=36.3,
                                        longitude=43.1, notes=notes)], actor="test", action="test")
    at.run()
    assert not at.exception
    assert [r["notes"] for r in map_rows(at) if r["notes"] == notes] == [notes]


def test_an_imported_id_with_other_digits_does_not_stop_saving(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")
    at = app.run()
    row = {"event_id": "USER-²", "event_date": "2024-08-05", "group": "G", "location": "Mosul", "latitude": 36.3,
           "longitude": 43.1, "killed": 1}
    at.file_uploader(key="import_upload").upload("user.csv", native_csv(row, {**row, "event_id": "USER-٣"}),
                                                 "text/csv").run()
    at.button(key="import_go").click().run()
    assert "2 added" in at.success[0].value
    at.text_area(key="article_text").input(STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.button(key="article_find").click().run()
    at.button(key="inc0_save").click().run()
    assert not at.exception and not at.error
    ids = set(at.dataframe[0].value["event_id"])
    assert {"USER-²", "USER-٣"} <= ids and any(i.startswith("article-") for i in ids)
    assert {e.actor for e in Store(store_url()).audit() if e.actor != "setup"} == {"private"}


def test_an_incomplete_sign_in_setup_is_reported_not_a_crash(app: AppTest) -> None:
    """AppTest's secrets do not reach st.login's own check of the [auth] section, which
    then finds it incomplete: the case of a deploy with half its settings."""
    app.secrets["auth"] = AUTH
    app.secrets["editors"] = ["editor@example.org"]
    app.user = {"is_logged_in": False}
    at = app.run()
    at.button(key="oidc_sign_in_default").click().run()
    assert not at.exception and "article_find" not in keys(at)
    assert any(e.value.startswith("Sign-in is not set up correctly") for e in at.error)


def test_a_session_that_used_its_write_allowance_saves_nothing_more(app: AppTest) -> None:
    """Public deploy: each editor may add or change ``max_session_writes`` records a day, over
    all their sessions; past that, a save is refused whole with a message naming the setting
    and the CLI."""
    app.secrets["editor_token"] = TOKEN
    app.secrets["max_session_writes"] = 1
    at = app.run()
    at.text_input(key="editor_token_input").input(TOKEN).run()
    at.text_area(key="article_text").input(STORY)
    at.date_input(key="article_published").set_value(date(2024, 8, 6))
    at.button(key="article_find").click().run()
    at.button(key="inc0_save").click().run()
    assert not at.exception and not at.error  # the first record is within the allowance
    store = Store(store_url())
    saved = [e for e in store.audit() if e.action == "article"]
    assert len(saved) == 1
    at.text_area(key="article_text").input(STORY.replace("two U.S. soldiers", "three U.S. soldiers"))
    at.button(key="article_find").click().run()
    at.button(key="inc0_save").click().run()
    at.button(key="dup_save_anyway").click().run()  # it repeats the first one: saved as new on purpose
    assert [e.value for e in at.error] and "max\\_session\\_writes" in at.error[0].value
    assert [e for e in store.audit() if e.action == "article"] == saved  # nothing more was written
    # a new session (a reconnect, another tab) of the same editor starts no new allowance
    again = AppTest.from_file("../app.py", default_timeout=90)
    again.secrets["editor_token"] = TOKEN
    again.secrets["max_session_writes"] = 1
    again.run()
    again.text_input(key="editor_token_input").input(TOKEN).run()
    again.text_area(key="article_text").input(STORY.replace("two U.S. soldiers", "four U.S. soldiers"))
    again.date_input(key="article_published").set_value(date(2024, 8, 6))
    again.button(key="article_find").click().run()
    again.button(key="inc0_save").click().run()
    if not again.error:
        again.button(key="dup_save_anyway").click().run()
    assert [e.value for e in again.error] and "max\\_session\\_writes" in again.error[0].value
    assert [e for e in store.audit() if e.action == "article"] == saved


def test_an_import_past_the_write_allowance_saves_nothing(app: AppTest) -> None:
    app.secrets["editor_token"] = TOKEN
    app.secrets["max_session_writes"] = 2
    at = app.run()
    at.text_input(key="editor_token_input").input(TOKEN).run()
    rows = [{"event_id": f"Q-{k}", "event_date": "2024-08-0" + str(k + 1), "group": "Al-Thawriun", "location": "Hit",
             "latitude": 33.64, "longitude": 42.83, "country_code": "IQ"} for k in range(3)]
    at.file_uploader(key="import_upload").upload("three.csv", native_csv(*rows), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception and "max\\_session\\_writes" in at.error[0].value
    assert Store(store_url()).get("Q-0") is None  # all or nothing
    at.file_uploader(key="import_upload").upload("two.csv", native_csv(*rows[:2]), "text/csv").run()
    at.button(key="import_go").click().run()
    assert "2 added" in at.success[0].value.replace("\\", "") and Store(store_url()).get("Q-1") is not None


def test_the_map_and_counts_show_an_import_at_once(app: AppTest) -> None:
    app.secrets["editor_token"] = TOKEN
    at = app.run()
    at.text_input(key="editor_token_input").input(TOKEN).run()
    before = next(m.value for m in at.markdown if " incidents, " in m.value)
    rows = [{"event_id": "NEW-1", "event_date": "2024-08-09", "group": "A New Front", "location": "Hit",
             "latitude": 33.64, "longitude": 42.83, "country_code": "IQ"}]
    at.file_uploader(key="import_upload").upload("one.csv", native_csv(*rows), "text/csv").run()
    at.button(key="import_go").click().run()
    after = next(m.value for m in at.markdown if " incidents, " in m.value)
    assert int(after.split()[0].strip("*").replace(",", "")) == int(before.split()[0].strip("*").replace(",", "")) + 1
    assert any(o.startswith("A New Front") for o in at.multiselect(key="f_groups").options)  # a group to filter on
    assert "1 added" in at.success[0].value.replace("\\", "")  # the report survives the redraw


def test_a_variable_named_mode_does_not_lift_the_write_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only ``INCIDENT_MAP_MODE`` (or the ``mode`` secret) makes a deploy private; an unrelated
    ``MODE`` in the server's environment leaves a public deploy's session allowance in force."""
    from geo.ui import state

    monkeypatch.delenv("INCIDENT_MAP_MODE", raising=False)
    monkeypatch.setenv("MODE", "private")
    assert state.writes_left() is not None
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")
    assert state.writes_left() is None


def test_ignored_settings_are_shown_to_editors_not_to_visitors(app: AppTest) -> None:
    """A token too short to use is a note for the operator: an editor reads it, a visitor does
    not learn the token's name (the server's log has it for everyone)."""
    app.secrets["editor_token"] = TOKEN
    app.secrets["editor_tokens"] = {"alicelaptop": "short"}
    at = app.run()
    assert "alicelaptop" not in texts(at) and not at.warning
    at.text_input(key="editor_token_input").input(TOKEN).run()
    assert any("alicelaptop" in w.value and "shorter than" in w.value for w in at.warning)


def test_a_guessing_session_does_not_lock_the_editors_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrong tokens slow the client that types them; an editor in another session still signs in."""
    def session() -> AppTest:
        at = AppTest.from_file("../app.py", default_timeout=90)
        at.secrets["editor_token"] = TOKEN
        return at

    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.delenv("INCIDENT_MAP_MODE", raising=False)
    load_store.clear()
    guesser = session().run()
    for k in range(12):
        guesser.text_input(key="editor_token_input").input(f"wrong-guess-number-{k:02d}").run()
    assert "Too many wrong tokens" in texts(guesser)
    editor = session().run()
    editor.text_input(key="editor_token_input").input(TOKEN).run()
    assert "Too many wrong tokens" not in texts(editor) and "article_find" in keys(editor)
