"""Arrow arrays built from their buffers (`_arrow.numeric_array`, `string_array`) equal
what `pa.array` builds, and scoring a Parquet file through the CLI never imports pandas
(every `pa.array` call does, 0.17 s, when pandas is installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from profdiag._arrow import numeric_array, string_array

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint16", "float32", "float64"])
def test_numeric_arrays_equal_pa_array(dtype: str) -> None:
    values = (np.arange(37) * 3 - 20).astype(dtype)
    strided = values[::2]  # not contiguous: copied first
    assert numeric_array(strided).equals(pa.array(strided))
    missing = np.arange(len(values)) % 5 == 1
    assert numeric_array(values, missing).equals(pa.array(values, mask=missing))
    assert numeric_array(values, np.zeros(len(values), dtype=bool)).null_count == 0
    assert numeric_array(values[:0]).equals(pa.array(values[:0]))


def test_string_arrays_equal_pa_array() -> None:
    texts = ["ok", "", "too_few_answered", "Иванова «Ё»", "🙂"]
    assert string_array(texts).equals(pa.array(texts, pa.string()))
    assert string_array([]).equals(pa.array([], pa.string()))


def test_scoring_parquet_through_the_cli_does_not_import_pandas(tmp_path: Path) -> None:
    items = [f"ipip{k:02d}" for k in range(1, 51)]
    table = pa.table(
        {
            "id": pa.array(["a", "b", "c"]),
            **{item: pa.array([1, None, 5], pa.int8()) for item in items},
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    script = (
        "import sys\n"
        "from profdiag.cli import main\n"
        "try:\n"
        f"    main(['score', 'ipip-bfm-50', r'{tmp_path / 'in.parquet'}', '--id-column', 'id',"
        f" '--out', r'{tmp_path / 'out.parquet'}', '--quiet'])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('pandas' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert run.stdout.strip() == "False", run.stderr
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 3
