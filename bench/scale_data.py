"""ACLED-shaped incidents for the scale benchmark (bench/scale.py): deterministic, seeded.

    python bench/scale_data.py --size 100000 --out /tmp/scale-100k.sqlite3   # build one store
    python bench/scale_data.py --size 100000 --out 'postgresql://…/scale_100k'   # in an empty database

A few thousand invented places over Ukraine, Syria, Iraq, Lebanon, Yemen and
Israel/Palestine, with a heavy-tailed share of the incidents each (a few front-line towns
take most of them); ~60 actors named like ACLED's, with Zipf-like frequency, each active in
its own theatre and period; dates over three years (2022–2024); ACLED's event types and
sub-types; fatalities mostly 0–3 with a long tail; one or two invented sentences of notes;
source names. The same seed and size give the same incidents (``GENERATOR`` names the
version of this recipe: a store built by another version is rebuilt).

A store is built by ``Store.upsert`` from the generator (the app's one write path, batched
and streamed), in a process of its own so its peak memory is its own; it prints one JSON
line: rows, seconds, rows/s, peak RSS and file size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.records import Incident  # noqa: E402

GENERATOR = "scale-data-1"
SEED = 20240601
FIRST_DAY = date(2022, 1, 1)
DAYS = 3 * 365 + 1  # 2022-01-01 .. 2024-12-31

# country: (code, [(admin1, latitude, longitude, spread in degrees), …], share of places)
REGIONS: dict[str, tuple[str, list[tuple[str, float, float, float]], float]] = {
    "Ukraine": ("UA", [("Donetsk", 48.0, 37.8, 0.7), ("Luhansk", 48.7, 39.0, 0.6), ("Kharkiv", 49.9, 36.6, 0.8),
                       ("Zaporizhia", 47.5, 35.5, 0.7), ("Kherson", 46.7, 33.0, 0.7), ("Sumy", 51.0, 34.5, 0.6),
                       ("Dnipropetrovsk", 48.3, 35.0, 0.8), ("Kyiv", 50.4, 30.5, 0.6), ("Mykolaiv", 47.0, 32.0, 0.5),
                       ("Odesa", 46.5, 30.7, 0.6), ("Chernihiv", 51.5, 31.3, 0.6)], 0.42),
    "Syria": ("SY", [("Aleppo", 36.2, 37.2, 0.6), ("Idleb", 35.9, 36.6, 0.4), ("Deir ez Zor", 35.3, 40.1, 0.7),
                     ("Hasakeh", 36.5, 40.7, 0.6), ("Raqqa", 35.9, 39.0, 0.5), ("Dara", 32.7, 36.1, 0.3),
                     ("Homs", 34.7, 37.5, 0.8), ("Hama", 35.1, 36.8, 0.5), ("Damascus", 33.5, 36.3, 0.3)], 0.22),
    "Iraq": ("IQ", [("Ninewa", 36.3, 43.1, 0.8), ("Anbar", 33.4, 42.0, 1.2), ("Kirkuk", 35.5, 44.4, 0.4),
                    ("Salah al-Din", 34.5, 43.7, 0.7), ("Diyala", 33.9, 45.0, 0.5), ("Baghdad", 33.3, 44.4, 0.3),
                    ("Erbil", 36.2, 44.0, 0.4)], 0.12),
    "Yemen": ("YE", [("Taizz", 13.6, 44.0, 0.4), ("Marib", 15.5, 45.3, 0.5), ("Al Hudaydah", 14.8, 43.0, 0.5),
                     ("Sadah", 16.9, 43.8, 0.4), ("Al Dali", 13.7, 44.7, 0.3), ("Shabwah", 14.5, 46.8, 0.6)], 0.12),
    "Lebanon": ("LB", [("South", 33.25, 35.4, 0.2), ("Nabatiyeh", 33.35, 35.55, 0.15), ("Beqaa", 33.8, 35.9, 0.3),
                       ("Beirut", 33.89, 35.5, 0.05)], 0.05),
    "Palestine": ("PS", [("Gaza Strip", 31.45, 34.4, 0.12), ("West Bank", 32.0, 35.25, 0.25)], 0.05),
    "Israel": ("IL", [("HaZafon", 32.9, 35.4, 0.3), ("HaDarom", 31.2, 34.8, 0.4)], 0.02),
}

# actor, countries it acts in, first and last day of activity (days from FIRST_DAY; None: all three years)
ACTORS: list[tuple[str, tuple[str, ...], tuple[int, int] | None]] = [
    ("Military Forces of Russia (2000-)", ("UA",), (54, DAYS)),
    ("Military Forces of Ukraine (2019-)", ("UA",), (54, DAYS)),
    ("Military Forces of Israel (2022-)", ("PS", "LB", "SY", "IL"), None),
    ("Hamas Movement", ("PS", "IL"), None),
    ("Military Forces of Syria (2000-)", ("SY",), None),
    ("Hayat Tahrir al Sham", ("SY",), None),
    ("Houthi Movement", ("YE", "IL"), None),
    ("Military Forces of Yemen (2017-) Supreme Political Council", ("YE",), None),
    ("Islamic State (Syria)", ("SY",), None),
    ("Hezbollah", ("LB", "IL", "SY"), None),
    ("SDF: Syrian Democratic Forces", ("SY",), None),
    ("Military Forces of Turkey (2016-)", ("SY", "IQ"), None),
    ("Islamic State (Iraq)", ("IQ",), None),
    ("Military Forces of Iraq (2022-)", ("IQ",), (300, DAYS)),
    ("Protesters (Iraq)", ("IQ",), None),
    ("Protesters (Israel)", ("IL",), None),
    ("Protesters (Yemen)", ("YE",), None),
    ("Protesters (Lebanon)", ("LB",), None),
    ("Protesters (Syria)", ("SY",), None),
    ("Protesters (Ukraine)", ("UA",), None),
    ("Rioters (Iraq)", ("IQ",), None),
    ("Rioters (Palestine)", ("PS",), None),
    ("Unidentified Armed Group (Syria)", ("SY",), None),
    ("Unidentified Armed Group (Iraq)", ("IQ",), None),
    ("Unidentified Armed Group (Yemen)", ("YE",), None),
    ("Unidentified Armed Group (Ukraine)", ("UA",), None),
    ("Military Forces of Yemen (2016-) Internationally Recognized Government", ("YE",), None),
    ("Southern Transitional Council", ("YE",), None),
    ("AQAP: Al Qaeda in the Arabian Peninsula", ("YE",), None),
    ("Operation Prosperity Guardian", ("YE",), (720, DAYS)),
    ("Islamic Resistance in Iraq", ("IQ", "SY"), (650, DAYS)),
    ("Kataib Hezbollah", ("IQ",), None),
    ("Popular Mobilization Forces", ("IQ",), None),
    ("PKK: Kurdistan Workers Party", ("IQ",), None),
    ("Military Forces of the United States (2021-)", ("IQ", "SY", "YE"), None),
    ("Police Forces of Israel (2022-)", ("IL", "PS"), None),
    ("Settlers (Israel)", ("PS",), None),
    ("Palestinian Islamic Jihad", ("PS", "IL"), None),
    ("Al Aqsa Martyrs Brigade", ("PS",), None),
    ("Lions' Den", ("PS",), (200, 700)),
    ("Amal Movement", ("LB",), None),
    ("Military Forces of Lebanon (2021-)", ("LB",), None),
    ("National Army (Syrian Opposition)", ("SY",), None),
    ("Free Syrian Army", ("SY",), None),
    ("Druze Militia (Syria)", ("SY",), None),
    ("Tribal Militia (Syria)", ("SY",), None),
    ("Tribal Militia (Yemen)", ("YE",), None),
    ("Wagner Group", ("UA",), (54, 560)),
    ("Russian Volunteer Corps", ("UA",), (450, DAYS)),
    ("Freedom of Russia Legion", ("UA",), (450, DAYS)),
    ("Military Forces of Belarus (1994-)", ("UA",), (54, 120)),
    ("Police Forces of Ukraine (2019-)", ("UA",), None),
    ("Police Forces of Russia (2000-) National Guard", ("UA",), (54, DAYS)),
    ("Civilians (Ukraine)", ("UA",), None),
    ("Civilians (Syria)", ("SY",), None),
    ("Civilians (Yemen)", ("YE",), None),
    ("Civilians (Palestine)", ("PS",), None),
    ("Military Forces of Iran (1989-)", ("SY", "IQ"), None),
    ("Islamic Revolutionary Guard Corps", ("SY", "IQ", "IL"), None),
    ("Saraya Awliya al-Dam", ("IQ",), (650, DAYS)),
]

EVENT_TYPES: list[tuple[str, float, list[str]]] = [
    ("Explosions/Remote violence", 0.42, ["Shelling/artillery/missile attack", "Air/drone strike",
                                          "Remote explosive/landmine/IED", "Grenade", "Suicide bomb"]),
    ("Battles", 0.22, ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"]),
    ("Violence against civilians", 0.10, ["Attack", "Abduction/forced disappearance", "Sexual violence"]),
    ("Protests", 0.14, ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]),
    ("Riots", 0.04, ["Violent demonstration", "Mob violence"]),
    ("Strategic developments", 0.08, ["Looting/property destruction", "Arrests", "Disrupted weapons use",
                                      "Change to group/activity", "Headquarters or base established", "Agreement",
                                      "Non-violent transfer of territory", "Other"]),
]

SOURCES = ["Ukrainska Pravda", "Ministry of Defence of Ukraine", "Ministry of Defence of Russia", "Suspilne",
           "Syrian Observatory for Human Rights", "North Press Agency", "Enab Baladi", "Shafaq News", "Rudaw",
           "Kurdistan 24", "Al Masirah", "Saba News Agency", "Aden al-Ghad", "Times of Israel", "Haaretz",
           "WAFA", "Ma'an News Agency", "L'Orient-Le Jour", "National News Agency", "Reuters", "AFP", "AP"]

_SYLLABLES = ["al", "ba", "dar", "ka", "mar", "sha", "tal", "ru", "ne", "vo", "ky", "zar", "ha", "mi", "ta", "yan",
              "lo", "sur", "qa", "din", "is", "ok", "pol", "hor", "bek", "nah", "ram", "ov", "iv", "ka"]
_TARGETS = ["civilians", "military positions", "a checkpoint", "an energy facility", "a residential area",
            "a convoy", "a base", "farmland", "a police station", "a market"]
_VERBS = ["struck", "shelled", "attacked", "clashed with forces near", "targeted", "raided"]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    weight: float


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def places(rng: random.Random, n: int = 4000) -> list[Place]:
    """``n`` invented places; weights heavy-tailed (Pareto), so a few take most incidents."""
    out = []
    for code, admins, share in REGIONS.values():
        for k in range(max(20, round(n * share))):
            admin, lat, lon, spread = admins[k % len(admins)] if k < len(admins) else rng.choice(admins)
            out.append(Place(f"{_name(rng)}", code, admin, round(rng.gauss(lat, spread / 2), 4),
                             round(rng.gauss(lon, spread / 2), 4), rng.paretovariate(1.1)))
    return out


def _zipf(n: int, s: float = 1.1) -> list[float]:
    return [1 / (k + 1) ** s for k in range(n)]


def incidents(n: int, seed: int = SEED) -> Iterator[Incident]:
    """``n`` incidents, the same for the same ``seed``."""
    rng = random.Random(seed)
    spots = places(rng)
    by_country: dict[str, tuple[list[Place], list[float]]] = {}
    for p in spots:
        bucket = by_country.setdefault(p.country, ([], []))
        bucket[0].append(p)
        bucket[1].append(p.weight)
    cum = {c: (ps, _cumulative(ws)) for c, (ps, ws) in by_country.items()}
    actor_cum = _cumulative(_zipf(len(ACTORS)))
    type_cum = _cumulative([w for _, w, _ in EVENT_TYPES])
    for k in range(n):
        actor, countries, active = ACTORS[_pick(rng, actor_cum)]
        country = countries[0] if len(countries) == 1 or rng.random() < 0.7 else rng.choice(countries)
        ps, pcum = cum[country]
        place = ps[_pick(rng, pcum)]
        first, last = active or (0, DAYS)
        when = FIRST_DAY + timedelta(days=rng.randrange(first, last))
        kind, _, subs = EVENT_TYPES[_pick(rng, type_cum)]
        sub = subs[min(int(rng.expovariate(1.2)), len(subs) - 1)]
        violent = kind not in ("Protests", "Strategic developments")
        killed = (0 if not violent or rng.random() < 0.62 else
                  min(int(rng.paretovariate(1.3)), 500) if rng.random() < 0.9 else int(rng.paretovariate(0.8)) % 2000)
        injured = None if rng.random() < 0.5 else min(int(rng.expovariate(0.5)), 300)
        target = rng.choice(_TARGETS)
        notes = (f"On {when:%d %B %Y}, {actor} {rng.choice(_VERBS)} {target} in {place.name} ({place.admin1})."
                 + (f" {killed} people were reported killed." if killed and rng.random() < 0.7 else
                    " No casualties were reported." if rng.random() < 0.4 else ""))
        source = rng.choice(SOURCES) + ("; " + rng.choice(SOURCES) if rng.random() < 0.3 else "")
        yield Incident(
            event_id=f"SCL{k:07d}", event_date=when, group=actor, location=place.name,
            time_precision=1 if rng.random() < 0.85 else 2, group_role="claimed" if rng.random() < 0.2 else "attributed",
            target=target, event_type=kind, sub_event_type=sub, latitude=place.latitude, longitude=place.longitude,
            geo_precision=1 if rng.random() < 0.8 else 2, country_code=place.country, admin1=place.admin1,
            killed=killed, injured=injured, notes=notes, source=source,
            published=when + timedelta(days=min(int(rng.expovariate(1.0)), 7)))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


def _pick(rng: random.Random, cum: list[float]) -> int:
    from bisect import bisect_left

    return min(bisect_left(cum, rng.random()), len(cum) - 1)


def build(size: int, out: str, seed: int = SEED) -> dict[str, float]:
    """A store of ``size`` incidents at ``out`` (a SQLite file, replaced; or an empty
    PostgreSQL database's URL), by ``Store.upsert``."""
    from sqlalchemy import text

    from geo.store.database import Store

    postgres = "://" in out
    for suffix in () if postgres else ("", "-wal", "-shm", "-journal"):
        Path(out + suffix).unlink(missing_ok=True)
    t0 = time.monotonic()
    store = Store(out)
    try:
        counts = store.upsert(incidents(size, seed), actor="bench", action="scale")
        if postgres:
            with store.read() as conn:
                conn.exec_driver_sql("ANALYZE")
                size_bytes = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        store.close()
    seconds = time.monotonic() - t0
    if counts.added != size:
        raise RuntimeError(f"added {counts.added} of {size}")
    if not postgres:
        size_bytes = sum(Path(out + s).stat().st_size for s in ("", "-wal") if Path(out + s).exists())
    return {"rows": size, "seconds": seconds, "rows_per_s": size / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "file_mb": size_bytes / 2**20,
            "generator": GENERATOR, "seed": seed}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", required=True, help="a SQLite file, or an empty PostgreSQL database's URL")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(json.dumps(build(args.size, args.out, args.seed)), flush=True)


if __name__ == "__main__":
    main()
