"""What's working: what a draft already does as the guide asks, each with the applicant's own words.

Feedback that is only criticism tells an anxious applicant what to cut but not what to keep. This module
names, for a reviewed document, up to :data:`LIMIT` things the draft does well, in the guide's terms, each
quoted from the draft: a specific reason for Kaiser, a measured outcome, a calm account of the score, the
change in approach, the later result, a forward-looking close, teamwork.

A strength is listed only when the review's verdict for its criterion is ``pass`` (so it never contradicts
the scorecard) and the words behind it can be quoted: the quote is located with the same lexicons the
rubric judges with (the rubric set passed in, else the built-in one). Nothing here changes a verdict.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checks.kaiser import KAISER_TERMS, neighbours
from .checks.score import find_score_discussions, main_discussion
from .checks.text import find_terms, has_term, plain
from .document import DocKind, Document, Sentence
from .findings import Review, Verdict
from .rewrite import change_methods
from .rubric import RubricSet, load_rubrics

LIMIT = 3
EXCERPT_WORDS = 28
# "from 31% to 14%", "from 18 to 9 percent": a before/after pair is the clearest measured outcome
BEFORE_AFTER = re.compile(r"(?<![\w])from\s+[~≈]?\d[\d.,]*\s*(?:%|percent)?\s+to\s+[~≈]?\d[\d.,]*\s*(?:%|percent)?",
                          re.IGNORECASE)
PERCENT = re.compile(r"\d\s*(?:%|percent\b)", re.IGNORECASE)
CHANGE = re.compile(r"(?<![\w])(?:reduc|increas|improv|decreas|dropp|fell|rose|cut|rais|lower)\w*", re.IGNORECASE)


@dataclass(frozen=True)
class Strength:
    """One thing the draft does well: ``title`` in the guide's terms, ``quote`` the applicant's words."""

    criterion: str  # the criterion it rests on (for JSON; never shown to the applicant)
    title: str
    quote: str
    start: int  # the quoted sentence in Document.text
    end: int


@functools.lru_cache(maxsize=1)
def _builtin() -> RubricSet:
    return load_rubrics()


def _terms(rubrics: RubricSet, cid: str, key: str) -> tuple[str, ...]:
    try:
        _, criterion = rubrics.get(cid)
    except Exception:  # a rubric set without the criterion (--only, custom rubrics): nothing to look for
        return ()
    value: Any = criterion.params.get(key, ())
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def excerpt(text: str, at: int = 0, words: int = EXCERPT_WORDS) -> str:
    """``text`` shortened to about ``words`` words from the start of the clause holding character ``at`` (the
    sentence start when that fits), with an ellipsis where it is cut."""
    text = " ".join(text.split())
    if len(text.split()) <= words:
        return text
    start = 0
    if len(text[:at].split()) + words // 2 > words:  # the point would fall late: start at its clause
        breaks = [m.end() for m in re.finditer(r"[,;:]\s+", text[:at])]
        start = breaks[-1] if breaks else max(0, text.rfind(" ", 0, at))
    kept = text[start:].split()
    cut = " ".join(kept[:words]).rstrip(",;:")
    return ("…" if start else "") + cut + ("…" if len(kept) > words else "")


_BREAK = re.compile(r"[,;:]\s+|\s[–—-]\s")
_JOIN = re.compile(r"^(?:(?:and|but|so|then)\s+)+", re.IGNORECASE)


def clause(text: str, start: int, end: int) -> str:
    """The clause(s) of ``text`` holding ``text[start:end]``, without a joining "and"/"but"."""
    lo = max((m.end() for m in _BREAK.finditer(text) if m.end() <= start), default=0)
    hi = min((m.start() for m in _BREAK.finditer(text) if m.start() >= end), default=len(text))
    return _JOIN.sub("", text[lo:hi].strip()).rstrip(".")


def _strength(cid: str, title: str, sent: Sentence, at: int = 0, until: int | None = None) -> Strength:
    """A strength quoting ``sent`` (around character ``at``), or only the clause of ``at``..``until``."""
    quote = excerpt(clause(sent.text, at, until), 0) if until is not None else excerpt(sent.text, at)
    return Strength(cid, title, quote, sent.start, sent.end)


Finder = Callable[[Review, Document, RubricSet], Strength | None]


def _why_kaiser(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    model = _terms(rubrics, "kaiser.why_specific", "model_terms")
    names = _terms(rubrics, "kaiser.why_specific", "names") or KAISER_TERMS
    for sent in doc.sentences:
        if not has_term(sent.text, names):
            continue
        for near in sorted(neighbours(doc, sent), key=lambda s: abs(s.index - sent.index)):
            spans = find_terms(plain(near.text), model)
            if spans:
                return _strength("kaiser.why_specific", "A specific reason for Kaiser", near, spans[0][0])
    return None


def _measured(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    cid = "experience.outcome" if doc.kind is DocKind.EXPERIENCE else "kaiser.evidence_backed"
    best: tuple[int, Sentence, int] | None = None
    for sent in doc.sentences:
        pair = BEFORE_AFTER.search(sent.text)
        if pair:
            return _strength(cid, "A measured outcome", sent, pair.start())
        pct = PERCENT.search(sent.text)
        if pct and CHANGE.search(sent.text) and best is None:
            best = (1, sent, pct.start())
    return _strength(cid, "A measured outcome", best[1], best[2]) if best else None


def _calm(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    if not _passes(review, "score.excuse", "score.emotion"):
        return None
    disc = main_discussion(find_score_discussions(doc))
    if disc is None or not disc.setback:
        return None
    return _strength("score.emotion", "A calm account of the score, without excuses", disc.sentences[0])


def _changed(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    disc = main_discussion(find_score_discussions(doc))
    if disc is None:
        return None
    for sent in disc.sentences:
        found = change_methods(sent.text)
        if found:
            return _strength("score.what_changed", "Says what you changed in how you prepare", sent, found[0].start())
    return None


def _later(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    terms = _terms(rubrics, "score.evidence", "terms")
    disc = main_discussion(find_score_discussions(doc))
    if disc is None or not terms:
        return None
    for sent in disc.sentences[1:] or disc.sentences:
        spans = find_terms(plain(sent.text), terms)
        if spans:
            a, b = spans[0]
            return _strength("score.evidence", "Points to a later, checkable result", sent, a, b)
    return None


def _pivot(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    terms = _terms(rubrics, "score.pivot", "terms")
    disc = main_discussion(find_score_discussions(doc))
    if disc is None or not terms:
        return None
    block = disc.sentences[-1].block
    closing = [s for s in doc.sentences if disc.last <= s.index <= disc.last + 1 and s.block == block]
    for sent in closing:
        spans = find_terms(plain(sent.text), terms)
        if spans:
            return _strength("score.pivot", "Ends on what you do now", sent, spans[0][0])
    return None


def _teamwork(review: Review, doc: Document, rubrics: RubricSet) -> Strength | None:
    terms = _terms(rubrics, "experience.teamwork", "terms")
    for sent in doc.sentences:
        spans = find_terms(plain(sent.text), terms)
        if spans and not doc.blocks[sent.block].heading:
            return _strength("experience.teamwork", "Names the team you worked with", sent, spans[0][0])
    return None


def _passes(review: Review, *cids: str) -> bool:
    verdicts = {c.id: c.verdict for c in review.criteria}
    return all(verdicts.get(cid) is Verdict.PASS for cid in cids)


# (criterion whose pass the strength rests on, finder), in the order they are worth telling an applicant
FINDERS: tuple[tuple[str, Finder], ...] = (
    ("kaiser.why_specific", _why_kaiser),
    ("score.excuse", _calm),
    ("experience.outcome", _measured),
    ("kaiser.evidence_backed", _measured),
    ("score.what_changed", _changed),
    ("score.evidence", _later),
    ("score.pivot", _pivot),
    ("experience.teamwork", _teamwork),
)


def strengths(review: Review, document: Document, rubrics: RubricSet | None = None,
              limit: int = LIMIT) -> tuple[Strength, ...]:
    """Up to ``limit`` things the draft does well, each quoted, one per sentence, in :data:`FINDERS` order."""
    rubrics = rubrics if rubrics is not None else _builtin()
    out: list[Strength] = []
    for cid, find in FINDERS:
        if len(out) >= limit:
            break
        if not _passes(review, cid):
            continue
        found = find(review, document, rubrics)
        if found is not None and all(found.start != s.start and found.title != s.title for s in out):
            out.append(found)
    return tuple(out)


__all__ = ["LIMIT", "Strength", "excerpt", "strengths"]
