"""The worker side: review what changed in one applicant folder and write its outputs.

Runs in a pool process (rubrics loaded once by :func:`init_worker`) or in the batch process itself when
``jobs`` is 1. A worker never touches the store: it returns an :class:`ApplicantOutcome` (the new
reviews, their digests, the failures) for the batch process to record. Everything is caught per
document: an unreadable file, a detector bug or an unwritable output fails that document only.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks.rules import review_application_rules
from ..errors import ReviewerError
from ..findings import ApplicationReview, DocumentFailure, Review
from ..ingest import load_document
from ..kinds import MANIFEST, Manifest, load_manifest, resolve_kind
from ..pipeline import (
    APPLICATION_STEM,
    REVIEW_SUFFIX,
    RULES,
    Engine,
    Reviewed,
    discover,
    make_engine,
    review_file,
    write_application,
    write_review,
)
from ..revision import compare
from ..rubric import RubricSet, load_rubrics
from ..settings import Settings
from ..store import Digests
from .locks import WORKERS_LOCK_NAME, hold_shared
from .plan import Action, ApplicantTask, DocPlan, context_digest, display_name, missing_documents

PARENT_POLL_SECONDS = 0.5

# The (applicant id, document name) being reviewed on this thread: lets a judge that answers from a batch
# results file (:mod:`reviewer.batchfile`) tell "this document changed since export" from "no result".
CURRENT_DOCUMENT: ContextVar[tuple[str, str] | None] = ContextVar("reviewer_current_document", default=None)


@dataclass(frozen=True)
class DocOutcome:
    name: str
    stem: str
    action: Action
    review: Review | None = None  # set when it was (re)reviewed: the parent records it
    digests: Digests | None = None
    kind: str | None = None
    previous_round: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class ApplicantOutcome:
    id: str
    name: str
    docs: tuple[DocOutcome, ...]
    failures: tuple[tuple[str, str], ...] = ()  # manifest / missing / application-level problems
    application: bool = False
    application_digest: str = ""


_WORKER: dict[str, object] = {}


def init_worker(settings: Settings, parent: int | None = None, out: Path | None = None,
                llm_concurrency: int | None = None) -> None:
    """Process-pool initializer: load and select the rubrics once per worker, and end the worker when its
    parent is gone (a killed batch must not leave idle workers behind)."""
    # Ctrl-C reaches the whole process group: the batch process stops handing out work and lets the
    # workers finish what they hold, so no output is left half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if out is not None:
        hold_shared(out / WORKERS_LOCK_NAME)
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True).start()
    _WORKER["rubrics"] = load_rubrics(settings.rubrics).select(settings.only, settings.skip)
    _WORKER["settings"] = settings
    engine = make_engine(settings)  # one model client (and method memory) per worker
    if engine.judge is not None and llm_concurrency:
        from ..llm import BoundedJudge

        engine = Engine(engine.name, engine.config, BoundedJudge(engine.judge, llm_concurrency), engine.memory)
    _WORKER["engine"] = engine


def _watch_parent(batch: int, ppid: int) -> None:
    """Exit once the batch process is gone (or this worker was re-parented: its fork server ended)."""
    while os.getppid() == ppid:
        try:
            os.kill(batch, 0)
        except ProcessLookupError:
            break
        except PermissionError:  # alive, someone else's now? then it is not our batch: keep going
            pass
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def run_task(task: ApplicantTask) -> ApplicantOutcome:
    rubrics, settings, engine = _WORKER["rubrics"], _WORKER["settings"], _WORKER["engine"]
    assert isinstance(rubrics, RubricSet) and isinstance(settings, Settings) and isinstance(engine, Engine)
    return review_applicant(task, rubrics, settings, engine)


def llm_worker_main(settings: Settings, parent: int, out: Path, slots: int, tasks: Any, results: Any) -> None:
    """A model-engine worker process: ``2 x slots`` threads take applicants from ``tasks`` until a ``None``,
    with at most ``slots`` model calls in flight; each reports ``("start", id, pid)`` then
    ``("done", id, outcome)`` or ``("error", id, message)`` on ``results``."""
    init_worker(settings, parent, out, slots)
    pid = os.getpid()

    def loop() -> None:
        while True:
            task = tasks.get()
            if task is None:
                tasks.put(None)  # let the other threads (and processes) see the end too
                return
            results.put(("start", task.id, pid))
            try:
                results.put(("done", task.id, run_task(task)))
            except Exception as exc:  # outside review_applicant's guards (e.g. pickling the outcome)
                results.put(("error", task.id, f"{task.folder}: {exc!r}"))

    threads = [threading.Thread(target=loop, name=f"reviewer-llm-{i}") for i in range(2 * slots)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def review_applicant(task: ApplicantTask, rubrics: RubricSet, settings: Settings,
                     engine: Engine = RULES) -> ApplicantOutcome:
    """Review what changed in one applicant folder, write its outputs, and return what to record."""
    folder = task.folder
    failures: list[tuple[str, str]] = []
    manifest: Manifest | None = None
    try:
        manifest = load_manifest(folder)
    except ReviewerError as exc:
        failures.append((MANIFEST, str(exc)))
    failures.extend(missing_documents(folder, discover(folder), manifest))
    target = task.target or (manifest.target if manifest and manifest.target else None) or settings.target
    protect = [folder / p.name for p in task.docs]
    items: list[Reviewed] = []
    files: dict[str, str] = {}
    outcomes: list[DocOutcome] = []

    def one(plan: DocPlan) -> tuple[Reviewed | None, DocOutcome]:
        path = folder / plan.name
        try:
            item, outcome = _review_or_reuse(plan, path, rubrics, settings, manifest, task, target, engine)
            if outcome.action is not Action.REUSE:
                write_review(item, task.out, task.formats, stem=plan.stem, protect=protect)
            return item, outcome
        except Exception as exc:  # one bad document never stops its applicant, whatever went wrong
            error = str(exc) if isinstance(exc, ReviewerError) else f"{path}: internal error: {exc!r}"
            return None, DocOutcome(plan.name, plan.stem, plan.action, previous_round=plan.previous_round,
                                    error=error)

    reviewing = sum(p.action.reviews for p in task.docs)
    if engine.judge is not None and reviewing > 1:
        # Model calls are I/O: an applicant's documents wait for the model together, not one after another
        # (the engine's judge bounds how many calls are in flight overall). Each writes only its own files.
        with ThreadPoolExecutor(len(task.docs), thread_name_prefix="reviewer-doc") as pool:
            done = list(pool.map(one, task.docs))
    else:
        done = [one(p) for p in task.docs]
    for item, outcome in done:
        if item is not None:
            items.append(item)
            files[item.document.path] = f"{outcome.stem}{REVIEW_SUFFIX}.{task.formats[0]}"
        outcomes.append(outcome)
    app_written = False
    try:
        app = _application(folder, manifest, items, rubrics, failures, outcomes)
        write_application(app, task.out, task.formats, files, protect=protect)
        app_written = True
    except Exception as exc:
        failures.append((f"{APPLICATION_STEM}{REVIEW_SUFFIX}", str(exc) if isinstance(exc, ReviewerError)
                         else f"{folder}: internal error in the application review: {exc!r}"))
    return ApplicantOutcome(task.id, display_name(folder, manifest), tuple(outcomes), tuple(failures), app_written,
                            task.application_digest)


def _review_or_reuse(plan: DocPlan, path: Path, rubrics: RubricSet, settings: Settings, manifest: Manifest | None,
         task: ApplicantTask, target: str, engine: Engine) -> tuple[Reviewed, DocOutcome]:
    if not plan.action.reviews and plan.previous is not None:
        doc = load_document(path, resolve_kind(path, None, manifest))
        if doc.sha256 == plan.sha256:  # still the bytes that were planned: reuse the stored review
            review = plan.previous.model_copy(
                update={"document": plan.previous.document.model_copy(update={"path": str(path)})})
            return Reviewed(path, doc, review), DocOutcome(plan.name, plan.stem, plan.action, kind=doc.kind.value)
    token = CURRENT_DOCUMENT.set((task.id, plan.name))
    try:
        item = review_file(path, rubrics, settings, manifest=manifest, target=task.target, engine=engine)
    finally:
        CURRENT_DOCUMENT.reset(token)
    review = item.review
    prev = plan.previous
    if prev is not None and plan.previous_round is not None and prev.document.sha256 != review.document.sha256:
        summary = compare(prev, review, round=plan.previous_round + 1, previous_round=plan.previous_round)
        review = review.model_copy(update={"revision": summary})
    kind = review.document.kind.value
    digests = Digests(review.document.sha256, rubrics.digest, task.engine, context_digest(kind, target))
    return (Reviewed(path, item.document, review),
            DocOutcome(plan.name, plan.stem, plan.action if plan.action.reviews else Action.REVIEW, review, digests,
                       kind, plan.previous_round))


def _application(folder: Path, manifest: Manifest | None, items: list[Reviewed],
                 rubrics: RubricSet, failures: list[tuple[str, str]], outcomes: list[DocOutcome]) -> ApplicationReview:
    results, findings = review_application_rules([i.document for i in items], rubrics, manifest=manifest)
    doc_failures = [DocumentFailure(path=str(folder / o.name), error=o.error, kind="document")
                    for o in outcomes if o.error]
    other = [DocumentFailure(path=str(folder / name), error=err, kind="application") for name, err in failures]
    return ApplicationReview(applicant=display_name(folder, manifest), path=str(folder),
                             documents=tuple(i.review.document for i in items), criteria=tuple(results),
                             findings=tuple(findings), failures=tuple(other + doc_failures),
                             reviews=tuple(i.review for i in items))


