"""Run surgery: split ``w:r`` elements at visible-character offsets, keeping their formatting.

This is the low layer under the DOCX renderer (python-docx's own oxml / API split): it knows nothing
about findings or comments, only paragraphs, runs and offsets. Offsets are *visible* character
offsets into ``docx_xml.visible_text(run_pieces(p, sheet))``, so they count exactly what the ingest
counted: hidden runs (vanish, white, tiny) contribute nothing and are never split by a visible offset,
though they are kept in a covering range when they sit inside it.

Splitting a run deep-copies it (so ``w:rPr`` and attributes survive verbatim), inserts the copy in
front of the original *in the same container* (a run inside ``w:ins`` or ``w:hyperlink`` stays inside
it), and divides the content children between the two: the left part keeps what precedes the split
point, the original keeps the rest. A ``w:t`` that straddles the point is cut in two, both halves
marked ``xml:space="preserve"`` so edge spaces survive. Splits happen only strictly inside a run, so no
empty run is ever created. How much text each content child shows is taken from
:func:`reviewer.docx_xml.run_text` itself, one child at a time, so the two layers cannot disagree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .. import docx_xml as dx

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_COMMENT_START, _COMMENT_END = dx.q("commentRangeStart"), dx.q("commentRangeEnd")
_RPR = dx.q("rPr")


def child_len(child: Any) -> int:
    """Visible characters one content child of a ``w:r`` contributes (0 for ``w:rPr``, fields, drawings)."""
    return len(dx.run_text([child]))


def split_run(run: Any, k: int) -> tuple[Any, Any]:
    """Split ``run`` after its ``k``-th character; return ``(left, right)``, ``right`` being ``run`` itself.

    ``0 < k < len(run_text(run))`` is required: a split at an edge would make an empty run.
    """
    total = len(dx.run_text(run))
    if not 0 < k < total:
        raise ValueError(f"split offset {k} outside (0, {total})")
    children = list(run)
    left = copy.deepcopy(run)
    left_children = list(left)
    pos = 0
    # run keeps children[right_start:], the left copy keeps left_children[:left_end]; a child that straddles
    # the split point is in both, trimmed.
    left_end = right_start = len(children)
    for i, child in enumerate(children):
        if child.tag == _RPR:
            continue
        n = child_len(child)
        if pos + n <= k:
            pos += n
            continue
        left_end = right_start = i
        if pos < k:  # the split falls inside this child: only w:t has more than one character
            j = k - pos
            text = child.text or ""
            left_children[i].text = text[:j]
            child.text = text[j:]
            left_children[i].set(XML_SPACE, "preserve")
            child.set(XML_SPACE, "preserve")
            left_end = i + 1
        break
    for el in children[:right_start]:
        if el.tag != _RPR:
            run.remove(el)
    for el in left_children[left_end:]:
        left.remove(el)
    run.addprevious(left)
    return left, run


def _layout(p: Any, sheet: dx.StyleSheet) -> list[tuple[Any, int, int, bool]]:
    """(run, start, end, hidden) for every run of ``p`` in order, offsets in visible characters."""
    out: list[tuple[Any, int, int, bool]] = []
    pos = 0
    for pc in dx.run_pieces(p, sheet):
        if pc.hidden is not None:
            out.append((pc.run, pos, pos, True))
        else:
            out.append((pc.run, pos, pos + len(pc.text), False))
            pos += len(pc.text)
    return out


def _split_at(layout: list[tuple[Any, int, int, bool]], offset: int) -> None:
    """Make ``offset`` a run boundary (no-op when it already is one or lies outside), keeping ``layout``
    (from :func:`_layout`) true: the split run's entry becomes its two halves'."""
    for i, (run, start, end, hidden) in enumerate(layout):
        if not hidden and start < offset < end:
            left, right = split_run(run, offset - start)
            layout[i : i + 1] = [(left, start, offset, False), (right, offset, end, False)]
            return


def cover(p: Any, start: int, end: int, sheet: dx.StyleSheet) -> list[Any]:
    """Split runs of ``p`` at ``start`` and ``end``; return the ``w:r`` elements that cover [start, end).

    The list runs from the first run holding visible character ``start`` to the last one holding
    ``end - 1``, including any hidden or empty runs in between. An empty or out-of-range span gives [].
    """
    start = max(start, 0)
    if end <= start:
        return []
    layout = _layout(p, sheet)  # one walk of the paragraph; splits update it in place
    _split_at(layout, start)
    _split_at(layout, end)
    first = next(
        (i for i, (_, s, e, h) in enumerate(layout) if not h and e > s and s >= start and s < end), None
    )
    last = next(
        (
            i
            for i in range(len(layout) - 1, -1, -1)
            if not layout[i][3]
            and layout[i][2] > layout[i][1]
            and layout[i][2] <= end
            and layout[i][2] > start
        ),
        None,
    )
    if first is None or last is None or last < first:
        return []
    return [run for run, *_ in layout[first : last + 1]]


def visible_runs_text(runs: Iterable[Any], sheet: dx.StyleSheet, p: Any) -> str:
    """The visible text of some runs of paragraph ``p`` (hidden ones skipped)."""
    wanted = set(runs)  # lxml keeps one proxy per live element, so identity comparison is sound
    return "".join(pc.text for pc in dx.run_pieces(p, sheet) if pc.run in wanted and pc.hidden is None)


def anchored_texts(body: Any, sheet: dx.StyleSheet) -> dict[int, str]:
    """Visible text between each ``w:commentRangeStart`` and its ``w:commentRangeEnd``, by comment id.

    Paragraph boundaries inside a range show as ``"\\n"``. Used by tests and golden files to compare
    (anchored text, comment) pairs rather than bytes.
    """
    # Keyed by the element proxies themselves: holding them keeps lxml returning the same objects below.
    visible: dict[Any, str] = {}
    for p in dx.paragraphs(body):
        for pc in dx.run_pieces(p, sheet):
            if pc.hidden is None:
                visible[pc.run] = pc.text
    open_ids: dict[int, list[str]] = {}
    done: dict[int, str] = {}
    for el in body.iter(_COMMENT_START, _COMMENT_END, dx.R, dx.P):
        tag = el.tag
        if tag == _COMMENT_START:
            open_ids[int(el.get(dx.q("id")))] = []
        elif tag == _COMMENT_END:
            cid = int(el.get(dx.q("id")))
            if cid in open_ids:
                done[cid] = "".join(open_ids.pop(cid)).strip("\n")
        elif tag == dx.P:
            for parts in open_ids.values():
                parts.append("\n")
        else:
            text = visible.get(el)
            if text:
                for parts in open_ids.values():
                    parts.append(text)
    return done
