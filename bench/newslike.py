"""Ordinary news-like text of any length, for scaling measurements and tests.

Why generated: a speed figure needs texts of 10k to 1M characters that read like the
reports the app parses (places, dates, groups, tolls, quotes, paragraphs), and evaluation
text must never be copied. Every sentence here is a template of our own with words drawn
by a seeded generator, so the same ``seed`` and length always give the same text.
"""

from __future__ import annotations

import random

__all__ = ["article"]

_PLACES = ["Mosul", "Kirkuk", "Erbil", "Baghdad", "Basra", "Fallujah", "Ramadi", "Tikrit", "Aleppo", "Idlib",
           "Deir ez-Zor", "Raqqa", "Homs", "Hama", "Daraa", "Beirut", "Tyre", "Sidon", "Nabatieh", "Baalbek",
           "Sanaa", "Aden", "Hodeidah", "Marib", "Taiz", "Gaza City", "Khan Younis", "Rafah", "Jenin", "Nablus",
           "Kharkiv", "Izium", "Bakhmut", "Kherson", "Odesa", "Zaporizhzhia", "Al-Asad Air Base", "al-Tanf"]
_REGIONS = ["western Iraq", "northern Syria", "southern Lebanon", "eastern Ukraine", "central Yemen", "Anbar province",
            "Nineveh governorate", "the Bekaa Valley", "the Red Sea", "the Gulf of Aden"]
_GROUPS = ["Houthis", "Hezbollah", "Islamic State", "Hamas", "Kataib Hezbollah", "the Syrian Democratic Forces",
           "al-Shabaab", "Islamic Resistance in Iraq", "a little-known group"]
_NUMBERS = ["two", "three", "four", "five", "seven", "nine", "11", "14", "at least six", "more than 20"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Aug. 5", "March 12",
         "late January", "last week"]
_PEOPLE = ["a local official", "a police spokesman", "residents", "a medical source", "the governor",
           "a military statement", "witnesses", "an aid worker"]
_WEAPONS = ["drone", "rocket", "mortar", "roadside bomb", "car bomb", "artillery", "missile"]

_SENTENCES = [
    "A {weapon} attack on a checkpoint near {place} killed {n} people on {day}, {person} said.",
    "{group} claimed responsibility for the strike in {place}, which wounded {n} civilians.",
    "Fighting between rival factions spread to the outskirts of {place} in {region} on {day}.",
    "{person} told reporters that {n} soldiers were injured when a {weapon} hit their convoy.",
    "The attack was blamed on {group}, who have been active around {place} for several months.",
    "Shops in {place} stayed closed, and {person} said electricity had been cut since {day}.",
    "\u201cWe heard three explosions and then the sirens,\u201d said a resident of {place}.",
    "In a separate incident, gunmen ambushed a patrol on the road between {place} and {place2}.",
    "Aid convoys to {region} were suspended after {n} trucks were turned back at {place}.",
    "Officials in {place} ({region}) said the {weapon} was launched from across the border.",
    "The ministry's figures, which could not be verified independently, put the toll at {n}.",
    "Talks on a ceasefire, mediated by Qatar and Egypt, resumed in Cairo on {day}.",
]


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    text = template.format(place=rng.choice(_PLACES), place2=rng.choice(_PLACES), region=rng.choice(_REGIONS),
                           group=rng.choice(_GROUPS), n=rng.choice(_NUMBERS), day=rng.choice(_DAYS),
                           person=rng.choice(_PEOPLE), weapon=rng.choice(_WEAPONS))
    return text[0].upper() + text[1:]


def article(chars: int, seed: int = 0) -> str:
    """About ``chars`` characters (cut at a sentence end, never longer) of news-like text:
    a headline, a dateline, then paragraphs of two to five sentences."""
    rng = random.Random(seed)
    parts = [f"{rng.choice(_WEAPONS).capitalize()} attack near {rng.choice(_PLACES)} kills {rng.choice(_NUMBERS)}\n",
             f"{rng.choice(_PLACES).upper()} (Newswire) - "]
    size = sum(map(len, parts))
    while True:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) + "\n\n"
        if size + len(paragraph) > chars:
            break
        parts.append(paragraph)
        size += len(paragraph)
    return "".join(parts).rstrip() + "\n"
