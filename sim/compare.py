"""python -m sim.compare [experiment=NAME | scenarios=[A,B,...]] [key=value ...]: alternatives on CRN.

An experiment (`sim/configs/experiment/NAME.yaml`) lists a baseline and alternatives, each a
scenario plus its own overrides; `scenarios=[A,"B key=value"]` gives them on the command line.
The first is the baseline. Every other override applies to each alternative that has its key.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from sim.cli import command_keys, output_folder, overrides_of, run_experiment, runner_of, start, user_errors
from sim.config import CONFIG_MODULE
from sim.config.compose import Experiment, compose_alternatives, specs_from_experiment, specs_from_list
from sim.config.schema import CompareCommand
from sim.config.validate import validate_report
from sim.report import write_report


def experiment_of(cfg: DictConfig, limits: bool = True) -> Experiment:
    """The alternatives to compare: `scenarios=[...]` if given, else the experiment's."""
    if cfg.scenarios:
        specs = specs_from_list(list(cfg.scenarios))
        name, question = "scenarios", {}
    else:
        specs = specs_from_experiment(cfg.experiment)
        name, question = cfg.experiment.name, dict(cfg.experiment.question)
    return Experiment(name, compose_alternatives(specs, *overrides_of(cfg), limits=limits), question)


EXAMPLES = (
    "python -m sim    (the main job: experiment=ruhla_question)",
    "python -m sim.compare experiment=ruhla_frequency replications=20 report.lang=en",
    "python -m sim.compare 'scenarios=[wartburgkreis,\"wartburgkreis_ruhla sites.ruhla.counsellors=2\"]'",
)


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="compare")
def compare(cfg: DictConfig) -> None:
    with user_errors():
        report = OmegaConf.to_object(cfg.report)
        validate_report(report)
        runner = runner_of(cfg)
        experiment = experiment_of(cfg, runner.machine_limits)
        folder = output_folder()
        run_experiment(experiment, runner, folder)
        if len(experiment.alternatives) > 1:
            nearly_empty_max = experiment.alternatives[0].config.nearly_empty_max
            page = write_report(folder, report.lang, report.map_kpi, nearly_empty_max)
            print(f"report: {page}")
        print(f"results: {folder}")


def main() -> None:
    start(compare, command_keys(CompareCommand), __doc__, EXAMPLES)


if __name__ == "__main__":
    main()
