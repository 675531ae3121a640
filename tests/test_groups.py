"""Fronts, wings and members traced to their parents: the bundled links are well formed
and sourced, a parent's filter takes in its whole family, the chain reads as reporting
puts it, and a loop in the links is cut rather than followed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.filters import Filters
from geo.geoparse import actors
from geo.store.groups import Hierarchy, Link, bundled, read_links

IRI = "Islamic Resistance in Iraq"


def test_every_bundled_link_names_register_groups_and_a_source() -> None:
    reg = actors.register()
    links = bundled().links
    assert len(links) >= 30
    for link in links:
        assert link.group in reg.actors and link.parent in reg.actors, link
        assert link.source.startswith("https://"), link


def test_the_iraqi_fronts_and_members_are_filed_under_the_umbrella() -> None:
    family = bundled().family([IRI])
    for name in ("Al-Thawriun", "Ashab al-Kahf", "Kataib Hezbollah", "Harakat Hezbollah al-Nujaba"):
        assert name in family
    assert "Hezbollah" not in family  # Lebanon's Hezbollah is not an Iraqi faction
    assert bundled().chain_text("Al-Thawriun") == f"front of {IRI}"


def test_a_chain_reads_up_to_the_top() -> None:
    assert bundled().chain_text("Jenin Brigade") == ("unit of Al Quds Brigades → armed wing of Palestinian Islamic "
                                                     "Jihad")
    assert "Jenin Brigade" in bundled().family(["Palestinian Islamic Jihad"])


def _h(*links: tuple[str, str, str]) -> Hierarchy:
    return Hierarchy(Link(g, r, p, "https://example.org/") for g, r, p in links)


def test_relations_between_two_groups() -> None:
    h = _h(("Front A", "front", "Militia"), ("Militia", "member", "Umbrella"), ("Militia B", "member", "Umbrella"))
    assert h.relation("Front A", "umbrella") == "lineage"  # names compare without case
    assert h.relation("Front A", "Militia B") == "kin"
    assert h.relation("Front A", "") == "unknown"
    assert h.relation("Front A", "Someone Else") == "apart"
    assert h.deeper("Front A", "Umbrella") and not h.deeper("Umbrella", "Front A")


def test_a_loop_in_the_links_is_cut() -> None:
    h = _h(("A", "front", "B"), ("B", "front", "A"))
    assert [link.parent for link in h.chain("A")] == ["B"]
    assert h.family(["A"]) == ("A", "B")


def test_a_parents_filter_widens_to_its_family_and_is_listed_with_its_count() -> None:
    h = _h(("Front A", "front", "Militia"), ("Militia", "member", "Umbrella"))
    chosen = h.widened(Filters(date(2024, 1, 1), date(2024, 12, 31), ("Umbrella",)))
    assert chosen.groups == ("Umbrella",)  # the link still says what was chosen
    assert chosen.matched_groups == ("Front A", "Militia", "Umbrella")
    alone = Filters(date(2024, 1, 1), date(2024, 12, 31), ("Other",))
    assert h.widened(alone) is alone
    assert h.with_parents({"Front A": 3, "Militia": 2, "Other": 1}) == {"Front A": 3, "Militia": 5, "Umbrella": 5,
                                                                          "Other": 1}


@pytest.mark.parametrize(("row", "problem"), [
    ("X,sponsor,Y,https://e.org", "column relation"),
    ("X,front,,https://e.org", "column parent: empty"),
    ("X,front,Y,e.org/page", "column source: not an https"),
])
def test_a_bad_link_row_is_named(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "links.csv"
    path.write_text("group,relation,parent,source\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"links.csv: row 2, {problem}"):
        read_links(path)
