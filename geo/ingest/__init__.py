"""Batch ingest: many articles in, incidents out, one incident per event however many
outlets report it.

``inputs`` reads folders, zips, JSON lines and RSS/Atom feeds into :class:`~geo.ingest.inputs.Article`
items; ``reading`` parses one article (the same function on a process pool or a Dask
bag); ``filing`` writes what was read into the store, merging reports of an event already
stored; ``review`` is the queue of uncertain merges and new group names for a person.
"""
