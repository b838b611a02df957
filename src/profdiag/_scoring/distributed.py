"""Scoring past one machine: a Dask DataFrame, partition by partition, with the same kernel.

The instrument's plan is compiled once on the client and shipped to the workers as one
task of the graph; each partition is scored by `score_with_plan` exactly as `score` scores
a pandas DataFrame, so the scores are the same numbers. dask is imported only here, when
`score_dask` is called (the `profdiag[dask]` extra).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._instrument.model import Instrument
from profdiag._scoring.plan import ScoringPlan, compile_plan
from profdiag._scoring.score import score_with_plan
from profdiag.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd


def score_dask(
    instrument: Instrument,
    data: Any,
    *,
    strict: bool = True,
    id_column: str | None = None,
    other_columns: Iterable[str] = (),
    source: str = "<data>",
    workers: int = 1,
    answers_column: str | None = None,
) -> Any:
    """Score a Dask DataFrame on every scale of `instrument`, lazily, partition by partition.

    Parameters
    ----------
    instrument
        The instrument whose scales are scored.
    data
        A ``dask.dataframe.DataFrame`` with one column per item (the columns `score` takes
        from a pandas DataFrame: numbers, nullable integers, text answers).
    strict
        With `strict`, a partition with an invalid cell, an unknown column or a missing
        item column raises ResponseDataError when computed, naming the partition and the
        row within it; otherwise such cells count as unanswered.
    id_column, other_columns
        Columns that are not items: the respondent id (copied into the result as its first
        column), and attributes or ignored ones.
    source
        How errors name the data.
    workers
        Threads per partition (default 1: the cluster's workers give the parallelism).
    answers_column
        A column of typed paper answer sheets ("1а 2б ...") that stands for the item
        columns, as in `score`; its bad tokens are problems of that column.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy raw scores: one float64 column per scale (NaN where not scored), after the id
        column if one is named; same partitions, rows in input order, the input's index.
        ``.compute()`` gives a pandas DataFrame.

    Raises
    ------
    ArgumentError
        When `data` is not a Dask DataFrame, or dask is not installed.
    ResponseDataError
        On compute, in strict mode, for a partition with invalid cells.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> import profdiag
    >>> ipip = profdiag.load_instrument("ipip-bfm-50")
    >>> answers = pd.DataFrame({item.id: [4, 2, 3] for item in ipip.items})
    >>> lazy = profdiag.score_dask(ipip, dd.from_pandas(answers, npartitions=2))
    >>> scores = lazy.compute(scheduler="sync")
    >>> scores["extraversion"].tolist()
    [3.0, 3.0, 3.0]
    """
    try:
        import dask.dataframe as dd
        from dask.delayed import delayed
    except ImportError as error:  # pragma: no cover - the extra is installed in the tests
        raise ArgumentError(
            "scoring a Dask DataFrame needs dask: pip install 'profdiag[dask]'"
        ) from error
    if not isinstance(data, dd.DataFrame):
        raise ArgumentError(
            f"{source}: score_dask needs a dask.dataframe.DataFrame; got {type(data).__name__}"
            " (score a pandas DataFrame with score())"
        )
    plan = compile_plan(instrument)
    meta = _meta(plan, data._meta, id_column)
    shipped = delayed(plan, pure=True)  # one task, its result sent to each worker
    # An answers column is read with the instrument's item positions and option codes.
    definition = delayed(instrument, pure=True) if answers_column is not None else None
    return data.map_partitions(  # type: ignore[no-untyped-call]
        _score_partition,
        shipped,
        definition,
        strict=strict,
        answers_column=answers_column,
        id_column=id_column,
        other_columns=tuple(other_columns),
        source=source,
        workers=workers,
        meta=meta,
        align_dataframes=False,
    )


def scores_frame(
    plan: ScoringPlan, raw: np.ndarray, index: Any, ids: Any = None, id_column: str | None = None
) -> pd.DataFrame:
    """Raw scores as a pandas DataFrame on `index`, with the ids first if given."""
    import pandas as pd

    frame = pd.DataFrame(raw, index=index, columns=list(plan.scale_ids), copy=False)
    if id_column is not None:
        frame.insert(0, id_column, ids)
    return frame


def _score_partition(
    part: pd.DataFrame,
    plan: ScoringPlan,
    instrument: Instrument | None,
    *,
    strict: bool,
    answers_column: str | None,
    id_column: str | None,
    other_columns: tuple[str, ...],
    source: str,
    workers: int,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else None
    where = source if number is None else f"{source} (partition {number})"
    result = score_with_plan(
        plan,
        part,
        instrument=instrument,
        answers_column=answers_column,
        strict=strict,
        id_column=id_column,
        other_columns=other_columns,
        source=where,
        workers=workers,
        allow_empty=True,
    )
    ids = part[id_column].to_numpy() if id_column is not None and id_column in part else None
    return scores_frame(plan, result.raw, part.index, ids, id_column)


def _meta(plan: ScoringPlan, meta: pd.DataFrame, id_column: str | None) -> pd.DataFrame:
    ids = meta[id_column] if id_column is not None and id_column in meta else None
    return scores_frame(plan, np.empty((0, plan.n_scales)), meta.index, ids, id_column)
