"""The batch runner: review a cohort (``cohort/<applicant>/<documents>``), resumably, and only what changed.

:func:`run_batch` walks the applicant folders in order. For each one the parent process *plans* cheaply
(list the files, hash their bytes, read the manifest, look up the latest stored round): a document whose
source sha256, rubric digest, engine digest and context (kind, target) equal its latest round, and whose
outputs exist, is not read again. An applicant whose documents are all unchanged is skipped whole,
application-level checks included. Anything else becomes one task per applicant for a process pool
(``jobs`` workers, each loading the rubrics once in its initializer): the worker reviews the changed
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
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .checks.rules import review_application_rules
from .errors import InputError, OutputError, ReviewerError
from .findings import ApplicationReview, DocumentFailure, Review
from .fsio import atomic_write_text
from .ingest import load_document
from .kinds import MANIFEST, Manifest, load_manifest, resolve_kind
from .pipeline import (
    APPLICATION_STEM,
    REVIEW_SUFFIX,
    Reviewed,
    discover,
    output_stems,
    output_subfolders,
    review_file,
    write_application,
    write_review,
)
from .revision import compare
from .revision import counts as revision_counts
from .rubric import RubricSet, load_rubrics
from .settings import Settings
from .store import Digests, Store, StoredRound, now

COHORT_JSON = "cohort.json"
COHORT_SCHEMA = "reviewer.cohort/1"
LOCK_NAME = ".reviewer.lock"
WORKERS_LOCK_NAME = ".reviewer.workers.lock"
ORPHAN_WAIT_SECONDS = 30.0
CHECKPOINT_SECONDS = 5.0  # cohort.json is rewritten at most this often during a run, and at its end
PARENT_POLL_SECONDS = 0.5
# Imported once by the fork server, so workers start warm (python-docx and lxml are most of start-up).
PRELOAD = ["reviewer.cohort", "reviewer.ingest.docx", "reviewer.ingest.text", "reviewer.render.docx",
           "reviewer.render.markdown", "reviewer.render.json"]

Progress = Callable[[int, int, str], None]  # (applicants done, applicants total, applicant just finished)


class Status(StrEnum):
    REVIEWED = "reviewed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class Action(StrEnum):
    REVIEW = "review"  # new or changed: review it
    RENDER = "render"  # same as its latest round but an output is missing: render the stored review
    REUSE = "reuse"  # same and complete: read it only for the application-level checks


# --------------------------------------------------------------------------------------------- summaries


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


# --------------------------------------------------------------------------------------------- digests


def engine_digest(settings: Settings) -> str:
    """``rules``, or the engine with what decides its answers (model, base URL) when it calls a model."""
    if settings.engine == "rules":
        return "rules"
    parts = [settings.engine, *(str(getattr(settings, k, None) or "") for k in ("model", "base_url"))]
    return "|".join(parts)


def context_digest(kind: str, target: str) -> str:
    """The review context besides the text: the document kind and the program targeted."""
    return f"{kind}|{target}"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def expected_outputs(out: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    return [out / f"{stem}{REVIEW_SUFFIX}.{fmt}" for fmt in formats]


def application_outputs(out: Path, formats: Sequence[str]) -> list[Path]:
    """The files :func:`reviewer.pipeline.write_application` writes for these formats."""
    names = (["json"] if "json" in formats else []) + (["md"] if "md" in formats or "json" not in formats else [])
    return [out / f"{APPLICATION_STEM}{REVIEW_SUFFIX}.{fmt}" for fmt in names]


# --------------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class DocPlan:
    name: str
    stem: str
    action: Action
    sha256: str | None = None
    previous_round: int | None = None
    previous: Review | None = None  # the latest stored review (None when there is no round yet)


@dataclass(frozen=True)
class ApplicantTask:
    """Everything a worker needs for one applicant (small and picklable)."""

    id: str
    folder: Path
    out: Path
    docs: tuple[DocPlan, ...]
    formats: tuple[str, ...]
    engine: str
    application_digest: str
    target: str | None = None


def _display_name(folder: Path, manifest: Manifest | None) -> str:
    return manifest.applicant if manifest and manifest.applicant else folder.resolve().name


Plan = tuple[ApplicantTask | None, ApplicantSummary]


def plan_applicant(folder: Path, applicant: str, out: Path, store: Store, settings: Settings, *,
                   rubric_digest: str, engine: str, target: str | None) -> Plan:
    """Decide per document what to do; ``(None, summary)`` when the whole applicant is unchanged."""
    manifest: Manifest | None = None
    manifest_ok = True
    try:
        manifest = load_manifest(folder)
    except ReviewerError:
        manifest_ok = False
    files = discover(folder)
    stems = output_stems(files)
    latest = store.latest_rounds(applicant)
    chosen_target = target or (manifest.target if manifest and manifest.target else None) or settings.target
    plans: list[DocPlan] = []
    unchanged: list[DocSummary] = []
    for path in files:
        name, stem = path.name, stems[path]
        stored = latest.get(name)
        try:
            sha = file_sha256(path)
            kind = resolve_kind(path, None, manifest).value if manifest_ok else None
        except (OSError, ReviewerError):
            plans.append(DocPlan(name, stem, Action.REVIEW))
            continue
        same = (stored is not None and kind is not None
                and stored.digests == Digests(sha, rubric_digest, engine, context_digest(kind, chosen_target)))
        if not same:
            plans.append(DocPlan(name, stem, Action.REVIEW, sha, stored.round if stored else None,
                                 store.review(applicant, name, stored.round) if stored else None))
            continue
        assert stored is not None
        complete = all(p.is_file() for p in expected_outputs(out, stem, settings.formats))
        plans.append(DocPlan(name, stem, Action.REUSE if complete else Action.RENDER, sha, stored.round, None))
        unchanged.append(_stored_summary(stored, stem))
    missing = _missing(folder, files, manifest)
    name = _display_name(folder, manifest)
    app_digest = application_digest(folder, plans, rubric_digest, engine, chosen_target)
    if (manifest_ok and all(p.action is Action.REUSE for p in plans)
            and store.application_digest(applicant) == app_digest
            and all(p.is_file() for p in application_outputs(out, settings.formats))):
        return None, ApplicantSummary(applicant, name, tuple(unchanged), missing, application=True)
    # The worker needs the stored reviews of the unchanged documents too, for the application review.
    docs = tuple(p if p.action is Action.REVIEW else
                 DocPlan(p.name, p.stem, p.action, p.sha256, p.previous_round,
                         store.review(applicant, p.name, p.previous_round))
                 for p in plans)
    task = ApplicantTask(applicant, folder, out, docs, settings.formats, engine, app_digest, target)
    return task, ApplicantSummary(applicant, name, ())


def application_digest(folder: Path, plans: Sequence[DocPlan], rubric_digest: str, engine: str, target: str) -> str:
    """What the application-level review depends on: which documents there are and their bytes, the
    manifest, the rubrics, the engine and the target. A document added, removed or edited changes it."""
    manifest = folder / MANIFEST
    parts = [rubric_digest, engine, target, file_sha256(manifest) if manifest.is_file() else "",
             *sorted(f"{p.name}:{p.sha256}" for p in plans)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _missing(folder: Path, files: Sequence[Path], manifest: Manifest | None) -> tuple[tuple[str, str], ...]:
    if manifest is None:
        return ()
    present = {p.name for p in files}
    return tuple((n, f"{folder / n}: listed in {MANIFEST} but not found") for n in manifest.documents
                 if n not in present)


def _stored_summary(stored: StoredRound, stem: str) -> DocSummary:
    return DocSummary(stored.document, Status.UNCHANGED, stored.kind, stored.round, stem, None, stored.resolved,
                      stored.persisting, stored.new, stored.fails, stored.warns)


# --------------------------------------------------------------------------------------------- the worker


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


def init_worker(settings: Settings, parent: int | None = None, out: Path | None = None) -> None:
    """Process-pool initializer: load and select the rubrics once per worker, and end the worker when its
    parent is gone (a killed batch must not leave idle workers behind)."""
    # Ctrl-C reaches the whole process group: the batch process stops handing out work and lets the
    # workers finish what they hold, so no output is left half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if out is not None:
        _hold_shared(out / WORKERS_LOCK_NAME)
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True).start()
    _WORKER["rubrics"] = load_rubrics(settings.rubrics).select(settings.only, settings.skip)
    _WORKER["settings"] = settings


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
    rubrics = _WORKER["rubrics"]
    settings = _WORKER["settings"]
    assert isinstance(rubrics, RubricSet) and isinstance(settings, Settings)
    return review_applicant(task, rubrics, settings)


def review_applicant(task: ApplicantTask, rubrics: RubricSet, settings: Settings) -> ApplicantOutcome:
    """Review what changed in one applicant folder, write its outputs, and return what to record."""
    folder = task.folder
    failures: list[tuple[str, str]] = []
    manifest: Manifest | None = None
    try:
        manifest = load_manifest(folder)
    except ReviewerError as exc:
        failures.append((MANIFEST, str(exc)))
    failures.extend(_missing(folder, discover(folder), manifest))
    target = task.target or (manifest.target if manifest and manifest.target else None) or settings.target
    protect = [folder / p.name for p in task.docs]
    items: list[Reviewed] = []
    files: dict[str, str] = {}
    outcomes: list[DocOutcome] = []
    for plan in task.docs:
        path = folder / plan.name
        try:
            item, outcome = _one(plan, path, rubrics, settings, manifest, task, target)
            if outcome.action is not Action.REUSE:
                write_review(item, task.out, task.formats, stem=plan.stem, protect=protect)
            items.append(item)
            files[item.document.path] = f"{plan.stem}{REVIEW_SUFFIX}.{task.formats[0]}"
            outcomes.append(outcome)
        except Exception as exc:  # one bad document never stops its applicant, whatever went wrong
            error = str(exc) if isinstance(exc, ReviewerError) else f"{path}: internal error: {exc!r}"
            outcomes.append(DocOutcome(plan.name, plan.stem, plan.action, previous_round=plan.previous_round,
                                       error=error))
    app_written = False
    try:
        app = _application(folder, manifest, items, rubrics, failures, outcomes)
        write_application(app, task.out, task.formats, files, protect=protect)
        app_written = True
    except Exception as exc:
        failures.append((f"{APPLICATION_STEM}{REVIEW_SUFFIX}", str(exc) if isinstance(exc, ReviewerError)
                         else f"{folder}: internal error in the application review: {exc!r}"))
    return ApplicantOutcome(task.id, _display_name(folder, manifest), tuple(outcomes), tuple(failures), app_written,
                            task.application_digest)


def _one(plan: DocPlan, path: Path, rubrics: RubricSet, settings: Settings, manifest: Manifest | None,
         task: ApplicantTask, target: str) -> tuple[Reviewed, DocOutcome]:
    if plan.action is not Action.REVIEW and plan.previous is not None:
        doc = load_document(path, resolve_kind(path, None, manifest))
        if doc.sha256 == plan.sha256:  # still the bytes that were planned: reuse the stored review
            review = plan.previous.model_copy(
                update={"document": plan.previous.document.model_copy(update={"path": str(path)})})
            return Reviewed(path, doc, review), DocOutcome(plan.name, plan.stem, plan.action, kind=doc.kind.value)
    item = review_file(path, rubrics, settings, manifest=manifest, target=task.target)
    review = item.review
    prev = plan.previous
    if prev is not None and plan.previous_round is not None and prev.document.sha256 != review.document.sha256:
        summary = compare(prev, review, round=plan.previous_round + 1, previous_round=plan.previous_round)
        review = review.model_copy(update={"revision": summary})
    kind = review.document.kind.value
    digests = Digests(review.document.sha256, rubrics.digest, task.engine, context_digest(kind, target))
    return (Reviewed(path, item.document, review),
            DocOutcome(plan.name, plan.stem, Action.REVIEW, review, digests, kind, plan.previous_round))


def _application(folder: Path, manifest: Manifest | None, items: list[Reviewed],
                 rubrics: RubricSet, failures: list[tuple[str, str]], outcomes: list[DocOutcome]) -> ApplicationReview:
    results, findings = review_application_rules([i.document for i in items], rubrics)
    doc_failures = [DocumentFailure(path=str(folder / o.name), error=o.error, kind="document")
                    for o in outcomes if o.error]
    other = [DocumentFailure(path=str(folder / name), error=err, kind="application") for name, err in failures]
    return ApplicationReview(applicant=_display_name(folder, manifest), path=str(folder),
                             documents=tuple(i.review.document for i in items), criteria=tuple(results),
                             findings=tuple(findings), failures=tuple(other + doc_failures),
                             reviews=tuple(i.review for i in items))


# --------------------------------------------------------------------------------------------- the parent


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
            docs.append(_stored_summary(stored, o.stem) if stored else DocSummary(o.name, Status.UNCHANGED, o.kind))
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


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One batch at a time per output folder, with OS locks (released by the OS when a process dies).

    ``.reviewer.lock`` is held by the batch process. ``.reviewer.workers.lock`` is held shared by its
    workers: a worker orphaned by a killed batch may finish a write for up to ``PARENT_POLL_SECONDS``,
    so a new batch waits for that lock to be free before it sweeps temporary files and starts.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no locks
        yield
        return
    with (out / LOCK_NAME).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError("another batch is writing to this folder", path=out,
                              hint="wait for it to finish, or choose another --out") from None
        with (out / WORKERS_LOCK_NAME).open("a") as workers:
            deadline = time.monotonic() + ORPHAN_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(workers, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError("workers of an earlier batch are still writing to this folder",
                                          path=out, hint="wait a moment and run again") from None
                    time.sleep(0.05)
            fcntl.flock(workers, fcntl.LOCK_UN)
        yield


def _hold_shared(path: Path) -> None:
    """In a worker: hold the workers' lock shared for the life of the process."""
    try:
        import fcntl
    except ImportError:
        return
    fh = path.open("a")
    fcntl.flock(fh, fcntl.LOCK_SH)
    _WORKER["lock"] = fh


def sweep(folder: Path) -> None:
    """Remove temporary files a killed run left behind (atomic writes name them ``.<name>.<random>.tmp``)."""
    for p in folder.glob(".*.tmp"):
        p.unlink(missing_ok=True)


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
                    finished(record_outcome(store, fut.result(), run))
                except BrokenProcessPool as exc:
                    broken = True
                    finished(_failed_applicant(task, name, f"{task.folder}: the worker process died ({exc})",
                                               store, run))
                except ReviewerError:
                    raise
                except Exception as exc:
                    finished(_failed_applicant(task, name, f"{task.folder}: {exc!r}", store, run))
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                for task, name in pending.values():
                    finished(_failed_applicant(task, name, f"{task.folder}: the worker process died", store, run))
                pending.clear()
                pool = _pool(settings, jobs, out)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------------------------- cohort.json


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
                           "review_json": rel(a, d, "json"), "review_docx": rel(a, d, "docx"),
                           "review_md": rel(a, d, "md"), "error": d.error, "resolved": d.resolved,
                           "persisting": d.persisting, "new": d.new} for d in a.documents],
            "failures": [{"document": doc, "error": err} for doc, err in a.failures],
        })
    totals = {"applicants": len(applicants), "documents": sum(len(a.documents) for a in applicants),
              **{s.value: sum(a.count(s) for a in applicants) for s in Status}}
    return {"schema": COHORT_SCHEMA, "generated_at": now(), "applicants": rows, "totals": totals}


def write_cohort_json(out: Path, applicants: Sequence[ApplicantSummary], formats: Sequence[str]) -> Path:
    path = out / COHORT_JSON
    atomic_write_text(path, json.dumps(cohort_json(applicants, formats), ensure_ascii=False, indent=2) + "\n")
    return path


def _report(out: Path) -> None:
    """The cohort report (``index.html``, ``summary.csv``), built from ``cohort.json`` and the outputs."""
    from .render.html import write_cohort_report

    write_cohort_report(out)


__all__ = [
    "COHORT_JSON",
    "COHORT_SCHEMA",
    "ApplicantSummary",
    "BatchResult",
    "DocSummary",
    "Status",
    "applicant_folders",
    "cohort_json",
    "context_digest",
    "engine_digest",
    "review_applicant",
    "run_batch",
    "write_cohort_json",
]
