"""Report rendering speed: one PDF warm, and a batch on 1 and 2 processes.

    python benchmarks/reports.py [--repeats 20] [--batch 24]

Uses the bundled sample profiles (profdiag demo). Prints medians and the batch speed-up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from profdiag._report.demo import demo_profiles
from profdiag._report.render import ReportOptions, render_batch, render_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=24)
    args = parser.parse_args()

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
    print(f"a fresh Python importing weasyprint: {time.perf_counter() - start:.2f} s")
    profiles = demo_profiles()
    print("| report | median | min |\n|---|---|---|")
    for audience in ("client", "counsellor"):
        options = ReportOptions(audience=audience, language="ru")
        render_pdf(profiles[0], options)  # warm: fonts, templates, caches
        times = []
        for k in range(args.repeats):
            begin = time.perf_counter()
            render_pdf(profiles[k % len(profiles)], options)
            times.append(time.perf_counter() - begin)
        print(
            f"| one {audience} report, warm | {statistics.median(times):.3f} s "
            f"| {min(times):.3f} s |"
        )
    batch = [
        profiles[k % len(profiles)].model_copy(update={"respondent": f"r{k:04d}"})
        for k in range(args.batch)
    ]
    options = ReportOptions(audience="counsellor", language="ru")
    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            begin = time.perf_counter()
            render_batch(batch, Path(folder), options, workers=workers, progress=False)
            seconds[workers] = time.perf_counter() - begin
        print(
            f"| batch of {args.batch}, {workers} process(es) | {seconds[workers]:.2f} s "
            f"| {seconds[workers] / args.batch:.3f} s per report |"
        )
    print(f"speed-up of 2 processes over 1: {seconds[1] / seconds[2]:.2f}x")


if __name__ == "__main__":
    main()
