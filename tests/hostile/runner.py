"""Running a case (in-process with click's CliRunner, or as a real process) and judging it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import profdiag
from hostile.model import (
    HANG,
    LEAK,
    SETUP_ERROR,
    SILENT,
    SKIPPED,
    TRACEBACK,
    WRONG_ERROR,
    Case,
    Outcome,
    Problem,
    classify,
    describe_fragment,
    expand,
    fragment_found,
)

# The code under test: a subprocess imports the same profdiag as this process.
PROFDIAG_SRC = Path(profdiag.__file__).resolve().parents[1]
ENTRY = "from profdiag.cli import main; main()"
# Subprocesses run with an address-space limit so that a memory bomb fails fast instead of
# taking the machine (a report rendering needs well under 1 GB).
MEMORY_LIMIT = 4 << 30
TRACEBACK_MARKS = re.compile(r"Traceback \(most recent call last\)|Exception ignored in")

# Text that must never reach a PDF: the first entry of /etc/passwd, and the marker text
# that the template cases put into a file outside the template folder.
MARKER = "HOSTILEMARKER7Q2X"
PASSWD_LINE = "root:x:0:0"
FORBIDDEN = (MARKER, PASSWD_LINE)


@dataclass
class Run:
    folder: Path
    exit_code: int | None  # None: stopped at the time limit or by a signal
    stdout: str
    stderr: str
    exception: BaseException | None = None  # in-process: an exception other than SystemExit
    timed_out: bool = False
    killed_by: int | None = None  # the signal that ended the process
    intended_signal: bool = False  # the case sent that signal itself
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return Path(expand(name, self.folder))

    @property
    def ended_normally(self) -> bool:
        return not self.timed_out and self.killed_by is None and self.exit_code is not None


# ---------------------------------------------------------------------------------------
# Running


def run_in_process(case: Case, args: list[str], folder: Path) -> Run:
    from click.testing import CliRunner

    from profdiag.cli import main

    runner = CliRunner()
    start = time.perf_counter()
    with contextlib.chdir(folder), warnings.catch_warnings():
        # A user's Python does not turn warnings into errors, as this test suite does.
        warnings.simplefilter("ignore")
        try:
            result = runner.invoke(main, args, catch_exceptions=True, prog_name="profdiag")
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            # e.g. WeasyPrint's FatalURLFetchingError derives from BaseException
            return Run(folder, 1, "", "", exception=error, seconds=time.perf_counter() - start)
    exception = result.exception
    if isinstance(exception, SystemExit):
        exception = None
    return Run(
        folder,
        result.exit_code,
        result.stdout,
        result.stderr,
        exception=exception,
        seconds=time.perf_counter() - start,
    )


def command(args: list[str]) -> list[str]:
    return [sys.executable, "-c", ENTRY, *args]


def environment(extra_path: str | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONWARNINGS", "PYTHONDEVMODE", "PYTHONSTARTUP")
    }
    path = [extra_path] if extra_path is not None else []
    env["PYTHONPATH"] = os.pathsep.join([*path, str(PROFDIAG_SRC)])
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def limits_reason() -> str | None:
    """Cases that would take the machine's memory or disk without limits need prlimit."""
    return None if shutil.which("prlimit") else "util-linux prlimit is not available"


def limits(file_size: int | None = None) -> tuple[str, ...]:
    """util-linux prlimit in front of the command: an address-space limit, no core dumps,
    and (when asked) a file size limit. (preexec_fn would do the same, but is not safe
    while the test runner has threads.)"""
    if shutil.which("prlimit") is None:
        return ()
    options = [f"--as={MEMORY_LIMIT}", "--core=0"]
    if file_size is not None:
        options.append(f"--fsize={file_size}")
    return ("prlimit", *options, "--")


@dataclass
class Started:
    """A running `profdiag` process; its stdout and stderr go to temporary files, so that
    a process that writes a lot never blocks on a pipe nobody reads."""

    process: subprocess.Popen[bytes]
    stdout: IO[bytes] | None
    stderr: IO[bytes]
    started: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def start(
    args: list[str],
    folder: Path,
    *,
    wrap: tuple[str, ...] = (),
    stdin: int | None = subprocess.DEVNULL,
    stdout: int | None = None,
    file_size: int | None = None,
    extra_path: str | None = None,
    env: dict[str, str] | None = None,
) -> Started:
    """Start `profdiag args` in its own process group (so that a timeout stops all of it).
    `stdout` None collects standard output; a file descriptor sends it there."""
    out = tempfile.TemporaryFile() if stdout is None else None  # noqa: SIM115 (closed in finish)
    err = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        [*wrap, *limits(file_size), *command(args)],
        cwd=folder,
        env={**environment(extra_path), **(env or {})},
        stdin=stdin,
        stdout=out.fileno() if out is not None else stdout,
        stderr=err.fileno(),
        start_new_session=True,
    )
    return Started(process, out, err, time.perf_counter())


def stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def finish(started: Started, folder: Path, timeout: float) -> Run:
    """Wait for a started process (until `timeout` seconds after its start) and collect
    what it said."""
    process = started.process
    timed_out = False
    try:
        process.wait(timeout=max(0.0, timeout - started.elapsed()))
    except subprocess.TimeoutExpired:
        timed_out = True
        stop_group(process)
        process.wait()
    code = process.returncode
    killed_by = -code if code < 0 and not timed_out else None
    return Run(
        folder,
        None if timed_out or killed_by is not None else code,
        _collected(started.stdout),
        _collected(started.stderr),
        timed_out=timed_out,
        killed_by=killed_by,
        seconds=started.elapsed(),
    )


def _collected(stream: IO[bytes] | None) -> str:
    if stream is None:
        return ""
    with stream:
        stream.seek(0)
        return stream.read().decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------
# What the folder held before and after


@dataclass(frozen=True)
class Entry:
    kind: str  # file, link, dir, other
    digest: str


def snapshot(folder: Path) -> dict[str, Entry]:
    """Every entry under `folder` (symlinks are recorded, never followed)."""
    entries: dict[str, Entry] = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(root, name)
            relative = str(path.relative_to(folder))
            try:
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode):
                    entries[relative] = Entry("link", os.readlink(path))
                elif stat.S_ISDIR(mode):
                    entries[relative] = Entry("dir", "")
                elif stat.S_ISREG(mode):
                    entries[relative] = Entry("file", _digest(path))
                else:
                    entries[relative] = Entry("other", "")
            except OSError as error:  # unreadable to this process: record that much
                entries[relative] = Entry("other", type(error).__name__)
    return entries


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF and the names and contents of its attachments.
    Raises ValueError when the file is not a readable PDF."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path)
            parts = [page.extract_text() or "" for page in reader.pages]
            for name, contents in reader.attachments.items():
                parts.append(name)
                parts += [content.decode("utf-8", "replace") for content in contents]
    except Exception as error:
        raise ValueError(f"{path.name} is not a readable PDF ({type(error).__name__})") from error
    return "\n".join(parts)


def _new_pdfs(before: dict[str, Entry], after: dict[str, Entry]) -> list[str]:
    return [
        name
        for name, entry in after.items()
        if entry.kind == "file" and name.lower().endswith(".pdf") and before.get(name) != entry
    ]


# ---------------------------------------------------------------------------------------
# Judging


def judge(case: Case, run: Run, before: dict[str, Entry], after: dict[str, Entry]) -> list[Problem]:
    """The checks every case gets, whatever it expects."""
    problems: list[Problem] = []
    if run.exception is not None:
        text = "".join(traceback.format_exception_only(run.exception)).strip()
        problems.append(Problem(TRACEBACK, f"uncaught exception: {text[:300]}"))
    mark = TRACEBACK_MARKS.search(run.stderr)
    if mark is not None:
        tail = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
        problems.append(Problem(TRACEBACK, f"stderr shows {mark.group(0)!r}: {tail[:300]}"))
    if run.killed_by is not None and not run.intended_signal:
        problems.append(Problem(TRACEBACK, f"died from {_signal_name(run.killed_by)}"))
    if run.timed_out:
        problems.append(Problem(HANG, f"still running after {case.timeout:g} s; stopped"))

    for name in _new_pdfs(before, after):
        try:
            text = pdf_text(run.folder / name)
        except ValueError as error:
            problems.append(Problem(SILENT, str(error)))
            continue
        for forbidden in FORBIDDEN:
            if forbidden in text:
                problems.append(Problem(LEAK, f"{name} contains {forbidden!r}"))

    if run.ended_normally and not run.intended_signal:
        code = run.exit_code
        expected = sorted(case.exit)
        if code == 0 and 0 not in case.exit:
            problems.append(Problem(SILENT, f"exit 0: accepted it; expected exit {expected}"))
        elif code not in case.exit:
            problems.append(Problem(WRONG_ERROR, f"exit {code}; expected {expected}"))
        elif code != 0:
            missing = [f for f in case.stderr if not fragment_found(f, run.stderr)]
            if missing:
                shown = ", ".join(describe_fragment(f) for f in missing)
                problems.append(
                    Problem(WRONG_ERROR, f"stderr does not name {shown}: {_tail(run.stderr)}")
                )

    succeeded = run.ended_normally and run.exit_code == 0
    replaceable = {
        str(Path(expand(name, run.folder)).relative_to(run.folder)) for name in case.may_change
    }
    for name, entry in before.items():
        if name in replaceable and (succeeded or run.intended_signal):
            continue  # the case's own checks look at these
        now = after.get(name)
        if now is None:
            problems.append(Problem(SILENT, f"{name} existed before the run and is gone"))
        elif now != entry:
            problems.append(Problem(SILENT, f"{name} was changed by the run"))
    if case.out is not None and not succeeded and not run.intended_signal:
        out = Path(expand(case.out, run.folder))
        relative = str(out.relative_to(run.folder)) if out.is_relative_to(run.folder) else None
        if relative is not None and relative not in before and relative in after:
            problems.append(Problem(SILENT, f"the run failed but left {relative} behind"))
    return problems


def _tail(text: str, limit: int = 400) -> str:
    text = " | ".join(line for line in text.strip().splitlines() if line.strip())
    return repr(text[-limit:])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_case(case: Case, folder: Path) -> Outcome:
    """Prepare `folder`, run the case, judge it. `folder` should be empty and writable."""
    if case.requires is not None:
        reason = case.requires()
        if reason is not None:
            return Outcome(case.id, case.category, SKIPPED, [Problem(SKIPPED, reason)])
    try:
        case.setup(folder)
    except Exception:
        return Outcome(
            case.id, case.category, SETUP_ERROR, [Problem(SETUP_ERROR, traceback.format_exc())]
        )
    args = [expand(arg, folder) for arg in case.args]
    before = snapshot(folder)
    run = (case.driver or run_in_process)(case, args, folder)
    after = snapshot(folder)
    problems = judge(case, run, before, after)
    for check in case.checks:
        try:
            problems += check(run)
        except Exception:
            problems.append(Problem(SETUP_ERROR, "a check crashed: " + traceback.format_exc()))
    if any(problem.kind == SETUP_ERROR for problem in problems):
        kind = SETUP_ERROR
    else:
        kind = classify(problems, run.exit_code)
    return Outcome(case.id, case.category, kind, problems, run.seconds, run.exit_code)
