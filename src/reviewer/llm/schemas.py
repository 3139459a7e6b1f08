"""The model's answer as a typed contract, and the verdicts computed from it in code.

One call judges one rubric, so the answer is one object keyed by criterion id (every id required, nothing
else allowed: a model cannot repeat or skip a criterion, and OpenAI's strict structured outputs apply)::

    {"exam_discussion": {"discusses_exam": true, "setback": true, "quote": "I failed Step 1 ..."},
     "criteria": {"score.excuse": {"reasoning": "...", "quotes": [{"quote": "...", "suggestion": "..."}],
                                   "score": 2},
                  "score.pivot": {"reasoning": "...", "quotes": [], "score": "not applicable"}}}

``exam_discussion`` is asked only by a rubric with ``model_span: score_discussion``: whether the draft
discusses an exam result, whether it is a setback, and the words that say so. ``score`` is 1..5 or
``"not applicable"``. ``reasoning`` comes before ``score`` on purpose: with constrained decoding the model
writes its feedback first and scores last (Prometheus' feedback-then-score order).

The JSON schema sent to the server (:func:`answer_schema`) bounds every string and list so that the longest
answer it allows fits the call's ``max_tokens`` (:func:`limits_for`, at :data:`CHARS_PER_TOKEN`); servers
with grammar-constrained decoding (llama.cpp, vLLM) enforce it. Whatever the server did,
:func:`validate_answer` checks every answer again: a missing or unknown criterion, a score outside the
scale, or an answer that echoes the format's placeholders instead of judging (``"<two or three
sentences...>"``, or scores running 1, 2, 3, 4, 5 down the criteria: what a tiny model returns) is invalid
and goes to the repair path.

The model's score is the only judgment taken from it: the verdict is computed here from the score and the
criterion's thresholds (:func:`verdict_for`), never from the model's own word.

Every string of the answer is cleaned of characters XML cannot hold as it is validated
(:func:`reviewer.llm.sanitize.clean_answer_text`), so what is cached, grounded and rendered is safe to write
into a DOCX.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from ..findings import Verdict
from .config import Thresholds
from .sanitize import clean_answer_text

SCHEMA_NAME = "rubric_judgment"
NOT_APPLICABLE = "not applicable"
SCORES: tuple[int | str, ...] = (1, 2, 3, 4, 5, NOT_APPLICABLE)
CHARS_PER_TOKEN = 3.0  # conservative for JSON-wrapped English (most tokenizers average about four)
MAX_QUOTES = 2
MAX_REASONING = 400
MAX_QUOTE = 300
MAX_SUGGESTION = 300
MIN_REASONING, MIN_QUOTE, MIN_SUGGESTION = 40, 40, 20
_NA_WORDS = {"not applicable", "not_applicable", "n/a", "na", "none"}


@dataclass(frozen=True)
class Limits:
    """String and list caps of one answer schema (characters; quotes per criterion)."""

    reasoning: int = MAX_REASONING
    quote: int = MAX_QUOTE
    suggestion: int = MAX_SUGGESTION
    quotes: int = MAX_QUOTES
    span_quote: int = MAX_QUOTE


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    quote: str
    suggestion: str = ""

    @field_validator("quote", "suggestion", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else (clean_answer_text(v).strip()[:MAX_QUOTE] if isinstance(v, str) else v)


class CriterionJudgment(BaseModel):
    """One criterion's answer; ``score`` None means the model found the criterion not applicable."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    criterion_id: str
    score: int | None = None
    reasoning: str = ""
    evidence: tuple[Evidence, ...] = ()

    @property
    def applicable(self) -> bool:
        return self.score is not None

    @field_validator("reasoning", mode="before")
    @classmethod
    def _reasoning(cls, v: Any) -> Any:
        return "" if v is None else (clean_answer_text(v).strip()[:MAX_REASONING] if isinstance(v, str) else v)

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, v: Any) -> Any:
        """1-5, or None for not applicable: a cached entry holding anything else is no valid answer."""
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5):
            raise ValueError("must be an integer from 1 to 5, or none (not applicable)")
        return v


class Discussion(BaseModel):
    """The model's reading of the score discussion: is an exam result discussed, is it a setback, where."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    discusses_exam: bool
    setback: bool
    quote: str = ""

    @field_validator("quote", mode="before")
    @classmethod
    def _quote(cls, v: Any) -> Any:
        return "" if v is None else (clean_answer_text(v).strip()[:MAX_QUOTE] if isinstance(v, str) else v)


class RubricJudgment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    criteria: tuple[CriterionJudgment, ...]
    discussion: Discussion | None = None

    def get(self, cid: str) -> CriterionJudgment | None:
        return next((c for c in self.criteria if c.criterion_id == cid), None)


class AnswerInvalid(Exception):
    """The answer does not fit the contract. ``errors`` are short lines fit for a repair prompt."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(self.errors))


# --- the schema -----------------------------------------------------------------------------------------


def _item(lim: Limits, closest: bool) -> dict[str, Any]:
    quote_help = ("the sentence of the draft closest to what this criterion looks for, copied exactly"
                  if closest else "words copied exactly from the draft that lower the score")
    return {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string", "maxLength": lim.reasoning,
                          "description": "One or two sentences of feedback about this draft."},
            "quotes": {
                "type": "array",
                "maxItems": lim.quotes,
                "items": {
                    "type": "object",
                    "properties": {
                        "quote": {"type": "string", "maxLength": lim.quote, "description": quote_help},
                        "suggestion": {"type": "string", "maxLength": lim.suggestion,
                                       "description": "How to revise the quoted words."},
                    },
                    "required": ["quote", "suggestion"],
                    "additionalProperties": False,
                },
            },
            "score": {"anyOf": [{"type": "integer", "enum": [1, 2, 3, 4, 5]},
                                {"type": "string", "enum": [NOT_APPLICABLE]}]},
        },
        "required": ["reasoning", "quotes", "score"],
        "additionalProperties": False,
    }


def _discussion(lim: Limits) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "discusses_exam": {"type": "boolean"},
            "setback": {"type": "boolean"},
            "quote": {"type": "string", "maxLength": lim.span_quote,
                      "description": "The sentence that discusses the exam result, copied exactly; empty if none."},
        },
        "required": ["discusses_exam", "setback", "quote"],
        "additionalProperties": False,
    }


def answer_schema(
    criterion_ids: Sequence[str], *, max_tokens: int = 2000, span: bool = False,
    closest: Sequence[str] = (),
) -> dict[str, Any]:
    """JSON schema of the answer for one rubric (byte-stable for the same arguments).

    ``span``: the rubric asks where the score discussion is (``exam_discussion``); ``closest``: criteria
    whose quotes are the closest relevant sentence rather than the words of a problem."""
    lim = limits_for(len(criterion_ids), max_tokens, span=span)
    props: dict[str, Any] = {}
    if span:
        props["exam_discussion"] = _discussion(lim)
    props["criteria"] = {
        "type": "object",
        "properties": {cid: _item(lim, cid in closest) for cid in criterion_ids},
        "required": list(criterion_ids),
        "additionalProperties": False,
    }
    return {
        "title": SCHEMA_NAME,
        "description": "Scores and quotes for each criterion of one rubric.",
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def criterion_ids_of(schema: dict[str, Any]) -> list[str]:
    """The criterion ids an answer schema asks for (what a stub server or a batch result needs to answer)."""
    try:
        return list(schema["properties"]["criteria"]["required"])
    except (KeyError, TypeError):
        return []


def _worst_case(n: int, lim: Limits, span: bool) -> int:
    """Characters of the longest answer ``lim`` allows for ``n`` criteria (ids counted as 24 characters)."""
    pair = {"quote": "x" * lim.quote, "suggestion": "x" * lim.suggestion}
    item = {"reasoning": "x" * lim.reasoning, "quotes": [pair] * lim.quotes, "score": NOT_APPLICABLE}
    data: dict[str, Any] = {"criteria": {f"criterion.{i:014d}": item for i in range(n)}}
    if span:
        data["exam_discussion"] = {"discusses_exam": False, "setback": False, "quote": "x" * lim.span_quote}
    return len(json.dumps(data, indent=1))


def max_answer_tokens(n: int, lim: Limits, span: bool = False) -> int:
    """Estimated tokens of the longest answer ``lim`` allows (:data:`CHARS_PER_TOKEN`)."""
    return int(_worst_case(n, lim, span) / CHARS_PER_TOKEN) + 1


@lru_cache(maxsize=256)
def limits_for(n: int, max_tokens: int, *, span: bool = False) -> Limits:
    """The largest caps (up to the defaults) whose longest answer fits ``max_tokens``; at the floor, fewer
    quotes. Below the floor with one quote the floor is used (the budget is too small for ``n`` criteria)."""
    lim = Limits()
    for quotes in range(MAX_QUOTES, 0, -1):
        scale = 1.0
        while scale > 0.05:
            lim = Limits(
                reasoning=max(MIN_REASONING, int(MAX_REASONING * scale)),
                quote=max(MIN_QUOTE, int(MAX_QUOTE * scale)),
                suggestion=max(MIN_SUGGESTION, int(MAX_SUGGESTION * scale)),
                quotes=quotes,
                span_quote=max(MIN_QUOTE, int(MAX_QUOTE * scale)),
            )
            if max_answer_tokens(n, lim, span) <= max_tokens:
                return lim
            scale *= 0.9
    return lim


# --- parsing and validation ---------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)
_PLACEHOLDER = re.compile(r"^\s*<[^<>]{0,300}>\s*$")


def parse_json(raw: str) -> Any:
    """JSON from a raw answer: the whole text, a fenced block, or the outermost ``{...}``."""
    text = raw.strip()
    candidates = [text]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    if "{" in text and "}" in text:
        candidates.append(text[text.index("{") : text.rindex("}") + 1])
    last: ValueError | None = None
    for c in candidates:
        try:
            return json.loads(c)
        except ValueError as exc:
            last = exc
    raise AnswerInvalid([f"the answer is not valid JSON ({last})" if last else "the answer is empty"])


def _keyed(criteria: Any, criterion_ids: Sequence[str], errors: list[str]) -> dict[str, Any] | None:
    """The criteria object keyed by id; a list of items with ``criterion_id`` is accepted too."""
    if isinstance(criteria, dict):
        return criteria
    if isinstance(criteria, list):
        out: dict[str, Any] = {}
        for i, item in enumerate(criteria):
            cid = item.get("criterion_id") if isinstance(item, dict) else None
            if not isinstance(cid, str):
                errors.append(f"criteria[{i}] names no criterion")
            elif cid in out:
                errors.append(f"criterion {cid} is answered twice")
            else:
                out[cid] = item
        return out
    return None


def _score(value: Any) -> tuple[int | None, str | None]:
    """(score, error): an integer 1..5, or None for "not applicable"."""
    if isinstance(value, str) and value.strip().lower() in _NA_WORDS:
        return None, None
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, "must be an integer from 1 to 5 or \"not applicable\""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= 5:
        return value, None
    return None, "must be an integer from 1 to 5 or \"not applicable\""


def _item_of(cid: str, raw: Any, errors: list[str]) -> CriterionJudgment | None:
    if not isinstance(raw, dict):
        errors.append(f"{cid}: must be an object with reasoning, quotes and score")
        return None
    score, problem = _score(raw.get("score"))
    if problem:
        got = raw.get("score")
        errors.append(f"{cid}.score: {problem} (got {got!r})"[:300])
        return None
    quotes = raw.get("quotes", raw.get("evidence")) or []
    if not isinstance(quotes, list):
        errors.append(f"{cid}.quotes: must be a list of {{quote, suggestion}}")
        return None
    evidence = []
    for q in quotes:
        if isinstance(q, str):
            q = {"quote": q}
        if isinstance(q, dict) and str(q.get("quote") or "").strip():
            evidence.append(Evidence.model_validate(q))
    reasoning = raw.get("reasoning")
    reasoning = reasoning.strip()[:MAX_REASONING] if isinstance(reasoning, str) else ""
    return CriterionJudgment(criterion_id=cid, score=score, reasoning=reasoning,
                             evidence=tuple(evidence[:MAX_QUOTES]))


def _discussion_of(raw: Any, errors: list[str]) -> Discussion | None:
    if not isinstance(raw, dict):
        errors.append('exam_discussion: must be an object {"discusses_exam": true|false, "setback": true|false, '
                      '"quote": "..."}')
        return None
    for key in ("discusses_exam", "setback"):
        if not isinstance(raw.get(key), bool):
            errors.append(f"exam_discussion.{key}: must be true or false (got {raw.get(key)!r})"[:300])
    if errors:
        return None
    quote = raw.get("quote")
    return Discussion(discusses_exam=raw["discusses_exam"], setback=raw["setback"],
                      quote=quote.strip()[:MAX_QUOTE] if isinstance(quote, str) else "")


def echoed(data: Any, scores: Sequence[int | None]) -> list[str]:
    """Why an answer looks like the format copied back rather than a judgment (empty when it does not)."""
    problems: list[str] = []
    strings: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            strings.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(data)
    if any(_PLACEHOLDER.match(s) for s in strings):
        problems.append("the answer repeats the format's <placeholders> instead of judging the draft")
    given = [s for s in scores if s is not None]
    n = len(given)
    if len(scores) >= 3 and n == len(scores) and (given == list(range(1, n + 1)) or
                                                  (n >= 4 and given == list(range(5, 5 - n, -1)))):
        problems.append("the scores run " + ", ".join(map(str, given)) + " down the criteria, as in the list of "
                        "levels: score each criterion on its own")
    return problems


def validate_answer(
    parsed: Any, raw_text: str, criterion_ids: Sequence[str], *, span: bool = False
) -> RubricJudgment:
    """Validate an answer against the contract for ``criterion_ids``; raise :class:`AnswerInvalid`."""
    data = parsed if parsed is not None else parse_json(raw_text)
    if isinstance(data, dict) and "criteria" not in data and any(k in data for k in criterion_ids):
        data = {"criteria": {k: v for k, v in data.items() if k in criterion_ids},
                **({"exam_discussion": data["exam_discussion"]} if "exam_discussion" in data else {})}
    if isinstance(data, list):
        data = {"criteria": data}
    errors: list[str] = []
    criteria = _keyed(data.get("criteria"), criterion_ids, errors) if isinstance(data, dict) else None
    if criteria is None:
        raise AnswerInvalid(['the answer must be a JSON object {"criteria": {...}} keyed by criterion id: '
                             + ", ".join(criterion_ids)])
    unknown = [k for k in criteria if k not in criterion_ids]
    if unknown:
        errors.append("unknown criteria: " + ", ".join(map(str, unknown))[:200])
    missing = [c for c in criterion_ids if c not in criteria]
    if missing:
        errors.append("missing criteria: " + ", ".join(missing))
    items = {cid: _item_of(cid, criteria[cid], errors) for cid in criterion_ids if cid in criteria}
    discussion = _discussion_of(data.get("exam_discussion"), errors) if span else None
    if not errors:
        errors.extend(echoed(data, [i.score for i in items.values() if i is not None]))
    if errors:
        raise AnswerInvalid(errors)
    return RubricJudgment(criteria=tuple(i for i in (items[c] for c in criterion_ids) if i is not None),
                          discussion=discussion)


def verdict_for(score: int, thresholds: Thresholds, ceiling: Verdict = Verdict.FAIL) -> Verdict:
    """Pass at ``score >= pass_at``, fail at ``score <= fail_at``, warn between; never worse than ``ceiling``.

    ``ceiling`` is ``warn`` for criteria whose rule in the spec can only warn (e.g. "warn when absent").
    """
    if not 1 <= score <= 5:
        raise ValueError(f"score {score} is outside 1..5")
    if score >= thresholds.pass_at:
        verdict = Verdict.PASS
    elif score <= thresholds.fail_at:
        verdict = Verdict.FAIL
    else:
        verdict = Verdict.WARN
    return ceiling if verdict.rank > ceiling.rank else verdict
