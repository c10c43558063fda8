"""python -m sim.compare scenarios=[A,B,...] [key=value ...]: scenarios on common random numbers.

The first scenario is the baseline; every other override applies to each scenario.
"""

from __future__ import annotations

import sys

import hydra
from hydra import compose
from hydra.core.hydra_config import HydraConfig
from hydra.errors import MissingConfigException
from omegaconf import DictConfig, OmegaConf

from sim.app import output_folder, run_and_write, to_config, user_errors
from sim.config import CONFIG_DIR, ConfigError
from sim.config.schema import Config
from sim.config.validate import validate_report
from sim.report import write_report

OWN_KEYS = ("scenarios", "scenario", "report")  # keys of the comparison, not of a scenario


def scenario_configs(names: list[str], overrides: list[str]) -> list[Config]:
    """Compose and check each named scenario with the user's scenario overrides."""
    if not names:
        raise ConfigError("scenarios must name at least one scenario, e.g. scenarios=[wartburgkreis].")
    if len(set(names)) != len(names):
        raise ConfigError(f"scenarios lists a scenario twice: {names}.")
    passed = [item for item in overrides if item.lstrip("+~").split("=")[0].split(".")[0] not in OWN_KEYS]
    configs = []
    for name in names:
        try:
            plain = compose("run", overrides=[f"scenario={name}"])
        except MissingConfigException:
            available = sorted(path.stem for path in (CONFIG_DIR / "scenario").glob("*.yaml"))
            raise ConfigError(
                f"scenarios: '{name}' is not a scenario in configs/scenario/; allowed: {', '.join(available)}."
            ) from None
        applying = [item for item in passed if has_key(plain, item)]
        for item in passed:
            if item not in applying:
                print(f"note: {item} does not apply to scenario {name}, which has no such key", file=sys.stderr)
        configs.append(to_config(compose("run", overrides=[f"scenario={name}", *applying])))
    return configs


def has_key(cfg: DictConfig, override: str) -> bool:
    """Whether a scenario has the key an override sets (`+key` and `~key` go to Hydra as given)."""
    key = override.split("=", 1)[0]
    if key.startswith(("+", "~")):
        return True
    return OmegaConf.select(cfg, key, default=_ABSENT) is not _ABSENT


_ABSENT = object()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="compare")
def main(cfg: DictConfig) -> None:
    with user_errors():
        report = OmegaConf.to_object(cfg.report)  # scenario keys are checked per scenario, not here
        validate_report(report)
        configs = scenario_configs(list(cfg.scenarios), list(HydraConfig.get().overrides.task))
        folder = output_folder()
        run_and_write(configs, folder)
        if len(configs) > 1:
            page = write_report(folder, report.lang, report.map_kpi, configs[0].nearly_empty_max)
            print(f"report: {page}")
        print(f"results: {folder}")


if __name__ == "__main__":
    main()
