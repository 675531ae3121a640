"""Event dates: the date expression nearest the event, resolved against publication.

"on Monday", "Aug. 5", "yesterday" give precision 1; "last week" 2; "late January",
"last month" 3. Without a date in the text the publication date stands in with
precision 2, and without that there is no date (the caller must ask for one).
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from datetime import date, timedelta

from geo.geoparse import sentences as sentences_mod
from geo.geoparse import spans

__all__ = ["event_date_of", "dates_in", "MONTH_RE", "MONTHS", "WEEKDAYS"]


MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("month_day", re.compile(r"\b" + MONTH_RE + r"\s++(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")),
    ("day_month", re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH_RE + r"(?:,?\s+(\d{4}))?")),
    ("weekday", re.compile(r"\b(?:(last|this|on|late|early)\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                           r"Sunday)\b")),
    ("relative", re.compile(r"\b(yesterday|today|tonight|last night|overnight|this morning|earlier today|"
                            r"this week|earlier this week|last week|last weekend|over the weekend|this weekend|"
                            r"last month|earlier this month|this month)\b", re.IGNORECASE)),
    ("part_month", re.compile(r"\b((?i:early|mid|mid-|late|in|since|end of|beginning of))\s*+(?:-\s*+)?" + MONTH_RE
                              + r"(?!\s+\d)(?:\s+(\d{4}))?")),
]


def _year_for(month: int, day: int, published: date) -> date | None:
    """The date ``month/day`` nearest before (or just after) publication."""
    for year in (published.year, published.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= published + timedelta(days=2):
            return d
    return None


def _resolve_date(kind: str, m: re.Match[str], published: date | None) -> tuple[date, int] | None:
    if kind in ("month_day", "day_month"):
        month_s, day_s = (m.group(1), m.group(2)) if kind == "month_day" else (m.group(2), m.group(1))
        month, day = MONTHS[month_s.lower().rstrip(".")], int(day_s)
        if not 1 <= day <= 31:
            return None
        if m.group(3):
            try:
                return date(int(m.group(3)), month, day), 1
            except ValueError:
                return None
        if published is None:
            return None
        d = _year_for(month, day, published)
        return (d, 1) if d else None
    if published is None:
        return None
    if kind == "weekday":
        qualifier, name = (m.group(1) or "").lower(), m.group(2).lower()
        back = (published.weekday() - WEEKDAYS[name]) % 7
        if qualifier == "last" and back == 0:
            back = 7
        return published - timedelta(days=back), 1
    if kind == "relative":
        word = m.group(1).lower()
        if word in ("yesterday", "last night", "overnight"):
            return published - timedelta(days=1), 1
        if word in ("today", "tonight", "this morning", "earlier today"):
            return published, 1
        if word in ("this week", "earlier this week", "this weekend"):
            return published, 2
        if word in ("last week",):
            return published - timedelta(days=7), 2
        if word in ("last weekend", "over the weekend"):
            back = (published.weekday() - 5) % 7 or 7
            return published - timedelta(days=back), 2
        if word == "last month":
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=15), 3
        return published.replace(day=max(1, published.day // 2)), 3
    if kind == "part_month":
        part = m.group(1).lower().rstrip("-")
        month = MONTHS[m.group(2).lower().rstrip(".")]
        day = {"early": 5, "beginning of": 5, "mid": 15, "late": 25, "end of": 25}.get(part, 15)
        if m.group(3):
            return date(int(m.group(3)), month, day), 3
        d = _year_for(month, 1, published)
        if d is None:
            return None
        return d.replace(day=day), 3
    return None


def dates_in(text: str, start: int, end: int, published: date | None) -> list[tuple[int, date, int]]:
    """(offset, date, precision) of every date expression in ``text[start:end]``."""
    return list(spans.within(_all_dates(text, published), start, end))


@functools.lru_cache(maxsize=8)  # the readers of one parse ask about the same text several times
def _all_dates(text: str, published: date | None) -> tuple[tuple[int, date, int], ...]:
    found: list[tuple[int, date, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            got = _resolve_date(kind, m, published)
            if got is not None:
                found.append((m.start(), got[0], got[1]))
    return tuple(sorted(found))


def event_date_of(text: str, published: date | None, anchor: int, spans: Sequence[tuple[int, int]],
                  sentences: Sequence[tuple[int, int]]) -> tuple[date | None, int]:
    """(event date, time precision): the date expression nearest ``anchor`` in the
    anchor's sentence, else in the event's other sentences (``spans``), else in the
    story's first two sentences, else the publication date (precision 2)."""
    si = sentences_mod.index_of(sentences, anchor)
    windows = [sentences[si]] + [s for s in spans if s != sentences[si]] + \
              [s for s in sentences[:2] if s != sentences[si] and s not in spans]
    for s, e in windows:
        found = dates_in(text, s, e, published)
        if found:
            best = min(found, key=lambda f: (abs(f[0] - anchor), f[2]))
            return best[1], best[2]
    return published, 2
