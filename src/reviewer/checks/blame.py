"""Blame by structure: a result put down to a cause outside the applicant, in a score discussion that owns
nothing.

Stock excuse phrases (``groups``) and cause/fault pairs (``attributions``) in ``score.excuse`` catch blame
said in words somebody listed. Applicants say it in endless other ways ("Because the pandemic closed every
library, my Step 1 ended at 198"; "If the verification had been faster I would have sat it rested"), so
this module reads what the sentence *does* instead:

* a **cause clause**: a causal connective ("because", "due to", "a product of", "decided by", a
  counterfactual "if … had") followed by who or what did it;
* the cause is **outside the applicant**: it does not open with the applicant ("I", "my approach", a
  gerund such as "relying on notes") nor with brief life context the guide allows ("illness, family
  crisis"), e.g. "my father's surgery", "the war";
* the sentence is about the result outside the cause clause (the score, the result, the attempt, or what
  "would have" been), not only about the exam: a reason for booking Step 3 early is no excuse;
* or, without a cause clause, a **hint** that the result lies elsewhere (irony such as "which tells you
  something", the exam played down as "says little about a doctor", a rhetorical question about other
  candidates with no "I" in it) or a **cause verb** whose subject is outside the applicant ("two power cuts
  cost me the pass");
* and nowhere in the discussion does the applicant **own** the result ("I underestimated…", "my mistake
  was…", "I did not practise timed blocks").

The last condition keeps "context, then ownership" a pass, as the guide asks ("Provide context, not
excuses"), and is why this is a weaker signal than a listed excuse phrase: a stock phrase is blame even next
to an apology, a bare external cause is blame only when nothing is owned. Every term list is rubric data
(``params.unowned`` of ``score.excuse``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import Field

from ..document import Document, Sentence
from .registry import Params
from .text import find_terms, has_term, plain


class UnownedCause(Params):
    """A result put down to a cause outside the applicant, flagged only when the discussion owns nothing."""

    connectives: tuple[str, ...] = Field(min_length=1)  # what opens a cause clause: "because", "due to"
    result_terms: tuple[str, ...] = Field(min_length=1)  # the sentence must be about the result
    self_openers: tuple[str, ...] = Field(min_length=1)  # a cause that opens with the applicant: "I", "my"
    context_terms: tuple[str, ...] = ()  # brief life context the guide allows: illness, family crisis
    owned: tuple[str, ...] = Field(min_length=1)  # the applicant owns the result: "I underestimated"
    # a verb by which its subject did it to the result or the applicant: "the two power cuts cost me the pass"
    cause_verbs: tuple[str, ...] = ()
    # a cause that opens with the applicant but names what they were given, not what they did: "had I been
    # given four months", "if I'd had the time I asked for"
    circumstances: tuple[str, ...] = ()
    # words that hint the result lies elsewhere without a cause clause (irony, playing the exam down); read
    # with or without a negation ("not a level playing field" hints as much as "a level playing field")
    hints: tuple[str, ...] = ()
    # a rhetorical question about the result or other candidates, with no "I" in it ("what score was anybody
    # expecting?"), is a hint too; these words make a question about the result
    question_terms: tuple[str, ...] = ()
    cause_words: int = Field(default=5, ge=1, le=12)  # how many words after the connective name the cause


# words before the cause itself: "because if I could not explain it, I did not know it" names the applicant
_LEAD = re.compile(r"^[\s,(]*(?:the\s+fact\s+that\s+|of\s+|that\s+|how\s+|what\s+|if\s+|when\s+)*", re.I)
# a stretch of time as the subject: "The months between them cost me that year's cycle" says what the result cost
# (not "the years of war", "the waiting room", "time pressure": a culprit)
_TIME_SUBJECT = re.compile(r"\b(?:days|weeks|months|years?|wait)\b(?!\s+(?:of|at|in|room|area|hall)\b)", re.I)
_WORD = re.compile(r"[\w'’-]+")
_HEDGED = re.compile(r"\b(?:not|never|no|would|could|might|may|will|can)\b|n['’]t\b", re.I)


def cause_after(text: str, end: int, words: int) -> tuple[str, int, int]:
    """The words that name the cause right after a connective ending at ``end``, the offset where they end,
    and the offset where their clause ends (a comma, colon, dash or the sentence's end)."""
    clause = re.split(r"[,;:.!?—–]|\s-\s", text[end : end + 200], maxsplit=1)[0]
    lead = _LEAD.match(clause)
    found = list(_WORD.finditer(clause, lead.end() if lead else 0))[:words]
    if not found:
        return "", end, end + len(clause)
    return " ".join(m.group() for m in found), end + found[-1].end(), end + len(clause)


def is_external(cause: str, rule: UnownedCause) -> bool:
    """Whether a cause names something outside the applicant and outside the life context the guide allows.

    A cause that opens with the applicant ("I", "my notes", "me") or with a gerund ("relying on…") is theirs;
    one with no words at all ("because of it") names nothing."""
    if not cause:
        return False
    first = cause.split()[0]
    gerund = first.lower().endswith("ing") and first[:1].islower()
    if not _opens_with(cause, rule.circumstances) and (gerund or _opens_with(cause, rule.self_openers)):
        return False
    return not has_term(cause, rule.context_terms)


def _opens_with(text: str, terms: Sequence[str]) -> bool:
    return any(a == 0 for a, _ in find_terms(text, terms))


def subject_before(text: str, start: int, verb: int, words: int) -> tuple[str, int]:
    """The words of the clause before a verb at ``verb`` (its subject) and where they start, the clause
    opening after ``start``: "two power cuts in block three" in "…; two power cuts in block three cost me"."""
    head = text[start:verb]
    cut = 0
    for m in re.finditer(r"[,;:.!?—–(]|\s-\s|\b(?:and|but|so|because|since|when|while|that|which)\b", head, re.I):
        cut = m.end()
    found = list(_WORD.finditer(head, cut))
    if not 0 < len(found) <= words:
        return "", verb
    return " ".join(m.group() for m in found), start + found[0].start()


_FIRST_PERSON = re.compile(r"\b(?:I|me|my|myself|mine)\b|\bI['’]", re.I)
# "what chance did anyone in my position really have?": the applicant only as one of everyone
_ANYONE_LIKE_ME = re.compile(r"\b(?:in\s+my\s+(?:position|situation|place|shoes|circumstances)|like\s+me)\b", re.I)


# where the question part of a sentence starts: "…, and what candidate performs at their best …?"
_QUESTION_START = re.compile(r"[:;—–]|\s-\s|,\s+(?:(?:and|but|so|then)\s+)?(?=(?:how|what|who|why|which|can|could|would"
                             r"|is|was)\b)", re.I)


# "Why would anyone sit the same exam twice?": the applicant's own retake, put as the question the draft answers
_WHY_AGAIN = re.compile(r"^\W*(?:so,?\s+)?why\s+(?:would|does|did|do|should|might)\s+(?:anyone|anybody|someone"
                        r"|somebody|a\s+\w+)\s+[^?]*?\b(?:twice|again|a\s+second\s+time)\W*\?$", re.I)


def rhetorical(text: str, s: Sentence, rule: UnownedCause) -> tuple[int, int] | None:
    """The question part of ``s`` when it is a question about the result or other people with no "I" in it:
    "…, and I ask the reader: how many candidates … would have done better?" gives the part after the colon."""
    body = text[s.start : s.end].rstrip()
    if not body.endswith("?"):
        return None
    cut = max((m.end() for m in _QUESTION_START.finditer(body)), default=0)
    part = body[cut:]
    if (_FIRST_PERSON.search(_ANYONE_LIKE_ME.sub(" ", part)) or not has_term(part, rule.question_terms)
            or _WHY_AGAIN.match(part)):
        return None
    a = s.start + cut + len(part) - len(part.lstrip())
    return a, s.start + len(body)


def owns_result(doc: Document, sentences: Sequence[Sentence], rule: UnownedCause) -> bool:
    """Whether any sentence of the discussion owns the result."""
    text = plain(doc.text)
    return any(find_terms(text, rule.owned, s.start, s.end) for s in sentences)


Disowned = Callable[[Sentence, int, int, bool], bool]


def _cause_clause(text: str, s: Sentence, rule: UnownedCause, disowned: Disowned) -> tuple[int, int] | None:
    """A connective and the outside cause after it, in a sentence about the result."""
    results = find_terms(text, rule.result_terms, s.start, s.end)
    upto = text[: s.end]  # a cause never runs past its sentence
    for a, b in find_terms(text, rule.connectives, s.start, s.end):
        cause, stop, clause_end = cause_after(upto, b, rule.cause_words)
        # the result is named outside the cause clause: "…, because many people pass" gives no cause *for it*
        about_result = any(y <= a or x >= clause_end for x, y in results)
        if about_result and is_external(cause, rule) and not disowned(s, a, stop, False):
            return a, stop
    return None


# "Why did a student who was first in her class need two attempts? ¶ The honest answer is that I…": a question
# the next sentence answers is the applicant's own, not a rhetorical one
_ANSWER = re.compile(r"^\W*(?:(?:the|my)\s+(?:\w+\s+)?answer\b|I\s+(?:have\s+|had\s+)?asked\s+myself\b"
                     r"|the\s+truth\s+(?:is|was)\b)", re.I)


def _hint(text: str, s: Sentence, rule: UnownedCause, disowned: Disowned, answered: bool = False
          ) -> tuple[int, int] | None:
    """A hint phrase or a rhetorical question (not one ``answered`` by the next sentence), unless quoted."""
    spans = find_terms(text, rule.hints, s.start, s.end)
    question = None if answered else rhetorical(text, s, rule)
    if question:
        spans.append(question)
    return next((span for span in spans if not disowned(s, *span, True)), None)


def _cause_verb(text: str, s: Sentence, rule: UnownedCause, disowned: Disowned) -> tuple[int, int] | None:
    """An outside subject of a verb that did it to the result or the applicant."""
    for a, b in find_terms(text, rule.cause_verbs, s.start, s.end):
        subject, at = subject_before(text, s.start, a, rule.cause_words + 2)
        # "the delay isn't what pulled the score down", "that number would cost me": no outside cause; "after
        # this dark time I decided…": the subject is the applicant
        if (_HEDGED.search(subject) or has_term(subject, rule.result_terms) or _FIRST_PERSON.search(subject)
                or _TIME_SUBJECT.search(subject)):
            continue
        if is_external(subject, rule) and not disowned(s, at, b, False):
            return at, b
    return None


def unowned_causes(doc: Document, sentences: Sequence[Sentence], rule: UnownedCause,
                   disowned: Disowned) -> list[tuple[int, int]]:
    """Spans of outside causes given for the result (a cause clause, a hint, a cause verb's subject), one per
    sentence, when the discussion owns nothing; ``disowned(sentence, start, end, quoted_only)`` tells a span
    the caller sets aside (quoted, or negated unless ``quoted_only``)."""
    if not sentences or owns_result(doc, sentences, rule):
        return []
    text = plain(doc.text)
    out: list[tuple[int, int]] = []
    for i, s in enumerate(sentences):
        answered = i + 1 < len(sentences) and _ANSWER.match(sentences[i + 1].text) is not None
        found = (_cause_clause(text, s, rule, disowned) or _hint(text, s, rule, disowned, answered)
                 or _cause_verb(text, s, rule, disowned))
        if found:
            out.append(found)
    return out
