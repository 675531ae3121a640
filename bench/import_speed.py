"""Time and memory of a large import (reader alone, or the whole import into a fresh store).

    python bench/acled_files.py 1m /tmp/acled-1m.csv
    python bench/import_speed.py /tmp/acled-1m.csv            # the reader alone: rows/s, peak RSS
    python bench/import_speed.py /tmp/acled-1m.csv --store    # read, join, Store.upsert into a new SQLite file
    python bench/import_speed.py /tmp/acled-1m.csv --anchor --changed 1   # side by side, then 1 % changed

Peak RSS is the process's high-water mark (``ru_maxrss``), the interpreter and modules included.

``--anchor`` runs, each in a process of its own, the simplest import that could do the job (the
csv module and sqlite3 ``executemany`` into a table of the file's columns as text, with the same
three indexes the store builds on the date, the group and the unplaced rows) and this project's
whole import, and prints both and their ratio (issue 22: within 1.5× the anchor's CPU, under
300 MB). ``--changed PCT`` then writes a copy of the file with PCT % of the rows' fatalities
changed and imports it with ``--update-existing`` into the store the full import made (issue 22:
within 20 % of a full import's CPU).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
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


def anchor(path: str, db: str) -> None:
    """The anchor: rows as text, 2,000 per ``executemany``, the indexes built at the end."""
    con = sqlite3.connect(db)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream)
        header = next(rows)
        at = {name: k for k, name in enumerate(header)}
        con.execute(f"CREATE TABLE incidents ({', '.join(f'{chr(34)}{h}{chr(34)} TEXT' for h in header)})")
        insert = f"INSERT INTO incidents VALUES ({', '.join('?' * len(header))})"
        batch: list[list[str]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 2000:
                con.executemany(insert, batch)
                batch.clear()
        con.executemany(insert, batch)
    date, group, lat = (header[at[c]] for c in ("event_date", "actor1", "latitude"))
    con.execute(f'CREATE INDEX a_view ON incidents ("{date}", "{lat}")')
    con.execute(f'CREATE INDEX a_group ON incidents ("{group}", "{date}")')
    con.execute(f'CREATE INDEX a_unplaced ON incidents ("{date}") WHERE "{lat}" = ""')
    con.commit()
    con.close()


def ours(path: str, db: str, update_existing: bool) -> None:
    store = Store(db)
    report = loading.import_file(store, path, _NoGeocoding(), actor="bench", update_existing=update_existing)
    print(f"  {report.summary()}", file=sys.stderr)
    store.close()


def _child(kind: str, path: str, db: str) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of one import run in a process of its own."""
    code = (f"import sys; sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parent.parent)!r}]; "
            f"import import_speed as b; "
            + (f"b.anchor({path!r}, {db!r})" if kind == "anchor"
               else f"b.ours({path!r}, {db!r}, {kind == 'update'})")
            + "; import resource, json; u = resource.getrusage(resource.RUSAGE_SELF); "
            "print(json.dumps([u.ru_utime + u.ru_stime, u.ru_maxrss / 1024]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cpu, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return float(cpu), float(rss)


def _changed_copy(path: str, out: str, percent: float) -> int:
    """``path`` with ``percent`` % of its rows' fatalities raised by one (seeded)."""
    picked = random.Random(22)
    changed = 0
    with open(path, encoding="utf-8", newline="") as source, open(out, "w", encoding="utf-8", newline="") as target:
        rows, writer = csv.reader(source), csv.writer(target)
        header = next(rows)
        writer.writerow(header)
        k = header.index("fatalities")
        for row in rows:
            if picked.random() * 100 < percent:
                row[k] = str(int(row[k] or 0) + 1)
                changed += 1
            writer.writerow(row)
    return changed


def side_by_side(path: str, percent: float | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        a_cpu, a_rss = _child("anchor", path, os.path.join(folder, "anchor.sqlite3"))
        o_cpu, o_rss = _child("ours", path, os.path.join(folder, "ours.sqlite3"))
        print(f"anchor (csv + sqlite3 executemany, same indexes): {a_cpu:.1f} s CPU, peak {a_rss:.0f} MB")
        print(f"this project (import_file): {o_cpu:.1f} s CPU, peak {o_rss:.0f} MB "
              f"(ratio {o_cpu / a_cpu:.2f}x CPU, {o_rss / a_rss:.1f}x memory)")
        if percent is not None:
            copy = os.path.join(folder, "changed.csv")
            n = _changed_copy(path, copy, percent)
            u_cpu, u_rss = _child("update", copy, os.path.join(folder, "ours.sqlite3"))
            print(f"{percent:g} % changed ({n:,} rows), --update-existing into that store: {u_cpu:.1f} s CPU, "
                  f"peak {u_rss:.0f} MB ({u_cpu / o_cpu:.0%} of the full import)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--format", default="auto")
    parser.add_argument("--store", action="store_true", help="the whole import, into a new SQLite store")
    parser.add_argument("--anchor", action="store_true", help="the anchor's import and ours side by side")
    parser.add_argument("--changed", type=float, help="with --anchor: then re-import with this %% of rows changed")
    args = parser.parse_args(argv)
    if args.anchor:
        side_by_side(args.file, args.changed)
        return 0
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
