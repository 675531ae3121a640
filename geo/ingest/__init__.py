"""Getting incidents into the store: article text, batch ingest of many articles, and record files.

* ``articles``: article text from a paste, an upload or an HTML page (and its date, link, outlet);
* ``inputs``: folders, zips, JSON lines and RSS/Atom feeds read into :class:`Article` items;
* ``reading``: one article parsed (the same function on a process pool or a Dask bag);
* ``matching`` and ``filing``: what was read filed into the store, merging reports of an
  event already stored; ``review`` is the queue of doubtful merges and new group names;
* ``run``: the whole ingest, readers in parallel and one writer in order;
* ``loading``: record files (CSV, ACLED, UCDP, GeoJSON) read, geocoded where they lack a
  point, and saved, as one audited write.
"""

from geo.ingest.inputs import Article, Rejected, read_inputs
from geo.ingest.loading import ImportReport, ensure_bundled, import_file, import_upload
from geo.ingest.run import ingest

__all__ = ["Article", "Rejected", "read_inputs", "ingest", "ImportReport", "import_file", "import_upload",
           "ensure_bundled"]
