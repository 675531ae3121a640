"""Streamlit UI for turning an article into saved incidents, and for importing files.

Flow: paste or upload → ``geoparse.parse`` → highlighted mentions with roles → one box per
incident the story reports (its evidence sentences, place, date, group, toll, type) → the
analyst corrects any field → save one incident, or all (the map shows them on the next run).

Each incident's place sits outside any form, so that editing it looks the name up again at
once: the candidates show in a table and on a small map, and a click on a mention chip makes
that mention the place. What a save keeps is decided in :mod:`geo.ui.place_pick`.

The publication date is asked for, never assumed: it is what "on Monday" counts from. It
starts empty for pasted text and is read from an uploaded page's metadata; an incident with
no event date cannot be saved. Changing it reads the dates again.

Imports have no per-row review (a file is read, geocoded and saved in one go, with bad rows
reported), so there is no place to edit there. They are insert-only unless the editor ticks
"update existing".

Both tabs write, so both need an editor (``geo.roles``); a read-only session sees why
instead of the controls. Every save goes through ``Store.upsert`` under the editor's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import geoparse, settings
from geo.errors import IncidentMapError, InvalidInput
from geo.formats import FILE_FORMATS, MAX_UPLOAD_BYTES
from geo.gazetteer import Gazetteer, Place
from geo.geocoding.offline import Locator, OfflineGeocoder
from geo.geoparse import actors, confidence
from geo.ingest import articles
from geo.ingest.loading import import_upload
from geo.map.basemap import base_map
from geo.map.layer import PRECISION_LABEL, placed_line
from geo.records import GROUP_ROLES, Incident
from geo.roles import Access
from geo.safetext import markdown_literal, safe_url
from geo.store import duplicates
from geo.store.database import Store
from geo.ui import parse as ui_parse
from geo.ui import place_pick
from geo.ui.roles import read_only_note
from geo.ui.state import count_writes, geocoding_quota, refusal, secret, secret_value, writes_left

EVENT_TYPES = ["Explosions/Remote violence", "Battles", "Violence against civilians", "Strategic developments",
               "Protests", "Riots"]
PRECISIONS = {1: "exact day", 2: "within a week", 3: "within a month"}
FIRST_DATE = date(1900, 1, 1)
MAX_GROUP_CHARS = 200  # a typed group name is cut to this
NO_DATE = ("Without the article's publication date, words like \"on Monday\" cannot be placed: enter it above "
           "(the dates are then read again), or type the event date.")

GazetteerLoader = Callable[[], Gazetteer]
LabelsLoader = Callable[[], list[tuple[str, float, float]]]


def _last_date() -> date:
    return date.today() + timedelta(days=1)  # the analyst's day may be ahead of the server's


@dataclass(frozen=True, slots=True)
class _Article:
    """What every incident of the article shares when saved."""

    text: str
    published: date | None
    source: str
    url: str


def article_panel(gazetteer: GazetteerLoader, store: Store, labels: LabelsLoader, access: Access) -> None:
    """``gazetteer`` and ``labels`` (the base map's place labels) are loaders: the panel
    only needs them once an article is parsed. Only an editor (``access``) gets the form."""
    st.subheader("Add incidents from an article")
    if not access.can_write:
        read_only_note("Adding incidents", access)
        return
    if "saved_note" in st.session_state:
        st.success(st.session_state.pop("saved_note"))
    upload = st.file_uploader("Upload an article (.txt or .html, up to 2 MB)", type=["txt", "html", "htm"],
                              key="article_upload", on_change=_upload_changed)
    text = st.text_area("…or paste its text", height=200, key="article_text", max_chars=500_000)
    c1, c2, c3 = st.columns([1, 2, 2])
    published = c1.date_input("Published", value=None, min_value=FIRST_DATE, max_value=_last_date(),
                              format="YYYY-MM-DD", key="article_published",
                              help="When the article was published: dates like \"on Monday\" count from it. "
                                   "Read from an uploaded page when it states one; leave empty if unknown.")
    pub = published if isinstance(published, date) else None
    read_from = st.session_state.get("published_read")
    if pub is not None and read_from is not None and read_from[0] == pub:
        c1.caption(markdown_literal(f"From the page's metadata ({read_from[1]})."))
    elif pub is None:
        c1.caption("Unknown: dates like \"on Monday\" cannot be placed.")
    source = c2.text_input("Source (outlet, date)", key="article_source", max_chars=300)
    url = c3.text_input("Link (http or https)", key="article_url", max_chars=2000)
    if st.button("Find places and the event", type="primary", key="article_find"):
        _find(upload, text, pub, gazetteer)
    elif "parsed" in st.session_state and st.session_state["parsed"][1] != pub:
        _parse(st.session_state["parsed"][0], pub, gazetteer)
        st.info("The publication date changed: the event dates were read again.")
    if "parsed" not in st.session_state:
        return
    text, _, result = st.session_state["parsed"]
    spans = [(m.start, m.end, m.role, f"{m.name} ({m.country_code or '?'}, {m.feature or 'unresolved'})")
             for m in result.mentions]
    st.html(articles.highlight_html(text[:200_000], spans))
    st.caption(f"{len(result.mentions)} place mentions; red = where an event happened, blue = context.")
    records: list[geoparse.EventRecord | None] = list(result.incidents) or [None]
    if result.incidents:
        st.markdown(f"**{len(records)} incident{'s' if len(records) != 1 else ''} found.** Check and correct "
                    "each before saving.")
    else:
        st.info("No event location found in this text; fill in the fields to save one by hand.")
    chips = [result.mentions[k] for k in place_pick.mention_chips(result.mentions)]
    article = _Article(text, pub, source.strip(), url.strip())
    for k in range(len(records)):
        _incident_box(k, records, article, spans, chips, store, gazetteer, labels, access)
    if len(records) > 1 and st.button(f"Save all {len(records)} incidents", type="primary", key="save_all"):
        _save(list(range(len(records))), records, article, store, gazetteer, access)
    _duplicate_box(records, article, store, gazetteer, access)


def _duplicate_box(records: Sequence[geoparse.EventRecord | None], article: _Article, store: Store,
                   gazetteer: GazetteerLoader, access: Access) -> None:
    """A save that found likely duplicates waits here: merge an incident into the stored
    one (one incident, both sources), save it as new anyway, or cancel."""
    pending = st.session_state.get("dup_pending")
    if pending is None:
        return
    indices, found = pending
    with st.container(border=True, key="dup_box"):
        st.warning(f"Likely already stored (same day ± {duplicates.DAYS}, within {duplicates.KM:.0f} km, same or "
                   "unknown group). Merge to keep one incident with both sources, or save as new.")
        for k, dups in found.items():
            for dup_id, label in dups:
                c1, c2 = st.columns([4, 1])
                c1.markdown(markdown_literal(f"Incident {k + 1} may be {label}"))
                if c2.button(f"Merge into {dup_id}", key=f"dup_merge_{k}_{dup_id}"):
                    st.session_state.pop("dup_pending", None)
                    _save(indices, records, article, store, gazetteer, access, checked=True, merge={k: dup_id})
        c1, c2 = st.columns(2)
        if c1.button("Save as new anyway", key="dup_save_anyway"):
            st.session_state.pop("dup_pending", None)
            _save(indices, records, article, store, gazetteer, access, checked=True)
        if c2.button("Cancel", key="dup_cancel"):
            st.session_state.pop("dup_pending", None)
            st.rerun()


def _upload_changed() -> None:
    """A page was uploaded: its stated publication date fills the date field."""
    upload = st.session_state.get("article_upload")
    if upload is None:
        return
    found = articles.upload_published(upload.getvalue(), upload.name)
    if found is not None and FIRST_DATE <= found <= _last_date():
        st.session_state["article_published"] = found
        st.session_state["published_read"] = (found, upload.name)


def _find(upload: Any, text: str, pub: date | None, gazetteer: GazetteerLoader) -> None:
    """The button: read the upload (or the pasted text) and parse it. A problem is shown
    and the incidents already on screen stay as they are."""
    if upload is not None:
        try:
            text = articles.decode_upload(upload.getvalue(), upload.name)
        except IncidentMapError as error:
            st.error(refusal(error))
            return
    if not text.strip():
        st.error("Paste an article or upload a file first.")
        return
    _parse(text, pub, gazetteer)


# ----------------------------------------------------------------- per-incident state
# Incident k of the article keeps its state under keys ``inc{k}_…`` in ``st.session_state``:
# the form fields (``_FIELDS``, ``notes``), the place (``place_name``, ``place_country``,
# ``place_admin1``, ``place_query`` = the (name, country, province) last searched,
# ``place_choice`` = a :class:`place_pick.PlaceChoice`), ``parsed`` (the fields as the parser
# read them), ``anchor`` (the offsets of its place mention: which incident it is) and
# ``saved`` (the id it was saved under). Two counters, ``place_search`` (chips and candidate
# list) and ``place_point`` (coordinates), are in the keys of the widgets that show the
# choice, so that a new choice draws them afresh; they take their numbers from one running
# count, so a number is never used twice.
#
# When a run is cut short by the next edit, Streamlit can call a widget's ``on_change``
# again on the following run, with the value the widget was drawn with. So the callbacks
# ignore widgets of an older draw (their key's counter is not the current one) and values
# that change nothing; otherwise such a replay would undo the edit that cut the run short.

_FIELDS = ("date", "precision", "type", "group", "role", "killed", "injured")
_KEPT = (*_FIELDS, "notes", "place_name", "place_country", "place_admin1", "place_query", "place_choice", "saved")


def _slot(k: int) -> str:
    return f"inc{k}"


def _get(slot: str, name: str, default: Any = None) -> Any:
    return st.session_state.get(f"{slot}_{name}", default)


def _put(slot: str, name: str, value: Any) -> None:
    st.session_state[f"{slot}_{name}"] = value


def _bump(slot: str, counter: str) -> None:
    st.session_state["form_gen"] = st.session_state.get("form_gen", 0) + 1
    _put(slot, counter, st.session_state["form_gen"])


def _current(key: str, slot: str, counter: str) -> bool:
    """Whether ``key`` belongs to the widgets drawn for the current value of the counter."""
    return key.endswith(f"_{_get(slot, counter, 0)}")


def _parsed_fields(record: geoparse.EventRecord | None) -> dict[str, Any]:
    """The form fields as the parser read them (empty ones for an incident typed by hand)."""
    if record is None:
        return {"date": None, "precision": 1, "type": EVENT_TYPES[0], "group": None, "role": "unknown",
                "killed": None, "injured": None}
    return {"date": record.event_date, "precision": record.time_precision if record.time_precision in PRECISIONS else 1,
            "type": record.event_type if record.event_type in EVENT_TYPES else EVENT_TYPES[0],
            "group": record.group or None, "role": record.group_role if record.group_role in GROUP_ROLES else "unknown",
            "killed": record.killed, "injured": record.injured}


def _anchor(record: geoparse.EventRecord | None) -> tuple[int, int] | None:
    return None if record is None else (record.mention_start, record.mention_end)


def _parse(text: str, pub: date | None, gazetteer: GazetteerLoader) -> None:
    """Parse the article and set up one form per incident.

    The same article again (read again for another publication date, or the button
    clicked twice) keeps what the analyst did to each incident it finds again: its place,
    its saved id, and every field they edited. Fields still as the parser read them take
    the new reading, so a date that could not be placed fills in once the publication
    date is given.
    """
    result = ui_parse.parse_article(text, pub)  # capped, in a worker with a time limit; None: the error is shown
    if result is None:
        return
    previous = st.session_state.get("parsed")
    same_article = previous is not None and previous[0] == text
    old: dict[tuple[int, int] | None, dict[str, Any]] = {}
    for k in range(st.session_state.get("incident_count", 0)):
        slot = _slot(k)
        if same_article:
            old[_get(slot, "anchor")] = {name: _get(slot, name) for name in (*_KEPT, "parsed")}
        for name in (*_KEPT, "parsed", "anchor"):
            st.session_state.pop(f"{slot}_{name}", None)
    st.session_state["parsed"] = (text, pub, result)
    records: list[geoparse.EventRecord | None] = list(result.incidents) or [None]
    st.session_state["incident_count"] = len(records)
    for k, record in enumerate(records):
        slot, fields = _slot(k), _parsed_fields(record)
        kept = old.get(_anchor(record))
        _put(slot, "anchor", _anchor(record))
        _put(slot, "parsed", fields)
        if kept is None:
            for name, value in fields.items():
                _put(slot, name, value)
            _put(slot, "notes", "")
            _start_place(slot, record)
            continue
        for name in _KEPT:
            if kept[name] is not None or name in _FIELDS:
                _put(slot, name, kept[name])
        before = kept["parsed"] or {}
        for name, value in fields.items():
            if kept[name] == before.get(name):  # not edited: follows the parser
                _put(slot, name, value)
        _bump(slot, "place_search")
        _bump(slot, "place_point")


# ----------------------------------------------------------------- one incident

def _incident_box(k: int, records: Sequence[geoparse.EventRecord | None], article: _Article,
                  spans: list[tuple[int, int, str, str]], chips: list[geoparse.LocatedMention], store: Store,
                  gazetteer: GazetteerLoader, labels: LabelsLoader, access: Access) -> None:
    slot, record = _slot(k), records[k]
    choice: place_pick.PlaceChoice | None = _get(slot, "place_choice")
    where = choice.mention if choice is not None and choice.mention else str(_get(slot, "place_name", ""))
    label = articles.incident_label(k + 1, len(records), where, _get(slot, "killed"), _get(slot, "injured"),
                                    saved=_get(slot, "saved") is not None)
    with st.expander(markdown_literal(label), expanded=True, key=f"{slot}_box"):
        if record is not None and record.evidence:
            st.caption("Read from these sentences:")
            st.html(articles.evidence_html(article.text, record.evidence, spans))
        if record is not None and record.confidence is not None:
            sure = placed_line(record.confidence, record.runner_up)
            low = record.confidence < confidence.review_below(secret_value("review_below"))
            st.caption(markdown_literal(sure[0].upper() + sure[1:] + (": check the place before saving." if low else ".")))
        _place_picker(slot, chips, gazetteer, labels)
        _fields(slot)
        saved = _get(slot, "saved")
        if saved is not None:
            st.caption(markdown_literal(f"Saved as {saved}; saving again updates it."))
        if st.button(f"Save incident {k + 1}", key=f"{slot}_save"):
            _save([k], records, article, store, gazetteer, access)


def _fields(slot: str) -> None:
    """Date, type, group, role and toll of one incident, each as the parser read it."""
    c1, c2, c3 = st.columns(3)
    c1.date_input("Event date", value=None, min_value=FIRST_DATE, max_value=_last_date(), format="YYYY-MM-DD",
                  key=f"{slot}_date")
    c2.selectbox("Date precision", list(PRECISIONS), key=f"{slot}_precision", format_func=PRECISIONS.__getitem__)
    c3.selectbox("Event type", EVENT_TYPES, key=f"{slot}_type")
    if not isinstance(_get(slot, "date"), date):
        st.warning("Event date missing: the text gives no full date for this incident. " + NO_DATE)
    register = actors.register()
    names = register.canonical_names()
    current = _get(slot, "group")
    if current and current not in names:  # a new group (read or typed) stays listed, after the register
        names.append(current)
    c4, c5 = st.columns(2)
    c4.selectbox("Group", names, index=None, accept_new_options=True, key=f"{slot}_group",
                 placeholder="Unknown: pick one from the register or type a new name")
    group = " ".join(str(_get(slot, "group") or "").split())
    actor = register.lookup(group) if group else None
    if group and actor is None:
        c4.caption("New group, not in the register.")
    elif actor is not None and actor.canonical != group:
        c4.caption(markdown_literal(f"Saved as {actor.canonical} (the register's name)."))
    c5.selectbox("Group role", GROUP_ROLES, key=f"{slot}_role")
    c6, c7 = st.columns(2)
    c6.number_input("Killed (empty = not reported)", min_value=0, step=1, value=None, key=f"{slot}_killed")
    c7.number_input("Injured (empty = not reported)", min_value=0, step=1, value=None, key=f"{slot}_injured")
    st.text_area("Summary in your own words", max_chars=1000, key=f"{slot}_notes")


# ----------------------------------------------------------------- saving

class _Blocked(InvalidInput):
    """An incident that cannot be saved as it stands; the message says what to do."""


class _NoDate(_Blocked):
    """An incident with no event date (:data:`NO_DATE` says what to do)."""


def _incident(k: int, record: geoparse.EventRecord | None, article: _Article, gaz: Gazetteer) -> Incident:
    """The record to store for incident ``k`` as the form has it (:class:`_Blocked` if it
    cannot be saved)."""
    slot = _slot(k)
    event_date = _get(slot, "date")
    if not isinstance(event_date, date):
        raise _NoDate(f"Incident {k + 1} has no event date.")
    name = str(_get(slot, "place_name", ""))
    country, admin1 = str(_get(slot, "place_country", "")), str(_get(slot, "place_admin1", ""))
    try:
        place = place_pick.decide_save(name, _get(slot, "place_choice"), len(_candidates(gaz, name, country, admin1)),
                                       country_hint=_country_code(gaz, country), admin1_hint=admin1)
    except place_pick.PlaceNotChosen as error:
        raise _Blocked(f"Incident {k + 1}: {error}") from None
    group = " ".join(str(_get(slot, "group") or "").split())[:MAX_GROUP_CHARS]
    actor = actors.register().lookup(group) if group else None
    killed, injured = _get(slot, "killed"), _get(slot, "injured")
    etype = str(_get(slot, "type"))
    subtype = record.sub_event_type if record is not None and etype == record.event_type else ""
    edited = geoparse.EventRecord(event_date, int(_get(slot, "precision", 1)), actor.canonical if actor else group or "Unknown",
                                  str(_get(slot, "role", "unknown")), place.location, place.latitude, place.longitude,
                                  place.geo_precision, place.country_code, place.admin1,
                                  None if killed is None else int(killed), None if injured is None else int(injured),
                                  etype, place.mention_start, place.mention_end, subtype, place.mention)
    if record is not None and (place.latitude, place.longitude) == (record.latitude, record.longitude):
        edited = replace(edited, confidence=record.confidence, runner_up=record.runner_up)  # the reader's pin, kept
    return geoparse.to_incident(edited, source=article.source, source_url=article.url, published=article.published,
                                notes=str(_get(slot, "notes", "")).strip(),
                                event_id=articles.incident_id(article.text, _anchor(record)))


def _save(indices: list[int], records: Sequence[geoparse.EventRecord | None], article: _Article, store: Store,
          gazetteer: GazetteerLoader, access: Access, *, checked: bool = False,
          merge: dict[int, str] | None = None) -> None:
    """Save the incidents at ``indices``, all or none: any that cannot be saved is named
    with the reason and nothing is written. Each is stored under its own id
    (:func:`articles.incident_id`), so saving one again updates it.

    Unless ``checked``, likely duplicates already stored stop the save and wait in
    :func:`_duplicate_box`; ``merge`` (incident → stored id) merges an incident into a
    stored one right after it is saved (two audited writes: undoing the merge leaves both)."""
    if not access.can_write:  # the form is not drawn for a reader; this guards the write itself
        st.error(markdown_literal(f"Not saved. {access.how}"))
        return
    if article.url and not safe_url(article.url):
        st.error("Not saved: the link must start with http:// or https://.")
        return
    gaz = gazetteer()
    built: list[tuple[int, Incident]] = []
    problems: list[_Blocked] = []
    for k in indices:
        try:
            built.append((k, _incident(k, records[k], article, gaz)))
        except _Blocked as error:
            problems.append(error)
    if problems:
        hint = [NO_DATE] if any(isinstance(p, _NoDate) for p in problems) else []
        st.error("  \n".join(markdown_literal(str(p)) for p in ["Not saved.", *problems, *hint]))
        return
    if not checked:
        found = {k: [(d.incident.event_id, f"{d.incident.event_id}: {d.incident.location}, {d.incident.event_date}, "
                      f"{d.incident.group}" + (f" ({d.km:.1f} km away)" if d.km is not None else " (same place name)"))
                     for d in duplicates.likely_duplicates(store, incident)] for k, incident in built}
        if any(found.values()):
            st.session_state["dup_pending"] = (indices, {k: v for k, v in found.items() if v})
            return
    merge = merge or {}
    lines = []
    for k, incident in built:
        before = store.get(incident.event_id)
        done = "saved" if before is None else "unchanged, already saved" if before == incident else "updated"
        where = "on the map" if incident.located else "not on the map (no point for this place)"
        lines.append(f"Incident {k + 1} ({incident.location}, {incident.event_date}) {done} as {incident.event_id}: "
                     f"{where}.")
    try:
        counts = store.upsert([incident for _, incident in built], actor=access.actor, action="article",
                              limit=writes_left())
    except IncidentMapError as error:
        st.error(refusal(error))
        return
    count_writes(counts.added, counts.updated)
    for k, incident in built:
        _put(_slot(k), "saved", incident.event_id)
        if k in merge:
            try:
                store.merge(merge[k], incident.event_id, actor=access.actor)
            except IncidentMapError as error:  # the stored one was deleted meanwhile: the new one stays
                lines.append(f"Incident {k + 1} not merged: {error}")
                continue
            count_writes(0, 2)
            _put(_slot(k), "saved", merge[k])
            lines.append(f"Incident {k + 1} merged into {merge[k]}: one incident, "
                         f"{len(store.sources(merge[k]))} sources.")
    st.session_state["saved_note"] = "  \n".join(markdown_literal(line) for line in lines)
    st.rerun()  # redraw the map and table with the saved incidents


# ----------------------------------------------------------------- the event place

def _set_place(slot: str, name: str, country: str, admin1: str, choice: place_pick.PlaceChoice | None) -> None:
    """Put a place chosen elsewhere (the parser, a mention chip) into the fields."""
    _put(slot, "place_name", name)
    _put(slot, "place_country", country)
    _put(slot, "place_admin1", admin1)
    _put(slot, "place_query", (name, country, admin1))
    _put(slot, "place_choice", choice)
    _bump(slot, "place_search")
    _bump(slot, "place_point")


def _start_place(slot: str, record: geoparse.EventRecord | None) -> None:
    """The parser's place for the incident, as the form's first choice."""
    if record is None:
        _set_place(slot, "", "", "", None)
        return
    _set_place(slot, record.location, record.country_code, record.admin1,
               place_pick.PlaceChoice(record.location, place_pick.point_of_record(record), record.mention,
                                      record.mention_start, record.mention_end))


def _pick_mention(slot: str, key: str, chips: list[geoparse.LocatedMention]) -> None:
    """A mention chip was clicked: that mention becomes the incident's place."""
    k = st.session_state.get(key)
    choice = _get(slot, "place_choice")
    # clicked off (keep the place it set), a replay, or the chip of the place already chosen
    if k is None or not _current(key, slot, "place_search") or place_pick.chip_of(chips, choice) == k:
        return
    m = chips[k]
    point = place_pick.point_of_mention(m)
    name = m.name if point is not None else " ".join(m.text.split())
    _set_place(slot, name, m.country_code, m.admin1, place_pick.PlaceChoice(name, point, m.text, m.start, m.end))


def _country_code(gaz: Gazetteer, text: str) -> str:
    """ISO code for what was typed as the country ("IQ", "iq", "Iraq"), else ""."""
    text = text.strip()
    return (gaz.country_code_for(text) or "") if text else ""


def _candidates(gaz: Gazetteer, name: str, country: str, admin1: str) -> list[Place]:
    if not name.strip():
        return []
    return OfflineGeocoder(gaz).options(name.strip(), _country_code(gaz, country) or None, admin1.strip() or None)


def _search(slot: str, gazetteer: GazetteerLoader) -> None:
    """The place, country or province was edited: geocode again and take the best
    candidate (or no point at all when there is none)."""
    name, country, admin1 = (str(_get(slot, k, "")) for k in ("place_name", "place_country", "place_admin1"))
    found = _candidates(gazetteer(), name, country, admin1)
    old = _get(slot, "place_choice")
    kept = old if old is not None and place_pick.same_name(old.name, name) else None  # same words in the article
    _put(slot, "place_query", (name, country, admin1))
    _put(slot, "place_choice", place_pick.PlaceChoice(
        " ".join(name.split()), place_pick.point_of_place(found[0]) if found else None,
        kept.mention if kept else "", kept.mention_start if kept else 0, kept.mention_end if kept else 0))
    _bump(slot, "place_search")
    _bump(slot, "place_point")


def _pick_candidate(slot: str, key: str, points: list[place_pick.PlacePoint]) -> None:
    """A candidate was picked in the list: its point, country and province are the incident's."""
    k = st.session_state.get(key)
    old = _get(slot, "place_choice") or place_pick.PlaceChoice(str(_get(slot, "place_name", "")))
    point = points[k] if k is not None else None
    if not _current(key, slot, "place_search") or place_pick.same_point(point, old.point):  # a replay, or no change
        return
    _put(slot, "place_choice", place_pick.PlaceChoice(old.name, point, old.mention, old.mention_start,
                                                      old.mention_end))
    if point is not None:
        _put(slot, "place_country", point.country_code)
        _put(slot, "place_admin1", point.admin1)
    _bump(slot, "place_point")


def _type_point(slot: str, lat_key: str, lon_key: str, gazetteer: GazetteerLoader) -> None:
    """Coordinates were typed: they are the point, for the name in the field."""
    lat, lon = st.session_state.get(lat_key), st.session_state.get(lon_key)
    name = " ".join(str(_get(slot, "place_name", "")).split())
    old = _get(slot, "place_choice")
    shown = (old.point.latitude, old.point.longitude) if old is not None and old.point is not None else (None, None)
    if not _current(lat_key, slot, "place_point") or (lat, lon) == shown:  # a replay, or no change
        return
    kept = old if old is not None and place_pick.same_name(old.name, name) else place_pick.PlaceChoice(name)
    point = None if lat is None or lon is None else place_pick.PlacePoint(
        name, float(lat), float(lon), 1, _country_code(gazetteer(), str(_get(slot, "place_country", ""))),
        str(_get(slot, "place_admin1", "")).strip())
    _put(slot, "place_choice", place_pick.PlaceChoice(name, point, kept.mention, kept.mention_start,
                                                      kept.mention_end))
    _bump(slot, "place_search")  # the list no longer shows the point


def _place_picker(slot: str, chips: list[geoparse.LocatedMention], gazetteer: GazetteerLoader, labels: LabelsLoader) -> None:
    """The incident's place: mention chips, name and hints, the candidates in a table and on
    a small map, a list to pick one from, and the coordinates that will be saved."""
    st.markdown("**Where it happened**")
    if chips:  # options are chip positions, so a chip's value is where it stands in the row
        key = f"{slot}_chip_{_get(slot, 'place_search', 0)}"
        st.pills("Make a mention this incident's place", list(range(len(chips))), key=key, on_change=_pick_mention,
                 default=place_pick.chip_of(chips, _get(slot, "place_choice")),
                 args=(slot, key, chips), format_func=lambda k: place_pick.chip_label(chips[k]))
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.text_input("Place", key=f"{slot}_place_name", max_chars=200, on_change=_search, args=(slot, gazetteer),
                  help="Edit the name to look it up again; the best match is taken, or pick another below.")
    c2.text_input("Country (code or name)", key=f"{slot}_place_country", max_chars=60, on_change=_search,
                  args=(slot, gazetteer))
    c3.text_input("Province (admin1)", key=f"{slot}_place_admin1", max_chars=100, on_change=_search,
                  args=(slot, gazetteer))
    name, country, admin1 = _get(slot, "place_query", ("", "", ""))
    found = _candidates(gazetteer(), name, country, admin1) if name.strip() else []
    points = [place_pick.point_of_place(p) for p in found[:place_pick.MAX_CANDIDATES]]
    choice: place_pick.PlaceChoice | None = _get(slot, "place_choice")
    point = choice.point if choice is not None else None
    if country.strip() and not _country_code(gazetteer(), country):
        st.caption(f"Country {markdown_literal(country)} is not one the gazetteer knows; "
                   "searched everywhere.")
    if points:
        chosen = place_pick.candidate_index(points, point)
        left, right = st.columns([3, 2])
        with left:
            more = f" (the best {len(points)} of {len(found)})" if len(found) > len(points) else ""
            st.caption(f"Places called {markdown_literal(name.strip())} in the offline gazetteer{more}:")
            st.dataframe(place_pick.candidate_rows(points), hide_index=True, key=f"{slot}_candidates")
            key = f"{slot}_pick_{_get(slot, 'place_search', 0)}"
            st.selectbox("Use this place", list(range(len(points))), index=chosen, key=key,
                         format_func=lambda k: place_pick.candidate_label(k + 1, points[k]),
                         placeholder="Pick one of these places", on_change=_pick_candidate, args=(slot, key, points))
        with right:
            _candidate_map(slot, points, point, labels)
    elif name.strip():
        st.warning(f"No place called {markdown_literal(name.strip())} in the offline gazetteer. "
                   "Type its coordinates if you know them; otherwise it is saved without a point and listed "
                   "under \"not on the map\".")
        if point is not None:
            _candidate_map(slot, [], point, labels)
    gen = _get(slot, "place_point", 0)
    lat_key, lon_key = f"{slot}_lat_{gen}", f"{slot}_lon_{gen}"
    c4, c5, c6 = st.columns([1, 1, 2])
    c4.number_input("Latitude", min_value=-90.0, max_value=90.0, value=point.latitude if point else None,
                    format="%.5f", key=lat_key, on_change=_type_point, args=(slot, lat_key, lon_key, gazetteer))
    c5.number_input("Longitude", min_value=-180.0, max_value=180.0, value=point.longitude if point else None,
                    format="%.5f", key=lon_key, on_change=_type_point, args=(slot, lat_key, lon_key, gazetteer))
    c6.caption(_point_note(choice, bool(points)))


def _point_note(choice: place_pick.PlaceChoice | None, listed: bool) -> str:
    """What a save would keep (see :func:`place_pick.decide_save`), in one line."""
    if (choice is None or choice.point is None) and listed:
        return "No point yet: pick a place in the list, or type its coordinates."
    if choice is None or choice.point is None:
        return "No point: the incident is saved without one and listed under \"not on the map\"."
    p = choice.point
    where = ", ".join(x for x in (p.admin1, p.country_code) if x)
    precision = PRECISION_LABEL.get(p.geo_precision, "exact place")
    return markdown_literal(f"Point to save: {p.name}" + (f" ({where})" if where else "")
                                       + f", {precision}, {p.latitude:.4f}, {p.longitude:.4f}")


def _candidate_map(slot: str, points: list[place_pick.PlacePoint], point: place_pick.PlacePoint | None,
                   labels: LabelsLoader) -> None:
    """The candidates on a small map, served like the main map (no CDN; markers swap
    without remounting it; panning reruns nothing). The chosen point is red."""
    shown, chosen = place_pick.map_points(points, point)
    centre, zoom = place_pick.map_view(shown)
    st_folium(base_map(labels(), tiles=secret("map_tiles")), key=f"{slot}_map", height=300, use_container_width=True,
              returned_objects=[], center=centre, zoom=zoom,
              feature_group_to_add=place_pick.candidate_layer(shown, chosen, numbered=len(points)))


def import_panel(store: Store, locator: Callable[[], Locator], access: Access) -> None:
    st.subheader("Import incident records")
    if not access.can_write:
        read_only_note("Importing records", access)
        return
    fmt = st.selectbox("Format", FILE_FORMATS, key="import_format",
                       format_func=lambda f: {"auto": "Found from the file (any of these)", "native": "This project's CSV",
                                              "acled": "ACLED export (CSV)", "ucdp": "UCDP GED (CSV)",
                                              "gtd": "GTD (CSV, or START's xlsx workbook)",
                                              "geojson": "This project's GeoJSON"}.get(f, f))
    upload = st.file_uploader(f"File (up to {MAX_UPLOAD_BYTES // 2**20} MB; larger files: "
                              "python -m geo import FILE)",
                              type=["csv", "txt", "geojson", "json", "xlsx"], key="import_upload")  # one widget whatever the format
    update = st.checkbox("Update existing records", key="import_update",
                         help="A row whose event_id is already stored replaces that record. Unticked, such rows are "
                              "skipped and the stored records stay as they are.")
    if "import_report" in st.session_state:
        _show_import_report()
    if upload is None or not st.button("Import", key="import_go"):
        return
    bar = st.progress(0.0, text="Importing …")
    shown = [-1]

    def progress(_what: str, done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if percent != shown[0]:  # one update per percent, whatever the file's size
            shown[0] = percent
            bar.progress(min(percent, 100) / 100, text=f"Importing … {percent}%")

    upload.seek(0)  # the upload's own stream, not a second copy of its bytes
    try:
        report = import_upload(store, upload, upload.name, locator(), fmt, actor=access.actor, update_existing=update,
                               progress=progress, size=upload.size,
                               max_columns=settings.max_csv_columns(secret("max_csv_columns")),
                               quota=geocoding_quota(), limit=writes_left())  # geocoding notices come in warnings
    except IncidentMapError as error:  # a file that cannot be read, a session's allowance spent: nothing saved
        bar.empty()
        st.error(refusal(error, "Nothing was imported. "))
        return
    bar.empty()
    count_writes(report.added, report.updated)
    st.session_state["import_report"] = (upload.name, report)
    if report.added or report.updated:
        st.rerun()  # the map, counts and table above were drawn before the import: draw them again
    _show_import_report()


def _show_import_report() -> None:
    """The last import's outcome, kept across the rerun that redraws the map with it."""
    name, report = st.session_state.pop("import_report")
    st.success(markdown_literal(f"{name}: {report.summary()}"))
    for line in report.warnings:
        st.warning(markdown_literal(line))
    if report.rejected:
        st.dataframe({"rejected row": report.rejected}, hide_index=True)
