"""Commands about definitions: instruments, describe, validate, schema, import-keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from profdiag.cli._common import NORM_AGE_OPTIONS, OVERLAY, load_definition, write_text_output
from profdiag.cli._errors import BAD_DATA, fail
from profdiag.errors import DocumentError


@click.command()
def instruments() -> None:
    """List the bundled instruments, one line each."""
    from profdiag._instrument import bundled_ids, load_bundled

    for instrument_id in bundled_ids():
        instrument = load_bundled(instrument_id)
        click.echo(
            f"{instrument.id}\t{instrument.version}\t{len(instrument.items)} items\t"
            f"{len(instrument.scales)} scales\t"
            f"{instrument.title.get('ru')} / {instrument.title.get('en')}"
        )


@click.command()
@click.argument("instrument")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@OVERLAY
@NORM_AGE_OPTIONS
def describe(
    instrument: str, lang: str, overlay: Path | None, norms_max_age: int, as_of: date
) -> None:
    """Print a readable summary of INSTRUMENT (a bundled id or a JSON file), with its norm
    groups and a warning for norms older than --norms-max-age years."""
    from profdiag._instrument.describe import describe_instrument

    definition = load_definition(instrument, overlay)
    click.echo(
        describe_instrument(
            definition,
            lang,  # type: ignore[arg-type]
            as_of=as_of,
            max_norm_age=norms_max_age,
        )
    )


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@OVERLAY
def validate(files: tuple[Path, ...], overlay: Path | None) -> None:
    """Check instrument definition FILES (and a text overlay against each of them); report
    every problem with its JSON path, or list the norm groups of a valid one."""
    from profdiag._instrument.describe import norm_group_lines

    failed = False
    for path in files:
        try:
            instrument = load_definition(path, overlay)
        except DocumentError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        texts = f", overlay {instrument.overlay_hash}" if instrument.overlay_hash else ""
        click.echo(
            f"{path}: ok ({instrument.id} {instrument.version}, {instrument.scoring_hash}{texts})"
        )
        if instrument.norms:
            click.echo(f"  {len(instrument.norms)} norm groups:")
            for line in norm_group_lines(instrument.norms, "en"):
                click.echo(line)
    if failed:
        raise SystemExit(BAD_DATA)


@click.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@click.option("--mapping", "of_mapping", is_flag=True, help="The schema of mapping files instead.")
def schema(out: Path | None, of_mapping: bool) -> None:
    """Print the JSON Schema of the instrument format (or of mapping files)."""
    from profdiag._instrument.schema import schema_text
    from profdiag._io.mapping import mapping_schema_text

    write_text_output(out, mapping_schema_text() if of_mapping else schema_text())


@click.command("import-keys")
@click.argument("keys_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--min", "minimum", type=int, required=True, help="Lowest answer code (psych min).")
@click.option("--max", "maximum", type=int, required=True, help="Highest answer code (psych max).")
@click.option(
    "--aggregate",
    type=click.Choice(["mean", "sum"]),
    default="mean",
    show_default=True,
    help="mean = psych's scores, sum = psych's totals = TRUE.",
)
@click.option(
    "--missing",
    type=click.Choice(["none", "mean", "median"]),
    default="none",
    show_default=True,
    help="psych's impute option.",
)
@click.option(
    "--impute-from",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Data (CSV/JSON) to compute the imputed item means/medians from.",
)
@click.option("--id", "instrument_id", default=None, help="Instrument id (default: file name).")
@click.option("--title", default=None, help="Instrument title.")
@click.option("--out", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
def import_keys(
    keys_file: Path,
    minimum: int,
    maximum: int,
    aggregate: str,
    missing: str,
    impute_from: Path | None,
    instrument_id: str | None,
    title: str | None,
    out: Path | None,
) -> None:
    """Turn a psych-style keys list (KEYS_FILE, JSON) into an instrument definition."""
    import json

    from profdiag._instrument.keys_import import MAX_CODES, instrument_from_keys
    from profdiag._instrument.loading import read_document
    from profdiag._io import read_table
    from profdiag.cli._common import refuse_overwriting_inputs

    if maximum <= minimum:
        raise click.BadParameter(f"{maximum} is not above --min {minimum}", param_hint="--max")
    if maximum - minimum > MAX_CODES:
        raise click.BadParameter(
            f"{maximum}: at most {MAX_CODES} answer codes above --min {minimum}",
            param_hint="--max",
        )
    if missing != "none" and impute_from is None:
        fail(f"--missing {missing} needs --impute-from DATA to compute the item {missing}s")
    refuse_overwriting_inputs(out, [keys_file, impute_from])
    keys = read_document(keys_file)
    sample = read_table(impute_from).columns if impute_from else None
    instrument = instrument_from_keys(
        keys,
        minimum=minimum,
        maximum=maximum,
        aggregation=aggregate,  # type: ignore[arg-type]
        missing=missing,  # type: ignore[arg-type]
        impute_sample=sample,
        instrument_id=instrument_id or _identifier(keys_file.stem),
        title=title or keys_file.stem,
        source=str(keys_file),
        sample_source=str(impute_from),
    )
    document = instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    write_text_output(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _identifier(stem: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem).strip("-._")
    return cleaned or "imported-keys"
