"""Coefficient alpha and its companions from a keyed covariance matrix, as R psych 2.2.9's
`alpha()` computes them (its inner function `alpha.1`, `smc`, `cov2cor`, `alpha.ci`).

Every function takes the covariance matrix C of a scale's keyed items (k x k, k >= 2,
pairwise-complete covariances) or the correlation matrix R made from it. Sources and
formulas: docs/analysis.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from profdiag._psychometrics.variables import FloatArray


@dataclass(frozen=True)
class AlphaStatistics:
    raw_alpha: float
    std_alpha: float
    g6_smc: float
    average_r: float
    signal_noise: float
    q: float  # n * ase^2: the asymptotic variance term of alpha (Duhachek & Iacobucci)
    median_r: float


@dataclass(frozen=True)
class ItemTotal:
    """Per item: correlation with the standardised total (std_r), the same with each
    item's own variance replaced by its smc (r_cor), with the rest of the scale (r_drop),
    and raw alpha with the item left out."""

    std_r: FloatArray
    r_cor: FloatArray
    r_drop: FloatArray
    alpha_if_dropped: FloatArray


def cov_to_cor(c: FloatArray) -> FloatArray:
    """R's `cov2cor`: C_ij / sqrt(C_ii C_jj), with exact ones on the diagonal."""
    scale = np.sqrt(1.0 / np.diag(c))
    r = scale[:, None] * c * scale[None, :]
    np.fill_diagonal(r, 1.0)
    return r


def alpha_statistics(c: FloatArray, r: FloatArray) -> AlphaStatistics:
    """psych's `alpha.1`. Division by zero (items keyed against each other can sum to no
    variance) gives inf or NaN, as in R, for the caller to explain."""
    n = c.shape[0]
    with np.errstate(all="ignore"):
        total, trace = np.float64(c.sum()), np.float64(np.trace(c))
        raw = (1.0 - trace / total) * (n / (n - 1))
        sum_r = np.float64(r.sum())
        std = (1.0 - n / sum_r) * (n / (n - 1))
        g6 = 1.0 - (n - np.float64(smc(r).sum())) / sum_r
        average_r = (sum_r - n) / (n * (n - 1))
        signal_noise = n * average_r / (1.0 - average_r)
        cc = c @ c
        q = (2.0 * n**2 / ((n - 1) ** 2 * total**3)) * (
            total * (np.trace(cc) + trace**2) - 2.0 * trace * cc.sum()
        )
    median_r = float(np.median(r[np.tril_indices(n, -1)]))
    return AlphaStatistics(
        float(raw),
        float(std),
        float(g6),
        float(average_r),
        float(signal_noise),
        float(q),
        median_r,
    )


def smc(r: FloatArray) -> FloatArray:
    """Squared multiple correlation of each variable with the others: 1 - 1 / diag(R^+),
    R^+ psych's `Pinv` (singular values below sqrt(eps) times the largest dropped), then
    limited to [0, 1] as psych does."""
    u, d, vt = np.linalg.svd(r)
    keep = d > max(math.sqrt(np.finfo(float).eps) * d[0], 0.0)
    inverse = (vt[keep].T / d[keep]) @ u[:, keep].T
    with np.errstate(divide="ignore"):
        values = 1.0 - 1.0 / np.diag(inverse)
    if np.isnan(values).all():
        return np.ones_like(values)
    return np.clip(values, 0.0, 1.0)


def item_total(c: FloatArray, r: FloatArray) -> ItemTotal:
    """NaN where a square root of a negative sum would be needed (items keyed against
    each other), as in psych."""
    n = c.shape[0]
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    column = c.sum(axis=0)
    variance = np.diag(c)
    rest = float(c.sum()) - 2.0 * column + variance  # 1'C1 of the scale without the item
    # A rest (or item) variance within rounding of zero is zero: the correlation is then
    # undefined, whatever order the sums were taken in.
    tiny = 1e-12 * max(1.0, float(np.abs(c).max()))
    spread = np.where((variance > tiny) & (rest > tiny), variance * rest, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        std_r = r.sum(axis=0) / np.sqrt(r.sum())
        r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
        r_drop = (column - variance) / np.sqrt(spread)
        if n > 2:
            trace = float(np.trace(c))
            defined_rest = np.where(rest > tiny, rest, np.nan)
            dropped = (1.0 - (trace - variance) / defined_rest) * ((n - 1) / (n - 2))
        else:
            dropped = np.full(n, np.nan)  # one item is left: it has no alpha
    return ItemTotal(std_r, r_cor, r_drop, dropped)


def feldt_interval(alpha: float, n_obs: int, n_items: int, level: float) -> tuple[float, float]:
    """Feldt's (1965) interval for alpha, as psych's `alpha.ci`:
    1 - (1 - alpha) * F quantiles with n - 1 and (n - 1)(k - 1) degrees of freedom."""
    from scipy.special import fdtri  # imported when needed: scipy costs ~0.2 s at start-up

    tail = (1.0 - level) / 2.0
    df1, df2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    lower = 1.0 - (1.0 - alpha) * float(fdtri(df1, df2, 1.0 - tail))
    upper = 1.0 - (1.0 - alpha) * float(fdtri(df1, df2, tail))
    return lower, upper
