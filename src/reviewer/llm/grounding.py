"""Grounding: every quote a model returns is located in the visible document text, or dropped.

A model's quote becomes a finding only when it is found in ``Document.text`` (the visible text, the
same text the renderers anchor on), in three steps of decreasing strictness:

1. exact substring;
2. normalised: invisible characters removed, curly quotes and dashes folded to ASCII, whitespace
   runs collapsed, case folded (a per-character map keeps offsets into the original);
3. fuzzy: :func:`rapidfuzz.fuzz.partial_ratio_alignment` of the normalised quote against windows of
   one to three consecutive sentences, accepted at ``threshold`` (default 90) and only when the
   alignment covers most of the quote (so a real sentence inside an invented longer quote does not
   count). Short quotes (under 12 normalised characters) are never matched fuzzily.

A located quote is anchored on the sentence(s) covering it (``Document.sentences_in``), which is what a
reviewer comments on. Quotes that cannot be located are dropped and counted by the engine; they are
never rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..document import Document
from .sanitize import INVISIBLE

MIN_QUOTE = 4
MIN_FUZZY = 12
WINDOW_SENTENCES = 3
COVERAGE = 0.9

_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_STRIP_EDGES = " \t\r\n\"'\u2018\u2019\u201c\u201d.\u2026"

Method = Literal["exact", "normalised", "fuzzy"]


@dataclass(frozen=True)
class Located:
    start: int  # the quote's own span in Document.text
    end: int
    method: Method
    score: float
    anchor_start: int  # the covering sentence(s)
    anchor_end: int


def normalise(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the offset of the source character it came from."""
    out: list[str] = []
    origin: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if INVISIBLE.match(ch):
            continue
        if ch.isspace():
            if out and not space:
                out.append(" ")
                origin.append(i)
            space = True
            continue
        space = False
        for c in _FOLD.get(ch, ch).lower():
            out.append(c)
            origin.append(i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def clean_quote(quote: str) -> str:
    """The quote without the quotation marks and ellipses models like to wrap around it."""
    q = quote.strip()
    for prefix in ("...", "\u2026"):
        q = q.removeprefix(prefix)
    for suffix in ("...", "\u2026"):
        q = q.removesuffix(suffix)
    return q.strip(_STRIP_EDGES) if len(q.strip(_STRIP_EDGES)) >= MIN_QUOTE else q.strip()


def locate(doc: Document, quote: str, *, threshold: float = 90.0) -> Located | None:
    """Find ``quote`` in ``doc.text`` (exact, normalised, then fuzzy); None when it is not there."""
    q = clean_quote(quote)
    nq, _ = normalise(q)
    if len(nq) < MIN_QUOTE:
        return None
    text = doc.text
    i = text.find(q)
    if i >= 0:
        return _anchored(doc, i, i + len(q), "exact", 100.0)
    nt, origin = normalise(text)
    j = nt.find(nq)
    if j >= 0:
        return _anchored(doc, origin[j], origin[j + len(nq) - 1] + 1, "normalised", 100.0)
    if len(nq) < MIN_FUZZY:
        return None
    return _fuzzy(doc, nq, threshold)


def _fuzzy(doc: Document, nq: str, threshold: float) -> Located | None:
    from rapidfuzz import fuzz

    best: tuple[float, int, int] | None = None
    for ws, we in _windows(doc):
        nw, origin = normalise(doc.text[ws:we])
        if not nw:
            continue
        res = fuzz.partial_ratio_alignment(nq, nw, score_cutoff=threshold)
        if res is None or res.dest_end <= res.dest_start:
            continue
        covered = (res.src_end - res.src_start) / len(nq)
        if covered < COVERAGE:
            continue
        if best is None or res.score > best[0]:
            start = ws + origin[res.dest_start]
            end = ws + origin[res.dest_end - 1] + 1
            best = (res.score, start, end)
    if best is None:
        return None
    return _anchored(doc, best[1], best[2], "fuzzy", best[0])


def _windows(doc: Document) -> list[tuple[int, int]]:
    spans = [(s.start, s.end) for s in doc.sentences] or [(b.start, b.end) for b in doc.blocks]
    out: list[tuple[int, int]] = []
    for i in range(len(spans)):
        for n in range(1, WINDOW_SENTENCES + 1):
            if i + n <= len(spans):
                out.append((spans[i][0], spans[i + n - 1][1]))
    return out


def _anchored(doc: Document, start: int, end: int, method: Method, score: float) -> Located:
    covering = doc.sentences_in(start, end)
    a_start, a_end = (covering[0].start, covering[-1].end) if covering else (start, end)
    return Located(start, end, method, score, min(a_start, start), max(a_end, end))
