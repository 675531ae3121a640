"""Geocoding: a place name (with its country and province as hard limits) to a point.

* ``offline``: the gazetteer as a geopy ``Geocoder``, the default; :class:`Locator` is
  what every geocoder here offers;
* ``budget``: how many online requests an import and a session may make, and the notices
  of lookups answered offline;
* ``online``: any geopy service, paced, cached and falling back to offline (opt-in);
* ``join``: records without coordinates given a point, as a stream.
"""

from geo.geocoding.budget import LookupRun, Quota, Skipped, lookup_run
from geo.geocoding.join import Join, unlocated_reason
from geo.geocoding.offline import GeocodeResult, Locator, OfflineGeocoder
from geo.geocoding.online import make_locator, user_agent_problem

__all__ = ["GeocodeResult", "Locator", "OfflineGeocoder", "LookupRun", "Quota", "Skipped", "lookup_run",
           "make_locator", "user_agent_problem", "Join", "unlocated_reason"]
