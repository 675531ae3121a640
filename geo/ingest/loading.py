"""Import records into the store: read, geocode what has no coordinates (the join), save.

The CLI's ``import`` and the app (first run, uploads) share this one path, so a file
behaves the same wherever it comes in. It streams: the reader yields one incident at a
time, the join places it, and ``Store.upsert`` consumes the stream, so no list of the
file's incidents is ever held. The save is one write, audited under the ``actor`` given
(see ``Store.upsert``); a file found unreadable half-way (``BadFile``) raises out of it,
so nothing is saved. Imports are insert-only unless ``update_existing``: a record already
stored under the same id is then reported as skipped, not changed. An opt-in online
geocoder is asked for at most ``GEOCODER_LOOKUPS_PER_IMPORT`` names per import (and the
session's ``quota``); the rest are placed offline, and the report says why.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from geo import countries, formats, safetext, settings
from geo import records as records_module
from geo.errors import FileError
from geo.formats import MAX_UPLOAD_BYTES, ImportResult, Records, open_records, open_upload
from geo.geocoding.budget import Quota, lookup_run
from geo.geocoding.join import Join
from geo.geocoding.offline import Locator
from geo.geoparse import actors
from geo.progress import Progress
from geo.records import Incident
from geo.store import database
from geo.store.database import Store

__all__ = ["ImportReport", "import_records", "canonical_groups", "PROVIDER_FORMATS", "import_result", "import_file",
           "import_upload", "ensure_bundled"]


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[str] = field(default_factory=list)  # the first rejected rows' messages, then "… and N more"
    unlocated: dict[str, str] = field(default_factory=dict)  # the first unplaced records' reasons
    warnings: list[str] = field(default_factory=list)
    rejected_count: int | None = None  # every rejected row (when more than the messages kept)
    unlocated_count: int | None = None
    fmt: str = ""  # the format read ("acled", …)

    def summary(self) -> str:
        skipped = (f"{self.skipped} skipped (already stored with other values; choose \"update existing\" to "
                   "overwrite them), ") if self.skipped else ""
        rejected = len(self.rejected) if self.rejected_count is None else self.rejected_count
        unlocated = len(self.unlocated) if self.unlocated_count is None else self.unlocated_count
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {skipped}"
                f"{rejected} rejected, {unlocated} without a place")


SETUP_ACTOR = "setup"  # the app filling an empty store from the bundled data


PROVIDER_FORMATS = frozenset({"acled", "ucdp", "gtd"})  # formats whose group names are the provider's own


def canonical_groups(incidents: Iterable[Incident]) -> Iterator[Incident]:
    """Each group and target under the register's name for it, so an ACLED row's "Military
    Forces of Nigeria (2015-)" and a parsed "Nigerian army" share one group and one filter
    (the providers' names are in ``data/group_crosswalk.csv``). A name the register does not
    know is kept as the file gives it."""
    reg = actors.register()
    names: dict[str, str] = {}  # a file names few groups, a million times over: each looked up once

    def canonical(name: str) -> str:
        if (found := names.get(name)) is None:
            if len(names) > 20_000:  # a file of ever new names: memory stays flat
                names.clear()
            actor = reg.lookup(name)
            found = names[name] = actor.canonical if actor else name
        return found

    for incident in incidents:
        group, target = canonical(incident.group), canonical(incident.target)
        if group != incident.group or target != incident.target:
            incident = dataclasses.replace(incident, group=group, target=target)
        yield incident


def import_records(store: Store, records: Records, locator: Locator, *, actor: str, update_existing: bool = False,
                   quota: Quota | None = None, limit: int | None = None, digest: str | None = None) -> ImportReport:
    """Geocode and save ``records`` as they are read. ``warnings`` carries the reader's
    warnings, then why any lookup was answered offline (provider failure, pause,
    allowance spent). Raises ``geo.formats.BadFile`` when the rest of the file cannot be
    read, and ``store.WriteLimitExceeded`` past ``limit`` records added or changed
    (nothing is saved either way). With the file's ``digest``, an import that needed no
    geocoding is remembered, so the same file again is answered without reading it
    (:func:`_same_file`)."""
    join = Join(locator)
    incidents: Iterable[Incident] = records
    if records.fmt in PROVIDER_FORMATS:
        incidents = canonical_groups(records)
    records.skip_unchanged(store.raw_digests, _conversion())
    with lookup_run(settings.geocoder_limits().geocoder_lookups_per_import, quota) as run:
        counts = store.upsert(join(incidents), actor=actor,
                              action="import (update existing)" if update_existing else "import",
                              update_existing=update_existing, limit=limit, digests=records.take_digests)
    unchanged = counts.unchanged + records.unchanged
    report = ImportReport(counts.added, counts.updated, unchanged, counts.skipped, records.error_lines(),
                          join.unlocated, records.warning_lines() + run.notices.lines(),
                          rejected_count=records.error_count, unlocated_count=join.unlocated_count, fmt=records.fmt)
    if digest is not None and join.looked_up == 0:
        store.note_import(digest, update_existing, {
            "kept": counts.added + counts.updated + unchanged, "skipped": counts.skipped,
            "rejected": records.error_count, "unlocated": join.unlocated_count, "fmt": records.fmt})
    return report


@functools.cache
def _conversion() -> bytes:
    """What a file row's stored values depend on besides the row: the readers' code, the
    store's cleaning and the group register. A change to any of them voids every raw-row
    digest kept (``Records.skip_unchanged``), so the next re-import converts each row again."""
    code = [*sorted(Path(formats.__file__).parent.glob("*.py")),
            *(Path(module.__file__) for module in (records_module, safetext, countries, database) if module.__file__),
            actors.REGISTER_PATH, actors.CROSSWALK_PATH]
    digest = hashlib.blake2b()
    for path in code:
        digest.update(path.read_bytes())
    return digest.digest()


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(2**20):
        digest.update(chunk)
    return digest.hexdigest()


def _same_file(store: Store, digest: str, update_existing: bool) -> ImportReport | None:
    """The report for a file imported before in the same mode when nothing has been
    written to the store since: every record it holds is already stored as it gives it
    (or was skipped or rejected then, and would be again), so it is not read again."""
    earlier = store.same_import(digest, update_existing)
    if earlier is None:
        return None
    at, done = earlier
    return ImportReport(unchanged=done["kept"], skipped=done["skipped"], rejected_count=done["rejected"],
                        unlocated_count=done["unlocated"], fmt=done["fmt"],
                        warnings=[f"The same file was imported at {at} (UTC) and nothing has been saved since: "
                                  "it was not read again."])


def import_result(store: Store, result: ImportResult, locator: Locator, *, actor: str,
                  update_existing: bool = False, quota: Quota | None = None) -> ImportReport:
    """:func:`import_records` for records already read into lists."""
    return import_records(store, Records.of(result), locator, actor=actor, update_existing=update_existing,
                          quota=quota)


def import_file(store: Store, path: Path | str, locator: Locator, fmt: str = "auto", *, actor: str,
                update_existing: bool = False, progress: Progress | None = None) -> ImportReport:
    """A file on disk, any size. Raises :class:`~geo.errors.FileError` when it cannot be
    opened and ``geo.formats.BadFile`` when it cannot be read as records (nothing is saved
    either way); ``progress("reading", bytes_read, total_bytes)`` follows the reading."""
    try:
        with open(path, "rb") as raw:
            digest = _sha256(raw)
    except OSError as error:
        raise FileError(f"{path}: {error.strerror or error}") from None
    if (same := _same_file(store, digest, update_existing)) is not None:
        return same
    records = open_records(path, fmt, progress=progress)
    return import_records(store, records, locator, actor=actor, update_existing=update_existing, digest=digest)


def import_upload(store: Store, stream: IO[bytes], name: str, locator: Locator, fmt: str = "auto", *, actor: str,
                  update_existing: bool = False, progress: Progress | None = None, size: int | None = None,
                  max_columns: int | None = None, quota: Quota | None = None, limit: int | None = None,
                  ) -> ImportReport:
    """An upload read from its stream (``name`` only names it in messages), at most
    ``geo.formats.MAX_UPLOAD_BYTES``; otherwise as :func:`import_records`."""
    digest = None
    if stream.seekable() and (size or 0) <= MAX_UPLOAD_BYTES:
        digest = _sha256(stream)
        stream.seek(0)
        if (same := _same_file(store, digest, update_existing)) is not None:
            return same
    records = open_upload(stream, name, fmt, max_columns=max_columns, progress=progress, size=size)
    return import_records(store, records, locator, actor=actor, update_existing=update_existing, quota=quota,
                          limit=limit, digest=digest)


def ensure_bundled(store: Store, locator: Locator) -> ImportReport | None:
    """Fill an empty store from ``data/incidents.csv`` (first run); leave a used one alone."""
    if store.count():
        return None
    return import_file(store, settings.BUNDLED_INCIDENTS, locator, "native", actor=SETUP_ACTOR)
