"""Commands that write PDF reports: report and demo."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from profdiag.cli._common import NORM_AGE_OPTIONS, options

if TYPE_CHECKING:
    import datetime

    from profdiag._profile.model import Profile

REPORT_OPTIONS = options(
    click.option(
        "--audience",
        type=click.Choice(["client", "counsellor", "both"]),
        default="both",
        show_default=True,
        help="The client/parent report, the counsellor report, or both.",
    ),
    click.option(
        "--lang",
        type=click.Choice(["ru", "en", "both"]),
        default="ru",
        show_default=True,
        help="Report language.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=None,
        help="Parallel rendering processes (default: one per core).",
    ),
)


@click.command()
@click.argument("profiles_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PDFs (one per respondent, audience and language).",
)
@REPORT_OPTIONS
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own template folder (client.html.j2, counsellor.html.j2); it runs in "
    "the same sandbox and may use the package's CSS and fonts only.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds one report may take before it is stopped (a runaway template).",
)
@click.option(
    "--date",
    default=None,
    help="A date to print on the reports (default: none, "
    "so that the same profile always gives the same PDF).",
)
@click.option(
    "--next-steps",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's next-steps file, replacing the steps stored in the profiles "
    "(docs/profiles.md).",
)
@NORM_AGE_OPTIONS
def report(
    profiles_file: Path,
    out: Path,
    audience: str,
    lang: str,
    workers: int | None,
    templates: Path | None,
    time_limit: float,
    date: str | None,
    next_steps: Path | None,
    norms_max_age: int,
    as_of: datetime.date,
) -> None:
    """Render PDF reports from PROFILES_FILE (the output of `profdiag profile`); the
    counsellor report warns about norms older than --norms-max-age years."""
    from profdiag._profile.files import read_profiles
    from profdiag._profile.next_steps import load_next_steps, with_next_steps

    profiles = read_profiles(profiles_file)
    if next_steps is not None:
        profiles = with_next_steps(profiles, load_next_steps(next_steps))
    render_reports(
        profiles,
        out,
        audience,
        lang,
        templates,
        date,
        workers,
        time_limit,
        as_of=as_of,
        norms_max_age=norms_max_age,
    )


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the sample profiles and PDFs.",
)
@REPORT_OPTIONS
def demo(out: Path, audience: str, lang: str, workers: int | None) -> None:
    """Score the bundled sample respondents on the bundled RIASEC-72 inventory and Klimov's
    ДДО, build their profiles and write PDF reports."""
    from profdiag._io.atomic import write_atomically
    from profdiag._profile.files import profiles_json
    from profdiag._report.demo import demo_profiles

    profiles = demo_profiles()
    make_folder(out)
    write_atomically(out / "profiles.json", profiles_json(profiles), follow_symlinks=False)
    render_reports(profiles, out, audience, lang, None, None, workers)


def make_folder(folder: Path) -> None:
    from profdiag._io.atomic import describe_os_error
    from profdiag.errors import OutputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the folder {folder}: {describe_os_error(error)}"
        ) from None


def render_reports(
    profiles: Sequence[Profile],
    out: Path,
    audience: str,
    lang: str,
    templates: Path | None,
    date: str | None,
    workers: int | None,
    time_limit: float = 10.0,
    *,
    as_of: datetime.date | None = None,
    norms_max_age: int = 10,
) -> None:
    from profdiag._report.render import ReportOptions, render_batch

    make_folder(out)
    audiences = ["client", "counsellor"] if audience == "both" else [audience]
    languages = ["ru", "en"] if lang == "both" else [lang]
    written = 0
    renamed: dict[int, tuple[str, str, int | None]] = {}
    for who in audiences:
        for language in languages:
            options = ReportOptions(
                audience=who,  # type: ignore[arg-type]
                language=language,  # type: ignore[arg-type]
                template_folder=templates,
                date=date,
                time_limit=time_limit,
                as_of=as_of,
                norms_max_age=norms_max_age,
            )
            for report in render_batch(profiles, out, options, workers=workers):
                written += 1
                if report.renamed:
                    renamed.setdefault(
                        report.index, (report.respondent, report.path.name, report.same_as)
                    )
    for index, (respondent, name, same_as) in sorted(renamed.items()):
        earlier = profiles[same_as].respondent if same_as is not None else "another profile"
        click.echo(
            f"profdiag: profile {index + 1} (id {respondent!r}) would have the same file "
            f"name as profile {(same_as or 0) + 1} (id {earlier!r}); written as {name}",
            err=True,
        )
    click.echo(f"profdiag: {written} PDF reports -> {out}", err=True)
