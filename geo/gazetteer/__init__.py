"""The offline gazetteer: every name a place is known by, in one SQLite index in the cache.

Modules, from the bottom up (each imports only those above it in this list):

* ``names``: the name keys every lookup shares (case, accents, particles, a consonant skeleton);
* ``format``: the index's tables, key levels, writer and key filter;
* ``index``: :class:`Place` and the reader, :class:`Gazetteer`;
* ``ranking``: one scoring of candidates for the geocoder and the geoparser;
* ``layers``: country layers in the GeoNames dump layout, read and applied to an index;
* ``build``: the base build from the data packages, with the stored layers on top;
* ``cache``: where the index lives, :func:`load` (built when missing), installing layers.
"""

from geo.gazetteer.cache import DUMP_URL, fingerprint, index_path, install_countries, install_paths, load
from geo.gazetteer.index import AREA_FEATURES, FEATURE_PRECISION, PROVINCE_WORDS, Gazetteer, Place
from geo.gazetteer.layers import LayerError, StoredLayer, stored_layers

__all__ = ["Gazetteer", "Place", "load", "index_path", "fingerprint", "install_paths", "install_countries",
           "stored_layers", "StoredLayer", "LayerError", "DUMP_URL", "FEATURE_PRECISION", "PROVINCE_WORDS",
           "AREA_FEATURES"]
