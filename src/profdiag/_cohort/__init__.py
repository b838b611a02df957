"""Cohort tables: distributions and means per group and year, with disclosure control."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from profdiag._cohort.tables import DEFAULT_MIN_CELL, CohortRow, CohortTables, build_tables
from profdiag._instrument.model import Instrument
from profdiag._scoring.result import ScoreResult

__all__ = ["CohortRow", "CohortTables", "cohort_tables"]


def cohort_tables(
    instrument: Instrument,
    result: ScoreResult,
    columns: Mapping[str, Sequence[Any]],
    *,
    by: Sequence[str],
    year_column: str | None = "year",
    min_cell: int = DEFAULT_MIN_CELL,
) -> CohortTables:
    """Per group (and year) and overall: the distribution of each nominal and
    multiple-select answer, of the leading type or Holland code letter, and the mean and
    SD of each scale, with small counts suppressed (docs/cohort.md).

    Parameters
    ----------
    instrument
        The instrument `result` was scored on.
    result
        What `score` returned for the cohort.
    columns
        Column name -> values in the rows of `result`: at least the `by` columns and,
        when present, the year column.
    by
        The columns whose values make the groups (e.g. municipality, school).
    year_column
        A column of survey years: groups are then crossed with years, and each published
        share or mean carries its change from the previous year. Ignored when `columns`
        has no such column; None never uses one.
    min_cell
        k: no published count lies between 1 and k - 1 (at least 3, default 5); groups
        smaller than k are merged into "other".

    Returns
    -------
    CohortTables
        `rows` (one per group x measure x category), `to_csv()` and the measures' titles.

    Raises
    ------
    ArgumentError
        `min_cell` below 3, a `by` column missing or looking like a direct identifier
        (name, birth date, phone, ...), columns of the wrong length, or `result` not
        from `instrument`.

    Examples
    --------
    >>> import profdiag
    >>> ddo = profdiag.load_instrument("klimov-ddo")
    >>> rows = [{str(k): "а" if (k + i) % 3 else "б" for k in range(1, 21)} for i in range(12)]
    >>> result = profdiag.score(ddo, rows)
    >>> tables = profdiag.cohort_tables(ddo, result, {"school": ["A"] * 6 + ["B"] * 6},
    ...                                 by=["school"])
    >>> [(r.group, r.category, r.n) for r in tables.rows
    ...  if r.measure == "leading_type" and r.category == "total"]
    [(('A',), 'total', 6), (('B',), 'total', 6), (('total',), 'total', 12)]
    """
    year = year_column if year_column is not None and year_column in columns else None
    return build_tables(
        instrument, result, columns, by=list(by), year_column=year, min_cell=min_cell
    )
