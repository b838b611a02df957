"""Turn response data of any accepted shape into the item-value matrix V.

Accepted (and checked as a whole by `inputs.checked_shape`): a 2-D numpy array (columns in
the instrument's item order), a pandas DataFrame or any mapping of column name -> column, a
list of row dicts, or one dict (one respondent). The same cell means the same answer, or
the same problem, in every shape.
Every cell that is not a valid answer is reported with its row, column, the value seen and
what was expected; it never turns silently into a number or into 'no answer'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag._instrument.semantics import parse_number
from profdiag._scoring.frames import NumericSource
from profdiag._scoring.inputs import unmasked
from profdiag._scoring.kernel import Split, Workspace
from profdiag._scoring.plan import BoolArray, FloatArray, ItemCoding, ScoringPlan
from profdiag.errors import ArgumentError, CellProblem

if TYPE_CHECKING:
    import pyarrow as pa

_UNKNOWN = object()
NUMERIC_KINDS = "fiu"  # numpy kinds scored as numbers (bool and complex are refused)
_PARALLEL_ROWS = 65_536  # Arrow columns at least this long are encoded on threads


@dataclass
class Encoded:
    values: FloatArray  # (N, I), NaN = no answer
    problems: list[CellProblem] = field(default_factory=list)
    row_has_problem: BoolArray | None = None
    ids: Sequence[Any] | None = None
    split: Split | None = None  # Split.of(values), when already made


@dataclass(frozen=True)
class ColumnRoles:
    """Columns that are not items: an identifier, and respondent attributes or ignored ones."""

    id_column: str | None = None
    other_columns: frozenset[str] = frozenset()


def encode_matrix(
    plan: ScoringPlan, matrix: np.ndarray, first_row: int = 0, workspace: Workspace | None = None
) -> Encoded:
    """A 2-D array whose columns are the items in the instrument's order (its shape checked
    by `inputs.checked_shape`): numbers, or cells of any other kind, each checked."""
    if matrix.dtype.kind in NUMERIC_KINDS:
        return encode_numeric_block(
            plan, np.asarray(matrix, dtype=np.float64), first_row, workspace
        )
    columns = {item_id: matrix[:, i] for i, item_id in enumerate(plan.item_ids)}
    return encode_columns(plan, columns, matrix.shape[0], ColumnRoles(), first_row)


def encode_columns(
    plan: ScoringPlan,
    columns: Mapping[str, Any],
    n_rows: int,
    roles: ColumnRoles,
    first_row: int = 0,
    *,
    check_names: bool = True,
    out: tuple[FloatArray, BoolArray] | None = None,
    threads: bool = True,
) -> Encoded:
    """Columns by name: each a numpy array, pandas Series, Arrow array or sequence of
    cells. Arrow columns (what the CSV and Parquet readers give) are encoded a whole column
    at a time, on threads when long (unless `threads` is False). `out` gives the buffers
    for the values and the invalid-cell mask (n_rows x items); `check_names` False skips
    the column-name problems (for a block of rows, whose columns were checked once)."""
    problems = column_problems(plan, columns.keys(), roles) if check_names else []
    if out is None:
        values = np.empty((n_rows, plan.n_items))
        bad = np.empty((n_rows, plan.n_items), dtype=bool)
    else:
        values, bad = out
    arrays: dict[int, Any] = {}
    arrow_items: list[tuple[int, pa.ChunkedArray]] = []
    for i, coding in enumerate(plan.codings):
        if coding.item_id not in columns:
            values[:, i], bad[:, i] = np.nan, False
            continue
        arrow = arrow_array(columns[coding.item_id])
        if arrow is not None:
            _check_length(coding.item_id, len(arrow), n_rows)
            arrays[i] = ArrowColumn(arrow)
            arrow_items.append((i, arrow))
            continue
        column = arrays[i] = as_array(columns[coding.item_id])
        _check_length(coding.item_id, len(column), n_rows)
        kind = column.dtype.kind
        if kind in NUMERIC_KINDS:
            values[:, i], bad[:, i] = _encode_numeric_column(coding, column.astype(np.float64))
        elif kind in "bc":  # True/False and complex numbers are never answers, as in a dict
            values[:, i], bad[:, i] = np.nan, True
        else:
            values[:, i], bad[:, i] = _encode_text_column(coding, column)

    def encode_arrow(item: tuple[int, pa.ChunkedArray]) -> None:
        i, arrow = item
        values[:, i], bad[:, i] = encode_arrow_column(plan.codings[i], arrow)

    if threads and len(arrow_items) > 1 and n_rows >= _PARALLEL_ROWS:
        with ThreadPoolExecutor() as pool:  # pyarrow and numpy release the GIL
            list(pool.map(encode_arrow, arrow_items))
    else:
        for item in arrow_items:
            encode_arrow(item)
    problems += _cell_problems(plan, arrays, bad, first_row)
    ids = None
    if roles.id_column is not None and roles.id_column in columns:
        ids = id_cells(columns[roles.id_column])
    return Encoded(values, problems, np.asarray(bad.any(axis=1)), ids)


def encode_column(
    coding: ItemCoding, column: Any, n_rows: int
) -> tuple[FloatArray, BoolArray, Any]:
    """One item's column (any kind `encode_columns` takes): its values, its invalid cells,
    and the column as cells that can be indexed to show an invalid one."""
    arrow = arrow_array(column)
    if arrow is not None:
        _check_length(coding.item_id, len(arrow), n_rows)
        values, bad = encode_arrow_column(coding, arrow)
        return values, bad, ArrowColumn(arrow)
    array = as_array(column)
    _check_length(coding.item_id, len(array), n_rows)
    if array.dtype.kind in NUMERIC_KINDS:
        values, bad = _encode_numeric_column(coding, array.astype(np.float64))
    elif array.dtype.kind in "bc":
        values, bad = np.full(len(array), np.nan), np.ones(len(array), dtype=bool)
    else:
        values, bad = _encode_text_column(coding, array)
    return values, bad, array


def shown_cell(cell: Any) -> Any:
    """A cell as an error message shows it: numpy scalars as Python values."""
    return _shown(cell)


def _check_length(item_id: str, length: int, n_rows: int) -> None:
    if length != n_rows:
        raise ArgumentError(f"column {item_id!r} has {length} rows, expected {n_rows}")


@dataclass
class PreparedColumns:
    """Item columns made ready for `encode_block`: coded columns as codes into one flat
    table of values (item i's codes start at bases[i]), and the other columns as they
    are (numbers, or types encoded cell by cell)."""

    bases: np.ndarray  # (I,) int32
    values: FloatArray  # the flat table
    bad: BoolArray
    coded: list[tuple[int, np.ndarray]]  # item position, codes (one per row)
    others: list[tuple[int, Any]]  # item position, an Arrow array or a 1-D numpy array
    originals: dict[int, Any]  # item position -> column, to show invalid cells


@dataclass
class BlockBuffers:
    """One worker thread's buffers for `encode_block`, reused block after block."""

    codes: np.ndarray
    index: np.ndarray
    values: FloatArray
    bad: BoolArray

    @classmethod
    def empty(cls, rows: int, prepared: PreparedColumns) -> BlockBuffers:
        n_items = prepared.bases.size
        codes = np.zeros((rows, n_items), dtype=np.int32)  # items without codes: entry 0
        return cls(
            codes,
            np.empty((rows, n_items), dtype=np.int32),
            np.empty((rows, n_items)),
            np.empty((rows, n_items), dtype=bool),
        )


def prepare_columns(
    plan: ScoringPlan, columns: Mapping[str, Any], workers: int | None = None
) -> PreparedColumns:
    """Code each item column of `columns` once (see `coded_column`), on `workers`
    threads. An item without a column, or whose column is encoded otherwise, looks up the
    table's no-answer entry."""
    coded: dict[int, CodedColumn | None] = {}
    originals: dict[int, Any] = {}
    for i, item_id in enumerate(plan.item_ids):
        if item_id in columns:
            column = columns[item_id]
            arrow = arrow_array(column)
            originals[i] = arrow if arrow is not None else unmasked(column)

    def prepare(i: int) -> None:
        column = originals[i]
        coded[i] = None if isinstance(column, np.ndarray) else coded_column(plan.codings[i], column)

    with ThreadPoolExecutor(workers) as pool:  # pyarrow and numpy release the GIL
        list(pool.map(prepare, list(originals)))
    tables_values: list[FloatArray] = [np.full(1, np.nan)]  # entry 0: no answer
    tables_bad: list[BoolArray] = [np.zeros(1, dtype=bool)]
    bases = np.zeros(plan.n_items, dtype=np.int32)
    size = 1
    for i in range(plan.n_items):
        table = coded.get(i)
        if table is not None:
            bases[i] = size
            tables_values.append(table.values)
            tables_bad.append(table.bad)
            size += table.values.size
    return PreparedColumns(
        bases,
        np.concatenate(tables_values),
        np.concatenate(tables_bad),
        [(i, table.codes) for i, table in coded.items() if table is not None],
        [(i, originals[i]) for i, table in coded.items() if table is None],
        originals,
    )


def encode_block(
    plan: ScoringPlan, prepared: PreparedColumns, start: int, stop: int, buffers: BlockBuffers
) -> Encoded:
    """Rows [start, stop) of prepared columns: one lookup in the table for all coded
    columns (into `buffers`), then the other columns one by one."""
    rows = stop - start
    codes, index = buffers.codes[:rows], buffers.index[:rows]
    values, bad = buffers.values[:rows], buffers.bad[:rows]
    for i, column_codes in prepared.coded:
        codes[:, i] = column_codes[start:stop]
    np.add(codes, prepared.bases, out=index)
    np.take(prepared.values, index, out=values, mode="clip")
    check = bool(prepared.bad.any())
    if check:
        np.take(prepared.bad, index, out=bad, mode="clip")
    else:
        bad.fill(False)
    for i, column in prepared.others:
        check = True
        coding = plan.codings[i]
        if isinstance(column, np.ndarray):
            part = column[start:stop]
            if part.dtype.kind in NUMERIC_KINDS:
                values[:, i], bad[:, i] = _encode_numeric_column(coding, part.astype(np.float64))
            elif part.dtype.kind in "bc":
                values[:, i], bad[:, i] = np.nan, True
            else:
                values[:, i], bad[:, i] = _encode_text_column(coding, part)
        else:
            values[:, i], bad[:, i] = encode_arrow_column(coding, column.slice(start, rows))
    if not check:
        return Encoded(values, [], None, None)
    has_problem = np.asarray(bad.any(axis=1))
    problems: list[CellProblem] = []
    if has_problem.any():
        arrays: dict[int, Any] = {}
        for i in np.flatnonzero(bad.any(axis=0)).tolist():
            column = prepared.originals[i]
            arrays[i] = (
                column[start:stop]
                if isinstance(column, np.ndarray)
                else ArrowColumn(column.slice(start, rows))
            )
        problems = _cell_problems(plan, arrays, bad, start)
    return Encoded(values, problems, has_problem, None)


def id_cells(column: Any) -> Sequence[Any]:
    """A column of respondent ids as a sequence of cells (Arrow columns stay Arrow)."""
    if isinstance(column, ArrowColumn):
        return column
    if isinstance(column, NumericSource) and column.arrow is not None:
        return ArrowColumn(column.arrow)
    arrow = arrow_array(column)
    if arrow is not None:
        return ArrowColumn(arrow)
    return list(as_array(column))


def encode_record(plan: ScoringPlan, record: Mapping[str, Any], roles: ColumnRoles) -> Encoded:
    """One respondent: the kiosk path, a loop over items (not people) for low latency."""
    values = np.empty((1, plan.n_items))
    problems = column_problems(plan, record.keys(), roles)
    for i, coding in enumerate(plan.codings):
        cell = record.get(coding.item_id)
        value = _encode_cell(coding, cell)
        if value is _UNKNOWN:
            problems.append(CellProblem(0, coding.item_id, _shown(cell), coding.expected))
            value = math.nan
        values[0, i] = value
    ids = [record[roles.id_column]] if roles.id_column and roles.id_column in record else None
    return Encoded(values, problems, np.array([bool(problems)]), ids)


def column_problems(plan: ScoringPlan, names: Any, roles: ColumnRoles) -> list[CellProblem]:
    present = set(names)
    if present == plan.item_id_set:  # the common case, checked cheaply
        return []
    known = plan.item_id_set | roles.other_columns
    if roles.id_column is not None:
        known = known | {roles.id_column}
    problems = [
        CellProblem(
            -1,
            str(name),
            str(name),
            "a column named after an item of the instrument, "
            "the id column or a declared attribute column",
        )
        for name in names
        if name not in known
    ]
    problems += [
        CellProblem(-1, item_id, None, "a column for this item (none found)")
        for item_id in plan.item_ids
        if item_id not in present
    ]
    return problems


def as_array(column: Any) -> np.ndarray:
    """A column as a 1-D numpy array. pandas' missing values (NA, NaT, NaN, None) in nullable
    and text columns become NaN or None, both 'no answer'."""
    if isinstance(column, np.ndarray):
        return unmasked(column)
    if isinstance(column, NumericSource):
        return column.to_numpy()
    arrow = arrow_array(column)
    if arrow is not None:
        return _arrow_to_numpy(arrow)
    to_numpy = getattr(column, "to_numpy", None)
    if to_numpy is not None:  # pandas Series without importing pandas
        dtype = getattr(column, "dtype", None)
        if isinstance(dtype, np.dtype):
            return np.asarray(to_numpy())
        if getattr(dtype, "kind", None) in ("i", "u", "f"):  # nullable Int64, Float64, ...
            return np.asarray(to_numpy(dtype=np.float64, na_value=np.nan))
        try:  # text, boolean, categorical ...: missing values as None
            return np.asarray(to_numpy(dtype=object, na_value=None))
        except TypeError:  # a Series-like object without pandas' signature
            return np.asarray(to_numpy(), dtype=object)
    array = np.asarray(column, dtype=object)
    if array.ndim != 1:
        array = np.empty(len(column), dtype=object)
        array[:] = list(column)
    return array


def is_no_answer(cell: Any) -> bool:
    """None, NaN, pandas' NA and NaT, numpy's NaT: the ways a table says 'no value here'."""
    if cell is None:
        return True
    if isinstance(cell, float | np.floating):
        return bool(np.isnan(cell))
    if isinstance(cell, np.datetime64 | np.timedelta64):
        return bool(np.isnat(cell))
    kind = type(cell)
    return kind.__name__ in ("NAType", "NaTType") and kind.__module__.startswith("pandas")


def _encode_cell(coding: ItemCoding, cell: Any) -> Any:
    """The value of one cell, NaN for no answer, or _UNKNOWN for an invalid answer."""
    if cell is None:
        return math.nan
    kind = type(cell)
    if kind is int or kind is float:  # the kiosk's common case: one dict lookup
        value = coding.numbers.get(cell)
        if value is not None:
            return value
    if isinstance(cell, str):
        value = coding.spellings.get(cell)
        if value is not None:
            return value
        text = cell.strip()
        if text in coding.missing_spellings or text.upper() in ("NA", "NAN"):
            return math.nan
        value = coding.spellings.get(text)
        if value is not None:
            return value
        number = parse_number(text)
        return _UNKNOWN if number is None else _encode_number(coding, number)
    if isinstance(cell, bool | np.bool_ | complex | np.complexfloating):
        return _UNKNOWN
    if isinstance(cell, int | float | np.integer | np.floating):
        try:
            number = float(cell)
        except OverflowError:  # an int too large for a float, e.g. 10**400
            return _UNKNOWN
        return _encode_number(coding, number)
    return math.nan if is_no_answer(cell) else _UNKNOWN


def _encode_number(coding: ItemCoding, number: float) -> Any:
    if math.isnan(number):
        return math.nan
    value = coding.numbers.get(number)  # codes, and missing-value codes (-> NaN)
    if value is not None:
        return value
    if (
        coding.free_numeric
        and coding.low <= number <= coding.high
        and (not coding.integer or number.is_integer())
    ):
        return number
    return _UNKNOWN


def _shown(cell: Any) -> Any:
    """A cell as an error message shows it: numpy scalars as Python values."""
    return cell.item() if isinstance(cell, np.generic) else cell


def _encode_text_column(coding: ItemCoding, column: np.ndarray) -> tuple[FloatArray, BoolArray]:
    bad = np.zeros(len(column), dtype=bool)
    try:  # the common case: every cell is an exact spelling (or empty): one lookup each
        values = np.fromiter(map(coding.text_values.__getitem__, column), np.float64, len(column))
        return values, bad
    except (KeyError, TypeError):
        pass
    lookup = coding.spellings.get
    values = np.fromiter(
        (lookup(cell, math.nan) if isinstance(cell, str) else math.nan for cell in column),
        dtype=np.float64,
        count=len(column),
    )
    unresolved = np.flatnonzero(np.isnan(values))
    for row in unresolved:
        value = _encode_cell(coding, column[row])
        if value is _UNKNOWN:
            bad[row] = True
        else:
            values[row] = value
    return values, bad


def _arrow_to_numpy(arrow: pa.ChunkedArray) -> np.ndarray:
    """Numbers as float64 (null -> NaN); anything else as Python cells (null -> None)."""
    import pyarrow as pa

    kind = arrow.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        floats = arrow.cast(pa.float64(), safe=False)
        return np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
    cells = np.empty(len(arrow), dtype=object)
    cells[:] = arrow.to_pylist()
    return cells


def encode_arrow_column(coding: ItemCoding, arrow: pa.ChunkedArray) -> tuple[FloatArray, BoolArray]:
    """An Arrow column's values and invalid cells (see `coded_column`); floats as numbers,
    and types that cannot be coded (dates, lists) cell by cell."""
    coded = coded_column(coding, arrow)
    if coded is not None:
        return coded.block(0, len(arrow))
    import pyarrow as pa

    kind = arrow.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _encode_numeric_column(coding, _arrow_to_numpy(arrow))
    return _encode_cells(coding, arrow.to_pylist())


@dataclass(frozen=True)
class CodedColumn:
    """A column as small integer codes into a table of its distinct cells' values, so that
    each distinct cell is encoded once and a block of rows is one lookup."""

    codes: np.ndarray
    values: FloatArray  # by code
    bad: BoolArray  # by code

    def block(self, start: int, stop: int) -> tuple[FloatArray, BoolArray]:
        codes = self.codes[start:stop]
        bad = self.bad[codes] if self.bad.any() else np.zeros(stop - start, dtype=bool)
        return self.values[codes], bad


def coded_column(coding: ItemCoding, arrow: pa.ChunkedArray) -> CodedColumn | None:
    """Text, dictionary, integer, boolean and null columns as a `CodedColumn`; None for
    the others (floats, decimals, dates, ...).

    Text cells of at most one byte (the usual "1".."5" and empty cells) are coded by that
    byte (256 for an empty cell, 257 for null), without hashing; other text is dictionary-
    encoded. Integers are coded by their distance from the smallest (when they span fewer
    than 65,536 values). A boolean is never an answer; null is no answer.
    """
    import pyarrow as pa

    kind = arrow.type
    n_cells = len(arrow)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        narrow = _byte_codes(arrow, narrow=True)
        if narrow is not None:  # every possible cell is encoded: 256 lookups, no search
            values, bad = _encode_cells(coding, ["", *map(chr, range(1, 256))])
            return CodedColumn(narrow, values, bad)
        wide = _byte_codes(arrow, narrow=False)
        if wide is not None:
            values, bad = _encode_cells(coding, [*map(chr, range(256)), "", None])
            return CodedColumn(wide, values, bad)
        arrow = pa.chunked_array([arrow.combine_chunks().dictionary_encode()])
        kind = arrow.type
    if pa.types.is_dictionary(kind):
        if arrow.num_chunks != 1:
            arrow = pa.chunked_array([arrow.combine_chunks()])
        chunk = arrow.chunk(0) if arrow.num_chunks else pa.array([], kind)
        values, bad = _encode_cells(coding, chunk.dictionary.to_pylist())
        indices = chunk.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
        return CodedColumn(indices, np.append(values, np.nan), np.append(bad, False))
    if pa.types.is_integer(kind) and n_cells:
        low, high = _integer_range(arrow)
        if high - low < 65_535 and low > -(2**62) and high < 2**62:
            values, bad = _encode_numeric_column(coding, np.arange(low, high + 1, dtype=np.float64))
            codes = _integer_codes(arrow, low, high - low + 1)
            return CodedColumn(codes, np.append(values, np.nan), np.append(bad, False))
    if pa.types.is_boolean(kind):
        valid = np.asarray(arrow.is_valid().to_numpy(zero_copy_only=False), dtype=np.uint8)
        return CodedColumn(valid, np.full(2, np.nan), np.array([False, True]))
    if pa.types.is_null(kind):
        return CodedColumn(np.zeros(n_cells, dtype=np.uint8), np.full(1, np.nan), np.zeros(1, bool))
    return None


def _integer_codes(arrow: pa.ChunkedArray, low: int, null: int) -> np.ndarray:
    """Each integer's distance from `low` (`null` for a null) as uint16, read from each
    chunk's value buffer and validity bitmap (no copy of the column in another type)."""
    parts = []
    for chunk in arrow.chunks:
        n_cells = len(chunk)
        if n_cells == 0:
            continue
        bitmap, data = chunk.buffers()[:2]
        raw = np.frombuffer(data, dtype=chunk.type.to_pandas_dtype())[
            chunk.offset : chunk.offset + n_cells
        ]
        wide = np.int64 if raw.itemsize >= 4 else np.int32
        codes = np.subtract(raw, low, dtype=wide).astype(np.uint16)  # in range where valid
        if chunk.null_count:
            bits = np.unpackbits(
                np.frombuffer(bitmap, dtype=np.uint8),
                count=chunk.offset + n_cells,
                bitorder="little",
            )[chunk.offset :]
            codes[bits == 0] = null
        parts.append(codes)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint16)


def _integer_range(arrow: pa.ChunkedArray) -> tuple[int, int]:
    import pyarrow.compute as pc

    extremes = pc.min_max(arrow)
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    return (0, 0) if low is None else (int(low), int(high))


def _byte_codes(arrow: pa.ChunkedArray, *, narrow: bool) -> np.ndarray | None:
    """Each cell's byte when no cell is longer than one byte, else None. Narrow codes
    (uint8) give an empty cell 0 and exist only without nulls and NUL characters; wide
    ones (uint16) give an empty cell 256 and null 257. A few passes over each chunk's
    offsets."""
    import pyarrow as pa

    parts = []
    for chunk in arrow.chunks:
        n_cells = len(chunk)
        if n_cells == 0:
            continue
        if narrow and chunk.null_count:
            return None
        offsets_buffer, data_buffer = chunk.buffers()[1:3]
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets: np.ndarray = np.frombuffer(offsets_buffer, dtype=width)[
            chunk.offset : chunk.offset + n_cells + 1
        ]
        if int(offsets[-1] - offsets[0]) > n_cells:  # some cell is longer than a byte
            return None
        lengths = np.subtract(offsets[1:], offsets[:-1])
        if int(lengths.max()) > 1:
            return None
        if data_buffer is None or data_buffer.size == 0:
            codes = np.full(n_cells, 0 if narrow else 256, dtype=np.uint8 if narrow else np.uint16)
        else:
            data = np.frombuffer(data_buffer, dtype=np.uint8)
            codes = data.take(offsets[:-1], mode="clip")
            if narrow:
                if not codes.all() and (data[offsets[0] : offsets[-1]] == 0).any():
                    return None  # a NUL cell would read as empty
                np.copyto(codes, 0, where=lengths == 0)
            else:
                codes = codes.astype(np.uint16)
                codes[lengths == 0] = 256
        if not narrow and chunk.null_count:
            codes[np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = 257
        parts.append(codes)
    if not parts:
        return np.zeros(0, dtype=np.uint8 if narrow else np.uint16)
    return np.concatenate(parts)


def _encode_cells(coding: ItemCoding, cells: Sequence[Any]) -> tuple[FloatArray, BoolArray]:
    """Each cell's value and whether it is invalid, one cell at a time."""
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    for k, cell in enumerate(cells):
        value = _encode_cell(coding, cell)
        if value is _UNKNOWN:
            bad[k] = True
        else:
            values[k] = value
    return values, bad


def _encode_numeric_column(coding: ItemCoding, column: FloatArray) -> tuple[FloatArray, BoolArray]:
    if coding.free_numeric and coding.numeric_codes.size:  # missing-value codes
        column = np.where(np.isin(column, coding.numeric_codes), np.nan, column)
    answered = ~np.isnan(column)
    if coding.free_numeric or coding.identity_range:
        ok = (column >= coding.low) & (column <= coding.high)
        if coding.integer:
            ok &= np.equal(np.floor(column), column)
        bad = answered & ~ok
        return np.where(bad, np.nan, column), bad
    codes = coding.numeric_codes
    positions = np.minimum(np.searchsorted(codes, column), codes.size - 1)
    found = codes[positions] == column
    bad = answered & ~found
    values = np.where(found, coding.numeric_values[positions], np.nan)
    return values, bad


def encode_numeric_block(
    plan: ScoringPlan,
    matrix: FloatArray,
    first_row: int,
    workspace: Workspace | None = None,
    whole: bool = False,
) -> Encoded:
    """The archive fast path: a block that passes `_block_is_valid` is used as it is, and
    the kernel reuses the split into missing and filled values made for the check.
    `whole`: every value came from an integer column, so none needs the whole-number
    check."""
    split = _valid_block_split(plan, matrix, workspace, whole)
    if split is not None:
        return Encoded(matrix, [], None, split=split)
    values = np.empty_like(matrix)
    bad = np.zeros(matrix.shape, dtype=bool)
    for i, coding in enumerate(plan.codings):
        values[:, i], bad[:, i] = _encode_numeric_column(coding, matrix[:, i])
    columns = {i: matrix[:, i] for i in range(plan.n_items)}
    problems = _cell_problems(plan, columns, bad, first_row)
    return Encoded(values, problems, np.asarray(bad.any(axis=1)))


def _valid_block_split(
    plan: ScoringPlan, matrix: FloatArray, workspace: Workspace | None = None, whole: bool = False
) -> Split | None:
    """The block's Split when every item codes its value as itself within a range and every
    cell fits; None sends the block to the per-column path, which finds the offending cells
    (or accepts missing-value codes such as 9 = 'no answer'). A few whole-block passes."""
    if not plan.range_items.all():
        return None
    if plan.uniform_range:  # one NaN-ignoring reduction each over the flat block
        low, high = np.fmin.reduce(matrix, axis=None), np.fmax.reduce(matrix, axis=None)
        if low < plan.range_low[0] or high > plan.range_high[0]:
            return None
    elif (matrix < plan.range_low).any() or (matrix > plan.range_high).any():
        return None
    split = Split.of(matrix, workspace, plan.nonnegative)  # the range check came first
    if whole and plan.range_integer.all():
        return Split(split.missing, split.filled, integral=True)
    if plan.range_integer.all():
        scratch = workspace.scratch[: matrix.shape[0]] if workspace is not None else None
        if np.count_nonzero(np.not_equal(np.floor(split.filled, out=scratch), split.filled)):
            return None
        return Split(split.missing, split.filled, integral=True)
    elif plan.range_integer.any():
        filled = split.filled[:, plan.range_integer]
        if np.count_nonzero(np.not_equal(np.floor(filled), filled)):
            return None
    return split


def _cell_problems(
    plan: ScoringPlan, arrays: Mapping[int, np.ndarray], bad: BoolArray, first_row: int
) -> list[CellProblem]:
    """A problem for each bad cell; `arrays` holds each item's column by item position."""
    return [
        CellProblem(
            first_row + int(row),
            plan.item_ids[i],
            _shown(arrays[i][int(row)]),
            plan.codings[i].expected,
        )
        for row, i in zip(*np.nonzero(bad), strict=True)
    ]
