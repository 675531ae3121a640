"""The bad-input corpus (tests/bad_inputs/, table in its README): each file gets one exact,
clear message naming file, row and column where they apply, and importing it through
``geo.ingest.loading`` or ``python -m geo import`` leaves an existing store exactly as it was.

The big inputs (a 1-million-character line, an upload over the size limit, a 50 MB article)
are generated here rather than committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from geo import formats
from geo.ingest import articles, loading
from geo.records import FIELDS, Incident
from geo.store.database import Store
from geo.store.queries import stream

BAD = Path(__file__).parent / "bad_inputs"
ROOT = Path(__file__).resolve().parent.parent
HEADER = ",".join(FIELDS)

# file -> the BadFile message (nothing of the file can be read)
WHOLE_FILE = {
    "empty.csv": "empty.csv: the file is empty",
    "pipe_delimited.csv": "pipe_delimited.csv, row 1: columns are separated by '|'; save the file with commas, "
                          "semicolons or tabs between columns",
    "missing_column.csv": "missing_column.csv, row 1: missing column location "
                          "(found: event_id, event_date, group, latitude, longitude, country_code)",
    "not_utf8.csv": "not_utf8.csv: not UTF-8 text (byte 0xe9 at row 2); save the file as UTF-8 and import again",
    "repeated_column.csv": "repeated_column.csv, row 1: column event_date appears more than once in the header",
}

# file -> the rejected-row messages (the file is read, the bad rows are named and skipped)
BAD_ROWS = {
    "extra_cells.csv": ["extra_cells.csv, row 2: has 24 cells; the header has 22"],
    "short_row.csv": ["short_row.csv, row 2: has 10 cells; the header has 22"],
    "impossible_date.csv": ["impossible_date.csv, row 2, column event_date: '2024-02-31' is not a valid date "
                            "(expected YYYY-MM-DD)"],
    "latitude_200.csv": ["latitude_200.csv, row 2, column latitude: 200 is out of range (-90 to 90)"],
    "negative_killed.csv": ["negative_killed.csv, row 2, column killed: -3 is out of range (must be at least 0)"],
    "huge_number.csv": ["huge_number.csv, row 2, column killed: '99999999999999999999999' is too large"],
}

# file -> warnings for files whose rows load (text is kept as text; odd parts are named)
LOADS_WITH_WARNING = {
    "extra_columns.csv": ["extra_columns.csv: ignored unknown column(s) reporter, certainty"],
    "html_notes.csv": ["html_notes.csv, row 2, column source_url: 'javascript:alert(4)' is not an http(s) link; "
                       "the link was left out"],
}

MILLION = "million_char_line.csv"
MILLION_MESSAGE = f"{MILLION}, row 2, column notes: is 1,000,000 characters long (at most 20,000)"
OVERSIZE = "oversize.csv"


def test_corpus_is_complete() -> None:
    """Every committed file has an expected message here and a line in the README table."""
    files = {p.name for p in BAD.glob("*.csv")}
    assert files == set(WHOLE_FILE) | set(BAD_ROWS) | set(LOADS_WITH_WARNING)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    for name in [*files, MILLION, OVERSIZE, "article_50mb.txt"]:
        assert f"`{name}`" in readme, name


@pytest.fixture
def million_line(tmp_path: Path) -> Path:
    row = ["BIG-1", "2024-03-01", "1", "Some Group", "claimed", "", "", "", "", "Mosul", "", "36.34", "43.13", "1",
           "IQ", "Nineveh", "1", "0", "x" * 1_000_000, "Test", "", "", "", "", "", ""]
    path = tmp_path / MILLION
    path.write_text(f"{HEADER}\n{','.join(row)}\n", encoding="utf-8")
    return path


@pytest.fixture
def oversize(tmp_path: Path) -> Path:
    path = tmp_path / OVERSIZE
    with open(path, "wb") as out:
        out.write(HEADER.encode() + b"\n")
        out.truncate(formats.MAX_UPLOAD_BYTES + 1)  # sparse: fast to make, over the upload limit, one 21 MB line
    return path


# ------------------------------------------------------------------ messages

@pytest.mark.parametrize("name", sorted(WHOLE_FILE))
def test_unreadable_file_message(name: str) -> None:
    with pytest.raises(formats.BadFile) as caught:
        formats.read_csv(BAD / name)
    assert str(caught.value) == WHOLE_FILE[name]
    with pytest.raises(formats.BadFile) as uploaded:  # an upload gets the same words
        formats.read_bytes((BAD / name).read_bytes(), name)
    assert str(uploaded.value) == WHOLE_FILE[name]


@pytest.mark.parametrize("name", sorted(BAD_ROWS))
def test_bad_row_message(name: str) -> None:
    result = formats.read_csv(BAD / name)
    assert [str(e) for e in result.errors] == BAD_ROWS[name]
    assert result.incidents == []
    [error] = result.errors
    assert (error.file, error.row) == (name, 2)


@pytest.mark.parametrize("name", sorted(LOADS_WITH_WARNING))
def test_loads_with_warning(name: str) -> None:
    result = formats.read_csv(BAD / name)
    assert result.errors == [] and len(result.incidents) == 1
    assert result.warnings == LOADS_WITH_WARNING[name]


def test_html_in_notes_is_kept_as_literal_text() -> None:
    [incident] = formats.read_csv(BAD / "html_notes.csv").incidents
    assert incident.notes == '<script>alert(1)</script><img src=x onerror="alert(2)"> ${alert(3)}'
    assert incident.source_url == ""


def test_million_character_line(million_line: Path) -> None:
    result = formats.read_csv(million_line)
    assert [str(e) for e in result.errors] == [MILLION_MESSAGE] and result.incidents == []


def test_million_character_line_without_delimiters(tmp_path: Path) -> None:
    result = formats.parse_text(f"{HEADER}\n{'x' * 1_000_000}\n", "one_cell.csv")
    assert [str(e) for e in result.errors] == [f"one_cell.csv, row 2: has 1 cell; the header has {len(FIELDS)}"]


OVERSIZE_MESSAGE = f"{OVERSIZE}: 21.0 MB is over the 20 MB upload limit; import a larger file with python -m geo import FILE"


def test_upload_over_the_size_limit(oversize: Path) -> None:
    """The app's upload limit; a file on disk has none (``test_formats_datasets``)."""
    with pytest.raises(formats.BadFile) as caught, open(oversize, "rb") as stream:
        formats.open_upload(stream, OVERSIZE, size=oversize.stat().st_size)
    assert str(caught.value) == OVERSIZE_MESSAGE
    with pytest.raises(formats.BadFile) as unsized, open(oversize, "rb") as stream:  # counted as it is read
        list(formats.open_upload(stream, OVERSIZE))
    assert str(unsized.value) == OVERSIZE_MESSAGE


def test_50mb_article_is_refused_clearly(tmp_path: Path) -> None:
    sentence = b"Gunmen attacked a checkpoint near Mosul on Monday, officials said. "
    raw = sentence * (50 * 2**20 // len(sentence) + 1)
    with pytest.raises(articles.ArticleError) as caught:
        articles.decode_upload(raw, "article_50mb.txt")
    assert str(caught.value) == "article_50mb.txt: 52.4 MB is over the 2 MB article limit"
    path = tmp_path / "article_50mb.txt"
    path.write_bytes(raw)
    done = subprocess.run([sys.executable, "-m", "geo", "parse", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == f"parse: {path}: over the 2 MB article limit; trim it to the article text"


# ------------------------------------------------------------------ the store is left alone

def _existing(n: int = 3) -> list[Incident]:
    return [Incident(f"KEEP-{k}", date(2024, 1, k + 1), "Kept Group", "Mosul", latitude=36.34, longitude=43.13,
                     country_code="IQ", killed=k, notes=f"kept {k}") for k in range(n)]


def _snapshot(store: Store) -> tuple[object, ...]:
    return store.count(), store.revision(), list(stream(store))


@pytest.fixture
def full_store(store: Store) -> Store:
    store.upsert(_existing(), actor="test", action="test")
    return store


@pytest.mark.parametrize("name", sorted([*WHOLE_FILE, *BAD_ROWS, MILLION, OVERSIZE]))
def test_bad_file_through_loading_leaves_store_unchanged(name: str, full_store: Store, geocoder, million_line: Path,
                                                         oversize: Path) -> None:
    path = {MILLION: million_line, OVERSIZE: oversize}.get(name, BAD / name)
    before = _snapshot(full_store)
    if name in BAD_ROWS or name == MILLION:
        report = loading.import_file(full_store, path, geocoder, actor="test")
        assert (report.added, report.updated, len(report.rejected)) == (0, 0, 1)
    elif name == OVERSIZE:  # no size limit from disk: its one line is NUL bytes, blank once they are removed
        report = loading.import_file(full_store, path, geocoder, actor="test")
        assert (report.added, report.updated, report.rejected) == (0, 0, [])
    else:
        with pytest.raises(formats.BadFile):
            loading.import_file(full_store, path, geocoder, actor="test")
    assert _snapshot(full_store) == before


def _cli_import(path: Path, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INCIDENTS_DB": db, "GEOCODER": "offline"}
    return subprocess.run([sys.executable, "-m", "geo", "import", str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(WHOLE_FILE))
def test_cli_refuses_unreadable_file_and_store_is_unchanged(name: str, full_store: Store) -> None:
    before = _snapshot(full_store)
    done = _cli_import(BAD / name, full_store.location)
    assert done.returncode == 1
    assert done.stderr.strip() == f"import: {WHOLE_FILE[name]}"
    assert _snapshot(full_store) == before


def test_cli_reports_bad_rows_and_store_is_unchanged(full_store: Store) -> None:
    before = _snapshot(full_store)
    done = _cli_import(BAD / "impossible_date.csv", full_store.location)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("impossible_date.csv: 0 added, 0 updated, 0 unchanged, 1 rejected, 0 without a place")
    assert lines[1] == f"rejected: {BAD_ROWS['impossible_date.csv'][0]}"
    assert _snapshot(full_store) == before


def test_html_notes_file_adds_one_row_with_literal_text(full_store: Store, geocoder) -> None:
    before = list(stream(full_store))
    report = loading.import_file(full_store, BAD / "html_notes.csv", geocoder, actor="test")
    assert (report.added, report.updated, report.rejected) == (1, 0, [])
    stored = full_store.get("HTML-1")
    assert stored is not None and stored.notes.startswith("<script>alert(1)</script>") and stored.source_url == ""
    assert [i for i in list(stream(full_store)) if i.event_id != "HTML-1"] == before
