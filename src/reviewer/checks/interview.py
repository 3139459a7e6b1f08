"""The ``interview.length`` detector: a prepared spoken answer should take 30-60 seconds.

Length is judged in words at a speaking rate (150 words per minute by default, so 75-150 words), the
only measure that needs no audio. Words are whitespace-separated tokens of the visible text, the same
count as :attr:`reviewer.document.Document.words`.

Anchors: a long answer's finding spans the sentences past the limit, i.e. the part to cut; a short
answer's finding spans the whole answer.
"""

from __future__ import annotations

from pydantic import Field

from ..document import Document, Sentence
from ..findings import Verdict
from .registry import Context, Hit, Outcome, Params, register


class LengthParams(Params):
    words_per_minute: int = Field(default=150, gt=0)
    min_words: int = Field(default=75, ge=0)  # 30 seconds
    max_words: int = Field(default=150, gt=0)  # 60 seconds
    fail_above: int = Field(default=200, gt=0)  # 80 seconds: clearly a monologue


def seconds(words: int, wpm: int) -> int:
    return round(words * 60 / wpm)


def sentence_after_word(doc: Document, limit: int) -> Sentence | None:
    """The first sentence that starts after word number ``limit`` (the first sentence to cut)."""
    count = 0
    for s in doc.sentences:
        if count >= limit:
            return s
        count += len(s.text.split())
    return None


def _whole(doc: Document) -> tuple[int, int]:
    if doc.sentences:
        return doc.sentences[0].start, doc.sentences[-1].end
    return 0, len(doc.text)


@register("interview_length", LengthParams)
def check_interview_length(ctx: Context, params: LengthParams) -> Outcome:
    doc = ctx.doc
    words = doc.words
    if words == 0:
        return Outcome(Verdict.NOT_APPLICABLE, summary="empty answer")
    secs = seconds(words, params.words_per_minute)
    said = f"{words} words, about {secs} seconds at {params.words_per_minute} words per minute"
    lo, hi = params.min_words, params.max_words
    if words > hi:
        verdict = Verdict.FAIL if words > params.fail_above else Verdict.WARN
        cut = sentence_after_word(doc, hi) or (doc.sentences[-1] if doc.sentences else None)
        start, end = (cut.start, doc.sentences[-1].end) if cut else _whole(doc)
        note = f"{words} words, about {secs} seconds; aim for {lo}-{hi} words; the part past {hi} words starts here"
        return Outcome(verdict, (Hit(start, end, verdict, note),), summary=f"too long: {said}")
    if words < lo:
        start, end = _whole(doc)
        note = f"{words} words, about {secs} seconds; aim for {lo}-{hi} words"
        return Outcome(Verdict.WARN, (Hit(start, end, Verdict.WARN, note),), summary=f"too short: {said}")
    return Outcome(Verdict.PASS, summary=said)
