"""The LLM engine: judge a document's rubrics with a model and merge the judgments with the rules.

``review_llm`` makes one call per (document, rubric) for the criteria the model judges, every request built
by :mod:`reviewer.llm.request` (the same builder as dry runs and batch files), validates each answer,
computes verdicts from the scores in code, grounds every quote in the visible text, and merges with the
rules engine's results, which the caller passes in. The merge follows each criterion's policy fields
(:mod:`reviewer.llm.policy`):

* ``judge: rules`` criteria (counts, lengths, ``integrity.*``) keep the rules' result;
* ``judge: model``: in ``hybrid`` the model's *grounded* answer decides, and the rules' findings for the
  criterion go when it passes; the stricter of the rules verdict and the model verdict stands instead when
  the draft is suspect (``integrity.instructions`` / ``integrity.hidden_text`` flag it) or the answer for
  that criterion is ungrounded: a quote it gave is not in the draft, or it asserts (a problem; or, for a
  criterion about something absent, a pass) with nothing to point at;
* ``judge: both``: the stricter of the two, both engines' findings kept with their ``source``;
* ``llm`` mode: the model's verdict for every criterion it judges.

The score discussion: a rubric with ``model_span`` also asks the model whether the draft discusses an exam
result and whether it is a setback. A grounded quote makes that passage the discussion where the rules found
none (a setback the rules took for a strength, or missed): ``score.mention`` then shows it, and the
criteria the rules left not applicable take the model's verdict. A model's "not applicable" never silences
a criterion the rules found applicable (the rules' result stands).

Every fault ends in the rules' result for that rubric plus a visible note (``LLMOutcome.notes``, meant for
``Review.notes``); a fatal failure (bad key, unknown model) stops further calls for the document. Nothing
here raises for a model's behaviour: a document always gets a review.

With ``config.dry_run`` nothing is sent: the rules results come back with a note of the planned calls
(:func:`plan_calls` gives the same plan as data, for ``--dry-run``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..document import Document
from ..findings import CriterionResult, Finding, LLMRewrite, Severity, Source, Verdict
from ..redact import restore
from ..rubric import Criterion, JudgedBy, RubricSet
from .cache import JudgmentCache, MethodMemory
from .calls import RubricFailed, Sleep, ask_rewrite, judge_rubric
from .config import LLMConfig, Mode, thresholds_for
from .grounding import locate
from .judge import Judge, Usage
from .policy import ceiling, model_decides, suspect
from .request import RequestPlan, RewriteCall, RubricCall, Span, plan_requests, plan_rewrite
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
    rewrite: LLMRewrite | None = None  # the model's rewrite of the score discussion, when one was asked for


@dataclass(frozen=True)
class PlannedCall:
    document: str
    rubric: str
    criteria: tuple[str, ...]
    prompt_tokens: int  # estimated (characters / 4)
    max_tokens: int
    cached: bool


def plan_calls(
    doc: Document,
    rubrics: RubricSet,
    config: LLMConfig,
    *,
    mode: Mode = "hybrid",
    target: str = "kaiser",
    names: Sequence[str] = (),
    rules: Sequence[CriterionResult] | None = None,
) -> list[PlannedCall]:
    """The calls ``review_llm`` would make for ``doc``, with estimated prompt tokens; sends nothing.

    ``rules``: the rules engine's results for ``doc`` (run here when not given)."""
    if rules is None:
        from ..checks.rules import review_rules

        rules = review_rules(doc, rubrics, target=target)[0]
    plan = plan_requests(doc, rubrics, config, mode=mode, target=target, names=names, rule_results=rules)
    return _planned(doc, plan, config, rewrite_call(doc, rules, config, target=target, names=names))


def _planned(doc: Document, plan: RequestPlan, config: LLMConfig,
             rewrite: RewriteCall | None = None) -> list[PlannedCall]:
    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    out = [
        PlannedCall(doc.path, c.rubric.id, c.criterion_ids, c.prompt_tokens, c.max_tokens,
                    cached=cache is not None and cache.get(c.key) is not None)
        for c in plan.calls
    ]
    if rewrite is not None:
        out.append(PlannedCall(doc.path, REWRITE, (), rewrite.prompt_tokens, rewrite.max_tokens,
                               cached=cache is not None and cache.get_rewrite(rewrite.key) is not None))
    return out


REWRITE = "rewrite"  # the call record's name for the rewrite request


def rewrite_call(doc: Document, results: Sequence[CriterionResult], config: LLMConfig, *, target: str = "kaiser",
                 names: Sequence[str] = (), judge: Judge | None = None) -> RewriteCall | None:
    """The rewrite request for ``doc`` when ``config.rewrite`` is on and its score discussion explains a
    setback that ``results`` leave open (:func:`reviewer.rewrite.rewrite_discussion`); else None."""
    if not config.rewrite:
        return None
    from ..rewrite import rewrite_discussion

    disc = rewrite_discussion(results, doc)
    if disc is None:
        return None
    return plan_rewrite(doc, Span(disc.start, disc.end), config, target=target, names=names,
                        endpoint=judge.endpoint if judge is not None else None,
                        model=judge.model if judge is not None else None)


@dataclass(frozen=True)
class RewriteStep:
    """What the rewrite request came to: the outcome for the review, its call record, cost and note."""

    rewrite: LLMRewrite
    record: CallRecord
    usage: Usage = field(default_factory=Usage)
    note: str = ""


def _rewrite_failed(reason: str, method: str | None = None, usage: Usage | None = None) -> RewriteStep:
    """No rewrite: the call failed (``reason``), and the outline is shown instead."""
    usage = usage if usage is not None else Usage()
    return RewriteStep(LLMRewrite(status="failed", reason=reason), CallRecord(REWRITE, (), "failed", method, usage,
                                                                               reason), usage,
                       f"The model's rewrite of the score discussion is unavailable ({reason}); the outline is shown "
                       "instead")


def suggest_rewrite(doc: Document, call: RewriteCall, config: LLMConfig, judge: Judge, memory: MethodMemory, *,
                    sleep: Sleep = time.sleep) -> RewriteStep:
    """Ask for the rewrite (or take it from the cache), restore the redaction placeholders, and keep it only when
    :func:`reviewer.rewrite.check_rewrite` finds no fact the applicant's document does not state."""
    from ..rewrite import check_rewrite

    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    hit = cache.get_rewrite(call.key) if cache else None
    if hit is not None:
        answer, method = hit[0], hit[2]
        usage, status = Usage(cached_calls=1), "cached"
    else:
        try:
            answer, state = ask_rewrite(judge, call, config, memory, sleep=sleep)
        except RubricFailed as exc:
            return _rewrite_failed(exc.reason, exc.method, exc.usage)
        except Exception as exc:  # a bug must not cost the document its review
            return _rewrite_failed(f"unexpected error {type(exc).__name__}: {exc}")
        method, usage, status = state.method or "", state.usage, "ok"
        if cache is not None:
            cache.put_rewrite(call.key, answer, state.usage, method, text_digest=doc.text_digest)
    result = check_rewrite(restore(answer, call.mapping), [doc.text], doc.kind)
    record = CallRecord(REWRITE, (), status, method or None, usage,
                        "" if result.kept else f"discarded: {result.reason}")
    if result.kept:
        assert result.text is not None
        return RewriteStep(LLMRewrite(status="kept", text=result.text), record, usage)
    why = {"new_facts": "it states facts your documents do not: " + ", ".join(f"'{f}'" for f in result.new_facts),
           "length": "it does not have the suggested length", "empty": "it was empty"}.get(result.reason, result.reason)
    return RewriteStep(LLMRewrite(status="discarded", reason=result.reason, new_facts=result.new_facts), record,
                       usage, f"The model's rewrite of the score discussion was discarded ({why}); "
                              "the outline is shown instead")


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
    target: str = "kaiser",
) -> LLMOutcome:
    """Judge ``doc`` with the model and merge with ``rules`` (the rules engine's results and findings).

    ``judge`` may be None only with ``config.dry_run``. ``memory`` defaults to the method memory in
    ``config.cache_dir``; pass one to share it across documents without a cache folder. ``target`` is the
    program the draft is aimed at (the model is told). With ``config.redact`` the text is sent with
    identifiers (``names``, e.g. the applicant's, and the ones :mod:`reviewer.redact` finds) replaced by
    placeholders, which are restored in the model's answer before its quotes are grounded; the cache keeps
    the answer as the model gave it (placeholders).
    """
    rule_results, rule_findings = list(rules[0]), list(rules[1])
    notes: list[str] = []
    plan = plan_requests(doc, rubrics, config, mode=mode, target=target, names=names, rule_results=rule_results,
                         endpoint=judge.endpoint if judge is not None else None,
                         model=judge.model if judge is not None else None)
    if config.dry_run or judge is None:
        planned = _planned(doc, plan, config, rewrite_call(doc, rule_results, config, target=target, names=names))
        tokens = sum(p.prompt_tokens for p in planned if not p.cached)
        notes.append(
            f"LLM dry run: {sum(not p.cached for p in planned)} call(s) planned, about {tokens} prompt tokens "
            f"(max {config.max_tokens} output tokens each); nothing was sent"
        )
        calls = tuple(CallRecord(p.rubric, p.criteria, "cached" if p.cached else "planned") for p in planned)
        return LLMOutcome(rule_results, rule_findings, notes, Usage(), 0, calls)
    memory = memory or MethodMemory(config.cache_dir)
    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    if plan.invisible and plan.calls:
        notes.append(
            f"{plan.invisible} invisible character(s) were removed from the text before it was sent to the model"
        )
    if plan.mapping:
        notes.append(f"{len(plan.mapping)} personal identifier(s) were replaced by placeholders before sending")
    usage = Usage()
    records: list[CallRecord] = []
    judged: list[tuple[RubricCall, RubricJudgment]] = []
    fatal: str | None = None
    for call in plan.calls:
        ids, rubric = call.criterion_ids, call.rubric
        if fatal is not None:
            records.append(CallRecord(rubric.id, ids, "fallback", reason=fatal))
            notes.append(_fallback_note(rubric.id, fatal))
            continue
        hit = cache.get(call.key) if cache else None
        if hit is not None:
            usage = usage + Usage(cached_calls=1)
            records.append(CallRecord(rubric.id, ids, "cached", hit.method, Usage(cached_calls=1)))
            judged.append((call, restore_judgment(hit.judgment, plan.mapping)))
            continue
        try:
            judgment, state = judge_rubric(judge, call, config, memory, sleep=sleep)
        except RubricFailed as exc:
            usage = usage + exc.usage
            records.append(CallRecord(rubric.id, ids, "fallback", exc.method, exc.usage, exc.reason))
            notes.append(_fallback_note(rubric.id, exc.reason))
            if exc.fatal:
                fatal = exc.reason
            continue
        except Exception as exc:  # a bug must not cost the document its review
            records.append(CallRecord(rubric.id, ids, "fallback", reason=f"{type(exc).__name__}: {exc}"))
            notes.append(_fallback_note(rubric.id, f"unexpected error {type(exc).__name__}: {exc}"))
            continue
        usage = usage + state.usage
        records.append(
            CallRecord(rubric.id, ids, "repaired" if state.repaired else "ok", state.method, state.usage)
        )
        judged.append((call, restore_judgment(judgment, plan.mapping)))
        if cache is not None:
            cache.put(call.key, judgment, state.usage, state.method or "", text_digest=doc.text_digest)
    merged = merge(doc, rule_results, rule_findings, judged, config, mode, rules_span=plan.span)
    if merged.dropped:
        notes.append(
            f"{merged.dropped} quote(s) from the model could not be found in the document and were dropped"
        )
    notes.extend(merged.notes)
    rewrite = None
    ask = rewrite_call(doc, merged.results, config, target=target, names=names, judge=judge) if fatal is None else None
    if ask is not None:
        step = suggest_rewrite(doc, ask, config, judge, memory, sleep=sleep)
        rewrite, usage = step.rewrite, usage + step.usage
        records.append(step.record)
        if step.note:
            notes.append(step.note)
    return LLMOutcome(merged.results, merged.findings, notes, usage, merged.dropped, tuple(records), merged.scores,
                      rewrite)


def restore_judgment(judgment: RubricJudgment, mapping: Mapping[str, str]) -> RubricJudgment:
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
            ),
            "discussion": judgment.discussion.model_copy(
                update={"quote": restore(judgment.discussion.quote, mapping)}
            ) if judgment.discussion is not None else None,
        }
    )


def _fallback_note(rubric: str, reason: str) -> str:
    return f"LLM judgment unavailable for rubric '{rubric}' ({reason}); its criteria were judged by rules"


# --- merging ---------------------------------------------------------------------------------------


@dataclass
class Merged:
    results: list[CriterionResult]
    findings: list[Finding]
    dropped: int = 0
    scores: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ModelSpan:
    """The score discussion as the model located it (a grounded quote)."""

    start: int
    end: int
    setback: bool


def model_span(doc: Document, judgment: RubricJudgment) -> tuple[ModelSpan | None, int]:
    """(the located discussion, quotes dropped): only a quote found in the draft makes a span."""
    d = judgment.discussion
    if d is None or not d.discusses_exam or not d.quote.strip():
        return None, 0
    loc = locate(doc, d.quote)
    if loc is None:
        return None, 1
    return ModelSpan(loc.anchor_start, loc.anchor_end, d.setback), 0


def merge(
    doc: Document,
    rule_results: list[CriterionResult],
    rule_findings: list[Finding],
    judged: Sequence[tuple[RubricCall, RubricJudgment]],
    config: LLMConfig,
    mode: Mode,
    *,
    rules_span: Span | None = None,
) -> Merged:
    """Results in the rules' order with model-judged criteria decided by the policy; findings by position."""
    by_id = {r.id: r for r in rule_results}
    out = Merged([], [])
    replaced: dict[str, CriterionResult] = {}
    llm_findings: list[Finding] = []
    drop_rules: set[str] = set()
    is_suspect = suspect(rule_results)
    for call, judgment in judged:
        span, lost = model_span(doc, judgment) if call.span else (None, 0)
        out.dropped += lost
        anchor = (span.start, span.end) if span else ((rules_span.start, rules_span.end) if call.span and
                                                       rules_span else None)
        for c in call.rubric.criteria:
            base = by_id.get(c.id)  # None: the rules did not judge it (taken as a pass)
            rules_na = base is not None and base.verdict is Verdict.NOT_APPLICABLE
            if c.judge is JudgedBy.RULES:
                if span is not None and rules_na and c.check == "score_mention":
                    replaced[c.id], mention = _mention(doc, c, span)
                    llm_findings.append(mention)
                continue
            j = judgment.get(c.id)
            if j is None:
                continue
            if rules_na and not (span is not None and span.setback and j.applicable):
                continue
            if not j.applicable:
                if base is not None:
                    replaced[c.id] = base.model_copy(
                        update={"message": f"{base.message} (the model found it not applicable; the rules' "
                                           "verdict stands)"})
                continue
            assert j.score is not None
            out.scores[c.id] = j.score
            verdict = verdict_for(j.score, thresholds_for(config, c.id, c.model_pass_at), ceiling(c))
            found, lost, grounded = ground(doc, c, j, verdict)
            out.dropped += lost
            rules_verdict = base.verdict if base is not None else Verdict.PASS
            decides = model_decides(c, mode) and (mode == "llm" or (grounded and not is_suspect))
            if rules_na or decides or verdict.rank >= rules_verdict.rank:
                replaced[c.id] = _result(c, verdict, Source.LLM, _llm_message(j))
                if rules_na or decides:
                    drop_rules.add(c.id)
                if verdict in (Verdict.WARN, Verdict.FAIL):
                    if not found and (c.id in drop_rules or not any(f.criterion == c.id for f in rule_findings)):
                        found = [_doc_level(doc, c, j, verdict, anchor)]
                    llm_findings.extend(found)
            else:
                assert base is not None
                why = ("the draft is suspect" if is_suspect and model_decides(c, mode) else
                       "the model's answer is not grounded in the draft" if model_decides(c, mode) else "")
                replaced[c.id] = _result(
                    c, rules_verdict, Source.RULES,
                    f"{base.message} (the model scored {j.score}/5{'; kept: ' + why if why else ''})".strip(),
                )
    out.results = [replaced.get(r.id, r) for r in rule_results]
    known = {r.id for r in rule_results}
    out.results.extend(v for k, v in replaced.items() if k not in known)
    findings = [f for f in rule_findings if f.criterion not in drop_rules] + llm_findings
    findings.sort(key=lambda f: (f.start, f.end, f.criterion, f.source.value))
    out.findings = findings
    return out


def _mention(doc: Document, c: Criterion, span: ModelSpan) -> tuple[CriterionResult, Finding]:
    what = "score explanation" if span.setback else "exam result mentioned as a strength"
    result = _result(c, Verdict.PASS, Source.LLM, f"the model located a {what} the rules did not")
    finding = Finding(
        criterion=c.id, verdict=Verdict.PASS, severity=Severity.INFO, start=span.start, end=span.end,
        quote=doc.text[span.start : span.end], message=f"{c.message.strip()} (located by the model: {what})",
        suggestion=c.suggestion.strip(), source=Source.LLM,
    )
    return result, finding


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


def ground(
    doc: Document, c: Criterion, j: CriterionJudgment, verdict: Verdict
) -> tuple[list[Finding], int, bool]:
    """Findings for the model's located quotes (warn/fail only), the quotes dropped, and whether the answer
    is grounded: every quote it gave is in the draft, and it points at something when it asserts (a problem
    for a "problem" criterion; a pass for a "closest" one, about something that may be absent)."""
    out: list[Finding] = []
    dropped = located = 0
    seen: set[tuple[int, int]] = set()
    for ev in j.evidence:
        loc = locate(doc, ev.quote)
        if loc is None:
            dropped += 1
            continue
        located += 1
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
    asserts = verdict is Verdict.PASS if c.quotes == "closest" else verdict is not Verdict.PASS
    grounded = dropped == 0 and (located > 0 or not asserts)
    return out, dropped, grounded


def _finding_message(c: Criterion, j: CriterionJudgment) -> str:
    msg = c.message.strip()
    return f"{msg} (model, {j.score}/5: {j.reasoning})" if j.reasoning else f"{msg} (model, {j.score}/5)"


def _doc_level(
    doc: Document, c: Criterion, j: CriterionJudgment, verdict: Verdict, anchor: tuple[int, int] | None = None
) -> Finding:
    start, end = anchor or doc.first_block_span
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


__all__ = ["REWRITE", "CallRecord", "LLMOutcome", "Merged", "PlannedCall", "RewriteStep", "merge", "plan_calls",
           "review_llm", "rewrite_call", "suggest_rewrite"]
