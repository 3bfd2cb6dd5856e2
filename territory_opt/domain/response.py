"""Sales-response curves: the yearly sales of an account as a function of its calls a year.

An ADBUDG curve (Little 1970, as in Lodish's CALLPLAN 1971), scaled by the account's
``potential``:

    sales(c) = potential × (s0 + (smax − s0) · c^γ / (δ + c^γ))

``s0`` is the share of potential sold with no calls, ``smax`` the share at saturation, and
γ, δ set how fast calls get there. With 0 < γ ≤ 1 the curve is concave (each further call
adds less); with γ > 1 it is S-shaped, which the profit objective refuses (a clear error).

Curves come from judgment points (:func:`fit_judgment`: four or five points per role and tier,
as CALLPLAN asked managers for them) or from history (:func:`fit_shares`, used by
:mod:`territory_opt.measure.calibration`). :class:`ResponseModel` holds every curve of a
scenario with the money side (margin, cost of an hour of travel) and the frequency menus.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from territory_opt.domain.errors import InputError
from territory_opt.domain.response_section import JudgmentCurve, ResponseSection

#: a fitted γ may exceed 1 by this much (float noise at the bound) and count as concave
GAMMA_TOLERANCE = 1e-6
#: bounds of the fitted exponent γ and of log δ
GAMMA_BOUNDS = (0.05, 4.0)
LOG_DELTA_BOUNDS = (-12.0, 25.0)
#: the judgment points a fitted curve misses by more than this share of potential are named
#: in the curve's note (not an error: judgment is rough)
NOTE_RESIDUAL = 0.03

FloatArray = npt.NDArray[np.float64]


def adbudg(calls: npt.ArrayLike, s0: float, smax: float, gamma: float,
           delta: float) -> FloatArray:
    """The ADBUDG share of potential at ``calls`` a year (module docstring)."""
    c = np.maximum(np.asarray(calls, dtype=float), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        p = c**gamma
        frac = np.where(np.isfinite(p), p / (delta + p), 1.0)
    return np.asarray(s0 + (smax - s0) * frac, dtype=float)


@dataclass(frozen=True)
class ResponseCurve:
    """One role and tier's curve: shares of potential ``s0`` (no calls) and ``smax``
    (saturation), exponent ``gamma`` and ``delta``. ``source`` is ``judgment`` or
    ``fitted``; ``n`` the accounts behind a fitted curve (0 for judgment); ``band`` per
    frequency of ``band_calls`` the 5% and 95% quantiles of a bootstrap of the fit (empty for
    judgment); ``note`` says where a curve came from when it is not plain."""

    role: str
    tier: str
    s0: float
    smax: float
    gamma: float
    delta: float
    source: str = "judgment"
    n: int = 0
    band_calls: tuple[float, ...] = ()
    band: tuple[tuple[float, float], ...] = ()
    note: str = ""

    def share(self, calls: npt.ArrayLike) -> FloatArray:
        """Yearly sales as a share of potential at ``calls`` a year."""
        return adbudg(calls, self.s0, self.smax, self.gamma, self.delta)

    def label(self) -> str:
        """``judgment`` or ``fitted, n=…``."""
        return "judgment" if self.source == "judgment" else f"fitted, n={self.n}"

    def as_dict(self) -> dict[str, object]:
        return {"role": self.role, "tier": self.tier, "source": self.source, "n": self.n,
                "s0": round(self.s0, 6), "smax": round(self.smax, 6),
                "gamma": round(self.gamma, 6), "delta": round(self.delta, 6),
                "band_calls": list(self.band_calls),
                "band": [[round(lo, 6), round(hi, 6)] for lo, hi in self.band],
                "note": self.note}


# --------------------------------------------------------------------------- fitting


def fit_shares(calls: npt.ArrayLike, shares: npt.ArrayLike, *, s0: float | None = None,
               smax: float | None = None, max_gamma: float = GAMMA_BOUNDS[1],
               weights: npt.ArrayLike | None = None,
               start: tuple[float, float, float, float] | None = None
               ) -> tuple[float, float, float, float]:
    """Least-squares ADBUDG parameters (s0, smax, γ, δ) through (calls, share) observations.
    ``s0`` and ``smax`` are fixed when given; ``max_gamma`` = 1 keeps the fit concave;
    ``start`` (s0, smax, γ, δ) is where the search begins (e.g. a bootstrap's full fit)."""
    c = np.asarray(calls, dtype=float)
    y = np.asarray(shares, dtype=float)
    w = np.ones_like(y) if weights is None else np.sqrt(np.asarray(weights, dtype=float))
    top = float(y.max()) if len(y) else 1.0
    low = float(y[c == c.min()].mean()) if len(y) else 0.0
    g_hi = min(max_gamma, GAMMA_BOUNDS[1])
    # unknowns: [s0?, smax?, gamma, log delta]
    x0, lo, hi = [], [], []
    if s0 is None:
        x0.append(min(max(low, 0.0), top))
        lo.append(0.0)
        hi.append(1.0)
    if smax is None:
        x0.append(min(1.0, top * 1.1 + 1e-3))
        lo.append(0.0)
        hi.append(1.0)
    mid = float(np.median(c[c > 0])) if (c > 0).any() else 1.0
    g0 = min(0.8, g_hi)
    x0 += [g0, g0 * np.log(max(mid, 1e-6))]
    lo += [GAMMA_BOUNDS[0], LOG_DELTA_BOUNDS[0]]
    hi += [g_hi, LOG_DELTA_BOUNDS[1]]
    if start is not None:
        known = [start[0]] * (s0 is None) + [start[1]] * (smax is None)
        x0 = known + [start[2], float(np.log(max(start[3], 1e-12)))]
    x0 = list(np.clip(x0, np.array(lo) + 1e-9, np.array(hi) - 1e-9))

    def unpack(x: FloatArray) -> tuple[float, float, float, float]:
        k = 0
        a = s0 if s0 is not None else float(x[k])
        k += s0 is None
        b = smax if smax is not None else float(x[k])
        k += smax is None
        return a, b, float(x[k]), float(np.exp(x[k + 1]))

    def residuals(x: FloatArray) -> FloatArray:
        a, b, g, d = unpack(x)
        return w * (adbudg(c, a, b, g, d) - y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = least_squares(residuals, np.asarray(x0, dtype=float), bounds=(lo, hi),
                            method="trf")
    a, b, g, d = unpack(res.x)
    if b < a:  # a flat curve: no lift from calls
        b = a
    return a, b, g, d


def fit_judgment(role: str, tier: str, curve: JudgmentCurve,
                 file: str | None = None) -> ResponseCurve:
    """The ADBUDG curve through one role and tier's judgment points, checked: sales must not
    fall as calls rise or pass the saturation, and each further call must add no more than the
    one before (the points concave). The fit is the least-squares ADBUDG curve with γ ≤ 1, so
    it is concave too; where it misses a point by more than NOTE_RESIDUAL of potential the
    curve's note says so. Anything else is an InputError naming the key."""
    key = f"response.curves.{role}.{tier}"
    calls = np.array(list(curve.points), dtype=float)
    shares = np.array(list(curve.points.values()), dtype=float)
    for k in range(1, len(calls)):
        if shares[k] < shares[k - 1]:
            raise InputError(f"sales fall from {shares[k - 1]:g} at {calls[k - 1]:g} "
                             f"calls to {shares[k]:g} at {calls[k]:g} calls; a response curve "
                             "must not fall as calls rise", file=file, column=key)
    sat = curve.saturation
    if sat is not None and shares.max() > sat:
        raise InputError(f"the saturation {sat:g} is below the point "
                         f"{shares.max():g}; saturation is the most calls can sell",
                         file=file, column=key)
    slopes = np.diff(shares) / np.diff(calls)
    rising = np.flatnonzero(np.diff(slopes) > 1e-12)
    if len(rising):
        k = int(rising[0])
        raise InputError(
            f"the points describe an S-shaped curve: sales gain {slopes[k]:.4g} per call "
            f"between {calls[k]:g} and {calls[k + 1]:g} calls but {slopes[k + 1]:.4g} between "
            f"{calls[k + 1]:g} and {calls[k + 2]:g}; each further call must add no more than "
            "the one before (a concave curve)", file=file, column=key)
    s0 = float(shares[0]) if calls[0] == 0 else None
    # the fit stays in the concave family (γ <= 1); how far it misses the points is noted
    a, b, g, d = fit_shares(calls, shares, s0=s0, smax=sat, max_gamma=1.0)
    if g > 1 + GAMMA_TOLERANCE or b < a:
        raise InputError(f"the fitted curve is not concave and rising (γ = {g:.2f}, s0 = "
                         f"{a:.3f}, smax = {b:.3f})", file=file, column=key)
    miss = np.abs(adbudg(calls, a, b, g, d) - shares)
    note = ""
    if miss.max() > NOTE_RESIDUAL:
        k = int(np.argmax(miss))
        note = (f"the fitted curve misses the point at {calls[k]:g} calls by "
                f"{miss[k]:.3f} of potential")
    return ResponseCurve(role, tier, a, b, g, d, "judgment", 0, note=note)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ResponseModel:
    """Every curve of a scenario with the money side. ``curves`` by (role, tier);
    ``missing`` lists the (role, tier) of a frequency role that has no curve yet (a
    ``fit: history`` scenario before calibration)."""

    margin: float
    travel_cost_per_hour: float
    menus: dict[str, tuple[float, ...]]
    curves: dict[tuple[str, str], ResponseCurve]
    fit: str = "judgment"
    sensitivity: float = 0.2
    missing: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def roles(self) -> tuple[str, ...]:
        """Roles whose frequencies the profit objective chooses."""
        return tuple(self.menus)

    def curve(self, role: str, tier: str) -> ResponseCurve | None:
        return self.curves.get((role, tier))

    def expected_sales(self, roles: npt.ArrayLike, tiers: npt.ArrayLike,
                       potential: npt.ArrayLike, calls: npt.ArrayLike) -> FloatArray:
        """Per account potential × its role and tier's curve at ``calls`` (0 where the role
        and tier has no curve: no modelled sales)."""
        roles, tiers = np.asarray(roles), np.asarray(tiers)
        calls = np.asarray(calls, dtype=float)
        out = np.zeros(len(calls))
        for (role, tier), curve in self.curves.items():
            hit = (roles == role) & (tiers == tier)
            out[hit] = curve.share(calls[hit])
        return np.asarray(out * np.asarray(potential, dtype=float), dtype=float)

    def with_curves(self, curves: dict[tuple[str, str], ResponseCurve],
                    notes: tuple[str, ...] = ()) -> ResponseModel:
        """A copy with these curves replacing (or adding to) the current ones."""
        merged = {**self.curves, **curves}
        missing = tuple(k for k in self.missing if k not in merged)
        return replace(self, curves=merged, missing=missing, notes=self.notes + notes)

    def source_text(self) -> str:
        """Where the curves come from, for every money figure: e.g. ``curves: farmer A
        judgment, farmer B fitted n=412``."""
        parts = [f"{r} {t} {c.label()}" for (r, t), c in sorted(self.curves.items())]
        return "curves: " + (", ".join(parts) if parts else "none")


def response_model(section: ResponseSection, tiers_by_role: dict[str, set[str]],
                   file: str | None = None) -> ResponseModel:
    """The curves of a scenario's ``response:`` section for the (role, tier) pairs that have
    accounts: fitted to the judgment points; with ``fit: history`` a pair without points is
    ``missing`` until :mod:`territory_opt.measure.calibration` fits it."""
    curves: dict[tuple[str, str], ResponseCurve] = {}
    missing = []
    for role in section.roles():
        given = section.curves.get(role, {})  # type: ignore[call-overload]
        for tier in sorted(tiers_by_role.get(role, set())):
            if tier in given:
                curves[(role, tier)] = fit_judgment(role, tier, given[tier], file)
            elif section.fit == "history":
                missing.append((role, tier))
            else:
                key = f"response.curves.{role}.{tier}"
                raise InputError(f"no curve: {role}s have {tier} accounts and a "
                                 f"frequency menu, so their sales need a curve (or use "
                                 "response.fit: history)", file=file, column=key)
    menus = {role: section.menu(role) for role in section.roles()}
    return ResponseModel(section.margin, section.travel_cost_per_hour, menus, curves,
                         section.fit, section.sensitivity, tuple(missing))
