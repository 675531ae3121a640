"""Load an evaluation set's own ``load.py`` from ``../shared/eval/<name>`` (or an override),
and the fixed tune/report split of the sets that do not carry one.

The sets live beside the repository and are never copied into it; each ships a loader,
which the benchmarks import from its folder rather than duplicating its parsing.

Split rule for GeoWebNews, TR-News and the RELABEL event-location items (the conflict set
carries its own ``split`` column): an item is ``tune`` when the first byte of the SHA-256
of its loader id (UTF-8, exactly as the loader gives it: ``gwn-<file>``,
``trnews-<docid>``, the event-location ``_id``) is even, else ``report``. Items that share
an id fall on the same side. This gives GeoWebNews 98 tune / 102 report articles, TR-News
56 / 62 and RELABEL 248 / 248 items.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent

SPLITS = ("report", "tune")  # report first: it gives the published figures


def load_module(name: str, env: str) -> ModuleType:
    """``../shared/eval/<name>/load.py`` (``$<env>`` overrides the folder), with ``DATA_DIR`` set to it."""
    folder = Path(os.environ.get(env) or ROOT.parent / "shared" / "eval" / name)
    spec = importlib.util.spec_from_file_location(f"{name}_eval_load", folder / "load.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no load.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.DATA_DIR = folder
    return module


def split_of(item_id: str) -> str:
    """``tune`` or ``report`` for an item of a set without its own split (rule in the module docstring)."""
    return "tune" if hashlib.sha256(item_id.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` ("" where there is none), for results files."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def commit_label(paths: tuple[str, ...] = ("geo", "data")) -> str:
    """Short HEAD commit, with a note when ``paths`` have uncommitted changes (what was measured)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", *paths],
                               capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (f" + uncommitted changes in {' or '.join(paths)}" if dirty else "")
