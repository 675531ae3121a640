"""The Markdown documentation: every relative link and ``#anchor`` resolves, and the README stays short.

Links are checked in every Markdown file of the repository (README.md, docs/, bench/, and the
READMEs beside the data), outside dependency and cache folders. A link's ``#anchor`` must match a
heading of the target file under GitHub's slug rules: lowercase, punctuation other than hyphens and
spaces removed, spaces turned into hyphens, and ``-1``, ``-2``… appended to repeated headings.
Links inside code (fenced blocks and inline code spans) are text, not links, and are skipped.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# The two set-up commands the README starts with, byte for byte.
SETUP_COMMANDS = [
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/streamlit run app.py",
    "python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && .venv/bin/python -m pytest",
]
README_MAX_LINES = 200

# Folders that hold no documentation of ours: dependencies, caches, build output.
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache",
             ".ruff_cache", ".hypothesis", "tmp"}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# [text](target) and ![alt](target); the target may be <bracketed> and may carry a "title".
_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # [text], one level of nested brackets allowed
    r"\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"  # (target, which may hold balanced parentheses
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"  # "title")
)
_INLINE_LINK_TEXT = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")  # [label]: target


def markdown_files() -> list[Path]:
    """Every Markdown file of the repository, outside dependency and cache folders."""
    found = []
    for path in ROOT.rglob("*.md"):
        parts = path.relative_to(ROOT).parts
        if any(part in SKIP_DIRS for part in parts[:-1]):
            continue
        found.append(path)
    return sorted(found)


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for every line outside fenced code blocks."""
    lines = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            lines.append((number, line))
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip()[len(match.group(1)):].strip():
            fence = None
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (before any -N for repeats)."""
    text = _INLINE_LINK_TEXT.sub(r"\1", heading)  # a link in a heading counts by its text
    text = _HTML_TAG.sub("", text)
    text = text.strip().lower()
    kept = []
    for char in text:
        if char in "- " or char == "_" or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, with GitHub's -1, -2 for repeated headings."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = _ATX.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


@dataclass(frozen=True)
class Link:
    source: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}: ({self.target})"


def links(path: Path) -> list[Link]:
    """The relative links of a Markdown file (web and mail links left out), outside code."""
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for match in [*_LINK.finditer(line), *_DEFINITION.finditer(line)]:
            target = match.group(1).strip("<>").strip()
            if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto: and the like
            found.append(Link(path, number, target))
    return found


def all_links() -> list[Link]:
    return [link for path in markdown_files() for link in links(path)]


def broken(link: Link) -> str | None:
    """Why a link does not resolve, or None."""
    target, _, fragment = link.target.partition("#")
    target = unquote(target)
    if target:
        if target.startswith("/"):
            return "an absolute path (links must be relative to the file)"
        resolved = (link.source.parent / target).resolve()
        if not resolved.exists():
            return f"no such file: {resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved}"
    else:
        resolved = link.source
    if fragment:
        if resolved.is_dir() or resolved.suffix.lower() != ".md":
            return None  # anchors into code or data files are line marks, not headings
        if unquote(fragment).lower() not in anchors(resolved):
            return f"no heading #{fragment} in {resolved.relative_to(ROOT)}"
    return None


# --- the checker itself -----------------------------------------------------------------------------

@pytest.mark.parametrize("heading, expected", [
    ("The command line (a stable contract)", "the-command-line-a-stable-contract"),
    ("Curation: edit, delete, merge, undo", "curation-edit-delete-merge-undo"),
    ("Online geocoder (opt-in)", "online-geocoder-opt-in"),
    ("CI: `bash .ci/run`", "ci-bash-cirun"),
    ("A [linked](x.md) heading — with a dash", "a-linked-heading--with-a-dash"),
    ("Données brutes", "données-brutes"),
])
def test_slug_follows_github(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_repeated_headings_get_numbered_anchors(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Notes\n\n```\n## not a heading\n```\n\n## Notes\n\n## Notes\n", encoding="utf-8")
    assert anchors(page) == {"title", "notes", "notes-1", "notes-2"}


def test_checker_finds_broken_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker is not vacuous: a missing file, a missing anchor and a bad in-page anchor fail."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "other.md").write_text("# Other\n\n## Part two\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#part-two) [ok](#page) [web](https://example.org/x#y) `[code](nowhere.md)`\n"
        "[missing](nowhere.md) [bad anchor](other.md#part-three) [bad here](#nothing)\n"
        "[ref]: other.md#part-two\n"
        "```\n[in a block](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    found = links(page)
    assert [link.target for link in found] == [
        "other.md#part-two", "#page", "nowhere.md", "other.md#part-three", "#nothing", "other.md#part-two"]
    assert [broken(link) is None for link in found] == [True, True, False, False, False, True]


# --- the repository's documentation -----------------------------------------------------------------

def test_markdown_files_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}
    for expected in ["README.md", "docs/DESIGN.md", "bench/README.md", "docs/guide.md"]:
        assert expected in names


def test_every_relative_link_resolves() -> None:
    found = all_links()
    assert len(found) > 100, f"only {len(found)} relative links found: is the link pattern broken?"
    assert any("#" in link.target for link in found)
    problems = [f"{link}: {why}" for link in found if (why := broken(link))]
    assert not problems, "\n".join(problems)


def test_readme_links_into_the_docs() -> None:
    targets = {link.target.partition("#")[0] for link in links(README)}
    for page in ["docs/guide.md", "docs/gazetteer.md", "docs/cli.md", "docs/deploy.md", "docs/security.md",
                 "docs/development.md", "docs/DESIGN.md", "docs/IMPORT.md", "bench/README.md"]:
        assert page in targets, f"README.md does not link to {page}"


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"


def test_readme_starts_with_the_two_setup_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Incident map"
    start = next(i for i, line in enumerate(lines) if _FENCE.match(line))
    assert not any(line.strip() for line in lines[1:start]), "text before the set-up commands"
    end = next(i for i in range(start + 1, len(lines)) if _FENCE.match(lines[i]))
    assert lines[start + 1:end] == SETUP_COMMANDS
