#!/usr/bin/env python3
"""Build the offline basemap layer: static/basemap/countries.geojson.

Source: Natural Earth Admin 0 countries (public domain) as TopoJSON, from the
npm package ``world-atlas`` (a dev dependency in package.json, so run
``npm ci`` first). Pure standard library: a small TopoJSON decoder
(quantisation transform + delta-encoded arcs, reversed arcs, Polygon and
MultiPolygon) and an optional Douglas-Peucker simplification applied to each
*arc* (shared borders stay identical for both neighbours, no slivers).

Usage (from the repository root)::

    npm ci
    python scripts/build_basemap.py                      # 50m, default tolerance
    python scripts/build_basemap.py --source node_modules/world-atlas/countries-110m.json
    python scripts/build_basemap.py --tolerance 0        # no simplification

The output is deterministic for a given input and options.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
DEFAULT_OUT = ROOT / "static" / "basemap" / "countries.geojson"
DEFAULT_TOLERANCE = 0.01  # degrees (~1 km at the equator)
DEFAULT_DECIMALS = 3
MAX_BYTES = 1_500_000

Point = tuple[float, float]


# --------------------------------------------------------------------------
# TopoJSON decoding
# --------------------------------------------------------------------------
def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Return every arc of ``topology`` as a list of absolute (lon, lat) points.

    A quantised topology (one with a ``transform``) stores each arc's first
    position as an absolute quantised position and every later position as a
    delta from the previous one; positions are mapped to coordinates with
    ``x * scale + translate``. Without a transform, arcs are already absolute.
    """
    transform = topology.get("transform")
    arcs_out: list[list[Point]] = []
    if transform is None:
        for arc in topology["arcs"]:
            arcs_out.append([(float(p[0]), float(p[1])) for p in arc])
        return arcs_out
    sx, sy = transform["scale"]
    tx, ty = transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        pts: list[Point] = []
        for p in arc:
            x += p[0]
            y += p[1]
            pts.append((x * sx + tx, y * sy + ty))
        arcs_out.append(pts)
    return arcs_out


def arc_points(arcs: Sequence[list[Point]], index: int) -> list[Point]:
    """Points of arc ``index``; a negative index ``~i`` means arc ``i`` reversed."""
    if index < 0:
        return list(reversed(arcs[~index]))
    return list(arcs[index])


def ring_points(arcs: Sequence[list[Point]], ring: Iterable[int]) -> list[Point]:
    """Stitch a ring's arcs; each arc after the first repeats the previous end point."""
    out: list[Point] = []
    for k, idx in enumerate(ring):
        pts = arc_points(arcs, idx)
        out.extend(pts if k == 0 else pts[1:])
    return out


def decode_geometry(geom: dict[str, Any], arcs: Sequence[list[Point]]) -> dict[str, Any] | None:
    """Decode one Polygon / MultiPolygon TopoJSON geometry to GeoJSON coordinates."""
    gtype = geom.get("type")
    if gtype == "Polygon":
        return {"type": "Polygon", "coordinates": [ring_points(arcs, r) for r in geom["arcs"]]}
    if gtype == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring_points(arcs, r) for r in poly] for poly in geom["arcs"]],
        }
    if gtype is None:
        return None  # null geometry
    raise ValueError(f"unsupported geometry type for a country layer: {gtype}")


# --------------------------------------------------------------------------
# Simplification (Douglas-Peucker on each arc, endpoints always kept)
# --------------------------------------------------------------------------
def _seg_dist2(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    if dx == 0 and dy == 0:
        return (p[0] - ax) ** 2 + (p[1] - ay) ** 2
    t = ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    return (p[0] - ax - t * dx) ** 2 + (p[1] - ay - t * dy) ** 2


def _dp_keep(pts: Sequence[Point], tol2: float) -> list[bool]:
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, best_k = -1.0, -1
        for k in range(i + 1, j):
            d = _seg_dist2(pts[k], pts[i], pts[j])
            if d > best:
                best, best_k = d, k
        if best_k >= 0 and best > tol2:
            keep[best_k] = True
            stack.append((i, best_k))
            stack.append((best_k, j))
    return keep


def simplify_arc(pts: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker; endpoints are kept so arcs still meet.

    A closed arc (first == last, e.g. an island) is split at the point farthest
    from its start so it does not collapse to nothing.
    """
    if tolerance <= 0 or len(pts) <= 2:
        return list(pts)
    tol2 = tolerance * tolerance
    if pts[0] == pts[-1]:
        far = max(range(len(pts)), key=lambda k: (pts[k][0] - pts[0][0]) ** 2 + (pts[k][1] - pts[0][1]) ** 2)
        if far in (0, len(pts) - 1):
            return list(pts)
        first = [p for p, keep in zip(pts[: far + 1], _dp_keep(pts[: far + 1], tol2)) if keep]
        second = [p for p, keep in zip(pts[far:], _dp_keep(pts[far:], tol2)) if keep]
        return first + second[1:]
    return [p for p, keep in zip(pts, _dp_keep(pts, tol2)) if keep]


# --------------------------------------------------------------------------
# Rounding / cleaning
# --------------------------------------------------------------------------
def _round_ring(ring: Sequence[Point], decimals: int) -> list[list[float]] | None:
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, decimals), round(y, decimals)]
        # Normalise -0.0 so the file is stable and minimal.
        p = [v + 0.0 for v in p]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) >= 2 and out[0] != out[-1]:
        out.append(list(out[0]))
    # A valid linear ring needs 4 positions (3 distinct) and non-zero area.
    if len(out) < 4 or ring_area(out) == 0:
        return None
    return out


def ring_area(ring: Sequence[Sequence[float]]) -> float:
    """Signed shoelace area (planar degrees^2); positive for counter-clockwise."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def _clean_polygon(rings: Sequence[Sequence[Point]], decimals: int) -> list[list[list[float]]] | None:
    out = []
    for k, ring in enumerate(rings):
        r = _round_ring(ring, decimals)
        if r is None:
            if k == 0:
                return None  # exterior ring vanished: drop the whole polygon
            continue
        # RFC 7946 winding: exterior counter-clockwise, holes clockwise.
        if (ring_area(r) > 0) != (k == 0):
            r.reverse()
        out.append(r)
    return out


def clean_geometry(geom: dict[str, Any], decimals: int) -> dict[str, Any] | None:
    if geom["type"] == "Polygon":
        poly = _clean_polygon(geom["coordinates"], decimals)
        return None if poly is None else {"type": "Polygon", "coordinates": poly}
    polys = [p for p in (_clean_polygon(rs, decimals) for rs in geom["coordinates"]) if p is not None]
    if not polys:
        return None
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}


# --------------------------------------------------------------------------
# Whole conversion
# --------------------------------------------------------------------------
def topology_to_features(
    topology: dict[str, Any],
    object_name: str = "countries",
    tolerance: float = 0.0,
    decimals: int | None = None,
) -> dict[str, Any]:
    """Convert ``topology.objects[object_name]`` to a GeoJSON FeatureCollection."""
    if topology.get("type") != "Topology":
        raise ValueError("not a TopoJSON Topology")
    raw_arcs = decode_arcs(topology)
    arcs = [simplify_arc(a, tolerance) for a in raw_arcs] if tolerance > 0 else raw_arcs
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for g in geoms:
        geometry = decode_geometry(g, arcs)
        if geometry is None:
            continue
        if decimals is not None:
            cleaned = clean_geometry(geometry, decimals)
            if cleaned is None and arcs is not raw_arcs:
                # Tiny country (e.g. Vatican) simplified away: keep it unsimplified.
                cleaned = clean_geometry(decode_geometry(g, raw_arcs), decimals)
            if cleaned is None:
                continue
            geometry = cleaned
        props = dict(g.get("properties") or {})
        props.setdefault("name", "")
        if "id" in g:
            props["iso_n3"] = str(g["id"])
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    features.sort(key=lambda f: (f["properties"]["name"], f["properties"].get("iso_n3", "")))
    return {"type": "FeatureCollection", "features": features}


def dumps_geojson(fc: dict[str, Any], meta: dict[str, Any] | None = None) -> str:
    """Compact JSON, one feature per line (small file, readable diffs)."""
    head = {"type": "FeatureCollection"}
    if meta:
        head["metadata"] = meta
    head_s = json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1]
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in fc["features"]]
    return head_s + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _package_version(source: Path) -> str:
    pkg = source.parent / "package.json"
    try:
        return json.loads(pkg.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="world-atlas countries-*.json")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="Douglas-Peucker tolerance in degrees (0 = off)")
    ap.add_argument("--decimals", type=int, default=DEFAULT_DECIMALS)
    ap.add_argument("--max-bytes", type=int, default=MAX_BYTES, help="fail if the output is larger")
    args = ap.parse_args(argv)

    if not args.source.exists():
        print(f"error: {args.source} not found; run `npm ci` at the repository root first", file=sys.stderr)
        return 2
    topology = json.loads(args.source.read_text(encoding="utf-8"))
    fc = topology_to_features(topology, tolerance=args.tolerance, decimals=args.decimals)
    meta = {
        "source": f"world-atlas@{_package_version(args.source)}/{args.source.name} (Natural Earth 4.1.0 Admin 0 countries)",
        "licence": "public domain (Natural Earth)",
        "tolerance_deg": args.tolerance,
        "decimals": args.decimals,
        "generator": "scripts/build_basemap.py",
    }
    text = dumps_geojson(fc, meta)
    size = len(text.encode("utf-8"))
    if size > args.max_bytes:
        print(f"error: output would be {size} bytes > {args.max_bytes}; raise --tolerance", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    npts = sum(
        len(r)
        for f in fc["features"]
        for poly in ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"])
        for r in poly
    )
    print(f"wrote {args.out} ({size} bytes, {len(fc['features'])} features, {npts} positions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
