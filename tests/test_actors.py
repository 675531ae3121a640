"""The group register and reading who claimed or is blamed for an event."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.geoparse import actors


def reading(text: str) -> actors.GroupReading:
    return actors.group_of(text, [(0, len(text))])


def test_register_is_well_formed() -> None:
    reg = actors.register()
    assert len(reg.actors) >= 100
    owner: dict[str, str] = {}
    for actor in reg.actors.values():
        assert actor.source.startswith("https://"), actor.canonical
        assert all(len(c) == 2 and c.isupper() for c in actor.countries), actor.canonical
        for alias in (actor.canonical, *actor.aliases):
            key = alias.lower()
            assert owner.setdefault(key, actor.canonical) == actor.canonical, f"{alias} is under two actors"


@pytest.mark.parametrize(("alias", "canonical"), [
    ("Houthis", "Ansar Allah"), ("Ansarallah", "Ansar Allah"), ("Daesh", "Islamic State"),
    ("ISIL", "Islamic State"), ("IDF", "Military Forces of Israel"), ("Kata'ib Hezbollah", "Kataib Hezbollah"),
    ("al-Shabaab", "Al Shabaab"), ("Hizbollah", "Hezbollah"),
])
def test_aliases_and_transliterations_name_one_actor(alias: str, canonical: str) -> None:
    actor = actors.register().lookup(alias)
    assert actor is not None and actor.canonical == canonical


@pytest.mark.parametrize(("text", "name", "role", "known"), [
    ("A new group, Al-Fajr Brigade of Anbar, claimed it on Telegram.", "Al-Fajr Brigade of Anbar", "claimed", False),
    ("A group calling itself Saraya Tha'r al-Muhandis said it was behind the attack.", "Saraya Tha'r al-Muhandis",
     "claimed", False),
    ("The Houthis claimed responsibility for the strike.", "Ansar Allah", "claimed", True),
    ("Responsibility was claimed by Daesh.", "Islamic State", "claimed", True),
    ("Security sources suspected Al-Shabaab in the bombing.", "Al Shabaab", "attributed", True),
    ("The attack was blamed on Kata'ib Hezbollah.", "Kataib Hezbollah", "attributed", True),
    ("Houthi forces fired two missiles at the ship.", "Ansar Allah", "attributed", True),
    ("Israeli strikes on the town killed four.", "Military Forces of Israel", "attributed", True),
])
def test_group_and_role_are_read_from_the_text(text: str, name: str, role: str, known: bool) -> None:
    got = reading(text)
    assert (got.name, got.role, got.known) == (name, role, known)


@pytest.mark.parametrize("text", [
    "Iran-backed militants claimed the attack.",
    "Gunmen claimed responsibility in a video.",
    "No group has claimed responsibility for the blast.",
    "The strikes hit Hezbollah positions on the ridge.",
])
def test_descriptors_and_targets_are_not_groups(text: str) -> None:
    assert reading(text) == actors.GroupReading("", "unknown", False)


def test_a_bad_register_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("canonical,aliases,kind,countries,source\nX,,army,IQ,https://e.org\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"groups.csv: row 2, column kind"):
        actors.read_register(path)


@pytest.mark.parametrize(("text", "expected"), [
    ("The ambush was blamed on Palestinian gunmen, police said.", ""),  # a nationality, not a group
    ("The spill was blamed on Canada's mining firm.", ""),  # whose, not which group
    ("The ambush was carried out by Red Dawn. Villagers later said two were hurt.", "Red Dawn"),
])
def test_a_name_is_a_name_not_a_nationality_nor_the_next_sentence(text: str, expected: str) -> None:
    assert actors.group_of(text, [(0, len(text))]).name == expected
