"""Commands that read response data: score and profile."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from profdiag.cli._common import (
    OVERLAY,
    RESPONSE_OPTIONS,
    Responses,
    echo_problems,
    extra_columns,
    load_definition,
    read_instrument_responses,
    reading_option,
    refuse_column_clashes,
    refuse_overwriting_inputs,
    require_column,
    score_metadata,
    shown_names,
    write_text_output,
)
from profdiag.cli._errors import fail
from profdiag.errors import ResponseDataError

_NO_ITEM_COLUMN = "a column for this item"
_DATA = click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _stop_on_problems(
    responses: Responses, data: Path, error: ResponseDataError, n_items: int
) -> None:
    missing = [p for p in error.problems if p.row < 0 and p.expected.startswith(_NO_ITEM_COLUMN)]
    if n_items > 1 and len(missing) == n_items:
        # Not one item column: say so in one line rather than list every item.
        shown = ", ".join(list(responses.columns)[:8])
        more = " ..." if len(responses.columns) > 8 else ""
        fail(
            f"{data}: none of the instrument's {len(missing)} item columns was found "
            f"(the file's columns: {shown}{more}). Is it the right instrument, or does the "
            "file need --delimiter, --encoding or --answers-column?"
        )
    echo_problems(responses.table, error.problems)
    fail(
        f"{data}: {error.total} problem(s); nothing was written "
        "(use --lenient to score the valid cells and flag the rest)"
    )


@click.command()
@click.argument("instrument")
@_DATA
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output file: .csv, .parquet or .json (default: CSV to stdout).",
)
@RESPONSE_OPTIONS
@click.option(
    "--drop-extra",
    is_flag=True,
    help="Leave out of the output the columns that are not items, the id or attributes "
    "(by default they are carried beside the scores).",
)
@click.option(
    "--quiet", is_flag=True, help="No progress bar (shown on a terminal for large files)."
)
@OVERLAY
@click.option(
    "--dask-scheduler",
    metavar="ADDRESS",
    help="Score on a Dask cluster (tcp://host:port): raw scores only, written to --out as "
    "a folder of Parquet files (docs/scaling.md).",
)
def score(
    instrument: str,
    data: Path,
    out: Path | None,
    id_column: str,
    norm_group: str | None,
    level: float,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
    drop_extra: bool,
    quiet: bool,
    overlay: Path | None,
    dask_scheduler: str | None,
) -> None:
    """Score DATA (CSV, TSV, Parquet or JSON) on INSTRUMENT (a bundled id or a JSON file).

    Columns that are not items, the id or respondent attributes (school, grade, dates) are
    carried into the output beside the scores, or left out with --drop-extra. Without
    --lenient any invalid cell or missing item column stops with a report and exit code 1,
    and nothing is written. With --lenient such cells count as unanswered, each is reported
    on stderr and the row's row_status is 'problems'.
    """
    from profdiag._io import score_table, write_table
    from profdiag._io.score_table import categorical_columns
    from profdiag._io.tables import collector_paused, output_format
    from profdiag._norms import standardize
    from profdiag._scoring import score as score_data
    from profdiag._scoring.timing import SECONDS_SUFFIX, speed_accuracy, timed_scales
    from profdiag.cli._streaming import batched_input, score_in_batches

    refuse_overwriting_inputs(out, [data, overlay])
    if dask_scheduler is None:
        output_format(out)  # before any scoring: a wrong extension is known now
    definition = load_definition(instrument, overlay)
    if dask_scheduler is not None:
        from profdiag.cli._dask import score_on_cluster

        return score_on_cluster(
            definition,
            data,
            out,
            dask_scheduler,
            id_column=id_column,
            lenient=lenient,
            file_format=file_format,
            answers_column=answers_column,
        )
    batched = (
        None
        if reading_option("mapping") is not None  # a mapping recodes the whole table
        else batched_input(
            data, out, encoding=encoding, delimiter=delimiter, file_format=file_format
        )
    )
    if batched is not None:  # a large file to a file: read, scored and written in batches
        assert out is not None
        with contextlib.closing(batched):
            score_in_batches(
                batched,
                definition,
                data=data,
                out=out,
                id_column=id_column,
                norm_group=norm_group,
                level=level,
                lenient=lenient,
                answers_column=answers_column,
                drop_extra=drop_extra,
                quiet=quiet,
            )
        return
    responses = read_instrument_responses(
        data,
        definition,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        answers_column=answers_column,
    )
    timed = timed_scales(definition)
    seconds = {
        scale_id: responses.columns[scale_id + SECONDS_SUFFIX]
        for scale_id in timed
        if scale_id + SECONDS_SUFFIX in responses.columns
    }
    extra = extra_columns(
        responses,
        definition,
        [*([answers_column] if answers_column else []), *(s + SECONDS_SUFFIX for s in seconds)],
    )
    if extra:
        what = "left out (--drop-extra)" if drop_extra else "carried into the output"
        click.echo(
            f"profdiag: {data}: {len(extra)} column(s) that are not items of {definition.id}, "
            f"the id or attributes, {what}: {shown_names(extra)}",
            err=True,
        )
    if responses.table.n_rows == 0:
        click.echo(f"profdiag: {data}: no respondents (the file has a header only)", err=True)
    try:
        result = score_data(
            definition,
            responses.columns,
            strict=not lenient,
            id_column=responses.id_name,
            other_columns=[
                *responses.attributes,
                *(scale_id + SECONDS_SUFFIX for scale_id in seconds),
                *extra,
            ],
            source=str(data),
            answers_column=answers_column,
            allow_empty=True,
        )
        normed = bool(definition.norms)
        bands = any(scale.bands is not None for scale in definition.scales)
        standard = (
            standardize(
                definition,
                result,
                norm_group=norm_group,
                attributes=responses.attributes,
                level=level,
            )
            if normed or bands or norm_group is not None
            else None  # nothing to standardise: the output has no such columns
        )
    except ResponseDataError as error:
        _stop_on_problems(responses, data, error, len(definition.items))
    echo_problems(responses.table, result.problems)
    for item_id in definition.item_index:  # scored: their memory can hold the output
        responses.columns.pop(item_id, None)
    with collector_paused():
        header, columns = score_table(
            result,
            standard,
            id_name=responses.id_name or "row",
            normed=normed,
            bands=bands,
            timing=speed_accuracy(definition, result, seconds) if timed else None,
            extra=[
                *([] if drop_extra else [(name, responses.columns[name]) for name in extra]),
                *categorical_columns(result),
            ],
        )
        refuse_column_clashes(data, header)
        text = write_table(out, header, columns, score_metadata(definition, result, level))
    if text is not None:
        write_text_output(None, text)
    else:
        click.echo(
            f"profdiag: scored {len(result)} respondents on {definition.id} "
            f"{definition.version} -> {out}",
            err=True,
        )


@click.command()
@click.argument("instrument")
@_DATA
@click.option("--out", type=click.Path(path_type=Path), help="Output JSON file (default: stdout).")
@RESPONSE_OPTIONS
@click.option(
    "--seconds-column",
    default=None,
    help="A column with each respondent's total answering time in seconds.",
)
@click.option(
    "--catalogue",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's occupation catalogue (default: the bundled one).",
)
@click.option(
    "--demand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's demand flags (format profdiag-demand/1) instead of the bundled "
    "Tyumen ones; the catalogue itself is not touched.",
)
@click.option(
    "--top",
    type=click.IntRange(0, 500),
    default=10,
    show_default=True,
    help="How many matching occupations per profile.",
)
@click.option(
    "--stage",
    type=click.Choice(["grade9", "grade11", "adult_without_profession", "adult_with_profession"]),
    default=None,
    help="The respondents' stage of education: each occupation then shows the route that "
    "suits it (college after grade 9, university after grade 11, short courses for adults).",
)
@click.option(
    "--validity",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON with validity thresholds, e.g. {"max_missing_share": 0.2} (docs/profiles.md).',
)
@click.option(
    "--name-column",
    default=None,
    help="A column with each person's name, printed on the reports (personal data: never "
    "in messages or file names).",
)
@click.option(
    "--given-name-column",
    default=None,
    help="A column with the name the client report greets the person by (e.g. a pupil's "
    "first name).",
)
@click.option(
    "--date-column",
    default=None,
    help="A column with each person's date of testing (2025-03-14 or 14.03.2025); it wins "
    "over the date in --session.",
)
@click.option(
    "--session",
    "session_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON with the session\'s facts for every row: {"date": "2025-03-14", "counsellor": '
    '"...", "organisation": "...", "contacts": "..."} (docs/profiles.md).',
)
@click.option(
    "--next-steps",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's next-steps file (default: the bundled Tyumen one; docs/profiles.md).",
)
@OVERLAY
def profile(
    instrument: str,
    data: Path,
    out: Path | None,
    id_column: str,
    norm_group: str | None,
    level: float,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
    seconds_column: str | None,
    catalogue: Path | None,
    demand: Path | None,
    top: int,
    stage: str | None,
    validity: Path | None,
    name_column: str | None,
    given_name_column: str | None,
    date_column: str | None,
    session_file: Path | None,
    next_steps: Path | None,
    overlay: Path | None,
) -> None:
    """Build one profile per respondent of DATA on INSTRUMENT: scale results, type code,
    Holland indices, validity flags and matching occupations, as JSON.

    An "age" column (completed years), with --stage, decides whom the reports speak to:
    a minor and their parents, or an adult."""
    from profdiag._instrument.loading import read_document, validate
    from profdiag._profile.build import ProfileInput, build_profiles, sessions_per_row
    from profdiag._profile.files import profiles_json
    from profdiag._profile.model import Session
    from profdiag._profile.next_steps import load_next_steps
    from profdiag._profile.occupations import load_catalogue
    from profdiag._profile.validity import ValidityThresholds
    from profdiag._scoring.timing import SECONDS_SUFFIX, timed_scales

    refuse_overwriting_inputs(
        out, [data, overlay, catalogue, demand, validity, session_file, next_steps]
    )
    definition = load_definition(instrument, overlay)
    thresholds = None
    if validity is not None:
        thresholds = validate(ValidityThresholds, read_document(validity), str(validity))
    session = None
    if session_file is not None:
        session = validate(Session, read_document(session_file), str(session_file))
    steps = load_next_steps(next_steps)
    occupations = load_catalogue(catalogue, demand=demand if demand is not None else True)
    responses = read_instrument_responses(
        data,
        definition,
        encoding=encoding,
        delimiter=delimiter,
        id_column=id_column,
        file_format=file_format,
        answers_column=answers_column,
    )
    person_columns = {
        "--seconds-column": seconds_column,
        "--name-column": name_column,
        "--given-name-column": given_name_column,
        "--date-column": date_column,
    }
    for option, column in person_columns.items():
        require_column(responses, data, column, option)
        if column is not None and column in definition.item_index:
            raise click.BadParameter(
                f"{column!r} is an item of {definition.id}, not a column of "
                + ("times" if option == "--seconds-column" else "its own"),
                param_hint=option,
            )
    if responses.table.n_rows == 0:
        click.echo(f"profdiag: {data}: no respondents (the file has a header only)", err=True)
        write_text_output(out, profiles_json([]))
        return
    subtest_seconds = {
        scale_id: responses.columns[scale_id + SECONDS_SUFFIX]
        for scale_id in timed_scales(definition)
        if scale_id + SECONDS_SUFFIX in responses.columns
    }
    used = [
        *([answers_column] if answers_column else []),
        *([seconds_column] if seconds_column else []),
        *(scale_id + SECONDS_SUFFIX for scale_id in subtest_seconds),
    ]
    extra = extra_columns(responses, definition, used)
    if extra:
        click.echo(
            f"profdiag: {data}: {len(extra)} column(s) that are not items of {definition.id}, "
            f"the id or attributes, not used: {shown_names(extra)}",
            err=True,
        )
    part = ProfileInput(
        definition,
        responses.columns,
        norm_group=norm_group,
        attributes=responses.attributes,
        total_seconds=responses.columns[seconds_column] if seconds_column else None,
        seconds_column=seconds_column or "seconds",
        subtest_seconds=subtest_seconds,
        id_column=responses.id_name,
        other_columns=[
            *dict.fromkeys(column for column in person_columns.values() if column),
            *(scale_id + SECONDS_SUFFIX for scale_id in subtest_seconds),
            *extra,
        ],
        answers_column=answers_column,
    )
    n_rows = responses.table.n_rows
    try:
        profiles = build_profiles(
            [part],
            catalogue=occupations,
            top=top,
            level=level,
            strict=not lenient,
            thresholds=thresholds,
            stage=stage,
            names=responses.columns[name_column] if name_column else None,
            given_names=responses.columns[given_name_column] if given_name_column else None,
            sessions=sessions_per_row(
                session,
                responses.columns[date_column] if date_column else None,
                n_rows,
                column=date_column or "date",
            ),
            next_steps=steps,
        )
    except ResponseDataError as error:
        _stop_on_problems(responses, data, error, len(definition.items))
    write_text_output(out, profiles_json(profiles))
    if out is not None:
        click.echo(f"profdiag: {len(profiles)} profiles -> {out}", err=True)
