"""Configuration: the schemas, composing scenarios and experiments from the config folders, validation."""

from pathlib import Path

PACKAGE_CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
CONFIG_MODULE = "sim.configs"  # the same folder, as Hydra finds it in an installed package


class ConfigError(ValueError):
    """A mistake in the user's configuration or data files; its message is one sentence."""
