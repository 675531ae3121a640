"""Time and memory of a large import (reader alone, or the whole import into a fresh store).

    python bench/acled_files.py 1m /tmp/acled-1m.csv
    python bench/import_speed.py /tmp/acled-1m.csv            # the reader alone: rows/s, peak RSS
    python bench/import_speed.py /tmp/acled-1m.csv --store    # read, join, Store.upsert into a new SQLite file

Peak RSS is the process's high-water mark (``ru_maxrss``), the interpreter and modules included.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.formats import open_records  # noqa: E402
from geo.geocoding.offline import GeocodeResult  # noqa: E402
from geo.ingest import loading  # noqa: E402
from geo.store.database import Store  # noqa: E402


class _NoGeocoding:
    """Every benchmark row has coordinates; a row without them stays unplaced."""

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        return None


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--format", default="auto")
    parser.add_argument("--store", action="store_true", help="the whole import, into a new SQLite store")
    args = parser.parse_args(argv)
    size = Path(args.file).stat().st_size
    before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    if args.store:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(str(Path(folder) / "bench.sqlite3"))
            report = loading.import_file(store, args.file, _NoGeocoding(), args.format, actor="bench")
            wall, used = time.perf_counter() - started, time.process_time() - cpu
            print(f"import: {report.summary()}; {store.count():,} stored")
            store.close()
        rows = report.added + report.updated + report.unchanged + report.skipped
    else:
        records = open_records(args.file, args.format)
        rows = sum(1 for _ in records)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        print(f"read: {rows:,} incidents, {records.error_count:,} rejected, format {records.fmt}")
    print(f"{size / 1e6:,.0f} MB in {wall:.1f} s wall, {used:.1f} s CPU ({rows / wall:,.0f} rows/s); "
          f"peak RSS {_rss_mb():.0f} MB (at start {before:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
