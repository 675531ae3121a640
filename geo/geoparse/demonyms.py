"""Demonyms and nationality adjectives ("Iraqi", "Iranians", "Kurdish") mapped to places.

Both public geoparsing sets annotate demonyms as toponyms, and news uses them where it
means the country ("Iraqi officials", "Lebanese territory"), so recognition treats them
as mentions of the country (or region) they name. They never become an event location:
"an Iraqi base" says whose, not where. Hand-written from general knowledge (ISO country
list order), not taken from any evaluation text.
"""

from __future__ import annotations

from geo.geoparse import lexicon

__all__ = ["DEMONYMS", "demonym_place"]

DEMONYMS: dict[str, str] = {}
for _adj, _place in lexicon.pairs("demonyms"):
    DEMONYMS[_adj] = _place
    # plural nouns: "Iraqis", "Britons", "Kurds"; adjectives in -ese/-ish/-ch do not pluralise
    if not _adj.endswith(("ese", "ish", "ch", "ss", "sh")):
        DEMONYMS.setdefault(_adj + "s", _place)


def demonym_place(word: str) -> str | None:
    """The place a demonym names ("Iraqi" -> "Iraq"), or ``None``; case-sensitive on purpose
    ("turkish delight" in lower case is not a mention)."""
    return DEMONYMS.get(word)


def _area(value: str) -> tuple[str, float, float, str]:
    name, lat, lon, code = (part.strip() for part in value.split("|"))
    return name, float(lat), float(lon), code


# Areas the city/country gazetteer lacks (continents, world regions, seas), and the AP
# abbreviations of US states and Canadian provinces ("Calif.", "B.C.").
AREAS: dict[str, tuple[str, float, float, str]] = {key: _area(value) for key, value in lexicon.pairs("areas")}
STATE_ABBREVIATIONS: dict[str, str] = dict(lexicon.pairs("state_abbreviations"))


def area(key: str) -> tuple[str, float, float, str] | None:
    """(name, latitude, longitude, country code or "") of a world region by normalised key."""
    return AREAS.get(key)
