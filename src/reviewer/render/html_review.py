"""The HTML review of one document: the draft with its commented sentences highlighted and the comments beside
them, the scorecard, what's working and the suggested rewrite, in one self-contained page.

:func:`review_html` is a pure function from ``(Review, Document)`` to an HTML string (the ``html`` output
format, and the page a local web app can serve as is). What it says is :mod:`reviewer.render.advice`'s, so the
page, the annotated DOCX and the Markdown agree comment for comment.

The page opens offline and fetches nothing: the stylesheet is inline, there is no script, and a
Content-Security-Policy of ``default-src 'none'`` with the hash of that one style block makes the browser
refuse anything else (an image, a frame, a script that slipped past escaping). Every piece of the applicant's
text goes through Jinja2's autoescape. A verdict is always a word ("FAIL", "WARN", "PASS") next to its colour,
and every highlight carries its comment's number, so nothing is told by colour alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..document import Block, Document
from ..errors import printable
from ..findings import Review, Verdict
from .advice import Advice, Comment, advise, not_applicable_line, outline_lines
from .templating import TEMPLATES, csp_hash, new_environment

VERDICT_LABEL = {Verdict.FAIL: "FAIL", Verdict.WARN: "WARN", Verdict.PASS: "PASS", Verdict.NOT_APPLICABLE: "n/a"}
ORDER = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2, Verdict.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class Piece:
    """A run of a paragraph's text, highlighted when a comment sits on it."""

    text: str
    number: int | None = None  # the comment's number on the page
    verdict: str = ""


@dataclass(frozen=True)
class Paragraph:
    block: Block
    pieces: tuple[Piece, ...]
    notes: tuple[tuple[int, Comment], ...]  # (number, comment) of the comments on this paragraph


def paragraphs(document: Document, comments: tuple[Comment, ...]) -> list[Paragraph]:
    """The draft's paragraphs, each cut into pieces at its comments' spans (a comment lies within one sentence,
    so within one paragraph); comments are numbered in document order."""
    numbered = list(enumerate(sorted(comments, key=lambda c: c.start), 1))
    out: list[Paragraph] = []
    for block in document.blocks:
        mine = [(n, c) for n, c in numbered if block.start <= c.start < block.end and c.end > c.start]
        pieces: list[Piece] = []
        pos = block.start
        for n, c in mine:
            a, b = max(c.start, pos), min(c.end, block.end)
            if a > pos:
                pieces.append(Piece(document.text[pos:a]))
            if b > a:
                pieces.append(Piece(document.text[a:b], n, c.verdict.value))
                pos = b
        if pos < block.end:
            pieces.append(Piece(document.text[pos : block.end]))
        out.append(Paragraph(block, tuple(pieces), tuple(mine)))
    return out



@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    return new_environment()


@functools.lru_cache(maxsize=1)
def _stylesheet() -> str:
    css = (TEMPLATES / "review.css").read_text(encoding="utf-8")
    assert "</" not in css, "the inline stylesheet must not close its own element"
    return css


def summary(review: Review) -> str:
    counts = {v: sum(1 for c in review.criteria if c.verdict is v) for v in Verdict}
    fails, warns = counts[Verdict.FAIL], counts[Verdict.WARN]
    kind = review.document.kind.value.replace("_", " ").capitalize()
    revise = f"{fails + warns} to revise ({fails} fail, {warns} warn)" if fails + warns else "nothing to revise"
    return f"{kind} · {review.document.words:,} words · {revise} · {counts[Verdict.PASS]} pass"


def review_html(review: Review, document: Document, advice: Advice | None = None) -> str:
    """The whole page for one reviewed document (``advice`` defaults to :func:`advise` of the review)."""
    from markupsafe import Markup

    advice = advice if advice is not None else advise(review, document)
    css = _stylesheet()
    criteria = sorted((c for c in review.criteria if c.verdict is not Verdict.NOT_APPLICABLE),
                      key=lambda c: ORDER[c.verdict])
    lead, *steps = outline_lines(advice.rewrite) if advice.rewrite is not None else ("",)
    return str(_environment().get_template("review.html.j2").render(
        name=printable(PurePath(review.document.path).name),
        summary=summary(review),
        criteria=criteria,
        not_applicable=not_applicable_line(sum(1 for c in review.criteria if c.verdict is Verdict.NOT_APPLICABLE)),
        any_not_applicable=any(c.verdict is Verdict.NOT_APPLICABLE for c in review.criteria),
        label=VERDICT_LABEL,
        advice=advice,
        paragraphs=paragraphs(document, advice.comments),
        more=[(document.text[c.start : c.end], c) for c in advice.more],
        loose=[c for c in advice.comments if not any(b.start <= c.start < b.end and c.end > c.start
                                                     for b in document.blocks)],
        rewrite_lead=lead,
        rewrite_steps=advice.rewrite.steps if advice.rewrite is not None else (),
        notes=review.notes,
        revision=review.revision,
        titles={c.id: c.title or c.id for c in review.criteria},
        style=Markup(css),
        csp=f"default-src 'none'; style-src {csp_hash(css)}; img-src data:; base-uri 'none'; form-action 'none'",
        blank_pieces=blank_pieces,
        steps_count=len(steps),
    ))


def blank_pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_blank) at its ``[...]`` blanks, so the page can mark what to fill in."""
    from ..rewrite import BLANK

    out: list[tuple[str, bool]] = []
    pos = 0
    for m in BLANK.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


__all__ = ["Paragraph", "Piece", "blank_pieces", "paragraphs", "review_html"]
