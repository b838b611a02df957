"""Response patterns against a quadrature grid: the per-person log-likelihood at every node,
posterior weights, and the expected category counts of the EM algorithm.

Responses are category indices, an (N, I) integer matrix with -1 for no answer. The
log-likelihood of person n at node q is sum_i log P_i(x_ni | theta_q); it is computed as a
sparse matrix product of a one-hot coding of the responses (N, I * K_max) with the stacked log
probabilities (I * K_max, Q), in blocks of rows, so the work is BLAS work and memory stays
bounded whatever N is. A missing answer points at an all-zero row and adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from profdiag._irt.models import FloatArray, IntMatrix, ItemBank, bank_probabilities
from profdiag._irt.quadrature import Quadrature

BLOCK_ROWS = 4096


def column_offsets(bank: ItemBank) -> NDArray[np.int64]:
    return np.arange(bank.size, dtype=np.int64) * bank.max_categories


def stacked_log_probabilities(bank: ItemBank, nodes: FloatArray) -> FloatArray:
    """(I * K_max + 1, Q): row i * K_max + k is log P_i(k | node); the last row is zeros
    (where missing answers point)."""
    probabilities = bank_probabilities(bank, nodes).reshape(-1, nodes.size)
    # Categories beyond an item's K (probability 0) are never pointed at: log 1 = 0 there.
    logs = np.log(np.where(probabilities > 0, probabilities, 1.0))
    stacked: FloatArray = np.vstack([logs, np.zeros((1, nodes.size))])
    return stacked


def one_hot_columns(bank: ItemBank, responses: IntMatrix) -> NDArray[np.int64]:
    """Each cell's column in the stacked table: i * K_max + x, or the zero row if missing."""
    columns = responses + column_offsets(bank)[None, :]
    missing_row = bank.size * bank.max_categories
    result: NDArray[np.int64] = np.where(responses < 0, missing_row, columns)
    return result


def _blocks(n_rows: int) -> Iterator[slice]:
    for start in range(0, n_rows, BLOCK_ROWS):
        yield slice(start, min(start + BLOCK_ROWS, n_rows))


def one_hot(columns: NDArray[np.int64], width: int) -> sparse.csr_matrix:
    """(rows, width) sparse indicator: one 1 per (row, item); missing answers point at the
    zero row of the stacked table."""
    n_rows, n_items = columns.shape
    return sparse.csr_matrix(
        (np.ones(n_rows * n_items), columns.ravel(), np.arange(0, n_rows * n_items + 1, n_items)),
        shape=(n_rows, width),
    )


def log_likelihood_blocks(
    bank: ItemBank, responses: IntMatrix, nodes: FloatArray
) -> Iterator[tuple[slice, sparse.csr_matrix, FloatArray]]:
    """Yield (rows, one-hot block, log-likelihood block (rows, Q)) over blocks of rows."""
    stacked = stacked_log_probabilities(bank, nodes)
    columns = one_hot_columns(bank, responses)
    for rows in _blocks(responses.shape[0]):
        indicator = one_hot(columns[rows], stacked.shape[0])
        yield rows, indicator, indicator @ stacked


@dataclass(frozen=True)
class EStep:
    """Expected counts r[i, k, q] of persons at node q answering item i with category k,
    and the marginal log-likelihood sum_n f_n log sum_q L_nq w_q."""

    counts: FloatArray
    log_likelihood: float


def e_step(
    bank: ItemBank, responses: IntMatrix, frequencies: FloatArray, quadrature: Quadrature
) -> EStep:
    width = bank.size * bank.max_categories
    counts = np.zeros((width + 1, quadrature.nodes.size))
    total = 0.0
    for rows, indicator, log_lik in log_likelihood_blocks(bank, responses, quadrature.nodes):
        joint = log_lik + quadrature.log_weights[None, :]
        peak = joint.max(axis=1, keepdims=True)
        density = np.exp(joint - peak)
        marginal = density.sum(axis=1, keepdims=True)
        posterior = density / marginal * frequencies[rows, None]
        counts += indicator.T @ posterior
        total += float((frequencies[rows] * (np.log(marginal[:, 0]) + peak[:, 0])).sum())
    shaped = counts[:width].reshape(bank.size, bank.max_categories, -1)
    return EStep(shaped, total)


def posterior_weights(
    bank: ItemBank, responses: IntMatrix, quadrature: Quadrature
) -> Iterator[tuple[slice, FloatArray]]:
    """Yield (rows, posterior weights (rows, Q) summing to 1 per row) over blocks."""
    for rows, _, log_lik in log_likelihood_blocks(bank, responses, quadrature.nodes):
        joint = log_lik + quadrature.log_weights[None, :]
        density = np.exp(joint - joint.max(axis=1, keepdims=True))
        yield rows, density / density.sum(axis=1, keepdims=True)
