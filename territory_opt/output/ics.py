"""One iCalendar file per rep (RFC 5545, written with the ``icalendar`` library): an event per
visit and per phone, video or email touch, so the schedule lands in Outlook, Google or Apple
Calendar. With ``schedule.timezone`` the times carry that zone (and its VTIMEZONE); without
it they are floating local times, read in the calendar's own zone."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import icalendar

from territory_opt.schedule.types import HOME, VISIT, RepSchedule, Stop

PRODID = "-//territory_opt//schedule//EN"
#: what an event's title says per channel
SUBJECTS = {VISIT: "Visit", "phone": "Call", "video": "Video call", "email": "Email"}


def event_title(stop: Stop) -> str:
    """``Visit: Acme Corp`` (the account id when the account has no name)."""
    kind = SUBJECTS.get(stop.channel, stop.channel.capitalize())
    return f"{kind}: {stop.name or stop.account_id}"


def at(day: dt.date, minutes: float, zone: ZoneInfo | None) -> dt.datetime:
    """The datetime ``minutes`` after midnight of ``day`` (to the minute)."""
    m = int(round(minutes))
    return dt.datetime.combine(day, dt.time(m // 60, m % 60), tzinfo=zone)


def rep_calendar(rep: RepSchedule, timezone: str | None, stamp: dt.datetime) -> bytes:
    """The .ics text of one rep's schedule; ``stamp`` is every event's DTSTAMP (UTC)."""
    zone = ZoneInfo(timezone) if timezone else None
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Visits of {rep.name or rep.rep_id}")
    for stop in rep.stops:
        if stop.channel == HOME:
            continue
        event = icalendar.Event()
        key = f"{rep.rep_id}|{stop.date}|{stop.order}|{stop.account_id}|{stop.channel}"
        event.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@territory-opt")
        event.add("dtstamp", stamp)
        event.add("dtstart", at(stop.date, stop.start, zone))
        event.add("dtend", at(stop.date, stop.departure, zone))
        event.add("summary", event_title(stop))
        lines = [f"Account {stop.account_id}, tier {stop.tier}"]
        if stop.channel == VISIT:
            lines.append(f"Stop {stop.order} of the day; {stop.drive_minutes:.0f} min "
                         f"({stop.km:.1f} km) from the previous stop")
        event.add("description", "\n".join(lines))
        event.add("categories", [stop.channel])
        cal.add_component(event)
    if zone is not None:
        cal.add_missing_timezones()
    return bytes(cal.to_ical())
