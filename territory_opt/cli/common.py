"""What every command shares: exit codes for library errors, and the progress line."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from territory_opt.domain.errors import InfeasibleError, InputError
from territory_opt.engine.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3


def fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def domain_errors(func: F) -> F:
    """Turn InputError into exit 2 and InfeasibleError into exit 3, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            fail(str(err), EXIT_INPUT)
        except InfeasibleError as err:
            fail(str(err), EXIT_INFEASIBLE)

    return wrapper  # type: ignore[return-value]


def progress_printer(quiet: bool) -> Callable[[Progress], None] | None:
    """A progress line on stderr, redrawn at most once a second (None when quiet)."""
    if quiet:
        return None
    last = [0.0]

    def show(p: Progress) -> None:
        if p.elapsed - last[0] < 1.0:
            return
        last[0] = p.elapsed
        obj = "—" if p.objective is None else f"{p.objective:,.1f}"
        gap = ""
        if p.objective and p.bound is not None and p.violation == 0:
            gap = f"  gap {(p.objective - p.bound) / max(abs(p.objective), 1e-9):.2%}"
        viol = f"  violation {p.violation:,.0f}" if p.violation else ""
        bound = "—" if p.bound is None else f"{p.bound:,.1f}"
        click.echo(f"\r[{p.elapsed:6.1f}s] {p.phase:8s} objective {obj}  bound "
                   f"{bound}{gap}{viol}      ", nl=False, err=True)

    return show
