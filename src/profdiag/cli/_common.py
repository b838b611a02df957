"""What several commands share: options, loading a definition, reading response data,
printing cell problems and writing outputs."""

from __future__ import annotations

import codecs
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from profdiag.errors import CellProblem, OutputError, show_value

if TYPE_CHECKING:
    from profdiag._instrument import Instrument
    from profdiag._io import Table

F = TypeVar("F", bound=Callable[..., Any])
MAX_PROBLEMS_SHOWN = 50


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator, applied in the order listed."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


OVERLAY = click.option(
    "--overlay",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text overlay file adding licensed item texts (see docs/instrument-format.md).",
)


def _check_encoding(_: click.Context, __: click.Parameter, value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"{value!r} is not a text encoding Python knows") from None
    return value


class _ConfidenceLevel(click.FloatRange):
    """0.5 to 0.999; NaN is not a level (click's FloatRange lets it through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


CONFIDENCE_LEVEL = _ConfidenceLevel(0.5, 0.999)

_ID_COLUMN = click.option(
    "--id-column",
    default="id",
    show_default=True,
    help="Column identifying respondents (used when present).",
)
_NORM_GROUP = click.option(
    "--norm-group",
    default=None,
    help="Norm group id for every row (default: "
    "chosen per row from the sex, age and grade columns).",
)
_LEVEL = click.option(
    "--level",
    type=CONFIDENCE_LEVEL,
    default=0.90,
    show_default=True,
    help="Confidence level of T-score bands and leading-scale comparisons.",
)
_READING = (
    click.option(
        "--lenient", is_flag=True, help="Record invalid cells and go on, instead of stopping."
    ),
    click.option(
        "--encoding",
        default="utf-8-sig",
        show_default=True,
        callback=_check_encoding,
        help="Text encoding of DATA (e.g. cp1251 for files from older Russian Excel).",
    ),
    click.option(
        "--delimiter",
        default=None,
        help="CSV delimiter: a character, or comma, semicolon, tab, pipe "
        "(default: detected from the header line among , ; tab |).",
    ),
    click.option(
        "--format",
        "file_format",
        type=click.Choice(
            ["csv", "tsv", "parquet", "json", "jsonl", "sav", "xlsx"], case_sensitive=False
        ),
        default=None,
        help="Format of DATA (default: from its extension: .parquet, .json, .jsonl, .sav, "
        ".xlsx, .tsv or .tab; anything else is CSV). SPSS and Excel need "
        "pip install 'profdiag[research]'.",
    ),
    click.option(
        "--sheet",
        default=None,
        expose_value=False,
        callback=lambda ctx, _, value: _remember(ctx, "sheet", value),
        help="Excel: the sheet to read, by name or number from 1 (default: the first).",
    ),
    click.option(
        "--header-row",
        type=click.IntRange(min=1),
        default=None,
        expose_value=False,
        callback=lambda ctx, _, value: _remember(ctx, "header_row", value),
        help="Excel: the sheet row holding the column names (default: the first row with "
        "anything in it), for sheets with a title above the table.",
    ),
    click.option(
        "--mapping",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=lambda ctx, _, value: _remember(ctx, "mapping", value),
        help="A mapping file (JSON, docs/mapping.md): archive columns -> item ids, the id "
        "column, and value recodings such as 'Совершенно согласен' -> 5.",
    ),
    click.option(
        "--answers-column",
        default=None,
        help="A column holding each respondent's answers as one string, e.g. "
        "'1а 2б 3а ...' (item numbers as on the sheet), instead of one column "
        "per item.",
    ),
)


def _remember(ctx: click.Context, name: str, value: Any) -> Any:
    """Options only `read_responses` uses, kept out of each command's signature."""
    ctx.meta.setdefault(_READING_META, {})[name] = value
    return value


_READING_META = "profdiag.reading"

RESPONSE_OPTIONS = options(_ID_COLUMN, _NORM_GROUP, _LEVEL, *_READING)
"""Reading response data and standardising scores: score and profile."""
READING_OPTIONS = options(_ID_COLUMN, *_READING)
"""Reading response data only: commands that use no norms (analyze)."""


def load_definition(reference: str | Path, overlay: Path | None = None) -> Instrument:
    """A bundled id or a JSON file; a file that does not exist is a usage error."""
    from profdiag._instrument import bundled_ids, load_instrument
    from profdiag._instrument.overlay import apply_overlay, load_overlay

    text = str(reference)
    looks_like_path = text.endswith(".json") or os.sep in text
    if looks_like_path and not Path(text).exists():
        raise click.BadParameter(f"no such file: {text}", param_hint="INSTRUMENT")
    if Path(text).is_dir():
        raise click.BadParameter(f"{text} is a folder, not a file", param_hint="INSTRUMENT")
    if not looks_like_path and not Path(text).exists() and text not in bundled_ids():
        raise click.BadParameter(
            f"{text!r} is neither a file nor a bundled instrument ({', '.join(bundled_ids())})",
            param_hint="INSTRUMENT",
        )
    definition = load_instrument(reference)
    if overlay is None:
        return definition
    return apply_overlay(definition, load_overlay(overlay), source=str(overlay))


@dataclass(frozen=True)
class Responses:
    """A response file as the library reads it, and the columns that are not items."""

    table: Table
    attributes: dict[str, Sequence[Any]]
    id_name: str | None

    @property
    def columns(self) -> dict[str, Sequence[Any]]:
        return self.table.columns


def reading_option(name: str) -> Any:
    """A reading option that is not a parameter of the command (--sheet, --header-row,
    --mapping), as given on the command line; None when absent."""
    context = click.get_current_context(silent=True)
    reading = {} if context is None else context.meta.get(_READING_META, {})
    return reading.get(name)


def read_responses(
    data: Path,
    *,
    encoding: str,
    delimiter: str | None,
    id_column: str,
    file_format: str | None = None,
    items: Sequence[str] | None = None,
) -> Responses:
    """`items`: the instrument's item ids, which a mapping's "*" recodes."""
    from profdiag._io import read_table
    from profdiag._io.mapping import load_mapping, map_table
    from profdiag._norms.selection import ATTRIBUTES
    from profdiag.errors import ArgumentError, ResponseDataError

    context = click.get_current_context(silent=True)
    reading = {} if context is None else context.meta.get(_READING_META, {})
    mapping = None if reading.get("mapping") is None else load_mapping(reading["mapping"])
    try:
        table = read_table(
            data,
            encoding=encoding,
            delimiter=delimiter,
            file_format=file_format,
            sheet=reading.get("sheet"),
            header_row=reading.get("header_row"),
        )
    except ArgumentError as error:
        raise click.UsageError(str(error)) from None
    echo_blank_lines(data, table.skipped_blank_lines)
    given = context is not None and context.get_parameter_source("id_column") not in (
        None,
        click.core.ParameterSource.DEFAULT,
    )
    if mapping is not None:
        try:
            table = map_table(table, mapping, items)
        except ResponseDataError as error:
            from profdiag.cli._errors import fail

            echo_problems(table, error.problems)
            if len(error.problems) < error.total:
                click.echo(f"profdiag: {data}: ... {error.total} in all", err=True)
            fail(f"{data}: {error.total} problem(s) with the mapping {mapping.source}")
        if mapping.id_column is not None and not given:
            id_column = mapping.columns.get(mapping.id_column, mapping.id_column)
    attributes = {name: table.columns[name] for name in ATTRIBUTES if name in table.columns}
    id_name = id_column if id_column in table.columns else None
    if given and id_name is None:
        # Other columns are carried into the output, so a misspelt id column would pass
        # unnoticed: one named on the command line must exist.
        raise click.BadParameter(f"{data} has no column {id_column!r}", param_hint="--id-column")
    return Responses(table, attributes, id_name)


def extra_columns(responses: Responses, definition: Instrument, used: Sequence[str]) -> list[str]:
    """Columns that are neither items, the id, respondent attributes nor `used` (answer
    sheets, times), in file order."""
    id_names = [] if responses.id_name is None else [responses.id_name]
    return unknown_columns(
        list(responses.columns), definition, [*responses.attributes, *used, *id_names]
    )


def unknown_columns(
    names: Sequence[str], definition: Instrument, known: Sequence[str]
) -> list[str]:
    """`names` that are neither the instrument's items (a multiple-select item's
    "<item>.<code>" columns included) nor `known`, in order."""
    from profdiag._scoring.plan import compile_plan

    recognised = {*definition.item_index, *known}
    for survey_item in compile_plan(definition).survey_items:
        if survey_item.kind == "multiple_select":
            recognised.update(survey_item.indicator_columns)
    return [name for name in names if name not in recognised]


def echo_blank_lines(data: Path, lines: Sequence[int]) -> None:
    """The notice for empty lines a CSV reader skipped (they are not respondents)."""
    if lines:
        shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
        click.echo(
            f"profdiag: {data}: {len(lines)} empty line(s) skipped (line {shown}); "
            "a line of empty cells is a respondent, an empty line is not",
            err=True,
        )


def refuse_column_clashes(data: Path, header: Sequence[str]) -> None:
    """Stop when a carried column has the name of a score column."""
    from collections import Counter

    from profdiag.cli._errors import fail

    clashes = [name for name, count in Counter(header).items() if count > 1]
    if clashes:
        fail(
            f"{data}: column(s) {shown_names(sorted(set(clashes)))} would be carried into "
            "the output, which has score columns of the same name; rename them in the "
            "file, or leave them out with --drop-extra"
        )


def score_metadata(definition: Instrument, result: Any, level: float) -> dict[str, Any]:
    """What a score table records of how it was made."""
    return {
        "instrument": {
            "id": definition.id,
            "version": definition.version,
            "content_hash": result.instrument.content_hash,
            "overlay_hash": result.instrument.overlay_hash,
        },
        "confidence_level": level,
    }


def shown_names(names: Sequence[str], limit: int = 8) -> str:
    cut = [name if len(name) <= 40 else name[:37] + "..." for name in names[:limit]]
    shown = ", ".join(map(repr, cut))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def read_instrument_responses(
    data: Path,
    definition: Instrument,
    *,
    encoding: str,
    delimiter: str | None,
    id_column: str,
    file_format: str | None,
    answers_column: str | None,
) -> Responses:
    """`read_responses` for an instrument's items (a mapping's "*" recodes them), with the
    answer-sheet column, when one is named, required to exist."""
    responses = read_responses(
        data,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        items=list(definition.item_index),
    )
    require_column(responses, data, answers_column, "--answers-column")
    return responses


def require_column(responses: Responses, data: Path, column: str | None, option: str) -> None:
    if column is not None and column not in responses.columns:
        raise click.BadParameter(f"{data} has no column {column!r}", param_hint=option)


def echo_problems(table: Table, problems: Sequence[CellProblem]) -> None:
    """Each problem on its own line, naming the data row and its line in the file."""
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(
            f"profdiag: {table.source}: {table.describe_row(problem.row)}, column "
            f"{problem.column!r}: got {show_value(problem.value)}; "
            f"expected {problem.expected}",
            err=True,
        )
    if len(problems) > MAX_PROBLEMS_SHOWN:
        click.echo(
            f"profdiag: {table.source}: ... and {len(problems) - MAX_PROBLEMS_SHOWN} more",
            err=True,
        )


def refuse_overwriting_inputs(out: Path | None, inputs: Sequence[Path | None]) -> None:
    """An output must never replace one of the command's own inputs (a mapping file
    given with --mapping included)."""
    if out is None:
        return
    context = click.get_current_context(silent=True)
    reading = {} if context is None else context.meta.get(_READING_META, {})
    for path in (*inputs, reading.get("mapping")):
        if path is not None and _same_file(out, path):
            raise OutputError(f"--out {out} is the input file {path}; choose another output")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # also catches hard links
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def write_text_output(out: Path | None, text: str) -> None:
    """To stdout, or atomically to `out`."""
    from profdiag._io.atomic import write_atomically

    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)


def _as_of(_: click.Context, __: click.Parameter, value: str | None) -> Any:
    import datetime

    from profdiag._profile.model import DATE_EXPECTED, parse_testing_date

    if value is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(parse_testing_date(value))
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected {DATE_EXPECTED}") from None


NORM_AGE_OPTIONS = options(
    click.option(
        "--norms-max-age",
        type=click.IntRange(0, 200),
        default=10,
        show_default=True,
        help="Warn when norms are more than this many years old.",
    ),
    click.option(
        "--as-of",
        callback=_as_of,
        default=None,
        help="The date norms' age is counted to (default: today), e.g. 2026-09-01.",
    ),
)
"""How old norms may be before a warning: describe and report."""
