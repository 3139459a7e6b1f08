"""Shared literals for the LLM engine tests: a small frozen rubric set, rules results, scripted answers.

The rubrics here are built in code (not read from ``rubrics/``) so the unit tests and the prompts they
check do not move when the built-in rubric wording is edited.
"""

from __future__ import annotations

from typing import Any

from reviewer.document import Document
from reviewer.findings import CriterionResult, Finding, Severity, Source, Verdict
from reviewer.rubric import Criterion, Rubric, RubricSet


def crit(
    cid: str,
    title: str,
    message: str,
    suggestion: str,
    *,
    severity: str = "error",
    levels: dict[int, str] | None = None,
    judge: str = "model",
    quotes: str = "problem",
    ceiling: str = "fail",
) -> dict[str, Any]:
    model = judge != "rules"
    return {
        "id": cid,
        "title": title,
        "guide": "Use Your Application Narrative to Explain—Not Excuse",
        "severity": severity,
        "check": cid.replace(".", "_"),
        "message": message,
        "suggestion": suggestion,
        "judge": judge,
        "quotes": quotes,
        "model_ceiling": ceiling,
        "levels": (levels or {5: f"{title}, fully.", 3: f"{title}, partly.", 1: message}) if model else levels,
        "guide_quotes": ["Provide context, not excuses (e.g., illness, family crisis, adjustment to US exam style)."],
        "examples": {"flag": [{"text": f"flag example of {cid}", "anchor": 1} if model else "x"],
                     "pass": [{"text": f"pass example of {cid}", "anchor": 5} if model else "y"]},
    }


SCORE = Rubric.model_validate(
    {
        "id": "score-discussion",
        "title": "Score discussion",
        "applies_to": ["personal_statement", "additional_info", "interview_answer"],
        "criteria": [
            crit("score.length", "Brief", "The score discussion is too long.", "Keep it to 2-4 sentences.",
                 judge="rules"),
            crit(
                "score.excuse",
                "Explains, not excuses",
                "The score discussion blames others or makes excuses.",
                "Give brief context and own the result.",
            ),
            crit(
                "score.what_changed",
                "Names what changed",
                "The discussion does not say what changed.",
                "Name the change in your approach: question banks, schedule, self-testing.",
                quotes="closest",
            ),
            crit(
                "score.pivot",
                "Ends forward-looking",
                "The discussion ends on the failure.",
                "End on current strengths.",
                severity="warning",
                levels={5: "Ends on a concrete current strength.", 3: "Ends on the later result.",
                        1: "Ends on the failure or an apology."},
                ceiling="warn",
            ),
        ],
    }
)

INTEGRITY = Rubric.model_validate(
    {
        "id": "integrity",
        "title": "Integrity",
        "applies_to": ["personal_statement", "additional_info", "interview_answer", "experience"],
        "criteria": [
            crit(
                "integrity.instructions",
                "No instructions to a reviewer",
                "Text addressed to an AI reviewer.",
                "Remove it.",
                judge="rules",
            ),
        ],
    }
)

RUBRICS = RubricSet(rubrics=(SCORE, INTEGRITY))
LLM_IDS_HYBRID = ("score.excuse", "score.what_changed", "score.pivot")


def criterion(cid: str) -> Criterion:
    return RUBRICS.get(cid)[1]


def rules_for(
    doc: Document, verdicts: dict[str, Verdict] | None = None, findings: list[Finding] | None = None
) -> tuple[list[CriterionResult], list[Finding]]:
    """Rules results for every criterion of :data:`RUBRICS` (pass unless given)."""
    verdicts = verdicts or {}
    results = [
        CriterionResult(
            id=c.id,
            verdict=verdicts.get(c.id, Verdict.PASS),
            message="rules",
            title=c.title,
            guide=c.guide,
            severity=c.severity,
        )
        for _r, c in RUBRICS.for_kind(doc.kind)
    ]
    return results, list(findings or [])


def rules_finding(doc: Document, cid: str, quote: str, verdict: Verdict = Verdict.FAIL) -> Finding:
    start = doc.text.index(quote)
    return Finding(
        criterion=cid,
        verdict=verdict,
        severity=Severity.ERROR,
        start=start,
        end=start + len(quote),
        quote=quote,
        message="rules says so",
        source=Source.RULES,
    )


def answer(
    scores: dict[str, Any], quotes: dict[str, list[str]] | None = None, *, discussion: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An answer in the engine's contract: criteria keyed by id (and ``exam_discussion`` when given)."""
    quotes = quotes or {}
    out: dict[str, Any] = {} if discussion is None else {"exam_discussion": discussion}
    out["criteria"] = {
        cid: {
            "reasoning": f"reason for {cid}",
            "quotes": [{"quote": q, "suggestion": "revise this"} for q in quotes.get(cid, [])],
            "score": s,
        }
        for cid, s in scores.items()
    }
    return out


def responder(score: int | str, quote: str = "", *, discussion: dict[str, Any] | None = None) -> Any:
    """A FakeJudge function answering every criterion the request's schema asks for with ``score``."""
    from reviewer.llm.schemas import criterion_ids_of

    def respond(request: Any) -> dict[str, Any]:
        ids = criterion_ids_of(request.schema)
        span = "exam_discussion" in request.schema["properties"]
        disc = discussion if discussion is not None else {"discusses_exam": bool(quote), "setback": True,
                                                           "quote": quote}
        return answer({c: score for c in ids}, {c: [quote] for c in ids} if quote else None,
                      discussion=disc if span else None)

    return respond


def answer_for(request: Any, score: int | str, quote: str = "") -> dict[str, Any]:
    """A valid answer to ``request`` (a JudgeRequest): every criterion its schema asks for at ``score``."""
    return responder(score, quote)(request)
