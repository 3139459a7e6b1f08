"""One rubric judgment, with its faults handled: retries, method detection, one repair, typed give-up.

:func:`judge_rubric` sends one (document, rubric) prompt and returns a validated
:class:`~reviewer.llm.schemas.RubricJudgment`, or raises :class:`RubricFailed` with the reason, the
attempts made and the tokens spent (instructor's habit: bounded re-ask, one typed error at the end).

* **Transient errors** (timeouts, connection drops, 429, 5xx) are retried up to ``max_retries`` times
  with exponential backoff (1, 2, 4 ... seconds, capped at 30) plus jitter; a ``Retry-After`` from the
  server replaces the computed wait, and one longer than ``max_retry_wait`` gives up at once rather than
  stall a batch. Nothing else is retried.
* **Method detection**: with no configured method, the one remembered for this (base URL, model) is
  tried first, then ``json_schema`` -> ``function_calling`` -> ``json_mode``; a refusal moves on, and the
  first method the server accepts is remembered. A configured method is used as given (a refusal is a
  failure with a hint).
* **Repair**: an answer that is not valid JSON, misses a criterion, scores outside 1..5, echoes the format's
  placeholders, or was cut at the token limit gets exactly one re-ask that quotes the validation errors
  back (bounded ``max_tokens``, with a schema sized to it). A second invalid answer fails the rubric.
* **Truncation** is not left to the finish reason: llama.cpp reports ``tool_calls`` for a function call cut
  off at ``max_tokens``. An answer is taken as cut off when the finish reason says ``length``, when its
  completion tokens reach the call's ``max_tokens`` (within
  :data:`TOKEN_SLACK`), or when its JSON does not parse.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .cache import MethodMemory
from .config import METHODS, LLMConfig, Method
from .judge import (
    Judge,
    JudgeFailure,
    JudgeRequest,
    JudgeResponse,
    Message,
    MethodUnsupported,
    TransientJudgeError,
    Usage,
)
from .prompt import repair_messages
from .request import REWRITE_MAX_CHARS, RewriteCall, RubricCall, judge_request
from .sanitize import clean_answer_text
from .schemas import AnswerInvalid, RubricJudgment, validate_answer

Sleep = Callable[[float], None]
MAX_BACKOFF = 30.0
TOKEN_SLACK = 2  # llama.cpp counts a cut-off answer one short of max_tokens


class RubricFailed(Exception):
    """The rubric could not be judged by the model; ``fatal`` means no later call will succeed either."""

    def __init__(
        self, reason: str, *, usage: Usage, attempts: int, fatal: bool = False, method: Method | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage
        self.attempts = attempts
        self.fatal = fatal
        self.method = method


@dataclass
class CallState:
    """Counters of one rubric judgment (for accounting and tests)."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    repaired: bool = False
    method: Method | None = None


def backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return retry_after
    return min(MAX_BACKOFF, 2.0**attempt) * (0.75 + 0.5 * random.random())


def send(
    judge: Judge, request: JudgeRequest, config: LLMConfig, state: CallState, sleep: Sleep
) -> JudgeResponse:
    """One request with bounded retries of transient errors."""
    for attempt in range(config.max_retries + 1):
        state.attempts += 1
        try:
            response = judge.judge(request)
        except TransientJudgeError as exc:
            if attempt >= config.max_retries:
                raise JudgeFailure(f"{exc} (gave up after {attempt + 1} attempts)") from exc
            wait = backoff(attempt, exc.retry_after)
            if wait > config.max_retry_wait:
                raise JudgeFailure(
                    f"{exc} (server asked to wait {wait:.0f}s; limit {config.max_retry_wait:.0f}s)"
                ) from exc
            sleep(wait)
            continue
        state.usage = state.usage + response.usage
        return response
    raise AssertionError("unreachable")  # pragma: no cover


def methods_to_try(config: LLMConfig, judge: Judge, memory: MethodMemory) -> list[Method]:
    if config.method is not None:
        return [config.method]
    known = memory.get(judge.endpoint, judge.model)
    return [known, *(m for m in METHODS if m != known)] if known else list(METHODS)


def send_detecting(
    judge: Judge,
    call: RubricCall | RewriteCall,
    config: LLMConfig,
    memory: MethodMemory,
    state: CallState,
    sleep: Sleep,
    *,
    messages: tuple[Message, ...] | None = None,
    max_tokens: int | None = None,
    purpose: str = "judge",
) -> tuple[JudgeResponse, JudgeRequest]:
    """Send with the first structured-output method the server accepts (and remember it)."""
    methods = [state.method] if state.method else methods_to_try(config, judge, memory)
    refusals: list[str] = []
    for method in methods:
        request = judge_request(call, method, messages=messages, max_tokens=max_tokens, purpose=purpose)
        try:
            response = send(judge, request, config, state, sleep)
        except MethodUnsupported as exc:
            refusals.append(f"{method}: {exc}")
            continue
        if state.method is None:
            state.method = method
            if config.method is None:
                memory.remember(judge.endpoint, judge.model, method)
        return response, request
    hint = " (set another method)" if config.method else ""
    raise JudgeFailure(
        "the server refused every structured-output method tried: " + "; ".join(refusals) + hint
    )


def truncated(response: JudgeResponse, request: JudgeRequest) -> bool:
    """Cut off at the token limit, whatever the finish reason says (llama.cpp says ``tool_calls``)."""
    if response.finish_reason == "length":
        return True
    if response.usage.completion_tokens and response.usage.completion_tokens >= request.max_tokens - TOKEN_SLACK:
        return True
    return response.parsed is None and response.parse_error is not None and not response.raw_text.rstrip().endswith("}")


def _check(response: JudgeResponse, request: JudgeRequest, call: RubricCall) -> RubricJudgment:
    try:
        return validate_answer(response.parsed, response.raw_text, call.criterion_ids, span=call.span)
    except AnswerInvalid as exc:
        if truncated(response, request):
            raise AnswerInvalid(["the answer was cut off at the token limit", *exc.errors]) from exc
        raise


def judge_rubric(
    judge: Judge,
    call: RubricCall,
    config: LLMConfig,
    memory: MethodMemory,
    *,
    sleep: Sleep = time.sleep,
) -> tuple[RubricJudgment, CallState]:
    """A validated judgment of one planned call, or :class:`RubricFailed`."""
    state = CallState()
    try:
        first, request = send_detecting(judge, call, config, memory, state, sleep)
        try:
            return _check(first, request, call), state
        except AnswerInvalid as invalid:
            state.repaired = True
            messages = repair_messages(
                call.prompt,
                first.raw_text,
                invalid.errors,
                call.criterion_ids,
                truncated=truncated(first, request),
                span=call.span,
            )
            second, again_request = send_detecting(
                judge, call, config, memory, state, sleep, messages=messages,
                max_tokens=config.repair_max_tokens or config.max_tokens, purpose="repair",
            )
            try:
                return _check(second, again_request, call), state
            except AnswerInvalid as again:
                raise RubricFailed(
                    f"the answer was invalid after one repair: {_first(again.errors)}",
                    usage=state.usage,
                    attempts=state.attempts,
                    method=state.method,
                ) from again
    except JudgeFailure as exc:
        raise RubricFailed(
            str(exc), usage=state.usage, attempts=state.attempts, fatal=exc.fatal, method=state.method
        ) from exc


def rewrite_answer(response: JudgeResponse) -> str:
    """The rewritten passage of a rewrite answer (``{"rewrite": "..."}``), or :class:`AnswerInvalid`."""
    parsed = response.parsed
    if parsed is None:
        import json

        try:
            parsed = json.loads(response.raw_text)
        except ValueError:
            raise AnswerInvalid(["the answer is not a JSON object"]) from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("rewrite"), str):
        raise AnswerInvalid(['the answer has no "rewrite" string'])
    if set(parsed) != {"rewrite"}:
        raise AnswerInvalid(['the answer has keys other than "rewrite"'])
    text = " ".join(clean_answer_text(parsed["rewrite"]).split())
    if len(text) > REWRITE_MAX_CHARS:
        raise AnswerInvalid(["the rewrite is longer than allowed"])
    return text


def ask_rewrite(
    judge: Judge, call: RewriteCall, config: LLMConfig, memory: MethodMemory, *, sleep: Sleep = time.sleep
) -> tuple[str, CallState]:
    """The model's rewrite (as it wrote it: placeholders not restored, facts not checked), sent with the same
    retries and method detection as a judgment; no repair. :class:`RubricFailed` when there is none."""
    state = CallState()
    try:
        response, _ = send_detecting(judge, call, config, memory, state, sleep)
        return rewrite_answer(response), state
    except AnswerInvalid as exc:
        raise RubricFailed(f"the rewrite answer was invalid: {_first(exc.errors)}", usage=state.usage,
                           attempts=state.attempts, method=state.method) from exc
    except JudgeFailure as exc:
        raise RubricFailed(str(exc), usage=state.usage, attempts=state.attempts, fatal=exc.fatal,
                           method=state.method) from exc


def _first(errors: Sequence[str], n: int = 2) -> str:
    shown = "; ".join(errors[:n])
    return shown + (f" (and {len(errors) - n} more)" if len(errors) > n else "")
