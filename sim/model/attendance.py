"""Client behaviour: whether a booked client comes, as a logistic model (domain.md section 2.4)."""

from __future__ import annotations

import math

from sim.config.schema import AttendanceConfig


def no_show_probability(
    attendance: AttendanceConfig,
    travel_min: float,
    has_car: bool,
    prior_no_shows: int,
    lead_days: int,
    hard_to_reach: bool = False,
) -> float:
    """P(no-show) = logistic(intercept + travel + prior no-shows + lead time + no car + hard to reach)."""
    if not attendance.enabled:
        return 0.0
    per_min = attendance.travel_per_min_car if has_car else attendance.travel_per_min_no_car
    logit = (
        attendance.intercept
        + per_min * travel_min
        + attendance.per_prior_no_show * prior_no_shows
        + (attendance.long_lead if lead_days > attendance.long_lead_days else 0.0)
        + (0.0 if has_car else attendance.no_car)
        + (attendance.hard_to_reach if hard_to_reach else 0.0)
    )
    return 1.0 / (1.0 + math.exp(-logit))
