"""Detectors for the ``kaiser-fit`` rubric: why Kaiser, which of its values, and whether claims are backed.

The six Kaiser value areas (integrated care; team-based practice; equity and access; preventive and
primary care; quality and safety; population health and data) are rubric data: ``params.areas`` maps an
area name to its terms, so the summary can name what a statement engages.

Choices worth knowing:

* ``kaiser.why_specific`` looks only at sentences that name Kaiser ("Kaiser Permanente", "KP",
  "Kaiser's") and their neighbours *in the same paragraph*: a reason three paragraphs away is not an
  answer to "why Kaiser". Model terms are stricter than the value areas (bare "team" is not a reason to
  choose Kaiser; "team-based care" is), and a list of the applicant's own values ("I value equity,
  prevention and integrated care") says what the applicant likes, not why Kaiser. A statement aimed
  elsewhere (``ctx.target`` not Kaiser) is not applicable.
* ``kaiser.evidence_backed`` treats any sentence that engages a value area as a claim, and accepts as
  evidence in the same or an adjacent sentence (same paragraph): a quantity, "I/we" + a past-tense action
  verb that is not a feeling ("I coordinated", not "I learned" or "I felt"), a role or setting
  (observership, clinic, rotation...), a project word, or a named place ("at Mulago Hospital"). Roles,
  settings and places in a wish ("I hope to work in a clinic that values equity") are not evidence. A
  paragraph-opening claim that points back ("That experience is why I value equity", "to continue this
  work") may lean on the paragraph before; otherwise evidence does not cross paragraphs. "The experience of
  treating patients in Amharic" is an experience even inside a wish.
  Buzzword lists ("I am passionate about equity, teamwork and quality") therefore warn. A value the applicant
  professes ("I also believe deeply in…", "I share Kaiser's commitment to…") is backed only by an experience of
  that value beside it; a wish for residency ("I want to train where…") looks ahead from what the statement
  has shown and warns only in a statement that shows nothing.
* A note to automated screening software is no part of what the applicant tells (integrity.instructions
  reports it): its "screening" is no value engaged, and its "Kaiser" no reason given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from ..document import Document, Sentence
from ..findings import Verdict
from ..kinds import aims_at
from .experience import has_quantity
from .integrity import machine_sentences
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, has_term

KAISER_TERMS: tuple[str, ...] = ("Kaiser Permanente", "Kaiser", "Permanente", "KP")
GENERIC_QUOTED = 3  # generic reasons quoted in a note


class AreasParams(Params):
    areas: dict[str, tuple[str, ...]] = Field(min_length=1)


def areas_in(text: str, areas: dict[str, tuple[str, ...]]) -> list[str]:
    """The value areas (in rubric order) whose terms occur in ``text``."""
    return [name for name, terms in areas.items() if has_term(text, terms)]


def told(doc: Document) -> list[Sentence]:
    """The sentences the applicant tells a human reader: a note to automated screening software ("P.S. For any
    AI assistant screening this file: …") engages no value and gives no reason (integrity.instructions reports
    it)."""
    machine = machine_sentences(doc, doc.sentences)
    return [s for i, s in enumerate(doc.sentences) if i not in machine]


def neighbours(doc: Document, sent: Sentence, radius: int = 1) -> list[Sentence]:
    """``sent`` and the sentences within ``radius`` of it in the same block, in document order."""
    lo, hi = sent.index - radius, sent.index + radius
    return [s for s in doc.sentences if lo <= s.index <= hi and s.block == sent.block]


# --- kaiser.why_specific ----------------------------------------------------------------------------


class WhyParams(Params):
    names: tuple[str, ...] = KAISER_TERMS
    model_terms: tuple[str, ...] = Field(min_length=1)
    generic_terms: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("kaiser",)
    radius: int = 1


@register("kaiser_why_specific", WhyParams)
def check_why_specific(ctx: Context, params: WhyParams) -> Outcome:
    """``fail`` when Kaiser is not named or no sentence naming it (or its neighbour) ties to its model."""
    if not aims_at(ctx.target, params.targets):
        return Outcome(Verdict.NOT_APPLICABLE, summary=f"statement is aimed at '{ctx.target}', not Kaiser")
    doc = ctx.doc
    named = [s for s in told(doc) if has_term(s.text, params.names)]
    if not named:
        return Outcome(Verdict.FAIL, summary="Kaiser Permanente is never named, so nothing says why Kaiser")
    windows = _windows(doc, named, params)
    for window in windows:
        ties = [window[a:b] for a, b in find_terms(window, params.model_terms)]
        if ties:
            named_ties = ", ".join(dict.fromkeys(t.lower() for t in ties))
            return Outcome(Verdict.PASS, summary=f"ties Kaiser to its model: {named_ties}")
    # the applicant's own generic words, as written and in order (a few, quoted), not the rubric's term list
    generic = list(dict.fromkeys(
        w[a:b] for w in windows for a, b in find_terms(w, params.generic_terms)
    ))[:GENERIC_QUOTED]
    listed = ", ".join(f'"{g}"' for g in generic)
    note = f"only generic reasons: {listed}" if generic else "no reason tied to Kaiser's model"
    hits = tuple(Hit(s.start, s.end, Verdict.FAIL, note) for s in named)
    return Outcome(Verdict.FAIL, hits, summary=f"Kaiser is named, but with {note}")


# The applicant's own values as a list ("I value health equity, prevention and teamwork", "I am passionate
# about diversity"): words that say what the applicant likes, not what Kaiser does, up to the next clause.
_ADVERB = r"(?:also|truly|deeply|really|strongly|very|firmly|sincerely|genuinely|especially|particularly|still)\s+"
OWN_VALUES = re.compile(
    rf"\bI\s+(?:{_ADVERB}){{0,2}}(?:value|am\s+(?:{_ADVERB}){{0,2}}passionate"
    rf"\s+about|care\s+(?:{_ADVERB}){{0,2}}about|believe\s+(?:{_ADVERB}){{0,2}}(?:in|that)|love|am\s+(?:{_ADVERB}){{0,2}}committed\s+to"
    r"|am\s+drawn\s+to\s+(?:the\s+)?(?:ideas?|values?|principles?)\s+of"
    r"|share\s+(?:\S+\s+){1,3}?(?:commitment|dedication|passion|belief|vision)\s+(?:to|for|in))\b"
    r"[^.;:]*?(?=,\s*(?:and|but)\s+(?:I|it|its|Kaiser|KP)\b|[.;:]|$)",
    re.IGNORECASE,
)


# Words that point at the program rather than the applicant ("I value its integrated model").
POINTS_AT_PROGRAM = re.compile(r"\b(?:its|their|your|this\s+(?:model|system|program))\b", re.I)
# Kaiser named only through a slogan the applicant professes to share ("I share Kaiser's commitment to integrated care",
# "I strongly believe in Kaiser's mission of integrated medicine", "… which I know are at the heart of Kaiser's
# mission"): what the applicant says they believe, not a reason tied to the model.
SLOGAN = re.compile(r"\b(?:Kaiser(?:\s+Permanente)?|KP)(?:['’]s)?\s+(?:own\s+)?(?:mission|commitment|vision|values"
                    r"|culture|philosophy|ethos|ideals?|spirit|dedication)\b", re.I)


def _windows(doc: Document, named: Sequence[Sentence], params: WhyParams) -> list[str]:
    """The text around each sentence naming Kaiser, with the applicant's own value lists blanked out."""
    def blank(m: re.Match[str]) -> str:  # "I value Kaiser's integrated model" is about Kaiser: kept
        about = has_term(m.group(), params.names) or POINTS_AT_PROGRAM.search(m.group()) is not None
        return m.group() if about and not SLOGAN.search(m.group()) else " " * len(m.group())

    return [" ".join(OWN_VALUES.sub(blank, s.text) for s in neighbours(doc, sent, params.radius)) for sent in named]


# --- kaiser.values ----------------------------------------------------------------------------------


class ValuesParams(AreasParams):
    pass_at: int = 2


@register("kaiser_values", ValuesParams)
def check_values(ctx: Context, params: ValuesParams) -> Outcome:
    """Breadth: ``pass`` at ``pass_at``+ value areas, ``warn`` at one, ``fail`` at none (document-level)."""
    found = areas_in(" ".join(s.text for s in told(ctx.doc)), params.areas)
    if len(found) >= params.pass_at:
        return Outcome(Verdict.PASS, summary=f"engages {len(found)} Kaiser value areas: {', '.join(found)}")
    if found:
        return Outcome(Verdict.WARN, summary=f"engages only one Kaiser value area: {found[0]}")
    return Outcome(Verdict.FAIL, summary="engages none of Kaiser's value areas")


# --- kaiser.evidence_backed -------------------------------------------------------------------------


class EvidenceParams(AreasParams):
    evidence_terms: tuple[str, ...] = ()
    feeling_verbs: tuple[str, ...] = ()
    place_exclude: tuple[str, ...] = (
        "Kaiser",
        "Permanente",
        "California",
        "America",
        "United",
        "US",
        "U.S.",
        "I",
        "My",
        "Our",
    )
    aspiration_terms: tuple[str, ...] = ()  # "I hope to work in a clinic": a setting, but not an experience
    backreference_terms: tuple[str, ...] = ()  # "That experience is why...": may lean on the paragraph before
    # "I still have much to learn about continuity", "a transitional year will give me experience in ambulatory
    # medicine": what the applicant means to learn is not a value claimed, so there is nothing to back
    learning_terms: tuple[str, ...] = ()
    radius: int = 1


_ACTION = re.compile(
    r"\b(?:I|[Ww]e)\s+(?:have\s+|had\s+)?(?:\w+ly\s+|also\s+|then\s+|later\s+)?"
    r"(?P<verb>[a-z]+ed|led|built|ran|wrote|taught|saw|made|began|set|spoke|met|took|gave|drew|rode|sat|held|"
    r"kept|brought|sought|won|grew|found|spent)\b"
)
_EXPERIENCE_OF = re.compile(r"\b(?:the|my|our)\s+experience\s+of\s+[a-z]+ing\b")
# A scene told in the past: "When a grandmother brought her grandson, …", "One night the oxygen ran out."
_EVENT = re.compile(r"^\W*(?:When|Once|One\s+(?:day|night|morning|evening|afternoon)|That\s+(?:day|night|morning))\b"
                    r"[^.!?]*\b(?:was|were|had|came|brought|told|asked|arrived|[a-z]{3,}ed)\b")
_PAST = re.compile(r"\b(?:during|while|when|was|were|had|did|ago|last\s+year)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(?:[Aa]t|[Ii]n|[Ff]rom)\s+(?:the\s+)?(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)")


def evidence_in(text: str, params: EvidenceParams) -> str | None:
    """What in ``text`` is concrete experience (a short label for the note), or None."""
    if has_quantity(text):
        return "a number"
    feelings = {v.lower() for v in params.feeling_verbs}
    if any(m.group("verb").lower() not in feelings for m in _ACTION.finditer(text)):
        return "something you did"
    if _EXPERIENCE_OF.search(text):
        return "an experience you had"  # "I would bring the experience of treating patients in Amharic"
    if _EVENT.search(text):
        return "something you saw"  # "When a Spanish-speaking grandmother brought her grandson, an interpreter was…"
    if has_term(text, params.aspiration_terms) and not _PAST.search(text):
        return None  # a wish names settings and projects without having been in them
    if has_term(text, params.evidence_terms):
        return "a role, setting or project"
    for m in _PLACE.finditer(text):
        first = m.group("name").split()[0].rstrip("'’s")
        if first not in params.place_exclude:
            return "a named place"
    return None


def _evidence_window(doc: Document, sent: Sentence, params: EvidenceParams) -> list[Sentence]:
    """The claim's neighbours in its paragraph; a paragraph-opening claim that points back ("That
    experience is why...", "so that I can continue this work") also sees the paragraph before (unless it
    is a heading): "this work" is what that paragraph told."""
    window = neighbours(doc, sent, params.radius)
    prev = doc.sentences[sent.index - 1] if sent.index > 0 else None
    if (
        prev is not None
        and prev.block != sent.block
        and not doc.blocks[prev.block].heading
        and has_term(sent.text, params.backreference_terms)
    ):
        window[:0] = [s for s in doc.sentences if s.block == prev.block]
    return window


# What the applicant wants of a residency ("I want to train where…", "In residency, I hope to…", "I am applying to
# programs with…"): a wish, not a value claimed to have been lived (unless the wish professes it).
_WISH = re.compile(
    r"^\W*(?:(?:In|During|After|Through)\s+(?:residency|the\s+long\s+term|the\s+future|training)[^,]{0,40},\s*)?"
    r"I\s+(?:(?:also|would|really|especially)\s+)?(?:hope|want|wish|like|plan|aim|intend|am\s+applying)\s+to\b"
)


# "I believe in what its integrated model does for patients": a belief in what Kaiser does is a reason to apply
# there, not a value the applicant professes to hold
_KAISERS_OWN = re.compile(r"\bI\s+(?:\w+\s+){0,2}?(?:believe\s+in|value|love|admire)\s+(?:what\s+|how\s+)?"
                          r"(?:its|Kaiser(?:\s+Permanente)?['’]s|KP['’]s)\b", re.IGNORECASE)


def professes(text: str) -> bool:
    """Does ``text`` profess a value of the applicant's own ("I strongly believe in health equity")?"""
    return OWN_VALUES.search(text) is not None and not _KAISERS_OWN.search(text)


def _backed(doc: Document, sent: Sentence, areas: Sequence[str], params: EvidenceParams) -> bool:
    """Whether a concrete experience backs the claim ``sent``: in it or beside it. A value the applicant
    professes ("I am passionate about health equity") is backed only by an experience of that value: beside it,
    a sentence that engages none of its areas ("A Kaiser internist I met at a conference told me…") tells of
    something else."""
    professed = professes(sent.text)
    return any(
        evidence_in(n.text, params)
        and (n is sent or not professed or bool(set(areas) & set(areas_in(n.text, params.areas))))
        for n in _evidence_window(doc, sent, params)
    )


@register("kaiser_evidence_backed", EvidenceParams)
def check_evidence_backed(ctx: Context, params: EvidenceParams) -> Outcome:
    """``warn`` per value-claim sentence with no concrete experience in it or an adjacent sentence, unless the
    statement backs that value area with an experience elsewhere: a closing "I bring teamwork and language
    access" restates what the statement has shown, while an area claimed and never shown is buzzword
    stuffing. A statement that claims no value area has nothing unbacked (``pass``)."""
    doc = ctx.doc
    claims = [(s, areas_in(s.text, params.areas)) for s in told(doc) if not has_term(s.text, params.learning_terms)]
    claims = [(s, a) for s, a in claims if a]
    if not claims:
        return Outcome(Verdict.PASS, summary="no value claim to back")
    backed = [_backed(doc, sent, areas, params) for sent, areas in claims]
    shown = {area for (_, areas), ok in zip(claims, backed, strict=True) if ok for area in areas}
    hits: list[Hit] = []
    for (sent, areas), ok in zip(claims, backed, strict=True):
        # a value professed ("I strongly believe in health equity") needs its own experience beside it, even
        # where the statement has shown that value elsewhere
        professed = professes(sent.text)
        # a wish for residency ("I want to train where quality improvement is ordinary work") looks ahead from
        # what the statement has shown; only in a statement that shows nothing is it buzzwords
        wish = _WISH.match(sent.text) is not None and bool(shown) and not professed
        if ok or wish or (set(areas) <= shown and not professed):
            continue
        areas = areas if professed else [a for a in areas if a not in shown]
        hits.append(
            Hit(
                sent.start,
                sent.end,
                Verdict.WARN,
                f"claims {', '.join(areas)} with no concrete experience nearby",
            )
        )
    if hits:
        return Outcome(
            Verdict.WARN,
            tuple(hits),
            summary=f"{len(hits)} of {len(claims)} value claim(s) not backed by an experience",
        )
    return Outcome(Verdict.PASS, summary=f"{len(claims)} value claim(s), all backed by concrete experience")
