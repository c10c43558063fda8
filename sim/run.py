"""python -m sim.run scenario=NAME [key=value ...]: one scenario, R replications."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from sim.app import output_folder, run_and_write, to_config, user_errors
from sim.config import CONFIG_DIR


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="run")
def main(cfg: DictConfig) -> None:
    with user_errors():
        config = to_config(cfg)
        folder = output_folder()
        run_and_write([config], folder)
        print(f"results: {folder}")


if __name__ == "__main__":
    main()
