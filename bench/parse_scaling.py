"""Parse time against text length: ordinary news-like text of 10k, 100k and 1M characters.

    python bench/parse_scaling.py [--runs 3] [--sizes 10000 100000 1000000]

The text is generated (``bench/newslike.py``: our own sentence templates, a fixed seed),
never copied from an evaluation set. Each size is parsed ``--runs`` times after a warm-up
parse of the smallest; the median CPU time of this process is reported (other load on
the machine matters less than with wall time), with characters per second and the time
per 10k characters, which stays flat when parse time is linear in the length.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_sets import commit_label  # noqa: E402
from bench.newslike import article  # noqa: E402
from geo import gazetteer  # noqa: E402
from geo.geoparse import parse  # noqa: E402

PUBLISHED = date(2024, 8, 6)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    opts = args.parse_args(argv)
    gaz = gazetteer.load()
    gc.freeze()  # as the CLI does: the loaded tables are never collected
    parse(article(min(opts.sizes), seed=1), PUBLISHED, gaz)
    print(f"Parse time by text length, measured at {commit_label()} (median CPU s of {opts.runs} runs)\n")
    print("| characters | mentions | incidents | parse s | characters/s | s per 10k characters |")
    print("|---|---|---|---|---|---|")
    for size in opts.sizes:
        text = article(size, seed=1)
        times = []
        for _ in range(opts.runs):
            start = time.process_time()
            result = parse(text, PUBLISHED, gaz)
            times.append(time.process_time() - start)
        median = statistics.median(times)
        print(f"| {len(text):,} | {len(result.mentions):,} | {len(result.incidents)} | {median:.2f} "
              f"| {len(text) / median:,.0f} | {median / len(text) * 10_000:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
