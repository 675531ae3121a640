"""Incident map core: news text and incident records in, located incidents out.

The package is a pipeline (see ``docs/DESIGN.md``): ``records`` and ``settings`` at
the bottom, then ``gazetteer``, ``store``, ``filters``, ``mapview``, ``geocoder``,
``mentions``, ``resolve``, ``importers``, ``events``; ``__main__`` is the CLI. Nothing
here imports Streamlit except the ``ui_*`` modules.
"""
