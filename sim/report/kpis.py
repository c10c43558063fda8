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
# The answer's KPIs: first what outreach is for (the hard-to-reach), then the district and its cost;
# district attendance is left out, since one room's slots barely move it by arithmetic
ANSWER_KPIS = (
    "kept_contacts_hard_to_reach",
    "reach_hard_to_reach",
    "travel_min_hard_to_reach",
    "wait_days_hard_to_reach",
    "kept_contacts",
    "coverage_45min",
    "wait_days_mean",
    "counsellor_travel_hours",
)
SITE_USE_KPIS = ("sessions_held", "kept_per_session", "attendance_rate", "nearly_empty_sessions")


def in_display_unit(value: float, unit: str) -> float:
    """Return a value as shown to a reader: shares in per cent, everything else unchanged."""
    return value * 100 if unit == "share" else value
