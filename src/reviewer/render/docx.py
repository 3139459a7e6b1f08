"""Review -> annotated DOCX: short comments on the draft's sentences, and a one-page scorecard on top.

The upper of the two DOCX layers; run surgery lives in :mod:`reviewer.render.docx_runs`. What the comments
say, which sentences get one and how many there are is :mod:`reviewer.render.advice`'s job (one comment per
sentence at most, merged across criteria, capped per document, the rewrite outline on the score discussion);
this module places them.

* A ``.docx``/``.docm`` source is reopened from its bytes (the file itself is never written) so the
  author's formatting survives; each comment's span is mapped through ``Document.blocks`` (the block's
  ``locator`` is the ordinal of its ``w:p`` in :func:`reviewer.docx_xml.paragraphs`) to visible-character
  offsets of that paragraph, runs are split there, and the comment is anchored on exactly those runs.
  Macros of a ``.docm`` are dropped: the output is a plain ``.docx``.
* Any other source gets a new document (:mod:`reviewer.render.docx_template`): one paragraph per block,
  then the same anchoring, so both paths share one code path and one set of tests.
* All comments are anchored *before* the scorecard is inserted, against a paragraph list built once:
  inserting content first would shift every locator, and re-walking the body per comment is O(n^2).
* A comment that cannot be placed exactly (no locator, a header block, text that no longer matches,
  text inside a text box, where Word allows no comments) still appears, quoting the passage: on its whole
  paragraph or the text box's run when known, else on the scorecard heading.
* The first page is the scorecard: each criterion's verdict (a word, not only a colour), its title and one
  line; then "What's working", quoted from the draft; then how many more points the full review lists. A
  later round (``review.revision`` set) opens with "Since your last draft" (points resolved, points still
  open, verdicts that changed), a few lines of each.
* The scorecard uses the document's own "Heading 1"/"Table Grid"/"List Bullet" styles when they exist
  and direct formatting otherwise: a user's DOCX may lack any of them.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.exceptions import OpcError
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Inches, Pt, RGBColor
from docx.styles import BabelFish
from docx.styles.style import StyleFactory
from docx.text.run import Run
from lxml import etree

from .. import docx_xml as dx
from ..document import Block, Document, SourceFormat
from ..errors import InputError
from ..findings import Change, CriterionResult, Review, RevisionSummary, Verdict
from ..fsio import atomic_save
from .advice import Advice, advise, not_applicable_line
from .docx_runs import cover
from .docx_template import new_document

AUTHOR, INITIALS = "reviewer", "RV"
DOCX_SUFFIXES = (".docx", ".docm")

VERDICT_LABEL = {
    Verdict.PASS: "PASS",
    Verdict.WARN: "WARN",
    Verdict.FAIL: "FAIL",
    Verdict.NOT_APPLICABLE: "n/a",
}
# (cell fill, text colour): the familiar spreadsheet "good / neutral / bad" palette, plus grey for n/a.
VERDICT_COLOUR = {
    Verdict.PASS: ("C6EFCE", "006100"),
    Verdict.WARN: ("FFEB9C", "9C5700"),
    Verdict.FAIL: ("FFC7CE", "9C0006"),
    Verdict.NOT_APPLICABLE: ("EDEDED", "7F7F7F"),
}
MUTED = "7F7F7F"
COLUMNS = ("Verdict", "Criterion", "Why")
COLUMN_WIDTHS = (Inches(0.75), Inches(2.35), Inches(3.4))  # 6.5 in: Letter and A4 text width
TABLE_PT = 9
QUOTE_CHARS = 80
WHY_CHARS = 48  # the scorecard's one line per criterion
REVISION_ITEMS = 4  # lines per group of "Since your last draft" (the rest are counted)

Paragraph = Any  # a w:p lxml element
Locate = Callable[[Block], Paragraph | None]


# ---------------------------------------------------------------------------------------------- public


def render_docx(
    review: Review,
    document: Document,
    out: Path,
    *,
    source: Path | None = None,
    protect: Iterable[Path] = (),
    advice: Advice | None = None,
) -> None:
    """Write the annotated DOCX of ``review`` to ``out`` atomically; ``source`` is only ever read.

    ``advice``: what to say and where (default: :func:`reviewer.render.advice.advise` of the review)."""
    guarded = [*protect]
    by_block: dict[int, Paragraph] | None = None
    if (
        source is not None
        and source.suffix.lower() in DOCX_SUFFIXES
        and document.source_format is SourceFormat.DOCX
    ):
        guarded.append(source)
        doc = open_docx(source)
        paras = dx.paragraphs(doc.element.body)

        def locate(block: Block) -> Paragraph | None:
            loc = block.locator
            return paras[loc] if loc is not None and 0 <= loc < len(paras) else None
    else:
        if source is not None:
            guarded.append(source)
        doc = new_document()
        by_block = write_blocks(doc, document.blocks)

        def locate(block: Block) -> Paragraph | None:
            return by_block.get(block.index)

    sheet = default_sheet() if by_block is not None else dx.StyleSheet(doc.styles.element)
    advice = advice if advice is not None else advise(review, document)
    unplaced = anchor_comments(doc, notes_of(advice, document), document, locate, sheet)
    heading = insert_scorecard(doc, review, advice)
    for note in unplaced:
        add_comment(doc, heading, note.placed_text(exact=False))
    atomic_save(out, lambda path: doc.save(str(path)), protect=guarded)


@dataclass(frozen=True)
class Note:
    """One comment to place: its span in ``Document.text``, its text, and the passage it is about."""

    start: int
    end: int
    text: str
    quote: str

    def placed_text(self, *, exact: bool) -> str:
        """The text, prefixed with the quoted passage when the comment could not sit on the passage itself."""
        if exact or not self.quote.strip():
            return self.text
        return f"On “{_short(self.quote)}”:\n{self.text}"


def notes_of(advice: Advice, document: Document) -> list[Note]:
    """The comments of ``advice`` (those kept on the draft) as notes to place."""
    return [Note(c.start, c.end, c.text, document.text[c.start : c.end]) for c in advice.comments]


def write_review_docx(review: Review, document: Document, target: Path, *, source: Path | None = None,
                      protect: Iterable[Path] = ()) -> None:
    """The ``docx`` format's renderer (see :mod:`reviewer.render.registry`): :func:`render_docx`."""
    render_docx(review, document, target, source=source, protect=protect)


@functools.lru_cache(maxsize=1)
def default_sheet() -> dx.StyleSheet:
    """The style sheet of the template every new document starts from: built once (it holds resolved
    properties only, no elements)."""
    return dx.StyleSheet(new_document().styles.element)


def open_docx(source: Path) -> Any:
    """A python-docx Document of ``source``'s bytes (macros of a ``.docm`` stripped); never writes it."""
    try:
        data = source.read_bytes()
        if source.suffix.lower() == ".docm" or _is_macro_package(data):
            data = strip_macros(data)
        return docx.Document(io.BytesIO(data))
    except (OSError, OpcError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise InputError(
            f"cannot reopen the document to annotate it: {exc}",
            path=source,
            hint="is it a valid Word document?",
        ) from exc


# ---------------------------------------------------------------------------------------------- anchoring


@dataclass
class _Para:
    """One block's paragraph and how block-text offsets map to its visible offsets (None = no match)."""

    p: Paragraph
    to_visible: list[int] | None  # index k of block.text -> visible offset; len(block.text)+1 entries
    visible_len: int
    host: Any | None = None  # for a text-box paragraph: the body run that holds the box


def textbox_host(p: Paragraph) -> Any | None:
    """The outermost run holding the text box that ``p`` sits in, or None when ``p`` is not in one.

    Word offers no comments inside text boxes, so findings there are anchored on the box's own run.
    """
    host, inside = None, False
    node = p.getparent()
    while node is not None:
        if node.tag == dx.TXBX:
            inside = True
        elif node.tag == dx.R and inside:
            host, inside = node, False
        node = node.getparent()
    return host


def anchor_comments(
    doc: Any, notes: Sequence[Note], document: Document, locate: Locate, sheet: dx.StyleSheet
) -> list[Note]:
    """Anchor one comment per note on its runs; return the notes that found no runs at all."""
    starts = [b.start for b in document.blocks]
    cache: dict[int, _Para | None] = {}

    def para(block: Block) -> _Para | None:
        if block.index not in cache:
            p = locate(block)
            if p is None:
                cache[block.index] = None
            else:
                host = textbox_host(p)
                cache[block.index] = (
                    _Para(p, None, 0, host) if host is not None else _map_paragraph(p, block.text, sheet)
                )
        return cache[block.index]

    unplaced: list[Note] = []
    for note in notes:
        runs: list[Any] = []
        spans, exact = block_spans(document, starts, note.start, note.end)
        for block, lo, hi in spans:
            info = para(block)
            if info is None:
                exact = False
                continue
            if info.host is not None:
                runs.extend((info.host, info.host) if not runs else (info.host,))
                exact = False
                continue
            if info.to_visible is None:  # the paragraph no longer reads as the block: take all of it
                a, b, exact = 0, info.visible_len, False
            else:
                a, b = info.to_visible[lo], info.to_visible[hi - 1] + 1
            got = cover(info.p, a, b, sheet)
            if got:
                runs.extend((got[0], got[-1]) if not runs else (got[-1],))
        if not runs:
            unplaced.append(note)
            continue
        first, last = Run(runs[0], doc), Run(runs[-1], doc)
        add_comment(doc, [first, last], note.placed_text(exact=exact))
        _hoist_reference(runs[-1])
    return unplaced


def add_comment(doc: Any, anchor: Run | Sequence[Run], text: str) -> None:
    """``doc.add_comment(anchor, text=text, author=AUTHOR, initials=INITIALS)``, the text written without
    python-docx's character-by-character appender (one paragraph per line, as python-docx splits it)."""
    comment = doc.add_comment(anchor, text="", author=AUTHOR, initials=INITIALS)
    if text == "":
        return
    lines = text.split("\n")
    _append_text(comment.paragraphs[0]._p.add_r(), lines[0])
    for line in lines[1:]:
        para = comment.add_paragraph()
        if line:
            _append_text(para._p.add_r(), line)


def block_spans(
    document: Document, starts: Sequence[int], start: int, end: int
) -> tuple[list[tuple[Block, int, int]], bool]:
    """The blocks a span touches, each with the span's local [lo, hi) in ``block.text``; and whether exact.

    A span that covers no block character (empty, or inside a separator) maps, inexactly, to the whole
    block at or after ``start`` (the last block when past the end), so such findings still have a home.
    ``starts`` are the blocks' start offsets (passed in so callers compute them once).
    """
    blocks = document.blocks
    if not blocks:
        return [], False
    out: list[tuple[Block, int, int]] = []
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    while i < len(blocks) and blocks[i].start < end:
        b = blocks[i]
        lo, hi = max(start, b.start) - b.start, min(end, b.end) - b.start
        if hi > lo:
            out.append((b, lo, hi))
        i += 1
    if out:
        return out, True
    j = bisect.bisect_left([b.end for b in blocks], start)
    b = blocks[min(j, len(blocks) - 1)]
    return ([(b, 0, len(b.text))] if b.text else []), False


_WS = re.compile(r"\s")


def _map_paragraph(p: Paragraph, block_text: str, sheet: dx.StyleSheet) -> _Para:
    """Offsets of ``block_text`` in the paragraph's visible text: after the lstrip lead, or through
    whitespace normalisation when the block was normalised (runs of whitespace -> one space)."""
    vis = dx.visible_text(dx.run_pieces(p, sheet))
    if vis.strip() == block_text:
        lead = len(vis) - len(vis.lstrip())
        return _Para(p, list(range(lead, lead + len(block_text) + 1)), len(vis))
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(vis):
        if _WS.match(ch):
            if chars and chars[-1] != " ":
                chars.append(" ")
                index.append(i)
        else:
            chars.append(ch)
            index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    if "".join(chars) == block_text:
        return _Para(p, [*index, (index[-1] + 1) if index else 0], len(vis))
    return _Para(p, None, len(vis))


def _hoist_reference(last_run: Any) -> None:
    """Move the comment-reference run python-docx put after ``last_run`` out of ``w:ins``/``w:hyperlink``.

    The range end may sit inside a container, but the reference mark itself should not become part of
    a tracked insertion (rejecting it would orphan the comment) or of a link.
    """
    end = last_run.getnext()
    ref = end.getnext() if end is not None else None
    if ref is None or ref.tag != dx.R or ref.find(dx.q("commentReference")) is None:
        return
    node = last_run.getparent()
    if node is None or node.tag == dx.P:
        return
    while node.getparent() is not None and node.getparent().tag != dx.P:
        node = node.getparent()
    if node.getparent() is not None:
        node.addnext(ref)


# ---------------------------------------------------------------------------------------------- new documents


def write_blocks(doc: Any, blocks: Sequence[Block]) -> dict[int, Paragraph]:
    """One paragraph per block (headings as "Heading 2"); returns block index -> ``w:p``."""
    out: dict[int, Paragraph] = {}
    heading: str | None = None
    if any(block.heading for block in blocks):
        h2 = doc.styles["Heading 2"]
        heading = style_value(doc, h2, WD_STYLE_TYPE.PARAGRAPH)
    for block in blocks:
        para = doc.add_paragraph()
        if block.heading:  # what add_paragraph(style="Heading 2") writes, its style resolved once
            para._p.style = heading
        if block.text:  # what add_paragraph(text) writes, without its character-by-character appender
            _append_text(_sub(para._p, "r"), block.text)
        out[block.index] = para._p
    return out


# ---------------------------------------------------------------------------------------------- scorecard


def insert_scorecard(doc: Any, review: Review, advice: Advice | None = None) -> Run:
    """Put the first page (after "Since your last draft" in a later round) before the first body element:
    the scorecard, what's working, how many more points the full review has, notes; return the scorecard
    heading's run (a fallback anchor)."""
    body = doc.element.body
    before = list(body)
    styles = scorecard_styles(doc)
    titles = {c.id: c.title or c.id for c in review.criteria}
    if review.revision is not None:
        revision_section(doc, styles, review.revision, titles)
    heading = _paragraph(doc, styles, "Review scorecard", "Heading 1", size=16)
    _paragraph(doc, styles, summary_line(review), None, size=None)
    _table(doc, styles, review.criteria)
    skipped = sum(1 for c in review.criteria if c.verdict is Verdict.NOT_APPLICABLE)
    if skipped:
        _paragraph(doc, styles, not_applicable_line(skipped), None, size=None, colour=MUTED)
    if advice is not None and advice.working:
        _paragraph(doc, styles, WORKING_HEADING, "Heading 2", size=13)
        for s in advice.working:
            _paragraph(doc, styles, f"{s.title}: “{s.quote}”", "List Bullet", size=None, bullet=True)
    if advice is not None and advice.more:
        n = sum(max(len(c.points), 1) for c in advice.more)
        _paragraph(doc, styles, f"The comments below cover the most important points; {n} more "
                   f"{'is' if n == 1 else 'are'} listed in the full review (the Markdown or HTML file).", None,
                   size=None)
    if review.notes:
        _paragraph(doc, styles, "Notes", "Heading 2", size=13)
        for note in review.notes:
            _paragraph(doc, styles, note, "List Bullet", size=None, bullet=True)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    kept = set(before)
    new = [el for el in body if el not in kept]
    first = next((el for el in before if el.tag != qn("w:sectPr")), None)
    if first is not None:
        for el in new:
            first.addprevious(el)
    return heading.runs[0]


WORKING_HEADING = "What's working"


SCORECARD_STYLES = frozenset({"Heading 1", "Heading 2", "List Bullet", "Table Grid"})


def scorecard_styles(doc: Any) -> dict[tuple[str, Any], ResolvedStyle]:
    """``(UI name, type) -> style`` for the styles the scorecard uses, the last definition winning, as in
    ``{(s.name, s.type): s for s in doc.styles}``; without wrapping every style of the document."""
    found: dict[tuple[str, Any], ResolvedStyle] = {}
    for raw in _STYLE_NAMES(doc.styles.element):
        name = BabelFish.internal2ui(str(raw))
        if name in SCORECARD_STYLES:
            style = StyleFactory(raw.getparent().getparent())
            found[(name, style.type)] = ResolvedStyle(style, style_value(doc, style, style.type))
    return found


@dataclass(frozen=True)
class ResolvedStyle:
    """A style and the value python-docx's ``paragraph.style = style`` (or ``table.style``) writes for it."""

    style: Any
    value: str | None  # its id, or None when it is its type's default style


_DEFAULT_CANDIDATES = etree.XPath("w:style[@w:default]", namespaces={"w": nsmap["w"]})


def style_value(doc: Any, style: Any, style_type: Any) -> str | None:
    """``doc.part.get_style_id(style, style_type)`` without its scan of every style per call: only the styles
    marked default are read (the last default of the type wins, as in python-docx)."""
    if style.type != style_type:
        raise ValueError(f"assigned style is type {style.type}, need type {style_type}")
    defaults = [s for s in _DEFAULT_CANDIDATES(doc.styles.element) if s.type == style_type and s.default]
    return None if defaults and defaults[-1] is style.element else style.style_id


# The w:name/@w:val of every w:style whose UI name can be a scorecard style ("heading 1" is "Heading 1").
_RAW_NAMES = sorted(SCORECARD_STYLES | {BabelFish.ui2internal(n) for n in SCORECARD_STYLES})
_STYLE_NAMES = etree.XPath(
    "w:style/w:name/@w:val[" + " or ".join(f".='{n}'" for n in _RAW_NAMES) + "]",
    namespaces={"w": nsmap["w"]},
    smart_strings=True,
)


REVISION_HEADING = "Since your last draft"


def revision_section(doc: Any, styles: dict[tuple[str, Any], ResolvedStyle], rev: RevisionSummary,
                     titles: dict[str, str] | None = None) -> None:
    """What this draft resolved since the previous round and what is still open (new points marked),
    then the criteria whose verdict changed; a few lines of each (the rest counted), by criterion title.
    Placed first: it is what a returning writer looks for."""
    titles = titles or {}
    resolved, persisting, new = rev.of(Change.RESOLVED), rev.of(Change.PERSISTING), rev.of(Change.NEW)
    _paragraph(doc, styles, REVISION_HEADING, "Heading 1", size=16)
    _paragraph(doc, styles, f"Round {rev.round}, compared with round {rev.previous_round}: {len(resolved)} resolved, "
               f"{len(persisting) + len(new)} still open ({len(new)} new).", None, size=None)
    groups = (("Resolved", resolved), ("Still open", (*persisting, *new)))
    for title, items in groups:
        if not items:
            continue
        _paragraph(doc, styles, title, "Heading 2", size=13)
        for f in items[:REVISION_ITEMS]:
            tag = " (new)" if f.status is Change.NEW else ""
            quote = f": “{_short(f.quote)}”" if f.quote.strip() else ""
            _paragraph(doc, styles, f"{titles.get(f.criterion, f.criterion)}{tag}{quote}", "List Bullet", size=None,
                       bullet=True)
        if len(items) > REVISION_ITEMS:
            _paragraph(doc, styles, f"and {len(items) - REVISION_ITEMS} more", None, size=None, colour=MUTED)
    changed = [v for v in rev.verdicts if v.before != v.after]
    if changed:
        _paragraph(doc, styles, "Verdicts that changed", "Heading 2", size=13)
        for v in changed[:REVISION_ITEMS]:
            before = VERDICT_LABEL[v.before] if v.before else "—"
            after = VERDICT_LABEL[v.after] if v.after else "—"
            _paragraph(doc, styles, f"{titles.get(v.id, v.id)}: {before} → {after}", "List Bullet", size=None,
                       bullet=True)
        if len(changed) > REVISION_ITEMS:
            _paragraph(doc, styles, f"and {len(changed) - REVISION_ITEMS} more", None, size=None, colour=MUTED)


def summary_line(review: Review) -> str:
    """"Personal statement · 643 words · 7 to revise (5 fail, 2 warn) · 3 pass": the criteria that apply."""
    info = review.document
    counts = {v: sum(1 for c in review.criteria if c.verdict is v) for v in Verdict}
    fails, warns = counts[Verdict.FAIL], counts[Verdict.WARN]
    parts = [
        info.kind.value.replace("_", " ").capitalize(),
        f"{info.words:,} words",
        f"{fails + warns} to revise ({fails} fail, {warns} warn)" if fails + warns else "nothing to revise",
        f"{counts[Verdict.PASS]} pass",
    ]
    if review.engine != "rules":
        parts.append(f"engine: {review.engine}")
    if info.hidden_spans:
        parts.append(f"{info.hidden_spans} hidden text span(s) not reviewed")
    return " · ".join(parts)


def _paragraph(
    doc: Any,
    styles: dict[tuple[str, Any], ResolvedStyle],
    text: str,
    style: str | None,
    *,
    size: int | None,
    bullet: bool = False,
    colour: str | None = None,
) -> Any:
    found = styles.get((style, WD_STYLE_TYPE.PARAGRAPH)) if style else None
    if found is not None:
        para = doc.add_paragraph(text)
        para._p.style = found.value
        return para
    if style is None and colour is None:
        return doc.add_paragraph(text)
    para = doc.add_paragraph()
    run = para.add_run(f"• {text}" if bullet else text)
    if style is not None and not bullet:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = RGBColor.from_string(colour)
    return para


def _table(doc: Any, styles: dict[tuple[str, Any], ResolvedStyle], criteria: Sequence[CriterionResult]) -> None:
    """The criteria that apply, worst first: verdict (a word on a coloured cell), title, one line on why.
    Built as XML: python-docx's per-cell and per-run API costs more than the rest of the render. The markup
    is what that API writes (cell widths, shading, run properties in schema order)."""
    order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2}
    rows = sorted((c for c in criteria if c.verdict is not Verdict.NOT_APPLICABLE), key=lambda c: order[c.verdict])
    table = doc.add_table(rows=0, cols=len(COLUMNS))
    grid = styles.get(("Table Grid", WD_STYLE_TYPE.TABLE))
    if grid is not None:
        table._tbl.tblStyle_val = grid.value
    else:
        _borders(table._tbl)
    tbl = table._tbl
    # Word reads the cell widths, LibreOffice the grid: set both.
    for col, width in zip(tbl.tblGrid.gridCol_lst, COLUMN_WIDTHS, strict=True):
        col.w = width
    widths = [str(w.twips) for w in COLUMN_WIDTHS]
    header = _sub(tbl, "tr")
    _sub(_sub(header, "trPr"), "tblHeader")
    for twips, title in zip(widths, COLUMNS, strict=True):
        _text_run(_sub(_cell(header, twips), "p"), title, bold=True, colour=None, size=TABLE_PT)
    for crit in rows:
        fill, verdict_colour = VERDICT_COLOUR[crit.verdict]
        tr = _sub(tbl, "tr")
        verdict = _sub(_cell(tr, widths[0], fill=fill), "p")
        _text_run(verdict, VERDICT_LABEL[crit.verdict], bold=True, colour=verdict_colour, size=TABLE_PT)
        _text_run(_sub(_cell(tr, widths[1]), "p"), crit.title or crit.id, bold=None, colour=None, size=TABLE_PT)
        _text_run(_sub(_cell(tr, widths[2]), "p"), one_line(crit.message), bold=None, colour=None, size=TABLE_PT)


def one_line(text: str, limit: int = WHY_CHARS) -> str:
    """``text`` on one line of the scorecard: at most ``limit`` characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:(") + "…"


_W = f"{{{nsmap['w']}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RUN_BREAKS = re.compile(r"([\t\r\n])")


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    """A ``w:`` child appended to ``parent``, with ``w:`` attributes in the order given."""
    el = etree.SubElement(parent, _W + tag)
    for name, value in attrs.items():
        el.set(_W + name, value)
    return el


def _cell(tr: Any, width: str, *, fill: str | None = None) -> Any:
    tc = _sub(tr, "tc")
    tc_pr = _sub(tc, "tcPr")
    _sub(tc_pr, "tcW", type="dxa", w=width)
    if fill is not None:
        _sub(tc_pr, "shd", val="clear", color="auto", fill=fill)
    return tc


def _text_run(p: Any, text: str, *, bold: bool | None, colour: str | None, size: int) -> Any:
    """A ``w:r`` as python-docx's ``add_run(text)`` plus ``bold``/``font.color``/``font.size`` writes it."""
    r = _sub(p, "r")
    r_pr = _sub(r, "rPr")
    if bold is not None:
        b = _sub(r_pr, "b")
        if not bold:
            b.set(_W + "val", "0")
    if colour is not None:
        _sub(r_pr, "color", val=colour)
    _sub(r_pr, "sz", val=str(size * 2))
    _append_text(r, text)
    return r


def _append_text(r: Any, text: str) -> None:
    """Text into ``w:r`` as python-docx's run text setter writes it: tabs become ``w:tab``, line breaks
    ``w:br``, and text with edge spaces keeps them."""
    for piece in _RUN_BREAKS.split(text) if text else ():
        if piece == "\t":
            _sub(r, "tab")
        elif piece in ("\r", "\n"):
            _sub(r, "br")
        elif piece:
            t = _sub(r, "t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_XML_SPACE, "preserve")


def _borders(tbl: Any) -> None:
    """Single thin borders, for documents without a "Table Grid" style."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(
            OxmlElement(
                f"w:{side}",
                attrs={qn("w:val"): "single", qn("w:sz"): "4", qn("w:space"): "0", qn("w:color"): "auto"},
            )
        )
    # CT_TblPr is a sequence: tblBorders must precede shd, tblLayout, tblCellMar and tblLook (schema order),
    # or Word reports the file as damaged.
    later = [c for c in tbl.tblPr if c.tag in {qn(f"w:{t}") for t in ("shd", "tblLayout", "tblCellMar", "tblLook",
                                                                         "tblCaption", "tblDescription")}]
    if later:
        later[0].addprevious(borders)
    else:
        tbl.tblPr.append(borders)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------- .docm


_MAIN_DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
_MAIN_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _is_macro_package(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return _MAIN_DOCM.encode() in zf.read("[Content_Types].xml")


def strip_macros(data: bytes) -> bytes:
    """A ``.docm`` package as a plain ``.docx``: main content type rewritten, VBA parts and links dropped."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        vba_targets: set[str] = set()
        rels_name = "word/_rels/document.xml.rels"
        if rels_name in src.namelist():
            rels = etree.fromstring(src.read(rels_name))
            for rel in list(rels):
                if rel.get("Type", "").endswith(("/vbaProject", "/keyMapCustomizations", "/wordVbaData")):
                    vba_targets.add("word/" + rel.get("Target", "").lstrip("/").removeprefix("word/"))
                    rels.remove(rel)
            rel_bytes = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        for item in src.infolist():
            name = item.filename
            if name in vba_targets or name.startswith("word/vba") or name == "word/_rels/vbaProject.bin.rels":
                continue
            payload = src.read(name)
            if name == "[Content_Types].xml":
                payload = _plain_content_types(payload)
            elif name == rels_name:
                payload = rel_bytes
            dst.writestr(item, payload)
    return buf.getvalue()


def _plain_content_types(payload: bytes) -> bytes:
    root = etree.fromstring(payload)
    for el in list(root):
        ctype = el.get("ContentType", "")
        if ctype == _MAIN_DOCM:
            el.set("ContentType", _MAIN_DOCX)
        elif "vba" in ctype.lower() or "keyMapCustomizations" in ctype:
            root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
