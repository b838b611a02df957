"""`profdiag norms build`: a new instrument version with norms from a normative sample."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from profdiag.cli._common import (
    READING_OPTIONS,
    Responses,
    echo_problems,
    load_definition,
    read_instrument_responses,
    refuse_overwriting_inputs,
    shown_names,
)
from profdiag.cli._errors import fail
from profdiag.errors import ResponseDataError

if TYPE_CHECKING:
    from profdiag._norms.building import NormsBuild


@click.group()
def norms() -> None:
    """Build norms from a normative sample (docs/norms.md)."""


def _group_by(_: click.Context, __: click.Parameter, value: str | None) -> list[str]:
    from profdiag._norms.building import GROUP_ATTRIBUTES

    names = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [name for name in names if name not in GROUP_ATTRIBUTES]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(map(repr, unknown))}: norms can be grouped by "
            f"{', '.join(GROUP_ATTRIBUTES)} only, the attributes a norm group's selector "
            "knows (for norms of one municipality or school, build them from that part of "
            "the data: docs/norms.md)"
        )
    if len(set(names)) != len(names):
        raise click.BadParameter(f"{value!r} names a column twice")
    return names


def _age_bands(
    _: click.Context, __: click.Parameter, value: str | None
) -> tuple[tuple[int, int], ...]:
    from profdiag._norms.building import parse_age_bands
    from profdiag.errors import ArgumentError

    if value is None:
        return ()
    try:
        return parse_age_bands(value)
    except ArgumentError as error:
        raise click.BadParameter(str(error)) from None


@norms.command("build")
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--group-by",
    callback=_group_by,
    default=None,
    help="Columns that split the sample into norm groups: sex, grade and/or age, "
    "e.g. sex,grade (default: one group for everyone).",
)
@click.option(
    "--age-bands",
    callback=_age_bands,
    default=None,
    help="With --group-by age: the age bands, e.g. 14-15,16-17 (inclusive).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The new instrument definition (JSON).",
)
@click.option("--source", required=True, help="Where the sample comes from (stored per group).")
@click.option(
    "--year",
    type=click.IntRange(1900, 2100),
    default=None,
    help="The year the data were collected (default: the file's 'year' column).",
)
@click.option(
    "--version",
    "new_version",
    default=None,
    help="The new instrument's version (default: VERSION+norms.YEAR), e.g. 1.0.0+norms.tyumen2026.",
)
@click.option(
    "--min-size",
    type=click.IntRange(1, None),
    default=50,
    show_default=True,
    help="Refuse a group with fewer scores than this on any scale.",
)
@click.option(
    "--warn-size",
    type=click.IntRange(1, None),
    default=200,
    show_default=True,
    help="Warn about a group with fewer scores than this.",
)
@click.option(
    "--smoothing",
    type=click.Choice(["none", "moving-average"]),
    default="none",
    show_default=True,
    help="Smooth the percentile ranks of adjacent raw scores (docs/norms.md).",
)
@READING_OPTIONS
def build(
    instrument: str,
    data: Path,
    group_by: list[str],
    age_bands: tuple[tuple[int, int], ...],
    out: Path,
    source: str,
    year: int | None,
    new_version: str | None,
    min_size: int,
    warn_size: int,
    smoothing: str,
    id_column: str,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
) -> None:
    """Score DATA (the normative sample) on INSTRUMENT and write a new version of it with
    table norms per group (percentile ranks, normalised T, stanines, stens) to --out.

    Rows with invalid cells (--lenient), a missing group column value, no year or an age
    in no band are left out of the norms, and a scale's score is left out of its table
    when it does not meet the scale's missing-data rule; the summary says how many.
    """
    import json

    from profdiag._instrument import load_instrument
    from profdiag._io.atomic import write_atomically
    from profdiag._norms.building import build_norms
    from profdiag._scoring import score as score_data

    if "age" in group_by and not age_bands:
        raise click.BadParameter("grouping by age needs --age-bands, e.g. 14-15,16-17")
    if age_bands and "age" not in group_by:
        raise click.BadParameter("--age-bands needs --group-by age", param_hint="--age-bands")
    refuse_overwriting_inputs(out, [data, Path(instrument)])
    definition = load_definition(instrument)
    responses = read_instrument_responses(
        data,
        definition,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        answers_column=answers_column,
    )
    absent = [name for name in group_by if name not in responses.columns]
    if absent:
        raise click.BadParameter(
            f"{data} has no column {', '.join(map(repr, absent))} "
            f"(its columns: {shown_names(list(responses.columns))})",
            param_hint="--group-by",
        )
    if year is None and "year" not in responses.columns:
        raise click.BadParameter(
            f"{data} has no 'year' column: give the year the data were collected",
            param_hint="--year",
        )
    others = [
        name
        for name in responses.columns
        if name not in definition.item_index and name != answers_column
    ]
    try:
        result = score_data(
            definition,
            responses.columns,
            strict=not lenient,
            id_column=responses.id_name,
            other_columns=[name for name in others if name != responses.id_name],
            source=str(data),
            answers_column=answers_column,
        )
    except ResponseDataError as error:
        _stop(responses, data, error, "use --lenient to leave rows with invalid answers out")
    try:
        built = build_norms(
            definition,
            result,
            {name: responses.columns[name] for name in group_by},
            group_by=group_by,
            age_bands=age_bands,
            source=source,
            year=year if year is not None else responses.columns["year"],
            version=new_version,
            min_size=min_size,
            warn_size=warn_size,
            smoothing=smoothing,  # type: ignore[arg-type]
        )
    except ResponseDataError as error:
        _stop(responses, data, error, "correct them or leave those rows out of the file")
    echo_problems(responses.table, result.problems)
    document = built.instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    write_atomically(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    written = load_instrument(out)
    if written.content_hash != built.instrument.content_hash:
        fail(f"{out}: the file written does not read back as the instrument built")
    _summary(built, data, out)


def _stop(responses: Responses, data: Path, error: ResponseDataError, advice: str) -> NoReturn:
    echo_problems(responses.table, error.problems)
    fail(f"{data}: {error.total} problem(s); nothing was written ({advice})")


def _summary(built: NormsBuild, data: Path, out: Path) -> None:
    instrument = built.instrument
    used = sum(group.rows for group in built.groups)
    click.echo(
        f"profdiag: {data}: {built.rows_in} rows, {used} used in {len(built.groups)} "
        f"norm group(s) -> {out} ({instrument.id} {instrument.version}, "
        f"{instrument.content_hash})",
        err=True,
    )
    for group in built.groups:
        sizes = sorted(set(group.scale_sizes.values()))
        per_scale = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]}-{sizes[-1]} per scale"
        years = f"{group.years[0]}" + (
            f"-{group.years[1]}" if group.years[1] != group.years[0] else ""
        )
        click.echo(
            f"profdiag:   {group.id}: {group.rows} rows, scores {per_scale}, {years}",
            err=True,
        )
    for reason, count in built.excluded.items():
        click.echo(f"profdiag: left out of every group, {reason}: {count} row(s)", err=True)
    for group_id, scales in built.scale_excluded.items():
        shown = ", ".join(f"{scale} {count}" for scale, count in scales.items())
        click.echo(
            f"profdiag: {group_id}: scores that do not meet the scale's missing-data rule, "
            f"left out of its table: {shown}",
            err=True,
        )
    for warning in built.warnings:
        click.echo(f"profdiag: warning: {warning}", err=True)
    if built.replaced_groups:
        click.echo(
            f"profdiag: the instrument's norm groups {', '.join(built.replaced_groups)} "
            "were replaced",
            err=True,
        )
