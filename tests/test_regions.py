"""Regions: membership on dates, continents from GeoNames codes, city lists.

Reference values (full citations in ``src/reachmap/data/regions.toml``):

* NATO: Finland deposited its instrument of accession on 4 April 2023 and became a
  member at that moment (Finnish Ministry for Foreign Affairs, 2023-04-03); Sweden on
  7 March 2024, NATO's 32nd member (Government of Sweden, 2024-03-07). Member counts
  after each enlargement as the sources number them: 12 founders (treaty in force
  24 August 1949), Greece and Turkey 18 February 1952, Germany 6 May 1955 (15th),
  Spain 30 May 1982 (16th), 12 March 1999 (to 19), 29 March 2004 (to 26),
  1 April 2009 (27th and 28th), Montenegro 5 June 2017 (29th), North Macedonia
  27 March 2020 (30th), Finland (31st), Sweden (32nd).
* EU: six founders from 1 January 1958; Eurostat's EU-12 / EU-15 (1 January 1995) /
  EU-25 (1 May 2004) / EU-27 (1 January 2007) / EU-28 (1 July 2013); the United Kingdom
  left at midnight Brussels time at the end of 31 January 2020 (Government of the
  Netherlands; European Commission), so it is a member on 31 January, not on 1 February.
* Continents: the GeoNames continent code of each bundled country (load_countries).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from reachmap.errors import InputError
from reachmap.world.regions import CONTINENTS, Region, load_regions, region
from reachmap.world.tables import capitals, load_countries

D = dt.date


# --------------------------------------------------------------------------- NATO


def test_nato_finland_from_4_april_2023() -> None:
    nato = region("NATO")
    assert "FI" not in nato.members_on(D(2023, 4, 3))
    assert "FI" in nato.members_on(D(2023, 4, 4))


def test_nato_sweden_from_7_march_2024() -> None:
    nato = region("nato")
    assert "SE" not in nato.members_on(D(2024, 3, 6))
    assert "SE" in nato.members_on(D(2024, 3, 7))


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (D(1949, 8, 23), 0),
        (D(1949, 8, 24), 12),
        (D(1952, 2, 17), 12),
        (D(1952, 2, 18), 14),
        (D(1955, 5, 6), 15),
        (D(1982, 5, 30), 16),
        (D(1999, 3, 12), 19),
        (D(2004, 3, 29), 26),
        (D(2009, 4, 1), 28),
        (D(2017, 6, 5), 29),
        (D(2020, 3, 27), 30),
        (D(2023, 4, 4), 31),
        (D(2024, 3, 7), 32),
        (D(2026, 11, 25), 32),
    ],
)
def test_nato_size_after_each_enlargement(day: dt.date, count: int) -> None:
    assert len(region("nato").members_on(day)) == count


# ----------------------------------------------------------------------------- EU


def test_eu_united_kingdom_until_31_january_2020() -> None:
    eu = region("EU")
    assert "GB" in eu.members_on(D(2020, 1, 30))
    assert "GB" in eu.members_on(D(2020, 1, 31))  # left at midnight CET, end of the day
    assert "GB" not in eu.members_on(D(2020, 2, 1))


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (D(1957, 12, 31), 0),
        (D(1958, 1, 1), 6),
        (D(1973, 1, 1), 9),
        (D(1981, 1, 1), 10),
        (D(1986, 1, 1), 12),
        (D(1994, 12, 31), 12),  # Eurostat EU-12
        (D(1995, 1, 1), 15),
        (D(2004, 4, 30), 15),
        (D(2004, 5, 1), 25),
        (D(2007, 1, 1), 27),
        (D(2013, 6, 30), 27),
        (D(2013, 7, 1), 28),
        (D(2020, 1, 31), 28),
        (D(2020, 2, 1), 27),
        (D(2026, 11, 25), 27),
    ],
)
def test_eu_size_after_each_change(day: dt.date, count: int) -> None:
    assert len(region("eu").members_on(day)) == count


def test_groups_are_sourced_and_noted() -> None:
    for reg in load_regions().values():
        assert reg.sources or reg.kind == "country", reg.id
        assert reg.note, reg.id
        for src in reg.sources:
            assert src.publisher and src.title and src.supports
            assert "http" not in str(src)


# --------------------------------------------------------------------- continents


def test_continents_cover_every_bundled_country_once() -> None:
    countries = load_countries()
    coded = {str(c) for c in countries.iso2[countries.iso2 != ""]}
    seen: dict[str, str] = {}
    continents = [r for r in load_regions().values() if r.kind == "continent"]
    assert sorted(r.continent for r in continents) == sorted(CONTINENTS)
    for reg in continents:
        for iso2 in reg.members_on(D(2026, 11, 25)):
            assert iso2 not in seen, f"{iso2} in {seen.get(iso2)} and {reg.id}"
            seen[iso2] = reg.id
    assert set(seen) == coded
    for i in range(len(countries)):
        if countries.iso2[i]:
            assert region(seen[str(countries.iso2[i])]).continent == countries.continent[i]


@pytest.mark.parametrize(
    ("iso2", "continent"),
    [
        ("RU", "europe-countries"),
        ("CY", "europe-countries"),
        ("TR", "asia"),
        ("GE", "asia"),
        ("AM", "asia"),
        ("AZ", "asia"),
        ("KZ", "asia"),
        ("EG", "africa"),
        ("GL", "north-america"),
    ],
)
def test_geonames_placement_is_as_the_notes_say(iso2: str, continent: str) -> None:
    reg = region(continent)
    assert iso2 in reg.members_on(D(2026, 11, 25))
    assert f"({iso2}" in reg.note


def test_europe_is_not_the_european_union() -> None:
    assert region("europe").kind == "cut"  # geographic Europe (test_region_parts.py)
    assert region("europe-countries").kind == "continent"
    assert region("EU").id == "eu"
    assert region("AS").name == "American Samoa"  # a country code, not the continent


# ---------------------------------------------------------- countries_on and cities


def test_countries_on_gives_rows_of_the_country_table() -> None:
    countries = load_countries()
    for reg_id in ("nato", "eu", "europe", "germany"):
        reg = region(reg_id)
        rows = reg.countries_on(D(2024, 3, 7))
        assert sorted(countries.iso2[rows].tolist()) == reg.members_on(D(2024, 3, 7))
        assert np.all(np.diff(rows) > 0)


def test_eu_capitals_follow_eu_membership() -> None:
    eu, caps = region("eu"), region("EU capitals")
    days = {m.from_ for m in eu.members} | {m.until for m in eu.members if m.until}
    for day in sorted(d for d in days if d is not None):
        for probe in (day - dt.timedelta(days=1), day):
            assert caps.members_on(probe) == eu.members_on(probe), probe
            assert len(caps.cities_on(probe)) == len(eu.members_on(probe))


def test_eu_capitals_are_geonames_capitals() -> None:
    listed = region("eu-capitals").cities_on(D(2019, 12, 31))
    assert len(listed) == 28
    assert listed.is_capital.all()
    assert "London" in listed.name.tolist()
    assert "London" not in region("eu-capitals").cities_on(D(2020, 2, 1)).name.tolist()


def test_group_cities_are_the_capitals_of_members() -> None:
    caps = region("nato").cities_on(D(2024, 3, 7))
    assert len(caps) == 32
    assert {"Stockholm", "Helsinki", "Washington", "Ottawa", "Ankara"} <= set(caps.name.tolist())
    assert len(region("germany").cities_on(D(2000, 1, 1))) == 1
    assert region("germany").cities_on(D(2000, 1, 1)).name[0] == "Berlin"
    all_caps = capitals()
    assert (
        len(region("europe-countries").cities_on(D(2000, 1, 1)))
        == np.isin(all_caps.country, region("europe-countries").members_on(D(2000, 1, 1))).sum()
    )


# ------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("name", "reg_id"),
    [
        ("nato", "nato"),
        ("North Atlantic Treaty Organization", "nato"),
        ("eu", "eu"),
        ("European Union", "eu"),
        ("north_america", "north-america"),
        ("North America", "north-america"),
        ("EU capitals", "eu-capitals"),
        ("de", "germany"),
    ],
)
def test_lookup_by_id_name_or_alias(name: str, reg_id: str) -> None:
    assert region(name).id == reg_id


@pytest.mark.parametrize("name", ["PL", "pl", "Poland", "poland"])
def test_any_bundled_country_is_a_region(name: str) -> None:
    reg = region(name)
    assert (reg.kind, reg.name, reg.members_on(D(1900, 1, 1))) == ("country", "Poland", ["PL"])


@pytest.mark.parametrize("bad", ["Atlantis", "", "ZZ", None, 42])
def test_unknown_region_lists_the_ids(bad: object) -> None:
    with pytest.raises(InputError) as err:
        region(bad)  # type: ignore[arg-type]
    assert err.value.field == "region"
    assert "nato" in str(err.value) and "europe" in str(err.value)


def test_members_on_needs_a_date() -> None:
    with pytest.raises(InputError) as err:
        region("nato").members_on("2023-04-04")  # type: ignore[arg-type]
    assert err.value.field == "on"
    assert region("nato").members_on(dt.datetime(2023, 4, 4, 12)) == region("nato").members_on(
        D(2023, 4, 4)
    )


# ----------------------------------------------------------------- user region files

GOOD = """
[[region]]
id = "baltics"
name = "Baltic states"
kind = "group"
members = [
  { iso2 = "EE", from = 1991-08-20 },
  { iso2 = "LV", from = 1991-08-21 },
  { iso2 = "LT" },
]

[[region]]
id = "two-cities"
name = "Two cities"
kind = "cities"
cities = [
  { name = "Warsaw", country = "PL", geonameid = 756135 },
  { name = "Minsk", country = "BY", geonameid = 625144, until = 2000-01-01 },
]
"""


def test_user_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "regions.toml"
    path.write_text(GOOD, encoding="utf-8")
    regions = load_regions(path)
    assert list(regions) == ["baltics", "two-cities"]
    assert regions["baltics"].members_on(D(1991, 8, 20)) == ["EE", "LT"]
    assert regions["two-cities"].members_on(D(2000, 1, 1)) == ["PL"]
    assert isinstance(regions["baltics"], Region)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('iso2 = "LT"', 'iso2 = "ZZ"', "'baltics' members"),
        ('iso2 = "LT"', 'iso2 = "lt"', "members[2] iso2"),
        ('{ iso2 = "LT" }', '{ iso2 = "LT" }, { iso2 = "LT", from = 2004-03-29 }', "twice"),
        ("from = 1991-08-20", "from = 1991-08-20, until = 1990-01-01", "members[0]"),
        ('kind = "group"', 'kind = "alliance"', "kind"),
        ('kind = "group"', 'kind = "continent"', "region[0] 'baltics'"),
        ("geonameid = 625144", "geonameid = 756135", "twice"),
        ("geonameid = 625144", "geonameid = 1", "'two-cities' cities"),
        ('name = "Minsk"', 'name = "Minsk City"', "'two-cities' cities"),
        ('id = "baltics"', 'id = "Baltics!"', "id"),
        ('id = "two-cities"', 'id = "baltics"', "used only once"),
    ],
)
def test_broken_user_file_names_file_region_and_field(tmp_path: Path, old, new, where) -> None:
    assert old in GOOD
    path = tmp_path / "regions.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_regions(path)
    assert str(path) in err.value.field
    assert where in str(err.value)


def test_missing_or_malformed_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_regions(tmp_path / "nope.toml")
    assert err.value.field == "path"
    bad = tmp_path / "bad.toml"
    bad.write_text("region = [", encoding="utf-8")
    with pytest.raises(InputError, match="valid TOML"):
        load_regions(bad)


def test_region_built_in_code_is_checked_when_used() -> None:
    from reachmap.world.regions import City

    reg = Region(
        id="nowhere",
        name="Nowhere",
        kind="cities",
        cities=(City(name="Nowhere", country="PL", geonameid=1),),
    )
    with pytest.raises(InputError, match="bundled GeoNames id"):
        reg.cities_on(D(2000, 1, 1))
