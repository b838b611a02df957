"""Timing of `profdiag.analyze` (item and scale analysis) against R psych's `alpha()`.

    python benchmarks/analysis.py                     # 1,000,000 x 60, psych if installed
    python benchmarks/analysis.py --rows 100000 --repeats 3 --skip-r   # a quick look

Data: benchmarks/synthetic.py (seeded; 60 five-point items, 6 scales of 10 items, 12 of
them reverse-keyed, 5% of cells missing at random), a C-ordered float64 array in memory.

Timed: one `profdiag.analyze(instrument, X)` call (validating every cell, all six scales,
item statistics, frequencies and intercorrelations), wall clock and the process's CPU time
over all threads (which other processes' load does not inflate), with the default threads
(one per CPU) and with `workers=1`, interleaved, after an untimed warm-up on 10,000 rows; the
garbage of the previous call is collected first, untimed. Not timed: making the data.
The same call with DIF screening, `analyze(instrument, X, dif_by=groups)` (groups: a
seeded array of "f" / "m", half each), is timed in the same rounds: its difference from the
plain call is what DIF costs (reading the group column, counting every item's
stratum x group x response table, the statistics).

R psych (when Rscript and psych are installed): the same numbers written once to a binary
file, read by R into a numeric matrix (untimed); timed inside R with
`system.time(...)["elapsed"]` after `gc()`: `alpha(x[, items], keys = reversed items)` for
each of the six scales, the time being the sum over the scales, then the same for
`omega(keyed items)` (psych's defaults; profdiag's analyze computes both). R runs after
profdiag, on the full data unless `--r-rows` says otherwise. Raw alpha, mean and sd of
each scale are then compared with profdiag's (1e-9), omega_h and omega_total (1e-3).

The load average is printed before and after each part: other processes on the machine
add noise.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import profdiag
import synthetic
from profdiag._instrument import instrument_from_document
from run import (
    Timing,
    heading,
    load_note,
    print_environment,
    print_table,
    psych_unavailable,
    ratio,
    seconds,
    time_once,
    verdict,
)

SEED = 20261127  # synthetic.py's default seed, stated here so it is printed
TOLERANCE = 1e-9
OMEGA_TOLERANCE = 1e-3
TARGET_ROWS = 1_000_000
TARGET_S = 2.0

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
args <- commandArgs(TRUE)
n <- as.integer(args[2]); p <- as.integer(args[3]); repeats <- as.integer(args[4])
x <- matrix(readBin(args[1], "double", n * p), n, p)
x[is.nan(x)] <- NA
scales <- eval(parse(file = args[5]))
colnames(x) <- scales$item_names
for (r in seq_len(repeats)) {
  total <- 0
  for (s in names(scales$keys)) {
    items <- scales$keys[[s]]
    columns <- sub("^-", "", items)
    reversed <- columns[startsWith(items, "-")]
    gc()
    elapsed <- system.time(a <- alpha(x[, columns], keys = reversed, warnings = FALSE))["elapsed"]
    total <- total + elapsed
    if (r == repeats) cat("SCALE", s, sprintf("%.17g", a$total$raw_alpha),
                          sprintf("%.17g", a$total$mean), sprintf("%.17g", a$total$sd), "\n")
  }
  cat("TIME", total, "\n")
  total <- 0
  for (s in names(scales$keys)) {
    items <- scales$keys[[s]]
    columns <- sub("^-", "", items)
    keyed <- x[, columns]
    reversed <- startsWith(items, "-")
    keyed[, reversed] <- 6 - keyed[, reversed]
    gc()
    elapsed <- system.time(o <- suppressMessages(omega(keyed, plot = FALSE)))["elapsed"]
    total <- total + elapsed
    if (r == repeats)
      cat("OMEGA", s, sprintf("%.17g", o$omega_h), sprintf("%.17g", o$omega.tot), "\n")
  }
  cat("OTIME", total, "\n")
}
cat("VERSION", R.version.string, "- psych", format(packageVersion("psych")), "\n")
"""


def r_keys(document: dict[str, object]) -> str:
    scales = document["scales"]
    assert isinstance(scales, list)
    entries = ",\n  ".join(
        f"{scale['id']} = c("
        + ", ".join(
            json.dumps(("-" if entry.get("reverse") else "") + entry["item"])
            for entry in scale["items"]
        )
        + ")"
        for scale in scales
    )
    items = [synthetic.item_id(i) for i in range(synthetic.N_ITEMS)]
    return (
        f"list(keys = list(\n  {entries}\n), item_names = c("
        + ", ".join(json.dumps(i) for i in items)
        + "))"
    )


def run_psych(values: np.ndarray, document: dict[str, object], repeats: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "items.f64"
        values.T.tofile(data)  # column by column, as R stores a matrix
        keys = Path(folder) / "keys.R"
        keys.write_text(r_keys(document), encoding="utf-8")
        script = Path(folder) / "alpha_bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            [
                "Rscript",
                str(script),
                str(data),
                str(values.shape[0]),
                str(values.shape[1]),
                str(repeats),
                str(keys),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    times, omega_times, scales, omegas, version = [], [], {}, {}, ""
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "TIME":
            times.append(float(rest))
        elif word == "OTIME":
            omega_times.append(float(rest))
        elif word == "OMEGA":
            name, omega_h, omega_total = rest.split()
            omegas[name] = (float(omega_h), float(omega_total))
        elif word == "SCALE":
            name, alpha, mean, sd = rest.split()
            scales[name] = (float(alpha), float(mean), float(sd))
        elif word == "VERSION":
            version = rest.strip()
    return {
        "times": times,
        "omega_times": omega_times,
        "scales": scales,
        "omegas": omegas,
        "version": version,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--r-rows", type=int, default=None, help="rows for psych (default: --rows)")
    parser.add_argument("--r-repeats", type=int, default=1)
    parser.add_argument("--skip-r", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print("# profdiag analyze benchmark")
    print_environment()
    document = synthetic.instrument_document()
    instrument = instrument_from_document(document)
    values = synthetic.responses(args.rows, seed=SEED)
    groups = np.where(np.random.default_rng(SEED).random(args.rows) < 0.5, "f", "m")
    profdiag.analyze(instrument, values[:10_000])  # warm-up: imports, cached plans
    profdiag.analyze(instrument, values[:10_000], dif_by=groups[:10_000])

    heading(f"profdiag.analyze, {args.rows:,} x {synthetic.N_ITEMS}")
    print(f"- before: {load_note()}")
    candidates = {
        "profdiag.analyze(instrument, X)": lambda: profdiag.analyze(instrument, values),
        "profdiag.analyze(instrument, X, workers=1)": lambda: profdiag.analyze(
            instrument, values, workers=1
        ),
        "profdiag.analyze(instrument, X, dif_by=groups)": lambda: profdiag.analyze(
            instrument, values, dif_by=groups
        ),
    }
    timings = {label: Timing(label) for label in candidates}
    cpu = {label: Timing(label) for label in candidates}
    for _ in range(args.repeats):
        for label, function in candidates.items():
            started = time.process_time()
            timings[label].seconds.append(time_once(function))
            cpu[label].seconds.append(time.process_time() - started)
    print(f"- after: {load_note()}\n")
    print_table(
        ["what", "runs", "median", "min", "CPU median (all threads)"],
        [
            [t.label, str(len(t.seconds)), seconds(t.median), seconds(t.min), seconds(c.median)]
            for t, c in zip(timings.values(), cpu.values(), strict=True)
        ],
    )
    main_timing = timings["profdiag.analyze(instrument, X)"]
    dif_timing = timings["profdiag.analyze(instrument, X, dif_by=groups)"]
    plain_cpu = cpu["profdiag.analyze(instrument, X)"].median
    dif_cpu = cpu["profdiag.analyze(instrument, X, dif_by=groups)"].median
    print(
        f"\nDIF screening adds {seconds(dif_timing.median - main_timing.median)} wall clock "
        f"(median with / without: {ratio(dif_timing.median / main_timing.median)}), "
        f"{seconds(dif_cpu - plain_cpu)} CPU (with / without: {ratio(dif_cpu / plain_cpu)})"
    )
    if args.rows == TARGET_ROWS:
        print(
            f"\nTarget: under {TARGET_S:g} s on {TARGET_ROWS:,} x 60: median "
            f"{seconds(main_timing.median)} -> {verdict(main_timing.median < TARGET_S)}"
        )

    if args.skip_r:
        return
    why_not = psych_unavailable()
    if why_not is not None:
        print(f"\nR psych skipped: {why_not}")
        return
    compare_with_psych(args, instrument, document, values)


def compare_with_psych(
    args: argparse.Namespace,
    instrument: profdiag.Instrument,
    document: dict[str, object],
    values: np.ndarray,
) -> None:
    r_rows = args.r_rows or args.rows
    sample = values[:r_rows]
    heading(f"R psych alpha(), six scales, {r_rows:,} x {synthetic.N_ITEMS}")
    ours = profdiag.analyze(instrument, sample)
    ours_time = Timing("profdiag", [time_once(lambda: profdiag.analyze(instrument, sample))])
    print(f"- before: {load_note()}")
    psych = run_psych(sample, document, args.r_repeats)
    print(f"- after: {load_note()}")
    print(f"- {psych['version']}\n")
    times: list[float] = psych["times"]  # type: ignore[assignment]
    omega_times: list[float] = psych["omega_times"]  # type: ignore[assignment]
    r_timing, omega_timing = Timing("alpha", times), Timing("omega", omega_times)
    both = Timing("both", [a + o for a, o in zip(times, omega_times, strict=True)])
    print_table(
        ["what", "runs", "median", "min", "median / profdiag"],
        [
            [
                label,
                str(len(t.seconds)),
                seconds(t.median),
                seconds(t.min),
                ratio(t.median / ours_time.median),
            ]
            for label, t in (
                ("R psych alpha() x 6 scales", r_timing),
                ("R psych omega() x 6 scales", omega_timing),
                ("R psych alpha() + omega()", both),
            )
        ]
        + [
            [
                f"profdiag.analyze (same {r_rows:,} rows)",
                "1",
                seconds(ours_time.median),
                seconds(ours_time.min),
                "1.00x",
            ]
        ],
    )
    largest = 0.0
    scales: dict[str, tuple[float, float, float]] = psych["scales"]  # type: ignore[assignment]
    for scale_id, (alpha, mean, sd) in scales.items():
        scale = ours.scale(scale_id)
        for theirs, key in ((alpha, "raw_alpha"), (mean, "mean"), (sd, "sd")):
            value = scale[key]
            assert value is not None
            largest = max(largest, abs(value - theirs))
    print(
        f"\nAgreement (raw_alpha, mean, sd of 6 scales): largest difference {largest:.1e} "
        f"-> {'ok' if largest <= TOLERANCE else 'DIFFERENT'}"
    )
    omegas: dict[str, tuple[float, float]] = psych["omegas"]  # type: ignore[assignment]
    omega_largest = max(
        abs((ours.scale(scale_id)[key] or math.nan) - theirs)
        for scale_id, pair in omegas.items()
        for key, theirs in zip(("omega_h", "omega_total"), pair, strict=True)
    )
    print(
        f"Agreement (omega_h, omega_total of 6 scales): largest difference {omega_largest:.1e} "
        f"-> {'ok' if omega_largest <= OMEGA_TOLERANCE else 'DIFFERENT'} (informative only: "
        "the synthetic answers are uniform random, with no common factor, so three-factor "
        "solutions are not identified and both results are points of a flat minimum; "
        "omega parity is tested on structured data in tests/test_analysis_psych_parity.py)"
    )


if __name__ == "__main__":
    main()
