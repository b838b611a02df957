"""Data frames (pandas, polars, pyarrow) as columns the scoring paths take without a copy.

A numeric item column, whatever its width or nullability (numpy int8..float64, pandas'
nullable Int8/Int64/Float64, Arrow-backed and Arrow integers and floats), becomes a
`NumericSource`: its values as they are stored plus where they are missing. The threaded
row blocks of `score` convert each block of each column to float64 in the kernel's
buffer, so the table is never widened as a whole. Other columns (text, categories, dates)
become Arrow columns or stay pandas Series and take the existing cell-checking paths.

pandas, polars and pyarrow are recognised by their module names and never imported here
unless the data is one of their tables.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag._scoring.inputs import check_frame_names

NUMERIC_KINDS = "fiu"


@dataclass(frozen=True)
class NumericSource:
    """One numeric column: `data` as stored, and its missing cells as a boolean `mask`
    (pandas' masked arrays) or an Arrow validity bitmap (`validity`, bit `offset` for
    data[0]); neither means NaN alone is missing."""

    data: np.ndarray
    mask: np.ndarray | None = None
    validity: np.ndarray | None = None
    offset: int = 0
    arrow: Any = None  # the Arrow array it was read from, if any (ids stay Arrow)

    def __len__(self) -> int:
        return int(self.data.shape[0])

    @property
    def can_be_missing(self) -> bool:
        return self.mask is not None or self.validity is not None

    def fill(self, out: np.ndarray, start: int, stop: int) -> None:
        """Rows [start, stop) as float64 into `out` (NaN where missing)."""
        np.copyto(out, self.data[start:stop], casting="unsafe")
        if self.mask is not None:
            np.copyto(out, np.nan, where=self.mask[start:stop])
        elif self.validity is not None:
            first = self.offset + start
            bits = np.unpackbits(
                self.validity[first // 8 : (self.offset + stop + 7) // 8], bitorder="little"
            )
            skip = first % 8
            np.copyto(out, np.nan, where=bits[skip : skip + stop - start] == 0)

    def missing_at(self, row: int) -> bool:
        if self.mask is not None:
            return bool(self.mask[row])
        if self.validity is not None:
            bit = self.offset + row
            return not (int(self.validity[bit // 8]) >> (bit % 8)) & 1
        return False

    def cell(self, row: int) -> Any:
        """The cell as an error message shows it (None where missing)."""
        return None if self.missing_at(row) else self.data[row].item()

    def to_numpy(self) -> np.ndarray:
        """The whole column as a 1-D array: as stored when nothing is masked, else float64
        with NaN for missing (the paths that mix numbers with text columns use this)."""
        if self.mask is None and self.validity is None:
            return self.data
        out = np.empty(len(self))
        self.fill(out, 0, len(self))
        return out


@dataclass(frozen=True)
class Frame:
    """A table's columns by name (each a NumericSource, an ArrowColumn or a pandas Series),
    its number of rows, and its row labels when they say more than 0..N-1."""

    columns: dict[str, Any]
    n_rows: int
    index: Any = None


def frame_kind(data: Any) -> str | None:
    """'pandas', 'polars' or 'arrow' for a DataFrame or Table of that library, else None."""
    module = type(data).__module__.partition(".")[0]
    if module == "pandas" and "pandas" in sys.modules:
        import pandas as pd

        return "pandas" if isinstance(data, pd.DataFrame) else None
    if module == "polars" and "polars" in sys.modules:
        import polars as pl

        return "polars" if isinstance(data, pl.DataFrame) else None
    if module == "pyarrow" and "pyarrow" in sys.modules:
        import pyarrow as pa

        return "arrow" if isinstance(data, pa.Table | pa.RecordBatch) else None
    return None


def frame_columns(data: Any, kind: str, source: str) -> Frame:
    """The columns of a frame of `kind` (see `frame_kind`), checked by name."""
    if kind == "pandas":
        names = list(data.columns)
        check_frame_names(names, source)
        columns = {name: _pandas_column(data[name]) for name in names}
        return Frame(columns, len(data), _meaningful_index(data.index))
    table = data.to_arrow() if kind == "polars" else data
    names = list(table.column_names)
    check_frame_names(names, source)
    return Frame({name: arrow_column(table.column(name)) for name in names}, table.num_rows)


def arrow_column(arrow: Any) -> Any:
    """An Arrow array as a NumericSource (integers and floats) or an ArrowColumn."""
    import pyarrow as pa

    if isinstance(arrow, pa.Array):
        arrow = pa.chunked_array([arrow], type=arrow.type)
    kind = arrow.type
    if pa.types.is_string_view(kind):  # polars' text, as the coded paths read it
        arrow = arrow.cast(pa.large_string())
        kind = arrow.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)) or pa.types.is_float16(kind):
        return ArrowColumn(arrow)
    chunk = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    validity, values = chunk.buffers()[:2]
    n_cells = len(chunk)
    dtype = np.dtype(kind.to_pandas_dtype())
    if values is None:
        data = np.zeros(n_cells, dtype=dtype)
    else:
        data = np.frombuffer(values, dtype=dtype)[chunk.offset : chunk.offset + n_cells]
    if chunk.null_count == 0 or validity is None:
        return NumericSource(data, arrow=arrow)
    bitmap = np.frombuffer(validity, np.uint8)
    return NumericSource(data, validity=bitmap, offset=chunk.offset, arrow=arrow)


def _pandas_column(series: Any) -> Any:
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in NUMERIC_KINDS:
            return NumericSource(np.asarray(series.to_numpy()))
        return series
    array = series.array
    data, mask = getattr(array, "_data", None), getattr(array, "_mask", None)
    if (  # pandas' masked arrays (Int8, Int64, Float64, ...): values and NA mask
        isinstance(data, np.ndarray)
        and isinstance(mask, np.ndarray)
        and data.ndim == 1
        and data.dtype.kind in NUMERIC_KINDS
    ):
        return NumericSource(data, mask if mask.any() else None)
    if hasattr(array, "__arrow_array__") and getattr(dtype, "kind", None) != "O":
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pandas' Arrow dtypes need pyarrow
            return series
        try:
            return arrow_column(pa.array(array))
        except (pa.ArrowException, TypeError, ValueError):
            return series
    return series


def _meaningful_index(index: Any) -> Any:
    """A pandas index, or None for the default 0..N-1 without a name."""
    import pandas as pd

    if (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    ):
        return None
    return index


def numeric_sources(
    item_ids: tuple[str, ...], columns: Mapping[str, Any]
) -> list[NumericSource | None] | None:
    """Each item's column as a NumericSource (None for an item without a column), or None
    when some item column is not numeric. 1-D numeric numpy arrays count as sources."""
    sources: list[NumericSource | None] = []
    for item_id in item_ids:
        column = columns.get(item_id)
        if column is None:
            sources.append(None)
        elif isinstance(column, NumericSource):
            sources.append(column)
        elif (
            isinstance(column, np.ndarray)
            and column.ndim == 1
            and column.dtype.kind in NUMERIC_KINDS
            and not isinstance(column, np.ma.MaskedArray)
        ):
            sources.append(NumericSource(column))
        elif (integers := _arrow_integers(column)) is not None:
            sources.append(integers)
        else:
            return None
    return sources


def _arrow_integers(column: Any) -> NumericSource | None:
    """An Arrow integer column (as the CSV and Parquet readers give) as a NumericSource,
    so that it reaches the integer kernel; None for any other column."""
    arrow = arrow_array(column)
    if arrow is None:
        return None
    import pyarrow as pa

    if not pa.types.is_integer(arrow.type):
        return None
    source = arrow_column(arrow)
    return source if isinstance(source, NumericSource) else None


def frame_matrix(sources: Sequence[NumericSource | None]) -> np.ndarray | None:
    """The one column-major float64 array that every source is a column of, in order (a
    pandas DataFrame of float64 columns holds them so), or None."""
    present = [source for source in sources if source is not None]
    if not sources or len(present) < len(sources):
        return None
    if any(source.mask is not None or source.validity is not None for source in present):
        return None
    first = present[0].data
    base = first.base
    if first.dtype != np.float64 or not isinstance(base, np.ndarray) or base.ndim != 2:
        return None
    matrix = base.T if base.flags.c_contiguous else base
    if matrix.shape != (first.shape[0], len(sources)) or not matrix.flags.f_contiguous:
        return None
    step = matrix.strides[1]
    start = matrix.__array_interface__["data"][0]
    for position, source in enumerate(present):
        data = source.data
        if (
            data.dtype != np.float64
            or data.strides != (8,)
            or data.__array_interface__["data"][0] != start + position * step
        ):
            return None
    return matrix


def plain_columns(columns: Mapping[str, Any]) -> dict[str, Any]:
    """`columns` with each NumericSource as a numpy array, for the cell-checking paths."""
    return {
        name: column.to_numpy() if isinstance(column, NumericSource) else column
        for name, column in columns.items()
    }
