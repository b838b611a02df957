"""`python -m profdiag`: the same as the `profdiag` command."""

from profdiag.cli import main

main(prog_name="profdiag")
