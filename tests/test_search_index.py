"""The full-text index built beside the store answers a search as the scan does (every word
somewhere in the searched columns, any substring of three or more characters), and is not
used once the store has moved past the revision it was built from. Every record is made up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from geo.records import Incident
from geo.store.database import Store
from geo.store.queries import id_keys, matching
from geo.store.search import SearchIndex

NOTES = ["Drone strike on a depot near Kharkiv; two killed.", "Shelling of Kherson's port district.",
         "A convoy was ambushed on the \"old\" road.", "Protest outside the ministry, 50% of shops shut.",
         "Rocket fire at Al-Asad air base", "", "Clashes between rival militias in Tripoli.",
         "Artillery exchange; drone seen over the strike zone."]


def _incidents() -> list[Incident]:
    return [Incident(f"T-{k}", date(2024, 1, 1 + k), group, f"Place {k}", latitude=30.0 + k, longitude=40.0,
                     notes=note, admin1="Kharkiv Oblast" if k == 6 else "", target="Civilians" if k % 2 else "")
            for k, (note, group) in enumerate(zip(NOTES, ["Front A", "Front B", "Hezbollah", "Protesters",
                                                          "Al-Thawriun", "Front A", "Militia C", "Front B"],
                                                  strict=True))]


@pytest.fixture
def indexed(store: Store, tmp_path: Path) -> tuple[Store, SearchIndex]:
    store.upsert(_incidents(), actor="test", action="test")
    index = SearchIndex(tmp_path / "search.sqlite3")
    assert index.build(store) == store.revision()
    return store, index


@pytest.mark.parametrize("text", ["kharkiv", "KHARKIV", "drone strike", "strike drone", "hezb", "50%", '"old"',
                                  "al-asad", "civilians front", "nowhere", "ambushed road", "killed."])
def test_the_index_finds_what_the_scan_finds(indexed: tuple[Store, SearchIndex], text: str) -> None:
    store, index = indexed
    found = index.find(text)
    assert found is not None
    np.testing.assert_array_equal(np.unique(id_keys(found)), matching(store, text.lower()))


def test_a_short_word_or_no_file_leaves_the_search_to_the_scan(indexed: tuple[Store, SearchIndex],
                                                                tmp_path: Path) -> None:
    _store, index = indexed
    assert index.find("al asad") is None  # "al": two characters
    assert SearchIndex(tmp_path / "none.sqlite3").find("kharkiv") is None
    assert SearchIndex(tmp_path / "none.sqlite3").revision() is None


def test_the_index_names_the_revision_it_was_built_from(indexed: tuple[Store, SearchIndex]) -> None:
    store, index = indexed
    built = index.revision()
    store.upsert([Incident("T-new", date(2024, 2, 1), "Front C", "Kharkiv")], actor="test", action="test")
    assert built is not None and store.revision() == built + 1  # the caller asks the index no more
    assert index.build(store) == store.revision()
    found = index.find("kharkiv")
    assert found is not None and sorted(found) == ["T-0", "T-6", "T-new"]

