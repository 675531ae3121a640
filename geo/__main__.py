"""Command line: ``python -m geo parse|geocode|import|ingest|export|edit|delete|undo|merge|history``
(contract in docs/DESIGN.md).

Offline by default; the store is the one ``INCIDENTS_DB`` names (see ``geo.settings``).
A bad input line in a ``--jsonl`` run gets an ``"error"`` field and the run goes on.
Exit status: 0 when the command ran; 1 when it was refused, with ``COMMAND: why`` on stderr;
2 for a command line it cannot use.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from geo import filters, gazetteer, settings
from geo.errors import FileError, IncidentMapError, InvalidInput, UsageError
from geo.formats import FILE_FORMATS, export
from geo.geocoding.budget import lookup_run
from geo.geocoding.offline import GeocodeResult, Locator, OfflineGeocoder
from geo.geocoding.online import make_locator
from geo.ingest import articles
from geo.ingest.loading import import_file
from geo.roles import CLI_ACTOR
from geo.store import curation, queries
from geo.store.database import NotStored, Store


@contextmanager
def _open_store() -> Iterator[Store]:
    """The store ``INCIDENTS_DB`` names, closed when the command is done: the one place a
    command opens it (a wrong or unreachable one is an ``UnsupportedStore`` for ``main``)."""
    store = Store(settings.store_url())
    try:
        yield store
    finally:
        store.close()


def _locator() -> Locator:
    offline = OfflineGeocoder(gazetteer.load())
    return make_locator(offline, provider=os.environ.get("GEOCODER"),
                        user_agent=os.environ.get("GEOCODER_USER_AGENT"),
                        api_key=os.environ.get("GEOCODER_API_KEY"), domain=os.environ.get("GEOCODER_DOMAIN"),
                        cache=settings.cache_dir() / "geocode-cache.sqlite3", limits=settings.geocoder_limits())


class _LazyLocator:
    """Loads the gazetteer (and any online geocoder) on the first name to place, so an
    import whose rows all have coordinates never waits for it."""

    def __init__(self) -> None:
        self._inner: Locator | None = None

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        if self._inner is None:
            self._inner = _locator()
        return self._inner.locate(query, country, admin1)


def _jsonl(stream: TextIO, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """One JSON object a line in, one out. A line that is not an object, or that ``handle``
    refuses, gets an ``"error"`` field instead and the run goes on (the contract)."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
        except ValueError as error:
            print(json.dumps({"id": None, "error": f"line {number}: {error}"}), flush=True)
            continue
        try:
            out = {"id": item.get("id"), **handle(item)}
        except (IncidentMapError, ValueError, TypeError, KeyError) as error:  # this line's; the run goes on
            out = {"id": item.get("id"), "error": f"line {number}: {error}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)


def _geocode_item(locator: Locator, query: Any, country: str | None, admin1: Any = None,
                  admin2: Any = None) -> dict[str, Any]:
    """One answer; ``admin1``/``admin2`` (optional) are the record's province and district,
    hard limits like the country (a district is passed as a comma container)."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("query must be a non-empty string")
    if isinstance(admin2, str) and admin2.strip():
        query = f"{query}, {admin2.strip()}"
    found = locator.locate(query, country, admin1.strip() if isinstance(admin1, str) and admin1.strip() else None)
    if found is None:
        return {"name": None, "latitude": None, "longitude": None, "geo_precision": None,
                "country_code": None, "feature": None}
    return {"name": found.name, "latitude": found.latitude, "longitude": found.longitude,
            "geo_precision": found.geo_precision, "country_code": found.country_code, "feature": found.feature}


def cmd_geocode(args: argparse.Namespace) -> None:
    if not args.jsonl and not args.name:
        raise UsageError("give a NAME or --jsonl")
    locator = _locator()
    with lookup_run() as run:  # no allowance on the command line; notices go to stderr
        if args.jsonl:
            _jsonl(sys.stdin, lambda item: _geocode_item(locator, item.get("query"), item.get("country"),
                                                         item.get("admin1"), item.get("admin2")))
        else:
            print(json.dumps(_geocode_item(locator, args.name, args.country, args.admin1, args.admin2),
                             ensure_ascii=False))
    for line in run.notices.lines():
        print(f"warning: {line}", file=sys.stderr)


def _published(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value))


def _read_article(name: str) -> tuple[str, date | None]:
    """(text, published) of a file or stdin (``-``), at most ``articles.MAX_ARTICLE_BYTES``.
    An HTML page is reduced to its text, and the date its metadata says it was published
    comes with it. ``FileError`` or ``ArticleError`` says why there is no text."""
    limit = articles.MAX_ARTICLE_BYTES
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with open(name, "rb") as stream:
                raw = stream.read(limit + 1)
    except OSError as error:
        raise FileError(f"{name}: {error.strerror or error}") from None
    label = "stdin" if name == "-" else name
    if len(raw) > limit:
        raise articles.ArticleError(f"{label}: over the {limit // 2**20} MB article limit; trim it to the article text")
    return articles.decode_upload(raw, label), articles.upload_published(raw, label)


def cmd_parse(args: argparse.Namespace) -> None:
    from geo import geoparse
    from geo.geoparse import worker as parse_worker

    text: str | None = None
    page_date: date | None = None
    if not args.jsonl:
        if not args.file:
            raise UsageError("give FILE, - for stdin, or --jsonl")
        text, page_date = _read_article(args.file)
        # before the gazetteer loads: a refusal is instant
        parse_worker.check_length(text, name="stdin" if args.file == "-" else args.file)
    gaz = gazetteer.load()
    gc.freeze()  # long-lived parser tables never die: keep them out of GC passes

    def handle(item: dict[str, Any]) -> dict[str, Any]:
        text = item.get("text")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        parse_worker.check_length(text)  # TextTooLong: the line gets an "error", the run goes on
        result: dict[str, Any] = geoparse.parse(text, _published(item.get("published")), gaz).to_json()
        return result

    if args.jsonl:
        _jsonl(sys.stdin, handle)
        return
    published = args.published or page_date  # the flag wins over the page
    print(json.dumps(handle({"text": text, "published": published}), ensure_ascii=False))


def cmd_import(args: argparse.Namespace) -> None:
    """Any size: the file is read as it is saved. A bad header fails fast, before the
    gazetteer loads; a progress bar goes to stderr when it is a terminal."""
    bar = (lambda _what, done, total: _progress(f"importing {Path(args.file).name}"[:32], done, total)) \
        if sys.stderr.isatty() else None
    try:
        with _open_store() as store:
            report = import_file(store, args.file, _LazyLocator(), args.format, actor=CLI_ACTOR,
                                 update_existing=args.update_existing, progress=bar)
    finally:
        if bar is not None:
            sys.stderr.write("\n")  # the bar's line ends, whether the import was done or refused
    print(f"{args.file}: {report.summary()}")
    for line in report.rejected:
        print(f"rejected: {line}")
    for event_id, reason in report.unlocated.items():
        print(f"not placed: {event_id}: {reason}")
    if report.unlocated_count and report.unlocated_count > len(report.unlocated):
        print(f"not placed: … and {report.unlocated_count - len(report.unlocated):,} more")
    for line in report.warnings:
        print(f"warning: {line}")


def _ingest_progress(what: str, done: int, total: int) -> None:
    if total:
        _progress(what, done, total)
    else:  # a stream of unknown length: a count
        sys.stderr.write(f"\r{what}: {done:,} articles")
        sys.stderr.flush()


def cmd_ingest(args: argparse.Namespace) -> None:
    """Folders, JSON lines, feeds: every article parsed (in parallel), its incidents filed
    (reports of one event merged), a summary on stdout and, with ``--report``, as JSON.
    With ``--every M`` the inputs are read again every M minutes (a feed's new items are
    filed, the rest is recognised as already ingested), for ``--rounds`` rounds or until
    stopped."""
    import time

    rounds = 0
    with _open_store() as store:
        while True:
            started = time.monotonic()
            _ingest_round(args, store)
            rounds += 1
            if not args.every or args.rounds and rounds >= args.rounds:
                return
            time.sleep(max(0.0, args.every * 60 - (time.monotonic() - started)))


def _ingest_round(args: argparse.Namespace, store: Store) -> None:
    from geo.ingest.inputs import read_inputs
    from geo.ingest.run import ingest

    bar = _ingest_progress if sys.stderr.isatty() else None
    items = read_inputs(args.inputs, fetch_pages=not args.no_pages)
    summary = ingest(items, store, actor=CLI_ACTOR, jobs=args.jobs or os.cpu_count() or 1,
                     dask=args.dask or "", progress=bar)
    if bar is not None:
        sys.stderr.write("\n")
    if args.every:
        print(f"# {datetime.now(UTC).isoformat(timespec='seconds')}", flush=True)
    for line in summary.lines():
        print(line)
    for key, reason in summary.failed:
        print(f"not read: {key}: {reason}")
    for key, reason in summary.rejected:
        print(f"rejected: {key}: {reason}")
    if args.report:
        try:
            Path(args.report).write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as error:
            raise FileError(f"{args.report}: {error.strerror or error}") from None
    sys.stdout.flush()


def cmd_audit(args: argparse.Namespace) -> None:
    """The audit log as JSON lines, newest first."""
    with _open_store() as store:
        for entry in store.audit(args.event_id, args.limit):
            print(_entry_json(entry))


def _entry_json(entry: Any) -> str:
    return json.dumps({"id": entry.id, "at": entry.at, "actor": entry.actor, "action": entry.action,
                       "change": entry.change, "event_id": entry.event_id, "before": entry.before,
                       "after": entry.after}, ensure_ascii=False)


def cmd_edit(args: argparse.Namespace) -> None:
    """Change fields of one stored incident, checked as an import checks them. A new place
    name without coordinates is geocoded again (offline unless GEOCODER is set)."""
    changes: dict[str, str] = {}
    for item in args.changes:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{item!r} is not FIELD=VALUE")
        changes[name.strip()] = value
    with _open_store() as store:
        _edit(store, args.event_id, changes)


def _edit(store: Store, event_id: str, changes: dict[str, str]) -> None:
    old = store.get(event_id)
    if old is None:
        raise NotStored(f"no incident with id {event_id!r}")
    try:
        new = curation.edited(old, changes)
    except InvalidInput as error:  # names the field and the problem; the id says which incident
        raise InvalidInput(f"{event_id}: {error}") from None
    if curation.place_changed(old, new):
        found = _LazyLocator().locate(new.location, new.country_code or None, new.admin1 or None)
        if found is None:
            print(f"warning: {new.location!r} not found: saved without a point (not on the map)", file=sys.stderr)
        else:
            new = new.replace(latitude=found.latitude, longitude=found.longitude, geo_precision=found.geo_precision,
                              country_code=found.country_code or new.country_code, admin1=found.admin1 or new.admin1)
            print(f"placed {new.location!r} at {found.name} ({found.feature or 'place'}, "
                  f"{found.latitude:.4f}, {found.longitude:.4f})", file=sys.stderr)
    if new == old:
        print(f"{event_id}: unchanged")
        return
    store.upsert([new], actor=CLI_ACTOR, action="edit")
    print(_entry_json(store.audit(event_id, 1)[0]))


def cmd_delete(args: argparse.Namespace) -> None:
    with _open_store() as store:
        store.delete(args.event_ids, actor=CLI_ACTOR)  # all or nothing
        for event_id in dict.fromkeys(args.event_ids):
            print(f"{event_id}: deleted (undo with: python -m geo undo {store.audit(event_id, 1)[0].id})")


def cmd_undo(args: argparse.Namespace) -> None:
    with _open_store() as store:
        done = store.restore(args.audit_id, actor=CLI_ACTOR)
    for event_id, change in done:
        print(f"{event_id}: {'put back' if change == 'add' else 'removed' if change == 'delete' else 'restored'} "
              f"as before #{args.audit_id}")


def cmd_merge(args: argparse.Namespace) -> None:
    with _open_store() as store:
        store.merge(args.keep, args.other, actor=CLI_ACTOR)
        print(f"merged {args.other} into {args.keep}: {len(store.sources(args.keep))} sources "
              f"(undo with: python -m geo undo {store.audit(args.other, 1)[0].id})")


def cmd_history(args: argparse.Namespace) -> None:
    """One record's changes as JSON lines, newest first, and its sources."""
    with _open_store() as store:
        entries = store.audit(args.event_id, args.limit)
        if not entries:
            raise NotStored(f"no change recorded for {args.event_id!r}")
        for entry in entries:
            print(_entry_json(entry))
        for source in store.sources_for([args.event_id]).get(args.event_id, []):  # those merged in
            print(json.dumps({"source": source.source, "source_url": source.source_url, "published": source.published,
                              "added_at": source.added_at, "added_by": source.added_by}, ensure_ascii=False))


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def cmd_export(args: argparse.Namespace) -> None:
    """Streamed from a filtered query: a million rows are written as they are read."""
    from geo.store.groups import hierarchy_of

    chosen = filters.Filters(args.since or date.min, args.until or date.max, tuple(args.group or ()),
                             tuple(c.upper() for c in args.country or ()), tuple(args.type or ()), dated=args.dates)
    with _open_store() as store:
        if args.format == "html":  # one self-contained page of the map (geo.map.standalone)
            from geo.map.basemap import place_labels
            from geo.map.standalone import filtered_html

            page = filtered_html(store, chosen, hierarchy_of(store), place_labels(gazetteer.load()), title=args.title)
            sys.stdout.write(page)
            sys.stderr.write(f"wrote a map of {len(page.encode('utf-8')) / 1e6:.1f} MB (opens offline in a browser)\n")
            return
        rows = queries.stream(store, hierarchy_of(store).widened(chosen))  # a parent takes in its fronts, as in the app
        (export.write_csv if args.format == "csv" else export.write_geojson)(rows, sys.stdout)


def _progress(what: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr (downloads and indexing take a while)."""
    if total:
        width = 30
        filled = int(width * min(done, total) / total)
        sys.stderr.write(f"\r{what:<32} [{'#' * filled}{'.' * (width - filled)}] {done * 100 // total:3d}%")
    else:
        sys.stderr.write(f"\r{what:<32} {done / 2**20:8.1f} MB")
    sys.stderr.flush()


def cmd_gazetteer(args: argparse.Namespace) -> None:
    cache = settings.cache_dir()
    if args.action == "list":
        installed = gazetteer.load().layers()
        if not installed:
            print("No country layers installed (the PyPI-based layers only). "
                  "Add some with: python -m geo gazetteer add IQ SY | FILE | DIR")
        for layer in installed:
            print(f"{layer['code']}  {layer['places']:>8,} places  installed {layer['installed']}  from {layer['source']}")
        return
    if not args.targets:
        raise UsageError("give country codes (IQ SY), a GeoNames-layout file, or a folder")
    local = [Path(t) for t in args.targets if Path(t).exists() or not (len(t) == 2 and t.isalpha())]
    codes = [t for t in args.targets if len(t) == 2 and t.isalpha() and not Path(t).exists()]
    try:
        done = gazetteer.install_paths(local, cache, _progress) if local else []
        if codes:
            done += gazetteer.install_countries(codes, cache, _progress)
    finally:
        sys.stderr.write("\n")  # the progress bar's line ends, whether the layers were installed or refused
    for code, count in done:
        print(f"{code}: {count:,} places installed")


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status. What refuses a command (an ``IncidentMapError``
    from any layer) is caught here once: ``COMMAND: message`` on stderr, and the error's
    ``exit_code`` (1; a ``UsageError`` 2, as argparse exits for a malformed command line)."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except IncidentMapError as error:
        command = f"{args.command} {args.action}" if args.command == "gazetteer" else args.command
        print(f"{command}: {error}", file=sys.stderr)
        return error.exit_code
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="find and resolve place mentions in an article")
    p.add_argument("file", nargs="?")
    p.add_argument("--published", type=_date_arg, help="publication date YYYY-MM-DD")
    p.add_argument("--jsonl", action="store_true")
    p.set_defaults(run=cmd_parse)
    g = sub.add_parser("geocode", help="place a name")
    g.add_argument("name", nargs="?")
    g.add_argument("--country")
    g.add_argument("--admin1", help="the province the place lies in (a hard limit)")
    g.add_argument("--admin2", help="the district the place lies in (a hard limit)")
    g.add_argument("--jsonl", action="store_true")
    g.set_defaults(run=cmd_geocode)
    i = sub.add_parser("import", help="load records into the store")
    i.add_argument("file")
    i.add_argument("--format", choices=FILE_FORMATS, default="auto",
                   help="default: found from the header (this project's CSV or GeoJSON, ACLED, UCDP GED)")
    i.add_argument("--update-existing", action="store_true",
                   help="overwrite records already stored under the same id (default: keep them, report them skipped)")
    i.set_defaults(run=cmd_import)
    n = sub.add_parser("ingest", help="parse many articles into the store: folders, zips, JSON lines, RSS/Atom feeds")
    n.add_argument("inputs", nargs="+", metavar="DIR|FILE|FEED_URL")
    n.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    n.add_argument("--dask", metavar="ADDRESS", help='read on a Dask cluster (tcp://HOST:8786), or "local" for a '
                                                     "local cluster of --jobs workers")
    n.add_argument("--report", metavar="FILE.json", help="write the summary as JSON")
    n.add_argument("--no-pages", action="store_true", help="feeds: use each item's own text, do not fetch its page")
    n.add_argument("--every", type=float, metavar="MINUTES", help="read the inputs again every MINUTES (a feed "
                                                                   "watched); --report holds the last round")
    n.add_argument("--rounds", type=int, default=0, help="with --every: stop after this many rounds (0: never)")
    n.set_defaults(run=cmd_ingest)
    a = sub.add_parser("audit", help="who changed which record, when (JSON lines, newest first)")
    a.add_argument("--event-id", help="one record's history")
    a.add_argument("--limit", type=int, default=100)
    a.set_defaults(run=cmd_audit)
    d = sub.add_parser("edit", help="change fields of a stored incident (audited; undo with: undo AUDIT_ID)")
    d.add_argument("event_id")
    d.add_argument("changes", nargs="+", metavar="FIELD=VALUE",
                   help=f"fields: {', '.join(curation.EDITABLE)}; an empty value clears a field")
    d.set_defaults(run=cmd_edit)
    r = sub.add_parser("delete", help="remove stored incidents (kept in the audit log; undo with: undo AUDIT_ID)")
    r.add_argument("event_ids", nargs="+", metavar="EVENT_ID")
    r.set_defaults(run=cmd_delete)
    u = sub.add_parser("undo", help="put a record back as it was before an audit entry (see history)")
    u.add_argument("audit_id", type=int)
    u.set_defaults(run=cmd_undo)
    m = sub.add_parser("merge", help="merge incident OTHER into KEEP: one incident with both sources")
    m.add_argument("keep")
    m.add_argument("other")
    m.set_defaults(run=cmd_merge)
    h = sub.add_parser("history", help="one record's changes (JSON lines, newest first) and merged sources")
    h.add_argument("event_id")
    h.add_argument("--limit", type=int, default=100)
    h.set_defaults(run=cmd_history)
    e = sub.add_parser("export", help="write stored incidents")
    e.add_argument("--format", choices=["csv", "geojson", "html"], default="csv",
                   help="html: one page of the map, Leaflet and data inlined, to publish or open offline")
    e.add_argument("--title", default="Incident map", help="the html page's title")
    e.add_argument("--group", action="append",
                   help="only this group and those filed under it (repeat for several)")
    e.add_argument("--country", action="append", help="only this country code (repeat for several)")
    e.add_argument("--type", action="append", help="only this event type (repeat for several)")
    e.add_argument("--since", type=_date_arg)
    e.add_argument("--until", type=_date_arg)
    e.add_argument("--dates", choices=list(filters.DATED), default="event",
                   help="what --since and --until filter: the event date, or the day it was first reported")
    e.set_defaults(run=cmd_export)
    z = sub.add_parser("gazetteer", help="install or list country layers (GeoNames dump layout)")
    z.add_argument("action", choices=["add", "list"])
    z.add_argument("targets", nargs="*", help="country codes to download, or local files/folders")
    z.set_defaults(run=cmd_gazetteer)
    return parser


if __name__ == "__main__":
    sys.exit(main())
