"""Configuration: the schema, composing it from configs/, and validating it."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


class ConfigError(ValueError):
    """A mistake in the user's configuration or data files; its message is one sentence."""
