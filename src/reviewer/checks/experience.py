"""Detectors for the ``experience-entries`` rubric: each ERAS experience entry judged on its own.

Every detector walks :func:`entry_spans` (the entries of an ``experience`` document, or the whole text as
one pseudo-entry when an ingester found no entry structure), judges each entry, and reports the *worst*
entry verdict as the document verdict. Every hit carries ``entry=<index>`` and a note naming the entry
title, and anchors on the entry's description sentences (never on the heading, which holds dates).

Choices worth knowing:

* A *quantity* (:func:`quantities`) is a number, percentage, range ("10-12 patients daily") or written
  number ("three months"). A bare year ("in 2021"), a date ("2021-07") and the digits of a label
  ("Step 2", "COVID-19", "PGY-1", "type 2 diabetes", "J-1") are not quantities.
* A *measurable outcome* (``experience.outcome``) is a before/after pair ("from 18% to 9%"), a
  percentage ("42% screened positive"), or a number in the same sentence as a change or finding word
  ("reduced ... by 30 minutes", "found that 120 ..."). Counts of outputs ("presented 2 posters",
  "published", "n=120") and change words without a number ("increased awareness") are deliberately
  *not* outcomes: they say the project happened, not what it changed.
* ``experience.vague`` flags each vague phrase once, anchored on its sentence. "Soft" phrases
  ("participated in", bare "observed") are only vague when their sentence has no quantity and no concrete
  action verb; the guide's own model entry says "participated in a QI effort" and then gives specifics.
* Lexicons live in the rubric YAML params; the defaults here are only fallbacks for programmatic use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..document import Document, Entry
from ..findings import Verdict, worst
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, has_term

# --- quantities -------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
QUANTITY = re.compile(
    rf"(?<![\w.,/\-])(?P<num>{_NUM})(?:\s*(?:-|–|—|to)\s*(?P<num2>{_NUM}))?(?P<pct>\s*(?:%|percent\b))?(?![\w/]|-\d)",
    re.IGNORECASE,
)
WRITTEN = re.compile(
    r"\b(?:(?P<one>one|a single)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundreds?|thousands?|dozens?|twice|thrice|half)\b(?P<after>[\s-]+[a-z]+)?",
    re.IGNORECASE,
)
# Words that make the digits after them a label, not an amount.
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:step|type|phase|grade|stage|level|class|covid|pgy|ms|year|room|ward|unit|bed|floor|version|"
    r"no|number|j|h|tier|module|part|chapter|gen|apgar|icd|dsm|hba1c)|#)\s*[-.]?\s*$",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:patients?|hours?|participants?|people|persons|residents|students|children|families|households|"
    r"charts?|records?|cases?|surveys?|responses?|doses?|members?|beds?|visits?|encounters?)\b",
    re.IGNORECASE,
)
_ONE_UNITS = re.compile(
    r"^[\s-]+(?:day|week|month|year|semester|term|shift|patient|hour|clinic|session)s?\b", re.IGNORECASE
)
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")


def quantities(text: str) -> list[tuple[int, int]]:
    """Spans of the amounts in ``text``: numbers, %, ranges, written numbers; not years, dates or labels."""
    spans: list[tuple[int, int]] = []
    for m in QUANTITY.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if _LABEL_BEFORE.search(before):
            continue
        num = m.group("num").replace(",", "")
        if _YEAR.match(num) and not m.group("pct") and not _UNIT_AFTER.match(text[m.end() :]):
            continue
        spans.append((m.start(), m.end()))
    for m in WRITTEN.finditer(text):
        if m.group("one") and not _ONE_UNITS.match(m.group("after") or ""):
            continue
        spans.append((m.start(), m.end()))
    return sorted(spans)


def has_quantity(text: str) -> bool:
    return bool(quantities(text))


# --- entries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntrySpan:
    """An entry as detectors see it: index (None for a whole-text pseudo-entry) and description span."""

    index: int | None
    title: str
    start: int
    end: int
    text: str
    entry: Entry | None = None

    @property
    def label(self) -> str:
        return f"entry '{self.title}'" if self.index is not None else "this description"


def entry_span(doc: Document, e: Entry) -> EntrySpan:
    return EntrySpan(e.index, e.title, e.start, e.end, doc.text[e.start : e.end], e)


def entry_spans(doc: Document) -> list[EntrySpan]:
    """The entries of ``doc``; a document without entry structure is one pseudo-entry over its whole text."""
    if doc.entries:
        return [
            EntrySpan(e.index, e.title, e.start, e.end, doc.text[e.start : e.end], e) for e in doc.entries
        ]
    if not doc.text.strip():
        return []
    return [EntrySpan(None, "Experience", 0, len(doc.text), doc.text)]


def entry_anchor(doc: Document, span: EntrySpan) -> tuple[int, int]:
    """The description's sentences (first to last), or the heading block when the description is empty."""
    sents = doc.sentences_in(span.start, span.end) if span.end > span.start else ()
    if sents:
        return sents[0].start, sents[-1].end
    block = next((b for b in reversed(doc.blocks) if b.end <= span.start), None)
    if block is not None:
        return block.start, block.end
    return span.start, span.end


def entry_hit(doc: Document, span: EntrySpan, verdict: Verdict, note: str) -> Hit:
    s, e = entry_anchor(doc, span)
    return Hit(s, e, verdict, f"{span.label}: {note}" if note else span.label, entry=span.index)


Judge = Callable[[Document, EntrySpan], tuple[Verdict, list[Hit]]]


def judge_entries(doc: Document, judge: Judge, what: str) -> Outcome:
    """Run ``judge`` on every entry; the document verdict is the worst entry verdict."""
    spans = entry_spans(doc)
    if not spans:
        return Outcome(Verdict.NOT_APPLICABLE, summary="no experience entries")
    verdicts: list[Verdict] = []
    hits: list[Hit] = []
    for span in spans:
        v, h = judge(doc, span)
        verdicts.append(v)
        hits.extend(h)
    overall = worst(verdicts, default=Verdict.NOT_APPLICABLE)
    flagged = [s for s, v in zip(spans, verdicts, strict=True) if v in (Verdict.WARN, Verdict.FAIL)]
    if overall is Verdict.NOT_APPLICABLE:
        summary = f"no entry is {what}" if what else "does not apply"
    elif flagged:
        summary = f"{len(flagged)} of {len(spans)} entries: " + ", ".join(s.title for s in flagged)
    else:
        n = sum(v is Verdict.PASS for v in verdicts)
        summary = f"{n} applicable entr{'y passes' if n == 1 else 'ies pass'}"
    return Outcome(overall, tuple(hits), summary)


# --- experience.quantified --------------------------------------------------------------------------


class QuantifiedParams(Params):
    pass


@register("experience_quantified", QuantifiedParams)
def check_quantified(ctx: Context, params: QuantifiedParams) -> Outcome:
    """``fail`` for each entry whose description holds no quantity (dates in the heading do not count)."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        if has_quantity(span.text):
            return Verdict.PASS, []
        return Verdict.FAIL, [entry_hit(doc, span, Verdict.FAIL, "no number, count, percentage or duration")]

    return judge_entries(ctx.doc, judge, "")


# --- experience.outcome -----------------------------------------------------------------------------


class OutcomeParams(Params):
    project_terms: tuple[str, ...] = (
        "quality improvement",
        "QI",
        "PDSA",
        "audit",
        "research",
        "study",
        "case report",
        "poster",
        "abstract",
        "project",
    )
    change_terms: tuple[str, ...] = ("reduced", "increased", "improved", "decreased", "dropped", "rose")
    before_after: str = r"from\s+[~≈]?\d[\d.,]*\s*%?\s+to\s+[~≈]?\d[\d.,]*\s*%?"


def _outcome_sentence(text: str, params: OutcomeParams) -> bool:
    if re.search(params.before_after, text, re.IGNORECASE):
        return True
    if any(m.group("pct") for m in QUANTITY.finditer(text)):
        return True  # a percentage in a project entry is a measured result ("42% screened positive")
    if not has_term(text, params.change_terms):
        return False
    nums = [(s, e) for s, e in quantities(text) if not re.search(r"n\s*=\s*$", text[max(0, s - 4) : s])]
    return bool(nums)


@register("experience_outcome", OutcomeParams)
def check_outcome(ctx: Context, params: OutcomeParams) -> Outcome:
    """QI/research entries ``warn`` without a measurable outcome; other entries are not applicable."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        head = " ".join(filter(None, [span.title, span.entry.role if span.entry else None]))
        if not (has_term(span.text, params.project_terms) or has_term(head, params.project_terms)):
            return Verdict.NOT_APPLICABLE, []
        sents = doc.sentences_in(span.start, span.end)
        if any(_outcome_sentence(s.text, params) for s in sents):
            return Verdict.PASS, []
        lead = next((s for s in sents if has_term(s.text, params.project_terms)), sents[0] if sents else None)
        note = "QI/research work without a measured result (before/after numbers, % change)"
        if lead is None:
            return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, note)]
        return Verdict.WARN, [
            Hit(lead.start, lead.end, Verdict.WARN, f"{span.label}: {note}", entry=span.index)
        ]

    return judge_entries(ctx.doc, judge, "a QI or research entry")


# --- experience.teamwork / experience.kaiser_link -------------------------------------------------


class TermsParams(Params):
    terms: tuple[str, ...]
    missing_note: str = "none of the expected terms"


def _require_terms(ctx: Context, params: TermsParams) -> Outcome:
    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        if has_term(span.text, params.terms):
            return Verdict.PASS, []
        return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, params.missing_note)]

    return judge_entries(ctx.doc, judge, "")


@register("experience_teamwork", TermsParams)
def check_teamwork(ctx: Context, params: TermsParams) -> Outcome:
    """``warn`` for each entry that never mentions the team it worked with or how it communicated."""
    return _require_terms(ctx, params)


@register("experience_kaiser_link", TermsParams)
def check_kaiser_link(ctx: Context, params: TermsParams) -> Outcome:
    """``warn`` for each entry with no link to a Kaiser value (continuity, language access, follow-up...)."""
    return _require_terms(ctx, params)


# --- experience.vague -------------------------------------------------------------------------------


class VagueParams(Params):
    phrases: tuple[str, ...]
    soft_phrases: tuple[str, ...] = ("participated in", "observed")
    concrete_verbs: tuple[str, ...] = ()


def _vague_hits(doc: Document, span: EntrySpan, params: VagueParams) -> Iterator[Hit]:
    for sent in doc.sentences_in(span.start, span.end):
        found = find_terms(sent.text, params.phrases)
        soft = find_terms(sent.text, params.soft_phrases)
        if soft:
            rest = sent.text
            for s, e in soft:
                rest = rest[:s] + " " * (e - s) + rest[e:]
            if has_quantity(sent.text) or has_term(rest, params.concrete_verbs):
                soft = []
        for s, e in sorted(found + soft):
            phrase = sent.text[s:e]
            yield Hit(
                sent.start, sent.end, Verdict.WARN, f'{span.label}: vague phrase "{phrase}"', entry=span.index
            )


@register("experience_vague", VagueParams)
def check_vague(ctx: Context, params: VagueParams) -> Outcome:
    """``warn`` per vague or passive phrase, anchored on (and quoting) its sentence."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        hits = list(_vague_hits(doc, span, params))
        return (Verdict.WARN if hits else Verdict.PASS), hits

    return judge_entries(ctx.doc, judge, "")


# --- experience.length ------------------------------------------------------------------------------


class LengthParams(Params):
    max_chars: int = 750
    min_chars: int = 150


@register("experience_length", LengthParams)
def check_length(ctx: Context, params: LengthParams) -> Outcome:
    """``fail`` when a description exceeds the ERAS limit, ``warn`` when it is a bare fragment."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        n = len(span.text.strip())
        if n > params.max_chars:
            note = f"{n} characters; the ERAS limit is {params.max_chars}"
            return Verdict.FAIL, [entry_hit(doc, span, Verdict.FAIL, note)]
        if n < params.min_chars:
            note = f"only {n} characters; aim for {params.min_chars}-{params.max_chars}"
            return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, note)]
        return Verdict.PASS, []

    return judge_entries(ctx.doc, judge, "")
