"""Run the hostile corpus of issue 8 and a fuzz run against the `profdiag` command line and
print how the code fares, per category: cases tried, clean errors, correct successes,
tracebacks, silently wrong output or lost data, leaks, hangs, unclear errors.

    PYTHONPATH=src python scripts/hostile_review.py [--fuzz 1500] [--json figures.json]

It tests the profdiag found first on sys.path (this checkout's src/ when run as above).
Always exits 0: it reports, it does not judge. The same cases run in CI as
tests/test_hostile_cli.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile import CASES  # noqa: E402
from hostile.fuzz import fuzz_cases  # noqa: E402
from hostile.model import (  # noqa: E402
    CLEAN_ERROR,
    CORRECT_SUCCESS,
    HANG,
    LEAK,
    SETUP_ERROR,
    SILENT,
    SKIPPED,
    TRACEBACK,
    WRONG_ERROR,
    Case,
    Outcome,
)
from hostile.runner import PROFDIAG_SRC, run_case  # noqa: E402

COLUMNS = [
    ("tried", None),
    ("clean errors", CLEAN_ERROR),
    ("correct", CORRECT_SUCCESS),
    ("tracebacks", TRACEBACK),
    ("silent/lost", SILENT),
    ("leaks", LEAK),
    ("hangs", HANG),
    ("unclear errors", WRONG_ERROR),
    ("skipped", SKIPPED),
    ("corpus bugs", SETUP_ERROR),
]


def run_all(cases: list[Case], label: str) -> list[Outcome]:
    outcomes = []
    started = time.perf_counter()
    for number, case in enumerate(cases, 1):
        with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
            outcome = run_case(case, Path(folder))
        outcomes.append(outcome)
        if number % 50 == 0 or number == len(cases):
            elapsed = time.perf_counter() - started
            print(f"  {label}: {number}/{len(cases)} ({elapsed:.0f} s)", file=sys.stderr)
    return outcomes


def tally(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        for row in (outcome.category, "total"):
            table[row][outcome.kind] += 1
            if outcome.kind != SKIPPED:
                table[row]["tried"] += 1
    return {row: dict(counts) for row, counts in table.items()}


def print_table(title: str, table: dict[str, dict[str, int]]) -> None:
    rows = [row for row in table if row != "total"] + ["total"]
    width = max(len(row) for row in rows) + 2
    heads = [name for name, _ in COLUMNS]
    print(f"\n{title}")
    print("category".ljust(width) + "".join(f"{head:>15}" for head in heads))
    for row in rows:
        counts = table[row]
        cells = [counts.get(kind or "tried", 0) for _, kind in COLUMNS]
        print(row.ljust(width) + "".join(f"{cell:>15}" for cell in cells))


def failures(outcomes: list[Outcome]) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        if not outcome.passed and outcome.kind != SKIPPED:
            found[outcome.category][outcome.kind].append(outcome.case_id)
    return {category: dict(kinds) for category, kinds in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=1500, help="fuzzed CSV files (seeds 0..N-1)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument(
        "--print-known-failures",
        type=int,
        metavar="FUZZ_SAMPLE",
        nargs="?",
        const=200,
        help="print tests/hostile/known_failures.py's dict for the corpus and the first "
        "FUZZ_SAMPLE fuzz seeds (the pytest sample, 200)",
    )
    options = parser.parse_args()

    print(f"profdiag under test: {PROFDIAG_SRC}", file=sys.stderr)
    cases = [case for case in CASES if not options.only or options.only in case.id]
    started = time.perf_counter()
    corpus = run_all(cases, "corpus")
    fuzz = run_all(fuzz_cases(options.fuzz), "fuzz") if options.fuzz else []
    seconds = time.perf_counter() - started

    corpus_table = tally(corpus)
    print_table(f"Hostile corpus: {len(corpus)} cases", corpus_table)
    fuzz_table = tally(fuzz)
    if fuzz:
        print_table(f"Fuzzed CSV files for `score`: {len(fuzz)}", fuzz_table)
    print(f"\n({seconds:.0f} s)")

    corpus_failures = failures(corpus)
    print("\nFailing case ids per category and kind:")
    for category, kinds in sorted(corpus_failures.items()):
        for kind, ids in sorted(kinds.items()):
            print(f"  {category} / {kind} ({len(ids)}): {', '.join(ids)}")
    fuzz_failures = failures(fuzz)
    for kind, ids in sorted(fuzz_failures.get("fuzz", {}).items()):
        print(f"  fuzz / {kind} ({len(ids)}): {', '.join(ids)}")

    if options.json is not None:
        figures = {
            "command": " ".join(["python", *sys.argv]),
            "profdiag": str(PROFDIAG_SRC),
            "seconds": round(seconds),
            "corpus": corpus_table,
            "fuzz": fuzz_table,
            "failures": {**corpus_failures, **fuzz_failures},
            "outcomes": {
                outcome.case_id: {
                    "category": outcome.category,
                    "kind": outcome.kind,
                    "exit": outcome.exit_code,
                    "problems": [problem.text[:500] for problem in outcome.problems],
                }
                for outcome in [*corpus, *fuzz]
            },
        }
        options.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
        print(f"figures written to {options.json}", file=sys.stderr)

    if options.print_known_failures is not None:
        sample = {f"fuzz-{seed:04d}" for seed in range(options.print_known_failures)}
        known = {
            outcome.case_id: outcome.kind
            for outcome in [*corpus, *fuzz]
            if not outcome.passed
            and outcome.kind != SKIPPED
            and (outcome.category != "fuzz" or outcome.case_id in sample)
        }
        print("\nKNOWN_FAILURES: dict[str, str] = {")
        for case_id, kind in known.items():
            print(f'    "{case_id}": "{kind}",')
        print("}")


if __name__ == "__main__":
    main()
