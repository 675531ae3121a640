"""Offline geocoding of the spellings news English uses, and the online fallback."""

from __future__ import annotations

import csv

import pytest
from geopy import exc as geopy_exc
from geopy.distance import distance
from geopy.location import Location

from geo.formats import read_csv
from geo.geocoding.join import Join
from geo.geocoding.offline import GeocodeResult, OfflineGeocoder
from geo.geocoding.online import CachedLocator, FallbackLocator, OnlineLocator
from geo.settings import BUNDLED_INCIDENTS
from tests.conftest import DATA

AL_ASAD = (33.7856, 42.4411)
ERBIL = (36.19, 44.01)
DEIR_EZ_ZOR = (35.336, 40.141)


def km(result: GeocodeResult | None, point: tuple[float, float]) -> float:
    assert result is not None
    return distance((result.latitude, result.longitude), point).km


@pytest.mark.parametrize("name", ["Al-Asad", "Ain al-Asad", "Ayn al-Asad Air Base", "Al Asad Airbase",
                                  "ain al-assad air base", "AYN AL-ASAD"])
def test_al_asad_spellings_reach_the_air_base(geocoder: OfflineGeocoder, name: str) -> None:
    assert km(geocoder.locate(name), AL_ASAD) < 5


@pytest.mark.parametrize("name", ["Irbil", "Erbil", "Arbil"])
def test_erbil_spellings_give_the_city_not_the_province(geocoder: OfflineGeocoder, name: str) -> None:
    result = geocoder.locate(name)
    assert km(result, ERBIL) < 10 and result is not None and result.geo_precision == 1


@pytest.mark.parametrize("name", ["Deir ez-Zor", "Deir al-Zour", "Deir el-Zor", "Dayr az Zawr"])
def test_deir_ez_zor_spellings(geocoder: OfflineGeocoder, name: str) -> None:
    assert km(geocoder.locate(name), DEIR_EZ_ZOR) < 10


def test_al_tanf_is_the_garrison_in_syria(geocoder: OfflineGeocoder) -> None:
    result = geocoder.locate("al-Tanf")
    assert result is not None and result.country_code == "SY" and km(result, (33.506, 38.618)) < 5


def test_country_hint_after_a_comma_picks_the_province(geocoder: OfflineGeocoder) -> None:
    result = geocoder.locate("Anbar, Iraq")
    assert result is not None and result.feature == "admin1" and result.geo_precision == 3
    assert result.country_code == "IQ"


def test_country_hint_chooses_among_homonyms(geocoder: OfflineGeocoder) -> None:
    paris_tx = geocoder.locate("Paris", country="US")
    paris = geocoder.locate("Paris")
    assert paris is not None and paris.country_code == "FR"
    assert paris_tx is not None and paris_tx.country_code == "US"


def test_a_country_name_is_country_precision(geocoder: OfflineGeocoder) -> None:
    result = geocoder.locate("Syria")
    assert result is not None and result.geo_precision == 4 and result.country_code == "SY"


def test_unknown_name_is_none(geocoder: OfflineGeocoder) -> None:
    assert geocoder.locate("Qwxzzyville") is None


def test_geopy_interface_returns_location(geocoder: OfflineGeocoder) -> None:
    location = geocoder.geocode("Tower 22")
    assert isinstance(location, Location)
    assert location.raw["country_code"] == "JO"
    assert distance(location.point, (33.32, 38.70)).km < 5


def test_every_bundled_incident_geocodes_to_its_expected_point(geocoder: OfflineGeocoder) -> None:
    incidents = read_csv(BUNDLED_INCIDENTS).incidents
    with (DATA / "expected_locations.csv").open(encoding="utf-8") as f:
        expected = {r["event_id"]: (float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(f)}
    assert len(incidents) >= 60 and set(expected) == {i.event_id for i in incidents}
    join = Join(geocoder, max_reasons=None)
    placed = list(join(incidents))
    assert join.unlocated == {}
    far = {i.event_id: round(distance((i.latitude, i.longitude), expected[i.event_id]).km)
           for i in placed if distance((i.latitude, i.longitude), expected[i.event_id]).km > 25}
    assert far == {}


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def locate(self, query: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult | None:
        self.calls += 1
        raise self.error


@pytest.mark.parametrize("error", [geopy_exc.GeocoderTimedOut("slow"), geopy_exc.GeocoderRateLimited("429"),
                                   geopy_exc.GeocoderServiceError("500"), ConnectionRefusedError()])
def test_online_failure_falls_back_to_offline_and_says_so(geocoder: OfflineGeocoder, error: Exception) -> None:
    locator = FallbackLocator(_Failing(error), geocoder)
    assert km(locator.locate("Irbil"), ERBIL) < 10
    assert locator.notices and "offline" in locator.notices[0]


def test_cache_asks_the_provider_once(tmp_path, geocoder: OfflineGeocoder) -> None:
    class Counting:
        calls = 0

        def locate(self, query, country=None, admin1=None):
            Counting.calls += 1
            return geocoder.locate(query, country, admin1)

    cached = CachedLocator(Counting(), tmp_path / "cache.sqlite3", namespace="test")
    first, second = cached.locate("Erbil"), cached.locate("Erbil")
    assert first == second and Counting.calls == 1
    assert cached.locate("Qwxzzyville") is None and cached.locate("Qwxzzyville") is None and Counting.calls == 2


def test_online_locator_waits_between_requests() -> None:
    now = [0.0]
    slept: list[float] = []

    class Stub:
        def geocode(self, query, exactly_one=True):
            return Location("Erbil, Iraq", (36.19, 44.01), {"addresstype": "city"})

    locator = OnlineLocator(Stub(), provider="stub", min_delay_seconds=1.0,  # type: ignore[arg-type]
                            sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)), clock=lambda: now[0])
    locator.locate("Erbil")
    locator.locate("Erbil")
    assert slept == [1.0]


def test_a_capital_outranks_a_province_of_the_same_name(geocoder: OfflineGeocoder) -> None:
    result = geocoder.locate("Washington")
    assert result is not None and result.country_code == "US" and km(result, (38.895, -77.036)) < 10
