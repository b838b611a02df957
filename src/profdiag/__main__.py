"""`python -m profdiag`: the same as the `profdiag` command."""

from profdiag.cli import main

if __name__ == "__main__":
    main(prog_name="profdiag")
