"""Which document texts were sent to a model for an applicant: ``OUT/<applicant>/.reviewer-texts``.

Model-cache entries are keyed by hashes and record only the digest of the text they judged
(:mod:`reviewer.llm.cache`), so ``reviewer purge`` finds an applicant's entries by digest. The store knows
the digests of recorded rounds, but a batch killed after the model answered and before the round was
recorded leaves a cache entry (quoting the draft) that no round names. So before a document goes to the
model, the batch appends its text digest here, durably (one ``O_APPEND`` line, fsynced): whatever the
cache holds about an applicant, this file or the store names it.

The file holds digests only (64 hex characters a line), lives in the applicant's output folder (one
writer: the task that owns that folder) and is deleted with it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..document import Document
from ..errors import OutputError

TEXT_INDEX = ".reviewer-texts"


def note_text(folder: Path, document: Document) -> None:
    """Append ``document``'s text digest to ``folder``'s index before a model sees it (raises
    :class:`OutputError` when it cannot: the document then fails, and nothing is sent)."""
    path = folder / TEXT_INDEX
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{document.text_digest}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError.from_os(exc, path) from exc


def read_texts(folder: Path) -> set[str]:
    """The digests in ``folder``'s index (empty when there is none)."""
    path = folder / TEXT_INDEX
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise OutputError.from_os(exc, path, doing="cannot read") from exc
    return {line.strip() for line in text.splitlines() if line.strip()}


__all__ = ["TEXT_INDEX", "note_text", "read_texts"]
