"""Rank occupations for profiles: Holland congruence, profile similarity, Klimov types.

The algorithm (docs/profiles.md):
1. Holland fit, for a RIASEC profile. Where the person's code has ties, every ordering the
   ties allow is equally likely, so each code position holds a uniform mixture of its tied
   letters; congruence indices are their expected values over those orderings.
   - congruence: Brown & Gore's C of the person's code against the occupation's code,
     divided by the most C can reach for a code of the occupation's length (9, 15, 18 for
     1, 2, 3 letters), so that a two-letter occupation can match perfectly too.
   - r: the correlation of the person's six scores with the occupation's interest profile:
     O*NET's six Occupational Interest ratings where the catalogue has them, else a
     profile built from the occupation's code (letter L gets sum_k w_k (3 - d(L, code_k))
     / 3 over its code letters code_k, weights w = 3, 2, 1).
   - fit = (congruence + (r + 1) / 2) / 2; congruence alone where r is undefined.
2. Klimov fit, for a ДДО profile: (s1 + s2 / 2) / 12 for the occupation's main and second
   type scores s1, s2 (0-8), or s1 / 8 with one type; for the match score it is mapped
   onto the fit levels' scale (`klimov_on_fit_scale`).
3. The match score is the mean of the fits available. Occupations with equal scores share
   a rank (they are shown as tied); the order within a tie is regional demand first, then
   id, and is disclosed as such. Each score falls into a fit level (FIT_LEVELS); scores
   below the lowest level are not listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from profdiag._instrument.model import LocalizedText
from profdiag._profile.holland import (
    IACHAN_WEIGHTS,
    FloatArray,
    RankedScores,
    codes_array,
    hexagon_distance,
)
from profdiag._profile.occupations import DDO_TYPES, OccupationCatalogue

_CLOSENESS = 3 - hexagon_distance(np.arange(6)[:, None], np.arange(6)[None, :])  # (6, 6)
_POSITION_WEIGHTS = np.array([3.0, 2.0, 1.0])
# The highest C a code of 0, 1, 2, 3 letters can reach: 3 * (3, 3 + 2, 3 + 2 + 1).
_C_ATTAINABLE = np.array([np.nan, 9.0, 15.0, 18.0])
# Fit levels, best first: a match score at or above the cut point is at that level. They are
# profdiag's own convention (see docs/profiles.md for what each level corresponds to).
FIT_LEVELS: tuple[tuple[str, float], ...] = (("strong", 0.85), ("good", 0.75), ("possible", 0.65))
# Scores closer than this are equal: the same fit computed along two paths of arithmetic.
_TIE_TOLERANCE = 1e-9
_RANK_BLOCK = 1_024  # rows per lexsort when ranking occupations


@dataclass(frozen=True)
class HollandFit:
    brown_gore_c: FloatArray  # (N, M), expected over tie orderings
    congruence: FloatArray  # (N, M): C / the C attainable for the occupation's code
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
    congruence = c_index / _C_ATTAINABLE[present.sum(axis=1)]
    similarity = _correlation(scores, interest_profiles(catalogue, codes))
    fit = np.where(np.isnan(similarity), congruence, (congruence + (similarity + 1.0) / 2.0) / 2.0)
    return HollandFit(c_index, congruence, m_index, similarity, fit)


def interest_profiles(catalogue: OccupationCatalogue, codes: np.ndarray) -> FloatArray:
    """(M, 6) interest profiles in hexagon order: an occupation's O*NET ratings where the
    catalogue has them, else the profile its code implies (`occupation_profiles`)."""
    profiles = occupation_profiles(codes)
    for m, occupation in enumerate(catalogue.occupations):
        if occupation.interests is not None:
            profiles[m] = occupation.interests.as_tuple()
    return profiles


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


# Where the Klimov fit (s1 + s2 / 2) / 12 crosses each fit level: 9 points for "strong" (a
# pronounced main type with a medium second, 7 and 4, or 6 and 6), 7.5 for "good" (6 and 3,
# 5 and 5) and 6 for "possible" (5 and 2, 4 and 4). ДДО scores are ipsative (20 points over
# five types), so the Holland cut points would leave almost every ДДО profile without a
# "strong" match.
_KLIMOV_LEVEL_POINTS = (6.0 / 12, 7.5 / 12, 9.0 / 12)


def klimov_on_fit_scale(fit: FloatArray) -> FloatArray:
    """The Klimov fit mapped piecewise-linearly onto the scale of the fit levels, so that
    its level points land on FIT_LEVELS' cut points (0 and 1 stay where they are)."""
    cuts = [cut for _, cut in reversed(FIT_LEVELS)]
    mapped: FloatArray = np.interp(fit, [0.0, *_KLIMOV_LEVEL_POINTS, 1.0], [0.0, *cuts, 1.0])
    return np.where(np.isnan(fit), np.nan, mapped)


def _correlation(scores: FloatArray, profiles: FloatArray) -> FloatArray:
    centred = scores - scores.mean(axis=1, keepdims=True)
    shapes = profiles - profiles.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)[:, None] * np.linalg.norm(shapes, axis=1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(norms > 0, (centred @ shapes.T) / norms, np.nan)
    return result


def fit_levels(fit: FloatArray) -> np.ndarray:
    """(N, M) object array: the FIT_LEVELS name of each score, None below the lowest."""
    levels = np.full(fit.shape, None, dtype=object)
    for name, cut in reversed(FIT_LEVELS):
        with np.errstate(invalid="ignore"):
            levels[fit >= cut - _TIE_TOLERANCE] = name
    return levels


def tie_ranks(sorted_fit: FloatArray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4, ...) of scores sorted descending along each row:
    equal scores share the rank of the first of them."""
    n_rows, width = sorted_fit.shape
    if width == 0:
        return np.zeros((n_rows, 0), dtype=np.int64)
    new = np.ones(sorted_fit.shape, dtype=bool)
    new[:, 1:] = ~(np.abs(np.diff(sorted_fit, axis=1)) <= _TIE_TOLERANCE)
    positions = np.where(new, np.arange(1, width + 1), 0)
    ranks: np.ndarray = np.maximum.accumulate(positions, axis=1)
    return ranks


def rank_occupations(
    fit: FloatArray,
    catalogue: OccupationCatalogue,
    top: int,
    preference: np.ndarray | None = None,
) -> np.ndarray:
    """(N, top) catalogue positions, best first: by fit; equal fits by `preference` ((N, M)
    integers, lower first: e.g. whether the route suits the person's stage), then regional
    demand first, then id, so that the order is fully determined."""
    n_rows, n_occupations = fit.shape
    demand = np.array([o.regional_demand for o in catalogue.occupations])
    id_rank = np.argsort(np.argsort([o.id for o in catalogue.occupations]))
    # Equal fits must sort as equal: round away the last bits of arithmetic noise.
    rounded = np.round(np.nan_to_num(-fit, nan=np.inf), 9)
    prefer = np.zeros(fit.shape, dtype=np.int64) if preference is None else preference
    order = np.empty((n_rows, min(top, n_occupations)), dtype=np.int64)
    for start in range(0, n_rows, _RANK_BLOCK):  # lexsort over N x M keys, block by block
        stop = min(start + _RANK_BLOCK, n_rows)
        rows = stop - start
        keys = (
            np.tile(id_rank, rows),
            np.tile(~demand, rows),
            prefer[start:stop].ravel(),
            rounded[start:stop].ravel(),
            np.repeat(np.arange(rows), n_occupations),
        )
        block = np.lexsort(keys).reshape(rows, n_occupations)
        block -= np.arange(rows)[:, None] * n_occupations
        order[start:stop] = block[:, :top]
    return order


WITHHELD_TEXTS: dict[str, LocalizedText] = {
    "flat_profile": LocalizedText(
        ru="Список подходящих профессий не составлен: ни одно направление пока не выделяется "
        "заметно сильнее других. Это не ошибка и не плохой результат: так бывает, когда "
        "интересы широкие или ещё складываются. Что можно сделать: обсудить результаты с "
        "консультантом, попробовать себя в деле на профессиональных пробах, пройти опрос "
        "повторно через несколько месяцев.",
        en="No list of matching occupations was made: no area stands out clearly above the "
        "others yet. This is not a mistake or a poor result: it happens when interests are "
        "broad or still forming. What to do next: talk the results through with a "
        "counsellor, try real tasks in work samples (job tryouts), and take the inventory "
        "again in a few months.",
    ),
    "all_same": LocalizedText(
        ru="Список подходящих профессий не составлен: на все вопросы дан один и тот же ответ, "
        "поэтому результаты не показывают, что нравится больше, а что меньше. Лучше пройти "
        "опрос ещё раз, спокойно и не торопясь, или обсудить его с консультантом.",
        en="No list of matching occupations was made: every question got the same answer, so "
        "the results cannot show what appeals more or less. Take the inventory again, calmly "
        "and without hurrying, or talk it through with a counsellor.",
    ),
    "not_scored": LocalizedText(
        ru="Список подходящих профессий не составлен: ответов слишком мало, чтобы подсчитать "
        "результаты.",
        en="No list of matching occupations was made: too few questions were answered to "
        "compute the results.",
    ),
}

TIE_RULE = LocalizedText(
    ru="Профессии с одинаковой оценкой соответствия делят одно место (отмечены знаком «=»); "
    "внутри такой группы первыми идут востребованные в регионе, затем — по коду профессии в "
    "каталоге. Порядок внутри группы ничего не говорит о соответствии.",
    en="Occupations with the same fit share a place (marked '='); within such a group, those "
    "in regional demand come first, then by the occupation's catalogue id. The order inside "
    "a group says nothing about fit.",
)


# A person's stage of education, and the routes into an occupation in the order that suits
# the stage: first what can be started now, then what needs a further step.
Stage = Literal["grade9", "grade11", "adult_without_profession", "adult_with_profession"]
STAGES: tuple[str, ...] = get_args(Stage)
ROUTE_ORDER: dict[str, tuple[str, ...]] = {
    "grade9": ("college", "short_course", "on_the_job", "university"),
    "grade11": ("university", "college", "short_course", "on_the_job"),
    "adult_without_profession": ("short_course", "on_the_job", "college", "university"),
    "adult_with_profession": ("short_course", "on_the_job", "college", "university"),
}
# Routes a stage cannot start at once: after grade 9, university needs grade 11 (or college).
_NEEDS_A_STEP = {("grade9", "university")}


def route_for(stage: str, routes: Sequence[str]) -> tuple[str, bool]:
    """The occupation's route that suits `stage` best, and whether it can be started
    directly at that stage (False: a step comes first, e.g. grade 11 before university)."""
    order = ROUTE_ORDER[stage]
    best = min(routes, key=lambda route: order.index(route) if route in order else len(order))
    return best, (stage, best) not in _NEEDS_A_STEP
