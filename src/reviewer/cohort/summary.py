"""What a batch run produced, kept small: per-document summaries, the batch result, and ``cohort.json``.

``cohort.json`` (``reviewer.cohort/1``) is a public contract read by the cohort report
(:mod:`reviewer.render.html`) and by anyone scripting over a batch: add fields, never rename them.
Paths in it are relative to the output folder.

A run that does not finish (killed, interrupted, stopped by a broken store) never leaves ``cohort.json``
with fewer applicants than it had: the applicants it did not reach keep their rows from the last run
(:func:`previous_rows`, passed back as ``keep``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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


def cohort_json(applicants: Sequence[ApplicantSummary], formats: Sequence[str], *,
                keep: Mapping[str, dict[str, object]] | None = None,
                order: Sequence[str] = ()) -> dict[str, object]:
    """The ``reviewer.cohort/1`` document (paths relative to the output folder).

    ``keep``: rows (as read from an earlier ``cohort.json``) of applicants not in ``applicants``, kept in
    ``order`` (applicant ids; ids in neither go last)."""

    def rel(a: ApplicantSummary, d: DocSummary, fmt: str) -> str | None:
        return f"{a.id}/{d.stem}{REVIEW_SUFFIX}.{fmt}" if d.stem and d.status is not Status.FAILED \
            and fmt in formats else None

    fresh: dict[str, dict[str, object]] = {}
    for a in applicants:
        app_json = f"{a.id}/{APPLICATION_STEM}{REVIEW_SUFFIX}.json" if a.application and "json" in formats else None
        fresh[a.id] = {
            "applicant": a.name, "id": a.id, "output": f"{a.id}/", "application_review": app_json,
            "documents": [{"name": d.name, "kind": d.kind, "round": d.round, "status": d.status.value,
                           **{f"review_{fmt}": rel(a, d, fmt) for fmt in format_names()},
                           "error": d.error, "resolved": d.resolved,
                           "persisting": d.persisting, "new": d.new, "fallbacks": d.fallbacks}
                          for d in a.documents],
            "failures": [{"document": doc, "error": err} for doc, err in a.failures],
        }
    kept = {i: row for i, row in (keep or {}).items() if i not in fresh}
    rows = [fresh.get(i) or kept.get(i) for i in dict.fromkeys([*order, *fresh, *kept])]
    return {"schema": COHORT_SCHEMA, "generated_at": now(), "applicants": [r for r in rows if r is not None],
            "totals": totals([r for r in rows if r is not None])}


def totals(rows: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """The ``totals`` of a ``cohort.json`` over its applicant rows."""
    docs = [d for r in rows for d in _dicts(r.get("documents"))]
    return {"applicants": len(rows), "documents": len(docs),
            **{s.value: sum(d.get("status") == s.value for d in docs) for s in Status},
            "fallbacks": sum(n for d in docs if isinstance(n := d.get("fallbacks"), int))}


def _dicts(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def previous_rows(out: Path) -> dict[str, dict[str, object]]:
    """The applicant rows of ``out``'s current ``cohort.json`` by id (none when it is missing or unreadable)."""
    try:
        data = json.loads((out / COHORT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    rows = _dicts(data.get("applicants")) if isinstance(data, dict) else []
    return {ident: r for r in rows if isinstance(ident := r.get("id"), str)}


def write_cohort_json(out: Path, applicants: Sequence[ApplicantSummary], formats: Sequence[str], *,
                      keep: Mapping[str, dict[str, object]] | None = None, order: Sequence[str] = ()) -> Path:
    path = out / COHORT_JSON
    document = cohort_json(applicants, formats, keep=keep, order=order)
    atomic_write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return path
