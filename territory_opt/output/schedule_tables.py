"""The tables of a schedule folder, built from a :class:`ScheduleResult`: the stops, the day
loads, the touches that do not fit, the overloaded weeks and the travel calibration."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from territory_opt.schedule.calibration import team_visits_per_trip
from territory_opt.schedule.types import VISIT, ScheduleResult

#: weekday names of the day table
_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def clock(minutes: float) -> str:
    """``HH:MM`` of minutes after midnight (rounded to the minute)."""
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def stops_table(result: ScheduleResult) -> pd.DataFrame:
    """``schedule.csv``: one row per touch and per way home, by rep, date and order."""
    rows = [{"rep_id": s.rep_id, "date": s.date.isoformat(),
             "week": (s.date - result.calendar.start).days // 7 + 1,
             "order": s.order, "account_id": s.account_id, "name": s.name, "tier": s.tier,
             "channel": s.channel, "arrival": clock(s.arrival), "start": clock(s.start),
             "departure": clock(s.departure), "drive_minutes": round(s.drive_minutes, 1),
             "km": round(s.km, 1)}
            for r in result.reps for s in r.stops]
    columns = ["rep_id", "date", "week", "order", "account_id", "name", "tier", "channel",
               "arrival", "start", "departure", "drive_minutes", "km"]
    return pd.DataFrame(rows, columns=columns)


def days_table(result: ScheduleResult) -> pd.DataFrame:
    """``days.csv``: every open day of every rep with its load."""
    rows = [{"rep_id": d.rep_id, "date": d.date.isoformat(), "week": d.week + 1,
             "weekday": _WEEKDAY[d.date.weekday()], "visits": d.visits, "remote": d.remote,
             "leave": clock(d.leave) if d.visits else "",
             "back": clock(d.back) if d.visits else "", "end": clock(d.end),
             "drive_minutes": round(d.drive_minutes, 1), "km": round(d.km, 1),
             "visit_minutes": round(d.visit_minutes, 1),
             "remote_minutes": round(d.remote_minutes, 1),
             "wait_minutes": round(d.wait_minutes, 1),
             "work_hours": round(d.work_minutes / 60, 3),
             "limit_hours": round(d.limit_minutes / 60, 3),
             "over_hours": round(d.over_minutes / 60, 3)}
            for r in result.reps for d in r.days]
    columns = ["rep_id", "date", "week", "weekday", "visits", "remote", "leave", "back", "end",
               "drive_minutes", "km", "visit_minutes", "remote_minutes", "wait_minutes",
               "work_hours", "limit_hours", "over_hours"]
    return pd.DataFrame(rows, columns=columns)


def unfit_table(result: ScheduleResult) -> pd.DataFrame:
    """``not_fitting.csv``: every touch due that no day holds, with the reason."""
    rows = [{"rep_id": u.rep_id, "account_id": u.account_id, "name": u.name, "tier": u.tier,
             "channel": u.channel, "date": u.date.isoformat() if u.date else "",
             "week": "" if u.week is None else str(u.week + 1), "minutes": u.minutes,
             "reason": u.reason}
            for u in result.unfit]
    columns = ["rep_id", "account_id", "name", "tier", "channel", "date", "week", "minutes",
               "reason"]
    return pd.DataFrame(rows, columns=columns)


def overloads_table(result: ScheduleResult) -> pd.DataFrame:
    """``overloads.csv``: per rep and week what does not fit: visits taken off days that ran
    over, remote touches with no room, and the hours over (the days' excess before visits came
    off, plus the remote minutes left out); then one row per rep (week empty) for visits no
    day can hold at all, whose hours over are how far each alone overruns a day."""
    cal = result.calendar
    acc: dict[tuple[str, int | None], dict[str, float]] = defaultdict(
        lambda: {"visits": 0, "remote": 0, "hours_over": 0.0})
    for r in result.reps:
        for d in r.days:
            if d.over_minutes > 0:
                acc[(r.rep_id, d.week)]["hours_over"] += d.over_minutes / 60
        for u in r.unfit:
            cell = acc[(r.rep_id, u.week)]
            if u.channel == VISIT:
                cell["visits"] += 1
                cell["hours_over"] += u.over_minutes / 60
            else:
                cell["remote"] += 1
                cell["hours_over"] += u.minutes / 60
    rows = []
    order = {r.rep_id: i for i, r in enumerate(result.reps)}
    for (rep, week), cell in sorted(acc.items(), key=lambda kv: (order[kv[0][0]],
                                                                  kv[0][1] is None,
                                                                  kv[0][1] or 0)):
        if not (cell["visits"] or cell["remote"] or cell["hours_over"] > 0):
            continue
        rows.append({"rep_id": rep, "week": "" if week is None else str(week + 1),
                     "week_start": "" if week is None else cal.week_start(week).isoformat(),
                     "visits_not_fitting": int(cell["visits"]),
                     "remote_not_fitting": int(cell["remote"]),
                     "hours_over": round(cell["hours_over"], 2)})
    columns = ["rep_id", "week", "week_start", "visits_not_fitting", "remote_not_fitting",
               "hours_over"]
    return pd.DataFrame(rows, columns=columns)


def calibration_table(result: ScheduleResult) -> pd.DataFrame:
    """``calibration.csv``: per rep routed drive hours against SPEC §5 for the same visits."""
    rows = []
    for r in result.reps:
        c = r.calibration
        vpt = c.visits_per_trip
        rows.append({"rep_id": c.rep_id, "role": c.role, "visits": c.visits,
                     "routed_hours": round(c.routed_hours, 3), "routed_km": round(c.routed_km, 1),
                     "round_trip_hours": round(c.round_trip_hours, 3),
                     "modelled_hours": round(c.modelled_hours, 3),
                     "routed_vs_modelled": (round(c.routed_hours / c.modelled_hours, 4)
                                            if c.modelled_hours > 0 else None),
                     "visits_per_trip_fit": None if vpt is None else round(vpt, 4)})
    columns = ["rep_id", "role", "visits", "routed_hours", "routed_km", "round_trip_hours",
               "modelled_hours", "routed_vs_modelled", "visits_per_trip_fit"]
    return pd.DataFrame(rows, columns=columns)


def calibration_document(result: ScheduleResult) -> dict[str, Any]:
    """``calibration.json``: the team's value (read by ``visits_per_trip: calibrated``), per
    role, and the hours behind them."""
    cals = [r.calibration for r in result.reps]
    team = team_visits_per_trip(cals)
    roles = sorted({c.role for c in cals})
    per_role = {role: team_visits_per_trip([c for c in cals if c.role == role]) for role in roles}

    def num(x: float | None, digits: int = 4) -> float | None:
        return None if x is None else round(x, digits)

    return {
        "tool": "territory_opt", "kind": "calibration", "scenario": result.scenario,
        "visits_per_trip": num(team),
        "per_role": {k: num(v) for k, v in per_role.items()},
        "scenario_visits_per_trip": result.visits_per_trip,
        "weeks": result.calendar.weeks, "start": result.calendar.start.isoformat(),
        "reps": len(cals), "visits": sum(c.visits for c in cals),
        "routed_hours": num(sum(c.routed_hours for c in cals), 3),
        "round_trip_hours": num(sum(c.round_trip_hours for c in cals), 3),
        "modelled_hours": num(sum(c.modelled_hours for c in cals), 3),
        "note": ("visits_per_trip = round_trip_hours / routed_hours: the value at which SPEC §5 "
                 "(a round trip from home per visit, divided by visits_per_trip) equals the "
                 "drive time of the scheduled routes, on the same distances"),
    }
