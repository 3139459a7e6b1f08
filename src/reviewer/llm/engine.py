"""The LLM engine: judge a document's rubrics with a model and merge the judgments with the rules.

``review_llm`` makes one call per (document, rubric) for the criteria the model judges
(:mod:`reviewer.llm.policy`), validates each answer, computes verdicts from the scores in code, grounds
every quote in the visible text, and merges with the rules engine's results, which the caller passes in:

* ``integrity.*`` and not-applicable criteria always keep the rules' result;
* ``hybrid``: a model-judged criterion gets the *worse* of the rules verdict and the model verdict, and
  both engines' findings are kept with their ``source``. The model can add a concern the rules missed
  but cannot clear one the rules found, so hybrid is never less trustworthy than rules alone (a draft
  that talks the model into "5/5" still carries every rules finding);
* ``llm``: a model-judged criterion takes the model's verdict and findings.

Every fault ends in the rules' result for that rubric plus a visible note (``LLMOutcome.notes``, meant for
``Review.notes``); a fatal failure (bad key, unknown model) stops further calls for the document. Nothing
here raises for a model's behaviour: a document always gets a review.

With ``config.dry_run`` nothing is sent: the rules results come back with a note of the planned calls
(:func:`plan_calls` gives the same plan as data, for ``--dry-run``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..document import Document
from ..findings import CriterionResult, Finding, Severity, Source, Verdict
from ..redact import redact, restore
from ..rubric import Criterion, Rubric, RubricSet, Scope
from .cache import JudgmentCache, MethodMemory, cache_key, estimate_tokens
from .calls import RubricFailed, Sleep, judge_rubric
from .config import LLMConfig, Mode, thresholds_for
from .grounding import locate
from .judge import Judge, Usage
from .policy import ceiling, llm_judged
from .prompt import build_prompt, template_digest
from .sanitize import count_invisible, strip_invisible
from .schemas import CriterionJudgment, RubricJudgment, verdict_for

_SEVERITY = {
    Verdict.FAIL: Severity.ERROR,
    Verdict.WARN: Severity.WARNING,
    Verdict.PASS: Severity.INFO,
    Verdict.NOT_APPLICABLE: Severity.INFO,
}


@dataclass(frozen=True)
class CallRecord:
    """What happened for one rubric: ``status`` is ok | repaired | cached | fallback | planned."""

    rubric: str
    criteria: tuple[str, ...]
    status: str
    method: str | None = None
    usage: Usage = field(default_factory=Usage)
    reason: str = ""


@dataclass(frozen=True)
class LLMOutcome:
    results: list[CriterionResult]
    findings: list[Finding]
    notes: list[str]
    usage: Usage
    dropped_quotes: int
    calls: tuple[CallRecord, ...] = ()
    scores: dict[str, int] = field(default_factory=dict)  # model scores of the criteria it judged


@dataclass(frozen=True)
class PlannedCall:
    document: str
    rubric: str
    criteria: tuple[str, ...]
    prompt_tokens: int  # estimated (characters / 4)
    max_tokens: int
    cached: bool


def rubric_jobs(
    doc: Document, rubrics: RubricSet, mode: Mode, config: LLMConfig
) -> list[tuple[Rubric, list[Criterion]]]:
    """(rubric, criteria the model judges) for every document rubric that applies to ``doc.kind``."""
    jobs = []
    for rubric in rubrics.rubrics:
        if rubric.scope is not Scope.DOCUMENT:
            continue
        judged = [c for c in rubric.criteria if c.applies(doc.kind, rubric) and llm_judged(c, mode, config)]
        if judged:
            jobs.append((rubric, judged))
    return jobs


def _key(
    doc: Document, rubric: Rubric, criteria: Sequence[Criterion], config: LLMConfig, endpoint: str, model: str
) -> str:
    return cache_key(
        model=model,
        endpoint=endpoint,
        template_digest=template_digest() + (":redact" if config.redact else ""),
        rubric_digest=rubric.digest,
        criterion_ids=[c.id for c in criteria],
        kind=doc.kind.value,
        text_digest=doc.text_digest,
    )


def plan_calls(
    doc: Document, rubrics: RubricSet, config: LLMConfig, *, mode: Mode = "hybrid"
) -> list[PlannedCall]:
    """The calls ``review_llm`` would make for ``doc``, with estimated prompt tokens; sends nothing."""
    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    out = []
    for rubric, criteria in rubric_jobs(doc, rubrics, mode, config):
        prompt = build_prompt(doc, rubric, criteria, seed="plan")
        tokens = sum(estimate_tokens(m.content) for m in prompt.messages)
        key = _key(doc, rubric, criteria, config, config.endpoint, config.model)
        out.append(
            PlannedCall(
                doc.path,
                rubric.id,
                tuple(c.id for c in criteria),
                tokens,
                config.max_tokens,
                cached=cache is not None and cache.get(key) is not None,
            )
        )
    return out


def review_llm(
    doc: Document,
    rubrics: RubricSet,
    config: LLMConfig,
    judge: Judge | None,
    *,
    rules: tuple[Sequence[CriterionResult], Sequence[Finding]],
    mode: Mode = "hybrid",
    memory: MethodMemory | None = None,
    sleep: Sleep = time.sleep,
    names: Sequence[str] = (),
) -> LLMOutcome:
    """Judge ``doc`` with the model and merge with ``rules`` (the rules engine's results and findings).

    ``judge`` may be None only with ``config.dry_run``. ``memory`` defaults to the method memory in
    ``config.cache_dir``; pass one to share it across documents without a cache folder. With
    ``config.redact`` the text is sent with identifiers (``names``, e.g. the applicant's, and the ones
    :mod:`reviewer.redact` finds) replaced by placeholders, which are restored in the model's answer
    before its quotes are grounded; the cache keeps the answer as the model gave it (placeholders).
    """
    rule_results, rule_findings = list(rules[0]), list(rules[1])
    jobs = rubric_jobs(doc, rubrics, mode, config)
    notes: list[str] = []
    if config.dry_run or judge is None:
        plan = plan_calls(doc, rubrics, config, mode=mode)
        tokens = sum(p.prompt_tokens for p in plan if not p.cached)
        notes.append(
            f"LLM dry run: {sum(not p.cached for p in plan)} call(s) planned, about {tokens} prompt tokens "
            f"(max {config.max_tokens} output tokens each); nothing was sent"
        )
        calls = tuple(CallRecord(p.rubric, p.criteria, "cached" if p.cached else "planned") for p in plan)
        return LLMOutcome(rule_results, rule_findings, notes, Usage(), 0, calls)
    memory = memory or MethodMemory(config.cache_dir)
    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    invisible = count_invisible(doc.text)
    if invisible and jobs:
        notes.append(
            f"{invisible} invisible character(s) were removed from the text before it was sent to the model"
        )
    sent: str | None = None
    mapping: dict[str, str] = {}
    if config.redact:
        sent, mapping = redact(strip_invisible(doc.text)[0], names)
        if mapping:
            notes.append(f"{len(mapping)} personal identifier(s) were replaced by placeholders before sending")
    usage = Usage()
    records: list[CallRecord] = []
    judgments: dict[str, tuple[Rubric, list[Criterion], RubricJudgment]] = {}
    fatal: str | None = None
    for rubric, criteria in jobs:
        ids = tuple(c.id for c in criteria)
        if fatal is not None:
            records.append(CallRecord(rubric.id, ids, "fallback", reason=fatal))
            notes.append(_fallback_note(rubric, fatal))
            continue
        key = _key(doc, rubric, criteria, config, judge.endpoint, judge.model)
        hit = cache.get(key) if cache else None
        if hit is not None:
            usage = usage + Usage(cached_calls=1)
            records.append(CallRecord(rubric.id, ids, "cached", hit.method, Usage(cached_calls=1)))
            judgments[rubric.id] = (rubric, criteria, restore_judgment(hit.judgment, mapping))
            continue
        prompt = build_prompt(doc, rubric, criteria, seed=config.boundary_seed, text=sent)
        try:
            judgment, state = judge_rubric(judge, prompt, ids, config, memory, sleep=sleep)
        except RubricFailed as exc:
            usage = usage + exc.usage
            records.append(CallRecord(rubric.id, ids, "fallback", exc.method, exc.usage, exc.reason))
            notes.append(_fallback_note(rubric, exc.reason))
            if exc.fatal:
                fatal = exc.reason
            continue
        except Exception as exc:  # a bug must not cost the document its review
            records.append(CallRecord(rubric.id, ids, "fallback", reason=f"{type(exc).__name__}: {exc}"))
            notes.append(_fallback_note(rubric, f"unexpected error {type(exc).__name__}: {exc}"))
            continue
        usage = usage + state.usage
        records.append(
            CallRecord(rubric.id, ids, "repaired" if state.repaired else "ok", state.method, state.usage)
        )
        judgments[rubric.id] = (rubric, criteria, restore_judgment(judgment, mapping))
        if cache is not None:
            cache.put(key, judgment, state.usage, state.method or "", text_digest=doc.text_digest)
    results, findings, dropped, scores = merge(
        doc, rule_results, rule_findings, list(judgments.values()), config, mode
    )
    if dropped:
        notes.append(f"{dropped} quote(s) from the model could not be found in the document and were dropped")
    return LLMOutcome(results, findings, notes, usage, dropped, tuple(records), scores)


def restore_judgment(judgment: RubricJudgment, mapping: dict[str, str]) -> RubricJudgment:
    """``judgment`` with redaction placeholders in reasoning, quotes and suggestions put back."""
    if not mapping:
        return judgment
    return judgment.model_copy(
        update={
            "criteria": tuple(
                c.model_copy(
                    update={
                        "reasoning": restore(c.reasoning, mapping),
                        "evidence": tuple(
                            e.model_copy(
                                update={
                                    "quote": restore(e.quote, mapping),
                                    "suggestion": restore(e.suggestion, mapping),
                                }
                            )
                            for e in c.evidence
                        ),
                    }
                )
                for c in judgment.criteria
            )
        }
    )


def _fallback_note(rubric: Rubric, reason: str) -> str:
    return f"LLM judgment unavailable for rubric '{rubric.id}' ({reason}); its criteria were judged by rules"


# --- merging ---------------------------------------------------------------------------------------


def merge(
    doc: Document,
    rule_results: list[CriterionResult],
    rule_findings: list[Finding],
    judged: Sequence[tuple[Rubric, list[Criterion], RubricJudgment]],
    config: LLMConfig,
    mode: Mode,
) -> tuple[list[CriterionResult], list[Finding], int, dict[str, int]]:
    """Results in the rules' order with model-judged criteria replaced; findings sorted by position."""
    by_id = {r.id: r for r in rule_results}
    replaced: dict[str, CriterionResult] = {}
    llm_findings: list[Finding] = []
    drop_rules: set[str] = set()
    dropped = 0
    scores: dict[str, int] = {}
    for _rubric, criteria, judgment in judged:
        for c in criteria:
            j = judgment.get(c.id)
            base = by_id.get(c.id)
            if j is None or (base is not None and base.verdict is Verdict.NOT_APPLICABLE):
                continue
            scores[c.id] = j.score
            verdict = verdict_for(j.score, thresholds_for(config, c.id), ceiling(c))
            found, lost = ground(doc, c, j, verdict)
            dropped += lost
            rules_verdict = base.verdict if base is not None else Verdict.PASS
            if mode == "hybrid" and rules_verdict.rank > verdict.rank:
                replaced[c.id] = _result(
                    c,
                    rules_verdict,
                    Source.RULES,
                    f"{base.message if base else ''} (the model scored {j.score}/5)".strip(),
                )
            else:
                replaced[c.id] = _result(c, verdict, Source.LLM, _llm_message(j))
                if mode == "llm":
                    drop_rules.add(c.id)
            final = replaced[c.id].verdict
            if final in (Verdict.WARN, Verdict.FAIL) and replaced[c.id].source is Source.LLM:
                if not found and not any(
                    f.criterion == c.id for f in rule_findings if c.id not in drop_rules
                ):
                    found = [_doc_level(doc, c, j, verdict)]
                llm_findings.extend(found)
    results = [replaced.get(r.id, r) for r in rule_results]
    known = {r.id for r in rule_results}
    results.extend(v for k, v in replaced.items() if k not in known)
    findings = [f for f in rule_findings if f.criterion not in drop_rules] + llm_findings
    findings.sort(key=lambda f: (f.start, f.end, f.criterion, f.source.value))
    return results, findings, dropped, scores


def _result(c: Criterion, verdict: Verdict, source: Source, message: str) -> CriterionResult:
    return CriterionResult(
        id=c.id,
        verdict=verdict,
        message=message,
        source=source,
        title=c.title,
        guide=c.guide,
        severity=c.severity,
    )


def _llm_message(j: CriterionJudgment) -> str:
    return f"{j.score}/5: {j.reasoning}" if j.reasoning else f"{j.score}/5"


def ground(doc: Document, c: Criterion, j: CriterionJudgment, verdict: Verdict) -> tuple[list[Finding], int]:
    """Findings for the model's located quotes (warn/fail only) and the number of quotes dropped."""
    out: list[Finding] = []
    dropped = 0
    seen: set[tuple[int, int]] = set()
    for ev in j.evidence:
        loc = locate(doc, ev.quote)
        if loc is None:
            dropped += 1
            continue
        if verdict not in (Verdict.WARN, Verdict.FAIL) or (loc.anchor_start, loc.anchor_end) in seen:
            continue
        seen.add((loc.anchor_start, loc.anchor_end))
        out.append(
            Finding(
                criterion=c.id,
                verdict=verdict,
                severity=_SEVERITY[verdict],
                start=loc.anchor_start,
                end=loc.anchor_end,
                quote=doc.text[loc.anchor_start : loc.anchor_end],
                message=_finding_message(c, j),
                suggestion=ev.suggestion or c.suggestion.strip(),
                source=Source.LLM,
                entry=_entry_of(doc, loc.start),
            )
        )
    return out, dropped


def _finding_message(c: Criterion, j: CriterionJudgment) -> str:
    msg = c.message.strip()
    return f"{msg} (model, {j.score}/5: {j.reasoning})" if j.reasoning else f"{msg} (model, {j.score}/5)"


def _doc_level(doc: Document, c: Criterion, j: CriterionJudgment, verdict: Verdict) -> Finding:
    start, end = (doc.blocks[0].start, doc.blocks[0].end) if doc.blocks else (0, 0)
    return Finding(
        criterion=c.id,
        verdict=verdict,
        severity=_SEVERITY[verdict],
        start=start,
        end=end,
        quote=doc.text[start:end],
        message=_finding_message(c, j),
        suggestion=c.suggestion.strip(),
        source=Source.LLM,
    )


def _entry_of(doc: Document, offset: int) -> int | None:
    for e in doc.entries:
        if e.start <= offset < max(e.end, e.start + 1):
            return e.index
    return None


__all__ = ["CallRecord", "LLMOutcome", "PlannedCall", "merge", "plan_calls", "review_llm", "rubric_jobs"]
