"""A hostile test corpus for the `profdiag` command line (issue 8).

`CASES` are the hand-written bad inputs and faults (see the `cases_*` modules), each
with its expected exit code, stderr fragments and output checks; `fuzz_cases(n)` are
seeded random CSV files with an oracle. `runner.run_case` runs one and classifies it.
"""

from __future__ import annotations

from hostile import (
    cases_answers,
    cases_archives,
    cases_csv,
    cases_definitions,
    cases_files,
    cases_json,
    cases_output,
    cases_report,
    cases_usage,
)
from hostile.model import Case

CASES: list[Case] = [
    *cases_usage.CASES,
    *cases_files.CASES,
    *cases_csv.CASES,
    *cases_json.CASES,
    *cases_definitions.CASES,
    *cases_answers.CASES,
    *cases_report.CASES,
    *cases_output.CASES,
    *cases_archives.CASES,
]


def _check_ids(cases: list[Case]) -> None:
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"two cases named {case.id}")
        seen.add(case.id)


_check_ids(CASES)
