"""Places near a point, found through a grid instead of by comparing every pair.

Why: the resolver asks, for each candidate of each mention, "is another place of the
story within 250 km?", and event location asks whether an incident's place is within
5 km of one already found. Comparing against every place made both quadratic in the
number of places a story names. The grid answers from the cells a radius can reach, with
the same great-circle distance (:func:`geo.gazetteer.ranking.distance_km`) deciding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Generic, TypeVar

from geo.gazetteer.ranking import distance_km

__all__ = ["NearIndex"]

T = TypeVar("T")
_KM_PER_DEGREE = 111.19  # of latitude (mean Earth radius 6371 km)


class NearIndex(Generic[T]):
    """Items at points; :meth:`any_near` says whether one lies within ``radius_km`` of a
    point (strictly closer) and passes a test."""

    def __init__(self, radius_km: float) -> None:
        self.radius_km = radius_km
        self._cell = max(radius_km / _KM_PER_DEGREE, 0.01)  # degrees: a radius never spans more than one cell of latitude
        self._columns = math.ceil(360.0 / self._cell)
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = {}

    def _key(self, latitude: float, longitude: float) -> tuple[int, int]:
        return math.floor(latitude / self._cell), math.floor((longitude + 180.0) / self._cell) % self._columns

    def add(self, latitude: float, longitude: float, item: T) -> None:
        self._cells.setdefault(self._key(latitude, longitude), []).append((latitude, longitude, item))

    def _reach(self, latitude: float) -> int:
        """Columns either side a radius can reach: at the highest latitude a near point can
        have, ``hav(d) >= cos²(lat) hav(dlon)`` bounds its longitude difference."""
        highest = min(90.0, abs(latitude) + self._cell)
        half = math.sin(self.radius_km / 12742.0)  # sin(d / 2R)
        cos = math.cos(math.radians(highest))
        if cos <= half:
            return self._columns
        dlon = math.degrees(2.0 * math.asin(half / cos))
        return min(self._columns, math.floor(dlon / self._cell) + 1)

    def any_near(self, latitude: float, longitude: float, accept: Callable[[T], bool] = lambda _: True) -> bool:
        row, column = self._key(latitude, longitude)
        reach = self._reach(latitude)
        columns = range(self._columns) if 2 * reach + 1 >= self._columns else \
            [(column + d) % self._columns for d in range(-reach, reach + 1)]
        for r in (row - 1, row, row + 1):
            for c in columns:
                for lat, lon, item in self._cells.get((r, c), ()):
                    if abs(lat - latitude) < self._cell and accept(item) and \
                            distance_km(latitude, longitude, lat, lon) < self.radius_km:
                        return True
        return False
