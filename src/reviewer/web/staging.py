"""Documents waiting for review: an upload or a pasted text becomes a file in the session, checked at once.

An uploaded file is saved under a safe name (its own name as far as possible: the feedback files are named
after it) and read once through :func:`reviewer.ingest.load_document`, exactly as ``reviewer review`` would
read it, so a damaged, renamed, encrypted, oversized or hostile file is refused now, with the CLI's own
one-line error, before it is staged. The kind is guessed from the name as the CLI does
(:func:`reviewer.kinds.kind_from_name`; entries files are experience) and can be changed on the page.

The limits are the CLI's (:data:`MAX_FILE_BYTES` per file, the text limits of ingest for pasted text) plus
one of the page: at most :data:`MAX_DOCUMENTS` documents in a review.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from ..document import DocKind
from ..errors import InputError, KindError, ReviewerError
from ..ingest import ENTRY_SUFFIXES, load_document
from ..ingest.preflight import MAX_BYTES
from ..kinds import MANIFEST, kind_from_name, parse_kind
from ..pipeline import REVIEW_SUFFIX, safe_stem
from .session import Session, Staged

MAX_DOCUMENTS = 10  # documents in one review (an applicant has five or six)
MAX_FILE_BYTES = MAX_BYTES  # the CLI's pre-flight cap per file
MAX_PASTE_BYTES = 2 * 1024 * 1024  # a pasted text's form field (ingest's own text limits apply after)
MAX_REQUEST_BYTES = MAX_DOCUMENTS * MAX_FILE_BYTES + 1024 * 1024  # one upload request, all files together
PASTED = "Pasted text"

KIND_LABELS = {
    DocKind.PERSONAL_STATEMENT: "Personal statement",
    DocKind.EXPERIENCE: "Experience entries",
    DocKind.ADDITIONAL_INFO: "Additional information",
    DocKind.INTERVIEW_ANSWER: "Interview answer",
}

_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
# Names an applicant folder review would not treat as a document (discover() skips them, or reads the
# manifest): a draft called README.md or application.yaml is renamed instead of being left out.
_RESERVED = frozenset({MANIFEST, "readme.md", "readme.txt"})


def guess_kind(name: str) -> DocKind | None:
    """The kind the CLI would give ``name`` without ``--kind`` or a manifest; entries files are experience."""
    path = Path(name)
    return kind_from_name(path) or (DocKind.EXPERIENCE if path.suffix.lower() in ENTRY_SUFFIXES else None)


def document_name(filename: str, taken: Iterable[str]) -> str:
    """A safe file name for an uploaded ``filename`` (as a browser sent it: maybe a full Windows path), distinct
    from ``taken`` without regard to case, and one an applicant folder review reads as a document (not the
    manifest, a README or one of this tool's outputs)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or not _SUFFIX.match("." + suffix):
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    stem = safe_stem(stem.lstrip("~$")).replace(REVIEW_SUFFIX, "-review")
    if (stem + suffix).casefold() in _RESERVED:
        stem = f"{stem}-draft"
    used = {t.casefold() for t in taken}
    name, n = stem + suffix, 2
    while name.casefold() in used:
        name, n = f"{stem}-{n}{suffix}", n + 1
    return name


def provisional_kind(name: str, kind: DocKind | None) -> DocKind:
    """The kind a file is read as before its kind is settled: its guess, else what its format holds."""
    if kind is not None:
        return kind
    return DocKind.EXPERIENCE if Path(name).suffix.lower() in ENTRY_SUFFIXES else DocKind.PERSONAL_STATEMENT


def check_room(session: Session, adding: int) -> None:
    """Refuse more than :data:`MAX_DOCUMENTS` documents in one review (those of earlier rounds count: they are
    reviewed again with the new ones)."""
    if len(session.documents) + adding > MAX_DOCUMENTS:
        raise InputError(f"too many documents: at most {MAX_DOCUMENTS} in one review",
                         hint="remove some, or review the others afterwards")


def stage_file(session: Session, filename: str, data: bytes | BinaryIO, *, shown: str | None = None,
               kind: DocKind | None = None) -> Staged:
    """Save ``data`` (bytes, or a file to copy) as a staged document and read it as the CLI would; an unreadable
    file is removed again and its :class:`~reviewer.errors.ReviewerError` raised (naming the file by its staged
    name)."""
    name = document_name(filename, session.documents)
    path = session.staging / name
    with path.open("wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            shutil.copyfileobj(data, fh)
    kind = kind or guess_kind(name)
    try:
        load_document(path, provisional_kind(name, kind))
    except ReviewerError:
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:  # a parser's own failure is still one line, never a traceback
        path.unlink(missing_ok=True)
        raise InputError(f"cannot read the file: {type(exc).__name__}", path=path,
                         hint="re-save it, or paste its text instead") from exc
    staged = Staged(id=secrets.token_hex(6), name=name, shown=shown or filename, kind=kind)
    session.staged.append(staged)
    return staged


def stage_text(session: Session, text: str, kind_value: str) -> Staged:
    """A pasted draft, saved as a UTF-8 ``.txt`` of the chosen kind."""
    if not kind_value:
        raise KindError("choose what kind of document the pasted text is", path=PASTED,
                        hint="pick a kind next to the text box")
    kind = parse_kind(kind_value)
    if not text.strip():
        raise InputError("empty text", path=PASTED, hint="paste your draft in the box, or choose a file")
    check_room(session, 1)
    return stage_file(session, f"pasted_{kind.value}.txt", text.replace("\r\n", "\n").encode("utf-8"),
                       shown=PASTED, kind=kind)


def set_kind(staged: Staged, value: str) -> None:
    """The kind chosen on the page ('' leaves it unknown)."""
    staged.kind = parse_kind(value) if value else None


def unstage(session: Session, staged_id: str) -> None:
    for s in list(session.staged):
        if s.id == staged_id:
            session.staged.remove(s)
            (session.staging / s.name).unlink(missing_ok=True)


def require_kinds(staged: Iterable[Staged]) -> None:
    """Every staged document needs a kind before it is reviewed."""
    for s in staged:
        if s.kind is None:
            raise KindError("cannot tell what kind of document this is", path=s.name,
                            hint="choose its kind in the list")


__all__ = ["KIND_LABELS", "MAX_DOCUMENTS", "MAX_FILE_BYTES", "MAX_PASTE_BYTES", "MAX_REQUEST_BYTES", "PASTED",
           "check_room", "document_name", "guess_kind", "provisional_kind", "require_kinds", "set_kind",
           "stage_file", "stage_text", "unstage"]
