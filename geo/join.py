"""The join: give incident records without coordinates a place from the geocoder.

Records carry the place name as reported; the geocoder turns it (with the record's
country and province as hints) into coordinates. Records that cannot be placed are
kept, with the reason, so the app can list them instead of dropping them silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.geocoder import Locator
from geo.records import Incident

__all__ = ["JoinResult", "locate_incidents", "unlocated_reason"]


@dataclass
class JoinResult:
    incidents: list[Incident] = field(default_factory=list)
    unlocated: dict[str, str] = field(default_factory=dict)  # event_id -> reason


def unlocated_reason(incident: Incident) -> str:
    if not incident.location:
        return "no place name and no coordinates"
    return f"no gazetteer match for {incident.location!r}" + (
        f" in {incident.country_code}" if incident.country_code else "")


def locate_incidents(incidents: Iterable[Incident], locator: Locator) -> JoinResult:
    """Geocode every incident that has no coordinates; keep the ones that have them."""
    result = JoinResult()
    for incident in incidents:
        if incident.located:
            result.incidents.append(incident)
            continue
        found = locator.locate(incident.location, incident.country_code or None, incident.admin1 or None) \
            if incident.location else None
        if found is None:
            result.unlocated[incident.event_id] = unlocated_reason(incident)
            result.incidents.append(incident)
            continue
        result.incidents.append(incident.replace(
            latitude=found.latitude, longitude=found.longitude, geo_precision=found.geo_precision,
            country_code=incident.country_code or found.country_code, admin1=incident.admin1 or found.admin1))
    return result
