"""What an analyst sees after a batch ingest, in the real browser: a link filtered on the
Islamic Resistance in Iraq shows the attack that the front Al-Thawriun claimed, and its
popup shows the chain, both reports and each one's figures, and how sure the reader was of
the pin: listed for checking, it is drawn faded until someone checks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_harness import ST_FOLIUM_IFRAME, StreamlitApp, wait_for_app_map
from test_app_flows import headline
from test_hostile_popups import MARKERS, POPUP, SHOW_MARKER

from geo.ingest.inputs import read_inputs
from geo.ingest.run import ingest
from geo.store.database import Store

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parents[1] / "data" / "ingest"


def test_a_parents_link_shows_the_fronts_attack_with_its_chain_and_sources(page, tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite3"
    ingest(read_inputs([str(FOLDER)]), Store(str(db)), actor="cli", review_below=1.0)  # every new pin to check
    with StreamlitApp(db, log_path=tmp_path / "streamlit.log", extra_env={"INCIDENT_MAP_MODE": "private"}) as app:
        page.goto(f"{app.url}/?group=Islamic%20Resistance%20in%20Iraq")
        assert headline(page) == (1, 1)
        chip = page.get_by_test_id("stSidebar").get_by_text("Islamic Resistance in Iraq (1)")
        chip.wait_for(timeout=15_000)
        frame = wait_for_app_map(page)
        page.eval_on_selector(ST_FOLIUM_IFRAME, "e => e.scrollIntoView({block: 'center'})")
        frame.wait_for_function(f"() => ({MARKERS})() === 1", timeout=30_000)
        assert frame.evaluate(SHOW_MARKER, 0)
        frame.evaluate_handle("() => window.__markers[0]._icon").as_element().click(timeout=10_000)
        frame.wait_for_function(f"() => ({POPUP})(0) !== null", timeout=10_000)
        text = frame.evaluate(POPUP, 0)["text"]
        assert "Al-Thawriun (claimed)" in text
        assert "front of Islamic Resistance in Iraq (attributed by public reporting)" in text
        assert "Also reported by" in text
        assert "Militia Monitor: 4 injured" in text and "Desert Wire:" in text
        assert re.search(r"read from the text with [01]\.\d\d confidence \(not checked yet\)", text), text
        assert frame.evaluate("() => window.__markers[0]._icon.classList.contains('imap-unsure')")
        assert re.search(r"First reported:?\s*2024-03-1\d \(\d+ days? after the event\)", text), text
