"""What Word shows: the low-level walk over WordprocessingML shared by DOCX ingest and the DOCX renderer.

Both stages must agree on exactly which characters are visible and in what order, or comments would
land on the wrong words. This module is that single agreement:

* :func:`paragraphs` lists every ``w:p`` in document order: body, table cells (including nested
  tables) and text boxes. ``mc:Fallback`` copies of text boxes are skipped (Word writes each text box
  twice). The ordinal in this list is a block's ``locator``.
* :func:`run_pieces` lists the runs that belong to one paragraph (not those of a text box nested in
  it) with the text each contributes: ``w:t``, tabs and breaks; tracked insertions (``w:ins``) count,
  deletions (``w:del``, ``w:moveFrom``) and field instructions do not.
* Each piece carries ``hidden``: ``vanish``, ``tiny``, ``squeezed``, ``white`` or ``color`` (a colour
  a reader cannot tell from the highlight, shading, cell, text box or page behind it), resolved through
  the run's direct properties, its character style, the paragraph style, document defaults and the theme:
  :mod:`reviewer.docx_visible` decides.

A block's text is ``"".join(visible pieces).strip()``; renderers recompute the leading-whitespace
offset the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .docx_visible import TINY_HALF_POINTS, WHITE, RunProps, StyleSheet, hidden_reason, props_of, q

__all__ = ["TINY_HALF_POINTS", "RunPiece", "RunProps", "StyleSheet", "document_theme", "hidden_reason",
           "paragraph_text", "paragraphs", "parse_part", "props_of", "q", "run_pieces", "visible_text", "xml_safe"]

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

P, R, T, TAB, BR, CR = q("p"), q("r"), q("t"), q("tab"), q("br"), q("cr")
DEL, MOVE_FROM, INS, MOVE_TO = q("del"), q("moveFrom"), q("ins"), q("moveTo")
TXBX = q("txbxContent")
FALLBACK = f"{{{MC}}}Fallback"
NO_BREAK_HYPHEN, SOFT_HYPHEN = q("noBreakHyphen"), q("softHyphen")
THEME_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"

# Containers inside a paragraph whose runs still belong to the paragraph.
_RUN_CONTAINERS = {INS, MOVE_TO, q("hyperlink"), q("smartTag"), q("sdt"), q("sdtContent"), q("fldSimple"),
                   q("customXml"), q("bdo"), q("dir")}
_SKIP_CONTAINERS = {DEL, MOVE_FROM, q("pPr"), q("rPr")}


@dataclass(frozen=True)
class RunPiece:
    run: Any  # the w:r lxml element
    text: str
    hidden: str | None  # vanish | tiny | squeezed | white | color | None (see reviewer.docx_visible)


# Characters XML 1.0 cannot hold, even escaped (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF):
# lxml refuses them, so any that reached a comment or a paragraph would crash the DOCX renderer. Python counts
# the C0 separators below as whitespace, so they become spaces; the others become U+FFFD, which a reader sees.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")
REPLACEMENT = "\ufffd"


def xml_safe(text: str, *, drop: bool = False) -> str:
    """``text`` with every character XML cannot hold replaced one for one (so offsets stay valid): whitespace
    controls by a space, the others (ESC, NUL, BEL...) by U+FFFD, or by nothing with ``drop``."""
    if not _XML_INVALID.search(text):
        return text
    other = "" if drop else REPLACEMENT
    return _XML_INVALID.sub(lambda m: " " if m.group() in _SPACE_LIKE else other, text)


def parse_part(data: bytes) -> Any:
    """Parse one WordprocessingML part safely, building the same tree python-docx builds.

    The options mirror python-docx's ``oxml_parser`` (``remove_blank_text``, no entity resolution) so
    the ingest walk and a renderer that opens the file with python-docx see identical element trees and
    therefore identical paragraph ordinals; ``no_network``/``load_dtd=False``/``huge_tree=False`` keep a
    hostile file from fetching anything or expanding entities.
    """
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    return etree.fromstring(data, parser)


def document_theme(word_document: Any) -> Any | None:
    """The parsed theme part of a python-docx ``Document`` (for :class:`StyleSheet`), or None: the renderer's
    way to resolve theme colours exactly as ingest does from the package."""
    try:
        blob = word_document.part.part_related_by(THEME_RELATIONSHIP).blob
        return parse_part(blob)
    except (KeyError, ValueError, AttributeError, SyntaxError):  # none, or unparsable: colours use their values
        return None


def paragraphs(root: Any) -> list[Any]:
    """Every ``w:p`` under ``root`` in document order, skipping ``mc:Fallback`` duplicates."""
    out: list[Any] = []
    for p in root.iter(P):
        anc = p.getparent()
        skip = False
        while anc is not None:
            if anc.tag == FALLBACK:
                skip = True
                break
            anc = anc.getparent()
        if not skip:
            out.append(p)
    return out


def where_of(p: Any) -> str:
    """``textbox`` | ``table`` | ``body`` for a paragraph, by its nearest telling ancestor."""
    anc = p.getparent()
    while anc is not None:
        if anc.tag == TXBX:
            return "textbox"
        if anc.tag == q("tc"):
            return "table"
        anc = anc.getparent()
    return "body"


def paragraph_style(p: Any) -> str | None:
    ps = p.find(f"{q('pPr')}/{q('pStyle')}")
    return ps.get(q("val")) if ps is not None else None


def _runs(container: Any) -> Iterator[Any]:
    for child in container:
        tag = child.tag
        if tag == R:
            yield child
        elif tag in _RUN_CONTAINERS:
            yield from _runs(child)
        # w:del, w:moveFrom, properties, bookmarks, comment marks, math: contribute nothing


def run_text(run: Any) -> str:
    """The characters one ``w:r`` shows (field instructions and deleted text excluded)."""
    parts: list[str] = []
    for child in run:
        tag = child.tag
        if tag == T:
            parts.append(child.text or "")
        elif tag == TAB:
            parts.append("\t")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            parts.append("-")
    return "".join(parts)


def run_pieces(p: Any, sheet: StyleSheet) -> list[RunPiece]:
    """The runs of paragraph ``p`` (not of text boxes nested in it) with their text and visibility."""
    pstyle = paragraph_style(p)
    runs = list(_runs(p))
    if not runs:
        return []
    props = [sheet.effective(r, pstyle) for r in runs]
    # What is behind the text matters only for runs with a colour of their own (auto text always shows).
    coloured = any(pr.color not in (None, "auto") for pr in props)
    background = sheet.paragraph_background(p, pstyle) if coloured else WHITE
    # The paragraph mark's own vanish hides nothing else; only run properties decide per run.
    return [RunPiece(run=r, text=run_text(r), hidden=hidden_reason(pr, background)) for r, pr in zip(runs, props,
                                                                                                        strict=True)]


def paragraph_text(p: Any) -> str:
    """Every character the runs of paragraph ``p`` hold, shown or hidden (its runs as :func:`run_pieces` reads
    them, without working out what shows)."""
    return "".join(run_text(r) for r in _runs(p))


def visible_text(pieces: list[RunPiece]) -> str:
    return "".join(pc.text for pc in pieces if pc.hidden is None)
