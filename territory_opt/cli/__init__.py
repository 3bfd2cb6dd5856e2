"""The command line (click): each command parses its options, calls one library function of
:mod:`territory_opt.application` and prints; library errors become exit codes."""

from territory_opt.cli.main import main

__all__ = ["main"]
