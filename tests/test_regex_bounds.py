"""No regular expression in ``geo`` can backtrack without bound (issue 9).

Every compiled pattern in the package's modules (module globals, also inside lists,
tuples and dicts, which is where function-local patterns are kept) is run over
adversarial texts of ~100k characters: long runs of capitalised words, "Al-" chains,
digits, spaces, commas, parentheses, apostrophes, repeated cue words. Speed targets live
in the benchmarks; this test only catches catastrophic (super-linear) behaviour, so its
bounds are generous and robust on a busy 2-core machine: the time on 100k characters must
be linear-ish in the time on 10k (a ratio, not an absolute figure) and under a ceiling.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo
from geo.geoparse import lexicon

SMALL, LARGE = 10_000, 100_000
RATIO = 30.0  # linear is 10; quadratic 100
FLOOR = 0.002  # s: below this the small run is timer noise
QUIET = 0.05  # s: a large run this fast passes whatever the ratio
CEILING = 2.0  # s for 100k characters, whatever the ratio


def _patterns_in(value: object, where: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        yield where, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _patterns_in(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns_in(item, f"{where}[{key!r}]")


def compiled_patterns() -> dict[str, re.Pattern[str]]:
    """Every distinct compiled pattern in ``geo``'s modules, by where it lives."""
    out: dict[str, re.Pattern[str]] = {}
    seen: set[tuple[str, int]] = set()
    for info in pkgutil.walk_packages(geo.__path__, "geo."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            for where, pattern in _patterns_in(value, f"{info.name}.{name}"):
                if isinstance(pattern.pattern, str) and (pattern.pattern, pattern.flags) not in seen:
                    seen.add((pattern.pattern, pattern.flags))
                    out[where] = pattern
    return out


PATTERNS = compiled_patterns()

# Units repeated to the test length: each is a way a backtracking engine can be made to
# retry a long run (overlapping quantifiers over spaces, word characters, hyphens, commas).
FAMILIES = {
    "capitalised words": "Aaaa ", "one long word": "Aaaa", "Al- chain": "Al-", "al-Xx- chain": "al-Aa-",
    "hyphen chain": "A-", "digits": "1", "numbers": "12 ", "spaces": " ", "newlines": "\n", "commas": ", ",
    "comma before caps": ", Aa", "open parens": "(", "parenthesised words": "( Aa", "apostrophe words": "A'",
    "curly apostrophes": "A\u2019", "claimed by": "claimed by ", "village of": "village of Aa ", "initials": "A. ",
    "of chains": "Aa of ", "killed in": "killed in ", "two caps": "Aa Bb ", "lower words": "aaa ",
    "said it": "said it ", "address": "Aa (Bb, ", "mixed": "Al-Aa, (Bb) 12 'cc' claimed by Dd of ",
}
# More pieces for the mixed runs hypothesis builds (with the lexicon's cue words)
_MORE = ["\t", "a-", "Aa, ", ")", "'", "Aa Of ", "the ", "a ", "\u201c", "Aug ", "- ", "one ", "AAA ", "U.S. ",
         "north of ", "5 km ", "in  ", ",  "]


def _seconds(pattern: re.Pattern[str], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()  # CPU time: other load on the machine hardly counts
        for _match in pattern.finditer(text):
            pass
        best = min(best, time.process_time() - start)
    return best


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _check(where: str, pattern: re.Pattern[str], unit: str) -> None:
    def message(small: float, large: float | None = None) -> str:
        times = f"{small:.3f} s for {SMALL:,} characters" + (f", {large:.3f} s for {LARGE:,}" if large is not None else "")
        return f"{where} ({pattern.pattern[:60]!r}…) on {unit!r} repeated: {times}"

    small = _seconds(pattern, _repeat(unit, SMALL), 1)
    assert small < CEILING / 10, message(small)  # stop before a run that might never end
    large = _seconds(pattern, _repeat(unit, LARGE), 1)
    if large <= QUIET:
        return
    large = min(large, _seconds(pattern, _repeat(unit, LARGE), 2))  # a busy machine: the best of three
    small = min(small, _seconds(pattern, _repeat(unit, SMALL), 2))
    assert large < CEILING and large <= RATIO * max(small, FLOOR), message(small, large)


def test_patterns_are_collected() -> None:
    """The collector sees module-level, list-held and exposed function-level patterns."""
    assert len(PATTERNS) > 60
    assert any(w.startswith("geo.geoparse.dates._DATE_PATTERNS[") for w in PATTERNS)
    assert any(w.startswith("geo.geoparse.recognise.") for w in PATTERNS)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_pattern_is_linear_on_adversarial_runs(family: str) -> None:
    for where, pattern in PATTERNS.items():
        _check(where, pattern, FAMILIES[family])


def _cue_words() -> list[str]:
    return sorted({w for path in (lexicon.LEXICON_DIR / lexicon.LANGUAGE).glob("*.txt")
                   for w in lexicon.words(path.stem)})


_FRAGMENTS = sorted(set(FAMILIES.values()) | set(_MORE))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.sampled_from(_cue_words()).map(lambda w: w + " "),
                          st.sampled_from(_cue_words()).map(str.title)),
                min_size=1, max_size=6))
def test_every_pattern_is_linear_on_mixed_runs(parts: list[str]) -> None:
    unit = "".join(parts)
    for where, pattern in PATTERNS.items():
        _check(where, pattern, unit)
