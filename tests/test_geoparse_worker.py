"""A parse request is bounded: the text is capped (``max_parse_chars``) with a message naming
the limit in the CLI and the app, and the app parses in a worker process that is killed
and replaced when a parse runs past ``parse_timeout_s``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from bench.newslike import article
from geo import geoparse, settings
from geo.gazetteer import Gazetteer
from geo.geoparse import worker as parse_worker
from geo.geoparse.worker import ParserBusy, ParserFailed, ParseTimedOut, ParseWorker, TextTooLong, check_length
from geo.ui.state import load_store

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = date(2024, 8, 6)
STORY = article(3_000, seed=7)


def sleepy_parse(text: str, published: date | None, gazetteer: Gazetteer) -> Any:
    """The real parser, except that the text "sleep" never finishes (runs in the worker)."""
    if text == "sleep":
        time.sleep(120)
    if text == "raise":
        raise RuntimeError("a bug in a rule")
    return geoparse.parse(text, published, gazetteer)


@pytest.fixture(scope="module")
def worker() -> Any:
    started = ParseWorker(sleepy_parse)
    yield started
    started.stop()


def test_worker_parse_equals_the_parse_in_this_process(worker: ParseWorker, gazetteer: Gazetteer) -> None:
    assert worker.parse(STORY, PUBLISHED, timeout=60) == geoparse.parse(STORY, PUBLISHED, gazetteer)


def test_a_parse_past_the_limit_is_stopped_and_the_next_one_works(worker: ParseWorker, gazetteer: Gazetteer) -> None:
    worker.parse(STORY, PUBLISHED, timeout=60)  # started and warm
    began = time.monotonic()
    with pytest.raises(ParseTimedOut) as stopped:
        worker.parse("sleep", PUBLISHED, timeout=1.5)
    assert time.monotonic() - began < 10
    assert "longer than 1.5 s" in str(stopped.value) and "parse_timeout_s" in str(stopped.value)
    assert worker.parse(STORY, PUBLISHED, timeout=60) == geoparse.parse(STORY, PUBLISHED, gazetteer)


def test_a_failing_parse_is_reported_and_the_worker_goes_on(worker: ParseWorker) -> None:
    with pytest.raises(ParserFailed, match="RuntimeError"):
        worker.parse("raise", None, timeout=60)
    assert worker.parse(STORY, PUBLISHED, timeout=60).incidents


def test_a_second_request_waits_its_turn_then_is_told_the_parser_is_busy(worker: ParseWorker) -> None:
    worker.parse(STORY, PUBLISHED, timeout=60)
    outcome: list[str] = []

    def slow() -> None:
        try:
            worker.parse("sleep", None, 4.0)
        except ParseTimedOut:
            outcome.append("timed out")

    first = threading.Thread(target=slow)
    first.start()
    deadline = time.monotonic() + 10
    while not worker._lock.locked() and time.monotonic() < deadline:  # the first request holds the worker
        time.sleep(0.01)
    with pytest.raises(ParserBusy):
        worker.parse(STORY, PUBLISHED, timeout=1.0)
    first.join()
    assert outcome == ["timed out"]
    assert worker.parse(STORY, PUBLISHED, timeout=60).incidents


def test_a_tiny_time_limit_stops_the_real_parser_too() -> None:
    real = ParseWorker()
    try:
        real.parse(STORY, PUBLISHED, timeout=60)
        with pytest.raises(ParseTimedOut):
            real.parse(article(150_000, seed=3), PUBLISHED, timeout=0.05)
        assert real.parse(STORY, PUBLISHED, timeout=60).incidents
    finally:
        real.stop()


def test_text_over_the_cap_is_refused_with_the_limit_named(monkeypatch: pytest.MonkeyPatch) -> None:
    check_length("x" * 200_000)
    with pytest.raises(TextTooLong, match="200,001 characters; at most 200,000"):
        check_length("x" * 200_001)
    monkeypatch.setenv("INCIDENT_MAP_MAX_PARSE_CHARS", "50")
    with pytest.raises(TextTooLong, match="at most 50 .*max_parse_chars"):
        parse_worker.parse("y" * 51, None)


def test_limits_come_from_the_environment_then_secrets_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INCIDENT_MAP_MAX_PARSE_CHARS", "INCIDENT_MAP_PARSE_TIMEOUT_S", "INCIDENT_MAP_MAX_CSV_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    assert settings.max_parse_chars() == settings.MAX_PARSE_CHARS == 200_000
    assert settings.max_parse_chars("5000") == 5000
    assert settings.parse_timeout_s(7) == 7.0 and settings.parse_timeout_s() == settings.PARSE_TIMEOUT_S
    assert settings.max_csv_columns("oops") == settings.MAX_CSV_COLUMNS  # a bad value never breaks the app
    assert settings.max_csv_columns("-3") == settings.max_csv_columns("inf") == settings.MAX_CSV_COLUMNS
    monkeypatch.setenv("INCIDENT_MAP_MAX_PARSE_CHARS", "1234")
    assert settings.max_parse_chars("5000") == 1234


def test_cli_names_the_limit(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "long.txt"
    path.write_text(STORY, encoding="utf-8")
    env = {**os.environ, "INCIDENT_MAP_MAX_PARSE_CHARS": "1000"}
    done = subprocess.run([sys.executable, "-m", "geo", "parse", str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert f"parse: {path}: The text has {len(STORY):,} characters; at most 1,000" in done.stderr
    lines = f'{{"id": "a", "text": "short"}}\n{{"id": "b", "text": "{"z" * 1001}"}}\n'
    done = subprocess.run([sys.executable, "-m", "geo", "parse", "--jsonl"], cwd=ROOT, env=env, input=lines,
                          capture_output=True, text=True, timeout=120)
    first, second = done.stdout.splitlines()
    assert '"mentions"' in first and "at most 1,000" in second and '"id": "b"' in second


def test_app_names_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")  # editors only where roles apply: this visitor may edit
    monkeypatch.setenv("INCIDENT_MAP_MAX_PARSE_CHARS", "1000")
    load_store.clear()
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.text_area(key="article_text").input(STORY)
    at.button(key="article_find").click().run()
    assert not at.exception
    assert any(f"{len(STORY):,} characters; at most 1,000" in e.value for e in at.error)
    assert "parsed" not in at.session_state
