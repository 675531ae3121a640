"""The shape of ``geo/``: packages in layers, imports only pointing down, no cycle.

Read from the source with ``ast`` (every import counts, a function's or a
``TYPE_CHECKING`` block's too), so an import that would run back up a layer or close a
cycle fails here before it reaches a reviewer. The layers are drawn in docs/DESIGN.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "geo"

# Low to high: a module imports from its own unit or from a lower layer, never from a unit
# of its own layer or above. The small shared modules at the top of geo/ form one unit.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("geo.gazetteer", "geo.formats"),
    ("geo.geocoding", "geo.geoparse"),
    ("geo.store",),
    ("geo.map", "geo.ingest"),
    ("geo.ui",),
    ("geo.__main__", "app"),
]
RANK = {unit: n for n, units in enumerate(LAYERS) for unit in units}
PACKAGES = [unit for units in LAYERS for unit in units if unit.startswith("geo.") and unit != "geo.__main__"]
STREAMLIT = ("streamlit", "streamlit_folium")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {module_name(p): p for p in GEO.rglob("*.py")}
    found["app"] = ROOT / "app.py"
    return found


def unit_of(module: str) -> str:
    if module == "app" or module == "geo.__main__":
        return module
    parts = module.split(".")
    if len(parts) >= 2 and (GEO / parts[1]).is_dir():
        return f"geo.{parts[1]}"
    return "core"


def imports_of(path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(module of this tree, line) for every import in the file, resolved to the module
    file it names (``from geo.store import queries`` is ``geo.store.queries``)."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "geo"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "geo" and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.append((sub if sub in known else node.module, node.lineno))
    return out


def graph() -> dict[str, list[tuple[str, int]]]:
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def test_the_layers_name_every_package_of_geo() -> None:
    packages = {f"geo.{p.name}" for p in GEO.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(PACKAGES)


def test_imports_only_point_down() -> None:
    upward = []
    for module, targets in graph().items():
        here = unit_of(module)
        for target, line in targets:
            there = unit_of(target)
            if there != here and RANK[there] >= RANK[here]:
                upward.append(f"{module}:{line} imports {target} ({there} is not below {here})")
    assert upward == []


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph (its modules in order), or [] when there is none."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_imports_itself_round_a_cycle() -> None:
    edges = {module: {target for target, _ in targets if target != module} for module, targets in graph().items()}
    assert find_cycle(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "d": {"a"}}) == []


def test_a_module_inside_a_package_does_not_import_its_own_package_face() -> None:
    """``geo/store/queries.py`` importing ``geo.store`` would run ``geo/store/__init__.py``,
    which imports the package's modules back: a cycle in waiting."""
    inward = [f"{module}:{line}" for module, targets in graph().items() for target, line in targets
              if target != module and module.startswith(target + ".") and target in PACKAGES]
    assert inward == []


def test_only_the_ui_imports_streamlit() -> None:
    found = []
    for module, path in modules().items():
        if unit_of(module) in ("geo.ui", "app"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{module}: {n}" for n in names if n.split(".")[0] in STREAMLIT]
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_is_and_names_its_surface(package: str) -> None:
    init = GEO / package.split(".")[1] / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{init} has no docstring"
    if package != "geo.ui":  # the UI's modules are used by app.py one panel at a time
        exported = [n for n in tree.body if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
        assert exported, f"{init} names no __all__"


def test_every_module_says_why_it_exists() -> None:
    missing = [name for name, path in modules().items()
               if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert missing == []


def test_an_upward_import_would_be_caught(tmp_path: Path) -> None:
    """The checker itself: a store module importing the UI is reported."""
    source = tmp_path / "probe.py"
    source.write_text("from geo.ui import state\nimport geo.map.plan\n", encoding="utf-8")
    targets = [t for t, _ in imports_of(source, modules())]
    assert targets == ["geo.ui.state", "geo.map.plan"]
    assert all(RANK[unit_of(t)] >= RANK["geo.store"] for t in targets)
