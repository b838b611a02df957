"""Report rendering speed: one PDF warm per kind, and a school's batch on 2 processes.

    python benchmarks/reports.py [--repeats 12] [--rounds 3] [--batch 40] [--school 1000]
    python benchmarks/reports.py --baseline /path/to/old/checkout/src   # before/after

Uses the bundled sample profiles (`profdiag demo`), Russian. Each measurement runs in a
fresh Python (this script again, in a subprocess) that imports profdiag from a given
source folder, renders one report of the kind to warm up (fonts, templates, caches) and
then times `--repeats` more, cycling through the sample profiles; wall clock and CPU time
are both printed, as a busy machine inflates the first much more than the second (for the
batch: CPU time of the process and its workers, per report).

The batch renders `--batch` reports, half client and half counsellor, with `render_batch`
on 2 forked worker processes and prints the time per report and, from it, the time for
1,000 reports (the batch's per-report rate times 1,000; `--school 1000` renders all 1,000
instead, which takes minutes).

Every measurement runs in the interpreter that runs this script, or in `--python PATH`
(a Python with profdiag's dependencies installed). The interpreter matters: this work is
almost all Python, and a Python whose interpreter lives in a shared libpython (pyenv's
`--enable-shared` builds) ran it 12-15 % slower than Debian's python3.11, which has
libpython linked in; the summary names the interpreter (docs/performance.md, 4d).

With `--baseline SRC` (the `src` folder of another checkout, e.g. `git worktree add
/tmp/before <commit>`), every measurement is made for both source folders, alternating
before and after in each of `--rounds` rounds, so that the machine's load falls on both
alike; the summary gives medians and minimums over all rounds and the ratio
before / after. The load average is printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("client", "counsellor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=12, help="warm renders per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=40, help="reports in the 2-process batch")
    parser.add_argument("--school", type=int, default=0, help="render N reports on 2 processes")
    parser.add_argument("--baseline", type=Path, help="the src folder of a checkout to compare")
    parser.add_argument("--python", type=Path, help="the interpreter to measure with")
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # in a child: profdiag comes from PYTHONPATH
        print(json.dumps(_measure(args.measure[0], int(args.measure[1]))))
        return

    trees = {"after": HERE.parent / "src"}
    if args.baseline is not None:
        trees = {"before": args.baseline.resolve(), **trees}
    python = str(args.python or sys.executable)
    print(f"load average at start: {_load()}; {os.cpu_count()} cores")
    print(f"interpreter: {_describe_interpreter(python)}")
    for name, src in trees.items():
        print(f"{name}: {src}")
    batch = args.school or args.batch
    results: dict[tuple[str, str], list[dict[str, list[float]]]] = {}
    for _round in range(args.rounds):
        for what, count in [(kind, args.repeats) for kind in KINDS] + [("batch", batch)]:
            for name, src in trees.items():
                results.setdefault((name, what), []).append(_child(python, src, what, count))
    print(f"load average at end: {_load()}\n")
    _summary(results, trees, batch)


def _describe_interpreter(python: str) -> str:
    """Version, path, and whether libpython is a shared library (Linux: read from the
    interpreter's own memory map)."""
    probe = (
        "import platform, sys; maps = open('/proc/self/maps').read(); "
        "print(platform.python_version(), sys.executable, "
        "'libpython shared' if 'libpython' in maps else 'libpython linked in')"
    )
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    return done.stdout.strip() or f"{python} (could not be asked: {done.stderr.strip()})"


def _child(python: str, src: Path, what: str, count: int) -> dict[str, list[float]]:
    environment = {**os.environ, "PYTHONPATH": str(src)}
    command = [python, str(Path(__file__).resolve()), "--measure", what, str(count)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"measuring {what} with {src} failed:\n{done.stderr}")
    measured: dict[str, list[float]] = json.loads(done.stdout.splitlines()[-1])
    return measured


def _measure(what: str, count: int) -> dict[str, list[float]]:
    from profdiag._report.demo import demo_profiles
    from profdiag._report.render import ReportOptions, render_batch, render_pdf

    profiles = demo_profiles()
    if what == "batch":
        half = count // 2
        batch = [
            profiles[k % len(profiles)].model_copy(update={"respondent": f"r{k:05d}"})
            for k in range(half)
        ]
        begin, begin_cpu = time.perf_counter(), _cpu_with_workers()
        for kind in KINDS:
            with tempfile.TemporaryDirectory() as folder:
                options = ReportOptions(audience=kind, language="ru")  # type: ignore[arg-type]
                render_batch(batch, Path(folder), options, workers=2, progress=False)
        return {
            "per_report": [(time.perf_counter() - begin) / (2 * half)],
            "cpu_per_report": [(_cpu_with_workers() - begin_cpu) / (2 * half)],
        }
    options = ReportOptions(audience=what, language="ru")  # type: ignore[arg-type]
    render_pdf(profiles[0], options)  # warm: fonts, templates, caches
    walls, cpus = [], []
    for k in range(count):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        render_pdf(profiles[k % len(profiles)], options)
        walls.append(time.perf_counter() - begin)
        cpus.append(time.process_time() - begin_cpu)
    return {"wall": walls, "cpu": cpus}


def _cpu_with_workers() -> float:
    """CPU seconds (user + system) of this process and of its finished worker processes."""
    import resource

    own, workers = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _summary(
    results: dict[tuple[str, str], list[dict[str, list[float]]]],
    trees: dict[str, Path],
    batch: int,
) -> None:
    def pooled(name: str, what: str, key: str) -> list[float]:
        return [value for run in results[name, what] for value in run[key]]

    names = list(trees)
    print(
        "| report | "
        + " | ".join(f"{n}: median wall / min wall / median CPU" for n in names)
        + (" | before / after (median wall, median CPU) |" if len(names) == 2 else " |")
    )
    print("|---" * (len(names) + 1 + (len(names) == 2)) + "|")
    for kind in KINDS:
        cells, medians = [], {}
        for name in names:
            walls, cpus = pooled(name, kind, "wall"), pooled(name, kind, "cpu")
            medians[name] = (statistics.median(walls), statistics.median(cpus))
            cells.append(f"{medians[name][0]:.3f} / {min(walls):.3f} / {medians[name][1]:.3f} s")
        ratio = (
            f" | {medians['before'][0] / medians['after'][0]:.2f}x, "
            f"{medians['before'][1] / medians['after'][1]:.2f}x"
            if len(names) == 2
            else ""
        )
        print(f"| one {kind} report, warm | " + " | ".join(cells) + ratio + " |")
    cells, per, cpu = [], {}, {}
    for name in names:
        rates = pooled(name, "batch", "per_report")
        per[name] = statistics.median(rates)
        cpu[name] = statistics.median(pooled(name, "batch", "cpu_per_report"))
        cells.append(
            f"{per[name]:.3f} s per report (min {min(rates):.3f}); 1,000 reports "
            f"{per[name] * 1000:.0f} s; CPU {cpu[name]:.3f} s per report"
        )
    ratio = (
        f" | {per['before'] / per['after']:.2f}x, CPU {cpu['before'] / cpu['after']:.2f}x |"
        if len(names) == 2
        else " |"
    )
    print(f"| batch of {batch}, half each kind, 2 processes | " + " | ".join(cells) + ratio)
    if batch != 1000:
        print(
            f"(1,000 reports: the batch's median time per report times 1,000, from batches "
            f"of {batch}; `--school 1000` renders them all)"
        )


def _load() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
