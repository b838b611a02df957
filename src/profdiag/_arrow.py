"""Columns held as Apache Arrow arrays: what the CSV and Parquet readers return.

`ArrowColumn` is a read-only sequence of Python values (str, int, float or None) backed by
a pyarrow ChunkedArray, so that code written for lists (attributes, ids, answer sheets)
works unchanged, while the encoder and the writers take the Arrow array as it is and never
build a Python object per cell. pyarrow is imported only when such a column is used: a
kiosk scoring one dict never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import pyarrow as pa


class ArrowColumn(Sequence[Any]):
    """One column of cells, backed by an Arrow array (nulls read as None)."""

    __slots__ = ("_cells", "arrow")

    def __init__(self, arrow: pa.ChunkedArray) -> None:
        self.arrow = arrow
        self._cells: list[Any] | None = None

    @property
    def cells(self) -> list[Any]:
        """The cells as Python values (made once, on first use)."""
        if self._cells is None:
            self._cells = self.arrow.to_pylist()
        return self._cells

    def __len__(self) -> int:
        return len(self.arrow)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self.cells[index]
        if self._cells is not None:
            return self._cells[index]
        if index < 0:
            index += len(self.arrow)
        if not 0 <= index < len(self.arrow):
            raise IndexError("column index out of range")
        return self.arrow[index].as_py()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.cells)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ArrowColumn):
            return self.cells == other.cells
        if isinstance(other, list | tuple):
            return self.cells == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = self.cells[:5] if len(self) > 5 else self.cells
        more = ", ..." if len(self) > 5 else ""
        return f"ArrowColumn({str(shown)[:-1]}{more}], {self.arrow.type})"


def arrow_array(column: Any) -> pa.ChunkedArray | None:
    """The Arrow array behind `column` (an ArrowColumn, a pyarrow Array or ChunkedArray),
    or None for anything else. Does not import pyarrow unless it is already loaded."""
    if isinstance(column, ArrowColumn):
        return column.arrow
    if "pyarrow" not in sys.modules:
        return None
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        return column
    if isinstance(column, pa.Array):
        return pa.chunked_array([column], type=column.type)
    return None


def numeric_array(values: Any, missing: Any = None) -> pa.Array:
    """A 1-D numpy array of integers or floats as an Arrow array over the same memory,
    null where `missing` (a boolean array) is True. `pa.array` would first ask whether the
    values are a pandas object, which imports pandas (0.17 s) whenever it is installed."""
    import numpy as np
    import pyarrow as pa

    array = np.ascontiguousarray(values)
    if array.ndim != 1 or array.dtype.kind not in "iuf" or not array.dtype.isnative:
        return pa.array(array, mask=missing)
    validity = None
    null_count = 0
    if missing is not None:
        null_count = int(np.count_nonzero(missing))
        if null_count:
            validity = pa.py_buffer(np.packbits(~np.asarray(missing), bitorder="little"))
    kind = pa.from_numpy_dtype(array.dtype)
    return pa.Array.from_buffers(
        kind, len(array), [validity, pa.py_buffer(array)], null_count=null_count
    )


def string_array(texts: Sequence[str]) -> pa.Array:
    """Short texts as an Arrow string array, built from its buffers (see `numeric_array`
    for why not `pa.array`)."""
    import numpy as np
    import pyarrow as pa

    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(text) for text in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def labels_column(codes: Any, labels: Sequence[str]) -> ArrowColumn:
    """A column of labels given as codes into `labels` (an Arrow dictionary array): a
    million status labels cost one small integer each, and writers format each label
    once."""
    import numpy as np
    import pyarrow as pa

    indices = numeric_array(np.asarray(codes, dtype=np.int32))
    dictionary = string_array(labels)
    return ArrowColumn(pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)]))
