"""Item response functions of the 2PL, 3PL and graded response models, vectorised.

All models use the logistic metric without the 1.7 scaling constant (as mirt and ltm do):

    2PL    P(x = 1 | theta) = 1 / (1 + exp(-a (theta - b)))
    3PL    P(x = 1 | theta) = c + (1 - c) / (1 + exp(-a (theta - b)))
    GRM    P(x >= k | theta) = 1 / (1 + exp(-a (theta - b_k))),  k = 1..K-1 (Samejima 1969)
           P(x = k) = P(x >= k) - P(x >= k + 1), with P(x >= 0) = 1 and P(x >= K) = 0

Categories are numbered 0..K-1 (for 2PL/3PL: 0 = wrong or "no", 1 = right or "yes").
An `ItemBank` holds the parameters of I items as arrays, thresholds padded with NaN, so
that one call evaluates every item at every theta.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntMatrix = NDArray[np.int64]  # category indices, -1 = no answer
IrtModel = Literal["2pl", "3pl", "grm"]
MODELS: tuple[IrtModel, ...] = ("2pl", "3pl", "grm")
# Probabilities are kept inside [TINY, 1 - TINY] so that logs stay finite.
TINY = 1e-12


@dataclass(frozen=True)
class ItemParameters:
    """One item's parameters: slope `a`, thresholds `b` (one for 2PL/3PL, K-1 for GRM),
    lower asymptote `c` (3PL only)."""

    model: IrtModel
    a: float
    b: tuple[float, ...]
    c: float = 0.0

    @property
    def n_categories(self) -> int:
        return len(self.b) + 1

    @property
    def n_parameters(self) -> int:
        return 1 + len(self.b) + (1 if self.model == "3pl" else 0)

    def as_vector(self) -> FloatArray:
        """(a, b_1, ..., b_{K-1}[, c]): the parametrisation standard errors are reported in."""
        tail = (self.c,) if self.model == "3pl" else ()
        return np.array((self.a, *self.b, *tail), dtype=np.float64)

    @classmethod
    def from_vector(cls, model: IrtModel, vector: Sequence[float] | FloatArray) -> ItemParameters:
        values = [float(v) for v in vector]
        if model == "3pl":
            return cls(model, values[0], tuple(values[1:-1]), values[-1])
        return cls(model, values[0], tuple(values[1:]))


@dataclass(frozen=True)
class ItemBank:
    """I items' parameters as arrays: `a` (I,), `b` (I, K_max - 1) NaN-padded, `c` (I,),
    `n_categories` (I,)."""

    items: tuple[ItemParameters, ...]

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def a(self) -> FloatArray:
        return np.array([item.a for item in self.items], dtype=np.float64)

    @property
    def c(self) -> FloatArray:
        return np.array([item.c for item in self.items], dtype=np.float64)

    @property
    def n_categories(self) -> NDArray[np.intp]:
        return np.array([item.n_categories for item in self.items], dtype=np.intp)

    @property
    def b(self) -> FloatArray:
        width = max(item.n_categories for item in self.items) - 1
        padded = np.full((self.size, width), np.nan)
        for row, item in enumerate(self.items):
            padded[row, : len(item.b)] = item.b
        return padded

    @property
    def max_categories(self) -> int:
        return int(self.n_categories.max())


@dataclass(frozen=True)
class GuessingPrior:
    """Beta(alpha, beta) prior on the 3PL lower asymptote c (BILOG-MG's practice; mean
    alpha / (alpha + beta): 0.2 for the default Beta(5, 17))."""

    alpha: float = 5.0
    beta: float = 17.0


def category_probabilities(item: ItemParameters, theta: FloatArray) -> FloatArray:
    """P(x = k | theta) for one item: shape (K, len(theta)), columns summing to 1."""
    theta = np.asarray(theta, dtype=np.float64)
    thresholds = np.asarray(item.b, dtype=np.float64)
    cumulative = _logistic(item.a * (theta[None, :] - thresholds[:, None]))  # (K-1, Q)
    if item.model == "3pl":
        cumulative = item.c + (1.0 - item.c) * cumulative
    upper = np.vstack([np.ones_like(theta)[None, :], cumulative])
    lower = np.vstack([cumulative, np.zeros_like(theta)[None, :]])
    probabilities: FloatArray = np.clip(upper - lower, TINY, 1.0)
    return probabilities


def bank_probabilities(bank: ItemBank, theta: FloatArray) -> FloatArray:
    """P(x = k | theta) for every item: shape (I, K_max, Q), zero beyond an item's K."""
    theta = np.asarray(theta, dtype=np.float64)
    out = np.zeros((bank.size, bank.max_categories, theta.size))
    for row, item in enumerate(bank.items):
        out[row, : item.n_categories] = category_probabilities(item, theta)
    return out


def item_information(item: ItemParameters, theta: FloatArray) -> FloatArray:
    """Fisher information of one item at each theta.

    I(theta) = sum_k P'_k(theta)^2 / P_k(theta), which is a^2 P (1 - P) for the 2PL and
    a^2 (P - c)^2 (1 - P) / ((1 - c)^2 P) for the 3PL.
    """
    theta = np.asarray(theta, dtype=np.float64)
    thresholds = np.asarray(item.b, dtype=np.float64)
    star = _logistic(item.a * (theta[None, :] - thresholds[:, None]))
    slope = item.a * star * (1.0 - star)  # d P*_k / d theta, before the 3PL's (1 - c)
    if item.model == "3pl":
        star = item.c + (1.0 - item.c) * star
        slope = (1.0 - item.c) * slope
    probability = np.vstack([1.0 - star[:1], star[:-1] - star[1:], star[-1:]])
    derivative = np.vstack([-slope[:1], slope[:-1] - slope[1:], slope[-1:]])
    information: FloatArray = (derivative**2 / np.clip(probability, TINY, None)).sum(axis=0)
    return information


def test_information(bank: ItemBank, theta: FloatArray) -> FloatArray:
    """The test information function: the sum of the items' information at each theta."""
    theta = np.asarray(theta, dtype=np.float64)
    total = np.zeros(theta.size)
    for item in bank.items:
        total += item_information(item, theta)
    return total


def _logistic(z: FloatArray) -> FloatArray:
    result: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free 1 / (1 + exp(-z))
    return result
