"""Lay out scores as a table: one row per respondent, columns documented in docs/cli.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array, labels_column
from profdiag._norms.standard import StandardScores
from profdiag._scoring.plan import ScaleStatus
from profdiag._scoring.result import ScoreResult
from profdiag._scoring.timing import SpeedAccuracy

NORMED_COLUMNS = ("z", "t", "t_low", "t_high", "percentile", "stanine", "sten")
WHOLE_NUMBER_COLUMNS = frozenset({"stanine", "sten"})
TIMING_COLUMNS = ("accuracy", "completion", "items_per_minute", "time_used")


def score_table(
    result: ScoreResult,
    standard: StandardScores | None,
    *,
    id_name: str = "row",
    normed: bool = True,
    bands: bool = True,
    timing: SpeedAccuracy | None = None,
    extra: Sequence[tuple[str, Sequence[Any]]] = (),
) -> tuple[list[str], list[Any]]:
    """Header and columns (a numpy array or an Arrow-backed column each): id, the columns
    of `extra` (name, cells) as they are, the raw score of each scale (column named by the
    scale id), then per scale `<id>.answered`, `<id>.status` and, with norms, `<id>.z` ...
    `<id>.sten`, `<id>.band`; then `norm_group`, `row_status` and the instrument's id,
    version and hash. `standard` may be None when neither `normed` nor `bands`. Label
    columns (statuses, provenance) are Arrow dictionary columns."""
    if standard is None and (normed or bands):
        raise ValueError("score_table needs the standard scores for norms and bands")
    scales = result.scale_ids
    header = [id_name, *(name for name, _ in extra), *scales]
    columns: list[Any] = [_ids(result.row_ids), *(_carried(cells) for _, cells in extra)]
    columns += list(result.raw.T)
    status_names = [status.label for status in ScaleStatus]
    for s, scale_id in enumerate(scales):
        header += [f"{scale_id}.answered", f"{scale_id}.status"]
        columns += [result.answered[:, s], labels_column(result.status[:, s], status_names)]
        if normed:
            assert standard is not None
            for name in NORMED_COLUMNS:
                header.append(f"{scale_id}.{name}")
                values = standard.metric(name)[:, s]
                columns.append(_whole(values) if name in WHOLE_NUMBER_COLUMNS else values)
        if bands:
            assert standard is not None
            header.append(f"{scale_id}.band")
            columns.append(standard.band[:, s])
        if timing is not None and scale_id in timing.scale_ids:
            t = timing.scale_ids.index(scale_id)
            for name in TIMING_COLUMNS:
                header.append(f"{scale_id}.{name}")
                columns.append(timing.metric(name)[:, t])
    if normed:
        assert standard is not None
        header.append("norm_group")
        columns.append(standard.norm_group)
    header += ["row_status", "instrument", "instrument_version", "instrument_hash"]
    columns.append(labels_column(result.row_has_problem, ["ok", "problems"]))
    ref = result.instrument
    provenance = [ref.id, ref.version, ref.content_hash]
    if ref.overlay_hash is not None:
        header.append("instrument_overlay_hash")
        provenance.append(ref.overlay_hash)
    for value in provenance:
        columns.append(labels_column(np.zeros(len(result), dtype=np.int8), [value]))
    return header, columns


def categorical_columns(result: ScoreResult) -> list[tuple[str, Any]]:
    """The validated answers of nominal, multiple-select and text items as output columns,
    in item order: a nominal item's chosen code and a text item's text under the item's id
    (empty for no answer), a multiple-select item as one 0/1 column per option,
    "<item>.<code>" (empty for no answer)."""
    columns: list[tuple[str, Any]] = []
    for item_id, answers in result.categorical.items():
        if answers.kind == "multiple_select":
            for k, code in enumerate(answers.codes):
                columns.append((f"{item_id}.{code}", _whole(answers.values[:, k])))
        else:
            cells = np.empty(len(result), dtype=object)
            cells[:] = answers.chosen_codes()
            columns.append((item_id, cells))
    return columns


def _whole(values: np.ndarray) -> np.ndarray:
    out = np.full(values.shape, None, dtype=object)
    known = ~np.isnan(values)
    out[known] = values[known].astype(int)
    return out


def _ids(row_ids: Sequence[Any]) -> Any:
    if isinstance(row_ids, ArrowColumn):
        return row_ids
    return np.asarray(row_ids, dtype=object)


def _carried(cells: Sequence[Any]) -> Any:
    """A column carried into the output unchanged: Arrow-backed columns as they are."""
    arrow = arrow_array(cells)
    if arrow is not None:
        return cells if isinstance(cells, ArrowColumn) else ArrowColumn(arrow)
    column = np.empty(len(cells), dtype=object)
    column[:] = list(cells)
    return column
