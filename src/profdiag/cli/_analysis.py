"""`profdiag analyze`: reliability and item analysis of a response file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from profdiag.cli._common import (
    CONFIDENCE_LEVEL,
    OVERLAY,
    READING_OPTIONS,
    echo_problems,
    extra_columns,
    load_definition,
    read_instrument_responses,
    refuse_overwriting_inputs,
    require_column,
    shown_names,
    write_text_output,
)
from profdiag.cli._errors import USAGE, fail
from profdiag.errors import ArgumentError, ResponseDataError

if TYPE_CHECKING:
    from profdiag._psychometrics.dif import DifAnalysis


def table_paths(out: Path, dif: bool = False) -> dict[str, Path]:
    """The CSV tables written beside `out` (analysis.json -> analysis.scales.csv, ...)."""
    from profdiag._psychometrics.tables import DIF_TABLE, TABLE_NAMES

    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".json" else out.name
    names = (*TABLE_NAMES, DIF_TABLE) if dif else TABLE_NAMES
    return {name: out.with_name(f"{stem}.{name}.csv") for name in names}


@click.command()
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output JSON file; CSV tables for spreadsheets are written beside it "
    "(NAME.scales.csv, NAME.items.csv, NAME.intercorrelations.csv; with --dif-by also "
    "NAME.dif.csv). Default: the JSON to stdout, no tables.",
)
@READING_OPTIONS
@click.option(
    "--level",
    type=CONFIDENCE_LEVEL,
    default=0.95,
    show_default=True,
    help="Confidence level of the Feldt interval for alpha.",
)
@click.option(
    "--dif-by",
    default=None,
    metavar="COLUMN",
    help="Screen items for differential item functioning between the groups of this "
    "column (e.g. sex, language version): Mantel-Haenszel with ETS A/B/C classes for "
    "dichotomous items, Liu-Agresti and SMD with AA/BB/CC for polytomous ones, matched "
    "on the rest score of each scale.",
)
@click.option(
    "--dif-reference",
    default=None,
    metavar="VALUE",
    help="The reference group of --dif-by (required with more than two groups: each "
    "other group is compared with it; default with two: the larger group).",
)
@OVERLAY
def analyze(
    instrument: str,
    data: Path,
    out: Path | None,
    id_column: str,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
    level: float,
    dif_by: str | None,
    dif_reference: str | None,
    overlay: Path | None,
) -> None:
    """Item and scale analysis of DATA on INSTRUMENT, as R psych's alpha(): per scale
    alpha, standardised alpha, G6, average and median r, S/N, its standard error and
    Feldt interval, mean and sd; per item n, raw_r, std_r, r_cor, r_drop, mean, sd,
    alpha if dropped and response frequencies (multiple choice: difficulty and
    distractors); scale intercorrelations, raw and corrected for attenuation.

    With --dif-by, each item is also screened for differential item functioning between
    groups of respondents (docs/analysis.md); the summary names the items in classes B/C
    (BB/CC).

    Reads DATA as `score` does. Without --lenient any invalid cell stops with a report and
    nothing is written.
    """
    from profdiag._psychometrics import analyze as analyze_data
    from profdiag._scoring.timing import SECONDS_SUFFIX, timed_scales

    if dif_reference is not None and dif_by is None:
        raise click.BadParameter("needs --dif-by", param_hint="--dif-reference")
    tables = table_paths(out, dif_by is not None) if out is not None else {}
    for path in (out, *tables.values()):
        refuse_overwriting_inputs(path, [data, overlay])
    definition = load_definition(instrument, overlay)
    responses = read_instrument_responses(
        data,
        definition,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        answers_column=answers_column,
    )
    require_column(responses, data, dif_by, "--dif-by")
    if responses.table.n_rows == 0:
        fail(f"{data}: no respondents (the file has a header only); nothing to analyse")
    seconds = [
        scale_id + SECONDS_SUFFIX
        for scale_id in timed_scales(definition)
        if scale_id + SECONDS_SUFFIX in responses.columns
    ]
    used = [*([answers_column] if answers_column else []), *seconds]
    ignored = extra_columns(responses, definition, used)
    if ignored:
        shown = shown_names([name for name in ignored if name != dif_by])
        if shown:
            click.echo(
                f"profdiag: {data}: column(s) that are not items of {definition.id}, the id or "
                f"attributes, not analysed: {shown}",
                err=True,
            )
    try:
        analysis = analyze_data(
            definition,
            responses.columns,
            strict=not lenient,
            id_column=responses.id_name,
            other_columns=[*responses.attributes, *seconds, *ignored],
            source=str(data),
            answers_column=answers_column,
            level=level,
            dif_by=dif_by,
            dif_reference=dif_reference,
        )
    except ResponseDataError as error:
        echo_problems(responses.table, error.problems)
        fail(
            f"{data}: {error.total} problem(s); nothing was written "
            "(use --lenient to analyse the valid cells and count the rest as unanswered)"
        )
    except ArgumentError as error:
        if dif_by is None:
            raise
        hint = " (--dif-reference VALUE)" if "name the reference group" in str(error) else ""
        fail(f"{data}: --dif-by {dif_by}: {error}{hint}; nothing was written", USAGE)
    echo_problems(responses.table, analysis.problems)
    text = analysis.to_json()
    if out is None:
        write_text_output(None, text)
        if analysis.dif is not None:
            echo_dif_summary(analysis.dif)
        return
    from profdiag._io.atomic import write_atomically

    for name, csv_text in analysis.csv_tables().items():
        write_atomically(tables[name], csv_text)
    write_atomically(out, text)  # last: a fresh JSON means its tables are complete
    click.echo(
        f"profdiag: analysed {analysis.n_respondents} respondents on {len(analysis.scales)} "
        f"scales of {definition.id} {definition.version} -> {out} "
        f"(tables: {', '.join(path.name for path in tables.values())})",
        err=True,
    )
    if analysis.dif is not None:
        echo_dif_summary(analysis.dif)


def echo_dif_summary(dif: DifAnalysis) -> None:
    """One line per comparison: how many items in each class; then the flagged items."""
    for comparison in dif.comparisons:
        classes: dict[str, int] = {}
        for scale in comparison.scales:
            for item in scale.items:
                key = item.dif_class or "not computable"
                classes[key] = classes.get(key, 0) + 1
        shown = ", ".join(f"{name}: {count}" for name, count in sorted(classes.items()))
        flagged = comparison.flagged()
        click.echo(
            f"profdiag: DIF by {dif.by}, focal {comparison.focal!r} vs reference "
            f"{comparison.reference!r}: {len(flagged)} item(s) in B/C ({shown})",
            err=True,
        )
        for scale_id, item in flagged:
            size = (
                f"MH D-DIF {item['mh_d_dif']:.2f}"
                if item.kind == "dichotomous"
                else f"SMD/SD {item['smd_over_sd']:.2f}"
            )
            click.echo(
                f"profdiag:   {scale_id} {item.item_id}: {item.dif_class}, {size}, "
                f"favours the {item.favours} group",
                err=True,
            )
