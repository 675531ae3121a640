"""Lookup budgets: how many online requests an import and a session may make, and why a
lookup was answered offline.

An online provider is a shared, rate-limited resource. :func:`lookup_run` gives one
import its allowance (``limit``, and the session's :class:`Quota`) and collects
:class:`Notices` that say, in one line per reason, which lookups were answered offline.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from geopy import exc as geopy_exc

from geo.errors import IncidentMapError

__all__ = ["Skipped", "Notices", "Quota", "LookupRun", "lookup_run", "current_run"]


class Skipped(IncidentMapError, geopy_exc.GeopyError):
    """No request was sent for this lookup. ``kind``: ``backoff`` (the provider asked for a
    pause, or failed), ``busy`` (the shared queue is longer than the longest wait),
    ``import_cap`` or ``session_quota`` (the allowance is spent)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


_SHOWN_NAMES = 3


def _notice(key: str, detail: str, count: int, names: list[str]) -> str:
    kind, _, error = key.partition(":")
    if kind == "refused":
        return detail
    quoted = ", ".join(repr(n[:60]) for n in names)
    who = quoted if count == 1 else f"{count} lookups ({quoted}{', …' if count > len(names) else ''})"
    if kind == "failed":
        return f"Online geocoder failed for {who} ({error}); used the offline gazetteer."
    reason = {
        "backoff": f"the online geocoder is pausing ({detail})",
        "busy": f"the online geocoder's queue, shared by every visitor, is full ({detail})",
        "import_cap": f"one import may ask the online geocoder for {detail} names (GEOCODER_LOOKUPS_PER_IMPORT)",
        "session_quota": f"this session has used its {detail} online lookups (GEOCODER_LOOKUPS_PER_SESSION)",
    }.get(kind, kind)
    return f"Used the offline gazetteer for {who}: {reason}."


class Notices:
    """Why lookups were answered offline: one line per reason, with a count and the first
    few names, so it stays short however many rows an import has."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, int, list[str]]] = {}  # key -> (first detail, count, first names)
        self._lock = threading.Lock()

    def add(self, key: str, query: str, detail: str = "") -> None:
        with self._lock:
            first, count, names = self._seen.get(key, (detail, 0, []))
            if len(names) < _SHOWN_NAMES and query not in names:
                names.append(query)
            self._seen[key] = (first, count + 1, names)

    def lines(self) -> list[str]:
        with self._lock:
            seen = [(key, first, count, list(names)) for key, (first, count, names) in self._seen.items()]
        return [_notice(*item) for item in seen]

    def __bool__(self) -> bool:
        return bool(self._seen)


class Quota:
    """Online lookups a session may still make, over all its imports (thread-safe)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.remaining = total
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.remaining = min(self.total, self.remaining + 1)


class LookupRun:
    """One import: its allowance of online requests (``limit``, and the session's
    ``quota``) and the notices of the lookups answered offline."""

    def __init__(self, limit: int | None = None, quota: Quota | None = None) -> None:
        self.limit = limit
        self.quota = quota
        self.used = 0
        self.notices = Notices()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Count one online request, or raise :class:`Skipped` when the allowance is spent."""
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                raise Skipped("import_cap", str(self.limit))
            if self.quota is not None and not self.quota.take():
                raise Skipped("session_quota", str(self.quota.total))
            self.used += 1

    def give_back(self) -> None:
        """Undo :meth:`take` for a request that was not sent."""
        with self._lock:
            self.used -= 1
            if self.quota is not None:
                self.quota.give_back()


_RUN: ContextVar[LookupRun | None] = ContextVar("geocoding_run", default=None)


def current_run() -> LookupRun | None:
    """The :func:`lookup_run` this thread is in, if any."""
    return _RUN.get()


@contextmanager
def lookup_run(limit: int | None = None, quota: Quota | None = None) -> Iterator[LookupRun]:
    """Within the block (one import, in this thread), online requests count against
    ``limit`` and ``quota``, and notices go to the run rather than to the locator, which
    all sessions share. Cached answers cost nothing."""
    run = LookupRun(limit, quota)
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)
