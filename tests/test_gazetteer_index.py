"""The gazetteer index's key filter: which names the recogniser need not ask SQLite about."""

from __future__ import annotations

from geo.gazetteer.format import KeyFilter


def test_the_key_filter_sets_exactly_the_bits_of_its_entries_positions() -> None:
    """The filter is built in numpy but must hold the bits ``KeyFilter.positions`` names (an
    index written by an earlier build is read with the same positions): none missing, none
    more, for names in any script."""
    entries = [f"{level}:{name}" for level in (0, 1, 2) for name in ("mosul", "al mawsil", "حلب", "kyiv", "x" * 300)]
    built = KeyFilter.build(iter(entries * 2))
    wanted = {p for entry in entries for p in KeyFilter.positions(entry)}
    found = {8 * n + b for n, byte in enumerate(built) if byte for b in range(8) if byte >> b & 1}
    assert len(built) == KeyFilter.BITS // 8 and found == wanted
    assert all(entry in KeyFilter(built) for entry in entries) and "0:nowhere at all" not in KeyFilter(built)
