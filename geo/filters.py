"""The filters of a view, and their round trip through the URL query string.

They are applied in the database (``geo.store.queries.where``).

A shared link reopens the same view: ``to_query`` writes the filter state (and the map's
centre and zoom), and ``from_query`` reads it back, dropping (with a note for the user)
any value that is malformed or no longer in the data rather than failing.

Date presets count back from the newest incident in the store, not from today: "the last
30 days of data" of a store whose newest incident is from December 2024 ends in December
2024. A link to a preset says so (``preset=30d``), so it stays relative as the data grows.

The dates filter either when an incident happened (``event_date``) or when it was first
reported (``first_reported``; ``dates=reported`` in a link): the second finds what came to
light in a week, whenever it happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from geo import countries

__all__ = ["Filters", "Options", "PRESETS", "DATED", "SEARCH_MAX", "MapCentre", "preset_range", "preset_of", "from_query",
           "to_query", "view_from_query"]

# Preset key in links -> its label and how many days back from the newest incident (None: all).
PRESETS: dict[str, tuple[str, int | None]] = {
    "30d": ("Last 30 days of data", 30),
    "1y": ("Last year of data", 365),
    "all": ("All", None),
}
SEARCH_MAX = 200  # characters of a search kept (a link is not a place for an essay)
DATED = {"event": "Event date", "reported": "First reported"}  # which date the range filters, and its label


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
    """The current view. Empty value lists mean "all"; an empty search matches everything."""

    start: date
    end: date
    groups: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    search: str = ""
    # What the group filter matches: the chosen groups and every group filed under them
    # (fronts, wings, members: ``geo.store.groups``). Empty: the chosen groups alone.
    family: tuple[str, ...] = ()
    dated: str = "event"  # a key of DATED: the date the range applies to

    @property
    def matched_groups(self) -> tuple[str, ...]:
        return self.family or self.groups


@dataclass(frozen=True, slots=True)
class MapCentre:
    """Where the map looks: its centre and zoom level (what a link holds)."""

    latitude: float
    longitude: float
    zoom: int


def preset_range(preset: str, opts: Options) -> tuple[date, date]:
    """The dates of a preset, counted back from the newest incident (``opts.last``)."""
    days = PRESETS[preset][1]
    if days is None:
        return opts.first, opts.last
    return max(opts.first, opts.last - timedelta(days=days - 1)), opts.last


def preset_of(start: date, end: date, opts: Options) -> str | None:
    """The preset these dates are, if any (the shortest one when several give the same dates)."""
    for key in PRESETS:
        if preset_range(key, opts) == (start, end):
            return key
    return None


def to_query(f: Filters, opts: Options, centre: MapCentre | None = None) -> dict[str, str | list[str]]:
    """Query parameters for ``f`` (and the map's centre); values equal to the default are
    left out to keep links short."""
    params: dict[str, str | list[str]] = {}
    preset = preset_of(f.start, f.end, opts)
    if preset is not None and preset != "all" and (f.start, f.end) != (opts.first, opts.last):
        params["preset"] = preset
    elif preset is None:
        if f.start != opts.first:
            params["from"] = f.start.isoformat()
        if f.end != opts.last:
            params["to"] = f.end.isoformat()
    for key, values in (("group", f.groups), ("country", f.countries), ("type", f.event_types)):
        if values:
            params[key] = list(values)
    if f.search:
        params["q"] = f.search
    if f.dated != "event":
        params["dates"] = f.dated
    if centre is not None:
        params["map"] = f"{centre.latitude:.4f},{centre.longitude:.4f},{centre.zoom}"
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


def _dates(params: Mapping[str, Sequence[str]], opts: Options, notes: list[str]) -> tuple[date, date]:
    preset = (params.get("preset") or [""])[-1]
    if preset:
        if preset in PRESETS:
            return preset_range(preset, opts)
        notes.append(f"Ignored the link's preset={preset[:40]!r}: not one of {', '.join(PRESETS)}.")
    start = _date_param(params, "from", opts.first, opts, notes)
    end = _date_param(params, "to", opts.last, opts, notes)
    if start > end:
        notes.append(f"The link's date range {start} to {end} is reversed; showing all dates.")
        return opts.first, opts.last
    return start, end


def _countries(values: list[str], opts: Options) -> tuple[list[str], list[str]]:
    """The codes that link values (codes or names) mean, and the values that mean none."""
    found: list[str] = []
    unknown: list[str] = []
    for value in values:
        code = countries.code_of(value, opts.countries)
        if code is None:
            unknown.append(value)
        elif code not in found:
            found.append(code)
    return found, unknown


def from_query(params: Mapping[str, Sequence[str]], opts: Options) -> tuple[Filters, list[str]]:
    """Filters from query parameters (each key maps to its list of values) and notes on
    what was ignored. Never raises: a bad value falls back to the default."""
    notes: list[str] = []
    start, end = _dates(params, opts, notes)
    chosen: dict[str, tuple[str, ...]] = {}
    for key, label, available in (("group", "group", opts.groups), ("country", "country", opts.countries),
                                  ("type", "event type", opts.event_types)):
        values = list(dict.fromkeys(params.get(key) or []))
        if key == "country":
            kept, unknown = _countries(values, opts)
        else:
            kept, unknown = [v for v in values if v in available], [v for v in values if v not in available]
        if unknown:
            shown = ", ".join(repr(v[:40]) for v in unknown[:3])
            notes.append(f"Ignored unknown {label}{'s' if len(unknown) > 1 else ''} in the link: {shown}.")
        chosen[key] = tuple(kept)
    search = " ".join((params.get("q") or [""])[-1].split())[:SEARCH_MAX]
    dated = (params.get("dates") or ["event"])[-1]
    if dated not in DATED:
        notes.append(f"Ignored the link's dates={dated[:40]!r}: not one of {', '.join(DATED)}.")
        dated = "event"
    return Filters(start, end, chosen["group"], chosen["country"], chosen["type"], search, dated=dated), notes


def view_from_query(params: Mapping[str, Sequence[str]]) -> tuple[MapCentre | None, list[str]]:
    """The map's centre and zoom from ``map=LAT,LON,ZOOM``, or ``None`` (with a note when
    the value is malformed or off the globe)."""
    value = (params.get("map") or [""])[-1]
    if not value:
        return None, []
    try:
        lat_text, lon_text, zoom_text = value.split(",")
        lat, lon, zoom = float(lat_text), float(lon_text), int(zoom_text)
    except ValueError:
        return None, [f"Ignored the link's map={value[:40]!r}: not LATITUDE,LONGITUDE,ZOOM."]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 18):
        return None, [f"Ignored the link's map={value[:40]!r}: not a place and zoom on the globe."]
    return MapCentre(lat, lon, zoom), []
