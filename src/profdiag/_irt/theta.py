"""Theta estimates for any response pattern with gaps, vectorised over persons.

EAP (Bock & Mislevy 1982): the posterior mean over the quadrature grid, with the posterior
SD as its standard error,

    EAP_n = sum_q theta_q L_n(theta_q) w_q / sum_q L_n(theta_q) w_q

MAP: the posterior mode under the N(0, 1) prior, by Newton steps on all persons at once
started from the EAP; its standard error is 1 / sqrt(the observed information of the
posterior at the mode), as ltm's empirical Bayes scores report. A person with no answer
gets the prior: theta 0, SE 1 (EAP) — flagged by `n_answered == 0`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from profdiag._irt.likelihood import (
    BLOCK_ROWS,
    one_hot,
    one_hot_columns,
    stacked_log_probabilities,
)
from profdiag._irt.models import TINY, FloatArray, IntMatrix, ItemBank, _logistic
from profdiag._irt.quadrature import Quadrature, normal_quadrature

ThetaMethod = Literal["eap", "map"]
NEWTON_STEPS = 50


@dataclass(frozen=True)
class ThetaEstimates:
    """theta (N,), its standard error (N,) and how many items each person answered."""

    method: ThetaMethod
    theta: FloatArray
    standard_error: FloatArray
    n_answered: NDArray[np.intp]

    def t_scores(self) -> tuple[FloatArray, FloatArray]:
        """T = 50 + 10 theta and its standard error of measurement, 10 x SE."""
        return 50.0 + 10.0 * self.theta, 10.0 * self.standard_error


def estimate_theta(
    bank: ItemBank,
    responses: IntMatrix,
    method: ThetaMethod = "eap",
    quadrature: Quadrature | None = None,
    workers: int | None = None,
) -> ThetaEstimates:
    """Theta for every row of `responses` (category indices, -1 = no answer); blocks of
    rows run on `workers` threads (default: one per core)."""
    quadrature = quadrature or normal_quadrature()
    n = responses.shape[0]
    theta = np.empty(n)
    error = np.empty(n)
    stacked = stacked_log_probabilities(bank, quadrature.nodes)
    width = stacked.shape[0]
    columns = one_hot_columns(bank, responses)
    arrays = _BankArrays.of(bank)

    def run(rows: slice) -> None:
        log_lik = one_hot(columns[rows], width) @ stacked
        joint = log_lik + quadrature.log_weights[None, :]
        weights = np.exp(joint - joint.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        mean = weights @ quadrature.nodes
        if method == "eap":
            theta[rows] = mean
            error[rows] = np.sqrt(np.maximum(weights @ quadrature.nodes**2 - mean**2, 0.0))
        else:
            start = _grid_mode(joint, quadrature.nodes)
            theta[rows], error[rows] = _posterior_mode(arrays, responses[rows], start)

    blocks = [slice(start, min(start + BLOCK_ROWS, n)) for start in range(0, n, BLOCK_ROWS)]
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        list(pool.map(run, blocks))
    answered = (responses >= 0).sum(axis=1).astype(np.intp)
    return ThetaEstimates(method, theta, error, answered)


def _grid_mode(log_posterior: FloatArray, nodes: FloatArray) -> FloatArray:
    """The vertex of the parabola through the grid's highest log posterior and its two
    neighbours: within about 1e-3 of the mode, so Newton needs two or three steps."""
    peak = np.clip(np.argmax(log_posterior, axis=1), 1, nodes.size - 2)
    rows = np.arange(log_posterior.shape[0])
    left, centre, right = (log_posterior[rows, peak + shift] for shift in (-1, 0, 1))
    bend = left - 2 * centre + right
    step = nodes[1] - nodes[0]
    offset = np.where(bend < 0, 0.5 * (left - right) / np.where(bend < 0, bend, -1.0), 0.0)
    vertex: FloatArray = nodes[peak] + step * np.clip(offset, -1.0, 1.0)
    return vertex


@dataclass(frozen=True)
class _BankArrays:
    """Per item: slope, lower asymptote, and thresholds padded to K_max - 1 columns."""

    a: FloatArray
    c: FloatArray
    b: FloatArray
    last: NDArray[np.intp]  # the highest category index of each item

    @classmethod
    def of(cls, bank: ItemBank) -> _BankArrays:
        b = np.nan_to_num(bank.b, nan=0.0)
        return cls(bank.a, bank.c, np.hstack([b, np.zeros((bank.size, 1))]), bank.n_categories - 1)


def _posterior_mode(
    bank: _BankArrays, responses: IntMatrix, start: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Newton-Raphson on log L(theta) - theta^2 / 2 for a block of persons; a step that
    would lower the log posterior is halved. Convergence is quadratic, so after a step
    below 1e-5 the estimate is within about 1e-10 of the mode and the person leaves the
    loop; from the grid's parabola (within ~1e-3) that takes two steps."""
    terms = _PatternTerms.of(bank, responses)
    theta = start.copy()
    value, gradient, curvature = terms.log_posterior(theta)
    active = np.arange(theta.size)
    for _ in range(NEWTON_STEPS):
        if active.size == 0:
            break
        sub = terms.rows(active)
        bend = curvature[active]
        step = np.clip(-gradient[active] / np.where(bend < 0, bend, -1.0), -1.0, 1.0)
        for _ in range(30):
            trial = theta[active] + step
            new_value, new_gradient, new_curvature = sub.log_posterior(trial)
            worse = new_value < value[active] - 1e-12
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        keep = ~worse
        moved = active[keep]
        theta[moved] = trial[keep]
        value[moved] = new_value[keep]
        gradient[moved] = new_gradient[keep]
        curvature[moved] = new_curvature[keep]
        active = active[keep & (np.abs(step) > 1e-5)]
    information = -curvature
    se = np.where(information > 0, 1 / np.sqrt(np.maximum(information, TINY)), np.nan)
    return theta, se


@dataclass(frozen=True)
class _PatternTerms:
    """For each (person, item): the two cumulative curves bounding the chosen category x.
    With P*(k) = c + (1 - c) logistic(a (theta - b_k)), the answer's probability is
    P*(x) - P*(x + 1), where P*(0) = 1 and P*(K) = 0. Those two ends (and no answer, whose
    probability is 1) are expressed by infinite thresholds and a zero asymptote, so one
    formula serves every cell without branches."""

    a: FloatArray  # (1, I)
    b_low: FloatArray  # (n, I): b_x, or -inf/+inf (by the sign of a) for P*(0) = 1
    b_high: FloatArray  # (n, I): b_{x+1}, or +inf/-inf for P*(K) = 0
    c_low: FloatArray  # (n, I)
    c_high: FloatArray  # (n, I): 0 where P*(x + 1) is the empty end

    @classmethod
    def of(cls, bank: _BankArrays, responses: IntMatrix) -> _PatternTerms:
        x = np.maximum(responses, 0)
        items = np.arange(responses.shape[1])[None, :]
        sign = np.where(bank.a >= 0, 1.0, -1.0)[None, :]
        answered = responses >= 0
        bottom = (x == 0) | ~answered
        top = (x == bank.last[None, :]) | ~answered
        c = np.broadcast_to(bank.c[None, :], responses.shape)
        return cls(
            bank.a[None, :],
            np.where(bottom, -np.inf * sign, bank.b[items, np.maximum(x - 1, 0)]),
            np.where(top, np.inf * sign, bank.b[items, x]),
            np.where(bottom, 0.0, c),
            np.where(top, 0.0, c),
        )

    def rows(self, index: NDArray[np.intp]) -> _PatternTerms:
        return _PatternTerms(
            self.a, self.b_low[index], self.b_high[index], self.c_low[index], self.c_high[index]
        )

    def log_posterior(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """log posterior and its first and second derivative in theta, per person."""
        low = self._cumulative(theta, self.b_low, self.c_low)
        high = self._cumulative(theta, self.b_high, self.c_high)
        p = np.maximum(low[0] - high[0], TINY)
        first = (low[1] - high[1]) / p
        second = (low[2] - high[2]) / p - first**2
        value = np.log(p).sum(axis=1) - 0.5 * theta**2
        return value, first.sum(axis=1) - theta, second.sum(axis=1) - 1.0

    def _cumulative(
        self, theta: FloatArray, b: FloatArray, c: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        star = _logistic(self.a * (theta[:, None] - b))
        scaled_slope = (1.0 - c) * self.a * star * (1.0 - star)
        value = c + (1.0 - c) * star
        return value, scaled_slope, scaled_slope * self.a * (1.0 - 2.0 * star)
