"""Where outputs go: missing, read-only or full folders, a folder or symlink as --out,
--out equal to an input, file names that are too long; and faults in the process: a kill
during the write, SIGTERM, Ctrl-C, a closed or full standard output, a file size limit.
A failed write leaves the previous file as it was, and never a truncated one."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hostile.checks import (
    file_json,
    pdf_count,
    profiles_output,
    read_score_table,
    score_output,
)
from hostile.data import (
    IPIP,
    KEYS,
    Setup,
    big_ipip_csv,
    ipip_csv,
    mkdir,
    profiles_file,
    records,
    set_cell,
    steps,
    symlink,
    templates,
    write,
)
from hostile.model import (
    BAD_DATA,
    OUTPUT_PROBLEM,
    SILENT,
    SUCCESS,
    USAGE,
    Case,
    Check,
    Driver,
    Problem,
    one_of,
)
from hostile.process import (
    chmod,
    full_device,
    inotify_reason,
    interrupt_when_opened,
    killed_during_write,
    mknod_reason,
    plain,
    read_only,
    read_only_reason,
    stdin_from,
    stdout_closed,
    stdout_full,
    unprivileged,
    unprivileged_reason,
    with_file_size_limit,
)
from hostile.runner import Run, limits_reason

OUTPUT = "output"
PROCESS = "process"
THREE = records(3)
PREVIOUS = "id,previous\nkeep,me\n"
ANY_OUTCOME = frozenset({0, 1, 2})


def _schema_ok(document: Any) -> str | None:
    return None if isinstance(document, dict) and "properties" in document else "not a schema"


def _instrument_ok(document: Any) -> str | None:
    return None if isinstance(document, dict) and "scales" in document else "not an instrument"


@dataclass(frozen=True)
class Command:
    """A command writing one file: its arguments around --out, its inputs, its check."""

    label: str
    args: Callable[[str], tuple[str, ...]]
    inputs: Setup
    ext: str
    check: Callable[[str], Check]
    input_file: str | None  # the input --out must never replace
    failing_inputs: Setup | None  # inputs that make the command fail with bad data


COMMANDS = [
    Command(
        "score",
        lambda out: ("score", IPIP, "{d}/data.csv", "--out", out),
        ipip_csv(data=THREE),
        "csv",
        lambda out: score_output(out, answers=THREE),
        "data.csv",
        ipip_csv(data=THREE, edit=set_cell(3, "ipip07", "9")),
    ),
    Command(
        "profile",
        lambda out: ("profile", IPIP, "{d}/data.csv", "--out", out),
        ipip_csv(data=THREE),
        "json",
        lambda out: profiles_output(out, 3),
        "data.csv",
        ipip_csv(data=THREE, edit=set_cell(3, "ipip07", "9")),
    ),
    Command(
        "schema",
        lambda out: ("schema", "--out", out),
        mkdir("."),
        "json",
        lambda out: file_json(out, _schema_ok),
        None,
        None,
    ),
    Command(
        "import-keys",
        lambda out: ("import-keys", "{d}/keys.json", "--min", "1", "--max", "5", "--out", out),
        write("keys.json", json.dumps(KEYS)),
        "json",
        lambda out: file_json(out, _instrument_ok),
        "keys.json",
        write("keys.json", json.dumps({"A": []})),
    ),
]


def _hard_link(name: str, target: str) -> Setup:
    def setup(folder: Path) -> None:
        os.link(folder / target, folder / name)

    return setup


def _output_cases(command: Command) -> list[Case]:
    ext = command.ext
    cases: list[Case] = []

    def case(
        fault: str, out: str, exit: frozenset[int], setup: Setup, *fragments: object, **kw: Any
    ) -> None:
        kw.setdefault("checks", (command.check(out),))
        cases.append(
            Case(
                f"out-{command.label}-{fault}",
                kw.pop("category", OUTPUT),
                command.args(out),
                exit,
                setup=steps(command.inputs, setup),
                stderr=tuple(fragments),  # type: ignore[arg-type]
                out=out,
                **kw,
            )
        )

    nothing = mkdir(".")
    case(
        "missing-folder",
        f"{{d}}/no/such/folder/out.{ext}",
        OUTPUT_PROBLEM,
        nothing,
        one_of("no/such/folder", f"out.{ext}"),
    )
    case("is-a-folder", "{d}/adir", OUTPUT_PROBLEM, mkdir("adir"), "adir")
    case(
        "symlink-to-folder",
        "{d}/dirlink",
        OUTPUT_PROBLEM,
        steps(mkdir("adir"), symlink("dirlink", "adir")),
        one_of("dirlink", "adir"),
    )
    case(
        "parent-is-a-file",
        f"{{d}}/file.txt/out.{ext}",
        OUTPUT_PROBLEM,
        write("file.txt", "x"),
        "file.txt",
    )
    case("name-too-long", "{d}/" + "n" * 300 + f".{ext}", OUTPUT_PROBLEM, nothing, "nnnnnnnnnn")
    case("name-empty", "", OUTPUT_PROBLEM, nothing)
    case(
        "symlink-to-file",
        f"{{d}}/link.{ext}",
        SUCCESS,
        steps(write(f"real.{ext}", PREVIOUS), symlink(f"link.{ext}", f"real.{ext}")),
        may_change=(f"{{d}}/real.{ext}", f"{{d}}/link.{ext}"),
        note="--out through a symlink writes its target",
    )
    case(
        "dangling-symlink",
        f"{{d}}/dangling.{ext}",
        ANY_OUTCOME,
        symlink(f"dangling.{ext}", f"target.{ext}"),
        f"dangling.{ext}",
    )
    case(
        "replaces-previous-file",
        f"{{d}}/out.{ext}",
        SUCCESS,
        write(f"out.{ext}", PREVIOUS),
        may_change=(f"{{d}}/out.{ext}",),
    )
    case(
        "full-device",
        "{d}/full",
        OUTPUT_PROBLEM,
        full_device("{d}/full"),
        one_of("full", "space"),
        driver=plain,
        requires=mknod_reason,
        checks=(),
        note="a /dev/full node: ENOSPC",
    )
    case(
        "read-only-folder",
        f"{{d}}/ro/out.{ext}",
        OUTPUT_PROBLEM,
        steps(mkdir("ro"), write(f"ro/out.{ext}", PREVIOUS)),
        one_of("ro", f"out.{ext}"),
        driver=read_only("{d}/ro"),
        requires=read_only_reason,
        checks=(),
        note="a read-only bind mount (EROFS); the previous file stays",
    )
    if command.input_file is not None:
        data = command.input_file
        case(
            "equals-input",
            "{d}/" + data,
            OUTPUT_PROBLEM,
            nothing,
            data,
            note="--out equal to an input: refuse, leave the input as it was",
        )
        case(
            "equals-input-other-spelling",
            "{d}/./sub/../" + data,
            OUTPUT_PROBLEM,
            mkdir("sub"),
            data,
        )
        case(
            "symlink-to-input",
            f"{{d}}/link.{ext}",
            OUTPUT_PROBLEM,
            symlink(f"link.{ext}", data),
            one_of(f"link.{ext}", data),
        )
        case(
            "hard-link-to-input",
            f"{{d}}/hard.{ext}",
            ANY_OUTCOME,
            _hard_link(f"hard.{ext}", data),
            f"hard.{ext}",
            may_change=(f"{{d}}/hard.{ext}",),
            note="the input shares the inode: write a new file, or refuse; never truncate it",
        )
    if command.failing_inputs is not None:
        cases.append(
            Case(
                f"out-{command.label}-bad-input-keeps-previous-file",
                OUTPUT,
                command.args(f"{{d}}/out.{ext}"),
                BAD_DATA,
                setup=steps(command.failing_inputs, write(f"out.{ext}", PREVIOUS)),
            )
        )
    return cases


CASES: list[Case] = [case for command in COMMANDS for case in _output_cases(command)]

# --- permissions and limits (a real process) -----------------------------------------
SCORE = COMMANDS[0]
CASES += [
    Case(
        "out-score-folder-not-writable",
        OUTPUT,
        SCORE.args("{d}/locked/out.csv"),
        OUTPUT_PROBLEM,
        setup=steps(SCORE.inputs, mkdir("locked"), chmod("{d}/locked", 0o555)),
        stderr=(one_of("locked", "out.csv"),),
        out="{d}/locked/out.csv",
        driver=unprivileged,
        requires=unprivileged_reason,
        note="EACCES on the folder",
    ),
    Case(
        "out-score-folder-not-writable-previous-file",
        OUTPUT,
        SCORE.args("{d}/locked/out.csv"),
        ANY_OUTCOME,
        setup=steps(
            SCORE.inputs,
            mkdir("locked"),
            write("locked/out.csv", PREVIOUS),
            chmod("{d}/locked", 0o555),
        ),
        stderr=(one_of("locked", "out.csv"),),
        checks=(SCORE.check("{d}/locked/out.csv"),),
        may_change=("{d}/locked/out.csv",),
        driver=unprivileged,
        requires=unprivileged_reason,
        note="the file is writable, its folder is not: replace it whole, or refuse",
    ),
    Case(
        "out-score-read-only-previous-file",
        OUTPUT,
        SCORE.args("{d}/out.csv"),
        ANY_OUTCOME,
        setup=steps(SCORE.inputs, write("out.csv", PREVIOUS), chmod("{d}/out.csv", 0o444)),
        stderr=("out.csv",),
        checks=(SCORE.check("{d}/out.csv"),),
        may_change=("{d}/out.csv",),
        driver=unprivileged,
        requires=unprivileged_reason,
    ),
    Case(
        "out-score-file-size-limit",
        OUTPUT,
        ("score", IPIP, "{d}/big.csv", "--out", "{d}/out.csv"),
        OUTPUT_PROBLEM,
        setup=steps(big_ipip_csv("big.csv", 3000), write("out.csv", PREVIOUS)),
        stderr=("out.csv",),
        driver=with_file_size_limit(64 * 1024),
        requires=limits_reason,
        note="RLIMIT_FSIZE: EFBIG part-way through the write; the previous file stays",
    ),
]

# --- report and demo folders --------------------------------------------------------------
PDF_ARGS = ("--workers", "1", "--lang", "ru", "--audience", "client")


def _report(
    fault: str, out: str, exit: frozenset[int], setup: Setup, *fragments: object, **kw: Any
) -> Case:
    kw.setdefault("checks", (pdf_count(out, 1),))
    return Case(
        f"out-report-{fault}",
        OUTPUT,
        ("report", "{d}/profiles.json", "--out", out, "--templates", "{d}/tpl", *PDF_ARGS),
        exit,
        setup=steps(profiles_file(), templates("tpl", "<p>ok</p>"), setup),
        stderr=tuple(fragments),  # type: ignore[arg-type]
        **kw,
    )


def _victim_untouched(run: Run) -> list[Problem]:
    victim = run.path("{d}/victim.txt")
    if victim.read_bytes() != PREVIOUS.encode():
        return [Problem(SILENT, "a report was written through a symlink onto victim.txt")]
    return []


CASES += [
    _report("missing-nested-folder", "{d}/new/nested/pdf", SUCCESS, mkdir(".")),
    _report("is-a-file", "{d}/pdf.txt", USAGE, write("pdf.txt", "x"), "pdf.txt", checks=()),
    _report(
        "symlink-to-folder",
        "{d}/pdf-link",
        SUCCESS,
        steps(mkdir("real-pdf"), symlink("pdf-link", "real-pdf")),
    ),
    _report(
        "parent-is-a-file",
        "{d}/file.txt/pdf",
        OUTPUT_PROBLEM,
        write("file.txt", "x"),
        "file.txt",
        checks=(),
    ),
    _report(
        "name-too-long", "{d}/" + "f" * 300, OUTPUT_PROBLEM, mkdir("."), "ffffffffff", checks=()
    ),
    _report(
        "replaces-previous-pdf",
        "{d}/pdf",
        SUCCESS,
        write("pdf/r1-client-ru.pdf", "not a pdf"),
        may_change=("{d}/pdf/r1-client-ru.pdf",),
    ),
    _report(
        "symlink-planted-in-folder",
        "{d}/pdf",
        frozenset({0, 1}),
        steps(write("victim.txt", PREVIOUS), symlink("pdf/r1-client-ru.pdf", "victim.txt")),
        "r1-client-ru.pdf",
        checks=(_victim_untouched,),
        may_change=("{d}/pdf/r1-client-ru.pdf",),  # the link itself is replaced by the PDF
        note="a symlink planted under the report's name must not redirect the write",
    ),
    _report(
        "full-device",
        "{d}/full",
        OUTPUT_PROBLEM,
        full_device("{d}/full"),
        "full",
        driver=plain,
        requires=mknod_reason,
        checks=(),
    ),
    _report(
        "read-only-folder",
        "{d}/ro/pdf",
        OUTPUT_PROBLEM,
        mkdir("ro"),
        one_of("ro", "pdf"),
        driver=read_only("{d}/ro"),
        requires=read_only_reason,
        checks=(),
    ),
    _report(
        "folder-not-writable",
        "{d}/locked",
        OUTPUT_PROBLEM,
        steps(mkdir("locked"), chmod("{d}/locked", 0o555)),
        "locked",
        driver=unprivileged,
        requires=unprivileged_reason,
        checks=(),
    ),
    Case(
        "out-demo-success",
        OUTPUT,
        ("demo", "--out", "{d}/demo", *PDF_ARGS),
        SUCCESS,
        checks=(pdf_count("{d}/demo", 8),),  # 8 demo respondents, client reports in Russian
    ),
    Case(
        "out-demo-is-a-file",
        OUTPUT,
        ("demo", "--out", "{d}/demo.txt", *PDF_ARGS),
        USAGE,
        setup=write("demo.txt", "x"),
        stderr=("demo.txt",),
    ),
    Case(
        "out-demo-profiles-json-is-a-folder",
        OUTPUT,
        ("demo", "--out", "{d}/demo", *PDF_ARGS),
        OUTPUT_PROBLEM,
        setup=mkdir("demo/profiles.json"),
        stderr=("profiles.json",),
    ),
    Case(
        "out-demo-full-device",
        OUTPUT,
        ("demo", "--out", "{d}/full", *PDF_ARGS),
        OUTPUT_PROBLEM,
        setup=full_device("{d}/full"),
        stderr=("full",),
        driver=plain,
        requires=mknod_reason,
    ),
    Case(
        "out-demo-read-only-folder",
        OUTPUT,
        ("demo", "--out", "{d}/ro/demo", *PDF_ARGS),
        OUTPUT_PROBLEM,
        setup=mkdir("ro"),
        stderr=(one_of("ro", "demo"),),
        driver=read_only("{d}/ro"),
        requires=read_only_reason,
    ),
]

# --- the process itself -------------------------------------------------------------------
BIG_ROWS = 20_000


def _previous_or_complete(target: str, rows: int) -> Check:
    """After a kill: the output is the previous file, or a complete new one, never a
    truncated file."""

    def check(run: Run) -> list[Problem]:
        path = run.path(target)
        if not path.is_file():
            return [Problem(SILENT, f"{path.name} is gone")]
        if path.read_text(encoding="utf-8", errors="replace") == PREVIOUS:
            return []
        try:
            _, table = read_score_table(run, target)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return [
                Problem(
                    SILENT,
                    f"{path.name} is neither the previous file nor a complete "
                    f"new one ({error}; {path.stat().st_size} bytes)",
                )
            ]
        if len(table) != rows:
            return [Problem(SILENT, f"{path.name} holds {len(table)} of {rows} rows")]
        return []

    return check


def _killed(case_id: str, out: str, note: str) -> Case:
    return Case(
        case_id,
        PROCESS,
        ("score", IPIP, "{d}/big.csv", "--out", out),
        SUCCESS,
        setup=steps(
            big_ipip_csv("big.csv", BIG_ROWS),
            mkdir("out"),
            write(out.removeprefix("{d}/"), PREVIOUS),
        ),
        checks=(_previous_or_complete(out, BIG_ROWS),),
        may_change=(out,),
        driver=killed_during_write("{d}/out"),
        timeout=90,
        note=note,
    )


def _stdout(
    case_id: str,
    driver: Driver,
    exit: frozenset[int],
    args: tuple[str, ...],
    *fragments: object,
    setup: Setup | None = None,
) -> Case:
    return Case(
        case_id,
        PROCESS,
        args,
        exit,
        setup=setup if setup is not None else ipip_csv(data=THREE),
        stderr=tuple(fragments),  # type: ignore[arg-type]
        driver=driver,
    )


STDOUT_COMMANDS: dict[str, tuple[str, ...]] = {
    "instruments": ("instruments",),
    "describe": ("describe", IPIP),
    "schema": ("schema",),
    "score": ("score", IPIP, "{d}/data.csv"),
    "profile": ("profile", IPIP, "{d}/data.csv"),
}
BROKEN_PIPE_EXITS = frozenset({0, 1, 141})
WRITE_FAILED = one_of("output", "space", "full", "write")

CASES += [
    _killed(
        "proc-killed-during-score-write",
        "{d}/out/scores.csv",
        "killed while the scores are written: the previous file or the whole new one",
    ),
    _killed(
        "proc-killed-during-json-write",
        "{d}/out/scores.json",
        "killed while JSON scores are written",
    ),
    Case(
        "proc-ctrl-c-while-reading",
        PROCESS,
        ("score", IPIP, "{d}/big.csv", "--out", "{d}/out.csv"),
        frozenset({1, 130}),
        setup=steps(big_ipip_csv("big.csv", BIG_ROWS), write("out.csv", PREVIOUS)),
        driver=interrupt_when_opened("{d}/big.csv"),
        requires=inotify_reason,
        timeout=90,
        note="Ctrl-C: no traceback, the previous output stays",
    ),
    Case(
        "proc-sigterm-while-reading",
        PROCESS,
        ("score", IPIP, "{d}/big.csv", "--out", "{d}/out.csv"),
        frozenset({1, 143}),
        setup=steps(big_ipip_csv("big.csv", BIG_ROWS), write("out.csv", PREVIOUS)),
        driver=interrupt_when_opened("{d}/big.csv", signal.SIGTERM),
        requires=inotify_reason,
        timeout=90,
        note="SIGTERM: the process ends, the previous output stays",
    ),
    Case(
        "proc-data-from-dev-stdin",
        PROCESS,
        ("score", IPIP, "/dev/stdin"),
        SUCCESS,
        setup=ipip_csv(data=THREE),
        checks=(score_output(None, answers=THREE),),
        driver=stdin_from("{d}/data.csv"),
    ),
]
for name, args in STDOUT_COMMANDS.items():
    CASES.append(
        _stdout(f"proc-stdout-full-{name}", stdout_full, OUTPUT_PROBLEM, args, WRITE_FAILED)
    )
    CASES.append(_stdout(f"proc-stdout-closed-{name}", stdout_closed, BROKEN_PIPE_EXITS, args))
