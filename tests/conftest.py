"""Shared fixtures: the gazetteer (built once per run) and a fresh store per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import gazetteer as gazetteer_module
from geo import layers
from geo.gazetteer import Gazetteer
from geo.geocoder import OfflineGeocoder
from geo.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return gazetteer_module.load()


@pytest.fixture(scope="session")
def geocoder(gazetteer: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(gazetteer)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "incidents.sqlite3"))
    yield s
    s.close()


SHARED = Path(os.environ.get("INCIDENT_MAP_SHARED") or Path(__file__).resolve().parents[2] / "shared")
# The countries the hierarchy tests read; the whole set is benchmarked in bench/.
TEST_LAYERS = ("IQ", "SY", "LB", "JO", "PS", "UA")


def shared_path(*parts: str) -> Path:
    """A path in ../shared (evaluation data beside the repo): skipped when it is absent,
    a failure under CI, where it must be present."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI needs ../shared beside the repository")
        pytest.skip(f"{path} not found (../shared beside the repository)")
    return path


@pytest.fixture(scope="session")
def layered(gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The index with the village layers of TEST_LAYERS installed from ../shared/gazetteer
    (the base index is copied, not rebuilt)."""
    folder = shared_path("gazetteer")
    cache = tmp_path_factory.mktemp("layered-cache")
    shutil.copy(gazetteer.path, cache / gazetteer.path.name)
    layers.install_paths([folder / f"{code}.txt.gz" for code in TEST_LAYERS], cache)
    return gazetteer_module.load(cache)


@pytest.fixture(scope="session")
def layered_geocoder(layered: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(layered)
