"""The one vendor boundary: a :class:`~reviewer.llm.judge.Judge` backed by LangChain's ``ChatOpenAI``.

This is the only module that imports LangChain (and, through it, ``openai``/``httpx``), and it does so
inside functions, so rules-only runs never pay the import. ``ChatOpenAI`` speaks the OpenAI chat API,
which OpenAI and the OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LM Studio) share.

Choices:

* ``max_retries=0`` on the client: the engine retries transient errors itself, with backoff that
  honours ``Retry-After``, so attempts are counted in one place.
* Everything comes from :class:`~reviewer.llm.config.LLMConfig`; the base URL and API key are always
  passed explicitly, so neither LangChain nor the OpenAI SDK falls back to ``OPENAI_*`` environment
  variables behind the caller's back (a keyless local server gets a placeholder key).
* A server on this machine (``--local-only``, or any loopback base URL) is reached through HTTP clients
  of our own that ignore the environment (``trust_env=False``): ``HTTP_PROXY``/``HTTPS_PROXY``/
  ``ALL_PROXY`` (either case) would otherwise send the whole draft to the proxy, and a proxy may be
  anywhere. They also refuse redirects, so a local server cannot bounce a request elsewhere. A remote
  server keeps LangChain's default clients, proxies included (a corporate proxy is how many reach one).
* ``with_structured_output(schema, method=..., include_raw=True)``: the raw message is kept for the
  finish reason, the token usage and the raw text that a repair prompt quotes back; validation is the
  engine's (:mod:`reviewer.llm.schemas`), not the parser's.
* ``max_tokens`` is bounded on every request. ``ChatOpenAI`` sends it as ``max_completion_tokens``
  (OpenAI's current name); for other servers ``max_tokens`` is sent as well, because several
  OpenAI-compatible servers only read the old name and would otherwise generate until the context ends.
* Errors are mapped onto the judge's typed errors: timeouts, connection errors, 429 and 5xx are
  transient; a 400/422/5xx that names the structured-output feature is :class:`MethodUnsupported`;
  401/403/404 are fatal failures.
"""

from __future__ import annotations

import email.utils
import importlib.util
import json
import time
from typing import Any

from ..errors import ConfigError
from .config import OPENAI_BASE_URL, LLMConfig, Method, require_loopback
from .judge import JudgeFailure, JudgeRequest, JudgeResponse, MethodUnsupported, TransientJudgeError, Usage

KEYLESS = "not-needed"  # placeholder key for local servers that do not check one

_METHOD_WORDS: dict[str, tuple[str, ...]] = {
    "json_schema": ("response_format", "json_schema", "structured output", "grammar", "schema"),
    "function_calling": ("tool_choice", "tools", "tool call", "function", "parallel_tool_calls"),
    "json_mode": ("response_format", "json_object", "json mode"),
}
_REFUSAL_WORDS = ("not supported", "unsupported", "not implemented", "invalid", "unknown", "does not support")


class LangChainJudge:
    """Judge over ``langchain_openai.ChatOpenAI``. Construct once per run; one chat client per max_tokens."""

    def __init__(self, config: LLMConfig) -> None:
        if config.local_only:
            require_loopback(config.base_url)  # checked again here: no connection without the guarantee
        if config.api_key is None and config.endpoint.rstrip("/") == OPENAI_BASE_URL:
            raise ConfigError("the OpenAI API needs an API key", hint="set OPENAI_API_KEY, or pass --base-url")
        if importlib.util.find_spec("langchain_openai") is None:
            raise ConfigError(
                "the LLM engines need langchain-openai, which is not installed",
                hint="pip install 'reviewer[llm]'",
            )
        self.config = config
        self.endpoint = config.endpoint
        self.model = config.model
        self._chats: dict[int, Any] = {}
        self._http: dict[str, Any] | None = None

    def _http_clients(self) -> dict[str, Any]:
        """Explicit sync and async HTTP clients for a local server (shared by every chat client), else none."""
        if not (self.config.local_only or self.config.is_local):
            return {}
        if self._http is None:
            self._http = local_http_clients()
        return self._http

    def _chat(self, max_tokens: int) -> Any:
        if max_tokens not in self._chats:
            from langchain_openai import ChatOpenAI

            cfg = self.config
            key = cfg.api_key.get_secret_value() if cfg.api_key is not None else KEYLESS
            extra: dict[str, Any] = {}
            if cfg.endpoint.rstrip("/") != OPENAI_BASE_URL:
                extra["extra_body"] = {"max_tokens": max_tokens}
            self._chats[max_tokens] = ChatOpenAI(
                model=cfg.model,
                base_url=cfg.endpoint,
                api_key=key,
                timeout=cfg.timeout,
                max_retries=0,
                temperature=cfg.temperature,
                max_tokens=max_tokens,
                **self._http_clients(),
                **extra,
            )
        return self._chats[max_tokens]

    def judge(self, request: JudgeRequest) -> JudgeResponse:
        chat = self._chat(request.max_tokens)
        runnable = chat.with_structured_output(
            _schema_for(request.schema, request.method), method=request.method, include_raw=True
        )
        messages = [(m.role, m.content) for m in request.messages]
        try:
            out = runnable.invoke(messages)
        except Exception as exc:  # mapped to typed errors; anything unknown is a permanent failure
            raise map_error(exc, request.method) from exc
        return _response(out)


def local_http_clients() -> dict[str, Any]:
    """``http_client``/``http_async_client`` for ``ChatOpenAI`` that never use a proxy or follow a redirect.

    ``openai.DefaultHttpxClient`` is the SDK's own client class (httpx2 for openai 3.x, httpx before), with
    the SDK's connection limits; ``trust_env=False`` stops it reading proxy variables, ``.netrc`` and
    ``SSL_CERT_*``, and passing both clients stops LangChain building its defaults (which honour proxies).
    """
    import openai

    return {
        "http_client": openai.DefaultHttpxClient(trust_env=False, follow_redirects=False),
        "http_async_client": openai.DefaultAsyncHttpxClient(trust_env=False, follow_redirects=False),
    }


def _schema_for(schema: dict[str, Any], method: Method) -> dict[str, Any]:
    if method == "json_schema":
        name = str(schema.get("title") or "answer")
        return {"name": name, "description": str(schema.get("description") or ""), "schema": schema}
    return schema


def _response(out: dict[str, Any]) -> JudgeResponse:
    raw = out.get("raw")
    parsed = out.get("parsed")
    err = out.get("parsing_error")
    meta = dict(getattr(raw, "response_metadata", None) or {})
    usage_meta = getattr(raw, "usage_metadata", None) or {}
    token_usage = meta.get("token_usage") or {}
    usage = Usage(
        prompt_tokens=int(usage_meta.get("input_tokens") or token_usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage_meta.get("output_tokens") or token_usage.get("completion_tokens") or 0),
        calls=1,
    )
    return JudgeResponse(
        raw_text=_raw_text(raw),
        parsed=parsed if isinstance(parsed, dict) else None,
        finish_reason=meta.get("finish_reason"),
        usage=usage,
        parse_error=str(err)[:500] if err is not None else None,
    )


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    for call in getattr(raw, "tool_calls", None) or []:
        return json.dumps(call.get("args"), ensure_ascii=False)
    for call in getattr(raw, "invalid_tool_calls", None) or []:
        return str(call.get("args") or "")
    extra = (getattr(raw, "additional_kwargs", None) or {}).get("tool_calls") or []
    for call in extra:
        return str((call.get("function") or {}).get("arguments") or "")
    content = getattr(raw, "content", "")
    if isinstance(content, list):
        return "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return str(content)


def map_error(exc: BaseException, method: Method) -> Exception:
    """The judge error for an exception raised by LangChain / the OpenAI SDK."""
    import openai

    message = _short(exc)
    if isinstance(exc, openai.APITimeoutError):
        return TransientJudgeError(f"timed out: {message}")
    if isinstance(exc, openai.APIConnectionError):
        return TransientJudgeError(f"connection failed: {message}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (400, 422, 500, 501) and is_method_refusal(message, method):
            return MethodUnsupported(f"HTTP {status}: {message}", method=method)
        if status == 429 or status >= 500 or status == 408:
            return TransientJudgeError(
                f"HTTP {status}: {message}", retry_after=retry_after(exc.response), status=status
            )
        return JudgeFailure(f"HTTP {status}: {message}", fatal=status in (401, 403, 404), status=status)
    return JudgeFailure(f"{type(exc).__name__}: {message}")


def is_method_refusal(message: str, method: Method) -> bool:
    text = message.lower()
    return any(w in text for w in _METHOD_WORDS[method]) and (
        any(w in text for w in _REFUSAL_WORDS) or method == "json_schema"
    )


def retry_after(response: Any) -> float | None:
    """Seconds from ``Retry-After-Ms`` / ``Retry-After`` (seconds or HTTP date), when present."""
    headers = getattr(response, "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:400]
