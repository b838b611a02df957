"""SPSS .sav (and compressed .zsav) in, through pyreadstat (the `research` extra).

Numeric variables are read as their codes, never replaced by their value labels: an item
coded 1..5 is scored from 1..5. A numeric variable whose SPSS format shows no decimals
(F8.0) and whose values are all whole numbers becomes an integer column (so an id 1001 is
written as 1001, not 1001.0); other numeric variables stay floating point. SPSS has one
missing value for numbers (system-missing), read as no answer; values the file declares
user-missing (say 9 = "no answer") are no answer too, as SPSS itself treats them. String
variables are text as stored; dates are ISO text (2025-03-14). The value labels are kept
beside the columns, so that a mapping file can recode by label text
(`profdiag._io.mapping`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._arrow import ArrowColumn
from profdiag._io.binary_input import (
    file_problem,
    first_line,
    looks_like,
    open_binary,
    optional_module,
)
from profdiag.errors import CellProblem, ResponseDataError

if TYPE_CHECKING:
    import pyarrow as pa

_WHOLE_FORMAT = re.compile(r"^[A-Z]+\d+(\.0)?$")
_LARGEST_EXACT = 2.0**53
_INTEGERS = (np.int8, np.int16, np.int32, np.int64)  # the smallest that holds a column


def read_sav(
    path: str | os.PathLike[str],
) -> tuple[dict[str, ArrowColumn], int, dict[str, dict[Any, str]]]:
    """The columns of an SPSS file by name, its number of rows and its value labels by
    column (code -> label).

    Raises
    ------
    MissingExtraError
        pyreadstat (or pandas) is not installed.
    ResponseDataError
        The file cannot be read, or is not an SPSS file (or is damaged).
    """
    import pyarrow as pa

    pyreadstat = optional_module("pyreadstat", "pyreadstat", "SPSS .sav files")
    optional_module("pandas", "pandas", "SPSS .sav files")
    source = str(path)
    errors = (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError)
    with open_binary(path) as file:
        head = file.read(512)
        file.seek(0)
        try:
            frame, meta = pyreadstat.read_sav(file, dates_as_pandas_datetime=False)
        except errors as error:
            kind = looks_like(head)
            seen = first_line(error)[:50] if kind is None or kind.startswith("SPSS") else kind
            raise file_problem(
                source, f"not SPSS .sav, or damaged ({seen})", "an SPSS .sav file"
            ) from None
    _refuse_names_differing_in_case(source, [str(name) for name in frame.columns])
    formats: Mapping[str, str] = meta.original_variable_types or {}
    columns = {
        str(name): ArrowColumn(pa.chunked_array([_arrow(frame[name], formats.get(name, ""))]))
        for name in frame.columns
    }
    labels = {
        str(name): {code: str(label) for code, label in value_labels.items()}
        for name, value_labels in (meta.variable_value_labels or {}).items()
    }
    return columns, len(frame), labels


def _refuse_names_differing_in_case(source: str, names: list[str]) -> None:
    """SPSS names are case-insensitive, so a file with both Q1 and q1 (which SPSS cannot
    write) leaves it unclear which one is meant."""
    first: dict[str, str] = {}
    problems = []
    for name in names:
        other = first.setdefault(name.casefold(), name)
        if other != name:
            problems.append(
                CellProblem(
                    -1,
                    name,
                    f"variables {other!r} and {name!r}",
                    "variable names that differ in more than letter case (SPSS does not "
                    "tell them apart)",
                )
            )
    if problems:
        raise ResponseDataError(source, problems)


def _arrow(series: Any, spss_format: str) -> pa.Array:
    import pyarrow as pa

    values = series.to_numpy()
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        present = values[~missing]
        whole = (
            _WHOLE_FORMAT.match(spss_format) is not None
            and bool(np.all(np.abs(present) < _LARGEST_EXACT))
            and bool(np.all(present == np.floor(present)))
        )
        if whole:
            low, high = (present.min(), present.max()) if present.size else (0, 0)
            kind = next(k for k in _INTEGERS if np.iinfo(k).min <= low and high <= np.iinfo(k).max)
            return pa.array(np.where(missing, 0, values).astype(kind), mask=missing)
        return pa.array(values, mask=missing)
    array = pa.array(series, from_pandas=True)
    if pa.types.is_temporal(array.type):
        return array.cast(pa.string())
    if pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    return array
