"""McDonald's omega (hierarchical and total) as R psych 2.2.9's `omega()` computes it with
its defaults: three group factors by minimum residual (`fa(fm = "minres")`), varimax then
oblimin (GPArotation's `GPFoblq`, quartimin), and a Schmid-Leiman transformation whose
general factor is one minres factor of the group factors' correlations.

Each step follows psych's code: the same objective, gradient, start values, bounds and
parameter scaling for L-BFGS-B; `stats::varimax` with Kaiser normalisation; the same
sign flips and factor order. Sources and formulas: docs/analysis.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from profdiag._psychometrics.alpha import smc
from profdiag._psychometrics.variables import FloatArray

GROUP_FACTORS = 3
LOWEST_UNIQUENESS = 0.005  # psych's lower bound in fa()
EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Omega:
    omega_h: float
    omega_total: float
    reversed: tuple[int, ...]  # items psych reverses: negative loadings on the general factor
    converged: bool
    heywood: bool  # an item's uniqueness at the lower bound: the solution is not well defined


def omega(r: FloatArray, factors: int = GROUP_FACTORS) -> Omega:
    """Omega of the items whose (pairwise) correlation matrix is `r` (psych's `omega(r)`)."""
    orthogonal, converged = factor_analysis(r, factors)
    oblique, phi, rotated = oblimin(orthogonal)
    general, general_converged = factor_analysis(phi, 1)
    loadings = oblique @ general[:, 0]
    communality = (orthogonal**2).sum(axis=1)
    key = np.where(loadings < 0, -1.0, 1.0)
    total = float((r * np.outer(key, key)).sum())
    unique = float((np.diag(r) - communality).sum())
    return Omega(
        omega_h=float(np.abs(loadings).sum()) ** 2 / total,
        omega_total=(total - unique) / total,
        reversed=tuple(int(i) for i in np.flatnonzero(key < 0)),
        converged=converged and rotated and general_converged,
        heywood=bool((communality >= 1.0 - LOWEST_UNIQUENESS - 1e-9).any()),
    )


def factor_analysis(r: FloatArray, factors: int) -> tuple[FloatArray, bool]:
    """psych's `fa(r, factors, fm = "minres", rotate = "varimax")` loadings (for one
    factor unrotated), and whether the minimisation converged."""
    loadings, converged = _minres(r, factors)
    loadings = loadings * _column_signs(loadings)
    loadings[loadings == 0] = 1e-15
    if factors > 1:
        loadings = varimax(loadings)
        loadings = loadings * _column_signs(loadings)
        order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
        loadings = loadings[:, order]
    return loadings, converged


def _column_signs(loadings: FloatArray) -> FloatArray:
    return np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)


def _descending_eigen(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    values, vectors = np.linalg.eigh(s)
    return values[::-1], vectors[:, ::-1]


def _residual(psi: FloatArray, s: FloatArray, factors: int) -> float:
    """psych's `fit.residuals` for minres: the sum of squared off-diagonal residuals."""
    reduced = s.copy()
    np.fill_diagonal(reduced, 1.0 - psi)
    values, vectors = _descending_eigen(reduced)
    values = np.where(values < EPS, 100 * EPS, values)
    loadings = vectors[:, :factors] * np.sqrt(values[:factors])
    residual = (reduced - loadings @ loadings.T)[np.tril_indices(len(psi), -1)]
    return float((residual**2).sum())


def _gradient(psi: FloatArray, s: FloatArray, factors: int) -> FloatArray:
    """psych's `FAgr.minres`."""
    values, vectors = _descending_eigen(s - np.diag(psi))
    loadings = vectors[:, :factors] * np.sqrt(np.maximum(values[:factors], 0.0))
    return np.diag(loadings @ loadings.T + np.diag(psi) - s).copy()


def _minres(s: FloatArray, factors: int) -> tuple[FloatArray, bool]:
    """Uniquenesses by L-BFGS-B as R's `optim(method = "L-BFGS-B", lower = .005,
    upper = max(smc, 1), control = list(parscale = .01))` (factr 1e7, pgtol 0, lmm 5);
    loadings from the eigen decomposition of S with 1 - uniqueness on the diagonal."""
    multiple = smc(s)
    start = np.diag(s) - multiple
    upper = max(float(multiple.max()), 1.0)
    scale = 0.01  # R optimises par / parscale
    from scipy.optimize import minimize  # imported when needed: scipy costs ~0.2 s at start-up

    found = minimize(
        lambda x: _residual(x * scale, s, factors),
        start / scale,
        jac=lambda x: _gradient(x * scale, s, factors) * scale,
        method="L-BFGS-B",
        bounds=[(LOWEST_UNIQUENESS / scale, upper / scale)] * len(start),
        options={"ftol": 1e7 * EPS, "gtol": 0.0, "maxcor": 5, "maxiter": 100},
    )
    psi = found.x * scale
    reduced = s.copy()
    np.fill_diagonal(reduced, np.diag(s) - psi)
    values, vectors = _descending_eigen(reduced)
    return vectors[:, :factors] * np.sqrt(np.maximum(values[:factors], 0.0)), bool(found.success)


def varimax(x: FloatArray, eps: float = 1e-5) -> FloatArray:
    """R's `stats::varimax(x)` (Kaiser normalisation, at most 1,000 iterations)."""
    rows = x.shape[0]
    norms = np.sqrt((x**2).sum(axis=1))
    x = x / norms[:, None]
    rotation = np.eye(x.shape[1])
    criterion = 0.0
    for _ in range(1000):
        z = x @ rotation
        u, singular, vt = np.linalg.svd(x.T @ (z**3 - z * ((z**2).sum(axis=0) / rows)))
        rotation = u @ vt
        previous, criterion = criterion, float(singular.sum())
        if criterion < previous * (1 + eps):
            break
    rotated: FloatArray = (x @ rotation) * norms[:, None]
    return rotated


def _quartimin(loadings: FloatArray) -> tuple[FloatArray, float]:
    """GPArotation's `vgQ.oblimin` with gam = 0: gradient and criterion."""
    others = (loadings**2) @ (1.0 - np.eye(loadings.shape[1]))
    return loadings * others, float((loadings**2 * others).sum() / 4)


def oblimin(
    a: FloatArray, eps: float = 1e-5, max_iterations: int = 1000
) -> tuple[FloatArray, FloatArray, bool]:
    """GPArotation's `oblimin(a)` (gradient projection, `GPFoblq`, from the identity):
    loadings, factor correlations, and whether it converged."""
    transform = np.eye(a.shape[1])
    step = 1.0
    loadings = a
    gradient_q, criterion = _quartimin(loadings)
    gradient = -(loadings.T @ gradient_q).T
    size = math.inf
    for _ in range(max_iterations + 1):
        projected = gradient - transform * (transform * gradient).sum(axis=0)
        size = math.sqrt(float((projected**2).sum()))
        if size < eps:
            break
        step *= 2
        for _ in range(11):
            x = transform - step * projected
            trial = x / np.sqrt((x**2).sum(axis=0))
            inverse = np.linalg.inv(trial)
            loadings = a @ inverse.T
            gradient_q, trial_criterion = _quartimin(loadings)
            if criterion - trial_criterion > 0.5 * size**2 * step:
                break
            step /= 2
        transform = trial
        criterion = trial_criterion
        gradient = -(loadings.T @ gradient_q @ inverse).T
    return loadings, transform.T @ transform, size < eps
