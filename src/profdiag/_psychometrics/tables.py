"""An analysis as CSV tables for spreadsheet users: scales, items, intercorrelations and,
with DIF screening, dif (one row per comparison, scale and item).

Numbers at full precision (Python's shortest round-trip form); an empty cell where the
JSON has null.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from profdiag._psychometrics.dif import (
    DICHOTOMOUS_STATISTICS,
    POLYTOMOUS_STATISTICS,
    DifAnalysis,
)
from profdiag._psychometrics.result import ITEM_STATISTICS, SCALE_STATISTICS, Analysis

TABLE_NAMES = ("scales", "items", "intercorrelations")
DIF_TABLE = "dif"
DIF_COLUMNS = (
    "reference",
    "focal",
    "scale",
    "item",
    "type",
    "n_reference",
    "n_focal",
    "n_missing",
    "n_not_scorable",
    "n_unmatched",
    "n_strata",
    *dict.fromkeys((*DICHOTOMOUS_STATISTICS, *POLYTOMOUS_STATISTICS)),
    "class",
    "favours",
    "note",
)


def csv_tables(analysis: Analysis) -> dict[str, str]:
    """Table name -> CSV text, for `TABLE_NAMES` (and `DIF_TABLE` with DIF screening)."""
    tables = {
        "scales": _scales(analysis),
        "items": _items(analysis),
        "intercorrelations": _intercorrelations(analysis),
    }
    if analysis.dif is not None:
        tables[DIF_TABLE] = _dif(analysis.dif)
    return tables


def _scales(analysis: Analysis) -> str:
    header = [
        "scale",
        "n_items",
        "n_items_analysed",
        *SCALE_STATISTICS,
        "alpha_ci_method",
        "alpha_ci_level",
        "alpha_ci_lower",
        "alpha_ci_upper",
        "notes",
    ]
    rows = []
    for scale in analysis.scales:
        interval = scale.alpha_ci
        rows.append(
            [
                scale.scale_id,
                scale.n_items,
                scale.n_items_analysed,
                *(scale[name] for name in SCALE_STATISTICS),
                *(
                    (None,) * 4
                    if interval is None
                    else (interval.method, interval.level, interval.lower, interval.upper)
                ),
                " | ".join(scale.notes),
            ]
        )
    return _csv(header, rows)


def _items(analysis: Analysis) -> str:
    codes = list(
        dict.fromkeys(
            code
            for scale in analysis.scales
            for item in scale.items
            for code in (item.frequencies or {})
        )
    )
    header = [
        "scale",
        "item",
        "reverse",
        "n",
        *ITEM_STATISTICS,
        "missing",
        "difficulty",
        *(f"freq:{code}" for code in codes),
        "note",
    ]
    rows = []
    for scale in analysis.scales:
        for item in scale.items:
            frequencies = item.frequencies or {}
            rows.append(
                [
                    scale.scale_id,
                    item.item_id,
                    item.reverse,
                    item.n,
                    *(item[name] for name in ITEM_STATISTICS),
                    item.missing,
                    item.difficulty,
                    *(frequencies.get(code) for code in codes),
                    item.note,
                ]
            )
    return _csv(header, rows)


def _intercorrelations(analysis: Analysis) -> str:
    table = analysis.intercorrelations
    header = ["kind", "scale", *table.scale_ids]
    rows = [
        [kind, scale_id, *matrix[row].tolist()]
        for kind, matrix in (("raw", table.raw), ("corrected", table.corrected))
        for row, scale_id in enumerate(table.scale_ids)
    ]
    return _csv(header, rows)


def _dif(dif: DifAnalysis) -> str:
    """Every analysed item; a scale that could not be analysed is one row with its note."""
    rows = []
    for comparison in dif.comparisons:
        for scale in comparison.scales:
            if not scale.items:
                rows.append(
                    [comparison.reference, comparison.focal, scale.scale_id]
                    + [None] * (len(DIF_COLUMNS) - 4)
                    + [scale.note]
                )
            for item in scale.items:
                values = item.as_dict()
                rows.append(
                    [comparison.reference, comparison.focal, scale.scale_id, item.item_id]
                    + [values.get(column) for column in DIF_COLUMNS[4:]]
                )
    return _csv(DIF_COLUMNS, rows)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)
