"""Parse time grows linearly with the text (issue 9: a 2 MB article once took ~500 s).

Ratios, not absolute times: the speed figures live in ``bench/parse_scaling.py``; these
tests only catch a return of super-linear work. CPU time of this process, best of two
runs after a warm-up, so other load on the machine matters little. An 8x longer text must
take well under 20x the time (linear is ~8x, quadratic ~64x).
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from bench.newslike import article
from geo.gazetteer import Gazetteer
from geo.geoparse import parse

PUBLISHED = date(2024, 8, 6)
RATIO = 20.0


def _seconds(text: str, gazetteer: Gazetteer) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        parse(text, PUBLISHED, gazetteer)
        best = min(best, time.process_time() - start)
    return max(best, 0.005)  # below this the clock is noise


def _ratio(small: str, large: str, gazetteer: Gazetteer) -> float:
    parse(small, PUBLISHED, gazetteer)  # warm the name caches both texts share
    return _seconds(large, gazetteer) / _seconds(small, gazetteer)


def test_an_eight_times_longer_article_takes_well_under_twenty_times_as_long(gazetteer: Gazetteer) -> None:
    small, large = article(25_000, seed=11), article(200_000, seed=11)
    assert 7.5 < len(large) / len(small) < 8.5
    assert _ratio(small, large, gazetteer) < RATIO


# Texts no reporter writes, each aimed at a step that once compared every item with every
# other: long capitalised runs and "Al-" chains (recognition), comma chains of places
# (containers), "of"/"and the" chains (organisation names), many places (nearness).
HOSTILE = {
    "capitalised words": "Aaaa ", "Al- chain": "Al-", "comma chain of places": "Mosul, ",
    "Of chains": "Aa Of Mosul ", "name particles": "Mosul al al ", "event cues": "killed in Mosul. ",
    "addresses": "Hit (Hit district, Anbar), ", "place lists": "Mosul Kirkuk Erbil Basra Aleppo Homs ",
    "capitals": "MOSUL ", "kind lists": "the villages of Aa, Bb and Cc ", "near chains": "near Mosul, near Erbil, ",
    "organisation chains": "Islamic State of Iraq and the Levant and the ",
}


@pytest.mark.parametrize("family", sorted(HOSTILE))
def test_hostile_text_is_parsed_in_linear_time(family: str, gazetteer: Gazetteer) -> None:
    unit = HOSTILE[family]
    small, large = (unit * (5_000 // len(unit) + 1))[:5_000], (unit * (40_000 // len(unit) + 1))[:40_000]
    assert _ratio(small, large, gazetteer) < RATIO
