"""`profdiag score` on a file read and written in record batches (constant memory).

Each batch is scored, standardised and laid out as the whole file is in `_scoring.score`,
and written at once to a temporary file that replaces the output only after the last
batch (see `profdiag._io.streaming`). Rows are counted across batches, so row numbers,
ids and the lines named in messages are the file's own. In strict mode a batch with
invalid cells stops the writing (the temporary file is removed when the command ends);
the rest of the file is still read, so that every problem in it is reported, as the
whole-file path reports them.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from profdiag._io.streaming import BatchedFile, RowLines
from profdiag.cli._common import (
    Responses,
    echo_blank_lines,
    echo_problems,
    refuse_column_clashes,
    score_metadata,
    shown_names,
    unknown_columns,
)
from profdiag.errors import CellProblem, ResponseDataError

if TYPE_CHECKING:
    from profdiag._instrument import Instrument
    from profdiag._io.tables import Table
    from profdiag._scoring.result import ScoreResult


class _Stopped(Exception):
    """Strict mode found invalid cells: nothing is to be written."""


def batched_input(
    data: Path,
    out: Path | None,
    *,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
) -> BatchedFile | None:
    """The response file read in batches, when it is large and the output is a CSV or
    Parquet file; None: read it whole."""
    from profdiag._io.streaming import batched_file
    from profdiag.errors import ArgumentError

    if out is None or out.suffix.lower() == ".json":
        return None
    try:
        return batched_file(data, encoding, delimiter, file_format)
    except ArgumentError as error:
        raise click.UsageError(str(error)) from None


@dataclass
class _Columns:
    """What the header says: the id, attributes, subtest times and carried columns."""

    id_name: str | None
    attributes: list[str]
    seconds: list[str]
    extra: list[str]
    timed: bool


def _columns(
    batched: BatchedFile,
    definition: Instrument,
    data: Path,
    id_column: str,
    answers_column: str | None,
    drop_extra: bool,
) -> _Columns:
    """Check the header as `read_responses` and `require_column` do, and name the columns
    that are carried (or left out), as the whole-file path does."""
    from profdiag._norms.selection import ATTRIBUTES
    from profdiag._scoring.timing import SECONDS_SUFFIX, timed_scales

    names = batched.names
    id_name = id_column if id_column in names else None
    context = click.get_current_context(silent=True)
    given = context is not None and context.get_parameter_source("id_column") not in (
        None,
        click.core.ParameterSource.DEFAULT,
    )
    if given and id_name is None:
        raise click.BadParameter(f"{data} has no column {id_column!r}", param_hint="--id-column")
    if answers_column is not None and answers_column not in names:
        raise click.BadParameter(
            f"{data} has no column {answers_column!r}", param_hint="--answers-column"
        )
    attributes = [name for name in ATTRIBUTES if name in names]
    timed = timed_scales(definition)
    seconds = [scale_id for scale_id in timed if scale_id + SECONDS_SUFFIX in names]
    known = [
        *attributes,
        *([answers_column] if answers_column else []),
        *(s + SECONDS_SUFFIX for s in seconds),
        *([id_name] if id_name else []),
    ]
    extra = unknown_columns(names, definition, known)
    if extra:
        what = "left out (--drop-extra)" if drop_extra else "carried into the output"
        click.echo(
            f"profdiag: {data}: {len(extra)} column(s) that are not items of {definition.id}, "
            f"the id or attributes, {what}: {shown_names(extra)}",
            err=True,
        )
    return _Columns(id_name, attributes, seconds, extra, bool(timed))


@dataclass
class _Batches:
    """Scores batch after batch: rows counted across batches, problems renumbered."""

    definition: Instrument
    data: Path
    columns: _Columns
    norm_group: str | None
    level: float
    lenient: bool
    answers_column: str | None
    drop_extra: bool
    rows: int = 0
    stopped: bool = False
    problems: list[CellProblem] = field(default_factory=list)
    problem_lines: dict[int, int] = field(default_factory=dict)

    def note(self, found: Sequence[CellProblem], batch: Table) -> None:
        for problem in found:
            if problem.row < 0:
                if self.rows == 0:  # a whole column: the same in every batch
                    self.problems.append(problem)
                continue
            row = problem.row + self.rows
            self.problems.append(dataclasses.replace(problem, row=row))
            if batch.lines is not None:
                self.problem_lines[row] = batch.lines[problem.row]

    def scored(self, batch: Table) -> tuple[list[str], list[Any], ScoreResult] | None:
        """The batch's score table; None once strict mode found an invalid cell (from then
        on the batches are only checked, for the report)."""
        from profdiag._io import score_table
        from profdiag._io.score_table import categorical_columns
        from profdiag._io.tables import collector_paused
        from profdiag._norms import standardize
        from profdiag._scoring import score as score_data
        from profdiag._scoring.timing import SECONDS_SUFFIX, speed_accuracy

        definition, found = self.definition, self.columns
        normed = bool(definition.norms)
        bands = any(scale.bands is not None for scale in definition.scales)
        columns = batch.columns
        try:
            result = score_data(
                definition,
                columns,
                strict=not self.lenient,
                id_column=found.id_name,
                other_columns=[
                    *found.attributes,
                    *(scale_id + SECONDS_SUFFIX for scale_id in found.seconds),
                    *found.extra,
                ],
                source=str(self.data),
                answers_column=self.answers_column,
                allow_empty=True,
            )
            standard = (
                standardize(
                    definition,
                    result,
                    norm_group=self.norm_group,
                    attributes={name: columns[name] for name in found.attributes},
                    level=self.level,
                )
                if normed or bands or self.norm_group is not None
                else None
            )
        except ResponseDataError as error:
            self.note(error.problems, batch)
            self.stopped = True
            return None
        self.note(result.problems, batch)
        if self.stopped:
            return None
        if found.id_name is None:
            result = dataclasses.replace(result, row_ids=range(self.rows, self.rows + batch.n_rows))
        for item_id in definition.item_index:  # scored: their memory can hold the output
            columns.pop(item_id, None)
        seconds = {s: columns[s + SECONDS_SUFFIX] for s in found.seconds}
        with collector_paused():
            header, table = score_table(
                result,
                standard,
                id_name=found.id_name or "row",
                normed=normed,
                bands=bands,
                timing=speed_accuracy(definition, result, seconds) if found.timed else None,
                extra=[
                    *([] if self.drop_extra else [(name, columns[name]) for name in found.extra]),
                    *categorical_columns(result),
                ],
            )
        return header, table, result

    def table(self, names: Sequence[str], lines: bool) -> Table:
        """The file as messages describe its rows (the lines of rows with problems)."""
        from profdiag._io.tables import Table

        known = RowLines(self.rows, self.problem_lines) if lines else None
        return Table(str(self.data), {name: () for name in names}, self.rows, known)


def score_in_batches(
    batched: BatchedFile,
    definition: Instrument,
    *,
    data: Path,
    out: Path,
    id_column: str,
    norm_group: str | None,
    level: float,
    lenient: bool,
    answers_column: str | None,
    drop_extra: bool,
    quiet: bool,
) -> None:
    """Score `batched` into `out` (CSV or Parquet), as `_scoring.score` does for a whole
    file; messages and exit codes as there. The caller closes `batched`."""
    from profdiag._io.atomic import streaming_atomically
    from profdiag._io.streaming import ScoreWriter
    from profdiag._io.tables import output_format

    found = _columns(batched, definition, data, id_column, answers_column, drop_extra)
    run = _Batches(definition, data, found, norm_group, level, lenient, answers_column, drop_extra)
    kind = output_format(out)
    bar = _progress(batched, quiet)
    started = time.perf_counter()
    try:
        with streaming_atomically(out) as stream:
            writer: ScoreWriter | None = None
            for batch in batched:
                scored = run.scored(batch)
                run.rows += batch.n_rows
                if scored is None:
                    continue
                header, table, result = scored
                if writer is None:
                    refuse_column_clashes(data, header)
                    writer = ScoreWriter(stream, kind, score_metadata(definition, result, level))
                writer.write(header, table)
                if bar is not None:
                    bar.update(batched.done - bar.n)
                    rate = run.rows / max(time.perf_counter() - started, 1e-9)
                    bar.set_postfix_str(f"{run.rows:,} rows, {rate:,.0f} rows/s", refresh=False)
            if run.stopped:
                raise _Stopped
            if writer is None:  # pragma: no cover - a batched file has a first batch
                raise AssertionError("no batch was read")
            writer.close()
    except _Stopped:
        from profdiag.cli._scoring import _stop_on_problems

        echo_blank_lines(data, batched.skipped_blank_lines)
        responses = Responses(run.table(batched.names, batched.kind == "csv"), {}, found.id_name)
        error = ResponseDataError(str(data), run.problems)
        _stop_on_problems(responses, data, error, len(definition.items))
    finally:
        if bar is not None:
            bar.close()
    echo_blank_lines(data, batched.skipped_blank_lines)
    if run.rows == 0:
        click.echo(f"profdiag: {data}: no respondents (the file has a header only)", err=True)
    echo_problems(run.table(batched.names, batched.kind == "csv"), run.problems)
    click.echo(
        f"profdiag: scored {run.rows} respondents on {definition.id} {definition.version} -> {out}",
        err=True,
    )


def _progress(batched: BatchedFile, quiet: bool) -> Any:
    """A progress bar on stderr when it is a terminal and not --quiet; else None."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    if batched.kind == "csv":
        return tqdm(
            total=batched.total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="profdiag score",
            file=sys.stderr,
            leave=False,
        )
    return tqdm(
        total=batched.total,
        unit=" rows",
        unit_scale=True,
        desc="profdiag score",
        file=sys.stderr,
        leave=False,
    )
