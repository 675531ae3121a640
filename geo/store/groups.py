"""Who is behind a group: fronts, wings, branches and members traced to their parents.

Armed groups change names more often than they change hands. Iraqi militias have claimed
attacks since 2023 under new names that public reporting attributes to the Islamic
Resistance in Iraq umbrella and its member militias; a "front" name on an incident is only
useful to an analyst when it is tied to who is behind it. Each link says what public
reporting attributes (``relation``: front, armed wing, branch, member, …) and where it
says so (``source``), so the map can show a claim under its own name and the attribution
beside it, never one in place of the other.

The links come from ``data/group_links.csv`` (bundled, with a source per row) and from the
store's ``group_links`` table (links editors add while reviewing new names). Filtering by a
parent matches its whole family: itself and every group filed under it, at any depth.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from geo import settings
from geo.errors import InvalidInput
from geo.filters import Filters
from geo.store.curation import folded, unknown_group
from geo.store.database import Store
from geo.store.schema import group_links

__all__ = ["LINKS_PATH", "RELATIONS", "Link", "Hierarchy", "read_links", "bundled", "hierarchy_of"]

LINKS_PATH = settings.DATA_DIR / "group_links.csv"
RELATIONS = ("front", "armed wing", "branch", "affiliate", "member", "unit", "part")
_MAX_DEPTH = 12  # a chain longer than this is a loop in the data, not an organisation


@dataclass(frozen=True, slots=True)
class Link:
    """``group`` is a ``relation`` of ``parent``, as ``source`` reports."""

    group: str
    relation: str
    parent: str
    source: str
    added_by: str = ""  # "" for the bundled register; the editor's name for a link added in the app

    def describe(self) -> str:
        """"front of Islamic Resistance in Iraq" (what the popup and the review list say)."""
        return f"{self.relation} of {self.parent}"


class Hierarchy:
    """The links as a graph: parents up, families down. Names compare without regard to
    case or repeated spaces; a loop in the links is cut, never followed forever."""

    def __init__(self, links: Iterable[Link]) -> None:
        self.links = tuple(links)
        self._up: dict[str, list[Link]] = {}
        self._down: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}
        for link in self.links:
            self._up.setdefault(folded(link.group), []).append(link)
            self._down.setdefault(folded(link.parent), []).append(link.group)
            self._names.setdefault(folded(link.group), link.group)
            self._names.setdefault(folded(link.parent), link.parent)

    def parent_of(self, group: str) -> str:
        """The first parent reporting gives (``""``: none)."""
        up = self._up.get(folded(group))
        return up[0].parent if up else ""

    def chain(self, group: str) -> list[Link]:
        """The links from ``group`` up to its top, following each step's first parent."""
        out: list[Link] = []
        seen = {folded(group)}
        current = group
        while len(out) < _MAX_DEPTH:
            up = self._up.get(folded(current))
            if not up or folded(up[0].parent) in seen:
                break
            out.append(up[0])
            seen.add(folded(up[0].parent))
            current = up[0].parent
        return out

    def ancestors(self, group: str) -> set[str]:
        """Every parent at any depth, by every link (keys: case-folded)."""
        found: set[str] = set()
        todo = [folded(group)]
        while todo:
            for link in self._up.get(todo.pop(), ()):
                k = folded(link.parent)
                if k not in found:
                    found.add(k)
                    todo.append(k)
        found.discard(folded(group))
        return found

    def family(self, groups: Sequence[str]) -> tuple[str, ...]:
        """``groups`` and every group filed under any of them, at any depth (sorted)."""
        found = {g for g in groups}
        todo = list(groups)
        while todo:
            for child in self._down.get(folded(todo.pop()), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return tuple(sorted(found))

    def relation(self, a: str, b: str) -> str:
        """How two groups named for one event relate: "same", "lineage" (one is filed under
        the other), "kin" (they share a parent), "unknown" (either side names no group) or
        "apart"."""
        ka, kb = folded(a), folded(b)
        if unknown_group(a) or unknown_group(b):
            return "unknown"
        if ka == kb:
            return "same"
        up_a, up_b = self.ancestors(a), self.ancestors(b)
        if kb in up_a or ka in up_b:
            return "lineage"
        return "kin" if up_a & up_b else "apart"

    def deeper(self, a: str, b: str) -> bool:
        """Whether ``a`` is filed under ``b`` (the more specific name of the two)."""
        return folded(b) in self.ancestors(a)

    def with_parents(self, counts: Mapping[str, int]) -> dict[str, int]:
        """The groups' counts with every parent (at any depth) of a counted group added and
        counted with its family, as its filter matches: a parent with no incidents of its
        own can still be picked."""
        out = dict(counts)
        by_key = {folded(name): name for name in counts}
        for group, n in counts.items():
            for k in self.ancestors(group):
                name = by_key.get(k) or self._names[k]
                out[name] = out.get(name, 0) + n
        return out

    def chain_text(self, group: str) -> str:
        """The chain as one line, e.g. "unit of Al Quds Brigades → armed wing of Palestinian
        Islamic Jihad" (``""``: no parent)."""
        return " → ".join(link.describe() for link in self.chain(group))

    def merged_with(self, links: Iterable[Link]) -> Hierarchy:
        return Hierarchy((*self.links, *links))

    def widened(self, f: Filters) -> Filters:
        """``f`` matching the chosen groups' whole families (unchanged when none adds any)."""
        family = self.family(f.groups)
        return replace(f, family=family) if len(family) > len(set(f.groups)) else f


def read_links(path: Path) -> list[Link]:
    """The links in ``path``; :class:`~geo.errors.InvalidInput` names the row and column of a bad one."""
    out = []
    with path.open(encoding="utf-8", newline="") as stream:
        for row_number, row in enumerate(csv.DictReader(stream), start=2):
            values = {name: (row.get(name) or "").strip() for name in ("group", "relation", "parent", "source")}
            for name, value in values.items():
                if not value:
                    raise InvalidInput(f"{path.name}: row {row_number}, column {name}: empty")
            if values["relation"] not in RELATIONS:
                raise InvalidInput(f"{path.name}: row {row_number}, column relation: {values['relation']!r} is not one "
                                 f"of {', '.join(RELATIONS)}")
            if not values["source"].startswith("https://"):
                raise InvalidInput(f"{path.name}: row {row_number}, column source: not an https:// reference")
            out.append(Link(values["group"], values["relation"], values["parent"], values["source"]))
    return out


@functools.cache
def bundled() -> Hierarchy:
    """The bundled links (read once per process)."""
    return Hierarchy(read_links(LINKS_PATH))


def hierarchy_of(store: Store) -> Hierarchy:
    """The bundled links plus those editors added to this store."""
    with store.read() as conn:
        rows = conn.execute(select(group_links).order_by(group_links.c.id)).all()
    return bundled().merged_with(Link(r.group, r.relation, r.parent, r.source, r.added_by) for r in rows)
