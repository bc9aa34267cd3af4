"""Countries as a region counts them: clipped at a boundary, or without overseas pieces.

Geographic Europe holds Russia west of the Urals, not all of Russia; the EU without
its outermost regions holds metropolitan France, not French Guiana. Such a region
names a *cut*, and the cut gives, per country it changes, the part that counts. The
parts are clipped once by ``scripts/build_world_data.py`` (the line is data, in
``scripts/data/europe_boundary.toml``, every vertex with its source) and shipped in
``reachmap/data/region_parts.parquet``. The cuts:

* ``europe``: geographic Europe. Every country it holds has a row (the whole country
  when nothing is cut): Russia, Kazakhstan, Georgia and Azerbaijan cut at the
  Urals – Ural River – Caspian – Greater Caucasus watershed line, Turkey at the
  Bosporus – Marmara – Dardanelles, France and the Netherlands without their
  overseas and Caribbean parts, Spain without the Canary Islands, Ceuta and Melilla,
  Portugal without Madeira (the Azores stay). Cyprus is not held (Asia by
  geography).
* ``eu-outermost``: the EU's members without the outermost regions of Article 349
  TFEU (and the Netherlands without its Caribbean islands, which are not EU
  territory): rows only for the countries it changes.
* ``north-of-tropic``: NATO members north of the Tropic of Cancer, the treaty area
  of Article 6 of the North Atlantic Treaty: rows only for the countries it changes.

Examples
--------
>>> ru = load_parts()["europe"]["RU"]
>>> round(ru.area_km2 / ru.whole_area_km2, 2)
0.23
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from reachmap.world.tables import read_data

__all__ = ["COAST_DEG", "CUTS", "CountryPart", "load_parts"]

#: How near (degrees, planar in lon/lat) a point must be to a part to count as in it.
COAST_DEG = 0.1

#: The cuts shipped in ``region_parts.parquet``, and what each one keeps.
CUTS: Mapping[str, str] = {
    "europe": "geographic Europe: metropolitan territory, transcontinental countries cut "
    "at the Urals – Ural River – Caspian – Greater Caucasus watershed – Turkish Straits line",
    "eu-outermost": "metropolitan territory: without the EU's outermost regions (Art. 349 TFEU) "
    "and the Caribbean Netherlands",
    "north-of-tropic": "territory north of the Tropic of Cancer (North Atlantic Treaty, Art. 6)",
}


@dataclass(frozen=True)
class CountryPart:
    """The part of one country that a cut counts.

    Attributes
    ----------
    cut : str
        The cut (a key of :data:`CUTS`).
    iso2 : str
        The country's ISO 3166-1 alpha-2 code.
    geometry : shapely geometry
        The part, lon/lat degrees (a MultiPolygon).
    area_km2, whole_area_km2 : float
        Ellipsoidal area of the part and of the whole country polygon.
    excluded : str
        What the cut leaves out, piece by piece with its largest GeoNames place and
        its area ("" when nothing).
    """

    cut: str
    iso2: str
    geometry: BaseGeometry
    area_km2: float
    whole_area_km2: float
    excluded: str

    @property
    def is_whole(self) -> bool:
        """Whether the cut leaves the country whole."""
        return not self.excluded

    def holds(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Which points (degrees) lie in the part, or within :data:`COAST_DEG` of it.

        The margin keeps a coastal city that a 1:50m outline leaves in the water
        (Lisbon on the Tagus estuary) with its country; the pieces a cut drops are
        hundreds of kilometres away, or across a mountain watershed from any capital.
        """
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        return np.asarray(
            shapely.dwithin(self.geometry, shapely.points(lon, lat), COAST_DEG), dtype=bool
        )


@functools.cache
def load_parts() -> dict[str, dict[str, CountryPart]]:
    """Load the bundled region parts (read once, then cached).

    Returns
    -------
    dict of str to dict of str to CountryPart
        By cut, then by ISO2 code.
    """
    t = read_data("region_parts.parquet")
    geoms = shapely.from_wkb(t.column("geometry").to_numpy(zero_copy_only=False))
    for g in geoms:
        shapely.prepare(g)
    out: dict[str, dict[str, CountryPart]] = {}
    for cut, iso2, g, a, w, ex in zip(
        t.column("cut").to_pylist(),
        t.column("iso2").to_pylist(),
        geoms,
        t.column("area_km2").to_pylist(),
        t.column("whole_area_km2").to_pylist(),
        t.column("excluded").to_pylist(),
        strict=True,
    ):
        out.setdefault(cut, {})[iso2] = CountryPart(cut, iso2, g, a, w, ex)
    return out
