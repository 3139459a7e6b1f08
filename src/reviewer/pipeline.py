"""The composition root: paths in, reviews and written feedback out.

``review_document`` is the pure core (Document -> Review); ``review_file`` and ``review_folder`` add
ingest, kind resolution and the folder's manifest; ``write_review`` / ``write_application`` hand the
values to the renderers and write every output atomically. A document that cannot be read becomes a
:class:`~reviewer.findings.DocumentFailure` in its folder's application review: the others are still
reviewed.

:func:`review_folder` is the one way to review an applicant folder: ``reviewer review`` calls it bare,
``reviewer batch`` with what its store knows per document (:class:`Prior`: reuse an unchanged document's
stored review, compare a changed one with its previous round, or say why it is not compared) and a hook
that runs before any model sees a document. With a model engine the documents wait for the model
together (threads; the engine's judge bounds the calls in flight).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .llm import Judge, LLMConfig, LLMOutcome, MethodMemory
    from .llm.engine import PlannedCall

from .checks.registry import Context
from .checks.rules import review_application_rules, review_rules
from .document import DocKind, Document
from .errors import OutputError, ReviewerError, short_name
from .findings import ApplicationReview, DocumentFailure, DocumentInfo, LLMCall, LLMReport, Review
from .fsio import check_writable
from .ingest.listing import REVIEW_SUFFIX, FolderListing, folder_problems, list_folder
from .kinds import MANIFEST, Manifest, load_manifest, resolve_kind
from .revision import compare
from .rubric import RubricSet
from .settings import Settings

APPLICATION_STEM = "application"


# The (applicant folder name, document name) being reviewed on this thread: lets a judge that answers from a
# batch results file (:mod:`reviewer.batchfile`) tell "this document changed since export" from "no result".
CURRENT_DOCUMENT: ContextVar[tuple[str, str] | None] = ContextVar("reviewer_current_document", default=None)


@dataclass(frozen=True)
class Reviewed:
    """One document's review together with what produced it (for renderers that need the source).
    ``reused``: the review is a stored one (the document is unchanged), not a new judgment."""

    source: Path
    document: Document
    review: Review
    reused: bool = False


@dataclass(frozen=True)
class Prior:
    """What an earlier round knows about one document (the batch's store), for :func:`review_folder`.

    ``reuse``: the document is unchanged, so ``review`` is reused (the document is still read, for the
    application-level checks), provided its bytes are still ``sha256``. Otherwise a new review is
    compared with ``review`` (round ``round``) when the draft changed; ``note`` (why it is not compared,
    for instance) is added to the new review."""

    review: Review | None = None
    round: int | None = None
    sha256: str | None = None
    reuse: bool = False
    note: str | None = None


@dataclass
class FolderResult:
    folder: Path
    reviewed: list[Reviewed] = field(default_factory=list)
    application: ApplicationReview | None = None
    files: list[Path] = field(default_factory=list)  # every document listed, reviewed or not
    manifest: Manifest | None = None
    errors: dict[Path, str] = field(default_factory=dict)  # document -> why it was not reviewed or not written

    @property
    def failures(self) -> tuple[DocumentFailure, ...]:
        return self.application.failures if self.application else ()


def document_info(doc: Document) -> DocumentInfo:
    return DocumentInfo(path=doc.path, kind=doc.kind, sha256=doc.sha256, words=doc.words,
                        characters=doc.characters, text_digest=doc.text_digest, hidden_spans=len(doc.hidden))


@dataclass(frozen=True)
class Engine:
    """The engine a run reviews with: ``rules`` alone, or the model engine (``llm``/``hybrid``) on top.

    Built once per run by :func:`make_engine`; creating it neither imports LangChain nor connects anywhere
    (the judge connects on its first call).
    """

    name: str = "rules"
    config: LLMConfig | None = None
    judge: Judge | None = None
    memory: MethodMemory | None = None


RULES = Engine()


def llm_config(settings: Settings) -> LLMConfig:
    """The model engine's configuration from the resolved settings (validates local-only mode)."""
    from .errors import ConfigError
    from .llm import LLMConfig

    if not settings.model:
        raise ConfigError(f"the {settings.engine} engine needs a model", path="settings",
                          hint="pass --model (e.g. gpt-4o-mini) or set REVIEWER_MODEL")
    return LLMConfig(
        model=settings.model, base_url=settings.base_url, api_key=settings.api_key,
        local_only=settings.local_only, method=settings.llm_method,
        timeout=settings.llm_timeout, max_tokens=settings.llm_max_tokens, max_retries=settings.llm_max_retries,
        cache_dir=settings.llm_cache_dir, price_input_per_m=settings.price_input,
        price_output_per_m=settings.price_output, dry_run=settings.dry_run, redact=settings.redact,
        rewrite=settings.rewrite, thresholds=settings.thresholds,
    )


def selected_rubrics(settings: Settings) -> RubricSet:
    """The rubrics a run judges with: the built-in ones and ``settings.rubrics`` over them, narrowed by
    ``only`` and ``skip``. A ``[thresholds]`` key that names no criterion is a :class:`ConfigError` (a typo
    would otherwise leave the default mapping in force unseen)."""
    from .errors import ConfigError
    from .rubric import load_rubrics, matches_prefix

    every = load_rubrics(settings.rubrics)
    ids = [c.id for _, c in every.criteria()]
    for key in settings.thresholds:
        if not any(matches_prefix(cid, key) for cid in ids):
            raise ConfigError(f"thresholds: '{key}' is no criterion id or prefix", path=settings.config_path or
                              "settings", hint="`reviewer rubrics list` shows the ids")
    return every.select(settings.only, settings.skip)


def make_engine(settings: Settings) -> Engine:
    """The run's engine. A model engine that will call a model checks its cache folder first: a cache that
    cannot be written is one :class:`~reviewer.errors.OutputError` now, not a failure per document later."""
    if settings.engine == "rules":
        return RULES
    from .llm import MethodMemory, make_judge

    config = llm_config(settings)
    if not config.dry_run:
        check_cache(config.cache_dir)
    judge = None if config.dry_run else make_judge(config)
    return Engine(settings.engine, config, judge, MethodMemory(config.cache_dir))


def check_cache(folder: Path | None) -> None:
    """Raise :class:`OutputError` unless the model cache ``folder`` (and its judgments folder) can be written."""
    if folder is None:
        return
    hint = "make it writable, or choose another folder with the cache_dir setting (REVIEWER_CACHE_DIR)"
    for where in (folder, folder / "judgments"):
        try:
            check_writable(where, doing="the model cache cannot be written")
        except OutputError as exc:
            raise OutputError(exc.message, path=exc.path, hint=hint) from exc


def review_document(doc: Document, rubrics: RubricSet, *, target: str = "kaiser",
                    ctx: Context | None = None, engine: Engine = RULES, names: Sequence[str] = ()) -> Review:
    """Judge one document: the rules engine always, the model engine on top when configured.

    ``names``: the applicant's name(s), which ``--redact`` replaces before anything reaches a model."""
    ctx = ctx or Context(doc, target=target)
    results, findings = review_rules(doc, rubrics, target=target, ctx=ctx)
    notes: tuple[str, ...] = ()
    report: LLMReport | None = None
    if engine.config is not None:
        from .llm import review_llm

        outcome = review_llm(doc, rubrics, engine.config, engine.judge, rules=(results, findings),
                             mode=engine.name, memory=engine.memory, names=names,  # type: ignore[arg-type]
                             target=target)
        results, findings, notes = list(outcome.results), list(outcome.findings), tuple(outcome.notes)
        report = llm_report(engine, outcome)
    findings.sort(key=lambda f: (f.start, f.end, f.criterion, f.source.value))
    return Review(document=document_info(doc), criteria=tuple(results), findings=tuple(findings),
                  engine=engine.name, rubric_digest=rubrics.digest, notes=notes, llm=report)


def llm_report(engine: Engine, outcome: LLMOutcome) -> LLMReport:
    from .llm import cost

    assert engine.config is not None
    u = outcome.usage
    return LLMReport(
        mode=engine.name, model=engine.config.model, endpoint=engine.config.endpoint,
        calls=tuple(LLMCall(rubric=c.rubric, status=c.status, method=c.method, prompt_tokens=c.usage.prompt_tokens,
                            completion_tokens=c.usage.completion_tokens, reason=c.reason) for c in outcome.calls),
        api_calls=u.calls, cached_calls=u.cached_calls, prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens, cost_usd=cost(u, engine.config), dropped_quotes=outcome.dropped_quotes,
        rewrite=outcome.rewrite,
    )


def review_file(path: Path, rubrics: RubricSet, settings: Settings, *, kind: DocKind | None = None,
                manifest: Manifest | None = None, target: str | None = None, engine: Engine | None = None) -> Reviewed:
    from .ingest import load_document

    doc_kind = resolve_kind(path, kind, manifest)
    doc = load_document(path, doc_kind)
    chosen = chosen_target(target, manifest, settings)
    engine = engine if engine is not None else make_engine(settings)
    names = applicant_names(manifest)
    return Reviewed(path, doc, review_document(doc, rubrics, target=chosen, engine=engine, names=names))


def discover(folder: Path) -> list[Path]:
    """The documents of an applicant folder (:func:`reviewer.ingest.listing.list_folder`, the one listing)."""
    return list(list_folder(folder).documents)


def applicant_name(folder: Path, manifest: Manifest | None) -> str:
    """The applicant's display name: ``applicant:`` of the manifest, else the folder's name; shortened to
    :data:`~reviewer.errors.MAX_NAME` characters wherever it is shown or stored."""
    return short_name(manifest.applicant if manifest and manifest.applicant else folder.resolve().name)


def chosen_target(target: str | None, manifest: Manifest | None, settings: Settings) -> str:
    """The program a document is judged for: the flag's, else the manifest's, else the settings'."""
    return target or (manifest.target if manifest and manifest.target else None) or settings.target


def applicant_names(manifest: Manifest | None) -> tuple[str, ...]:
    """The applicant's name from the manifest, for redaction and for the rewrite; none without one."""
    return (manifest.applicant,) if manifest and manifest.applicant else ()


def read_manifest(folder: Path) -> tuple[Manifest | None, list[DocumentFailure]]:
    """The folder's manifest (None when there is none) and, when it cannot be read, why."""
    try:
        return load_manifest(folder), []
    except ReviewerError as exc:
        return None, [DocumentFailure(path=str(folder / MANIFEST), error=str(exc), kind="manifest")]


def missing_documents(folder: Path, listing: FolderListing, manifest: Manifest | None) -> list[DocumentFailure]:
    """The entries of the folder's ``listing`` that are not read (links out of it, FIFOs, ...:
    :mod:`reviewer.ingest.listing`) and the documents its manifest lists that it does not hold, each with its
    error line."""
    skipped = {s.path.name for s in listing.skipped}
    return [DocumentFailure(path=str(folder / name), error=error, kind="skipped" if name in skipped else "missing")
            for name, error in folder_problems(folder, listing, manifest)]


Outcome = Reviewed | DocumentFailure


def review_folder(folder: Path, rubrics: RubricSet, settings: Settings, *, target: str | None = None,
                  engine: Engine | None = None, files: Sequence[Path] | None = None,
                  priors: Mapping[str, Prior] | None = None,
                  before_model: Callable[[Document], None] | None = None) -> FolderResult:
    """Review every document of one applicant, then the application-level criteria across them.

    ``files``: the documents (default :func:`discover`); ``priors``: what an earlier round knows, by
    document name (see :class:`Prior`); ``before_model(document)`` runs for each document a model is about
    to judge, after it is read and before any call (an exception fails that document, and nothing is
    sent). One document that cannot be read or reviewed, whatever the reason, is a failure in the
    application review; the others are still reviewed.
    """
    engine = engine if engine is not None else make_engine(settings)
    manifest, failures = read_manifest(folder)
    listing = list_folder(folder)
    result = FolderResult(folder, files=list(listing.documents if files is None else files), manifest=manifest)
    failures.extend(missing_documents(folder, listing, manifest))
    priors = priors or {}

    def one(path: Path) -> Outcome:
        try:
            return _review_one(path, folder, rubrics, settings, manifest, target, engine,
                               priors.get(path.name), before_model)
        except Exception as exc:  # one bad document never stops its applicant, whatever went wrong
            if isinstance(exc, OutputError) and exc.fatal:  # ... but a full or read-only disk stops everything
                raise
            if isinstance(exc, ReviewerError):
                return DocumentFailure(path=str(path), error=str(exc), kind=type(exc).__name__)
            return DocumentFailure(path=str(path), error=f"{path}: internal error: {exc!r}", kind="internal")

    judged = sum(not (priors.get(p.name) or Prior()).reuse for p in result.files)
    if engine.judge is not None and judged > 1:
        # Model calls are I/O: an applicant's documents wait for the model together, not one after another.
        with ThreadPoolExecutor(len(result.files), thread_name_prefix="reviewer-doc") as pool:
            outcomes = list(pool.map(one, result.files))
    else:
        outcomes = [one(p) for p in result.files]
    for path, outcome in zip(result.files, outcomes, strict=True):
        if isinstance(outcome, Reviewed):
            result.reviewed.append(outcome)
        else:
            failures.append(outcome)
            result.errors[path] = outcome.error
    result.application = application_review(folder, manifest, result.reviewed, rubrics, failures)
    return result


def _review_one(path: Path, folder: Path, rubrics: RubricSet, settings: Settings, manifest: Manifest | None,
                target: str | None, engine: Engine, prior: Prior | None,
                before_model: Callable[[Document], None] | None) -> Reviewed:
    """One document: the stored review when it is unchanged, else a new review compared with its previous
    round."""
    from .ingest import load_document

    doc = load_document(path, resolve_kind(path, None, manifest))
    if prior is not None and prior.reuse and prior.review is not None and doc.sha256 == prior.sha256:
        stored = prior.review.document.model_copy(update={"path": str(path)})
        return Reviewed(path, doc, prior.review.model_copy(update={"document": stored}), reused=True)
    if before_model is not None and engine.config is not None and not engine.config.dry_run:
        before_model(doc)
    chosen = chosen_target(target, manifest, settings)
    names = applicant_names(manifest)
    token = CURRENT_DOCUMENT.set((folder.name, path.name))
    try:
        review = review_document(doc, rubrics, target=chosen, engine=engine, names=names)
    finally:
        CURRENT_DOCUMENT.reset(token)
    if prior is not None:
        previous = prior.review
        if previous is not None and prior.round is not None and previous.document.sha256 != review.document.sha256:
            summary = compare(previous, review, round=prior.round + 1, previous_round=prior.round)
            review = review.model_copy(update={"revision": summary})
        if prior.note:
            review = review.model_copy(update={"notes": (*review.notes, prior.note)})
    return Reviewed(path, doc, review)


def application_review(folder: Path, manifest: Manifest | None, reviewed: Sequence[Reviewed], rubrics: RubricSet,
                       failures: Sequence[DocumentFailure]) -> ApplicationReview:
    """The application-level criteria across the folder's reviewed documents, with every failure listed."""
    results, findings = review_application_rules([r.document for r in reviewed], rubrics, manifest=manifest)
    return ApplicationReview(
        applicant=applicant_name(folder, manifest),
        path=str(folder),
        documents=tuple(r.review.document for r in reviewed),
        criteria=tuple(results),
        findings=tuple(findings),
        failures=tuple(failures),
        reviews=tuple(r.review for r in reviewed),
    )


def folder_text_digests(folder: Path) -> set[str]:
    """The text digests of the folder's documents as a review reads them (those it cannot read are left
    out): what model-cache entries of these drafts record."""
    from .ingest import load_document

    manifest, _ = read_manifest(folder)
    digests: set[str] = set()
    try:
        files = discover(folder)
    except OSError:
        return digests
    for path in files:
        try:
            digests.add(load_document(path, resolve_kind(path, None, manifest)).text_digest)
        except ReviewerError:
            continue
    return digests


def plan_folder_calls(path: Path, rubrics: RubricSet, settings: Settings, *, target: str | None = None,
                      files: Sequence[Path] | None = None, doc_kind: DocKind | None = None
                      ) -> list[tuple[Path, list[PlannedCall] | str]]:
    """``--dry-run`` of a review with a model engine, for every command: per document of ``path`` (an applicant
    folder, its ``files`` only when given, or one file), the calls it would make (``PlannedCall``, cached ones
    marked) or why it cannot be read (an unreadable manifest or listing entry included). The documents are read
    exactly as a review reads them, ``doc_kind`` overriding the kind as ``--kind`` does; nothing is sent or
    written."""
    from .ingest import load_document
    from .llm import plan_calls

    config = llm_config(settings)
    out: list[tuple[Path, list[PlannedCall] | str]] = []
    if path.is_dir():
        manifest, failures = read_manifest(path)
        listing = list_folder(path)
        out += [(Path(f.path), f.error) for f in (*failures, *missing_documents(path, listing, manifest))]
        docs = list(listing.documents) if files is None else list(files)
    else:
        manifest, docs = None, [path]
    chosen = chosen_target(target, manifest, settings)
    names = applicant_names(manifest)
    for doc_path in docs:
        try:
            doc = load_document(doc_path, resolve_kind(doc_path, doc_kind, manifest))
        except ReviewerError as exc:
            out.append((doc_path, str(exc)))
            continue
        out.append((doc_path, plan_calls(doc, rubrics, config, mode=settings.engine,  # type: ignore[arg-type]
                                         target=chosen, names=names)))
    return out


@dataclass(frozen=True)
class CallTally:
    """What planned calls would cost, cached ones left out: the one count every dry run prints."""

    calls: int = 0
    prompt_tokens: int = 0
    max_completion_tokens: int = 0

    @classmethod
    def of(cls, planned: Iterable[PlannedCall]) -> CallTally:
        sent = [p for p in planned if not p.cached]
        return cls(len(sent), sum(p.prompt_tokens for p in sent), sum(p.max_tokens for p in sent))

    def __add__(self, other: CallTally) -> CallTally:
        return CallTally(self.calls + other.calls, self.prompt_tokens + other.prompt_tokens,
                         self.max_completion_tokens + other.max_completion_tokens)

    def cost(self, settings: Settings) -> float | None:
        """At most this many dollars, when both prices (per million tokens) are set."""
        if settings.price_input is None or settings.price_output is None:
            return None
        return (self.prompt_tokens * settings.price_input + self.max_completion_tokens * settings.price_output) / 1e6


# --- outputs ---------------------------------------------------------------------------------------


def output_stems(sources: Sequence[Path]) -> dict[Path, str]:
    """A distinct, safe output stem per source: ``<stem>``; ``<name>`` (with suffix) where ``ps.txt`` and ``ps.md``
    share a stem; the parent folder's name in front where the same file name comes from two folders.

    Names come from applicants' folders, so each is made safe first (:func:`safe_stem`: no separators,
    control or invisible characters, leading dots), stems are compared without case (two names that
    differ only in case would be one file on macOS and Windows), and ``application`` is kept for the
    application report."""
    groups: dict[str, list[Path]] = {}
    for s in sources:
        groups.setdefault(safe_stem(s.stem).casefold(), []).append(s)
    out: dict[Path, str] = {}
    taken: set[str] = {APPLICATION_STEM}
    for s in sources:
        group = groups[safe_stem(s.stem).casefold()]
        distinct_names = len({safe_stem(g.name).casefold() for g in group}) == len(group)
        name = safe_stem(s.stem) if len(group) == 1 or not distinct_names else safe_stem(s.name)
        if name.casefold() in taken:
            name = f"{_safe_name(s.resolve().parent.name)}-{name}".lstrip("-")
        base, n = name, 2
        while name.casefold() in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name.casefold())
        out[s] = name
    return out


_UNSAFE_IN_NAMES = frozenset('/\\:*?"<>|')
MAX_STEM = 120  # characters, and at most MAX_STEM_BYTES of UTF-8:
MAX_STEM_BYTES = 160  # with ".review.docx" and the ".<name>.<random>.tmp" of an atomic write, under 255 bytes


def safe_stem(stem: str) -> str:
    """``stem`` usable as a file name on any system: separators, reserved and control/invisible characters
    become ``_``, leading dots and spaces go (no hidden files, no ``..``), at most :data:`MAX_STEM`
    characters (:data:`MAX_STEM_BYTES` in UTF-8); letters of every script and spaces are kept."""
    import unicodedata

    chars = [
        "_" if c in _UNSAFE_IN_NAMES or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else c
        for c in stem
    ]
    clean = "".join(chars).lstrip(". ")[:MAX_STEM]
    clean = clean.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(". ")
    return clean or "document"


def output_subfolders(folders: Sequence[Path]) -> dict[Path, str]:
    """A distinct, safe output subfolder name per applicant folder (its name; parent-name prefix on clashes)."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for f in folders:
        resolved = f.resolve()
        base = _safe_name(resolved.name) or "applicant"
        name = base if base not in taken else _safe_name(f"{resolved.parent.name}-{base}")
        n = 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        names[f] = name
    return names


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")


def write_folder(result: FolderResult, out: Path, formats: Sequence[str], *, protect: Iterable[Path] = (),
                 stems: Mapping[Path, str] | None = None, only: Collection[Path] | None = None) -> list[Path]:
    """Every document's feedback plus ``application.review.*`` for one applicant folder.

    ``stems``: output stems per source (default :func:`output_stems` over every listed document, so a
    document's output names do not depend on which others could be read). ``only``: the sources whose
    feedback is written (default all); the others' files are already on disk (the batch's unchanged
    documents). A document whose feedback cannot be written is a failure in the application review and
    in ``result.errors``; the application report itself failing, or a full or read-only disk, raises."""
    protect = list(protect)
    stems = stems if stems is not None else output_stems(result.files or [r.source for r in result.reviewed])
    files: dict[str, str] = {}
    written: list[Path] = []
    failures: list[DocumentFailure] = []
    for item in result.reviewed:
        if only is not None and item.source not in only:
            files[item.document.path] = f"{stems[item.source]}{REVIEW_SUFFIX}.{next(iter(formats))}"
            continue
        try:
            paths = write_review(item, out, formats, stem=stems[item.source], protect=protect)
        except ReviewerError as exc:  # one document's feedback failing must not cost the others theirs
            if isinstance(exc, OutputError) and exc.fatal:  # the disk is full or read-only: so would theirs
                raise
            failures.append(DocumentFailure(path=str(item.source), error=f"feedback not written: {exc}",
                                            kind=type(exc).__name__))
            result.errors[item.source] = str(exc)
            continue
        files[item.document.path] = paths[0].name
        written.extend(paths)
    assert result.application is not None
    if failures:
        result.application = result.application.model_copy(
            update={"failures": (*result.application.failures, *failures)})
    written.extend(write_application(result.application, out, formats, files, protect=protect))
    return written


def write_review(item: Reviewed, out: Path, formats: Iterable[str], *, stem: str | None = None,
                 protect: Iterable[Path] = ()) -> list[Path]:
    """Render one review in each format (by the format registry) into ``out``; returns the written paths."""
    from .render.registry import output_format

    stem = stem or item.source.stem
    protect = list(protect)
    written: list[Path] = []
    for name in formats:
        fmt = output_format(name)
        target = out / f"{stem}{REVIEW_SUFFIX}.{fmt.name}"
        fmt.write_review(item.review, item.document, target, source=item.source, protect=protect)
        written.append(target)
    return written


def write_application(app: ApplicationReview, out: Path, formats: Iterable[str],
                      review_files: dict[str, str] | None = None, *, protect: Iterable[Path] = ()) -> list[Path]:
    """``application.review.<format>`` for each requested format that has an application renderer (Markdown
    when none has: DOCX and HTML are per document only)."""
    from .render.registry import application_formats, output_format

    written: list[Path] = []
    protect = list(protect)
    for name in application_formats(list(formats)):
        target = out / f"{APPLICATION_STEM}{REVIEW_SUFFIX}.{name}"
        output_format(name).write_application(app, target, review_files or {}, protect=protect)
        written.append(target)
    return written


__all__ = [
    "CURRENT_DOCUMENT",
    "FolderResult",
    "Prior",
    "Reviewed",
    "applicant_name",
    "application_review",
    "check_cache",
    "discover",
    "folder_text_digests",
    "output_stems",
    "output_subfolders",
    "plan_folder_calls",
    "read_manifest",
    "review_document",
    "review_file",
    "review_folder",
    "safe_stem",
    "write_application",
    "write_folder",
    "write_review",
]
