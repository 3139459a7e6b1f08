"""The batch process: walk the cohort, plan each applicant, hand work to the pool, record the results.

See :mod:`reviewer.cohort` for the design. This process alone writes the store and ``cohort.json``; it
keeps only small summaries, submits at most ``2 x jobs`` applicants at a time, and records each result
as it arrives.

With a model engine the applicants are reviewed on threads of the batch process instead of worker
processes: model calls are I/O, so ``llm_concurrency`` calls are kept in flight (a
:class:`~reviewer.llm.judge.BoundedJudge` caps them; threads = 2 x that, so a slot freed by one call is
taken at once by another applicant's next call while the first one parses or renders). The batch wall time
is then close to ``ceil(calls / concurrency) x latency`` rather than ``calls x latency / jobs``. The store
is still written by the main thread only.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, OutputError, ReviewerError, StoreError, short_name
from ..fsio import make_dirs
from ..pipeline import Engine, check_cache, discover, llm_config, make_engine, selected_rubrics
from ..revision import counts as revision_counts
from ..rubric import RubricSet
from ..settings import Settings
from ..store import DB_NAME, Store, fallback_count
from .identity import assign_ids, folder_key
from .locks import exclusive, refuse_pending_purge, sweep
from .plan import Action, ApplicantTask, DocPlan, engine_digest, plan_applicant, stored_summary
from .summary import ApplicantSummary, BatchResult, DocSummary, Status, previous_rows, write_cohort_json
from .worker import ApplicantOutcome, init_worker, llm_worker_main, review_applicant, run_task

if TYPE_CHECKING:
    from ..llm import Judge

CHECKPOINT_SECONDS = 5.0  # cohort.json is rewritten at most this often during a run, and at its end
DEFAULT_LLM_CONCURRENCY = 8  # model calls in flight at once (settings.llm_concurrency / --llm-concurrency)

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
    if not folders:
        raise InputError("no applicant folders to review", path=cohort,
                         hint="a cohort is COHORT/<applicant>/<documents>, one subfolder per applicant")
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
        number = store.record_round(outcome.id, o.name, o.review, o.digests, name=outcome.name, run=run,
                                    replace=o.action is Action.RETRY)
        counts = revision_counts(o.review.revision)
        verdicts = [c.verdict.value for c in o.review.criteria]
        docs.append(DocSummary(o.name, Status.REVIEWED, o.kind, number, o.stem, None, counts["resolved"],
                               counts["persisting"], counts["new"], verdicts.count("fail"), verdicts.count("warn"),
                               fallback_count(o.review)))
    for name, err in outcome.failures:
        store.record_failure(outcome.id, name, err, run=run)
    if outcome.application:  # last: a kill before this line redoes the application review, never skips it
        store.set_application_digest(outcome.id, outcome.name, outcome.application_digest)
    return ApplicantSummary(outcome.id, outcome.name, tuple(docs), tuple(failures), outcome.application)


def _fatal(exc: BaseException) -> None:
    """Re-raise what stops the whole batch (a full or read-only disk) rather than failing one applicant."""
    if isinstance(exc, OutputError) and exc.fatal:
        raise exc


def _failed_applicant(task: ApplicantTask, name: str, error: str, store: Store, run: int) -> ApplicantSummary:
    store.record_failure(task.id, None, error, run=run)
    docs = tuple(DocSummary(p.name, Status.FAILED, None, p.previous_round, p.stem, error) for p in task.docs)
    return ApplicantSummary(task.id, name, docs, (("(applicant)", error),))


def _unplanned_applicant(folder: Path, applicant: str, exc: Exception, store: Store, run: int) -> ApplicantSummary:
    """An applicant whose folder could not even be planned (unreadable, vanished): listed with the error and
    the documents of its last recorded rounds, never dropped from the cohort."""
    if isinstance(exc, ReviewerError):
        error = str(exc)
    elif isinstance(exc, OSError):
        error = f"{folder}: cannot read the applicant folder: {exc.strerror or exc}"
    else:
        error = f"{folder}: internal error: {exc!r}"
    store.record_failure(applicant, None, error, run=run)
    recorded = store.applicant(applicant)
    docs = tuple(stored_summary(r, None) for r in sorted(store.latest_rounds(applicant).values(),
                                                          key=lambda r: r.document))
    name = recorded[0] if recorded else short_name(folder.name)
    return ApplicantSummary(applicant, name, docs, (("(applicant)", error),))


@dataclass
class _Run:
    """One batch run's state in the batch process: small, whatever the cohort size."""

    out: Path
    store: Store
    settings: Settings
    rubrics: RubricSet
    engine: Engine
    target: str | None
    run: int
    order: list[str]
    progress: Progress | None
    previous: dict[str, dict[str, object]] = field(default_factory=dict)  # cohort.json rows of the last run
    summaries: dict[str, ApplicantSummary] = field(default_factory=dict)
    checkpoint: float = field(default_factory=time.monotonic)

    def finished(self, summary: ApplicantSummary) -> None:
        self.summaries[summary.id] = summary
        if self.progress is not None:
            self.progress(len(self.summaries), len(self.order), summary.name)
        if time.monotonic() - self.checkpoint > CHECKPOINT_SECONDS:
            self.write_index(complete=False)
            self.checkpoint = time.monotonic()

    def write_index(self, *, complete: bool) -> None:
        """``cohort.json``: this run's applicants; until the run completes, the rows of the last run for
        those it has not reached yet (an interrupted run never shrinks the index)."""
        write_cohort_json(self.out, self.done(), self.settings.formats, keep=None if complete else self.previous,
                          order=self.order)

    def done(self) -> list[ApplicantSummary]:
        return [self.summaries[i] for i in self.order if i in self.summaries]

    def failed(self, task: ApplicantTask, name: str, error: str) -> None:
        self.finished(_failed_applicant(task, name, error, self.store, self.run))

    def record(self, outcome: ApplicantOutcome) -> None:
        self.finished(record_outcome(self.store, outcome, self.run))  # a store error is fatal: it propagates


def llm_concurrency(settings: Settings, given: int | None = None) -> int:
    """Model calls in flight at once: ``given`` (the flag), else ``settings.llm_concurrency``, else the default."""
    value = given or getattr(settings, "llm_concurrency", None) or DEFAULT_LLM_CONCURRENCY
    return max(1, int(value))


def batch_engine(settings: Settings, judge: Judge | None = None, concurrency: int | None = None) -> Engine:
    """The run's engine: rules, or the model engine with its judge bounded to the configured concurrency.

    ``judge`` replaces the real one (a results file, a test double): nothing else is created then, so no
    connection can be made."""
    if settings.engine == "rules":
        return make_engine(settings)
    from ..llm import BoundedJudge, MethodMemory

    engine = make_engine(settings) if judge is None else None
    config = engine.config if engine is not None else llm_config(settings)
    assert config is not None
    inner = judge if judge is not None else (engine.judge if engine is not None else None)
    if inner is None:  # dry run
        return engine or Engine(settings.engine, config, None, MethodMemory(config.cache_dir))
    if engine is None:  # make_engine checks the cache; a judge given here writes to it all the same
        check_cache(config.cache_dir)
    bounded = BoundedJudge(inner, llm_concurrency(settings, concurrency))
    memory = engine.memory if engine is not None else MethodMemory(config.cache_dir)
    return Engine(settings.engine, config, bounded, memory)


def run_batch(cohort: Path, out: Path, settings: Settings, *, jobs: int = 1, progress: Progress | None = None,
              target: str | None = None, judge: Judge | None = None,
              llm_concurrency: int | None = None, retry_fallbacks: bool = False,
              after: Callable[[Path, Path], None] | None = None) -> BatchResult:
    """Review every applicant folder of ``cohort`` into ``out`` (see :mod:`reviewer.cohort`).

    ``progress(done, total, applicant)`` is called after each applicant, from this thread. Raises
    :class:`~reviewer.errors.ConfigError`/``RubricError`` before any work for invalid settings or rubrics,
    and ``OutputError`` when the store cannot be written or another batch holds ``out``.

    With a model engine (``settings.engine`` llm or hybrid) applicants are reviewed on threads with at most
    ``llm_concurrency`` model calls in flight (default ``settings.llm_concurrency``, then 8); ``jobs`` applies
    to the rules engine. ``judge`` replaces the model client (e.g. a
    :class:`reviewer.batchfile.ResultsJudge` answering from a Batch API results file). ``retry_fallbacks``
    reviews unchanged documents again when some of their rubrics fell back to the rules (see
    :mod:`reviewer.cohort.plan`). ``after(applicant folder, its output folder)`` runs for every applicant once
    the reviews are done, before the report (``reviewer batch --programs``: each applicant's program plan).
    """
    settings = settings.model_copy(update={"out": out})  # what follows out (the model cache) follows this one
    rubrics = selected_rubrics(settings)
    engine = batch_engine(settings, judge, llm_concurrency)  # validates the model settings before anything starts
    folders = applicant_folders(cohort, out)
    make_dirs(out)
    with exclusive(out), Store.open(out) as store:
        refuse_pending_purge(out)
        sweep(out)
        ids = assign_ids(folders, store.folders())
        store.claim({ids[f]: folder_key(f) for f in folders}, {ids[f]: short_name(f.name) for f in folders})
        run = store.start_run(cohort.resolve(), rubric_digest=rubrics.digest, engine_digest=engine_digest(settings))
        state = _Run(out, store, settings, rubrics, engine, target, run, [ids[f] for f in folders], progress,
                     previous_rows(out))
        result = BatchResult(out, run, settings.formats)
        status = "interrupted"
        try:
            tasks = _tasks(state, folders, ids, retry_fallbacks)
            concurrency = getattr(engine.judge, "limit", 1)
            if engine.judge is not None and judge is None and jobs > 1 and concurrency > 1:
                _llm_processes(state, tasks, min(jobs, concurrency), concurrency)
            elif engine.judge is not None:
                threads = 2 * concurrency
                _in_executor(state, tasks, ThreadPoolExecutor(threads, thread_name_prefix="reviewer-llm"), threads)
            elif jobs <= 1:
                _in_process(state, tasks)
            else:
                _in_pool(state, tasks, jobs)
            if after is not None:
                for folder in folders:
                    after(folder, out / ids[folder])
            status = "done"
        finally:
            result.applicants = state.done()
            if status == "done":
                state.write_index(complete=True)
                store.finish_run(run, "done" if result.ok else "failed")
            else:  # an error is on its way out: these must not replace it
                with suppress(ReviewerError):
                    state.write_index(complete=False)
                with suppress(ReviewerError):
                    store.finish_run(run, status)
    _report(out)
    return result


def _tasks(state: _Run, folders: list[Path], ids: dict[Path, str],
           retry_fallbacks: bool = False) -> Iterator[tuple[ApplicantTask, str]]:
    """Plan applicants one at a time (lazily: only as fast as the pool takes work); unchanged ones finish here."""
    for folder in folders:
        applicant = ids[folder]
        try:
            if (state.out / applicant).is_dir():
                sweep(state.out / applicant)
            task, summary = plan_applicant(folder, applicant, state.out / applicant, state.store, state.settings,
                                           rubric_digest=state.rubrics.digest, engine=engine_digest(state.settings),
                                           target=state.target, retry_fallbacks=retry_fallbacks)
        except StoreError:
            raise
        except Exception as exc:  # one unreadable folder is that applicant's failure, not the batch's
            state.finished(_unplanned_applicant(folder, applicant, exc, state.store, state.run))
            continue
        if task is None:
            for document, error in summary.failures:  # documents the manifest lists but the folder lacks
                state.store.record_failure(applicant, document, error, run=state.run)
            state.finished(summary)
        else:
            yield task, summary.name


def _in_process(state: _Run, tasks: Iterator[tuple[ApplicantTask, str]]) -> None:
    for task, name in tasks:
        try:
            outcome = review_applicant(task, state.rubrics, state.settings, state.engine)
        except Exception as exc:  # outside review_applicant's own guards: fail the applicant, not the batch
            _fatal(exc)
            state.failed(task, name, f"{task.folder}: {exc!r}")
            continue
        state.record(outcome)


def _pool(settings: Settings, jobs: int, out: Path) -> ProcessPoolExecutor:
    """Workers from a fork server: they inherit no open files (the batch lock, the store) and no threads
    (the CLI's progress bar), unlike plain ``fork``; the server imports the pipeline once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=init_worker,
                               initargs=(settings, os.getpid(), out))


def _in_pool(state: _Run, tasks: Iterator[tuple[ApplicantTask, str]], jobs: int) -> None:
    """At most ``2 x jobs`` tasks in flight; a crashed pool is replaced and its in-flight applicants listed."""
    pool = _pool(state.settings, jobs, state.out)
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
                    state.failed(task, name, f"{task.folder}: the worker process died ({exc})")
                    continue
                except Exception as exc:  # raised outside review_applicant's own guards (e.g. pickling)
                    _fatal(exc)
                    state.failed(task, name, f"{task.folder}: {exc!r}")
                    continue
                state.record(outcome)
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                for task, name in pending.values():
                    state.failed(task, name, f"{task.folder}: the worker process died")
                pending.clear()
                pool = _pool(state.settings, jobs, state.out)
    except KeyboardInterrupt:
        # Workers ignore Ctrl-C and finish what they hold: record it, so a resumed run does not redo (or pay
        # for) it. Queued applicants are cancelled.
        pool.shutdown(wait=True, cancel_futures=True)
        for fut in pending:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                state.record(fut.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _review(task: ApplicantTask, rubrics: RubricSet, settings: Settings, engine: Engine) -> ApplicantOutcome:
    return review_applicant(task, rubrics, settings, engine)


def _in_executor(state: _Run, tasks: Iterator[tuple[ApplicantTask, str]], executor: Executor, width: int) -> None:
    """Applicants on ``executor``'s threads (``width`` of them in flight); results recorded on this thread."""
    pending: dict[Future[ApplicantOutcome], tuple[ApplicantTask, str]] = {}
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < width:
                nxt = next(tasks, None)
                if nxt is None:
                    exhausted = True
                    break
                fut = executor.submit(_review, nxt[0], state.rubrics, state.settings, state.engine)
                pending[fut] = nxt
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task, name = pending.pop(fut)
                try:
                    outcome = fut.result()
                except Exception as exc:  # outside review_applicant's own guards: fail the applicant only
                    _fatal(exc)
                    state.failed(task, name, f"{task.folder}: {exc!r}")
                    continue
                state.record(outcome)
    except KeyboardInterrupt:
        # Threads cannot be interrupted: queued applicants are cancelled, running ones finish and are recorded.
        executor.shutdown(wait=True, cancel_futures=True)
        for fut in pending:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                state.record(fut.result())
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _llm_processes(state: _Run, tasks: Iterator[tuple[ApplicantTask, str]], jobs: int, concurrency: int) -> None:
    """Model engine with ``jobs`` worker processes (the rules work and rendering use every core), each with
    threads and its share of the ``concurrency`` model calls in flight; applicants are pulled from a queue,
    so a slot freed anywhere is filled at once. A dead worker fails the applicants it had started and is
    replaced; an applicant taken by a worker that died before saying so is failed once the queue is idle."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*PRELOAD, "reviewer.llm.client", "langchain_openai"])
    todo: Any = context.Queue()
    results: Any = context.Queue()
    shares = [concurrency // jobs + (1 if i < concurrency % jobs else 0) for i in range(jobs)]

    def spawn(share: int) -> Any:
        proc = context.Process(target=llm_worker_main, daemon=True,
                               args=(state.settings, os.getpid(), state.out, share, todo, results))
        proc.start()
        return proc

    procs = [(spawn(share), share) for share in shares]
    width = 2 * 2 * concurrency  # queued + running applicants
    queued: dict[str, tuple[ApplicantTask, str]] = {}
    started: dict[str, int] = {}  # applicant id -> worker pid
    exhausted = False
    lost = False  # a worker died: an applicant it took may never report

    def feed() -> None:
        nonlocal exhausted
        while not exhausted and len(queued) < width:
            nxt = next(tasks, None)
            if nxt is None:
                exhausted = True
                todo.put(None)
                return
            queued[nxt[0].id] = nxt
            todo.put(nxt[0])

    def fail(applicant: str, error: str) -> None:
        task, name = queued.pop(applicant)
        started.pop(applicant, None)
        state.failed(task, name, f"{task.folder}: {error}")

    def settle(kind: str, applicant: str, payload: Any) -> None:
        if kind == "start":
            started[applicant] = payload
            return
        if applicant not in queued:  # already failed (its worker was thought dead)
            return
        if kind == "done":
            queued.pop(applicant)
            started.pop(applicant, None)
            state.record(payload)
        elif kind == "fatal":
            raise payload
        else:
            fail(applicant, str(payload).removeprefix(f"{queued[applicant][0].folder}: "))

    def check_workers() -> None:
        nonlocal lost
        for k, (proc, share) in enumerate(procs):
            if proc.is_alive():
                continue
            lost = True
            for applicant, pid in list(started.items()):
                if pid == proc.pid:
                    fail(applicant, "the worker process died")
            procs[k] = (spawn(share), share)
        if lost and not started and todo.empty():  # what is still queued here was taken by a dead worker
            for applicant in list(queued):
                fail(applicant, "the worker process died")
            lost = False

    try:
        feed()
        while queued:
            try:
                kind, applicant, payload = results.get(timeout=0.5)
            except queue.Empty:
                check_workers()
                feed()
                continue
            settle(kind, applicant, payload)
            feed()
    except KeyboardInterrupt:
        # Workers ignore Ctrl-C: let them finish what they started, record it, drop what is queued.
        while True:
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        todo.put(None)
        while started and any(proc.is_alive() for proc, _ in procs):
            try:
                kind, applicant, payload = results.get(timeout=0.5)
            except queue.Empty:
                continue
            if kind != "start":
                settle(kind, applicant, payload)
        raise
    finally:
        todo.put(None)
        for proc, _ in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        todo.close()
        results.close()


def plan_batch(cohort: Path, out: Path, settings: Settings, *, target: str | None = None,
               retry_fallbacks: bool = False) -> Iterator[tuple[str, str, tuple[DocPlan, ...], int]]:
    """What a batch would do, per applicant: (its folder's name in ``cohort``, display name, the documents to
    review, how many are unchanged). Reads the store if there is one, with the batch's applicant ids;
    writes nothing (for ``--dry-run`` and ``--export-requests``). An applicant folder that cannot be
    planned raises :class:`~reviewer.errors.InputError` naming it."""
    settings = settings.model_copy(update={"out": out})
    rubrics = selected_rubrics(settings)
    folders = applicant_folders(cohort, out)
    store = Store.open(out, create=False, readonly=True) if (out / DB_NAME).exists() else None
    try:
        ids = assign_ids(folders, store.folders() if store is not None else {})
        for folder in folders:
            try:
                task, summary = plan_applicant(folder, ids[folder], out / ids[folder], store, settings,
                                               rubric_digest=rubrics.digest, engine=engine_digest(settings),
                                               target=target, retry_fallbacks=retry_fallbacks)
            except ReviewerError:
                raise
            except Exception as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else repr(exc)
                raise InputError(f"cannot read the applicant folder: {reason}", path=folder) from exc
            if task is None:
                yield folder.name, summary.name, (), len(summary.documents)
            else:
                todo = tuple(d for d in task.docs if d.action.reviews)
                yield folder.name, summary.name, todo, len(task.docs) - len(todo)
    finally:
        if store is not None:
            store.close()


def _report(out: Path) -> None:
    """The cohort report (``index.html``, ``summary.csv``), built from ``cohort.json`` and the outputs."""
    from ..render.html import write_cohort_report

    write_cohort_report(out)


