"""python -m sim.run scenario=NAME [key=value ...]: one scenario, R replications."""

from __future__ import annotations

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli import command_keys, output_folder, overrides_of, run_experiment, runner_of, start, user_errors
from sim.config import CONFIG_MODULE
from sim.config.compose import AlternativeSpec, Experiment, compose_alternatives
from sim.config.schema import RunCommand

EXAMPLES = (
    "python -m sim.run scenario=wartburgkreis_ruhla replications=20",
    "python -m sim.run scenario=wartburgkreis_ruhla sites.ruhla.counsellors=2 replications=auto",
    "python -m sim.run -m scenario=wartburgkreis_ruhla sites.ruhla.calendar.every_weeks=2,4   (a sweep)",
)


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="run")
def run(cfg: DictConfig) -> None:
    with user_errors():
        runner = runner_of(cfg)
        name = HydraConfig.get().runtime.choices["scenario"]
        alternatives = compose_alternatives(
            [AlternativeSpec(name, name)], *overrides_of(cfg), limits=runner.machine_limits
        )
        folder = output_folder()
        run_experiment(Experiment(name, alternatives), runner, folder)
        print(f"results: {folder}")


def main() -> None:
    if any(item.startswith("scenario=[") for item in sys.argv[1:]):
        print(
            "error: sim.run runs one scenario; for several, compare them: python -m sim.compare 'scenarios=[A,B]'.",
            file=sys.stderr,
        )
        sys.exit(2)
    start(run, command_keys(RunCommand, "scenario"), __doc__, EXAMPLES)


if __name__ == "__main__":
    main()
