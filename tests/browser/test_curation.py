"""Curation in the real browser: edit an incident, see the change in its history, undo it;
save an article about an attack already stored, see the duplicate warning, merge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_harness import StreamlitApp
from test_app_flows import headline, paste_article, set_published, wait_markers

pytestmark = pytest.mark.browser

PRIVATE = {"INCIDENT_MAP_MODE": "private"}
STORY = ("Two rockets hit Al-Asad Air Base in western Iraq on Monday, injuring five U.S. service members and two "
         "contractors. Al-Thawriun claimed the attack.")


def open_in_editor(page, event_id: str) -> None:
    page.get_by_role("tab", name="Edit incidents").click()
    search = page.get_by_label("Find an incident (id, place or group)")
    search.fill(event_id)
    search.press("Enter")
    page.wait_for_selector(f"text=/History of {re.escape(event_id)}/")


def editor(page):
    return page.locator(".st-key-curate_editor")


def injured(page) -> str:
    return editor(page).get_by_label("Injured (empty = not reported)").input_value()


def test_an_edit_is_in_the_history_and_undo_puts_the_old_value_back(page, tmp_path: Path) -> None:
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env=PRIVATE) as app:
        page.goto(app.url)
        before, _ = headline(page)
        wait_markers(page, before)
        open_in_editor(page, "IMAP-0057")
        assert injured(page) == "7"
        field = editor(page).get_by_label("Injured (empty = not reported)")
        field.fill("9")
        field.press("Enter")
        editor(page).get_by_role("button", name="Save changes").click()
        page.wait_for_selector("text=/Saved IMAP-0057: on the map/")
        line = page.get_by_text(re.compile(r"#\d+ · .* · edit · update IMAP-0057 · injured: 7 → 9")).first
        line.wait_for()  # first: the incident's history (the same line is under "Recent changes", folded)
        assert injured(page) == "9"  # the form is drawn again from the store
        entry = re.search(r"#(\d+)", line.inner_text()).group(1)  # type: ignore[union-attr]
        page.locator(f".st-key-hist_undo_{entry}").get_by_role("button", name="Undo").click()
        page.wait_for_selector(f"text=/Undid #{entry}: IMAP-0057 is as it was before it/")
        page.get_by_text(re.compile(f"undo of #{entry}")).first.wait_for()
        assert injured(page) == "7"
        page.get_by_role("tab", name="Map").click()
        assert headline(page)[0] == before  # nothing lost, nothing added


def test_saving_a_stored_attack_again_warns_and_merge_keeps_one_incident_with_two_sources(page,
                                                                                         tmp_path: Path) -> None:
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env=PRIVATE) as app:
        before = paste_article(page, app.url, STORY)
        set_published(page, "2024-08-06")
        page.get_by_label("Source (outlet, date)").fill("Test wire, 2024-08-06")
        page.get_by_label("Link (http or https)").fill("https://example.org/second-report")
        page.get_by_role("button", name="Find places and the event").click()
        page.wait_for_selector("mark")
        page.get_by_role("button", name="Save incident 1").click()
        page.wait_for_selector("text=/Likely already stored/")
        assert page.get_by_text(re.compile("Incident 1 may be IMAP-0057")).count() == 1
        page.get_by_role("button", name="Merge into IMAP-0057").click()
        page.wait_for_selector("text=/Incident 1 merged into IMAP-0057: one incident, 2 sources/")
        page.get_by_role("tab", name="Map").click()
        assert headline(page)[0] == before  # one incident, not two
        open_in_editor(page, "IMAP-0057")
        page.wait_for_selector("text=2 sources:")
        page.get_by_text(re.compile("merge article-.* into IMAP-0057")).first.wait_for()
