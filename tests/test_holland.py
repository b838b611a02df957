"""Holland metrics checked against cases built by hand (DOMAIN.md formulas)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profdiag._profile import holland
from profdiag._profile.matching import occupation_profiles, position_mixture

R, I, A, S, E, C = range(6)  # noqa: E741  (the Holland letters)


def scores(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=float)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        (R, R, 0),
        (R, I, 1),
        (R, C, 1),
        (R, A, 2),
        (R, E, 2),
        (R, S, 3),
        (I, E, 3),
        (A, C, 3),
        (A, S, 1),
        (S, A, 1),
        (S, C, 2),
    ],
)
def test_hexagon_distance_is_symmetric_and_cyclic(a: int, b: int, distance: int) -> None:
    # R-I-A-S-E-C around the hexagon; A-S is adjacent both ways (unlike one R package).
    assert holland.hexagon_distance(np.array(a), np.array(b)) == distance
    assert holland.hexagon_distance(np.array(b), np.array(a)) == distance


def test_codes_with_and_without_ties() -> None:
    ranked = holland.rank(
        scores(
            [10, 20, 30, 40, 30, 5],  # S 40, A and E 30 -> S(A/E)
            [40, 39, 10, 9, 8, 7],  # R I A
            [5, 30, 30, 40, 1, 0],  # S, then I and A tie for second and third: S(I/A)
            [1, 1, 1, 1, 1, 1],  # all tied
            [9, 8, 7, 7, 7, 1],  # R I, then A/S/E tie for the third letter: RI(A/S/E)
        )
    )
    assert holland.code_notation(ranked) == [
        "S(A/E)",
        "RIA",
        "S(I/A)",
        "(R/I/A/S/E/C)",
        "RI(A/S/E)",
    ]
    assert holland.code_is_tied(ranked).tolist() == [True, False, True, True, True]


def test_tie_margin() -> None:
    # within 1 point counts as tied: 40 and 39 tie; A 10 and S 9.5 tie
    ranked = holland.rank(scores([40, 39, 10, 9.5, 8, 7]), tie_margin=1.0)
    assert holland.code_notation(ranked) == ["(R/I)(A/S)"]


def test_consistency_levels_and_ties() -> None:
    ranked = holland.rank(
        scores(
            [9, 8, 0, 0, 0, 0],  # R I adjacent: high
            [9, 0, 8, 0, 0, 0],  # R A alternate: medium
            [9, 0, 0, 8, 0, 0],  # R S opposite: low
            [0, 0, 5, 9, 5, 0],  # S then A or E, both adjacent to S: high either way
            [0, 5, 5, 9, 0, 0],  # S then I (alternate) or A (adjacent): undetermined
            [9, 0, 0, 9, 0, 0],  # R and S tied on top: opposite either way -> low
        )
    )
    assert holland.consistency(ranked).tolist() == [1, 2, 3, 1, -1, 3]


def test_differentiation_and_elevation() -> None:
    s = scores([40, 30, 20, 10, 5, 0])
    ranked = holland.rank(s)
    assert holland.differentiation_holland(s).tolist() == [40.0]  # 40 - 0
    assert holland.differentiation_iachan(ranked).tolist() == [20.0]  # 40 - (30 + 10) / 2
    assert holland.elevation(s).tolist() == [105.0]  # 40+30+20+10+5+0


def test_iachan_m_by_hand() -> None:
    person = holland.codes_array(["SAE", "SAE", "SAE", "SAE", "RIC"])[:1].repeat(5, axis=0)
    occupations = holland.codes_array(["SAE", "ASE", "SEC", "RIC", "AS"])
    m = holland.iachan_m(person[:1], occupations)
    # SAE vs SAE: 22 + 5 + 1 = 28 (identical)
    # SAE vs ASE: S(0) at 1 -> 10, A(1) at 0 -> 10, E(2) at 2 -> 1: 21
    # SAE vs SEC: S 0-0 -> 22, E 2-1 -> 2: 24
    # SAE vs RIC: no shared letters: 0
    # SAE vs AS (two letters): A 1-0 -> 10, S 0-1 -> 10: 20
    assert m.tolist() == [[28.0, 21.0, 24.0, 0.0, 20.0]]


def test_brown_gore_c_by_hand() -> None:
    person = holland.codes_array(["SAE"])
    occupations = holland.codes_array(["SAE", "ASE", "RIC", "EAS", "S"])
    c = holland.brown_gore_c(person, occupations)
    # SAE: 3*3 + 2*3 + 1*3 = 18
    # ASE: S-A adjacent 2 -> 6; A-S adjacent 2 -> 4; E-E same 3 -> 3: 13
    # RIC: S-R opposite 0; A-I adjacent 2 -> 4; E-C adjacent 2 -> 2: 6
    # EAS: S-E adjacent 2 -> 6; A-A 3 -> 6; E-S adjacent 2 -> 2: 14
    # S (one letter): 3*3 = 9
    assert c.tolist() == [[18.0, 13.0, 6.0, 14.0, 9.0]]


def test_tied_codes_average_over_the_orderings_they_allow() -> None:
    # S(A/E): orderings SAE and SEA are equally likely
    ranked = holland.rank(scores([10, 20, 30, 40, 30, 5]))
    mixture = position_mixture(ranked)
    assert mixture[0, 0].tolist() == [0, 0, 0, 1, 0, 0]
    assert mixture[0, 1].tolist() == [0, 0, 0.5, 0, 0.5, 0]
    assert mixture[0, 2].tolist() == [0, 0, 0.5, 0, 0.5, 0]
    occupations = holland.codes_array(["SAE", "RIC"])
    expected_c = (
        holland.brown_gore_c(holland.codes_array(["SAE"]), occupations)
        + holland.brown_gore_c(holland.codes_array(["SEA"]), occupations)
    ) / 2
    from profdiag._profile.matching import _CLOSENESS  # the same closeness table

    c = sum(
        w * (mixture[:, i, :] @ _CLOSENESS[:, occupations[:, i]]) for i, w in enumerate((3, 2, 1))
    )
    np.testing.assert_allclose(c, expected_c)


def test_occupation_profile_follows_the_hexagon() -> None:
    profile = occupation_profiles(holland.codes_array(["S"]))[0]
    # one letter S, weight 3: closeness (3 - distance)/3 -> S 1, A and E 2/3, I and C 1/3, R 0
    np.testing.assert_allclose(profile, [0, 1, 2, 3, 2, 1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=6, max_size=6))
def test_code_expansions_cover_every_ordering_the_ties_allow(values: list[int]) -> None:
    row = np.array([values], dtype=float)
    ranked = holland.rank(row)
    notation = holland.code_notation(ranked)[0]
    # every strict ordering of the scores that is consistent with them starts with letters
    # that the notation allows at each position
    allowed = _positions(notation)
    for order in itertools.permutations(range(6)):
        if all(row[0, order[k]] >= row[0, order[k + 1]] for k in range(5)):
            for position in range(min(3, len(allowed))):
                assert holland.HEXAGON[order[position]] in allowed[position]


def _positions(notation: str) -> list[set[str]]:
    positions: list[set[str]] = []
    k = 0
    while k < len(notation):
        if notation[k] == "(":
            end = notation.index(")", k)
            group = set(notation[k + 1 : end].split("/"))
            positions += [group] * len(group)
            k = end + 1
        else:
            positions.append({notation[k]})
            k += 1
    return positions
