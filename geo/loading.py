"""Import records into the store: read, geocode what has no coordinates (the join), save.

The CLI's ``import`` and the app (first run, uploads) share this one path, so a file
behaves the same wherever it comes in. The save is one transaction, audited under the
``actor`` given (see ``Store.upsert``). Imports are insert-only unless ``update_existing``:
a record already stored under the same id is then reported as skipped, not changed. An
opt-in online geocoder is asked for at most ``GEOCODER_LOOKUPS_PER_IMPORT`` names per
import (and the session's ``quota``); the rest are placed offline, and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from geo import importers, settings
from geo.geocoder import Locator, Quota, lookup_run
from geo.join import locate_incidents
from geo.store import Store

__all__ = ["ImportReport", "import_result", "import_file", "ensure_bundled"]


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[str] = field(default_factory=list)
    unlocated: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        skipped = (f"{self.skipped} skipped (already stored with other values; choose \"update existing\" to "
                   "overwrite them), ") if self.skipped else ""
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {skipped}"
                f"{len(self.rejected)} rejected, {len(self.unlocated)} without a place")


SETUP_ACTOR = "setup"  # the app filling an empty store from the bundled data


def import_result(store: Store, result: importers.ImportResult, locator: Locator, *, actor: str,
                  update_existing: bool = False, quota: Quota | None = None) -> ImportReport:
    """Geocode and save ``result``. ``warnings`` carries the importer's warnings, then why
    any lookup was answered offline (provider failure, pause, allowance spent)."""
    with lookup_run(settings.geocoder_limits().geocoder_lookups_per_import, quota) as run:
        joined = locate_incidents(result.incidents, locator)
    counts = store.upsert(joined.incidents, actor=actor,
                          action="import (update existing)" if update_existing else "import",
                          update_existing=update_existing)
    return ImportReport(counts.added, counts.updated, counts.unchanged, counts.skipped, [str(e) for e in result.errors],
                        joined.unlocated, list(result.warnings) + run.notices.lines())


def import_file(store: Store, path: Path | str, locator: Locator, fmt: str = "native", *, actor: str,
                update_existing: bool = False) -> ImportReport:
    """Raises ``importers.BadFile`` when the file cannot be read at all (nothing is saved)."""
    return import_result(store, importers.read_csv(path, fmt), locator, actor=actor, update_existing=update_existing)


def ensure_bundled(store: Store, locator: Locator) -> ImportReport | None:
    """Fill an empty store from ``data/incidents.csv`` (first run); leave a used one alone."""
    if store.count():
        return None
    return import_file(store, settings.BUNDLED_INCIDENTS, locator, actor=SETUP_ACTOR)
