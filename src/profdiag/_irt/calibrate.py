"""Marginal maximum likelihood calibration by EM (Bock & Aitkin 1981).

theta ~ N(0, 1) on a fixed quadrature grid. Each cycle: the E-step gives every item's
expected category counts at every node (likelihood.e_step); the M-step maximises each
item's expected log-likelihood separately (mstep.maximise_item). Cycles stop when no
parameter moves by more than `tolerance` (mirt's rule), or after `max_cycles`.

Standard errors come from the observed information: the Hessian of the marginal
log-likelihood, by central differences of its gradient. By Fisher's identity that gradient
is, item by item, the gradient of the expected complete-data log-likelihood at the
current posterior, so each difference costs one E-step.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from profdiag._irt.likelihood import e_step
from profdiag._irt.models import (
    FloatArray,
    GuessingPrior,
    IntMatrix,
    IrtModel,
    ItemBank,
    ItemParameters,
)
from profdiag._irt.mstep import expected_log_likelihood, maximise_item
from profdiag._irt.quadrature import Quadrature, normal_quadrature
from profdiag._irt.result import Calibration
from profdiag.errors import ArgumentError

MAX_CATEGORIES = 20


def category_indices(
    values: FloatArray, item_ids: Sequence[str], model: IrtModel
) -> tuple[IntMatrix, tuple[tuple[float, ...], ...]]:
    """Response codes (NaN = no answer) -> category indices 0..K-1 per item (-1 = none),
    the categories being each item's distinct observed codes in increasing order."""
    values = np.asarray(values, dtype=np.float64)
    indices = np.full(values.shape, -1, dtype=np.int64)
    categories: list[tuple[float, ...]] = []
    for column, item_id in enumerate(item_ids):
        observed = values[:, column]
        answered = ~np.isnan(observed)
        codes = np.unique(observed[answered])
        if codes.size < 2:
            raise ArgumentError(
                f"item {item_id!r}: expected at least two different answers to calibrate, "
                f"got {codes.size} ({', '.join(f'{c:g}' for c in codes) or 'none'})"
            )
        if codes.size > MAX_CATEGORIES:
            raise ArgumentError(
                f"item {item_id!r}: at most {MAX_CATEGORIES} different response codes for "
                f"an ordered-category item; got {codes.size} (a score or an id column, not "
                "an item?)"
            )
        if model != "grm" and codes.size != 2:
            raise ArgumentError(
                f"item {item_id!r}: the {model.upper()} model takes two response codes "
                f"(wrong/right); got {codes.size}: {', '.join(f'{c:g}' for c in codes)}"
            )
        indices[answered, column] = np.searchsorted(codes, observed[answered])
        categories.append(tuple(float(c) for c in codes))
    return indices, tuple(categories)


def calibrate_indices(
    responses: IntMatrix,
    item_ids: Sequence[str],
    categories: Sequence[Sequence[float]],
    model: IrtModel,
    *,
    quadrature: Quadrature | None = None,
    tolerance: float = 1e-5,
    max_cycles: int = 2000,
    guessing_prior: GuessingPrior | None = None,
    standard_errors: bool = True,
) -> Calibration:
    """EM on category indices (see the module docstring); `calibrate` is the public door."""
    quadrature = quadrature or normal_quadrature()
    prior = guessing_prior or GuessingPrior()
    patterns, frequencies = _unique_patterns(responses)
    bank = _start_values(responses, [len(c) for c in categories], model)
    max_change, converged, cycle = np.inf, False, 0
    for cycle in range(1, max_cycles + 1):  # noqa: B007 (cycle is reported)
        step = e_step(bank, patterns, frequencies, quadrature)
        updated = ItemBank(
            tuple(
                maximise_item(item, step.counts[i], quadrature.nodes, prior)
                for i, item in enumerate(bank.items)
            )
        )
        max_change = max(
            float(np.max(np.abs(new.as_vector() - old.as_vector())))
            for new, old in zip(updated.items, bank.items, strict=True)
        )
        bank = updated
        if max_change < tolerance:
            converged = True
            break
    final = e_step(bank, patterns, frequencies, quadrature)
    if not converged:
        warnings.warn(
            f"EM stopped after {max_cycles} cycles without converging (largest parameter "
            f"change {max_change:.2g}, tolerance {tolerance:g})",
            RuntimeWarning,
            stacklevel=2,
        )
    errors = (
        _standard_errors(bank, patterns, frequencies, quadrature, prior)
        if standard_errors
        else tuple(np.full(item.n_parameters, np.nan) for item in bank.items)
    )
    from profdiag._irt.fit import s_x2

    return Calibration(
        model=model,
        item_ids=tuple(item_ids),
        categories=tuple(tuple(c) for c in categories),
        bank=bank,
        standard_errors=errors,
        log_likelihood=final.log_likelihood,
        cycles=cycle,
        converged=converged,
        max_change=max_change,
        n_persons=int(frequencies.sum()),
        item_fit=s_x2(bank, responses, quadrature),
        quadrature_points=int(quadrature.nodes.size),
    )


def _unique_patterns(responses: IntMatrix) -> tuple[IntMatrix, FloatArray]:
    patterns, counts = np.unique(responses, axis=0, return_counts=True)
    return patterns.astype(np.int64), counts.astype(np.float64)


def _start_values(responses: IntMatrix, n_categories: Sequence[int], model: IrtModel) -> ItemBank:
    """a = 1; thresholds from the observed cumulative proportions, b_k = -logit P(x >= k)."""
    items = []
    for column, k in enumerate(n_categories):
        answered = responses[:, column][responses[:, column] >= 0]
        share = np.array([(answered >= cat).mean() for cat in range(1, k)])
        share = np.clip(share, 0.02, 0.98)
        thresholds = -np.log(share / (1 - share))
        thresholds = np.maximum.accumulate(thresholds + np.arange(k - 1) * 1e-3)
        c = 0.2 if model == "3pl" else 0.0
        items.append(ItemParameters(model, 1.0, tuple(float(t) for t in thresholds), c))
    return ItemBank(tuple(items))


def _marginal_score(
    bank: ItemBank,
    patterns: IntMatrix,
    frequencies: FloatArray,
    quadrature: Quadrature,
    prior: GuessingPrior,
) -> FloatArray:
    """The gradient of the marginal log-likelihood in (a, b, [c]) per item, concatenated."""
    counts = e_step(bank, patterns, frequencies, quadrature).counts
    gradient = []
    for i, item in enumerate(bank.items):
        vector = item.as_vector()
        for p in range(vector.size):
            h = 1e-5 * max(1.0, abs(vector[p]))
            up, down = vector.copy(), vector.copy()
            up[p] += h
            down[p] -= h
            value_up = expected_log_likelihood(
                ItemParameters.from_vector(item.model, up), counts[i], quadrature.nodes, prior
            )
            value_down = expected_log_likelihood(
                ItemParameters.from_vector(item.model, down), counts[i], quadrature.nodes, prior
            )
            gradient.append((value_up - value_down) / (2 * h))
    return np.array(gradient)


def _standard_errors(
    bank: ItemBank,
    patterns: IntMatrix,
    frequencies: FloatArray,
    quadrature: Quadrature,
    prior: GuessingPrior,
) -> tuple[FloatArray, ...]:
    vectors = [item.as_vector() for item in bank.items]
    flat = np.concatenate(vectors)
    sizes = [v.size for v in vectors]
    hessian = np.empty((flat.size, flat.size))
    for p in range(flat.size):
        h = 1e-4 * max(1.0, abs(flat[p]))
        shifted = []
        for sign in (1.0, -1.0):
            moved = flat.copy()
            moved[p] += sign * h
            shifted.append(
                _marginal_score(
                    _bank_from(bank, moved, sizes), patterns, frequencies, quadrature, prior
                )
            )
        hessian[:, p] = (shifted[0] - shifted[1]) / (2 * h)
    hessian = 0.5 * (hessian + hessian.T)
    try:
        covariance = np.linalg.inv(-hessian)
        variances = np.diag(covariance)
    except np.linalg.LinAlgError:
        variances = np.full(flat.size, np.nan)
    errors = np.sqrt(np.where(variances > 0, variances, np.nan))
    bounds = np.cumsum([0, *sizes])
    return tuple(errors[bounds[i] : bounds[i + 1]] for i in range(len(sizes)))


def _bank_from(bank: ItemBank, flat: FloatArray, sizes: Sequence[int]) -> ItemBank:
    bounds = np.cumsum([0, *sizes])
    return ItemBank(
        tuple(
            ItemParameters.from_vector(item.model, flat[bounds[i] : bounds[i + 1]])
            for i, item in enumerate(bank.items)
        )
    )
