"""The article tab's parse: capped and time-limited, with the reason shown when it is refused.

Why a module of its own: the limits (``max_parse_chars``, ``parse_timeout_s``) come from
the environment or ``st.secrets``, and the parse runs in :mod:`geo.geoparse.worker` so one
visitor's article cannot stall the others. The article form only asks for a result.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo import settings
from geo.geoparse import ParseResult
from geo.geoparse import worker as parse_worker
from geo.ui.state import secret

__all__ = ["parse_article"]


def parse_article(text: str, published: date | None) -> ParseResult | None:
    """The parse of ``text``, or ``None`` after an error message saying why there is none
    (too long, too slow, the parser busy or failing)."""
    try:
        return parse_worker.parse(text, published, timeout=settings.parse_timeout_s(secret("parse_timeout_s")),
                                  max_chars=settings.max_parse_chars(secret("max_parse_chars")))
    except parse_worker.ParseProblem as problem:
        st.error(str(problem))
        return None
