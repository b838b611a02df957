"""The `profdiag` command: parses arguments, calls the library, prints.

Exit codes: 0 success, 1 bad data or a failure to finish (a report on stderr says what and
where), 2 usage error. No Python traceback reaches the user (set PROFDIAG_DEBUG=1 to see
one for an internal error).
"""

from profdiag.cli._main import main

__all__ = ["main"]
