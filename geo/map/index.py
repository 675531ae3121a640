"""The map's index: where every placed incident is, as a few compact columns.

The map asks the same question on every filter change and every pan: how many incidents
pass the filters in each grid cell of the view. SQLite answers it with a sort of every
matching row (0.4–1 s at a million rows); these columns answer it in tens of
milliseconds. They hold no text (a day number, two coordinates and three small codes,
20 bytes an incident, ~20 MB per million), are read once per store revision, and are
shared by every session. The incidents themselves stay in the database: a popup's
details are read from it for the few markers drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select

from geo.filters import Filters
from geo.store.database import Store
from geo.store.queries import BBox, Cell, id_keys
from geo.store.schema import incidents as t

__all__ = ["MapIndex", "load"]

_EPOCH = date(1970, 1, 1).toordinal()  # numpy's datetime64[D] counts days from here too
_CHUNK = 100_000


def _day(d: date) -> int:
    return d.toordinal() - _EPOCH


@dataclass(frozen=True, slots=True)
class MapIndex:
    day: npt.NDArray[np.int32]  # days since 1970-01-01
    lat: npt.NDArray[np.float32]
    lon: npt.NDArray[np.float32]
    group: npt.NDArray[np.int32]  # a code: groups[code] is the name (ACLED has tens of thousands of actors)
    country: npt.NDArray[np.int16]
    event_type: npt.NDArray[np.int16]
    groups: tuple[str, ...]
    countries: tuple[str, ...]
    event_types: tuple[str, ...]
    # each incident's event id as a number (``queries.id_keys``): how a search, answered in
    # SQL (``queries.search_keys``), picks its incidents here
    key: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, np.uint64))

    def __len__(self) -> int:
        return len(self.day)

    def mask(self, f: Filters, keys: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.bool_]:
        """Which incidents pass the filters. The index holds no text: with a search,
        ``keys`` (from ``queries.search_keys``) says which match it."""
        keep = (self.day >= _day(f.start)) & (self.day <= _day(f.end))
        if keys is not None:
            keep &= np.isin(self.key, keys)
        for column, names, chosen in ((self.group, self.groups, f.matched_groups), (self.country, self.countries, f.countries),
                                      (self.event_type, self.event_types, f.event_types)):
            if chosen:
                wanted = set(chosen)
                codes = [k for k, name in enumerate(names) if name in wanted]
                keep &= np.isin(column, np.asarray(codes, dtype=column.dtype))
        return keep

    def inside(self, box: BBox) -> npt.NDArray[np.bool_]:
        """Which incidents lie in ``box`` (combined with :meth:`mask` by ``&``, so a pan
        does not test the filters again)."""
        return (self.lat >= box.south) & (self.lat <= box.north) & (self.lon >= box.west) & (self.lon <= box.east)

    def bounds(self, keep: npt.NDArray[np.bool_]) -> BBox | None:
        """The box around the incidents ``keep`` selects (``None``: none)."""
        if not keep.any():
            return None
        lat, lon = self.lat[keep], self.lon[keep]
        return BBox(float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))

    def cells(self, keep: npt.NDArray[np.bool_], size: float) -> list[Cell]:
        """The incidents ``keep`` selects, counted per grid cell of ``size`` degrees, with
        each cell's most frequent group (ties: the group listed first)."""
        if not keep.any():
            return []
        lat, lon, group = self.lat[keep].astype(np.float64), self.lon[keep].astype(np.float64), self.group[keep]
        gy = np.floor((lat + 90.0) / size).astype(np.int64)
        gx = np.floor((lon + 180.0) / size).astype(np.int64)
        y0, x0 = int(gy.min()), int(gx.min())
        width = int(gx.max()) - x0 + 1
        key = (gy - y0) * width + (gx - x0)
        if int(key.max()) < 4_000_000:  # a dense grid: counted by bincount, no sort
            cell = np.flatnonzero(np.bincount(key))
            slot = np.full(int(key.max()) + 1, -1, dtype=np.int64)
            slot[cell] = np.arange(len(cell))
            where = slot[key]
        else:  # a wide box at a fine size: number the cells that occur
            cell, where = np.unique(key, return_inverse=True)
        count = np.bincount(where, minlength=len(cell))
        lat_sum = np.bincount(where, weights=lat, minlength=len(cell))
        lon_sum = np.bincount(where, weights=lon, minlength=len(cell))
        n_groups = len(self.groups)
        best: npt.NDArray[np.int64]
        best_n: npt.NDArray[np.int64]
        if len(cell) * n_groups <= 20_000_000:
            per_group = np.bincount(where * n_groups + group, minlength=len(cell) * n_groups).reshape(len(cell), n_groups)
            best = per_group.argmax(axis=1)
            best_n = per_group[np.arange(len(cell)), best]
        else:  # very many cells and groups: count the pairs that occur
            pair, pair_count = np.unique(where * n_groups + group, return_counts=True)
            best, best_n = np.zeros(len(cell), np.int64), np.zeros(len(cell), np.int64)
            order = np.lexsort((-pair_count, pair // n_groups))
            first = np.unique(pair[order] // n_groups, return_index=True)[1]
            best[pair[order][first] // n_groups] = pair[order][first] % n_groups
            best_n[pair[order][first] // n_groups] = pair_count[order][first]
        out = []
        for k, code in enumerate(int(c) for c in cell):
            south, west = (code // width + y0) * size - 90.0, (code % width + x0) * size - 180.0
            n = int(count[k])
            out.append(Cell(float(lat_sum[k]) / n, float(lon_sum[k]) / n, n, self.groups[int(best[k])],
                            int(best_n[k]), south, west, south + size, west + size))
        return out


def load(store: Store) -> MapIndex:
    """The placed incidents' columns, read ``_CHUNK`` rows at a time and converted in C
    (numpy parses the ISO dates, pandas numbers the names)."""
    codes: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
    parts: list[tuple[npt.NDArray[Any], ...]] = []
    keys: list[npt.NDArray[np.uint64]] = []
    query = (select(t.c.event_date, t.c.latitude, t.c.longitude, t.c.group, t.c.country_code, t.c.event_type,
                    t.c.event_id).where(t.c.latitude.is_not(None)))
    with store.read() as conn:
        result = conn.execute(query)
        while rows := result.fetchmany(_CHUNK):
            day, lat, lon, *names, ids = zip(*rows, strict=True)
            keys.append(id_keys(ids))
            parts.append((
                np.array(day, dtype="datetime64[D]").astype(np.int32),
                np.array(lat, np.float32), np.array(lon, np.float32),
                *(_numbered(values, table, dtype) for values, table, dtype
                  in zip(names, codes, (np.int32, np.int16, np.int16), strict=True))))
    columns = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, dtype)
               for k, dtype in enumerate((np.int32, np.float32, np.float32, np.int32, np.int16, np.int16))]
    key = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    return MapIndex(*columns, *(tuple(table) for table in codes), key=key)  # type: ignore[arg-type, misc]


def _numbered(values: tuple[str | None, ...], table: dict[str, int], dtype: Any,
              ) -> npt.NDArray[Any]:
    """Each value's number in ``table`` (new values get the next number): the chunk is
    numbered by pandas' hash table, then one dictionary lookup per distinct value."""
    inverse, distinct = pd.factorize(pd.Series(values, dtype=object).fillna(""), sort=False)
    numbers = np.array([table.setdefault(str(v), len(table)) for v in distinct], dtype=dtype)
    return numbers[inverse]
