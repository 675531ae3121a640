"""CSV loading: good rows load, bad ones are named by file, row and column."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from geo import formats
from geo.records import FIELDS

HEADER = ",".join(FIELDS)


def row(**values: str) -> str:
    base = {"event_id": "T-1", "event_date": "2024-08-05", "group": "Al-Thawriun", "group_role": "claimed",
            "location": "Al-Asad Air Base", "country_code": "IQ"}
    base.update(values)
    return ",".join(base.get(f, "") for f in FIELDS)


def parse(*rows: str, header: str = HEADER) -> formats.ImportResult:
    return formats.parse_text("\n".join([header, *rows]) + "\n", "upload.csv")


def test_a_good_row_becomes_an_incident() -> None:
    result = parse(row(killed="", injured="7"))
    assert result.errors == []
    [incident] = result.incidents
    assert incident.event_date == date(2024, 8, 5) and incident.injured == 7 and incident.killed is None


def test_missing_column_names_file_and_column() -> None:
    header = HEADER.replace("event_date,", "")
    with pytest.raises(formats.BadFile, match=r"upload\.csv, row 1: missing column event_date"):
        parse("x", header=header)


@pytest.mark.parametrize(("values", "column", "words"), [
    ({"event_date": "2024-02-31"}, "event_date", "not a valid date"),
    ({"event_date": ""}, "event_date", "empty"),
    ({"latitude": "200", "longitude": "40"}, "latitude", "out of range"),
    ({"killed": "-3"}, "killed", "out of range"),
    ({"injured": "several"}, "injured", "not a whole number"),
    ({"group_role": "boasted"}, "group_role", "not one of"),
    ({"location": ""}, "location", "cannot be placed"),
])
def test_bad_value_is_reported_with_row_and_column(values: dict[str, str], column: str, words: str) -> None:
    result = parse(row(event_id="OK-1"), row(**values))
    assert [i.event_id for i in result.incidents] == ["OK-1"]
    [error] = result.errors
    assert (error.file, error.row, error.column) == ("upload.csv", 3, column)
    assert words in error.message
    assert str(error).startswith(f"upload.csv, row 3, column {column}:")


def test_repeated_event_id_is_rejected_not_duplicated() -> None:
    result = parse(row(), row())
    assert len(result.incidents) == 1 and result.errors[0].column == "event_id"


def test_semicolon_separated_file_is_read() -> None:
    text = HEADER.replace(",", ";") + "\n" + row().replace(",", ";") + "\n"
    assert len(formats.parse_text(text, "x.csv").incidents) == 1


def test_non_utf8_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + row(notes="caf\xe9")).encode("latin-1"))
    with pytest.raises(formats.BadFile, match=r"latin1\.csv: not UTF-8"):
        formats.read_csv(path)


def test_empty_file_is_refused() -> None:
    with pytest.raises(formats.BadFile, match="empty"):
        formats.parse_text("", "empty.csv")


def test_acled_export_maps_onto_the_record() -> None:
    text = ("event_id_cnty,event_date,year,time_precision,actor1,actor2,event_type,sub_event_type,country,admin1,"
            "location,latitude,longitude,geo_precision,source,notes,fatalities\n"
            "IRQ1,05 August 2024,2024,1,Al-Thawriun,Military Forces of the United States,Explosions/Remote violence,"
            "Shelling/artillery/missile attack,Iraq,Al Anbar,Ain al-Asad,33.80,42.44,1,Shafaq News,Rockets hit,0\n")
    [incident] = formats.parse_text(text, "acled.csv", "acled").incidents
    assert incident.event_id == "IRQ1" and incident.country_code == "IQ" and incident.killed == 0
    assert incident.event_date == date(2024, 8, 5) and incident.latitude == pytest.approx(33.8)


def test_a_header_wider_than_the_limit_is_refused_with_the_file_and_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = HEADER + "".join(f",extra{k}" for k in range(600 - len(FIELDS)))
    with pytest.raises(formats.BadFile, match=r"upload\.csv, row 1: the header has 600 columns; at most 500"):
        parse(row(), header=wide)
    assert parse(row() + ",x", header=HEADER + ",note").incidents  # a few unknown columns are only a warning
    monkeypatch.setenv("INCIDENT_MAP_MAX_CSV_COLUMNS", "700")
    assert parse(row() + "," * (600 - len(FIELDS)), header=wide).incidents
    with pytest.raises(formats.BadFile, match="at most 20 "):
        formats.read_bytes((HEADER + "\n" + row() + "\n").encode(), "small.csv", max_columns=20)


def test_repeated_columns_are_found_in_one_pass_however_wide_the_header() -> None:
    """The old check counted every column against every other: 60,000 columns took minutes."""
    header = HEADER + "".join(f",c{k}" for k in range(60_000)) + ",c17,event_date"
    started = time.process_time()
    with pytest.raises(formats.BadFile, match="columns c17, event_date appear more than once"):
        formats.parse_text(header + "\n", "wide.csv", max_columns=100_000)
    assert time.process_time() - started < 5.0  # linear: well under a second; quadratic: minutes


def test_the_import_tab_refuses_a_wide_header_naming_the_file_and_the_count(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from geo.ui.state import load_store

    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")  # this visitor may import
    monkeypatch.delenv("INCIDENT_MAP_MAX_CSV_COLUMNS", raising=False)
    load_store.clear()
    app = AppTest.from_file("../app.py", default_timeout=90)
    app.secrets["max_csv_columns"] = 30  # the deploy's secret sets the limit
    at = app.run()
    wide = HEADER + "".join(f",x{k}" for k in range(40 - len(FIELDS)))
    at.file_uploader(key="import_upload").upload("wide.csv", (wide + "\n" + row() + "\n").encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert any("wide.csv, row 1: the header has 40 columns; at most 30" in e.value.replace("\\", "") for e in at.error)
