"""The map layer: hostile text stays data, links are http(s) only, colours are stable."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from geo import export, mapview
from geo.records import Incident

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "${alert(document.domain)}",
           "`; alert(1); `", "</script><script>alert(2)</script>"]


def hostile_incident(payload: str, url: str = "javascript:alert(1)") -> Incident:
    return Incident("H-1", date(2024, 8, 5), payload, payload, latitude=33.8, longitude=42.4, notes=payload,
                    source=payload, source_url=url, admin1=payload)


def rendered(incident: Incident) -> str:
    m = mapview.base_map([])
    mapview.incident_layer([incident], mapview.group_colors([incident.group])).add_to(m)
    html: str = m.get_root().render()
    return html


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_never_reaches_the_page_as_markup(payload: str) -> None:
    html = rendered(hostile_incident(payload))
    assert "alert(" in html  # the text is there, as data
    assert "<script>alert" not in html and "<img src=x" not in html and "</script><script>" not in html
    match = re.search(r"var data = (\{.*?\});\n", html)
    assert match is not None
    assert json.loads(match.group(1))["popup"][0][2] == payload  # round-trips as plain text


def test_popup_is_built_with_text_content_not_html() -> None:
    html = rendered(hostile_incident("x"))
    layer = html[html.index("var data"):]
    assert "textContent" in layer and "innerHTML" not in layer and "bindPopup(function" in layer


@pytest.mark.parametrize(("url", "kept"), [("https://www.defense.gov/News/", True), ("http://example.org/a?b=1", True),
                                           ("javascript:alert(1)", False), ("data:text/html,<b>", False),
                                           ("https://x.org/\"onmouseover=alert(1)", False)])
def test_only_http_links_are_kept(url: str, kept: bool) -> None:
    assert (mapview.safe_url(url) == url) is kept


def test_unlocated_incidents_are_not_drawn() -> None:
    rows = mapview.incident_rows([Incident("U", date(2024, 1, 1), "G", "Nowhere")], {})
    assert rows == []


def test_group_keeps_its_colour_when_others_are_filtered_out() -> None:
    colors = mapview.group_colors(["A", "B", "C"])
    both = mapview.incident_rows([Incident("1", date(2024, 1, 1), "C", "x", latitude=1, longitude=1)], colors)
    assert both[0]["color"] == colors["C"] == mapview.PALETTE[2]


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_export_neutralises_formulas(cell: str) -> None:
    text = export.to_csv([Incident("F", date(2024, 1, 1), cell, "x", notes=cell)])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["group"] == row["notes"] == "'" + cell  # shown as text by a spreadsheet, not run
    assert row["event_date"] == "2024-01-01"  # plain values are left alone


def test_geojson_export_has_points_for_located_incidents() -> None:
    data = json.loads(export.to_geojson([Incident("1", date(2024, 1, 1), "G", "x", latitude=1.5, longitude=2.5),
                                         Incident("2", date(2024, 1, 1), "G", "y")]))
    assert [f["geometry"]["coordinates"] for f in data["features"]] == [[2.5, 1.5]]


JINJA = ["{% if x %}", "{# open comment", "{{ 7*7 }}", "{{ config }}{% endfor %}", "{%- raw %}", "}}{{", "{{{"]


@pytest.mark.parametrize("payload", JINJA)
def test_template_syntax_in_a_record_is_data_not_jinja(payload: str) -> None:
    """folium compiles an element's rendered script again as a Jinja template, and so does
    streamlit-folium's layer path: a record's text must never reach Jinja as syntax."""
    from streamlit_folium import _get_feature_group_string

    incident = hostile_incident(payload, url="https://example.org/a")
    layer = mapview.incident_layer([incident], mapview.group_colors([payload]))
    script = _get_feature_group_string(layer, mapview.base_map([]))  # what st_folium sends on every rerun
    data = json.loads(re.search(r"var data = (\{.*?\});\n", script).group(1))  # type: ignore[union-attr]
    assert data["popup"][0][2] == payload and data["popup"][0][0].endswith(payload)
    assert "49" not in script.replace("33.8", "")
    assert payload not in rendered(incident)  # the whole page, as folium renders it: braces escaped


def test_script_json_keeps_values_and_hides_braces_in_strings() -> None:
    value = {"a": "{% x %} {{ y }} {# z", "b": [{}, {"c": "}"}], "d": 'q"\\{'}
    text = mapview.script_json(value)
    assert json.loads(text) == value
    assert not re.search(r"\{[{%#]", text) and "{}" in text
