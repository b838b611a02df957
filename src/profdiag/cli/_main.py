"""The `profdiag` command group: one place that lists every command."""

from __future__ import annotations

import click

from profdiag.cli._analysis import analyze
from profdiag.cli._cat import cat
from profdiag.cli._cohort import cohort
from profdiag.cli._errors import ErrorReportingGroup
from profdiag.cli._instruments import describe, import_keys, instruments, schema, validate
from profdiag.cli._irt import irt
from profdiag.cli._kiosk import kiosk
from profdiag.cli._norms import norms
from profdiag.cli._privacy import keygen, pseudonymise
from profdiag.cli._reports import demo, report
from profdiag.cli._scoring import profile, score


@click.group(cls=ErrorReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="profdiag")
def main() -> None:
    """Career-guidance diagnostics: instruments as data, vectorised scoring, norms."""


for command in (
    instruments,
    describe,
    validate,
    schema,
    import_keys,
    score,
    profile,
    analyze,
    cohort,
    norms,
    report,
    demo,
    irt,
    cat,
    keygen,
    pseudonymise,
    kiosk,
):
    main.add_command(command)
