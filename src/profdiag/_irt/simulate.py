"""Simulated adaptive tests, all examinees in lockstep: what a bank's precision costs in
items, and Sympson–Hetter exposure parameters found by simulation.

Examinees are drawn from N(0, 1); each step, every examinee still testing gets the item
`AdaptiveTest` would choose (maximum information at the EAP, content area, randomesque,
Sympson–Hetter), answers it by the model at their true theta, and has the posterior on the
grid updated. Rows of arrays are examinees, so a step is a handful of array operations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._irt.cat import BankArrays, CatRules
from profdiag._irt.models import TINY, FloatArray, ItemBank, _logistic, bank_probabilities
from profdiag._irt.quadrature import Quadrature, normal_quadrature
from profdiag.errors import ArgumentError

THETA_BANDS = (-np.inf, -2.0, -1.0, 0.0, 1.0, 2.0, np.inf)


@dataclass(frozen=True)
class CatSimulation:
    """Per examinee: true theta, estimate, posterior SD, test length; per item: how often
    it was given (`exposure`, a rate) and considered (`selection`, a rate)."""

    true_theta: FloatArray
    theta: FloatArray
    standard_error: FloatArray
    n_items: NDArray[np.intp]
    exposure: FloatArray
    selection: FloatArray

    def summary(self) -> dict[str, float]:
        error = self.theta - self.true_theta
        return {
            "mean_items": float(self.n_items.mean()),
            "rmse": float(np.sqrt(np.mean(error**2))),
            "bias": float(error.mean()),
            "max_exposure": float(self.exposure.max()),
        }

    def by_theta(self) -> list[dict[str, Any]]:
        """Test length and precision per band of true theta (width 1, open ends)."""
        rows = []
        for low, high in itertools.pairwise(THETA_BANDS):
            inside = (self.true_theta >= low) & (self.true_theta < high)
            if not inside.any():
                continue
            error = self.theta[inside] - self.true_theta[inside]
            rows.append(
                {
                    "theta_from": None if np.isinf(low) else low,
                    "theta_to": None if np.isinf(high) else high,
                    "n": int(inside.sum()),
                    "mean_items": float(self.n_items[inside].mean()),
                    "mean_se": float(self.standard_error[inside].mean()),
                    "rmse": float(np.sqrt(np.mean(error**2))),
                    "bias": float(error.mean()),
                }
            )
        return rows


def simulate_cat(
    bank: ItemBank,
    n_persons: int,
    rules: CatRules,
    seed: int = 0,
    quadrature: Quadrature | None = None,
) -> CatSimulation:
    """Simulate adaptive tests for `n_persons` examinees drawn from N(0, 1).

    Every examinee takes the test `AdaptiveTest` would give (maximum information at the
    EAP, content areas, randomesque, Sympson-Hetter, stopping rules), answering each item
    by the model at their true theta.

    Parameters
    ----------
    bank
        The item bank (e.g. `AdaptiveTest.from_instrument(instrument).bank`).
    n_persons
        How many examinees.
    rules
        Selection and stopping rules.
    seed
        Seed of the random draws (true thetas, answers, exposure control).
    quadrature
        The theta grid (default 61 points on [-6, 6]).

    Returns
    -------
    CatSimulation
        Per examinee true theta, estimate, SE and test length; per item exposure and
        selection rates; `summary()` = {mean_items, rmse, bias, max_exposure} and
        `by_theta()` for bands of true theta.

    Raises
    ------
    ArgumentError
        For fewer than one examinee.

    Examples
    --------
    >>> from profdiag._irt.models import ItemBank, ItemParameters
    >>> bank = ItemBank(tuple(ItemParameters("2pl", 1.8, (b / 4,)) for b in range(-8, 9)))
    >>> run = simulate_cat(bank, 200, CatRules(se_target=0.5, max_items=10), seed=1)
    >>> 2 < run.summary()["mean_items"] <= 10, run.summary()["rmse"] < 0.7
    (True, True)
    """
    if n_persons < 1:
        raise ArgumentError(f"at least 1 simulated examinee; got {n_persons}")
    quadrature = quadrature or normal_quadrature()
    rng = np.random.default_rng(seed)
    n, size = n_persons, bank.size
    true_theta = rng.standard_normal(n)
    arrays = BankArrays(bank)
    log_at_nodes = np.log(np.maximum(bank_probabilities(bank, quadrature.nodes), TINY))
    log_posterior = np.tile(quadrature.log_weights, (n, 1))
    unavailable = np.zeros((n, size), dtype=bool)  # given, or passed over (Sympson-Hetter)
    administered = np.zeros((n, size), dtype=bool)
    given = np.zeros(n, dtype=np.intp)
    active = np.ones(n, dtype=bool)
    exposure_counts = np.zeros(size)
    selection_counts = np.zeros(size)
    accept_probability = np.ones(size) if rules.exposure is None else rules.exposure
    areas = _area_codes(rules)
    thresholds = np.nan_to_num(bank.b, nan=np.inf)  # a missing threshold: never reached
    for _ in range(min(rules.max_items, size)):
        rows = np.flatnonzero(active)
        theta, se = _posterior_summary(log_posterior[rows], quadrature)
        done = (given[rows] >= rules.min_items) & (se <= rules.se_target)
        active[rows[done]] = False
        rows, theta = rows[~done], theta[~done]
        if rows.size == 0:
            break
        information = arrays.information(theta).T  # (n_active, I)
        blocked = unavailable[rows] | _area_block(areas, administered[rows], unavailable[rows])
        information[blocked] = -np.inf
        # Rows whose open items were all passed over may take those again; rows with every
        # item given stop.
        stuck = ~np.isfinite(information).any(axis=1)
        if stuck.any():
            again = arrays.information(theta[stuck]).T
            again[administered[rows[stuck]]] = -np.inf
            information[stuck] = again
            spent = ~np.isfinite(information).any(axis=1)
            active[rows[spent]] = False
            rows, theta, information = rows[~spent], theta[~spent], information[~spent]
            if rows.size == 0:
                break
        chosen, passed_rows, passed, considered_items = _choose(
            information, rows, rules.randomesque, accept_probability, rng
        )
        np.add.at(selection_counts, considered_items, 1.0)
        unavailable[passed_rows, passed] = True
        category = _answers(bank, thresholds, chosen, true_theta[rows], rng)
        log_posterior[rows] += log_at_nodes[chosen, category]
        unavailable[rows, chosen] = True
        administered[rows, chosen] = True
        given[rows] += 1
        np.add.at(exposure_counts, chosen, 1.0)
    theta, se = _posterior_summary(log_posterior, quadrature)
    return CatSimulation(true_theta, theta, se, given, exposure_counts / n, selection_counts / n)


def _choose(
    information: FloatArray,
    rows: NDArray[np.intp],
    randomesque: int,
    accept_probability: FloatArray,
    rng: np.random.Generator,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """Per row: the item given; the (row, item) pairs passed over by Sympson-Hetter; every
    item considered (passed over or given), for the selection rates."""
    order = np.argsort(-information, axis=1, kind="stable")
    if randomesque > 1:
        order = _shuffle_leading(order, information, randomesque, rng)
    ranked_open = np.isfinite(np.take_along_axis(information, order, axis=1))
    accept = (rng.random(order.shape) < accept_probability[order]) & ranked_open
    last_open = ranked_open.sum(axis=1) - 1
    first = np.where(accept.any(axis=1), np.argmax(accept, axis=1), last_open)
    chosen = order[np.arange(rows.size), first]
    considered = (np.arange(order.shape[1])[None, :] <= first[:, None]) & ranked_open
    passed = order[considered & (order != chosen[:, None])]
    passed_rows = np.repeat(rows, considered.sum(axis=1) - 1)
    return chosen, passed_rows, passed, order[considered]


def sympson_hetter(
    bank: ItemBank,
    rules: CatRules,
    max_exposure: float,
    n_persons: int = 1000,
    iterations: int = 12,
    seed: int = 0,
) -> FloatArray:
    """Exposure parameters K (Sympson & Hetter 1985): simulate with K, then for every item
    selected with probability P(S) > r set K = r / P(S), else 1; repeat."""
    if not 0 < max_exposure <= 1:
        raise ArgumentError(f"a maximum exposure rate in (0, 1]; got {max_exposure!r}")
    k = np.ones(bank.size)
    for iteration in range(iterations):
        trial = CatRules(
            rules.se_target, rules.max_items, rules.min_items, rules.randomesque, k,
            rules.content_areas, rules.content_targets,
        )  # fmt: skip
        run = simulate_cat(bank, n_persons, trial, seed=seed + 1 + iteration)
        selected = run.selection
        k = np.where(selected > max_exposure, max_exposure / np.maximum(selected, TINY), 1.0)
    return k


def _posterior_summary(
    log_posterior: FloatArray, quadrature: Quadrature
) -> tuple[FloatArray, FloatArray]:
    weights = np.exp(log_posterior - log_posterior.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    mean = weights @ quadrature.nodes
    variance = weights @ quadrature.nodes**2 - mean**2
    return mean, np.sqrt(np.maximum(variance, 0.0))


def _answers(
    bank: ItemBank,
    thresholds: FloatArray,
    items: NDArray[np.intp],
    theta: FloatArray,
    rng: np.random.Generator,
) -> NDArray[np.intp]:
    """A category per examinee drawn from the model: the number of cumulative curves
    P*(k) = c + (1 - c) logistic(a (theta - b_k)) that a uniform draw falls under."""
    a, c = bank.a[items][:, None], bank.c[items][:, None]
    cumulative = c + (1 - c) * _logistic(a * (theta[:, None] - thresholds[items]))
    cumulative = np.where(np.isinf(thresholds[items]), 0.0, cumulative)
    draws = rng.random((items.size, 1))
    categories: NDArray[np.intp] = (draws < cumulative).sum(axis=1).astype(np.intp)
    return categories


def _shuffle_leading(
    order: NDArray[np.intp], information: FloatArray, count: int, rng: np.random.Generator
) -> NDArray[np.intp]:
    """Randomesque: the first `count` open items of each row in a random order."""
    leading = order[:, :count]
    open_leading = np.isfinite(np.take_along_axis(information, leading, axis=1))
    keys = np.where(open_leading, rng.random(leading.shape), np.inf)
    shuffled = np.take_along_axis(leading, np.argsort(keys, axis=1), axis=1)
    result = order.copy()
    result[:, :count] = shuffled
    return result


def _area_codes(rules: CatRules) -> tuple[NDArray[np.intp], FloatArray] | None:
    if rules.content_areas is None or rules.content_targets is None:
        return None
    names = list(rules.content_targets)
    codes = np.array(
        [names.index(area) if area in names else -1 for area in rules.content_areas],
        dtype=np.intp,
    )
    return codes, np.array([rules.content_targets[name] for name in names])


def _area_block(
    areas: tuple[NDArray[np.intp], FloatArray] | None,
    administered: NDArray[np.bool_],
    unavailable: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Items outside each examinee's neediest content area: the one furthest below its
    target share among the areas with items left."""
    if areas is None:
        return np.zeros_like(unavailable)
    codes, targets = areas
    in_area = [(codes == area)[None, :] for area in range(targets.size)]
    given_by_area = np.stack([(administered & mask).sum(axis=1) for mask in in_area], axis=1)
    left: NDArray[np.bool_] = np.stack(
        [(~unavailable & mask).any(axis=1) for mask in in_area], axis=1
    )
    given = np.maximum(administered.sum(axis=1), 1)[:, None]
    shortfall = np.where(left, targets[None, :] - given_by_area / given, -np.inf)
    neediest = np.argmax(shortfall, axis=1)
    outside: NDArray[np.bool_] = np.not_equal(codes[None, :], neediest[:, None])
    any_left = np.asarray(left.any(axis=1), dtype=bool)
    result: NDArray[np.bool_] = outside & any_left[:, None]
    return result
