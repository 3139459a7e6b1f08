"""On-disk cache of validated judgments, the structured-output method memory, and cost accounting.

Cache key: sha256 over (model, base URL, prompt template digest, rubric digest, judged criterion ids,
document kind, document text digest, and the request's identity: a digest of the messages as sent, without
their random boundary marker, and of the answer schema; see :mod:`reviewer.llm.request`). An unchanged
document judged with the same model, prompts and rubric costs nothing on a re-run; editing a template, a
rubric, the target or the text makes a new key. The API key
is never part of the key. Files are ``<cache_dir>/judgments/<k[:2]>/<k>.json`` written atomically
(:mod:`reviewer.fsio`); names are hashes, never document text (the stored judgment does hold the
model's quotes, which the engine grounds again on a hit). Only validated answers are stored: a
fallback is never cached, so a later run retries it. Each entry also records the digest of the document
text it judged (``text_digest``, the same digest the review store keeps per round), so ``reviewer purge``
can delete an applicant's entries without any index of names or text (:meth:`JudgmentCache.purge`).

The method memory (``<cache_dir>/methods.json``) remembers, per (base URL, model), the structured-output
method the server accepted, so detection (json_schema -> function_calling -> json_mode) happens once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fsio import atomic_write_text
from .config import METHODS, LLMConfig, Method
from .judge import Usage
from .schemas import RubricJudgment

CACHE_VERSION = 2


def cache_key(
    *,
    model: str,
    endpoint: str,
    template_digest: str,
    rubric_digest: str,
    criterion_ids: Sequence[str],
    kind: str,
    text_digest: str,
    request: str = "",
) -> str:
    payload = json.dumps(
        {
            "v": CACHE_VERSION,
            "model": model,
            "endpoint": endpoint.rstrip("/"),
            "templates": template_digest,
            "rubric": rubric_digest,
            "criteria": list(criterion_ids),
            "kind": kind,
            "text": text_digest,
            "request": request,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Cached:
    judgment: RubricJudgment
    usage: Usage  # what the original call cost
    method: str


def _usage_of(data: dict[str, Any]) -> Usage:
    """The cost an entry records (zero for what it does not say)."""
    u = data.get("usage") or {}
    return Usage(int(u.get("prompt_tokens", 0)), int(u.get("completion_tokens", 0)), int(u.get("calls", 0)))


class JudgmentCache:
    """Validated judgments by cache key. A missing folder or an unreadable entry is a miss, never an error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / "judgments" / key[:2] / f"{key}.json"

    def get(self, key: str) -> Cached | None:
        """The entry for ``key``, validated again (and so cleaned again) as it is read; an entry that no longer
        validates is evicted, so a bad answer is never served twice."""
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
        try:
            data = json.loads(text)
            if data.get("version") != CACHE_VERSION:
                return None
            judgment = RubricJudgment.model_validate(data["judgment"])
            usage = _usage_of(data)
            return Cached(judgment, usage, str(data.get("method", "")))
        except (ValueError, KeyError, TypeError, AttributeError):
            path.unlink(missing_ok=True)
            return None

    def put(
        self, key: str, judgment: RubricJudgment, usage: Usage, method: str, *, text_digest: str | None = None
    ) -> None:
        self._write(key, {"judgment": judgment.model_dump(mode="json")}, usage, method, text_digest)

    def _write(self, key: str, payload: dict[str, Any], usage: Usage, method: str, text_digest: str | None) -> None:
        """An entry: the payload (a judgment or a rewrite) with its cache version, document digest, method and
        cost."""
        data = {
            "version": CACHE_VERSION,
            "text_digest": text_digest,
            **payload,
            "method": method,
            "usage": {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "calls": usage.calls,
            },
        }
        atomic_write_text(self._path(key), json.dumps(data, ensure_ascii=False, indent=1))

    def get_rewrite(self, key: str) -> tuple[str, Usage, str] | None:
        """A cached rewrite answer (the model's text as given, placeholders and all), its cost and method."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION or not isinstance(data.get("rewrite"), str):
                return None
            return data["rewrite"], _usage_of(data), str(data.get("method", ""))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put_rewrite(self, key: str, text: str, usage: Usage, method: str, *, text_digest: str | None = None) -> None:
        self._write(key, {"rewrite": text}, usage, method, text_digest)


    def purge(self, text_digests: set[str]) -> tuple[int, int]:
        """Delete the entries that judged one of ``text_digests``: (deleted, entries of unknown origin kept)."""
        deleted = unknown = 0
        for path in sorted((self.folder / "judgments").glob("*/*.json")):
            try:
                owner = json.loads(path.read_text(encoding="utf-8")).get("text_digest")
            except (OSError, ValueError, AttributeError):
                owner = None
            if owner in text_digests:
                path.unlink(missing_ok=True)
                deleted += 1
            elif not owner:
                unknown += 1
        return deleted, unknown


class MethodMemory:
    """Which structured-output method works for a (base URL, model); on disk when a folder is set."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "methods.json" if folder else None
        self._mem: dict[str, str] = {}

    @staticmethod
    def _key(endpoint: str, model: str) -> str:
        return f"{endpoint.rstrip('/')} {model}"

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return dict(self._mem)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, endpoint: str, model: str) -> Method | None:
        value = self._mem.get(self._key(endpoint, model)) or self._load().get(self._key(endpoint, model))
        for m in METHODS:
            if m == value:
                return m
        return None

    def remember(self, endpoint: str, model: str, method: Method) -> None:
        key = self._key(endpoint, model)
        self._mem[key] = method
        if self.path is None:
            return
        data = self._load()
        if data.get(key) != method:
            data[key] = method
            atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True))


def cost(usage: Usage, config: LLMConfig) -> float | None:
    """Estimated USD for ``usage`` (cached calls are free); None when the prices are not configured.

    A loopback server costs nothing unless prices are set explicitly.
    """
    pin, pout = config.price_input_per_m, config.price_output_per_m
    if pin is None and pout is None:
        return 0.0 if config.is_local else None
    return round(
        (usage.prompt_tokens * (pin or 0.0) + usage.completion_tokens * (pout or 0.0)) / 1_000_000, 6
    )


def estimate_tokens(text: str) -> int:
    """A provider-neutral token estimate (about four characters per token for English prose)."""
    return max(1, (len(text) + 3) // 4)


def usage_dict(usage: Usage, config: LLMConfig) -> dict[str, Any]:
    """Usage and cost as plain values for JSON/Markdown renderers."""
    return {
        "calls": usage.calls,
        "cached_calls": usage.cached_calls,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "estimated_cost_usd": cost(usage, config),
        "model": config.model,
        "endpoint": config.endpoint,
    }
