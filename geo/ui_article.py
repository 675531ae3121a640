"""Streamlit UI for turning an article into a saved incident, and for importing files.

Flow: paste or upload → ``events.parse`` → highlighted mentions with roles → the analyst
corrects any field → save to the store (the map shows it on the next run).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from geo import articles, events, importers
from geo.gazetteer import Gazetteer
from geo.geocoder import Locator
from geo.loading import import_result
from geo.mapview import safe_url
from geo.records import GROUP_ROLES
from geo.store import Store

EVENT_TYPES = ["Explosions/Remote violence", "Battles", "Violence against civilians", "Strategic developments",
               "Protests", "Riots"]


def article_panel(gazetteer: Callable[[], Gazetteer], store: Store) -> None:
    """``gazetteer`` is a loader: the panel only needs it once an article is parsed."""
    st.subheader("Add an incident from an article")
    if "saved_note" in st.session_state:
        st.success(st.session_state.pop("saved_note"))
    upload = st.file_uploader("Upload an article (.txt or .html, up to 2 MB)", type=["txt", "html", "htm"],
                              key="article_upload")
    text = st.text_area("…or paste its text", height=200, key="article_text", max_chars=500_000)
    c1, c2, c3 = st.columns([1, 2, 2])
    published = c1.date_input("Published", value=date.today(), format="YYYY-MM-DD", key="article_published")
    source = c2.text_input("Source (outlet, date)", key="article_source", max_chars=300)
    url = c3.text_input("Link (http or https)", key="article_url", max_chars=2000)
    if st.button("Find places and the event", type="primary"):
        if upload is not None:
            try:
                text = articles.decode_upload(upload.getvalue(), upload.name)
            except articles.ArticleError as error:
                st.error(str(error))
                return
        if not text.strip():
            st.error("Paste an article or upload a file first.")
            return
        pub = published if isinstance(published, date) else None
        st.session_state["parsed"] = (text, pub, events.parse(text, pub, gazetteer()))
    if "parsed" not in st.session_state:
        return
    text, pub, result = st.session_state["parsed"]
    spans = [(m.start, m.end, m.role, f"{m.name} ({m.country_code or '?'}, {m.feature or 'unresolved'})")
             for m in result.mentions]
    st.html(articles.highlight_html(text[:200_000], spans))
    st.caption(f"{len(result.mentions)} place mentions; red = where the event happened, blue = context.")
    if not result.incidents:
        st.info("No event location found in this text; fill in the fields to save one by hand.")
    _incident_form(result, pub, source, url, store)


def _incident_form(result: events.ParseResult, published: date | None, source: str, url: str, store: Store) -> None:
    main = result.incidents[0] if result.incidents else None
    with st.form("save_incident"):
        st.markdown("**Check and correct before saving**")
        c1, c2, c3 = st.columns(3)
        event_date = c1.date_input("Event date", value=(main.event_date if main and main.event_date else published)
                                   or date.today(), format="YYYY-MM-DD")
        precision = c2.selectbox("Date precision", [1, 2, 3], index=((main.time_precision if main else 1) - 1),
                                 format_func=lambda p: {1: "exact day", 2: "within a week", 3: "within a month"}[p])
        etype = c3.selectbox("Event type", EVENT_TYPES,
                             index=EVENT_TYPES.index(main.event_type) if main and main.event_type in EVENT_TYPES else 0)
        c4, c5 = st.columns(2)
        group = c4.text_input("Group", value=main.group if main else "", max_chars=200)
        role = c5.selectbox("Group role", GROUP_ROLES,
                            index=GROUP_ROLES.index(main.group_role) if main and main.group_role in GROUP_ROLES else 2)
        c6, c7, c8 = st.columns(3)
        location = c6.text_input("Place", value=main.location if main else "", max_chars=200)
        lat = c7.number_input("Latitude", min_value=-90.0, max_value=90.0,
                              value=main.latitude if main and main.latitude is not None else None, format="%.5f")
        lon = c8.number_input("Longitude", min_value=-180.0, max_value=180.0,
                              value=main.longitude if main and main.longitude is not None else None, format="%.5f")
        c9, c10 = st.columns(2)
        killed = c9.number_input("Killed (empty = not reported)", min_value=0, step=1,
                                 value=main.killed if main else None)
        injured = c10.number_input("Injured (empty = not reported)", min_value=0, step=1,
                                   value=main.injured if main else None)
        notes = st.text_area("Summary in your own words", max_chars=1000)
        if not st.form_submit_button("Save incident"):
            return
    if not location.strip() or lat is None or lon is None:
        st.error("A place with latitude and longitude is needed to put the incident on the map.")
        return
    if url and not safe_url(url):
        st.error("The link must start with http:// or https://.")
        return
    base = main or events.EventRecord(None, 1, "", "unknown", "", None, None, None, "", "", None, None, "", 0, 0)
    edited = events.EventRecord(event_date if isinstance(event_date, date) else None, int(precision),
                                group.strip() or "Unknown", role, location.strip(), float(lat), float(lon),
                                base.geo_precision or 1, base.country_code, base.admin1,
                                None if killed is None else int(killed), None if injured is None else int(injured),
                                etype, base.mention_start, base.mention_end, base.sub_event_type, base.mention)
    incident = events.to_incident(edited, source=source.strip(), source_url=url.strip(), published=published,
                                  notes=notes.strip(), event_id="USER-NEW")
    incident = store.add_new(incident, "USER")
    st.session_state["saved_note"] = (f"Saved {incident.event_id}: {incident.event_date} at {incident.location}. "
                                      "It is on the map now.")
    del st.session_state["parsed"]
    st.rerun()  # redraw the map and table with the new incident


def import_panel(store: Store, locator: Callable[[], Locator]) -> None:
    st.subheader("Import incident records")
    fmt = st.selectbox("Format", sorted(importers.FORMATS), key="import_format",
                       format_func=lambda f: {"native": "This project's CSV", "acled": "ACLED export (CSV)",
                                              "ucdp": "UCDP GED (CSV)"}[f])
    upload = st.file_uploader(f"CSV file (up to {importers.MAX_BYTES // 2**20} MB)", type=["csv", "txt"],
                              key="import_upload")
    if upload is None or not st.button("Import", key="import_go"):
        return
    try:
        result = importers.read_bytes(upload.getvalue(), upload.name, fmt)
    except importers.BadFile as error:
        st.error(f"Nothing was imported. {error}")
        return
    report = import_result(store, result, locator())
    st.success(f"{upload.name}: {report.summary()}")
    for line in report.warnings:
        st.warning(line)
    if report.rejected:
        st.dataframe({"rejected row": report.rejected}, hide_index=True)
