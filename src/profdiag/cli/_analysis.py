"""`profdiag analyze`: reliability and item analysis of a response file."""

from __future__ import annotations

from pathlib import Path

import click

from profdiag.cli._common import (
    CONFIDENCE_LEVEL,
    OVERLAY,
    READING_OPTIONS,
    echo_problems,
    load_definition,
    read_responses,
    refuse_overwriting_inputs,
    require_column,
    write_text_output,
)
from profdiag.cli._errors import fail
from profdiag.errors import ResponseDataError


def table_paths(out: Path) -> dict[str, Path]:
    """The CSV tables written beside `out` (analysis.json -> analysis.scales.csv, ...)."""
    from profdiag._psychometrics.tables import TABLE_NAMES

    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".json" else out.name
    return {name: out.with_name(f"{stem}.{name}.csv") for name in TABLE_NAMES}


@click.command()
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output JSON file; CSV tables for spreadsheets are written beside it "
    "(NAME.scales.csv, NAME.items.csv, NAME.intercorrelations.csv). "
    "Default: the JSON to stdout, no tables.",
)
@READING_OPTIONS
@click.option(
    "--level",
    type=CONFIDENCE_LEVEL,
    default=0.95,
    show_default=True,
    help="Confidence level of the Feldt interval for alpha.",
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
    overlay: Path | None,
) -> None:
    """Item and scale analysis of DATA on INSTRUMENT, as R psych's alpha(): per scale
    alpha, standardised alpha, G6, average and median r, S/N, its standard error and
    Feldt interval, mean and sd; per item n, raw_r, std_r, r_cor, r_drop, mean, sd,
    alpha if dropped and response frequencies (multiple choice: difficulty and
    distractors); scale intercorrelations, raw and corrected for attenuation.

    Reads DATA as `score` does. Without --lenient any invalid cell stops with a report and
    nothing is written.
    """
    from profdiag._psychometrics import analyze as analyze_data
    from profdiag._scoring.timing import SECONDS_SUFFIX, timed_scales

    tables = table_paths(out) if out is not None else {}
    for path in (out, *tables.values()):
        refuse_overwriting_inputs(path, [data, overlay])
    definition = load_definition(instrument, overlay)
    responses = read_responses(
        data,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        items=list(definition.item_index),
    )
    require_column(responses, data, answers_column, "--answers-column")
    if responses.table.n_rows == 0:
        fail(f"{data}: no respondents (the file has a header only); nothing to analyse")
    seconds = [
        scale_id + SECONDS_SUFFIX
        for scale_id in timed_scales(definition)
        if scale_id + SECONDS_SUFFIX in responses.columns
    ]
    try:
        analysis = analyze_data(
            definition,
            responses.columns,
            strict=not lenient,
            id_column=responses.id_name,
            other_columns=[*responses.attributes, *seconds],
            source=str(data),
            answers_column=answers_column,
            level=level,
        )
    except ResponseDataError as error:
        echo_problems(responses.table, error.problems)
        fail(
            f"{data}: {error.total} problem(s); nothing was written "
            "(use --lenient to analyse the valid cells and count the rest as unanswered)"
        )
    echo_problems(responses.table, analysis.problems)
    text = analysis.to_json()
    if out is None:
        write_text_output(None, text)
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
