"""The geoparser: news text in, located incidents out.

``recognise`` finds place mentions, ``resolve`` picks each one's gazetteer entry,
``location`` decides which are where events happened and splits a story into its
incidents, and one module per field reads the rest (``dates``, ``actors``,
``casualties``, ``event_types``). Word lists live in ``data/lexicon/<language>/``.
``worker`` bounds what one parse may cost (a text cap, a worker process with a time limit).
"""

from geo.geoparse.pipeline import EventRecord, LocatedMention, ParseResult, parse, to_incident

__all__ = ["EventRecord", "LocatedMention", "ParseResult", "parse", "to_incident"]
