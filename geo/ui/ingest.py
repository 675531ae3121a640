"""The "Ingest" tab (editors): many articles at once, then what ingest was not sure of.

Upload a zip, a JSON-lines file, a page or a feed file, or give a feed's address; the
articles are parsed and filed (:func:`geo.ingest.run.ingest`) with a progress bar, and
the summary stays on screen. Below, the review queue: merges to confirm or split, and
group names the register does not know, to keep as new groups or file under a parent
with the reporting that says so. Every article text and name shown is escaped or shown
as table data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo import settings
from geo.errors import IncidentMapError
from geo.formats import MAX_UPLOAD_BYTES
from geo.geoparse import actors, confidence
from geo.ingest import review
from geo.ingest.articles import highlight_html
from geo.ingest.filing import Summary
from geo.ingest.inputs import FetchError, Item, fetch_url, read_inputs, read_upload, take
from geo.ingest.run import ingest
from geo.roles import Access
from geo.safetext import markdown_literal, safe_url
from geo.store.database import Store
from geo.store.groups import RELATIONS
from geo.store.reports import Report, reports_for
from geo.ui.roles import auth_config, read_only_note
from geo.ui.state import count_writes, refusal, secret_value, write_limit_message, writes_left

__all__ = ["ingest_panel", "show_reports"]

_SHOWN = 50  # review entries listed at once; the rest follow as these are decided
_DECIDED = 20  # decisions listed for taking back
_JOBS = 2  # worker processes for an ingest: every article is parsed there, never in the server process
MAX_ARTICLES = 2000  # per ingest in the app (a few minutes of the server's CPU); the CLI has no limit


def ingest_panel(store: Store, access: Access) -> None:
    st.subheader("Ingest many articles")
    if not access.can_write:
        read_only_note("Ingesting articles", access)
        return
    st.caption("A zip of .txt/.html files, a JSON-lines file ({\"id\", \"text\", \"published\", \"url\"} per line), "
               "a page, or an RSS/Atom feed. Reports of an event already stored are merged into it as further "
               "sources; larger batches: python -m geo ingest DIR | FILE.jsonl | FEED_URL.")
    upload = st.file_uploader(f"Articles (up to {MAX_UPLOAD_BYTES // 2**20} MB)", key="ingest_upload",
                              type=["zip", "jsonl", "ndjson", "txt", "html", "htm", "xml", "rss", "atom"])
    feed = st.text_input("or a feed's address", key="ingest_feed", placeholder="https://…/feed.xml", max_chars=2000)
    if "ingest_summary" in st.session_state:
        _show_summary(*st.session_state.pop("ingest_summary"))
    if st.button("Ingest", key="ingest_go", disabled=upload is None and not feed.strip()):
        _run(store, access, upload, feed.strip())
    _review_queue(store, access)


def _items(upload: UploadedFile | None, feed: str) -> tuple[str, Iterator[Item]]:
    if upload is not None:
        return upload.name, read_upload(upload.name, upload.getvalue())
    if not safe_url(feed):
        raise FetchError("a feed's address starts with http:// or https://")
    public = auth_config().mode == settings.PUBLIC  # a hosted app fetches nothing on its own network

    def fetch(url: str) -> bytes:
        return fetch_url(url, public=public)

    return feed, read_inputs([feed], fetch=fetch)


def _run(store: Store, access: Access, upload: UploadedFile | None, feed: str) -> None:
    try:
        with st.spinner("Reading the articles …"):
            name, found = _items(upload, feed)
            items, more = take(found, MAX_ARTICLES)  # stops reading at the first article past the limit
    except IncidentMapError as error:  # a feed that cannot be fetched or read
        st.error(markdown_literal(f"Nothing was ingested: {error}"))
        return
    if more:
        st.error(markdown_literal(f"Nothing was ingested: {name} holds more than {MAX_ARTICLES:,} articles, and the app "
                                  f"ingests at most {MAX_ARTICLES:,} at a time. Split it, or use python -m geo ingest."))
        return
    left = writes_left()
    if left is not None and len(items) > left:  # at most one write per article's incident is not known yet: be safe
        st.error(markdown_literal(write_limit_message(left)))
        return
    bar = st.progress(0.0, text="Parsing and filing …")

    def progress(_what: str, done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Parsing and filing … {done:,} of {total:,} articles")

    summary = ingest(items, store, actor=access.actor, jobs=_JOBS, isolated=True, progress=progress,
                     review_below=confidence.review_below(secret_value("review_below")))
    bar.empty()
    count_writes(summary.added, summary.merged)
    st.session_state["ingest_summary"] = (name, summary)
    st.rerun()  # the map and the queue below were drawn before the ingest


def _show_summary(name: str, summary: Summary) -> None:
    st.success(markdown_literal(f"{name}: " + "; ".join(summary.lines())))
    problems = [{"article": k, "not read": r} for k, r in summary.failed] + \
               [{"article": k, "incident not stored": r} for k, r in summary.rejected]
    if problems:
        st.dataframe(problems, hide_index=True)


def _review_queue(store: Store, access: Access) -> None:
    counts = review.open_counts(store)
    merges, new, pins = counts["merge"], counts["group"], counts["place"]
    st.markdown(f"#### To review: {merges:,} merge{'s' if merges != 1 else ''}, "
                f"{new:,} new group name{'s' if new != 1 else ''}, {pins:,} pin{'s' if pins != 1 else ''} to check")
    for entry in review.open_reviews(store, "merge", _SHOWN):
        _merge_entry(store, access, entry)
    groups = review.open_reviews(store, "group", _SHOWN)
    names = actors.register().canonical_names()
    for entry in groups:
        _group_entry(store, access, entry, names)
    for entry in review.open_reviews(store, "place", _SHOWN):
        _place_entry(store, access, entry)
    decided = review.decided_reviews(store, _DECIDED)
    if decided:
        with st.expander(f"Decided recently (the newest {len(decided)}; Undo reopens one)"):
            for entry in decided:
                c1, c2 = st.columns([5, 1])
                c1.markdown(markdown_literal(f"#{entry.id} · {entry.kind} · {entry.status} · {entry.subject}"))
                if c2.button("Undo", key=f"review_reopen_{entry.id}",
                             help="Open this entry again; a link it filed under a parent is removed"):
                    _decide(partial(review.reopen, store, entry.id, actor=access.actor))


def _entry_head(store: Store, entry: review.Review, lead: str, *, place: bool = True) -> None:
    """What an entry is about: its incident, the reason it is listed, and what each report said."""
    incident = store.get(entry.event_id)
    title = (f"{incident.event_date} · " + (f"{incident.location} · " if place else "") + incident.group
             if incident else entry.event_id)
    st.markdown(markdown_literal(f"{lead} {title}: {entry.reason}"))
    show_reports(reports_for(store, [entry.event_id]).get(entry.event_id, []))


def _merge_entry(store: Store, access: Access, entry: review.Review) -> None:
    with st.container(border=True):
        _entry_head(store, entry, "Merged into")
        st.dataframe([{"source": s.source, "link": safe_url(s.source_url) or None, "published": s.published}
                      for s in store.sources(entry.event_id)], hide_index=True,
                     column_config={"link": st.column_config.LinkColumn("link")})
        left, right = st.columns(2)
        if left.button("Confirm: one event", key=f"review_confirm_{entry.id}"):
            _decide(lambda: review.confirm(store, entry.id, actor=access.actor))
        if right.button("Split: two events", key=f"review_split_{entry.id}"):
            _decide(lambda: review.split(store, entry.id, actor=access.actor))


def _place_entry(store: Store, access: Access, entry: review.Review) -> None:
    with st.container(border=True):
        _entry_head(store, entry, "Pin to check:", place=False)
        st.caption(f"If the place is wrong, move it in \"Edit incidents\" (id {markdown_literal(entry.event_id)}) first. "
                   "Until it is checked the map draws it faded.")
        if st.button("Checked: the pin is right", key=f"review_place_{entry.id}"):
            _decide(lambda: review.check_place(store, entry.id, actor=access.actor))


def _group_entry(store: Store, access: Access, entry: review.Review, names: list[str]) -> None:
    incident = store.get(entry.event_id)
    where = f" (first seen: {incident.event_date}, {incident.location})" if incident else ""
    with st.container(border=True):
        st.markdown(markdown_literal(f"New group name: {entry.subject}{where}"))
        if st.button("Keep as a group of its own", key=f"review_keep_{entry.id}"):
            _decide(lambda: review.keep_group(store, entry.id, actor=access.actor))
        with st.form(key=f"review_file_{entry.id}", border=False):
            cols = st.columns([2, 1, 2])
            parent = cols[0].selectbox("Parent", names, index=None, key=f"review_parent_{entry.id}",
                                       placeholder="The group reporting names", accept_new_options=True)
            relation = cols[1].selectbox("Relation", RELATIONS, key=f"review_relation_{entry.id}")
            source = cols[2].text_input("Source (link)", key=f"review_source_{entry.id}", max_chars=2000)
            if st.form_submit_button("File under this parent"):
                _decide(lambda: review.file_group(store, entry.id, parent=parent or "", relation=relation,
                                                  source=source, actor=access.actor))


def show_reports(found: list[Report]) -> None:
    """Each report of an incident: who said it, their group and figures, and the sentences
    it was read from with the place mentions marked (escaped HTML)."""
    if not found:
        return
    with st.expander(f"What each of the {len(found)} reports said"):
        for r in found:
            figures = ", ".join(f"{v} {name}" for name, v in (("killed", r.killed), ("injured", r.injured))
                                if v is not None) or "no toll"
            st.markdown("**" + markdown_literal(f"{r.source or r.article} · {r.group or 'no group'} "
                                                f"({r.group_role}) · {figures}") + "**")
            marks = r.evidence.get("mentions", [])
            for n, sentence in enumerate(r.evidence.get("sentences", [])):
                spans = [(a, b, role, name) for k, a, b, role, name in marks if k == n]
                st.markdown(highlight_html(str(sentence), spans), unsafe_allow_html=True)


def _decide(action: Callable[[], object]) -> None:
    try:
        action()
    except IncidentMapError as error:  # already decided, a bad link, an undo with nothing to undo
        st.error(refusal(error))
        return
    st.rerun()
