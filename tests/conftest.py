"""Shared fixtures: the gazetteer (built once per run) and a fresh store per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import gazetteer as gazetteer_module
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
