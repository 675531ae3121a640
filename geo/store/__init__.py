"""The incident store: incidents and their audit in SQLite or PostgreSQL, and what is asked of it.

* ``schema``: the tables, for SQLite and PostgreSQL alike, and how to connect;
* ``database``: :class:`Store`, the one audited write path (upsert, edit, delete, merge, undo);
* ``curation``: pure rules for typed edits and for how two reports of one event merge;
* ``queries``: the filters as one SQL ``WHERE``; counts, rows, streamed exports;
* ``duplicates``: stored incidents that may report the same event as a new one;
* ``groups``: fronts, wings and members traced to their parents (bundled and stored links);
* ``reports``: what each source said about an incident, with its own figures.
"""

from geo.store.database import AuditEntry, NothingToUndo, NotStored, Source, Store, UpsertCounts, WriteLimitExceeded
from geo.store.groups import Hierarchy, hierarchy_of
from geo.store.schema import StoreUnavailable, UnsupportedStore

__all__ = ["Store", "UpsertCounts", "AuditEntry", "Source", "NotStored", "NothingToUndo", "WriteLimitExceeded",
           "UnsupportedStore", "StoreUnavailable", "Hierarchy", "hierarchy_of"]
