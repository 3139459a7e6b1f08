"""The one place a model request is built: live calls, dry runs, batch exports and imports all use it.

:func:`plan_requests` decides, for one document, which rubrics are sent and with which criteria, and builds
each request completely: the text as sent (invisible characters stripped; identifiers replaced by
placeholders with ``--redact``, through :func:`reviewer.redact.redact`), the prompt messages (target
program, the located score discussion), the answer schema sized to the token limit, the cache key and the
request's *identity* (a digest of everything asked, without the random boundary marker), which a batch
file's ``custom_id`` carries so an import finds the answer to the very request the live engine makes.
:func:`judge_request` turns a planned call into a :class:`~reviewer.llm.judge.JudgeRequest` for a method,
and :func:`chat_body` into the chat-completions body the live client sends (what a batch line holds).

What is sent, per rubric (the criteria's policy fields, :mod:`reviewer.llm.policy`):

* the criteria the model judges that apply to the document's kind;
* not the ones the rules found not applicable (a statement aimed elsewhere has no "why Kaiser"), except in
  a rubric that asks the model where the score discussion is (``model_span``): there the model may find a
  discussion, or a setback, that the rules missed, so its criteria are sent whatever the rules said;
* no call at all when the rubric's ``model_gate`` finds none of its terms in the document (no exam, score,
  attempt or failure vocabulary at all: a generous pre-check, never "the rules found no setback"), or when
  no criterion is left.

:func:`plan_rewrite` builds the one other kind of request, a rewrite of the score discussion, with the same
redaction, marker boundary, cache key and identity (:func:`reviewer.llm.engine.suggest_rewrite` sends it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..findings import CriterionResult, Verdict
from ..redact import redact
from ..rubric import Criterion, Rubric, RubricSet, Scope
from .cache import cache_key, estimate_tokens
from .config import OPENAI_BASE_URL, LLMConfig, Method, Mode
from .judge import JudgeRequest, Message
from .policy import llm_judged
from .prompt import Prompt, build_prompt, build_rewrite_prompt, rewrite_digest, template_digest
from .sanitize import count_invisible, strip_invisible
from .schemas import answer_schema


@dataclass(frozen=True)
class Span:
    """A passage of ``Document.text`` (the rules' score discussion)."""

    start: int
    end: int


@dataclass(frozen=True)
class RubricCall:
    """One model request, fully built: what is sent, how it is keyed, and what it asks."""

    rubric: Rubric
    criteria: tuple[Criterion, ...]
    prompt: Prompt
    schema: dict[str, Any]
    max_tokens: int
    key: str  # the cache key
    identity: str  # digest of what is asked (messages without the boundary, schema): batch files carry it
    span: bool  # the answer includes exam_discussion

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    @property
    def prompt_tokens(self) -> int:
        return sum(estimate_tokens(m.content) for m in self.prompt.messages)


@dataclass(frozen=True)
class RequestPlan:
    """Every request for one document, the rubrics not sent (with why), and the redaction mapping."""

    calls: tuple[RubricCall, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (rubric id, reason)
    mapping: Mapping[str, str] = field(default_factory=dict)  # placeholder -> real value; never sent
    invisible: int = 0  # invisible characters stripped from the text sent
    span: Span | None = None  # the score discussion the rules located (when a rubric asks for it)


def rubric_criteria(
    doc: Document, rubric: Rubric, mode: Mode, config: LLMConfig
) -> list[Criterion]:
    """The criteria of ``rubric`` the model judges for ``doc.kind`` (before the document is looked at)."""
    if rubric.scope is not Scope.DOCUMENT:
        return []
    return [c for c in rubric.criteria if c.applies(doc.kind, rubric) and llm_judged(c, mode, config)]


def gate_open(doc: Document, rubric: Rubric) -> bool:
    """The rubric's cheap pre-check: any of its ``model_gate`` terms in the document (no gate: open)."""
    if not rubric.model_gate:
        return True
    from ..checks.text import has_term, plain

    return has_term(plain(doc.text), rubric.model_gate)


def sent_criteria(
    doc: Document, rubric: Rubric, mode: Mode, config: LLMConfig, rule_results: Sequence[CriterionResult]
) -> tuple[list[Criterion], str]:
    """(criteria to send, why none is sent when the list is empty)."""
    criteria = rubric_criteria(doc, rubric, mode, config)
    if not criteria:
        return [], ""
    if not gate_open(doc, rubric):
        return [], "none of the rubric's terms occur in the document"
    if rubric.model_span is None:
        na = {r.id for r in rule_results if r.verdict is Verdict.NOT_APPLICABLE}
        criteria = [c for c in criteria if c.id not in na]
        if not criteria:
            return [], "its criteria do not apply to this document"
    return criteria, ""


def rules_span(doc: Document, target: str) -> Span | None:
    """The score discussion the rules located (:func:`reviewer.checks.score.score_discussion`)."""
    from ..checks.registry import Context
    from ..checks.score import score_discussion

    disc = score_discussion(Context(doc, target=target))
    return Span(disc.start, disc.end) if disc is not None else None


def _as_sent(passage: str, mapping: Mapping[str, str]) -> str:
    """``passage`` with the identifiers of ``mapping`` replaced as in the text sent."""
    for placeholder, value in sorted(mapping.items(), key=lambda kv: -len(kv[1])):
        passage = passage.replace(value, placeholder)
    return passage


def request_identity(prompt: Prompt, schema: Mapping[str, Any]) -> str:
    """What is asked, whatever the random boundary: the messages with the marker masked, and the schema."""
    masked = [(m.role, m.content.replace(prompt.boundary, "<marker>")) for m in prompt.messages]
    payload = json.dumps({"messages": masked, "schema": schema}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _sent_text(doc: Document, config: LLMConfig, names: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The document's text as every request sends it (invisible characters stripped, identifiers replaced by
    placeholders with ``--redact``) and the placeholders' real values."""
    clean = strip_invisible(doc.text)[0]
    return redact(clean, names) if config.redact else (clean, {})


def _sent_passage(doc: Document, span: Span, mapping: Mapping[str, str]) -> str:
    """The passage at ``span`` as sent, with the placeholders of the whole text."""
    return _as_sent(strip_invisible(doc.text[span.start : span.end])[0], mapping)


def _key(doc: Document, config: LLMConfig, endpoint: str | None, model: str | None, templates: str,
         rubric_digest: str, ids: Sequence[str], identity: str) -> str:
    """The cache key of one request: the judge (its model and endpoint), the templates, the rubric and the
    document, and what is asked."""
    return cache_key(model=model or config.model, endpoint=endpoint or config.endpoint, template_digest=templates,
                     rubric_digest=rubric_digest, criterion_ids=ids, kind=doc.kind.value,
                     text_digest=doc.text_digest, request=identity)


def plan_requests(
    doc: Document,
    rubrics: RubricSet,
    config: LLMConfig,
    *,
    mode: Mode = "hybrid",
    target: str = "kaiser",
    names: Sequence[str] = (),
    rule_results: Sequence[CriterionResult] | None = None,
    endpoint: str | None = None,
    model: str | None = None,
) -> RequestPlan:
    """Every model request a review of ``doc`` makes (see the module docstring); sends nothing.

    ``rule_results``: the rules engine's results for ``doc`` (computed when not given); ``endpoint`` and
    ``model`` key the cache (the judge's, defaulting to the configuration's)."""
    if rule_results is None:
        from ..checks.rules import review_rules

        rule_results = review_rules(doc, rubrics, target=target)[0]
    jobs: list[tuple[Rubric, list[Criterion]]] = []
    skipped: list[tuple[str, str]] = []
    for rubric in rubrics.rubrics:
        criteria, why = sent_criteria(doc, rubric, mode, config, rule_results)
        if criteria:
            jobs.append((rubric, criteria))
        elif why:
            skipped.append((rubric.id, why))
    if not jobs:
        return RequestPlan((), tuple(skipped))
    sent, mapping = _sent_text(doc, config, names)
    span = rules_span(doc, target) if any(r.model_span for r, _ in jobs) else None
    passage = _sent_passage(doc, span, mapping) if span else None
    templates = template_digest()
    calls = []
    for rubric, criteria in jobs:
        ids = [c.id for c in criteria]
        asks_span = rubric.model_span is not None
        prompt = build_prompt(doc, rubric, criteria, seed=config.boundary_seed, text=sent, target=target,
                              passage=passage if asks_span else None, max_tokens=config.max_tokens)
        schema = answer_schema(ids, max_tokens=config.max_tokens, span=asks_span,
                               closest=[c.id for c in criteria if c.quotes == "closest"])
        identity = request_identity(prompt, schema)
        key = _key(doc, config, endpoint, model, templates, rubric.digest, ids, identity)
        calls.append(RubricCall(rubric, tuple(criteria), prompt, schema, config.max_tokens, key, identity,
                                asks_span))
    return RequestPlan(tuple(calls), tuple(skipped), mapping, count_invisible(doc.text), span)


# --- the rewrite request ----------------------------------------------------------------------------------

REWRITE_SCHEMA_NAME = "score_discussion_rewrite"
REWRITE_MAX_CHARS = 1500
REWRITE_MAX_TOKENS = 600


def rewrite_schema() -> dict[str, Any]:
    """The rewrite answer: one object with the rewritten passage (validated in code, never trusted)."""
    return {"title": REWRITE_SCHEMA_NAME,
            "description": "A rewrite of the applicant's score discussion, using only the draft's facts.",
            "type": "object",
            "properties": {"rewrite": {"type": "string", "maxLength": REWRITE_MAX_CHARS}},
            "required": ["rewrite"], "additionalProperties": False}


@dataclass(frozen=True)
class RewriteCall:
    """A request for a rewrite of the score discussion ``span``, built like a :class:`RubricCall`: the text as
    sent (invisible characters stripped, placeholders with ``--redact``), the marker-bounded prompt, the
    answer's schema, the cache key and the identity."""

    prompt: Prompt
    schema: dict[str, Any]
    max_tokens: int
    key: str
    identity: str
    span: Span
    mapping: Mapping[str, str] = field(default_factory=dict)  # placeholder -> real value; never sent

    @property
    def prompt_tokens(self) -> int:
        return sum(estimate_tokens(m.content) for m in self.prompt.messages)


def plan_rewrite(
    doc: Document,
    span: Span,
    config: LLMConfig,
    *,
    target: str = "kaiser",
    names: Sequence[str] = (),
    endpoint: str | None = None,
    model: str | None = None,
) -> RewriteCall:
    """The rewrite request for the score discussion at ``span`` of ``doc``; sends nothing."""
    sent, mapping = _sent_text(doc, config, names)
    prompt = build_rewrite_prompt(doc.kind, text=sent, passage=_sent_passage(doc, span, mapping), target=target,
                                  seed=config.boundary_seed)
    schema = rewrite_schema()
    identity = request_identity(prompt, schema)
    max_tokens = min(config.max_tokens, REWRITE_MAX_TOKENS)
    key = _key(doc, config, endpoint, model, rewrite_digest(), "rewrite", ["rewrite"], identity)
    return RewriteCall(prompt, schema, max_tokens, key, identity, span, mapping)


def judge_request(call: RubricCall | RewriteCall, method: Method, *, messages: tuple[Message, ...] | None = None,
                  max_tokens: int | None = None, purpose: str = "judge") -> JudgeRequest:
    """The :class:`JudgeRequest` of a planned call (a repair passes its own messages and token bound; its
    schema is sized to that bound)."""
    tokens = max_tokens or call.max_tokens
    if isinstance(call, RewriteCall):
        return JudgeRequest(messages or call.prompt.messages, call.schema, method, tokens, purpose,
                            identity=call.identity)
    schema = call.schema if tokens == call.max_tokens else answer_schema(
        call.criterion_ids, max_tokens=tokens, span=call.span,
        closest=[c.id for c in call.criteria if c.quotes == "closest"])
    return JudgeRequest(messages or call.prompt.messages, schema, method, tokens, purpose, identity=call.identity)


# --- the chat-completions body -------------------------------------------------------------------------


def strict_schema(schema: Any) -> Any:
    """``schema`` without the keywords OpenAI's strict structured outputs may reject (string ``maxLength``,
    array ``maxItems``); answers are validated and truncated in code anyway."""
    if isinstance(schema, dict):
        return {k: strict_schema(v) for k, v in schema.items() if k not in ("maxLength", "maxItems")}
    if isinstance(schema, list):
        return [strict_schema(v) for v in schema]
    return schema


def is_openai(endpoint: str) -> bool:
    return endpoint.rstrip("/") == OPENAI_BASE_URL


def chat_body(request: JudgeRequest, *, model: str, temperature: float, openai: bool) -> dict[str, Any]:
    """The chat-completions body of ``request``, as the live client (LangChain ``ChatOpenAI``) sends it.

    The same messages, ``max_completion_tokens`` (plus ``max_tokens`` for servers other than OpenAI, which
    several only read) and structured output: ``response_format`` json_schema, a forced function call
    (``parameters`` = the schema without its title and description, which name and describe the
    function), or json_object mode. For OpenAI (a Batch API file) the schema is made strict
    (:func:`strict_schema`, ``"strict": true``), which the answer's shape allows: every key required, no
    other keys."""
    schema = request.schema
    name = str(schema.get("title") or "answer")
    description = str(schema.get("description") or "")
    sent = strict_schema(schema) if openai else schema
    body: dict[str, Any] = {"model": model, "stream": False,
                            "messages": [{"content": m.content, "role": m.role} for m in request.messages],
                            "max_completion_tokens": request.max_tokens}
    if request.method == "json_schema":
        spec: dict[str, Any] = {"name": name, "description": description, "schema": sent}
        if openai:
            spec["strict"] = True
        body["response_format"] = {"type": "json_schema", "json_schema": spec}
        body["temperature"] = temperature
    elif request.method == "function_calling":
        parameters = {k: v for k, v in sent.items() if k not in ("title", "description")}
        function: dict[str, Any] = {"name": name, "description": description, "parameters": parameters}
        if openai:
            function["strict"] = True
        body["parallel_tool_calls"] = False
        body["temperature"] = temperature
        body["tool_choice"] = {"type": "function", "function": {"name": name}}
        body["tools"] = [{"type": "function", "function": function}]
    else:  # json_mode
        body["response_format"] = {"type": "json_object"}
        body["temperature"] = temperature
    if not openai:
        body["max_tokens"] = request.max_tokens
    return body


__all__ = [
    "RequestPlan",
    "RewriteCall",
    "RubricCall",
    "Span",
    "chat_body",
    "gate_open",
    "is_openai",
    "judge_request",
    "plan_requests",
    "plan_rewrite",
    "request_identity",
    "rewrite_schema",
    "rubric_criteria",
    "rules_span",
    "sent_criteria",
    "strict_schema",
]
