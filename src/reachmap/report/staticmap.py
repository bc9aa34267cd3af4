"""Static maps of a reach analysis: a PNG in an azimuthal equidistant projection.

The map is drawn by matplotlib's Agg renderer (no display, no network, no
cartopy) from the bundled Natural Earth countries and GeoNames capitals. It is
centred on the site (for several sites, see :func:`map_centre`), so that every
distance *from the centre* is true on the map; the range rings of each site are
drawn from exact geodesic end points.

How geometry gets onto the map
------------------------------
An azimuthal equidistant projection tears apart near the antipode of its centre
(every point there maps close to the rim, at whatever azimuth it happens to lie), so
nothing is projected that lies beyond the *view*: the geodesic disc of radius
:func:`view_radius_km` around the centre (at most ``MAX_VIEW_RADIUS_KM``, 19,000 km,
which keeps the antipode ~1,000 km out of view). Every lon/lat polygon is

1. intersected with that view disc in lon/lat (:func:`reachmap.geo.envelope.disc`,
   shapely), *then*
2. densified so that no edge is longer than ``DENSIFY_DEG`` (0.25°), *then*
3. projected, ring by ring. Where a ring in lon/lat runs along the ±180° cut or
   along a pole it becomes a slit or a point on the map; such polygons, and those
   whose hole became their outer edge (a view that surrounds the antipode), are
   rebuilt by even-odd parity of their projected rings, which is the region they
   bound on the Earth. Pieces that were cut at ±180° are dissolved on the map
   (snapped to 1 m), which removes the seams.

Range rings are lines, not polygons: their points are exact geodesic end points
kept only where their exact distance from the centre is within the view.

Under uncertainty (``tiers``, see :func:`reachmap.analysis.probability.analyze_uncertain`) the
map shows, instead of the one envelope, the zone certainly within range (solid) and
the band possibly within range (lighter, hatched), both from the result's lon/lat
envelopes through the same clip-densify-project steps; each site's disc or polygon is
outlined, the capitals are marked by tier, and the view
(:func:`reachmap.report.tiers.tiers_view`) holds the widest possible reach.

Length: about 510 lines, one matplotlib figure (projection, clipping, layers, legend);
its view and projection maths are already apart in :mod:`reachmap.report.mapview`.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch
from matplotlib.path import Path as MplPath
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon

from reachmap.analysis.reach import ReachResult, Site
from reachmap.analysis.uncertainty import CERTAIN, POSSIBLE, UNREACHABLE
from reachmap.coverage.places import BEYOND, IN_HOLE, REACHED
from reachmap.errors import InputError
from reachmap.geo.envelope import MIN_DRAWN_RADIUS_KM
from reachmap.geo.geodesy import ANTIPODAL_DISTANCE_KM, destination, distance_km
from reachmap.report.mapview import (
    DENSIFY_DEG,
    MAX_VIEW_RADIUS_KM,
    MapView,
    Projector,
    as_multipolygon,
    map_centre,
    map_view,
    view_radius_km,
)
from reachmap.report.tiers import range_text, tiers_view
from reachmap.world.tables import load_countries

if TYPE_CHECKING:
    from reachmap.analysis.probability import UncertainResult

__all__ = [
    "DENSIFY_DEG",
    "MAX_VIEW_RADIUS_KM",
    "MapView",
    "map_centre",
    "map_view",
    "render_map_png",
    "view_radius_km",
]


_LABELLED_CAPITALS = 20  # most populous capitals in view that get a name
_LABELLED_HOLE_CAPITALS = 10  # nearest capitals inside the minimum range that get a name
_LABELLED_SITES_RINGS = 3  # sites whose rings carry a km label

# Colours: a sequential orange for reach, blue for "too close", grey for "beyond";
# capitals also differ by marker shape, so the map survives grey-scale printing.
_OCEAN = "#e3edf5"
_LAND = "#f4f1ea"
_BORDER = "#9b9b9b"
_REACH_FILL = "#e6550d"
_REACH_EDGE = "#a63603"
_HOLE_EDGE = "#2171b5"
_CERTAIN_ALPHA = 0.45  # the certain zone: the reach colour, more opaque than the envelope's
_POSSIBLE_FILL = "#fdae6b"  # the possible band: a lighter orange, hatched in the reach colour
_POSSIBLE_ALPHA = 0.35
_SITE_AREA = "#252525"


class _Style(NamedTuple):
    marker: str
    color: str
    size: float  # marker area, points^2
    label: str


_CAPITAL_STYLE = {
    REACHED: _Style("o", "#a50f15", 18.0, "Capital reached"),
    IN_HOLE: _Style("D", "#2171b5", 16.0, "Capital inside the minimum range (too close)"),
    BEYOND: _Style("o", "#7f7f7f", 10.0, "Capital beyond the maximum range"),
}
#: Capitals under uncertainty, by tier.
_TIER_STYLE = {
    CERTAIN: _Style("o", "#a50f15", 18.0, "Capital certainly reached"),
    POSSIBLE: _Style("^", "#d94801", 26.0, "Capital possibly reached"),
    UNREACHABLE: _Style("o", "#7f7f7f", 10.0, "Capital unreachable"),
}
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
_TIERS_NOTE = (
    "Certain: reached from every point each site may be at, with every admissible range; "
    "possible: from some. Range circles: from the sites' centres, with the published range."
)


def _path(polys: Iterable[MultiPolygon]) -> MplPath:
    """One compound matplotlib path; exteriors counter-clockwise, holes clockwise."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for mp in polys:
        if mp.is_empty:
            continue
        for poly in shapely.orient_polygons(mp, exterior_cw=False).geoms:
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 4:
                    continue
                c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
                c[0] = MplPath.MOVETO
                c[-1] = MplPath.CLOSEPOLY
                verts.append(xy)
                codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.vstack(verts), np.concatenate(codes))


# --------------------------------------------------------------------------- drawing


def _title(result: ReachResult, tiers: UncertainResult | None = None) -> str:
    labels = [s.label for s in (result.sites if tiers is None else tiers.sites)]
    where = (
        ", ".join(labels)
        if len(labels) <= 3
        else f"{len(labels)} sites ({labels[0]}, {labels[1]}, …)"
    )
    if tiers is not None:
        return f"Within reach of {where}: {range_text(tiers.range)}"
    rng = result.range
    km = "" if rng.unit == "km" else f" ({rng.km_text})"
    return f"Within reach of {where}: {rng}{km}"


def _km_label(radius_km: float) -> str:
    return f"{radius_km:,.0f} km" if radius_km >= 10 else f"{radius_km:,.1f} km"


def _draw_rings(ax: Axes, proj: Projector, result: ReachResult) -> bool:
    """Draw each site's range circles; return whether any part lies beyond the view."""
    clipped = False
    radii = [(result.range.max_km, _REACH_EDGE, "-")]
    if result.range.min_km >= MIN_DRAWN_RADIUS_KM:
        radii.append((result.range.min_km, _HOLE_EDGE, "--"))
    for n, site in enumerate(result.sites):
        for radius, colour, style in radii:
            if radius >= ANTIPODAL_DISTANCE_KM:
                continue  # the whole Earth: no circle
            runs, out = proj.circle(lat=site.lat, lon=site.lon, radius_km=radius)
            clipped |= out
            for run in runs:
                ax.plot(run[:, 0], run[:, 1], color=colour, lw=1.1, ls=style, zorder=4)
            if n < _LABELLED_SITES_RINGS:
                _label_ring(ax, proj, site, radius, colour)
    return clipped


def _label_ring(ax: Axes, proj: Projector, site: Site, radius: float, colour: str) -> None:
    for az in (150.0, 210.0, 30.0, 330.0, 180.0, 0.0, 90.0, 270.0):
        la, lo = destination(lat=site.lat, lon=site.lon, azimuth_deg=az, distance_km=radius)
        d = float(distance_km(lat1=proj.view.lat, lon1=proj.view.lon, lat2=la, lon2=lo))
        if d <= 0.92 * proj.view.radius_km:
            x, y = proj.points(np.array([lo]), np.array([la]))
            ax.text(
                float(x[0]),
                float(y[0]),
                _km_label(radius),
                fontsize=7.5,
                color=colour,
                ha="center",
                va="center",
                zorder=7,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "lw": 0.6},
            )
            return


class _Capital(NamedTuple):
    name: str
    country: str
    lat: float
    lon: float
    population: int
    status: str  # a reach status, or a tier under uncertainty
    km: float  # distance to the nearest site (under uncertainty: the least)


def _draw_capitals(
    ax: Axes, proj: Projector, result: ReachResult, tiers: UncertainResult | None = None
) -> None:
    """Mark the capitals in view by status (or by tier) and name the notable ones.

    Named: the most populous, and the nearest inside the minimum range (under
    uncertainty: the nearest possibly reached).
    """
    if tiers is None:
        caps = [_Capital(c.name, c.country, c.lat, c.lon, c.population, c.status, c.nearest_km)
                for c in result.capitals]  # fmt: skip
        styles, far, notable = _CAPITAL_STYLE, BEYOND, IN_HOLE
    else:
        caps = [_Capital(c.name, c.country, c.lat, c.lon, c.population, c.tier, c.min_km)
                for c in tiers.capitals]  # fmt: skip
        styles, far, notable = _TIER_STYLE, UNREACHABLE, POSSIBLE
    if not caps:
        return
    lon = np.array([c.lon for c in caps])
    lat = np.array([c.lat for c in caps])
    visible = proj.in_view(lon, lat)
    x, y = proj.points(lon, lat)
    status = np.array([c.status for c in caps])
    for st, style in styles.items():
        m = visible & (status == st)
        ax.scatter(
            x[m],
            y[m],
            s=style.size,
            marker=style.marker,
            c=style.color,
            edgecolors="white",
            linewidths=0.5,
            zorder=6 if st != far else 5,
            label=style.label,
        )
    idx = np.flatnonzero(visible)
    by_pop = sorted(idx, key=lambda i: -caps[i].population)[:_LABELLED_CAPITALS]
    hole = sorted((i for i in idx if caps[i].status == notable), key=lambda i: caps[i].km)[
        :_LABELLED_HOLE_CAPITALS
    ]
    site_names = {(s.name, s.country) for s in result.sites}
    for i in sorted({*by_pop, *hole}):
        if (caps[i].name, caps[i].country) in site_names:
            continue  # the site's own label names it
        ax.annotate(
            caps[i].name,
            (float(x[i]), float(y[i])),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=6.5,
            color="#333333",
            zorder=6,
            path_effects=_HALO,
        )


def _draw_sites(ax: Axes, proj: Projector, result: ReachResult) -> None:
    lon = np.array([s.lon for s in result.sites])
    lat = np.array([s.lat for s in result.sites])
    x, y = proj.points(lon, lat)
    ax.scatter(
        x,
        y,
        s=70,
        marker="*",
        c="black",
        edgecolors="white",
        linewidths=0.6,
        zorder=8,
        label="Site",
    )
    for s, xi, yi in zip(result.sites, x, y, strict=True):
        ax.annotate(
            s.label,
            (float(xi), float(yi)),
            xytext=(5, -9),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            zorder=8,
            path_effects=_HALO,
        )


def _draw_tiers(ax: Axes, proj: Projector, tiers: UncertainResult) -> None:
    """Shade the certain zone and the possible band; outline each site's disc or polygon."""
    certain = proj.polygons(tiers.certain_envelope)
    band = as_multipolygon(shapely.difference(proj.polygons(tiers.possible_envelope), certain))
    path = _path([band])
    ax.add_artist(PathPatch(path, fc=_POSSIBLE_FILL, ec="none", alpha=_POSSIBLE_ALPHA, zorder=2))
    ax.add_artist(
        PathPatch(path, fc="none", ec=_REACH_FILL, lw=0, hatch="////", alpha=0.6, zorder=2)
    )
    ax.add_artist(
        PathPatch(_path([certain]), fc=_REACH_FILL, ec="none", alpha=_CERTAIN_ALPHA, zorder=2)
    )
    for s in tiers.sites:
        if s.polygon is not None:
            area = proj.polygons(Polygon([(lo, la) for la, lo in s.polygon]))
            ax.add_artist(PathPatch(_path([area]), fc="none", ec=_SITE_AREA, lw=0.9, zorder=7))
        elif s.radius_km > 0:
            runs, _ = proj.circle(lat=s.site.lat, lon=s.site.lon, radius_km=s.radius_km)
            for run in runs:
                ax.plot(run[:, 0], run[:, 1], color=_SITE_AREA, lw=0.9, zorder=7)


def _legend_handles(result: ReachResult, tiers: UncertainResult | None) -> list[Patch | Line2D]:
    rng = result.range
    hole = rng.min_km >= MIN_DRAWN_RADIUS_KM
    if tiers is None:
        areas = [Patch(fc=_REACH_FILL, alpha=0.3, ec="none", label=f"Within range ({rng.km_text})")]
        styles = {st: s for st, s in _CAPITAL_STYLE.items() if st != IN_HOLE or hole}
    else:
        areas = [
            Patch(fc=_REACH_FILL, alpha=_CERTAIN_ALPHA, ec="none",
                  label="Certainly within range (every admissible site and range)"),
            Patch(fc=_POSSIBLE_FILL, alpha=_POSSIBLE_ALPHA, ec=_REACH_FILL, lw=0, hatch="////",
                  label="Possibly within range (some admissible site and range)"),
        ]  # fmt: skip
        styles = _TIER_STYLE
    handles: list[Patch | Line2D] = [
        *areas,
        Line2D([], [], color=_REACH_EDGE, lw=1.1,
               label="Maximum range" if tiers is None else "Maximum range from the centre"),
    ]  # fmt: skip
    if hole:
        handles.append(
            Line2D(
                [], [], color=_HOLE_EDGE, lw=1.1, ls="--", label="Minimum range (too close inside)"
            )
        )
    handles.append(
        Line2D([], [], ls="none", marker="*", ms=10, mfc="black", mec="white", label="Site")
    )
    if tiers is not None and any(s.radius_km > 0 for s in tiers.sites):
        handles.append(
            Line2D([], [], color=_SITE_AREA, lw=0.9, label="Where a site may be (disc or polygon)")
        )
    handles += [
        Line2D([], [], ls="none", marker=s.marker, ms=np.sqrt(s.size) + 1, mfc=s.color,
               mec="white", label=s.label)
        for s in styles.values()
    ]  # fmt: skip
    return handles


def render_map_png(
    result: ReachResult, *, width_px: int = 1400, tiers: UncertainResult | None = None
) -> bytes:
    """Draw the map of an analysis as a PNG image.

    Parameters
    ----------
    result : ReachResult
        The analysis (see :func:`reachmap.analysis.reach.analyze`).
    width_px : int
        Width of the image in pixels (200 to 6,000); the height follows
        (about 1.16 times the width).
    tiers : UncertainResult, optional
        The reach of the same sites under uncertainty: the map then shades the zone
        certainly within range and the band possibly within range instead of the
        envelope, outlines where each site may be, marks the capitals by tier and
        widens the view to the possible reach (:func:`reachmap.report.tiers.tiers_view`).

    Returns
    -------
    bytes
        A PNG image: countries (Natural Earth 1:50m), the envelope shaded with the
        minimum-range hole left open, each site's minimum and maximum range rings
        labelled in kilometres, the sites, and the national capitals in view
        coloured (and shaped) by status, with a legend, a title and a footer
        naming the projection, its centre and the data credits. Everything within
        :func:`map_view`'s radius of the centre is shown.

    Raises
    ------
    InputError
        If ``width_px`` is out of range.

    Examples
    --------
    >>> from reachmap.analysis.reach import analyze, resolve_site
    >>> from reachmap.geo.units import parse_range
    >>> png = render_map_png(
    ...     analyze([resolve_site("Minsk")], parse_range("500-5500 km")), width_px=400
    ... )
    >>> png[1:4]
    b'PNG'
    """
    if not 200 <= int(width_px) <= 6000:
        raise InputError("width_px", width_px, "a width from 200 to 6,000 pixels")
    view = map_view(result) if tiers is None else tiers_view(result, tiers)
    proj = Projector(view)
    r = view.radius_km

    width_in, height_in = 10.0, 11.6
    fig = Figure(figsize=(width_in, height_in), dpi=int(width_px) / width_in, facecolor="white")
    map_in = 9.0
    ax = fig.add_axes(
        (
            (width_in - map_in) / 2 / width_in,
            1.75 / height_in,
            map_in / width_in,
            map_in / height_in,
        )
    )
    ax.set_xlim(-1.01 * r, 1.01 * r)
    ax.set_ylim(-1.01 * r, 1.01 * r)
    ax.set_aspect("equal")
    ax.set_axis_off()

    ax.add_artist(Circle((0.0, 0.0), r, fc=_OCEAN, ec="none", zorder=0))
    countries = load_countries()
    tree = shapely.STRtree(countries.geometry)
    hits = sorted(tree.query(proj.disc, predicate="intersects").tolist())
    land = [proj.polygons(countries.geometry[i]) for i in hits]
    ax.add_artist(PathPatch(_path(land), fc=_LAND, ec=_BORDER, lw=0.35, zorder=1))
    if tiers is None:
        reach = proj.polygons(result.envelope)
        ax.add_artist(PathPatch(_path([reach]), fc=_REACH_FILL, ec="none", alpha=0.3, zorder=2))
    else:
        _draw_tiers(ax, proj, tiers)
    ax.add_artist(Circle((0.0, 0.0), r, fc="none", ec="#6b6b6b", lw=0.8, zorder=9))

    rings_clipped = _draw_rings(ax, proj, result)
    _draw_capitals(ax, proj, result, tiers)
    _draw_sites(ax, proj, result)

    handles = _legend_handles(result, tiers)
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.75 / height_in),
        ncol=2,
        fontsize=8.5,
        frameon=False,
        handlelength=2.2,
        columnspacing=2.0,
    )
    fig.text(
        0.5,
        1 - 0.45 / height_in,
        _title(result, tiers),
        ha="center",
        va="center",
        fontsize=14,
        fontweight="bold",
        wrap=True,
    )
    view_note = f"The map shows everything within {r:,.0f} km of the centre"
    if rings_clipped:
        view_note += "; parts of the range circles lie beyond its edge"
    footer = "\n".join(
        [
            *textwrap.wrap(f"{view.caption} {view_note}.", 175),
            *([] if tiers is None else textwrap.wrap(_TIERS_NOTE, 175)),
            "Envelope and range circles: geodesics on the WGS84 ellipsoid. "
            "Country outlines: Natural Earth 1:50m (public domain). "
            "Capitals: GeoNames (geonames.org), CC BY 4.0. Made with reachmap.",
        ]
    )
    fig.text(
        0.5,
        0.32 / height_in,
        footer,
        ha="center",
        va="center",
        fontsize=7.2,
        color="#444444",
        linespacing=1.5,
    )

    # Agg draws a few thousand distinct colours, nearly all anti-aliasing shades: a
    # 256-colour palette without dithering looks the same and is about 4x smaller.
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    palette = rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    palette.save(buf, format="PNG", optimize=True, dpi=(fig.dpi, fig.dpi))
    return buf.getvalue()
