"""Claim verdicts against distances computed independently (geographiclib)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from geographiclib.geodesic import Geodesic

from reachmap.analysis.claims import HOLDS, HOLDS_WITH_EXCEPTIONS, NOT_HOLD, check_region
from reachmap.analysis.reach import analyze, resolve_site
from reachmap.errors import InputError
from reachmap.geo.units import parse_range
from reachmap.world.gazetteer import find_place

REF = Geodesic.WGS84
ON = dt.date(2026, 11, 25)


@dataclass
class Stub:
    name: str
    members: tuple[str, ...]

    def members_on(self, on: dt.date) -> list[str]:
        return list(self.members)


def km(a: str, b: str) -> float:
    pa, pb = find_place(a), find_place(b)
    return REF.Inverse(pa.lat, pa.lon, pb.lat, pb.lon)["s12"] / 1000


@pytest.fixture(scope="module")
def minsk():
    return analyze([resolve_site("Minsk")], parse_range("500-5500 km"))


def test_holds_when_every_member_and_capital_is_reached(minsk) -> None:
    # Berlin, Vienna, Prague and Bern: all between 500 and 5,500 km from Minsk
    for capital in ("Berlin", "Vienna", "Prague", "Bern"):
        assert 500 < km("Minsk", capital) < 5500
    v = check_region(minsk, Stub("Central Europe", ("DE", "AT", "CZ", "CH")), on=ON)
    assert v.verdict == HOLDS and v.exceptions == ()
    assert v.capitals_reached == v.capitals_total == 4
    assert v.area_share == pytest.approx(1.0, abs=1e-4)


def test_a_capital_inside_the_minimum_range_hole_is_an_exception(minsk) -> None:
    d_warsaw = km("Minsk", "Warsaw")
    assert d_warsaw < 500  # 476.9 km: too close for a 500 km minimum range
    v = check_region(minsk, Stub("Poland and Germany", ("PL", "DE")), on=ON)
    assert v.verdict in (HOLDS_WITH_EXCEPTIONS, NOT_HOLD)
    warsaw = [e for e in v.exceptions if "Warsaw" in e]
    assert len(warsaw) == 1 and "inside the minimum-range hole" in warsaw[0]
    assert f"{d_warsaw:,.0f} km" in warsaw[0]
    assert any(e.startswith("Poland:") for e in v.exceptions)


def test_a_country_wholly_inside_the_hole_does_not_hold(minsk) -> None:
    # Lithuania: Vilnius 173 km from Minsk, its far west under 500 km
    assert km("Minsk", "Vilnius") < 200
    v = check_region(minsk, Stub("Baltic states", ("EE", "LV", "LT")), on=ON)
    assert v.verdict == NOT_HOLD
    assert any("Lithuania: inside the minimum-range hole" in e for e in v.exceptions)
    assert any("capital Riga" in e and "hole" in e for e in v.exceptions)
    # Tallinn is ~ 700 km away: reached
    assert 500 < km("Minsk", "Tallinn") < 5500
    assert v.capitals_reached == 1 and v.capitals_total == 3


def test_beyond_max_range_and_threshold(minsk) -> None:
    assert km("Minsk", "Lisbon") < 5500 < km("Minsk", "Washington")
    v = check_region(minsk, Stub("two", ("PT", "US")), on=ON)
    assert v.verdict == NOT_HOLD
    assert any("capital Washington" in e and "beyond maximum range" in e for e in v.exceptions)
    with pytest.raises(InputError, match="threshold"):
        check_region(minsk, Stub("two", ("PT",)), on=ON, threshold=0)
    with pytest.raises(InputError, match="region"):
        check_region(minsk, Stub("empty", ()), on=ON)


def test_a_city_list_is_judged_city_by_city(minsk) -> None:
    from reachmap.world.regions import region

    caps = region("eu-capitals")
    cities = caps.cities_on(ON)
    expected = []
    for i in range(len(cities)):
        d = REF.Inverse(53.90019, 27.56653, cities.lat[i], cities.lon[i])["s12"] / 1000
        if not 500 <= d <= 5500:
            expected.append(str(cities.name[i]))
    v = check_region(minsk, caps, on=ON)
    assert v.unit == "cities" and v.capitals_total == len(cities) == 27
    assert sorted(e.split(" (")[0] for e in v.exceptions) == sorted(expected)
    assert sorted(expected) == ["Riga", "Vilnius", "Warsaw"]  # all three < 500 km from Minsk
    assert all("inside the minimum-range hole" in e for e in v.exceptions)
    assert v.capitals_reached == 24
