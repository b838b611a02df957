"""Report rendering speed: one PDF warm, and batches on 1 and 2 processes.

    python benchmarks/reports.py [--repeats 20] [--batch 24] [--school 1000]

Uses the bundled sample profiles (profdiag demo). Prints wall-clock medians and, for one
report, the CPU time too (a loaded machine inflates wall clock, not CPU time), the batch
speed-up, and with --school N the time for N reports (half client, half counsellor) on
2 processes, as a school's worth of reports would be rendered.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from profdiag._profile.model import Profile
from profdiag._report.context import Audience
from profdiag._report.demo import demo_profiles
from profdiag._report.render import ReportOptions, render_batch, render_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=24)
    parser.add_argument("--school", type=int, default=0, help="also render N reports on 2 cores")
    args = parser.parse_args()

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
    print(f"a fresh Python importing weasyprint: {time.perf_counter() - start:.2f} s")
    profiles = demo_profiles()
    print("| report | median wall | min wall | median CPU |\n|---|---|---|---|")
    for audience in ("client", "counsellor"):
        options = ReportOptions(audience=audience, language="ru")
        render_pdf(profiles[0], options)  # warm: fonts, templates, caches
        walls, cpus = [], []
        for k in range(args.repeats):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            render_pdf(profiles[k % len(profiles)], options)
            walls.append(time.perf_counter() - begin)
            cpus.append(time.process_time() - begin_cpu)
        print(
            f"| one {audience} report, warm | {statistics.median(walls):.3f} s "
            f"| {min(walls):.3f} s | {statistics.median(cpus):.3f} s |"
        )
    seconds = {}
    for workers in (1, 2):
        seconds[workers] = _batch(profiles, args.batch, workers, ("counsellor",))
        print(
            f"| batch of {args.batch} counsellor reports, {workers} process(es) "
            f"| {seconds[workers]:.2f} s | {seconds[workers] / args.batch:.3f} s per report | |"
        )
    print(f"speed-up of 2 processes over 1: {seconds[1] / seconds[2]:.2f}x")
    if args.school:
        total = _batch(profiles, args.school // 2, 2, ("client", "counsellor"))
        print(
            f"{args.school} reports (half client, half counsellor) on 2 processes: "
            f"{total:.1f} s ({total / args.school:.3f} s per report)"
        )


def _batch(
    profiles: Sequence[Profile], count: int, workers: int, audiences: tuple[Audience, ...]
) -> float:
    batch = [
        profiles[k % len(profiles)].model_copy(update={"respondent": f"r{k:05d}"})
        for k in range(count)
    ]
    begin = time.perf_counter()
    for audience in audiences:
        with tempfile.TemporaryDirectory() as folder:
            options = ReportOptions(audience=audience, language="ru")
            render_batch(batch, Path(folder), options, workers=workers, progress=False)
    return time.perf_counter() - begin


if __name__ == "__main__":
    main()
