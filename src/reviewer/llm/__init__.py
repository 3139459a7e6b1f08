"""The LLM engine: rubric judgments by a model, validated, grounded in the text and merged with the rules.

Import-light on purpose: importing ``reviewer.llm`` loads only the configuration; the engine, the prompts
(Jinja2) and the one LangChain module (:mod:`reviewer.llm.client`) load on first use, so rules-only runs
and CLI start-up never pay for them.

Public API (see the modules for details)::

    from reviewer.llm import LLMConfig, make_judge, review_llm, plan_calls
    config = LLMConfig(model="gpt-4o-mini", api_key=key, cache_dir=Path(".reviewer-cache"))
    outcome = review_llm(doc, rubrics, config, make_judge(config), rules=review_rules(doc, rubrics),
                         mode="hybrid")
    Review(..., criteria=tuple(outcome.results), findings=tuple(outcome.findings), notes=tuple(outcome.notes))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import LLMConfig, Method, Mode, Thresholds

if TYPE_CHECKING:
    from .cache import MethodMemory, usage_dict
    from .engine import LLMOutcome, PlannedCall, plan_calls, review_llm
    from .judge import BoundedJudge, FakeJudge, Judge, JudgeRequest, JudgeResponse, Usage

_LAZY = {
    "review_llm": "engine",
    "plan_calls": "engine",
    "LLMOutcome": "engine",
    "PlannedCall": "engine",
    "BoundedJudge": "judge",
    "FakeJudge": "judge",
    "Judge": "judge",
    "JudgeRequest": "judge",
    "JudgeResponse": "judge",
    "Usage": "judge",
    "MethodMemory": "cache",
    "usage_dict": "cache",
    "cost": "cache",
}


def make_judge(config: LLMConfig) -> Judge:
    """The real judge for ``config`` (LangChain ``ChatOpenAI``); nothing is sent until first use."""
    from .client import LangChainJudge

    return LangChainJudge(config)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BoundedJudge",
    "FakeJudge",
    "Judge",
    "JudgeRequest",
    "JudgeResponse",
    "LLMConfig",
    "LLMOutcome",
    "Method",
    "MethodMemory",
    "Mode",
    "PlannedCall",
    "Thresholds",
    "Usage",
    "cost",
    "make_judge",
    "plan_calls",
    "review_llm",
    "usage_dict",
]
