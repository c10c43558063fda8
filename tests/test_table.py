"""The terminal table: labels with units, shares in %, no scientific notation, 100 columns."""

from __future__ import annotations

from sim.table import TABLE_WIDTH, kpi_table


def summary(mean, half=None, n=10, **extra):
    if half is None:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n, **extra}
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n, **extra}


KPIS = {
    "attendance_rate": summary(0.7502, 0.0031),
    "kept_contacts_hard_to_reach": summary(6625.9, 41.2),
    "onsite_queue_mean": summary(6.368e-05, 1e-05),
    "travel_min_hard_to_reach": summary(54.52, 0.31),
}


def table(names, replications=10):
    kpis = {name: {"replications": replications, "kpis": KPIS} for name in names}
    differences = {
        name: {
            "attendance_rate": summary(0.0001, 0.0004, significant=False),
            "kept_contacts_hard_to_reach": summary(31.5, 6.0, significant=True),
            "onsite_queue_mean": summary(0.0, 0.0),
            "travel_min_hard_to_reach": summary(-7.45, 0.39, significant=True),
        }
        for name in names[1:]
    }
    for name in differences:  # exactly equal in every replication
        differences[name]["onsite_queue_mean"] = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n": 10}
    return kpi_table(kpis, differences, names)


def test_two_scenarios_fit_a_hundred_columns_with_units_and_shares_in_percent():
    text = table(["wartburgkreis", "wartburgkreis_ruhla"])
    assert max(len(line) for line in text.splitlines()) <= TABLE_WIDTH
    assert "attendance rate (%)" in text and "75.0 ± 0.3" in text
    assert "1" in text and "e-0" not in text and "e+0" not in text
    assert "+31.5 ± 6.0 *" in text and "-7.45 ± 0.39 *" in text and "no change" in text
    assert "kept contacts of the hard-to-reach" in text and "travel time of the hard-to-reach" in text


def test_four_scenarios_wrap_into_blocks_that_fit():
    text = table(["today", "ruhla_weekly", "ruhla_every_2_weeks", "ruhla_every_4_weeks"])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= TABLE_WIDTH
    assert sum(line.startswith("KPI ") for line in lines) >= 2  # more than one block


def test_too_few_replications_say_so_instead_of_an_interval():
    kpis = {"one": {"replications": 2, "kpis": {"attendance_rate": summary(0.75, n=2)}}}
    text = kpi_table(kpis, {}, ["one"])
    assert "75.0" in text and "±" not in text.splitlines()[2]
    assert "too few replications for an interval" in text
