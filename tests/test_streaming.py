"""`profdiag score` on files read and written in record batches: the output equals the
whole-file path's byte for byte (CSV) or value for value (Parquet), messages name the
file's own rows and lines, and the output is replaced only when the last batch is written.

Batching is switched on for small files with PROFDIAG_STREAM_BYTES=0, and batches are made
tiny with PROFDIAG_BATCH_BYTES / PROFDIAG_BATCH_ROWS."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag._io.streaming import batched_file
from profdiag._io.tables import read_table
from profdiag.cli._main import main

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "data" / "valid" / "minimal.json"
SRC = ROOT / "src"


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    return result.exit_code, result.stderr if hasattr(result, "stderr") else result.output


def _batched(**sizes: int) -> dict[str, str]:
    return {"PROFDIAG_STREAM_BYTES": "0", **{k: str(v) for k, v in sizes.items()}}


NOTES = ["", "a,b", 'say "hi"', "multi\nline\ncell", "x", "two\r\nlines, quoted", " 7 "]


def _ipip_csv(path: Path, rows: int = 50, *, bad: dict[int, str] | None = None) -> None:
    """Responses on ipip-bfm-50 with attributes, carried columns with quotes and line
    breaks inside quoted cells, a blank line, CRLF line ends; `bad` puts a cell that is
    not an answer into item ipip01 of the given rows."""
    ipip = profdiag.load_instrument("ipip-bfm-50")
    ids = [item.id for item in ipip.items]
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["id", "school", "sex", "age", *ids, "note"])
        for r in range(rows):
            answers = [rng.choice(["1", "2", "3", "4", "5", ""]) for _ in ids]
            if bad and r in bad:
                answers[0] = bad[r]
            sex, age = rng.choice(["m", "f", ""]), rng.choice(["15", "16", ""])
            writer.writerow([f"p{r}", "Школа №5", sex, age, *answers, rng.choice(NOTES)])
            if r == 20:
                stream.write("\r\n")


def test_batches_cover_the_file_with_its_own_lines(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data)
    whole = read_table(data)
    for size in (1, 97, 300, 1000, 4096):
        os.environ["PROFDIAG_BATCH_BYTES"] = str(size)
        try:
            batched = batched_file(data, "utf-8-sig", None, None, min_bytes=0)
            assert batched is not None
            batches = list(batched)
        finally:
            del os.environ["PROFDIAG_BATCH_BYTES"]
        assert len(batches) > (1 if size < 4096 else 0)
        assert sum(batch.n_rows for batch in batches) == whole.n_rows == 50
        lines = [line for batch in batches for line in (batch.lines or [])]
        assert lines == list(whole.lines or [])
        assert batched.skipped_blank_lines == whole.skipped_blank_lines
        for name in whole.columns:
            cells = [cell for batch in batches for cell in batch.columns[name]]
            assert cells == list(whole.columns[name]), (size, name)


def test_a_batch_ends_inside_a_quoted_multiline_cell(tmp_path: Path) -> None:
    """With 1-byte batches every byte is a block boundary, the inside of every quoted
    multi-line cell included; the cells still come out whole."""
    data = tmp_path / "data.csv"
    data.write_bytes(b'id,ipip01,note\r\na,1,"one\r\ntwo\nthree"\r\nb,2,"x"\r\n')
    os.environ["PROFDIAG_BATCH_BYTES"] = "1"
    try:
        batched = batched_file(data, "utf-8-sig", None, None, min_bytes=0)
        assert batched is not None
        batches = list(batched)
    finally:
        del os.environ["PROFDIAG_BATCH_BYTES"]
    assert [list(batch.columns["note"]) for batch in batches] == [["one\r\ntwo\nthree"], ["x"]]
    assert [list(batch.lines or []) for batch in batches] == [[2], [5]]


OPTION_SETS = [
    [],
    ["--drop-extra"],
    ["--lenient"],
    ["--id-column", "school"],
    ["--level", "0.95"],
]


@pytest.mark.parametrize("options", OPTION_SETS)
@pytest.mark.parametrize("batch", [97, 1000])
def test_csv_output_equals_the_whole_file_path(
    tmp_path: Path, options: list[str], batch: int
) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data)
    whole, batched = tmp_path / "whole.csv", tmp_path / "batched.csv"
    code, whole_err = _run(["score", "ipip-bfm-50", data, "--out", whole, *options])
    assert code == 0, whole_err
    code, batched_err = _run(
        ["score", "ipip-bfm-50", data, "--out", batched, *options],
        env=_batched(PROFDIAG_BATCH_BYTES=batch),
    )
    assert code == 0, batched_err
    assert batched.read_bytes() == whole.read_bytes()
    assert sorted(batched_err.splitlines()) == sorted(
        whole_err.replace("whole.csv", "batched.csv").splitlines()
    )


def test_lenient_problems_name_the_files_rows_and_lines(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data, bad={3: "9", 44: "x"})
    whole, batched = tmp_path / "whole.csv", tmp_path / "batched.csv"
    _, whole_err = _run(["score", "ipip-bfm-50", data, "--lenient", "--out", whole])
    code, batched_err = _run(
        ["score", "ipip-bfm-50", data, "--lenient", "--out", batched],
        env=_batched(PROFDIAG_BATCH_BYTES=200),
    )
    assert code == 0
    assert batched.read_bytes() == whole.read_bytes()
    problems = [line for line in batched_err.splitlines() if "data row" in line]
    assert problems == [line for line in whole_err.splitlines() if "data row" in line]
    assert len(problems) == 2 and "data row 45 (line" in problems[1]


def test_answers_column_and_norm_attributes(tmp_path: Path) -> None:
    """An instrument with norms chosen per row by grade and age, answers given as items;
    and klimov-ddo's typed answer sheets in one column."""
    definition = json.loads(MINIMAL.read_text(encoding="utf-8"))
    ids = [item["id"] for item in definition["items"]]
    rng = random.Random(3)
    data = tmp_path / "normed.csv"
    with data.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "grade", "age", *ids])
        for r in range(60):
            grade, age = rng.choice(["8", "9", ""]), rng.choice(["13", "14", "15", ""])
            writer.writerow([r, grade, age, *(rng.choice(["1", "2", "0", ""]) for _ in ids)])
    for options in ([], ["--norm-group", "grade9"]):
        whole, batched = tmp_path / "whole.csv", tmp_path / "batched.csv"
        args = ["score", MINIMAL, data, "--lenient", *options]
        code, err = _run([*args, "--out", whole])
        assert code == 0, err
        code, err = _run([*args, "--out", batched], env=_batched(PROFDIAG_BATCH_BYTES=150))
        assert code == 0, err
        assert batched.read_bytes() == whole.read_bytes()
    sheets = tmp_path / "sheets.csv"
    lines = (ROOT / "examples" / "klimov-ddo-sheets.csv").read_text(encoding="utf-8")
    head, *rows = lines.splitlines()
    sheets.write_text("\n".join([head, *(rows * 5)]) + "\n", encoding="utf-8")
    args = ["score", "klimov-ddo", sheets, "--answers-column", "answers", "--lenient"]
    args += ["--id-column", "respondent"]
    whole, batched = tmp_path / "whole.csv", tmp_path / "batched.csv"
    code, err = _run([*args, "--out", whole])
    assert code == 0, err
    code, err = _run([*args, "--out", batched], env=_batched(PROFDIAG_BATCH_BYTES=120))
    assert code == 0, err
    assert batched.read_bytes() == whole.read_bytes()


def test_a_strict_error_in_a_later_batch_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data, bad={40: "9", 47: "0"})
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    code, whole_err = _run(["score", "ipip-bfm-50", data, "--out", out])
    assert code == 1
    code, batched_err = _run(
        ["score", "ipip-bfm-50", data, "--out", out], env=_batched(PROFDIAG_BATCH_BYTES=200)
    )
    assert code == 1
    assert sorted(batched_err.splitlines()) == sorted(whole_err.splitlines())
    assert "data row 41 (line" in batched_err and "2 problem(s); nothing was written" in batched_err
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "out.csv"]


def test_a_malformed_row_in_a_later_batch_is_reported_as_the_whole_file_reader_does(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data)
    text = data.read_bytes()
    data.write_bytes(text + b"p99,S,m,15,1,2\r\n")
    out = tmp_path / "out.csv"
    code, whole_err = _run(["score", "ipip-bfm-50", data, "--out", out])
    assert code == 1 and "fields" in whole_err
    code, batched_err = _run(
        ["score", "ipip-bfm-50", data, "--out", out], env=_batched(PROFDIAG_BATCH_BYTES=200)
    )
    assert code == 1
    # the notice about carried columns comes first: the header was read before the row
    notice, *rest = batched_err.splitlines(keepends=True)
    assert "carried into the output" in notice
    assert "".join(rest) == whole_err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


@pytest.mark.parametrize("options", [[], ["--drop-extra"], ["--lenient"]])
def test_parquet_output_equals_the_whole_file_path(tmp_path: Path, options: list[str]) -> None:
    csv_data = tmp_path / "data.csv"
    _ipip_csv(csv_data, bad={30: "7"})
    table = read_table(csv_data)
    columns = {
        name: pa.array(list(cells))
        if name in ("id", "school", "note", "sex")
        else pa.array([int(c) if c.strip().isdigit() else None for c in cells], pa.int64())
        for name, cells in table.columns.items()
    }
    data = tmp_path / "data.parquet"
    pq.write_table(pa.table(columns), data)
    for to in ("csv", "parquet"):
        whole, batched = tmp_path / f"whole.{to}", tmp_path / f"batched.{to}"
        code, err = _run(["score", "ipip-bfm-50", data, "--out", whole, "--lenient", *options])
        assert code == 0, err
        code, err = _run(
            ["score", "ipip-bfm-50", data, "--out", batched, "--lenient", *options],
            env=_batched(PROFDIAG_BATCH_ROWS=7),
        )
        assert code == 0, err
        if to == "csv":
            assert batched.read_bytes() == whole.read_bytes()
        else:
            one, other = pq.read_table(whole), pq.read_table(batched)
            assert one.schema.equals(other.schema, check_metadata=True)
            assert one.equals(other)
            assert pq.ParquetFile(batched).metadata.num_row_groups > 1
            assert "data row 31, column 'ipip01'" in err


def test_killed_mid_run_leaves_the_old_file(tmp_path: Path) -> None:
    """kill -9 while batches are being written: the output keeps its old content, under
    its own name; only a stray temporary file may be left."""
    data = tmp_path / "data.csv"
    ipip = profdiag.load_instrument("ipip-bfm-50")
    ids = [item.id for item in ipip.items]
    line = ",".join(["1", *(str(1 + k % 5) for k in range(len(ids)))]) + "\n"
    data.write_text("id," + ",".join(ids) + "\n" + line * 200_000, encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC), **_batched(PROFDIAG_BATCH_BYTES=50_000)}
    process = subprocess.Popen(
        [sys.executable, "-m", "profdiag", "score", "ipip-bfm-50", str(data), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    temporary: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        temporary = [p for p in tmp_path.glob(".out.csv.*.tmp") if p.stat().st_size > 0]
        if temporary:
            break
        time.sleep(0.01)
    assert temporary, "the run ended before it wrote a batch: make the file larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "data.csv",
        "out.csv",
    ]


def test_no_progress_bar_unless_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from profdiag.cli._streaming import _progress

    data = tmp_path / "data.csv"
    _ipip_csv(data)
    batched = batched_file(data, "utf-8-sig", None, None, min_bytes=0)
    assert batched is not None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _progress(batched, quiet=False) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _progress(batched, quiet=True) is None
    bar = _progress(batched, quiet=False)
    assert bar is not None and bar.total == data.stat().st_size
    bar.close()
    batched.close()  # the file, opened for the first batch, is closed though unread


def test_usage_errors_before_the_first_batch_are_as_for_a_whole_file(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    _ipip_csv(data)
    for options in (["--id-column", "nope"], ["--answers-column", "nope"]):
        args = ["score", "ipip-bfm-50", data, "--out", tmp_path / "out.csv", *options]
        whole = CliRunner().invoke(main, [str(a) for a in args])
        batched = CliRunner().invoke(
            main, [str(a) for a in args], env=_batched(PROFDIAG_BATCH_BYTES=100)
        )
        assert whole.exit_code == batched.exit_code == 2
        # the whole-file path has read the file and names its empty line first
        shown = [line for line in whole.output.splitlines() if "empty line" not in line]
        assert batched.output.splitlines() == shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


_CELL = st.text(alphabet=["a", "я", " ", ",", '"', "\n", "\r", "1"], max_size=6)


def _quoted(cell: str) -> str:
    if any(mark in cell for mark in ',"\r\n') or cell.startswith('"'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=12),
    ends=st.sampled_from(["\n", "\r\n", "\r"]),
    blank_after=st.sets(st.integers(0, 11), max_size=3),
    batch=st.integers(1, 64),
)
def test_batches_read_any_csv_as_the_whole_file_reader_does(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str]],
    ends: str,
    blank_after: set[int],
    batch: int,
) -> None:
    """Quoted cells with delimiters, quotes and any line ends, blank lines, any batch
    size: the batches hold the whole-file reader's cells, lines and skipped lines."""
    lines = ["id,b,c"]
    for r, row in enumerate(rows):
        lines.append(",".join(_quoted(cell) for cell in row))
        if r in blank_after:
            lines.append("")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes((ends.join(lines) + ends).encode("utf-8"))
    whole = read_table(path)
    os.environ["PROFDIAG_BATCH_BYTES"] = str(batch)
    try:
        batched = batched_file(path, "utf-8-sig", None, None, min_bytes=0)
        if batched is None:  # the header alone fills the file: read whole
            return
        batches = list(batched)
    finally:
        del os.environ["PROFDIAG_BATCH_BYTES"]
    assert [line for b in batches for line in (b.lines or [])] == list(whole.lines or [])
    assert batched.skipped_blank_lines == whole.skipped_blank_lines
    for name in whole.columns:
        assert [cell for b in batches for cell in b.columns[name]] == list(whole.columns[name])


def test_a_full_disk_half_way_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from profdiag._io.streaming import ScoreWriter

    data = tmp_path / "data.csv"
    _ipip_csv(data)
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    written: list[int] = []
    original = ScoreWriter.write

    def write(self: ScoreWriter, header: list[str], columns: list[object]) -> None:
        written.append(len(columns[0]))  # type: ignore[arg-type]
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, header, columns)

    monkeypatch.setattr(ScoreWriter, "write", write)
    code, err = _run(
        ["score", "ipip-bfm-50", data, "--out", out], env=_batched(PROFDIAG_BATCH_BYTES=300)
    )
    assert code == 1 and "the disk is full" in err
    assert len(written) == 3
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "out.csv"]


def test_survey_items_are_carried_as_the_whole_file_path_carries_them(tmp_path: Path) -> None:
    # Nominal, multiple-select (one cell, and "<item>.<code>" 0/1 columns) and text answers
    # are written beside the scores; a batched run must write the same columns.
    data = tmp_path / "survey.csv"
    survey = profdiag.load_instrument("profdiag-intentions-9-11")
    header, row = ["id", "school"], ["x"]
    for item in survey.items:
        fmt = survey.format_of(item)
        if fmt.type == "multiple_select":
            header += [f"{item.id}.{option.code}" for option in fmt.options]
            row += ["1" if k == 0 else "0" for k in range(len(fmt.options))]
        else:
            header.append(item.id)
            codes = [option.code for option in getattr(fmt, "options", ())]
            row.append(codes[0] if codes else ("" if fmt.type == "text" else str(fmt.codes[-1])))
    lines = [",".join(header)] + [",".join([f"0{k}", "s1", *row[1:]]) for k in range(40)]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole, batched = tmp_path / "whole.csv", tmp_path / "batched.csv"
    code, err = _run(["score", "profdiag-intentions-9-11", data, "--out", whole])
    assert code == 0, err
    code, err = _run(
        ["score", "profdiag-intentions-9-11", data, "--out", batched],
        env=_batched(PROFDIAG_BATCH_BYTES=300),
    )
    assert code == 0, err
    assert "carried into the output: 'school'" in err  # the 0/1 columns are not "extra"
    assert batched.read_bytes() == whole.read_bytes()
    assert "route" in whole.read_text(encoding="utf-8").splitlines()[0].split(",")
