"""The Salesforce ``Event`` import file of a schedule: one row per visit and remote touch, in
the layout Data Loader (Insert, object Event) and ``sf data import bulk`` take.

Columns: ``OwnerId`` (the rep's ``crm_user_id``, else the rep_id), ``WhatId`` (the account's
id: a Salesforce Account Id when the accounts came from Salesforce), ``Subject``,
``StartDateTime``, ``EndDateTime``. With ``schedule.timezone`` the times carry their UTC
offset (``2026-01-05T08:00:00-05:00``); without it they are local times, which Data Loader
reads in the time zone of its settings. Cells follow the rule of every CSV the tool writes
(formulas neutralised)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from territory_opt.output.ics import at, event_title
from territory_opt.schedule.types import HOME, ScheduleResult

EVENT_COLUMNS = ("OwnerId", "WhatId", "Subject", "StartDateTime", "EndDateTime")


def event_table(result: ScheduleResult, owner_ids: dict[str, str]) -> pd.DataFrame:
    """The Event rows; ``owner_ids`` maps a rep_id to its CRM user id."""
    zone = ZoneInfo(result.timezone) if result.timezone else None
    rows = []
    for rep in result.reps:
        owner = owner_ids.get(rep.rep_id) or rep.rep_id
        for s in rep.stops:
            if s.channel == HOME:
                continue
            rows.append({"OwnerId": owner, "WhatId": s.account_id, "Subject": event_title(s),
                         "StartDateTime": at(s.date, s.start, zone).isoformat(),
                         "EndDateTime": at(s.date, s.departure, zone).isoformat()})
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
