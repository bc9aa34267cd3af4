"""Gazetteer: find places by name in the bundled GeoNames data.

Name lookups (:func:`find_place`, :func:`search_places`) ignore case, accents,
spaces and punctuation (see :func:`name_key`). Among several places of the same
name the most populous wins; a name that is some place's primary GeoNames name
wins over a name that is only an alternate name of another place.

Lookups read the name index (:mod:`reachmap.world.nameindex`, a SQLite file built
on first use), so they load neither pyarrow nor the places table.

Examples
--------
>>> minsk = find_place("Minsk")
>>> minsk.country, minsk.is_capital
('BY', True)
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import Counter

from reachmap.errors import InputError, PlaceNotFoundError
from reachmap.world.nameindex import NameIndex, name_index
from reachmap.world.names import name_key, name_keys
from reachmap.world.place import Place

__all__ = [
    "find_place",
    "name_key",
    "name_keys",
    "search_places",
]

#: Fuzzy suggestions below this OSA similarity (0 to 1) are not offered.
_FUZZY_CUTOFF = 0.6
# The ranking bonus of a place is POPULATION_WEIGHT * log10(1 + population), with
# POPULATION_WEIGHT = 0.05 / 7 (reachmap.world._nameindex_build, which stores it per
# place): a place 1,000 times more populous gains 0.02, less than one typo in a
# ten-letter name (0.1).

_NAME_ALLOWED = (
    "a non-empty place name, optionally followed by ', CC' with CC an "
    "ISO 3166-1 alpha-2 country code (e.g. 'Paris, FR')"
)


# --------------------------------------------------------------------------- fuzzy
#
# The fuzzy choices of a scope (all places, or one country) are its distinct name
# keys, in the order of their first name in place_names.parquet, each with its most
# populous place. A key scores its OSA normalised similarity to the query key (from
# rapidfuzz), sim = 1 - d / M with d the OSA distance and M = max(q, L) the longer of
# the two lengths (q for the query, L for the key, in code points); the keys that score
# at least _FUZZY_CUTOFF = 0.6 are ranked by sim (rounded to float32) plus their
# place's bonus, ties in choice order.
#
# Only some keys are scored, and none that could reach the cutoff is left out:
#
# * sim >= 0.6  <=>  d <= 0.4 M  <=>  d <= dmax = floor(2 M / 5). (In floating point:
#   for 5 d >= 2 M + 1, 1 - d / M <= 0.6 - 1 / (5 M), a gap far above the two roundings
#   of rapidfuzz's arithmetic, < 2**-52, for any M < 10**14.)
# * Length: an OSA edit (insert, delete, substitute, swap two neighbours) changes the
#   length by at most one, so d >= |q - L|: keys with |q - L| > dmax are skipped (for
#   the 0.6 cutoff, the length ratio min / max is at least 0.6).
# * Characters: in an OSA edit script each position of the key comes from an equal
#   character of the query (kept or swapped, one position each) or from an insertion
#   or substitution (one edit each), so d >= L - c, with c = the number of characters
#   the two share, counted with multiplicity (multiset intersection); likewise
#   d >= q - c. So c >= M - dmax: keys sharing fewer characters are skipped. The
#   index has, per key length, character ch and count k, a bitmap of the keys holding
#   ch at least k times; c of a key is the number of the bitmaps (ch, k), for k from 1
#   to the count of ch in the query, that hold it (sum over ch of min(count in the
#   query, count in the key)), counted for all keys at once with bitwise arithmetic.
#
# rapidfuzz scores the same pair the same way however many other choices it is given,
# so the kept keys score exactly what they scored among all choices; with the same
# ranking and tie order the suggestions are the same.


def _at_least(bitmaps: list[int], count: int, size: int) -> int:
    """Return the bitmap of the positions set in at least ``count`` of ``bitmaps``."""
    slices: list[int] = []  # a bit-sliced counter per position, least significant first
    for bits in bitmaps:
        carry = bits
        for i, s in enumerate(slices):
            if not carry:
                break
            slices[i], carry = s ^ carry, s & carry
        if carry:
            slices.append(carry)
    ones = (1 << size) - 1
    greater, equal = 0, ones
    for i in reversed(range(max(len(slices), count.bit_length()))):
        s = slices[i] if i < len(slices) else 0
        if count >> i & 1:
            equal &= s
        else:
            greater |= equal & s
            equal &= s ^ ones
    return greater | equal


def _positions(bits: int) -> list[int]:
    """Return the positions of the set bits of ``bits``, ascending."""
    text = format(bits, "b")[::-1]
    out: list[int] = []
    j = text.find("1")
    while j >= 0:
        out.append(j)
        j = text.find("1", j + 1)
    return out


def _candidates(
    index: NameIndex, scope: str, key: str
) -> tuple[list[str], list[tuple[int, int, list[int] | range]]]:
    """Return the keys of ``scope`` that can score (see above), and where each comes from.

    Returns the keys, and segments ``(start, length, positions)``: the keys from
    ``start`` on are the keys at ``positions`` of the bucket of that length.
    """
    q = len(key)
    counts = Counter(key)
    keys_out: list[str] = []
    segments: list[tuple[int, int, list[int] | range]] = []
    for length in index.lengths(scope):
        m = max(q, length)
        dmax = 2 * m // 5
        if abs(q - length) > dmax:
            continue
        keys, ords, _ = index.bucket(scope, length)
        positions: list[int] | range
        if index.has_postings(scope, length):
            # one bitmap per position of the query: the keys that share it
            held = [
                index.holding(scope, length, ch, times)
                for ch, n in counts.items()
                for times in range(1, n + 1)
            ]
            positions = _positions(_at_least(held, m - dmax, len(ords)))
        else:
            positions = range(len(ords))
        if positions:
            segments.append((len(keys_out), length, positions))
            keys_out.extend([keys[j * length : (j + 1) * length] for j in positions])
    return keys_out, segments


def _fuzzy(index: NameIndex, key: str, country: str | None, limit: int) -> list[int]:
    """Place rows whose names are close to ``key``, best first, at most ``limit``."""
    scope = country or ""
    if not index.lengths(scope) or limit <= 0:
        return []
    choices, segments = _candidates(index, scope, key)
    if not choices:
        return []
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    hits = process.extract(
        key, choices, scorer=OSA.normalized_similarity, score_cutoff=_FUZZY_CUTOFF, limit=None
    )
    if not hits:
        return []
    sims = array("f", [score for _, score, _ in hits]).tolist()  # as numpy float32
    starts = [start for start, _, _ in segments]
    bonus = index.bonus
    ranked: list[tuple[float, int, int]] = []
    for (_, _, i), sim in zip(hits, sims, strict=True):
        start, length, positions = segments[bisect_right(starts, i) - 1]
        _, ords, rows = index.bucket(scope, length)
        j = positions[i - start]
        ranked.append((-(sim + bonus[rows[j]]), ords[j], rows[j]))
    ranked.sort()
    out: list[int] = []
    for _, _, r in ranked[: 4 * limit]:
        if r not in out:
            out.append(r)
        if len(out) == limit:
            break
    return out


def _parse(name: object, field: str, index: NameIndex) -> tuple[str, str, str | None]:
    """Split ``"Name, CC"``; return the name, its key and the country (or None).

    A two-letter tail that is no known country code is kept as part of the name
    ("Washington, DC").
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, name, _NAME_ALLOWED)
    text, country = name.strip(), None
    head, comma, tail = text.rpartition(",")
    code = tail.strip().upper()
    if comma and len(code) == 2 and code.isalpha() and code in index.countries:
        text, country = head.strip(), code
    key = name_key(text)
    if not key:
        raise InputError(field, name, _NAME_ALLOWED)
    return text, key, country


# --------------------------------------------------------------------------- lookups


def find_place(name: str, *, field: str = "site") -> Place:
    """Find a place by name in the bundled GeoNames gazetteer.

    Matching ignores case, accents, spaces and punctuation, and accepts any
    script ("Кричев"). Primary GeoNames names are tried first, then alternate
    names. Among several matches the most populous place wins (ties: the lowest
    geonameid), so "Paris" is Paris, France. A country qualifier after a comma
    (ISO 3166-1 alpha-2, any case) restricts the search: "Paris, US".

    Parameters
    ----------
    name : str
        The place name, optionally followed by ``", CC"``.
    field : str, optional
        The input field named in errors, by default ``"site"``.

    Returns
    -------
    Place

    Raises
    ------
    reachmap.errors.InputError
        If ``name`` is empty (or has no letter or digit).
    reachmap.errors.PlaceNotFoundError
        If nothing matches; carries up to 5 suggestions, ``"Name (CC)"``.

    Examples
    --------
    >>> find_place("Krichev").label
    'Krychaw (BY)'
    >>> find_place("paris, us").label
    'Paris (US)'
    >>> find_place("Minks")
    Traceback (most recent call last):
    ...
    reachmap.errors.PlaceNotFoundError: site: no place named 'Minks'; expected ... Minsk (BY)...
    """
    index = name_index()
    text, key, country = _parse(name, field, index)
    found = index.exact(key, country, 1)
    if found:
        return found[0][1]
    if country is None and "," in text:
        # "Paris, XX" with an unknown code: suggest from the name before the comma.
        key = name_key(text.rpartition(",")[0]) or key
    places: list[Place] = []
    if country is not None:
        # "Paris, DE": the same name in other countries first, then close names in DE.
        places.extend(p for _, p in index.exact(key, None, 3))
    places.extend(index.place(r) for r in _fuzzy(index, key, country, 10))
    labels: list[str] = []
    for p in places:
        if p.label not in labels:
            labels.append(p.label)
    raise PlaceNotFoundError(field, name, labels[:5])


def search_places(name: str, *, limit: int = 10) -> list[Place]:
    """Return the places that best match a name: exact matches first, then close ones.

    Exact matches (ignoring case, accents and punctuation) come first: places
    whose primary name matches, then places with a matching alternate name,
    each group most populous first. Fuzzy matches (typos) fill the rest, by
    similarity with a small preference for populous places. A ``", CC"``
    qualifier restricts the search to one country, as in :func:`find_place`.

    Parameters
    ----------
    name : str
        The place name, optionally followed by ``", CC"``.
    limit : int, optional
        The most places to return (1 or more), by default 10.

    Returns
    -------
    list of Place
        Possibly empty.

    Raises
    ------
    reachmap.errors.InputError
        If ``name`` is empty or ``limit`` is below 1.

    Examples
    --------
    >>> [p.label for p in search_places("Paris", limit=3)]
    ['Paris (FR)', 'Paris (US)', 'Paris (CA)']
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError("limit", limit, "an integer of 1 or more")
    index = name_index()
    _, key, country = _parse(name, "name", index)
    found = index.exact(key, country, limit)
    rows = [r for r, _ in found]
    places = [p for _, p in found]
    if len(rows) < limit:
        for r in _fuzzy(index, key, country, limit):
            if r not in rows:
                rows.append(r)
                places.append(index.place(r))
            if len(rows) == limit:
                break
    return places
