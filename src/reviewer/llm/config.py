"""LLM engine configuration: one frozen value, built by the caller from settings, never from the environment.

``LLMConfig`` is everything the engine needs to talk to a model. The settings layer reads
``reviewer.toml`` / ``REVIEWER_*`` / flags (and ``OPENAI_API_KEY``) and passes the values in; this module
never reads ``os.environ``, so a test or a library user controls exactly what is sent where.

``local_only`` is a privacy guarantee, enforced when the config is built (before any connection can be
attempted): the base URL must be an ``http(s)`` URL whose host is a loopback literal (``127.0.0.0/8``,
``::1``) or ``localhost``. Names are not resolved through DNS, because a name that resolves to
loopback today may not tomorrow. ``api_key`` is a :class:`~pydantic.SecretStr` excluded from dumps,
reprs and the cache key.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from ..errors import ConfigError
from ..settings import Thresholds

Method = Literal["json_schema", "function_calling", "json_mode"]
METHODS: tuple[Method, ...] = ("json_schema", "function_calling", "json_mode")
Mode = Literal["llm", "hybrid"]
OPENAI_BASE_URL = "https://api.openai.com/v1"


class LLMConfig(BaseModel):
    """How to reach a model and how to judge with it. Suggested env names in brackets (settings layer).

    model [REVIEWER_MODEL], base_url [REVIEWER_BASE_URL] (None = OpenAI), api_key [OPENAI_API_KEY or
    REVIEWER_API_KEY], local_only [REVIEWER_LOCAL_ONLY], method [REVIEWER_LLM_METHOD] (None = detect),
    timeout [REVIEWER_LLM_TIMEOUT], max_tokens [REVIEWER_LLM_MAX_TOKENS], max_retries
    [REVIEWER_LLM_MAX_RETRIES], cache_dir [REVIEWER_CACHE_DIR] (None = no cache), price_input_per_m /
    price_output_per_m [REVIEWER_PRICE_INPUT / REVIEWER_PRICE_OUTPUT] (USD per 1M tokens), dry_run
    [--dry-run], redact [REVIEWER_REDACT / --redact], rewrite [REVIEWER_REWRITE / --no-rewrite].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(min_length=1)
    base_url: str | None = None
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    local_only: bool = False
    method: Method | None = None
    timeout: float = Field(default=120.0, gt=0)
    max_tokens: int = Field(default=2000, ge=64, le=32000)
    repair_max_tokens: int | None = Field(default=None, ge=64, le=32000)  # None = same as max_tokens
    max_retries: int = Field(default=2, ge=0, le=10)  # transient errors only; attempts = 1 + max_retries
    max_retry_wait: float = Field(default=60.0, ge=0)  # a longer Retry-After gives up instead of waiting
    temperature: float = Field(default=0.0, ge=0, le=2)
    cache_dir: Path | None = None
    price_input_per_m: float | None = Field(default=None, ge=0)
    price_output_per_m: float | None = Field(default=None, ge=0)
    dry_run: bool = False
    redact: bool = False  # [REVIEWER_REDACT / --redact] identifiers replaced before sending (reviewer.redact)
    rewrite: bool = True  # [REVIEWER_REWRITE / --no-rewrite] ask for a rewrite of a setback's score discussion
    thresholds: dict[str, Thresholds] = Field(default_factory=dict)  # by criterion id or dotted prefix
    rules_only: tuple[str, ...] | None = None  # hybrid: criteria kept rules-judged (None: as each rubric says)
    boundary_seed: str | None = Field(default=None, repr=False)  # tests only: makes the boundary derivable

    @model_validator(mode="after")
    def _local_only(self) -> LLMConfig:
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.local_only:
            require_loopback(self.base_url)
        return self

    @property
    def endpoint(self) -> str:
        """The base URL actually used (OpenAI's when none is set)."""
        return self.base_url or OPENAI_BASE_URL

    @property
    def is_local(self) -> bool:
        return self.base_url is not None and is_loopback_url(self.base_url)


def check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"base URL '{url}' is not an http(s) URL with a host", hint="e.g. http://127.0.0.1:8080/v1"
        )


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def is_loopback_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https") and bool(parts.hostname) and is_loopback_host(parts.hostname or "")
    )


def require_loopback(base_url: str | None) -> None:
    """Raise :class:`ConfigError` unless ``base_url`` points at this machine (the local-only guarantee)."""
    if base_url is None:
        raise ConfigError(
            "local-only mode needs a loopback base URL; none is set, which would mean OpenAI",
            hint="pass --base-url http://127.0.0.1:PORT/v1",
        )
    if not is_loopback_url(base_url):
        host = urlsplit(base_url).hostname or base_url
        raise ConfigError(
            f"local-only mode refuses base URL host '{host}': not a loopback address",
            hint="use 127.0.0.1, ::1 or localhost, or drop --local-only",
        )


def thresholds_for(config: LLMConfig, criterion_id: str, pass_at: int | None = None) -> Thresholds:
    """The most specific configured thresholds for a criterion (exact id, then longest prefix); else the
    criterion's own ``pass_at`` (its rubric's ``model_pass_at``); else the defaults."""
    best: tuple[int, Thresholds] | None = None
    for key, value in config.thresholds.items():
        key = key.rstrip(".")
        matches = criterion_id == key or criterion_id.startswith(key + ".")
        if matches and (best is None or len(key) > best[0]):
            best = (len(key), value)
    if best:
        return best[1]
    return Thresholds(pass_at=pass_at) if pass_at is not None else Thresholds()
