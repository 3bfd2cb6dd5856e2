"""The assignment engine: a generalized assignment problem with balance and disruption side
constraints, solved by LP-guided construction, CP-SAT neighbourhood search and a Lagrangian
bound. It sees only arrays; :mod:`territory_opt.planning.problem` is the geographic adapter in
front of it."""

from territory_opt.engine.problem import AssignmentProblem, Evaluation, evaluate
from territory_opt.engine.search import EngineParams, EngineResult, solve_assignment

__all__ = [
    "AssignmentProblem",
    "EngineParams",
    "EngineResult",
    "Evaluation",
    "evaluate",
    "solve_assignment",
]
