"""Read an article: find the checkable claims it states, for a person to confirm.

Rule- and gazetteer-based (nothing is downloaded at run time). :func:`extract`
finds, in plain text:

* ``system``: catalog systems by name or alias; ``system-candidate``: a new
  name in quotes in a sentence about a missile, rocket, weapon or system;
* ``range``: distances as reports write them ("between 310 to 3,400 miles",
  "up to 5,500 km", "a range of 1,000 nautical miles", "3,400-mile"), parsed by
  :func:`reachmap.geo.units.parse_range`; one it refuses ("2,000+ km", "500 nm")
  is kept with ``status = "rejected"`` and the reason;
* ``country``, ``region`` and ``place``: bundled countries, regions (Europe,
  NATO, EU ...) and gazetteer places, alternate spellings included (a place
  must be a capitalised name, with 100,000 people or more or after "in", "at",
  "near" ...);
* ``deployment``: a sentence saying a system is deployed, stationed, based or
  moved somewhere (the system may be named in an earlier sentence);
* ``quantity``: "several dozen", "up to 10", "a handful", "three launchers",
  kept as text with an interval; the interval of a vague word is a convention
  of this module (see :data:`VAGUE`), said so in ``basis``;
* ``date``: years and dates; ``treaty``: treaties, regimes and doctrines;
* ``claim``: "can cover / reach / strike all of <region>".

Every extraction keeps its exact text, its character offsets in the article
(``text == article[start:end]``) and its sentence with offsets. Numbers are only
ever those written in the text (``numbers``); conversions (kilometres) and the
intervals of vague words are labelled as derived.

Length: about 570 lines of one rule-based extractor whose parts share the sentence and
offset bookkeeping; the rework of article reading (issue 14) replaces the hand-grown
patterns with field-made parts and splits it along them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reachmap.errors import InputError

__all__ = ["VAGUE", "Extraction", "Extractions", "extract"]


@dataclass(frozen=True)
class Extraction:
    """One thing the article states, where it states it.

    Attributes
    ----------
    kind : str
        ``system``, ``system-candidate``, ``range``, ``country``, ``region``,
        ``place``, ``deployment``, ``quantity``, ``date``, ``treaty`` or ``claim``.
    text : str
        The words, exactly as in the article: ``article[start:end]``.
    start, end : int
        Character offsets in the article.
    sentence : str
        The sentence holding it, exactly as in the article.
    sentence_start, sentence_end : int
        The sentence's offsets.
    value : dict
        What it means, by kind (the catalog id, kilometres, ISO code ...).
    numbers : tuple of float
        The numbers written in ``text`` (digits or number words), and no other.
    """

    kind: str
    text: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    value: dict[str, Any] = field(default_factory=dict)
    numbers: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON- and TOML-ready form."""
        return {
            "kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
            "sentence": self.sentence, "sentence_start": self.sentence_start,
            "sentence_end": self.sentence_end, "value": self.value,
            "numbers": list(self.numbers),
        }  # fmt: skip


@dataclass(frozen=True)
class Extractions:
    """Everything found in one article."""

    text: str
    items: tuple[Extraction, ...]

    def of(self, kind: str) -> list[Extraction]:
        """Return the extractions of one kind, in text order."""
        return [x for x in self.items if x.kind == kind]

    @property
    def empty(self) -> bool:
        """True when the article states nothing reachmap can check."""
        return not self.items


# ---- sentences ---------------------------------------------------------------------

_ABBREVIATIONS = (
    "U.S.", "U.K.", "U.N.", "Gen.", "Lt.", "Col.", "Maj.", "Adm.", "Sgt.", "Mr.", "Mrs.", "Ms.",
    "Dr.", "Prof.", "St.", "No.", "vs.", "e.g.", "i.e.", "approx.", "est.", "Jan.", "Feb.",
    "Mar.", "Apr.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*\s+|\n\s*\n")


def sentences(text: str) -> list[tuple[int, int]]:
    """Split into sentences: (start, end) offsets, whitespace trimmed.

    Examples
    --------
    >>> t = "The U.S. said so. It will be deployed in 2026."
    >>> [t[a:b] for a, b in sentences(t)]
    ['The U.S. said so.', 'It will be deployed in 2026.']
    """
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start() + 1]
        if any(before.endswith(a) for a in _ABBREVIATIONS) and not m.group().startswith("\n"):
            following = text[m.end() : m.end() + 1]
            if not following[:1].isupper() or before.endswith(("U.S.", "U.K.", "U.N.")):
                continue
        end = m.end()
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


# ---- numbers -----------------------------------------------------------------------

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
_NUM = r"\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))


def _number(token: str) -> float:
    token = token.strip().lower()
    if token in _WORDS:
        return float(_WORDS[token])
    return float(re.sub(r"[,\u00a0\u2009\u202f ]", "", token))


# ---- ranges ------------------------------------------------------------------------

_UNIT = (
    r"(?:kilomet(?:er|re)s?|kms?|nautical[\s-]+miles?|nmi|statute[\s-]+miles?|miles?|mi|nm)"
    r"(?![\w])"
)
_DASH = r"\s?[-–—‐‑‒−]\s?"
_RANGE = re.compile(
    rf"(?P<open>(?:over|more than|at least|in excess of)\s+)?"
    rf"(?:(?:between|from)\s+)?(?P<a>{_NUM})(?:\s?{_UNIT})?\s?(?:to|and|{_DASH})\s?"
    rf"(?P<b>{_NUM})(?:\s?-?\s?{_UNIT})(?P<plus>\s?\+)?"
    rf"|(?P<open1>(?:over|more than|at least|in excess of)\s+)?(?:up\s+to\s+)?"
    rf"(?P<c>{_NUM})\s?-?\s?{_UNIT}(?P<plus1>\s?\+)?",
    re.IGNORECASE,
)
_RANGE_WORDS = re.compile(r"\branges?\b|\breach\b|\bfly\b|\bflies\b|\bstrike distance\b", re.I)


def _ranges(text: str) -> Iterable[tuple[int, int, dict[str, Any], tuple[float, ...]]]:
    from reachmap.geo.units import parse_range

    for m in _RANGE.finditer(text):
        span = m.group().rstrip()
        start, end = m.start(), m.start() + len(span)
        numbers = tuple(_number(g) for g in (m["a"], m["b"], m["c"]) if g)
        value: dict[str, Any]
        try:  # (parse_range folds spaces, line breaks and "nautical-mile" itself)
            rng = parse_range(span, field="range")
        except InputError as err:
            value = {"status": "rejected", "reason": str(err.allowed)}
        else:
            value = {
                "status": "parsed", "unit": rng.unit, "min_published": rng.min_published,
                "max_published": rng.max_published, "min_km": round(rng.min_km, 3),
                "max_km": round(rng.max_km, 3), "km": "derived: converted from the text",
            }  # fmt: skip
        yield start, end, value, numbers


# ---- quantities ---------------------------------------------------------------------

#: Intervals this module reads into vague quantity words (a convention, not the text's).
VAGUE: dict[str, tuple[int, int | None]] = {
    "a couple of": (2, 3),
    "a few": (2, 4),
    "a handful of": (2, 5),
    "a handful": (2, 5),
    "several dozen": (36, 108),
    "several hundred": (300, 900),
    "several": (3, 9),
    "dozens of": (24, 99),
    "dozens": (24, 99),
    "a dozen": (12, 12),
    "hundreds of": (200, 999),
}
_ITEMS = (
    r"(?:nuclear\s+|ballistic\s+|cruise\s+|hypersonic\s+|new\s+|mobile\s+)*"
    r"(?:missiles?|launchers?|systems?|warheads?|battalions?|brigades?|regiments?|divisions?|"
    r"units?|vehicles?|rockets?|interceptors?|submarines?|bombers?|batteries|battery|"
    r"complexes|sites?)\b"
)
_QUANTITY = re.compile(
    rf"(?P<vague>{'|'.join(re.escape(k) for k in sorted(VAGUE, key=len, reverse=True))})"
    rf"\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+){{0,2}}?{_ITEMS}"
    rf"|(?P<mod>up to|about|around|approximately|some|at least|more than|nearly)?\s*"
    rf"(?<![\w,.-])(?P<n>\d{{1,3}}(?:,\d{{3}})*|{_NUMBER_WORD})\s+(?:\w+\s+){{0,2}}?{_ITEMS}",
    re.IGNORECASE,
)


def _quantity_value(m: re.Match[str]) -> tuple[dict[str, Any], tuple[float, ...]]:
    low: float | None
    high: float | None
    if m["vague"]:
        lo, hi = VAGUE[m["vague"].lower()]
        return {"low": lo, "high": hi, "basis": "convention: the interval reachmap reads "
                "into the words " + repr(m["vague"].lower()) + ", not a number in the text"}, ()
    n = _number(m["n"])
    mod = (m["mod"] or "").lower()
    low, high, basis = {
        "up to": (0.0, n, "the text gives a maximum"),
        "at least": (n, None, "the text gives a minimum"),
        "more than": (n + 1, None, "the text gives a minimum"),
        "about": (n, n, "approximate in the text"),
        "around": (n, n, "approximate in the text"),
        "approximately": (n, n, "approximate in the text"),
        "some": (n, n, "approximate in the text"),
        "nearly": (n, n, "approximate in the text"),
    }.get(mod, (n, n, "as stated"))
    return {"low": low, "high": high, "basis": basis}, (n,)


# ---- dates -------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}  # fmt: skip
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|" \
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_YEAR = r"(?:19[4-9]\d|20\d\d)"
_DATE = re.compile(
    rf"(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\s+(?P<y1>{_YEAR})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),\s+(?P<y2>{_YEAR})"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>{_YEAR})"
    rf"|(?<![\d,.\w])(?P<y4>{_YEAR})(?!\d|[,.]\d|\s?(?:km|kilomet|mi\b|miles|nmi|nautical))",
)


def _month(word: str) -> int:
    w = word.lower().rstrip(".")
    return next(i for name, i in _MONTHS.items() if name.startswith(w[:3]))


def _date_value(m: re.Match[str]) -> tuple[dict[str, Any], tuple[float, ...]]:
    if m["y1"]:
        y, mo, d = int(m["y1"]), _month(m["m1"]), int(m["d1"])
    elif m["y2"]:
        y, mo, d = int(m["y2"]), _month(m["m2"]), int(m["d2"])
    elif m["y3"]:
        return {"date": f"{int(m['y3']):04d}-{_month(m['m3']):02d}"}, (float(m["y3"]),)
    else:
        return {"date": m["y4"]}, (float(m["y4"]),)
    try:
        iso = dt.date(y, mo, d).isoformat()
    except ValueError:
        iso = f"{y:04d}-{mo:02d}"
    return {"date": iso}, (float(d), float(y))


# ---- names: systems, treaties, countries, regions, places ----------------------------

_TREATIES = {
    "New START": "treaty", "NPT": "treaty", "Non-Proliferation Treaty": "treaty",
    "Treaty on the Non-Proliferation of Nuclear Weapons": "treaty", "CTBT": "treaty",
    "Comprehensive Nuclear-Test-Ban Treaty": "treaty", "CFE Treaty": "treaty",
    "Treaty on Conventional Armed Forces in Europe": "treaty", "Open Skies": "treaty",
    "nuclear doctrine": "doctrine", "military doctrine": "doctrine", "moratorium": "doctrine",
    "Union State": "doctrine", "nuclear umbrella": "doctrine", "nuclear sharing": "doctrine",
}  # fmt: skip
_COUNTRY_ALIASES = {
    "United States": "US", "U.S.": "US", "US": "US", "USA": "US", "America": "US", "UK": "GB",
    "Britain": "GB", "Great Britain": "GB", "Czech Republic": "CZ", "Czechia": "CZ",
    "Russian Federation": "RU", "Republic of Korea": "KR", "DPRK": "KP",
}  # fmt: skip
_QUOTED = re.compile(r"[“\"«]([^”\"»\n]{2,40})[”\"»]")
_WEAPON_WORDS = re.compile(r"missile|rocket|weapon|system|launcher|warhead|hypersonic", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|al|el|la))*")
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|from|to|outside|around|into|towards?)\s+(?:the\s+)?$", re.I
)
_NOT_PLACES = frozenset(
    (  # noqa: SIM905 (a word list reads better as one string)
        "The A An This That These Those It Its He She They We I In On At By For From To Of And "
        "But Or If As With When While After Before Since Until Under Over President Minister "
        "Ministry Defence Defense General Army Navy Air Force Forces Treaty Monday Tuesday "
        "Wednesday Thursday Friday Saturday Sunday Western Eastern Northern Southern West East "
        "North South Central Kremlin Pentagon Reuters Analysts Officials Experts According "
        "Moscow's Some Most All Both Each Every No Not Only Also Still Yet However Meanwhile "
        "Earlier Later Today Tomorrow Yesterday Last Next First Second Third New Old Range "
        "Ministry"
    ).split()
)
_DEPLOY = re.compile(
    r"\b(?:deploy\w*|station\w*|based|basing|base\b|placed|placing|position\w*|moved|"
    r"moving|transferr?\w*|arriv\w*|delivered|hosted|hosting)\b",
    re.I,
)
_REFERS_BACK = re.compile(
    r"^(?:It|They|Its|Their)\b|\b(?:the|these|those|this|that)\s+(?:\w+\s+)?"
    r"(?:missiles?|systems?|launchers?|weapons?|rockets?)\b",
    re.I,
)
_CLAIM = re.compile(
    r"\b(?:can|could|would|will(?:\s+be\s+able\s+to)?|is\s+able\s+to|capable\s+of)\s+"
    r"(?:cover|reach|strike|hit|target)\w*\s+"
    r"(?:all\s+of\s+|the\s+whole\s+of\s+|the\s+entire\s+|all\s+|any\s+point\s+in\s+|"
    r"anywhere\s+in\s+|every\s+capital\s+in\s+)?(?:the\s+)?"
    r"(?P<region>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})"
)


def _word(name: str, flags: int = 0) -> re.Pattern[str]:
    """Match ``name`` as whole words (not inside a longer word or hyphenated name)."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)


def _longest_first(names: dict[str, str], flags: int = 0) -> list[tuple[re.Pattern[str], str]]:
    return [(_word(n, flags), i) for n, i in sorted(names.items(), key=lambda t: -len(t[0]))]


@functools.cache
def _name_patterns() -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern, kind, id) for catalog systems, regimes and treaties, longest name first."""
    from reachmap.catalog.store import load_catalog
    from reachmap.rules.regimes import load_regimes

    names: list[tuple[str, str, str]] = []
    for s in load_catalog().systems.values():
        names += [(n, "system", s.id) for n in (s.name, *s.aliases)]
    for r in load_regimes().values():
        names += [(n, "treaty", r.id) for n in (r.name, *r.aliases)]
    names += [(n, "treaty", kind) for n, kind in _TREATIES.items()]
    names.sort(key=lambda t: len(t[0]), reverse=True)
    return [(_word(n, re.I if len(n) > 4 else 0), k, i) for n, k, i in names]


@functools.cache
def _region_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, region id) for the bundled regions' names and aliases (not countries)."""
    from reachmap.world.regions import load_regions

    regions = {}
    for reg in load_regions().values():
        if reg.kind == "country":
            continue
        for n in (reg.name, *reg.aliases):
            if len(n) > 2 or n.isupper():
                regions[n] = reg.id
    return _longest_first(regions)


@functools.cache
def _country_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, ISO2) for the bundled countries' names and common aliases."""
    from reachmap.world.tables import load_countries

    c = load_countries()
    out = {str(n): str(i) for n, i in zip(c.name, c.iso2, strict=True) if i}
    out.update(_COUNTRY_ALIASES)
    return _longest_first(out)


def _place(name: str) -> dict[str, Any] | None:
    from reachmap.world.gazetteer import name_key
    from reachmap.world.nameindex import name_index

    key = name_key(name)
    if len(key) < 3:
        return None
    index = name_index()
    primary, alt = index.exact_rows(key, None)
    places = {r: index.place(r) for r in (*primary, *alt)}
    if not places:
        return None
    # a city whose own name this is comes before one that merely has it as an alternate
    # ("Islamabad" is also an old name of Chattogram, "New Delhi" one of Delhi); a village
    # does not ("Kiev" is a hamlet's own name, and Kyiv's spelling in many reports)
    cities = [r for r in primary if places[r].population >= 100_000]
    best = max(cities or places, key=lambda r: places[r].population)
    p = places[best]
    return {"name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon,
            "population": int(p.population), "matches": len(places),
            "spelling": "primary" if best in set(primary) else "alternate"}  # fmt: skip


# ---- the extractor ---------------------------------------------------------------------


def extract(text: str) -> Extractions:
    """Find what an article states that reachmap can check.

    Parameters
    ----------
    text : str
        The article, as plain text.

    Returns
    -------
    Extractions
        In text order; empty when there is nothing to extract.

    Examples
    --------
    >>> ex = extract("The Oreshnik has a range of up to 5,500 km.")
    >>> [(x.kind, x.text) for x in ex.items]
    [('system', 'Oreshnik'), ('range', 'up to 5,500 km')]
    """
    found: list[Extraction] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    last_system: Extraction | None = None
    for s0, s1 in sentences(text):
        sent = text[s0:s1]
        local: list[Extraction] = []

        def add(
            kind: str, a: int, b: int, value: dict[str, Any], numbers: tuple[float, ...] = (),
            *, claim: bool = True, s0: int = s0, s1: int = s1, sent: str = sent,
            local: list[Extraction] = local,
        ) -> Extraction:  # fmt: skip
            x = Extraction(kind, text[s0 + a : s0 + b], s0 + a, s0 + b, sent, s0, s1,
                           value, numbers)  # fmt: skip
            if claim:
                taken.append((s0 + a, s0 + b))
            local.append(x)
            return x

        for pattern, kind, ident in _name_patterns():
            for m in pattern.finditer(sent):
                if free(s0 + m.start(), s0 + m.end()):
                    add(kind, m.start(), m.end(), {"id": ident})
        for a, b, value, numbers in _ranges(sent):
            if free(s0 + a, s0 + b):
                value["range_context"] = bool(_RANGE_WORDS.search(sent))
                add("range", a, b, value, numbers)
        for m in _DATE.finditer(sent):
            if free(s0 + m.start(), s0 + m.end()):
                add("date", m.start(), m.end(), *_date_value(m))
        for m in _QUANTITY.finditer(sent):
            a = m.start() + (len(m.group()) - len(m.group().lstrip()))
            if free(s0 + a, s0 + m.end()):
                value, numbers = _quantity_value(m)
                add("quantity", a, m.end(), value, numbers)
        if _WEAPON_WORDS.search(sent):
            for m in _QUOTED.finditer(sent):
                name = m.group(1).strip()
                if name[:1].isupper() and len(name.split()) <= 4 and free(
                    s0 + m.start(1), s0 + m.end(1)
                ):
                    add("system-candidate", m.start(1), m.start(1) + len(name), {"name": name})
        for pattern, ident in _region_patterns():
            for m in pattern.finditer(sent):
                if free(s0 + m.start(), s0 + m.end()):
                    add("region", m.start(), m.end(), {"id": ident})
        for pattern, iso2 in _country_patterns():
            for m in pattern.finditer(sent):
                if free(s0 + m.start(), s0 + m.end()):
                    add("country", m.start(), m.end(), {"iso2": iso2})
        for m in _CAPITALISED.finditer(sent):
            words = m.group().rstrip(".").split()
            for i in range(len(words)):  # longest names first, from each word
                for j in range(min(len(words), i + 3), i, -1):
                    name = " ".join(words[i:j]).rstrip(".,'’")
                    a = s0 + m.start() + len(" ".join(words[:i])) + (1 if i else 0)
                    a = text.index(name, a) if name in text[a:] else a
                    b = a + len(name)
                    if name in _NOT_PLACES or not free(a, b) or name.endswith(("'s", "’s")):
                        continue
                    place = _place(name)
                    if place is None:
                        continue
                    after_locative = bool(_LOCATIVE.search(text[s0:a]))
                    if place["population"] >= 100_000 or after_locative:
                        add("place", a - s0, b - s0, place)
                        break
        for m in _CLAIM.finditer(sent):
            name = m["region"]
            reg = _claim_region(name)
            if reg is not None:
                add("claim", m.start(), m.end(), {"region": reg, "wording": m.group()},
                    claim=False)  # fmt: skip

        systems = [x for x in local if x.kind in ("system", "system-candidate")]
        where = [x for x in local if x.kind in ("country", "place")]
        verb = _DEPLOY.search(sent)
        refers_back = last_system is not None and bool(_REFERS_BACK.search(sent))
        if verb and where and (systems or refers_back):
            subject = systems[0] if systems else last_system
            assert subject is not None
            host_x = _host(where, verb.end() + s0, text)
            parts = [x for x in (*systems[:1], *where) if x.sentence_start == s0]
            a = min([verb.start(), *(x.start - s0 for x in parts)])
            b = max([verb.end(), *(x.end - s0 for x in parts)])
            value = {
                "system": subject.value.get("id") or subject.value.get("name"),
                "system_text": subject.text,
                "system_in_sentence": bool(systems),
                "host": host_x.value["iso2"] if host_x.kind == "country"
                else host_x.value.get("country"),
                "places": [x.value["name"] for x in where if x.kind == "place"],
                "verb": verb.group(),
            }  # fmt: skip
            add("deployment", a, b, value, claim=False)
        if systems:
            last_system = systems[-1]
        found.extend(sorted(local, key=lambda x: (x.start, x.kind)))
    return Extractions(text=text, items=tuple(found))


def _host(where: list[Extraction], after: int, text: str) -> Extraction:
    """Pick where a deployment goes: after the verb and "in", "to" ..., else the last named."""
    later = [x for x in where if x.start >= after]
    for x in later:
        if _LOCATIVE.search(text[x.sentence_start : x.start]):
            return x
    return later[0] if later else where[-1]


def _claim_region(name: str) -> str | None:
    """Return the id of the region the words name (longest match first), or None."""
    from reachmap.world.regions import region

    words = name.split()
    for n in range(len(words), 0, -1):
        try:
            return region(" ".join(words[:n])).id
        except InputError:
            continue
    return None
