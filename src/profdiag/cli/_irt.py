"""`profdiag irt calibrate` and `profdiag irt theta`: item banks from data, theta from banks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from profdiag.cli._common import (
    READING_OPTIONS,
    echo_problems,
    load_definition,
    read_responses,
    refuse_overwriting_inputs,
    write_text_output,
)
from profdiag.cli._errors import fail
from profdiag.errors import ResponseDataError


@click.group()
def irt() -> None:
    """Item response theory: calibrate item banks, estimate theta."""


@irt.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--model",
    type=click.Choice(["2pl", "3pl", "grm"]),
    default="2pl",
    show_default=True,
    help="2pl/3pl for items scored right/wrong (two codes), grm for ordered categories.",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Item bank JSON.")
@click.option("--id-column", default="id", show_default=True, help="Respondent id column.")
@click.option("--items", default=None, help="Comma-separated item columns (default: all but id).")
@click.option("--bank-id", default="item-bank", show_default=True, help="The bank's id.")
@click.option("--title", default="Item bank", show_default=True, help="The bank's title.")
@click.option("--version", "bank_version", default="1.0.0", show_default=True)
@click.option(
    "--diagnostics",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write standard errors, item fit (S-X2), convergence and the test information "
    "function to this JSON file.",
)
@click.option("--max-cycles", type=click.IntRange(1, 100_000), default=2000, show_default=True)
@click.option("--tolerance", type=click.FloatRange(1e-10, 1.0), default=1e-5, show_default=True)
@click.option("--encoding", default="utf-8-sig", show_default=True, help="Text encoding of DATA.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "tsv", "parquet", "json"], case_sensitive=False),
    default=None,
    help="Format of DATA (default: from its extension).",
)
def calibrate(
    data: Path,
    model: str,
    out: Path,
    id_column: str,
    items: str | None,
    bank_id: str,
    title: str,
    bank_version: str,
    diagnostics: Path | None,
    max_cycles: int,
    tolerance: float,
    encoding: str,
    file_format: str | None,
) -> None:
    """Calibrate the item columns of DATA (numeric codes, empty = no answer) by marginal
    maximum likelihood (Bock-Aitkin EM, theta ~ N(0, 1), 61 quadrature points) and write
    the item bank as an instrument definition whose items carry their IRT parameters."""
    import warnings

    from profdiag._irt.api import calibrate as calibrate_data

    for path in (out, diagnostics):
        refuse_overwriting_inputs(path, [data])
    if diagnostics is not None and diagnostics.resolve() == out.resolve():
        raise click.BadParameter(
            f"{diagnostics} is also the bank's --out; give the diagnostics another file",
            param_hint="--diagnostics",
        )
    responses = read_responses(
        data, encoding=encoding, delimiter=None, id_column=id_column, file_format=file_format
    )
    names = [name.strip() for name in items.split(",")] if items else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            calibration = calibrate_data(
                responses.columns,
                model,  # type: ignore[arg-type]
                items=names,
                id_column=responses.id_name,
                tolerance=tolerance,
                max_cycles=max_cycles,
                source=str(data),
            )
        except ResponseDataError as error:
            echo_problems(responses.table, error.problems)
            fail(f"{data}: {error.total} problem(s); nothing was written")
    for warning in caught:
        click.echo(f"profdiag: warning: {warning.message}", err=True)
    definition = calibration.to_definition(
        bank_id, title, version=bank_version, citation=f"Calibrated from {data.name}"
    )
    from profdiag._instrument.loading import parse_instrument
    from profdiag._io.atomic import write_atomically

    text = json.dumps(definition, ensure_ascii=False, indent=1) + "\n"
    parse_instrument(text, source=str(out))  # what is written must load back
    if diagnostics is not None:
        write_atomically(diagnostics, json.dumps(diagnostics_document(calibration), indent=1))
    write_atomically(out, text)
    misfit = [
        item_id
        for item_id, fit in zip(calibration.item_ids, calibration.item_fit, strict=True)
        if fit is not None and fit.p_value < 0.01
    ]
    click.echo(
        f"profdiag: calibrated {len(calibration.item_ids)} items ({model}) on "
        f"{calibration.n_persons} respondents in {calibration.cycles} EM cycles "
        f"({'converged' if calibration.converged else 'NOT converged'}); log-likelihood "
        f"{calibration.log_likelihood:.3f} -> {out}"
        + (f"; S-X2 p < 0.01 for {', '.join(misfit)}" if misfit else ""),
        err=True,
    )


def diagnostics_document(calibration: Any) -> dict[str, Any]:
    grid = [x / 2 for x in range(-8, 9)]
    information = calibration.information(grid)
    items: dict[str, Any] = {}
    for item_id, item, errors, fit in zip(
        calibration.item_ids,
        calibration.bank.items,
        calibration.standard_errors,
        calibration.item_fit,
        strict=True,
    ):
        labels = ["a", *(f"b{k + 1}" for k in range(len(item.b)))]
        labels += ["c"] if calibration.model == "3pl" else []
        items[item_id] = {
            "parameters": dict(zip(labels, map(float, item.as_vector()), strict=True)),
            "standard_errors": {
                label: _number(value) for label, value in zip(labels, errors, strict=True)
            },
            "s_x2": None
            if fit is None
            else {"statistic": fit.statistic, "df": fit.df, "p_value": fit.p_value},
        }
    return {
        "model": calibration.model,
        "n_persons": calibration.n_persons,
        "log_likelihood": calibration.log_likelihood,
        "aic": calibration.aic,
        "bic": calibration.bic,
        "cycles": calibration.cycles,
        "converged": calibration.converged,
        "max_change": calibration.max_change,
        "quadrature_points": calibration.quadrature_points,
        "items": items,
        "test_information": {"theta": grid, "information": [float(v) for v in information]},
    }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@irt.command()
@click.argument("bank")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["eap", "map"]), default="eap", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output table (.csv, .parquet or .json); default CSV to stdout.",
)
@READING_OPTIONS
def theta(
    bank: str,
    data: Path,
    method: str,
    out: Path | None,
    id_column: str,
    lenient: bool,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    answers_column: str | None,
) -> None:
    """Theta (EAP or MAP) with its standard error, T = 50 + 10 theta and the number of
    items answered, for every respondent of DATA on the item bank BANK."""
    import numpy as np

    from profdiag._io import write_table
    from profdiag._io.tables import output_format
    from profdiag._irt.api import score_theta

    refuse_overwriting_inputs(out, [data, Path(bank)])
    output_format(out)
    definition = load_definition(bank)
    responses = read_responses(
        data, encoding=encoding, delimiter=delimiter, id_column=id_column, file_format=file_format
    )
    try:
        scores = score_theta(
            definition,
            responses.columns,
            method,  # type: ignore[arg-type]
            id_column=responses.id_name,
            strict=not lenient,
            source=str(data),
        )
    except ResponseDataError as error:
        echo_problems(responses.table, error.problems)
        fail(f"{data}: {error.total} problem(s); nothing was written (use --lenient)")
    ids = np.asarray(scores.row_ids, dtype=object)
    header = ["id", "theta", "se", "t", "n_answered"]
    columns = [
        ids,
        scores.theta,
        scores.standard_error,
        50.0 + 10.0 * scores.theta,
        scores.n_answered,
    ]
    metadata = {"instrument": definition.id, "version": definition.version, "method": method}
    text = write_table(out, header, columns, metadata)
    if text is not None:
        write_text_output(None, text)
