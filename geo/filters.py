"""The filters of a view, and their round trip through the URL query string.

They are applied in the database (``geo.queries.where``).

A shared link reopens the same view: ``to_query`` writes the filter state, and
``from_query`` reads it back, dropping (with a note for the user) any value that is
malformed or no longer in the data rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Filters", "Options", "from_query", "to_query"]


@dataclass(frozen=True, slots=True)
class Options:
    """What the data offers to filter on: the date span and the values with their counts."""

    first: date
    last: date
    groups: dict[str, int]
    countries: dict[str, int]
    event_types: dict[str, int]


@dataclass(frozen=True, slots=True)
class Filters:
    """The current view. Empty value lists mean "all"."""

    start: date
    end: date
    groups: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()


def to_query(f: Filters, opts: Options) -> dict[str, str | list[str]]:
    """Query parameters for ``f``; values equal to the default are left out to keep links short."""
    params: dict[str, str | list[str]] = {}
    if f.start != opts.first:
        params["from"] = f.start.isoformat()
    if f.end != opts.last:
        params["to"] = f.end.isoformat()
    for key, values in (("group", f.groups), ("country", f.countries), ("type", f.event_types)):
        if values:
            params[key] = list(values)
    return params


def _date_param(params: Mapping[str, Sequence[str]], key: str, fallback: date, opts: Options,
                notes: list[str]) -> date:
    values = params.get(key) or []
    if not values:
        return fallback
    try:
        value = date.fromisoformat(values[-1])
    except ValueError:
        notes.append(f"Ignored the link's {key}={values[-1][:40]!r}: not a date (YYYY-MM-DD).")
        return fallback
    if not opts.first <= value <= opts.last:
        clamped = min(max(value, opts.first), opts.last)
        notes.append(f"The link's {key}={value} is outside the data ({opts.first} to {opts.last}); used {clamped}.")
        return clamped
    return value


def from_query(params: Mapping[str, Sequence[str]], opts: Options) -> tuple[Filters, list[str]]:
    """Filters from query parameters (each key maps to its list of values) and notes on
    what was ignored. Never raises: a bad value falls back to the default."""
    notes: list[str] = []
    start = _date_param(params, "from", opts.first, opts, notes)
    end = _date_param(params, "to", opts.last, opts, notes)
    if start > end:
        notes.append(f"The link's date range {start} to {end} is reversed; showing all dates.")
        start, end = opts.first, opts.last
    chosen: dict[str, tuple[str, ...]] = {}
    for key, label, available in (("group", "group", opts.groups), ("country", "country", opts.countries),
                                  ("type", "event type", opts.event_types)):
        values = list(dict.fromkeys(params.get(key) or []))
        unknown = [v for v in values if v not in available]
        if unknown:
            shown = ", ".join(repr(v[:40]) for v in unknown[:3])
            notes.append(f"Ignored unknown {label}{'s' if len(unknown) > 1 else ''} in the link: {shown}.")
        chosen[key] = tuple(v for v in values if v in available)
    return Filters(start, end, chosen["group"], chosen["country"], chosen["type"]), notes

