"""Reading one article: its incidents, each with the evidence it was read from.

:func:`read_article` is the unit of parallel work. It is a module-level function of
one picklable argument that returns a small picklable value, and it opens the gazetteer
once per process (:func:`_gazetteer`), so the same function runs in a loop, on a process
pool over the cores of one machine, or on a Dask bag across a cluster. Nothing here
touches the store: filing (:mod:`geo.ingest.filing`) happens in one place, in order, so
two reports of one event meet there.
"""

from __future__ import annotations

import functools
import hashlib
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from geo import geoparse, settings
from geo.errors import IncidentMapError
from geo.gazetteer import Gazetteer
from geo.gazetteer import load as load_gazetteer
from geo.geoparse.pipeline import EventRecord, LocatedMention
from geo.ingest.inputs import Article
from geo.records import Incident

__all__ = ["Found", "Reading", "read_article", "report_id"]


@dataclass(frozen=True, slots=True)
class Found:
    """One incident read from an article, ready to file, with its evidence (JSON: the
    sentences it was read from, and the place mentions in them)."""

    incident: Incident
    evidence: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What one article gave: its incidents, the incidents that could not be stored (with
    why), or ``problem`` when the article could not be read at all."""

    key: str
    digest: str
    found: tuple[Found, ...] = ()
    rejected: tuple[str, ...] = ()
    problem: str = ""


def report_id(key: str, digest: str, index: int) -> str:
    """The id of an article's ``index``-th incident: the same article with the same content
    gives the same ids, so a re-run finds them already filed."""
    return "ingest-" + hashlib.sha1(f"{key}|{digest}|{index}".encode()).hexdigest()[:16]


class _TooLong(IncidentMapError):
    """Raised by the timer of :func:`_time_limit` inside the parse; never leaves this module."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the parse after ``seconds`` where a timer signal can be had (the main thread of
    a pool worker, or of the CLI): a pathological article costs one worker that long, not
    the batch. Elsewhere (Dask's task threads, the app's own threads) the text cap
    (``max_parse_chars``) is the bound."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def _gazetteer() -> Gazetteer:
    return load_gazetteer()


def read_article(article: Article) -> Reading:
    """Parse ``article`` (texts over ``max_parse_chars`` are refused, as in the app)."""
    digest = article.digest
    limit = settings.max_parse_chars()
    if len(article.text) > limit:
        return Reading(article.key, digest, problem=f"{len(article.text):,} characters; at most {limit:,} are parsed "
                                                    "(setting max_parse_chars)")
    seconds = settings.parse_timeout_s()
    gazetteer = _gazetteer()  # opened (on a new machine: built) before the clock starts
    try:
        with _time_limit(seconds):
            result = geoparse.parse(article.text, article.published, gazetteer)
    except _TooLong:
        return Reading(article.key, digest, problem=f"parsing took longer than {seconds:g} s (setting parse_timeout_s)")
    except Exception as error:  # one bad article must not stop a batch; the summary names it
        return Reading(article.key, digest, problem=f"the parser failed ({type(error).__name__})")
    found: list[Found] = []
    rejected: list[str] = []
    for k, record in enumerate(result.incidents):
        try:
            incident = geoparse.to_incident(record, source=article.source, source_url=article.url,
                                            published=article.published, event_id=report_id(article.key, digest, k))
        except ValueError:
            rejected.append(f"incident at {record.mention or record.location!r}: no date in the text and no "
                            "publication date")
            continue
        found.append(Found(incident, _evidence(article.text, record, result.mentions)))
    if not result.incidents:
        rejected.append("no incident reported (no place where something happened)")
    return Reading(article.key, digest, tuple(found), tuple(rejected))


def _evidence(text: str, record: EventRecord, mentions: list[LocatedMention]) -> str:
    sentences = []
    marks = []
    for n, (start, end) in enumerate(record.evidence):
        sentences.append(text[start:end].strip())
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        for m in mentions:
            if start <= m.start and m.end <= end:
                marks.append([n, m.start - start - lead, m.end - start - lead, m.role, m.name])
    return json.dumps({"sentences": sentences, "mentions": marks}, ensure_ascii=False)
