"""Incident map: news text and incident records in, located incidents on a map out.

Packages in layers; a module imports only from its own package or from a lower layer
(``tests/test_architecture.py`` checks it, docs/DESIGN.md draws it):

1. small shared modules: ``errors``, ``records``, ``settings``, ``progress``, ``safetext``,
   ``countries``, ``filters``, ``roles``;
2. ``gazetteer`` (the offline place index) and ``formats`` (record files in and out);
3. ``geocoding`` (a name to a point) and ``geoparse`` (text to located incidents);
4. ``store`` (incidents, audit and what is asked of them, in SQLite or PostgreSQL);
5. ``map`` (what the browser draws) and ``ingest`` (articles and files into the store);
6. ``ui`` (the only Streamlit code);
7. ``__main__`` (the command line) and, beside the package, ``app.py``.
"""
