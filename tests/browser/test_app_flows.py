"""What a user does in the real browser: filter by group, open a shared link, add an article.

Each test counts the markers in the map's incident layer (clustered or not) inside the
streamlit-folium iframe, the same layer the user sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_harness import EDITOR_TOKEN, LAYER_MARKERS, ST_FOLIUM_IFRAME, StreamlitApp, sign_in, wait_for_app_map

pytestmark = pytest.mark.browser

def headline(page) -> tuple[int, int]:
    page.wait_for_selector("text=/\\d+ incidents?, \\d+ groups?/")
    m = re.search(r"(\d+) incidents?, (\d+) groups?", page.inner_text("body"))
    assert m is not None
    return int(m.group(1)), int(m.group(2))


def wait_markers(page, expected: int) -> None:
    frame = wait_for_app_map(page)
    frame.wait_for_function(f"() => ({LAYER_MARKERS})() === {expected}", timeout=30_000)


def test_choosing_a_group_changes_the_markers_and_the_link(streamlit_app, page) -> None:
    page.goto(streamlit_app)
    total, _ = headline(page)
    wait_markers(page, total)
    group_box = page.get_by_test_id("stSidebar").get_by_role("combobox").nth(0)
    group_box.click()
    group_box.fill("Al-Thawriun")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=/4 incidents, 1 group/")
    wait_markers(page, 4)
    assert "group=Al-Thawriun" in page.url
    legend = wait_for_app_map(page).locator(".imap-legend")
    rows = legend.locator(".imap-legend-row")
    assert legend.count() == 1 and rows.all_inner_texts() == ["Al-Thawriun"]  # the legend follows the filter


def test_a_shared_link_restores_the_filters(streamlit_app, page) -> None:
    page.goto(f"{streamlit_app}/?group=Al-Thawriun&to=2024-08-05")
    assert headline(page) == (3, 1)
    wait_markers(page, 3)
    chip = page.get_by_test_id("stSidebar").get_by_text("Al-Thawriun (3)")  # counted within the dates
    chip.wait_for(timeout=15_000)  # the sidebar may draw the chosen group just after the headline
    assert chip.count() == 1


def test_a_stale_link_shows_a_note_and_the_default_view(streamlit_app, page) -> None:
    page.goto(f"{streamlit_app}/?group=Gone%20Group")
    page.wait_for_selector("text=/Ignored unknown group in the link/")
    total, _ = headline(page)
    wait_markers(page, total)


def test_pasting_an_article_and_saving_puts_a_new_marker_on_the_map(page, tmp_path: Path) -> None:
    story = ("A drone attack on Al-Asad Air Base in western Iraq on Monday injured two U.S. soldiers, "
             "officials said. The Islamic Resistance in Iraq claimed the attack, which followed strikes "
             "in Baghdad and threats from Tehran.")
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        before = paste_article(page, app.url, story)
        set_published(page, "2024-08-06")
        page.get_by_role("button", name="Find places and the event").click()
        page.wait_for_selector("mark")
        assert page.locator("mark", has_text="Al-Asad Air Base").count() >= 1
        page.get_by_role("button", name="Save incident 1").click()
        page.wait_for_selector("text=/Incident 1 .* saved as article-/")
        markers_on_the_map(page, before + 1)


def paste_article(page, url: str, story: str, token: str | None = None) -> int:
    """Open the app, wait for its markers, sign in with ``token`` if given, paste ``story`` in the
    article tab; the marker count."""
    page.goto(url)
    before, _ = headline(page)
    wait_markers(page, before)
    if token is not None:
        sign_in(page, token)
    page.get_by_role("tab", name="Add from an article").click()
    page.get_by_label("…or paste its text").fill(story)
    return before


def test_an_anonymous_visitor_sees_why_adding_needs_an_editor(streamlit_app, page) -> None:
    page.goto(streamlit_app)
    headline(page)
    page.get_by_role("tab", name="Add from an article").click()
    page.wait_for_selector("text=/Adding incidents needs an editor/")
    assert page.get_by_label("…or paste its text").count() == 0
    page.get_by_role("tab", name="Import records").click()
    page.wait_for_selector("text=/Importing records needs an editor/")
    assert page.get_by_role("button", name="Import").count() == 0


def test_a_link_parameter_is_shown_as_text_not_as_a_link_or_image(streamlit_app, page) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{streamlit_app}/?group=[Log in again](https://evil.example/x)&group=![p](https://evil.example/p.png)"
              "&group=<img src=https://evil.example/i.png>")
    note = page.get_by_test_id("stAlert").filter(has_text="Ignored unknown groups")
    note.wait_for(timeout=30_000)
    assert "[Log in again](https://evil.example/x)" in note.inner_text().replace("\u2060", "")  # joiners: unseen
    assert note.locator("a").count() == 0 and note.locator("img").count() == 0
    headline(page)
    assert not [u for u in requested if urlparse(u).hostname == "evil.example"]  # no image was fetched


def markers_on_the_map(page, expected: int) -> None:
    page.get_by_role("tab", name="Map").click()
    assert headline(page)[0] == expected
    wait_markers(page, expected)


def set_published(page, day: str) -> None:
    """Type the article's publication date (YYYY-MM-DD; the field starts empty) and leave the field."""
    page.get_by_role("spinbutton", name="year, Published").click()
    page.keyboard.type(day.replace("-", ""))  # year, month, day: each part moves on to the next
    page.keyboard.press("Escape")  # closing the calendar commits the date
    page.wait_for_selector("text=/Unknown: dates like/", state="detached")


def test_two_incidents_of_one_article_are_saved_with_a_typed_group(page, tmp_path: Path) -> None:
    story = ("Israeli air strikes on two villages in southern Lebanon killed five people on Thursday, Lebanese "
             "health officials said. A strike on a house in Nabatieh killed three people, among them a child. "
             "In a separate strike, two people were killed in Bint Jbeil.")
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env={"EDITOR_TOKEN": EDITOR_TOKEN}) as app:
        before = paste_article(page, app.url, story, token=EDITOR_TOKEN)
        page.get_by_role("button", name="Find places and the event").click()
        page.wait_for_selector("text=Incident 2 of 2 — Bint Jbeil, killed 2")
        page.get_by_text("Event date missing").nth(1).wait_for(timeout=15_000)  # both boxes drawn
        assert page.get_by_text("Event date missing").count() == 2  # no publication date yet
        page.get_by_role("button", name="Save all 2 incidents").click()
        page.wait_for_selector("text=/Incident 1 has no event date/")
        set_published(page, "2024-10-18")
        page.wait_for_selector("text=/event dates were read again/")
        assert page.get_by_text("Event date missing").count() == 0
        group = page.locator(".st-key-inc1_group").get_by_role("combobox")  # the second incident's group
        group.click()
        group.fill("Cedar Test Brigade")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=New group, not in the register.")
        page.get_by_role("button", name="Save all 2 incidents").click()
        page.wait_for_selector("text=/Incident 2 .* saved as article-/")
        markers_on_the_map(page, before + 2)


def test_a_gtd_workbook_uploaded_in_the_import_tab_is_on_the_map(page, tmp_path: Path) -> None:
    """START distributes GTD as an xlsx workbook: it is uploaded as it is, found from its header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["eventid", "iyear", "imonth", "iday", "country_txt", "provstate", "city", "latitude", "longitude",
                  "specificity", "gname", "claimed", "nkill", "nwound", "summary"])
    sheet.append([202101010001, 2021, 1, 3, "Iraq", "Al Anbar", "Test Town", 33.64, 42.83, 1, "A Test Front", 1, 2.0, 0,
                  "Gunmen attacked a test checkpoint."])
    sheet.append([202101010002, 2021, 1, 0, "Iraq", "Al Anbar", "Other Town", 34.47, 41.91, 1, "A Test Front", 0,
                  None, 3, "A bomb went off near a test market."])
    upload = tmp_path / "gtd.xlsx"
    book.save(upload)
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        page.goto(app.url)
        before, groups = headline(page)
        page.get_by_role("tab", name="Import records").click()
        page.get_by_role("heading", name="Import incident records").wait_for(state="visible")
        page.locator('input[type="file"][accept*=".xlsx"]').set_input_files(str(upload))
        page.get_by_text("gtd.xlsx", exact=True).wait_for(state="visible")
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_selector("text=/gtd.xlsx: 2 added/")
        markers_on_the_map(page, before + 2)
        assert headline(page) == (before + 2, groups + 1)


def test_editing_the_place_shows_its_candidates_on_the_small_map(streamlit_app, page) -> None:
    story = "A roadside bomb exploded near a patrol in Hit on Tuesday, killing two soldiers, officials said."
    page.goto(streamlit_app)
    headline(page)
    sign_in(page)
    page.get_by_role("tab", name="Add from an article").click()
    page.get_by_label("…or paste its text").fill(story)
    page.get_by_role("button", name="Find places and the event").click()
    page.wait_for_selector("mark")
    country = page.get_by_label("Country (code or name)")
    country.fill("US")
    country.press("Enter")
    place = page.get_by_label("Place", exact=True)
    place.fill("Springfield")
    place.press("Enter")
    page.wait_for_selector("text=/Places called Springfield/")
    # the second map on the page (after the main map): the candidates
    frame = page.locator(ST_FOLIUM_IFRAME).nth(1).element_handle().content_frame()
    frame.wait_for_selector(".imap-legend >> text=chosen place")
    # one marker per row of the table, none hidden in a cluster, the chosen one (row 1) in red
    frame.wait_for_function("() => document.querySelectorAll('.imap-dot').length === 10", timeout=30_000)
    assert frame.locator(".marker-cluster").count() == 0
    red = frame.locator(".imap-dot span[style*='#e41a1c'], .imap-dot span[style*='228, 26, 28']")
    assert red.count() == 1 and red.locator("xpath=..").get_attribute("title") == "1. Springfield"
    assert page.get_by_text("Point to save: Springfield").count() == 1


def test_an_import_shows_on_the_map_without_a_reload(page, tmp_path: Path) -> None:
    rows = ("event_id,event_date,group,location,latitude,longitude,country_code\n"
            "IMP-1,2024-08-09,A New Front,Hit,33.64,42.83,IQ\n"
            "IMP-2,2024-08-10,A New Front,Rawa,34.47,41.91,IQ\n")
    upload = tmp_path / "two.csv"
    upload.write_text(rows, encoding="utf-8")
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        page.goto(app.url)
        before, groups = headline(page)
        wait_markers(page, before)
        loads = []
        page.on("load", lambda: loads.append(1))
        page.get_by_role("tab", name="Import records").click()
        page.get_by_role("heading", name="Import incident records").wait_for(state="visible")  # the tab is open
        page.locator('input[type="file"][accept*=".csv"]').set_input_files(str(upload))
        page.get_by_text("two.csv", exact=True).wait_for(state="visible")  # the uploader lists it: the server has it
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_selector("text=/two.csv: 2 added/")
        markers_on_the_map(page, before + 2)
        assert headline(page) == (before + 2, groups + 1) and loads == []  # the same page, redrawn
