"""`analyze()`: response data -> item and scale analysis (R psych's `alpha()` per scale)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from profdiag._instrument.model import Instrument
from profdiag._psychometrics.dif import dif_analysis, grouping
from profdiag._psychometrics.moments import (
    BLOCK_ROWS,
    BlockValues,
    accumulate,
    totals_layout,
    variable_shifts,
)
from profdiag._psychometrics.result import Analysis
from profdiag._psychometrics.summary import (
    Pairwise,
    intercorrelations,
    scale_analyses,
    varying_entries,
)
from profdiag._psychometrics.variables import FloatArray, analysis_plan
from profdiag._scoring.encode import NUMERIC_KINDS, encode_matrix
from profdiag._scoring.inputs import Matrix, checked_shape
from profdiag._scoring.kernel import Workspace
from profdiag._scoring.plan import ScoringPlan, compile_plan
from profdiag._scoring.result import InstrumentRef
from profdiag._scoring.score import ResponseData, score_with_values
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError


def analyze(
    instrument: Instrument,
    data: ResponseData,
    *,
    strict: bool = True,
    id_column: str | None = None,
    other_columns: Iterable[str] = (),
    source: str = "<data>",
    answers_column: str | None = None,
    level: float = 0.95,
    workers: int | None = None,
    dif_by: str | Sequence[Any] | None = None,
    dif_reference: str | None = None,
) -> Analysis:
    """Item and scale analysis: reliability and item statistics per scale, as R psych's
    `alpha()` computes them, and the scales' intercorrelations.

    Each scale is analysed on its keyed items (reverse keying with the item's declared
    range; forced-choice and multiple-choice items by the points of the chosen option)
    with pairwise-complete covariances, as psych 2.2.9's `alpha()` does; its numbers
    equal psych's to 1e-9 (tests/test_analysis_psych_parity.py). Formulas and sources:
    docs/analysis.md; where profdiag differs from psych: docs/moving-from-r.md.

    Parameters
    ----------
    instrument
        The instrument whose scales are analysed.
    data
        Response data in any shape `score` accepts.
    strict
        With `strict`, any invalid cell or unknown column raises ResponseDataError;
        otherwise each is recorded in `analysis.problems` and the cell counts as
        unanswered.
    id_column, other_columns, source, answers_column
        As for `score`.
    level
        Confidence level of the Feldt interval for alpha (psych: 0.95).
    workers
        Threads for large inputs (default: one per core).
    dif_by
        Screen every item for differential item functioning between the groups of this
        column of `data` (or of this sequence, one group value per respondent): each item
        is compared between a reference and a focal group among respondents matched on
        the rest score (Mantel-Haenszel and ETS A/B/C for dichotomous items; Liu-Agresti,
        SMD and AA/BB/CC for polytomous ones). Respondents without a group value are left
        out of it.
    dif_reference
        The reference group's value. Required when the column has more than two groups
        (each other group is then compared with it); with two, the larger group is the
        reference unless one is named.

    Returns
    -------
    Analysis
        `scales` (each with `statistics`, `alpha_ci`, `items`, `notes`),
        `intercorrelations` (raw and corrected for attenuation), `problems` and, with
        `dif_by`, `dif` (a DifAnalysis); `to_json()` gives the documented JSON form
        (docs/analysis.md).

    Raises
    ------
    ArgumentError
        When `data` as a whole cannot be used (see `score`), `level` is not between 0
        and 1, or `dif_by` is not a column of `data`, has fewer than two groups, more than
        two without `dif_reference`, or `dif_reference` is not one of its values.
    ResponseDataError
        In strict mode, when any cell or column is not a valid answer.

    Examples
    --------
    >>> import numpy as np
    >>> import profdiag
    >>> onet = profdiag.load_instrument("onet-ip-sf-60")  # answers coded 0..4
    >>> rng = np.random.default_rng(7)
    >>> interest = rng.normal(size=(300, 1))  # one interest behind every item, for brevity
    >>> answers = np.clip(np.round(2 + interest + rng.normal(size=(300, 60))), 0, 4)
    >>> answers[0, 0] = np.nan  # one answer missing
    >>> realistic = profdiag.analyze(onet, answers).scale("R")
    >>> round(realistic["raw_alpha"], 3), realistic.alpha_ci
    (0.884, ConfidenceInterval(method='feldt', level=0.95, lower=0.862..., upper=0.902...))
    >>> first = realistic.items[0]
    >>> first.item_id, first.n, round(first.missing, 4), round(first["r_drop"], 2)
    ('ip01', 299, 0.0033, 0.53)

    DIF screening between two groups (here drawn at random: with 60 items tested at 0.05
    on 150 respondents a group, a few BB flags are chance):

    >>> groups = np.where(rng.random(300) < 0.5, "f", "m")
    >>> dif = profdiag.analyze(onet, answers, dif_by=groups).dif
    >>> dif.reference, dif.groups, [c.focal for c in dif.comparisons]
    ('f', {'f': 151, 'm': 149}, ['m'])
    >>> item = dif.comparisons[0].scale("R").item("ip02")
    >>> item.kind, item.n_reference + item.n_focal, item.dif_class
    ('polytomous', 299, 'AA')
    >>> sorted({item.dif_class for _, item in dif.comparisons[0].flagged()})
    ['BB']
    """
    if not isinstance(level, int | float) or not 0.0 < level < 1.0 or math.isnan(level):
        raise ArgumentError(f"level must be a number between 0 and 1; got {level!r}")
    scoring = compile_plan(instrument)
    plan = analysis_plan(instrument)
    column = None if dif_by is None else _group_column(data, dif_by, source)
    if isinstance(dif_by, str):
        other_columns = [*other_columns, dif_by]
    reader = _reader(
        scoring, instrument, data, strict, id_column, other_columns, source, answers_column
    )
    n_rows = reader.n_rows
    groups = None
    if column is not None:
        name = dif_by if isinstance(dif_by, str) else "dif_by"
        groups = grouping(column, n_rows, name, dif_reference)
    first = reader(0, min(n_rows, BLOCK_ROWS))
    shifts = variable_shifts(plan, first)
    every = [[True] * len(layout.entries) for layout in plan.scales]
    layout = totals_layout(plan, shifts, every, first)
    moments = accumulate(plan, shifts, layout, n_rows, reader, workers)
    problems = reader.problems()
    if strict and problems:
        raise ResponseDataError(source, problems)
    pairwise = Pairwise.of(moments, shifts)
    varying = varying_entries(plan, pairwise, moments)
    totals = moments
    if varying != every:  # the totals leave out items without variance: a second pass
        layout = totals_layout(plan, shifts, varying, first)
        totals = accumulate(plan, shifts, layout, n_rows, reader, workers)
    scales = scale_analyses(plan, pairwise, moments, totals, layout, varying, n_rows, level)
    dif = None
    if groups is not None:
        dif = dif_analysis(plan, reader, n_rows, BLOCK_ROWS, groups)
    return Analysis(
        instrument=InstrumentRef(
            scoring.instrument_id,
            scoring.instrument_version,
            scoring.content_hash,
            scoring.overlay_hash,
        ),
        n_respondents=n_rows,
        level=float(level),
        scales=scales,
        intercorrelations=intercorrelations(plan, pairwise, varying, scales),
        problems=tuple(problems),
        dif=dif,
    )


def _group_column(data: Any, dif_by: str | Sequence[Any], source: str) -> Any:
    """The grouping column: named in `data`, or given as a sequence."""
    if not isinstance(dif_by, str):
        if isinstance(dif_by, bytes | Mapping) or not hasattr(dif_by, "__len__"):
            raise ArgumentError(
                f"dif_by must be a column name or one group value per respondent; got "
                f"{type(dif_by).__name__}"
            )
        return dif_by
    if isinstance(data, Mapping):
        if dif_by not in data:
            raise ArgumentError(f"{source}: no column {dif_by!r} to group respondents by")
        return data[dif_by]
    if isinstance(data, np.ndarray):
        raise ArgumentError(
            f"{source}: a numeric array has no named columns; give dif_by as one group "
            "value per respondent instead of a column name"
        )
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # a DataFrame
        if dif_by not in list(data.columns):
            raise ArgumentError(f"{source}: no column {dif_by!r} to group respondents by")
        return data[dif_by]
    if isinstance(data, Sequence) and all(isinstance(row, Mapping) for row in data):
        if not any(dif_by in row for row in data):
            raise ArgumentError(f"{source}: no column {dif_by!r} to group respondents by")
        return [row.get(dif_by) for row in data]
    raise ArgumentError(f"{source}: no column {dif_by!r} to group respondents by")


class _Reader:
    """Validated item values by block of rows; the cell problems found on the way."""

    def __init__(self, n_rows: int, values: BlockValues) -> None:
        self.n_rows = n_rows
        self._values = values
        self._problems: dict[int, list[CellProblem]] = {}
        self._lock = threading.Lock()

    def __call__(self, start: int, stop: int) -> FloatArray:
        return self._values(start, stop)

    def record(self, start: int, problems: list[CellProblem]) -> None:
        with self._lock:
            self._problems[start] = problems

    def problems(self) -> list[CellProblem]:
        return [problem for start in sorted(self._problems) for problem in self._problems[start]]


def _reader(
    scoring: ScoringPlan,
    instrument: Instrument,
    data: Any,
    strict: bool,
    id_column: str | None,
    other_columns: Iterable[str],
    source: str,
    answers_column: str | None,
) -> _Reader:
    """A numeric array is validated block by block as it is read (no copy of the whole);
    any other shape is encoded whole, as `score` encodes it."""
    if answers_column is None and isinstance(data, np.ndarray) and not scoring.survey_items:
        shape = checked_shape(scoring, data, source)
        if isinstance(shape, Matrix) and shape.array.dtype.kind in NUMERIC_KINDS:
            matrix = shape.array
            buffers = threading.local()  # one validation workspace per thread

            def block(start: int, stop: int) -> FloatArray:
                workspace = getattr(buffers, "workspace", None)
                if workspace is None:
                    workspace = buffers.workspace = Workspace(BLOCK_ROWS, scoring.n_items)
                encoded = encode_matrix(
                    scoring, matrix[start:stop], first_row=start, workspace=workspace
                )
                reader.record(start, encoded.problems)
                return encoded.values

            reader = _Reader(matrix.shape[0], block)
            return reader
    result, values = score_with_values(
        instrument,
        data,
        strict=strict,
        id_column=id_column,
        other_columns=other_columns,
        source=source,
        answers_column=answers_column,
    )
    whole = _Reader(values.shape[0], lambda start, stop: values[start:stop])
    whole.record(0, list(result.problems))
    return whole
