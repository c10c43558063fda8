"""Where configs and the data files they name are found: the package's configs and the user's folders.

A data file (a region's municipalities, a travel matrix) is named in a config relative to a config
folder, so a district in a user's own folder (`--config-dir DIR` or `hydra.searchpath`) brings its
files along. The folders are the ones Hydra searches, the user's first, the package's last.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hydra.core.hydra_config import HydraConfig

from sim.config import PACKAGE_CONFIG_DIR, ConfigError


def config_dirs() -> list[Path]:
    """The config folders of the running command, the package's last."""
    dirs: list[Path] = []
    if HydraConfig.initialized():
        for source in HydraConfig.get().runtime.config_sources:
            if source.schema == "file":
                dirs.append(Path(source.path))
            elif source.schema == "pkg" and source.path:
                try:
                    dirs.append(Path(str(resources.files(source.path.replace("/", ".")))))
                except ModuleNotFoundError:
                    continue
    dirs = [folder.resolve() for folder in dirs if folder.is_dir()]
    if PACKAGE_CONFIG_DIR not in dirs:
        dirs.append(PACKAGE_CONFIG_DIR)
    return list(dict.fromkeys(dirs))


def find_file(name: str, key: str, folder: str = "") -> Path:
    """A data file named by config key `key`: absolute, from the working directory, or under
    `folder` of a config folder; one sentence naming the key when it is nowhere."""
    path = Path(name).expanduser()
    if path.is_absolute() or path.is_file():
        if path.is_file():
            return path
    else:
        for config_dir in config_dirs():
            candidate = config_dir / folder / path
            if candidate.is_file():
                return candidate
    places = (
        ""
        if path.is_absolute()
        else f" (looked in the working directory and in {folder or '.'}/ of the config folders)"
    )
    raise ConfigError(f"{key}: file '{name}' not found{places}.")
