"""The model's answer as a typed contract, and the verdicts computed from it in code.

One call judges one rubric, so the answer holds one item per judged criterion::

    {"criteria": [{"criterion_id": "score.excuse", "reasoning": "...",
                   "evidence": [{"quote": "...", "suggestion": "..."}], "score": 2}]}

``reasoning`` comes before ``score`` on purpose: with constrained decoding the model writes its
feedback first and scores last (Prometheus' feedback-then-score order). The JSON schema sent to the
server (:func:`answer_schema`) restricts ``criterion_id`` to the rubric's ids and ``score`` to 1..5 and
bounds string and list lengths, which servers with grammar-constrained decoding (llama.cpp, vLLM)
enforce; whatever the server did, :func:`validate_answer` checks every answer again. An answer that
misses a criterion, repeats one, or scores outside 1..5 is invalid and goes to the repair path.

Every string of the answer is cleaned of characters XML cannot hold as it is validated
(:func:`reviewer.llm.sanitize.clean_answer_text`), so what is cached, grounded and rendered is safe to write
into a DOCX. The model's score is the only thing taken from it: the verdict is computed here from the score and
the criterion's thresholds (:func:`verdict_for`), never from the model's own word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..findings import Verdict
from .config import Thresholds
from .sanitize import clean_answer_text

SCHEMA_NAME = "rubric_judgment"
MAX_EVIDENCE = 3
MAX_REASONING = 400
MAX_QUOTE = 300
MAX_SUGGESTION = 300


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    quote: str
    suggestion: str = ""

    @field_validator("quote", "suggestion", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else (clean_answer_text(v) if isinstance(v, str) else v)

    @field_validator("quote")
    @classmethod
    def _quote(cls, v: str) -> str:
        return v.strip()[:MAX_QUOTE]

    @field_validator("suggestion")
    @classmethod
    def _suggestion(cls, v: str) -> str:
        return v.strip()[:MAX_SUGGESTION]


class CriterionJudgment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    criterion_id: str
    score: int = Field(ge=1, le=5)
    reasoning: str = ""
    evidence: tuple[Evidence, ...] = ()

    @field_validator("score", mode="before")
    @classmethod
    def _no_bools(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be an integer from 1 to 5")
        return v

    @field_validator("reasoning", mode="before")
    @classmethod
    def _reasoning(cls, v: Any) -> Any:
        return "" if v is None else (clean_answer_text(v).strip()[:MAX_REASONING] if isinstance(v, str) else v)

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence(cls, v: Any) -> Any:
        if v is None:
            return ()
        if isinstance(v, list | tuple):
            return [e for e in v if not (isinstance(e, dict) and not str(e.get("quote") or "").strip())][
                :MAX_EVIDENCE
            ]
        return v


class RubricJudgment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    criteria: tuple[CriterionJudgment, ...]

    def get(self, cid: str) -> CriterionJudgment | None:
        return next((c for c in self.criteria if c.criterion_id == cid), None)


class AnswerInvalid(Exception):
    """The answer does not fit the contract. ``errors`` are short lines fit for a repair prompt."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(self.errors))


def answer_schema(criterion_ids: Sequence[str]) -> dict[str, Any]:
    """JSON schema of the answer for one rubric (byte-stable for a given id list)."""
    item = {
        "type": "object",
        "properties": {
            "criterion_id": {"type": "string", "enum": list(criterion_ids)},
            "reasoning": {
                "type": "string",
                "maxLength": MAX_REASONING,
                "description": "Two or three sentences of feedback citing the draft.",
            },
            "evidence": {
                "type": "array",
                "maxItems": MAX_EVIDENCE,
                "items": {
                    "type": "object",
                    "properties": {
                        "quote": {
                            "type": "string",
                            "maxLength": MAX_QUOTE,
                            "description": "Exact words copied from the draft.",
                        },
                        "suggestion": {
                            "type": "string",
                            "maxLength": MAX_SUGGESTION,
                            "description": "How to revise the quoted words.",
                        },
                    },
                    "required": ["quote", "suggestion"],
                    "additionalProperties": False,
                },
            },
            "score": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
        },
        "required": ["criterion_id", "reasoning", "evidence", "score"],
        "additionalProperties": False,
    }
    return {
        "title": SCHEMA_NAME,
        "description": "Scores and evidence for each criterion of one rubric.",
        "type": "object",
        "properties": {
            "criteria": {
                "type": "array",
                "items": item,
                "minItems": len(criterion_ids),
                "maxItems": len(criterion_ids),
            }
        },
        "required": ["criteria"],
        "additionalProperties": False,
    }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


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


def validate_answer(parsed: Any, raw_text: str, criterion_ids: Sequence[str]) -> RubricJudgment:
    """Validate an answer against the contract for ``criterion_ids``; raise :class:`AnswerInvalid`."""
    data = parsed if parsed is not None else parse_json(raw_text)
    if isinstance(data, dict) and "criteria" not in data and any(k in data for k in criterion_ids):
        data = {"criteria": [{**v, "criterion_id": k} for k, v in data.items() if isinstance(v, dict)]}
    if isinstance(data, list):
        data = {"criteria": data}
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        raise AnswerInvalid(
            ['the answer must be a JSON object {"criteria": [...]} with one item per criterion']
        )
    errors: list[str] = []
    items: dict[str, CriterionJudgment] = {}
    for i, raw_item in enumerate(data["criteria"]):
        cid = raw_item.get("criterion_id") if isinstance(raw_item, dict) else None
        if not isinstance(cid, str) or cid not in criterion_ids:
            errors.append(f"criteria[{i}].criterion_id: {cid!r} is not one of {', '.join(criterion_ids)}")
            continue
        if cid in items:
            continue
        try:
            items[cid] = CriterionJudgment.model_validate(raw_item)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                got = (
                    f" (got {err['input']!r})"
                    if "input" in err and not isinstance(err["input"], dict)
                    else ""
                )
                errors.append(f"criteria[{i}] ({cid}).{where}: {_msg(err)}{got}"[:300])
    missing = [c for c in criterion_ids if c not in items]
    if missing:
        errors.append("missing criteria: " + ", ".join(missing))
    if errors:
        raise AnswerInvalid(errors)
    return RubricJudgment(criteria=tuple(items[c] for c in criterion_ids))


def _msg(err: Any) -> str:
    if err["loc"] and err["loc"][-1] == "score":
        return "must be an integer from 1 to 5"
    return str(err["msg"]).lower()


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
