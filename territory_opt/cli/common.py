"""What every command shares: exit codes for library errors, checked option values (the
scenario's own limits), terminal-safe echo, and the progress line."""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from territory_opt.domain.errors import InfeasibleError, InputError, printable
from territory_opt.domain.scenario import MAX_SEED, MAX_TIME_LIMIT_S
from territory_opt.engine.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3


def fail(message: str, code: int) -> None:
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(code)


def say(message: str, *, err: bool = False, nl: bool = True) -> None:
    """Echo with control characters escaped (paths and names may come from input files)."""
    click.echo(printable(message), err=err, nl=nl)


class FiniteFloat(click.ParamType):
    """A finite number within [low, high] (``low_open``: above ``low``); nan, inf, 0 or a
    negative value where they make no sense exit 2 like a bad scenario value."""

    name = "number"

    def __init__(self, low: float, high: float = math.inf, *, low_open: bool = False) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{printable(repr(value))} is not a number", param, ctx)
        above = number > self.low if self.low_open else number >= self.low
        if not (math.isfinite(number) and above and number <= self.high):
            rel = ">" if self.low_open else ">="
            high = "" if self.high == math.inf else f" and <= {self.high:g}"
            self.fail(f"{printable(repr(value))} must be a finite number {rel} {self.low:g}"
                      f"{high}", param, ctx)
        return number


#: --time-limit: seconds, finite, above 0, at most the scenario's limit
SECONDS = FiniteFloat(0, MAX_TIME_LIMIT_S, low_open=True)
#: --seed: CP-SAT's random_seed is a 32-bit int
SEED = click.IntRange(0, MAX_SEED)


def force_option(func: F) -> F:
    """``--force``: replace a non-empty output territory_opt did not write."""
    return click.option("--force", is_flag=True,
                        help="Replace an existing output that territory_opt did not write "
                             "(never an input).")(func)  # type: ignore[return-value]


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
