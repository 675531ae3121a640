"""Streamlit UI for correcting stored incidents: pick one, edit or delete it, merge a likely
duplicate into it, and undo any change from its history.

Editors only (``geo.roles``). Every write goes through the store's audited paths
(``Store.upsert`` with action "edit", ``Store.delete``, ``Store.merge``, ``Store.restore``),
counts against the session's allowance like an article save, and reruns the page so the
map and table show it. A renamed place is looked up again, with its candidates in a table
and on a small map (:mod:`geo.ui.place_pick`): the old point never stays under a new name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import IncidentMapError
from geo.gazetteer import Gazetteer
from geo.geocoding.offline import OfflineGeocoder
from geo.ingest import review
from geo.map.basemap import base_map
from geo.records import GROUP_ROLES, Incident
from geo.roles import Access
from geo.safetext import markdown_literal, safe_url
from geo.store import curation, duplicates
from geo.store.database import DECISION, AuditEntry, Source, Store
from geo.store.reports import Report, reports_for
from geo.ui import place_pick
from geo.ui.ingest import show_reports
from geo.ui.roles import read_only_note
from geo.ui.state import count_writes, refusal, secret, write_limit_message, writes_left

GazetteerLoader = Callable[[], Gazetteer]
LabelsLoader = Callable[[], list[tuple[str, float, float]]]
PRECISIONS = {1: "exact day", 2: "within a week", 3: "within a month"}
HISTORY = 50  # audit entries shown for one incident
RECENT = 20  # recent changes of any incident (a deleted one can be put back from here)
NOTE = "curate_note"


def curate_panel(store: Store, gazetteer: GazetteerLoader, labels: LabelsLoader, access: Access) -> None:
    st.subheader("Edit incidents")
    if not access.can_write:
        read_only_note("Editing incidents", access)
        return
    if NOTE in st.session_state:
        st.success(markdown_literal(st.session_state.pop(NOTE)))
    focus = _focus()
    if focus and st.session_state.get("curate_focus_seen") != focus:  # a row picked in the table: open it
        st.session_state["curate_focus_seen"] = focus
        st.session_state["curate_query"] = focus
    query = st.text_input("Find an incident (id, place or group)", key="curate_query", max_chars=200)
    version = store.version()
    found = _lookup(version, query, store)
    if not found:
        st.info("No stored incident matches." if query.strip() else "The store is empty.")
    else:
        picked = st.selectbox("Incident", range(len(found)), key=f"curate_pick_{query}",
                              format_func=lambda k: _label(found[k]))
        incident = found[picked if picked is not None else 0]
        with st.container(key="curate_editor"):  # its labels repeat the article form's: tests look in here
            _editor(store, version, incident, gazetteer, labels, access)
    _recent(store, version, access)


@st.cache_data(show_spinner=False, max_entries=32)
def _lookup(version: tuple[str, int], text: str, _store: Store) -> list[Incident]:
    """The editor's search, once per store revision: a text search reads every row's place
    and group, which on a large store should not run again on each redraw."""
    return duplicates.lookup(_store, text)


def _focus() -> str:
    value: Any = st.session_state.get("map_focus")
    if isinstance(value, dict):
        value = value.get("event_id")
    return value.strip() if isinstance(value, str) else ""


def _label(i: Incident) -> str:
    return f"{i.event_id} · {i.event_date} · {i.location} · {i.group}"


@st.cache_data(show_spinner=False, max_entries=32)
def _about(version: tuple[str, int], incident: Incident, _store: Store,
           ) -> tuple[list[Source], list[duplicates.Duplicate], list[AuditEntry], list[Report]]:
    """The incident's sources, likely duplicates, history and ingested reports, read once per
    store revision: the tab is drawn on every full rerun of the page (a filter change), not
    only when used."""
    return (_store.sources(incident.event_id), duplicates.likely_duplicates(_store, incident),
            _store.audit(incident.event_id, HISTORY), reports_for(_store, [incident.event_id]).get(incident.event_id, []))


@st.cache_data(show_spinner=False, max_entries=8)
def _changes(version: tuple[str, int], _store: Store) -> tuple[list[AuditEntry], list[AuditEntry]]:
    """The newest deletes of incidents still deleted (one already put back has nothing to
    undo), and the newest changes of any kind, once per store revision."""
    deleted = [e for e in _store.audit(limit=RECENT, change="delete") if _store.get(e.event_id) is None]
    return deleted, _store.audit(limit=RECENT)


def _editor(store: Store, version: tuple[str, int], incident: Incident, gazetteer: GazetteerLoader,
            labels: LabelsLoader, access: Access) -> None:
    key = f"cur_{incident.event_id}_{abs(hash(incident))}"  # a stored change draws the form afresh
    sources, likely, history, told = _about(version, incident, store)
    if sources:  # plain cells and a checked link: text from records is never read as markup
        st.caption(f"{len(sources)} source{'s' if len(sources) != 1 else ''}:")
        st.dataframe([{"source": s.source, "link": safe_url(s.source_url) or None, "published": s.published,
                       "merged by": s.added_by, "merged at": s.added_at} for s in sources],
                     hide_index=True, key=f"{key}_sources",
                     column_config={"link": st.column_config.LinkColumn("link")})
    show_reports(told)
    c1, c2, c3 = st.columns(3)
    event_date = c1.date_input("Event date", value=incident.event_date, min_value=date(1900, 1, 1),
                               format="YYYY-MM-DD", key=f"{key}_date")
    precision = c2.selectbox("Date precision", list(PRECISIONS), key=f"{key}_precision",
                             index=list(PRECISIONS).index(incident.time_precision)
                             if incident.time_precision in PRECISIONS else 0, format_func=PRECISIONS.__getitem__)
    etype = c3.text_input("Event type", value=incident.event_type, key=f"{key}_type", max_chars=200)
    c4, c5, c6 = st.columns(3)
    group = c4.text_input("Group", value=incident.group, key=f"{key}_group", max_chars=200)
    role = c5.selectbox("Group role", GROUP_ROLES, key=f"{key}_role",
                        index=GROUP_ROLES.index(incident.group_role) if incident.group_role in GROUP_ROLES else 2)
    target = c6.text_input("Target", value=incident.target, key=f"{key}_target", max_chars=200)
    c7, c8 = st.columns(2)
    killed = c7.number_input("Killed (empty = not reported)", min_value=0, step=1, value=incident.killed,
                             key=f"{key}_killed")
    injured = c8.number_input("Injured (empty = not reported)", min_value=0, step=1, value=incident.injured,
                              key=f"{key}_injured")
    notes = st.text_area("Notes", value=incident.notes, key=f"{key}_notes", max_chars=5000)
    place = _place(key, incident, gazetteer, labels)
    changes: dict[str, str] = {
        "event_date": event_date.isoformat() if isinstance(event_date, date) else "",
        "time_precision": str(precision), "event_type": etype, "group": group, "group_role": str(role),
        "target": target, "notes": notes,
        "killed": "" if killed is None else str(int(killed)), "injured": "" if injured is None else str(int(injured)),
    }
    left, right = st.columns(2)
    if left.button("Save changes", type="primary", key=f"{key}_save"):
        _save(store, incident, changes, place, access)
    with right:
        sure = st.checkbox("Yes, delete this incident (it can be undone)", key=f"{key}_sure")
        if st.button("Delete incident", key=f"{key}_delete", disabled=not sure):
            _write(access, 1, lambda: store.delete([incident.event_id], actor=access.actor),
                   f"Deleted {incident.event_id}. Undo it under \"Deleted incidents\".")
    _duplicates(store, incident, likely, access, key)
    _history(store, incident.event_id, history, access)


def _place(key: str, incident: Incident, gazetteer: GazetteerLoader, labels: LabelsLoader,
           ) -> place_pick.SavedPlace | place_pick.PlaceNotChosen:
    """The place fields; a new name is looked up again and its best match taken unless
    another candidate is picked. Returns what a save keeps, or why it cannot."""
    st.markdown("**Where it happened**")
    c1, c2, c3 = st.columns([2, 1, 1])
    name = c1.text_input("Place name", value=incident.location, key=f"{key}_place", max_chars=200,
                         help="A new name is looked up again: pick one of its candidates below.")
    country = c2.text_input("Country code", value=incident.country_code, key=f"{key}_country", max_chars=60)
    admin1 = c3.text_input("Province (admin1)", value=incident.admin1, key=f"{key}_admin1", max_chars=100)
    stored = None if incident.latitude is None or incident.longitude is None else place_pick.PlacePoint(
        incident.location, incident.latitude, incident.longitude, incident.geo_precision or 1,
        incident.country_code, incident.admin1)
    points: list[place_pick.PlacePoint] = []
    if place_pick.same_name(name, incident.location):
        choice = place_pick.PlaceChoice(incident.location, stored, incident.mention)
        if stored is not None:
            st.caption(markdown_literal(f"Point: {stored.latitude:.4f}, {stored.longitude:.4f} "
                                        "(rename the place to look it up again)."))
    else:
        gaz = gazetteer()
        code = (gaz.country_code_for(country.strip()) or "") if country.strip() else ""
        found = OfflineGeocoder(gaz).options(name.strip(), code or None, admin1.strip() or None) if name.strip() else []
        points = [place_pick.point_of_place(p) for p in found[:place_pick.MAX_CANDIDATES]]
        point = None
        if points:
            st.caption(f"Places called {markdown_literal(name.strip())} in the offline gazetteer:")
            left, right = st.columns([3, 2])
            with left:
                st.dataframe(place_pick.candidate_rows(points), hide_index=True, key=f"{key}_candidates")
                pick = st.selectbox("Use this place", range(len(points)), index=0, key=f"{key}_pick_{name.strip()}",
                                    format_func=lambda k: place_pick.candidate_label(k + 1, points[k]))
                point = points[pick] if pick is not None else None
            with right:
                shown, chosen = place_pick.map_points(points, point)
                centre, zoom = place_pick.map_view(shown)
                st_folium(base_map(labels(), tiles=secret("map_tiles")), key=f"{key}_map", height=260,
                          use_container_width=True, returned_objects=[], center=centre, zoom=zoom,
                          feature_group_to_add=place_pick.candidate_layer(shown, chosen, numbered=len(points)))
        elif name.strip():
            st.warning(f"No place called {markdown_literal(name.strip())} in the offline gazetteer: saved without "
                       "a point, listed under \"not on the map\".")
        choice = place_pick.PlaceChoice(" ".join(name.split()), point)
    try:
        return place_pick.decide_save(name, choice, len(points), country_hint=country, admin1_hint=admin1)
    except place_pick.PlaceNotChosen as error:
        return error


def _save(store: Store, incident: Incident, changes: dict[str, str],
          place: place_pick.SavedPlace | place_pick.PlaceNotChosen, access: Access) -> None:
    if isinstance(place, place_pick.PlaceNotChosen):
        st.error(markdown_literal(f"Not saved: {place}"))
        return
    try:
        new = curation.edited(incident, changes)
    except IncidentMapError as error:
        st.error(markdown_literal(f"Not saved: {error}"))
        return
    new = new.replace(location=place.location, latitude=place.latitude, longitude=place.longitude,
                      geo_precision=place.geo_precision, country_code=place.country_code, admin1=place.admin1)
    if new == incident:
        st.info("Nothing changed.")
        return
    where = "on the map" if new.located else "not on the map (no point for this place)"
    _write(access, 1, lambda: store.upsert([new], actor=access.actor, action="edit", limit=writes_left()),
           f"Saved {incident.event_id}: {where}.")


def _write(access: Access, changes: int, write: Callable[[], object], note: str) -> None:
    """Run one audited write within the session's allowance, then redraw the page."""
    if not access.can_write:  # the panel is not drawn for a reader; this guards the write itself
        st.error(markdown_literal(f"Not saved. {access.how}"))
        return
    left = writes_left()
    if left is not None and left < changes:
        st.error(markdown_literal(write_limit_message(left)))
        return
    try:
        write()
    except IncidentMapError as error:  # over the allowance, an id gone meanwhile, nothing to undo, a bad value
        st.error(refusal(error))
        return
    count_writes(0, changes)
    st.session_state[NOTE] = note
    st.rerun()  # the map, counts and table show the change


def _duplicates(store: Store, incident: Incident, found: list[duplicates.Duplicate], access: Access,
                key: str) -> None:
    if not found:
        return
    with st.expander(f"{len(found)} likely duplicate{'s' if len(found) != 1 else ''} (same day ± "
                     f"{duplicates.DAYS}, within {duplicates.KM:.0f} km, same or unknown group)", expanded=True):
        for d in found:
            c1, c2 = st.columns([4, 1])
            apart = "same place name" if d.km is None else f"{d.km:.1f} km away"
            c1.markdown(markdown_literal(f"{_label(d.incident)} · {apart} · killed {_toll(d.incident.killed)}, "
                                         f"injured {_toll(d.incident.injured)} · {d.incident.source or 'no source'}"))
            other = d.incident.event_id
            if c2.button("Merge into this one", key=f"{key}_merge_{other}",
                         help=f"{other} is deleted (undoable) and its sources added to {incident.event_id}"):
                _write(access, 2, partial(store.merge, incident.event_id, other, actor=access.actor),
                       f"Merged {other} into {incident.event_id}: one incident, all sources kept.")


def _toll(value: int | None) -> str:
    return "?" if value is None else str(value)


def _changed(entry: AuditEntry) -> str:
    if entry.change != "update" or entry.before is None:
        return ""
    names = [n for n in entry.after if entry.before.get(n) != entry.after.get(n)]
    return ", ".join(f"{n}: {entry.before.get(n)!s:.40} → {entry.after.get(n)!s:.40}" for n in names[:6])


def _entries(store: Store, entries: list[AuditEntry], access: Access, prefix: str) -> None:
    for e in entries:
        c1, c2 = st.columns([5, 1])
        what = _changed(e)
        c1.markdown(markdown_literal(f"#{e.id} · {e.at} · {e.actor} · {e.action} · {e.change} {e.event_id}"
                                     + (f" · {what}" if what else "")))
        if e.change == DECISION:  # a review decision: taken back in the queue's own way (a link it filed goes)
            if c2.button("Undo", key=f"{prefix}_undo_{e.id}", help="Open this review entry again"):
                _write(access, 1, partial(review.reopen, store, int(e.after["review"]), actor=access.actor),
                       f"Reopened review #{e.after['review']}.")
        elif c2.button("Undo", key=f"{prefix}_undo_{e.id}", help="Put the record back as it was before this change"):
            _write(access, 1, partial(store.restore, e.id, actor=access.actor),
                   f"Undid #{e.id}: {e.event_id} is as it was before it.")


def _history(store: Store, event_id: str, entries: list[AuditEntry], access: Access) -> None:
    with st.expander(f"History of {event_id} ({len(entries)} change{'s' if len(entries) != 1 else ''})",
                     expanded=True):
        _entries(store, entries, access, "hist")


def _recent(store: Store, version: tuple[str, int], access: Access) -> None:
    deleted, recent = _changes(version, store)
    if deleted:
        with st.expander(f"Deleted incidents (the newest {RECENT}; Undo puts one back)"):
            _entries(store, deleted, access, "deleted")
    with st.expander("Recent changes (any incident)"):
        _entries(store, recent, access, "recent")
