"""Uncertain ranges: each end of a range as an interval, optionally with a most likely value.

"Up to 5,500 km" is one figure; "4,500-5,000 km" read as estimates of the maximum is an
interval of the maximum. :class:`UncertainRange` holds both ends as :class:`Interval`
(kilometres) and gives the narrowest and widest admissible annuli that the reach tiers of
:mod:`reachmap.analysis.uncertainty` are decided on; the Monte Carlo draws sample each end
uniformly (or triangularly, with a mode) in its interval. :mod:`reachmap.analysis.uncertainty`
re-exports these names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from reachmap.errors import InputError
from reachmap.geo.units import MAX_KM, RangeKm, parse_range

__all__ = ["Interval", "UncertainRange", "parse_interval"]


@dataclass(frozen=True)
class Interval:
    """An uncertain distance: from ``lo_km`` to ``hi_km``, optionally most likely ``mode_km``.

    Examples
    --------
    >>> Interval(4500.0, 5000.0).width_km
    500.0
    >>> Interval(5500.0, 5500.0).is_exact
    True
    """

    lo_km: float
    hi_km: float
    mode_km: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo_km) and math.isfinite(self.hi_km)):
            raise InputError("range", (self.lo_km, self.hi_km), "finite distances in km")
        if not 0.0 <= self.lo_km <= self.hi_km <= MAX_KM:
            raise InputError(
                "range", f"{self.lo_km:g}-{self.hi_km:g} km",
                f"an interval from low to high within 0-{MAX_KM:,.0f} km",
            )  # fmt: skip
        if self.mode_km is not None and not self.lo_km <= self.mode_km <= self.hi_km:
            raise InputError(
                "range_mode", f"{self.mode_km:g} km",
                f"a most likely value within {self.lo_km:,.0f}-{self.hi_km:,.0f} km",
            )  # fmt: skip

    @property
    def width_km(self) -> float:
        """``hi_km - lo_km``, in kilometres."""
        return self.hi_km - self.lo_km

    @property
    def is_exact(self) -> bool:
        """Whether the interval is one value."""
        return self.lo_km == self.hi_km

    def text(self) -> str:
        """``"4,500–5,000 km"``, or ``"5,500 km"`` for one value."""
        if self.is_exact:
            return f"{self.lo_km:,.0f} km"
        mode = f" (most likely {self.mode_km:,.0f})" if self.mode_km is not None else ""
        return f"{self.lo_km:,.0f}–{self.hi_km:,.0f} km{mode}"

    def sample(self, gen: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values, uniform in the interval or triangular about the mode."""
        if self.is_exact:
            return np.full(n, self.lo_km)
        if self.mode_km is None:
            return gen.uniform(self.lo_km, self.hi_km, n)
        return gen.triangular(self.lo_km, self.mode_km, self.hi_km, n)


def parse_interval(text: str, *, field: str = "max_range", mode: str | None = None) -> Interval:
    """Read an uncertain distance: ``"4,500-5,000 km"``, ``"3,400 miles"``, ``"5500"``.

    Parameters
    ----------
    text : str
        One figure or two (low, high), with a unit as :func:`reachmap.geo.units.parse_range`
        reads them.
    field : str
        Input field name for error messages.
    mode : str, optional
        The most likely value, in the same syntax (one figure).

    Returns
    -------
    Interval

    Examples
    --------
    >>> parse_interval("4,500-5,000 km")
    Interval(lo_km=4500.0, hi_km=5000.0, mode_km=None)
    >>> parse_interval("up to 3,400 miles").text()
    '5,472 km'
    >>> parse_interval("4000-6000 km", mode="5000 km").mode_km
    5000.0
    """
    rng = parse_range(text, field=field)
    lo = rng.max_km if rng.min_published is None else rng.min_km
    mode_km = None
    if mode is not None and str(mode).strip():
        m = parse_range(mode, field=f"{field}_mode")
        if m.min_published is not None:
            raise InputError(f"{field}_mode", mode, "one figure, e.g. '5,000 km'")
        mode_km = m.max_km
    try:
        return Interval(lo, rng.max_km, mode_km)
    except InputError as err:
        raise InputError(f"{field}_mode", mode, err.allowed) from err


@dataclass(frozen=True)
class UncertainRange:
    """A range whose minimum and maximum are each known only to an interval.

    Attributes
    ----------
    min : Interval
        The minimum range (inner radius), in kilometres; ``Interval(0, 0)`` for none.
    max : Interval
        The maximum range (outer radius), in kilometres.
    text : str
        How the range was given, for reports.

    Examples
    --------
    >>> r = UncertainRange.from_range(parse_range("500-5500 km"))
    >>> r.is_exact, r.worst, r.best
    (True, (500.0, 5500.0), (500.0, 5500.0))
    >>> UncertainRange.from_range(parse_range("4,500-5,000 km"), max_estimates=True).worst
    (0.0, 4500.0)
    """

    min: Interval
    max: Interval
    text: str = ""

    def __post_init__(self) -> None:
        if self.min.hi_km > self.max.lo_km:
            raise InputError(
                "range", self.text or f"{self.min.text()} / {self.max.text()}",
                "a minimum range that ends at or below the lowest maximum range "
                f"({self.max.lo_km:,.0f} km)",
            )  # fmt: skip

    @classmethod
    def from_range(
        cls, rng: RangeKm, *, max_estimates: bool = False, max_interval: Interval | None = None
    ) -> UncertainRange:
        """Build from a published range.

        Parameters
        ----------
        rng : RangeKm
            The published range (an annulus, or a disc).
        max_estimates : bool
            The text's two figures are estimates of the *maximum* (no minimum range).
        max_interval : Interval, optional
            The maximum range's interval, replacing the published maximum.
        """
        if max_estimates and rng.min_published is not None:
            lo = Interval(0.0, 0.0)
            hi = Interval(rng.min_km, rng.max_km)
        else:
            lo = Interval(rng.min_km, rng.min_km)
            hi = Interval(rng.max_km, rng.max_km)
        text = str(rng)
        if max_interval is not None:
            hi = max_interval
            text = f"{text}; maximum {max_interval.text()}"
        return cls(lo, hi, text)

    @classmethod
    def from_classifiable(
        cls, subject: Any, *, max_interval: Interval | None = None
    ) -> UncertainRange:
        """Build from a resolved system (:func:`reachmap.rules.classification.classifiable`).

        A catalog figure that is a spread of estimates of the maximum ("4,500-5,000 km",
        ``meaning = "max-estimate"``) becomes an interval of the maximum range with no
        minimum; a minimum-maximum figure stays exact.

        Parameters
        ----------
        subject : Classifiable
            The system: its drawn range and its range capability.
        max_interval : Interval, optional
            The maximum range's interval, replacing the system's.

        Examples
        --------
        >>> from reachmap.rules.classification import classifiable
        >>> UncertainRange.from_classifiable(classifiable(system="Oreshnik")).worst
        (0.0, 5500.0)
        """
        rng = subject.range_km
        lo, hi = subject.capability_km
        low = Interval(0.0, 0.0) if lo < hi else Interval(rng.min_km, rng.min_km)
        high = Interval(lo, hi)
        text = str(rng) if lo == hi else f"{lo:,.0f}–{hi:,.0f} km (estimates of the maximum)"
        if max_interval is not None:
            high = max_interval
            text = f"{text}; maximum {max_interval.text()}"
        return cls(low, high, text)

    @property
    def is_exact(self) -> bool:
        """Whether both ends are single values."""
        return self.min.is_exact and self.max.is_exact

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The four distances tiers compare bounds with, in kilometres."""
        return (self.min.lo_km, self.min.hi_km, self.max.lo_km, self.max.hi_km)

    @property
    def worst(self) -> tuple[float, float]:
        """``(min_km, max_km)`` of the narrowest admissible annulus."""
        return (self.min.hi_km, self.max.lo_km)

    @property
    def best(self) -> tuple[float, float]:
        """``(min_km, max_km)`` of the widest admissible annulus."""
        return (self.min.lo_km, self.max.hi_km)

    @property
    def nominal(self) -> RangeKm:
        """The widest annulus as a :class:`RangeKm`, for envelopes and tables."""
        lo, hi = self.best
        if lo > 0:
            return parse_range(f"{lo!r}-{hi!r} km")
        return parse_range(f"{hi!r} km")
