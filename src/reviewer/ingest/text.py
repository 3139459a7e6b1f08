"""Plain-text and Markdown ingest.

Text must be UTF-8 (a BOM is fine). Anything else is rejected with "save it as UTF-8" instead of being
decoded by guesswork: a wrong guess silently changes the words that get reviewed. Null bytes or many
control characters mean a binary file and are rejected too; a few (an ESC pasted from a terminal) are
replaced where every Document is built (:func:`.memory.build`).

Plain text: paragraphs are separated by blank lines. Inside a paragraph, single line breaks are soft
wraps (joined with a space) unless a line is longer than :data:`UNWRAPPED_LINE` characters, which means
the text was not hard-wrapped and each line is its own paragraph (Notepad style). For experience files
the header lines of pasted entries are recognised (to split entries): a line starting with ``#``, a short
line standing alone between blank lines, a title above a details line, details lines (dates, ``|`` parts,
``Organization:`` labels) and the rows of a table pasted as text; see :mod:`.pasted`. In Markdown experience files
a paragraph's line breaks are kept for the same reason (``**Dates:** ...`` lines), and a table row is one block, its
cells joined by `` | ``, so that a table of entries is read one entry per row.

Markdown is parsed with markdown-it-py (CommonMark, plus tables and strikethrough) and reduced to what a
reader sees: headings become heading blocks, list items and table cells their own blocks, emphasis and
link markup disappear (``[t](u)`` becomes ``t``), images are dropped. HTML comments and YAML front
matter are not shown by a Markdown viewer, so they are listed as hidden spans and never reviewed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..document import DocKind, Document, HiddenSpan, SourceFormat
from ..errors import InputError
from ..segment import RawBlock, normalise_block_text
from .memory import MAX_TEXT_CHARS, assemble, too_much_text

UNWRAPPED_LINE = 100
MAX_SOURCE_CHARS = MAX_TEXT_CHARS * 5 // 4  # text plus Markdown markup
MAX_LINES = 20_000
_BLANK = re.compile(r"\n[ \t]*\n+")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]*>")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
UTF8_HINT = "save it as UTF-8: Save As, Encoding UTF-8"


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (optional BOM) text with newlines normalised to ``\\n``; InputError for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text, not UTF-8", path=path, hint=UTF8_HINT)
    if b"\x00" in data:
        raise InputError(
            "binary data, not text",
            path=path,
            hint="pick the right file, or export the document as .docx, .pdf or UTF-8 .txt",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not UTF-8 text: undecodable byte at position {err.start}", path=path, hint=UTF8_HINT
        ) from err
    if len(_CONTROL.findall(text)) > max(3, len(text) // 200):
        raise InputError(
            "binary data, not text",
            path=path,
            hint="pick the right file, or export the document as .docx, .pdf or UTF-8 .txt",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(
            "empty file", path=path, hint="the file has no text: check you picked the right file"
        )
    # Before any parsing (Markdown parsing runs at ~100,000 characters a second on pathological input):
    # the source may hold some markup on top of the text cap, and a bounded number of lines.
    if len(text) > MAX_SOURCE_CHARS:
        raise too_much_text(path, len(text))
    lines = text.count("\n")
    if lines > MAX_LINES:
        raise InputError(
            f"too many lines: {lines:,}, limit {MAX_LINES:,}",
            path=path,
            hint="review only the application document, with its paragraphs separated by blank lines",
        )
    return text


def _paragraph_blocks(lines: list[str]) -> list[RawBlock]:
    if not lines:
        return []
    if any(len(ln) > UNWRAPPED_LINE for ln in lines):
        return [RawBlock(normalise_block_text(ln)) for ln in lines]
    return [RawBlock(normalise_block_text(" ".join(lines)))]


def _chunk_blocks(lines: list[str], headings: bool) -> list[RawBlock]:
    if not headings:
        return _paragraph_blocks(lines)
    from .pasted import pasted_blocks

    return pasted_blocks(lines, _paragraph_blocks)


def plain_blocks(text: str, *, headings: bool = False) -> list[RawBlock]:
    """Paragraph blocks of plain text (rules in the module docstring)."""
    from .pasted import table_blocks

    blocks: list[RawBlock] = []
    columns: tuple[str | None, ...] | None = None  # a pasted table's columns, while its rows go on
    for chunk in _BLANK.split(text):
        # an experience file keeps each line's indent for the pasted-entry reader ("  - …" under an item is its text)
        lines = [ln.rstrip() if headings else ln.strip() for ln in chunk.split("\n") if ln.strip()]
        table, columns = table_blocks(lines, columns) if headings else (None, None)
        blocks.extend(table if table is not None else _chunk_blocks(lines, headings))
    return [b for b in blocks if b.text]


def _inline_text(token: Any, line: int, hidden: list[HiddenSpan], breaks: str = " ") -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(breaks)
        elif child.type == "html_inline" and child.content.startswith("<!--"):
            _add_comment(child.content, line, hidden)
        # emphasis/link open-close markers, images: no visible text
    if breaks == "\n":
        return _normalise_lines("".join(parts))
    return normalise_block_text("".join(parts))


def _normalise_lines(text: str) -> str:
    """Each line normalised, the line breaks kept (experience files: a line may be an entry header)."""
    return "\n".join(ln for ln in (normalise_block_text(x) for x in text.split("\n")) if ln)


def _add_comment(html: str, line: int, hidden: list[HiddenSpan]) -> None:
    for m in re.finditer(r"<!--(.*?)(?:-->|\Z)", html, re.DOTALL):
        text = normalise_block_text(m.group(1))
        if text:
            hidden.append(HiddenSpan(text=text, reason="comment", where=f"line {line}"))


def markdown_blocks(text: str, *, lines: bool = False, items: set[int] | None = None
                    ) -> tuple[list[RawBlock], list[HiddenSpan]]:
    """Visible blocks of a Markdown text and its hidden spans (HTML comments, front matter); with ``lines``
    a paragraph's line breaks are kept as ``\\n`` (see :func:`_pasted_markdown`); ``items`` collects the
    indexes of the blocks that are list items."""
    from markdown_it import MarkdownIt

    hidden: list[HiddenSpan] = []
    fm = _FRONT_MATTER.match(text)
    if fm:
        if fm.group(1).strip():
            hidden.append(
                HiddenSpan(text=normalise_block_text(fm.group(1)), reason="metadata", where="line 1")
            )
        text = "\n" * fm.group(0).count("\n") + text[fm.end() :]
    md = MarkdownIt("commonmark").enable(["strikethrough", "table"])
    blocks: list[RawBlock] = []
    context: list[str] = []
    row: list[str] | None = None  # with ``lines``, the cells of a table row, kept as one "a | b | c" block
    for tok in md.parse(text):
        line = tok.map[0] + 1 if tok.map else 0
        if tok.nesting == 1:
            context.append(tok.type)
            row = [] if lines and tok.type == "tr_open" else row
        elif tok.nesting == -1 and context:
            context.pop()
            if tok.type == "tr_close" and row is not None:
                blocks.append(RawBlock(" | ".join(row), where="table"))
                row = None
        elif tok.type == "inline":
            where = "table" if context and context[-1] in ("th_open", "td_open") else "body"
            heading = bool(context) and context[-1] == "heading_open"
            if row is not None and where == "table":
                row.append(_inline_text(tok, line, hidden))
                continue
            text_ = _inline_text(tok, line, hidden, "\n" if lines and not heading else " ")
            if items is not None and "list_item_open" in context[-2:] and text_:
                items.add(len(blocks))
            blocks.append(RawBlock(text_, heading=heading, where=where))
        elif tok.type in ("fence", "code_block"):
            blocks.append(RawBlock(normalise_block_text(tok.content)))
        elif tok.type == "html_block":
            if tok.content.lstrip().startswith("<!--"):
                _add_comment(tok.content, line, hidden)
            else:
                blocks.append(RawBlock(normalise_block_text(_TAG.sub(" ", tok.content))))
    kept = [i for i, b in enumerate(blocks) if b.text]
    if items:  # the indexes of list items among the blocks kept
        at = {old: new for new, old in enumerate(kept)}
        moved = {at[i] for i in items if i in at}
        items.clear()
        items.update(moved)
    return [blocks[i] for i in kept], hidden


def _pasted_markdown(blocks: list[RawBlock], items: set[int]) -> list[RawBlock]:
    """Experience files: a paragraph's lines may be entry headers (``**Dates:** ...`` lines, a bold title
    above a details line); they become blocks of their own, the other lines are joined as Markdown joins
    them."""
    from .pasted import bullet_entry, pasted_blocks, table_blocks

    out: list[RawBlock] = []
    columns: tuple[str | None, ...] | None = None  # a table's columns, while its rows go on
    for i, b in enumerate(blocks):
        table, columns = table_blocks([b.text], columns) if b.where == "table" else (None, None)
        if table is not None:
            out.extend(RawBlock(t.text, heading=t.heading, where="table") for t in table)
            continue
        if b.heading:
            out.append(b)
            continue
        first, *below = b.text.split("\n")
        if i in items and (entry := bullet_entry("- " + first, bool(below))) is not None:
            out.append(RawBlock(entry[0], heading=True, where=b.where))  # a list of whole entries, one item each
            description = " ".join(x for x in (entry[1], *below) if x)
            out.extend([RawBlock(description, where=b.where)] if description else [])
            continue
        join = lambda ls, where=b.where: [RawBlock(" ".join(ls), where=where)]  # noqa: E731
        out.extend(pasted_blocks(b.text.split("\n"), join, where=b.where, lone_title=False))
    return out


def load_text(path: Path, kind: DocKind, data: bytes, sha256: str, *, markdown: bool) -> Document:
    """A :class:`Document` from a ``.txt`` or ``.md`` file's bytes (already preflighted)."""
    text = decode_text(data, path)
    hidden: list[HiddenSpan] = []
    if markdown and kind is DocKind.EXPERIENCE:
        items: set[int] = set()
        blocks, hidden = markdown_blocks(text, lines=True, items=items)
        blocks = _pasted_markdown(blocks, items)
    elif markdown:
        blocks, hidden = markdown_blocks(text)
    else:
        blocks = plain_blocks(text, headings=kind is DocKind.EXPERIENCE)
    if not blocks:
        raise InputError("no visible text", path=path, hint="the file has no text a reader would see")
    return assemble(
        path=path,
        kind=kind,
        source_format=SourceFormat.MARKDOWN if markdown else SourceFormat.TEXT,
        sha256=sha256,
        blocks=blocks,
        hidden=hidden,
    )
