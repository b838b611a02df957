"""Commands for research exports under 152-ФЗ: keygen and pseudonymise."""

from __future__ import annotations

from pathlib import Path

import click

from profdiag.cli._common import (
    MAX_PROBLEMS_SHOWN,
    _check_encoding,
    refuse_overwriting_inputs,
    shown_names,
)
from profdiag.cli._errors import fail
from profdiag.errors import show_value


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The key file to create (never replaced; mode 0600).",
)
def keygen(out: Path) -> None:
    """Write a new random 256-bit pseudonymisation key to a new file readable by you only.

    Keep the key apart from the data it pseudonymises (another medium, another custodian):
    whoever holds both can re-identify every pupil. Use the same key every year for
    pseudonyms that link across years.
    """
    from profdiag._privacy import generate_key

    written = generate_key(out)
    click.echo(
        f"profdiag: wrote a new key to {written} (mode 0600); keep it apart from the data", err=True
    )


def _names(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> list[str]:
    """Repeated options and comma-separated lists alike."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _rules(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    rules: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            column, sign, rule = part.partition("=")
            if not sign or not column.strip() or not rule.strip():
                raise click.BadParameter(
                    f"{part!r}: expected COLUMN=RULE, e.g. birth_date=year or age=band"
                )
            rules[column.strip()] = rule.strip()
    return rules


@click.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The key file (from profdiag keygen).",
)
@click.option("--id-column", required=True, help="The column of ids to replace by pseudonyms.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv, .tsv, .parquet or .json.",
)
@click.option(
    "--drop",
    multiple=True,
    callback=_names,
    help="Columns to leave out (comma-separated or repeated), besides those named like "
    "direct identifiers (ФИО, name, birth_date, телефон, email, СНИЛС, ...).",
)
@click.option(
    "--keep",
    multiple=True,
    callback=_names,
    help="Columns to keep although their names look like direct identifiers.",
)
@click.option(
    "--coarsen",
    multiple=True,
    callback=_rules,
    help="COLUMN=RULE: birth_date=year (a date to its year), age=band (5-year bands) or "
    "age=band:W (bands of W years).",
)
@click.option(
    "--length",
    type=click.IntRange(12, 64),
    default=16,
    show_default=True,
    help="Hexadecimal digits kept of each pseudonym.",
)
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    callback=_check_encoding,
    help="Text encoding of DATA (e.g. cp1251).",
)
@click.option("--delimiter", default=None, help="CSV delimiter (default: detected).")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "tsv", "parquet", "json"], case_sensitive=False),
    default=None,
    help="Format of DATA (default: from its extension).",
)
def pseudonymise(
    data: Path,
    key_file: Path,
    id_column: str,
    out: Path,
    drop: list[str],
    keep: list[str],
    coarsen: dict[str, str],
    length: int,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
) -> None:
    """Write a pseudonymised copy of DATA: ids replaced by keyed HMAC-SHA256 pseudonyms,
    direct identifiers dropped, quasi-identifiers coarsened on request.

    Ids are trimmed of surrounding spaces (case is kept); the same id and key give the
    same pseudonym every year. A column named like a direct identifier is dropped (or kept
    with --keep); one that only looks like one (parent_phone, student_name) stops the
    command until it is named in --drop or --keep. Rows in = rows out. The output is
    pseudonymised, not anonymous: see docs/privacy.md.
    """
    from profdiag._privacy import pseudonymise as run
    from profdiag._privacy.export import IdentifierColumnsError
    from profdiag.errors import ResponseDataError

    refuse_overwriting_inputs(out, [data, key_file])
    try:
        result = run(
            data,
            key_file,
            id_column,
            out,
            drop=drop,
            keep=keep,
            coarsen=coarsen,
            length=length,
            file_format=file_format,
            encoding=encoding,
            delimiter=delimiter,
        )
    except IdentifierColumnsError as error:
        names = ",".join(error.columns)
        fail(
            f"{data}: column(s) {shown_names(list(error.columns))} look like direct "
            "identifiers of a person; nothing was written. Leave them out with "
            f"--drop {names}, or carry them over with --keep {names} if they identify no one"
        )
    except ResponseDataError as error:
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(
                f"profdiag: {data}: data row {problem.row + 1}, column {problem.column!r}: "
                f"got {show_value(problem.value)}; expected {problem.expected}",
                err=True,
            )
        fail(f"{data}: {error.total} problem(s); nothing was written")
    notes = [f"{result.n_rows} row(s) written to {out}"]
    if result.dropped:
        notes.append(f"dropped {shown_names(list(result.dropped))}")
    if result.coarsened:
        notes.append(f"coarsened {shown_names(list(result.coarsened))}")
    if result.kept_identifiers:
        notes.append(f"kept as asked {shown_names(list(result.kept_identifiers))}")
    if result.empty_ids:
        notes.append(f"{result.empty_ids} row(s) without an id left without a pseudonym")
    click.echo("profdiag: " + "; ".join(notes), err=True)
