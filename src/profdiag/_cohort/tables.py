"""Group tables of a scored cohort, with disclosure control (docs/cohort.md)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._cohort.disclosure import PUBLISHED_REASON, CountTable, protect
from profdiag._cohort.measures import NO_ANSWER, TOTAL, Measure, measures_of
from profdiag._instrument.model import Instrument
from profdiag._privacy.identifiers import looks_like_direct_identifier
from profdiag._scoring.result import ScoreResult, check_result_of
from profdiag.errors import ArgumentError

MIN_CELL_FLOOR = 3
DEFAULT_MIN_CELL = 5
OTHER = "other"
MISSING = "missing"
SLICE_BELOW_K = "slice_below_k"


@dataclass(frozen=True)
class CohortRow:
    """One published line of cohort.csv (None: an empty cell)."""

    group: tuple[str, ...]
    year: str | None
    measure: str
    category: str
    n: int | None
    share: float | None
    value: float | None
    change: float | None
    suppressed: str


@dataclass(frozen=True)
class CohortTables:
    """The tidy table; `measures` keep the titles and option labels the PDF shows."""

    by: tuple[str, ...]
    year_column: str | None
    min_cell: int
    rows: tuple[CohortRow, ...]
    measures: tuple[Measure, ...]
    instrument_id: str

    def header(self) -> list[str]:
        year = [self.year_column] if self.year_column else []
        return [
            *self.by,
            *year,
            "measure",
            "category",
            "n",
            "share",
            "value",
            "change",
            "suppressed",
        ]

    def to_csv(self) -> str:
        """cohort.csv as text (UTF-8, comma, one header line)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header())
        for row in self.rows:
            year = [row.year] if self.year_column else []
            writer.writerow(
                [
                    *row.group,
                    *year,
                    row.measure,
                    row.category,
                    "" if row.n is None else row.n,
                    _number(row.share, 4),
                    _number(row.value, 3),
                    _number(row.change, 4),
                    row.suppressed,
                ]
            )
        return out.getvalue()


def _number(value: float | None, digits: int) -> str:
    if value is None:
        return ""
    return f"{round(value, digits):.{digits}f}"


def build_tables(
    instrument: Instrument,
    result: ScoreResult,
    columns: Mapping[str, Sequence[Any]],
    *,
    by: Sequence[str],
    year_column: str | None,
    min_cell: int,
) -> CohortTables:
    check_result_of(instrument, result, "cohort_tables")
    _check_arguments(columns, by, year_column, min_cell, len(result))
    n_rows = len(result)
    keys = list(zip(*(_labels(columns[name], n_rows) for name in by), strict=True))
    years = _labels(columns[year_column], n_rows) if year_column else [""] * n_rows
    measures = measures_of(instrument, result)
    rows: list[CohortRow] = []
    for year in sorted(set(years), key=_year_order):
        in_slice = np.array([y == year for y in years], dtype=bool)
        rows.extend(
            _slice_rows(
                measures,
                [key for key, inside in zip(keys, in_slice, strict=True) if inside],
                in_slice,
                len(by),
                year if year_column else None,
                min_cell,
            )
        )
    if year_column:
        rows = _with_changes(rows)
    return CohortTables(
        tuple(by), year_column, min_cell, tuple(rows), tuple(measures), instrument.id
    )


def _check_arguments(
    columns: Mapping[str, Sequence[Any]],
    by: Sequence[str],
    year_column: str | None,
    min_cell: int,
    n_rows: int,
) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < MIN_CELL_FLOOR:
        raise ArgumentError(
            f"min_cell {min_cell!r}: expected a whole number of at least {MIN_CELL_FLOOR} "
            "(counts below it would be published)"
        )
    if not by:
        raise ArgumentError("by: name at least one column to group by")
    if len(set(by)) != len(by):
        raise ArgumentError(f"by {list(by)}: a column is named twice")
    for name in [*by, *([year_column] if year_column else [])]:
        if looks_like_direct_identifier(name):
            raise ArgumentError(
                f"column {name!r} looks like a direct identifier of a person; "
                "cohort tables never group by one"
            )
        if name not in columns:
            raise ArgumentError(
                f"no column {name!r} to group by (columns: {', '.join(map(repr, columns))})"
            )
        if len(columns[name]) != n_rows:
            raise ArgumentError(
                f"column {name!r} has {len(columns[name])} rows; the scores have {n_rows}"
            )
    if year_column in by:
        raise ArgumentError(f"{year_column!r} is the year column; it cannot also be in by")


def _labels(column: Sequence[Any], n_rows: int) -> list[str]:
    out = []
    for value in list(column)[:n_rows]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(MISSING)
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        else:
            text = str(value).strip()
            out.append(text or MISSING)
    return out


def _year_order(year: str) -> tuple[int, float, str]:
    try:
        return (0, float(year), year)
    except ValueError:
        return (1, 0.0, year)


def _merge_small(
    keys: list[tuple[str, ...]], width: int, k: int
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Each row's published group, and the groups in order (merged ones as "other")."""
    other = (OTHER,) * width
    sizes: dict[tuple[str, ...], int] = {}
    for key in keys:
        sizes[key] = sizes.get(key, 0) + 1
    merged = {key for key, size in sizes.items() if size < k}
    while merged and sum(sizes[key] for key in merged) < k and len(merged) < len(sizes):
        # "other" would itself be below k: the smallest remaining group joins it.
        merged.add(min((key for key in sizes if key not in merged), key=lambda g: (sizes[g], g)))
    published = [other if key in merged else key for key in keys]
    order = sorted({key for key in sizes if key not in merged})
    if merged:
        order.append(other)
    return published, order


def _slice_rows(
    measures: list[Measure],
    keys: list[tuple[str, ...]],
    in_slice: NDArray[np.bool_],
    width: int,
    year: str | None,
    k: int,
) -> list[CohortRow]:
    overall = (TOTAL,) * width
    if len(keys) < k:
        return [
            CohortRow(overall, year, measure.id, TOTAL, None, None, None, None, SLICE_BELOW_K)
            for measure in measures
        ]
    published, order = _merge_small(keys, width, k)
    position = {key: i for i, key in enumerate(order)}
    group = np.array([position[key] for key in published], dtype=np.int64)
    names = [*order, overall]
    rows: list[CohortRow] = []
    for measure in measures:
        rows.extend(_measure_rows(measure, in_slice, group, len(order), names, year, k))
    return rows


def _measure_rows(
    measure: Measure,
    in_slice: NDArray[np.bool_],
    group: NDArray[np.int64],
    n_groups: int,
    names: list[tuple[str, ...]],
    year: str | None,
    k: int,
) -> list[CohortRow]:
    table, columns = _count_table(measure, in_slice, group, n_groups)
    reasons = protect(table, k)
    counts = table.counts
    total = table.total_column
    rows = []
    for g, name in enumerate(names):
        if measure.kind == "scale":
            rows.extend(
                _scale_rows(measure, in_slice, group, g, n_groups, name, year, counts, reasons)
            )
            continue
        no_answer = columns.index(NO_ANSWER)
        answered = counts[g, total] - counts[g, no_answer]
        denominator_known = reasons[g, no_answer] == ""
        for c, category in enumerate(columns):
            if table.virtual[c]:
                continue
            reason = PUBLISHED_REASON if reasons[g, c] else ""
            n = None if reason else int(counts[g, c])
            share: float | None = None
            if n is not None:
                if category == TOTAL:
                    share = 1.0
                elif category == NO_ANSWER:
                    share = n / counts[g, total] if counts[g, total] else None
                elif denominator_known and answered:
                    share = n / answered
            rows.append(CohortRow(name, year, measure.id, category, n, share, None, None, reason))
    return rows


def _count_table(
    measure: Measure, in_slice: NDArray[np.bool_], group: NDArray[np.int64], n_groups: int
) -> tuple[CountTable, list[str]]:
    n_rows = n_groups + 1
    if measure.kind == "scale":
        assert measure.scores is not None
        scored = ~np.isnan(measure.scores[in_slice])
        columns = ["scored", "not_scored", TOTAL]
        counts = np.zeros((n_rows, 3), dtype=np.int64)
        counts[:n_groups, 0] = np.bincount(group[scored], minlength=n_groups)
        counts[:n_groups, 2] = np.bincount(group, minlength=n_groups)
        counts[:n_groups, 1] = counts[:n_groups, 2] - counts[:n_groups, 0]
        relations = np.array([[1, 1, -1]], dtype=np.int64)
        virtual = np.array([False, True, False])
    elif measure.kind == "single":
        assert measure.chosen is not None
        n_categories = len(measure.categories)
        chosen = measure.chosen[in_slice]
        chosen = np.where(chosen < 0, n_categories, chosen)
        columns = [*measure.categories, NO_ANSWER, TOTAL]
        counts = np.zeros((n_rows, n_categories + 2), dtype=np.int64)
        tally = np.bincount(
            group * (n_categories + 1) + chosen, minlength=n_groups * (n_categories + 1)
        )
        counts[:n_groups, : n_categories + 1] = tally.reshape(n_groups, n_categories + 1)
        counts[:n_groups, -1] = np.bincount(group, minlength=n_groups)
        relations = np.array([[1] * (n_categories + 1) + [-1]], dtype=np.int64)
        virtual = np.zeros(n_categories + 2, dtype=bool)
    else:
        assert measure.chosen is not None
        n_categories = len(measure.categories)
        chosen = measure.chosen[in_slice]
        no_answer = chosen[:, 0] < 0
        columns = [*measure.categories, NO_ANSWER, TOTAL, *(f"not:{c}" for c in measure.categories)]
        counts = np.zeros((n_rows, 2 * n_categories + 2), dtype=np.int64)
        for c in range(n_categories):
            counts[:n_groups, c] = np.bincount(group[chosen[:, c] == 1], minlength=n_groups)
        counts[:n_groups, n_categories] = np.bincount(group[no_answer], minlength=n_groups)
        counts[:n_groups, n_categories + 1] = np.bincount(group, minlength=n_groups)
        answered = counts[:n_groups, n_categories + 1] - counts[:n_groups, n_categories]
        counts[:n_groups, n_categories + 2 :] = answered[:, None] - counts[:n_groups, :n_categories]
        relations = np.zeros((n_categories, 2 * n_categories + 2), dtype=np.int64)
        for c in range(n_categories):
            relations[c, [c, n_categories, n_categories + 2 + c]] = 1
            relations[c, n_categories + 1] = -1
        virtual = np.zeros(2 * n_categories + 2, dtype=bool)
        virtual[n_categories + 2 :] = True
    counts[n_groups] = counts[:n_groups].sum(axis=0)
    table = CountTable(counts, relations, virtual, columns.index(TOTAL))
    return table, columns


def _scale_rows(
    measure: Measure,
    in_slice: NDArray[np.bool_],
    group: NDArray[np.int64],
    g: int,
    n_groups: int,
    name: tuple[str, ...],
    year: str | None,
    counts: NDArray[np.int64],
    reasons: NDArray[np.object_],
) -> list[CohortRow]:
    assert measure.scores is not None
    scores = measure.scores[in_slice]
    mine = scores if g == n_groups else scores[group == g]
    mine = mine[~np.isnan(mine)]
    reason = PUBLISHED_REASON if reasons[g, 0] else ""
    rows = [CohortRow(name, year, measure.id, TOTAL, int(counts[g, 2]), 1.0, None, None, "")]
    if reason:
        rows += [
            CohortRow(name, year, measure.id, stat, None, None, None, None, reason)
            for stat in ("mean", "sd")
        ]
        return rows
    n = len(mine)
    mean = float(mine.mean()) if n else None
    sd = float(mine.std(ddof=1)) if n > 1 else None
    rows.append(CohortRow(name, year, measure.id, "mean", n, None, mean, None, ""))
    rows.append(CohortRow(name, year, measure.id, "sd", n, None, sd, None, ""))
    return rows


def _with_changes(rows: list[CohortRow]) -> list[CohortRow]:
    """Each published share or mean/sd minus the same cell's in the previous year present."""
    previous: dict[tuple[Any, ...], tuple[str | None, float | None]] = {}
    years = sorted({row.year for row in rows if row.year is not None}, key=_year_order)
    before = {year: years[i - 1] if i else None for i, year in enumerate(years)}
    out = []
    for row in rows:
        key = (row.group, row.measure, row.category)
        mine = row.value if row.category in ("mean", "sd") else row.share
        change = None
        if row.group[:1] != (OTHER,) and row.category != TOTAL and key in previous:
            last_year, last = previous[key]
            if (
                row.year is not None
                and last_year == before.get(row.year)
                and last is not None
                and mine is not None
            ):
                change = mine - last
        previous[key] = (row.year, mine)
        out.append(CohortRow(**{**row.__dict__, "change": change}))
    return out
