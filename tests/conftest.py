"""Shared fixtures: the gazetteer (built once per run) and a fresh store per test, on
SQLite and on PostgreSQL (``INCIDENT_MAP_TEST_PG``: a server's URL, see
``scripts/pg_test_server.sh``; each test gets a schema of its own, dropped after it)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy

from geo import gazetteer as gazetteer_module
from geo.gazetteer import Gazetteer
from geo.geocoding.offline import OfflineGeocoder
from geo.store.database import Store
from geo.store.schema import database_url

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return gazetteer_module.load()


@pytest.fixture(scope="session")
def geocoder(gazetteer: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(gazetteer)


PG_ENV = "INCIDENT_MAP_TEST_PG"


def pg_server() -> str:
    """The test server's URL (``INCIDENT_MAP_TEST_PG``): skipped when unset, a failure
    under CI, which must run every test against PostgreSQL too."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI runs the tests against PostgreSQL (.ci/run starts a server)")
        pytest.skip(f"{PG_ENV} not set (a PostgreSQL server's URL: scripts/pg_test_server.sh start DIR)")
    return url


@pytest.fixture
def pg_location() -> Iterator[str]:
    """A ``postgresql://`` URL whose tables live in a fresh schema (``search_path`` in the
    URL's ``options``), so each test starts empty; the schema is dropped after the test."""
    server = pg_server()
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = sqlalchemy.create_engine(database_url(server), poolclass=sqlalchemy.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in server else "?"
    yield f"{server}{joiner}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives: a new SQLite file, or a new schema on the PostgreSQL test server."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_location"))
    return str(tmp_path / "incidents.sqlite3")


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    s = Store(location)
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
    gazetteer_module.install_paths([folder / f"{code}.txt.gz" for code in TEST_LAYERS], cache)
    return gazetteer_module.load(cache)


@pytest.fixture(scope="session")
def layered_geocoder(layered: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(layered)
