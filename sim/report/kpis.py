"""Which KPIs the report leads with, and how a value is shown (units come from the KPI registry)."""

COMPARISON_KPIS = (
    "attendance_rate",
    "wait_days_mean",
    "onsite_wait_min_mean",
    "coverage_30min",
    "reach",
    "counsellor_utilisation",
    "counsellor_travel_hours",
)
HARD_TO_REACH = "_hard_to_reach"  # the suffix of the KPIs of the clients outreach is for
SITE_USE_KPIS = ("sessions_held", "kept_per_session", "attendance_rate", "nearly_empty_sessions")


def in_display_unit(value: float, unit: str) -> float:
    """Return a value as shown to a reader: shares in per cent, everything else unchanged."""
    return value * 100 if unit == "share" else value
