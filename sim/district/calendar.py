"""Time: minutes from Monday 00:00 of the start date; working days, public holidays, session calendars.

Day 0 is `start_date` (a Monday). Working days are Monday to Friday except the public holidays of
the district's federal state (the `holidays` package), on which no session is held and staff are off.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from sim.config.schema import WEEKDAYS, CalendarConfig

MINUTES_PER_DAY = 24 * 60


def clock_minutes(text: str) -> int:
    """Minutes after midnight of a time 'HH:MM'; ValueError if it is not one."""
    hours, minutes = text.split(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= MINUTES_PER_DAY):
        raise ValueError(text)
    return value


def clock_text(minutes: float) -> str:
    """'HH:MM' of minutes after midnight (rounded to the minute)."""
    minutes = round(minutes)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def public_holidays(state: str, start_date: str, days: int) -> frozenset[int]:
    """The days in [0, days) that are public holidays in the federal state (ISO 3166-2 code without DE-)."""
    start = date.fromisoformat(start_date)
    years = range(start.year, (start + timedelta(days=days)).year + 1)
    calendar = holidays.Germany(subdiv=state, years=years)
    return frozenset((holiday - start).days for holiday in calendar if 0 <= (holiday - start).days < days)


def is_working_day(day: int, holidays_off: frozenset[int] = frozenset()) -> bool:
    """Monday to Friday and not a public holiday; day 0 is a Monday."""
    return day % 7 < 5 and day not in holidays_off


def session_days(
    calendar: CalendarConfig, first_day: int, last_day: int, holidays_off: frozenset[int] = frozenset()
) -> list[int]:
    """The days in [first_day, last_day) on which a site holds a session (none on a public holiday)."""
    weekdays = {WEEKDAYS.index(name) for name in calendar.weekdays}
    return [
        day
        for day in range(first_day, last_day)
        if day % 7 in weekdays and (day // 7) % calendar.every_weeks == calendar.week_offset and day not in holidays_off
    ]


def sessions_per_month(calendar: CalendarConfig) -> float:
    """How many sessions the calendar holds in an average month."""
    if calendar.always_open:
        return float("inf")
    return len(calendar.weekdays) / calendar.every_weeks * 52.0 / 12.0


def describe(calendar: CalendarConfig) -> str:
    """A calendar in words, e.g. 'wed every 2 week(s), 09:00-15:00'."""
    if calendar.always_open:
        return "always open"
    return f"{'/'.join(calendar.weekdays)} every {calendar.every_weeks} week(s), {calendar.start}-{calendar.end}"
