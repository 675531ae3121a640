"""Country layers in the GeoNames dump layout: install from a file, folder or dump server.

The layer here is written by the test (invented villages in a made-up governorate of
Iraq), so every expectation follows from the rows below.
"""

from __future__ import annotations

import gzip
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import gazetteer as gazetteer_module
from geo.gazetteer import Gazetteer
from geo.geocoding.offline import OfflineGeocoder
from geo.settings import ROOT


def row(gid: int, name: str, alt: str, lat: float, lon: float, fclass: str, fcode: str, a1: str = "", a2: str = "",
        population: int = 0) -> str:
    cols = [str(gid), name, name, alt, f"{lat}", f"{lon}", fclass, fcode, "IQ", "", a1, a2, "", "", str(population),
            "", "", "Asia/Baghdad", "2024-01-01"]
    return "\t".join(cols)


LAYER = "\n".join([
    row(99237, "Iraq", "العراق,Irak", 33.0, 43.7, "A", "PCLI"),
    row(-900001, "Qasimiyah", "القاسمية,Al Qasimiya", 34.6, 42.9, "A", "ADM1", "Q1"),
    row(-900002, "Tell Zarqan", "تل زرقان", 34.55, 42.8, "A", "ADM2", "Q1", "D1"),
    row(-900003, "Jisr Hamdan", "", 34.8, 43.1, "A", "ADM2", "Q1", "D2"),
    row(-900004, "Kharbat Nuriyah", "خربة النورية,Khirbet en Nuriya", 34.52, 42.75, "P", "PPL", "Q1", "D1"),
    row(-900005, "Umm Safra", "Om Safra", 34.83, 43.12, "P", "PPL", "Q1", "D2"),
    row(99072, "Mosul", "", 36.335, 43.119, "P", "PPLA", "Q1", "D2"),
]) + "\n"
ADMIN1 = "IQ.Q1\tQasimiyah\tQasimiyah\t-900001\n"
ADMIN2 = "IQ.Q1.D1\tTell Zarqan\tTell Zarqan\t-900002\nIQ.Q1.D2\tJisr Hamdan\tJisr Hamdan\t-900003\n"


@pytest.fixture
def cache(tmp_path: Path, gazetteer: Gazetteer) -> Path:
    """A cache holding a copy of the base index (so installing does not rebuild the base)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    shutil.copy(gazetteer.path, folder / gazetteer.path.name)
    return folder


def write_layer(folder: Path, body: str = LAYER, name: str = "IQ.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "admin1Codes.txt").write_text(ADMIN1, encoding="utf-8")
    (folder / "admin2Codes.txt").write_text(ADMIN2, encoding="utf-8")
    path = folder / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(body)
    elif name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("IQ.txt", body)
            z.writestr("readme.txt", "not a layer")
    else:
        path.write_text(body, encoding="utf-8")
    return path


def test_a_layer_adds_its_villages_with_province_and_district(cache: Path, tmp_path: Path) -> None:
    assert gazetteer_module.install_paths([write_layer(tmp_path / "src")], cache) == [("IQ", 6)]
    gaz = gazetteer_module.load(cache)
    [village] = gaz.candidates("Kharbat Nuriyah")
    assert (village.admin1, village.admin2, village.country_code) == ("Qasimiyah", "Tell Zarqan", "IQ")
    assert gaz.candidates("خربة النورية") == [village]  # its Arabic name
    assert gaz.candidates("Khirbat Nuriya") == [village]  # a spelling the layer does not list
    [district] = [p for p in gaz.candidates("Tell Zarqan") if p.feature == "admin2"]
    assert district.geo_precision == 2
    assert [layer["code"] for layer in gaz.layers()] == ["IQ"]


def test_a_layer_town_replaces_the_base_town_with_its_geonames_id(cache: Path, tmp_path: Path) -> None:
    gazetteer_module.install_paths([write_layer(tmp_path / "src")], cache)
    mosul = [p for p in gazetteer_module.load(cache).candidates("Mosul") if p.country_code == "IQ"]
    assert len(mosul) == 1 and mosul[0].admin2 == "Jisr Hamdan"
    assert mosul[0].population > 1_000_000  # the base's population is kept: the layer knew none


@pytest.mark.parametrize("name", ["IQ.txt.gz", "IQ.zip"])
def test_gzipped_and_zipped_layers_read_like_plain_ones(cache: Path, tmp_path: Path, name: str) -> None:
    assert gazetteer_module.install_paths([write_layer(tmp_path / "src", name=name)], cache) == [("IQ", 6)]
    assert gazetteer_module.load(cache).candidates("Umm Safra")[0].admin2 == "Jisr Hamdan"


def test_a_folder_installs_every_country_file_in_it(cache: Path, tmp_path: Path) -> None:
    write_layer(tmp_path / "src")
    (tmp_path / "src" / "notes.txt").write_text("not a layer", encoding="utf-8")
    assert gazetteer_module.install_paths([tmp_path / "src"], cache) == [("IQ", 6)]


def test_a_bad_line_names_file_and_line_and_keeps_the_installed_layer(cache: Path, tmp_path: Path) -> None:
    gazetteer_module.install_paths([write_layer(tmp_path / "good")], cache)
    broken = LAYER.splitlines()
    broken[2] = "\t".join(broken[2].split("\t")[:18])
    with pytest.raises(gazetteer_module.LayerError, match=r"IQ\.txt, line 3: 18 columns"):
        gazetteer_module.install_paths([write_layer(tmp_path / "bad", "\n".join(broken))], cache)
    assert gazetteer_module.load(cache).candidates("Kharbat Nuriyah")  # nothing lost


def test_reinstalling_a_country_replaces_its_layer(cache: Path, tmp_path: Path) -> None:
    gazetteer_module.install_paths([write_layer(tmp_path / "v1")], cache)
    without = "\n".join(line for line in LAYER.splitlines() if "Umm Safra" not in line) + "\n"
    assert gazetteer_module.install_paths([write_layer(tmp_path / "v2", without)], cache) == [("IQ", 5)]
    gaz = gazetteer_module.load(cache)
    assert not [p for p in gaz.candidates("Umm Safra") if p.country_code == "IQ"]
    assert gaz.candidates("Kharbat Nuriyah")


def test_a_record_in_a_stated_district_falls_back_to_it_when_its_village_is_unknown(cache: Path,
                                                                                     tmp_path: Path) -> None:
    gazetteer_module.install_paths([write_layer(tmp_path / "src")], cache)
    geocoder = OfflineGeocoder(gazetteer_module.load(cache))
    result = geocoder.locate("Qwzbadiya, Tell Zarqan district", "IQ")
    assert result is not None and (result.name, result.geo_precision) == ("Tell Zarqan", 2)
    result = geocoder.locate("Qwzbadiya", "IQ", "Qasimiyah")
    assert result is not None and (result.name, result.geo_precision) == ("Qasimiyah", 3)


def test_a_variant_spelling_is_found_inside_the_stated_province(cache: Path, tmp_path: Path) -> None:
    """A spelling no key level joins to the index's ("Ngar Nan" for "Nganan": other consonants)
    is matched among the places of the province a record states, before falling back to it."""
    body = LAYER + row(-900010, "Nganan", "", 34.61, 42.86, "P", "PPL", "Q1", "D1") + "\n"
    gazetteer_module.install_paths([write_layer(tmp_path / "src", body)], cache)
    gaz = gazetteer_module.load(cache)
    assert not [p for p in gaz.candidates("Ngar Nan") if p.name == "Nganan"]  # not on its own
    result = OfflineGeocoder(gaz).locate("Ngar Nan", "IQ", "Qasimiyah")
    assert result is not None and (result.name, result.geo_precision) == ("Nganan", 1)
    elsewhere = OfflineGeocoder(gaz).locate("Ngar Nan", "IQ")  # no province stated: no guess by spelling
    assert elsewhere is None or elsewhere.name != "Nganan"


# ----------------------------------------------------------------- download

@pytest.fixture
def dump_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A local stand-in for GeoNames' dump server: IQ.zip and the admin code lists."""
    site = tmp_path / "site"
    write_layer(site, name="IQ.zip")
    (site / "admin1CodesASCII.txt").write_text(ADMIN1, encoding="utf-8")
    seen: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

        def do_GET(self) -> None:
            seen.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    server.shutdown()


def test_a_country_code_downloads_its_dump_once_with_progress(cache: Path, dump_server: tuple[str, list[str]]) -> None:
    url, seen = dump_server
    progress: list[tuple[str, int, int]] = []
    assert gazetteer_module.install_countries(["iq"], cache, lambda *p: progress.append(p), base_url=url) == [("IQ", 6)]
    assert "/IQ.zip" in seen and any(what == "downloading IQ.zip" and done == total for what, done, total in progress)
    assert gazetteer_module.load(cache).candidates("Kharbat Nuriyah")
    seen.clear()
    gazetteer_module.install_countries(["IQ"], cache, base_url=url)
    assert seen == []  # kept in the cache: fetched once


def test_a_failed_download_is_a_clear_error_and_installs_nothing(cache: Path,
                                                                 dump_server: tuple[str, list[str]]) -> None:
    url, _ = dump_server
    with pytest.raises(gazetteer_module.LayerError, match=r"SY\.zip: download failed"):
        gazetteer_module.install_countries(["SY"], cache, base_url=url)
    assert gazetteer_module.load(cache).layers() == []
    with pytest.raises(gazetteer_module.LayerError, match="not a two-letter country code"):
        gazetteer_module.install_countries(["IRQ"], cache, base_url=url)


# ----------------------------------------------------------------- command line

def run_cli(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, INCIDENT_MAP_CACHE=str(cache))
    return subprocess.run([sys.executable, "-m", "geo", "gazetteer", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_adds_and_lists_layers(cache: Path, tmp_path: Path) -> None:
    assert "No country layers installed" in run_cli(cache, "list").stdout
    added = run_cli(cache, "add", str(write_layer(tmp_path / "src")))
    assert added.returncode == 0 and "IQ: 6 places installed" in added.stdout
    listed = run_cli(cache, "list").stdout
    assert listed.startswith("IQ") and "6 places" in listed and "IQ.txt" in listed


def test_cli_reports_a_missing_file_clearly(cache: Path, tmp_path: Path) -> None:
    result = run_cli(cache, "add", str(tmp_path / "nowhere" / "IQ.txt"))
    assert result.returncode == 1 and "no such file or folder" in result.stderr


# ----------------------------------------------------------------- the hosted app's first start

@pytest.fixture
def first_start(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh server: its own cache (base index only), store and resources."""
    from geo.ui import state as ui_state

    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(cache))
    monkeypatch.setenv("INCIDENTS_DB", str(tmp_path / "app.sqlite3"))
    for loader in (ui_state.load_gazetteer, ui_state.load_store, ui_state.load_locator):
        loader.clear()
    monkeypatch.setattr(ui_state, "_layer_notes", None)
    yield
    ui_state.load_gazetteer.clear()


def test_the_hosted_app_installs_its_configured_layers_on_first_start_and_says_so(
        first_start: None, cache: Path, dump_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    url, seen = dump_server
    monkeypatch.setenv("GAZETTEER_COUNTRIES", "IQ")
    monkeypatch.setenv("GEONAMES_DUMP_URL", url)
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    assert any("Installed gazetteer layers: IQ (6 places)" in i.value.replace("\\", "") for i in at.info)  # escaped
    assert [s.code for s in gazetteer_module.stored_layers(cache)] == ["IQ"] and "/IQ.zip" in seen
    seen.clear()
    at.run()  # a rerun (or another visitor) installs nothing again
    assert "/IQ.zip" not in seen


def test_a_failed_layer_download_is_reported_and_the_app_still_opens(
        first_start: None, dump_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    url, _ = dump_server
    monkeypatch.setenv("GAZETTEER_COUNTRIES", "SY")
    monkeypatch.setenv("GEONAMES_DUMP_URL", url)
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    assert any("Could not install gazetteer layers" in w.value and "SY.zip" in w.value.replace("\\", "")
               for w in at.warning)
    assert any(" incidents, " in m.value for m in at.markdown)  # the map and its data are there


def test_a_geonames_id_in_other_digits_does_not_stop_an_install(tmp_path: Path, cache: Path) -> None:
    """"²".isdigit() is true but int("²") fails: ids are read as ASCII digits only."""
    body = LAYER.replace("-900005\tUmm Safra", "²\tUmm Safra")
    assert gazetteer_module.install_paths([write_layer(tmp_path / "src", body)], cache) == [("IQ", 6)]
    assert gazetteer_module.load(cache).candidates("Umm Safra")


# ----------------------------------------------------------------- the fitted ranking

NEIGHBOURS = LAYER + "\n".join([
    row(-900020, "Wadi Salam", "", 34.95, 43.25, "A", "ADM1", "Q2"),
    row(-900021, "Sahil Janubi", "", 31.0, 46.5, "A", "ADM1", "Q3"),
    # a district seat of 25,000 that the layer files under Q1, 15 km from the centre of Q2
    row(-900022, "Tall Baydar", "Tell Baydar,Tal Bidar,تل بيدر", 34.82, 43.2, "P", "PPLA2", "Q1", "D2", 25000),
    # two villages of one name in one province: a district seat known by several names, and a hamlet
    row(-900023, "Ruwaysat", "Rweisat,Al Ruwaysat,الرويسات", 34.6, 42.95, "P", "PPLA2", "Q1", "D1"),
    row(-900024, "Ruwaysat", "", 34.75, 43.05, "P", "PPL", "Q1", "D2"),
]) + "\n"
NEIGHBOURS_ADMIN1 = ADMIN1 + "IQ.Q2\tWadi Salam\tWadi Salam\t-900020\nIQ.Q3\tSahil Janubi\tSahil Janubi\t-900021\n"


@pytest.fixture(scope="module")
def neighbours(gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> OfflineGeocoder:
    """The invented layer with neighbouring provinces, installed once for the tests below."""
    cache, folder = tmp_path_factory.mktemp("neighbours-cache"), tmp_path_factory.mktemp("neighbours-src")
    shutil.copy(gazetteer.path, cache / gazetteer.path.name)
    write_layer(folder, NEIGHBOURS)
    (folder / "admin1Codes.txt").write_text(NEIGHBOURS_ADMIN1, encoding="utf-8")
    gazetteer_module.install_paths([folder / "IQ.txt"], cache)
    return OfflineGeocoder(gazetteer_module.load(cache))


def test_of_two_namesakes_in_a_province_the_district_seat_known_by_many_names_wins(
        neighbours: OfflineGeocoder) -> None:
    result = neighbours.locate("Ruwaysat", "IQ", "Qasimiyah")
    assert result is not None and (result.latitude, result.longitude) == (34.6, 42.95)


def test_a_known_town_just_outside_the_stated_province_beats_the_province_centre(neighbours: OfflineGeocoder) -> None:
    """Reporters' provinces differ from the gazetteer's near borders: the town is taken when
    the model finds it likely (a district seat of 25,000, 15 km off), not the province's centre."""
    result = neighbours.locate("Tall Baydar", "IQ", "Wadi Salam")
    assert result is not None and (result.name, result.geo_precision) == ("Tall Baydar", 1)


def test_a_hamlet_of_that_name_in_another_province_is_not_taken(neighbours: OfflineGeocoder) -> None:
    result = neighbours.locate("Kharbat Nuriyah", "IQ", "Sahil Janubi")
    assert result is not None and (result.name, result.geo_precision) == ("Sahil Janubi", 3)
