"""What a batch run produced, kept small: per-document summaries, the batch result, and ``cohort.json``.

``cohort.json`` (``reviewer.cohort/1``) is a public contract read by the cohort report
(:mod:`reviewer.render.html`) and by anyone scripting over a batch: add fields, never rename them.
Paths in it are relative to the output folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..fsio import atomic_write_text
from ..pipeline import APPLICATION_STEM, REVIEW_SUFFIX
from ..render.registry import format_names
from ..store import now

COHORT_JSON = "cohort.json"
COHORT_SCHEMA = "reviewer.cohort/1"


class Status(StrEnum):
    REVIEWED = "reviewed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class DocSummary:
    """One document's line in ``cohort.json`` and in the final table."""

    name: str
    status: Status
    kind: str | None = None
    round: int | None = None
    stem: str | None = None
    error: str | None = None
    resolved: int = 0
    persisting: int = 0
    new: int = 0
    fails: int = 0
    warns: int = 0
    fallbacks: int = 0  # rubrics the model did not judge (they fell back to the rules)


@dataclass(frozen=True)
class ApplicantSummary:
    id: str
    name: str
    documents: tuple[DocSummary, ...]
    failures: tuple[tuple[str, str], ...] = ()  # (document or file, error): includes failed documents
    application: bool = False  # application.review.* written (now or in an earlier run)

    def count(self, status: Status) -> int:
        return sum(1 for d in self.documents if d.status is status)


@dataclass
class BatchResult:
    out: Path
    run: int
    formats: tuple[str, ...]
    applicants: list[ApplicantSummary] = field(default_factory=list)

    @property
    def cohort_json(self) -> Path:
        return self.out / COHORT_JSON

    def total(self, status: Status) -> int:
        return sum(a.count(status) for a in self.applicants)

    @property
    def failures(self) -> list[tuple[str, str, str]]:
        """(applicant id, document, error) of everything that failed."""
        return [(a.id, doc, err) for a in self.applicants for doc, err in a.failures]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def fell_back(self) -> int:
        """Documents with rubrics the model did not judge (they fell back to the rules)."""
        return sum(1 for a in self.applicants for d in a.documents if d.fallbacks and d.status is not Status.FAILED)


def cohort_json(applicants: Sequence[ApplicantSummary], formats: Sequence[str]) -> dict[str, object]:
    """The ``reviewer.cohort/1`` document (paths relative to the output folder)."""

    def rel(a: ApplicantSummary, d: DocSummary, fmt: str) -> str | None:
        return f"{a.id}/{d.stem}{REVIEW_SUFFIX}.{fmt}" if d.stem and d.status is not Status.FAILED \
            and fmt in formats else None

    rows = []
    for a in applicants:
        app_json = f"{a.id}/{APPLICATION_STEM}{REVIEW_SUFFIX}.json" if a.application and "json" in formats else None
        rows.append({
            "applicant": a.name, "id": a.id, "output": f"{a.id}/", "application_review": app_json,
            "documents": [{"name": d.name, "kind": d.kind, "round": d.round, "status": d.status.value,
                           **{f"review_{fmt}": rel(a, d, fmt) for fmt in format_names()},
                           "error": d.error, "resolved": d.resolved,
                           "persisting": d.persisting, "new": d.new, "fallbacks": d.fallbacks}
                          for d in a.documents],
            "failures": [{"document": doc, "error": err} for doc, err in a.failures],
        })
    totals = {"applicants": len(applicants), "documents": sum(len(a.documents) for a in applicants),
              **{s.value: sum(a.count(s) for a in applicants) for s in Status},
              "fallbacks": sum(d.fallbacks for a in applicants for d in a.documents)}
    return {"schema": COHORT_SCHEMA, "generated_at": now(), "applicants": rows, "totals": totals}


def write_cohort_json(out: Path, applicants: Sequence[ApplicantSummary], formats: Sequence[str]) -> Path:
    path = out / COHORT_JSON
    atomic_write_text(path, json.dumps(cohort_json(applicants, formats), ensure_ascii=False, indent=2) + "\n")
    return path


