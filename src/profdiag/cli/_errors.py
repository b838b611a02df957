"""How failures reach a command-line user: one message on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from profdiag.errors import ProfdiagError

SUCCESS = 0
BAD_DATA = 1  # the data, a definition or an output could not be used; nothing half-written
USAGE = 2  # the command line itself is wrong (click uses 2 for its own usage errors)
INTERRUPTED = 130


class ErrorReportingGroup(click.Group):
    """A command group whose commands never end in a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ProfdiagError as error:
            fail(str(error))
        except BrokenPipeError:
            # The reader of our stdout went away (`profdiag score ... | head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(BAD_DATA)
        except KeyboardInterrupt:
            click.echo("profdiag: interrupted; nothing more was written", err=True)
            sys.exit(INTERRUPTED)
        except MemoryError:
            fail("not enough memory to finish; nothing more was written")
        except RecursionError:
            fail("the input is nested too deeply to process")
        except Exception as error:
            if os.environ.get("PROFDIAG_DEBUG"):
                raise
            fail(
                f"internal error ({type(error).__name__}: {error}). This is a bug in profdiag; "
                "please report it with the command you ran (PROFDIAG_DEBUG=1 shows details)"
            )


def fail(message: str, code: int = BAD_DATA) -> NoReturn:
    click.echo(f"profdiag: {message}", err=True)
    sys.exit(code)
