"""The join: give incident records without coordinates a place from the geocoder.

Records carry the place name as reported; the geocoder turns it (with the record's
country and province as hints) into coordinates. Records that cannot be placed are
kept, with the reason, so the app can list them instead of dropping them silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from geo.geocoding.offline import Locator
from geo.records import Incident

__all__ = ["Join", "unlocated_reason", "MAX_REASONS"]

MAX_REASONS = 1000  # unlocated reasons a lazy join keeps (the rest are counted)


def unlocated_reason(incident: Incident) -> str:
    if not incident.location:
        return "no place name and no coordinates"
    return f"no gazetteer match for {incident.location!r}" + (
        f" in {incident.country_code}" if incident.country_code else "")


class Join:
    """The join as a stream: :meth:`__call__` yields each incident, placed when it can be,
    holding none of them. ``unlocated`` keeps the first ``max_reasons`` reasons by event
    id; ``unlocated_count`` counts them all."""

    def __init__(self, locator: Locator, max_reasons: int | None = MAX_REASONS) -> None:
        self.locator = locator
        self.max_reasons = max_reasons
        self.unlocated: dict[str, str] = {}
        self.unlocated_count = 0
        self.looked_up = 0  # incidents the geocoder was asked about (those without coordinates)

    def place(self, incident: Incident) -> Incident:
        if incident.located:
            return incident
        self.looked_up += 1
        found = self.locator.locate(incident.location, incident.country_code or None, incident.admin1 or None) \
            if incident.location else None
        if found is None:
            self.unlocated_count += 1
            if self.max_reasons is None or len(self.unlocated) < self.max_reasons:
                self.unlocated[incident.event_id] = unlocated_reason(incident)
            return incident
        return incident.replace(
            latitude=found.latitude, longitude=found.longitude, geo_precision=found.geo_precision,
            country_code=incident.country_code or found.country_code, admin1=incident.admin1 or found.admin1)

    def __call__(self, incidents: Iterable[Incident]) -> Iterator[Incident]:
        return map(self.place, incidents)
