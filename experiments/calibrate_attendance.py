"""Calibrate attendance: the offices' no-show rate and the hard-to-reach's attendance at the rooms.

Two targets, two free parameters; every other coefficient of the logistic model comes from the
literature (README, Assumptions):
- `attendance.intercept`: the pooled no-show rate at the offices of the `wartburgkreis` baseline
  = 25 %, domain.md section 7 ("baseline no-show, central office");
- `attendance.hard_to_reach`: the pooled attendance of the clients the municipal rooms invite
  (their hard-to-reach residents) = 65 %, the middle of the 60-70 % the Jobcenter reports.

Each step runs the baseline on common random numbers and moves both parameters by the gap on the
logit scale (office no-show mostly moves with the intercept, room attendance with both), until
both rates are within half a percentage point (steps damped, since the offices also see
hard-to-reach clients and the rooms also move with the intercept). Prints each step and writes the result to
results/calibration/<timestamp>.json.

    python experiments/calibrate_attendance.py [--replications 10] [--steps 8]
"""

from __future__ import annotations

import argparse
import math
from datetime import datetime
from pathlib import Path

from sim.config.compose import load_scenario
from sim.experiment.outputs import write_json
from sim.experiment.replicate import Scenario, run_replications

OFFICE_NO_SHOW, ROOM_ATTENDANCE = 0.25, 0.65
TOLERANCE = 0.005  # half a percentage point on both rates
DAMPING = 0.7  # the two rates move with both parameters: a full step overshoots


def logit(share: float) -> float:
    return math.log(share / (1 - share))


def rates(intercept: float, hard_to_reach: float, replications: int) -> tuple[float, float]:
    """(office no-show, room attendance) pooled over the replications of the baseline."""
    config = load_scenario(
        "wartburgkreis", f"attendance.intercept={intercept}", f"attendance.hard_to_reach={hard_to_reach}"
    )
    kinds = {key: site.kind for key, site in config.sites.items() if site.open}
    kept = {"office": 0.0, "room": 0.0}
    booked = {"office": 0.0, "room": 0.0}
    for run in run_replications([Scenario.prepare(config, seed=1)], replications, progress=False)[0]:
        for key, kind in kinds.items():
            site = run.sites[key]
            if site["kept_contacts"]:
                kept[kind] += site["kept_contacts"]
                booked[kind] += site["kept_contacts"] / site["attendance_rate"]
    return 1 - kept["office"] / booked["office"], kept["room"] / booked["room"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--intercept", type=float, default=-1.75)
    parser.add_argument("--hard-to-reach", type=float, default=0.0)
    args = parser.parse_args()
    intercept, hard_to_reach, history = args.intercept, args.hard_to_reach, []
    for _ in range(args.steps):
        office_no_show, room_attendance = rates(intercept, hard_to_reach, args.replications)
        history.append(
            {
                "intercept": intercept,
                "hard_to_reach": hard_to_reach,
                "office_no_show": office_no_show,
                "room_attendance": room_attendance,
            }
        )
        print(
            f"intercept {intercept:+.3f}, hard_to_reach {hard_to_reach:+.3f}:"
            f" office no-show {office_no_show:.4f}, room attendance {room_attendance:.4f}"
        )
        if abs(office_no_show - OFFICE_NO_SHOW) < TOLERANCE and abs(room_attendance - ROOM_ATTENDANCE) < TOLERANCE:
            break
        intercept_step = DAMPING * (logit(OFFICE_NO_SHOW) - logit(office_no_show))
        intercept = round(intercept + intercept_step, 3)
        # room no-show moves with the intercept too: the segment effect takes the rest
        room_step = DAMPING * (logit(1 - ROOM_ATTENDANCE) - logit(1 - room_attendance)) - intercept_step
        hard_to_reach = round(hard_to_reach + room_step, 3)
    result = {
        "targets": {"office_no_show": OFFICE_NO_SHOW, "room_attendance": ROOM_ATTENDANCE},
        "replications": args.replications,
        "intercept": history[-1]["intercept"],
        "hard_to_reach": history[-1]["hard_to_reach"],
        "office_no_show": history[-1]["office_no_show"],
        "room_attendance": history[-1]["room_attendance"],
        "steps": history,
    }
    write_json(Path("results/calibration") / f"{datetime.now():%Y-%m-%d_%H-%M-%S}.json", result)
    print(
        f"attendance.intercept = {result['intercept']}, attendance.hard_to_reach = {result['hard_to_reach']}:"
        f" office no-show {result['office_no_show']:.4f}, room attendance {result['room_attendance']:.4f}"
    )


if __name__ == "__main__":
    main()
