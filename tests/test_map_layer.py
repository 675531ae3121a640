"""The map layer: hostile text stays data, links are http(s) only, colours are stable, and the
browser code the map names is in static/js/ and linked from the page by the URL the app serves it at."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import folium
import pytest
from folium.elements import JSCSSMixin

from geo import safetext
from geo.formats import export
from geo.map import basemap
from geo.map import layer as mapview
from geo.records import Incident
from geo.store.queries import BBox

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "${alert(document.domain)}",
           "`; alert(1); `", "</script><script>alert(2)</script>"]


def hostile_incident(payload: str, url: str = "javascript:alert(1)") -> Incident:
    return Incident("H-1", date(2024, 8, 5), payload, payload, latitude=33.8, longitude=42.4, notes=payload,
                    source=payload, source_url=url, admin1=payload)


def rendered(incident: Incident) -> str:
    m = basemap.base_map([])
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


ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "static" / "js"
STYLES = ROOT / "static" / "css"


def test_popup_is_built_with_text_content_not_html() -> None:
    """The popup code is static/js/incident-layer.js (its DOM helper static/js/dom.js), which the
    page links: text goes in with ``textContent``, nothing in the map's scripts uses ``innerHTML``,
    and popups are built on opening (``bindPopup(function …)``), not as HTML strings."""
    html = rendered(hostile_incident("x"))
    layer, dom = (SCRIPTS / "incident-layer.js").read_text(), (SCRIPTS / "dom.js").read_text()
    assert "e.textContent = text" in dom and "var el = imap.el;" in layer
    assert "bindPopup(function" in layer and "root.appendChild(el(\"div\", \"imap-title\", p[0]))" in layer
    assert not [p.name for p in SCRIPTS.glob("*.js") if "innerHTML" in p.read_text()]
    inline = html[html.index("var data"):]
    assert "innerHTML" not in inline and "textContent" not in inline  # the page holds data and one call
    assert basemap.static_asset("js/incident-layer.js") in html and basemap.static_asset("js/dom.js") in html


@pytest.mark.parametrize(("url", "kept"), [("https://www.defense.gov/News/", True), ("http://example.org/a?b=1", True),
                                           ("javascript:alert(1)", False), ("data:text/html,<b>", False),
                                           ("https://x.org/\"onmouseover=alert(1)", False)])
def test_only_http_links_are_kept(url: str, kept: bool) -> None:
    assert (safetext.safe_url(url) == url) is kept


def test_unlocated_incidents_are_not_drawn() -> None:
    rows = mapview.incident_rows([Incident("U", date(2024, 1, 1), "G", "Nowhere")], {})
    assert rows == []


def test_group_keeps_its_colour_when_others_are_filtered_out() -> None:
    colors = mapview.group_colors(["A", "B", "C"])
    both = mapview.incident_rows([Incident("1", date(2024, 1, 1), "C", "x", latitude=1, longitude=1)], colors)
    alone = mapview.incident_rows([Incident("1", date(2024, 1, 1), "C", "x", latitude=1, longitude=1)],
                                  mapview.group_colors(["C"]))
    assert both[0]["color"] == colors["C"] == alone[0]["color"] == mapview.group_color("C")


REGISTER_GROUPS = ["Islamic Resistance in Iraq", "Kata'ib Hezbollah", "Houthis", "Islamic State", "Hezbollah",
                   "United States", "Israel Defense Forces", "Harakat al-Nujaba"]


def test_adding_a_group_never_recolours_the_others() -> None:
    before = mapview.group_colors(REGISTER_GROUPS)
    for new in ["Al-Thawriun", "Ashab al-Kahf", "A group with a very long name", "Zzz"]:
        after = mapview.group_colors([new, *REGISTER_GROUPS])  # first: it became the most frequent one
        assert {g: after[g] for g in REGISTER_GROUPS} == before
    assert mapview.group_color("Houthis") == mapview.group_color("  houthis ")  # spacing and case do not matter
    assert mapview.group_color("") == mapview.OTHER_COLOR
    assert len(set(before.values())) >= 5  # the register's big groups are told apart


def test_legend_lists_groups_by_count_and_counts_the_rest() -> None:
    legend = mapview._legend({f"G{k}": k + 1 for k in range(20)}, {})
    assert [entry[0] for entry in legend[:3]] == ["G19", "G18", "G17"]
    assert legend[-1] == ("5 more groups", "", False)
    assert all(entry[2] for entry in legend[:-1])  # the groups toggle, the count line does not


@pytest.mark.parametrize(("setting", "start"), [(None, "CARTO Voyager"), ("", "CARTO Voyager"),
                                                ("OpenStreetMap", "OpenStreetMap"), ("CartoDB positron", "CARTO Light"),
                                                ("cartodb dark_matter", "CARTO Dark"), ("offline", basemap.OFFLINE),
                                                ("none", basemap.OFFLINE), ("no-such-tiles", "CARTO Voyager")])
def test_map_tiles_setting_picks_the_start_layer(setting: str | None, start: str) -> None:
    assert basemap.tile_choice(setting) == start


def test_offline_setting_asks_for_no_tiles_and_tiles_carry_attribution() -> None:
    offline = basemap.base_map([], tiles="offline").get_root().render()
    assert "basemaps.cartocdn.com" not in offline and "tile.openstreetmap.org" not in offline
    assert "countries.geojson" in offline and "admin1.geojson" in offline
    online = basemap.base_map([]).get_root().render()
    assert "basemaps.cartocdn.com" in online and "tile.openstreetmap.org" in online
    assert "openstreetmap.org/copyright" in online and "carto.com/attributions" in online  # the credits


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
    script = _get_feature_group_string(layer, basemap.base_map([]))  # what st_folium sends on every rerun
    data = json.loads(re.search(r"var data = (\{.*?\});\n", script).group(1))  # type: ignore[union-attr]
    assert data["popup"][0][2] == payload and data["popup"][0][0].endswith(payload)
    assert "49" not in script.replace("33.8", "")
    assert payload not in rendered(incident)  # the whole page, as folium renders it: braces escaped


def test_script_json_keeps_values_and_hides_braces_in_strings() -> None:
    value = {"a": "{% x %} {{ y }} {# z", "b": [{}, {"c": "}"}], "d": 'q"\\{'}
    text = basemap.script_json(value)
    assert json.loads(text) == value
    assert not re.search(r"\{[{%#]", text) and "{}" in text


def test_script_json_leaves_lone_braces_as_they_are() -> None:
    """Only ``{{``, ``{%`` and ``{#`` start Jinja syntax: text without them is not escaped (the
    escaping visits every string of a layer)."""
    value = {"a": "a {lone} brace", "b": [{"c": "}}"}]}
    assert basemap.script_json(value) == json.dumps(value, separators=(",", ":"))


def test_the_layers_data_is_not_compiled_as_a_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """branca compiles an element's rendered script again as a Jinja template: for a layer of
    2,000 markers that lexed 0.8 MB on every rerun. The layers' scripts go into the page as
    rendered, in the app (streamlit-folium) and in the HTML map alike."""
    from branca import element
    from streamlit_folium import _get_feature_group_string

    compiled: list[str] = []
    real = element.Template

    def counting(source: str, *args: object, **kwargs: object) -> object:
        compiled.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(element, "Template", counting)
    incident = Incident("L", date(2024, 1, 2), "Houthis", "Hodeidah", latitude=14.8, longitude=42.9, notes="n {x}")
    script = _get_feature_group_string(mapview.incident_layer([incident], {}), basemap.base_map([("Sanaa", 15.4, 44.2)]))
    page = full_map().get_root().render()
    assert "imap.incidentLayer(" in script and page.count("imap.incidentLayer(") == 2 and "imap.basemap(" in page
    assert '"n {x}"' in script and compiled  # the page's own parts are still compiled; the layers' data is not
    assert not [source for source in compiled if "imap.incidentLayer(" in source or "imap.basemap(" in source]


def test_focused_incident_is_marked_and_fit_box_sent() -> None:
    near = Incident("N", date(2024, 1, 2), "Houthis", "Hodeidah", latitude=14.8, longitude=42.9, geo_precision=2)
    exact = Incident("E", date(2024, 1, 3), "Hezbollah", "Nabatieh", latitude=33.4, longitude=35.5)
    box = BBox(14.8, 35.5, 33.4, 42.9)
    from streamlit_folium import _get_feature_group_string

    html = _get_feature_group_string(mapview.incident_layer([exact, near], {}, fit=box, fit_key="k1", focus="N"),
                                     basemap.base_map([]))
    data = json.loads(re.search(r"var data = (\{.*?\});\n", html).group(1))  # type: ignore[union-attr]
    opts = json.loads(re.search(r"var opts = (\{.*?\});\n", html).group(1))  # type: ignore[union-attr]
    assert data["prec"] == [1, 2] and data["groups"] == ["Hezbollah", "Houthis"]
    assert opts["focus"] == 1 and opts["focusKey"] == "N" and opts["fit"] == [14.8, 35.5, 33.4, 42.9]
    assert opts["fitKey"] == "k1"


def map_assets(m: folium.Map) -> list[str]:
    """The script and style URLs of a map's elements, in the order streamlit-folium loads them
    (its ``st_folium`` walks the map for ``JSCSSMixin`` elements and keeps each URL's first place)."""
    def walk(element: object) -> Iterator[JSCSSMixin]:
        if isinstance(element, JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    found = [url for e in walk(m) for url in [u for _, u in e.default_js] + [u for _, u in e.default_css]]
    return list(dict.fromkeys(found))


def full_map() -> folium.Map:
    m = basemap.base_map([("Baghdad", 33.3, 44.4)])
    mapview.incident_layer([hostile_incident("x", url="https://example.org/a")], {}).add_to(m)
    mapview.cell_layer([], {}).add_to(m)
    return m


def test_the_map_loads_only_files_the_app_serves() -> None:
    """Every script and style of the map is under static/ (served at /app/static/ by Streamlit's
    static serving, the same origin as the map's iframe): no CDN."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    urls = map_assets(full_map())
    assert urls and all(u.startswith(basemap.STATIC + "/") for u in urls), urls
    for url in urls:
        assert (ROOT / "static" / url.removeprefix(basemap.STATIC + "/").split("?")[0]).is_file(), url


def test_every_map_script_exists_and_the_page_links_it_by_its_served_url() -> None:
    m = full_map()
    urls = [u for u in map_assets(m) if u.startswith((basemap.STATIC + "/js/", basemap.STATIC + "/css/"))]
    html = m.get_root().render()
    named = set()
    for url in urls:
        path, _, version = url.removeprefix(basemap.STATIC + "/").partition("?v=")
        file = ROOT / "static" / path
        assert file.is_file(), url
        assert version == hashlib.sha256(file.read_bytes()).hexdigest()[:12]  # a changed file is a new URL
        assert f'<script src="{url}"></script>' in html or f'<link rel="stylesheet" href="{url}"/>' in html, url
        named.add(file.name)
    assert named == {p.name for folder in (SCRIPTS, STYLES) for p in folder.iterdir()}  # nothing there the map does not load
    in_code = {name for source in (ROOT / "geo" / "map").glob("*.py")
               for name in re.findall(r'static_asset\("(?:js|css)/([^"]+)"\)', source.read_text(encoding="utf-8"))}
    assert in_code == named  # every file the Python side names is one the page links
    assert {"dom.js", "basemap.js", "incident-layer.js", "basemap.css", "incident-layer.css"} <= named


def test_scripts_and_styles_load_in_the_order_they_need() -> None:
    """The DOM helper before the scripts that use it, Leaflet before everything; each style after
    the one it overrides (Leaflet's background, markercluster's bubbles)."""
    urls = [u.split("?")[0].rsplit("/", 1)[1] for u in map_assets(full_map())]
    js = [u for u in urls if u.endswith(".js")]
    css = [u for u in urls if u.endswith(".css")]
    assert js[0] == "leaflet.js" and js.index("dom.js") < js.index("basemap.js") < js.index("incident-layer.js")
    assert js.count("dom.js") == 1  # one copy of the helper, linked once
    assert css.index("leaflet.css") < css.index("basemap.css")
    assert css.index("MarkerCluster.Default.css") < css.index("incident-layer.css")


def test_the_page_passes_data_and_calls_the_static_code() -> None:
    """Each element's script in the page is its data and one call of a function the static files
    define (``imap.basemap``, ``imap.incidentLayer``): the drawing code is not in Python strings."""
    from streamlit_folium import _get_feature_group_string

    layer = mapview.incident_layer([hostile_incident("x", url="https://example.org/a")], {})
    script = _get_feature_group_string(layer, basemap.base_map([]))
    call = re.search(r"var \w+ = \(function \(\) \{\n  var data = .*;\n  var legend = .*;\n  var opts = .*;\n"
                     r"  return imap\.incidentLayer\((\w+), data, legend, opts\);\n\}\)\(\);", script)
    assert call is not None and call.group(1) == "feature_group_feature_group_0"
    assert "function (" not in script.replace("(function () {", "", 1)
    defined = {name for p in SCRIPTS.glob("*.js") for name in re.findall(r"^  imap\.(\w+) = function", p.read_text(), re.M)}
    assert defined == {"el", "basemap", "incidentLayer"}
    page = basemap.base_map([]).get_root().render()
    assert re.search(r"^imap\.basemap\(map_\w+, \{.*\}\);$", page, re.M)


def test_an_unclustered_layer_says_so_in_its_options() -> None:
    """``clustered=False`` (the place picker's candidates) is an option the static code reads."""
    rows = mapview.incident_rows([Incident("1", date(2024, 1, 1), "G", "x", latitude=1, longitude=1)], {})
    m = basemap.base_map([])
    mapview.IncidentLayer(rows, [], clustered=False).add_to(m)
    opts = json.loads(re.search(r"var opts = (\{.*?\});\n", m.get_root().render()).group(1))  # type: ignore[union-attr]
    assert opts["clustered"] is False
    code = (SCRIPTS / "incident-layer.js").read_text()
    assert "!opts.clustered" in code and "disableClusteringAtZoom = 1" in code
