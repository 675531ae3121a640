"""Load an evaluation set's own ``load.py`` from ``../shared/eval/<name>`` (or an override).

The sets live beside the repository and are never copied into it; each ships a loader,
which the benchmarks import from its folder rather than duplicating its parsing.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


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
