"""The gazetteer's name index gives what the gazetteer gave before it, for every input.

The oracle is the gazetteer as it was before the index (pyarrow over the whole places
table and every alternate name, rapidfuzz ``cdist`` over every distinct key), copied
here verbatim but for the names. Lookups through the index must return the same places
in the same order, and raise the same errors with the same suggestions; the pure-Python
``name_key`` must equal pyarrow's ``name_keys`` on every bundled name and on every code
point.

Set ``REACHMAP_ORACLE_QUERIES`` to check more seeded queries than the default.
"""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA

from reachmap.errors import InputError, PlaceNotFoundError
from reachmap.world import _unicode_delta, gazetteer, nameindex
from reachmap.world.gazetteer import find_place, name_key, search_places
from reachmap.world.names import name_keys
from reachmap.world.tables import Place, PlaceTable, load_places, read_data

# --------------------------------------------------------------------------- the oracle
# reachmap.world.gazetteer before the name index, verbatim but for the names.

_FOLDS: tuple[tuple[str, str], ...] = (
    ("ß", "ss"),
    ("ø", "o"),
    ("ł", "l"),
    ("đ", "d"),
    ("ð", "d"),
    ("þ", "th"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("ı", "i"),
    ("ħ", "h"),
    ("ŀ", "l"),
    ("ŧ", "t"),
    ("ς", "σ"),
)
_FOLD_PATTERN = "[" + "".join(old for old, _ in _FOLDS) + "]"
_FUZZY_CUTOFF = 0.6
_POPULATION_WEIGHT = 0.05 / 7.0
_NAME_ALLOWED = (
    "a non-empty place name, optionally followed by ', CC' with CC an "
    "ISO 3166-1 alpha-2 country code (e.g. 'Paris, FR')"
)


def old_name_keys(names: Iterable[str] | pa.Array | pa.ChunkedArray) -> pa.StringArray:
    if isinstance(names, pa.ChunkedArray):
        arr = names.combine_chunks()
    elif isinstance(names, pa.Array):
        arr = names
    else:
        arr = pa.array(list(names), type=pa.string())
    low = pc.utf8_lower(arr)
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(low)), False)
    if pc.any(non_ascii).as_py():
        sub = pc.utf8_normalize(pc.filter(low, non_ascii), "NFKD")
        sub = pc.utf8_lower(pc.replace_substring_regex(sub, r"\p{M}+", ""))
        to_fold = pc.match_substring_regex(sub, _FOLD_PATTERN)
        if pc.any(to_fold).as_py():
            folded = pc.filter(sub, to_fold)
            for old, new in _FOLDS:
                folded = pc.replace_substring(folded, old, new)
            sub = pc.replace_with_mask(sub, to_fold, folded)
        low = pc.replace_with_mask(low, non_ascii, sub)
    punct = pc.fill_null(pc.invert(pc.utf8_is_alnum(low)), False)
    if not pc.any(punct).as_py():
        return low
    cleaned = pc.replace_substring_regex(pc.filter(low, punct), r"[^\p{L}\p{N}]+", "")
    return pc.replace_with_mask(low, punct, cleaned)


def old_name_key(name: str) -> str:
    return str(old_name_keys([name])[0].as_py())


@dataclass(frozen=True, eq=False)
class _Gazetteer:
    places: PlaceTable
    primary_keys: pa.Array
    alt_keys: pa.Array
    alt_rows: np.ndarray
    countries: frozenset[str]


@functools.cache
def _gazetteer() -> _Gazetteer:
    places = load_places()
    names = read_data("place_names.parquet")
    gids = names.column("geonameid").to_numpy()
    rows = np.searchsorted(places.geonameid, gids)
    return _Gazetteer(
        places=places,
        primary_keys=old_name_keys(pa.array(places.name, type=pa.string())),
        alt_keys=old_name_keys(names.column("name")),
        alt_rows=rows.astype(np.intp),
        countries=frozenset(places.country.tolist()),
    )


@functools.cache
def _fuzzy_index(country: str | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    g = _gazetteer()
    keys, rows = g.alt_keys, g.alt_rows
    if country is not None:
        mask = g.places.country[rows] == country
        keys, rows = pc.filter(keys, pa.array(mask)), rows[mask]
    encoded = pc.dictionary_encode(keys)
    codes = encoded.indices.to_numpy()
    pop = g.places.population[rows]
    order = np.lexsort((-pop, codes))
    _, first = np.unique(codes[order], return_index=True)
    best = rows[order[first]]
    bonus = _POPULATION_WEIGHT * np.log10(1.0 + g.places.population[best])
    return encoded.dictionary.to_pylist(), best, bonus


def _by_population(places: PlaceTable, rows: np.ndarray) -> np.ndarray:
    rows = np.unique(rows)
    return rows[np.lexsort((places.geonameid[rows], -places.population[rows]))]


def _exact(g: _Gazetteer, key: str, country: str | None) -> tuple[np.ndarray, np.ndarray]:
    primary = np.flatnonzero(pc.equal(g.primary_keys, key).to_numpy(zero_copy_only=False))
    alt = g.alt_rows[np.flatnonzero(pc.equal(g.alt_keys, key).to_numpy(zero_copy_only=False))]
    if country is not None:
        primary = primary[g.places.country[primary] == country]
        alt = alt[g.places.country[alt] == country]
    alt = np.setdiff1d(alt, primary)
    return _by_population(g.places, primary), _by_population(g.places, alt)


def _fuzzy(key: str, country: str | None, limit: int) -> list[int]:
    choices, best, bonus = _fuzzy_index(country)
    if not choices or limit <= 0:
        return []
    sim = process.cdist(
        [key],
        choices,
        scorer=OSA.normalized_similarity,
        dtype=np.float32,
        workers=-1,
        score_cutoff=_FUZZY_CUTOFF,
    )[0]
    hits = np.flatnonzero(sim >= _FUZZY_CUTOFF)
    if hits.size == 0:
        return []
    rank = sim[hits].astype(np.float64) + bonus[hits]
    top = hits[np.argsort(-rank, kind="stable")][: 4 * limit]
    out: list[int] = []
    for r in best[top].tolist():
        if r not in out:
            out.append(r)
        if len(out) == limit:
            break
    return out


def _parse(name: object, field: str, g: _Gazetteer) -> tuple[str, str, str | None]:
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, name, _NAME_ALLOWED)
    text, country = name.strip(), None
    head, comma, tail = text.rpartition(",")
    code = tail.strip().upper()
    if comma and len(code) == 2 and code.isalpha() and code in g.countries:
        text, country = head.strip(), code
    key = old_name_key(text)
    if not key:
        raise InputError(field, name, _NAME_ALLOWED)
    return text, key, country


def old_find_place(name: str, *, field: str = "site") -> Place:
    g = _gazetteer()
    text, key, country = _parse(name, field, g)
    primary, alt = _exact(g, key, country)
    if primary.size:
        return g.places.row(int(primary[0]))
    if alt.size:
        return g.places.row(int(alt[0]))
    if country is None and "," in text:
        key = old_name_key(text.rpartition(",")[0]) or key
    rows: list[int] = []
    if country is not None:
        elsewhere = np.concatenate(_exact(g, key, None))
        rows.extend(elsewhere[:3].tolist())
    rows.extend(_fuzzy(key, country, 10))
    labels: list[str] = []
    for r in rows:
        label = g.places.row(r).label
        if label not in labels:
            labels.append(label)
    raise PlaceNotFoundError(field, name, labels[:5])


def old_search_places(name: str, *, limit: int = 10) -> list[Place]:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError("limit", limit, "an integer of 1 or more")
    g = _gazetteer()
    _, key, country = _parse(name, "name", g)
    primary, alt = _exact(g, key, country)
    rows = [*primary.tolist(), *alt.tolist()][:limit]
    if len(rows) < limit:
        for r in _fuzzy(key, country, limit):
            if r not in rows:
                rows.append(r)
            if len(rows) == limit:
                break
    return [g.places.row(r) for r in rows]


# --------------------------------------------------------------------------- helpers


def outcome(call: Callable[[], object]) -> object:
    """What a call returns, or its error as (type, str, field, suggestions)."""
    try:
        return call()
    except Exception as err:
        return (type(err), str(err), getattr(err, "field", None), getattr(err, "suggestions", None))


def assert_same(query: object, limit: int = 10) -> None:
    assert outcome(lambda: find_place(query)) == outcome(lambda: old_find_place(query)), query  # type: ignore[arg-type]
    new = outcome(lambda: search_places(query, limit=limit))  # type: ignore[arg-type]
    old = outcome(lambda: old_search_places(query, limit=limit))  # type: ignore[arg-type]
    assert new == old, (query, limit)


@functools.cache
def bundled_names() -> list[str]:
    """Every primary and alternate name, as bundled."""
    return [str(n) for n in load_places().name] + read_data("place_names.parquet").column(
        "name"
    ).to_pylist()


def typo(rng: random.Random, text: str, alphabet: str) -> str:
    """``text`` with one random edit: insert, delete, substitute or swap two neighbours."""
    chars = list(text)
    i = rng.randrange(len(chars) + 1)
    op = rng.choice("idst")
    if op == "i" or not chars:
        chars.insert(i, rng.choice(alphabet))
    elif op == "d":
        del chars[min(i, len(chars) - 1)]
    elif op == "s":
        chars[min(i, len(chars) - 1)] = rng.choice(alphabet)
    elif len(chars) > 1:
        j = min(i, len(chars) - 2)
        chars[j], chars[j + 1] = chars[j + 1], chars[j]
    return "".join(chars)


def seeded_queries(seed: int, n: int) -> list[tuple[str, int]]:
    """Queries of every kind, drawn from the bundled names with a fixed seed."""
    rng = random.Random(seed)
    names = bundled_names()
    non_latin = [s for s in names if not s.isascii()]
    codes = sorted(_gazetteer().countries)
    alphabet = "abcdefghijklmnopqrstuvwxyzéüøłßкрічевσςاحمد北京 -'."
    out: list[tuple[str, int]] = []
    for _ in range(n):
        kind = rng.randrange(8)
        name = rng.choice(non_latin if kind == 5 else names)
        if kind == 0:
            q = name
        elif kind == 1:
            q = name[: rng.randint(1, max(1, len(name)))]
        elif kind in (2, 5):
            q = typo(rng, name, alphabet)
            if rng.random() < 0.5:
                q = typo(rng, q, alphabet)
        elif kind == 3:
            code = rng.choice(codes) if rng.random() < 0.8 else rng.choice(["XX", "DC", "zz"])
            code = code.lower() if rng.random() < 0.3 else code
            q = f"{typo(rng, name, alphabet) if rng.random() < 0.5 else name}, {code}"
        elif kind == 4:
            q = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        elif kind == 6:
            q = name.upper() if rng.random() < 0.5 else f"  {name.lower()}!"
        else:
            q = name[: rng.randint(1, 4)]
        out.append((q, rng.choice([1, 2, 3, 5, 10, 10, 10, 20])))
    return out


# --------------------------------------------------------------------------- name keys


def test_name_key_equals_name_keys_on_every_bundled_name() -> None:
    names = bundled_names()
    expected = name_keys(names).to_pylist()
    got = [name_key(n) for n in names]
    bad = [(n, e, g) for n, e, g in zip(names, expected, got, strict=True) if e != g]
    assert not bad, bad[:10]
    assert name_keys is not old_name_keys
    assert expected == old_name_keys(names).to_pylist()  # name_keys itself is unchanged


def test_name_key_equals_name_keys_on_every_code_point() -> None:
    chars = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    expected = old_name_keys(chars).to_pylist()
    bad = [
        (hex(ord(c)), e, name_key(c))
        for c, e in zip(chars, expected, strict=True)
        if name_key(c) != e
    ]
    assert not bad, (
        f"{len(bad)} code points differ, e.g. {bad[:5]}: pyarrow or Python changed their "
        "Unicode data; run `python -m reachmap.world.names > src/reachmap/world/_unicode_delta.py`"
    )


@pytest.mark.parametrize("text", ["\ud800", "a\udfff", "Minsk\ud83d"])
def test_lone_surrogates_fail_as_in_pyarrow(text: str) -> None:
    with pytest.raises(UnicodeEncodeError) as new:
        name_key(text)
    with pytest.raises(UnicodeEncodeError) as old:
        old_name_key(text)
    assert str(new.value) == str(old.value)


#: Code points where the two Unicode versions differ, and their neighbours in context.
_TRICKY = sorted(
    {chr(cp) for cp in _unicode_delta.LOWER}
    | {chr(cp) for cp in _unicode_delta.NFKD}
    | {chr(a) for a, _ in _unicode_delta.MARK_FLIPS + _unicode_delta.ALNUM_FLIPS}
    | {chr(b) for _, b in _unicode_delta.LETTER_FLIPS + _unicode_delta.ALNUM_FLIPS}
    | set("ΣσςİIıißẞﬁ\u0307\u0301\u0345ǅ①½Å-' .,")
)
_mixed_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(_TRICKY),
        st.sampled_from("abcXYZ0ŁÓÉé"),
    ),
    max_size=25,
)


@given(_mixed_text)
def test_name_key_equals_name_keys_on_any_text(text: str) -> None:
    assert name_key(text) == old_name_key(text)


def test_name_key_equals_name_keys_on_seeded_mixtures() -> None:
    rng = random.Random(20260514)
    pool = [*_TRICKY, *"abcdefxyz019", *rng.sample(bundled_names(), 200)]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 8))) for _ in range(20_000)]
    assert [name_key(t) for t in texts] == old_name_keys(texts).to_pylist()


def test_name_key_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        name_key(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the index


@pytest.mark.parametrize("country", [None, "US", "BY", "DE", "CN", "VA", "IO"])
def test_fuzzy_choices_are_the_old_ones(country: str | None) -> None:
    """Per scope: the same distinct keys, in the same order, same places, same bonus."""
    index = nameindex.name_index()
    assert country is None or country in index.countries
    choices, best, bonus = _fuzzy_index(country)
    scope = country or ""
    entries = []
    for length in index.lengths(scope):
        text, ords, rows = index.bucket(scope, length)
        keys = [text[j * length : (j + 1) * length] for j in range(len(ords))]
        entries.extend(zip(ords, keys, rows, strict=True))
    entries.sort()
    assert [k for _, k, _ in entries] == choices
    assert [r for _, _, r in entries] == best.tolist()
    assert [index.bonus[r] for _, _, r in entries] == bonus.tolist()


def test_postings_say_which_keys_hold_each_character() -> None:
    index = nameindex.name_index()
    scope, length = "", 7
    text, ords, _ = index.bucket(scope, length)
    keys = [text[j * length : (j + 1) * length] for j in range(len(ords))]
    assert len(text) == length * len(keys)
    rng = random.Random(7)
    for ch in {*"aekzö", *rng.choice(keys)}:
        for times in (1, 2, 3):
            bits = index.holding(scope, length, ch, times)
            expected = [j for j, k in enumerate(keys) if k.count(ch) >= times]
            assert [j for j in range(len(keys)) if bits >> j & 1] == expected, (ch, times)


def test_at_least_counts_bits_like_brute_force() -> None:
    rng = random.Random(3)
    for _ in range(300):
        size = rng.randint(1, 200)
        maps = [rng.getrandbits(size) for _ in range(rng.randint(0, 12))]
        count = rng.randint(1, 13)
        expected = sum(1 << j for j in range(size) if sum(m >> j & 1 for m in maps) >= count)
        assert gazetteer._at_least(maps, count, size) == expected
        assert gazetteer._positions(expected) == [j for j in range(size) if expected >> j & 1]


@pytest.mark.parametrize("key", ["paris", "kiev", "newdelhi", "islamabad", "minsk", "zzzz"])
@pytest.mark.parametrize("country", [None, "US", "UA"])
def test_exact_rows_for_ingest_are_the_old_ones(key: str, country: str | None) -> None:
    """reachmap.ingest.extract reads NameIndex.exact_rows and NameIndex.place."""
    index = nameindex.name_index()
    primary, alt = index.exact_rows(key, country)
    old_primary, old_alt = _exact(_gazetteer(), key, country)
    assert (primary, alt) == (old_primary.tolist(), old_alt.tolist())
    places = load_places()
    for r in (*primary, *alt):
        assert index.place(r) == places.row(r)


@pytest.mark.parametrize(
    "query",
    [
        "Krichev", "Кричев", "Minsk", "Minks", "minsk, by", "Paris", "Paris, US", "paris, us",
        "Paris, DE", "Paris, XX", "Paris,", "Paris, ", ", US", ",", "Washington, DC",
        "Washington, dc", "Kri", "Kri, US", "K", "z", "1", "São Tomé", "N'Djamena", "Łódź",
        "İstanbul", "ΑΘΗΝΑΣ", "Αθήνα", "北京", "東京", "القاهرة", "Москва", "Mosvka",
        "Novosibirskk", "San Francisko", "Lodnon", "xqzvw", "aaaaaaaaaaaaaaaaaaaa",
        "Llanfairpwllgwyngyllgogerychwyndrobwllllantysiliogogogoch", "St. John's",
        "", "   ", "!!!", None, 42, "Minsk\u0301", "ﬁnland", "Strasse", "Straße",
    ],
)  # fmt: skip
def test_hand_picked_queries_give_the_old_answers(query: object) -> None:
    for limit in (1, 3, 10, 25):
        assert_same(query, limit)


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "3"])
def test_bad_limits_give_the_old_errors(limit: object) -> None:
    assert outcome(lambda: search_places("Paris", limit=limit)) == outcome(  # type: ignore[arg-type]
        lambda: old_search_places("Paris", limit=limit)  # type: ignore[arg-type]
    )


def test_seeded_random_queries_give_the_old_answers() -> None:
    n = int(os.environ.get("REACHMAP_ORACLE_QUERIES", "150"))
    for query, limit in seeded_queries(20260514, n):
        assert_same(query, limit)


@st.composite
def _queries(draw: st.DrawFn) -> str:
    names = bundled_names()
    name = names[draw(st.integers(0, len(names) - 1))]
    rng = random.Random(draw(st.integers(0, 2**32)))
    kind = draw(st.sampled_from(["name", "prefix", "typo", "qualified", "text"]))
    if kind == "name":
        return name
    if kind == "prefix":
        return name[: draw(st.integers(1, max(1, len(name))))]
    if kind == "typo":
        return typo(rng, name, "aeiourstkзкσ北")
    if kind == "qualified":
        code = draw(st.sampled_from(["US", "by", "DE", "FR", "CN", "XX", "DC", "RU"]))
        return f"{name}, {code}"
    return draw(_mixed_text)


@given(_queries(), st.sampled_from([1, 3, 10]))
def test_drawn_queries_give_the_old_answers(query: str, limit: int) -> None:
    assert_same(query, limit)


# --------------------------------------------------------------------------- the file


def test_index_file_is_named_by_the_data_hash_and_left_complete() -> None:
    nameindex.name_index()
    directory = nameindex.cache_dir().resolve()
    digest = nameindex.data_hash(directory)
    assert len(digest) == 16
    assert (directory / f"gazetteer-{digest}.sqlite").is_file()
    assert not list(directory.glob("gazetteer-*.tmp"))
    assert nameindex._content_hash() == digest  # the stamp remembers the content hash


def test_a_damaged_or_stale_file_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer-0123456789abcdef.sqlite"
    path.write_bytes(b"not a database" * 100)
    assert nameindex._open(path, "0123456789abcdef") is None
    assert nameindex._open(tmp_path / "missing.sqlite", "0123456789abcdef") is None
    good = nameindex.cache_dir().resolve()
    digest = nameindex.data_hash(good)
    assert nameindex._open(good / f"gazetteer-{digest}.sqlite", "fedcba9876543210") is None


def test_building_removes_index_files_nobody_used_for_a_month(tmp_path: Path) -> None:
    from reachmap.world import _nameindex_build as build

    keep = tmp_path / "gazetteer-0000000000000000.sqlite"
    old = tmp_path / "gazetteer-1111111111111111.sqlite"
    recent = tmp_path / "gazetteer-2222222222222222.sqlite"
    for path in (keep, old, recent):
        path.write_bytes(b"x")
        Path(f"{path}.lock").touch()
    month = nameindex.STALE_AFTER_S
    os.utime(old, (0, os.stat(old).st_mtime - month - 60))
    os.utime(keep, (0, os.stat(keep).st_mtime - month - 60))
    build.remove_stale(str(tmp_path), str(keep), month)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        keep.name, f"{keep.name}.lock", recent.name, f"{recent.name}.lock"
    ]  # fmt: skip


_LOOKUP = (
    "import sys\n"
    "from reachmap.world.gazetteer import find_place, search_places\n"
    "print(find_place('Krichev').label, search_places('Kri', limit=3)[0].label)\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pyarrow', 'pandas', "
    "'matplotlib', 'shapely'}))\n"
)


def test_processes_building_at_once_agree(tmp_path: Path) -> None:
    """Three processes find no index and build it at once: one file, the same answers."""
    env = {**os.environ, "REACHMAP_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _LOOKUP], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    expected = f"{old_find_place('Krichev').label} {old_search_places('Kri', limit=3)[0].label}"
    assert all(out.splitlines()[0] == expected for out in outs), outs
    assert len(list(tmp_path.glob("gazetteer-*.sqlite"))) == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_a_lookup_loads_no_pyarrow_numpy_pandas_or_matplotlib() -> None:
    nameindex.name_index()  # built (the subprocess shares the cache directory)
    out = subprocess.run(
        [sys.executable, "-c", _LOOKUP], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "[]"
