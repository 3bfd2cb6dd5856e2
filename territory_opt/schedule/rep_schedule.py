"""One rep's schedule: the routing problem solved, too-long days repaired, the days laid
out, the travel calibrated. A top-level function of picklable data, so reps run on worker
processes side by side."""

from __future__ import annotations

import time

from territory_opt.routing import PvrpParams, solve_pvrp
from territory_opt.schedule.calibration import rep_calibration
from territory_opt.schedule.day_plan import lay_out
from territory_opt.schedule.rep_problem import rep_problem
from territory_opt.schedule.repair import repair
from territory_opt.schedule.types import TIER_RANK, RepSchedule, RepTask, Unfit

#: the wall clock a rep's search may take beyond its budget, as a multiple of the budget
CLOCK_FACTOR, CLOCK_SLACK_S = 3.0, 10.0


def schedule_rep(task: RepTask) -> RepSchedule:
    """The schedule of one rep."""
    start, cpu = time.perf_counter(), time.process_time()
    prob = rep_problem(task)
    inst = prob.instance
    params = PvrpParams(work=task.search_s, seed=task.seed,
                        time_limit=CLOCK_FACTOR * task.search_s + CLOCK_SLACK_S)
    result = solve_pvrp(inst, params)
    fixed = repair(inst, result.solution.routes,
                   rank=lambda c: TIER_RANK.get(prob.streams[c].tier, -1))
    stops, days, remote_unfit = lay_out(task, prob, fixed.routes, fixed.over_minutes)
    cal = task.calendar
    over_unfit = [Unfit(task.rep_id, prob.streams[c].account_id, prob.streams[c].name,
                        prob.streams[c].tier, prob.streams[c].channel, cal.dates[d],
                        cal.week(d), prob.streams[c].minutes,
                        f"the day's visits and driving ran {fixed.over_minutes[d] / 60:.1f} h "
                        f"over its {task.day_minutes / 60:g} h")
                  for c, d in fixed.removed]
    home_km = {s.account_id: float(prob.km[0, i + 1]) for i, s in enumerate(prob.streams)}
    return RepSchedule(
        rep_id=task.rep_id, role=task.role, name=task.name, stops=tuple(stops),
        days=tuple(days), unfit=(*prob.unfit, *over_unfit, *remote_unfit),
        calibration=rep_calibration(task, stops, home_km),
        visits_due=sum(s.count for s in task.visits),
        remote_due=sum(s.count for s in task.remote),
        seconds=time.perf_counter() - start, clock_stopped=result.clock_stopped,
        routes_within_limits=result.solution.feasible,
        cpu_seconds=time.process_time() - cpu)
