"""The composition root: paths in, reviews and written feedback out.

``review_document`` is the pure core (Document -> Review); ``review_file`` and ``review_folder`` add
ingest, kind resolution and the folder's manifest; ``write_review`` / ``write_application`` hand the
values to the renderers and write every output atomically. A document that cannot be read becomes a
:class:`~reviewer.findings.DocumentFailure` in its folder's application review: the others are still
reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .llm import Judge, LLMConfig, LLMOutcome, MethodMemory

from .checks.registry import Context
from .checks.rules import review_application_rules, review_rules
from .document import DocKind, Document
from .errors import ReviewerError
from .findings import ApplicationReview, DocumentFailure, DocumentInfo, LLMCall, LLMReport, Review
from .fsio import atomic_write_text
from .kinds import MANIFEST, Manifest, load_manifest, resolve_kind
from .rubric import RubricSet
from .settings import Settings

REVIEW_SUFFIX = ".review"
APPLICATION_STEM = "application"


@dataclass(frozen=True)
class Reviewed:
    """One document's review together with what produced it (for renderers that need the source)."""

    source: Path
    document: Document
    review: Review


@dataclass
class FolderResult:
    folder: Path
    reviewed: list[Reviewed] = field(default_factory=list)
    application: ApplicationReview | None = None

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
    )


def make_engine(settings: Settings) -> Engine:
    if settings.engine == "rules":
        return RULES
    from .llm import MethodMemory, make_judge

    config = llm_config(settings)
    judge = None if config.dry_run else make_judge(config)
    return Engine(settings.engine, config, judge, MethodMemory(config.cache_dir))


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
    )


def review_file(path: Path, rubrics: RubricSet, settings: Settings, *, kind: DocKind | None = None,
                manifest: Manifest | None = None, target: str | None = None, engine: Engine | None = None) -> Reviewed:
    from .ingest import load_document

    doc_kind = resolve_kind(path, kind, manifest)
    doc = load_document(path, doc_kind)
    chosen = target or (manifest.target if manifest and manifest.target else None) or settings.target
    engine = engine if engine is not None else make_engine(settings)
    names = (manifest.applicant,) if manifest and manifest.applicant else ()
    return Reviewed(path, doc, review_document(doc, rubrics, target=chosen, engine=engine, names=names))


# Documents in formats we cannot read are still listed (as failures saying how to convert them) rather than
# skipped in silence: an applicant who saved a statement as .doc must hear that it was not reviewed.
UNREADABLE_DOCUMENT_SUFFIXES = frozenset({".doc", ".rtf", ".odt", ".pages", ".wps", ".dotx", ".docb"})


def discover(folder: Path) -> list[Path]:
    """The documents of an applicant folder: supported suffixes plus word-processor files we cannot read
    (reported, not skipped); not hidden files, not Word lock files, not the manifest, not our own outputs."""
    from .ingest import SUPPORTED_SUFFIXES

    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "~$")) or not p.is_file() or p.name == MANIFEST:
            continue
        if REVIEW_SUFFIX + "." in p.name or p.name.lower() in ("readme.md", "readme.txt"):
            continue
        suffix = p.suffix.lower()
        if suffix in SUPPORTED_SUFFIXES or suffix in UNREADABLE_DOCUMENT_SUFFIXES:
            out.append(p)
    return out


def review_folder(folder: Path, rubrics: RubricSet, settings: Settings, *, target: str | None = None,
                  engine: Engine | None = None) -> FolderResult:
    """Review every document of one applicant, then the application-level criteria across them."""
    result = FolderResult(folder)
    engine = engine if engine is not None else make_engine(settings)
    failures: list[DocumentFailure] = []
    manifest: Manifest | None = None
    try:
        manifest = load_manifest(folder)
    except ReviewerError as exc:
        failures.append(DocumentFailure(path=str(folder / MANIFEST), error=str(exc), kind="manifest"))
    files = discover(folder)
    if manifest:
        present = {p.name for p in files}
        failures.extend(
            DocumentFailure(path=str(folder / name), error=f"{folder / name}: listed in {MANIFEST} but not found",
                            kind="missing")
            for name in manifest.documents if name not in present
        )
    for path in files:
        try:
            result.reviewed.append(review_file(path, rubrics, settings, manifest=manifest, target=target,
                                               engine=engine))
        except ReviewerError as exc:
            failures.append(DocumentFailure(path=str(path), error=str(exc), kind=type(exc).__name__))
    docs = [r.document for r in result.reviewed]
    results, findings = review_application_rules(docs, rubrics)
    result.application = ApplicationReview(
        applicant=(manifest.applicant if manifest and manifest.applicant else folder.resolve().name),
        path=str(folder),
        documents=tuple(r.review.document for r in result.reviewed),
        criteria=tuple(results),
        findings=tuple(findings),
        failures=tuple(failures),
        reviews=tuple(r.review for r in result.reviewed),
    )
    return result


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


def write_folder(result: FolderResult, out: Path, formats: Sequence[str], *,
                 protect: Iterable[Path] = ()) -> list[Path]:
    """Every document's feedback plus ``application.review.*`` for one applicant folder."""
    protect = list(protect)
    stems = output_stems([r.source for r in result.reviewed])
    files: dict[str, str] = {}
    written: list[Path] = []
    failures: list[DocumentFailure] = []
    for item in result.reviewed:
        try:
            paths = write_review(item, out, formats, stem=stems[item.source], protect=protect)
        except ReviewerError as exc:  # one document's feedback failing must not cost the others theirs
            failures.append(DocumentFailure(path=str(item.source), error=f"feedback not written: {exc}",
                                            kind=type(exc).__name__))
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
    """Render one review in each format into ``out``; returns the written paths."""
    stem = stem or item.source.stem
    protect = [item.source, *protect]
    written: list[Path] = []
    for fmt in formats:
        target = out / f"{stem}{REVIEW_SUFFIX}.{fmt}"
        if fmt == "json":
            from .render.json import review_json_text

            atomic_write_text(target, review_json_text(item.review), protect=protect)
        elif fmt == "md":
            from .render.markdown import review_markdown

            atomic_write_text(target, review_markdown(item.review, item.document), protect=protect)
        elif fmt == "docx":
            from .render.docx import render_docx

            is_docx = item.source.suffix.lower() in (".docx", ".docm")
            render_docx(item.review, item.document, target, source=item.source if is_docx else None,
                        protect=protect)
        written.append(target)
    return written


def write_application(app: ApplicationReview, out: Path, formats: Iterable[str],
                      review_files: dict[str, str] | None = None, *, protect: Iterable[Path] = ()) -> list[Path]:
    """``application.review.json|md`` (DOCX is per document only)."""
    written: list[Path] = []
    fmts = list(formats)
    if "json" in fmts:
        from .render.json import application_json_text

        target = out / f"{APPLICATION_STEM}{REVIEW_SUFFIX}.json"
        atomic_write_text(target, application_json_text(app, review_files or {}), protect=protect)
        written.append(target)
    if "md" in fmts or "json" not in fmts:
        from .render.markdown import application_markdown

        target = out / f"{APPLICATION_STEM}{REVIEW_SUFFIX}.md"
        atomic_write_text(target, application_markdown(app, review_files or {}), protect=protect)
        written.append(target)
    return written


__all__ = [
    "FolderResult",
    "Reviewed",
    "discover",
    "output_stems",
    "output_subfolders",
    "review_document",
    "review_file",
    "review_folder",
    "safe_stem",
    "write_application",
    "write_folder",
    "write_review",
]
