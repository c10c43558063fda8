"""python -m sim.scenarios [--config-dir DIR]: every scenario and experiment with its district and label."""

from __future__ import annotations

import hydra
from hydra import compose
from omegaconf import DictConfig

from sim.cli import start, user_errors
from sim.config import CONFIG_MODULE
from sim.config.compose import compose_scenario, group_options, searchpath, specs_from_experiment


def listing(lang: str = "en") -> str:
    """A table of the scenarios, then of the experiments, of every config folder."""
    districts: dict[str, str] = {}
    lines = ["scenarios (python -m sim.run scenario=NAME):"]
    rows = []
    for name in group_options("scenario"):
        cfg = compose_scenario(name)
        districts[name] = str(cfg.region.name)
        rows.append((name, districts[name], str((cfg.label or {}).get(lang, name))))
    lines += table(("scenario", "district", "label"), rows)
    lines += ["", "experiments (python -m sim.compare experiment=NAME; python -m sim runs ruhla_question):"]
    rows = []
    for name in group_options("experiment"):
        experiment = compose_experiment(name)
        specs = specs_from_experiment(experiment)
        district = districts.get(specs[0].scenario, "?") if specs else "?"
        question = str((experiment.question or {}).get(lang, ""))
        rows.append((name, district, ", ".join(spec.name for spec in specs), question))
    lines += table(("experiment", "district", "alternatives (first: baseline)", "question"), rows)
    return "\n".join(lines)


def compose_experiment(name: str) -> DictConfig:
    """An experiment's config as `python -m sim.compare experiment=NAME` composes it."""
    return compose("compare", overrides=[*searchpath(), f"experiment={name}"]).experiment


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="scenarios")
def scenarios(cfg: DictConfig) -> None:
    with user_errors():
        print(listing())


def main() -> None:
    start(scenarios, [], __doc__, ("python -m sim.scenarios",))


if __name__ == "__main__":
    main()
