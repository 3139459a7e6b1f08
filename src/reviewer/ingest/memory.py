"""Documents from in-memory text and entry records: shared by the text/entries ingesters and tests.

Plain text is split into blocks at blank lines (a single newline inside a paragraph is a soft wrap and
becomes a space, as in Markdown). Experience entries become a heading block (the title line) followed by
the description's paragraphs; each :class:`~reviewer.document.Entry` points at its description span.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..document import BLOCK_SEPARATOR, DocKind, Document, HiddenSpan, SourceFormat, Story
from ..errors import InputError
from ..segment import RawBlock, build_document, normalise_block_text

_BLANK = re.compile(r"\n[ \t]*\n+")
# Characters of text in one document: ERAS caps a personal statement at 28,000 characters; this leaves
# room for a long experience file while bounding the review's time (segmentation runs at ~250,000
# characters a second) and every later stage's.
MAX_TEXT_CHARS = 200_000
MAX_BLOCKS = 10_000  # paragraphs (a 500-entry experience file has ~1,000)


def too_much_text(path: Path | str, chars: int) -> InputError:
    """The one refusal for a document with more text than :data:`MAX_TEXT_CHARS`."""
    return InputError(
        f"too much text: {chars:,} characters, limit {MAX_TEXT_CHARS:,}",
        path=path,
        hint="review only the application document (a personal statement is at most 28,000 characters)",
    )


def check_size(path: Path | str, blocks: Sequence[RawBlock]) -> None:
    """Refuse a document over :data:`MAX_BLOCKS` paragraphs or :data:`MAX_TEXT_CHARS` characters of text."""
    if len(blocks) > MAX_BLOCKS:
        raise InputError(
            f"too many paragraphs: {len(blocks):,}, limit {MAX_BLOCKS:,}",
            path=path,
            hint="review only the application document, with its paragraphs separated by blank lines",
        )
    chars = sum(len(b.text) for b in blocks) + len(BLOCK_SEPARATOR) * max(len(blocks) - 1, 0)
    if chars > MAX_TEXT_CHARS:
        raise too_much_text(path, chars)


def text_blocks(text: str) -> list[RawBlock]:
    """Blank-line separated paragraphs, soft wraps joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [RawBlock(normalise_block_text(p)) for p in _BLANK.split(text) if p.strip()]


def assemble(
    *,
    path: Path,
    kind: DocKind,
    source_format: SourceFormat,
    sha256: str,
    blocks: list[RawBlock],
    hidden: Sequence[HiddenSpan] = (),
    stories: Sequence[Story] = (),
    metadata: dict[str, str] | None = None,
) -> Document:
    """The last step of every file reader: experience files are split into entries at their headings, then
    offsets and sentences are assigned."""
    check_size(path, blocks)
    entries: list[dict[str, Any]] = []
    if kind is DocKind.EXPERIENCE:
        from .entries import split_entries

        blocks, entries = split_entries(blocks)
    return build(
        path=str(path),
        kind=kind,
        source_format=source_format,
        sha256=sha256,
        blocks=blocks,
        entries=entries,
        hidden=hidden,
        stories=stories,
        metadata=metadata,
    )


def build(
    *,
    path: str,
    kind: DocKind,
    source_format: SourceFormat,
    sha256: str,
    blocks: Sequence[RawBlock],
    entries: Iterable[dict[str, Any]] = (),
    hidden: Iterable[HiddenSpan] = (),
    stories: Iterable[Story] = (),
    metadata: dict[str, str] | None = None,
) -> Document:
    """The one place an ingested :class:`Document` is built, whatever the format (:func:`assemble`,
    :func:`from_entries`, :func:`from_text` all end here).

    Text is made safe for every later stage first: characters XML cannot hold (ESC, NUL, BEL and the other
    C0 controls a ``.txt``, a PDF's text layer or a YAML string may carry) are replaced one for one by
    :func:`reviewer.docx_xml.xml_safe`, in the blocks, the hidden spans, the entries' fields and the metadata,
    before offsets are assigned, so every offset points into the cleaned text and the DOCX renderer never
    meets a character it cannot write."""
    from dataclasses import replace

    from ..docx_xml import xml_safe

    def clean(value: Any) -> Any:
        return xml_safe(value) if isinstance(value, str) else value

    doc = build_document(
        path=path,
        kind=kind,
        source_format=source_format,
        sha256=sha256,
        blocks=[replace(b, text=xml_safe(b.text)) for b in blocks],
        entries=[{k: clean(v) for k, v in e.items()} for e in entries],
        hidden=[h.model_copy(update={"text": xml_safe(h.text), "where": xml_safe(h.where)}) for h in hidden],
        metadata={k: xml_safe(v) for k, v in metadata.items()} if metadata else metadata,
    )
    kept = tuple(s.model_copy(update={"text": xml_safe(s.text)}) for s in stories)
    return doc.model_copy(update={"stories": kept}) if kept else doc


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def from_text(
    text: str,
    kind: DocKind,
    *,
    path: str = "<text>",
    source_format: SourceFormat = SourceFormat.TEXT,
    sha256: str | None = None,
    blocks: list[RawBlock] | None = None,
) -> Document:
    return build(
        path=path,
        kind=kind,
        source_format=source_format,
        sha256=sha256 or sha256_bytes(text.encode("utf-8")),
        blocks=blocks if blocks is not None else text_blocks(text),
    )


ENTRY_FIELDS = ("title", "organization", "role", "start", "end", "hours", "description")


def entry_heading(rec: Mapping[str, Any]) -> str:
    """The visible title line of an entry: ``Title — Organization (Role), 2022-01 to 2022-06``."""
    head = str(rec.get("title") or "Experience").strip()
    org, role = rec.get("organization"), rec.get("role")
    if org:
        head += f" — {org}"
    if role:
        head += f" ({role})"
    start, end = rec.get("start"), rec.get("end")
    if start or end:
        head += f", {start or '?'} to {end or 'present'}"
    return head


def from_entries(
    records: Iterable[Mapping[str, Any]],
    *,
    path: str = "<entries>",
    sha256: str | None = None,
    source_format: SourceFormat = SourceFormat.ENTRIES,
    raw: bytes | None = None,
) -> Document:
    """An ``experience`` document from entry records with the fields of :data:`ENTRY_FIELDS`.

    ``start``/``end`` must already be ``YYYY-MM`` strings or None (validated by the caller).
    """
    records = list(records)
    chars = sum(len(entry_heading(rec)) + len(str(rec.get("description") or "")) for rec in records)
    if chars > MAX_TEXT_CHARS:  # before any splitting: YAML aliases can repeat one long description
        raise too_much_text(path, chars)
    blocks: list[RawBlock] = []
    entries: list[dict[str, Any]] = []
    for rec in records:
        blocks.append(RawBlock(entry_heading(rec), heading=True))
        paras = text_blocks(str(rec.get("description") or ""))
        first = len(blocks)
        blocks.extend(paras or [RawBlock("")])
        hours = rec.get("hours")
        entries.append(
            {
                "title": str(rec.get("title") or "Experience"),
                "organization": rec.get("organization") or None,
                "role": rec.get("role") or None,
                "start_month": rec.get("start") or None,
                "end_month": rec.get("end") or None,
                "hours": float(hours) if hours not in (None, "") else None,
                "block": first,
                "block_end": len(blocks) - 1,
            }
        )
    check_size(path, blocks)
    digest_src = raw if raw is not None else repr(records).encode()
    return build(
        path=path,
        kind=DocKind.EXPERIENCE,
        source_format=source_format,
        sha256=sha256 or sha256_bytes(digest_src),
        blocks=blocks,
        entries=entries,
    )
