"""`python -m profdiag` runs the command line."""

from profdiag.cli import main

main()
