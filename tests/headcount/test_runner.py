"""Running headcount options (``headcount.runner.compare_options``) on local processes and on
a Dask cluster: the same table either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from territory_opt.headcount.options import OptionTask
from territory_opt.headcount.runner import compare_options, sweep_tasks
from territory_opt.headcount.sweep_file import parse_sweep
from territory_opt.io.load import load_planning_data
from tests.helpers import equator_accounts, simple_scenario, two_reps


def _three_options(write_case: Callable[..., Path], tmp_path: Path) -> list[OptionTask]:
    acc = equator_accounts([0, 0.2, 0.5, 1, 1.2, 3, 3.1], potential=[10, 20, 30, 40, 50, 60,
                                                                      70])
    data = load_planning_data(write_case(acc, two_reps(capacity_hours=[60, 60]),
                                         simple_scenario()))
    sweep = parse_sweep({"ranges": {"farmer": [1, 3]}}, base_dir=tmp_path)
    return sweep_tasks(data, sweep, time_limit=5)


def _table(tasks: list[OptionTask], **kwargs: Any) -> pd.DataFrame:
    return compare_options(tasks, title="t", **kwargs).table


@pytest.mark.slow
def test_dask_cluster_gives_the_same_table_as_local_processes(
        write_case: Callable[..., Path], tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    tasks = _three_options(write_case, tmp_path)
    local = _table(tasks, workers=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        remote = _table(tasks, scheduler=cluster.scheduler_address)  # as --scheduler does
    serial = _table(tasks, workers=1)
    pd.testing.assert_frame_equal(local, remote)
    pd.testing.assert_frame_equal(local, serial)
    assert local["farmer"].tolist() == [1, 2, 3]
    assert local["cost"].is_monotonic_increasing or local["cost"].isna().all()
