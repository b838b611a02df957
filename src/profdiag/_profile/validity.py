"""Response validity flags: signs that answers may not reflect the person.

Each flag is computed for a whole batch at once from the item-value matrix (N x I, NaN =
no answer) and carries a plain-language explanation in Russian and English. Thresholds are
configurable; the defaults are conservative starting points, not published cut-offs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from profdiag._instrument.model import Frozen, LocalizedText
from profdiag._scoring.plan import FloatArray
from profdiag._scoring.timing import seconds_column as seconds_column_values
from profdiag.errors import CellProblem, ResponseDataError


class ValidityThresholds(Frozen):
    max_missing_share: float = Field(default=0.10, ge=0, le=1)
    max_identical_run: int = Field(
        default=10, ge=2, description="Longest run of the same answer in a row that is still fine."
    )
    min_seconds_per_item: float = Field(default=1.5, ge=0)
    min_differentiation_share: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="Flat profile: highest minus lowest scale score below this share of the "
        "scales' possible range.",
    )


FLAG_TEXTS: dict[str, LocalizedText] = {
    "missing": LocalizedText(
        ru="Пропущено много вопросов; результаты менее надёжны.",
        en="Many questions were left unanswered; the results are less reliable.",
    ),
    "identical_run": LocalizedText(
        ru="Много одинаковых ответов подряд: возможно, вопросы читались невнимательно.",
        en="Many identical answers in a row: the questions may not have been read carefully.",
    ),
    "all_same": LocalizedText(
        ru="На все вопросы дан один и тот же ответ; профиль не отражает различий в интересах.",
        en="Every question got the same answer; the profile cannot show differences.",
    ),
    "too_fast": LocalizedText(
        ru="Ответы даны слишком быстро, чтобы успеть прочитать вопросы.",
        en="The answers came too fast to have read the questions.",
    ),
    "flat_profile": LocalizedText(
        ru="Профиль плоский: шкалы почти не различаются, выводы о ведущих интересах ненадёжны.",
        en="The profile is flat: the scales hardly differ, so no interest clearly leads.",
    ),
}


@dataclass(frozen=True)
class ValidityFlags:
    """Values and flags per respondent; a flag is False where its input is unknown."""

    missing_share: FloatArray
    longest_identical_run: np.ndarray
    seconds_per_item: FloatArray  # NaN without response times
    flags: dict[str, np.ndarray]  # flag code -> (N,) bool

    def raised(self, row: int) -> list[str]:
        return [code for code, flagged in self.flags.items() if flagged[row]]


def longest_identical_run(values: FloatArray) -> np.ndarray:
    """Longest run of the same answer in consecutive items, per row (no answer breaks a run)."""
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=np.int64)
    same = values[:, 1:] == values[:, :-1]  # NaN never equals: gaps break runs
    counts = np.cumsum(same, axis=1)
    last_break = np.maximum.accumulate(np.where(~same, counts, 0), axis=1)
    run = counts - last_break  # same-as-previous steps in the current run
    longest = run.max(axis=1, initial=0) + 1
    answered_any = ~np.isnan(values).all(axis=1)
    return np.where(answered_any, longest, 0)


def validity_flags(
    values: FloatArray,
    *,
    differentiation_share: FloatArray | None = None,
    total_seconds: Any = None,
    thresholds: ValidityThresholds | None = None,
    seconds_column: str = "seconds",
) -> ValidityFlags:
    """Validity flags for every row of the item-value matrix `values` (N x I).

    `total_seconds` is each respondent's total answering time (a sequence of N, or a single
    value for one respondent; empty or NaN = unknown), named `seconds_column` in errors.

    Raises
    ------
    ResponseDataError
        For times that are negative, infinite or not numbers, with row and column.
    ArgumentError
        When there are not N times.
    """
    limits = thresholds or ValidityThresholds()
    n_rows, n_items = values.shape
    answered = ~np.isnan(values)
    n_answered = answered.sum(axis=1)
    missing_share = 1.0 - n_answered / n_items
    runs = longest_identical_run(values)
    first_answered = np.argmax(answered, axis=1)[:, None]
    first = np.take_along_axis(values, first_answered, axis=1)
    all_same = (n_answered >= 2) & np.all((values == first) | ~answered, axis=1)
    seconds = np.full(n_rows, np.nan)
    if total_seconds is not None:
        problems: list[CellProblem] = []
        total = seconds_column_values(total_seconds, n_rows, seconds_column, problems)
        if problems:
            raise ResponseDataError("response times", problems)
        with np.errstate(divide="ignore", invalid="ignore"):
            seconds = np.where(n_answered > 0, total / n_answered, np.nan)
    flags = {
        "missing": missing_share > limits.max_missing_share,
        "identical_run": runs > limits.max_identical_run,
        "all_same": all_same,
        "too_fast": seconds < limits.min_seconds_per_item,
    }
    if differentiation_share is not None:
        flags["flat_profile"] = differentiation_share < limits.min_differentiation_share
    return ValidityFlags(missing_share, runs, seconds, flags)
