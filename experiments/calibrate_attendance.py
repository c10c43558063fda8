"""Calibrate the attendance intercept: room attendance in the baseline = the Jobcenter's figure.

Wartburgkreis reports that 60-70 % of the clients invited to its municipal rooms attend. The
other coefficients of the logistic model come from the literature (README, Assumptions); only
the intercept is free. It is found by bisection on the pooled room attendance of the
`wartburgkreis` scenario, on common random numbers (so the attendance is monotone in the
intercept up to the few clients whose path changes). Prints the result and writes it to
results/calibration/<timestamp>.json.

    python experiments/calibrate_attendance.py [--target 0.65] [--replications 10]
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sim.config.compose import load_scenario
from sim.experiment.outputs import write_json
from sim.experiment.replicate import Scenario, run_replications


def room_attendance(intercept: float, replications: int) -> float:
    """Pooled attendance at the municipal rooms of the baseline for an intercept."""
    config = load_scenario("wartburgkreis", f"attendance.intercept={intercept}")
    rooms = [key for key, site in config.sites.items() if site.kind == "room" and site.open]
    kept = appointments = 0.0
    for run in run_replications([Scenario.prepare(config, seed=1)], replications, progress=False)[0]:
        for room in rooms:
            kept += run.sites[room]["kept_contacts"]
            appointments += run.sites[room]["kept_contacts"] / run.sites[room]["attendance_rate"]
    return kept / appointments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.65)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--low", type=float, default=-3.0)
    parser.add_argument("--high", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    low, high, history = args.low, args.high, []
    for _ in range(args.steps):
        middle = (low + high) / 2
        attendance = room_attendance(middle, args.replications)
        history.append({"intercept": middle, "room_attendance": attendance})
        print(f"intercept {middle:+.4f}: room attendance {attendance:.4f}")
        if attendance > args.target:  # a higher intercept means more no-shows
            low = middle
        else:
            high = middle
    intercept = round((low + high) / 2, 3)
    result = {
        "target": args.target,
        "replications": args.replications,
        "intercept": intercept,
        "room_attendance": room_attendance(intercept, args.replications),
        "steps": history,
    }
    folder = Path("results/calibration")
    write_json(folder / f"{datetime.now():%Y-%m-%d_%H-%M-%S}.json", result)
    print(f"attendance.intercept = {intercept} gives room attendance {result['room_attendance']:.4f}")


if __name__ == "__main__":
    main()
