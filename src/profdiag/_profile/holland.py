"""Holland (RIASEC) profile metrics, vectorised over respondents.

Scores come as an (N, 6) array in hexagon order R, I, A, S, E, C. Letters are indices 0-5
on the hexagon; the distance between two letters is 0 (same), 1 (adjacent), 2 (alternate)
or 3 (opposite). Codes are (N, k) integer arrays of letter indices, -1 for "no letter".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

HEXAGON = "RIASEC"
IACHAN_WEIGHTS = np.array([[22, 10, 4], [10, 5, 2], [4, 2, 1]], dtype=float)
CONSISTENCY = ("same", "high", "medium", "low")  # by distance 0..3 of the first two letters

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def letter_index(code: str) -> list[int]:
    return [HEXAGON.index(letter) for letter in code]


def codes_array(codes: list[str], length: int = 3) -> IntArray:
    """Codes such as "SAE" or "RI" as an (M, length) index array, -1 where shorter."""
    out = np.full((len(codes), length), -1, dtype=np.int64)
    for row, code in enumerate(codes):
        indices = letter_index(code)[:length]
        out[row, : len(indices)] = indices
    return out


def hexagon_distance(a: IntArray, b: IntArray) -> IntArray:
    difference = np.abs(a - b)
    distance: IntArray = np.minimum(difference, 6 - difference)
    return distance


@dataclass(frozen=True)
class RankedScores:
    """Letters by descending score, ties kept visible.

    `order[r]` lists the letters from highest to lowest (ties in hexagon order, which is a
    convention, not a ranking); `tie_group[r, k]` numbers the groups of tied letters along
    that order (0 for the highest score), so letters k and k+1 are tied exactly when their
    group numbers are equal.
    """

    order: IntArray  # (N, 6)
    sorted_scores: FloatArray  # (N, 6)
    tie_group: IntArray  # (N, 6)


def rank(scores: FloatArray, tie_margin: float = 0.0) -> RankedScores:
    """Sort each row descending; letters within `tie_margin` of a group's top are tied."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    # A new group starts where the score falls more than the margin below the group's top;
    # the running top is the first score of the current group.
    n_rows, width = ordered.shape
    tie_group = np.zeros((n_rows, width), dtype=np.int64)
    group_top = ordered[:, 0].copy()
    for k in range(1, width):  # six letters: a loop over columns, not respondents
        with np.errstate(invalid="ignore"):  # unscored scales (-inf) tie with each other
            new = group_top - ordered[:, k] > tie_margin + 1e-12
        tie_group[:, k] = tie_group[:, k - 1] + new
        group_top = np.where(new, ordered[:, k], group_top)
    return RankedScores(order, ordered, tie_group)


def code_notation(ranked: RankedScores, length: int = 3) -> list[str]:
    """Codes like "SAE", or "S(A/E)" where A and E are tied, "SA(E/C/R)" where three letters
    tie for the last place. Tied letters are listed in hexagon order inside parentheses."""
    codes = []
    for order, groups in zip(ranked.order, ranked.tie_group, strict=True):
        parts, covered = [], 0
        for group in np.unique(groups):
            if covered >= length:
                break
            members = sorted(int(letter) for letter in order[groups == group])
            letters = "".join(HEXAGON[m] for m in members)
            parts.append(letters if len(members) == 1 else "(" + "/".join(letters) + ")")
            covered += len(members)
        codes.append("".join(parts))
    return codes


def code_is_tied(ranked: RankedScores, length: int = 3) -> np.ndarray:
    """True where ties make the first `length` letters ambiguous (in order or membership)."""
    groups = ranked.tie_group
    inside = np.any(groups[:, 1:length] == groups[:, : length - 1], axis=1) if length > 1 else False
    at_cut = groups[:, length - 1] == groups[:, length] if length < groups.shape[1] else False
    return np.asarray(inside | at_cut)


_DISTANCES = hexagon_distance(np.arange(6)[:, None], np.arange(6)[None, :])


def consistency(ranked: RankedScores) -> IntArray:
    """Hexagon distance between the first two letters (1 high, 2 medium, 3 low).

    With ties, every pair the ties allow is considered (S then A or E: S-A and S-E); the
    result stands when all of them agree, and is -1 (undetermined) when they do not."""
    n_rows = ranked.order.shape[0]
    rows = np.arange(n_rows)[:, None]
    first = np.zeros((n_rows, 6), dtype=bool)
    second = np.zeros((n_rows, 6), dtype=bool)
    first[rows, ranked.order] = ranked.tie_group == 0
    second[rows, ranked.order] = ranked.tie_group == 1
    shared_top = first.sum(axis=1) >= 2
    pairs = np.where(
        shared_top[:, None, None],
        first[:, :, None] & first[:, None, :] & ~np.eye(6, dtype=bool),
        first[:, :, None] & second[:, None, :],
    )
    nearest = np.where(pairs, _DISTANCES, 9).min(axis=(1, 2))
    farthest = np.where(pairs, _DISTANCES, -1).max(axis=(1, 2))
    return np.where(nearest == farthest, nearest, -1)


def differentiation_holland(scores: FloatArray) -> FloatArray:
    """Highest minus lowest score."""
    result: FloatArray = scores.max(axis=1) - scores.min(axis=1)
    return result


def differentiation_iachan(ranked: RankedScores) -> FloatArray:
    """Highest minus the mean of the 2nd and 4th highest (Iachan, 1984)."""
    top = ranked.sorted_scores
    with np.errstate(invalid="ignore"):  # a row without scores: -inf - -inf is NaN, as meant
        result: FloatArray = top[:, 0] - (top[:, 1] + top[:, 3]) / 2.0
    return result


def elevation(scores: FloatArray) -> FloatArray:
    """Sum of the six scores."""
    result: FloatArray = scores.sum(axis=1)
    return result


def iachan_m(person: IntArray, occupation: IntArray) -> FloatArray:
    """Iachan's M index for each (person, occupation) pair: (N, 3) x (M, 3) -> (N, M).

    Sum of weights [[22,10,4],[10,5,2],[4,2,1]][i][j] over positions i of the person's code
    and j of the occupation's code holding the same letter; 28 = identical codes."""
    total = np.zeros((person.shape[0], occupation.shape[0]))
    for i in range(3):
        for j in range(3):
            same = (person[:, i, None] == occupation[None, :, j]) & (occupation[None, :, j] >= 0)
            total += IACHAN_WEIGHTS[i, j] * same
    return total


def brown_gore_c(person: IntArray, occupation: IntArray) -> FloatArray:
    """Brown & Gore's C index: 3 c1 + 2 c2 + c3, c = 3 - hexagon distance of the i-th letters
    (3 same, 2 adjacent, 1 alternate, 0 opposite); 18 = identical codes. Positions the
    occupation's code lacks add nothing."""
    total = np.zeros((person.shape[0], occupation.shape[0]))
    for i, weight in enumerate((3.0, 2.0, 1.0)):
        present = occupation[None, :, i] >= 0
        closeness = 3 - hexagon_distance(person[:, i, None], occupation[None, :, i])
        total += weight * np.where(present, closeness, 0)
    return total
