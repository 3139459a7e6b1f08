"""Settings: defaults < ``reviewer.toml`` < ``REVIEWER_*`` environment < command-line flags.

Resolved once, at the start of a command, into a frozen :class:`Settings`; nothing else in the package
reads ``os.environ`` or the config file. List-valued settings accept a TOML array, a comma-separated
environment variable, or a repeated / comma-separated flag.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .render.registry import default_formats, format_names

FORMATS = default_formats()  # written when no format is chosen; every registered format may be chosen
TARGETS = ("kaiser", "other")
ENGINES = ("rules", "llm", "hybrid")
METHODS = ("json_schema", "function_calling", "json_mode")
# API keys come from the environment only, never from reviewer.toml (a config file gets shared and committed).
KEY_VARIABLES = ("REVIEWER_API_KEY", "OPENAI_API_KEY")
CONFIG_NAME = "reviewer.toml"
ENV_PREFIX = "REVIEWER_"


class Thresholds(BaseModel):
    """A model score -> verdict: ``score >= pass_at`` passes, ``score <= fail_at`` fails, anything between warns
    (the model engine's mapping; set per criterion under ``[thresholds]`` in reviewer.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pass_at: int = Field(default=4, ge=1, le=5)
    fail_at: int = Field(default=2, ge=0, le=5)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.fail_at >= self.pass_at:
            raise ValueError("fail_at must be below pass_at")
        return self


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    out: Path = Path("reviews")
    formats: tuple[str, ...] = FORMATS
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    rubrics: tuple[Path, ...] = ()
    target: str = "kaiser"
    engine: str = "rules"
    # The LLM engine (used when engine is llm or hybrid).
    model: str | None = None
    base_url: str | None = None
    local_only: bool = False
    llm_method: str | None = None  # json_schema | function_calling | json_mode; None = detect per server
    llm_timeout: float = Field(default=120.0, gt=0)
    llm_max_tokens: int = Field(default=2000, ge=64, le=32000)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    cache_dir: Path | None = None  # None = <out>/.llm-cache
    price_input: float | None = Field(default=None, ge=0)  # USD per 1M prompt tokens
    price_output: float | None = Field(default=None, ge=0)  # USD per 1M completion tokens
    dry_run: bool = False
    redact: bool = False  # names, emails, phones, IDs, dates of birth replaced before anything reaches a model
    rewrite: bool = True  # model engines: ask the model for a fact-checked rewrite of a setback's score discussion
    llm_concurrency: int | None = Field(default=None, ge=1, le=256)  # model calls in flight in a batch
    # model score -> verdict by criterion id or dotted prefix (reviewer.toml's [thresholds] table only)
    thresholds: dict[str, Thresholds] = Field(default_factory=dict)
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    config_path: Path | None = Field(default=None, exclude=True)

    @property
    def llm_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.out / ".llm-cache"

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [f for f in v if f not in format_names()]
        if bad:
            raise ValueError(f"unknown format {', '.join(bad)}; choose from {', '.join(format_names())}")
        if not v:
            raise ValueError("at least one format is needed")
        return tuple(dict.fromkeys(v))

    @field_validator("target")
    @classmethod
    def _known_target(cls, v: str) -> str:
        if v not in TARGETS:
            raise ValueError(f"unknown target '{v}'; choose from {', '.join(TARGETS)}")
        return v

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, v: str) -> str:
        if v not in ENGINES:
            raise ValueError(f"unknown engine '{v}'; choose from {', '.join(ENGINES)}")
        return v

    @field_validator("llm_method")
    @classmethod
    def _known_method(cls, v: str | None) -> str | None:
        if v is not None and v not in METHODS:
            raise ValueError(f"unknown structured-output method '{v}'; choose from {', '.join(METHODS)}")
        return v


_LIST_KEYS = {"formats", "only", "skip", "rubrics"}
_TABLE_KEYS = {"thresholds"}  # set in reviewer.toml only: no flag or variable spells a table
_NOT_SETTABLE = {"config_path", "api_key"}
_ALIASES = {"format": "formats"}


def _split(value: Any) -> list[str]:
    if isinstance(value, os.PathLike):  # a path from a flag is one item, commas and all
        return [os.fspath(value)]
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out.extend(_split(v))
        return out
    raise ConfigError(f"expected a list or a comma-separated string, got {value!r}")


def _normalise(layer: Mapping[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in layer.items():
        key = _ALIASES.get(key, key)
        if key not in Settings.model_fields or key in _NOT_SETTABLE:
            if key == "api_key":
                raise ConfigError("API keys are read from the environment only", path=origin,
                                  hint="set OPENAI_API_KEY or REVIEWER_API_KEY")
            raise ConfigError(f"unknown setting '{key}'", path=origin,
                              hint="known: " + ", ".join(k for k in Settings.model_fields if k not in _NOT_SETTABLE))
        if value is None:
            continue
        if key in _TABLE_KEYS:
            out[key] = _thresholds(value, origin)
            continue
        out[key] = _split(value) if key in _LIST_KEYS else value
    return out


_THRESHOLD_FIELDS = set(Thresholds.model_fields)


def _thresholds(value: Any, origin: str) -> dict[str, Any]:
    """``[thresholds]`` as ``{criterion id or prefix: {pass_at, fail_at}}``. TOML reads an unquoted dotted key
    (``score.excuse = {pass_at = 5}``) as nested tables: those are joined back into the id."""
    if not isinstance(value, dict):
        raise ConfigError("thresholds are a table in reviewer.toml", path=origin,
                          hint='e.g. [thresholds] then "score.excuse" = { pass_at = 5, fail_at = 2 }')
    out: dict[str, Any] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for k, v in table.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v and not set(v) & _THRESHOLD_FIELDS:
                walk(v, key)
            else:
                out[key] = v

    walk(value, "")
    return out


def read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=path) from exc
    data = data.get("reviewer", data) if isinstance(data.get("reviewer"), dict) else data
    return _normalise(data, str(path))


def env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    layer = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX) and v != ""}
    layer.pop("config", None)
    layer.pop("api_key", None)
    # Variables meant for other tools (e.g. REVIEWER_LLM_HOME for the local server script) are not ours.
    layer = {k: v for k, v in layer.items() if _ALIASES.get(k, k) in Settings.model_fields}
    return _normalise(layer, "environment")


def resolve_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> Settings:
    """Merge the four layers. ``flags`` holds only values the user actually gave (None = not given)."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    merged: dict[str, Any] = {}
    cfg = config or (Path(env["REVIEWER_CONFIG"]) if env.get("REVIEWER_CONFIG") else None)
    if cfg is None and (cwd / CONFIG_NAME).is_file():
        cfg = cwd / CONFIG_NAME
    if cfg is not None:
        if not cfg.is_file():
            raise ConfigError("config file not found", path=cfg)
        merged.update(read_config(cfg))
    merged.update(env_layer(env))
    merged.update(_normalise({k: v for k, v in (flags or {}).items() if v not in (None, (), [])}, "flags"))
    if cfg is not None and "rubrics" in merged and "rubrics" not in (flags or {}):
        merged["rubrics"] = [str(p if Path(p).is_absolute() else cfg.parent / p) for p in merged["rubrics"]]
    key = next((env[k] for k in KEY_VARIABLES if env.get(k)), None)
    try:
        return Settings(**merged, config_path=cfg, api_key=key)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{field}: {err['msg'].removeprefix('Value error, ')}",
                          path=cfg or "settings") from None
