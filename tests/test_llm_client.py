"""The vendor boundary without a network: error mapping, Retry-After, raw-response reading, guards."""

from __future__ import annotations

import email.utils
import time

import pytest

from reviewer.errors import ConfigError
from reviewer.llm import LLMConfig, make_judge
from reviewer.llm.judge import JudgeFailure, MethodUnsupported, TransientJudgeError

openai = pytest.importorskip("openai")
httpx = pytest.importorskip("httpx")
pytest.importorskip("langchain_openai")

from reviewer.llm.client import _response, is_method_refusal, map_error, retry_after  # noqa: E402

REQ = httpx.Request("POST", "http://127.0.0.1:8765/v1/chat/completions")


def status_error(cls: type, status: int, message: str, headers: dict[str, str] | None = None) -> Exception:
    response = httpx.Response(status, headers=headers or {}, request=REQ)
    return cls(message, response=response, body=None)


def test_rate_limit_is_transient_with_retry_after() -> None:
    err = map_error(
        status_error(openai.RateLimitError, 429, "slow down", {"retry-after": "3"}), "json_schema"
    )
    assert isinstance(err, TransientJudgeError) and err.retry_after == 3.0 and err.status == 429


def test_server_errors_and_timeouts_are_transient() -> None:
    err = map_error(status_error(openai.InternalServerError, 503, "overloaded"), "function_calling")
    assert isinstance(err, TransientJudgeError)
    assert isinstance(map_error(openai.APITimeoutError(request=REQ), "json_mode"), TransientJudgeError)
    assert isinstance(map_error(openai.APIConnectionError(request=REQ), "json_mode"), TransientJudgeError)


def test_method_refusals_are_recognised() -> None:
    llama = (
        "1 validation error: {'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
    )
    err = map_error(status_error(openai.InternalServerError, 500, llama), "json_schema")
    assert isinstance(err, MethodUnsupported) and err.method == "json_schema"
    err = map_error(
        status_error(openai.BadRequestError, 400, "tool_choice is not supported"), "function_calling"
    )
    assert isinstance(err, MethodUnsupported)
    assert not is_method_refusal("maximum context length exceeded", "function_calling")


def test_other_client_errors_are_permanent_and_auth_is_fatal() -> None:
    err = map_error(
        status_error(openai.BadRequestError, 400, "maximum context length exceeded"), "function_calling"
    )
    assert isinstance(err, JudgeFailure) and not err.fatal
    err = map_error(status_error(openai.AuthenticationError, 401, "invalid api key"), "json_schema")
    assert isinstance(err, JudgeFailure) and err.fatal
    err = map_error(status_error(openai.NotFoundError, 404, "model not found"), "json_schema")
    assert isinstance(err, JudgeFailure) and err.fatal
    assert isinstance(map_error(ValueError("boom"), "json_mode"), JudgeFailure)


def test_retry_after_forms() -> None:
    assert retry_after(httpx.Response(429, headers={"retry-after-ms": "1500"})) == 1.5
    assert retry_after(httpx.Response(429, headers={"retry-after": "2"})) == 2.0
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after(httpx.Response(429, headers={"retry-after": when})) or 0) <= 31
    assert retry_after(httpx.Response(429)) is None
    assert retry_after(httpx.Response(429, headers={"retry-after": "soon"})) is None


def test_raw_response_reading() -> None:
    from langchain_core.messages import AIMessage

    msg = AIMessage(
        content="",
        tool_calls=[{"name": "rubric_judgment", "args": {"criteria": []}, "id": "1"}],
        response_metadata={"finish_reason": "tool_calls"},
        usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
    )
    r = _response({"raw": msg, "parsed": {"criteria": []}, "parsing_error": None})
    assert r.raw_text == '{"criteria": []}' and r.finish_reason == "tool_calls"
    assert (r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.calls) == (10, 5, 1)
    cut = AIMessage(
        content="",
        invalid_tool_calls=[
            {"name": "rubric_judgment", "args": '{"criteria": [', "id": "1", "error": "bad json"}
        ],
        response_metadata={"finish_reason": "length"},
    )
    r = _response({"raw": cut, "parsed": None, "parsing_error": ValueError("bad json")})
    assert r.raw_text == '{"criteria": [' and r.parsed is None and r.finish_reason == "length"
    assert r.parse_error == "bad json"


def test_judge_guards() -> None:
    with pytest.raises(ConfigError, match="API key"):
        make_judge(LLMConfig(model="gpt-4o-mini"))
    judge = make_judge(LLMConfig(model="smollm2", base_url="http://127.0.0.1:8765/v1", local_only=True))
    assert judge.endpoint == "http://127.0.0.1:8765/v1" and judge.model == "smollm2"
