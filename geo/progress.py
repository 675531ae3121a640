"""The one shape of a progress report: ``progress(what, done, total)``.

Reading a large file, installing gazetteer layers and ingesting articles all take long
enough to show a bar. They report the same way (what is under way, how far, out of how
much; ``total`` 0 when unknown), so the CLI's terminal bar and the app's ``st.progress``
each take any of them.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]

Progress = Callable[[str, int, int], None]  # (what, done, total; total 0 when unknown)
