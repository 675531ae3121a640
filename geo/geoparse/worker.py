"""What one parse request may cost: a capped text, parsed in a worker process with a time limit.

Why: Streamlit runs every visitor's session as a thread of one server process. A parse
holds the interpreter while it runs, so a huge paste or a pathological text would stall
every other visitor. The app therefore refuses texts over ``max_parse_chars``
(:func:`check_length`, also used by the CLI) and parses in one persistent worker process
(:class:`ParseWorker`) that opens the gazetteer once and keeps the parser's caches warm.
A parse that is not done within ``parse_timeout_s`` has its worker killed and replaced,
and the visitor gets a message naming the limit; the next parse starts a fresh worker.

Problems are one small hierarchy (:class:`ParseProblem`); ``str()`` of each is the
message to show.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections.abc import Callable
from datetime import date
from multiprocessing.connection import Connection
from typing import Any, cast

from geo import gazetteer, settings
from geo.errors import IncidentMapError, InvalidInput
from geo.geoparse import pipeline
from geo.geoparse.pipeline import ParseResult

__all__ = ["ParseProblem", "TextTooLong", "ParseTimedOut", "ParserBusy", "ParserFailed", "check_length",
           "ParseWorker", "parse"]

STARTUP_TIMEOUT_S = 300.0  # opening (on a new machine: building) the gazetteer is not the parse's time


class ParseProblem(IncidentMapError):
    """A parse that was not done; the message says why and what to do."""


class TextTooLong(ParseProblem, InvalidInput):
    """The text is longer than the ``max_parse_chars`` setting (a bad value, too)."""


class ParseTimedOut(ParseProblem):
    """The parse ran past the ``parse_timeout_s`` setting; its worker was stopped."""


class ParserBusy(ParseProblem):
    """Another session's parse held the worker for longer than this one may wait."""


class ParserFailed(ParseProblem):
    """The parser raised, or its worker died or could not start."""


def check_length(text: str, limit: int | None = None, *, name: str = "") -> None:
    """Raise :class:`TextTooLong` when ``text`` has more characters than ``limit``
    (default: the ``max_parse_chars`` setting); its message starts with ``name`` when given
    (the CLI's file)."""
    limit = settings.max_parse_chars() if limit is None else limit
    if len(text) > limit:
        where = f"{name}: " if name else ""
        raise TextTooLong(f"{where}The text has {len(text):,} characters; at most {limit:,} are parsed (setting "
                          f"max_parse_chars, or INCIDENT_MAP_MAX_PARSE_CHARS). Split it into parts and parse each.")


def _serve(conn: Connection, parser: Callable[..., Any]) -> None:
    """The worker's loop: open the gazetteer, say so, then answer (text, published) jobs
    with (True, result) or (False, error text). The index is opened again when it changed
    on disk (country layers installed while the worker runs)."""
    import gc

    gaz = gazetteer.load()
    path = gaz.path

    def state() -> int:
        return path.stat().st_mtime_ns if path.exists() else 0

    opened = state()
    gc.freeze()  # the loaded tables live as long as the worker: keep them out of GC passes
    conn.send(("ready", None))
    while True:
        try:
            text, published = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if state() != opened:
                gaz = gazetteer.load()
                opened = state()
            conn.send((True, parser(text, published, gaz)))
        except Exception as error:  # the worker keeps serving; the visitor sees the kind, the log the rest
            traceback.print_exc()
            conn.send((False, type(error).__name__))


def _default_parser(text: str, published: date | None, gaz: Any) -> Any:
    return pipeline.parse(text, published, gaz)


class ParseWorker:
    """One persistent worker process, started on first use (``spawn``: safe in a threaded
    server). ``parser(text, published, gazetteer)`` runs in it (a module-level function, so
    it can be sent there); calls from several threads take turns."""

    def __init__(self, parser: Callable[..., Any] = _default_parser, *,
                 startup_timeout: float = STARTUP_TIMEOUT_S) -> None:
        self._parser = parser
        self._startup_timeout = startup_timeout
        self._process: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def parse(self, text: str, published: date | None, timeout: float) -> Any:
        """The parser's result, or a :class:`ParseProblem`: :class:`ParseTimedOut` after
        ``timeout`` seconds (the worker is killed; the next call starts another),
        :class:`ParserBusy` when another call holds the worker that long."""
        if not self._lock.acquire(timeout=timeout):
            raise ParserBusy(f"The parser is busy with another article (for up to {timeout:g} s); try again.")
        try:
            conn = self._running()
            try:
                conn.send((text, published))
                if not conn.poll(timeout):
                    self.stop()
                    raise ParseTimedOut(f"Parsing took longer than {timeout:g} s (setting parse_timeout_s) and was "
                                        f"stopped. Try a shorter text, or split it into parts.")
                ok, value = conn.recv()
            except (EOFError, OSError) as error:
                self.stop()
                raise ParserFailed(f"The parser stopped unexpectedly ({type(error).__name__}); try again.") from None
        finally:
            self._lock.release()
        if not ok:
            raise ParserFailed(f"The parser failed on this text ({value}); the problem is logged.")
        return value

    def _running(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self.stop()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self._parser), daemon=True, name="incident-map-parser")
        process.start()
        child.close()
        self._process, self._conn = process, parent
        try:
            ready = parent.poll(self._startup_timeout) and parent.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise ParserFailed("The parser could not start (the gazetteer did not open); try again.")
        return parent

    def stop(self) -> None:
        """Kill the worker (if any); the next parse starts a new one."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            process.kill()
            process.join(5)


_worker = ParseWorker()


def parse(text: str, published: date | None, *, timeout: float | None = None,
          max_chars: int | None = None) -> ParseResult:
    """Parse ``text`` in the shared worker: :func:`check_length` first, then at most
    ``timeout`` seconds (defaults: the settings). Returns a
    :class:`geo.geoparse.ParseResult`; raises a :class:`ParseProblem` with the message."""
    check_length(text, max_chars)
    return cast("ParseResult", _worker.parse(text, published, settings.parse_timeout_s() if timeout is None else timeout))
