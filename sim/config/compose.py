"""Composing what a command runs: scenarios, the alternatives of an experiment, the user's overrides.

A *scenario* is composed from its file in a `scenario/` config folder (which names its district
in `region/`). An *alternative* is a scenario plus its own overrides; a comparison is a list of
alternatives, the first the baseline, so one scenario can appear several times.

The user's overrides on the command line are scenario keys (`sites.ruhla.counsellors=2`) or the
command's own settings (`runner.seed=3`, `report.lang=en`, ...). `command_line` hands Hydra the
command's settings as they are and carries each scenario override in the command's `change`
(`key=value`) or `add` (`+key=value`) node; `compose_alternatives` then applies each to every
alternative that has the key, and a key that none has is one sentence naming it. Hydra's own
sweeps (`-m key=1,2`) work on scenario keys the same way.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.config import CONFIG_MODULE, ConfigError, schema
from sim.config.schema import ScenarioConfig, register_configs
from sim.config.validate import refuse_non_finite, safe_name, validate

SHORTHANDS = ("seed", "replications", "workers")  # `seed=3` is `runner.seed=3`
HYDRA_FLAGS_WITH_VALUE = (
    *("--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn", "--cfg", "-c", "--package", "-p"),
    *("--experimental-rerun",),
)
INFO_FLAGS = ("--info", "-i")  # Hydra's --info takes one of these, or nothing
INFO_CHOICES = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")
_ABSENT = object()


@dataclass
class Alternative:
    """One alternative of a comparison: its name in the results, its label, its scenario config."""

    name: str
    label: dict[str, str]
    config: ScenarioConfig


@dataclass
class Experiment:
    """What a command runs: the alternatives (the first is the baseline) and the question they answer."""

    name: str
    alternatives: list[Alternative]
    question: dict[str, str] = field(default_factory=dict)


@dataclass
class AlternativeSpec:
    """An alternative before composition: a scenario name and its own overrides."""

    name: str
    scenario: str
    overrides: list[str] = field(default_factory=list)
    label: dict[str, str] = field(default_factory=dict)


def command_line(arguments: Iterable[str], command_keys: Iterable[str]) -> list[str]:
    """Hydra's arguments from the user's: scenario overrides are carried in `change`/`add`.

    `command_keys` are the top-level keys of the command's own config; `seed=`, `replications=`
    and `workers=` are short for `runner.seed=` and so on."""
    own = {*command_keys, "hydra"}
    result: list[str] = []
    items = list(arguments)
    position = 0
    while position < len(items):
        item = items[position]
        position += 1
        if item.startswith("-"):
            result.append(item)
            takes_value = item in HYDRA_FLAGS_WITH_VALUE
            info_choice = item in INFO_FLAGS and position < len(items) and items[position] in INFO_CHOICES
            if position < len(items) and (takes_value or info_choice):
                result.append(items[position])
                position += 1
            continue
        key, equals, value = item.partition("=")
        prefix = key[: len(key) - len(key.lstrip("+~"))]
        bare = key[len(prefix) :]
        top = bare.split(".")[0].split("@")[0]
        if not equals and not prefix.startswith("~") or "/" in bare or top in own:
            result.append(item)
        elif bare in SHORTHANDS:
            result.append(f"{prefix}runner.{bare}={value}")
        elif prefix.startswith("~"):
            raise ConfigError(
                f"{item}: removing a scenario key is not supported; close a site with sites.NAME.open=false."
            )
        elif prefix:
            result.append(f"+add.{bare}={value}")
        else:
            result.append(f"+change.{bare}={value}")
    return last_of_each(result)


def last_of_each(overrides: list[str]) -> list[str]:
    """A scenario key given twice takes its last value, as any other key does (a script's settings
    can be followed by the user's)."""
    carried = ("+change.", "+add.")
    last = {item.partition("=")[0]: i for i, item in enumerate(overrides) if item.startswith(carried)}
    return [
        item for i, item in enumerate(overrides) if not item.startswith(carried) or last[item.partition("=")[0]] == i
    ]


def as_typed(override: str) -> str:
    """An override as the user wrote it: `+change.key=v` is `key=v`, `+add.key=v` is `+key=v`."""
    if override.startswith("+change."):
        return override.removeprefix("+change.")
    if override.startswith("+add."):
        return "+" + override.removeprefix("+add.")
    return override


@contextmanager
def config_context() -> Iterator[None]:
    """Hydra's config search path: the running command's, or the package's configs alone."""
    register_configs()
    if GlobalHydra.instance().is_initialized():
        yield
        return
    with initialize_config_module(config_module=CONFIG_MODULE, version_base="1.3"):
        yield


def searchpath() -> list[str]:
    """The running command's `hydra.searchpath`, for the compositions made inside it."""
    if not HydraConfig.initialized() or not HydraConfig.get().searchpath:
        return []
    return ["hydra.searchpath=[" + ",".join(f"'{path}'" for path in HydraConfig.get().searchpath) + "]"]


def group_options(group: str) -> list[str]:
    """The configs of a group (scenario, experiment, region) in every config folder."""
    with config_context():
        loader = GlobalHydra.instance().config_loader()
        options = loader.get_group_options(group, config_name="scenario", overrides=searchpath())
    return sorted(name for name in options if not name.endswith("_schema"))


def compose_scenario(name: str, overrides: Iterable[str] = ()) -> DictConfig:
    """A scenario's composed config, with the Hydra overrides of its alternative."""
    with config_context():
        try:
            return compose("scenario", overrides=[*searchpath(), f"scenario={name}", *overrides])
        except MissingConfigException:
            known = group_options("scenario")
            raise ConfigError(
                f"scenario '{name}' is not in the scenario/ config folders; allowed: {', '.join(known)}."
            ) from None
        except (HydraException, OmegaConfBaseException) as error:
            raise ConfigError(period(f"scenario {name}: {first_line(error)}")) from None
        except RecursionError:
            raise ConfigError(
                f"scenario {name}: scenario/{name}.yaml, or a config its defaults list names, includes itself;"
                " check its defaults:."
            ) from None


def period(text: str) -> str:
    """A sentence's end: a full stop unless it ends in one (or in a question)."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def first_line(error: BaseException) -> str:
    """An error's first line as a sentence naming the key (OmegaConf's cause included, Hydra's
    class names left out)."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    cause = error.__cause__
    if isinstance(cause, OmegaConfBaseException) and not isinstance(error, OmegaConfBaseException):
        where = line.partition(":")[0] if line.endswith("raised while composing config:") else ""
        sentence = omegaconf_sentence(cause)
        return f"{where}: {sentence}" if where else sentence
    if isinstance(error, OmegaConfBaseException):
        return omegaconf_sentence(error)
    lines = [item.strip() for item in text.splitlines()[1:] if item.strip()]
    if line.endswith("raised while composing config:") and lines:  # the cause is in the message
        full_key = next(
            (item.removeprefix("full_key:").strip() for item in lines if item.startswith("full_key:")), None
        )
        return f"{line.partition(':')[0]}: {explain(lines[0], full_key)}"
    return line


KEY_NOT_IN = re.compile(r"Key '([^']+)' not in '(\w+)'")
NOT_CONVERTED = re.compile(r"Value '(.*)' of type '(\w+)' could not be converted to (\w+)")
KINDS = {"Integer": "a whole number", "Float": "a finite number", "Boolean": "true or false", "String": "a text"}
SECTIONS = {"RunnerConfig": "runner", "RankConfig": "rank", "ReportConfig": "report"}  # a command's own settings


def omegaconf_sentence(error: OmegaConfBaseException) -> str:
    """An OmegaConf error (of composing or typing a config) in one sentence naming its key."""
    text = str(error).strip()
    full_key = getattr(error, "full_key", None)
    return explain(text.splitlines()[0] if text else type(error).__name__, str(full_key) if full_key else None)


def explain(message: str, full_key: str | None = None) -> str:
    """OmegaConf's first line (`message`) about the key `full_key` as a sentence naming the key and
    what is allowed, without the names of the schema's classes."""
    message = message.strip().rstrip(".")
    unknown = KEY_NOT_IN.search(message)
    if unknown:
        last, owner = unknown.groups()
        key = full_key or last
        section = SECTIONS.get(owner)
        if section is not None:
            return setting_sentence(section, getattr(schema, owner), key.rpartition(".")[2])
        known = schema_fields(owner)
        hint = difflib.get_close_matches(key.rpartition(".")[2], known, n=1)
        parent = key.rpartition(".")[0]
        suggestion = f"; did you mean {parent + '.' if parent else ''}{hint[0]}?" if hint else ""
        where = "the scenario" if owner == "ScenarioConfig" or owner.endswith("Command") else f"{parent or 'it'}"
        return f"{key} is not a key of {where}{suggestion}"
    if "is not a ListConfig, list or tuple" in message and full_key:
        return f"{full_key} must be a list in brackets, e.g. {full_key}=[a,b]"
    converted = NOT_CONVERTED.match(message)
    if converted and full_key:
        value, _, target = converted.groups()
        return f"{full_key} must be {KINDS.get(target, target)}, not {value}"
    if message.startswith("Cannot convert 'list'") and full_key:
        key = re.sub(r"\[\d+\]$", "", full_key)
        return f"{key} must be a list of single values in brackets, e.g. {key}=[a,b]; an entry is itself a list"
    return f"{full_key}: {message}" if full_key and full_key not in message else message


def schema_fields(name: str) -> list[str]:
    """The keys of a schema class, by its name (none for a name that is not one)."""
    found = getattr(schema, name, None)
    return [item.name for item in fields(found)] if is_dataclass(found) else []


def setting_sentence(section: str, settings: type, key: str) -> str:
    """A key that is not a setting of one of a command's own sections (rank.*, runner.*, report.*)."""
    known = [item.name for item in fields(settings)]
    hint = difflib.get_close_matches(key, known, n=1)
    suggestion = f"; did you mean {section}.{hint[0]}?" if hint else ""
    allowed = ", ".join(f"{section}.{name}" for name in known)
    return f"{section}.{key} is not a setting of this command{suggestion} (allowed: {allowed})"


def leaves(tree: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """The dotted keys and values of a nested override tree."""
    found = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            found += leaves(value, path + ".")
        else:
            found.append((path, value))
    return found


def has_key(cfg: DictConfig, key: str) -> bool:
    return OmegaConf.select(cfg, key, default=_ABSENT, throw_on_missing=False) is not _ABSENT


def to_scenario(cfg: DictConfig, where: str, check: bool = True, limits: bool = True) -> ScenarioConfig:
    """A typed scenario config, validated unless check is False (with the machine's limits unless
    `limits` is False). Its numbers are checked before it is typed, so that a NaN is named by the
    key that holds it rather than by a key interpolated from it."""
    if check:
        refuse_non_finite(cfg)
    try:
        config = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as error:
        raise ConfigError(period(f"{where}: {first_line(error)}")) from None
    if check:
        validate(config, limits)
    return config


def apply_overrides(cfg: DictConfig, name: str, change: list[tuple[str, Any]], add: dict) -> tuple[DictConfig, list]:
    """Apply the user's overrides to one alternative; return it and the `change` keys it lacks."""
    lacking = []
    for key, value in change:
        if not has_key(cfg, key):
            lacking.append((key, value))
            continue
        try:
            OmegaConf.update(cfg, key, value, merge=True)
        except OmegaConfBaseException as error:
            message = first_line(error)
            raise ConfigError(period(message if key in message else f"{key}={value}: {message}")) from None
    if add:
        for key, _ in leaves(add):
            if has_key(cfg, key):
                raise ConfigError(f"+{key}: {name} already has {key}; set it without the +.")
            check_addable(cfg, key)
        try:
            with open_dict(cfg):
                cfg = OmegaConf.merge(cfg, add)
        except OmegaConfBaseException as error:
            added = " ".join(f"+{key}" for key, _ in leaves(add))
            raise ConfigError(period(f"{added}: {first_line(error)}")) from None
    return cfg, lacking


def check_addable(cfg: DictConfig, key: str) -> None:
    """A key added with + must be a new entry of a mapping (a site: +sites.NAME={...}), not a field
    the schema does not have (which would be dropped without a word)."""
    parts = key.split(".")
    for depth in range(len(parts)):
        parent = ".".join(parts[:depth])
        node = OmegaConf.select(cfg, parent, default=None) if parent else cfg
        if not isinstance(node, DictConfig) or parts[depth] in node:
            continue
        if is_dataclass(OmegaConf.get_type(node)):
            where = parent or "a scenario"
            raise ConfigError(
                f"+{key}: {where} has no key {parts[depth]}, and only a mapping takes new entries"
                " (a new site: +sites.NAME={municipality: ..., counsellors: ...})."
            )
        return


def compose_alternatives(
    specs: list[AlternativeSpec],
    change: dict | None = None,
    add: dict | None = None,
    check: bool = True,
    limits: bool = True,
) -> list[Alternative]:
    """Compose every alternative with its own overrides, then the user's; notes go to stderr.

    An override applies to each alternative that has its key; one that none has is an error, with
    the nearest key as a hint."""
    if not specs:
        raise ConfigError("a comparison needs at least one alternative (scenarios=[A,B] or experiment=NAME).")
    names = [spec.name for spec in specs]
    for name in names:
        safe_name("an alternative's name", name)
    if len(set(names)) != len(names):
        raise ConfigError(f"alternatives must have distinct names, got {', '.join(names)}.")
    change_leaves = leaves(change or {})
    if len(specs) > 1 and any(key == "name" for key, _ in change_leaves):
        raise ConfigError(
            "name=... would give every alternative the same name; name them in the experiment file"
            ' or in scenarios=[A,"B name=..."].'
        )
    composed, applied = [], set()
    for spec in specs:
        cfg = compose_scenario(spec.scenario, spec.overrides)
        cfg, lacking = apply_overrides(cfg, spec.name, change_leaves, add or {})
        applied |= {key for key, _ in change_leaves} - {key for key, _ in lacking}
        composed.append((spec, cfg, lacking))
    unknown = [key for key, _ in change_leaves if key not in applied]
    if unknown:
        raise ConfigError(unknown_key_message(unknown[0], [cfg for _, cfg, _ in composed], names))
    alternatives = []
    for spec, cfg, lacking in composed:
        for key, value in lacking:
            print(f"note: {key}={value} does not apply to {spec.name}, which has no such key", file=sys.stderr)
        config = to_scenario(cfg, spec.name, check, limits)
        alternatives.append(Alternative(spec.name, dict(spec.label) or dict(config.label) or {}, config))
    check_comparable(alternatives)
    return alternatives


def unknown_key_message(key: str, configs: list[DictConfig], names: list[str]) -> str:
    """One sentence for an override whose key no alternative has, with the nearest keys."""
    parent, _, last = key.rpartition(".")
    siblings: set[str] = set()
    for cfg in configs:
        node = OmegaConf.select(cfg, parent, default=None) if parent else cfg
        if isinstance(node, DictConfig):
            siblings |= {str(name) for name in node}
    if not parent:
        siblings |= set(SHORTHANDS)
    hint = difflib.get_close_matches(last, sorted(siblings), n=1)
    where = f"scenario {names[0]}" if len(names) == 1 else f"any alternative ({', '.join(names)})"
    suggestion = f"; did you mean {parent + '.' if parent else ''}{hint[0]}?" if hint else ""
    if key in OTHER_COMMANDS:
        suggestion = f"; {OTHER_COMMANDS[key]}"
    if all(addable(cfg, key) for cfg in configs):  # a new entry of a mapping (a site)
        return f"{key} is not a key of {where}{suggestion} (a new key needs +{key}=...)."
    return f"{key} is not a key of {where}{suggestion}" + ("" if suggestion.endswith("?") else ".")


OTHER_COMMANDS = {  # a key of another command given to this one
    "experiment": "experiment=NAME is a setting of python -m sim.compare",
    "scenarios": "scenarios=[A,B] is a setting of python -m sim.compare",
    "scenario": "this command compares scenarios=[A,B] or an experiment=NAME",
}


def addable(cfg: DictConfig, key: str) -> bool:
    """Whether +key=... would add `key` (a new entry of a mapping), as `check_addable` decides."""
    try:
        check_addable(cfg, key)
    except ConfigError:
        return False
    return True


def check_comparable(alternatives: list[Alternative]) -> None:
    """Alternatives compared on common random numbers share a district, horizon and warm-up."""
    first = alternatives[0]
    for other in alternatives[1:]:
        if other.config.region.name != first.config.region.name:
            raise ConfigError(
                f"alternatives must be of one district: {first.name} is in {first.config.region.name},"
                f" {other.name} in {other.config.region.name}."
            )
        for key in ("horizon_days", "warmup_days"):
            if getattr(other.config, key) != getattr(first.config, key):
                raise ConfigError(
                    f"{key} differs between {first.name} and {other.name}; a comparison on common random"
                    " numbers needs the same value (set it on the command line)."
                )


def specs_from_list(entries: list[str]) -> list[AlternativeSpec]:
    """Alternatives given on the command line: `scenarios=[A,"B key=value key=value"]`."""
    specs, seen = [], {}
    for entry in entries:
        scenario, *overrides = str(entry).split()
        if not scenario:
            raise ConfigError("scenarios: an entry is empty; give a scenario name, then any key=value.")
        seen[scenario] = seen.get(scenario, 0) + 1
        name = scenario if seen[scenario] == 1 else f"{scenario}_{seen[scenario]}"
        label = {lang: f"{scenario} ({' '.join(overrides)})" for lang in ("de", "en")} if overrides else {}
        specs.append(AlternativeSpec(name, scenario, overrides, label))
    return specs


def specs_from_experiment(experiment: Any) -> list[AlternativeSpec]:
    """Alternatives of an experiment config, in its order."""
    return [
        AlternativeSpec(str(name), spec.scenario, list(spec.overrides), dict(spec.label))
        for name, spec in experiment.alternatives.items()
    ]


def load_scenario(name: str, *overrides: str, check: bool = True) -> ScenarioConfig:
    """The typed config of scenario `name` with `key=value` overrides, as `python -m sim.run` composes it."""
    (alternative,) = compose_alternatives([AlternativeSpec(name, name)], *override_trees(overrides), check=check)
    return alternative.config


def override_trees(overrides: Iterable[str]) -> tuple[dict, dict]:
    """The `change` and `add` trees of `key=value` and `+key=value` overrides, values read as Hydra reads them."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    change: dict = {}
    add: dict = {}
    for item in overrides:
        override = parser.parse_override(item)
        tree = add if override.is_add() or override.is_force_add() else change
        *parents, last = override.key_or_group.split(".")
        for part in parents:
            tree = tree.setdefault(part, {})
        tree[last] = override.value()
    return change, add
