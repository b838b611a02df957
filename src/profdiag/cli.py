"""The `profdiag` command: parses arguments, calls the library, prints.

Exit codes: 0 success, 1 bad data (instrument, keys or responses; a report says what and
where), 2 usage error.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from profdiag.errors import (
    CellProblem,
    InstrumentError,
    ProfdiagError,
    ResponseDataError,
    show_value,
)

if TYPE_CHECKING:
    from profdiag.instrument import Instrument
    from profdiag.io import Table

F = TypeVar("F", bound=Callable[..., Any])
BAD_DATA = 1


def _reports_bad_data(command: F) -> F:
    """Turn profdiag's own errors into a readable report on stderr and exit code 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProfdiagError as error:
            click.echo(f"profdiag: {error}", err=True)
            sys.exit(BAD_DATA)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="profdiag")
def main() -> None:
    """Career-guidance diagnostics: instruments as data, vectorised scoring, norms."""


@main.command()
@_reports_bad_data
def instruments() -> None:
    """List the bundled instruments, one line each."""
    from profdiag.instrument import bundled_ids, load_bundled

    for instrument_id in bundled_ids():
        instrument = load_bundled(instrument_id)
        click.echo(
            f"{instrument.id}\t{instrument.version}\t{len(instrument.items)} items\t"
            f"{len(instrument.scales)} scales\t"
            f"{instrument.title.get('ru')} / {instrument.title.get('en')}"
        )


_OVERLAY = click.option(
    "--overlay",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text overlay file adding licensed item texts (see docs/instrument-format.md).",
)


def _load(instrument: str | Path, overlay: Path | None) -> Instrument:
    from profdiag.instrument import load_instrument
    from profdiag.instrument.overlay import apply_overlay, load_overlay

    definition = load_instrument(instrument)
    if overlay is None:
        return definition
    return apply_overlay(definition, load_overlay(overlay), source=str(overlay))


@main.command()
@click.argument("instrument")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@_OVERLAY
@_reports_bad_data
def describe(instrument: str, lang: str, overlay: Path | None) -> None:
    """Print a readable summary of INSTRUMENT (a bundled id or a JSON file)."""
    from profdiag.instrument.describe import describe_instrument

    click.echo(describe_instrument(_load(instrument, overlay), lang))  # type: ignore[arg-type]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_OVERLAY
def validate(files: tuple[Path, ...], overlay: Path | None) -> None:
    """Check instrument definition FILES (and a text overlay against each of them); report
    every problem with its JSON path."""
    failed = False
    for path in files:
        try:
            instrument = _load(path, overlay)
        except InstrumentError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        texts = f", overlay {instrument.overlay_hash}" if instrument.overlay_hash else ""
        click.echo(
            f"{path}: ok ({instrument.id} {instrument.version}, {instrument.scoring_hash}{texts})"
        )
    if failed:
        sys.exit(BAD_DATA)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the instrument format."""
    from profdiag.instrument.schema import schema_text

    text = schema_text()
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@main.command("import-keys")
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
@_reports_bad_data
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
    from profdiag.errors import DefinitionProblem
    from profdiag.instrument.keys_import import instrument_from_keys
    from profdiag.io import read_table

    try:
        keys = json.loads(keys_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstrumentError(
            str(keys_file),
            [
                DefinitionProblem(
                    "$", f"line {error.lineno}, column {error.colno}", f"valid JSON ({error.msg})"
                )
            ],
        ) from None
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
    )
    text = (
        json.dumps(
            instrument.model_dump(mode="json", by_alias=True, exclude_none=True),
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class _Responses:
    table: Table
    columns: dict[str, list[Any]]
    attributes: dict[str, list[Any]]
    id_name: str | None
    problems: list[CellProblem]


def _read_responses(
    definition: Instrument,
    data: Path,
    encoding: str,
    answers_column: str | None,
    id_column: str,
    lenient: bool,
) -> _Responses:
    """Read DATA; expand typed answer sheets; stop (exit 1) on their problems unless lenient."""
    from profdiag.io import read_table
    from profdiag.io.answer_strings import expand_answer_strings
    from profdiag.norms.selection import ATTRIBUTES

    table = read_table(data, encoding=encoding)
    columns: dict[str, list[Any]] = dict(table.columns)
    problems: list[CellProblem] = []
    if answers_column is not None:
        if answers_column not in columns:
            raise click.UsageError(f"{data} has no column {answers_column!r}")
        expanded, problems = expand_answer_strings(
            definition, columns.pop(answers_column), answers_column
        )
        columns.update(expanded)
    if problems and not lenient:
        _echo_problems(table, problems)
        click.echo(f"profdiag: {data}: nothing was written", err=True)
        sys.exit(BAD_DATA)
    attributes = {name: table.columns[name] for name in ATTRIBUTES if name in table.columns}
    id_name = id_column if id_column in table.columns else None
    return _Responses(table, columns, attributes, id_name, problems)


def _echo_problems(table: Table, problems: Sequence[CellProblem], limit: int = 50) -> None:
    for problem in problems[:limit]:
        click.echo(
            f"profdiag: {table.source}: {table.describe_row(problem.row)}, column "
            f"{problem.column!r}: got {show_value(problem.value)}; "
            f"expected {problem.expected}",
            err=True,
        )
    if len(problems) > limit:
        click.echo(f"profdiag: {table.source}: ... and {len(problems) - limit} more", err=True)


def _identifier(stem: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem).strip("-._")
    return cleaned or "imported-keys"


def _response_options(command: F) -> F:
    """Options shared by the commands that read response data (score, profile)."""
    options = [
        click.option(
            "--id-column",
            default="id",
            show_default=True,
            help="Column identifying respondents (used when present).",
        ),
        click.option(
            "--norm-group",
            default=None,
            help="Norm group id for every row (default: "
            "chosen per row from the sex, age and grade columns).",
        ),
        click.option(
            "--level",
            type=click.FloatRange(0.5, 0.999),
            default=0.90,
            show_default=True,
            help="Confidence level of T-score bands and leading-scale comparisons.",
        ),
        click.option(
            "--lenient", is_flag=True, help="Record invalid cells and go on, instead of stopping."
        ),
        click.option(
            "--encoding", default="utf-8-sig", show_default=True, help="Text encoding of DATA."
        ),
        click.option(
            "--answers-column",
            default=None,
            help="A column holding each respondent's answers as one string, e.g. "
            "'1а 2б 3а ...' (item numbers as on the sheet), instead of one column "
            "per item.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output file: .csv or .json (default: CSV to stdout).",
)
@_response_options
@_OVERLAY
@_reports_bad_data
def score(
    instrument: str,
    data: Path,
    out: Path | None,
    id_column: str,
    norm_group: str | None,
    level: float,
    lenient: bool,
    encoding: str,
    answers_column: str | None,
    overlay: Path | None,
) -> None:
    """Score DATA (CSV or JSON) on INSTRUMENT (a bundled id or a JSON file).

    Without --lenient any invalid cell or unknown column stops with a report and exit code 1,
    and nothing is written. With --lenient such cells count as unanswered, each is reported
    on stderr and the row's row_status is 'problems'.
    """
    from profdiag.io import score_table, write_table
    from profdiag.io.tables import collector_paused
    from profdiag.norms import standardize
    from profdiag.scoring import score as score_data
    from profdiag.scoring.timing import SECONDS_SUFFIX, speed_accuracy, timed_scales

    definition = _load(instrument, overlay)
    responses = _read_responses(definition, data, encoding, answers_column, id_column, lenient)
    table, columns, attributes = responses.table, responses.columns, responses.attributes
    id_name, sheet_problems = responses.id_name, responses.problems
    timed = timed_scales(definition)
    seconds = {
        scale_id: table.columns[scale_id + SECONDS_SUFFIX]
        for scale_id in timed
        if scale_id + SECONDS_SUFFIX in table.columns
    }
    try:
        result = score_data(
            definition,
            columns,
            strict=not lenient,
            id_column=id_name,
            other_columns=[*attributes, *(scale_id + SECONDS_SUFFIX for scale_id in seconds)],
            source=str(data),
        )
    except ResponseDataError as error:
        _echo_problems(table, error.problems)
        click.echo(
            f"profdiag: {data}: {len(error.problems)} problem(s); nothing was written "
            "(use --lenient to score the valid cells and flag the rest)",
            err=True,
        )
        sys.exit(BAD_DATA)
    if sheet_problems:
        flagged = result.row_has_problem.copy()
        flagged[[problem.row for problem in sheet_problems]] = True
        result = dataclasses.replace(
            result, problems=(*sheet_problems, *result.problems), row_has_problem=flagged
        )
    _echo_problems(table, result.problems)
    standard = standardize(
        definition, result, norm_group=norm_group, attributes=attributes, level=level
    )
    with collector_paused():
        header, table_columns = score_table(
            result,
            standard,
            id_name=id_name or "row",
            normed=bool(definition.norms),
            bands=any(scale.bands is not None for scale in definition.scales),
            timing=speed_accuracy(definition, result, seconds) if timed else None,
        )
        metadata = {
            "instrument": {
                "id": definition.id,
                "version": definition.version,
                "content_hash": result.instrument.content_hash,
                "overlay_hash": result.instrument.overlay_hash,
            },
            "confidence_level": level,
        }
        text = write_table(out, header, table_columns, metadata)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(
            f"profdiag: scored {len(result)} respondents on {definition.id} "
            f"{definition.version} -> {out}",
            err=True,
        )


@main.command()
@click.argument("instrument")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output JSON file (default: stdout).")
@_response_options
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
    "--top",
    type=click.IntRange(0, 500),
    default=10,
    show_default=True,
    help="How many matching occupations per profile.",
)
@click.option(
    "--validity",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON with validity thresholds, e.g. {"max_missing_share": 0.2} (docs/profiles.md).',
)
@_OVERLAY
@_reports_bad_data
def profile(
    instrument: str,
    data: Path,
    out: Path | None,
    id_column: str,
    norm_group: str | None,
    level: float,
    lenient: bool,
    encoding: str,
    answers_column: str | None,
    seconds_column: str | None,
    catalogue: Path | None,
    top: int,
    validity: Path | None,
    overlay: Path | None,
) -> None:
    """Build one profile per respondent of DATA on INSTRUMENT: scale results, type code,
    Holland indices, validity flags and matching occupations, as JSON."""
    from profdiag.instrument.loading import read_document, validate
    from profdiag.profile.build import ProfileInput, build_profiles
    from profdiag.profile.occupations import load_catalogue
    from profdiag.profile.validity import ValidityThresholds
    from profdiag.scoring.timing import SECONDS_SUFFIX, timed_scales

    definition = _load(instrument, overlay)
    thresholds = None
    if validity is not None:
        thresholds = validate(ValidityThresholds, read_document(validity), str(validity))
    responses = _read_responses(definition, data, encoding, answers_column, id_column, lenient)
    if seconds_column is not None and seconds_column not in responses.columns:
        raise click.UsageError(f"{data} has no column {seconds_column!r}")
    seconds = responses.columns.pop(seconds_column) if seconds_column else None
    subtest_seconds = {
        scale_id: responses.columns.pop(scale_id + SECONDS_SUFFIX)
        for scale_id in timed_scales(definition)
        if scale_id + SECONDS_SUFFIX in responses.columns
    }
    part = ProfileInput(
        definition,
        responses.columns,
        norm_group=norm_group,
        attributes=responses.attributes,
        total_seconds=seconds,
        subtest_seconds=subtest_seconds,
        id_column=responses.id_name,
    )
    try:
        profiles = build_profiles(
            [part],
            catalogue=load_catalogue(catalogue),
            top=top,
            level=level,
            strict=not lenient,
            thresholds=thresholds,
        )
    except ResponseDataError as error:
        _echo_problems(responses.table, error.problems)
        click.echo(f"profdiag: {data}: nothing was written (use --lenient to go on)", err=True)
        sys.exit(BAD_DATA)
    flagged = {problem.row for problem in responses.problems}
    _echo_problems(responses.table, responses.problems)
    documents = [item.model_dump(mode="json") for item in profiles]
    for row in flagged:
        for section in documents[row]["instruments"]:
            section["row_status"] = "problems"
    text = json.dumps({"profiles": documents}, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"profdiag: {len(profiles)} profiles -> {out}", err=True)


_AUDIENCE = click.option(
    "--audience",
    type=click.Choice(["client", "counsellor", "both"]),
    default="both",
    show_default=True,
    help="The client/parent report, the counsellor report, or both.",
)
_LANGUAGE = click.option(
    "--lang",
    type=click.Choice(["ru", "en", "both"]),
    default="ru",
    show_default=True,
    help="Report language.",
)


@main.command()
@click.argument("profiles_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PDFs (one per respondent, audience and language).",
)
@_AUDIENCE
@_LANGUAGE
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own template folder (client.html.j2, counsellor.html.j2); it runs in "
    "the same sandbox and may use the package's CSS and fonts only.",
)
@click.option(
    "--date",
    default=None,
    help="A date to print on the reports (default: none, "
    "so that the same profile always gives the same PDF).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel rendering processes (default: one per core).",
)
@_reports_bad_data
def report(
    profiles_file: Path,
    out: Path,
    audience: str,
    lang: str,
    templates: Path | None,
    date: str | None,
    workers: int | None,
) -> None:
    """Render PDF reports from PROFILES_FILE (the output of `profdiag profile`)."""
    from profdiag.profile.model import Profile

    document = json.loads(profiles_file.read_text(encoding="utf-8"))
    profiles = [Profile.model_validate(item) for item in document["profiles"]]
    _render_reports(profiles, out, audience, lang, templates, date, workers)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the sample profiles and PDFs.",
)
@_AUDIENCE
@_LANGUAGE
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel rendering processes (default: one per core).",
)
@_reports_bad_data
def demo(out: Path, audience: str, lang: str, workers: int | None) -> None:
    """Score the bundled sample respondents on the bundled RIASEC-72 inventory and Klimov's
    ДДО, build their profiles and write PDF reports."""
    from profdiag.report.demo import demo_profiles

    profiles = demo_profiles()
    out.mkdir(parents=True, exist_ok=True)
    documents = [profile.model_dump(mode="json") for profile in profiles]
    (out / "profiles.json").write_text(
        json.dumps({"profiles": documents}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    _render_reports(profiles, out, audience, lang, None, None, workers)


def _render_reports(
    profiles: Sequence[Any],
    out: Path,
    audience: str,
    lang: str,
    templates: Path | None,
    date: str | None,
    workers: int | None,
) -> None:
    from profdiag.report.render import ReportOptions, render_batch

    audiences = ["client", "counsellor"] if audience == "both" else [audience]
    languages = ["ru", "en"] if lang == "both" else [lang]
    written = 0
    for who in audiences:
        for language in languages:
            options = ReportOptions(
                audience=who,  # type: ignore[arg-type]
                language=language,  # type: ignore[arg-type]
                template_folder=templates,
                date=date,
            )
            written += len(render_batch(profiles, out, options, workers=workers))
    click.echo(f"profdiag: {written} PDF reports -> {out}", err=True)
