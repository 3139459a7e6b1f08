"""General check kinds: a new criterion that fits one of them is YAML only.

Each kind looks at a *span* of the document, chosen by ``span:``

* ``document``: the whole visible text (one region);
* ``entry``: each ERAS experience entry on its own (a document without entries is one region);
* ``score_discussion``: the score discussion the rules locate (:func:`reviewer.checks.score.score_discussion`);
  ``not_applicable`` when there is none, or, with ``setback_only: true``, when it explains no setback.

and flags it with ``verdict:`` (``warn`` or ``fail``):

* ``terms_present``: a region with none of ``terms`` (e.g. "name the team you worked with");
* ``terms_absent``: every sentence holding one of ``terms`` (e.g. phrases to avoid);
* ``term_count``: a region with fewer than ``min`` or more than ``max`` occurrences of ``terms``;
* ``length``: a region shorter than ``min`` or longer than ``max`` ``unit`` (words, characters, sentences).

Terms use the rules' syntax (:func:`reviewer.checks.text.term_pattern`: case-insensitive, on word boundaries,
``re:`` for a pattern). Pure functions of the document, like every detector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from ..findings import Verdict
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, plain

SpanName = Literal["document", "entry", "score_discussion"]


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    entry: int | None = None
    label: str = "the document"


class SpanParams(Params):
    span: SpanName = "document"
    setback_only: bool = False  # score_discussion: only a discussion of a setback counts
    verdict: Literal["warn", "fail"] = "warn"
    note: str = ""  # what a finding says (default: a description of the problem)


def regions(ctx: Context, params: SpanParams) -> list[Region] | str:
    """The regions of the span, or why the criterion does not apply."""
    doc = ctx.doc
    if params.span == "document":
        return [Region(0, len(doc.text))] if doc.text.strip() else "the document is empty"
    if params.span == "entry":
        from .experience import entry_spans  # the entries every experience criterion judges (a note is none)

        spans = entry_spans(doc)
        return [Region(e.start, e.end, e.index, e.label) for e in spans] if spans else "no entries"
    from .score import score_discussion

    disc = score_discussion(ctx)
    if disc is None:
        return "no score discussion found"
    if params.setback_only and not disc.setback:
        return "exams are mentioned only as a strength"
    return [Region(disc.start, disc.end, None, "the score discussion")]


def _anchor(ctx: Context, region: Region) -> tuple[int, int]:
    sents = ctx.doc.sentences_in(region.start, region.end) if region.end > region.start else ()
    return (sents[0].start, sents[-1].end) if sents else (region.start, region.end)


def _outcome(ctx: Context, params: SpanParams, bad: Sequence[tuple[Region, str]], what: str) -> Outcome:
    if not bad:
        return Outcome(Verdict.PASS, summary=f"{what}: ok")
    verdict = Verdict(params.verdict)
    hits = tuple(Hit(*_anchor(ctx, r), verdict, f"{r.label}: {params.note or why}", entry=r.entry) for r, why in bad)
    return Outcome(verdict, hits, summary=f"{len(bad)} region(s): {params.note or bad[0][1]}")


class TermsParams(SpanParams):
    terms: tuple[str, ...] = Field(min_length=1)


@register("terms_present", TermsParams)
def check_terms_present(ctx: Context, params: TermsParams) -> Outcome:
    got = regions(ctx, params)
    if isinstance(got, str):
        return Outcome(Verdict.NOT_APPLICABLE, summary=got)
    text = plain(ctx.doc.text)
    bad = [(r, "none of the expected terms") for r in got if not find_terms(text, params.terms, r.start, r.end)]
    return _outcome(ctx, params, bad, "expected terms present")


@register("terms_absent", TermsParams)
def check_terms_absent(ctx: Context, params: TermsParams) -> Outcome:
    got = regions(ctx, params)
    if isinstance(got, str):
        return Outcome(Verdict.NOT_APPLICABLE, summary=got)
    doc, text = ctx.doc, plain(ctx.doc.text)
    verdict = Verdict(params.verdict)
    hits: list[Hit] = []
    for r in got:
        for s in doc.sentences_in(r.start, r.end):
            found = find_terms(text, params.terms, s.start, s.end)
            if found:
                a, b = found[0]
                hits.append(Hit(s.start, s.end, verdict, params.note or f'"{doc.text[a:b]}"', entry=r.entry))
    if not hits:
        return Outcome(Verdict.PASS, summary="none of the terms to avoid")
    return Outcome(verdict, tuple(hits), summary=f"{len(hits)} sentence(s) with a term to avoid")


class BoundsParams(Params):
    """A lower bound, an upper bound or both, for the count and length kinds."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> BoundsParams:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self

    def beyond(self, n: int) -> str | None:
        """Which bound ``n`` breaks ("at least 2", "at most 5"), or None."""
        if self.min is not None and n < self.min:
            return f"at least {self.min}"
        if self.max is not None and n > self.max:
            return f"at most {self.max}"
        return None


class CountParams(TermsParams, BoundsParams):
    pass


@register("term_count", CountParams)
def check_term_count(ctx: Context, params: CountParams) -> Outcome:
    got = regions(ctx, params)
    if isinstance(got, str):
        return Outcome(Verdict.NOT_APPLICABLE, summary=got)
    text = plain(ctx.doc.text)
    bad = []
    for r in got:
        n = len(find_terms(text, params.terms, r.start, r.end))
        if broken := params.beyond(n):
            bad.append((r, f"{n} of the terms; {broken} expected"))
    return _outcome(ctx, params, bad, "term count")


class LengthParams(SpanParams, BoundsParams):
    unit: Literal["words", "characters", "sentences"] = "words"


def measure(ctx: Context, region: Region, unit: str) -> int:
    text = ctx.doc.text[region.start : region.end]
    if unit == "characters":
        return len(text.strip())
    if unit == "sentences":
        return len(ctx.doc.sentences_in(region.start, region.end))
    return len(text.split())


@register("length", LengthParams)
def check_length(ctx: Context, params: LengthParams) -> Outcome:
    got = regions(ctx, params)
    if isinstance(got, str):
        return Outcome(Verdict.NOT_APPLICABLE, summary=got)
    bad = []
    for r in got:
        n = measure(ctx, r, params.unit)
        if broken := params.beyond(n):
            bad.append((r, f"{n} {params.unit}; {broken}"))
    return _outcome(ctx, params, bad, "length")
