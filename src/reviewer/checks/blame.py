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
* the sentence is about the result (it names the exam, the score or the attempt);
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
    cause_words: int = Field(default=5, ge=1, le=12)  # how many words after the connective name the cause


_LEAD = re.compile(r"^[\s,(]*(?:the\s+fact\s+that\s+|of\s+|that\s+|how\s+|what\s+)*", re.I)
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
    if first.lower().endswith("ing") and first[:1].islower():
        return False
    if any(a == 0 for a, _ in find_terms(cause, rule.self_openers)):
        return False
    return not has_term(cause, rule.context_terms)


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


def owns_result(doc: Document, sentences: Sequence[Sentence], rule: UnownedCause) -> bool:
    """Whether any sentence of the discussion owns the result."""
    text = plain(doc.text)
    return any(find_terms(text, rule.owned, s.start, s.end) for s in sentences)


def unowned_causes(doc: Document, sentences: Sequence[Sentence], rule: UnownedCause,
                   disowned: Callable[[Sentence, int, int], bool]) -> list[tuple[int, int]]:
    """Spans (connective and cause) of outside causes given for the result, one per sentence, when the
    discussion owns nothing; ``disowned`` tells a span the caller sets aside (quoted, negated)."""
    if not sentences or owns_result(doc, sentences, rule):
        return []
    text = plain(doc.text)
    out: list[tuple[int, int]] = []
    for s in sentences:
        results = find_terms(text, rule.result_terms, s.start, s.end)
        for a, b in find_terms(text, rule.connectives, s.start, s.end):
            cause, stop, clause_end = cause_after(text[: s.end], b, rule.cause_words)
            # the result is named outside the cause clause: "…, because many people pass" gives no cause *for it*
            about_result = any(y <= a or x >= clause_end for x, y in results)
            if about_result and is_external(cause, rule) and not disowned(s, a, stop):
                out.append((a, stop))
                break
        else:
            for a, b in find_terms(text, rule.cause_verbs, s.start, s.end):
                subject, at = subject_before(text, s.start, a, rule.cause_words + 2)
                # "the delay isn't what pulled the score down", "that number would cost me": no outside cause
                if _HEDGED.search(subject) or has_term(subject, rule.result_terms):
                    continue
                if is_external(subject, rule) and not disowned(s, at, b):
                    out.append((at, b))
                    break
    return out
