"""Severity, Verdict, Finding and Review: the hub every later stage reads.

Renderers, the store and revision tracking read only these values, never a regex match or a raw LLM
response. A :class:`Finding` is frozen and self-contained: the exact character span in the visible
document text, the quoted text (always ``document.text[start:end]``), and what to do about it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from .document import DocKind


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Verdict.NOT_APPLICABLE: 0, Verdict.PASS: 1, Verdict.WARN: 2, Verdict.FAIL: 3}


def worst(verdicts: list[Verdict] | tuple[Verdict, ...], default: Verdict = Verdict.PASS) -> Verdict:
    """The most serious verdict of several (fail > warn > pass > not_applicable)."""
    return max(verdicts, key=lambda v: v.rank) if verdicts else default


class Source(StrEnum):
    RULES = "rules"
    LLM = "llm"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(Frozen):
    criterion: str
    verdict: Verdict  # this finding's contribution to the criterion verdict
    severity: Severity
    start: int
    end: int
    quote: str
    message: str
    suggestion: str = ""
    source: Source = Source.RULES
    entry: int | None = None  # experience entry index, when the finding is about one entry
    document: str | None = None  # set on application-level findings: which document it is in


class CriterionResult(Frozen):
    id: str
    verdict: Verdict
    message: str
    source: Source = Source.RULES
    title: str = ""
    guide: str = ""
    severity: Severity = Severity.WARNING


class DocumentInfo(Frozen):
    path: str
    kind: DocKind
    sha256: str
    words: int
    characters: int
    text_digest: str = ""
    hidden_spans: int = 0


class Change(StrEnum):
    """What became of a finding between two rounds of the same document."""

    RESOLVED = "resolved"
    PERSISTING = "persisting"
    NEW = "new"


class FindingChange(Frozen):
    status: Change
    criterion: str
    quote: str  # the current quote (new/persisting) or the previous one (resolved)
    message: str
    previous_quote: str | None = None
    start: int | None = None  # current span, for new/persisting findings
    end: int | None = None


class VerdictChange(Frozen):
    id: str
    before: Verdict | None
    after: Verdict | None


class RevisionSummary(Frozen):
    """How this review compares with the previous round of the same document."""

    round: int
    previous_round: int
    previous_sha256: str
    findings: tuple[FindingChange, ...] = ()
    verdicts: tuple[VerdictChange, ...] = ()

    def of(self, status: Change) -> tuple[FindingChange, ...]:
        return tuple(f for f in self.findings if f.status is status)


class LLMCall(Frozen):
    """One (document, rubric) judgment: ``status`` is ok | repaired | cached | fallback | planned; the rewrite
    request (``rubric`` "rewrite") is ok | cached | failed | planned, and a failed one is no rubric fallback."""

    rubric: str
    status: str
    method: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reason: str = ""


class LLMRewrite(Frozen):
    """The model's rewrite of the score discussion: ``status`` is kept | discarded | failed | planned.

    ``discarded``: it failed the fact check (``reason`` is one of :data:`reviewer.rewrite.REASONS`,
    ``new_facts`` what it invented) and the rules' outline is shown; ``failed``: no valid answer."""

    status: str
    text: str = ""
    reason: str = ""
    new_facts: tuple[str, ...] = ()


class LLMReport(Frozen):
    """What the model engine did for one document: calls, tokens, estimated cost, dropped quotes."""

    mode: str
    model: str
    endpoint: str
    calls: tuple[LLMCall, ...] = ()
    api_calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    dropped_quotes: int = 0
    rewrite: LLMRewrite | None = None


class Review(Frozen):
    """The review of one document."""

    document: DocumentInfo
    criteria: tuple[CriterionResult, ...]
    findings: tuple[Finding, ...]
    engine: str = "rules"
    rubric_digest: str = ""
    notes: tuple[str, ...] = ()
    revision: RevisionSummary | None = None
    llm: LLMReport | None = None

    def criterion(self, cid: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.id == cid), None)

    def findings_for(self, cid: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.criterion == cid)


class DocumentFailure(Frozen):
    """A document of an application that could not be reviewed, and why."""

    path: str
    error: str
    kind: str = "input"


class ApplicationReview(Frozen):
    """One applicant's folder: the per-document reviews' summary plus the application-level criteria."""

    applicant: str
    path: str
    documents: tuple[DocumentInfo, ...]
    criteria: tuple[CriterionResult, ...]
    findings: tuple[Finding, ...]
    failures: tuple[DocumentFailure, ...] = ()
    reviews: tuple[Review, ...] = Field(default=(), exclude=True)
