"""Item fit: Orlando & Thissen's (2000) S-X2, in Kang & Chen's (2008) form for polytomous
items.

Persons are grouped by their summed score S (the sum of category indices; only persons
who answered every item). For item i and score s the model implies

    E[x_i = k | S = s] = integral P_ik(theta) f_-i(s - k | theta) phi(theta) dtheta
                         / integral f(s | theta) phi(theta) dtheta

with f and f_-i the summed-score distributions of all items and of all items but i,
computed by the Lord–Wingersky (1984) recursion at each quadrature node. Expected counts
N_s E[...] are compared with the observed ones:

    S-X2_i = sum_groups sum_k (O - E)^2 / E,   df = sum_groups (categories possible - 1)
                                                     - number of item parameters

Adjacent score groups are merged (from the low end, the last remainder into its
neighbour) until every possible cell expects at least `min_expected` persons (1 by
default, as mirt's `mincell`). A df of 0 or less gives no statistic.
"""

from __future__ import annotations

import numpy as np

from profdiag._irt.models import FloatArray, IntMatrix, ItemBank, category_probabilities
from profdiag._irt.quadrature import Quadrature
from profdiag._irt.result import ItemFit


def summed_score_distribution(probabilities: list[FloatArray]) -> FloatArray:
    """Lord–Wingersky: P(S = s | node) for items with category probabilities (K_i, Q)."""
    n_nodes = probabilities[0].shape[1] if probabilities else 1
    distribution = np.ones((1, n_nodes))
    for item in probabilities:
        k = item.shape[0]
        grown = np.zeros((distribution.shape[0] + k - 1, n_nodes))
        for category in range(k):
            grown[category : category + distribution.shape[0]] += distribution * item[category]
        distribution = grown
    return distribution


def s_x2(
    bank: ItemBank, responses: IntMatrix, quadrature: Quadrature, min_expected: float = 1.0
) -> tuple[ItemFit | None, ...]:
    """S-X2 for every item of `bank` from the complete rows of `responses`."""
    complete = responses[(responses >= 0).all(axis=1)]
    if complete.shape[0] == 0:
        return tuple(None for _ in bank.items)
    probabilities = [category_probabilities(item, quadrature.nodes) for item in bank.items]
    weights = quadrature.weights
    total = summed_score_distribution(probabilities) @ weights  # P(S = s)
    scores = complete.sum(axis=1)
    n_at_score = np.bincount(scores, minlength=total.size).astype(np.float64)
    fits: list[ItemFit | None] = []
    for i, item in enumerate(bank.items):
        rest = summed_score_distribution(probabilities[:i] + probabilities[i + 1 :])
        k = item.n_categories
        expected_share = np.zeros((total.size, k))
        for category in range(k):
            joint = (probabilities[i][category][None, :] * rest) @ weights
            expected_share[category : category + joint.size, category] = joint
        expected_share /= np.where(total > 0, total, 1.0)[:, None]
        observed = np.zeros((total.size, k))
        np.add.at(observed, (scores, complete[:, i]), 1.0)
        fits.append(
            _statistic(
                observed, expected_share * n_at_score[:, None], item.n_parameters, min_expected
            )
        )
    return tuple(fits)


def _statistic(
    observed: FloatArray, expected: FloatArray, n_parameters: int, min_expected: float
) -> ItemFit | None:
    from scipy.stats import chi2

    possible = expected > 0
    groups: list[list[int]] = []
    current: list[int] = []
    for s in range(expected.shape[0]):
        if not possible[s].any() or expected[s].sum() == 0:
            continue
        current.append(s)
        cells = expected[current].sum(axis=0)
        mask = possible[current].any(axis=0)
        if (cells[mask] >= min_expected).all():
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    statistic, df = 0.0, -n_parameters
    for group in groups:
        mask = possible[group].any(axis=0)
        e = expected[group].sum(axis=0)[mask]
        o = observed[group].sum(axis=0)[mask]
        statistic += float(((o - e) ** 2 / e).sum())
        df += int(mask.sum()) - 1
    if df <= 0:
        return None
    return ItemFit(statistic, df, float(chi2.sf(statistic, df)))
