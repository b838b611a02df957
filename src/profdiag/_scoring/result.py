"""What scoring returns: raw scale scores with answered counts and a status per cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from profdiag._arrow import ArrowColumn
from profdiag._instrument.model import Instrument
from profdiag._scoring.plan import FloatArray, ScaleStatus
from profdiag.errors import ArgumentError, CellProblem

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa


@dataclass(frozen=True)
class InstrumentRef:
    """Which instrument produced a score: id, version, the content hash of the definition
    as shipped, and the hash of the text overlay used with it, if any."""

    id: str
    version: str
    content_hash: str
    overlay_hash: str | None = None


@dataclass(frozen=True)
class CategoricalAnswers:
    """The validated answers of N respondents to one nominal, multiple-select or text item,
    rows in input order (an invalid answer counts as no answer and is in `problems`).

    `values` is, for a nominal item, the chosen option's position in `codes` (N,), NaN for
    no answer; for a multiple-select item, one 0/1 indicator per option (N, K), a row of
    NaN for no answer; for a text item, the text (N,) of objects, None for no answer.
    """

    item_id: str
    kind: Literal["nominal", "multiple_select", "text"]
    codes: tuple[str, ...]
    values: np.ndarray

    def answered(self) -> np.ndarray:
        """(N,) True where the respondent answered the item."""
        if self.kind == "text":
            return np.array([value is not None for value in self.values], dtype=bool)
        if self.kind == "nominal":
            return np.asarray(~np.isnan(self.values))
        return np.asarray(~np.isnan(self.values).all(axis=1))

    def chosen_codes(self) -> list[str | None]:
        """Nominal: the code chosen per row (None: no answer). Multiple select: the codes
        chosen per row joined by ';' (None: no answer). Text: the texts."""
        if self.kind == "text":
            return list(self.values)
        if self.kind == "nominal":
            return [None if np.isnan(value) else self.codes[int(value)] for value in self.values]
        return [
            ";".join(code for code, flag in zip(self.codes, row, strict=True) if flag == 1.0)
            if not np.isnan(row).all()
            else None
            for row in self.values
        ]

    def counts(self) -> dict[str, int]:
        """Respondents per option code (multiple select: who chose it), in option order;
        empty for a text item."""
        if self.kind == "nominal":
            answered = self.values[~np.isnan(self.values)].astype(int)
            tally = np.bincount(answered, minlength=len(self.codes))
            return dict(zip(self.codes, map(int, tally), strict=True))
        if self.kind == "multiple_select":
            tally = np.nansum(self.values == 1.0, axis=0)
            return dict(zip(self.codes, map(int, tally), strict=True))
        return {}


@dataclass(frozen=True)
class ScoreResult:
    """Raw scores of N respondents on S scales, rows in input order.

    `raw[r, s]` is NaN exactly when `status[r, s]` is not OK. `problems` lists every input
    cell that was not a valid answer (lenient mode); row -1 marks a whole-column problem.
    `row_ids` are the id column's cells, a pandas DataFrame's index, or 0..N-1; `id_name`
    is the id column's (or index's) name.
    """

    instrument: InstrumentRef
    scale_ids: tuple[str, ...]
    raw: FloatArray
    answered: np.ndarray
    status: np.ndarray
    row_ids: Sequence[Any]
    problems: tuple[CellProblem, ...]
    row_has_problem: np.ndarray
    id_name: str | None = None
    categorical: Mapping[str, CategoricalAnswers] = field(default_factory=dict)
    """The validated answers of the nominal, multiple-select and text items, by item id
    (items whose column was absent are left out)."""

    def __len__(self) -> int:
        return int(self.raw.shape[0])

    def column(self, scale_id: str) -> FloatArray:
        return self.raw[:, self.scale_ids.index(scale_id)]

    def status_labels(self) -> np.ndarray:
        labels = np.array([status.label for status in ScaleStatus], dtype=object)
        named: np.ndarray = labels[self.status]
        return named

    def to_pandas(self) -> pd.DataFrame:
        """The raw scores as a pandas DataFrame: one column per scale (float64, NaN where
        not scored), indexed by `row_ids` (the input's index or id column, else 0..N-1).

        Examples
        --------
        >>> import pandas as pd
        >>> import profdiag
        >>> ipip = profdiag.load_instrument("ipip-bfm-50")
        >>> answers = pd.DataFrame(
        ...     {item.id: [4, 2] for item in ipip.items}, index=pd.Index(["a", "b"], name="who")
        ... )
        >>> frame = profdiag.score(ipip, answers).to_pandas()
        >>> frame.index.tolist(), frame.index.name, float(frame.loc["a", "extraversion"])
        (['a', 'b'], 'who', 3.0)
        """
        import pandas as pd

        ids = self.row_ids
        if isinstance(ids, pd.Index):
            index = ids
        elif isinstance(ids, range):
            index = pd.RangeIndex(ids.start, ids.stop, ids.step, name=self.id_name)
        elif isinstance(ids, ArrowColumn):
            index = pd.Index(ids.arrow.to_pandas(), name=self.id_name)
        else:
            index = pd.Index(list(ids), name=self.id_name)
        return pd.DataFrame(self.raw, index=index, columns=list(self.scale_ids), copy=True)

    def to_arrow(self) -> pa.Table:
        """The raw scores as a pyarrow Table: the ids first (a column named `id_name`, or
        "row" for 0..N-1), then one float64 column per scale (null where not scored).

        Examples
        --------
        >>> import profdiag
        >>> ipip = profdiag.load_instrument("ipip-bfm-50")
        >>> table = profdiag.score(ipip, {item.id: 4 for item in ipip.items}).to_arrow()
        >>> table.column_names[:3], table.num_rows
        (['row', 'extraversion', 'agreeableness'], 1)
        """
        import pyarrow as pa

        ids = self.row_ids
        if isinstance(ids, ArrowColumn):
            id_column: Any = ids.arrow
        elif isinstance(ids, range):
            id_column = pa.array(np.arange(ids.start, ids.stop, ids.step, dtype=np.int64))
        elif hasattr(ids, "to_numpy") and hasattr(ids, "dtype"):  # a pandas index
            id_column = pa.array(ids)
        else:
            id_column = pa.array(list(ids))
        names = [self.id_name or "row", *self.scale_ids]
        if len(set(names)) != len(names):
            raise ArgumentError(
                f"the id column's name {names[0]!r} is also a scale id; rename the id column"
            )
        scores = [
            pa.array(self.raw[:, s], mask=np.isnan(self.raw[:, s]))
            for s in range(len(self.scale_ids))
        ]
        return pa.table([id_column, *scores], names=names)

    def to_polars(self) -> pl.DataFrame:
        """The raw scores as a polars DataFrame, with the columns of `to_arrow`.

        Examples
        --------
        >>> import profdiag
        >>> ipip = profdiag.load_instrument("ipip-bfm-50")
        >>> frame = profdiag.score(ipip, {item.id: 4 for item in ipip.items}).to_polars()
        >>> frame.columns[:2], frame["extraversion"].to_list()
        (['row', 'extraversion'], [3.0])
        """
        import polars as pl

        frame = pl.from_arrow(self.to_arrow())
        assert isinstance(frame, pl.DataFrame)
        return frame


def check_result_of(instrument: Instrument, result: Any, where: str) -> None:
    """Raise ArgumentError unless `result` is a ScoreResult of `instrument` (same id, version
    and scoring content hash) whose arrays have the shapes the instrument implies."""
    if not isinstance(result, ScoreResult):
        raise ArgumentError(
            f"{where} needs the ScoreResult that score() returned; got {type(result).__name__}"
        )
    ref = result.instrument
    same = (ref.id, ref.version, ref.content_hash) == (
        instrument.id,
        instrument.version,
        instrument.scoring_hash,
    )
    if not same:
        raise ArgumentError(
            f"{where}: the scores come from instrument {ref.id} {ref.version} "
            f"({_short(ref.content_hash)}), not from {instrument.id} {instrument.version} "
            f"({_short(instrument.scoring_hash)}) given here; pass the instrument the "
            "scores were computed with"
        )
    scale_ids = tuple(scale.id for scale in instrument.scales)
    n_rows = result.raw.shape[0] if result.raw.ndim == 2 else -1
    shapes = {
        "scale_ids": (len(result.scale_ids), len(scale_ids)),
        "raw": (result.raw.shape, (n_rows, len(scale_ids))),
        "answered": (result.answered.shape, (n_rows, len(scale_ids))),
        "status": (result.status.shape, (n_rows, len(scale_ids))),
        "row_ids": (len(result.row_ids), n_rows),
        "row_has_problem": (result.row_has_problem.shape, (n_rows,)),
    }
    wrong = [
        f"{name} {seen}, expected {expected}"
        for name, (seen, expected) in shapes.items()
        if seen != expected
    ]
    if result.scale_ids != scale_ids and not wrong:
        wrong.append(f"scale_ids {list(result.scale_ids)}, expected {list(scale_ids)}")
    if wrong:
        raise ArgumentError(
            f"{where}: the ScoreResult does not fit {instrument.id} {instrument.version}: "
            + "; ".join(wrong)
        )


def _short(content_hash: str) -> str:
    return content_hash[:19] + "..." if len(content_hash) > 22 else content_hash
