"""The reports behind an incident: what each source said, with its own figures and evidence.

Outlets disagree on tolls ("three wounded", "four hurt"); ACLED and UCDP keep one figure
and lose the disagreement. Ingest keeps each report (``reports`` table), and an incident
merged from several shows the range and who said what, so the analyst sees the spread and
can weigh the sources. The reports of an incident are its own (the id it was first filed
as) and those of every source merged into it (``sources.report``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from geo.records import Incident
from geo.store.database import Store
from geo.store.schema import reports, reviews, sources

__all__ = ["Report", "reports_for", "toll_range", "by_source", "unchecked"]


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    article: str
    source: str
    source_url: str
    published: str
    group: str
    group_role: str
    killed: int | None
    injured: int | None
    evidence: dict[str, Any]


def unchecked(store: Store, event_ids: Sequence[str]) -> set[str]:
    """Which of these incidents have a pin read with low confidence that nobody has checked yet
    (an open "place" entry of the review queue, ``geo.ingest.review``): the map fades them."""
    out: set[str] = set()
    with store.read() as conn:
        for k in range(0, len(event_ids), 500):
            out.update(conn.execute(select(reviews.c.event_id).where(
                reviews.c.kind == "place", reviews.c.status == "open",
                reviews.c.event_id.in_(list(event_ids[k:k + 500])))).scalars())
    return out


def reports_for(store: Store, event_ids: Sequence[str]) -> dict[str, list[Report]]:
    """Each incident's reports (those it has), in the order they were filed."""
    if not event_ids:
        return {}
    owner = {event_id: event_id for event_id in event_ids}
    with store.read() as conn:
        for event_id, report in conn.execute(select(sources.c.event_id, sources.c.report)
                                             .where(sources.c.event_id.in_(list(event_ids)), sources.c.report != "")):
            owner.setdefault(report, event_id)
        out: dict[str, list[Report]] = {}
        rows = conn.execute(select(reports).where(reports.c.id.in_(list(owner))).order_by(reports.c.at, reports.c.id))
        for r in rows:
            out.setdefault(owner[r.id], []).append(Report(r.id, r.article, r.source, r.source_url, r.published or "",
                                                          r.group, r.group_role, r.killed, r.injured,
                                                          json.loads(r.evidence or "{}")))
    return out


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def toll_range(incident: Incident, found: Sequence[Report]) -> str:
    """"3 / 4–5": killed / injured over the incident and its reports ("not reported" when
    nobody gave a figure)."""
    parts = []
    for name in ("killed", "injured"):
        values = [v for v in [getattr(incident, name), *(getattr(r, name) for r in found)] if v is not None]
        parts.append(_span(values) if values else "not reported")
    return " / ".join(parts)


def by_source(found: Sequence[Report]) -> str:
    """"Desert Wire: 5 injured; River News: 4 injured" (figures each report gave)."""
    out = []
    for r in found:
        figures = [f"{v} {name}" for name, v in (("killed", r.killed), ("injured", r.injured)) if v is not None]
        out.append(f"{r.source or r.source_url or r.article}: {', '.join(figures) or 'no toll'}")
    return "; ".join(out)
