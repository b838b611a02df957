"""The M-step of Bock–Aitkin EM: one item's parameters from its expected category counts.

Given r[k, q], the expected number of persons at node theta_q answering category k, the
item maximises the expected complete-data log-likelihood

    l(item) = sum_q sum_k r[k, q] log P_k(theta_q)   (+ log prior of c for the 3PL)

The optimiser works in an unconstrained slope-intercept form, z_k = a theta + d_k:
GRM and 2PL (a GRM with two categories) use (a, d_1, log(d_1 - d_2), ...), which keeps the
intercepts decreasing and so the categories ordered; the 3PL uses (a, d, logit c). The
gradient is analytic:

    dl/dz_k = W_k (r_k / P_k - r_{k-1} / P_{k-1}),  W_k = P*_k (1 - P*_k)

Results are returned in the IRT form, b_k = -d_k / a.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from profdiag._irt.models import (
    TINY,
    FloatArray,
    GuessingPrior,
    IrtModel,
    ItemParameters,
    _logistic,
)

MAX_SLOPE = 20.0


def to_free(item: ItemParameters) -> FloatArray:
    a = item.a
    d = -a * np.asarray(item.b, dtype=np.float64)
    if item.model == "3pl":
        c = min(max(item.c, 1e-6), 1 - 1e-6)
        return np.array([a, d[0], np.log(c / (1 - c))])
    gaps = np.log(np.maximum(d[:-1] - d[1:], 1e-8))
    return np.concatenate([[a, d[0]], gaps])


def from_free(model: IrtModel, free: FloatArray) -> ItemParameters:
    a = float(free[0])
    if model == "3pl":
        c = float(_logistic(np.array(free[2])))
        return ItemParameters(model, a, (float(-free[1] / a),), c)
    d = _intercepts(free)
    return ItemParameters(model, a, tuple(float(x) for x in -d / a))


def _intercepts(free: FloatArray) -> FloatArray:
    steps = np.exp(free[2:])
    intercepts: FloatArray = free[1] - np.concatenate([[0.0], np.cumsum(steps)])
    return intercepts


def graded_objective(
    free: FloatArray, counts: FloatArray, nodes: FloatArray
) -> tuple[float, FloatArray]:
    """Minus the expected log-likelihood of a GRM/2PL item and its gradient in free form."""
    a = free[0]
    d = _intercepts(free)
    star = _logistic(a * nodes[None, :] + d[:, None])  # (K-1, Q)
    ones = np.ones((1, nodes.size))
    upper = np.vstack([ones, star])
    lower = np.vstack([star, 0 * ones])
    probability = np.clip(upper - lower, TINY, None)  # (K, Q)
    value = float((counts * np.log(probability)).sum())
    ratio = counts / probability
    dz = star * (1 - star) * (ratio[1:] - ratio[:-1])  # (K-1, Q)
    d_intercepts = dz.sum(axis=1)
    grad_a = float((dz * nodes[None, :]).sum())
    tail = np.cumsum(d_intercepts[::-1])[::-1]  # sum_{j >= k} dl/dd_j
    grad = np.concatenate([[grad_a, d_intercepts.sum()], -np.exp(free[2:]) * tail[1:]])
    return -value, -grad


def three_pl_objective(
    free: FloatArray, counts: FloatArray, nodes: FloatArray, prior: GuessingPrior
) -> tuple[float, FloatArray]:
    """Minus the expected log-likelihood (+ log Beta prior on c) of a 3PL item, with gradient."""
    a, d, gamma = free
    c = float(_logistic(np.array(gamma)))
    star = _logistic(a * nodes + d)
    p1 = np.clip(c + (1 - c) * star, TINY, 1 - TINY)
    p0 = 1 - p1
    value = float((counts[1] * np.log(p1) + counts[0] * np.log(p0)).sum())
    value += (prior.alpha - 1) * np.log(c) + (prior.beta - 1) * np.log(1 - c)
    dp = counts[1] / p1 - counts[0] / p0
    dz = dp * (1 - c) * star * (1 - star)
    grad_gamma = float((dp * (1 - star)).sum()) * c * (1 - c)
    grad_gamma += (prior.alpha - 1) * (1 - c) - (prior.beta - 1) * c
    grad = np.array([float((dz * nodes).sum()), float(dz.sum()), grad_gamma])
    return -value, -grad


def maximise_item(
    item: ItemParameters, counts: FloatArray, nodes: FloatArray, prior: GuessingPrior
) -> ItemParameters:
    """One M-step for one item, started from its current parameters."""
    start = to_free(item)
    bounds = [(-MAX_SLOPE, MAX_SLOPE)] + [(None, None)] * (start.size - 1)
    if item.model == "3pl":
        solution = minimize(
            three_pl_objective,
            start,
            args=(counts[:2], nodes, prior),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
        )
    else:
        solution = minimize(
            graded_objective,
            start,
            args=(counts[: item.n_categories], nodes),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
        )
    free = solution.x if np.all(np.isfinite(solution.x)) else start
    if abs(free[0]) < 1e-6:
        free = free.copy()
        free[0] = 1e-6 if free[0] >= 0 else -1e-6
    return from_free(item.model, free)


def expected_log_likelihood(
    item: ItemParameters, counts: FloatArray, nodes: FloatArray, prior: GuessingPrior
) -> float:
    """l(item) in the IRT parametrisation (used to differentiate for standard errors)."""
    from profdiag._irt.models import category_probabilities

    probability = category_probabilities(item, nodes)
    value = float((counts[: item.n_categories] * np.log(probability)).sum())
    if item.model == "3pl":
        value += (prior.alpha - 1) * np.log(item.c) + (prior.beta - 1) * np.log(1 - item.c)
    return value
