"""What the page shows in words: error lines as the CLI prints them, which engine judged, and reviews that name
documents as the applicant does.

A review runs on copies in the session's temporary folder, so every path the pipeline records (in a review, an
error, the application report) starts with that folder. :func:`relabel` and :func:`error_line` take it off:
``error: ps.docx: damaged or incomplete Word file (re-save it from Word as .docx)`` is exactly the line
``reviewer review ps.docx`` prints, and the downloaded JSON and Markdown name ``ps.docx``, not a temporary path.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import printable

if TYPE_CHECKING:
    from ..findings import ApplicationReview, CriterionResult, DocumentFailure, Finding, Review
    from ..pipeline import FolderResult, Reviewed
    from ..settings import Settings

DEFAULT_APPLICANT = "Your application"


def strip_folder(text: str, folder: Path | None) -> str:
    """``text`` with the temporary ``folder``, and the folders inside it, taken off every path in it: a file is
    named as the applicant named it (as the CLI names a file given relative to where it runs)."""
    if folder is None:
        return text
    for prefix in sorted({str(folder), printable(str(folder)), str(folder.resolve())}, key=len, reverse=True):
        text = re.sub(re.escape(prefix + os.sep) + r"(?:[^/\\\s]+[/\\])*", "", text)
    return text


def error_line(err: BaseException | str, folder: Path | None = None) -> str:
    """The one line the CLI prints for ``err``: ``error: <file>: <what> (<what to do>)``.

    A :class:`~reviewer.errors.ReviewerError`'s message as it is; any other exception as an internal error
    naming only its type and message, never a traceback."""
    from ..errors import ReviewerError

    if isinstance(err, str):
        text = err
    elif isinstance(err, ReviewerError):
        text = str(err)
    else:
        text = f"internal error: {type(err).__name__}: {err}"
    text = " ".join(strip_folder(text, folder).split())
    return text if text.startswith("error: ") else f"error: {text}"


def engine_label(settings: Settings) -> str:
    """The engine a review will use, in words, for the page and its progress line."""
    if settings.engine == "rules":
        return "rules engine (offline: no model, nothing leaves this computer)"
    where = settings.base_url or "OpenAI"
    return f"{settings.engine} engine: rules + model {settings.model} at {where}"


def judged_by(review: Review) -> str:
    """Which engine judged ``review``, from the review itself (a model that fell back to rules says so)."""
    if review.llm is None:
        return "the rules engine (offline)"
    fallbacks = sum(c.status == "fallback" for c in review.llm.calls)
    text = f"the {review.engine} engine: rules + model {review.llm.model} at {review.llm.endpoint}"
    if fallbacks:
        text += f" ({fallbacks} rubric(s) fell back to the rules: see the notes)"
    return text


def _name(path: str, folder: Path) -> str:
    return strip_folder(path, folder)


def _review(review: Review, folder: Path) -> Review:
    doc = review.document.model_copy(update={"path": _name(review.document.path, folder)})
    notes = tuple(strip_folder(n, folder) for n in review.notes)
    return review.model_copy(update={"document": doc, "notes": notes,
                                     "criteria": tuple(_criterion(c, folder) for c in review.criteria),
                                     "findings": tuple(_finding(f, folder) for f in review.findings)})


def _criterion(c: CriterionResult, folder: Path) -> CriterionResult:
    return c.model_copy(update={"message": strip_folder(c.message, folder)})


def _finding(f: Finding, folder: Path) -> Finding:
    update = {"message": strip_folder(f.message, folder), "suggestion": strip_folder(f.suggestion, folder)}
    if f.document is not None:
        update["document"] = _name(f.document, folder)
    return f.model_copy(update=update)


def _failure(f: DocumentFailure, folder: Path) -> DocumentFailure:
    return f.model_copy(update={"path": _name(f.path, folder), "error": strip_folder(f.error, folder)})


def _reviewed(item: Reviewed, folder: Path) -> Reviewed:
    doc = item.document.model_copy(update={"path": _name(item.document.path, folder)})
    return replace(item, document=doc, review=_review(item.review, folder))


def _application(app: ApplicationReview, folder: Path, applicant: str | None) -> ApplicationReview:
    return app.model_copy(update={
        "applicant": applicant or DEFAULT_APPLICANT,
        "path": applicant or DEFAULT_APPLICANT,
        "documents": tuple(d.model_copy(update={"path": _name(d.path, folder)}) for d in app.documents),
        "criteria": tuple(_criterion(c, folder) for c in app.criteria),
        "findings": tuple(_finding(f, folder) for f in app.findings),
        "failures": tuple(_failure(f, folder) for f in app.failures),
        "reviews": tuple(_review(r, folder) for r in app.reviews),
    })


def relabel(result: FolderResult, folder: Path, applicant: str | None = None) -> FolderResult:
    """``result`` with every document named by its file name instead of its temporary path, and the applicant
    called ``applicant`` (or :data:`DEFAULT_APPLICANT`). Sources keep their real paths: the DOCX renderer
    reopens them."""
    result.reviewed = [_reviewed(r, folder) for r in result.reviewed]
    if result.application is not None:
        result.application = _application(result.application, folder, applicant)
    result.errors = {p: strip_folder(e, folder) for p, e in result.errors.items()}
    return result


__all__ = ["DEFAULT_APPLICANT", "engine_label", "error_line", "judged_by", "relabel", "strip_folder"]
