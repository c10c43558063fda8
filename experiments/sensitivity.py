"""Which uncertain parameters drive the Ruhla answer? Morris elementary effects (SALib).

The parameters are the model's defaults that `sim/config/sources.py` marks as assumptions and
that are numbers; each varies over ±50 % of its default (the sensitivity range domain.md section
7 gives where it gives one; shares kept within 0-1, whole-number keys rounded). The output is the
answer's effect: `--kpi` (default kept_contacts_hard_to_reach) of wartburgkreis_ruhla minus
wartburgkreis, paired on common random numbers, the mean over `--replications`. Morris's method
(SALib: `--trajectories` paths through a `--levels`-level grid, (k + 1) points each) ranks the
parameters by mu* (mean absolute elementary effect, with its bootstrap 95 % interval); sigma
large against mu* marks interactions or non-linearity. Writes morris.csv (ranked), morris.json
and morris.png|svg (mu* against sigma) to results/sensitivity/<time>/.

    python experiments/sensitivity.py [--trajectories 10] [--replications 2] [--workers 0]
      [--kpi kept_contacts_hard_to_reach] [key=value ...]   (about 13 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import math
from datetime import datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from sim.config.compose import load_scenario
from sim.config.sources import ASSUMPTION, SOURCES, lookup
from sim.experiment.outputs import write_csv, write_json
from sim.experiment.replicate import Scenario, run_tasks
from sim.report.style import figure_style, save_figure

SPREAD = 0.5  # +-50 % of each default
SHARES = ("share", "rate")  # keys of values in 0-1
BASELINE, ALTERNATIVE = "wartburgkreis", "wartburgkreis_ruhla"
# which leaver leaves for work, and what a course's or a team's measure does to it: counted in the
# exits KPIs alone (and Wartburgkreis has neither courses nor teams)
OUTCOME_ONLY = ("clients.work_share_of_exits", "clients.measure_hazard_factor")


def uncertain_parameters(overrides: list[str]) -> list[tuple[str, float, float, bool]]:
    """(key, low, high, whole number) of every numeric default marked as an assumption."""
    config = load_scenario(BASELINE, *overrides)
    parameters = []
    for key, (source, _) in SOURCES.items():  # (English, German)
        if key.startswith("costs."):  # prices applied after the run: they change no simulated number
            continue
        if key in OUTCOME_ONLY:  # it moves the exits KPIs only, never the kept contacts screened here
            continue
        value = lookup(config, key)
        if not source.startswith(ASSUMPTION) or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        low, high = sorted((value * (1 - SPREAD), value * (1 + SPREAD)))
        if key.endswith(SHARES):
            low, high = max(0.0, low), min(1.0, high)
        whole = isinstance(value, int)
        if whole:
            low, high = max(1, math.floor(low)), math.ceil(high)
        parameters.append((key, float(low), float(high), whole))
    return parameters


def setting(key: str, value: float, whole: bool) -> str:
    return f"{key}={round(value)}" if whole else f"{key}={value:.6g}"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=10)
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kpi", default="kept_contacts_hard_to_reach")
    parser.add_argument("--results", default="results/sensitivity")
    parser.add_argument("overrides", nargs="*", help="key=value for both scenarios, e.g. horizon_days=200")
    options = parser.parse_args(argv)

    parameters = uncertain_parameters(options.overrides)
    problem = {
        "num_vars": len(parameters),
        "names": [key for key, *_ in parameters],
        "bounds": [[low, high] for _, low, high, _ in parameters],
    }
    points = morris_sample.sample(problem, options.trajectories, num_levels=options.levels, seed=options.seed)
    scenarios = []
    for point in points:
        settings = [setting(key, value, whole) for (key, _, _, whole), value in zip(parameters, point, strict=True)]
        for name in (BASELINE, ALTERNATIVE):
            scenarios.append(Scenario.prepare(load_scenario(name, *options.overrides, *settings), options.seed))
    tasks = [(i, r) for i in range(len(scenarios)) for r in range(options.replications)]
    print(f"Morris: {len(parameters)} parameters, {len(points)} points, {len(tasks)} replications")
    runs = run_tasks(scenarios, tasks, options.workers)
    effect = np.array(
        [
            np.mean(
                [
                    runs[2 * p + 1, r].kpis[options.kpi] - runs[2 * p, r].kpis[options.kpi]
                    for r in range(options.replications)
                ]
            )
            for p in range(len(points))
        ]
    )
    analysis = morris_analyze.analyze(problem, points, effect, num_levels=options.levels, seed=options.seed)
    order = np.argsort(-np.asarray(analysis["mu_star"]), kind="stable")
    rows = [
        (
            rank + 1,
            problem["names"][i],
            *problem["bounds"][i],
            float(analysis["mu_star"][i]),
            float(analysis["mu_star_conf"][i]),
            float(analysis["mu"][i]),
            float(analysis["sigma"][i]),
        )
        for rank, i in enumerate(order)
    ]
    folder = Path(options.results) / datetime.now().strftime("%Y-%m-%d_%H-%M-%S-%f")
    folder.mkdir(parents=True)
    header = ("rank", "parameter", "low", "high", "mu_star", "mu_star_conf", "mu", "sigma")
    write_csv(folder / "morris.csv", header, rows)
    write_json(
        folder / "morris.json",
        {
            "output": f"{options.kpi}: {ALTERNATIVE} - {BASELINE}, mean of {options.replications} paired replications",
            "method": "Morris elementary effects (SALib), mu* with bootstrap 95 % interval",
            "trajectories": options.trajectories,
            "levels": options.levels,
            "overrides": options.overrides,
            "parameters": [dict(zip(header, row, strict=True)) for row in rows],
        },
    )
    with figure_style():
        figure = Figure(figsize=(7, 5), layout="constrained")
        axes = figure.subplots()
        axes.scatter(analysis["mu_star"], analysis["sigma"], color="#0072B2")
        for name, x, y in zip(problem["names"], analysis["mu_star"], analysis["sigma"], strict=True):
            axes.annotate(name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        axes.set_xlabel(f"mu* (mean |elementary effect| on {options.kpi})")
        axes.set_ylabel("sigma")
        axes.set_title(f"Morris screening of the Ruhla answer ({options.kpi})", loc="left")
        axes.grid(color="0.85", linewidth=0.6)
        save_figure(figure, folder, "morris")
    width = max(len(row[1]) for row in rows)
    print(f"{'rank':>4}  {'parameter':<{width}}  {'mu*':>10}  {'+-':>8}  {'sigma':>10}")
    for rank, name, _, _, mu_star, conf, _, sigma in rows:
        print(f"{rank:>4}  {name:<{width}}  {mu_star:>10.3f}  {conf:>8.3f}  {sigma:>10.3f}")
    print(f"results: {folder}")
    return folder


if __name__ == "__main__":
    main()
