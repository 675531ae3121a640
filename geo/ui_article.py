"""Streamlit UI for turning an article into a saved incident, and for importing files.

Flow: paste or upload → ``geoparse.parse`` → highlighted mentions with roles → the analyst
corrects any field → save to the store (the map shows it on the next run).

The event place sits outside the form, so that editing it looks the name up again at once:
the candidates show in a table and on a small map, and a click on a mention chip makes
that mention the place. What a save keeps is decided in :mod:`geo.place_pick`.

Imports have no per-row review (a file is read, geocoded and saved in one go, with bad rows
reported), so there is no place to edit there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from geo import articles, geoparse, importers, place_pick
from geo.gazetteer import Gazetteer, Place
from geo.geocoder import Locator, OfflineGeocoder
from geo.loading import import_result
from geo.mapview import PRECISION_LABEL, base_map, safe_url
from geo.records import GROUP_ROLES
from geo.store import Store
from geo.ui_state import secret

EVENT_TYPES = ["Explosions/Remote violence", "Battles", "Violence against civilians", "Strategic developments",
               "Protests", "Riots"]


def article_panel(gazetteer: Callable[[], Gazetteer], store: Store,
                  labels: Callable[[], list[tuple[str, float, float]]]) -> None:
    """``gazetteer`` and ``labels`` (the base map's place labels) are loaders: the panel
    only needs them once an article is parsed."""
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
        result = geoparse.parse(text, pub, gazetteer())
        previous = st.session_state.get("parsed")
        st.session_state["parsed"] = (text, pub, result)
        # The same article again keeps the place being edited. Streamlit also repeats a click
        # whose run was cut short by the next edit, and that must not undo the edit.
        if previous is None or previous[:2] != (text, pub) or "place_name" not in st.session_state:
            _start_place(result)
    if "parsed" not in st.session_state:
        return
    text, pub, result = st.session_state["parsed"]
    spans = [(m.start, m.end, m.role, f"{m.name} ({m.country_code or '?'}, {m.feature or 'unresolved'})")
             for m in result.mentions]
    st.html(articles.highlight_html(text[:200_000], spans))
    st.caption(f"{len(result.mentions)} place mentions; red = where the event happened, blue = context.")
    chips = [result.mentions[k] for k in place_pick.mention_chips(result.mentions)]
    if chips:  # options are chip positions, so a chip's value is where it stands in the row
        key = f"place_chip_{st.session_state.get('place_search', 0)}"
        st.pills("Make a mention the event place", list(range(len(chips))), key=key, on_change=_pick_mention,
                 default=place_pick.chip_of(chips, st.session_state.get("place_choice")),
                 args=(key, chips), format_func=lambda k: place_pick.chip_label(chips[k]))
    if not result.incidents:
        st.info("No event location found in this text; fill in the fields to save one by hand.")
    _place_picker(gazetteer, labels)
    _incident_form(result, pub, source, url, store, gazetteer)


# ----------------------------------------------------------------- the event place
# State (``st.session_state``): the text fields ``place_name``, ``place_country`` and
# ``place_admin1``; ``place_query``, the (name, country, province) last searched;
# ``place_choice``, a :class:`place_pick.PlaceChoice`; and two counters in the keys of the
# widgets that show the choice, so that a new choice draws them afresh: ``place_search``
# (the chips and the candidate list) and ``place_point`` (the coordinates).
#
# When a run is cut short by the next edit, Streamlit can call a widget's ``on_change``
# again on the following run, with the value the widget was drawn with. So the callbacks
# ignore widgets of an older draw (their key's counter is not the current one) and values
# that change nothing; otherwise such a replay would undo the edit that cut the run short.


def _bump(counter: str) -> None:
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def _current(key: str, counter: str) -> bool:
    """Whether ``key`` belongs to the widgets drawn for the current value of ``counter``."""
    return key.endswith(f"_{st.session_state.get(counter, 0)}")


def _set_place(name: str, country: str, admin1: str, choice: place_pick.PlaceChoice | None) -> None:
    """Put a place chosen elsewhere (the parser, a mention chip) into the fields."""
    st.session_state["place_name"] = name
    st.session_state["place_country"] = country
    st.session_state["place_admin1"] = admin1
    st.session_state["place_query"] = (name, country, admin1)
    st.session_state["place_choice"] = choice
    _bump("place_search")
    _bump("place_point")


def _start_place(result: geoparse.ParseResult) -> None:
    """The parser's event place, as the form's first choice."""
    main = result.incidents[0] if result.incidents else None
    if main is None:
        _set_place("", "", "", None)
        return
    _set_place(main.location, main.country_code, main.admin1,
               place_pick.PlaceChoice(main.location, place_pick.point_of_record(main), main.mention,
                                      main.mention_start, main.mention_end))


def _pick_mention(key: str, chips: list[geoparse.LocatedMention]) -> None:
    """A mention chip was clicked: that mention becomes the event place."""
    k = st.session_state.get(key)
    choice = st.session_state.get("place_choice")
    # clicked off (keep the place it set), a replay, or the chip of the place already chosen
    if k is None or not _current(key, "place_search") or place_pick.chip_of(chips, choice) == k:
        return
    m = chips[k]
    point = place_pick.point_of_mention(m)
    name = m.name if point is not None else " ".join(m.text.split())
    _set_place(name, m.country_code, m.admin1, place_pick.PlaceChoice(name, point, m.text, m.start, m.end))


def _country_code(gaz: Gazetteer, text: str) -> str:
    """ISO code for what was typed as the country ("IQ", "iq", "Iraq"), else ""."""
    text = text.strip()
    return (gaz.country_code_for(text) or "") if text else ""


def _candidates(gaz: Gazetteer, name: str, country: str, admin1: str) -> list[Place]:
    if not name.strip():
        return []
    return OfflineGeocoder(gaz).options(name.strip(), _country_code(gaz, country) or None, admin1.strip() or None)


def _search(gazetteer: Callable[[], Gazetteer]) -> None:
    """The place, country or province was edited: geocode again and take the best
    candidate (or no point at all when there is none)."""
    name, country, admin1 = (st.session_state.get(k, "") for k in ("place_name", "place_country", "place_admin1"))
    found = _candidates(gazetteer(), name, country, admin1)
    old = st.session_state.get("place_choice")
    kept = old if old is not None and place_pick.same_name(old.name, name) else None  # same words in the article
    st.session_state["place_query"] = (name, country, admin1)
    st.session_state["place_choice"] = place_pick.PlaceChoice(
        " ".join(name.split()), place_pick.point_of_place(found[0]) if found else None,
        kept.mention if kept else "", kept.mention_start if kept else 0, kept.mention_end if kept else 0)
    _bump("place_search")
    _bump("place_point")


def _pick_candidate(key: str, points: list[place_pick.PlacePoint]) -> None:
    """A candidate was picked in the list: its point, country and province are the event's."""
    k = st.session_state.get(key)
    old = st.session_state.get("place_choice") or place_pick.PlaceChoice(st.session_state.get("place_name", ""))
    point = points[k] if k is not None else None
    if not _current(key, "place_search") or place_pick.same_point(point, old.point):  # a replay, or no change
        return
    st.session_state["place_choice"] = place_pick.PlaceChoice(old.name, point, old.mention, old.mention_start,
                                                              old.mention_end)
    if point is not None:
        st.session_state["place_country"] = point.country_code
        st.session_state["place_admin1"] = point.admin1
    _bump("place_point")


def _type_point(lat_key: str, lon_key: str, gazetteer: Callable[[], Gazetteer]) -> None:
    """Coordinates were typed: they are the point, for the name in the field."""
    lat, lon = st.session_state.get(lat_key), st.session_state.get(lon_key)
    name = " ".join(str(st.session_state.get("place_name", "")).split())
    old = st.session_state.get("place_choice")
    shown = (old.point.latitude, old.point.longitude) if old is not None and old.point is not None else (None, None)
    if not _current(lat_key, "place_point") or (lat, lon) == shown:  # a replay, or no change
        return
    kept = old if old is not None and place_pick.same_name(old.name, name) else place_pick.PlaceChoice(name)
    point = None if lat is None or lon is None else place_pick.PlacePoint(
        name, float(lat), float(lon), 1, _country_code(gazetteer(), st.session_state.get("place_country", "")),
        str(st.session_state.get("place_admin1", "")).strip())
    st.session_state["place_choice"] = place_pick.PlaceChoice(name, point, kept.mention, kept.mention_start,
                                                              kept.mention_end)
    _bump("place_search")  # the list no longer shows the point


def _place_picker(gazetteer: Callable[[], Gazetteer], labels: Callable[[], list[tuple[str, float, float]]]) -> None:
    """The event place: name and hints, the candidates in a table and on a small map, a
    list to pick one from, and the coordinates that will be saved."""
    st.markdown("**Where it happened**")
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.text_input("Place", key="place_name", max_chars=200, on_change=_search, args=(gazetteer,),
                  help="Edit the name to look it up again; the best match is taken, or pick another below.")
    c2.text_input("Country (code or name)", key="place_country", max_chars=60, on_change=_search, args=(gazetteer,))
    c3.text_input("Province (admin1)", key="place_admin1", max_chars=100, on_change=_search, args=(gazetteer,))
    name, country, admin1 = st.session_state.get("place_query", ("", "", ""))
    found = _candidates(gazetteer(), name, country, admin1) if name.strip() else []
    points = [place_pick.point_of_place(p) for p in found[:place_pick.MAX_CANDIDATES]]
    choice: place_pick.PlaceChoice | None = st.session_state.get("place_choice")
    point = choice.point if choice is not None else None
    if country.strip() and not _country_code(gazetteer(), country):
        st.caption(f"Country {place_pick.markdown_literal(country)} is not one the gazetteer knows; "
                   "searched everywhere.")
    if points:
        chosen = place_pick.candidate_index(points, point)
        left, right = st.columns([3, 2])
        with left:
            more = f" (the best {len(points)} of {len(found)})" if len(found) > len(points) else ""
            st.caption(f"Places called {place_pick.markdown_literal(name.strip())} in the offline gazetteer{more}:")
            st.dataframe(place_pick.candidate_rows(points), hide_index=True, key="place_candidates")
            key = f"place_pick_{st.session_state.get('place_search', 0)}"
            st.selectbox("Use this place", list(range(len(points))), index=chosen, key=key,
                         format_func=lambda k: place_pick.candidate_label(k + 1, points[k]),
                         placeholder="Pick one of these places", on_change=_pick_candidate, args=(key, points))
        with right:
            _candidate_map(points, point, labels)
    elif name.strip():
        st.warning(f"No place called {place_pick.markdown_literal(name.strip())} in the offline gazetteer. "
                   "Type its coordinates if you know them; otherwise it is saved without a point and listed "
                   "under \"not on the map\".")
        if point is not None:
            _candidate_map([], point, labels)
    gen = st.session_state.get("place_point", 0)
    lat_key, lon_key = f"place_lat_{gen}", f"place_lon_{gen}"
    c4, c5, c6 = st.columns([1, 1, 2])
    c4.number_input("Latitude", min_value=-90.0, max_value=90.0, value=point.latitude if point else None,
                    format="%.5f", key=lat_key, on_change=_type_point, args=(lat_key, lon_key, gazetteer))
    c5.number_input("Longitude", min_value=-180.0, max_value=180.0, value=point.longitude if point else None,
                    format="%.5f", key=lon_key, on_change=_type_point, args=(lat_key, lon_key, gazetteer))
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
    return place_pick.markdown_literal(f"Point to save: {p.name}" + (f" ({where})" if where else "")
                                       + f", {precision}, {p.latitude:.4f}, {p.longitude:.4f}")


def _candidate_map(points: list[place_pick.PlacePoint], point: place_pick.PlacePoint | None,
                   labels: Callable[[], list[tuple[str, float, float]]]) -> None:
    """The candidates on a small map, served like the main map (no CDN; markers swap
    without remounting it; panning reruns nothing). The chosen point is red."""
    shown, chosen = place_pick.map_points(points, point)
    centre, zoom = place_pick.map_view(shown)
    st_folium(base_map(labels(), tiles=secret("map_tiles")), key="place_map", height=300, use_container_width=True,
              returned_objects=[], center=centre, zoom=zoom,
              feature_group_to_add=place_pick.candidate_layer(shown, chosen, numbered=len(points)))


def _incident_form(result: geoparse.ParseResult, published: date | None, source: str, url: str, store: Store,
                   gazetteer: Callable[[], Gazetteer]) -> None:
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
        c9, c10 = st.columns(2)
        killed = c9.number_input("Killed (empty = not reported)", min_value=0, step=1,
                                 value=main.killed if main else None)
        injured = c10.number_input("Injured (empty = not reported)", min_value=0, step=1,
                                   value=main.injured if main else None)
        notes = st.text_area("Summary in your own words", max_chars=1000)
        if not st.form_submit_button("Save incident", key="save_incident_button"):
            return
    name = str(st.session_state.get("place_name", ""))
    hints = str(st.session_state.get("place_country", "")), str(st.session_state.get("place_admin1", ""))
    gaz = gazetteer()
    try:
        place = place_pick.decide_save(name, st.session_state.get("place_choice"), len(_candidates(gaz, name, *hints)),
                                       country_hint=_country_code(gaz, hints[0]), admin1_hint=hints[1])
    except place_pick.PlaceNotChosen as error:
        st.error(place_pick.markdown_literal(str(error)))
        return
    if url and not safe_url(url):
        st.error("The link must start with http:// or https://.")
        return
    base = main or geoparse.EventRecord(None, 1, "", "unknown", "", None, None, None, "", "", None, None, "", 0, 0)
    edited = geoparse.EventRecord(event_date if isinstance(event_date, date) else None, int(precision),
                                group.strip() or "Unknown", role, place.location, place.latitude, place.longitude,
                                place.geo_precision, place.country_code, place.admin1,
                                None if killed is None else int(killed), None if injured is None else int(injured),
                                etype, place.mention_start, place.mention_end, base.sub_event_type, place.mention)
    incident = geoparse.to_incident(edited, source=source.strip(), source_url=url.strip(), published=published,
                                  notes=notes.strip(), event_id="USER-NEW")
    incident = store.add_new(incident, "USER")
    where = "It is on the map now." if incident.located else \
        "It is not on the map (no point for this place): see \"incidents not on the map\"."
    st.session_state["saved_note"] = place_pick.markdown_literal(
        f"Saved {incident.event_id}: {incident.event_date} at {incident.location}. {where}")
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
