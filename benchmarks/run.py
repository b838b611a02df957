"""profdiag benchmarks: in-memory scoring, one respondent, and the CSV path end to end.

    python benchmarks/run.py                      # full size: 1,000,000 respondents
    python benchmarks/run.py --rows 100000 --repeats 3 --skip-r --skip-csv   # quick look

Data: benchmarks/synthetic.py (seeded; 60 five-point items, 6 mean scales of 10 items,
5% of cells missing). Every figure is a median over repeats measured in this run, next to
baselines measured in the same run on the same data:

1. In memory, 1,000,000 x 60 float64 array: `profdiag.score(instrument, X)` against a
   plain numpy reference (np.nanmean per scale) and, when Rscript and psych are
   installed, psych's scoreVeryFast and scoreItems(impute = "none") on the same numbers.
   R reads them once from a binary file and then waits for commands, so that its
   scoreVeryFast runs interleave with profdiag's; only the scoring call is timed in R.
   The scores of all of them are compared cell by cell.
2. One respondent (a dict of 60 answers), with the time split into its parts.
3. End to end: a CSV file through `profdiag score ... --out scores.csv` in a subprocess
   (wall time) and the same stages in this process, each timed.

Nothing here sets or changes environment variables: numpy, OpenBLAS and R run as the
environment configures them, and the environment is printed first. Other processes on the
machine add noise; the load average is printed before and after each section.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_info

import profdiag
import synthetic
from profdiag import Instrument, ScaleStatus
from profdiag._instrument import instrument_from_document, load_instrument
from profdiag._io import read_table, score_table, write_table
from profdiag._norms import standardize
from profdiag._norms.selection import ATTRIBUTES
from profdiag._scoring.encode import ColumnRoles, encode_record
from profdiag._scoring.kernel import score_values
from profdiag._scoring.plan import compile_plan

SEED = 20261127  # benchmarks/synthetic.py's default seed, stated here so it is printed
TOLERANCE = 1e-9  # agreement required between profdiag and the baselines
LOW, HIGH = 1.0, 5.0  # the five-point codes of the synthetic items
TARGET_ROWS = 1_000_000  # the size the targets below refer to
TARGET_IN_MEMORY_S = 0.15
TARGET_VS_VERY_FAST = 7.0
TARGET_VS_SCORE_ITEMS = 100.0
TARGET_ONE_RESPONDENT_US = 50.0
PROFDIAG = "profdiag.score(instrument, X)"
VERY_FAST = "R psych scoreVeryFast(keys, items)"
SCORE_ITEMS = 'R psych scoreItems(keys, items, impute="none", min=1, max=5)'

FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------- measuring


@dataclass
class Timing:
    """Wall-clock times of repeated runs of one thing, in seconds."""

    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)


def time_once(function: Callable[[], object]) -> float:
    """Seconds for one call; the garbage of earlier calls is collected first, untimed."""
    gc.collect()
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def python_timer(function: Callable[[], object]) -> Callable[[], float]:
    return lambda: time_once(function)


def time_interleaved(candidates: dict[str, Callable[[], float]], repeats: int) -> dict[str, Timing]:
    """Run each candidate once untimed, then `repeats` rounds of one timed run each.

    A candidate runs once and returns the seconds it took. Interleaving spreads any
    disturbance by other processes over all candidates alike.
    """
    timings = {label: Timing(label) for label in candidates}
    for measure in candidates.values():
        measure()
    for _ in range(repeats):
        for label, measure in candidates.items():
            timings[label].seconds.append(measure())
    return timings


def time_calls_us(function: Callable[[], object], calls: int) -> list[float]:
    """Microseconds of each of `calls` calls (after 100 untimed warm-up calls)."""
    for _ in range(100):
        function()
    clock = time.perf_counter_ns
    samples = []
    for _ in range(calls):
        start = clock()
        function()
        samples.append((clock() - start) / 1000.0)
    return samples


def time_command(command: Sequence[str], cwd: Path) -> float:
    """Wall seconds of one run of a command (which must succeed)."""
    return time_once(lambda: subprocess.run(command, cwd=cwd, check=True, capture_output=True))


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# --------------------------------------------------------------------------- printing


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table, so that the output can be pasted into docs/performance.md."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def verdict(met: bool) -> str:
    return "MET" if met else "MISSED"


def heading(title: str) -> None:
    print(f"\n## {title}\n")


# --------------------------------------------------------------------------- environment


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def print_environment() -> None:
    heading("Environment")
    print(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical CPUs"
        f" ({len(os.sched_getaffinity(0))} usable by this process)"
    )
    print(
        f"- Python {platform.python_version()} ({platform.python_implementation()}),"
        f" {platform.system()} {platform.release()}"
    )
    print(f"- numpy {np.__version__}; profdiag {profdiag.__version__} at git {git_revision()}")
    for pool in threadpool_info():
        print(
            f"- thread pool: {pool.get('internal_api')} {pool.get('version')}"
            f" ({pool.get('user_api')}, architecture {pool.get('architecture', '?')},"
            f" {pool.get('num_threads')} threads, {Path(pool.get('filepath', '')).name})"
        )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(f"- OPENBLAS_CORETYPE: {'set to ' + coretype if coretype else 'not set'}")
    others = {
        name: value
        for name, value in sorted(os.environ.items())
        if name.startswith(("OPENBLAS_", "OMP_", "MKL_", "MALLOC_")) and name != "OPENBLAS_CORETYPE"
    }
    for name, value in others.items():
        print(f"- {name}={value}")
    print(f"- {load_note()}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ScaleKey:
    """One scale as a psych-style key: its item columns and which are reverse-keyed."""

    scale_id: str
    columns: list[int]
    reverse: list[bool]
    item_ids: list[str]

    def psych_names(self) -> list[str]:
        return [("-" if r else "") + i for i, r in zip(self.item_ids, self.reverse, strict=True)]


def scale_keys(document: dict[str, Any]) -> list[ScaleKey]:
    positions = {item["id"]: i for i, item in enumerate(document["items"])}
    return [
        ScaleKey(
            scale["id"],
            [positions[entry["item"]] for entry in scale["items"]],
            [bool(entry["reverse"]) for entry in scale["items"]],
            [entry["item"] for entry in scale["items"]],
        )
        for scale in document["scales"]
    ]


def naive_scores(values: FloatArray, keys: Sequence[ScaleKey]) -> FloatArray:
    """The bare-numpy reference: per scale, reverse-key a copy of its columns, nanmean."""
    out = np.empty((values.shape[0], len(keys)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row with no answer -> NaN
        for s, key in enumerate(keys):
            block = values[:, key.columns]
            block[:, key.reverse] = (LOW + HIGH) - block[:, key.reverse]
            out[:, s] = np.nanmean(block, axis=1)
    return out


def csv_bytes(values: FloatArray, item_ids: Sequence[str]) -> bytes:
    """The responses as CSV: an `id` column (1..N), then one digit per item, empty if NaN.

    Built as a byte matrix with a filler byte where a cell is shorter, then squeezed, so
    that writing a million rows takes seconds rather than minutes. Codes must be 0-9.
    """
    n_rows, n_items = values.shape
    filler = 0
    width = len(str(n_rows))
    ids = np.arange(1, n_rows + 1)
    matrix = np.empty((n_rows, width + 1 + 2 * n_items), dtype=np.uint8)
    for position in range(width):
        power = 10 ** (width - 1 - position)
        digit = (ids // power) % 10 + ord("0")
        matrix[:, position] = np.where(ids >= power, digit, filler)  # no leading zeros
    matrix[:, width] = ord(",")
    cells = matrix[:, width + 1 :].reshape(n_rows, n_items, 2)
    missing = np.isnan(values)
    cells[:, :, 0] = np.where(missing, filler, np.where(missing, 0, values) + ord("0"))
    cells[:, :, 1] = ord(",")
    cells[:, -1, 1] = ord("\n")
    header = ",".join(["id", *item_ids]) + "\n"
    return header.encode("ascii") + matrix.tobytes().replace(bytes([filler]), b"")


# --------------------------------------------------------------------------- agreement


def agreement(label: str, ours: FloatArray, status: np.ndarray, theirs: FloatArray) -> bool:
    """Print and return whether `theirs` matches profdiag's scores to TOLERANCE."""
    scored = status == ScaleStatus.OK
    difference = float(np.max(np.abs(ours[scored] - theirs[scored]), initial=0.0))
    finite_there = bool(np.isfinite(theirs[scored]).all())
    unscored = int((~scored).sum())
    same_gaps = bool(np.isnan(theirs[~scored]).all())
    ok = difference <= TOLERANCE and finite_there and same_gaps
    print(
        f"- profdiag vs {label}: max |difference| {difference:.1e} over {int(scored.sum()):,}"
        f" scored cells; {unscored:,} unscored cells (NaN there too: "
        f"{'yes' if same_gaps else 'NO'}) -> {'agree' if ok else 'DISAGREE'}"
        f" (tolerance {TOLERANCE:g})"
    )
    return ok


# --------------------------------------------------------------------------- R psych

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
data_path <- args[1]; n <- as.integer(args[2]); k <- as.integer(args[3])
out_dir <- args[4]
source(args[5])  # defines `keys` (psych keys list) and `item_names`
suppressPackageStartupMessages(library(psych))
say <- function(...) { cat(..., "\n"); flush(stdout()) }
say("VERSION", R.version.string)
say("PSYCH", format(packageVersion("psych")))
say("MCCORES", getOption("mc.cores", 2L))

# Not timed: reading the data. Column-major float64 = R's own matrix layout.
items <- matrix(readBin(data_path, "double", n * k), nrow = n, ncol = k)
items[is.nan(items)] <- NA
colnames(items) <- item_names
# The same numbers as the integer data.frame that data.table::fread returns for the CSV.
items_int <- as.data.frame(lapply(as.data.frame(items), as.integer))
scores <- list()
calls <- list(
  scoreVeryFast = function() scoreVeryFast(keys, items),
  scoreVeryFastInt = function() scoreVeryFast(keys, items_int),
  # NaN warnings come from alpha/correlation statistics of uncorrelated random items.
  scoreItems = function() suppressWarnings(
    scoreItems(keys, items, impute = "none", min = 1, max = 5))$scores
)
say("READY")

# One command a line on stdin: a function name (time one call of it), "save" or "quit".
# Timed: the scoring call only, wall clock (system.time() runs gc() first, untimed).
stdin_lines <- file("stdin")
open(stdin_lines)
repeat {
  command <- readLines(stdin_lines, n = 1)
  if (length(command) == 0 || command == "quit") break
  if (command == "save") {
    for (name in names(scores)) {
      stopifnot(identical(colnames(scores[[name]]), names(keys)))
      writeBin(as.vector(unname(scores[[name]])), file.path(out_dir, paste0(name, ".f64")))
    }
    say("SAVED")
  } else {
    elapsed <- system.time(result <- calls[[command]]())[["elapsed"]]
    scores[[command]] <- result
    rm(result)
    say("TIME", command, sprintf("%.6f", elapsed))
  }
}
"""


def psych_unavailable() -> str | None:
    """Why R psych cannot be used here, or None when it can."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    check = subprocess.run(
        ["Rscript", "-e", 'quit(status = !requireNamespace("psych", quietly = TRUE))'],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if check.returncode == 0 else "R package psych not installed"


class PsychSession:
    """An Rscript process holding the data, scoring on request, so that R's timings can be
    interleaved with profdiag's (same moments, same background load)."""

    def __init__(
        self,
        values: FloatArray,
        keys: Sequence[ScaleKey],
        item_ids: Sequence[str],
        workdir: Path,
    ) -> None:
        self.workdir = workdir
        self.shape = (values.shape[0], len(keys))
        data_path = workdir / "items.f64"
        values.T.tofile(data_path)  # column by column: no transpose needed in R
        keys_path = workdir / "keys.R"
        entries = ",\n  ".join(
            f"{key.scale_id} = c({', '.join(json.dumps(n) for n in key.psych_names())})"
            for key in keys
        )
        keys_path.write_text(
            f"keys <- list(\n  {entries}\n)\n"
            f"item_names <- c({', '.join(json.dumps(i) for i in item_ids)})\n",
            encoding="utf-8",
        )
        script_path = workdir / "psych_bench.R"
        script_path.write_text(R_SCRIPT, encoding="utf-8")
        self.stderr = (workdir / "stderr.txt").open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                "Rscript",
                str(script_path),
                str(data_path),
                str(values.shape[0]),
                str(values.shape[1]),
                str(workdir),
                str(keys_path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            bufsize=1,
        )
        self.info: dict[str, str] = {}
        while (line := self._line()) != "READY":
            word, _, rest = line.partition(" ")
            self.info[word] = rest.strip()
        data_path.unlink()

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.stderr.flush()
            tail = (self.workdir / "stderr.txt").read_text(encoding="utf-8")[-3000:]
            raise RuntimeError(f"Rscript stopped:\n{tail}")
        return line.strip()

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def timer(self, function: str) -> Callable[[], float]:
        """Time one call of `function` in R; seconds as R measured them."""

        def measure() -> float:
            self._send(function)
            word, name, value = self._line().split()
            assert word == "TIME" and name == function
            return float(value)

        return measure

    def scores(self) -> dict[str, FloatArray]:
        """Each function's last scores (N x S), read back from R."""
        self._send("save")
        assert self._line() == "SAVED"
        n_rows, n_scales = self.shape
        return {
            path.stem: np.fromfile(path, dtype=np.float64).reshape(n_scales, n_rows).T
            for path in sorted(self.workdir.glob("*.f64"))
        }

    def close(self) -> None:
        if self.process.poll() is None:
            self._send("quit")
            self.process.wait(timeout=60)
        self.stderr.close()


# --------------------------------------------------------------------------- 1. in memory


@dataclass
class InMemoryRun:
    timings: dict[str, Timing]
    psych_scores: dict[str, FloatArray] = field(default_factory=dict)
    r_info: dict[str, str] = field(default_factory=dict)


def measure_in_memory(
    args: argparse.Namespace,
    instrument: Instrument,
    values: FloatArray,
    keys: Sequence[ScaleKey],
    item_ids: Sequence[str],
    use_r: bool,
) -> InMemoryRun:
    """profdiag, the numpy reference and (with R) scoreVeryFast in interleaved rounds; then
    scoreItems, which is too slow to interleave."""
    candidates = {
        PROFDIAG: python_timer(lambda: profdiag.score(instrument, values)),
        "profdiag.score(instrument, X, workers=1)": python_timer(
            lambda: profdiag.score(instrument, values, workers=1)
        ),
        "numpy naive reference (nanmean per scale)": python_timer(
            lambda: naive_scores(values, keys)
        ),
    }
    if not use_r:
        print(f"- {load_note()} (before)")
        return InMemoryRun(time_interleaved(candidates, args.repeats))
    with tempfile.TemporaryDirectory(prefix="profdiag-bench-r-") as workdir:
        print("- starting R and loading the data into it (not timed) ...", flush=True)
        session = PsychSession(values, keys, item_ids, Path(workdir))
        try:
            candidates[VERY_FAST] = session.timer("scoreVeryFast")
            print(f"- {load_note()} (before)")
            print(
                f"- {args.repeats} interleaved rounds of: {', '.join(candidates)} "
                "(after one untimed warm-up each)",
                flush=True,
            )
            run = InMemoryRun(time_interleaved(candidates, args.repeats), r_info=session.info)
            if args.items_repeats:
                print(f"- then R scoreItems x {args.items_repeats}, no warm-up", flush=True)
                measure = session.timer("scoreItems")
                slow = run.timings[SCORE_ITEMS] = Timing(SCORE_ITEMS)
                for _ in range(args.items_repeats):
                    slow.seconds.append(measure())
                    print(f"  run {len(slow.seconds)}: {slow.seconds[-1]:.1f} s", flush=True)
            run.psych_scores = session.scores()
        finally:
            session.close()
    return run


def in_memory(
    args: argparse.Namespace,
    instrument: Instrument,
    values: FloatArray,
    keys: Sequence[ScaleKey],
    item_ids: Sequence[str],
) -> None:
    heading(f"1. In-memory scoring, {values.shape[0]:,} x {values.shape[1]} float64")
    why_not = "skipped (--skip-r)" if args.skip_r else psych_unavailable()
    run = measure_in_memory(args, instrument, values, keys, item_ids, use_r=why_not is None)
    timings, r_info = run.timings, run.r_info
    print(f"- {load_note()} (after)")
    result = profdiag.score(instrument, values)
    reference = naive_scores(values, keys)

    ours = timings[PROFDIAG]
    rows = [
        [
            timing.label,
            str(len(timing.seconds)),
            seconds(timing.median),
            seconds(timing.min),
            ratio(timing.median / ours.median),
            ratio(timing.min / ours.min),
        ]
        for timing in timings.values()
    ]
    print()
    print_table(
        [
            "what (same data, same run)",
            "runs",
            "median",
            "min",
            "median / profdiag median",
            "min / profdiag min",
        ],
        rows,
    )
    print()
    if r_info:
        print(
            f"- {r_info.get('VERSION')}, psych {r_info.get('PSYCH')}. R gets a numeric matrix "
            f"(not a data.frame); scoreVeryFast forks {r_info.get('MCCORES')} processes "
            "(mc.cores); R times are wall clock (system.time elapsed) of the call alone."
        )
    else:
        print(f"- R psych baselines not measured: {why_not}.")

    heading("1b. Agreement (like-for-like check)")
    checks = [agreement("numpy naive reference", result.raw, result.status, reference)]
    for label, scores in run.psych_scores.items():
        checks.append(agreement(f"psych {label}", result.raw, result.status, scores))
    if not all(checks):
        print("- WARNING: the scores differ, so the timings do not compare like with like.")

    heading("1c. Targets (in memory)")
    if values.shape[0] != TARGET_ROWS:
        print(f"- (the targets refer to {TARGET_ROWS:,} rows; this run has {values.shape[0]:,})")
    print(
        f"- profdiag median {ours.median:.3f} s <= {TARGET_IN_MEMORY_S} s: "
        f"{verdict(ours.median <= TARGET_IN_MEMORY_S)}"
    )
    for label, target in ((VERY_FAST, TARGET_VS_VERY_FAST), (SCORE_ITEMS, TARGET_VS_SCORE_ITEMS)):
        if label in timings:
            speedup = timings[label].median / ours.median
            print(
                f"- {label.split('(')[0].strip()} / profdiag (medians) = {speedup:.1f}x "
                f">= {target:g}x: {verdict(speedup >= target)}"
            )


# --------------------------------------------------------------------------- 2. one respondent


def one_respondent(
    args: argparse.Namespace, instrument: Instrument, values: FloatArray, item_ids: Sequence[str]
) -> None:
    heading(f"2. One respondent (a dict of {len(item_ids)} answers), {args.calls:,} calls each")
    print(f"- {load_note()}")
    complete = values[~np.isnan(values).any(axis=1)][0]
    record: dict[str, Any] = {i: int(v) for i, v in zip(item_ids, complete, strict=True)}
    as_text: dict[str, Any] = {i: str(v) for i, v in record.items()}
    plan = compile_plan(instrument)
    roles = ColumnRoles()
    encoded = encode_record(plan, record, roles)
    assert not encoded.problems

    def whole() -> object:
        return profdiag.score(instrument, record)

    parts: list[tuple[str, Callable[[], object]]] = [
        ("  compile_plan(instrument) (cached look-up)", lambda: compile_plan(instrument)),
        ("  encode_record (validate + code 60 cells)", lambda: encode_record(plan, record, roles)),
        ("  score_values (the kernel, 1 row)", lambda: score_values(plan, encoded.values)),
    ]
    total = statistics.median(time_calls_us(whole, args.calls))
    total_min = min(time_calls_us(whole, args.calls))
    rows = [
        [
            "profdiag.score(instrument, record), int answers",
            f"{total:.1f}",
            f"{total_min:.1f}",
            "100%",
        ]
    ]
    accounted = 0.0
    for label, function in parts:
        samples = time_calls_us(function, args.calls)
        median = statistics.median(samples)
        accounted += median
        rows.append([label, f"{median:.1f}", f"{min(samples):.1f}", f"{median / total:.0%}"])
    rest = total - accounted
    rows.append(["  the rest (dispatch, ScoreResult)", f"{rest:.1f}", "", f"{rest / total:.0%}"])
    text_samples = time_calls_us(lambda: profdiag.score(instrument, as_text), args.calls)
    rows.append(
        [
            'profdiag.score(instrument, record), text answers ("4")',
            f"{statistics.median(text_samples):.1f}",
            f"{min(text_samples):.1f}",
            "",
        ]
    )
    print()
    print_table(["what", "median us", "min us", "share"], rows)
    print()
    print(
        f"- target: median <= {TARGET_ONE_RESPONDENT_US:g} us: "
        f"{verdict(total <= TARGET_ONE_RESPONDENT_US)} ({total:.1f} us)"
    )


# --------------------------------------------------------------------------- 3. CSV end to end


def cli_command() -> list[str]:
    """The `profdiag` console script of this interpreter (no pyenv shim in between)."""
    beside = Path(sys.executable).parent / "profdiag"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("profdiag")
    return [found] if found else [sys.executable, "-m", "profdiag"]


def csv_stages(instrument: Instrument, data: Path, out: Path) -> tuple[dict[str, float], Any]:
    """The CLI's `score` command, stage by stage, in this process (see profdiag/cli.py; for
    an instrument without norms, timed scales or text overlays, as the synthetic one)."""
    times: dict[str, float] = {}
    gc.collect()
    start = time.perf_counter()
    table = read_table(data)
    times["read_table"] = (now := time.perf_counter()) - start
    attributes = {name: table.columns[name] for name in ATTRIBUTES if name in table.columns}
    id_name = "id" if "id" in table.columns else None
    result = profdiag.score(
        instrument, table.columns, id_column=id_name, other_columns=attributes, source=str(data)
    )
    times["score (from text columns)"] = (later := time.perf_counter()) - now
    standard = standardize(instrument, result, attributes=attributes, level=0.90)
    times["standardize"] = (now := time.perf_counter()) - later
    header, rows = score_table(
        result,
        standard,
        id_name=id_name or "row",
        normed=bool(instrument.norms),
        bands=any(scale.bands is not None for scale in instrument.scales),
    )
    times["score_table"] = (later := time.perf_counter()) - now
    metadata = {
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "content_hash": instrument.content_hash,
        },
        "confidence_level": 0.90,
    }
    write_table(out, header, rows, metadata)
    times["write_table"] = time.perf_counter() - later
    del table, rows, standard
    return times, result


@dataclass
class CsvRun:
    cli: Timing  # the whole file through the CLI
    cli_one_row: Timing  # a one-row file through the CLI: the fixed cost of a run
    stages: dict[str, Timing]


def measure_csv(
    args: argparse.Namespace, values: FloatArray, item_ids: Sequence[str], expected: FloatArray
) -> CsvRun:
    with tempfile.TemporaryDirectory(prefix="profdiag-bench-csv-") as folder:
        workdir = Path(folder)
        start = time.perf_counter()
        data = workdir / "data.csv"
        data.write_bytes(csv_bytes(values, item_ids))
        (workdir / "one.csv").write_bytes(csv_bytes(values[:1], item_ids))
        definition = workdir / "synthetic.json"
        definition.write_text(json.dumps(synthetic.instrument_document()), encoding="utf-8")
        print(
            f"- wrote {data.stat().st_size / 1e6:.1f} MB of CSV in "
            f"{time.perf_counter() - start:.1f} s (setup, not timed)"
        )
        command = [*cli_command(), "score", definition.name, data.name, "--out", "scores.csv"]
        one_row = [*command[:-3], "one.csv", "--out", "one-scores.csv"]
        print(f"- CLI: {' '.join(command)} (cwd = the temporary folder)", flush=True)
        instrument = load_instrument(definition)
        # Untimed: standardize imports scipy on first use; the stages are timed warm (the
        # CLI's figure includes that import, as every CLI run pays it).
        standardize(instrument, profdiag.score(instrument, values[:1]))

        run = CsvRun(Timing("CLI"), Timing("CLI, one row"), {})
        for repeat in range(args.csv_repeats):
            run.cli_one_row.seconds.append(time_command(one_row, workdir))
            run.cli.seconds.append(time_command(command, workdir))
            with (workdir / "scores.csv").open("rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
            assert lines == values.shape[0] + 1, f"scores.csv has {lines} lines"
            times, result = csv_stages(instrument, data, workdir / "scores-in-process.csv")
            if repeat == 0:
                same = np.array_equal(result.raw, expected, equal_nan=True)
                answer = "yes" if same else "NO"
                print(f"- scores from the CSV equal the in-memory scores: {answer}")
            del result
            for stage, value in times.items():
                run.stages.setdefault(stage, Timing(stage)).seconds.append(value)
            print(
                f"  run {repeat + 1}: CLI {run.cli.seconds[-1]:.1f} s, in-process stages "
                f"{sum(times.values()):.1f} s",
                flush=True,
            )
    return run


def csv_end_to_end(
    args: argparse.Namespace, values: FloatArray, item_ids: Sequence[str], expected: FloatArray
) -> None:
    heading(f"3. CSV end to end, {values.shape[0]:,} rows (id + {values.shape[1]} items)")
    print(f"- {load_note()} (before)")
    run = measure_csv(args, values, item_ids, expected)
    print(f"- {load_note()} (after)")
    stages = run.stages
    total = Timing(
        "in-process total (sum of the stages)",
        [sum(t) for t in zip(*(s.seconds for s in stages.values()), strict=True)],
    )
    labelled = [
        *stages.values(),
        total,
        replace(run.cli, label="CLI `profdiag score ... --out scores.csv` (subprocess wall)"),
        replace(run.cli_one_row, label="CLI on a one-row file (start-up, imports, exit)"),
    ]
    rows = [
        [
            timing.label,
            str(len(timing.seconds)),
            seconds(timing.median),
            seconds(timing.min),
            f"{timing.median / total.median:.0%}",
        ]
        for timing in labelled
    ]
    print()
    print_table(["stage", "runs", "median", "min", "share of in-process total"], rows)
    print()
    dominant = max(stages.values(), key=lambda stage: stage.median)
    output = stages["score_table"].median + stages["write_table"].median
    print(
        f"- dominant stage: {dominant.label} ({dominant.median / total.median:.0%} of the "
        f"in-process total); score_table + write_table together {seconds(output)} "
        f"({output / total.median:.0%})"
    )
    print(
        "- the stages are timed in this process, which holds the benchmark's data; their sum "
        "can differ from the CLI's wall time by a second or so either way"
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS, help="respondents")
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="timed runs per in-memory candidate (and scoreVeryFast)",
    )
    parser.add_argument(
        "--items-repeats", type=int, default=3, help="timed runs of psych scoreItems (slow)"
    )
    parser.add_argument(
        "--calls", type=int, default=5000, help="calls per one-respondent measurement (>= 2000)"
    )
    parser.add_argument(
        "--csv-repeats",
        type=int,
        default=3,
        help="runs of the CSV path (CLI and in-process stages)",
    )
    parser.add_argument("--skip-r", action="store_true", help="do not run the R baselines")
    parser.add_argument("--skip-csv", action="store_true", help="do not run section 3")
    args = parser.parse_args(argv)
    if args.calls < 2000:
        parser.error("--calls must be at least 2000")
    if min(args.rows, args.repeats, args.csv_repeats) < 1 or args.items_repeats < 0:
        parser.error("--rows, --repeats and --csv-repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print("# profdiag benchmarks")
    print_environment()

    document = synthetic.instrument_document()
    instrument = instrument_from_document(document, source="benchmarks/synthetic.py")
    item_ids = [item["id"] for item in document["items"]]
    keys = scale_keys(document)
    values = synthetic.responses(args.rows, seed=SEED)
    heading("Data")
    print(
        f"- benchmarks/synthetic.py, seed {SEED}: {args.rows:,} respondents x "
        f"{values.shape[1]} items coded 1-5, {np.isnan(values).mean():.2%} of cells missing"
    )
    for key in keys:
        reversed_ids = [i for i, r in zip(key.item_ids, key.reverse, strict=True) if r]
        print(
            f"- scale {key.scale_id}: mean of the answered items among {len(key.columns)},"
            f" reverse-keyed: {', '.join(reversed_ids) or 'none'}"
        )

    in_memory(args, instrument, values, keys, item_ids)
    one_respondent(args, instrument, values, item_ids)
    if not args.skip_csv:
        expected = profdiag.score(instrument, values).raw
        csv_end_to_end(args, values, item_ids, expected)


if __name__ == "__main__":
    main()
