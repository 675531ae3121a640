"""Country layers in the GeoNames dump layout: read from their files and applied to an index.

A layer is one country's ``CC.txt`` (19 tab-separated columns, no quoting; plain, ``.gz``
or ``.zip``) with the admin code lists beside it (``admin1Codes.txt`` or GeoNames'
``admin1CodesASCII.txt``, and ``admin2Codes.txt``). Installing copies the country's file
and its admin code lines into ``<cache>/layers/`` (:mod:`geo.gazetteer.cache`) and applies them to the index, so a
rebuilt index (new data packages) gets every installed layer back without the source.

Applying a layer:

* its country row (``A.PCLI``) lends its names (Arabic, variants) to the base country;
* ``A.ADM1``/``A.ADM2`` rows become ``admin1``/``admin2`` places, and every place knows
  the names and codes of its province and district;
* a place whose GeoNames id is already in the base supersedes that base town (keeping
  the larger population), and the base's provinces for that country yield to the layer's
  where the names agree, so one place is never listed twice;
* base towns of the country that the layer lacks take their province and district from
  the nearest layer place, so containment tests work for every place of the country.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.errors import IncidentMapError
from geo.gazetteer import names, ranking
from geo.gazetteer.format import INDEXES, SCHEMA, Writer
from geo.progress import Progress

__all__ = ["LayerError", "StoredLayer", "Progress", "read_rows", "country_of", "admin_lines", "layers_dir",
           "stored_layers", "apply"]


_SEATS = {"PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLC": 1}
_FEATURES = {"PCLI": "country", "ADM1": "admin1", "ADM2": "admin2", "ADM3": "admin3", "PPLX": "neighbourhood",
             "INSM": "airbase", "AIRB": "airbase", "AIRP": "airport", "AIRF": "airbase"}


class LayerError(IncidentMapError):
    """A layer file or folder cannot be read; the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class StoredLayer:
    """One installed country layer in the cache."""

    code: str
    places: Path
    admin1: Path
    admin2: Path
    source: Path


# ---------------------------------------------------------------- reading

def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    if path.suffix == ".zip":
        archive = zipfile.ZipFile(path)
        inner = [n for n in archive.namelist() if n.endswith(".txt") and not n.lower().startswith("readme")]
        if not inner:
            raise LayerError(f"{path}: no .txt file inside the zip")
        return io.TextIOWrapper(archive.open(inner[0]), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def read_rows(path: Path) -> Iterator[list[str]]:
    """The 19-column rows of a GeoNames-layout file; a malformed line raises :class:`LayerError`."""
    try:
        with _open_text(path) as f:
            for n, row in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
                if not row or row[0].startswith("#"):
                    continue
                if len(row) != 19:
                    raise LayerError(f"{path.name}, line {n}: {len(row)} columns, expected the 19 of a GeoNames dump")
                try:
                    float(row[4]), float(row[5])
                except ValueError:
                    raise LayerError(f"{path.name}, line {n}: latitude/longitude {row[4]!r}, {row[5]!r} are not "
                                     "numbers") from None
                yield row
    except (OSError, zipfile.BadZipFile, gzip.BadGzipFile, UnicodeDecodeError, EOFError) as error:
        raise LayerError(f"{path.name}: cannot be read ({error})") from None


def country_of(path: Path) -> str:
    stem = path.name.split(".")[0]
    return stem.upper() if len(stem) == 2 and stem.isalpha() else ""


def admin_lines(folder: Path, code: str, level: int) -> list[str]:
    """Lines of the folder's admin code list for one country (``CC.`` prefix)."""
    candidates = ["admin1Codes.txt", "admin1CodesASCII.txt"] if level == 1 else ["admin2Codes.txt"]
    for name in candidates:
        path = folder / name
        if path.exists():
            with path.open(encoding="utf-8") as f:
                return [line for line in f if line.startswith(f"{code}.")]
    return []


# ---------------------------------------------------------------- stored in the cache

def layers_dir(cache: Path) -> Path:
    path = cache / "layers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_layers(cache: Path) -> list[StoredLayer]:
    folder = cache / "layers"
    if not folder.is_dir():
        return []
    out = []
    for places in sorted(folder.glob("??.txt.gz")):
        code = places.name[:2]
        source = folder / f"{code}.source"
        out.append(StoredLayer(code, places, folder / f"{code}.admin1.txt", folder / f"{code}.admin2.txt", source))
    return out


# ---------------------------------------------------------------- applying

def _admin_names(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                out[parts[0]] = parts[1]
    return out


_GEONAME_ID = re.compile(r"-?[0-9]{1,18}")


def apply(db: sqlite3.Connection, stored: StoredLayer) -> int:
    """(Re)apply one stored layer to an open index; returns its number of places."""
    code = stored.code
    db.executescript(SCHEMA)
    _remove(db, code)
    admin1 = _admin_names(stored.admin1)
    admin2 = _admin_names(stored.admin2)
    if not admin1 or not admin2:  # no code lists: name the divisions from the layer's own A rows
        for row in read_rows(stored.places):
            if row[7] == "ADM1":
                admin1.setdefault(f"{code}.{row[10]}", row[1])
            elif row[7] == "ADM2":
                admin2.setdefault(f"{code}.{row[10]}.{row[11]}", row[1])
    country = db.execute("SELECT id FROM places WHERE cc = ? AND feature = 'country' AND layer = 'base'",
                         (code,)).fetchone()
    writer = Writer(db)
    count = 0
    for row in read_rows(stored.places):
        gid = int(row[0]) if _GEONAME_ID.fullmatch(row[0]) else None  # ASCII digits: "²".isdigit() is true
        name, aliases = _display_name(row)
        fcode = row[7]
        if fcode.startswith("PCL") and country is not None:
            writer.add_names(country[0], aliases)
            continue
        feature = _FEATURES.get(fcode) or ("city" if row[6] == "P" else "landmark")
        a1 = f"{code}.{row[10]}" if row[10] else ""
        a2 = f"{a1}.{row[11]}" if a1 and row[11] else ""
        writer.add({"ref": f"geonames:{gid}" if gid and gid > 0 else f"wof:{-(gid or 0)}", "name": name,
                    "lat": float(row[4]), "lon": float(row[5]), "cc": code, "admin1": _plain(admin1.get(a1, "")),
                    "feature": feature, "population": int(row[14] or 0),
                    "source": f"GeoNames-layout layer {code}" + (f", id {gid}" if gid else ""), "curated": 0,
                    "capital": int(fcode == "PPLC"), "admin2": _plain(admin2.get(a2, "")) if feature != "admin1" else "",
                    "admin1_code": f"layer:{a1}" if a1 else "", "admin2_code": f"layer:{a2}" if a2 else "",
                    "seat": _SEATS.get(fcode, 0)},
                   aliases, gid=gid, layer=code)
        count += 1
    writer.flush()
    db.executescript(INDEXES)
    _supersede(db, code)
    _adopt_hierarchy(db, code)
    source = stored.source.read_text(encoding="utf-8") if stored.source.exists() else str(stored.places)
    db.execute("INSERT OR REPLACE INTO layers VALUES (?, ?, ?, ?)", (code, count, source, date.today().isoformat()))
    db.commit()
    return count


_PARENTHESIS = re.compile(r"(?<!\s)\s*+\(([^()]*+)\)\s*+$")  # spaces and "(" each tried once: linear


def _plain(name: str) -> str:
    """"Homs (Hims)" -> "Homs": the name without an extract's parenthesised variant."""
    return _PARENTHESIS.sub("", name).strip() or name


def _display_name(row: list[str]) -> tuple[str, list[str]]:
    """The place's name as shown, and every name to index (the parenthesised variant too)."""
    aliases = [row[1], row[2], *(a for a in row[3].split(",") if names.indexable(a))]
    variant = _PARENTHESIS.search(row[1])
    if variant:
        aliases += [_plain(row[1]), variant.group(1)]
    return _plain(row[1]), aliases


def _remove(db: sqlite3.Connection, code: str) -> None:
    """Undo an earlier apply of this country's layer (reinstalling replaces it)."""
    ids = [r[0] for r in db.execute("SELECT id FROM places WHERE layer = ?", (code,))]
    if not ids:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM gone")
    db.executemany("INSERT INTO gone VALUES (?)", ((i,) for i in ids))
    db.execute("DELETE FROM names WHERE place IN (SELECT id FROM gone)")
    db.execute("UPDATE places SET superseded = NULL WHERE superseded IN (SELECT id FROM gone)")
    db.execute("DELETE FROM places WHERE layer = ?", (code,))
    db.execute("DELETE FROM layers WHERE code = ?", (code,))


def _supersede(db: sqlite3.Connection, code: str) -> None:
    # base towns with the same GeoNames id: the layer row replaces them, keeping the known
    # population and GeoNames' own name ("Homs", not an extract's "Homs (Hims)")
    db.execute("""
        UPDATE places SET population = max(places.population, b.population), capital = max(places.capital, b.capital),
                          name = b.name
        FROM places b WHERE places.layer = ? AND b.layer = 'base' AND b.gid = places.gid AND places.gid > 0""",
               (code,))
    db.execute("""
        UPDATE places SET superseded = l.id
        FROM places l WHERE places.layer = 'base' AND l.layer = ? AND l.gid = places.gid AND places.gid > 0""",
               (code,))
    # the base's provinces of this country yield to the layer's when a name of one is a name of the other
    db.execute("""
        UPDATE places SET superseded = (
            SELECT l.id FROM names nb JOIN names nl ON nl.k = nb.k AND nl.level = nb.level
            JOIN places l ON l.id = nl.place
            WHERE nb.place = places.id AND nb.level IN (0, 1) AND l.layer = ? AND l.feature = 'admin1' LIMIT 1)
        WHERE layer = 'base' AND feature = 'admin1' AND cc = ?""", (code, code))


def _adopt_hierarchy(db: sqlite3.Connection, code: str) -> None:
    """Base towns and curated sites of the country that the layer lacks take the province and
    district of the nearest layer place (within ~50 km), so every place of the country has
    the layer's names."""
    cell: dict[tuple[int, int], list[tuple[float, float, str, str, str, str]]] = {}
    for lat, lon, a1, a2, c1, c2 in db.execute(
            "SELECT lat, lon, admin1, admin2, admin1_code, admin2_code FROM places WHERE layer = ? "
            "AND feature IN ('city', 'neighbourhood') AND admin1 != ''", (code,)):
        cell.setdefault((int(lat * 5), int(lon * 5)), []).append((lat, lon, a1, a2, c1, c2))
    updates = []
    for pid, lat, lon, own in db.execute("SELECT id, lat, lon, admin1 FROM places WHERE cc = ? AND layer IN ('base', 'site') "
                                    "AND superseded IS NULL AND feature NOT IN ('country', 'admin1')", (code,)):
        best: tuple[float, tuple[float, float, str, str, str, str]] | None = None
        ci, cj = int(lat * 5), int(lon * 5)
        for di in range(-3, 4):
            for dj in range(-3, 4):
                for p in cell.get((ci + di, cj + dj), ()):
                    d = (p[0] - lat) ** 2 + ((p[1] - lon) * math.cos(math.radians(lat))) ** 2
                    if best is None or d < best[0]:
                        best = (d, p)
        # a stated province (curated sites) is kept: the nearest village may lie across a border
        if best is not None and best[0] < 0.5 ** 2 and (not own or ranking.same_division(own, best[1][2])):
            updates.append((best[1][2], best[1][3], best[1][4], best[1][5], pid))
    db.executemany("UPDATE places SET admin1 = ?, admin2 = ?, admin1_code = ?, admin2_code = ? WHERE id = ?",
                   updates)
