"""Ingest: a file on disk in, a :class:`~reviewer.document.Document` out.

:func:`load_document` reads the file once, runs :mod:`.preflight` on the bytes (so damaged, renamed,
encrypted or legacy files fail with one clear line before any parser sees them), hashes the bytes
(``Document.sha256``) and dispatches by suffix to one module per format. Parsers (python-docx's lxml,
pypdf, ruamel.yaml, markdown-it) are imported inside those modules' functions, so ``import
reviewer.ingest`` stays cheap for commands that never read a document.

The source file is only read, never written or touched.

Limits (each refusal is one InputError line naming the file and what to do, reached in well under a
second with bounded memory; ``tests/adversarial/`` proves it on a generated hostile corpus):

* any file: a regular file, or a link to one inside its own folder; links out of it, broken links, FIFOs,
  sockets and devices are refused without being opened (:mod:`reviewer.safeopen`; folders are listed by
  :func:`.listing.list_folder`, which names every such entry instead of skipping it);
* any file: 20 MB (:data:`.preflight.MAX_BYTES`); magic bytes must match the suffix (renamed PDF/DOCX,
  legacy ``.doc``, password-protected Office files, RTF);
* Word packages (:mod:`.preflight`): 2,000 entries, 100 MB inflated in total, 8 MB per XML part,
  compression ratio 200 for entries over 1 MB, every entry inflated once under a hard cap (declared
  sizes verified), no encrypted entries or duplicate names, no DTD or entity declarations in any XML
  part, libxml2's nesting limit (256) reported as "nested too deeply"; macro parts never read; nested
  archives never opened; at most 20,000 paragraph and 100,000 run elements (counted before the walk);
* text: UTF-8 only, 250,000 source characters and 20,000 lines before Markdown parsing; YAML/JSON
  entries at most 64 brackets deep;
* PDF: 50 pages, 5 s to extract (an alarm in the main thread, checks between pages elsewhere);
* every document: 200,000 characters and 10,000 paragraphs (:data:`.memory.MAX_TEXT_CHARS`,
  :data:`.memory.MAX_BLOCKS`), measured before YAML aliases can multiply text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..document import DocKind, Document
from ..errors import InputError

DOCUMENT_SUFFIXES = frozenset({".docx", ".docm", ".txt", ".md", ".pdf"})
ENTRY_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".csv"})  # structured experience entries
SUPPORTED_SUFFIXES = DOCUMENT_SUFFIXES | ENTRY_SUFFIXES

__all__ = ["DOCUMENT_SUFFIXES", "ENTRY_SUFFIXES", "SUPPORTED_SUFFIXES", "load_document", "supported"]


def supported(path: Path, kind: DocKind | None = None) -> bool:
    """Whether ``path``'s suffix can be ingested (as ``kind``, when given): for folder scanning."""
    suffix = path.suffix.lower()
    if suffix in ENTRY_SUFFIXES:
        return kind in (None, DocKind.EXPERIENCE)
    return suffix in DOCUMENT_SUFFIXES


def _check_suffix(path: Path, suffix: str, kind: DocKind) -> None:
    if suffix in ENTRY_SUFFIXES and kind is not DocKind.EXPERIENCE:
        raise InputError(
            f"{suffix} files hold experience entries, not a {kind.value.replace('_', ' ')}",
            path=path,
            hint="review it as kind 'experience', or use a .docx/.txt/.md/.pdf",
        )
    if suffix not in SUPPORTED_SUFFIXES and suffix != ".doc":
        shown = f"file type {suffix}" if suffix else "file without an extension"
        raise InputError(f"unsupported {shown}", path=path, hint="save it as .docx, .pdf, .txt or .md")


def load_document(path: Path, kind: DocKind) -> Document:
    """Read one document of ``kind`` from ``path``.

    Raises :class:`InputError` (one line naming the file, with a hint) for anything unreadable.
    """
    from .preflight import check_magic, read_checked

    path = Path(path)
    suffix = path.suffix.lower()
    if path.exists() and not path.is_dir():
        _check_suffix(path, suffix, kind)
    data = read_checked(path)
    check_magic(data, path, suffix)
    sha256 = hashlib.sha256(data).hexdigest()
    if suffix in (".docx", ".docm"):
        from .docx import load_docx

        return load_docx(path, kind, data, sha256)
    if suffix in (".txt", ".md"):
        from .text import load_text

        return load_text(path, kind, data, sha256, markdown=suffix == ".md")
    if suffix == ".pdf":
        from .pdf import load_pdf

        return load_pdf(path, kind, data, sha256)
    from .entries import load_structured

    return load_structured(path, data, sha256)
