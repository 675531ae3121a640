"""The "Ingest articles" tab in the real browser: an editor uploads a zip of articles,
watches it filed, sees the summary and the map's headline grow by the new incidents (the
two reports of one attack count once), and decides the new group name in the queue."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from browser_harness import StreamlitApp
from test_app_flows import headline

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parents[1] / "data" / "ingest"


def _zip(to: Path) -> Path:
    with zipfile.ZipFile(to, "w") as archive:
        for path in sorted(FOLDER.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(FOLDER).as_posix())
    return to


def test_an_editor_uploads_a_zip_and_decides_the_new_name(page, tmp_path: Path) -> None:
    with StreamlitApp(tmp_path / "incidents.sqlite3", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        page.goto(app.url)
        before, _ = headline(page)
        page.get_by_role("tab", name="Ingest articles").click()
        page.locator(".st-key-ingest_upload input[type=file]").set_input_files(str(_zip(tmp_path / "batch.zip")))
        page.get_by_role("button", name="Ingest", exact=True).click()
        page.wait_for_selector("text=/4 articles read/", timeout=60_000)
        assert page.get_by_text("1 merged into incidents already stored", exact=False).count() >= 1
        page.get_by_text("New group name: Saraya Ghadab al-Furat").first.wait_for()
        page.get_by_role("button", name="Keep as a group of its own").click()
        page.wait_for_selector("text=/To review: 0 merges, 0 new group names/")
        page.get_by_role("tab", name="Map").click()
        assert headline(page)[0] == before + 3  # four articles, three events
