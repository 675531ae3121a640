"""The app's Streamlit side: every module here may import Streamlit; nothing below ``geo/ui`` does.

``state`` holds the cached resources (store, gazetteer, map index), settings from secrets
and the URL; the others are one panel each: ``filters`` (sidebar), ``timeline``, ``table``,
``map`` (the focus contract), ``export`` (downloads), ``article`` (article intake and the
import tab, with ``place_pick`` choosing the event place and ``parse`` the capped parse),
``ingest`` (batch ingest and the review queue), ``curate`` (edit, delete, merge, undo) and
``roles`` (sign-in).
"""
