"""Every incident as a few compact columns in memory: what the page counts with.

The page asks the same questions on every filter change: how many incidents pass, how many
each filter list's values have under the other filters, how many per week and group, how
many in each grid cell of the map's view. SQL answers each with a scan of the matching
rows (half a second to seconds at a million rows, three ``GROUP BY``s for the filter lists
alone); these columns answer them in tens of milliseconds. They hold no text (a day number,
two coordinates, three small codes and a key, 28 bytes an incident, ~28 MB per million),
are read once per store revision and shared by every session. A search is answered once by
SQL (:func:`geo.store.queries.matching`) and applied here as a mask. The incidents
themselves stay in the database: the table and the popups read the few rows shown.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select

from geo.filters import Filters, Options
from geo.store.database import Store
from geo.store.queries import OTHER_GROUPS, BBox, Cell, Totals, Week, id_keys, matching
from geo.store.schema import incidents as t
from geo.store.schema import meta

__all__ = ["Columns", "load", "kept", "searched"]

_EPOCH = date(1970, 1, 1).toordinal()  # numpy's datetime64[D] counts days from here too
_CHUNK = 100_000
_NO_DAY = np.iinfo(np.int32).min  # a first report not known: before every date a filter can start on


def _day(d: date) -> int:
    return d.toordinal() - _EPOCH


@dataclass(frozen=True, slots=True)
class Columns:
    day: npt.NDArray[np.int32]  # days since 1970-01-01
    lat: npt.NDArray[np.float32]  # NaN: not placed
    lon: npt.NDArray[np.float32]
    group: npt.NDArray[np.int32]  # a code: groups[code] is the name (ACLED has tens of thousands of actors)
    country: npt.NDArray[np.int16]
    event_type: npt.NDArray[np.int16]
    groups: tuple[str, ...]
    countries: tuple[str, ...]
    event_types: tuple[str, ...]
    # each incident's event id as a number (``queries.id_keys``): how a search, answered in
    # SQL (``queries.matching``), picks its incidents here
    key: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, np.uint64))
    # the day it was first reported (``_NO_DAY``: not known), for filters by that date
    reported: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.day)

    @property
    def placed(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.lat)

    def matched(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Which incidents have one of ``keys`` (a search's answer, from ``queries.matching``)."""
        return np.isin(self.key, keys)

    def mask(self, f: Filters, matched: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.bool_]:
        """Which incidents, placed or not, pass the filters. The columns hold no text: with
        a search, ``matched`` (from :meth:`matched`) says which match it; without, the
        search is ignored."""
        day = self.reported if f.dated == "reported" else self.day
        keep = (day >= _day(f.start)) & (day <= _day(f.end))  # an unknown report day is before any start
        if matched is not None:
            keep &= matched
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

    def options(self) -> Options:
        """What the data offers to filter on: the date span and each value with its count."""
        if not len(self):
            today = date.today()
            return Options(today, today, {}, {}, {})
        everything = np.ones(len(self), np.bool_)
        known = self.reported[self.reported != _NO_DAY]
        days = (int(self.day.min()), int(self.day.max()), *((int(known.min()), int(known.max())) if len(known) else ()))
        first, last = (date.fromordinal(_EPOCH + d) for d in (min(days), max(days)))  # either date may be filtered
        return Options(first, last, self.counts("group", everything), self.counts("country_code", everything),
                       self.counts("event_type", everything))

    def totals(self, keep: npt.NDArray[np.bool_]) -> Totals:
        """The headline's counts: incidents, named groups and unplaced incidents ``keep`` selects."""
        per_group = np.bincount(self.group[keep], minlength=len(self.groups))
        named = sum(1 for code in np.flatnonzero(per_group) if self.groups[code])
        return Totals(int(keep.sum()), named, int((keep & ~self.placed).sum()))

    def counts(self, column: str, keep: npt.NDArray[np.bool_]) -> dict[str, int]:
        """Incidents ``keep`` selects per value of ``column`` ("group", "country_code" or
        "event_type"), most first (ties by name), empty values left out."""
        table: dict[str, tuple[npt.NDArray[Any], tuple[str, ...]]] = {
            "group": (self.group, self.groups), "country_code": (self.country, self.countries),
            "event_type": (self.event_type, self.event_types)}
        codes, names = table[column]
        per = np.bincount(codes[keep], minlength=len(names))
        found = [(names[k], int(per[k])) for k in np.flatnonzero(per) if names[k]]
        return dict(sorted(found, key=lambda item: (-item[1], item[0])))

    def facets(self, f: Filters, matched: npt.NDArray[np.bool_] | None = None) -> dict[str, dict[str, int]]:
        """Each filter list's counts under the other filters: the groups' counts follow the
        dates, countries, types and search but not the group choice itself (so picking one
        group does not hide how many the others have), and likewise for countries and types."""
        return {"group": self.counts("group", self.mask(replace(f, groups=(), family=()), matched)),
                "country_code": self.counts("country_code", self.mask(replace(f, countries=()), matched)),
                "event_type": self.counts("event_type", self.mask(replace(f, event_types=()), matched))}

    def weekly(self, keep: npt.NDArray[np.bool_], top: int = 8, dated: str = "event") -> list[Week]:
        """Incidents ``keep`` selects per ISO week (Monday start) of their event date (or of
        their first report: ``dated="reported"``) and group, for the ``top`` groups with most
        of them; the rest are counted together as ``OTHER_GROUPS``."""
        if dated == "reported":
            keep = keep & (self.reported != _NO_DAY)
        if not keep.any():
            return []
        group = self.group[keep]
        per_group = np.bincount(group, minlength=len(self.groups))
        ranked = sorted(np.flatnonzero(per_group), key=lambda k: (-int(per_group[k]), self.groups[k]))
        leaders = ranked[:top]
        slot = np.full(len(self.groups), len(leaders), np.int64)  # the last slot: every other group
        slot[leaders] = np.arange(len(leaders))
        names = [self.groups[k] for k in leaders] + [OTHER_GROUPS]
        week = ((self.reported if dated == "reported" else self.day)[keep].astype(np.int64) + 3) // 7  # from Monday 1969-12-29
        first = int(week.min())
        per = np.bincount((week - first) * len(names) + slot[group], minlength=(int(week.max()) - first + 1) * len(names))
        out = []
        for cell in np.flatnonzero(per):
            monday = date.fromordinal(_EPOCH + (first + int(cell) // len(names)) * 7 - 3)
            out.append(Week(monday, names[int(cell) % len(names)], int(per[cell])))
        return sorted(out, key=lambda w: (w.start, w.group))

    def bounds(self, keep: npt.NDArray[np.bool_]) -> BBox | None:
        """The box around the placed incidents ``keep`` selects (``None``: none)."""
        keep = keep & self.placed
        if not keep.any():
            return None
        lat, lon = self.lat[keep], self.lon[keep]
        return BBox(float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))

    def cells(self, keep: npt.NDArray[np.bool_], size: float) -> list[Cell]:
        """The placed incidents ``keep`` selects, counted per grid cell of ``size`` degrees,
        with each cell's most frequent group (ties: the group listed first)."""
        keep = keep & self.placed
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


def load(store: Store) -> Columns:
    """Every incident's columns, read ``_CHUNK`` rows at a time and converted in C
    (numpy parses the ISO dates, pandas numbers the names)."""
    return _load(store)[0]


def kept(store: Store, folder: Path) -> Columns:
    """:func:`load`, kept in ``folder`` as one file per store and revision, so a restarted server
    reads the columns back (a fraction of a second at a million incidents) instead of every row
    again. The file's name holds the store (its identity and where it is: a copied database
    file is another store) and its revision: a write moves the revision, and the next call
    reads the rows and replaces the file. (A change made to the database outside this app does
    not move the revision: delete the folder after one.)"""
    identity = store.file_key()
    path = folder / f"columns-v{_FORMAT}-{identity}-{store.revision()}.npz"
    if path.exists():
        try:
            return _read(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # cut short, or not ours: read the rows again
            path.unlink(missing_ok=True)
    found, revision = _load(store)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"columns-v*-{identity}-*.npz"):
        old.unlink(missing_ok=True)
    _write(found, folder / f"columns-v{_FORMAT}-{identity}-{revision}.npz")
    return found


_FORMAT = 2  # of the kept files: a new build with other columns reads the rows again
_ARRAYS = ("day", "lat", "lon", "group", "country", "event_type", "key", "reported")


def _write(found: Columns, path: Path) -> None:
    """Written beside and renamed, so a reader never sees half a file."""
    names = json.dumps([found.groups, found.countries, found.event_types]).encode("utf-8")
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    with part.open("wb") as out:
        np.savez(out, names=np.frombuffer(names, np.uint8), **{a: getattr(found, a) for a in _ARRAYS})
    os.replace(part, path)


def _read(path: Path) -> Columns:
    with np.load(path, allow_pickle=False) as data:
        groups, countries, event_types = (tuple(n) for n in json.loads(data["names"].tobytes().decode("utf-8")))
        arrays = {a: data[a] for a in _ARRAYS}
    return Columns(arrays["day"], arrays["lat"], arrays["lon"], arrays["group"], arrays["country"],
                   arrays["event_type"], groups, countries, event_types, key=arrays["key"],
                   reported=arrays["reported"])


def _load(store: Store) -> tuple[Columns, int]:
    """The columns and the revision they hold, read in one transaction."""
    codes: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
    parts: list[tuple[npt.NDArray[Any], ...]] = []
    keys: list[npt.NDArray[np.uint64]] = []
    reported: list[npt.NDArray[np.int32]] = []
    query = (select(t.c.event_date, t.c.latitude, t.c.longitude, t.c.group, t.c.country_code, t.c.event_type,
                    t.c.event_id, t.c.first_reported))
    with store.read() as conn:
        revision = int(conn.execute(select(meta.c.value).where(meta.c.key == "revision")).scalar_one())
        result = conn.execute(query)
        while rows := result.fetchmany(_CHUNK):
            day, lat, lon, *names, ids, first = zip(*rows, strict=True)
            keys.append(id_keys(ids))
            told = np.array(first, dtype="datetime64[D]")  # None: NaT
            reported.append(np.where(np.isnat(told), _NO_DAY, told.astype(np.int64)).astype(np.int32))
            parts.append((
                np.array(day, dtype="datetime64[D]").astype(np.int32),
                np.array(lat, np.float64).astype(np.float32), np.array(lon, np.float64).astype(np.float32),
                *(_numbered(values, table, dtype) for values, table, dtype
                  in zip(names, codes, (np.int32, np.int16, np.int16), strict=True))))
    columns = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, dtype)
               for k, dtype in enumerate((np.int32, np.float32, np.float32, np.int32, np.int16, np.int16))]
    key = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    told_day = np.concatenate(reported) if reported else np.zeros(0, np.int32)
    return (Columns(*columns, *(tuple(table) for table in codes), key=key,  # type: ignore[arg-type, misc]
                    reported=told_day), revision)


def searched(store: Store, kept: Columns, f: Filters, deadline_s: float | None = None,
             ) -> npt.NDArray[np.bool_] | None:
    """Which of ``kept``'s incidents match ``f``'s search (``None``: it has none), asked of
    the store (:func:`geo.store.queries.matching`, within ``deadline_s``)."""
    return kept.matched(matching(store, f.search, deadline_s)) if f.search.strip() else None


def _numbered(values: tuple[str | None, ...], table: dict[str, int], dtype: Any,
              ) -> npt.NDArray[Any]:
    """Each value's number in ``table`` (new values get the next number): the chunk is
    numbered by pandas' hash table, then one dictionary lookup per distinct value."""
    inverse, distinct = pd.factorize(pd.Series(values, dtype=object).fillna(""), sort=False)
    numbers = np.array([table.setdefault(str(v), len(table)) for v in distinct], dtype=dtype)
    return numbers[inverse]
