"""Correcting stored incidents: typed edits and how two reports of one event merge.

Pure logic (no Streamlit, no database): :class:`geo.store.database.Store` applies it inside its
write transaction, and the CLI and the edit panel (``geo/ui/curate.py``) use it to check
what an editor typed before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from geo.errors import InvalidInput
from geo.formats import check_row
from geo.records import FIELDS, Incident
from geo.safetext import safe_url

__all__ = ["EDITABLE", "PLACE_FIELDS", "edited", "place_changed", "merged", "folded",
           "unknown_group"]

# Every field but the id (which names the record; a new id is a new record).
EDITABLE = tuple(name for name in FIELDS if name != "event_id")
# What a place is: a new name without new coordinates is geocoded again, never left on the old point.
PLACE_FIELDS = ("location", "latitude", "longitude", "geo_precision", "country_code", "admin1")
UNKNOWN_GROUPS = frozenset({"", "unknown"})


def folded(name: str) -> str:
    """A name as two records compare it: spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def unknown_group(name: str) -> bool:
    return folded(name) in UNKNOWN_GROUPS


def _text(value: object) -> str:
    return "" if value is None else str(value)


def edited(incident: Incident, changes: Mapping[str, str]) -> Incident:
    """``incident`` with ``changes`` (field name → text, as typed on the command line or in a
    form) applied and checked exactly as an imported row is. :class:`~geo.errors.InvalidInput`
    names an unknown field or a bad value. A new ``location`` given without coordinates
    drops the old point (see :func:`place_changed`): the caller geocodes the new name or
    leaves it unplaced."""
    unknown = [name for name in changes if name not in EDITABLE]
    if unknown:
        hint = "the id cannot be changed" if unknown[0] == "event_id" else f"fields: {', '.join(EDITABLE)}"
        raise InvalidInput(f"unknown field {unknown[0]!r} ({hint})")
    row = {name: _text(value) for name, value in incident.to_row().items()}
    row.update({name: str(value) for name, value in changes.items()})
    renamed = "location" in changes and folded(changes["location"]) != folded(incident.location)
    if renamed and "latitude" not in changes and "longitude" not in changes:
        row.update(latitude="", longitude="", geo_precision="")
    if not row["location"].strip() and not row["latitude"].strip():
        raise InvalidInput("location: is empty and there are no coordinates: the incident cannot be placed")
    url = row["source_url"].strip()
    if url and not safe_url(url):  # an import drops such a link with a warning; an editor is told at once
        raise InvalidInput(f"source_url: {url[:40]!r} is not an http(s) link")
    return check_row(row)


def place_changed(before: Incident, after: Incident) -> bool:
    """Whether the edit renamed the place without giving it a point (it needs geocoding)."""
    return after.latitude is None and (before.latitude is not None or
                                       folded(before.location) != folded(after.location))


def _precision(value: int | None) -> int:
    return value if value is not None else 99  # unknown precision: the worst


def merged(keep: Incident, other: Incident) -> Incident:
    """One incident for two reports of the same event, under ``keep``'s id:

    * the place: the more precise one (a located place beats an unplaced one; a lower
      ``geo_precision`` beats a higher one; a tie keeps ``keep``'s);
    * the date: the more precise one (lower ``time_precision``), a tie keeps ``keep``'s;
    * the group: ``keep``'s, unless it is unknown and ``other`` names one;
    * the tolls: ``keep``'s, or ``other``'s where ``keep`` has none; when both report one
      and they differ, both are kept in the notes;
    * empty fields (type, target, admin1, …) are filled from ``other``;
    * first reported: the earlier of the two;
    * the notes gain a line saying what was merged, so the record tells its own history.

    ``keep``'s own source stays its first; ``other``'s sources are added by the store.
    """
    changes: dict[str, object] = {}
    keep_rank = (keep.latitude is None, _precision(keep.geo_precision))
    other_rank = (other.latitude is None, _precision(other.geo_precision))
    if other_rank < keep_rank:
        changes.update({name: getattr(other, name) for name in PLACE_FIELDS})
        changes.update(mention=other.mention, confidence=other.confidence, runner_up=other.runner_up)
    if other.time_precision < keep.time_precision:
        changes.update(event_date=other.event_date, time_precision=other.time_precision)
    if unknown_group(keep.group) and not unknown_group(other.group):
        changes.update(group=other.group, group_role=other.group_role, parent_group=other.parent_group)
    for name in ("target", "event_type", "sub_event_type", "admin1", "country_code", "parent_group"):
        if not getattr(keep, name) and name not in changes and getattr(other, name):
            changes[name] = getattr(other, name)
    reported = [d for d in (keep.first_reported, other.first_reported) if d is not None]
    if reported and min(reported) != keep.first_reported:
        changes["first_reported"] = min(reported)
    lines = [keep.notes] if keep.notes else []
    tolls = []
    for name in ("killed", "injured"):
        mine, theirs = getattr(keep, name), getattr(other, name)
        if mine is None and theirs is not None:
            changes[name] = theirs
        elif mine is not None and theirs is not None and mine != theirs:
            tolls.append(f"{name} {theirs} (kept {mine})")
    if other.notes and other.notes not in keep.notes:
        lines.append(other.notes)
    said = f"Merged {other.event_id}" + (f" ({other.source})" if other.source else "")
    lines.append(said + (": it reported " + ", ".join(tolls) if tolls else "") + ".")
    changes["notes"] = "\n".join(lines)
    return keep.replace(**changes)
