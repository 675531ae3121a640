"""One root for every error the project raises: :class:`IncidentMapError`.

``str(error)`` is the message a user sees, whole: the app shows it (``st.error``), the CLI
prints ``<command>: <message>`` on stderr and exits with ``error.exit_code``. So a caller
that only reports a refusal catches the root once: the CLI in ``main()``, the app around
each user action (save, import, ingest, edit, delete, undo, merge, a review decision).

A class that was a ``ValueError``, ``KeyError`` or ``OSError`` before the root existed still
is, through a category below (as geopy's ``ConfigurationError(GeopyError, ValueError)``), so
an ``except ValueError`` written against it keeps working. The tree, checked against the
code by ``tests/test_errors.py`` (every exception class in ``geo``, its module, its bases;
``(+ X)``: a second base):

    IncidentMapError                        geo.errors             exit 1
    ├── InvalidInput (+ ValueError)         geo.errors
    │   ├── UsageError                      geo.errors             exit 2
    │   ├── ArticleError                    geo.ingest.articles
    │   ├── ReviewError                     geo.ingest.review
    │   ├── BadFile                         geo.formats.results
    │   ├── RowProblem                      geo.formats.fields
    │   ├── UnsupportedStore                geo.store.schema
    │   │   └── StoreUnavailable            geo.store.schema
    │   ├── WriteLimitExceeded              geo.store.database
    │   ├── NothingToUndo                   geo.store.database
    │   ├── ChangedSince                    geo.store.database
    │   ├── PlaceNotChosen                  geo.ui.place_pick
    │   └── _Blocked                        geo.ui.article
    │       └── _NoDate                     geo.ui.article
    ├── NotFound (+ KeyError)               geo.errors
    │   └── NotStored                       geo.store.database
    ├── FileError (+ OSError)               geo.errors
    ├── ParseProblem                        geo.geoparse.worker
    │   ├── TextTooLong (+ InvalidInput)    geo.geoparse.worker
    │   ├── ParseTimedOut                   geo.geoparse.worker
    │   ├── ParserBusy                      geo.geoparse.worker
    │   └── ParserFailed                    geo.geoparse.worker
    ├── FetchError                          geo.ingest.inputs
    ├── QueryTimedOut                       geo.store.database
    ├── LayerError                          geo.gazetteer.layers
    ├── ModelError                          geo.models
    ├── _TooLong                            geo.ingest.reading
    ├── Skipped (+ GeopyError)              geo.geocoding.budget
    └── GeocoderReplyError (+ GeocoderParseError)  geo.geocoding.online

Which to raise:

* :class:`InvalidInput`: a value, file, setting or request that cannot be used as given
  (a bad field, a file that is not records, an ``INCIDENTS_DB`` that cannot be opened, a
  write over its limit, an undo with nothing to undo). The message says what to change.
* :class:`UsageError`: a command line that lacks what its command needs (exit 2, as
  ``argparse`` exits for a malformed one).
* :class:`NotFound`: an id (incident, audit entry) that is not there; the message names it
  (``str()`` gives the message, not ``KeyError``'s quoted repr).
* :class:`FileError`: a file the system would not open, read or write (missing, a folder,
  no permission); the message names the file and the reason.
* a class of its own under the root when callers tell it apart: a parse not done
  (:class:`~geo.geoparse.worker.ParseProblem`), a URL not fetched, a gazetteer layer not
  installed, a lookup answered offline (``Skipped``: kept a geopy error too, since geopy's
  callers catch those), a parse stopped by its timer (``_TooLong``, never shown).

A bug is not an ``IncidentMapError``: a ``TypeError`` or an ``AssertionError`` still ends in
a traceback, so it is seen and fixed rather than shown as a refusal.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["IncidentMapError", "InvalidInput", "UsageError", "NotFound", "FileError"]


class IncidentMapError(Exception):
    """Any error the project raises on purpose; ``str(error)`` is the message a user sees."""

    exit_code: ClassVar[int] = 1  # the CLI's exit status when this ends a command

    def __str__(self) -> str:
        # the message as given: not KeyError's quoted repr, not OSError's "[Errno …]" form
        return BaseException.__str__(self)


class InvalidInput(IncidentMapError, ValueError):
    """A value, file, setting or request that cannot be used as given; the message says what
    to change. Also a ``ValueError``."""


class UsageError(InvalidInput):
    """A command line that lacks what its command needs (``python -m geo`` exits with 2)."""

    exit_code: ClassVar[int] = 2


class NotFound(IncidentMapError, KeyError):
    """An id that names nothing stored; the message names it. Also a ``KeyError``."""


class FileError(IncidentMapError, OSError):
    """A file that cannot be opened, read or written; the message names it and says why.
    Also an ``OSError`` (built from the message alone: ``errno`` is ``None``)."""
