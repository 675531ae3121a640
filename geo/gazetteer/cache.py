"""The index in the cache folder: opened, built when missing, country layers installed into it.

The top of the gazetteer package: it calls the base build (:mod:`geo.gazetteer.build`),
the layer files (:mod:`geo.gazetteer.layers`) and the reader (:mod:`geo.gazetteer.index`),
and nothing below calls it.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import sqlite3
import threading
import urllib.request
from pathlib import Path

from geo import settings
from geo.gazetteer import build, layers
from geo.gazetteer.index import Gazetteer

__all__ = ["index_path", "load", "fingerprint", "install_paths", "install_countries", "DUMP_URL"]

DUMP_URL = "https://download.geonames.org/export/dump/"


def fingerprint() -> str:
    """Names the base build: changes when a source package, data file or the builder does."""
    return build.fingerprint()


def index_path(cache: Path | None = None) -> Path:
    return (cache or settings.cache_dir()) / f"gazetteer-{fingerprint()}.sqlite3"


_load_lock = threading.Lock()


def load(cache: Path | None = None) -> Gazetteer:
    """The gazetteer index, built (base plus installed layers) when it does not exist yet.

    A file lock makes a second process (another app session, a CLI command) wait for a
    build under way instead of starting its own; indexes of older fingerprints are removed."""

    folder = cache or settings.cache_dir()
    path = index_path(folder)
    with _load_lock:
        if not path.exists():
            with (folder / "gazetteer.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not path.exists():
                    build.build(path, folder)
                    for old in folder.glob("gazetteer-*"):
                        if old != path and old.suffix in (".sqlite3", ".tmp"):
                            old.unlink(missing_ok=True)
        return Gazetteer(path)


def _layer_files(target: Path) -> list[Path]:
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if layers.country_of(p) and p.suffix in (".txt", ".gz", ".zip"))
        if not files:
            raise layers.LayerError(f"{target}: no country files (CC.txt, CC.txt.gz or CC.zip) in this folder")
        return files
    if not target.exists():
        raise layers.LayerError(f"{target}: no such file or folder")
    if not layers.country_of(target):
        raise layers.LayerError(f"{target.name}: a layer file is named by its country code (IQ.txt, IQ.txt.gz, IQ.zip)")
    return [target]


def install_paths(targets: list[Path], cache: Path, progress: layers.Progress | None = None) -> list[tuple[str, int]]:
    """Install layers from local files or folders; returns (country, places) per layer.

    Every file is read and checked before anything is installed, so a bad file leaves
    the installed layers as they were."""
    files = [f for t in targets for f in _layer_files(t)]
    staged: list[tuple[str, Path, list[str], list[str]]] = []
    stage = layers.layers_dir(cache) / f".staging-{os.getpid()}"
    stage.mkdir(exist_ok=True)
    try:
        for n, path in enumerate(files):
            code = layers.country_of(path)
            if progress:
                progress(f"reading {path.name}", n, len(files))
            out = stage / f"{code}.txt.gz"
            with gzip.open(out, "wt", encoding="utf-8", newline="") as g:
                for row in layers.read_rows(path):
                    if row[8] and row[8].upper() != code:
                        continue  # GeoNames' allCountries-style files carry other countries too
                    g.write("\t".join(row) + "\n")
            staged.append((code, out, layers.admin_lines(path.parent, code, 1), layers.admin_lines(path.parent, code, 2)))
        done = []
        for code, out, admin1, admin2 in staged:
            folder = layers.layers_dir(cache)
            (folder / f"{code}.admin1.txt").write_text("".join(admin1), encoding="utf-8")
            (folder / f"{code}.admin2.txt").write_text("".join(admin2), encoding="utf-8")
            source = next(str(f.resolve()) for f in files if layers.country_of(f) == code)
            (folder / f"{code}.source").write_text(source, encoding="utf-8")
            out.replace(folder / f"{code}.txt.gz")
            done.append(code)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return _apply_stored(cache, done, progress)


def install_countries(codes: list[str], cache: Path, progress: layers.Progress | None = None,
                      base_url: str | None = None) -> list[tuple[str, int]]:
    """Download ``CC.zip`` and the admin code lists from GeoNames' dump server, then install.

    ``base_url`` (or ``GEONAMES_DUMP_URL``) points at a mirror. Downloads go to
    ``<cache>/downloads`` and are kept, so a country is fetched once."""
    url = (base_url or os.environ.get("GEONAMES_DUMP_URL") or DUMP_URL).rstrip("/") + "/"
    folder = cache / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("admin1CodesASCII.txt", "admin2Codes.txt"):
        _download(url + name, folder / name, progress)
    files = []
    for code in codes:
        code = code.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise layers.LayerError(f"{code!r} is not a two-letter country code")
        files.append(_download(url + f"{code}.zip", folder / f"{code}.zip", progress))
    return install_paths(files, cache, progress)


def _download(url: str, dest: Path, progress: layers.Progress | None) -> Path:
    if dest.exists() and dest.stat().st_size > 0:
        return dest
    tmp = dest.with_suffix(dest.suffix + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": "incident-map gazetteer"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response, tmp.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(f"downloading {dest.name}", done, total)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise layers.LayerError(f"{url}: download failed ({error})") from None
    tmp.replace(dest)
    return dest


def _apply_stored(cache: Path, codes: list[str], progress: layers.Progress | None) -> list[tuple[str, int]]:
    path = index_path(cache)
    if not path.exists():  # the first build applies every stored layer itself
        load(cache).close()
        db = sqlite3.connect(path)
        counts = dict(db.execute("SELECT code, places FROM layers").fetchall())
        db.close()
        return [(c, int(counts.get(c, 0))) for c in codes]
    return build.refresh(path, cache, codes, progress)
