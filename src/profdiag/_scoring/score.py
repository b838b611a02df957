"""`score()`: response data of any accepted shape -> ScoreResult."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

from profdiag._arrow import arrow_array
from profdiag._instrument.model import Instrument
from profdiag._scoring.answer_sheets import expand_answers_column
from profdiag._scoring.encode import (
    NUMERIC_KINDS,
    BlockBuffers,
    ColumnRoles,
    Encoded,
    PreparedColumns,
    column_problems,
    encode_block,
    encode_columns,
    encode_matrix,
    encode_numeric_block,
    encode_record,
    id_cells,
    prepare_columns,
)
from profdiag._scoring.frames import (
    NumericSource,
    frame_matrix,
    numeric_sources,
    plain_columns,
)
from profdiag._scoring.inputs import ACCEPTED, Columns, Matrix, Record, Shape, checked_shape
from profdiag._scoring.integer_kernel import (
    INTEGER_BLOCK_ROWS,
    IntegerLayout,
    IntegerWorkspace,
    integer_columns_fit,
    integer_layout,
    score_integer_block,
    widest_unsigned,
)
from profdiag._scoring.kernel import KernelOutput, Workspace, score_values
from profdiag._scoring.plan import FloatArray, ScoringPlan, compile_plan
from profdiag._scoring.result import CategoricalAnswers, InstrumentRef, ScoreResult
from profdiag._scoring.survey import split_survey_items
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError

# Rows per block on the numeric-array path: small enough to stay in cache, large enough
# that numpy's per-call overhead does not matter. Blocks run on a thread each (numpy
# releases the GIL in its loops and in BLAS).
BLOCK_ROWS = 4_096
# Rows per block when columns are encoded block by block (Arrow columns from CSV and
# Parquet): the kernel's size, in which its buffers stay in the cache.
COLUMN_BLOCK_ROWS = 4_096
T = TypeVar("T")


class DataFrameLike(Protocol):
    """What profdiag needs of a pandas (or compatible) DataFrame: named columns, rows."""

    @property
    def columns(self) -> Any: ...

    def __getitem__(self, key: Any, /) -> Any: ...

    def __len__(self) -> int: ...


ResponseData: TypeAlias = (
    "np.ndarray | Mapping[str, Any] | Sequence[Mapping[str, Any]] | DataFrameLike"
)
"""Response data `score` accepts: a 2-D array (columns in item order), a mapping of column
name to column (or, for one respondent, of item id to answer), a list of row dicts, or a
DataFrame."""


def score(
    instrument: Instrument,
    data: ResponseData,
    *,
    strict: bool = True,
    id_column: str | None = None,
    other_columns: Iterable[str] = (),
    source: str = "<data>",
    workers: int | None = None,
    answers_column: str | None = None,
    allow_empty: bool = False,
) -> ScoreResult:
    """Score response data on every scale of `instrument`.

    Parameters
    ----------
    instrument
        The instrument whose scales are scored.
    data
        A 2-D numpy array with one column per item in the instrument's order, a pandas or
        polars DataFrame or pyarrow Table (numeric columns of any width, nullable or
        Arrow-backed, are scored without converting the table as a whole), a mapping of
        column name -> column, a list of row dicts, or one dict (one respondent). A
        pandas index other than 0..N-1 becomes `result.row_ids`; rows in problems are
        positions from 0 (docs/scaling.md). Cells are answers as numbers, numeric text
        (" 4 ", "4,0") or option codes and aliases; None, NaN, empty text, pandas NA/NaT,
        Arrow nulls and the format's missing-value codes mean no answer. Nominal,
        multiple-select ("1;3;5", or columns "<item>.<code>" of 0/1) and text items are
        validated and returned in `result.categorical`, never scored
        (docs/instrument-format.md).
    strict
        With `strict`, any invalid cell, unknown column or missing item column raises
        ResponseDataError listing them all; otherwise each is recorded in
        `result.problems`, the cell counts as unanswered and the row is flagged.
    id_column, other_columns
        Columns that are not items: the respondent id, and attributes or ignored ones.
    source
        How errors name the data (a file name, say).
    workers
        Threads for large inputs (default: one per core).
    allow_empty
        Score data with no rows (columns are still checked) instead of refusing them: for
        a table that may be empty, such as a day with no kiosk sessions.
    answers_column
        A column of typed paper answer sheets ("1а 2б ...", item positions as printed)
        that stands for the item columns; its bad tokens are problems of that column like
        any other invalid cell.

    Returns
    -------
    ScoreResult
        Raw scores, answered counts and a status per respondent and scale.

    Raises
    ------
    ArgumentError
        When `data` as a whole cannot be used: an unsupported type, a shape that does not
        fit the instrument, no rows, column names that are not text or are repeated.
    ResponseDataError
        In strict mode, when any cell or column is not a valid answer.

    Examples
    --------
    >>> import numpy as np
    >>> import profdiag
    >>> ipip = profdiag.load_instrument("ipip-bfm-50")
    >>> one = profdiag.score(ipip, {item.id: 4 for item in ipip.items})  # one kiosk client
    >>> # the mean of five items keyed + (4) and five keyed - (reversed: 6 - 4 = 2)
    >>> one.scale_ids[0], float(one.raw[0, 0])
    ('extraversion', 3.0)
    >>> rows = np.full((3, 50), 3.0)
    >>> rows[1, 0] = 7  # not an answer on a 1-5 scale
    >>> batch = profdiag.score(ipip, rows, strict=False)
    >>> problem = batch.problems[0]
    >>> problem.row, problem.column, problem.value
    (1, 'ipip01', 7.0)
    >>> batch.status_labels()[1, 0], int(batch.answered[1, 0])
    ('ok', 9)
    """
    return score_with_plan(
        compile_plan(instrument),
        data,
        instrument=instrument,
        strict=strict,
        id_column=id_column,
        other_columns=other_columns,
        source=source,
        workers=workers,
        answers_column=answers_column,
        allow_empty=allow_empty,
    )


def score_with_plan(
    plan: ScoringPlan,
    data: ResponseData,
    *,
    instrument: Instrument | None = None,
    strict: bool = True,
    id_column: str | None = None,
    other_columns: Iterable[str] = (),
    source: str = "<data>",
    workers: int | None = None,
    answers_column: str | None = None,
    allow_empty: bool = False,
) -> ScoreResult:
    """`score` with the instrument's compiled plan (what a Dask worker receives); the
    instrument itself is needed only for an answers column."""
    if answers_column is not None and instrument is None:
        raise ArgumentError("an answers column needs the instrument, not only its plan")
    sheet_problems: list[CellProblem] = []
    if answers_column is not None and instrument is not None:
        data, sheet_problems = expand_answers_column(instrument, data, answers_column)
    shape = checked_shape(plan, data, source, allow_empty=allow_empty)
    shape, categorical, survey_problems = split_survey_items(plan, shape)
    sheet_problems += survey_problems
    roles = ColumnRoles(id_column, frozenset(other_columns))
    sources = numeric_sources(plan.item_ids, shape.columns) if isinstance(shape, Columns) else None
    if isinstance(shape, Matrix) and shape.array.dtype.kind in NUMERIC_KINDS:
        if _converted_by_block(shape.array):
            whole = shape.array.dtype.kind in "iu"
            fill = _matrix_filler(shape.array)
            encoded, output = _score_filled_blocks(
                plan,
                fill,
                shape.array.shape[0],
                workers,
                whole,
                IntegerColumns.of_matrix(shape.array),
            )
        else:
            encoded, output = _score_numeric_blocks(plan, shape.array, workers)
    elif isinstance(shape, Columns) and sources is not None:
        fill = _columns_filler(sources)
        whole = all(source is None or source.data.dtype.kind in "iu" for source in sources)
        integer = IntegerColumns.of_sources(sources)
        encoded, output = _score_filled_blocks(plan, fill, shape.n_rows, workers, whole, integer)
        encoded = _with_columns(plan, encoded, shape, roles, sources)
    elif isinstance(shape, Columns) and _sliceable(plan, shape):
        encoded, output = _score_column_blocks(plan, _plain_columns(shape), roles, workers)
    else:
        encoded = _encode(plan, _plain(shape), roles)
        output = _score_in_blocks(plan, encoded.values, workers)
    encoded = _with_problems(encoded, sheet_problems)
    index = shape.index if isinstance(shape, Columns) else None
    return _result(plan, encoded, output, strict, source, categorical, roles.id_column, index)


def score_with_values(
    instrument: Instrument,
    data: ResponseData,
    *,
    strict: bool = True,
    id_column: str | None = None,
    other_columns: Iterable[str] = (),
    source: str = "<data>",
    workers: int | None = None,
    answers_column: str | None = None,
) -> tuple[ScoreResult, FloatArray]:
    """`score`, also returning the item-value matrix that response-validity checks read.

    Parameters are those of `score`.

    Returns
    -------
    result : ScoreResult
        As from `score`.
    values : ndarray of shape (N, I)
        Each item's value per respondent in the instrument's item order (the answer code,
        or the option's position for categorical items); NaN for no answer or an invalid
        cell. Feed it to `ScoredInput(item_values=...)` to get the item-level validity
        flags in profiles built from these results.

    Raises
    ------
    ArgumentError, ResponseDataError
        As `score`.

    Examples
    --------
    >>> import profdiag
    >>> ipip = profdiag.load_instrument("ipip-bfm-50")
    >>> result, values = score_with_values(ipip, {item.id: 3 for item in ipip.items})
    >>> values.shape, float(values[0, 0])
    ((1, 50), 3.0)
    """
    plan = compile_plan(instrument)
    shape, early_problems, categorical = _prepared(
        plan, instrument, data, answers_column, source, False
    )
    encoded = _encode(plan, _plain(shape), ColumnRoles(id_column, frozenset(other_columns)))
    output = _score_in_blocks(plan, encoded.values, workers)
    index = shape.index if isinstance(shape, Columns) else None
    encoded = _with_problems(encoded, early_problems)
    result = _result(plan, encoded, output, strict, source, categorical, id_column, index)
    return result, encoded.values


def _prepared(
    plan: ScoringPlan,
    instrument: Instrument,
    data: Any,
    answers_column: str | None,
    source: str,
    allow_empty: bool,
) -> tuple[Shape, list[CellProblem], dict[str, CategoricalAnswers]]:
    """The data's checked shape, with an answer-sheet column expanded into item columns
    first (its bad tokens are returned as problems), and nominal, multiple-select and text
    items read into categorical answers (see `profdiag._scoring.survey`)."""
    sheet_problems: list[CellProblem] = []
    if answers_column is not None:
        data, sheet_problems = expand_answers_column(instrument, data, answers_column)
    shape = checked_shape(plan, data, source, allow_empty=allow_empty)
    shape, categorical, survey_problems = split_survey_items(plan, shape)
    return shape, [*sheet_problems, *survey_problems], categorical


def _with_problems(encoded: Encoded, problems: list[CellProblem]) -> Encoded:
    """`encoded` with `problems` found before encoding (answer sheets) listed first and
    their rows flagged."""
    if not problems:
        return encoded
    n_rows = (
        encoded.values.shape[0] if encoded.row_has_problem is None else len(encoded.row_has_problem)
    )
    flagged = (
        np.zeros(n_rows, dtype=bool)
        if encoded.row_has_problem is None
        else encoded.row_has_problem.copy()
    )
    flagged[[problem.row for problem in problems if problem.row >= 0]] = True
    return dataclasses.replace(
        encoded, problems=[*problems, *encoded.problems], row_has_problem=flagged
    )


def _result(
    plan: ScoringPlan,
    encoded: Encoded,
    output: KernelOutput,
    strict: bool,
    source: str,
    categorical: dict[str, CategoricalAnswers],
    id_column: str | None = None,
    index: Any = None,
) -> ScoreResult:
    if strict and encoded.problems:
        raise ResponseDataError(source, encoded.problems)
    n_rows = output.raw.shape[0]
    row_has_problem = (
        encoded.row_has_problem
        if encoded.row_has_problem is not None
        else np.zeros(n_rows, dtype=bool)
    )
    row_ids: Sequence[Any] = range(n_rows)
    if encoded.ids is not None:
        row_ids = encoded.ids
    elif index is not None:
        row_ids = index
    return ScoreResult(
        instrument=InstrumentRef(
            plan.instrument_id, plan.instrument_version, plan.content_hash, plan.overlay_hash
        ),
        scale_ids=plan.scale_ids,
        raw=output.raw,
        answered=output.answered,
        status=output.status,
        row_ids=row_ids,
        problems=tuple(encoded.problems),
        row_has_problem=row_has_problem,
        id_name=id_column if encoded.ids is not None else getattr(index, "name", None),
        categorical=categorical,
    )


def _encode(plan: ScoringPlan, shape: Shape, roles: ColumnRoles) -> Encoded:
    if isinstance(shape, Matrix):
        return encode_matrix(plan, shape.array)
    if isinstance(shape, Record):
        return encode_record(plan, shape.record, roles)
    if isinstance(shape, Columns):
        return encode_columns(plan, shape.columns, shape.n_rows, roles)
    raise AssertionError(f"response data must be {ACCEPTED}")  # checked_shape returns one


def _score_numeric_blocks(
    plan: ScoringPlan, matrix: np.ndarray, workers: int | None
) -> tuple[Encoded, KernelOutput]:
    """Blocks of rows, each validated and scored on a worker thread, into one output."""
    n_rows = matrix.shape[0]
    matrix = np.asarray(matrix, dtype=np.float64)
    if n_rows <= BLOCK_ROWS:
        encoded = encode_matrix(plan, matrix)
        return encoded, score_values(plan, encoded.values)
    output = KernelOutput.empty(n_rows, plan.n_scales)

    def run(start: int, stop: int, workspace: Workspace) -> Encoded:
        encoded = encode_matrix(plan, matrix[start:stop], first_row=start, workspace=workspace)
        score_values(
            plan,
            encoded.values,
            out=output.rows(start, stop),
            split=encoded.split,
            workspace=workspace,
        )
        return encoded

    parts = _on_threads(run, n_rows, plan.n_items, workers)
    problems: list[CellProblem] = [p for encoded in parts for p in encoded.problems]
    row_has_problem = np.zeros(n_rows, dtype=bool)
    for start, encoded in zip(range(0, n_rows, BLOCK_ROWS), parts, strict=True):
        if encoded.row_has_problem is not None:
            row_has_problem[start : start + BLOCK_ROWS] = encoded.row_has_problem
    merged = Encoded(np.empty((0, plan.n_items)), problems, row_has_problem)
    return merged, output


def _converted_by_block(matrix: np.ndarray) -> bool:
    """A numeric matrix better converted to float64 block by block than as a whole:
    narrower numbers, or column-major (as pandas gives), when larger than a block."""
    if matrix.shape[0] <= BLOCK_ROWS:
        return False
    return matrix.dtype != np.float64 or not matrix.flags.c_contiguous


# fill(buffer, start, stop): rows [start, stop) as float64, in `buffer` or as a view.
BlockFiller: TypeAlias = Callable[[np.ndarray, int, int], np.ndarray]


def _matrix_filler(matrix: np.ndarray) -> BlockFiller:
    """Rows of `matrix` copied into the thread's column-major buffer, even when they are
    float64 and column-major already: the block's columns lie a whole column apart in
    memory, and the checks' three passes over such a scattered block cost more than one
    copy into a compact one (measured: 1M x 60 from a pandas DataFrame, 0.04 s of CPU)."""

    def fill(values: np.ndarray, start: int, stop: int) -> np.ndarray:
        np.copyto(values, matrix[start:stop], casting="unsafe")
        return values

    return fill


def _columns_filler(sources: Sequence[NumericSource | None]) -> BlockFiller:
    matrix = frame_matrix(sources)
    if matrix is not None:
        return _matrix_filler(matrix)

    def fill(values: np.ndarray, start: int, stop: int) -> np.ndarray:
        for i, source in enumerate(sources):
            if source is None:
                values[:, i] = np.nan
            else:
                source.fill(values[:, i], start, stop)
        return values

    return fill


def _score_filled_blocks(
    plan: ScoringPlan,
    fill: BlockFiller,
    n_rows: int,
    workers: int | None,
    whole: bool,
    integer: IntegerColumns | None = None,
) -> tuple[Encoded, KernelOutput]:
    """Blocks of rows, each converted to float64 by `fill(values, start, stop)` into a
    column-major buffer the thread reuses, then validated and scored as `score` does a
    float64 array: the input is never converted as a whole. `whole`: integer columns
    only (no whole-number check needed). `integer` columns of a plan that
    `integer_layout` accepts are scored as they are stored (`integer_kernel`) instead, a
    block with a code out of range falling back to this path."""
    output = KernelOutput.empty(n_rows, plan.n_scales)
    run = _filled_block_scorer(plan, fill, output, whole)
    layout = None if integer is None or n_rows <= BLOCK_ROWS else integer.layout(plan)
    if integer is None or layout is None:
        parts = _on_threads(run, n_rows, plan.n_items, workers, order="F")
        starts = range(0, n_rows, BLOCK_ROWS)
        return _merged(plan, zip(starts, parts, strict=True), n_rows), output
    widest = widest_unsigned(integer.sources)
    block_rows = layout.block_rows(INTEGER_BLOCK_ROWS)
    buffers = threading.local()

    def run_integer(start: int, stop: int) -> list[tuple[int, Encoded]]:
        mine = getattr(buffers, "integer", None)
        if mine is None:
            mine = buffers.integer = IntegerWorkspace(layout, block_rows, widest)
        columns, first = integer.block(start, stop)
        if score_integer_block(layout, columns, first, output.rows(start, stop), mine):
            return []
        general = getattr(buffers, "general", None)
        if general is None:
            general = buffers.general = Workspace(BLOCK_ROWS, plan.n_items, "F")
        return [
            (row, run(row, min(row + BLOCK_ROWS, stop), general))
            for row in range(start, stop, BLOCK_ROWS)
        ]

    fallbacks = _in_blocks(run_integer, n_rows, workers, block_rows)
    return _merged(plan, (part for block in fallbacks for part in block), n_rows), output


@dataclass(frozen=True)
class IntegerColumns:
    """Integer item columns for `integer_kernel`: `sources` describe them (type, whether
    cells can be missing); `block(start, stop)` gives the columns holding rows
    [start, stop) and the row of `start` in them."""

    sources: Sequence[NumericSource | None]
    block: Callable[[int, int], tuple[Sequence[NumericSource], int]]

    def layout(self, plan: ScoringPlan) -> IntegerLayout | None:
        if not integer_columns_fit(plan, self.sources):
            return None
        return integer_layout(
            plan, [source is None or source.can_be_missing for source in self.sources]
        )

    @classmethod
    def of_sources(cls, sources: Sequence[NumericSource | None]) -> IntegerColumns:
        present = [source for source in sources if source is not None]
        return cls(sources, lambda start, stop: (present, start))

    @classmethod
    def of_matrix(cls, matrix: np.ndarray) -> IntegerColumns | None:
        """A 2-D integer array's columns; a row-major one copied a block at a time into a
        column-major buffer of its type, so that every pass runs along memory."""
        if matrix.dtype.kind not in "iu":
            return None
        views = [NumericSource(matrix[:, i]) for i in range(matrix.shape[1])]
        if matrix.flags.f_contiguous:
            return cls(views, lambda start, stop: (views, start))
        buffers = threading.local()

        def transposed(start: int, stop: int) -> tuple[Sequence[NumericSource], int]:
            block = getattr(buffers, "block", None)
            if block is None or block.shape[0] < stop - start:  # the first block is the largest
                shape = (stop - start, matrix.shape[1])
                block = buffers.block = np.empty(shape, dtype=matrix.dtype, order="F")
            rows = block[: stop - start]
            np.copyto(rows, matrix[start:stop])
            return [NumericSource(rows[:, i]) for i in range(rows.shape[1])], 0

        return cls(views, transposed)


def _filled_block_scorer(
    plan: ScoringPlan, fill: BlockFiller, output: KernelOutput, whole: bool
) -> Callable[[int, int, Workspace], Encoded]:
    buffers = threading.local()

    def run(start: int, stop: int, workspace: Workspace) -> Encoded:
        block = getattr(buffers, "block", None)
        if block is None:
            block = buffers.block = np.empty((BLOCK_ROWS, plan.n_items), order="F")
        values = fill(block[: stop - start], start, stop)
        encoded = encode_numeric_block(plan, values, start, workspace, whole)
        score_values(
            plan,
            encoded.values,
            out=output.rows(start, stop),
            split=encoded.split,
            workspace=workspace,
        )
        return encoded

    return run


def _merged(plan: ScoringPlan, parts: Iterable[tuple[int, Encoded]], n_rows: int) -> Encoded:
    """The problems and flagged rows of blocks (first row, encoded), in row order."""
    problems: list[CellProblem] = []
    row_has_problem = np.zeros(n_rows, dtype=bool)
    for start, encoded in parts:
        problems += encoded.problems
        if encoded.row_has_problem is not None:
            row_has_problem[start : start + len(encoded.row_has_problem)] = encoded.row_has_problem
    return Encoded(np.empty((0, plan.n_items)), problems, row_has_problem)


def _with_columns(
    plan: ScoringPlan,
    encoded: Encoded,
    shape: Columns,
    roles: ColumnRoles,
    sources: Sequence[NumericSource | None],
) -> Encoded:
    """Numeric columns' results with the column problems first, bad cells shown as the
    column holds them, and the id column."""
    position = {item_id: i for i, item_id in enumerate(plan.item_ids)}
    cells = []
    for problem in encoded.problems:
        source = sources[position[problem.column]]
        value = problem.value if source is None else source.cell(problem.row)
        cells.append(dataclasses.replace(problem, value=value))
    ids = None
    if roles.id_column is not None and roles.id_column in shape.columns:
        ids = id_cells(shape.columns[roles.id_column])
    problems = column_problems(plan, shape.columns.keys(), roles) + cells
    return Encoded(encoded.values, problems, encoded.row_has_problem, ids)


def _plain(shape: Shape) -> Shape:
    """Columns with every NumericSource as a numpy array, for the cell-checking paths."""
    return _plain_columns(shape) if isinstance(shape, Columns) else shape


def _plain_columns(shape: Columns) -> Columns:
    if any(isinstance(column, NumericSource) for column in shape.columns.values()):
        return Columns(plain_columns(shape.columns), shape.n_rows, shape.index)
    return shape


def _sliceable(plan: ScoringPlan, shape: Columns) -> bool:
    """Columns worth encoding block by block: more than one block of rows, every item
    column an Arrow array or a 1-D numpy array (both slice without copying)."""
    if shape.n_rows <= COLUMN_BLOCK_ROWS:
        return False
    for item_id in plan.item_ids:
        column = shape.columns.get(item_id)
        if column is None or arrow_array(column) is not None:
            continue
        if not (isinstance(column, np.ndarray) and column.ndim == 1):
            return False
    return True


def _score_column_blocks(
    plan: ScoringPlan, shape: Columns, roles: ColumnRoles, workers: int | None
) -> tuple[Encoded, KernelOutput]:
    """Each item column coded once (see `coded_column`), then blocks of rows looked up
    (into buffers each thread reuses) and scored on worker threads, into one output: the
    item-value matrix of the whole table is never built."""
    n_rows = shape.n_rows
    prepared = prepare_columns(plan, shape.columns, workers)
    integers = _coded_as_integers(plan, prepared, n_rows, workers)
    if integers is not None:
        encoded, output = _score_filled_blocks(
            plan,
            _columns_filler(integers),
            n_rows,
            workers,
            True,
            IntegerColumns.of_sources(integers),
        )
        encoded.problems[:0] = column_problems(plan, shape.columns.keys(), roles)
        if roles.id_column is not None and roles.id_column in shape.columns:
            encoded.ids = id_cells(shape.columns[roles.id_column])
        return encoded, output
    output = KernelOutput.empty(n_rows, plan.n_scales)
    buffers = threading.local()
    block_rows = COLUMN_BLOCK_ROWS

    def run(start: int, stop: int, workspace: Workspace) -> Encoded:
        mine = getattr(buffers, "mine", None)
        if mine is None:
            mine = buffers.mine = BlockBuffers.empty(block_rows, prepared)
        encoded = encode_block(plan, prepared, start, stop, mine)
        score_values(plan, encoded.values, out=output.rows(start, stop), workspace=workspace)
        encoded.values = np.empty((0, plan.n_items))  # the buffer is reused by the next block
        return encoded

    parts = _on_threads(run, n_rows, plan.n_items, workers, block_rows)
    problems = column_problems(plan, shape.columns.keys(), roles)
    problems += [p for encoded in parts for p in encoded.problems]
    row_has_problem = np.zeros(n_rows, dtype=bool)
    for start, encoded in zip(range(0, n_rows, block_rows), parts, strict=True):
        if encoded.row_has_problem is not None:
            row_has_problem[start : start + block_rows] = encoded.row_has_problem
    ids = None
    if roles.id_column is not None and roles.id_column in shape.columns:
        ids = id_cells(shape.columns[roles.id_column])
    merged = Encoded(np.empty((0, plan.n_items)), problems, row_has_problem, ids)
    return merged, output


def _coded_as_integers(
    plan: ScoringPlan, prepared: PreparedColumns, n_rows: int, workers: int | None
) -> list[NumericSource | None] | None:
    """Coded columns (text from CSV, say) as integer columns for the integer kernel, when
    every distinct cell of every item column is a valid answer or no answer and the plan
    is one the kernel takes: each column is then one lookup of its codes. None otherwise
    (a bad cell, a column that is not coded, a plan for the general path)."""
    if n_rows <= BLOCK_ROWS or prepared.others or len(prepared.coded) != plan.n_items:
        return None
    if integer_layout(plan, [True] * plan.n_items) is None:
        return None
    # Text columns coded by their byte have entries for every byte; only those that occur
    # must be answers (checked per column below).
    answered = ~np.isnan(prepared.values) & ~prepared.bad
    values = prepared.values[answered]
    if values.size == 0 or not np.array_equal(values, np.round(values)):
        return None
    lowest, highest = float(values.min()), float(values.max())
    fitting = [
        t for t in (np.int8, np.int16) if np.iinfo(t).min <= lowest <= highest <= np.iinfo(t).max
    ]
    if not fitting:
        return None
    dtype = fitting[0]
    table = np.where(answered, prepared.values, 0.0).astype(dtype)
    # Per entry: 0 an answer, 1 no answer, 2 a bad cell; one lookup per column gives both.
    state = np.where(prepared.bad, 2, np.where(answered, 0, 1)).astype(np.int8)
    sources: list[NumericSource | None] = [None] * plan.n_items

    def lookup(item: tuple[int, np.ndarray]) -> bool:
        i, codes = item
        base = int(prepared.bases[i])
        states = np.take(state[base:], codes)
        if np.count_nonzero(states == 2):
            return False  # a bad cell: the general path names it
        mask = states == 1
        sources[i] = NumericSource(np.take(table[base:], codes), mask if mask.any() else None)
        return True

    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        if not all(pool.map(lookup, prepared.coded)):
            return None
    return sources


def _score_in_blocks(plan: ScoringPlan, values: np.ndarray, workers: int | None) -> KernelOutput:
    """Score item values that are already validated, block by block on worker threads."""
    n_rows = values.shape[0]
    if n_rows <= BLOCK_ROWS:
        return score_values(plan, values)
    output = KernelOutput.empty(n_rows, plan.n_scales)

    def run(start: int, stop: int, workspace: Workspace) -> None:
        score_values(plan, values[start:stop], out=output.rows(start, stop), workspace=workspace)

    _on_threads(run, n_rows, plan.n_items, workers)
    return output


def _on_threads(
    run: Callable[[int, int, Workspace], T],
    n_rows: int,
    n_items: int,
    workers: int | None,
    block_rows: int | None = None,
    order: Literal["C", "F"] = "C",
) -> list[T]:
    """run(start, stop, workspace) for each block of `block_rows` rows (BLOCK_ROWS unless
    given), on worker threads that each reuse one workspace; results in block order."""
    buffers = threading.local()
    block_rows = block_rows or BLOCK_ROWS

    def with_workspace(start: int, stop: int) -> T:
        workspace = getattr(buffers, "workspace", None)
        if workspace is None:
            workspace = buffers.workspace = Workspace(block_rows, n_items, order)
        return run(start, stop, workspace)

    return _in_blocks(with_workspace, n_rows, workers, block_rows)


def _in_blocks(
    run: Callable[[int, int], T], n_rows: int, workers: int | None, block_rows: int
) -> list[T]:
    """run(start, stop) for each block of `block_rows` rows on worker threads, in order."""
    threads = workers or os.cpu_count() or 1
    # Parallelism comes from the blocks; BLAS threads on top would only compete for cores.
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
        return list(
            pool.map(
                lambda start: run(start, min(start + block_rows, n_rows)),
                range(0, n_rows, block_rows),
            )
        )
