"""The batch runner: review a cohort (``cohort/<applicant>/<documents>``), resumably, and only what changed.

:func:`run_batch` walks the applicant folders in order. For each one the parent process *plans* cheaply
(list the files, hash their bytes, read the manifest, look up the latest stored round): a document whose
source sha256, rubric digest, engine digest and context (kind, target) equal its latest round, and whose
outputs exist, is not read again, let alone sent to a model. An applicant whose documents are all
unchanged, and whose set of documents and manifest are too, is skipped whole, application-level checks
included. Anything else becomes one task per applicant for a process pool (``jobs`` workers, each
loading the rubrics and building the engine once in its initializer): the worker reviews the changed
documents, compares each with its previous round (:func:`reviewer.revision.compare`, set as
``Review.revision``), re-reads the unchanged ones only for the application-level checks, and writes that
applicant's outputs atomically into ``out/<applicant>/``.

Why workers write the outputs, and the parent only the store: rendering (DOCX above all) is most of the
work, and funnelling it through one process would cap a batch at one core. Each applicant's output
folder belongs to exactly one task, so workers never write the same file. The parent alone writes
``reviewer.sqlite`` (one connection, one short transaction per document) and ``cohort.json``.

Why it is resumable: a worker writes a document's outputs *before* the parent records its round. A kill
in between leaves outputs without a round, and the next run redoes that document; a recorded round
therefore always has its outputs on disk. Recording is idempotent (same digests, same round).

Memory stays flat in cohort size: tasks are submitted lazily (at most ``2 x jobs`` in flight), each
result is recorded and dropped, and the parent keeps only per-document summaries for ``cohort.json``.

One bad document (unreadable, a detector bug, an unwritable output) or one bad applicant (a crashed
worker) is listed with its error; the batch goes on.

Modules: :mod:`.plan` (what to do, in the batch process), :mod:`.worker` (reviewing and writing, in the
pool), :mod:`.runner` (the batch process: pool, store, progress), :mod:`.summary` (results and
``cohort.json``), :mod:`.locks` (one batch per output folder).

A script that calls :func:`run_batch` with ``jobs > 1`` needs the usual ``if __name__ == "__main__":``
guard: workers come from a fork server, which imports the main module.
"""

from __future__ import annotations

from .locks import exclusive, sweep
from .plan import (
    Action,
    ApplicantTask,
    DocPlan,
    application_digest,
    context_digest,
    engine_digest,
    plan_applicant,
)
from .runner import Progress, applicant_folders, plan_batch, record_outcome, run_batch
from .summary import (
    COHORT_JSON,
    COHORT_SCHEMA,
    ApplicantSummary,
    BatchResult,
    DocSummary,
    Status,
    cohort_json,
    write_cohort_json,
)
from .worker import ApplicantOutcome, DocOutcome, init_worker, review_applicant

__all__ = [
    "COHORT_JSON",
    "COHORT_SCHEMA",
    "Action",
    "ApplicantOutcome",
    "ApplicantSummary",
    "ApplicantTask",
    "BatchResult",
    "DocOutcome",
    "DocPlan",
    "DocSummary",
    "Progress",
    "Status",
    "applicant_folders",
    "application_digest",
    "cohort_json",
    "context_digest",
    "engine_digest",
    "exclusive",
    "init_worker",
    "plan_applicant",
    "plan_batch",
    "record_outcome",
    "review_applicant",
    "run_batch",
    "sweep",
    "write_cohort_json",
]
