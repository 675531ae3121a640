"""A re-import of a changed file converts only the rows that changed (issue 22): each stored
record keeps the digest of the file row it came from, and a row whose digest matches is
counted unchanged before it is converted. An edit, a merge or a geocoded place voids that, so
the file's values are compared in full as before. Every row here is made up in this file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from geo.formats import registry
from geo.geocoding.offline import GeocodeResult
from geo.ingest import loading
from geo.records import Incident
from geo.store.database import Store
from tests.test_formats_datasets import ACLED, acled_row, csv_text


class _Placing:
    """Places every name at one point, counting the lookups."""

    def __init__(self) -> None:
        self.asked = 0

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        self.asked += 1
        return GeocodeResult(query, 33.0, 44.0, 3, "IQ", "Baghdad", "PPL")


@pytest.fixture
def converted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The event ids of the ACLED rows converted, in order."""
    seen: list[str] = []
    spec = registry.FORMATS["acled"]

    def counting(row: Mapping[str, str], extra: Sequence[str], convert: Callable[..., Incident] = spec.convert
                 ) -> Incident:
        seen.append(row["event_id_cnty"])
        return convert(row, extra)

    monkeypatch.setitem(registry.FORMATS, "acled", dataclasses.replace(spec, convert=counting))
    return seen


def _rows(n: int, **changes: dict[str, object]) -> list[dict[str, str]]:
    return [acled_row(**{"event_id_cnty": f"IRQ{k}", "fatalities": k % 3, "notes": f"Shelling report {k}.",
                         **changes.get(f"IRQ{k}", {})}) for k in range(n)]


def _import(store: Store, path: Path, rows: list[dict[str, str]], locator: object = None, **options: bool
            ) -> loading.ImportReport:
    path.write_text(csv_text(ACLED, rows), encoding="utf-8")
    return loading.import_file(store, path, locator or _Placing(), actor="cli", **options)  # type: ignore[arg-type]


def test_a_changed_file_converts_only_its_changed_rows(store: Store, tmp_path: Path, converted: list[str]) -> None:
    first = _import(store, tmp_path / "a.csv", _rows(50))
    assert (first.added, len(converted)) == (50, 50)
    converted.clear()
    again = _import(store, tmp_path / "b.csv", _rows(50, IRQ7={"fatalities": 12}, IRQ30={"location": "Test Hill"}),
                    update_existing=True)
    assert (again.added, again.updated, again.unchanged) == (0, 2, 48)
    assert converted == ["IRQ7", "IRQ30"]
    assert store.get("IRQ7").killed == 12 and store.get("IRQ30").location == "Test Hill"  # type: ignore[union-attr]
    converted.clear()
    third = _import(store, tmp_path / "c.csv", _rows(50, IRQ7={"fatalities": 12}, IRQ30={"location": "Test Hill"},
                                                     IRQ49={"notes": "A later note."}), update_existing=True)
    assert (third.updated, third.unchanged, converted) == (1, 49, ["IRQ49"])


def test_an_edit_since_the_import_is_overwritten_or_skipped_as_before(store: Store, tmp_path: Path,
                                                                      converted: list[str]) -> None:
    _import(store, tmp_path / "a.csv", _rows(10))
    edited = store.get("IRQ4")
    assert edited is not None
    store.upsert([edited.replace(location="Corrected Place")], actor="editor@example.org", action="edit")
    converted.clear()
    kept = _import(store, tmp_path / "b.csv", _rows(10, IRQ1={"fatalities": 40}))
    assert (kept.updated, kept.unchanged, kept.skipped) == (0, 8, 2)
    assert sorted(converted) == ["IRQ1", "IRQ4"]
    assert store.get("IRQ4").location == "Corrected Place"  # type: ignore[union-attr]
    overwritten = _import(store, tmp_path / "c.csv", _rows(10, IRQ1={"fatalities": 41}), update_existing=True)
    assert (overwritten.updated, overwritten.unchanged) == (2, 8)
    assert store.get("IRQ4").location == "Test Base"  # type: ignore[union-attr]


def test_a_geocoded_row_is_placed_again_and_a_repeated_id_still_reported(store: Store, tmp_path: Path,
                                                                         converted: list[str]) -> None:
    rows = _rows(5, IRQ2={"latitude": "", "longitude": ""})
    locator = _Placing()
    _import(store, tmp_path / "a.csv", rows, locator)
    assert locator.asked == 1
    converted.clear()
    again = _import(store, tmp_path / "b.csv", [*rows, acled_row(event_id_cnty="IRQ0", notes="Shelling report 0.",
                                                                 fatalities=0)], locator)
    assert converted == ["IRQ2"] and locator.asked == 2
    assert again.unchanged == 5 and again.rejected_count == 1
    assert "b.csv, row 7, column event_id: 'IRQ0' repeats row 2" in again.rejected


def test_a_new_register_or_reader_converts_every_row_again(store: Store, tmp_path: Path, converted: list[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _import(store, tmp_path / "a.csv", _rows(6))
    monkeypatch.setattr(loading, "_conversion", lambda: b"another version of the readers")
    converted.clear()
    again = _import(store, tmp_path / "b.csv", _rows(6, IRQ5={"fatalities": 9}), update_existing=True)
    assert (again.updated, again.unchanged) == (1, 5) and len(converted) == 6


def test_the_conversion_fingerprint_follows_the_group_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = loading._conversion()
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_bytes(loading.actors.CROSSWALK_PATH.read_bytes() + b"\n")
    monkeypatch.setattr(loading.actors, "CROSSWALK_PATH", crosswalk)
    loading._conversion.cache_clear()
    try:
        assert loading._conversion() != before
    finally:
        monkeypatch.undo()
        loading._conversion.cache_clear()

