"""DOCX (and DOCM) ingest: the paragraphs Word shows, in document order, with locators back to the runs.

What is reviewed is decided by :mod:`reviewer.docx_xml` (shared with the DOCX renderer): body
paragraphs, table cells (nested tables included) and text boxes (once; the ``mc:Fallback`` copy is
skipped), tracked insertions in and deletions out. Runs a reader cannot see (:mod:`reviewer.docx_visible`:
Hidden, under 4 pt, squeezed, or coloured like the highlight, shading, cell or page behind them, theme
colours resolved through the theme part) are kept out of ``Document.text`` and listed as
:class:`HiddenSpan` so the integrity check can report them; they are never reviewed.

Each block's ``locator`` is the ordinal of its ``w:p`` in ``docx_xml.paragraphs(body)`` and its text is
exactly ``docx_xml.visible_text(run_pieces(p)).strip()``: whitespace inside a paragraph is not
collapsed, so a renderer can map offsets back onto runs one to one.

Headers, footers, footnotes, endnotes and comments are not reviewed text (they are not part of the
statement an applicant pastes into ERAS), but they are read, every character of them, into
``Document.stories`` so that ``integrity.instructions`` can search them for instructions to an automated
reader; they are never reviewed or sent to a model.

The package is opened with :mod:`zipfile` after :mod:`.preflight` checks rather than with
``docx.Document``: python-docx refuses ``.docm`` and loads every part (``vbaProject.bin`` included),
while only the document and styles parts are needed. XML is parsed by ``docx_xml.parse_part``, which
uses python-docx's parser options (same tree) with entity resolution and network access off.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import DocKind, Document, HiddenSpan, SourceFormat, Story
from ..errors import InputError
from ..segment import RawBlock
from .memory import MAX_TEXT_CHARS, assemble
from .preflight import RESAVE, STRICT_PREFIX, open_word_package, strict_error, xml_problem

_HEADING_NAME = re.compile(r"^(heading [1-9]|title)$", re.IGNORECASE)
_HEADING_ID = re.compile(r"^(heading[1-9]|title)$", re.IGNORECASE)
# Elements walked in Python, counted in C first: the walk costs ~10 µs per run, and a small hostile part
# can hold hundreds of thousands of empty paragraphs or runs. A 30-page document has ~1,500 and ~10,000.
MAX_PARAGRAPH_ELEMENTS = 20_000
MAX_RUN_ELEMENTS = 100_000
_WHERE_LABEL = {"body": "paragraph", "table": "table, paragraph", "textbox": "text box, paragraph"}


@dataclass(frozen=True)
class DocxContent:
    """The raw result of reading a Word file: one block per ``w:p`` (empty ones included), hidden text, and
    the text of the other stories (headers, footers, notes, comments)."""

    blocks: list[RawBlock]
    hidden: list[HiddenSpan]
    stories: list[Story] = field(default_factory=list)


class HeadingStyles:
    """Decides whether a paragraph is a heading: Heading 1-9 / Title styles or an outline level 0-8.

    Custom styles count when they are based on a heading style or carry an outline level themselves.
    """

    def __init__(self, styles_root: Any | None) -> None:
        from ..docx_xml import q

        self._q = q
        self._info: dict[str, tuple[bool, str | None]] = {}
        self._cache: dict[str, bool] = {}
        if styles_root is None:
            return
        for st in styles_root.iter(q("style")):
            sid = st.get(q("styleId"))
            if not sid or st.get(q("type")) not in (None, "paragraph"):
                continue
            name_el = st.find(q("name"))
            name = name_el.get(q("val"), "") if name_el is not None else ""
            own = bool(_HEADING_NAME.match(name.strip())) or _outline(st.find(q("pPr")), q)
            based = st.find(q("basedOn"))
            self._info[sid] = (own, based.get(q("val")) if based is not None else None)

    def style_is_heading(self, sid: str | None, depth: int = 0) -> bool:
        if not sid or depth > 20:
            return False
        if sid not in self._info:
            return bool(_HEADING_ID.match(sid))  # no styles part: fall back to Word's built-in ids
        if sid not in self._cache:
            own, based = self._info[sid]
            self._cache[sid] = own or self.style_is_heading(based, depth + 1)
        return self._cache[sid]

    def is_heading(self, p: Any, style: str | None) -> bool:
        ppr = p.find(self._q("pPr"))
        lvl = ppr.find(self._q("outlineLvl")) if ppr is not None else None
        if lvl is not None:
            return _outline(ppr, self._q)
        return self.style_is_heading(style)


def _outline(ppr: Any | None, q: Any) -> bool:
    """True when ``w:pPr`` carries an outline level 0-8 (9 means body text)."""
    if ppr is None:
        return False
    lvl = ppr.find(q("outlineLvl"))
    if lvl is None:
        return False
    try:
        return 0 <= int(lvl.get(q("val"), "9")) <= 8
    except ValueError:
        return False


def _hidden_spans(pieces: list[Any], where: str, locator: int) -> list[HiddenSpan]:
    """Consecutive hidden pieces with the same reason, merged; whitespace-only spans are not reported."""
    spans: list[HiddenSpan] = []
    label = f"{_WHERE_LABEL.get(where, where)} {locator + 1}"
    reason: str | None = None
    buf: list[str] = []

    def flush() -> None:
        text = "".join(buf).strip()
        if reason and text:
            spans.append(HiddenSpan(text=text, reason=reason, where=label, block_locator=locator))

    for pc in pieces:
        if pc.hidden != reason:
            flush()
            reason, buf = pc.hidden, []
        if pc.hidden:
            buf.append(pc.text)
    flush()
    return spans


def _parse(pkg: Any, part: str, path: Path, *, count: bool = False) -> Any:
    from lxml import etree

    from ..docx_xml import parse_part

    data = pkg.read(part)
    if part == pkg.document_part or count:
        _precount(data, path)
    try:
        root = parse_part(data)
    except etree.XMLSyntaxError as err:
        msg, hint = xml_problem(part, str(err))
        raise InputError(msg, path=path, hint=hint) from err
    except RecursionError as err:  # defensive: libxml2's depth limit stops real nesting long before this
        msg, hint = xml_problem(part, "depth")
        raise InputError(msg, path=path, hint=hint) from err
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        msg, hint = xml_problem(part, None)
        raise InputError(msg, path=path, hint=hint)
    return root


_NOTE_ITEMS = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}  # also their labels


def _story_text(root: Any) -> str:
    """Every character of a story, shown or hidden (an instruction hidden in a footer is still one)."""
    from ..docx_xml import paragraph_text, paragraphs

    lines = (paragraph_text(p).strip() for p in paragraphs(root))
    return "\n".join(line for line in lines if line)


def read_stories(roots: list[tuple[str, Any]], path: Path) -> list[Story]:
    """The other stories of a Word file, one :class:`Story` per header or footer part and per note or comment,
    labelled by kind and order ("footnote 2"); at most :data:`~.memory.MAX_TEXT_CHARS` characters in all."""
    from ..docx_xml import q

    stories: list[Story] = []
    counts: dict[str, int] = {}
    parts = Counter(k for k, _ in roots)
    for kind, root in roots:
        item = _NOTE_ITEMS.get(kind)
        units = [el for el in root if el.tag == q(item) and el.get(q("type")) in (None, "normal")] if item else [root]
        for unit in units:
            text = _story_text(unit)
            if not text:
                continue
            counts[kind] = counts.get(kind, 0) + 1
            many = item is not None or parts[kind] > 1
            label = (item or kind) + (f" {counts[kind]}" if many else "")
            stories.append(Story(text=text, where=label))
    total = sum(len(s.text) for s in stories)
    if total > MAX_TEXT_CHARS:
        raise InputError(
            f"too much text in headers, footers, notes and comments: {total:,} characters, limit {MAX_TEXT_CHARS:,}",
            path=path, hint="remove what does not belong to the application document",
        )
    return stories


def _theme(pkg: Any) -> Any | None:
    """The theme part (for theme colours), or None when there is none or it does not parse: like the renderer
    (:func:`reviewer.docx_xml.document_theme`), colours then fall back to their own values."""
    from lxml import etree

    from ..docx_xml import parse_part

    if not pkg.theme_part:
        return None
    try:
        return parse_part(pkg.read(pkg.theme_part))
    except (etree.XMLSyntaxError, InputError):
        return None


# Start tags named p or r under any prefix (w:, a: of DrawingML, m: of math...): an over-count is harmless
# at these caps, and a part in UTF-16 is still counted exactly after parsing.
_P_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
_R_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?r[\s/>]")


def _precount(data: bytes, path: Path) -> None:
    """Count paragraph and run start tags in the raw XML, so a hostile part is refused before lxml builds a
    tree of it (a tree costs ~15x the XML's size)."""
    _refuse_counts(sum(1 for _ in _P_TAG.finditer(data)), sum(1 for _ in _R_TAG.finditer(data)), path)


def _check_element_counts(body: Any, path: Path) -> None:
    from ..docx_visible import W

    ns = {"w": W}
    _refuse_counts(int(body.xpath("count(.//w:p)", namespaces=ns)), int(body.xpath("count(.//w:r)", namespaces=ns)),
                   path)


def _refuse_counts(paragraphs: int, runs: int, path: Path) -> None:
    if paragraphs > MAX_PARAGRAPH_ELEMENTS or runs > MAX_RUN_ELEMENTS:
        what = f"{paragraphs:,} paragraphs" if paragraphs > MAX_PARAGRAPH_ELEMENTS else f"{runs:,} text runs"
        raise InputError(
            f"too many paragraphs or runs for an application document: {what}",
            path=path,
            hint="review only the application document, or copy its text into a new document",
        )


def read_docx(data: bytes, path: Path) -> DocxContent:
    """Every paragraph of a Word file as a :class:`RawBlock` (locator = ordinal) plus its hidden spans."""
    from ..docx_xml import StyleSheet, paragraph_style, paragraphs, q, run_pieces, visible_text, where_of

    pkg = open_word_package(data, path)
    try:
        root = _parse(pkg, pkg.document_part, path)
        styles_root = _parse(pkg, pkg.styles_part, path) if pkg.styles_part else None
        theme_root = _theme(pkg)
        story_roots = [(kind, _parse(pkg, part, path, count=True)) for kind, part in pkg.story_parts]
    finally:
        pkg.close()
    body = root.find(q("body"))
    if body is None:
        if str(root.tag).startswith("{" + STRICT_PREFIX):
            raise strict_error(path)
        raise InputError("damaged Word file: the document has no body", path=path, hint=RESAVE)
    _check_element_counts(body, path)
    sheet = StyleSheet(styles_root, theme_root)
    headings = HeadingStyles(styles_root)
    blocks: list[RawBlock] = []
    hidden: list[HiddenSpan] = []
    for locator, p in enumerate(paragraphs(body)):
        pieces = run_pieces(p, sheet)
        where = where_of(p)
        text = visible_text(pieces).strip()
        heading = bool(text) and headings.is_heading(p, paragraph_style(p))
        blocks.append(RawBlock(text=text, heading=heading, where=where, locator=locator))
        if any(pc.hidden for pc in pieces):
            hidden.extend(_hidden_spans(pieces, where, locator))
    return DocxContent(blocks=blocks, hidden=hidden, stories=read_stories(story_roots, path))


def load_docx(path: Path, kind: DocKind, data: bytes, sha256: str) -> Document:
    """A :class:`Document` from the bytes of a ``.docx``/``.docm`` file (already preflighted)."""
    content = read_docx(data, path)
    kept = [b for b in content.blocks if b.text]
    if not kept:
        hint = "all of its text is hidden" if content.hidden else "the document has no text"
        raise InputError(
            "no visible text in the Word file", path=path, hint=f"{hint}: check you picked the right file"
        )
    return assemble(
        path=path,
        kind=kind,
        source_format=SourceFormat.DOCX,
        sha256=sha256,
        blocks=kept,
        hidden=content.hidden,
        stories=content.stories,
        metadata={"suffix": path.suffix.lower()},
    )
