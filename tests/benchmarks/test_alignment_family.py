"""The organically grown alignments of benchmarks/alignments.py (issue 22) at short time
limits: an instance with a stored witness (a checked feasible plan) is never called
impossible, and a plan found passes the checker with a bound at most the witness's
objective; the two instances built impossible are proven so, with the reps named."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from territory_opt.domain.checker import check_plan
from territory_opt.io.load import load_planning_data
from territory_opt.planning.infeasibility import PROVEN_FROM_INPUTS
from territory_opt.planning.result import SolveParams
from territory_opt.planning.solve import solve

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
#: the family's witnessed instances up to this size run here (the rest: the benchmark)
MAX_ACCOUNTS = 6000
TIME_LIMIT = 5.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def family() -> Iterator[dict[str, ModuleType]]:
    """The benchmark's generator, family and witness modules (benchmarks/ is not a package:
    its scripts import each other by name)."""
    pytest.importorskip("zipcodes")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import alignment_family
        import alignment_gen
        import alignment_witness
        yield {"family": alignment_family, "gen": alignment_gen, "witness": alignment_witness}
    finally:
        sys.path.remove(str(BENCHMARKS))


def _specs(feasible: bool) -> list[str]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from alignment_family import FAMILY, Spec
        from alignment_witness import witness_of
    finally:
        sys.path.remove(str(BENCHMARKS))
    small = [s for s in FAMILY if isinstance(s, Spec) and s.size <= MAX_ACCOUNTS]
    if feasible:
        return [s.name for s in small if witness_of(s.name) is not None]
    return [s.name for s in small if s.infeasible]


def _instance(family: dict[str, Any], name: str, cache: Path) -> Path:
    spec = next(s for s in family["family"].FAMILY if s.name == name)
    folder, _ = family["gen"].ensure(spec, cache)
    return Path(folder) / "scenario.yaml"


@pytest.mark.parametrize("name", _specs(feasible=True))
def test_a_witnessed_instance_is_never_called_impossible(
        family: dict[str, Any], name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    scenario = _instance(family, name, tmp_path_factory.getbasetemp() / "alignments")
    witness, stale = family["witness"].checked_witness(name, scenario)
    assert witness is not None, stale  # the stored plan is feasible on this instance
    data = load_planning_data(scenario)
    res = solve(data, SolveParams(time_limit=TIME_LIMIT, workers=1))
    assert res.status != "infeasible", res.reasons
    assert not any("proven" in r or "cannot all hold" in r for r in res.reasons), res.reasons
    if res.plan is not None:
        assert check_plan(data, res.plan.rep_id) == []
        assert res.bound <= witness * (1 + 1e-9) + 1e-6
    else:
        assert res.reasons  # never silent


@pytest.mark.parametrize("name", _specs(feasible=False))
def test_a_built_impossible_instance_is_proven_from_the_inputs(
        family: dict[str, Any], name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    scenario = _instance(family, name, tmp_path_factory.getbasetemp() / "alignments")
    res = solve(load_planning_data(scenario), SolveParams(time_limit=TIME_LIMIT, workers=1))
    assert res.status == "infeasible" and res.plan is None
    assert res.reasons[0] == PROVEN_FROM_INPUTS
    said = " ".join(res.reasons)
    assert "above its capacity" in said or "short by" in said, said
