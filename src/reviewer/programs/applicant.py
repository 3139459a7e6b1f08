"""One applicant folder to a written plan: the composition ``reviewer programs plan`` and ``reviewer batch
--programs`` share.

It reads the folder's manifest (its ``profile:`` and ``tailored:``) and the documents (a batch reads them
again once its reviews are done), completes the profile from them with the consistency check's params in
force, plans, and writes ``program-plan.xlsx|md|json``. It sits above :mod:`reviewer.pipeline` (whose
``discover`` lists the documents) and the renderers; the rest of :mod:`reviewer.programs` sits below them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.application import ConsistencyParams
from ..document import DocKind, Document
from ..errors import ReviewerError
from ..fsio import atomic_write_text
from ..kinds import Manifest, load_manifest, resolve_kind
from ..rubric import RubricSet
from .facts import complete_profile
from .plan import make_plan
from .result import PLAN_STEM, Plan, ProfileNote
from .table import ProgramsTable
from .weights import Weights

PLAN_FORMATS = ("xlsx", "md", "json")


@dataclass
class ApplicantFacts:
    name: str
    manifest: Manifest | None
    docs: list[Document] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # documents that could not be read, as error lines


def consistency_params(rubrics: RubricSet | None = None) -> ConsistencyParams:
    """The ``application.consistency`` params in force (the defaults when that criterion is not loaded)."""
    from ..checks.registry import parse_params
    from ..rubric import load_rubrics

    rs = rubrics if rubrics is not None else load_rubrics()
    for _, c in rs.criteria():
        if c.id == "application.consistency":
            params = parse_params(c.check, c.params)
            if isinstance(params, ConsistencyParams):
                return params
    return ConsistencyParams()


def read_applicant(folder: Path) -> ApplicantFacts:
    """The folder's manifest and every document that can be read (the others listed, never fatal)."""
    from ..ingest import load_document
    from ..pipeline import applicant_name, discover

    manifest = load_manifest(folder)
    facts = ApplicantFacts(name=applicant_name(folder, manifest), manifest=manifest)
    for path in discover(folder):
        try:
            facts.docs.append(load_document(path, resolve_kind(path, None, manifest)))
        except ReviewerError as exc:
            facts.unread.append(str(exc))
    return facts


def plan_for(facts: ApplicantFacts, table: ProgramsTable, weights: Weights, *, as_of: dt.date,
             params: ConsistencyParams, breadth: int | None = None) -> Plan:
    manifest = facts.manifest
    profile, notes = complete_profile(manifest.profile if manifest else None, facts.docs, params)
    notes.extend(ProfileNote(kind="unread", field="documents", message=f"not read for the profile: {line}")
                 for line in facts.unread)
    statements = [(Path(d.path).name, d.text) for d in facts.docs if d.kind is DocKind.PERSONAL_STATEMENT]
    return make_plan(profile, table, weights, applicant=facts.name, as_of=as_of, notes=notes, statements=statements,
                     tailored=manifest.tailored if manifest else None, breadth=breadth)


@dataclass
class CohortPlanner:
    """``reviewer batch --programs``: called with each applicant's folder and output folder once the cohort is
    reviewed; writes ``program-plan.*`` there. A plan that cannot be made (an invalid profile, an unwritable
    folder) is kept in ``errors`` and never stops the others."""

    table: ProgramsTable
    weights: Weights
    params: ConsistencyParams
    as_of: dt.date
    formats: tuple[str, ...] = PLAN_FORMATS
    errors: list[tuple[str, str]] = field(default_factory=list)  # (applicant folder name, error)

    def __call__(self, folder: Path, out: Path) -> None:
        from ..ingest.listing import refuse_linked_applicant

        try:
            refuse_linked_applicant(folder)
            plan = plan_for(read_applicant(folder), self.table, self.weights, as_of=self.as_of, params=self.params)
            write_plan(plan, out, self.formats)
        except ReviewerError as exc:
            self.errors.append((folder.name, f"program plan not written: {exc}"))
        except OSError as exc:  # a folder gone or unreadable since it was reviewed: its plan only, never the batch
            self.errors.append((folder.name, f"program plan not written: {exc.strerror or exc!r}"))


def write_plan(plan: Plan, out: Path, formats: Iterable[str] = PLAN_FORMATS, *,
               protect: Iterable[Path] = ()) -> list[Path]:
    """``program-plan.<fmt>`` in ``out`` for each of xlsx, md, json asked for; returns the paths."""
    protect = list(protect)
    written: list[Path] = []
    for fmt in formats:
        target = out / f"{PLAN_STEM}.{fmt}"
        if fmt == "json":
            from ..render.plan_json import plan_json_text

            atomic_write_text(target, plan_json_text(plan), protect=protect)
        elif fmt == "md":
            from ..render.plan_markdown import plan_markdown

            atomic_write_text(target, plan_markdown(plan), protect=protect)
        elif fmt == "xlsx":
            from ..render.plan_xlsx import write_plan_xlsx

            write_plan_xlsx(plan, target, protect=protect)
        else:
            continue
        written.append(target)
    return written
