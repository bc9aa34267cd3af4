"""Write a reach analysis to files: GeoJSON, KML, GeoPackage, CSV, JSON and text.

Every writer is atomic: the file is written next to its destination under a
temporary name and renamed into place only when complete, so a failure never
leaves a half-written file behind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from reachmap.analysis.reach import ReachResult
from reachmap.coverage.places import CountryReach
from reachmap.errors import InputError
from reachmap.geo.envelope import to_geojson
from reachmap.world.tables import load_countries

__all__ = [
    "FILE_FORMATS",
    "FORMATS",
    "feature_collection",
    "format_for_path",
    "render",
    "summary_text",
    "write",
]

#: Formats that can be printed to the terminal.
FORMATS = ("table", "json", "geojson", "csv")
#: Formats that can be written to a file, by file suffix.
FILE_FORMATS = {
    ".geojson": "geojson",
    ".json": "json",
    ".csv": "csv",
    ".kml": "kml",
    ".gpkg": "gpkg",
    ".txt": "table",
    ".md": "table",
}


def format_for_path(path: Path, fmt: str | None = None) -> str:
    """Pick the output format for a file: ``fmt`` if given, else from the suffix.

    Examples
    --------
    >>> format_for_path(Path("out/minsk.kml"))
    'kml'
    """
    by_suffix = FILE_FORMATS.get(path.suffix.lower())
    if fmt is not None:
        if by_suffix is not None and by_suffix != fmt and {by_suffix, fmt} != {"json", "geojson"}:
            raise InputError(
                "format",
                fmt,
                f"the format of the --out file's suffix ({by_suffix} for "
                f"{path.suffix}), or a file name without a known suffix",
            )
        return fmt
    try:
        return FILE_FORMATS[path.suffix.lower()]
    except KeyError:
        allowed = ", ".join(FILE_FORMATS)
        raise InputError(
            "out", str(path), f"a file name ending in one of {allowed} (or give --format)"
        ) from None


def check_out_path(path: Path) -> None:
    """Check, before any work, that ``path`` can be written.

    Raises
    ------
    InputError
        If ``path`` is a directory, or its nearest existing parent is not a
        writable directory.
    """
    if path.is_dir():
        raise InputError("out", str(path), "a file path (this is a directory)")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("out", str(path), f"a path in a writable directory ({parent} is not one)")


def feature_collection(result: ReachResult, tiers: Any = None) -> dict[str, Any]:
    """RFC 7946 FeatureCollection: the envelope, the sites and every capital.

    Parameters
    ----------
    result : ReachResult
        The analysis.
    tiers : UncertainResult, optional
        Tiers under uncertainty (:func:`reachmap.analysis.probability.analyze_uncertain`): adds
        the ``certain`` and ``possible`` zones and each capital's tier and probability.

    Returns
    -------
    dict
        GeoJSON FeatureCollection; each feature has a ``kind`` property
        (``envelope``, ``site`` or ``capital``; with tiers also ``certain`` and
        ``possible``).
    """
    rng = result.range
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": to_geojson(result.envelope),
            "properties": {
                "kind": "envelope",
                "range_text": rng.text,
                "min_km": rng.min_km,
                "max_km": rng.max_km,
                "sites": "; ".join(s.label for s in result.sites),
            },
        }
    ]
    for s in result.sites:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {"kind": "site", "name": s.label, "country": s.country},
            }
        )
    for c in result.capitals:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "kind": "capital",
                    "name": c.name,
                    "country": c.country,
                    "status": c.status,
                    "nearest_km": round(c.nearest_km, 3),
                    "nearest_site": c.nearest_site,
                },
            }
        )
    if tiers is not None:
        _add_tiers(features, tiers)
    return {"type": "FeatureCollection", "features": features}


def _add_tiers(features: list[dict[str, Any]], tiers: Any) -> None:
    """Add the tier zones, and each capital's tier and probability, to the features."""
    by_place = {(c.name, c.country, c.lat, c.lon): c for c in tiers.capitals}
    for f in features:
        p = f["properties"]
        if p["kind"] == "capital":
            lon, lat = f["geometry"]["coordinates"]
            t = by_place.get((p["name"], p["country"], lat, lon))
            p["tier"] = t.tier if t is not None else ""
            prob = t.probability if t is not None else math.nan
            p["probability"] = None if math.isnan(prob) else round(prob, 6)
    sites = "; ".join(s.label for s in tiers.sites)
    for kind, geom, words in (
        ("certain", tiers.certain_envelope, "reached from anywhere in the sites' areas"),
        ("possible", tiers.possible_envelope, "reached from somewhere in the sites' areas"),
    ):
        if not geom.is_empty:
            features.insert(
                1 if kind == "certain" else 2,
                {
                    "type": "Feature",
                    "geometry": to_geojson(geom),
                    "properties": {
                        "kind": kind,
                        "range_text": tiers.range.text,
                        "sites": sites,
                        "meaning": words,
                    },
                },
            )


_COUNTRY_COLUMNS = [
    "name", "iso2", "iso3", "continent", "status", "area_km2", "area_reached_km2",
    "area_share", "population", "population_reached_estimate", "places_population",
    "places_population_reached",
]  # fmt: skip


def _country_row(c: CountryReach) -> dict[str, Any]:
    row = {k: getattr(c, k) for k in _COUNTRY_COLUMNS if k != "area_share"}
    row["area_share"] = round(c.area_share, 6)
    row["area_km2"] = round(c.area_km2, 1)
    row["area_reached_km2"] = round(c.area_reached_km2, 1)
    return row


_TIER_COLUMNS = [
    "tier", "certain_population", "possible_population", "probability_reached",
    "probability_full",
]  # fmt: skip


def _countries_csv(result: ReachResult, tiers: Any = None) -> str:
    buf = io.StringIO()
    columns = _COUNTRY_COLUMNS + (_TIER_COLUMNS if tiers is not None else [])
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    by_iso = {t.iso2: t for t in tiers.countries} if tiers is not None else {}
    for c in sorted(result.countries, key=lambda c: (c.status == "none", c.name)):
        row = _country_row(c)
        t = by_iso.get(c.iso2) if c.iso2 else None
        if tiers is not None:
            for k in _TIER_COLUMNS:
                v = getattr(t, k) if t is not None else ""
                row[k] = "" if isinstance(v, float) and math.isnan(v) else v
        writer.writerow(row)
    return buf.getvalue()


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def summary_text(result: ReachResult) -> str:
    """Summarise the analysis as readable plain text (Markdown)."""
    d = result.to_dict()
    t = d["totals"]
    lines = [
        "# reachmap: what is within reach",
        "",
        f"Sites: {', '.join(f'{s.label} ({s.lat:.4f}, {s.lon:.4f})' for s in result.sites)}",
        f"Range: {result.range.text!r} = {result.range.min_km:,.1f}–{result.range.max_km:,.1f} km"
        f" (envelope drawn to within {d['range']['boundary_tolerance_km']:g} km)",
        "",
        f"Countries fully reached ({t['countries_full']}): "
        + ", ".join(c.name for c in result.countries_with("full")),
        "",
        f"Countries partly reached ({t['countries_partial']}): "
        + ", ".join(
            f"{c.name} {100 * c.area_share:.1f}%" for c in result.countries_with("partial")
        ),
        "",
        f"Countries only inside the minimum-range hole ({t['countries_inside_min_range']}): "
        + ", ".join(c.name for c in result.countries_with("inside-min-range")),
        "",
    ]
    for status, title in (
        ("reached", "Capitals reached"),
        ("inside-min-range", "Capitals inside the minimum-range hole (too close)"),
        ("beyond-max-range", "Capitals beyond maximum range"),
    ):
        caps = result.capitals_with(status)
        lines.append(
            f"{title} ({len(caps)}): "
            + ", ".join(f"{c.name} ({c.country}) {c.nearest_km:,.0f} km" for c in caps)
        )
        lines.append("")
    lines += [
        f"Places within reach: {_fmt_int(t['places_reached'])} of {_fmt_int(t['places_count'])}"
        f" GeoNames places, {_fmt_int(t['places_population_reached'])} people in them.",
        f"Estimated population within reach: {_fmt_int(t['population_reached_estimate'])}"
        f" of {_fmt_int(t['world_population'])} (source: {t['population_source']}).",
        "",
        "Assumptions:",
        *(f"- {a}" for a in result.assumptions),
        "",
        f"Data: {d['data']}",
        "",
    ]
    return "\n".join(lines)


def render(result: ReachResult, fmt: str, tiers: Any = None) -> str:
    """Render a text format (``table``, ``json``, ``geojson``, ``csv``) to a string.

    With ``tiers`` (an :class:`~reachmap.analysis.probability.UncertainResult`), JSON gains an
    ``uncertainty`` object, GeoJSON the tier zones and the capitals' tiers, CSV the
    countries' tiers and probabilities, and the text a paragraph on them.
    """
    if fmt == "json":
        doc = result.to_dict()
        if tiers is not None:
            doc["uncertainty"] = tiers.to_dict()
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "geojson":
        return json.dumps(feature_collection(result, tiers), ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _countries_csv(result, tiers)
    if fmt == "table":
        return summary_text(result) + (_tiers_text(tiers) if tiers is not None else "")
    raise InputError("format", fmt, "one of " + ", ".join(FORMATS))


def _tiers_text(tiers: Any) -> str:
    """Write a paragraph on the tiers, for the text summary."""
    caps = {t: ", ".join(c.name for c in tiers.capitals_in(t)) for t in ("certain", "possible")}
    draws = f"{tiers.draws} Monte Carlo draws, seed {tiers.seed}" if tiers.draws else "no draws"
    lines = [
        "## Under uncertainty",
        "",
        f"Sites: {'; '.join(s.label for s in tiers.sites)}; range {tiers.range.text} ({draws}).",
        f"People certainly reached: {tiers.population_certain:,}; possibly: "
        f"{tiers.population_possible:,}.",
        f"Capitals certainly reached: {caps['certain']}",
        f"Capitals possibly reached: {caps['possible']}",
        "",
    ]
    return "\n".join(lines)


def _temp_beside(path: Path) -> Path:
    """Name a fresh, not yet existing file next to ``path`` (hidden, same suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(name)  # writers such as GDAL want to create the file themselves
    return Path(name)


def _write_ogr(result: ReachResult, path: Path, driver: str, tiers: Any = None) -> None:
    from pyogrio.raw import write as ogr_write  # only KML and GeoPackage need GDAL

    fc = feature_collection(result, tiers)
    layers: dict[str, list[dict[str, Any]]] = {}
    for f in fc["features"]:
        layers.setdefault(f["properties"]["kind"], []).append(f)
    if driver == "GPKG":  # QGIS users get the countries as polygons too
        # result.countries follows the bundled country table row for row
        geoms = load_countries().geometry
        layers["country"] = [
            {"geometry": shapely.geometry.mapping(g), "properties": _country_row(c)}
            for c, g in zip(result.countries, geoms, strict=True)
        ]
    names = {
        "envelope": "envelope", "site": "sites", "capital": "capitals", "country": "countries",
        "certain": "certain", "possible": "possible",
    }  # fmt: skip
    for i, (kind, feats) in enumerate(layers.items()):
        geometry = np.array([shapely.to_wkb(shape(f["geometry"])) for f in feats], dtype=object)
        keys = [k for k in feats[0]["properties"] if k != "kind"]
        fields = [
            np.array(
                [_plain(f["properties"][k]) for f in feats],
                dtype=_dtype([f["properties"][k] for f in feats]),
            )
            for k in keys
        ]
        ogr_write(
            str(path),
            geometry,
            fields,
            fields=keys,
            layer=names[kind],
            driver=driver,
            geometry_type="Point" if kind in ("site", "capital") else "MultiPolygon",
            crs="EPSG:4326",
            append=i > 0,
        )


def _plain(v: Any) -> Any:
    return v if not isinstance(v, np.generic) else v.item()


def _dtype(values: list[Any]) -> Any:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.float64 if any(isinstance(v, float) for v in values) else np.int64
    return object


def _write_one(result: ReachResult, tmp: Path, fmt: str, tiers: Any = None) -> None:
    if fmt in FORMATS:
        tmp.write_text(render(result, fmt, tiers), encoding="utf-8")
    elif fmt == "kml":
        _write_ogr(result, tmp, "KML", tiers)
    elif fmt == "gpkg":
        _write_ogr(result, tmp, "GPKG", tiers)
    else:
        raise InputError("format", fmt, "one of " + ", ".join([*FORMATS, "kml", "gpkg"]))


def write(result: ReachResult, targets: Sequence[tuple[Path, str]], tiers: Any = None) -> None:
    """Write ``result`` to several files, all or nothing.

    Each file is written under a temporary name beside its destination; only when
    every one has been written are they renamed into place. On any failure the
    temporary files are removed and no destination is touched.

    Parameters
    ----------
    result : ReachResult
        The analysis.
    targets : sequence of (pathlib.Path, str)
        Destination files and their formats (``table``, ``json``, ``geojson``,
        ``csv``, ``kml`` or ``gpkg``).
    tiers : UncertainResult, optional
        Tiers under uncertainty, written into every file (see :func:`render`).

    Raises
    ------
    InputError
        If a destination cannot be written (field ``out``).
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, fmt in targets:
            check_out_path(path)
            try:
                tmp = _temp_beside(path)
                temps.append((tmp, path))
                _write_one(result, tmp, fmt, tiers)
            except OSError as err:
                raise InputError(
                    "out", str(path), f"a writable file path ({err.strerror})"
                ) from err
        for tmp, path in temps:
            try:
                os.replace(tmp, path)
            except OSError as err:
                raise InputError(
                    "out", str(path), f"a writable file path ({err.strerror})"
                ) from err
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()
