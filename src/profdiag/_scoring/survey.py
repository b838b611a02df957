"""Nominal, multiple-select and text items: validated before scoring, kept as categories.

Their answers never enter a scale. Before the item columns are encoded, each such item's
column is read here: a nominal answer as one of its options (codes and aliases, as any
categorical item is read), a multiple-select answer as option codes joined by the
format's delimiter ("1;3;5") in the item's column or as one 0/1 column per option
("<item>.<code>"), a text answer as text. Every cell that is not a valid answer is a
problem with its row, column, the value seen and what was expected. The item's column is
then replaced by numbers the encoder accepts (the option's position, the number of
options chosen, 1 for a text; NaN for no answer or an invalid one), and the answers are
returned as `CategoricalAnswers` for group reports.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag._instrument.semantics import parse_number
from profdiag._scoring.encode import as_array, encode_column, is_no_answer, shown_cell
from profdiag._scoring.inputs import Columns, Matrix, Record, Shape
from profdiag._scoring.plan import FloatArray, ScoringPlan, SurveyItem
from profdiag._scoring.result import CategoricalAnswers
from profdiag.errors import ArgumentError, CellProblem

__all__ = ["split_survey_items"]

_INDICATOR_EXPECTED = "1 (chosen), 0 (not chosen) or empty (no answer)"


def split_survey_items(
    plan: ScoringPlan, shape: Shape
) -> tuple[Shape, dict[str, CategoricalAnswers], list[CellProblem]]:
    """The shape with each survey item's column replaced by numbers the encoder accepts,
    the validated answers by item id, and a problem for every invalid cell or column."""
    if not plan.survey_items:
        return shape, {}, []
    if isinstance(shape, Record):
        columns: dict[str, Any] = {name: [cell] for name, cell in shape.record.items()}
        n_rows = 1
    elif isinstance(shape, Matrix):
        columns = {item_id: shape.array[:, i] for i, item_id in enumerate(plan.item_ids)}
        n_rows = shape.array.shape[0]
    else:
        columns, n_rows = dict(shape.columns), shape.n_rows
    answers: dict[str, CategoricalAnswers] = {}
    problems: list[CellProblem] = []
    for item in plan.survey_items:
        if item.kind == "nominal":
            found = _nominal(plan, item, columns, n_rows, problems)
        elif item.kind == "multiple_select":
            found = _multiple_select(item, columns, n_rows, problems)
        else:
            found = _text(item, columns, n_rows, problems)
        if found is not None:
            answers[item.item_id] = found
    problems.sort(key=lambda problem: problem.row)
    if isinstance(shape, Record):
        return Record({name: cells[0] for name, cells in columns.items()}), answers, problems
    return Columns(columns, n_rows, getattr(shape, "index", None)), answers, problems


def _distinct(column: Any, n_rows: int) -> tuple[list[Any], np.ndarray]:
    """The column's distinct cells and each row's index into them, so that each distinct
    answer is read once (survey answers repeat a lot). Arrow columns are dictionary-
    encoded by Arrow; a null is the cell None."""
    arrow = arrow_array(column)
    if arrow is not None:
        import pyarrow as pa

        if len(arrow) != n_rows:
            raise ArgumentError(f"a column has {len(arrow)} rows, expected {n_rows}")
        if pa.types.is_dictionary(arrow.type):
            arrow = arrow.cast(arrow.type.value_type)
        try:
            encoded = arrow.combine_chunks().dictionary_encode()
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            return _distinct(ArrowColumn(arrow).cells, n_rows)
        if isinstance(encoded, pa.ChunkedArray):  # pragma: no cover - pyarrow < 15
            encoded = encoded.combine_chunks()
        uniques = [*encoded.dictionary.to_pylist(), None]
        index = encoded.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False)
        return uniques, np.asarray(index, dtype=np.intp)
    cells = as_array(column)
    if len(cells) != n_rows:
        raise ArgumentError(f"a column has {len(cells)} rows, expected {n_rows}")
    seen: dict[Any, int] = {}
    uniques_list: list[Any] = []
    index_list = np.empty(len(cells), dtype=np.intp)
    for row, cell in enumerate(cells.tolist() if isinstance(cells, np.ndarray) else cells):
        key: Any = (type(cell), cell) if not _is_nan(cell) else (float, "nan")
        try:
            position = seen.get(key)
        except TypeError:  # a dict or list in JSON data: never an answer, kept apart
            key, position = (object, row), None
        if position is None:
            position = seen[key] = len(uniques_list)
            uniques_list.append(cell)
        index_list[row] = position
    return uniques_list, index_list


def _is_nan(cell: Any) -> bool:
    return isinstance(cell, float) and math.isnan(cell)


def _report(
    uniques: list[Any],
    index: np.ndarray,
    bad: list[int],
    column: str,
    expected: str,
    problems: list[CellProblem],
) -> None:
    """A problem for each row whose cell is one of the `bad` distinct cells."""
    if not bad:
        return
    for row in np.flatnonzero(np.isin(index, bad)).tolist():
        problems.append(CellProblem(row, column, shown_cell(uniques[index[row]]), expected))


def _nominal(
    plan: ScoringPlan,
    item: SurveyItem,
    columns: dict[str, Any],
    n_rows: int,
    problems: list[CellProblem],
) -> CategoricalAnswers | None:
    if item.item_id not in columns:
        return None  # reported as a missing item column
    coding = item.coding
    values, bad, cells = encode_column(coding, columns[item.item_id], n_rows)
    for row in np.flatnonzero(bad).tolist():
        problems.append(CellProblem(row, item.item_id, shown_cell(cells[row]), coding.expected))
    values = np.where(bad, np.nan, values)
    columns[item.item_id] = values
    return CategoricalAnswers(item.item_id, "nominal", item.codes, values)


def _multiple_select(
    item: SurveyItem, columns: dict[str, Any], n_rows: int, problems: list[CellProblem]
) -> CategoricalAnswers:
    names = item.indicator_columns
    present = [name for name in names if name in columns]
    chosen = np.full((n_rows, len(item.codes)), np.nan)
    listed = ", ".join(repr(name) for name in names[:3]) + (", ..." if len(names) > 3 else "")
    both_forms = f"either a column {item.item_id!r} of codes or columns {listed}, not both"
    if item.item_id in columns and present:
        problems.append(CellProblem(-1, item.item_id, item.item_id, both_forms))
        for name in present:
            del columns[name]
    elif item.item_id in columns:
        _delimited(item, columns[item.item_id], chosen, problems)
    elif present:
        for name in names:
            if name not in columns:
                problems.append(
                    CellProblem(-1, name, None, "a column for this option (none found)")
                )
        for k, name in enumerate(names):
            if name in columns:
                _indicators(name, columns.pop(name), chosen[:, k], problems)
        _check_combination(item, chosen, problems)
    else:
        problems.append(
            CellProblem(
                -1,
                item.item_id,
                None,
                f"a column {item.item_id!r} of option codes separated by "
                f"{item.delimiter!r}, or one 0/1 column per option ({listed}); none found",
            )
        )
    answered = ~np.isnan(chosen).all(axis=1)
    count = np.where(answered, np.nansum(chosen, axis=1), np.nan)
    columns[item.item_id] = count
    return CategoricalAnswers(item.item_id, "multiple_select", item.codes, chosen)


def _expected_list(item: SurveyItem) -> str:
    aliases: dict[int, list[str]] = {}
    for spelling, position in item.tokens.items():
        if spelling != item.codes[position]:
            aliases.setdefault(position, []).append(spelling)
    codes = ", ".join(
        code + (f" ({'/'.join(aliases[k])})" if k in aliases else "")
        for k, code in enumerate(item.codes)
    )
    rules = ""
    if item.exclusive:
        alone = ", ".join(item.codes[k] for k in sorted(item.exclusive))
        rules += f"; {alone} only alone"
    if item.max_selected is not None:
        rules += f"; at most {item.max_selected}"
    return (
        f"option codes from {codes} separated by {item.delimiter!r}{rules} (or empty for no answer)"
    )


def _delimited(
    item: SurveyItem, column: Any, chosen: FloatArray, problems: list[CellProblem]
) -> None:
    """Rows of "1;3;5": each known code (or alias) is 1, the other options 0."""
    uniques, index = _distinct(column, chosen.shape[0])
    table = np.full((len(uniques), len(item.codes)), np.nan)
    bad: list[int] = []
    for u, cell in enumerate(uniques):
        if is_no_answer(cell):
            continue
        if isinstance(cell, bool | np.bool_):
            picked = None
        elif isinstance(cell, int | np.integer) or (
            isinstance(cell, float | np.floating) and float(cell).is_integer()
        ):
            picked = _picked(item, [str(int(cell))])
        elif isinstance(cell, str):
            text = cell.strip()
            if text in item.missing_spellings:
                continue
            picked = _picked(item, [token.strip() for token in text.split(item.delimiter)])
        else:
            picked = None
        if picked is None or not _allowed(item, picked):
            bad.append(u)
            continue
        table[u] = 0.0
        table[u, sorted(picked)] = 1.0
    chosen[:] = table[index]
    _report(uniques, index, bad, item.item_id, _expected_list(item), problems)


def _picked(item: SurveyItem, tokens: list[str]) -> set[int] | None:
    """The options a list of tokens names; None if one is not a code or alias."""
    picked: set[int] = set()
    for token in tokens:
        if not token:
            continue  # "1;;3" and a trailing ";" are forgiven
        position = item.tokens.get(token)
        if position is None:
            number = parse_number(token)
            if number is not None and math.isfinite(number) and number.is_integer():
                position = item.tokens.get(str(int(number)))
        if position is None:
            return None
        picked.add(position)
    return picked or None


def _allowed(item: SurveyItem, picked: set[int]) -> bool:
    if len(picked) > 1 and picked & item.exclusive:
        return False
    return item.max_selected is None or len(picked) <= item.max_selected


def _indicators(name: str, column: Any, out: FloatArray, problems: list[CellProblem]) -> None:
    uniques, index = _distinct(column, out.shape[0])
    table = np.full(len(uniques), np.nan)
    bad: list[int] = []
    for u, cell in enumerate(uniques):
        if is_no_answer(cell):
            continue
        value: float | None = None
        if isinstance(cell, str):
            text = cell.strip()
            if not text:
                continue
            number = parse_number(text)
            value = number if number in (0.0, 1.0) else None
        elif isinstance(cell, int | float | np.integer | np.floating) and not isinstance(
            cell, bool | np.bool_
        ):
            value = float(cell) if float(cell) in (0.0, 1.0) else None
        if value is None:
            bad.append(u)
        else:
            table[u] = value
    out[:] = table[index]
    _report(uniques, index, bad, name, _INDICATOR_EXPECTED, problems)


def _check_combination(item: SurveyItem, chosen: FloatArray, problems: list[CellProblem]) -> None:
    """Indicator columns: an exclusive option with another, or more than allowed."""
    picked = chosen == 1.0
    count = picked.sum(axis=1)
    wrong = np.zeros(chosen.shape[0], dtype=bool)
    if item.exclusive:
        wrong |= picked[:, sorted(item.exclusive)].any(axis=1) & (count > 1)
    if item.max_selected is not None:
        wrong |= count > item.max_selected
    for row in np.flatnonzero(wrong).tolist():
        shown = ";".join(item.codes[k] for k in np.flatnonzero(picked[row]).tolist())
        problems.append(CellProblem(row, item.item_id, shown, _expected_list(item)))
    chosen[wrong] = np.nan


def _text(
    item: SurveyItem, columns: dict[str, Any], n_rows: int, problems: list[CellProblem]
) -> CategoricalAnswers | None:
    if item.item_id not in columns:
        return None  # reported as a missing item column
    uniques, index = _distinct(columns[item.item_id], n_rows)
    table = np.empty(len(uniques), dtype=object)
    bad: list[int] = []
    for u, cell in enumerate(uniques):
        text: str | None
        if is_no_answer(cell):
            text = None
        elif isinstance(cell, str):
            text = cell.strip()
        elif isinstance(cell, int | np.integer) and not isinstance(cell, bool | np.bool_):
            text = str(int(cell))
        elif isinstance(cell, float | np.floating) and not isinstance(cell, bool | np.bool_):
            text = repr(float(cell))
        else:
            bad.append(u)
            text = None
        if text is not None and len(text) > item.max_length:
            bad.append(u)
            text = None
        table[u] = text if text and text not in item.missing_spellings else None
    texts = table[index]
    _report(
        uniques,
        index,
        bad,
        item.item_id,
        f"text of at most {item.max_length} characters (or empty for no answer)",
        problems,
    )
    answered = np.array([value is not None for value in table], dtype=bool)
    columns[item.item_id] = np.where(answered[index], 1.0, np.nan)
    return CategoricalAnswers(item.item_id, "text", (), texts)
