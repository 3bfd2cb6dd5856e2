"""Where independent tasks run: here, on local processes, or on a Dask distributed cluster
(``pip install "territory_opt[dask]"``; the workers need territory_opt installed).

`compare` sends whole headcount options as tasks; `run` sends the account blocks of one plan's
candidate pairs and bound (candidates.py).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from territory_opt.domain.errors import InputError


@contextmanager
def open_executor(workers: int = 1, scheduler: str | None = None) -> Iterator[Executor | None]:
    """None (run here) for one worker, local processes for more (a fork server that has
    imported the package), Dask for a scheduler address."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--scheduler needs Dask distributed: pip install "
                             "'territory_opt[dask]'", column="--scheduler") from None
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {err}",
                             column="--scheduler") from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
    elif workers > 1:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["territory_opt"])
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            yield pool
    else:
        yield None
