"""Build ``data/group_crosswalk.csv``: the providers' own names for armed groups and state forces.

    python scripts/build_crosswalk.py [--eval DIR]

ACLED and GTD name actors their own way ("Military Forces of Nigeria (2015-)", "Houthi
extremists (Ansar Allah)", "JNIM: Group for Support of Islam and Muslims"). So that parsed
text, ACLED imports and GTD imports land on one canonical group and one filter, every
organised group and state force named in the *training* rows of ../shared/eval/conflict
(ACLED ``actor1``/``actor2`` and their associates, GTD ``gname``/``gname2``; never the
development rows) gets a line here: the provider's exact name and the canonical group of
``data/groups.csv`` it is, or a new group when the register has none.

A name is matched to the register by the forms the providers write around a name: the
whole name; without the years or country tag in brackets ("(2000-)", "(Syria)") and a
unit after them; both parts of "ACRONYM: Full name"; a GTD name without its brackets and
the words inside them. State forces ("Military Forces of X", "Police Forces of X") become
one group per country. Generic actors are left out: civilians, rioters, protesters,
"Unidentified …" and GTD's "Unknown" and generic labels ("Fulani extremists"), which name
no organisation.

The file is rebuilt whole by this command and read by :mod:`geo.geoparse.actors` beside the
curated register; nothing else writes it.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import countries  # noqa: E402
from geo.geoparse import actors  # noqa: E402

OUT = ROOT / "data" / "group_crosswalk.csv"
COLUMNS = ["provider", "name", "canonical", "kind", "countries", "events", "source"]
SOURCES = {"ACLED": "https://acleddata.com/knowledge-base/codebook/",
           "GTD": "https://www.start.umd.edu/gtd/"}

_GENERIC = re.compile(r"^(?:Civilians|Rioters|Protesters|Unidentified|Unknown|Private Security|Students|Labour Group|"
                      r"Government of|Prisoners|Refugees|Journalists|Health Workers|Women|Farmers|Fishers|Lawyers|"
                      r"Teachers|Christian Group|Muslim Group|Hindu Group|Sikh Group|Former |Vigilante Group|Aid Workers|Fishermen|"
                      r"Judges|LGBT|Independent Politicians|(?:Armed )?Drug Suspects|Huachicoleros|Miners|Traders|"
                      r"Herders|Pastoralists|Settlers|Migrants|Sailors|Workers|Police Militia|Smugglers)\b"
                      r"|\band/or\b|^(?:Men|Tribesmen|Opposition Rebels|Prison Guards|Sole Perpetrator|Special Task|"
                      r"Taxi|Mercy Corps|Right-Wing|White supremacists|Dissident Republicans|Popular Resistance|"
                      r"International Resistance|Southern Resistance|People's Force|Settlers)\b"
                      r"|\bextremists?$|\b(?:Group|Gang|Militia|Party|Supporters)\s*\([^()]*\)$"
                      r"|^(?:Separatists|Gunmen|Militants|Anarchists|Maoists)$|\bbacked militia$", re.IGNORECASE)
_STATE = re.compile(r"^(Military|Police) Forces of (?:the )?([^()]+?)\s*$")
_BRACKET = re.compile(r"\s*\(([^()]*)\)")
_YEARS = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)")


def provider_names(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(provider, name, country) for every actor of every training row."""
    with (folder / "acled_train.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            for column in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2"):
                for name in (row[column] or "").split("; "):
                    if name.strip():
                        yield "ACLED", name.strip(), row["country"]
    with (folder / "gtd_train.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            for column in ("gname", "gname2"):
                if (row[column] or "").strip():
                    yield "GTD", row[column].strip(), row["country"]


def forms(name: str) -> list[str]:
    """The forms a provider's name may be found under in the register, most specific first."""
    out = [name]
    bare = _YEARS.split(name)[0].strip()  # "… (2016-) Supreme Political Council": the unit goes too
    out.append(bare)
    inside = _BRACKET.findall(bare)
    outside = _BRACKET.sub("", bare).strip()
    out += [outside, *inside]
    if ": " in outside:
        acronym, _, full = outside.partition(": ")
        out += [full, acronym]
    return [f for f in dict.fromkeys(out) if f]


def canonical_of(name: str, where: set[str], reg: actors.Register) -> str | None:
    """The register's group for a provider's name, or None. A shortened form (an acronym, the
    words in brackets) counts only for a group of the same countries: "JaS" is not "JAS"."""
    state = _STATE.match(_YEARS.split(name)[0])
    if state:
        code = countries.code_of_name(state.group(2))
        label = countries.name(code) if code else state.group(2)
        for candidate in (f"{state.group(1)} Forces of {label}", f"{state.group(1)} Forces of the {label}"):
            if reg.lookup(candidate):
                return reg.lookup(candidate).canonical  # type: ignore[union-attr]
        return f"{state.group(1)} Forces of {label}"
    for n, form in enumerate(forms(name)):
        found = reg.lookup(form)
        if found is not None and (n < 2 or not found.countries or set(found.countries) & where):
            return found.canonical
    return None


def new_name(name: str) -> str:
    """A new group's canonical name: the provider's, without the government's years or a
    trailing country tag ("Asayish (Syria)"); brackets that name a faction stay."""
    bare = _YEARS.sub("", name).strip()
    tag = re.search(r"\s*\(([^()]*)\)$", bare)
    if tag and countries.code_of_name(tag.group(1)):
        bare = bare[:tag.start()].strip()
    return bare or name


def kind_of(canonical: str) -> str:
    lower = canonical.lower()
    if lower.startswith(("military forces of", "police forces of")):
        return "state"
    if re.search(r"islamic state|al qaeda|al-qaeda|shabaab|boko haram|jihad|jama'?at|taliban|ansar|mujahid", lower):
        return "islamist"
    if re.search(r"ethnic|communal|tribal", lower):
        return "ethnic_militia"
    if "militia" in lower:
        return "militia"
    if re.search(r"liberation|front|army|movement|forces|rebel|resistance|insurg|guerrilla", lower):
        return "rebel"
    return "other"


def build(folder: Path) -> list[dict[str, str]]:
    reg = actors.read_register(actors.REGISTER_PATH)
    seen: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for provider, name, country in provider_names(folder):
        if _GENERIC.search(name):
            continue
        seen[(provider, name)] += 1
        code = countries.code_of_name(country)
        if code:
            where[(provider, name)].add(code)
    rows = []
    owner: dict[str, str] = {}  # alias key -> canonical, so no name is filed under two groups
    for actor in reg.actors.values():
        for alias in (actor.canonical, *actor.aliases):
            owner.setdefault(alias.lower(), actor.canonical)
    for (provider, name), events in sorted(seen.items()):
        canonical = canonical_of(name, where[(provider, name)], reg)
        if canonical is None:  # a group the register lacks: one of its own, named as the provider names it
            canonical = new_name(name)
        if owner.setdefault(name.lower(), canonical) != canonical:
            continue  # the exact name already belongs to another group (curated first)
        known = reg.actors.get(canonical)
        rows.append({"provider": provider, "name": name, "canonical": canonical,
                     "kind": known.kind if known else kind_of(canonical),
                     "countries": "|".join(sorted(where[(provider, name)])), "events": str(events),
                     "source": SOURCES[provider]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval" / "conflict",
                        help="the conflict set's folder (its *_train.csv files are read)")
    args = parser.parse_args(argv)
    rows = build(args.eval)
    with OUT.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    new = {r["canonical"] for r in rows} - set(actors.read_register(actors.REGISTER_PATH).actors)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} provider names, {len(new)} groups the register lacked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
