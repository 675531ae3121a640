"""Running an ingest: articles read in parallel, filed in order by one writer.

Parsing is the cost (a few milliseconds of CPU per article), so it is spread over
processes; filing must see every earlier report, so it stays in this process, in input
order, whatever order the workers finish in, ``BATCH`` articles per transaction. The input
is taken ``WINDOW`` articles at a time, so the memory held does not grow with the corpus.
Three ways to read, one function (:func:`geo.ingest.reading.read_article`):

* ``jobs=1``: in this process (the CLI);
* ``jobs=N``: a pool of N ``spawn`` processes (safe inside a threaded server such as
  Streamlit), each opening the gazetteer once; with ``isolated=True`` (the app) even one
  article goes to the pool, so no article is parsed in the server process, each parse runs
  under its time limit (``parse_timeout_s``, a timer only a process's main thread can
  have), and the server opens no gazetteer of its own for ingest;
* ``dask="tcp://scheduler:8786"`` (or ``"local"`` for a local cluster of ``jobs``
  workers): each part of ``PART`` articles a one-partition ``dask.bag`` mapped with the same
  function on the cluster's workers (which need this package and a gazetteer), a few parts
  in flight at a time and taken back in order, so filing starts with the first part and
  runs while the workers parse the next.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from geo.ingest.filing import Filer, Summary
from geo.ingest.inputs import Article, Rejected
from geo.ingest.reading import Reading, read_article
from geo.progress import Progress
from geo.store.database import Store

__all__ = ["ingest", "Reader", "reader"]

CHUNK = 8  # articles per message to a pool worker: fewer round trips, still an even spread
BATCH = 32  # articles filed per transaction
WINDOW = 2000  # articles taken from the input at a time
PART = 64  # articles per Dask task
IN_FLIGHT = 3  # Dask tasks per worker queued ahead of the filing

Reader = Callable[[Sequence[Article]], Iterator[Reading]]


def _serial(items: Sequence[Article]) -> Iterator[Reading]:
    return map(read_article, items)


@contextmanager
def reader(jobs: int = 1, dask: str = "", isolated: bool = False) -> Iterator[Reader]:
    """A function from articles to their readings (in order), and what it runs on, for
    the length of the ``with`` block."""
    if dask:
        with _dask_client(dask, max(1, jobs)) as (client, workers):
            yield lambda items: _on_dask(client, items, workers)
    elif jobs <= 1 and not isolated:
        yield _serial
    else:
        pool: list[Any] = []  # started on the first window worth it, closed at the end

        def read(items: Sequence[Article]) -> Iterator[Reading]:
            if len(items) <= CHUNK and not isolated:
                return _serial(items)
            if not pool:
                size = max(1, min(jobs, -(-len(items) // CHUNK)))  # no idle workers for a handful of articles
                pool.append(multiprocessing.get_context("spawn").Pool(size))
            return pool[0].imap(read_article, items, chunksize=CHUNK)

        try:
            yield read
        finally:
            if pool:
                pool[0].terminate()


@contextmanager
def _dask_client(address: str, workers: int) -> Iterator[tuple[Any, int]]:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) \
        if address == "local" else None
    try:
        with Client(cluster if cluster is not None else address) as client:
            yield client, max(1, len(client.scheduler_info().get("workers", {})))
    finally:
        if cluster is not None:
            cluster.close()


def _on_dask(client: Any, items: Sequence[Article], workers: int) -> Iterator[Reading]:
    import dask.bag as db

    parts = (items[k:k + PART] for k in range(0, len(items), PART))
    queued = deque(client.compute(db.from_sequence(p, npartitions=1).map(read_article))
                   for p in islice(parts, workers * IN_FLIGHT))
    while queued:
        done = queued.popleft().result()
        following = next(parts, None)
        if following is not None:
            queued.append(client.compute(db.from_sequence(following, npartitions=1).map(read_article)))
        yield from done


def _windows(items: Iterable[Article | Rejected], summary: Summary) -> Iterator[list[Article]]:
    window: list[Article] = []
    for item in items:
        if isinstance(item, Rejected):
            summary.fail(item.key, item.reason)
            continue
        window.append(item)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


def ingest(items: Iterable[Article | Rejected], store: Store, *, actor: str, jobs: int = 1, dask: str = "",
           isolated: bool = False, progress: Progress | None = None, review_below: float | None = None) -> Summary:
    """Read and file every article; the summary counts what happened to each (``isolated``:
    every article parsed in a worker process, see :func:`reader`; ``review_below``: see
    :class:`~geo.ingest.filing.Filer`).
    ``progress("ingesting", done, total)`` after each batch (``total`` 0 when ``items`` has no length)."""
    summary = Summary()
    filer = Filer(store, actor=actor, review_below=review_below)
    total = sum(isinstance(i, Article) for i in items) if isinstance(items, Sequence) else 0
    done = 0
    with reader(jobs, dask, isolated) as read:
        for window in _windows(items, summary):
            unchanged = filer.unchanged(window)  # not parsed again: a re-run over the same input is cheap
            summary.unchanged += len(unchanged)
            done += len(unchanged)
            readings = read([a for a in window if a.key not in unchanged])
            while batch := list(islice(readings, BATCH)):
                filer.file(batch, summary)
                done += len(batch)
                if progress is not None:
                    progress("ingesting", done, total)
    return summary
