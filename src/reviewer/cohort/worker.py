"""The worker side: review what changed in one applicant folder and write its outputs.

Runs in a pool process (rubrics loaded once by :func:`init_worker`) or in the batch process itself when
``jobs`` is 1. The review itself is the pipeline's one folder review (:func:`reviewer.pipeline.review_folder`,
the same as ``reviewer review``), given what the store knows per document (reuse, compare, or why not) and,
with a model engine, a hook that records each text's digest before the model sees it
(:mod:`reviewer.cohort.texts`). A worker never touches the store: it returns an :class:`ApplicantOutcome`
(the new reviews, their digests, the failures) for the batch process to record. Everything is caught per
document: an unreadable file, a detector bug or an unwritable output fails that document only.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import OutputError, ReviewerError
from ..findings import Review
from ..pipeline import (
    APPLICATION_STEM,
    REVIEW_SUFFIX,
    RULES,
    Engine,
    Prior,
    Reviewed,
    chosen_target,
    make_engine,
    review_folder,
    selected_rubrics,
    write_folder,
)
from ..pipeline import CURRENT_DOCUMENT as CURRENT_DOCUMENT  # where batch results files look (re-exported)
from ..rubric import RubricSet
from ..settings import Settings
from ..store import Digests
from .locks import WORKERS_LOCK_NAME, hold_shared
from .plan import Action, ApplicantTask, DocPlan, context_digest
from .texts import note_text

PARENT_POLL_SECONDS = 0.5


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
    _WORKER["rubrics"] = selected_rubrics(settings)
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
            except OutputError as exc:
                results.put(("fatal" if exc.fatal else "error", task.id, exc if exc.fatal else str(exc)))
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
    files = [folder / p.name for p in task.docs]
    priors = {p.name: Prior(p.previous, p.previous_round, p.sha256, reuse=not p.action.reviews, note=task.note)
              for p in task.docs}
    result = review_folder(folder, rubrics, settings, target=task.target, engine=engine, files=files,
                           priors=priors, before_model=partial(note_text, task.out))
    by_source = {r.source: r for r in result.reviewed}
    plans = {folder / p.name: p for p in task.docs}
    # Reused documents have their files on disk, except those planned to be rendered again.
    write = {r.source for r in result.reviewed if not r.reused or plans[r.source].action is Action.RENDER}
    # Documents' own failures are reported per document (below); the rest: manifest, missing documents.
    failures = [(Path(f.path).name, f.error) for f in result.failures if Path(f.path) not in plans]
    app_written = False
    try:
        write_folder(result, task.out, task.formats, protect=files, stems={folder / p.name: p.stem for p in task.docs},
                     only=write)
        app_written = True
    except Exception as exc:
        if isinstance(exc, OutputError) and exc.fatal:  # a full or read-only disk stops the batch
            raise
        failures.append((f"{APPLICATION_STEM}{REVIEW_SUFFIX}", str(exc) if isinstance(exc, ReviewerError)
                         else f"{folder}: internal error in the application review: {exc!r}"))
    assert result.application is not None
    manifest = result.manifest
    target = chosen_target(task.target, manifest, settings)
    outcomes = tuple(_outcome(p, by_source.get(folder / p.name), result.errors.get(folder / p.name), rubrics,
                              task, target) for p in task.docs)
    return ApplicantOutcome(task.id, result.application.applicant, outcomes, tuple(failures), app_written,
                            task.application_digest)


def _outcome(plan: DocPlan, item: Reviewed | None, error: str | None, rubrics: RubricSet, task: ApplicantTask,
             target: str) -> DocOutcome:
    """What the batch process records for one planned document."""
    if error is not None or item is None:
        return DocOutcome(plan.name, plan.stem, plan.action, previous_round=plan.previous_round,
                          error=error or "not reviewed")
    kind = item.review.document.kind.value
    if item.reused:
        return DocOutcome(plan.name, plan.stem, plan.action, kind=kind)
    digests = Digests(item.review.document.sha256, rubrics.digest, task.engine, context_digest(kind, target))
    return DocOutcome(plan.name, plan.stem, plan.action if plan.action.reviews else Action.REVIEW, item.review,
                      digests, kind, plan.previous_round)
