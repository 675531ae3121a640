"""Actors: which group an event is claimed by or attributed to, named as the register names it.

The register (``data/groups.csv``, one row per actor with aliases and a public source)
turns "Houthis", "Ansarallah" and "Ansar Allah" into one canonical name in ACLED's style.
The text decides the role:

* claimed: "X claimed (responsibility for) the attack", "claimed by X", "a group calling
  itself X", "a new group, X, said it was responsible";
* attributed: "attributed to X", "blamed on X", "sources suspected X", "carried out by X",
  and otherwise the register actor the event sentences name as doing it ("Houthis fired",
  "Israeli strikes on", "an attack by X"), never one named as the target ("strikes on
  Hezbollah positions").

A name read from a claim that the register does not know is kept as a new group
(``known=False``), never forced onto a known one; descriptors ("Iran-backed", "militants",
"gunmen") are never names. Names are taken by walking word tokens next to a cue, not by
open-ended regular expressions, so the work per cue is bounded.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo import settings
from geo.errors import InvalidInput
from geo.gazetteer import names
from geo.geoparse import lexicon
from geo.geoparse import spans as _spans
from geo.geoparse.demonyms import demonym_place

__all__ = ["Actor", "Register", "GroupReading", "group_of", "register", "read_register", "REGISTER_PATH",
           "CROSSWALK_PATH"]

REGISTER_PATH = settings.DATA_DIR / "groups.csv"
CROSSWALK_PATH = settings.DATA_DIR / "group_crosswalk.csv"  # providers' names (scripts/build_crosswalk.py)
KINDS = frozenset({"state", "rebel", "islamist", "militia", "ethnic_militia", "political", "other"})


@dataclass(frozen=True, slots=True)
class Actor:
    canonical: str
    aliases: tuple[str, ...]
    kind: str
    countries: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class GroupReading:
    """The group of one event: ``name`` is canonical when ``known``; role is claimed,
    attributed or unknown; ``start``/``end`` locate the words it was read from."""

    name: str
    role: str
    known: bool
    start: int = 0
    end: int = 0


def _key(name: str) -> str:
    return names.key(name.replace(".", "").replace("\u2019", "'"))


_WORD = re.compile(r"[^\W_]+(?:['\u2019.][^\W_]+)*")
_JOIN = re.compile(r"[\s-]{1,3}")
# where an alias can start: a capitalised word or an Arabic article ("al-Shabaab"); the
# lower-case rest of a text is skipped without a Python-level look at each word
_ALIAS_START = re.compile(r"(?<![^\W_])(?:[A-Z]|(?:al|el)(?![^\W_]))")


def _words(name: str) -> tuple[str, ...]:
    return tuple(m.group().lower().replace("'", "").replace("\u2019", "").replace(".", "")
                 for m in _WORD.finditer(name))


def _lowered(text: str) -> str:
    """Lower case with the same offsets (a letter whose lower case is longer stays as is)."""
    low = text.lower().replace("\u2019", "'")
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("\u2019", "'")


class Register:
    """Canonical actors and every alias, looked up by normalised key or found in text.

    Finding does not run one huge case-insensitive regular expression (slow with hundreds
    of aliases): each word of the lower-cased text is checked against the words aliases
    start with, and only then are the words that follow looked up."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.actors = {a.canonical: a for a in actors}
        self._by_key: dict[str, str] = {}
        self._by_words: dict[tuple[str, ...], tuple[str, str]] = {}  # words -> (canonical, exact capitals or "")
        self._prefixes: set[tuple[str, ...]] = set()  # every alias's leading words, to stop reading early
        firsts: set[str] = set()
        for a in self.actors.values():
            for n in (a.canonical, *a.aliases):
                self._by_key.setdefault(_key(n), a.canonical)
                words = _words(n)
                if words:
                    exact = n if n.isupper() and len(n) <= 4 else ""  # "IS", "SNA" only in capitals
                    self._by_words.setdefault(words, (a.canonical, exact))
                    self._prefixes.update(words[:k] for k in range(1, len(words)))
                    first = _WORD.match(_lowered(n))
                    if first:
                        firsts.add(first.group())
        self._firsts = frozenset(firsts)

    def lookup(self, name: str) -> Actor | None:
        canonical = self._by_key.get(_key(name))
        if canonical is None and name.lower().startswith("the "):
            canonical = self._by_key.get(_key(name[4:]))
        return self.actors.get(canonical) if canonical else None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, Actor]]:
        """Every alias occurrence in ``text[start:end]``, the longest where they overlap."""
        end = len(text) if end is None else end
        return [hit for hit in _spans.within(self._all(text), start, end) if hit[1] <= end]

    @functools.lru_cache(maxsize=8)  # noqa: B019  (a few texts per parse; the register lives as long as the process)
    def _all(self, text: str) -> tuple[tuple[int, int, Actor], ...]:
        low = _lowered(text)
        out: list[tuple[int, int, Actor]] = []
        done = 0
        for m in _ALIAS_START.finditer(text):
            if m.start() < done:
                continue
            m = _WORD.match(low, m.start())  # type: ignore[assignment]
            if m is None or m.group() not in self._firsts:
                continue
            tokens = [m]
            words = [m.group().replace("'", "").replace(".", "")]
            while tuple(words) in self._prefixes:
                gap = _JOIN.match(low, tokens[-1].end())
                nxt = _WORD.match(low, gap.end()) if gap else None
                if nxt is None:
                    break
                tokens.append(nxt)
                words.append(nxt.group().replace("'", "").replace(".", ""))
            for n in range(len(tokens), 0, -1):
                got = self._by_words.get(tuple(words[:n]))
                a, b = m.start(), tokens[n - 1].end()
                if got is None or got[1] and text[a:b] != got[1]:
                    continue
                out.append((a, b, self.actors[got[0]]))
                done = b
                break
        return tuple(out)

    def canonical_names(self) -> list[str]:
        return sorted(self.actors)


def read_register(path: Path, crosswalk: Path | None = None) -> Register:
    """The register in ``path``, with the providers' names of ``crosswalk`` filed under their
    groups; :class:`~geo.errors.InvalidInput` names the row and column of a bad entry."""
    actors: list[Actor] = []
    with path.open(encoding="utf-8", newline="") as stream:
        rows = csv.DictReader(stream)
        for row_number, row in enumerate(rows, start=2):
            canonical = (row.get("canonical") or "").strip()
            kind = (row.get("kind") or "").strip()
            if not canonical:
                raise InvalidInput(f"{path.name}: row {row_number}, column canonical: empty")
            if kind not in KINDS:
                raise InvalidInput(f"{path.name}: row {row_number}, column kind: {kind!r} is not one of {sorted(KINDS)}")
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            countries = tuple(c.strip() for c in (row.get("countries") or "").split("|") if c.strip())
            actors.append(Actor(canonical, aliases, kind, countries, (row.get("source") or "").strip()))
    if crosswalk is not None:
        actors = _with_crosswalk(actors, crosswalk)
    return Register(actors)


def _with_crosswalk(curated: list[Actor], path: Path) -> list[Actor]:
    """Each provider's name as an alias of its group ("Military Forces of Nigeria (2015-)" of
    "Military Forces of Nigeria"); a group the curated register lacks becomes one of its own,
    with the provider's source. A name a curated group already owns keeps its owner."""
    by_name = {a.canonical: a for a in curated}
    owned = {_key(n) for a in curated for n in (a.canonical, *a.aliases)}
    with path.open(encoding="utf-8", newline="") as stream:
        for row_number, row in enumerate(csv.DictReader(stream), start=2):
            name, canonical, kind = (row.get(c, "").strip() for c in ("name", "canonical", "kind"))
            if not name or not canonical or kind not in KINDS:
                raise InvalidInput(f"{path.name}: row {row_number}: needs a name, a canonical group and a kind "
                                   f"(one of {sorted(KINDS)})")
            countries = tuple(c for c in row.get("countries", "").split("|") if c)
            actor = by_name.get(canonical) or Actor(canonical, (), kind, (), row.get("source", "").strip())
            new = tuple(n for n in (canonical, name) if _key(n) not in owned and n != actor.canonical)
            owned.update(_key(n) for n in new)
            by_name[canonical] = Actor(canonical, actor.aliases + new, actor.kind,
                                       actor.countries + tuple(c for c in countries if c not in actor.countries),
                                       actor.source)
    return list(by_name.values())


@functools.cache
def register() -> Register:
    """The bundled register with the providers' names (read once per process)."""
    return read_register(REGISTER_PATH, CROSSWALK_PATH)


# ----------------------------------------------------------------- reading a name next to a cue

_DESCRIPTORS = lexicon.words("actor_descriptors")
_GROUP_NOUNS = lexicon.words("group_nouns")
_CONNECT = frozenset({"of", "in", "for", "the", "al", "el", "and", "de", "bin", "wal", "lil", "ash", "ad", "as"})
_LEADING = frozenset({"a", "an", "the", "new", "little-known", "shadowy", "previously", "unknown", "obscure",
                      "self-styled", "hardline", "militant", "armed", "jihadist", "islamist", "extremist", "rebel",
                      "insurgent", "so-called", "newly", "formed", "little", "known", "called", "named",
                      "calling", "itself", "themselves"})
_NOT_NAMES = frozenset({"it", "he", "she", "they", "we", "i", "this", "that", "there", "no", "nobody", "none",
                        "one", "officials", "police", "but", "and", "while", "meanwhile", "however"}) | {
    d for d in ("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
                "july august september october november december yesterday today").split()}
_TOKEN = re.compile(r"[\w'\u2019.-]+|[,;:()\"\u201c\u201d]")


def _capital(word: str) -> bool:
    return word[:1].isupper() or word[:3].lower() in ("al-", "el-") and word[3:4].isupper()


def _name_after(text: str, pos: int) -> tuple[str, int, int] | None:
    """The capitalised name starting at ``pos`` after leading articles, adjectives and group nouns."""
    words: list[re.Match[str]] = []
    started = False
    for m in _TOKEN.finditer(text, pos, min(len(text), pos + 160)):
        w = m.group()
        low = w.lower()
        if not started:
            if low in _LEADING or low in _GROUP_NOUNS or low.endswith(("-backed", "-aligned", "-linked")):
                continue
            if not _capital(w):
                return None
            started = True
        if _capital(w) or low in _CONNECT and words:
            words.append(m)
        else:
            break
        if len(words) >= 9 or _ends_sentence(w):
            break
    while words and words[-1].group().lower() in _CONNECT:
        words.pop()
    return _clean(text, words)


def _name_before(text: str, pos: int) -> tuple[str, int, int] | None:
    """The capitalised name ending just before ``pos``; an appositive comma pair is
    stepped over ("a new group, X, claimed it")."""
    tokens = list(_TOKEN.finditer(text, max(0, pos - 160), pos))
    if tokens and tokens[-1].group() == ",":
        tokens.pop()
    words: list[re.Match[str]] = []
    while tokens:
        w = tokens[-1].group()
        if words and _ends_sentence(w):  # "… near Kirkuk. Then X claimed": the name starts after the stop
            break
        if _capital(w) or w.lower() in _CONNECT and words:
            words.insert(0, tokens.pop())
        else:
            break
        if len(words) >= 9:
            break
    while words and (words[0].group().lower() in _CONNECT or words[0].group().lower() in _NOT_NAMES):
        words.pop(0)
    return _clean(text, words)


def _ends_sentence(word: str) -> bool:
    """A word with a full stop that ends a sentence ("Brigades."), not an abbreviation
    ("U.S.", "Gen.", "St.")."""
    return word.endswith(".") and "." not in word[:-1] and len(word) > 4


def _clean(text: str, words: Sequence[re.Match[str]]) -> tuple[str, int, int] | None:
    if not words:
        return None
    start, end = words[0].start(), words[-1].end()
    name = text[start:end].rstrip(".'\u2019")
    end = start + len(name)
    parts = name.split()
    if parts and parts[0].lower() == "the":
        parts = parts[1:]
    low = " ".join(parts).lower()
    if not parts or low in _DESCRIPTORS or low in _NOT_NAMES or all(p.lower() in _DESCRIPTORS for p in parts):
        return None
    if low.endswith(("-backed", "-aligned", "-linked")):
        return None
    if len(parts) == 1 and (demonym_place(parts[0]) or parts[0].endswith(("'s", "\u2019s"))):
        return None  # "Palestinian", "Turkish", "Canada's" say whose, not which group
    return " ".join(parts), start, end


_CLAIM_BEFORE = re.compile(r"\b(?:(?:has|had|have|quickly|later|then|swiftly)[ \t]+)?"
                           r"(?:claimed|claims|claiming|took|takes|has taken)[ \t]+(?:responsibility|credit|the attack"
                           r"|the strike|the bombing|it)\b|"
                           r"\bsaid[ \t]+(?:\w+day[ \t]+|on \w+day[ \t]+)?(?:it|its fighters|they)[ \t]++"
                           r"(?:(?:was|were|had been|had|is)[ \t]*+)?(?:responsible|behind|had carried out|carried out|launched|"
                           r"targeted|attacked|struck|fired)")
_CLAIM_AFTER = re.compile(r"\b(?:claimed by|responsibility was claimed by|calling itself|calls itself|"
                          r"call themselves|calling themselves|known as|dubbed)[ \t]+")
_ATTRIBUTED_AFTER = re.compile(r"\b(?:attributed|blamed)[ \t]+(?:the[ \t]+\w+[ \t]+)?(?:to|on)[ \t]+|"
                               r"\bcarried out by[ \t]+|\bsuspected[ \t]+|\baccused[ \t]+|\b(?:an? )?attack by[ \t]+")
_ATTRIBUTED_BEFORE = re.compile(r"\b(?:was|were|is|are)[ \t]+(?:blamed|suspected|believed to be behind|accused)\b")


Claim = tuple[int, str, tuple[str, int, int]]


@functools.lru_cache(maxsize=8)  # every incident of a story asks about the same text
def _story_claims(text: str) -> tuple[Claim, ...]:
    """Every cue-read name of the text, sorted by position."""
    return tuple(sorted(_claims(text, 0, len(text))))


@functools.lru_cache(maxsize=8)
def _first_claims(text: str) -> dict[str, Claim]:
    """The first claimed and the first attributed name of the whole story."""
    out: dict[str, Claim] = {}
    for claim in _story_claims(text):
        out.setdefault(claim[1], claim)
    return out


def _claims(text: str, start: int, end: int) -> list[Claim]:
    """(position, role, name) of every cue-read name in ``text[start:end]``."""
    out = []
    for m in _CLAIM_AFTER.finditer(text, start, end):
        got = _name_after(text, m.end())
        if got:
            out.append((m.start(), "claimed", got))
    for pattern, role in ((_CLAIM_BEFORE, "claimed"), (_ATTRIBUTED_BEFORE, "attributed")):
        for m in pattern.finditer(text, start, end):
            got = _name_before(text, m.start())
            if got:
                out.append((m.start(), role, got))
    for m in _ATTRIBUTED_AFTER.finditer(text, start, end):
        got = _name_after(text, m.end())
        if got:
            out.append((m.start(), "attributed", got))
    return out


_AGENT_AFTER = re.compile(r"[\s\w'-]{0,25}?\b(?:attacked|attacks|fired|launched|struck|shelled|targeted|killed|"
                          r"carried out|stormed|ambushed|raided|bombed|detonated|seized|captured|abducted|kidnapped|"
                          r"claimed|said it|shot|hit)\b")
_TARGET_BEFORE = re.compile(r"\b(?:on|against|targeting|targeted|at|hit|struck|positions of)\s+(?:the\s+)?"
                            r"(?:\w+\s+)?$", re.IGNORECASE)
# "killed three American soldiers", "wounding at least two Iraqi troops": the victims, not the actor
_VICTIM_BEFORE = re.compile(r"\b(?:killed|killing|wounded|wounding|injured|injuring|kidnapped|kidnapping|abducted|"
                            r"abducting|ambushed|ambushing|attacked|attacking|executed|captured)\s++"
                            r"(?:(?:at|least|about|some|up|to|more|than|several|dozens|of|an?|the|\d++|\w+teen|"
                            r"one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty)\s++){0,4}$", re.IGNORECASE)
_MODIFIER_AFTER = re.compile(r"[-\u2010\u2011]\s*+(?:run|backed|controlled|affiliated|aligned|linked|allied|held|"
                             r"administered|supported|funded|sponsored|appointed)\b", re.IGNORECASE)
# "… troops are stationed in", "… forces remain deployed": a background line, not an actor
_STATIONED_AFTER = re.compile(r"(?<!\s)\s++(?:\w++\s++)?(?:are|were|is|remain|remained|have been|had been)\s++"
                              r"(?:\w+\s++)?(?:deployed|stationed|based|present)\b", re.IGNORECASE)
# "… American soldiers were killed": the same, in the passive
_VICTIM_AFTER = re.compile(r"(?<!\s)\s++\w++\s++(?:were|was|have been|had been)\s++(?:\w+\s++)?"
                           r"(?:killed|wounded|injured|kidnapped|abducted|executed|captured)\b", re.IGNORECASE)
# matched right after a name: (?<!\s) and \s++ enter a run of spaces once
_TARGET_AFTER = re.compile(r"(?<!\s)\s++(?:positions?|targets?|sites?|commanders?|members?|depots?|infrastructure|"
                           r"strongholds?|hideouts?|bases?|operatives?)\b", re.IGNORECASE)
_FORCE_AFTER = re.compile(r"(?<!\s)\s++" + lexicon.alternation("force_nouns") + r"\b", re.IGNORECASE)
_NATIONALITY = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
_BY_BEFORE = re.compile(r"\bby\s++(?:the\s++)?$")


def _perpetrator(text: str, spans: Sequence[tuple[int, int]], reg: Register) -> GroupReading | None:
    """The register actor the event sentences name as doing it."""
    best: tuple[float, int, GroupReading] | None = None
    for s, e in spans:
        hits = [(a, b, actor, False) for a, b, actor in reg.find(text, s, e)]
        for m in _NATIONALITY.finditer(text, s, e):
            if _FORCE_AFTER.match(text, m.end()):
                actor = reg.lookup(m.group() + " forces") or reg.lookup(m.group() + " military")
                if actor is not None:
                    hits.append((m.start(), m.end(), actor, True))
        for a, b, actor, by_nationality in hits:
            before = text[max(s, a - 30):a]
            score = 0.0
            if _MODIFIER_AFTER.match(text, b):
                continue  # "Hamas-run health authorities", "Iran-backed militias": it describes another
            if (by_nationality or actor.kind == "state") and _STATIONED_AFTER.match(text, b):
                continue  # "2,500 US troops remain deployed in Iraq": a state's soldiers named, not acting
            if _AGENT_AFTER.match(text, b):
                score += 2.0
            if _BY_BEFORE.search(before):
                score += 2.0
            if _FORCE_AFTER.match(text, b):
                score += 1.0
            if _TARGET_BEFORE.search(before) or _TARGET_AFTER.match(text, b):
                score -= 3.0
            if _VICTIM_BEFORE.search(text[max(s, a - 60):a]) or _VICTIM_AFTER.match(text, b):
                score -= 3.0
            if score < 0:
                continue
            key = (score, -a)
            if best is None or key > (best[0], best[1]):
                best = (score, -a, GroupReading(actor.canonical, "attributed", True, a, b))
    return best[2] if best else None


def _reading(name: tuple[str, int, int], role: str, reg: Register) -> GroupReading:
    text_name, a, b = name
    actor = reg.lookup(text_name)
    if actor is None:
        inside = reg.find(text_name)
        if inside and inside[0][1] - inside[0][0] >= len(text_name) - 4:
            actor = inside[0][2]
    if actor is not None:
        return GroupReading(actor.canonical, role, True, a, b)
    return GroupReading(text_name, role, False, a, b)


def group_of(text: str, spans: Sequence[tuple[int, int]], reg: Register | None = None) -> GroupReading:
    """The event's group: a claim or attribution in its own sentences, else one anywhere in
    the story, else the register actor its sentences (then the story) name as acting;
    claimed beats attributed at each step."""
    reg = reg or register()
    found = _story_claims(text)
    inside = {c for s, e in spans for c in _spans.within(found, s, e)}
    for role in ("claimed", "attributed"):
        named = min((c for c in inside if c[1] == role), default=None)
        if named:
            return _reading(named[2], role, reg)
    for role in ("claimed", "attributed"):
        if role in _first_claims(text):
            return _reading(_first_claims(text)[role][2], role, reg)
    who = _perpetrator(text, spans, reg) or _story_perpetrator(text, reg)
    return who or GroupReading("", "unknown", False)


@functools.lru_cache(maxsize=8)  # the fallback of every incident without an actor of its own
def _story_perpetrator(text: str, reg: Register) -> GroupReading | None:
    return _perpetrator(text, [(0, len(text))], reg)
