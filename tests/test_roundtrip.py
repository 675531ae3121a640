"""Export → import keeps every value (CSV and GeoJSON), and numbers are read strictly."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.formats import BadFile, export, parse_text
from geo.records import Incident
from geo.store.database import Store
from geo.store.queries import stream

TRICKY = ["=1+1", "+cmd", "-3 soldiers", "@SUM(A1)", "'=already quoted", "'", "''two", "'Twas", "a, \"quoted\", b",
          "{% if x %}{{ 7*7 }}{# c", "[link](https://evil.example) <b>", "Ain al-Asad عين الأسد", "USER-²", "x\u200cy"]


def tricky_incidents() -> list[Incident]:
    out = []
    for k, text in enumerate(TRICKY):
        out.append(Incident(
            event_id=f"T-{k}" if k % 3 else f"{text}-{k}", event_date=date(2024, 1, k + 1), group=text, location=f"L {text}",
            time_precision=1 + k % 3, group_role=("claimed", "attributed", "unknown")[k % 3], parent_group=text,
            target=text, event_type=text, sub_event_type=text, mention=text,
            latitude=33.123456789 - k, longitude=-42.987654321 + k, geo_precision=1 + k % 4, country_code="IQ",
            admin1=text, killed=k if k % 2 else None, injured=None if k % 2 else k, notes=f"{text}\nsecond line\twith tab",
            source=text, source_url=f"https://example.org/{k}?q=a&b=c", published=date(2024, 2, 1) if k % 2 else None))
    out.append(Incident("UNPLACED", date(2024, 3, 1), "Unknown", "Qwxzzyville"))  # no point (CSV keeps it)
    return out


@pytest.fixture
def stored(store: Store) -> list[Incident]:
    store.upsert(tricky_incidents(), actor="test", action="test")
    return list(stream(store))


def test_csv_export_then_import_keeps_every_value(stored: list[Incident]) -> None:
    text = export.to_csv(stored)
    result = parse_text(text, "export.csv", "native")
    assert result.errors == [] and result.warnings == []
    assert sorted(result.incidents, key=lambda i: i.event_id) == sorted(stored, key=lambda i: i.event_id)


def test_csv_export_protects_every_formula_start(stored: list[Incident]) -> None:
    for row in csv.DictReader(io.StringIO(export.to_csv(stored))):
        for column, cell in row.items():
            if column not in ("latitude", "longitude"):  # numbers, which a spreadsheet reads as numbers
                assert not cell.startswith(("=", "+", "-", "@")), cell


def test_csv_export_quotes_every_text_cell() -> None:
    """A spreadsheet that splits on semicolons must not find a formula inside a cell: every text
    cell is quoted, numbers stay bare (a spreadsheet reads them as numbers)."""
    risky = Incident("R-1", date(2024, 1, 1), "a;=cmd|' /C calc'!A0", "Hit", latitude=33.5, longitude=42.5, killed=3,
                     notes="one\ttwo;=HYPERLINK(\"http://x\")")
    line = export.to_csv([risky]).splitlines()[1]
    assert '"a;=cmd|\' /C calc\'!A0"' in line and '"one\ttwo;=HYPERLINK(""http://x"")"' in line
    assert ",33.5,42.5," in line and ",3," in line  # the numbers
    [back] = parse_text(export.to_csv([risky]), "x.csv", "native").incidents
    assert back == risky


def test_geojson_export_then_import_keeps_every_value(stored: list[Incident]) -> None:
    result = parse_text(export.to_geojson(stored), "export.geojson", "geojson")
    assert result.errors == [] and result.warnings == []
    located = [i for i in stored if i.located]
    assert sorted(result.incidents, key=lambda i: i.event_id) == sorted(located, key=lambda i: i.event_id)


def test_geojson_problems_name_the_feature() -> None:
    text = ('{"type": "FeatureCollection", "features": ['
            '{"type": "Feature", "properties": {"event_date": "2024-01-01", "group": "G", "location": "A"}, "geometry": null},'
            '{"type": "Feature", "properties": {"event_date": "2024-01-02", "group": "G", "location": "B", "killed": "²"},'
            ' "geometry": {"type": "Point", "coordinates": [40, 30]}},'
            '{"type": "Feature", "properties": {"event_date": "2024-01-03", "group": "G"},'
            ' "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}}]}')
    result = parse_text(text, "in.geojson", "geojson")
    assert [i.location for i in result.incidents] == ["A"]
    assert [str(e) for e in result.errors] == [
        "in.geojson, feature 2, column killed: '²' is not a whole number",
        "in.geojson, feature 3, column geometry: must be a Point or null"]


@pytest.mark.parametrize("column, value", [("killed", "²"), ("killed", "٣"), ("injured", "1_0"), ("latitude", "nan"),
                                           ("latitude", "١٢"), ("longitude", "inf"), ("geo_precision", "³")])
def test_numbers_are_ascii_digits_only(column: str, value: str) -> None:
    row = {"event_date": "2024-01-01", "group": "G", "location": "Mosul", "latitude": "36.3", "longitude": "43.1",
           column: value}
    header = ",".join(row)
    result = parse_text(f"{header}\n{','.join(row.values())}\n", "n.csv", "native")
    assert result.incidents == [] and [e.column for e in result.errors] == [column]


def test_control_characters_are_stripped_on_import() -> None:
    text = 'event_id,event_date,group,location,notes\nA\x00-1,2024-01-01,G\x07 one,Mosul\x1b,"one\x00\r\ntwo\x0b"\n'
    [incident] = parse_text(text, "c.csv", "native").incidents
    assert (incident.event_id, incident.group, incident.location, incident.notes) == ("A-1", "G one", "Mosul", "one\ntwo")


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                       max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(features=st.lists(JSONISH | st.fixed_dictionaries({"type": st.just("Feature"), "properties": JSONISH,
                                                           "geometry": JSONISH}), max_size=4))
def test_any_geojson_features_are_a_result_or_badfile(features: list[object]) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": features})
    try:
        result = parse_text(text, "any.geojson", "geojson")
    except BadFile as error:
        assert str(error).startswith("any.geojson")
        return
    assert all(str(e).startswith("any.geojson, feature ") for e in result.errors)
    for incident in result.incidents:
        assert isinstance(incident, Incident)


def test_deeply_nested_json_is_a_message_not_a_crash() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    with pytest.raises(BadFile, match="deep.geojson: JSON nested too deeply"):
        parse_text('{"type": "FeatureCollection", "features": [' + deep + "]}", "deep.geojson", "geojson")
    row = 'event_id,event_date,group,location,source_fields\nA-1,2024-01-01,G,Hit,"' + "[" * 5000 + '"\n'
    result = parse_text(row, "deep.csv", "native")
    assert result.incidents == [] and "source_fields" in str(result.errors[0])


def test_a_large_geojson_is_read_a_feature_at_a_time_and_its_messages_are_capped() -> None:
    """200,000 items that are not features (a few MB, which decoded whole and turned into rows at
    once took over a GB): read lazily, each counted, the first messages kept, numbered by feature."""
    from geo.formats import open_upload
    from geo.formats.reading import MAX_MESSAGES

    raw = b'{"type": "FeatureCollection", "features": [' + b",".join([b"{}"] * 200_000) + b"]}"
    records = open_upload(io.BytesIO(raw), "many.geojson", size=len(raw), limit=None)
    first_feature = next(records, None)
    assert first_feature is None and records.error_count == 200_000 and len(records.errors) == MAX_MESSAGES
    assert str(records.errors[0]) == "many.geojson, feature 1: is not a GeoJSON feature with properties"
    assert str(records.errors[-1]).startswith(f"many.geojson, feature {MAX_MESSAGES}:")


@pytest.mark.parametrize("text, problem", [
    ('{"features": [], "type": "Topology"}', "not a GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []} trailing', "not JSON \\(data after the top-level object"),
    ('{"type": "FeatureCollection", "features": [{}, ]}', "not JSON"),
    ('{"type": "FeatureCollection", "features": 7}', "not a GeoJSON FeatureCollection"),
    ('[1, 2]', "not JSON"),
])
def test_a_file_that_is_not_a_feature_collection_is_refused_with_a_message(text: str, problem: str) -> None:
    with pytest.raises(BadFile, match=f"odd.geojson: {problem}"):
        parse_text(text, "odd.geojson", "geojson")


def test_a_feature_collection_read_lazily_keeps_the_order_of_its_messages() -> None:
    features = [{"type": "Feature", "properties": {"event_date": "2024-01-0" + str(n), "group": "G", "location": "A",
                                                   "killed": "x" if n == 3 else "1"}, "geometry": None}
                for n in range(1, 5)]
    features.insert(1, 5)  # feature 2 is not a feature
    result = parse_text(json.dumps({"features": features, "type": "FeatureCollection"}), "o.geojson", "geojson")
    assert [str(e) for e in result.errors] == ["o.geojson, feature 2: is not a GeoJSON feature with properties",
                                               "o.geojson, feature 4, column killed: 'x' is not a whole number"]
    assert len(result.incidents) == 3
