"""Real datasets' layouts (ACLED current and pre-2023, HDX files with an HXL row, UCDP GED, GTD
as CSV and as START's xlsx workbook),
the format found from the header, ``source_fields``, and reading files of any size as a
stream: memory stays flat, the CLI has no size limit, messages stay capped.

Every row here is made up in this file; no dataset's records are copied.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import pytest

from geo import formats
from geo.formats import reading, registry
from geo.formats.fields import Format, extras
from geo.formats.native import as_native
from geo.geocoding.offline import GeocodeResult
from geo.geoparse import actors
from geo.ingest import loading
from geo.records import FIELDS, Incident
from geo.store.database import Store

ROOT = Path(__file__).resolve().parent.parent

ACLED = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
         "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
         "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp").split(",")
ACLED_OLD = ("data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,sub_event_type,"
             "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,country,admin1,admin2,admin3,"
             "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3").split(",")
UCDP = ("id,relid,year,active_year,type_of_violence,conflict_name,dyad_name,side_a,side_b,source_article,"
        "source_headline,where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,"
        "priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
        "deaths_civilians,deaths_unknown,best,high,low").split(",")
HXL = {"event_id_cnty": "#event+id", "event_date": "#date+occurred", "year": "#date+year", "actor1": "#group+name+first",
       "country": "#country+name", "location": "#loc+name", "latitude": "#geo+lat", "longitude": "#geo+lon",
       "fatalities": "#affected+killed", "notes": "#description"}


def acled_row(**values: object) -> dict[str, str]:
    base = {"event_id_cnty": "IRQ9001", "event_date": "05 August 2024", "year": "2024", "time_precision": "1",
            "disorder_type": "Political violence", "event_type": "Explosions/Remote violence",
            "sub_event_type": "Shelling/artillery/missile attack", "actor1": "Test Front", "assoc_actor_1": "Helpers",
            "inter1": "3", "actor2": "Test Garrison", "inter2": "8", "interaction": "38", "iso": "368",
            "region": "Middle East", "country": "Iraq", "admin1": "Al Anbar", "admin2": "Heet", "location": "Test Base",
            "latitude": "33.80", "longitude": "42.44", "geo_precision": "1", "source": "Test Wire",
            "source_scale": "National", "notes": "Rockets hit a test base.", "fatalities": "0", "tags": "",
            "timestamp": "1722900000"}
    base.update({k: str(v) for k, v in values.items()})
    return base


def csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read(text: str, name: str = "in.csv", fmt: str = "auto") -> formats.ImportResult:
    return formats.read_bytes(text.encode(), name, fmt)


class _NoGeocoding:
    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        return None


# ------------------------------------------------------------------ ACLED

def test_acled_current_layout_with_an_hxl_row_every_date_form_and_a_hard_note() -> None:
    note = 'Militants fired rockets, a drone and "other munitions" at the base;\nno one was hurt, officials said.'
    text = csv_text(ACLED, [
        HXL,  # HDX files: the hashtag row under the header (line 2)
        acled_row(event_id_cnty="IRQ1", event_date="05 August 2024", notes=note, fatalities=""),  # lines 3-4
        acled_row(event_id_cnty="IRQ2", event_date="2024-08-06"),  # line 5
        acled_row(event_id_cnty="IRQ3", event_date="7-Aug-24"),  # line 6
        acled_row(event_id_cnty="IRQ4", event_date="8 Aug 2024"),  # line 7
        acled_row(event_id_cnty="IRQ5", latitude="133.8"),  # line 8: a bad latitude
    ])
    result = read(text, "hdx.csv")
    assert [i.event_id for i in result.incidents] == ["IRQ1", "IRQ2", "IRQ3", "IRQ4"]
    assert [i.event_date for i in result.incidents] == [date(2024, 8, d) for d in (5, 6, 7, 8)]
    first = result.incidents[0]
    assert first.notes == note and first.killed is None  # empty fatalities: unknown, not 0
    assert (first.group, first.target, first.country_code, first.admin1, first.location) == (
        "Test Front", "Test Garrison", "IQ", "Al Anbar", "Test Base")
    assert (first.latitude, first.longitude, first.geo_precision, first.time_precision) == (33.8, 42.44, 1, 1)
    assert result.incidents[1].killed == 0
    assert [str(e) for e in result.errors] == ["hdx.csv, row 8, column latitude: 133.8 is out of range (-90 to 90)"]
    assert result.warnings == []


def test_acled_errors_name_the_source_column() -> None:
    result = read(csv_text(ACLED, [acled_row(fatalities="many"), acled_row(event_id_cnty="IRQ2", event_date="31 June 2024")]))
    assert [str(e) for e in result.errors] == [
        "in.csv, row 2, column fatalities: 'many' is not a whole number",
        "in.csv, row 3, column event_date: '31 June 2024' is not a valid date (expected YYYY-MM-DD)"]


def test_acled_pre_2023_layout() -> None:
    row = acled_row(data_id="8812", event_id_no_cnty="9001", iso3="IRQ", event_date="05 August 2024", fatalities="3")
    [incident] = read(csv_text(ACLED_OLD, [row]), "old.csv").incidents
    assert (incident.event_id, incident.event_date, incident.killed, incident.country_code) == (
        "IRQ9001", date(2024, 8, 5), 3, "IQ")
    kept = json.loads(incident.source_fields)
    assert kept["data_id"] == "8812" and kept["iso3"] == "IRQ" and kept["event_id_no_cnty"] == "9001"
    assert "disorder_type" not in kept  # not a column of this layout


def test_acled_numeric_iso_decides_the_country_and_unknown_names_are_kept() -> None:
    rows = [acled_row(event_id_cnty="PSE1", iso="275", country="Palestine"),
            acled_row(event_id_cnty="XXX1", iso="", country="Atlantis")]
    palestine, atlantis = read(csv_text(ACLED, rows)).incidents
    assert palestine.country_code == "PS" and "country" not in json.loads(palestine.source_fields)
    assert atlantis.country_code == "" and json.loads(atlantis.source_fields)["country"] == "Atlantis"


def test_source_fields_keep_every_column_no_field_holds() -> None:
    [incident] = read(csv_text(ACLED, [acled_row(tags="crowd size=no report")])).incidents
    kept = json.loads(incident.source_fields)
    assert kept == {"disorder_type": "Political violence", "assoc_actor_1": "Helpers", "inter1": "3", "inter2": "8",
                    "interaction": "38", "region": "Middle East", "admin2": "Heet", "source_scale": "National",
                    "tags": "crowd size=no report", "timestamp": "1722900000"}
    held = {"event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
            "iso", "country", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
            "fatalities"}
    assert set(ACLED) == held | set(kept) | {"assoc_actor_2", "civilian_targeting", "admin3"}  # those three were empty


# ------------------------------------------------------------------ UCDP GED

def ucdp_row(**values: object) -> dict[str, str]:
    base = {"id": "4401", "relid": "IRQ-2024-1-1", "year": "2024", "active_year": "1", "type_of_violence": "1",
            "conflict_name": "Iraq: Government", "dyad_name": "Government of Iraq - Test Front",
            "side_a": "Government of Iraq", "side_b": "Test Front", "source_article": "Test Wire 2024-08-06",
            "source_headline": "Clash near a test town", "where_prec": "1", "where_coordinates": "Test Town",
            "where_description": "a test town west of the river", "adm_1": "Al Anbar governorate", "adm_2": "Hit district",
            "latitude": "33.64", "longitude": "42.83", "geom_wkt": "POINT (42.83 33.64)", "priogrid_gid": "175000",
            "country": "Iraq", "country_id": "645", "region": "Middle East", "event_clarity": "1", "date_prec": "1",
            "date_start": "2024-08-05 00:00:00.000", "date_end": "2024-08-05 00:00:00.000", "deaths_a": "1",
            "deaths_b": "3", "deaths_civilians": "0", "deaths_unknown": "0", "best": "4", "high": "6", "low": "4"}
    base.update({k: str(v) for k, v in values.items()})
    return base


@pytest.mark.parametrize(("where", "geo"), [("1", 1), ("2", 2), ("3", 3), ("4", 3), ("5", 4), ("6", 4), ("7", 4)])
def test_ucdp_where_prec_becomes_geo_precision(where: str, geo: int) -> None:
    [incident] = read(csv_text(UCDP, [ucdp_row(where_prec=where)])).incidents
    assert incident.geo_precision == geo


@pytest.mark.parametrize(("when", "time"), [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 3)])
def test_ucdp_date_prec_becomes_time_precision(when: str, time: int) -> None:
    [incident] = read(csv_text(UCDP, [ucdp_row(date_prec=when)])).incidents
    assert incident.time_precision == time


def test_ucdp_ged_row() -> None:
    [incident] = read(csv_text(UCDP, [ucdp_row()]), "ged.csv").incidents
    assert (incident.event_id, incident.event_date, incident.killed) == ("UCDP-4401", date(2024, 8, 5), 4)
    assert (incident.group, incident.target, incident.location, incident.country_code) == (
        "Government of Iraq", "Test Front", "Test Town", "IQ")
    assert (incident.event_type, incident.admin1, incident.notes) == ("Battles", "Al Anbar governorate",
                                                                      "Clash near a test town")
    kept = json.loads(incident.source_fields)
    assert (kept["low"], kept["high"], kept["deaths_a"], kept["deaths_b"]) == ("4", "6", "1", "3")
    assert kept["conflict_name"] == "Iraq: Government" and kept["adm_2"] == "Hit district"
    assert kept["type_of_violence"] == "1" and "geom_wkt" not in kept and "best" not in kept


def test_ucdp_bad_best_names_the_ucdp_column() -> None:
    result = read(csv_text(UCDP, [ucdp_row(best="-1")]), "ged.csv")
    assert [str(e) for e in result.errors] == ["ged.csv, row 2, column best: -1 is out of range (must be at least 0)"]


# ------------------------------------------------------------------ GTD (CSV and the START workbook)

GTD = ("eventid,iyear,imonth,iday,approxdate,extended,country,country_txt,region,region_txt,provstate,city,"
       "latitude,longitude,specificity,vicinity,summary,attacktype1,attacktype1_txt,targtype1,targtype1_txt,"
       "target1,gname,gname2,claimed,nkill,nwound,dbsource,scite1").split(",")


def gtd_row(**values: object) -> dict[str, str]:
    base = {"eventid": "202101010001", "iyear": "2021", "imonth": "1", "iday": "1", "approxdate": "", "extended": "0",
            "country": "95", "country_txt": "Iraq", "region": "10", "region_txt": "Middle East & North Africa",
            "provstate": "Al Anbar", "city": "Test Town", "latitude": "33.64", "longitude": "42.83",
            "specificity": "1", "vicinity": "0", "summary": "Gunmen attacked a test checkpoint.", "attacktype1": "2",
            "attacktype1_txt": "Armed Assault", "targtype1": "3", "targtype1_txt": "Police",
            "target1": "Checkpoint", "gname": "Test Front", "gname2": "", "claimed": "1", "nkill": "2",
            "nwound": "3", "dbsource": "START Primary Collection", "scite1": "Test Wire, 2 January 2021."}
    base.update({k: str(v) for k, v in values.items()})
    return base


def test_a_gtd_row() -> None:
    [incident] = read(csv_text(GTD, [gtd_row()]), "gtd.csv").incidents
    assert (incident.event_id, incident.event_date, incident.time_precision) == ("GTD-202101010001",
                                                                                date(2021, 1, 1), 1)
    assert (incident.group, incident.group_role, incident.killed, incident.injured) == ("Test Front", "claimed", 2, 3)
    assert (incident.location, incident.admin1, incident.country_code, incident.geo_precision) == (
        "Test Town", "Al Anbar", "IQ", 1)
    assert (incident.event_type, incident.target, incident.notes) == ("Armed Assault", "Police",
                                                                      "Gunmen attacked a test checkpoint.")
    kept = json.loads(incident.source_fields)
    assert kept["target1"] == "Checkpoint" and kept["scite1"].startswith("Test Wire") and "gname" not in kept


@pytest.mark.parametrize(("changes", "expected"), [
    ({"iday": "0"}, (date(2021, 1, 1), 3)),  # the day unknown: the month
    ({"imonth": "0", "iday": "0"}, (date(2021, 1, 1), 3)),  # only the year
    ({"imonth": "3", "iday": "14"}, (date(2021, 3, 14), 1)),
])
def test_gtd_unknown_days_become_a_coarser_time_precision(changes: dict[str, str], expected: tuple) -> None:
    [incident] = read(csv_text(GTD, [gtd_row(**changes)])).incidents
    assert (incident.event_date, incident.time_precision) == expected


@pytest.mark.parametrize(("specificity", "geo"), [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 4)])
def test_gtd_specificity_becomes_geo_precision(specificity: str, geo: int) -> None:
    [incident] = read(csv_text(GTD, [gtd_row(specificity=specificity)])).incidents
    assert incident.geo_precision == geo


def test_gtd_unknowns_and_the_workbooks_numbers() -> None:
    rows = [gtd_row(gname="Unknown", claimed="-9", nkill="-99", nwound="4.0"),
            gtd_row(eventid="202101010002", claimed="0", city="Unknown", country_txt="West Bank and Gaza Strip",
                    provstate="West Bank", latitude="", longitude="", nkill="")]
    unknown, attributed = read(csv_text(GTD, rows)).incidents
    assert (unknown.group, unknown.group_role, unknown.killed, unknown.injured) == ("Unknown", "unknown", None, 4)
    assert (attributed.group_role, attributed.location, attributed.country_code) == ("attributed", "West Bank", "PS")
    assert attributed.latitude is None and attributed.killed is None


def test_a_gtd_date_that_is_no_date_names_the_gtd_column() -> None:
    result = read(csv_text(GTD, [gtd_row(imonth="2", iday="30")]), "gtd.csv")
    assert result.incidents == [] and [e.column for e in result.errors] == ["iday"]


def _workbook(rows: list[dict[str, str]], path: Path) -> Path:
    """The rows as START's workbook holds them: numbers as numbers, empty cells empty."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(GTD)
    for row in rows:
        sheet.append([float(v) if v.replace(".", "", 1).lstrip("-").isdigit() else (v or None)
                      for v in (row[c] for c in GTD)])
    book.save(path)
    return path


def test_a_gtd_workbook_imports_like_its_csv_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    """The group through the register's crosswalk (GTD's own name for the group), as for ACLED."""
    rows = [gtd_row(gname="Islamic State of Iraq and the Levant (ISIL)"),
            gtd_row(eventid="202101020003", iday="2", specificity="4", nkill="0")]
    book = _workbook(rows, tmp_path / "globalterrorismdb.xlsx")
    from_csv = read(csv_text(GTD, rows)).incidents
    from_book = formats.read_bytes(book.read_bytes(), book.name, "auto").incidents
    assert from_book == from_csv and len(from_book) == 2
    store = Store(str(tmp_path / "s.sqlite3"))
    first = loading.import_file(store, book, _NoGeocoding(), actor="cli")
    assert (first.added, first.fmt) == (2, "gtd")
    assert store.get("GTD-202101010001").group == actors.register().lookup("Islamic State").canonical  # type: ignore[union-attr]
    again = loading.import_file(store, book, _NoGeocoding(), actor="cli", update_existing=True)
    assert (again.added, again.updated) == (0, 0)


def test_a_file_named_xlsx_that_is_no_workbook_is_refused_with_a_message() -> None:
    with pytest.raises(formats.BadFile, match="broken.xlsx: not a readable xlsx workbook"):
        formats.read_bytes(b"PK\x03\x04 not really a zip", "broken.xlsx", "auto")


# ------------------------------------------------------------------ the format, from the header

@pytest.mark.parametrize(("text", "fmt"), [
    (",".join(FIELDS) + "\nN-1,2024-08-05,1,Test Front,claimed,,,,,Test Town,,33.6,42.8,1,IQ,,,,,,,,,,,\n", "native"),
    (csv_text(ACLED, [acled_row()]), "acled"),
    (csv_text(ACLED_OLD, [acled_row()]), "acled"),
    (csv_text(UCDP, [ucdp_row()]), "ucdp"),
    (csv_text(GTD, [gtd_row()]), "gtd"),
    ('{"type": "FeatureCollection", "features": []}', "geojson"),
])
def test_auto_detection_chooses_the_format(text: str, fmt: str) -> None:
    records = formats.open_upload(io.BytesIO(text.encode()), "in.csv")
    assert records.fmt == fmt
    assert records.result().errors == []


def test_an_unknown_header_is_refused_naming_the_expected_columns() -> None:
    with pytest.raises(formats.BadFile) as caught:
        read("when,who,where\n2024-08-05,x,y\n", "mystery.csv")
    assert str(caught.value) == (
        "mystery.csv, row 1: the columns match no format this importer reads; it expects "
        "this project's CSV: event_date, group, location; ACLED: event_id_cnty, event_date, actor1, location, latitude, "
        "longitude; UCDP GED: id, date_start, side_a, latitude, longitude; GTD: eventid, iyear, imonth, iday, "
        "country_txt, gname (found: when, who, where)")


def test_an_explicit_format_is_still_obeyed() -> None:
    with pytest.raises(formats.BadFile, match="missing columns id, date_start, side_a"):
        read(csv_text(ACLED, [acled_row()]), fmt="ucdp")


# A format as a new file would write it (geo/formats/<name>.py): its column mapping, its row
# function, its Format. The registry line is the test's monkeypatch.setitem below.
_TINY_NAMES = {"event_id": "ref", "event_date": "when", "group": "who", "location": "place",
               "latitude": "lat", "longitude": "lon"}  # native column -> this format's


def _tiny_row(row: Mapping[str, str], extra: Sequence[str]) -> Incident:
    native = {dst: row.get(src, "") for dst, src in _TINY_NAMES.items()}
    return as_native(native, _TINY_NAMES, extras(row, extra))


TINY = Format("Tiny", ("ref", "when", "who", "lat", "lon"), _tiny_row,
              detect=lambda columns: {"ref", "who"} <= columns, held=frozenset(_TINY_NAMES.values()))


def test_a_new_format_is_one_file_and_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.FORMATS, "tiny", TINY)
    text = ("Ref,When,Who,Place,Lat,Lon,Colour\n"
            "T-1,05 August 2024,Test Front,Test Town,33.6,42.8,red\n"
            "T-2,2024-08-06,Test Front,,91,42.8,\n")
    records = formats.open_upload(io.BytesIO(text.encode()), "tiny.csv")
    assert records.fmt == "tiny"  # found from its header, like the built-in formats
    [incident] = records
    assert (incident.event_id, incident.event_date, incident.group, incident.location) == \
        ("T-1", date(2024, 8, 5), "Test Front", "Test Town")
    assert (incident.latitude, incident.longitude) == (33.6, 42.8)
    assert json.loads(incident.source_fields) == {"colour": "red"}  # a column no field holds is kept
    # the shared checks apply, and a problem names this format's column
    assert records.error_lines() == ["tiny.csv, row 3, column lat: 91 is out of range (-90 to 90)"]
    with pytest.raises(formats.BadFile, match=r"tiny\.csv, row 1: missing column lon"):
        formats.read_bytes(b"ref,when,who,lat\nT-1,2024-08-05,x,1\n", "tiny.csv", "auto")


def test_upper_case_acled_headers_are_read() -> None:
    text = csv_text(ACLED, [acled_row()]).replace(",".join(ACLED), ",".join(c.upper() for c in ACLED), 1)
    [incident] = read(text).incidents
    assert incident.event_id == "IRQ9001"


# ------------------------------------------------------------------ encodings

@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_bom_and_utf16_files_are_read(tmp_path: Path, encoding: str) -> None:
    text = csv_text(ACLED, [acled_row(location="Ḥadītha", notes="ملاحظة")])
    raw = {"utf-16-le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
           "utf-16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be")}.get(encoding) or text.encode(encoding)
    path = tmp_path / "enc.csv"
    path.write_bytes(raw)
    [incident] = formats.read_csv(path, "auto").incidents
    assert incident.location == "Ḥadītha" and incident.notes == "ملاحظة"


def test_a_bad_byte_far_down_names_its_row_and_nothing_is_saved(tmp_path: Path, store: Store) -> None:
    rows = [acled_row(event_id_cnty=f"IRQ{k}") for k in range(8000)]  # ~3 MB: the bad byte is in a later chunk
    raw = csv_text(ACLED, rows).encode()
    cut = raw.index(b"IRQ7000,")
    path = tmp_path / "late.csv"
    path.write_bytes(raw[:cut] + b"\xe9" + raw[cut:])
    with pytest.raises(formats.BadFile) as caught:
        loading.import_file(store, path, _NoGeocoding(), actor="test")
    assert str(caught.value) == "late.csv: not UTF-8 text (byte 0xe9 at row 7002); save the file as UTF-8 and import again"
    assert store.count() == 0


# ------------------------------------------------------------------ streaming

def _write_acled(path: Path, count: int, note_words: int = 0) -> Path:
    """``count`` made-up ACLED rows; ``note_words`` more words per note make a file of many
    megabytes from few rows (reading a row costs the same whatever its length)."""
    more = " and more words" * note_words
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=ACLED, lineterminator="\n")
        writer.writeheader()
        for k in range(count):
            writer.writerow(acled_row(event_id_cnty=f"IRQ{k}", event_date=f"{1 + k % 28:02d} August 2024",
                                      latitude=f"{33 + (k % 997) / 1000:.3f}", fatalities=k % 7,
                                      notes=f"Rockets hit test base number {k}, a made-up place; no one was hurt.{more}"))
    return path


def test_a_large_file_is_read_in_flat_memory(tmp_path: Path) -> None:
    path = _write_acled(tmp_path / "big.csv", 20_000, note_words=100)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        records = formats.open_records(path)
        count = sum(1 for _ in records)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000 and records.error_count == 0 and size > 35e6
    # flat: one chunk and a few rows (~2 MB here), not the file (~36 MB) nor its 20k records (~40 MB)
    assert peak < 12e6, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


def test_progress_follows_the_bytes_read(tmp_path: Path) -> None:
    path = _write_acled(tmp_path / "p.csv", 6000)
    seen: list[tuple[int, int]] = []
    records = formats.open_records(path, progress=lambda _what, done, total: seen.append((done, total)))
    assert sum(1 for _ in records) == 6000
    size = path.stat().st_size
    assert seen[-1] == (size, size) and all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and len(seen) >= 2


def test_messages_are_capped_and_counted(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.setattr(reading, "MAX_MESSAGES", 3)
    rows = [acled_row(event_id_cnty=f"IRQ{k}", latitude="99") for k in range(10)] + [acled_row(event_id_cnty="OK")]
    text = csv_text(ACLED, rows)
    report = loading.import_upload(store, io.BytesIO(text.encode()), "many.csv", _NoGeocoding(), actor="test")
    assert report.added == 1 and report.rejected_count == 10
    assert report.rejected[:3] == [f"many.csv, row {n}, column latitude: 99 is out of range (-90 to 90)" for n in (2, 3, 4)]
    assert report.rejected[3:] == ["… and 7 more rejected rows"]
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 10 rejected, 0 without a place"


def test_repeated_ids_are_still_reported() -> None:
    rows = [acled_row(event_id_cnty=f"IRQ{k}") for k in range(3000)] + [acled_row(event_id_cnty="IRQ1234")]
    result = read(csv_text(ACLED, rows))
    assert [str(e) for e in result.errors] == ["in.csv, row 3002, column event_id: 'IRQ1234' repeats row 1236"]
    assert len(result.incidents) == 3000


def test_an_upload_keeps_its_limit_but_a_file_on_disk_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write_acled(tmp_path / "acled-21mb.csv", 8_000, note_words=160)
    assert path.stat().st_size > formats.MAX_UPLOAD_BYTES
    with pytest.raises(formats.BadFile, match=r"acled-21mb\.csv: 2\d\.\d MB is over the 20 MB upload limit"), \
            open(path, "rb") as stream:
        formats.open_upload(stream, path.name, size=path.stat().st_size)
    db = tmp_path / "cli.sqlite3"
    env = {**os.environ, "INCIDENTS_DB": str(db), "GEOCODER": "offline"}
    done = subprocess.run([sys.executable, "-m", "geo", "import", str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{path}: 8000 added, 0 updated, 0 unchanged, 0 rejected, 0 without a place"
    assert done.stderr == ""  # no progress bar: stderr is not a terminal here
    stored = Store(str(db))
    try:
        assert stored.count() == 8_000 and json.loads(stored.get("IRQ5").source_fields)["admin2"] == "Heet"
    finally:
        stored.close()


def test_the_import_tab_reads_an_acled_upload_found_from_its_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from geo.ui.state import load_store

    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")  # this visitor may import
    load_store.clear()
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    assert at.selectbox(key="import_format").value == "auto"
    text = csv_text(ACLED, [HXL, acled_row(), acled_row(event_id_cnty="IRQ2", latitude="133.8")])
    at.file_uploader(key="import_upload").upload("hdx.csv", text.encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert any("hdx.csv: 1 added" in s.value.replace("\\", "") for s in at.success)
    assert any("hdx.csv, row 4, column latitude" in str(d.value) for d in at.dataframe)


def test_an_acled_file_files_its_actors_under_the_registers_groups(store: Store) -> None:
    """ACLED's own actor names ("Military Forces of Nigeria (2015-)") land on the group a parsed
    report gets ("Military Forces of Nigeria"): one group, one filter (data/group_crosswalk.csv)."""
    rows = [acled_row(event_id_cnty="NIG1", actor1="Military Forces of Nigeria (2015-)", assoc_actor_1="",
                      actor2="Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"),
            acled_row(event_id_cnty="NIG2", actor1="A Made-up Front Nobody Coded", actor2="")]
    report = loading.import_upload(store, io.BytesIO(csv_text(ACLED, rows).encode()), "acled.csv", _NoGeocoding(),
                                   actor="test")
    assert report.added == 2
    first, second = store.get("NIG1"), store.get("NIG2")
    assert first is not None and second is not None
    assert (first.group, first.target) == ("Military Forces of Nigeria",
                                           actors.register().lookup("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati "
                                                                    "wal-Jihad").canonical)  # type: ignore[union-attr]
    assert second.group == "A Made-up Front Nobody Coded"  # a name the register lacks is kept as given
