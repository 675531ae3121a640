"""Running an ingest: articles read in parallel, filed in order by one writer.

Parsing is the cost (a few milliseconds of CPU per article), so it is spread over
processes; filing is cheap and must see every earlier report, so it stays in this
process, in input order, whatever order the workers finish in. Three ways to read, one
function (:func:`geo.ingest.reading.read_article`):

* ``jobs=1``: in this process;
* ``jobs=N``: a pool of N ``spawn`` processes (safe inside a threaded server such as
  Streamlit), each opening the gazetteer once;
* ``dask="tcp://scheduler:8786"`` (or ``"local"`` for a local cluster of ``jobs``
  workers): a ``dask.bag`` over the articles, mapped with the same function on the
  cluster's workers, which need this package installed and a gazetteer of their own.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence

from geo.ingest.filing import Filer, Summary
from geo.ingest.inputs import Article, Rejected
from geo.ingest.reading import Reading, read_article
from geo.store import Store

__all__ = ["ingest", "readings", "dask_readings"]

CHUNK = 8  # articles per message to a pool worker: fewer round trips, still an even spread


def readings(items: Sequence[Article], *, jobs: int = 1, dask: str = "") -> Iterator[Reading]:
    """Each article's reading, in input order."""
    if dask:
        yield from dask_readings(items, dask, workers=max(1, jobs))
    elif jobs <= 1 or len(items) <= CHUNK:
        yield from map(read_article, items)
    else:
        with multiprocessing.get_context("spawn").Pool(min(jobs, len(items))) as pool:
            yield from pool.imap(read_article, items, chunksize=CHUNK)


def dask_readings(items: Sequence[Article], address: str, *, workers: int = 2) -> Iterator[Reading]:
    """The readings from a Dask cluster at ``address`` ("local": a local cluster of
    ``workers`` single-threaded processes, started here and stopped at the end), one bag
    partition at a time, in order."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) \
        if address == "local" else None
    try:
        with Client(cluster if cluster is not None else address) as client:
            parts = max(1, min(len(items) // 64, 512))  # enough partitions to spread, few enough to schedule cheaply
            bag = db.from_sequence(list(items), npartitions=parts).map(read_article)
            for future in client.compute(bag.to_delayed()):
                yield from future.result()
    finally:
        if cluster is not None:
            cluster.close()


def ingest(items: Iterable[Article | Rejected], store: Store, *, actor: str, jobs: int = 1, dask: str = "",
           progress: Callable[[int, int], None] | None = None) -> Summary:
    """Read and file every article; the summary counts what happened to each."""
    summary = Summary()
    batch: list[Article] = []
    for item in items:
        if isinstance(item, Rejected):
            summary.fail(item.key, item.reason)
        else:
            batch.append(item)
    filer = Filer(store, actor=actor)
    unchanged = filer.unchanged(batch)  # not parsed again: a re-run over the same input is cheap
    summary.unchanged += len(unchanged)
    batch = [a for a in batch if a.key not in unchanged]
    for done, reading in enumerate(readings(batch, jobs=jobs, dask=dask), start=1):
        filer.file(reading, summary)
        if progress is not None:
            progress(done, len(batch))
    return summary
