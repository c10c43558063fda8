"""Compose a scenario config from Python, exactly as `python -m sim.run <overrides>` would."""

from __future__ import annotations

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import CONFIG_DIR
from sim.config.schema import Config, register_configs
from sim.config.validate import validate


def load_config(*overrides: str, check: bool = True) -> Config:
    """The typed config of `python -m sim.run <overrides>`, validated unless check is False."""
    register_configs()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        config = OmegaConf.to_object(compose("run", overrides=list(overrides)))
    if check:
        validate(config)
    return config
