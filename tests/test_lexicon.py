"""The geoparser's word lists: data files a new language can add without touching code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.geoparse import lexicon


def test_every_english_list_loads_without_duplicates() -> None:
    files = sorted((lexicon.LEXICON_DIR / "en").glob("*.txt"))
    assert len(files) >= 20
    for path in files:
        entries = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
        entries = [e for e in entries if e]
        assert entries, path.name
        keys = [e.partition("=")[0].strip() for e in entries] if "=" in entries[0] else entries
        assert len(keys) == len(set(keys)), f"{path.name} repeats an entry"


def test_entries_are_text_not_regular_expressions() -> None:
    pattern = re.compile(r"\b" + lexicon.alternation("water_words") + r"\b", re.IGNORECASE)
    assert pattern.search("a ship in the Red Sea") and not pattern.search("the seaside")


def test_a_new_language_is_a_new_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "numbers.txt").write_text("# test language\nuno = 1\ndos = 2\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "LEXICON_DIR", tmp_path)
    lexicon._entries.cache_clear()
    try:
        assert lexicon.mapping("numbers", "xx") == {"uno": "1", "dos": "2"}
    finally:
        lexicon._entries.cache_clear()
