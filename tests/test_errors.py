"""One error root: every exception class in ``geo`` derives from ``IncidentMapError``, and the
tree ``geo/errors.py`` draws in its docstring is the code's (each class under its parent,
with its module, its second base and its exit code), so the drawing cannot drift.

The command line catches the root once, in ``main()``: a refused command prints
``COMMAND: message`` on stderr and exits with the error's code, never with a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

import geo
from geo import errors
from geo.errors import FileError, IncidentMapError, InvalidInput, NotFound, UsageError


def _modules() -> list[ModuleType]:
    """Every module of ``geo``, imported (``geo.__main__`` too: its ``if __name__`` guard
    keeps the import free of side effects)."""
    names = ["geo", *(info.name for info in pkgutil.walk_packages(geo.__path__, "geo."))]
    return [importlib.import_module(name) for name in sorted(names)]


def _exceptions() -> list[type[BaseException]]:
    """The exception classes defined in ``geo`` (not those a module imports)."""
    found = {obj for module in _modules() for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__ == module.__name__}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclass(frozen=True)
class Drawn:
    name: str
    module: str
    parent: str | None  # the class drawn above it (None: the root)
    extra: str | None  # "(+ X)": a second base
    exit_code: int | None


_LINE = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>\w+)(?: \(\+ (?P<extra>\w+)\))?\s+(?P<module>geo(?:\.\w+)+)"
                   r"(?:\s+exit (?P<exit>\d+))?\s*$")


def _tree() -> list[Drawn]:
    """The classes the docstring of ``geo/errors.py`` draws, each with its parent."""
    drawn: list[Drawn] = []
    stack: list[str] = []  # the names on the path to the current line
    base: int | None = None
    for line in (errors.__doc__ or "").splitlines():
        match = _LINE.match(line)
        if not match or (base is None and "─" in match["lead"]):
            continue
        if base is None:
            base = len(match["lead"])  # the root's indent
        depth = (len(match["lead"]) - base) // 4
        del stack[depth:]
        drawn.append(Drawn(match["name"], match["module"], stack[-1] if stack else None, match["extra"],
                           int(match["exit"]) if match["exit"] else None))
        stack.append(match["name"])
    return drawn


def test_the_tree_is_drawn() -> None:
    tree = _tree()
    assert tree[0] == Drawn("IncidentMapError", "geo.errors", None, None, 1)
    assert len(tree) >= 20 and len({(d.module, d.name) for d in tree}) == len(tree)


def test_every_exception_the_project_defines_derives_from_the_root() -> None:
    outside = [_label(cls) for cls in _exceptions() if not issubclass(cls, IncidentMapError)]
    assert outside == [], f"derive these from geo.errors.IncidentMapError (or a category under it): {outside}"


def test_every_exception_is_drawn_in_the_tree() -> None:
    drawn = {(d.module, d.name) for d in _tree()}
    missing = [_label(cls) for cls in _exceptions() if (cls.__module__, cls.__name__) not in drawn]
    assert missing == [], f"draw these in geo/errors.py's docstring: {missing}"


def test_the_tree_draws_the_code() -> None:
    """Each drawn class exists where drawn, under the parent drawn (a direct base), with the
    second base drawn, and the exit code drawn (else its parent's)."""
    codes: dict[str, int] = {}
    wrong = []
    for d in _tree():
        cls = getattr(importlib.import_module(d.module), d.name, None)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            wrong.append(f"{d.module}.{d.name}: no such exception class")
            continue
        bases = [base.__name__ for base in cls.__bases__]
        if d.parent is not None and d.parent not in bases:
            wrong.append(f"{_label(cls)}: drawn under {d.parent}, its bases are {bases}")
        if d.extra is not None and d.extra not in bases:
            wrong.append(f"{_label(cls)}: drawn with the second base {d.extra}, its bases are {bases}")
        codes[d.name] = d.exit_code if d.exit_code is not None else codes.get(d.parent or "", 1)
        if issubclass(cls, IncidentMapError) and cls.exit_code != codes[d.name]:
            wrong.append(f"{_label(cls)}: exit code {cls.exit_code}, drawn as {codes[d.name]}")
    assert wrong == [], "\n".join(wrong)


def test_a_category_keeps_its_built_in_base_and_the_message_as_given() -> None:
    assert isinstance(InvalidInput("x"), ValueError) and isinstance(UsageError("x"), ValueError)
    assert isinstance(NotFound("x"), KeyError) and isinstance(FileError("x"), OSError)
    assert str(NotFound("no incident with id 'A'")) == "no incident with id 'A'"  # not KeyError's quoted repr
    assert str(FileError("a.csv: No such file or directory")) == "a.csv: No such file or directory"
    assert (IncidentMapError.exit_code, InvalidInput.exit_code, UsageError.exit_code) == (1, 1, 2)


# ------------------------------------------------------------- the command line catches it once

def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from geo.__main__ import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("args, code, message", [
    (("geocode",), 2, "geocode: give a NAME or --jsonl\n"),
    (("parse",), 2, "parse: give FILE, - for stdin, or --jsonl\n"),
    (("edit", "A-1", "killed"), 2, "edit: 'killed' is not FIELD=VALUE\n"),
    (("edit", "nope", "killed=1"), 1, "edit: no incident with id 'nope'\n"),
    (("delete", "nope"), 1, "delete: no incident with id 'nope'; nothing deleted\n"),
    (("undo", "999"), 1, "undo: no audit entry #999\n"),
    (("merge", "A-1", "A-1"), 1, "merge: an incident cannot be merged into itself\n"),
    (("history", "nope"), 1, "history: no change recorded for 'nope'\n"),
    (("gazetteer", "add"), 2, "gazetteer add: give country codes (IQ SY), a GeoNames-layout file, or a folder\n"),
])
def test_a_refused_command_says_why_and_exits_with_the_errors_code(
        args: tuple[str, ...], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "cli.sqlite3"))
    assert _cli(capsys, *args) == (code, "", message)


@pytest.mark.parametrize("location, message", [
    ("ftp://host/db", "audit: INCIDENTS_DB=ftp://…: use a SQLite path, a sqlite:/// URL or a postgresql:// URL\n"),
    ("postgresql://alice:s3cr3t@localhost:notaport/db", "audit: INCIDENTS_DB is not a database URL: "
                                                        "postgresql://alice:***@localhost:notaport/db\n"),
])
def test_a_store_that_cannot_be_opened_is_said_plainly(location: str, message: str, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTS_DB", location)
    assert _cli(capsys, "audit") == (1, "", message)  # a message, not a traceback; no password


def test_a_file_that_cannot_be_opened_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "cli.sqlite3"))
    missing = tmp_path / "missing.csv"
    assert _cli(capsys, "import", str(missing)) == (1, "", f"import: {missing}: No such file or directory\n")
    assert _cli(capsys, "parse", str(missing)) == (1, "", f"parse: {missing}: No such file or directory\n")
    assert _cli(capsys, "import", str(tmp_path)) == (1, "", f"import: {tmp_path}: Is a directory\n")
