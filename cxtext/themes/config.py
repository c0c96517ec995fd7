"""The theme training config (``training/configs/themes.toml``): reading, checking and
writing it back. Every error names the key at fault."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cxtext.errors import ConfigError
from cxtext.themes.model import ThemeModel

POLARITIES = ("negative", "positive", "any")


@dataclass(frozen=True)
class SeedSpec:
    """A known problem from the training config: a name, phrases in any language, and the
    polarity a clause must have to join it (``None``: inferred from the phrases)."""

    name: str
    phrases: tuple[str, ...]
    polarity: str | None = None


@dataclass(frozen=True)
class ThemeConfig:
    """The training config (``training/configs/themes.toml``)."""

    # The int8 runtime: twice the fp32 speed, within 0.01 of it on every quality check.
    encoder: str = "default-int8"
    batch_size: int = 32
    clause_level: bool = True
    use_problem_picks: bool = True
    granularity: float = 1.0
    min_theme_size: int = 10
    n_components: int = 10
    n_neighbors: int = 15
    max_discovery: int = 12_000
    seed_threshold: float | None = None
    unassigned_quantile: float = 0.01
    debias_languages: bool = True
    sample_per_theme: int = 300
    split_polarity: bool = True
    label_language: str = "en"
    clause_context: float = 1.0
    # Perturbed repeats that measure each theme's stability (cxtext/themes/stability.py).
    stability_runs: int = 3
    random_state: int = 0
    seeds: tuple[SeedSpec, ...] = field(default_factory=tuple)

    def model_params(self) -> dict[str, Any]:
        """Keyword arguments of :class:`ThemeModel`."""
        return {name: getattr(self, name) for name in ThemeModel().get_params()}


def load_config(path: Path | None, **overrides: Any) -> ThemeConfig:
    """Read a training config TOML (``[themes]`` options and ``[[seeds]]``), then overrides.

    Raises
    ------
    ConfigError
        Unreadable file, unknown keys, a seed without a name or phrases or with an unknown
        polarity, or a ``label_language`` that is not an ISO 639-1 code the language
        identifier knows; the message names the key.
    """
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read training config {path}: {exc}") from exc
    unknown_top = set(data) - {"themes", "seeds"}
    if unknown_top:
        raise ConfigError(f"{path}: unknown sections {sorted(unknown_top)}")
    options = dict(data.get("themes", {}))
    allowed = {f.name for f in fields(ThemeConfig)} - {"seeds"}
    unknown = set(options) - allowed
    if unknown:
        raise ConfigError(f"{path}: unknown [themes] keys {sorted(unknown)}")
    seeds = []
    for i, entry in enumerate(data.get("seeds", [])):
        name = str(entry.get("name", "")).strip()
        phrases = tuple(str(p) for p in entry.get("phrases", []) if str(p).strip())
        if not name:
            raise ConfigError(f"{path}: seeds[{i}].name is missing or empty")
        if not phrases:
            raise ConfigError(f"{path}: seeds[{i}].phrases ({name!r}) needs at least one phrase")
        unknown_keys = set(entry) - {"name", "phrases", "polarity"}
        if unknown_keys:
            raise ConfigError(
                f"{path}: seeds[{i}] ({name!r}) has unknown keys {sorted(unknown_keys)}"
            )
        polarity = entry.get("polarity")
        if polarity is not None and polarity not in POLARITIES:
            raise ConfigError(
                f"{path}: seeds[{i}].polarity ({name!r}) must be one of {', '.join(POLARITIES)}; "
                f"got {polarity!r}"
            )
        seeds.append(SeedSpec(name, phrases, polarity))
    options.update({k: v for k, v in overrides.items() if v is not None})
    _check_numbers(options, path)
    if "label_language" in options:
        options["label_language"] = _label_language(options["label_language"], path)
    return ThemeConfig(**options, seeds=tuple(seeds))


# Numeric [themes] keys: integer or not, and the range allowed (in words, and as a test).
_NUMBERS: dict[str, tuple[bool, str, Callable[[float], bool]]] = {
    "batch_size": (True, ">= 1", lambda v: v >= 1),
    "granularity": (False, "> 0", lambda v: v > 0),
    "min_theme_size": (True, ">= 2", lambda v: v >= 2),
    "n_components": (True, ">= 2", lambda v: v >= 2),
    "n_neighbors": (True, ">= 2", lambda v: v >= 2),
    "max_discovery": (True, ">= 2", lambda v: v >= 2),
    "seed_threshold": (False, "in [-1, 1]", lambda v: -1 <= v <= 1),
    "unassigned_quantile": (False, "in [0, 1)", lambda v: 0 <= v < 1),
    "sample_per_theme": (True, ">= 1", lambda v: v >= 1),
    "clause_context": (False, ">= 0", lambda v: v >= 0),
    "stability_runs": (True, ">= 0", lambda v: v >= 0),
    "random_state": (True, ">= 0", lambda v: v >= 0),
}


def _check_numbers(options: dict[str, Any], path: Path | None) -> None:
    """Refuse a numeric key of the wrong type or out of range, naming it."""
    for key, (integer, allowed, ok) in _NUMBERS.items():
        value = options.get(key)
        if value is None:
            continue
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            raise ConfigError(f"{path}: themes.{key} must be {kind}; got {value!r}")
        if not ok(value):
            raise ConfigError(f"{path}: themes.{key} must be {allowed}; got {value!r}")


def _label_language(code: Any, path: Path | None) -> str:
    from lingua import IsoCode639_1

    try:
        IsoCode639_1.from_str(str(code).lower())
    except ValueError:
        raise ConfigError(
            f"{path}: themes.label_language must be an ISO 639-1 code of a language the "
            f"encoder and language identifier know (e.g. en, nl, fr); got {code!r}"
        ) from None
    return str(code).lower()


def config_toml(config: ThemeConfig) -> str:
    """The config as used, written back as TOML for the bundle."""
    lines = ["[themes]"]
    for f in fields(ThemeConfig):
        value = getattr(config, f.name)
        if f.name == "seeds" or value is None:
            continue
        rendered = str(value).lower() if isinstance(value, bool) else repr(value)
        lines.append(f"{f.name} = {rendered.replace(chr(39), chr(34))}")
    for seed in config.seeds:
        phrases = ", ".join(_toml_string(p) for p in seed.phrases)
        lines += ["", "[[seeds]]", f"name = {_toml_string(seed.name)}", f"phrases = [{phrases}]"]
        if seed.polarity is not None:
            lines.append(f"polarity = {_toml_string(seed.polarity)}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
