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
) -> dict[str, Any]:
    return {
        "id": cid,
        "title": title,
        "guide": "Use Your Application Narrative to Explain—Not Excuse",
        "severity": severity,
        "check": cid.replace(".", "_"),
        "message": message,
        "suggestion": suggestion,
        "levels": levels,
        "examples": {"flag": ["x"], "pass": ["y"]},
    }


SCORE = Rubric.model_validate(
    {
        "id": "score-discussion",
        "title": "Score discussion",
        "applies_to": ["personal_statement", "additional_info", "interview_answer"],
        "criteria": [
            crit("score.length", "Brief", "The score discussion is too long.", "Keep it to 2-4 sentences."),
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
            ),
            crit(
                "score.pivot",
                "Ends forward-looking",
                "The discussion ends on the failure.",
                "End on current strengths.",
                severity="warning",
                levels={5: "Ends on a concrete current strength.", 1: "Ends on the failure or an apology."},
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


def answer(scores: dict[str, Any], quotes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    quotes = quotes or {}
    return {
        "criteria": [
            {
                "criterion_id": cid,
                "reasoning": f"reason for {cid}",
                "evidence": [{"quote": q, "suggestion": "revise this"} for q in quotes.get(cid, [])],
                "score": s,
            }
            for cid, s in scores.items()
        ]
    }
