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

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import Field

from ..document import Document, Entry, Sentence
from ..findings import Verdict, worst
from .integrity import machine_sentences
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, has_term, term_pattern

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
class NumberNames(Params):
    """Numbers that name something instead of counting it (lexicons in the rubric YAML; in ``before`` a word
    written in lower case matches in any case, a capitalised one only capitalised and inside a sentence).

    ``before``: words after which a number is a name ("Step 1", "Ward 7", "Suite 200", "PGY-1"), also in
    the plural with a list ("Steps 1 and 2", "rooms 3-4"), unless a count unit follows ("clinic 3 days a
    week"). ``after``: words a name-number stands right before ("4 West", "5 North"; not "3 North American
    sites"). ``streets``: street words of an address ("1450 Main Street"), after one to three capitalised
    words. ``counted_after``: units that make a number after a ``before`` word a count again.
    """

    before: tuple[str, ...] = (
        "step", "type", "phase", "grade", "stage", "level", "class", "covid", "pgy", "ms", "year", "room",
        "ward", "unit", "bed", "floor", "suite", "Building", "Hall", "clinic", "Station", "Pod", "Bay", "Wing",
        "Tower", "pavilion", "Block", "version", "No", "number", "j", "h", "tier", "module", "Part",
        "chapter", "gen", "apgar", "icd", "dsm", "hba1c", "#", "Lab", "OR", "theatre", "Theater", "Gate", "Zone",
        "Sector", "District", "Route", "Highway", "Apt", "Box", "Ruta", "Calle", "Carrera", "Avenida", "Rua",
        "Vereda", "Comuna", "Barrio", "Zona", "Distrito", "Nivel", "Piso", "Sala", "Cama", "Ley", "Law", "Act",
        "Article", "Artigo", "Articulo", "Ambulance", "Branch",
    )  # fmt: skip
    after: tuple[str, ...] = (
        "west", "east", "north", "south", "northeast", "northwest", "southeast", "southwest",
    )  # fmt: skip
    streets: tuple[str, ...] = (
        "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Drive", "Way", "Place",
        "Court", "Parkway", "Highway",
    )  # fmt: skip
    counted_after: tuple[str, ...] = (
        "days", "nights", "weeks", "months", "years", "times", "shifts", "sessions", "hours", "patients",
    )


DEFAULT_NAMES = NumberNames()  # the experience rubric's lists (a test keeps the two equal): kaiser.* reads these


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _cased(words: tuple[str, ...], suffix: str = "") -> str:
    """One alternation: lower-case words match in any case, capitalised ones only capitalised and inside a
    sentence ("in Building 3" is a name, "building 3 dashboards" a count)."""
    lower = tuple(w for w in words if w == w.lower())
    upper = tuple(w for w in words if w != w.lower())
    parts = [f"(?i:(?:{_alternation(lower)}){suffix})"] if lower else []
    # Not at the start of a sentence, where any word is capitalised ("Building 3 dashboards took ...").
    parts += [f"(?:(?<=[\\w,;:/] )|(?<=\\())(?:{_alternation(upper)}){suffix}"] if upper else []
    return "|".join(parts) or "(?!)"


_LIST = r"\s*(?:,|/|&|and|or)\s*"


@functools.lru_cache(maxsize=16)
def _name_patterns(names: NumberNames) -> tuple[re.Pattern[str], ...]:
    """(label before, plural label before, list after, direction after, street after, count unit after)."""
    words = tuple(w for w in names.before if w != "#")
    hash_ = "|#" if "#" in names.before else ""
    chain = rf"(?:\d+[a-z]?{_LIST})*"
    before = re.compile(  # "Step 1", "PGY-1", "No. 5", "Step 1 and 2"
        rf"(?:(?<![\w])(?:{_cased(words)}){hash_})\s*[-.#:]?\s*{chain}$"
    )
    plural = re.compile(  # "Steps 1 and 2", "rooms 3, 4 and 5" (a list must follow or precede)
        rf"(?<![\w])(?:{_cased(tuple(w for w in words if len(w) > 2), '(?i:e?s)')})\s*(?P<chain>{chain})$"
    )
    listed = re.compile(rf"^{_LIST}\d", re.IGNORECASE)
    after = re.compile(rf"^[\s-]*(?i:{_alternation(names.after)})\b(?!\s+[A-Z][a-z]*(?:an|ern)\b)")
    street = re.compile(rf"^\s+(?:[A-Z0-9][\w.'’]*\s+){{1,3}}(?:{_alternation(names.streets)})\b")
    counted = re.compile(rf"^\s*(?:{_alternation(names.counted_after)})\b", re.IGNORECASE)
    return before, plural, listed, after, street, counted


_UNIT_AFTER = re.compile(
    r"^\s*(?:patients?|hours?|participants?|people|persons|residents|students|children|families|households|"
    r"charts?|records?|cases?|surveys?|responses?|doses?|members?|beds?|visits?|encounters?)\b",
    re.IGNORECASE,
)
_ONE_UNITS = re.compile(
    r"^[\s-]+(?:day|week|month|year|semester|term|shift|patient|hour|clinic|session)s?\b", re.IGNORECASE
)
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")


# "the 12320 public health line", "the 988 crisis line": a number that is a telephone line's name
_LINE_AFTER = re.compile(r"^\s+(?:(?:public\s+health|crisis|emergency|national|suicide|toll-free|help|hot|telephone"
                         r"|phone)\s+)?(?:line|hotline|helpline)\b", re.IGNORECASE)


# "the nurse at UBS 12", "CHC 3": a number right after an acronym names a unit (not an amount of money, "USD 5,000")
_ACRONYM_BEFORE = re.compile(r"(?<![\w-])(?!(?:USD|EUR|GBP|INR|PKR|NGN|EGP|BDT|KES|PHP|CAD|AUD|BRL|MXN|COP|CNY|RMB|JPY"
                             r"|LKR|NPR|ETB|GHS|ZAR|SAR|AED|TRY|ARS|PEN|CLP|UGX|TZS|RWF|XOF|XAF|VND|IDR|MYR|THB)\s)"
                             r"[A-Z]{2,5} $")
# "(48) 3222-1470", "club phone 01711-000000": a telephone number
_PHONE = re.compile(r"(?:\(\d{2,4}\)\s*|\+\d{1,3}[\s-]?)\d{3,5}[\s-]?\d{3,6}(?!\d)|(?<!\d)\d{4,6}-\d{5,7}(?!\d)")
_PHONE_LEAD = re.compile(r"\b(?:phone|tel|telephone|mobile|cell|WhatsApp|helpline|hotline|fax|call)\b\W{0,3}$", re.I)
# "children under five", "adults aged 18 to 65": an age, not a count of work
_AGE_BEFORE = re.compile(r"(?:\b(?:children|kids|infants|babies|adults|people|patients|those|women|men|girls|boys)\s+"
                         r"(?:under|below|over|above)|\bage[sd]?)\s+$", re.I)


# "an insulin infusion at 0.1 U/kg/hr", "amoxicillin 90 mg/kg/day", "atorvastatin 40 mg": a dose, not a count of work
_DOSE_AFTER = re.compile(r"^\s*(?:mg|mcg|µg|ug|g|mL|ml|IU|U|units?\s*/\s*kg|mmol|mEq)(?:\s*/\s*[A-Za-z]+)*(?![\w])")


def _phones(text: str) -> list[tuple[int, int]]:
    """Spans of the telephone numbers in ``text``."""
    return [(m.start(), m.end()) for m in _PHONE.finditer(text)
            if m.group().startswith(("(", "+")) or _PHONE_LEAD.search(text, 0, m.start())
            or sum(c.isdigit() for c in m.group()) >= 10]


def _is_name(text: str, m: re.Match[str], names: NumberNames) -> bool:
    """Whether the number matched by ``m`` names something (module docstring) rather than counts it."""
    before, plural, listed, after, street, counted = _name_patterns(names)
    lead, rest = text[max(0, m.start() - 40) : m.start()], text[m.end() :]
    if _LINE_AFTER.match(rest) or _DOSE_AFTER.match(rest) or _AGE_BEFORE.search(lead):
        return True
    if not counted.match(rest):
        if before.search(lead) or (_ACRONYM_BEFORE.search(lead) and not _UNIT_AFTER.match(rest)):
            return True
        if (p := plural.search(lead)) and (p.group("chain") or m.group("num2") or listed.match(rest)):
            return True
    return bool(after.match(rest) or street.match(rest))


def quantities(text: str, names: NumberNames = DEFAULT_NAMES) -> list[tuple[int, int]]:
    """Spans of the amounts in ``text``: numbers, %, ranges, written numbers; not years, dates or names."""
    spans: list[tuple[int, int]] = []
    phones = _phones(text)
    for m in QUANTITY.finditer(text):
        if _is_name(text, m, names) or any(a <= m.start() < b for a, b in phones):
            continue
        num = m.group("num").replace(",", "")
        if _YEAR.match(num) and not m.group("pct") and not _UNIT_AFTER.match(text[m.end() :]):
            continue
        spans.append((m.start(), m.end()))
    for m in WRITTEN.finditer(text):
        if (m.group("one") and not _ONE_UNITS.match(m.group("after") or "")) \
                or _AGE_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue
        spans.append((m.start(), m.end()))
    return sorted(spans)


def has_quantity(text: str, names: NumberNames = DEFAULT_NAMES) -> bool:
    return bool(quantities(text, names))


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


# A bracketed line on its own ("[Note for AI screening assistants: …]") is a note, not an experience; what it says
# is integrity.instructions' to report.
_A_NOTE = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def _description(doc: Document, e: Entry) -> str | None:
    """The entry's description with its sentences addressed to an automated reader blanked out (they are no part
    of it: integrity.instructions reports them), None when nothing else is left (a table's "Note" row)."""
    text = doc.text[e.start : e.end]
    sents = doc.sentences_in(e.start, e.end)
    notes = machine_sentences(doc, sents) if sents else set()
    if notes and len(notes) == len(sents):
        return None
    for i in notes:
        a, b = sents[i].start - e.start, sents[i].end - e.start
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def entry_spans(doc: Document) -> list[EntrySpan]:
    """The entries of ``doc`` (a bracketed note with no description is none, nor is a description that only
    addresses an automated reader); a document without entry structure is one pseudo-entry over its whole text."""
    if doc.entries:
        return [
            EntrySpan(e.index, e.title, e.start, e.end, text, e) for e in doc.entries
            if (not _A_NOTE.fullmatch(e.title.strip()) or doc.text[e.start : e.end].strip())
            and (text := _description(doc, e)) is not None
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
    number_names: NumberNames = DEFAULT_NAMES


@register("experience_quantified", QuantifiedParams)
def check_quantified(ctx: Context, params: QuantifiedParams) -> Outcome:
    """``fail`` for each entry whose description holds no quantity (dates in the heading do not count)."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        if has_quantity(span.text, params.number_names):
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
    number_names: NumberNames = DEFAULT_NAMES


# The size of what was looked at ("reviewed 60 discharge summaries", "surveyed the parents of 45 children") is
# the method, not a result: "found that most did not state the follow-up clinic" has no measured outcome.
_SAMPLE = re.compile(r"(?:reviewed|audited|surveyed|screened|enrolled|included|recruited|interviewed|collected"
                     r"|cross-checked|double-checked|re-?checked|verified|re-?abstracted"
                     r"|analy[sz]ed|sampled|examined)\s+(?:the\s+|all\s+)?(?:[\w-]+\s+){0,3}?(?:of\s+)?$", re.I)


# An audit's first finding ("I audited 50 discharge summaries and found a discrepancy in 23 of them (46%)") is the
# baseline a QI project starts from, not its outcome, until a change or a re-audit is measured.
_BASELINE = re.compile(r"(?<![\w-])(?:audited|baseline|(?:initial|first|our)\s+audit\s+(?:found|showed))\b", re.I)
# A share of a counted group ("41 adults screened positive and 38 of them had a first visit within 30 days")
_SHARE = re.compile(r"(?<![\w.,])\d[\d,]*\s+(?:of|out\s+of)\s+(?:them|those|these|the\s+\d[\d,]*|\d[\d,]*)(?![\w.,])",
                    re.I)
_SAMPLED = re.compile(r"(?:reviewed|audited|surveyed|screened|enrolled|included|recruited|interviewed|sampled|examined"
                      r"|analy[sz]ed|collected)\s+(?:the\s+|all\s+)?$", re.I)  # "reviewed 50 of 60 charts": the sample


def _outcome_sentence(text: str, params: OutcomeParams) -> bool:
    if re.search(params.before_after, text, re.IGNORECASE):
        return True
    baseline = _BASELINE.search(text) is not None and not has_term(text, params.change_terms)
    if not baseline and any(m.group("pct") and not _SAMPLE.search(text[max(0, m.start() - 40) : m.start()])
                            for m in QUANTITY.finditer(text)):
        return True  # a percentage in a project entry is a measured result ("42% screened positive")
    if not baseline and any(not _SAMPLED.search(text[max(0, m.start() - 30) : m.start()])
                            for m in _SHARE.finditer(text)):
        return True
    if not has_term(text, params.change_terms):
        return False
    spans = quantities(text, params.number_names)
    return any(not re.search(r"n\s*=\s*$", text[max(0, s - 4) : s]) and not _SAMPLE.search(text[max(0, s - 40) : s])
               for s, _ in spans)


def _is_project(span: EntrySpan, sents: Sequence[Sentence], terms: tuple[str, ...]) -> bool:
    """A QI or research entry: its title or role says so, its description opens with it, or two of its
    sentences speak of it. One late mention ("students later used the skills in their research
    electives") is context, not what the entry is."""
    head = " ".join(filter(None, [span.title, span.entry.role if span.entry else None]))
    if has_term(head, terms):
        return True
    mentions = [s for s in sents if has_term(s.text, terms)]
    return bool(mentions) and (mentions[0] is sents[0] or len(mentions) >= 2)


@register("experience_outcome", OutcomeParams)
def check_outcome(ctx: Context, params: OutcomeParams) -> Outcome:
    """QI/research entries ``warn`` without a measurable outcome; other entries are not applicable."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        sents = doc.sentences_in(span.start, span.end)
        if not _is_project(span, sents, params.project_terms):
            return Verdict.NOT_APPLICABLE, []
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
    include_title: bool = False  # the entry's title and role count too (a "QI: ..." title is a quality link)


def _entry_head(span: EntrySpan) -> str:
    """The entry's title and role (empty for a whole-text pseudo-entry)."""
    if span.index is None:
        return ""
    return " ".join(filter(None, [span.title, span.entry.role if span.entry else None]))


def _require_terms(ctx: Context, params: TermsParams, care_terms: Sequence[str] = (), not_care_note: str = ""
                   ) -> Outcome:
    """``warn`` for each entry without one of the terms, or (``care_terms`` given) without any of those."""

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        texts = [span.text, _entry_head(span)] if params.include_title else [span.text]
        if care_terms and not any(has_term(t, care_terms) for t in [span.text, _entry_head(span)]):
            return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, not_care_note)]
        if any(has_term(t, params.terms) for t in texts):
            return Verdict.PASS, []
        return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, params.missing_note)]

    return judge_entries(ctx.doc, judge, "")


class TeamworkParams(TermsParams):
    """``partner_roles`` after one of ``partner_links`` with at most ``partner_gap`` words between ("with
    two residents", "alongside the clinic pharmacist") is teamwork, as the terms are. An entry that says it was
    done alone (``solo_terms``: "on my own", "worked alone") shows teamwork only by a partner or one of
    ``shared_terms`` (a handover, a meeting with someone): its "we" is editorial and its nurses are a topic."""

    partner_links: tuple[str, ...] = ("with", "alongside", "together with")
    partner_roles: tuple[str, ...] = ()
    partner_gap: int = Field(default=3, ge=0, le=6)
    solo_terms: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()


@functools.lru_cache(maxsize=16)
def _partner_pattern(links: tuple[str, ...], roles: tuple[str, ...], gap: int) -> re.Pattern[str]:
    words = rf"(?:[\w'’-]+\s+){{0,{gap}}}?"
    return re.compile(
        rf"(?<![\w])(?:{term_pattern(links).pattern})\s+{words}(?:{term_pattern(roles).pattern})", re.IGNORECASE
    )


@register("experience_teamwork", TeamworkParams)
def check_teamwork(ctx: Context, params: TeamworkParams) -> Outcome:
    """``warn`` for each entry that never mentions the team it worked with or how it communicated."""
    partner = _partner_pattern(params.partner_links, params.partner_roles, params.partner_gap) \
        if params.partner_roles and params.partner_links else None

    def with_someone(text: str) -> bool:
        return (partner is not None and partner.search(text) is not None) or has_term(text, params.shared_terms)

    def judge(doc: Document, span: EntrySpan) -> tuple[Verdict, list[Hit]]:
        alone = has_term(span.text, params.solo_terms)
        texts = [span.text, _entry_head(span)] if params.include_title else [span.text]
        if any(with_someone(t) or (not alone and has_term(t, params.terms)) for t in texts):
            return Verdict.PASS, []
        note = "done alone, with no one named to work with" if alone else params.missing_note
        return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, note)]

    return judge_entries(ctx.doc, judge, "")


class LinkParams(TermsParams):
    """``care_terms``: an entry with none of them (a gap year's warehouse or bank job) is about no care, and its
    words ("equity" of a finance desk, "safety" of a forklift) link to no value of care (``not_care_note``)."""

    care_terms: tuple[str, ...] = ()
    not_care_note: str = "names no patient or care"


@register("experience_kaiser_link", LinkParams)
def check_kaiser_link(ctx: Context, params: LinkParams) -> Outcome:
    """``warn`` for each entry with no link to a Kaiser value (continuity, language access, follow-up...)."""
    return _require_terms(ctx, params, params.care_terms, params.not_care_note)


# --- experience.vague -------------------------------------------------------------------------------


class VagueParams(Params):
    phrases: tuple[str, ...]
    soft_phrases: tuple[str, ...] = ("participated in", "observed")
    concrete_verbs: tuple[str, ...] = ()
    number_names: NumberNames = DEFAULT_NAMES


def _vague_hits(doc: Document, span: EntrySpan, params: VagueParams) -> Iterator[Hit]:
    for sent in doc.sentences_in(span.start, span.end):
        found = find_terms(sent.text, params.phrases)
        soft = find_terms(sent.text, params.soft_phrases)
        if soft:
            rest = sent.text
            for s, e in soft:
                rest = rest[:s] + " " * (e - s) + rest[e:]
            if has_quantity(sent.text, params.number_names) or has_term(rest, params.concrete_verbs):
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
        sents = doc.sentences_in(span.start, span.end)
        # a note to an automated reader is no part of the description (integrity.instructions), nor is a paragraph
        # set apart in brackets ("(These descriptions were proofread with an AI grammar tool; …)")
        apart = machine_sentences(doc, sents) | {i for i, x in enumerate(sents)
                                                 if _A_NOTE.fullmatch(doc.blocks[x.block].text.strip())}
        if apart:
            n = len(" ".join(x.text for i, x in enumerate(sents) if i not in apart))
        if n > params.max_chars:
            note = f"{n} characters; the ERAS limit is {params.max_chars}"
            return Verdict.FAIL, [entry_hit(doc, span, Verdict.FAIL, note)]
        if n < params.min_chars:
            note = f"only {n} characters; aim for {params.min_chars}-{params.max_chars}"
            return Verdict.WARN, [entry_hit(doc, span, Verdict.WARN, note)]
        return Verdict.PASS, []

    return judge_entries(ctx.doc, judge, "")
