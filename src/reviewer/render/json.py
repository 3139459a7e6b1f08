"""JSON output: ``reviewer.review/1`` per document and ``reviewer.application/1`` per applicant folder.

The shapes are a public contract (cohort reports, revision diffs and external evaluations key on the
criterion ids and fields); add fields freely, never rename or remove them.
"""

from __future__ import annotations

import json
from typing import Any

from ..document import Document
from ..findings import ApplicationReview, Change, CriterionResult, DocumentInfo, Finding, Review, RevisionSummary

REVIEW_SCHEMA = "reviewer.review/1"
APPLICATION_SCHEMA = "reviewer.application/1"


def _criterion(c: CriterionResult) -> dict[str, Any]:
    return {"id": c.id, "verdict": c.verdict.value, "message": c.message, "source": c.source.value,
            "title": c.title, "guide": c.guide, "severity": c.severity.value}


def _finding(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "criterion": f.criterion, "verdict": f.verdict.value, "severity": f.severity.value, "quote": f.quote,
        "start": f.start, "end": f.end, "message": f.message, "suggestion": f.suggestion,
        "source": f.source.value,
    }
    if f.entry is not None:
        out["entry"] = f.entry
    if f.document is not None:
        out["document"] = f.document
    return out


def _document(d: DocumentInfo) -> dict[str, Any]:
    return {"path": d.path, "kind": d.kind.value, "sha256": d.sha256, "words": d.words,
            "characters": d.characters, "text_digest": d.text_digest, "hidden_spans": d.hidden_spans}


def revision_json(rev: RevisionSummary) -> dict[str, Any]:
    """``revision``: how this round compares with the previous one (present only from round 2 on)."""
    return {
        "round": rev.round,
        "previous_round": rev.previous_round,
        "previous_sha256": rev.previous_sha256,
        "counts": {c.value: len(rev.of(c)) for c in Change},
        "findings": [{"status": f.status.value, "criterion": f.criterion, "quote": f.quote, "message": f.message,
                      "previous_quote": f.previous_quote, "start": f.start, "end": f.end} for f in rev.findings],
        "verdicts": [{"id": v.id, "before": v.before.value if v.before else None,
                      "after": v.after.value if v.after else None} for v in rev.verdicts],
    }


def review_json(review: Review) -> dict[str, Any]:
    out = {
        "schema": REVIEW_SCHEMA,
        "document": _document(review.document),
        "engine": review.engine,
        "rubric_digest": review.rubric_digest,
        "criteria": [_criterion(c) for c in review.criteria],
        "findings": [_finding(f) for f in review.findings],
        "notes": list(review.notes),
    }
    if review.revision is not None:
        out["revision"] = revision_json(review.revision)
    if review.llm is not None:
        out["llm"] = review.llm.model_dump(mode="json")
    return out


def application_json(app: ApplicationReview, review_files: dict[str, str]) -> dict[str, Any]:
    return {
        "schema": APPLICATION_SCHEMA,
        "applicant": app.applicant,
        "path": app.path,
        "documents": [{**_document(d), "review": review_files.get(d.path)} for d in app.documents],
        "criteria": [_criterion(c) for c in app.criteria],
        "findings": [_finding(f) for f in app.findings],
        "failures": [{"path": f.path, "error": f.error, "kind": f.kind} for f in app.failures],
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def review_json_text(review: Review) -> str:
    return _dump(review_json(review))


def review_json_document(review: Review, document: Document) -> str:
    """``<stem>.review.json``: :func:`review_json` plus ``advice``, what the applicant reads (which needs the
    reviewed text): the comments on the draft and those past its cap, what's working, the suggested rewrite."""
    return _dump({**review_json(review), "advice": advice_json(review, document)})


def advice_json(review: Review, document: Document) -> dict[str, Any]:
    """``advice``: the same comments, strengths and rewrite outline the DOCX, HTML and Markdown show, with
    criterion ids (which the applicant-facing text never shows)."""
    from .advice import Comment, advise

    advice = advise(review, document)

    def comment(c: Comment) -> dict[str, Any]:
        return {"start": c.start, "end": c.end, "verdict": c.verdict.value, "text": c.text,
                "criteria": [p.criterion for p in c.points], "rewrite": c.outline is not None,
                "points": [{"criterion": p.criterion, "verdict": p.verdict.value, "problem": p.problem, "fix": p.fix}
                           for p in c.points]}

    o = advice.rewrite
    rewrite = None if o is None else {
        "source": o.source, "kind": o.kind.value, "exam": o.exam, "target": o.target, "start": o.start, "end": o.end,
        "steps": [{"label": st.label, "text": st.text, "filled": st.filled} for st in o.steps],
        "facts": list(o.facts), "text": o.text,
    }
    return {
        "comments": [comment(c) for c in advice.comments],
        "more": [comment(c) for c in advice.more],
        "working": [{"criterion": w.criterion, "title": w.title, "quote": w.quote, "start": w.start, "end": w.end}
                    for w in advice.working],
        "rewrite": rewrite,
    }


def application_json_text(app: ApplicationReview, review_files: dict[str, str]) -> str:
    return _dump(application_json(app, review_files))
