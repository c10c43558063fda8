"""python -m sim.warmup scenario=NAME [horizon_days=D replications=R]: the warm-up from the data.

Runs the scenario (by default over twice its horizon) and applies MSER-5 (sim.experiment.warmup)
to the weekly series of the key KPIs, averaged over the replications: mean days to appointment,
attendance, kept contacts and clients lost, each counted by the week they happen in. Prints each
KPI's truncation point and the recommended `warmup_days` (the largest, in whole weeks); writes
`warmup.json` and `weekly.csv` into a new results folder.
"""

from __future__ import annotations

import warnings

import hydra
import numpy as np
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli import command_keys, output_folder, overrides_of, runner_of, start, user_errors
from sim.config import CONFIG_MODULE, ConfigError
from sim.config.compose import AlternativeSpec, compose_alternatives
from sim.config.schema import RunCommand
from sim.config.validate import fixed_replications
from sim.experiment.outputs import write_csv, write_json
from sim.experiment.replicate import Scenario, run_replications, worker_count
from sim.experiment.warmup import mser5

SERIES = ("wait_days_mean", "attendance_rate", "kept_contacts", "lost_clients")


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="warmup")
def warmup(cfg: DictConfig) -> None:
    with user_errors():
        runner = runner_of(cfg)
        fixed_replications(runner, "sim.warmup")
        name = HydraConfig.get().runtime.choices["scenario"]
        change, add = overrides_of(cfg)
        if "horizon_days" not in change:
            (plain,) = compose_alternatives([AlternativeSpec(name, name)])
            change["horizon_days"] = 2 * plain.config.horizon_days
        change.setdefault("warmup_days", 0)
        (alternative,) = compose_alternatives([AlternativeSpec(name, name)], change, add, limits=runner.machine_limits)
        folder = output_folder()
        scenario = Scenario.prepare(alternative.config, runner.seed)
        runs = run_replications([scenario], runner.replications, worker_count(runner.workers))[0]
        weeks = alternative.config.horizon_days // 7  # whole weeks only
        with warnings.catch_warnings():  # a week without appointments in every replication stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            series = {kpi: np.nanmean([run.weekly[kpi][:weeks] for run in runs], axis=0) for kpi in SERIES}
        cuts = {}
        for kpi, values in series.items():
            try:
                cuts[kpi] = mser5(values)
            except ValueError as error:
                raise ConfigError(f"horizon_days: {error}; run at least 20 weeks.") from None
        recommended = 7 * max(cut.observations for cut in cuts.values())
        result = {
            "scenario": name,
            "replications": runner.replications,
            "horizon_days": alternative.config.horizon_days,
            "method": "MSER-5 on weekly series averaged over replications (White 1997; Hoad et al. 2010)",
            "truncation_weeks": {kpi: cut.observations for kpi, cut in cuts.items()},
            "settled": {kpi: cut.settled for kpi, cut in cuts.items()},
            "recommended_warmup_days": recommended,
        }
        write_csv(
            folder / "weekly.csv",
            ("week", *SERIES),
            [(week, *(float(series[kpi][week]) for kpi in SERIES)) for week in range(weeks)],
        )
        write_json(folder / "warmup.json", result)  # last: the folder is complete
        for kpi, cut in cuts.items():
            note = "" if cut.settled else " (not settled: the minimum is in the second half, run longer)"
            print(f"{kpi}: truncate {cut.observations} weeks ({7 * cut.observations} days){note}")
        print(f"recommended warmup_days={recommended} for scenario {name}")
        print(f"results: {folder}")


def main() -> None:
    start(
        warmup,
        command_keys(RunCommand, "scenario"),
        __doc__,
        ("python -m sim.warmup scenario=wartburgkreis",),
        sweeps=False,
    )


if __name__ == "__main__":
    main()
