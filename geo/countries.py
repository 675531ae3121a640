"""Countries as people read them: "Iraq" for ``IQ``, and a link's ``country=Iraq`` or
``country=IQ`` both meaning ``IQ``. The store keeps ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

__all__ = ["name", "label", "code_of", "code_of_name", "code_of_numeric"]


@lru_cache(maxsize=1024)
def name(code: str) -> str:
    """The short English name of an alpha-2 code ("Iran", not "Iran, Islamic Republic of");
    the code itself when pycountry does not know it (``XK``, a typo in an import)."""
    import pycountry

    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if found is None:
        return code
    return str(getattr(found, "common_name", None) or found.name)


def label(code: str, count: int | None = None) -> str:
    """"Iraq (1,234)": the country's name and how many incidents."""
    return name(code) if count is None else f"{name(code)} ({count:,})"


def code_of(value: str, known: Collection[str]) -> str | None:
    """The code in ``known`` that ``value`` means: a code in any case ("iq"), a name
    ("Iraq", "Syria", "Syrian Arab Republic"), or ``None``."""
    value = value.strip()
    if value.upper() in known:
        return value.upper()
    if value.casefold() in {name(c).casefold() for c in known}:
        return next(c for c in known if name(c).casefold() == value.casefold())
    code = code_of_name(value) if value else ""
    return code if code in known else None


# Names ACLED and UCDP write that pycountry does not know (UCDP's "(Soviet Union)"-style
# former names are taken off before the lookup).
_COUNTRY_ALIASES = {
    "russia": "RU", "turkey": "TR", "palestine": "PS", "kosovo": "XK", "democratic republic of congo": "CD",
    "dr congo": "CD", "republic of congo": "CG", "congo": "CG", "ivory coast": "CI", "cape verde": "CV",
    "czech republic": "CZ", "laos": "LA", "north korea": "KP", "south korea": "KR", "vatican city": "VA",
    "micronesia": "FM", "east timor": "TL", "swaziland": "SZ", "eswatini": "SZ", "macedonia": "MK",
    "bosnia-herzegovina": "BA", "serbia (yugoslavia)": "RS", "yemen (north yemen)": "YE", "syria": "SY",
    "iran": "IR", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "vietnam": "VN",
    "brunei": "BN", "taiwan": "TW", "the gambia": "GM", "gambia": "GM", "saint-martin": "MF",
    # GTD's names (``country_txt``)
    "west bank and gaza strip": "PS", "democratic republic of the congo": "CD", "republic of the congo": "CG",
    "people's republic of the congo": "CG", "zaire": "CD", "slovak republic": "SK", "serbia-montenegro": "RS",
}


@lru_cache(maxsize=4096)
def code_of_name(name: str) -> str:
    """ISO alpha-2 code of a country name ("" when unknown); cached: pycountry is slow."""
    import pycountry

    name = name.strip()
    if not name:
        return ""
    alias = _COUNTRY_ALIASES.get(name.lower())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        pass
    bare = re.sub(r"\s*\(.*\)\s*$", "", name)  # UCDP: "Russia (Soviet Union)", "DR Congo (Zaire)"
    return code_of_name(bare) if bare and bare != name else ""


@lru_cache(maxsize=1024)
def code_of_numeric(code: str) -> str:
    """ISO alpha-2 code of an ISO 3166-1 numeric code (ACLED's ``iso``: ``368`` is Iraq)."""
    import pycountry

    code = code.strip()
    if not code.isdigit() or not 0 < int(code) < 1000:
        return ""
    found = pycountry.countries.get(numeric=f"{int(code):03d}")
    return str(found.alpha_2) if found is not None else ""
