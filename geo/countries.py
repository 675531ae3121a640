"""Countries as people read them: "Iraq" for ``IQ``, and a link's ``country=Iraq`` or
``country=IQ`` both meaning ``IQ``. The store keeps ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from geo.importers import _country_code

__all__ = ["name", "label", "code_of"]


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
    code = _country_code(value) if value else ""
    return code if code in known else None
