"""Revision rounds: how a document's new review compares with the review of its previous draft.

:func:`compare` is a pure function of two :class:`~reviewer.findings.Review` values. Each open point
(a ``warn`` or ``fail`` finding) of either round is *resolved* (only in the previous round),
*persisting* (in both) or *new* (only in the current round); each criterion verdict gets a before/after.

Findings are matched by criterion and by the sentence they anchor, tolerant of edits around it: two
findings of the same criterion are the same point when their quotes are identical after normalisation,
similar enough (rapidfuzz, score >= ``threshold``), or both have nothing to quote at the document start
(a document-level finding such as "no Kaiser-specific reason"). Offsets are never compared: an edit
earlier in the text moves every later span. Matching is one-to-one and greedy by best score, so when a
sentence is kept and another one of the same criterion is added, the kept one persists and the added one
is new.

Two similarity measures, the higher one counts: ``ratio`` catches a fixed typo or a reworded clause;
``token_set_ratio`` (on the words, without punctuation) catches a sentence that grew or shrank around
the same words: a quote that is a subset of the other scores 100. The second applies only when both
quotes have a few words, because on two- or three-word quotes it would match any sentence that shares
one of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from .findings import Change, Finding, FindingChange, Review, RevisionSummary, Verdict, VerdictChange

THRESHOLD = 80.0
MIN_SET_TOKENS = 4  # token_set_ratio only for quotes of at least this many words

_OPEN = (Verdict.WARN, Verdict.FAIL)
_PUNCT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_SPACE = re.compile(r"\s+")


def normalise(quote: str) -> str:
    """Case, typographic punctuation and whitespace do not make two quotes different."""
    text = unicodedata.normalize("NFKC", quote).translate(_PUNCT).casefold()
    return _SPACE.sub(" ", text).strip()


def open_points(review: Review) -> list[Finding]:
    """The findings a writer has to act on (``warn``/``fail``); pass notes are not points to resolve."""
    return [f for f in review.findings if f.verdict in _OPEN]


def similarity(a: Finding, b: Finding) -> float:
    """0-100: how surely ``a`` and ``b`` are the same point (0 for different criteria)."""
    if a.criterion != b.criterion:
        return 0.0
    qa, qb = normalise(a.quote), normalise(b.quote)
    if qa == qb:
        return 100.0 if qa or (a.start == 0 and b.start == 0) else 0.0
    if not qa or not qb:
        return 0.0
    score = fuzz.ratio(qa, qb)
    wa, wb = default_process(qa), default_process(qb)  # words only: "devastated." is "devastated"
    if min(len(wa.split()), len(wb.split())) >= MIN_SET_TOKENS:
        score = max(score, fuzz.token_set_ratio(wa, wb))
    return float(score)


def match(previous: Sequence[Finding], current: Sequence[Finding], *,
          threshold: float = THRESHOLD) -> list[tuple[int, int]]:
    """One-to-one pairs (index in ``previous``, index in ``current``), greedy by best score.

    Ties go to the pair whose positions in their documents are closest in rank, so two identical quotes
    pair up in order.
    """
    scored: list[tuple[float, int, int, int]] = []
    for i, p in enumerate(previous):
        for j, c in enumerate(current):
            s = similarity(p, c)
            if s >= threshold:
                scored.append((-s, abs(i - j), i, j))
    scored.sort()
    used_p: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, i, j in scored:
        if i in used_p or j in used_c:
            continue
        used_p.add(i)
        used_c.add(j)
        pairs.append((i, j))
    return sorted(pairs, key=lambda ij: ij[1])


def verdict_changes(previous: Review, current: Review) -> tuple[VerdictChange, ...]:
    """Every criterion of either round with its verdict before and after (None: not judged that round)."""
    before = {c.id: c.verdict for c in previous.criteria}
    after = {c.id: c.verdict for c in current.criteria}
    ids = [c.id for c in current.criteria] + [c.id for c in previous.criteria if c.id not in after]
    return tuple(VerdictChange(id=cid, before=before.get(cid), after=after.get(cid)) for cid in ids)


def compare(previous: Review, current: Review, *, round: int, previous_round: int,
            threshold: float = THRESHOLD) -> RevisionSummary:
    """How ``current`` (round ``round``) compares with ``previous`` (round ``previous_round``)."""
    old, new = open_points(previous), open_points(current)
    pairs = match(old, new, threshold=threshold)
    matched_old = {i for i, _ in pairs}
    matched_new = {j: i for i, j in pairs}
    changes: list[FindingChange] = [
        FindingChange(status=Change.RESOLVED, criterion=f.criterion, quote=f.quote, message=f.message)
        for i, f in enumerate(old) if i not in matched_old
    ]
    for j, f in enumerate(new):
        if j in matched_new:
            before = old[matched_new[j]]
            changes.append(FindingChange(status=Change.PERSISTING, criterion=f.criterion, quote=f.quote,
                                         message=f.message, previous_quote=before.quote, start=f.start, end=f.end))
        else:
            changes.append(FindingChange(status=Change.NEW, criterion=f.criterion, quote=f.quote,
                                         message=f.message, start=f.start, end=f.end))
    order = {Change.RESOLVED: 0, Change.PERSISTING: 1, Change.NEW: 2}
    changes.sort(key=lambda c: order[c.status])  # stable: document order within each status
    return RevisionSummary(round=round, previous_round=previous_round, previous_sha256=previous.document.sha256,
                           findings=tuple(changes), verdicts=verdict_changes(previous, current))


def counts(summary: RevisionSummary | None) -> dict[str, int]:
    """``{"resolved": n, "persisting": n, "new": n}`` (all zero without a summary)."""
    return {c.value: (len(summary.of(c)) if summary else 0) for c in Change}


__all__ = ["THRESHOLD", "compare", "counts", "match", "normalise", "open_points", "similarity",
           "verdict_changes"]
