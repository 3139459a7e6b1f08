"""Review rounds of a web session, through the pipeline the CLI uses: nothing here judges a draft.

A round copies the session's documents into ``round-N/documents/`` with an ``application.yaml`` declaring their
kinds and target (the manifest ``reviewer review FOLDER`` reads), runs :func:`reviewer.pipeline.review_folder`
on it, names the documents as the applicant does (:func:`.present.relabel`) and writes the feedback with
:func:`reviewer.pipeline.write_review` / :func:`~reviewer.pipeline.write_folder`: into ``round-N/feedback/``
for the page's downloads, and into the output folder the user chose, if any.

Round two and later hand the previous round to the pipeline as :class:`~reviewer.pipeline.Prior` values, the
way ``reviewer batch`` does: a revised draft is compared with its previous review by
:func:`reviewer.revision.compare` (resolved / persisting / new), an unchanged one keeps its review.

A round runs on a thread of its own (:func:`start`); its :class:`~.session.Job` counts the model calls
answered against those planned, for the progress bar.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, InputError, ReviewerError
from ..fsio import check_writable
from ..kinds import MANIFEST
from ..pipeline import (
    APPLICATION_STEM,
    REVIEW_SUFFIX,
    Engine,
    FolderResult,
    Prior,
    make_engine,
    output_stems,
    plan_folder_calls,
    review_folder,
    write_folder,
    write_review,
)
from .present import engine_label, error_line, relabel
from .session import Job, Round, Session

if TYPE_CHECKING:
    from ..llm import Judge, JudgeRequest, JudgeResponse
    from ..rubric import RubricSet
    from ..settings import Settings

ENGINES = ("rules", "hybrid", "llm")


@dataclass(frozen=True)
class WebConfig:
    """What ``reviewer serve`` resolved once at start: the settings (flags < env < reviewer.toml, as for the CLI),
    the rubrics in force, the output folder given on the command line, and whether the page may write to a
    folder the user types (only when it listens on this machine alone)."""

    settings: Settings
    rubrics: RubricSet
    out: Path | None = None
    choose_out: bool = True
    engine_factory: Callable[[Settings], Engine] = make_engine

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines the page offers: a model engine only when a model is configured."""
        return ENGINES if self.settings.model else ("rules",)


@dataclass(frozen=True)
class Options:
    """The review form's choices."""

    target: str
    engine: str
    applicant: str | None = None
    out: Path | None = None


def parse_options(config: WebConfig, form: Mapping[str, str]) -> Options:
    """The form's choices, checked: an engine the server has configured, a known target, an output folder only
    where the page may write one."""
    settings = config.settings
    engine = form.get("engine") or settings.engine
    if engine not in config.engines:
        raise ConfigError(f"engine '{engine}' is not available here", path="settings",
                          hint="start reviewer serve with --model (or REVIEWER_MODEL) to use a model engine")
    target = form.get("target") or settings.target
    if target not in ("kaiser", "other"):
        raise ConfigError(f"unknown target '{target}'", path="settings", hint="choose kaiser or other")
    applicant = " ".join((form.get("applicant") or "").split())[:120] or None
    out_text = (form.get("out") or "").strip()
    if out_text and not config.choose_out and Path(out_text) != config.out:
        raise ConfigError("this page cannot save to a folder it was not started with", path="settings",
                          hint="it listens beyond this computer: start reviewer serve with --out FOLDER")
    out = Path(out_text).expanduser().absolute() if out_text else None
    return Options(target=target, engine=engine, applicant=applicant, out=out)


def round_settings(config: WebConfig, session: Session, options: Options) -> Settings:
    """The settings of one round: the server's, with the form's engine and target; a model cache inside the
    session (so it goes with it) unless the settings name one."""
    update: dict[str, Any] = {"engine": options.engine, "target": options.target}
    if config.settings.cache_dir is None:
        update["cache_dir"] = session.folder / ".llm-cache"
    return config.settings.model_copy(update=update)


class CountingJudge:
    """The engine's judge, counting each answered judgment for the progress bar (repairs are not counted: the
    plan does not count them either)."""

    def __init__(self, inner: Judge, job: Job) -> None:
        self.inner = inner
        self.job = job
        self.endpoint = inner.endpoint
        self.model = inner.model

    def judge(self, request: JudgeRequest) -> JudgeResponse:
        try:
            return self.inner.judge(request)
        finally:
            if request.purpose == "judge":
                self.job.call_answered()


def new_round(session: Session, engine: str) -> Round:
    number = max((r.number for r in session.rounds), default=0) + 1
    folder = session.folder / f"round-{number}"
    rnd = Round(number=number, folder=folder, kinds={}, shown={}, engine=engine)
    rnd.documents.mkdir(parents=True)
    rnd.feedback.mkdir()
    return rnd


def staged_round(session: Session, config: WebConfig, options: Options) -> tuple[Round, dict[str, Prior]]:
    """A round of the staged documents (copied: they stay staged until the round succeeds). After an earlier
    round the session's documents come along unchanged, keeping their reviews: a session is one application,
    and documents added later are reviewed together with the others."""
    from .staging import require_kinds

    if not session.staged:
        raise InputError("nothing to review", hint="choose a file or paste a draft first")
    require_kinds(session.staged)
    rnd = new_round(session, engine_label(round_settings(config, session, options)))
    priors = _carry(session.rounds[-1], rnd) if session.rounds else {}
    for s in session.staged:
        assert s.kind is not None
        shutil.copyfile(session.staging / s.name, rnd.documents / s.name)
        rnd.kinds[s.name] = s.kind
        rnd.shown[s.name] = s.shown
    if session.rounds:
        rnd.added = tuple(s.name for s in session.staged)
    return rnd, priors


def _carry(previous: Round, rnd: Round, *, leave: Collection[str] = ()) -> dict[str, Prior]:
    """The previous round's documents (but ``leave``) copied into ``rnd`` unchanged; returns their priors: an
    unchanged document keeps its review."""
    assert previous.result is not None
    reviews = {Path(r.review.document.path).name: r.review for r in previous.result.reviewed}
    priors: dict[str, Prior] = {}
    for name, kind in previous.kinds.items():
        if name in leave:
            continue
        shutil.copyfile(previous.documents / name, rnd.documents / name)
        rnd.kinds[name] = kind
        rnd.shown[name] = previous.shown.get(name, name)
        review = reviews.get(name)
        if review is not None:
            priors[name] = Prior(review=review, round=previous.number, sha256=review.document.sha256, reuse=True)
    return priors


def revision_round(session: Session, config: WebConfig, options: Options,
                   revised: Mapping[str, tuple[str, bytes, str]]) -> tuple[Round, dict[str, Prior]]:
    """The next round after the latest one: ``revised`` maps a document's name to its new draft (file name, bytes,
    and how the page calls it); every other document comes along unchanged, keeping its review. A new draft goes
    by its own file name (made safe and distinct), so its feedback files are named after it."""
    from .staging import document_name, provisional_kind

    previous = session.rounds[-1] if session.rounds else None
    if previous is None or previous.result is None:
        raise InputError("no earlier round to compare with", hint="review your documents first")
    if not revised or any(n not in previous.kinds for n in revised):
        raise InputError("no revised draft was chosen", hint="choose the new version of at least one document")
    rnd = new_round(session, engine_label(round_settings(config, session, options)))
    reviews = {Path(r.review.document.path).name: r.review for r in previous.result.reviewed}
    taken = [n for n in previous.kinds if n not in revised]
    names = {n: document_name(revised[n][0], taken) for n in revised}
    priors: dict[str, Prior] = {}
    for name, kind in previous.kinds.items():
        review = reviews.get(name)
        now = names.get(name, name)
        rnd.kinds[now] = kind
        if name in revised:
            _, data, shown = revised[name]
            (rnd.documents / now).write_bytes(data)
            _check(rnd.documents / now, provisional_kind(now, kind), rnd)
            rnd.shown[now] = shown
            if review is not None:
                priors[now] = Prior(review=review, round=previous.number)
                rnd.previous[now] = review.document.sha256
        else:
            shutil.copyfile(previous.documents / name, rnd.documents / now)
            rnd.shown[now] = previous.shown.get(name, name)
            if review is not None:
                priors[now] = Prior(review=review, round=previous.number, sha256=review.document.sha256, reuse=True)
    rnd.revised = tuple(names.values())
    return rnd, priors


def _check(path: Path, kind: Any, rnd: Round) -> None:
    """Read a revised draft as the CLI would before a round starts on it (its error names the file)."""
    from ..ingest import load_document

    try:
        load_document(path, kind)
    except ReviewerError:
        shutil.rmtree(rnd.folder, ignore_errors=True)
        raise


def write_manifest(rnd: Round, options: Options) -> None:
    """``application.yaml`` (JSON is YAML) declaring the round's documents, their kinds and the target."""
    manifest: dict[str, Any] = {"target": options.target,
                                "documents": {n: k.value for n, k in sorted(rnd.kinds.items())}}
    if options.applicant:
        manifest["applicant"] = options.applicant
    # ASCII only: every other character as a \u escape, which YAML reads back as it was (no control character
    # or line separator of a typed name can break the file)
    (rnd.documents / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=True, indent=2), encoding="utf-8")


def planned_calls(config: WebConfig, settings: Settings, rnd: Round, priors: Mapping[str, Prior]) -> int:
    """The model calls the round will make (documents kept as they are and cached answers make none)."""
    files = [rnd.documents / n for n in sorted(rnd.kinds) if not (priors.get(n) or Prior()).reuse]
    plan = plan_folder_calls(rnd.documents, config.rubrics, settings, files=files)
    return sum(1 for _, calls in plan if not isinstance(calls, str) for c in calls if not c.cached)


def page_formats() -> tuple[str, ...]:
    """What the page writes for every round, whatever ``--format`` says: every registered output format (the
    ``html`` one is the review the page shows)."""
    from ..render.registry import format_names

    return format_names()


def write_feedback(result: FolderResult, out: Path, formats: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Every document's feedback (and, for several documents, the application's) into ``out``, by the
    pipeline's writers; returns the files written per document name ('' for the application)."""
    stems = output_stems(result.files)
    if len(result.files) > 1:
        write_folder(result, out, formats, stems=stems)
    else:
        for item in result.reviewed:
            write_review(item, out, formats, stem=stems[item.source])
    files: dict[str, dict[str, str]] = {}
    for item in result.reviewed:
        names = {f: f"{stems[item.source]}{REVIEW_SUFFIX}.{f}" for f in formats}
        files[item.source.name] = {f: n for f, n in names.items() if (out / n).is_file()}
    if len(result.files) > 1:
        names = {f: f"{APPLICATION_STEM}{REVIEW_SUFFIX}.{f}" for f in formats}
        files[""] = {f: n for f, n in names.items() if (out / n).is_file()}
    return files


def run(session: Session, config: WebConfig, rnd: Round, priors: Mapping[str, Prior], options: Options,
        job: Job) -> None:
    """Review the round, write its feedback, and record it in the session (or the error in the job)."""
    try:
        settings = round_settings(config, session, options)
        engine = config.engine_factory(settings)
        if engine.judge is not None:
            engine = replace(engine, judge=CountingJudge(engine.judge, job))
            job.planned = planned_calls(config, settings, rnd, priors)
        write_manifest(rnd, options)
        result = review_folder(rnd.documents, config.rubrics, settings, engine=engine, priors=priors)
        result = relabel(result, rnd.documents, options.applicant)
        rnd.result = result
        rnd.downloads = write_feedback(result, rnd.feedback, page_formats())
        if options.out is not None:
            save_copy(result, options.out, settings.formats, rnd)
    except Exception as exc:  # shown as one line on the page; the session goes on
        with session.lock:
            job.error = error_line(exc, rnd.documents)
            job.state = "failed"
            session.flash.append(job.error)
            shutil.rmtree(rnd.folder, ignore_errors=True)
        return
    with session.lock:
        session.rounds.append(rnd)
        if rnd.number == 1 or not rnd.revised:
            for s in session.staged:
                (session.staging / s.name).unlink(missing_ok=True)
            session.staged.clear()
        job.state = "done"


def save_copy(result: FolderResult, out: Path, formats: tuple[str, ...], rnd: Round) -> None:
    """The feedback in the folder the user chose too (its failure is one line on the page, not a lost round)."""
    try:
        check_writable(out, doing="the output folder cannot be written")
        write_feedback(result, out, formats)
        rnd.saved_to = out
    except ReviewerError as exc:
        rnd.problems.append(error_line(exc, rnd.documents))


def start(session: Session, config: WebConfig, rnd: Round, priors: Mapping[str, Prior], options: Options) -> Job:
    """Run the round on a thread of its own; the returned job tells how far it is."""
    job = Job(round=rnd.number, engine=rnd.engine)
    session.job = job
    session.options = {"target": options.target, "engine": options.engine, "applicant": options.applicant or "",
                       "out": str(options.out or "")}
    threading.Thread(target=run, args=(session, config, rnd, priors, options, job),
                     name=f"reviewer-web-round-{rnd.number}", daemon=True).start()
    return job


__all__ = [
    "ENGINES",
    "CountingJudge",
    "Options",
    "WebConfig",
    "page_formats",
    "parse_options",
    "revision_round",
    "round_settings",
    "run",
    "staged_round",
    "start",
    "write_feedback",
    "write_manifest",
]
