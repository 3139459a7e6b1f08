"""The batch process: walk the cohort, plan each applicant, hand work to the pool, record the results.

See :mod:`reviewer.cohort` for the design. This process alone writes the store and ``cohort.json``; it
keeps only small summaries, submits at most ``2 x jobs`` applicants at a time, and records each result
as it arrives.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import InputError
from ..pipeline import discover, output_subfolders
from ..revision import counts as revision_counts
from ..rubric import RubricSet, load_rubrics
from ..settings import Settings
from ..store import Store
from .locks import exclusive, sweep
from .plan import ApplicantTask, engine_digest, plan_applicant, stored_summary
from .summary import ApplicantSummary, BatchResult, DocSummary, Status, write_cohort_json
from .worker import ApplicantOutcome, init_worker, review_applicant, run_task

CHECKPOINT_SECONDS = 5.0  # cohort.json is rewritten at most this often during a run, and at its end

# Imported once by the fork server, so workers start warm (python-docx and lxml are most of start-up).
PRELOAD = ["reviewer.cohort", "reviewer.ingest.docx", "reviewer.ingest.text", "reviewer.render.docx",
           "reviewer.render.markdown", "reviewer.render.json"]

Progress = Callable[[int, int, str], None]  # (applicants done, applicants total, applicant just finished)


def applicant_folders(cohort: Path, out: Path) -> list[Path]:
    """The cohort's applicant folders, sorted; hidden folders and the output folder are not applicants."""
    if not cohort.is_dir():
        raise InputError("not a folder", path=cohort, hint="pass a cohort folder: COHORT/<applicant>/<documents>")
    out_resolved = out.resolve()
    folders = [p for p in sorted(cohort.iterdir())
               if p.is_dir() and not p.name.startswith((".", "_")) and p.resolve() != out_resolved]
    if not folders and discover(cohort):
        raise InputError("holds documents but no applicant folders", path=cohort,
                         hint="a cohort is COHORT/<applicant>/<documents>; for one applicant use `reviewer review`")
    return folders


def record_outcome(store: Store, outcome: ApplicantOutcome, run: int) -> ApplicantSummary:
    """Record every reviewed document's round (one transaction each) and the failures; summarise."""
    docs: list[DocSummary] = []
    failures = list(outcome.failures)
    store.ensure_applicant(outcome.id, outcome.name)
    for o in outcome.docs:
        if o.error is not None:
            store.record_failure(outcome.id, o.name, o.error, run=run)
            failures.append((o.name, o.error))
            docs.append(DocSummary(o.name, Status.FAILED, o.kind, o.previous_round, o.stem, o.error))
            continue
        if o.review is None or o.digests is None:
            stored = store.latest(outcome.id, o.name)
            docs.append(stored_summary(stored, o.stem) if stored else DocSummary(o.name, Status.UNCHANGED, o.kind))
            continue
        number = store.record_round(outcome.id, o.name, o.review, o.digests, name=outcome.name, run=run)
        counts = revision_counts(o.review.revision)
        verdicts = [c.verdict.value for c in o.review.criteria]
        docs.append(DocSummary(o.name, Status.REVIEWED, o.kind, number, o.stem, None, counts["resolved"],
                               counts["persisting"], counts["new"], verdicts.count("fail"), verdicts.count("warn")))
    for name, err in outcome.failures:
        store.record_failure(outcome.id, name, err, run=run)
    if outcome.application:  # last: a kill before this line redoes the application review, never skips it
        store.set_application_digest(outcome.id, outcome.name, outcome.application_digest)
    return ApplicantSummary(outcome.id, outcome.name, tuple(docs), tuple(failures), outcome.application)


def _failed_applicant(task: ApplicantTask, name: str, error: str, store: Store, run: int) -> ApplicantSummary:
    store.record_failure(task.id, None, error, run=run)
    docs = tuple(DocSummary(p.name, Status.FAILED, None, p.previous_round, p.stem, error) for p in task.docs)
    return ApplicantSummary(task.id, name, docs, (("(applicant)", error),))


def run_batch(cohort: Path, out: Path, settings: Settings, *, jobs: int = 1, progress: Progress | None = None,
              target: str | None = None) -> BatchResult:
    """Review every applicant folder of ``cohort`` into ``out`` (see the module docstring)."""
    rubrics = load_rubrics(settings.rubrics).select(settings.only, settings.skip)
    folders = applicant_folders(cohort, out)
    ids = output_subfolders(folders)
    engine = engine_digest(settings)
    out.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, ApplicantSummary] = {}
    order = [ids[f] for f in folders]
    with exclusive(out), Store.open(out) as store:
        sweep(out)
        run = store.start_run(cohort.resolve(), rubric_digest=rubrics.digest, engine_digest=engine)
        result = BatchResult(out, run, settings.formats)
        status = "interrupted"
        try:
            _drive(folders, ids, out, store, settings, rubrics, engine, target, jobs, run, summaries, progress, order)
            status = "done"
        finally:
            result.applicants = [summaries[i] for i in order if i in summaries]
            write_cohort_json(out, result.applicants, settings.formats)
            store.finish_run(run, status if status != "done" or result.ok else "failed")
    _report(out)
    return result


def _drive(folders: list[Path], ids: dict[Path, str], out: Path, store: Store, settings: Settings,
           rubrics: RubricSet, engine: str, target: str | None, jobs: int, run: int,
           summaries: dict[str, ApplicantSummary], progress: Progress | None, order: list[str]) -> None:
    total = len(folders)
    last_checkpoint = time.monotonic()

    def finished(summary: ApplicantSummary) -> None:
        nonlocal last_checkpoint
        summaries[summary.id] = summary
        if progress is not None:
            progress(len(summaries), total, summary.name)
        if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
            write_cohort_json(out, [summaries[i] for i in order if i in summaries], settings.formats)
            last_checkpoint = time.monotonic()

    def tasks() -> Iterator[tuple[ApplicantTask, str]]:
        for folder in folders:
            applicant = ids[folder]
            if (out / applicant).is_dir():
                sweep(out / applicant)
            task, summary = plan_applicant(folder, applicant, out / applicant, store, settings,
                                           rubric_digest=rubrics.digest, engine=engine, target=target)
            if task is None:
                finished(summary)
            else:
                yield task, summary.name

    if jobs <= 1:
        for task, name in tasks():
            try:
                outcome = review_applicant(task, rubrics, settings)
            except Exception as exc:
                finished(_failed_applicant(task, name, f"{task.folder}: {exc!r}", store, run))
                continue
            finished(record_outcome(store, outcome, run))
        return
    _drive_pool(tasks(), settings, jobs, out, store, run, finished)


def _pool(settings: Settings, jobs: int, out: Path) -> ProcessPoolExecutor:
    """Workers from a fork server: they inherit no open files (the batch lock, the store) and no threads
    (the CLI's progress bar), unlike plain ``fork``; the server imports the pipeline once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=init_worker,
                               initargs=(settings, os.getpid(), out))


def _drive_pool(tasks: Iterator[tuple[ApplicantTask, str]], settings: Settings, jobs: int, out: Path, store: Store,
                run: int, finished: Callable[[ApplicantSummary], None]) -> None:
    """At most ``2 x jobs`` tasks in flight; a crashed pool is replaced and its in-flight applicants listed."""
    pool = _pool(settings, jobs, out)
    pending: dict[Future[ApplicantOutcome], tuple[ApplicantTask, str]] = {}
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * jobs:
                nxt = next(tasks, None)
                if nxt is None:
                    exhausted = True
                    break
                pending[pool.submit(run_task, nxt[0])] = nxt
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task, name = pending.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool as exc:
                    broken = True
                    finished(_failed_applicant(task, name, f"{task.folder}: the worker process died ({exc})",
                                               store, run))
                    continue
                except Exception as exc:  # raised outside review_applicant's own guards (e.g. pickling)
                    finished(_failed_applicant(task, name, f"{task.folder}: {exc!r}", store, run))
                    continue
                finished(record_outcome(store, outcome, run))  # a store error stops the batch: it is fatal
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                for task, name in pending.values():
                    finished(_failed_applicant(task, name, f"{task.folder}: the worker process died", store, run))
                pending.clear()
                pool = _pool(settings, jobs, out)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _report(out: Path) -> None:
    """The cohort report (``index.html``, ``summary.csv``), built from ``cohort.json`` and the outputs."""
    from ..render.html import write_cohort_report

    write_cohort_report(out)


