"""Dask DataFrames score exactly as pandas does, on a real two-process LocalCluster, and the
Spark mapInPandas function in docs/scaling.md works on pandas batches."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import profdiag
from profdiag import ArgumentError, ResponseDataError
from profdiag.cli import main

IPIP = profdiag.load_instrument("ipip-bfm-50")
ITEMS = [item.id for item in IPIP.items]
DOCS = Path(__file__).parent.parent / "docs" / "scaling.md"


def answers(n_rows: int, seed: int = 11) -> pd.DataFrame:
    """Item columns of mixed dtypes with missing cells, an id column and a shuffled index."""
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(n_rows, len(ITEMS))).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    frame = pd.DataFrame(values, columns=ITEMS)
    frame[ITEMS[:20]] = frame[ITEMS[:20]].astype("Int8")
    frame[ITEMS[20]] = frame[ITEMS[20]].map(lambda v: None if np.isnan(v) else f"{v:g}")
    frame.insert(0, "client_id", np.arange(n_rows) + 1000)
    frame.index = pd.Index(rng.permutation(n_rows) * 2, name="row_label")
    return frame


def local_scores(frame: pd.DataFrame) -> pd.DataFrame:
    result = profdiag.score(IPIP, frame, id_column="client_id")
    scores = pd.DataFrame(result.raw, index=frame.index, columns=list(result.scale_ids))
    scores.insert(0, "client_id", frame["client_id"].to_numpy())
    return scores


@pytest.mark.slow
def test_a_two_process_cluster_gives_the_local_scores_exactly(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    frame = answers(20_000)
    expected = local_scores(frame)
    csv_path = tmp_path / "answers.csv"
    frame.to_csv(csv_path, index=False)
    bad_path = tmp_path / "bad.csv"
    frame.assign(ipip31="7").to_csv(bad_path, index=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy = profdiag.score_dask(
            IPIP, dd.from_pandas(frame, npartitions=6, sort=False), id_column="client_id"
        )
        assert list(lazy.columns) == ["client_id", *(s.id for s in IPIP.scales)]
        got = client.compute(lazy).result()
        assert len(client.scheduler_info()["workers"]) == 2
        address = cluster.scheduler_address
        empty = tmp_path / "not-written"
        command = ["score", "ipip-bfm-50", str(csv_path), "--id-column", "client_id"]
        cli = CliRunner().invoke(
            main, [*command, "--out", str(tmp_path / "scores"), "--dask-scheduler", address]
        )
        bad = CliRunner().invoke(
            main,
            [*command[:2], str(bad_path), "--dask-scheduler", address, "--out", str(empty)],
        )
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert cli.exit_code == 0, cli.output
    written = pd.read_parquet(tmp_path / "scores").reset_index(drop=True)
    from_csv = expected.reset_index(drop=True)
    from_csv["client_id"] = from_csv["client_id"].astype(str)  # ids read from CSV are text
    pd.testing.assert_frame_equal(written, from_csv, check_exact=True, check_dtype=False)
    assert bad.exit_code == 1
    assert "row 0, column 'ipip31': got \"7\"" in bad.output
    assert "Traceback" not in bad.output
    assert not any(empty.iterdir())


def test_partitions_keep_order_and_index_with_the_threaded_scheduler() -> None:
    frame = answers(3_000, seed=5)
    lazy = profdiag.score_dask(
        IPIP, dd.from_pandas(frame, npartitions=4, sort=False), id_column="client_id"
    )
    assert lazy.npartitions == 4
    got = lazy.compute(scheduler="threads")
    pd.testing.assert_frame_equal(got, local_scores(frame), check_exact=True)


def test_a_bad_cell_names_its_partition_and_row() -> None:
    frame = answers(100).reset_index(drop=True)
    frame[ITEMS[30]] = frame[ITEMS[30]].fillna(3.0)
    frame.loc[60, ITEMS[30]] = 7.0
    lazy = profdiag.score_dask(
        IPIP, dd.from_pandas(frame, npartitions=2, sort=False), id_column="client_id"
    )
    with pytest.raises(ResponseDataError, match=r"partition 1\)(.|\n)*row 10, column 'ipip31'"):
        lazy.compute(scheduler="sync")
    lenient = profdiag.score_dask(
        IPIP,
        dd.from_pandas(frame, npartitions=2, sort=False),
        id_column="client_id",
        strict=False,
    ).compute(scheduler="sync")
    expected = profdiag.score(IPIP, frame, id_column="client_id", strict=False)
    np.testing.assert_array_equal(lenient[list(expected.scale_ids)].to_numpy(), expected.raw)


def test_score_dask_refuses_a_pandas_frame() -> None:
    with pytest.raises(ArgumentError, match=r"dask\.dataframe\.DataFrame"):
        profdiag.score_dask(IPIP, answers(3))


def test_the_plan_is_one_task_of_the_graph() -> None:
    frame = answers(500)
    lazy = profdiag.score_dask(
        IPIP, dd.from_pandas(frame, npartitions=5, sort=False), other_columns=["client_id"]
    )
    graph = dict(lazy.__dask_graph__())
    plans = [key for key, task in graph.items() if "ScoringPlan" in repr(task)[:2000]]
    assert len(plans) == 1, plans
    assert dask.compute(lazy, scheduler="sync")[0].shape == (500, len(IPIP.scales))


def test_the_spark_example_in_the_docs_scores_pandas_batches() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    example = next(block for block in blocks if "def score_batches" in block)
    namespace: dict[str, Any] = {}
    exec(compile(example, str(DOCS), "exec"), namespace)
    frame = answers(2_500).reset_index(drop=True)
    batches = [frame.iloc[start : start + 1_000] for start in range(0, len(frame), 1_000)]
    out = pd.concat(list(namespace["score_batches"](iter(batches))), ignore_index=True)
    expected = local_scores(frame).reset_index(drop=True)
    pd.testing.assert_frame_equal(out, expected, check_exact=True)


def test_an_answers_column_scores_as_score_does() -> None:
    """Typed answer sheets (Klimov's ДДО) in a Dask DataFrame: the same scores and, in
    lenient mode, the same treatment of a bad token as `score` on the pandas frame."""
    ddo = profdiag.load_instrument("klimov-ddo")
    sheets = pd.read_csv(
        Path(__file__).parent.parent / "examples" / "klimov-ddo-sheets.csv", sep=";", dtype=str
    )
    sheets = pd.concat([sheets] * 3, ignore_index=True)
    sheets["respondent"] = [f"p{k:03d}" for k in range(len(sheets))]
    expected = profdiag.score(
        ddo, sheets, id_column="respondent", answers_column="answers", other_columns=["sex"]
    )
    lazy = profdiag.score_dask(
        ddo,
        dd.from_pandas(sheets, npartitions=3, sort=False),
        id_column="respondent",
        other_columns=["sex"],
        answers_column="answers",
    )
    got = lazy.compute(scheduler="sync")
    assert got["respondent"].tolist() == sheets["respondent"].tolist()
    np.testing.assert_array_equal(got[list(expected.scale_ids)].to_numpy(), expected.raw)
    spoiled = sheets.copy()
    spoiled.loc[4, "answers"] = "1а 2ё"
    with pytest.raises(
        ResponseDataError, match=r"partition 0\)(.|\n)*row 4, column '2': got \"ё\""
    ):
        profdiag.score_dask(
            ddo,
            dd.from_pandas(spoiled, npartitions=3, sort=False),
            id_column="respondent",
            other_columns=["sex"],
            answers_column="answers",
        ).compute(scheduler="sync")
