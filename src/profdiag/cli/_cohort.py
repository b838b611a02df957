"""The cohort command: group tables with disclosure control, as CSV and a PDF report."""

from __future__ import annotations

from pathlib import Path

import click

from profdiag.cli._common import (
    READING_OPTIONS,
    echo_problems,
    extra_columns,
    load_definition,
    read_instrument_responses,
    refuse_overwriting_inputs,
    require_column,
    shown_names,
)
from profdiag.cli._errors import USAGE, fail
from profdiag.errors import ResponseDataError


def _names(_: click.Context, __: click.Parameter, value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("name at least one column, e.g. --by municipality,school")
    return names


@click.command()
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by",
    required=True,
    callback=_names,
    help="Columns whose values make the groups, comma-separated (e.g. municipality,school).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for cohort.csv and cohort.pdf (created if missing).",
)
@click.option(
    "--min-cell",
    type=int,
    default=5,
    show_default=True,
    help="k: no published count lies between 1 and k-1; groups under k merge into 'other' "
    "(at least 3).",
)
@click.option(
    "--year-column",
    default="year",
    show_default=True,
    help="Column of survey years (used when present): groups are crossed with years and "
    "each share or mean shows its change from the previous year.",
)
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of cohort.pdf.",
)
@click.option("--title", default=None, help="Title of the report (e.g. the region's name).")
@click.option("--no-pdf", is_flag=True, help="Write cohort.csv only.")
@click.option(
    "--allow-identifiers",
    is_flag=True,
    help="Run although DATA has columns that look like direct identifiers (names, birth "
    "dates, phones); they are never read into the output.",
)
@READING_OPTIONS
def cohort(
    instrument: str,
    data: Path,
    by: list[str],
    out: Path,
    min_cell: int,
    year_column: str,
    lang: str,
    title: str | None,
    no_pdf: bool,
    allow_identifiers: bool,
    id_column: str,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
) -> None:
    """Tables of a cohort by group and year, with small counts suppressed (docs/cohort.md).

    Per group of the --by columns (crossed with the year, when DATA has a year column) and
    overall: the distribution of each nominal and multiple-select answer, of the leading
    type or Holland code letter, and the mean and SD of each scale. Writes OUT/cohort.csv
    and OUT/cohort.pdf. No published count lies between 1 and k-1 (--min-cell).
    """
    from profdiag._cohort import cohort_tables
    from profdiag._io.atomic import write_atomically
    from profdiag._privacy.identifiers import looks_like_direct_identifier
    from profdiag._scoring import score as score_data

    if min_cell < 3:
        fail(
            f"--min-cell {min_cell}: at least 3; a smaller k would publish counts of one or "
            "two pupils",
            USAGE,
        )
    identifying = [name for name in by if looks_like_direct_identifier(name)]
    if identifying:
        fail(
            f"--by {shown_names(identifying)}: looks like a direct identifier of a person; "
            "cohort tables never group by one",
            USAGE,
        )
    for name in ("cohort.csv", "cohort.pdf"):
        refuse_overwriting_inputs(out / name, [data, Path(instrument)])
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
    for name in by:
        require_column(responses, data, name, "--by")
    flagged = [name for name in responses.columns if looks_like_direct_identifier(name)]
    if flagged and not allow_identifiers:
        fail(
            f"{data}: column(s) {shown_names(flagged)} look like direct identifiers of "
            "pupils; remove them (profdiag pseudonymise) or pass --allow-identifiers "
            "(they are never read into the tables)"
        )
    other = [*responses.attributes, *extra_columns(responses, definition, [])]
    if answers_column:
        other.remove(answers_column)
    try:
        result = score_data(
            definition,
            responses.columns,
            strict=not lenient,
            id_column=responses.id_name,
            other_columns=other,
            source=str(data),
            answers_column=answers_column,
        )
    except ResponseDataError as error:
        echo_problems(responses.table, error.problems)
        fail(f"{data}: {error.total} problem(s); nothing was written (see --lenient)")
    if result.problems:
        echo_problems(responses.table, result.problems)
    tables = cohort_tables(
        definition,
        result,
        responses.columns,
        by=by,
        year_column=year_column,
        min_cell=min_cell,
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"--out {out}: cannot create the folder ({error.strerror})")
    write_atomically(out / "cohort.csv", tables.to_csv())
    written = [out / "cohort.csv"]
    if not no_pdf:
        from profdiag._cohort.report import cohort_pdf

        write_atomically(
            out / "cohort.pdf",
            cohort_pdf(tables, definition, language="en" if lang == "en" else "ru", title=title),
        )
        written.append(out / "cohort.pdf")
    click.echo(
        f"profdiag: {len(result)} respondent(s), {len(tables.rows)} table row(s); wrote "
        + ", ".join(map(str, written)),
        err=True,
    )
