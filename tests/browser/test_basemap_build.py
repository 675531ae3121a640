"""scripts/build_basemap.py: TopoJSON decoder and the shipped static/basemap layer.

Not a browser test (no marker); lives here with the other offline-map assets."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "static" / "basemap" / "countries.geojson"


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_basemap", ROOT / "scripts" / "build_basemap.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bb = _load_builder()

# Two unit squares sharing the edge x=1, quantised with scale 0.5, translate (10, 20).
# Arc 0: shared edge (1,0)->(1,1); arc 1: rest of the left square; arc 2: rest of the right.
TOPO = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "Left"}},
                {"type": "Polygon", "arcs": [[2, ~0]], "properties": {"name": "Right"}},
                {"type": None, "properties": {"name": "Nothing"}},
            ],
        }
    },
    # quantised positions, delta-encoded: (2,0) (2,2) ; (2,2) (0,2) (0,0) (2,0) ; (2,0) (4,0) (4,2) (2,2)
    "arcs": [
        [[2, 0], [0, 2]],
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
    ],
}


def test_decode_arcs_applies_deltas_and_transform():
    arcs = bb.decode_arcs(TOPO)
    assert arcs[0] == [(11.0, 20.0), (11.0, 21.0)]
    assert arcs[1] == [(11.0, 21.0), (10.0, 21.0), (10.0, 20.0), (11.0, 20.0)]
    assert arcs[2][-1] == (11.0, 21.0)


def test_decode_arcs_without_transform_is_absolute():
    topo = {"type": "Topology", "arcs": [[[1.5, 2.5], [3.0, 4.0]]], "objects": {}}
    assert bb.decode_arcs(topo) == [[(1.5, 2.5), (3.0, 4.0)]]


def test_reversed_arc_and_ring_stitching():
    arcs = bb.decode_arcs(TOPO)
    assert bb.arc_points(arcs, ~0) == [(11.0, 21.0), (11.0, 20.0)]
    ring = bb.ring_points(arcs, [2, ~0])
    assert ring == [(11.0, 20.0), (12.0, 20.0), (12.0, 21.0), (11.0, 21.0), (11.0, 20.0)]
    assert ring[0] == ring[-1]


def test_topology_to_features():
    fc = bb.topology_to_features(TOPO, decimals=3)
    names = [f["properties"]["name"] for f in fc["features"]]
    assert names == ["Left", "Right"]  # null geometry dropped, sorted by name
    left, right = fc["features"]
    assert left["properties"]["iso_n3"] == "001"
    assert "iso_n3" not in right["properties"]
    ring = left["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert bb.ring_area(ring) == pytest.approx(1.0)  # CCW exterior, unit square


def test_multipolygon_with_hole_and_winding():
    # Outer 0..4 square (arc 0, clockwise) with a 1..2 hole (arc 1), plus an island (arc 2).
    topo = {
        "type": "Topology",
        "arcs": [
            [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]],
            [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]],
            [[10, 10], [11, 10], [11, 11], [10, 10]],
        ],
        "objects": {"c": {"type": "MultiPolygon", "arcs": [[[0], [1]], [[2]]], "properties": {"name": "M"}}},
    }
    fc = bb.topology_to_features(topo, object_name="c", decimals=3)
    geom = fc["features"][0]["geometry"]
    assert geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 2
    outer, hole = geom["coordinates"][0]
    assert bb.ring_area(outer) == pytest.approx(16.0)
    assert bb.ring_area(hole) == pytest.approx(-1.0)


def test_simplify_arc_keeps_endpoints_and_shape():
    line = [(0.0, 0.0), (1.0, 0.001), (2.0, -0.001), (3.0, 0.0), (3.0, 3.0)]
    assert bb.simplify_arc(line, 0.01) == [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)]
    assert bb.simplify_arc(line, 0) == line
    closed = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0005), (0.0, 1.0), (0.0, 0.0)]
    out = bb.simplify_arc(closed, 0.01)
    assert out[0] == out[-1] == (0.0, 0.0) and len(out) == 5


def test_rounding_drops_degenerate_rings():
    tiny = [(0.0, 0.0), (0.0001, 0.0), (0.0001, 0.0001), (0.0, 0.0)]
    assert bb.clean_geometry({"type": "Polygon", "coordinates": [tiny]}, 3) is None


def _point_in_ring(x, y, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _contains(feature, x, y):
    g = feature["geometry"]
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    return any(_point_in_ring(x, y, p[0]) and not any(_point_in_ring(x, y, h) for h in p[1:]) for p in polys)


@pytest.fixture(scope="module")
def shipped():
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_basemap_is_valid_and_small(shipped):
    assert SHIPPED.stat().st_size <= 1_500_000
    assert shipped["type"] == "FeatureCollection"
    assert len(shipped["features"]) > 200
    for f in shipped["features"]:
        assert f["type"] == "Feature" and f["properties"]["name"]
        g = f["geometry"]
        assert g["type"] in ("Polygon", "MultiPolygon")
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for k, ring in enumerate(poly):
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert (bb.ring_area(ring) > 0) == (k == 0)
                for x, y in ring:
                    assert -180 <= x <= 180 and -90 <= y <= 90
                    assert round(x, 3) == x and round(y, 3) == y


@pytest.mark.parametrize(
    "name, lon, lat",
    [
        ("Iraq", 44.366, 33.315),  # Baghdad
        ("Syria", 36.292, 33.513),  # Damascus
        ("Yemen", 44.207, 15.369),  # Sana'a
        ("Lebanon", 35.902, 33.847),  # Zahle (Beirut is on the coastline at 1:50m)
        ("Israel", 34.782, 32.085),  # Tel Aviv
        ("Jordan", 35.930, 31.951),  # Amman
        ("Iran", 51.389, 35.689),  # Tehran
        ("United Kingdom", -0.128, 51.507),  # London
        ("Japan", 139.692, 35.690),  # Tokyo
    ],
)
def test_shipped_basemap_places_capitals_in_their_country(shipped, name, lon, lat):
    by_name = {f["properties"]["name"]: f for f in shipped["features"]}
    assert _contains(by_name[name], lon, lat)
    others = [n for n, f in by_name.items() if n != name and _contains(f, lon, lat)]
    assert others == []


def test_rebuild_is_reproducible(tmp_path):
    src = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
    if not src.exists():
        pytest.skip("node_modules/world-atlas not installed (npm ci)")
    out = tmp_path / "c.geojson"
    assert bb.main(["--source", str(src), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
