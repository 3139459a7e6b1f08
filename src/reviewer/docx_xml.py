"""What Word shows: the low-level walk over WordprocessingML shared by DOCX ingest and the DOCX renderer.

Both stages must agree on exactly which characters are visible and in what order, or comments would
land on the wrong words. This module is that single agreement:

* :func:`paragraphs` lists every ``w:p`` in document order: body, table cells (including nested
  tables) and text boxes. ``mc:Fallback`` copies of text boxes are skipped (Word writes each text box
  twice). The ordinal in this list is a block's ``locator``.
* :func:`run_pieces` lists the runs that belong to one paragraph (not those of a text box nested in
  it) with the text each contributes: ``w:t``, tabs and breaks; tracked insertions (``w:ins``) count,
  deletions (``w:del``, ``w:moveFrom``) and field instructions do not.
* Each piece carries ``hidden``: ``vanish`` (``w:vanish``/``w:specVanish``), ``white`` (white text
  with no dark shading or highlight) or ``tiny`` (under 4 pt), resolved through the run's direct
  properties, its character style, the paragraph style and document defaults.

A block's text is ``"".join(visible pieces).strip()``; renderers recompute the leading-whitespace
offset the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def q(tag: str) -> str:
    """Clark name for a ``w:`` tag."""
    return f"{{{W}}}{tag}"


P, R, T, TAB, BR, CR = q("p"), q("r"), q("t"), q("tab"), q("br"), q("cr")
DEL, MOVE_FROM, INS, MOVE_TO = q("del"), q("moveFrom"), q("ins"), q("moveTo")
TXBX = q("txbxContent")
FALLBACK = f"{{{MC}}}Fallback"
NO_BREAK_HYPHEN, SOFT_HYPHEN = q("noBreakHyphen"), q("softHyphen")
TINY_HALF_POINTS = 8  # 4 pt

# Containers inside a paragraph whose runs still belong to the paragraph.
_RUN_CONTAINERS = {INS, MOVE_TO, q("hyperlink"), q("smartTag"), q("sdt"), q("sdtContent"), q("fldSimple"),
                   q("customXml"), q("bdo"), q("dir")}
_SKIP_CONTAINERS = {DEL, MOVE_FROM, q("pPr"), q("rPr")}


@dataclass(frozen=True)
class RunProps:
    vanish: bool | None = None
    color: str | None = None
    size: int | None = None  # half-points
    shaded: bool | None = None  # dark background shading or highlight

    def over(self, base: RunProps) -> RunProps:
        """These properties layered over ``base`` (None inherits)."""
        return RunProps(
            vanish=self.vanish if self.vanish is not None else base.vanish,
            color=self.color if self.color is not None else base.color,
            size=self.size if self.size is not None else base.size,
            shaded=self.shaded if self.shaded is not None else base.shaded,
        )


@dataclass(frozen=True)
class RunPiece:
    run: Any  # the w:r lxml element
    text: str
    hidden: str | None  # vanish | white | tiny | None


def _on(el: Any) -> bool:
    val = el.get(q("val"))
    return val is None or val.lower() not in ("0", "false", "off")


def _dark(fill: str | None) -> bool:
    if not fill or fill.lower() in ("auto", "ffffff", "none"):
        return False
    try:
        r, g, b = int(fill[0:2], 16), int(fill[2:4], 16), int(fill[4:6], 16)
    except ValueError:
        return False
    return (r * 299 + g * 587 + b * 114) / 1000 < 160


def props_of(rpr: Any) -> RunProps:
    """Read the visibility-relevant properties of one ``w:rPr`` (or None)."""
    if rpr is None:
        return RunProps()
    vanish = None
    for tag in ("vanish", "specVanish"):
        el = rpr.find(q(tag))
        if el is not None:
            vanish = _on(el)
    color_el = rpr.find(q("color"))
    color = color_el.get(q("val")) if color_el is not None else None
    sz_el = rpr.find(q("sz"))
    size = None
    if sz_el is not None:
        try:
            size = int(float(sz_el.get(q("val"), "0")))
        except ValueError:
            size = None
    shaded = None
    shd = rpr.find(q("shd"))
    if shd is not None:
        shaded = _dark(shd.get(q("fill")))
    hl = rpr.find(q("highlight"))
    if hl is not None:
        shaded = (shaded or False) or hl.get(q("val"), "none") not in ("none", "white", "yellow", "lightGray")
    return RunProps(vanish=vanish, color=color, size=size, shaded=shaded)


class StyleSheet:
    """Resolves run properties through character and paragraph styles (with ``basedOn``) and defaults."""

    def __init__(self, styles_root: Any | None) -> None:
        self._styles: dict[str, tuple[RunProps, str | None]] = {}
        self._default = RunProps()
        self._default_para: str | None = None
        self._cache: dict[str, RunProps] = {}
        if styles_root is None:
            return
        defaults = styles_root.find(f"{q('docDefaults')}/{q('rPrDefault')}/{q('rPr')}")
        self._default = props_of(defaults)
        for st in styles_root.iter(q("style")):
            sid = st.get(q("styleId"))
            if not sid:
                continue
            based = st.find(q("basedOn"))
            self._styles[sid] = (props_of(st.find(q("rPr"))), based.get(q("val")) if based is not None else None)
            if st.get(q("type")) == "paragraph" and st.get(q("default")) in ("1", "true"):
                self._default_para = sid

    def style(self, sid: str | None, depth: int = 0) -> RunProps:
        if not sid or sid not in self._styles or depth > 20:
            return RunProps()
        if sid not in self._cache:
            own, based = self._styles[sid]
            self._cache[sid] = own.over(self.style(based, depth + 1))
        return self._cache[sid]

    def effective(self, run: Any, para_style: str | None) -> RunProps:
        rpr = run.find(q("rPr"))
        direct = props_of(rpr)
        rstyle = None
        if rpr is not None and rpr.find(q("rStyle")) is not None:
            rstyle = rpr.find(q("rStyle")).get(q("val"))
        pstyle = self.style(para_style or self._default_para)
        return direct.over(self.style(rstyle).over(pstyle.over(self._default)))


def hidden_reason(p: RunProps) -> str | None:
    if p.vanish:
        return "vanish"
    if p.color and p.color.lower() in ("ffffff", "fefefe", "fdfdfd") and not p.shaded:
        return "white"
    if p.size is not None and 0 < p.size < TINY_HALF_POINTS:
        return "tiny"
    return None


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
    # The paragraph mark's own vanish hides nothing else; only run properties decide per run.
    return [RunPiece(run=r, text=run_text(r), hidden=hidden_reason(sheet.effective(r, pstyle))) for r in _runs(p)]


def visible_text(pieces: list[RunPiece]) -> str:
    return "".join(pc.text for pc in pieces if pc.hidden is None)
