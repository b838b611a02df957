"""Rank occupations for profiles: Holland congruence, profile similarity, Klimov types.

The algorithm (docs/profiles.md):
1. Holland fit, for a RIASEC profile. Where the person's code has ties, every ordering the
   ties allow is equally likely, so each code position holds a uniform mixture of its tied
   letters; congruence indices are their expected values over those orderings.
   - C: Brown & Gore's index of the person's code against the occupation's code, 0-18.
   - r: the correlation of the person's six scores with the occupation's hexagon profile,
     in which each letter L gets sum_k w_k (3 - d(L, code_k)) / 3 for the occupation's
     code letters code_k with weights w = 3, 2, 1.
   - fit = (C / 18 + (r + 1) / 2) / 2; C / 18 alone where r is undefined (a flat profile).
2. Klimov fit, for a ДДО profile: (s1 + s2 / 2) / 12 for the occupation's main and second
   type scores s1, s2 (0-8), or s1 / 8 with one type.
3. The match score is the mean of the fits available; occupations are ranked by it, then
   regional demand first, then id, so the order is fully determined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from profdiag.profile.holland import (
    IACHAN_WEIGHTS,
    FloatArray,
    RankedScores,
    codes_array,
    hexagon_distance,
)
from profdiag.profile.occupations import DDO_TYPES, OccupationCatalogue

_CLOSENESS = 3 - hexagon_distance(np.arange(6)[:, None], np.arange(6)[None, :])  # (6, 6)
_POSITION_WEIGHTS = np.array([3.0, 2.0, 1.0])


@dataclass(frozen=True)
class HollandFit:
    brown_gore_c: FloatArray  # (N, M), expected over tie orderings
    iachan_m: FloatArray  # (N, M)
    similarity: FloatArray  # (N, M), NaN for a flat profile
    fit: FloatArray  # (N, M) in 0-1


def position_mixture(ranked: RankedScores, length: int = 3) -> FloatArray:
    """(N, length, 6): for each code position, the share of each letter over tie orderings."""
    n_rows = ranked.order.shape[0]
    mixture = np.zeros((n_rows, length, 6))
    rows = np.arange(n_rows)[:, None]
    for position in range(length):
        same_group = ranked.tie_group == ranked.tie_group[:, position : position + 1]
        size = same_group.sum(axis=1, keepdims=True)
        np.add.at(mixture[:, position, :], (rows, ranked.order), same_group / size)
    return mixture


def occupation_profiles(codes: np.ndarray) -> FloatArray:
    """(M, 6) hexagon profiles of occupation codes ((M, 3) letter indices, -1 = none)."""
    profiles = np.zeros((codes.shape[0], 6))
    for position, weight in enumerate(_POSITION_WEIGHTS):
        present = codes[:, position] >= 0
        closeness = _CLOSENESS[:, np.clip(codes[:, position], 0, 5)].T / 3.0  # (M, 6)
        profiles += weight * np.where(present[:, None], closeness, 0.0)
    return profiles


def holland_fit(
    scores: FloatArray, ranked: RankedScores, catalogue: OccupationCatalogue
) -> HollandFit:
    codes = codes_array([occupation.riasec for occupation in catalogue.occupations])
    present = codes >= 0
    letters = np.clip(codes, 0, 5)
    mixture = position_mixture(ranked)
    c_index = np.zeros((scores.shape[0], codes.shape[0]))
    m_index = np.zeros_like(c_index)
    for i, weight in enumerate(_POSITION_WEIGHTS):
        closeness = mixture[:, i, :] @ _CLOSENESS[:, letters[:, i]]  # (N, M)
        c_index += weight * np.where(present[:, i], closeness, 0.0)
        for j in range(3):
            share = mixture[:, i, :][:, letters[:, j]]  # (N, M): P(person_i == occ_j)
            m_index += IACHAN_WEIGHTS[i, j] * np.where(present[:, j], share, 0.0)
    similarity = _correlation(scores, occupation_profiles(codes))
    fit = np.where(
        np.isnan(similarity), c_index / 18.0, (c_index / 18.0 + (similarity + 1.0) / 2.0) / 2.0
    )
    return HollandFit(c_index, m_index, similarity, fit)


def klimov_fit(type_scores: FloatArray, catalogue: OccupationCatalogue) -> FloatArray:
    """(N, 5) ДДО type scores in DDO_TYPES order -> (N, M) fit in 0-1."""
    main = np.array([DDO_TYPES.index(o.ddo[0]) for o in catalogue.occupations])
    second = np.array(
        [DDO_TYPES.index(o.ddo[1]) if len(o.ddo) > 1 else -1 for o in catalogue.occupations]
    )
    has_second = second >= 0
    first_scores = type_scores[:, main]
    second_scores = type_scores[:, np.clip(second, 0, 4)]
    fit: FloatArray = np.where(
        has_second, (first_scores + second_scores / 2.0) / 12.0, first_scores / 8.0
    )
    return fit


def _correlation(scores: FloatArray, profiles: FloatArray) -> FloatArray:
    centred = scores - scores.mean(axis=1, keepdims=True)
    shapes = profiles - profiles.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)[:, None] * np.linalg.norm(shapes, axis=1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(norms > 0, (centred @ shapes.T) / norms, np.nan)
    return result


def rank_occupations(fit: FloatArray, catalogue: OccupationCatalogue, top: int) -> np.ndarray:
    """(N, top) catalogue positions, best first: by fit, then regional demand, then id."""
    n_rows, n_occupations = fit.shape
    demand = np.array([o.regional_demand for o in catalogue.occupations])
    id_rank = np.argsort(np.argsort([o.id for o in catalogue.occupations]))
    # One lexsort over all rows: the last key sorts first (row, then fit descending, then
    # demand first, then id ascending).
    order = (
        np.lexsort(
            (
                np.tile(id_rank, n_rows),
                np.tile(~demand, n_rows),
                np.nan_to_num(-fit, nan=np.inf).ravel(),
                np.repeat(np.arange(n_rows), n_occupations),
            )
        ).reshape(n_rows, n_occupations)
        - np.arange(n_rows)[:, None] * n_occupations
    )
    ranked: np.ndarray = order[:, :top]
    return ranked
