"""Rebuild every shipped model from ../shared, in the order they depend on each other.

    pip install -r scripts/requirements-models.txt
    python scripts/fit_models.py [--eval DIR]

First the place-ranking model (``scripts/fit_ranking.py``: the geocoder's and, where a village
layer is installed, the resolver's ranking of a name's places), then the event-place weights
(``scripts/fit_event_place.py``), whose cues are read with that ranking, then how sure the
reader is of a pin (``scripts/fit_confidence.py``), which reads with both. Each prints its train
and tune figures and writes its file under ``data/models/``; ``python bench/conflict.py`` then
publishes the report half. Run it with the 30 country layers of ../shared/gazetteer installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import fit_confidence  # noqa: E402
import fit_event_place  # noqa: E402
import fit_ranking  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict")
    args = parser.parse_args(argv)
    for fit in (fit_ranking, fit_event_place, fit_confidence):
        print(f"== {fit.__name__}")
        if fit.main(["--eval", str(args.eval)]):
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
