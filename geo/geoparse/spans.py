"""Sorted character spans looked up by position, so parse time stays linear in the text.

Why: the field readers ask "which sentence holds this offset?", "is this mention inside
an actor's name?", "which dates fall in this sentence?" once per mention or per event.
Scanning every sentence, actor or date each time made a parse quadratic in the text's
length (a 2 MB article took minutes). Here each question is a binary search over spans
kept sorted, and :class:`SpanSet` keeps the taken spans of recognition.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

__all__ = ["Span", "at", "covers", "within", "SpanSet"]

Span = tuple[int, int]
_START = itemgetter(0)


def at(spans: Sequence[Span], pos: int) -> int:
    """Index of the last span that starts at or before ``pos`` (-1 when none does);
    ``spans`` sorted by start."""
    return bisect.bisect_right(spans, pos, key=_START) - 1


def covers(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether one of ``spans`` (sorted, not overlapping) contains ``start..end``."""
    k = at(spans, start)
    return k >= 0 and spans[k][1] >= end


def within(items: Sequence[Any], start: int, end: int) -> Sequence[Any]:
    """The items (tuples sorted by their first element, an offset) whose offset lies in
    ``start..end`` (end excluded), in order."""
    lo = bisect.bisect_left(items, start, key=_START)
    return items[lo:bisect.bisect_left(items, end, lo=lo, key=_START)]


class SpanSet:
    """Spans that never overlap one another, sorted: recognition's taken text. Adding,
    removing and finding the spans that overlap a range cost a binary search each."""

    def __init__(self, spans: Sequence[Span] = ()) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._ends = [e for _, e in ordered]

    def overlapping(self, start: int, end: int) -> Iterator[Span]:
        """The spans that share a character with ``start..end``, last first."""
        k = bisect.bisect_left(self._starts, end) - 1
        while k >= 0 and self._ends[k] > start:
            yield self._starts[k], self._ends[k]
            k -= 1

    def overlaps(self, start: int, end: int) -> bool:
        return next(self.overlapping(start, end), None) is not None

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)

    def discard(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self._starts, start)
        if k < len(self._starts) and self._starts[k] == start and self._ends[k] == end:
            del self._starts[k]
            del self._ends[k]
