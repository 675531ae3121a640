"""Choose the geocoder's spelling threshold inside a stated division on the training rows.

    python scripts/tune_geocoder.py [--eval DIR]

When no place of a record's spelling (at any key level) lies in the country and province it
states, the offline geocoder searches the names of the places in that province, accepting a
looser match than it would anywhere (:data:`geo.geocoding.offline.DIVISION_SIMILARITY`). This
script places the precision-1 rows' ``location`` (with their country and ``admin1``) of the
*training* rows at each threshold, prints the share within 10 km (ACLED) or 25 km (GTD), and
names the best; the ``tune`` half of the development rows is printed beside it as a check. The
``report`` half is never read here: ``bench/conflict.py`` publishes its figure.

Run it with the country layers the deploy uses installed (the figures in bench/README.md were
made with the 30 layers of ../shared/gazetteer: train 0.751 without the search, 0.763 with it at
0.80; tune 0.740 and 0.753).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import countries, gazetteer  # noqa: E402
from geo.gazetteer.ranking import distance_km  # noqa: E402
from geo.geocoding import offline  # noqa: E402

THRESHOLDS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)  # 1.01: none


def queries(folder: Path, split: str) -> list[tuple[str, str, str | None, float, float, float]]:
    """(location, country code, admin1, latitude, longitude, radius) of the precision-1 rows."""
    files = ("acled_train.csv", "gtd_train.csv") if split == "train" else ("acled_dev.csv", "gtd_dev.csv")
    out = []
    for name in files:
        with (folder / name).open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                if row["split"] != split or row["precision"] != "1" or row["location"] in ("", "Unknown"):
                    continue
                code = countries.code_of_name(row["country"])
                if code:
                    admin1 = row["admin1"] if row["admin1"] not in ("", "Unknown") else None
                    out.append((row["location"], code, admin1, float(row["latitude"]), float(row["longitude"]),
                                10.0 if name.startswith("acled") else 25.0))
    return out


def share_right(geocoder: offline.OfflineGeocoder, rows: list[tuple[str, str, str | None, float, float, float]]) -> float:
    right = 0
    for location, code, admin1, lat, lon, radius in rows:
        found = geocoder.locate(location, code, admin1)
        right += found is not None and distance_km(found.latitude, found.longitude, lat, lon) <= radius
    return right / len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict")
    args = parser.parse_args(argv)
    gaz = gazetteer.load()
    train, tune = queries(args.eval, "train"), queries(args.eval, "tune")
    scores = {}
    for threshold in THRESHOLDS:
        offline.DIVISION_SIMILARITY = threshold
        geocoder = offline.OfflineGeocoder(gaz)
        scores[threshold] = share_right(geocoder, train)
        print(f"similarity {threshold:.2f}: train {scores[threshold]:.3f} (n={len(train)}), "
              f"tune {share_right(geocoder, tune):.3f} (n={len(tune)})")
    best = max(scores, key=lambda t: (scores[t], t))  # on a tie, the stricter match
    print(f"best on train: {best:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
