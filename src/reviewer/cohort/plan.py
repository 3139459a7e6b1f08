"""Planning, in the batch process: what must be done for one applicant, decided without parsing anything.

For each document: the bytes' sha256, its kind (manifest or name) and the target give its digests; equal
to the latest stored round, with every output on disk, it is ``REUSE``d (read again only if the
application-level review must be redone); equal but an output missing, the stored review is ``RENDER``ed
again (never re-judged: no model call is repeated); otherwise it is ``REVIEW``ed. With ``retry_fallbacks``
an unchanged document whose latest round has rubrics that fell back to the rules (the model failed or did
not answer) is reviewed again (``RETRY``): the model cache answers the rubrics it judged, so only those
that fell back are sent again, and the new review replaces that round. An applicant whose documents are
all reused and whose application-level inputs (:func:`application_digest`) are unchanged is skipped whole.

A changed document is compared with its previous round only when that round is this applicant's: the
name the applicant's manifest gives must be the one the store recorded for the id (a manifest added or
removed since, leaving only the folder's name on one side, does not count). Otherwise the new round
starts afresh, with a note saying why (:data:`NEW_HISTORY_NOTE`); it never quotes another person's draft
as "since your last draft".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from ..errors import ReviewerError
from ..findings import Review
from ..ingest.listing import folder_problems, list_folder, refuse_linked_applicant
from ..kinds import MANIFEST, Manifest, load_manifest, resolve_kind
from ..pipeline import APPLICATION_STEM, REVIEW_SUFFIX, applicant_name, chosen_target, output_stems
from ..settings import Settings
from ..store import Digests, Store, StoredRound, fallback_count
from .summary import ApplicantSummary, DocSummary, Status


class Action(StrEnum):
    REVIEW = "review"  # new or changed: review it
    RETRY = "retry"  # same, but some rubrics fell back to the rules: review again, replacing that round
    RENDER = "render"  # same as its latest round but an output is missing: render the stored review
    REUSE = "reuse"  # same and complete: read it only for the application-level checks

    @property
    def reviews(self) -> bool:
        """Does this action review the document (and write its outputs)?"""
        return self in (Action.REVIEW, Action.RETRY)


def engine_digest(settings: Settings) -> str:
    """``rules``, or the engine with what decides its answers (model, base URL, the score thresholds when
    set) when it calls a model: a change to any of them reviews the documents again."""
    if settings.engine == "rules":
        return "rules"
    parts = [settings.engine, *(str(getattr(settings, k, None) or "") for k in ("model", "base_url"))]
    if settings.thresholds:
        parts.append(json.dumps({k: v.model_dump() for k, v in settings.thresholds.items()}, sort_keys=True))
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
    from ..render.registry import application_formats

    return [out / f"{APPLICATION_STEM}{REVIEW_SUFFIX}.{fmt}" for fmt in application_formats(formats)]


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
    note: str | None = None  # added to every new review (why it is not compared with an earlier round)


NEW_HISTORY_NOTE = ("Not compared with earlier drafts: the earlier rounds recorded for this folder are of an "
                    "applicant with another name, so this review starts a new revision history.")


def display_name(folder: Path, manifest: Manifest | None) -> str:
    return applicant_name(folder, manifest)


def same_person(recorded: str | None, name: str, folder: str) -> bool:
    """Is ``name`` (the applicant's name now) the applicant the store recorded? Case and spacing do not
    count; anything else does, except where either name is only the folder's (``folder``): a manifest
    added or removed says nothing about who the applicant is."""
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    if recorded is None or norm(folder) in (norm(recorded), norm(name)):
        return True
    return norm(recorded) == norm(name)


Plan = tuple[ApplicantTask | None, ApplicantSummary]


def plan_applicant(folder: Path, applicant: str, out: Path, store: Store | None, settings: Settings, *,
                   rubric_digest: str, engine: str, target: str | None, retry_fallbacks: bool = False) -> Plan:
    """Decide per document what to do; ``(None, summary)`` when the whole applicant is unchanged.

    Without a store (a dry run before the first batch) everything is new. A folder that is a link is refused
    here, so that no caller (the batch, its dry run, an export) follows it."""
    refuse_linked_applicant(folder)
    manifest: Manifest | None = None
    manifest_ok = True
    try:
        manifest = load_manifest(folder)
    except ReviewerError:
        manifest_ok = False
    listing = list_folder(folder)
    files = list(listing.documents)
    stems = output_stems(files)
    latest = store.latest_rounds(applicant) if store is not None else {}
    person = display_name(folder, manifest)
    recorded = store.applicant(applicant) if store is not None and latest else None
    note = None
    if recorded is not None and not same_person(recorded[0], person, display_name(folder, None)):
        latest, note = {}, NEW_HISTORY_NOTE  # nothing of the earlier rounds is reused or compared
    chosen = chosen_target(target, manifest, settings)
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
                and stored.digests == Digests(sha, rubric_digest, engine, context_digest(kind, chosen)))
        if not same:
            plans.append(DocPlan(name, stem, Action.REVIEW, sha, stored.round if stored else None,
                                 previous_review(store, stored)))
            continue
        assert stored is not None
        if retry_fallbacks and engine != "rules" and fell_back(store, stored):
            earlier = stored.round - 1 if stored.round > 1 else None
            plans.append(DocPlan(name, stem, Action.RETRY, sha, earlier,
                                 previous_review(store, replace(stored, round=earlier)) if earlier else None))
            continue
        complete = all(p.is_file() for p in expected_outputs(out, stem, settings.formats))
        plans.append(DocPlan(name, stem, Action.REUSE if complete else Action.RENDER, sha, stored.round, None))
        unchanged.append(stored_summary(stored, stem))
    missing = tuple(folder_problems(folder, listing, manifest))
    app_digest = application_digest(folder, plans, rubric_digest, engine, chosen)
    if (manifest_ok and all(p.action is Action.REUSE for p in plans)
            and store is not None and store.application_digest(applicant) == app_digest
            and all(p.is_file() for p in application_outputs(out, settings.formats))):
        return None, ApplicantSummary(applicant, person, tuple(unchanged), missing, application=True)
    # The worker needs the stored reviews of the unchanged documents too, for the application review.
    docs = tuple(p if p.action.reviews else
                 DocPlan(p.name, p.stem, p.action, p.sha256, p.previous_round,
                         previous_review(store, latest[p.name]))
                 for p in plans)
    task = ApplicantTask(applicant, folder, out, docs, settings.formats, engine, app_digest, target, note)
    return task, ApplicantSummary(applicant, person, ())


def previous_review(store: Store | None, stored: StoredRound | None) -> Review | None:
    """The stored review of ``stored``'s round; None when there is none or it no longer parses (a store
    written by another version): the document is then reviewed afresh, without a revision summary."""
    if store is None or stored is None:
        return None
    try:
        return store.review(stored.applicant, stored.document, stored.round)
    except ValueError:  # pydantic.ValidationError is one
        return None


def fell_back(store: Store | None, stored: StoredRound) -> bool:
    """Did some rubric of ``stored``'s round fall back to the rules? (Rounds recorded before the count was
    kept are read to find out.)"""
    if stored.fallbacks is not None:
        return stored.fallbacks > 0
    review = previous_review(store, stored)
    return review is not None and fallback_count(review) > 0


def application_digest(folder: Path, plans: Sequence[DocPlan], rubric_digest: str, engine: str, target: str) -> str:
    """What the application-level review depends on: which documents there are and their bytes, the
    manifest, the rubrics, the engine and the target. A document added, removed or edited changes it."""
    manifest = folder / MANIFEST
    try:
        manifest_sha = file_sha256(manifest) if manifest.is_file() else ""
    except OSError:
        manifest_sha = "unreadable"
    parts = [rubric_digest, engine, target, manifest_sha,
             *sorted(f"{p.name}:{p.sha256}" for p in plans)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def stored_summary(stored: StoredRound, stem: str | None) -> DocSummary:
    return DocSummary(stored.document, Status.UNCHANGED, stored.kind, stored.round, stem, None, stored.resolved,
                      stored.persisting, stored.new, stored.fails, stored.warns, stored.fallbacks or 0)


