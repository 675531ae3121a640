"""Is an incoming report the same event as a stored incident, and how sure are we?

The candidates are the likely duplicates (:mod:`geo.store.duplicates`: same day ± 1, within
25 km or the same place name). This module judges the rest of the issue's rule,
"compatible group and event type", and says what makes a merge uncertain, so a person
reviews those and not the clear ones:

* groups: the same name, or one filed under the other (a front and its parent) are
  compatible; a report that names no group is compatible but doubtful, as are two groups
  under one parent and a name the register does not know (new names are often fronts);
  two known groups with no link between them are two events;
* event types: the same or one unknown are compatible; two types of one ACLED category
  (battle vs explosion, both political violence) are compatible but doubtful; types of
  different categories (a protest vs an air strike) are two events;
* place and day: matched by place name only (one side has no point), more than
  ``SURE_KM`` apart, or a day apart are doubtful.

When the merge happens, :func:`combined` keeps the incident's better fields
(:func:`geo.store.curation.merged`) and prefers the more specific group: a claim under a front
name refines an attribution to its parent, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geo.records import Incident
from geo.store.curation import merged, unknown_group
from geo.store.duplicates import Duplicate
from geo.store.groups import Hierarchy

__all__ = ["SURE_KM", "CATEGORY", "Verdict", "judge", "best_match", "combined"]

SURE_KM = 10.0
# ACLED's event types by category (the codebook's three families).
CATEGORY = {"Battles": "political violence", "Explosions/Remote violence": "political violence",
            "Violence against civilians": "political violence", "Protests": "demonstrations",
            "Riots": "demonstrations", "Strategic developments": "strategic developments"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the two can be one event, and the doubts a person should weigh."""

    compatible: bool
    doubts: tuple[str, ...] = ()


def _group_doubts(stored: str, incoming: str, hierarchy: Hierarchy, known: Callable[[str], bool]) -> list[str] | None:
    relation = hierarchy.relation(stored, incoming)
    if relation in ("same", "lineage"):
        return []
    if relation == "unknown":  # neither naming one is no doubt: nothing disagrees
        return [] if unknown_group(stored) and unknown_group(incoming) else ["one report names no group"]
    if relation == "kin":
        return [f"different groups under one parent ({stored}; {incoming})"]
    new = [name for name in (stored, incoming) if not known(name)]
    if len(new) == 1:
        return [f"{new[0]!r} is a name the register does not know"]
    return None  # two known groups with no link, or two unknown names: not one event


def _type_doubts(stored: str, incoming: str) -> list[str] | None:
    if not stored or not incoming or stored == incoming:
        return []
    if CATEGORY.get(stored) is not None and CATEGORY.get(stored) == CATEGORY.get(incoming):
        return [f"types differ ({stored}; {incoming})"]
    return None


def judge(candidate: Duplicate, incoming: Incident, hierarchy: Hierarchy, known: Callable[[str], bool]) -> Verdict:
    """The verdict on merging ``incoming`` into the stored ``candidate``."""
    groups = _group_doubts(candidate.incident.group, incoming.group, hierarchy, known)
    types = _type_doubts(candidate.incident.event_type, incoming.event_type)
    if groups is None or types is None:
        return Verdict(False)
    doubts = groups + types
    if candidate.km is None:
        doubts.append("matched by place name only (no point on one side)")
    elif candidate.km > SURE_KM:
        doubts.append(f"{candidate.km:.0f} km apart")
    if candidate.days:
        doubts.append("dates a day apart")
    return Verdict(True, tuple(doubts))


def best_match(candidates: list[Duplicate], incoming: Incident, hierarchy: Hierarchy,
               known: Callable[[str], bool]) -> tuple[Duplicate, Verdict] | None:
    """The closest compatible candidate (``candidates`` come closest first) and its
    verdict; several compatible ones make the merge doubtful."""
    fits = [(c, v) for c in candidates if (v := judge(c, incoming, hierarchy, known)).compatible]
    if not fits:
        return None
    best, verdict = fits[0]
    if len(fits) > 1:
        verdict = Verdict(True, (*verdict.doubts, f"{len(fits)} stored incidents match; merged into the closest"))
    return best, verdict


def combined(stored: Incident, incoming: Incident, hierarchy: Hierarchy) -> Incident:
    """The stored incident with the incoming report merged in (``stored``'s id)."""
    result = merged(stored, incoming)
    if hierarchy.deeper(incoming.group, result.group):  # a front's claim refines the parent's attribution
        result = result.replace(group=incoming.group, group_role=incoming.group_role)
    parent = hierarchy.parent_of(result.group)
    return result.replace(parent_group=parent) if parent else result
