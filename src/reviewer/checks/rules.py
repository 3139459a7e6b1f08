"""The rules engine: runs each criterion's detector and turns its outcome into findings and a verdict.

It enforces the spec's invariants so detectors stay small: every ``warn``/``fail`` carries at least one
finding (a document-level one anchors on the first block), quotes are always the exact document text of
their span, and a detector that cannot apply returns ``not_applicable`` with no findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document
from ..findings import CriterionResult, Finding, Severity, Source, Verdict
from ..kinds import Manifest
from ..rubric import Criterion, Rubric, RubricSet
from .registry import AppContext, Context, Hit, Outcome, get_check, parse_params

_SEVERITY = {Verdict.FAIL: Severity.ERROR, Verdict.WARN: Severity.WARNING, Verdict.PASS: Severity.INFO,
             Verdict.NOT_APPLICABLE: Severity.INFO}


def run_criterion(ctx: Context, rubric: Rubric, criterion: Criterion) -> Outcome:
    """Run one document criterion's detector (params validated by the rubric loader)."""
    if not criterion.applies(ctx.doc.kind, rubric):
        return Outcome(Verdict.NOT_APPLICABLE, summary=f"does not apply to {ctx.doc.kind.value}")
    spec = get_check(criterion.check)
    return spec.fn(ctx, parse_params(criterion.check, criterion.params))


def run_app_criterion(actx: AppContext, criterion: Criterion) -> Outcome:
    spec = get_check(criterion.check)
    return spec.fn(actx, parse_params(criterion.check, criterion.params))


def hits_to_findings(doc: Document, criterion: Criterion, outcome: Outcome) -> list[Finding]:
    hits: Sequence[Hit] = outcome.hits
    if not hits and outcome.verdict in (Verdict.WARN, Verdict.FAIL):
        s, e = doc.first_block_span
        hits = (Hit(s, e, outcome.verdict, outcome.summary),)
    out: list[Finding] = []
    for h in hits:
        start, end = max(0, h.start), min(len(doc.text), h.end)
        note = h.note.strip()
        message = criterion.message.strip()
        if note:
            message = f"{message} ({note})" if message else note
        out.append(
            Finding(
                criterion=criterion.id,
                verdict=h.verdict,
                severity=_SEVERITY[h.verdict],
                start=start,
                end=end,
                quote=doc.text[start:end],
                message=message,
                suggestion=criterion.suggestion.strip(),
                source=Source.RULES,
                entry=h.entry,
                document=h.document,
            )
        )
    return out


def result_for(criterion: Criterion, outcome: Outcome, source: Source = Source.RULES) -> CriterionResult:
    return CriterionResult(
        id=criterion.id,
        verdict=outcome.verdict,
        message=outcome.summary or _default_summary(outcome.verdict),
        source=source,
        title=criterion.title,
        guide=criterion.guide,
        severity=criterion.severity,
    )


def _default_summary(v: Verdict) -> str:
    return {Verdict.PASS: "meets the criterion", Verdict.WARN: "worth revising", Verdict.FAIL: "needs revision",
            Verdict.NOT_APPLICABLE: "does not apply"}[v]


def review_rules(doc: Document, rubrics: RubricSet, *, target: str = "kaiser",
                 ctx: Context | None = None) -> tuple[list[CriterionResult], list[Finding]]:
    """Judge every criterion that applies to ``doc.kind`` with its detector."""
    ctx = ctx or Context(doc, target=target)
    results: list[CriterionResult] = []
    findings: list[Finding] = []
    for rubric, criterion in rubrics.for_kind(doc.kind):
        outcome = run_criterion(ctx, rubric, criterion)
        results.append(result_for(criterion, outcome))
        findings.extend(hits_to_findings(doc, criterion, outcome))
    return results, findings


def review_application_rules(
    docs: Sequence[Document], rubrics: RubricSet, contexts: dict[str, Context] | None = None, *,
    manifest: Manifest | None = None,
) -> tuple[list[CriterionResult], list[Finding]]:
    """Judge the application-scope criteria across one applicant's documents (and the folder's manifest)."""
    actx = AppContext(docs, contexts=contexts or {}, manifest=manifest)
    by_path = {d.path: d for d in docs}
    results: list[CriterionResult] = []
    findings: list[Finding] = []
    for _rubric, criterion in rubrics.application_criteria():
        outcome = run_app_criterion(actx, criterion)
        results.append(result_for(criterion, outcome))
        for h in outcome.hits:
            doc = by_path.get(h.document or "")
            if doc is None:
                continue
            (f,) = hits_to_findings(doc, criterion, Outcome(outcome.verdict, (h,)))
            findings.append(f.model_copy(update={"document": doc.path}))
    return results, findings
