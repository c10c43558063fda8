"""python -m sim.rank [scenario=NAME] [rank.key=value ...]: where would one more room do most?

Every municipality without a site (or rank.candidates=[...]) is a candidate for one more room like
the scenario's first room. A static screen (travel time saved for the hard-to-reach) keeps the
promising ones; Kim & Nelson's procedure then selects the best on the simulator, on common random
numbers, with the guarantee that the selected site is within rank.delta (in the objective's unit;
10 for a count objective, else to be given) of the best with probability at least 1 - rank.alpha.
Writes ranking.csv, ranking.json and ranking.html (German by default). rank.weights={kpi: w, ...}
(a KPI better when lower takes a negative weight) replaces rank.objective with a weighted sum.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.cli import command_keys, job_workers, output_folder, overrides_of, runner_of, start, user_errors
from sim.config import CONFIG_MODULE
from sim.config.compose import AlternativeSpec, compose_alternatives
from sim.config.schema import RankCommand
from sim.config.validate import validate_rank, validate_report
from sim.experiment.outputs import provenance, write_csv, write_json, write_text
from sim.experiment.ranking import CSV_HEADER, csv_rows, rank_sites, ranking_json, rows_of
from sim.report.ranking import write_ranking_report

EXAMPLES = (
    "python -m sim.rank    (every municipality of Wartburgkreis without a site)",
    "python -m sim.rank 'rank.candidates=[Ruhla,Bad Liebenstein,Geisa]' rank.delta=5",
    "python -m sim.rank rank.objective=reach_hard_to_reach rank.delta=0.005 report.lang=en",
    "python -m sim.rank 'rank.weights={kept_contacts: 1, counsellor_travel_hours: -0.5}' rank.delta=10",
)


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="rank")
def rank(cfg: DictConfig) -> None:
    with user_errors():
        started = datetime.now(UTC)
        runner = runner_of(cfg)
        settings = OmegaConf.to_object(cfg.rank)
        report = OmegaConf.to_object(cfg.report)
        validate_rank(settings)
        validate_report(report)
        name = HydraConfig.get().runtime.choices["scenario"]
        (baseline,) = compose_alternatives(
            [AlternativeSpec(name, name)], *overrides_of(cfg), limits=runner.machine_limits
        )
        folder = output_folder()
        workers = job_workers(runner.workers)
        ranking = rank_sites(baseline.config, settings, runner.seed, workers, runner.scheduler, runner.machine_limits)
        rows = rows_of(ranking)
        content = ranking_json(ranking, rows, settings)
        content["provenance"] = provenance(runner, baseline.config, started, workers)
        write_text(folder / "scenario.yaml", OmegaConf.to_yaml(OmegaConf.structured(baseline.config)))
        write_csv(folder / "ranking.csv", CSV_HEADER, csv_rows(rows))
        page = write_ranking_report(folder, baseline.config, content, report.lang)
        write_json(folder / "ranking.json", content)  # last: the folder is complete
        selected = content["selected"]
        print(f"selected: {selected}" if selected else f"no single winner: {', '.join(content['survivors'])}")
        print(f"guarantee: {content['guarantee']}")
        print(f"report: {page}")
        print(f"results: {folder}")


def force_weights(arguments: list[str]) -> list[str]:
    """`rank.weights={kpi: w}` and `rank.weights.KPI=w` in Hydra's force form `++rank.weights...`.

    rank.weights is a dict in a struct config: Hydra refuses to put a new key into it ("Could not
    override 'rank.weights'") unless the override forces it in. The KPIs are checked afterwards
    (sim.experiment.ranking.objective_of), so forcing lets nothing unchecked through."""
    forced = []
    for item in arguments:
        key = item.partition("=")[0]
        bare = key.lstrip("+")
        if "=" in item and (bare == "rank.weights" or bare.startswith("rank.weights.")):
            item = "++" + item.lstrip("+")
        forced.append(item)
    return forced


def main() -> None:
    sys.argv = [sys.argv[0], *force_weights(sys.argv[1:])]
    start(rank, command_keys(RankCommand, "scenario"), __doc__, EXAMPLES, ("rank", "report"), sweeps=False)


if __name__ == "__main__":
    main()
