"""What the KPIs in a results folder measure: their unit, and which ones the report leads with."""

import re

COMPARISON_KPIS = (
    "attendance_rate",
    "wait_days_mean",
    "onsite_wait_min_mean",
    "coverage_30min",
    "reach",
    "counsellor_utilisation",
    "counsellor_travel_hours",
)
ANSWER_KPIS = ("attendance_rate", "wait_days_mean", "coverage_30min", "counsellor_travel_hours")
SITE_USE_KPIS = ("sessions_held", "kept_per_session", "attendance_rate", "nearly_empty_sessions")

SHARE_NAMES = {"reach", "nearly_empty_sessions"}
COVERAGE_PATTERN = re.compile(r"coverage_\d+min")


def unit_of(kpi: str) -> str:
    """Return the unit of a KPI from its name: share, days, minutes, hours, km, euro or count."""
    if kpi in SHARE_NAMES or kpi.endswith(("_rate", "_share", "_utilisation")) or COVERAGE_PATTERN.fullmatch(kpi):
        return "share"
    if kpi.startswith("wait_days"):
        return "days"
    if kpi.endswith("_min") or "_min_" in kpi:
        return "minutes"
    if kpi.endswith("_hours"):
        return "hours"
    if kpi.endswith("_km") or "_km_" in kpi:
        return "km"
    if kpi.startswith("cost") or kpi.endswith("_eur"):
        return "euro"
    return "count"


def in_display_unit(value: float, unit: str) -> float:
    """Return a value as shown to a reader: shares in per cent, everything else unchanged."""
    return value * 100 if unit == "share" else value
