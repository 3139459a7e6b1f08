"""The judge protocol: the only thing the engine knows about a model.

A :class:`Judge` takes a :class:`JudgeRequest` (chat messages, the JSON schema of the answer, the
structured-output method, a bounded ``max_tokens``) and returns a :class:`JudgeResponse` (the parsed
object when the transport could parse one, the raw text always, the finish reason and token usage).
Validation of the answer is *not* the judge's job: the engine validates every answer with its own
pydantic models, so a lenient or buggy provider cannot smuggle an unvalidated value into a review.

Failures are typed so the engine can decide what to do without knowing the vendor:
:class:`TransientJudgeError` (timeouts, 429, 5xx, connection drops: retry with backoff),
:class:`MethodUnsupported` (the server refuses this structured-output method: try the next one),
:class:`JudgeFailure` (anything else: give up on this call; ``fatal`` ones, such as a bad API key, also
stop further calls for the document).

:class:`FakeJudge` replays scripted answers for unit tests and records every request it was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from .config import Method
from .sanitize import clean_answer_text

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class JudgeRequest:
    messages: tuple[Message, ...]
    schema: dict[str, Any]  # JSON schema of the answer (its "title" names the tool / response format)
    method: Method
    max_tokens: int
    purpose: str = "judge"  # "judge" | "repair": for logs and tests
    identity: str = ""  # what is asked, without the random boundary (llm.request): batch results are found by it


@dataclass(frozen=True)
class Usage:
    """Token counts of one or more calls. ``cached_calls`` were answered from the on-disk cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.calls + other.calls,
            self.cached_calls + other.cached_calls,
        )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class JudgeResponse:
    raw_text: str
    parsed: dict[str, Any] | None = None
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    parse_error: str | None = None  # why the transport could not parse raw_text, when it tried


class Judge(Protocol):
    """Anything that can answer a :class:`JudgeRequest`. ``endpoint``/``model`` key the method memory."""

    endpoint: str
    model: str

    def judge(self, request: JudgeRequest) -> JudgeResponse: ...


class JudgeError(Exception):
    """Base of the judge's failures. ``str()`` is safe to show: it never contains the API key, nor characters
    XML cannot hold (a server's error text becomes a note in the DOCX feedback)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(clean_answer_text(str(message)))


class TransientJudgeError(JudgeError):
    """Worth retrying: timeout, connection error, HTTP 429 or 5xx. ``retry_after`` in seconds when given."""

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class MethodUnsupported(JudgeError):
    """The server refused the structured-output method (e.g. ``response_format`` json_schema)."""

    def __init__(self, message: str, *, method: Method) -> None:
        super().__init__(message)
        self.method = method


class JudgeFailure(JudgeError):
    """A permanent failure of this call. ``fatal``: no later call can succeed either (auth, unknown model)."""

    def __init__(self, message: str, *, fatal: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.fatal = fatal
        self.status = status


Script = JudgeResponse | JudgeError | dict[str, Any] | str
Responder = Callable[[JudgeRequest], Script]


class FakeJudge:
    """A scripted judge for tests: answers in order (the last one repeats), or from a function.

    A script item may be a :class:`JudgeResponse`, a :class:`JudgeError` (raised), a dict (returned as
    parsed JSON with ``finish_reason="stop"``) or a string (raw text, parsed when it is valid JSON).
    ``refuse`` lists methods this fake server rejects with :class:`MethodUnsupported`.
    """

    def __init__(
        self,
        script: Sequence[Script] | Responder = (),
        *,
        endpoint: str = "http://fake/v1",
        model: str = "fake-model",
        refuse: Sequence[Method] = (),
    ) -> None:
        self.script = script
        self.endpoint = endpoint
        self.model = model
        self.refuse = tuple(refuse)
        self.requests: list[JudgeRequest] = []
        self._i = 0

    @property
    def calls(self) -> int:
        return len(self.requests)

    def judge(self, request: JudgeRequest) -> JudgeResponse:
        self.requests.append(request)
        if request.method in self.refuse:
            raise MethodUnsupported(
                f"response_format {request.method} is not supported", method=request.method
            )
        if callable(self.script):
            item = self.script(request)
        else:
            if not self.script:
                raise JudgeFailure("FakeJudge has no scripted answer")
            item = self.script[min(self._i, len(self.script) - 1)]
            self._i += 1
        return _to_response(item)


def _to_response(item: Script) -> JudgeResponse:
    if isinstance(item, JudgeError):
        raise item
    if isinstance(item, JudgeResponse):
        return item
    usage = Usage(prompt_tokens=100, completion_tokens=50, calls=1)
    if isinstance(item, dict):
        return JudgeResponse(raw_text=json.dumps(item), parsed=item, finish_reason="stop", usage=usage)
    try:
        parsed = json.loads(item)
    except ValueError as exc:
        return JudgeResponse(raw_text=item, finish_reason="stop", usage=usage, parse_error=str(exc))
    return JudgeResponse(
        raw_text=item, parsed=parsed if isinstance(parsed, dict) else None, finish_reason="stop", usage=usage
    )


class BoundedJudge:
    """A judge shared by many threads, with at most ``limit`` requests in flight at once.

    The batch runner reviews several applicants on threads when a model is configured: model calls are
    I/O, so threads overlap their waiting; the semaphore keeps the number of simultaneous requests at the
    configured concurrency whatever the number of threads (a backoff sleep after a 429 happens outside
    the semaphore, so a rate-limited call does not hold a slot while it waits).
    """

    def __init__(self, inner: Judge, limit: int) -> None:
        import threading

        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.inner = inner
        self.endpoint = inner.endpoint
        self.model = inner.model
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    def judge(self, request: JudgeRequest) -> JudgeResponse:
        with self._slots:
            return self.inner.judge(request)
