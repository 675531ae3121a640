"""Choosing the event place in the article form: candidates for a name, chips for the
mentions, and what a save stores.

Plain logic under ``geo/ui/article.py`` (no Streamlit here). Each incident's form keeps one
:class:`PlaceChoice`: the place name it was made for and the point that goes with it.
It is replaced when the analyst edits the name (the geocoder's best candidate), picks
another candidate, clicks a mention chip or types coordinates. :func:`decide_save`
then guards the one rule that matters: a saved point always belongs to the name saved
with it, never the old point under a new name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium

from geo.errors import InvalidInput
from geo.gazetteer import Place
from geo.geoparse import EventRecord, LocatedMention
from geo.map.layer import PRECISION_LABEL, IncidentLayer
from geo.safetext import markdown_literal  # re-exported: the article form's labels use it

__all__ = ["MAX_CANDIDATES", "PlacePoint", "PlaceChoice", "SavedPlace", "PlaceNotChosen", "point_of_place",
           "point_of_mention", "point_of_record", "same_name", "same_point", "candidate_rows", "candidate_index", "candidate_label",
           "mention_chips", "chip_label", "chip_of", "markdown_literal", "decide_save", "map_rows", "map_points", "map_view",
           "candidate_layer"]

MAX_CANDIDATES = 10  # shown in the table and on the map; the rest are rarely what an analyst means
CHOSEN_COLOR = "#e41a1c"
OTHER_COLOR = "#377eb8"


@dataclass(frozen=True, slots=True)
class PlacePoint:
    """A point that can be saved: where, how precisely (docs/DESIGN.md ``geo_precision``), and in
    which country and first-level division. ``admin2`` is empty when the gazetteer has none."""

    name: str
    latitude: float
    longitude: float
    geo_precision: int
    country_code: str = ""
    admin1: str = ""
    admin2: str = ""
    feature: str = ""


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    """The event place as chosen so far.

    ``name`` is the place name the point was chosen for; ``point`` is ``None`` when there
    is none (the name was not found, or nothing was picked). ``mention`` and its offsets
    are the article span the place came from, empty when the analyst typed the name.
    """

    name: str
    point: PlacePoint | None = None
    mention: str = ""
    mention_start: int = 0
    mention_end: int = 0


@dataclass(frozen=True, slots=True)
class SavedPlace:
    """The place fields of a saved incident."""

    location: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    country_code: str
    admin1: str
    mention: str = ""
    mention_start: int = 0
    mention_end: int = 0

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PlaceNotChosen(InvalidInput):
    """Raised by :func:`decide_save` when saving cannot go ahead: there is no place name,
    or the name has candidates on screen and none is picked. The message says what to do."""


def point_of_place(place: Place) -> PlacePoint:
    """A gazetteer candidate as a point (``admin2`` when the gazetteer has that field)."""
    return PlacePoint(place.name, place.latitude, place.longitude, place.geo_precision, place.country_code,
                      place.admin1, str(getattr(place, "admin2", "") or ""), place.feature)


def point_of_mention(mention: LocatedMention) -> PlacePoint | None:
    """Where the parser placed a mention; ``None`` for a mention it could not resolve."""
    if mention.latitude is None or mention.longitude is None:
        return None
    return PlacePoint(mention.name, mention.latitude, mention.longitude, mention.geo_precision or 1,
                      mention.country_code, mention.admin1, "", mention.feature)


def point_of_record(record: EventRecord) -> PlacePoint | None:
    """The point the parser gave the story's event; ``None`` when it has none."""
    if record.latitude is None or record.longitude is None:
        return None
    return PlacePoint(record.location, record.latitude, record.longitude, record.geo_precision or 1,
                      record.country_code, record.admin1)


def same_name(a: str, b: str) -> bool:
    """Whether two place names are the same entry, ignoring case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def candidate_label(number: int, point: PlacePoint) -> str:
    """One line naming a candidate, e.g. ``2. Springfield — Illinois, US · exact place``."""
    where = ", ".join(p for p in (point.admin2, point.admin1, point.country_code) if p)
    precision = PRECISION_LABEL.get(point.geo_precision, "exact place")
    return f"{number}. {point.name}" + (f" — {where}" if where else "") + f" · {precision}"


def candidate_rows(points: Sequence[PlacePoint]) -> list[dict[str, Any]]:
    """Table rows for the candidates, best first. The ``admin2`` column is there only when
    some candidate has one; every value is plain text (shown by ``st.dataframe``, not HTML)."""
    with_admin2 = any(p.admin2 for p in points)
    rows = []
    for n, p in enumerate(points, 1):
        row: dict[str, Any] = {"#": n, "place": p.name, "admin1": p.admin1}
        if with_admin2:
            row["admin2"] = p.admin2
        row.update({"country": p.country_code, "kind": p.feature,
                    "precision": PRECISION_LABEL.get(p.geo_precision, "exact place")})
        rows.append(row)
    return rows


def same_point(a: PlacePoint | None, b: PlacePoint | None) -> bool:
    """Whether two points are the same place (same name and coordinates), or both none.
    Points from the parser, a mention and the gazetteer differ in what else they carry."""
    if a is None or b is None:
        return a is b
    return same_name(a.name, b.name) and math.isclose(a.latitude, b.latitude, abs_tol=1e-6) \
        and math.isclose(a.longitude, b.longitude, abs_tol=1e-6)


def candidate_index(points: Sequence[PlacePoint], point: PlacePoint | None) -> int | None:
    """Position of ``point`` among the candidates (see :func:`same_point`), else ``None``."""
    if point is None:
        return None
    return next((k for k, p in enumerate(points) if same_point(p, point)), None)


def mention_chips(mentions: Sequence[LocatedMention]) -> list[int]:
    """Indexes of the mentions to offer as chips, in text order: one per distinct
    (text, resolved place), so "Iraq" said five times is one chip."""
    seen: set[tuple[str, str, float | None, float | None]] = set()
    out = []
    for k, m in enumerate(mentions):
        key = (" ".join(m.text.split()).casefold(), m.name, m.latitude, m.longitude)
        if key not in seen:
            seen.add(key)
            out.append(k)
    return out


def chip_label(mention: LocatedMention) -> str:
    """Markdown-safe chip text: the words in the article and where they were placed,
    e.g. ``Ain al-Asad → Al-Asad Air Base (IQ)``; ``(not found)`` for an unresolved one."""
    text = " ".join(mention.text.split())
    if mention.latitude is None:
        label = f"{text} (not found)"
    else:
        where = f" ({mention.country_code})" if mention.country_code else ""
        label = (f"{text}{where}" if same_name(text, mention.name) else f"{text} → {mention.name}{where}")
    return markdown_literal(label)


def chip_of(chips: Sequence[LocatedMention], choice: PlaceChoice | None) -> int | None:
    """Which chip (position in ``chips``) the chosen place came from: same words, same
    point. ``None`` when the place was typed, searched or picked from the candidates."""
    if choice is None or not choice.mention:
        return None
    for k, m in enumerate(chips):
        if same_name(m.text, choice.mention) and same_point(point_of_mention(m), choice.point):
            return k
    return None


def decide_save(name: str, choice: PlaceChoice | None, candidates: int, *, country_hint: str = "",
                admin1_hint: str = "") -> SavedPlace:
    """The place fields to save for the name in the form, given the current choice and how
    many candidates the geocoder found for that name.

    * The choice's point is saved only when it was made for this very name; a choice left
      over from another name counts as no choice, so an edited name never keeps the old
      point.
    * A name the gazetteer does not know is saved **without a point** (the incident is listed
      under "not on the map", with the hints as its country and province). The analyst has
      read the article and knows the place; the offline gazetteer lacks many villages,
      streets and sites. Refusing would lose the record or push the analyst to invent
      coordinates, while a record without a point is honest, stays visible, and is treated
      like an imported row that could not be placed.
    * A name with candidates but none picked is refused (:class:`PlaceNotChosen`): saving it
      "not on the map" would claim the gazetteer has no such place when the list shows some.
    * No name at all is refused: there would be nothing to list the incident under.
    """
    location = " ".join(name.split())
    if not location:
        raise PlaceNotChosen("Name the place where it happened (type it, or click one of the mentions).")
    current = choice if choice is not None and same_name(choice.name, location) else None
    mention = (current.mention, current.mention_start, current.mention_end) if current else ("", 0, 0)
    point = current.point if current else None
    if point is not None:
        return SavedPlace(location, point.latitude, point.longitude, point.geo_precision, point.country_code,
                          point.admin1, *mention)
    if candidates:
        raise PlaceNotChosen(f"{candidates} place{'s' if candidates != 1 else ''} called {location!r} "
                             "found: pick one in the list, or type its coordinates.")
    return SavedPlace(location, None, None, None, country_hint.strip().upper(), admin1_hint.strip(), *mention)


def map_rows(points: Sequence[PlacePoint], chosen: int | None, numbered: int | None = None) -> list[dict[str, Any]]:
    """Marker rows for :class:`geo.map.layer.IncidentLayer` (plain text, shown with
    ``textContent``), the chosen one in red. The first ``numbered`` (default: all) are the
    table's candidates and carry its numbers; any after them is a point from elsewhere (a
    mention, typed coordinates) and is titled by its name alone."""
    numbered = len(points) if numbered is None else numbered
    rows = []
    for k, p in enumerate(points):
        where = ", ".join(x for x in (p.admin2, p.admin1, p.country_code) if x)
        rows.append({"lat": round(p.latitude, 5), "lon": round(p.longitude, 5),
                     "color": CHOSEN_COLOR if k == chosen else OTHER_COLOR, "front": k == chosen,
                     "title": f"{k + 1}. {p.name}" if k < numbered else p.name,
                     "lines": [["Where", where or "—"], ["Kind", p.feature or "place"],
                               ["Precision", PRECISION_LABEL.get(p.geo_precision, "exact place")]],
                     "notes": "", "source": "", "url": ""})
    return rows


def map_points(candidates: Sequence[PlacePoint], point: PlacePoint | None) -> tuple[list[PlacePoint], int | None]:
    """The points to draw and which one is chosen: the candidates, plus the chosen point
    after them when it is not one of them (a mention's or typed point)."""
    chosen = candidate_index(candidates, point)
    if point is None or chosen is not None:
        return list(candidates), chosen
    return [*candidates, point], len(candidates)


def map_view(points: Sequence[PlacePoint], default: tuple[tuple[float, float], int] = ((33.5, 41.0), 5),
             ) -> tuple[tuple[float, float], int]:
    """(centre, zoom) that shows every candidate: zoom 9 on one place, wider as they spread."""
    if not points:
        return default
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    centre = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
    span = max(max(lats) - min(lats), max(lons) - min(lons))
    if span < 0.05:
        return centre, 9
    return centre, max(1, min(9, int(math.log2(360 / span)) - 1))


def candidate_layer(points: Sequence[PlacePoint], chosen: int | None, numbered: int | None = None,
                    ) -> folium.FeatureGroup:
    """The candidates as one marker layer, for ``st_folium(feature_group_to_add=…)``
    (``chosen`` and ``numbered`` as in :func:`map_rows`). Not clustered: a cluster would
    hide which one is chosen, and there are at most a dozen."""
    fg = folium.FeatureGroup(name="Candidates")
    legend = ([("chosen place", CHOSEN_COLOR)] if chosen is not None else []) + \
        ([("other candidates", OTHER_COLOR)] if len(points) > (chosen is not None) else [])
    IncidentLayer(map_rows(points, chosen, numbered), legend, clustered=False).add_to(fg)
    return fg
