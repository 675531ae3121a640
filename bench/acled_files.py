"""ACLED- and UCDP-shaped CSV files of any size, for the import benchmark and tests.

Rows are made up here (places, groups and notes from the small tables below, spread over
the Middle East and Ukraine, 2018–2024), deterministic for a seed; no real record is
copied. ``acled`` is ACLED's current 31-column layout, ``acled-old`` the pre-2023 layout,
``ucdp`` the UCDP GED layout.

    python bench/acled_files.py 1m /tmp/acled-1m.csv                 # 1k, 10k, 100k, 1m or a number
    python bench/acled_files.py 100k /tmp/ucdp.csv --layout ucdp --seed 7
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ACLED_COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp")
ACLED_OLD_COLUMNS = ("data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
                     "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
                     "inter2", "interaction", "region", "country", "admin1", "admin2", "admin3", "location",
                     "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
                     "timestamp", "iso3")
UCDP_COLUMNS = ("id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
                "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
                "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
                "source_article", "source_office", "source_date", "source_headline", "source_original",
                "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude",
                "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
                "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best",
                "high", "low", "gwnoa", "gwnob")

# country: ISO numeric, ISO3, ACLED region, provinces -> (district, places with a point)
PLACES: dict[str, tuple[int, str, str, dict[str, tuple[str, list[tuple[str, float, float]]]]]] = {
    "Iraq": (368, "IRQ", "Middle East", {
        "Al Anbar": ("Heet", [("Ain al-Asad", 33.80, 42.44), ("Hit", 33.64, 42.83), ("Ramadi", 33.42, 43.30)]),
        "Ninewa": ("Mosul", [("Mosul", 36.34, 43.13), ("Tal Afar", 36.38, 42.45), ("Sinjar", 36.32, 41.87)]),
        "Erbil": ("Erbil", [("Erbil", 36.19, 44.01), ("Harir", 36.55, 44.35)]),
        "Baghdad": ("Karkh", [("Baghdad - Karkh", 33.31, 44.37), ("Abu Ghraib", 33.29, 44.06)]),
    }),
    "Syria": (760, "SYR", "Middle East", {
        "Deir-ez-Zor": ("Deir-ez-Zor", [("Deir-ez-Zor", 35.34, 40.14), ("Al Mayadin", 35.02, 40.45),
                                        ("Abu Kamal", 34.45, 40.92)]),
        "Idleb": ("Idleb", [("Idleb", 35.93, 36.63), ("Saraqab", 35.86, 36.80), ("Ariha", 35.81, 36.61)]),
        "Aleppo": ("Jebel Saman", [("Aleppo", 36.20, 37.16), ("Al Bab", 36.37, 37.52)]),
        "Homs": ("Tadmor", [("Palmyra", 34.56, 38.28), ("Al-Tanf", 33.49, 38.66)]),
    }),
    "Yemen": (887, "YEM", "Middle East", {
        "Al Hudaydah": ("Al Hali", [("Al Hudaydah", 14.80, 42.95), ("Hays", 13.93, 43.49)]),
        "Marib": ("Marib City", [("Marib", 15.46, 45.33), ("Sirwah", 15.45, 45.02)]),
        "Taizz": ("Al Qahirah", [("Taizz", 13.58, 44.02)]),
    }),
    "Lebanon": (422, "LBN", "Middle East", {
        "South": ("Tyre", [("Tyre", 33.27, 35.20), ("Naqoura", 33.12, 35.14)]),
        "Nabatieh": ("Bint Jbeil", [("Aitaroun", 33.12, 35.47), ("Khiam", 33.33, 35.61), ("Nabatieh", 33.38, 35.48)]),
    }),
    "Palestine": (275, "PSE", "Middle East", {
        "Gaza Strip": ("Khan Yunis", [("Khan Yunis", 31.34, 34.31), ("Rafah", 31.29, 34.25), ("Gaza City", 31.50, 34.47)]),
        "West Bank": ("Jenin", [("Jenin", 32.46, 35.30), ("Tulkarm", 32.31, 35.03)]),
    }),
    "Israel": (376, "ISR", "Middle East", {
        "HaZafon": ("Zefat", [("Metula", 33.28, 35.58), ("Kiryat Shmona", 33.21, 35.57)]),
        "HaDarom": ("Ashqelon", [("Sderot", 31.52, 34.60), ("Ashkelon", 31.67, 34.57)]),
    }),
    "Ukraine": (804, "UKR", "Europe", {
        "Donetsk": ("Pokrovskyi", [("Pokrovsk", 48.28, 37.18), ("Avdiivka", 48.14, 37.75), ("Bakhmut", 48.60, 38.00)]),
        "Kharkiv": ("Kharkivskyi", [("Kharkiv", 49.99, 36.23), ("Vovchansk", 50.29, 36.94), ("Kupiansk", 49.71, 37.61)]),
        "Zaporizhia": ("Polohivskyi", [("Orikhiv", 47.57, 35.79), ("Huliaipole", 47.66, 36.26)]),
        "Kherson": ("Khersonskyi", [("Kherson", 46.64, 32.61), ("Beryslav", 46.84, 33.43)]),
    }),
}
GROUPS = {
    "Iraq": ["Islamic State (Iraq)", "Islamic Resistance in Iraq", "Military Forces of Iraq (2022-)", "Kataib Hezbollah",
             "Military Forces of the United States (2021-)", "Unidentified Armed Group (Iraq)"],
    "Syria": ["Islamic State (Syria)", "QSD: Syrian Democratic Forces", "Military Forces of Syria (2000-2024)",
              "Hayat Tahrir al Sham", "Military Forces of Russia (2000-)", "Unidentified Armed Group (Syria)"],
    "Yemen": ["Ansar Allah", "Military Forces of Yemen (2017-) Supreme Political Council",
              "Military Forces of the United States (2021-)", "AQAP: Al Qaeda in the Arabian Peninsula"],
    "Lebanon": ["Hezbollah", "Military Forces of Israel (2022-)", "Amal Movement"],
    "Palestine": ["Military Forces of Israel (2022-)", "Hamas Movement", "Palestinian Islamic Jihad", "Settlers (Israel)"],
    "Israel": ["Hezbollah", "Hamas Movement", "Military Forces of Israel (2022-)"],
    "Ukraine": ["Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)", "Wagner Group"],
}
EVENTS = [("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", 0.30),
          ("Political violence", "Explosions/Remote violence", "Air/drone strike", 0.20),
          ("Political violence", "Battles", "Armed clash", 0.25),
          ("Political violence", "Violence against civilians", "Attack", 0.10),
          ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED", 0.05),
          ("Demonstrations", "Protests", "Peaceful protest", 0.07),
          ("Strategic developments", "Strategic developments", "Looting/property destruction", 0.03)]
SOURCES = ["Shafaq News", "Rudaw", "Syrian Observatory for Human Rights", "Ukrinform", "Ukrainska Pravda",
           "Times of Israel", "National News Agency", "Saba News Agency", "Xinhua; Reuters", "Local Source"]
SCALES = ["National", "Subnational", "International", "Other", "New media", "National-International"]
NOTES = [
    "On {date}, {actor} shelled positions near {place} ({admin1}). {killed_text}",
    "On {date}, a drone launched by {actor} struck a vehicle on the road outside {place}, {admin1}. {killed_text}",
    "On {date}, {actor} clashed with {target} in {place}; the fighting lasted several hours, residents said.",
    "On {date}, unidentified gunmen opened fire on a checkpoint in {place} ({admin1} governorate). {killed_text}",
    'On {date}, {actor} said it targeted "a military base" near {place}, {admin1}, with rockets. {killed_text}',
    "On {date}, about 200 people protested in {place} over power cuts and unpaid salaries.",
    "On {date}, {actor} fired artillery at {place}, damaging houses,\na school and a power line. {killed_text}",
]
TAGS = ["", "", "", "crowd size=no report", "crowd size=around 200", "local administrators"]


def _choice_weighted(rng: random.Random) -> tuple[str, str, str]:
    pick = rng.random()
    for disorder, event, sub, weight in EVENTS:
        pick -= weight
        if pick <= 0:
            return disorder, event, sub
    return EVENTS[0][:3]


def _event(rng: random.Random, start: date, days: int) -> dict[str, object]:
    country = rng.choice(list(PLACES))
    numeric, iso3, region, provinces = PLACES[country]
    admin1 = rng.choice(list(provinces))
    admin2, places = provinces[admin1]
    place, lat, lon = rng.choice(places)
    groups = GROUPS[country]
    actor = rng.choice(groups)
    target = rng.choice([g for g in groups if g != actor] + ["Civilians (" + country + ")", ""])
    disorder, event, sub = _choice_weighted(rng)
    when = start + timedelta(days=rng.randrange(days))
    killed = rng.choice([0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 12])
    killed_text = f"{killed} fatalities reported." if killed else "No fatalities reported."
    note = rng.choice(NOTES).format(date=f"{when.day} {when:%B} {when.year}", actor=actor, target=target or "others",
                                    place=place, admin1=admin1, killed_text=killed_text)
    return {"country": country, "numeric": numeric, "iso3": iso3, "region": region, "admin1": admin1,
            "admin2": admin2, "place": place, "lat": round(lat + rng.uniform(-0.05, 0.05), 4),
            "lon": round(lon + rng.uniform(-0.05, 0.05), 4), "actor": actor, "target": target, "disorder": disorder,
            "event": event, "sub": sub, "date": when, "killed": killed, "note": note,
            "time_precision": rng.choice([1, 1, 1, 1, 2, 3]), "geo_precision": rng.choice([1, 1, 1, 2, 3])}


def acled_rows(count: int, seed: int = 1, old: bool = False) -> Iterator[list[object]]:
    """``count`` ACLED rows (current layout, or pre-2023 when ``old``), header first."""
    rng = random.Random(seed)
    yield list(ACLED_OLD_COLUMNS if old else ACLED_COLUMNS)
    start, days = date(2018, 1, 1), 7 * 365
    for k in range(1, count + 1):
        e = _event(rng, start, days)
        when: date = e["date"]  # type: ignore[assignment]
        event_id = f"{e['iso3']}{k}"
        inter1, inter2 = rng.choice([1, 2, 3, 8]), rng.choice([0, 1, 2, 7])
        source = rng.choice(SOURCES)
        stamp = 1_600_000_000 + k
        if old:
            yield [k, e["numeric"], event_id, k, f"{when.day:02d} {when:%B} {when.year}", when.year, e["time_precision"],
                   e["event"], e["sub"], e["actor"], "", inter1, e["target"], "", inter2, inter1 * 10 + inter2,
                   e["region"], e["country"], e["admin1"], e["admin2"], "", e["place"], e["lat"], e["lon"],
                   e["geo_precision"], source, rng.choice(SCALES), e["note"], e["killed"], stamp, e["iso3"]]
        else:
            yield [event_id, f"{when.day:02d} {when:%B} {when.year}", when.year, e["time_precision"], e["disorder"],
                   e["event"], e["sub"], e["actor"], rng.choice(["", "", "Civilians (" + str(e["country"]) + ")"]),
                   inter1, e["target"], "", inter2, inter1 * 10 + inter2,
                   "Civilian targeting" if e["event"] == "Violence against civilians" else "", e["numeric"],
                   e["region"], e["country"], e["admin1"], e["admin2"], "", e["place"], e["lat"], e["lon"],
                   e["geo_precision"], source, rng.choice(SCALES), e["note"], e["killed"], rng.choice(TAGS), stamp]


def ucdp_rows(count: int, seed: int = 1) -> Iterator[list[object]]:
    """``count`` UCDP GED rows, header first."""
    rng = random.Random(seed)
    yield list(UCDP_COLUMNS)
    start, days = date(2018, 1, 1), 7 * 365
    for k in range(1, count + 1):
        e = _event(rng, start, days)
        when: date = e["date"]  # type: ignore[assignment]
        violence = rng.choice([1, 1, 2, 3])
        side_b = e["target"] or "Civilians"
        best = e["killed"]
        low, high = max(0, int(best) - rng.choice([0, 0, 1])), int(best) + rng.choice([0, 1, 4])  # type: ignore[call-overload]
        deaths_a = rng.randint(0, int(best))  # type: ignore[call-overload]
        stamp = f"{when.isoformat()} 00:00:00.000"
        yield [300_000 + k, f"{e['iso3']}-{when.year}-1-{k}", when.year, "TRUE", "Clear", violence, 200 + violence,
               200 + violence, f"{e['country']}: Government", 500 + k % 40, 500 + k % 40, f"{e['actor']} - {side_b}",
               600, 600, e["actor"], 700, 700, side_b, rng.randint(1, 4), e["note"][:80], "", "", e["note"][:60],
               "", rng.choice([1, 1, 2, 3, 4, 5, 6]), f"{e['place']} town", f"{e['place']}, {e['admin1']}",
               f"{e['admin1']} governorate", f"{e['admin2']} district", e["lat"], e["lon"],
               f"POINT ({e['lon']} {e['lat']})", 150_000 + k % 1000, e["country"], e["numeric"], e["region"], 1,
               rng.choice([1, 1, 1, 2, 3, 4, 5]), stamp, stamp, deaths_a, int(best) - deaths_a, 0, 0, best, high,  # type: ignore[call-overload]
               low, e["numeric"], ""]


SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def write(path: Path | str, count: int, layout: str = "acled", seed: int = 1) -> Path:
    path = Path(path)
    rows = ucdp_rows(count, seed) if layout == "ucdp" else acled_rows(count, seed, old=layout == "acled-old")
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", help="1k, 10k, 100k, 1m or a number of rows")
    parser.add_argument("out")
    parser.add_argument("--layout", choices=["acled", "acled-old", "ucdp"], default="acled")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count = SIZES.get(args.size.lower()) or int(args.size)
    path = write(args.out, count, args.layout, args.seed)
    print(f"{path}: {count:,} rows, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
