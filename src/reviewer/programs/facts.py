"""The profile completed from the documents: exam facts the drafts state fill what ``profile:`` leaves out.

The facts are the consistency check's own reading (:func:`reviewer.checks.application.exam_facts`, with the
``application.consistency`` params in force), so the plan and the review never read the same sentence two
ways. For each exam the *final* score is a passing one (at or above the pass mark; a lower one is an
earlier attempt) and the attempts are the attempts it took to pass.

* A profile value wins. A document stating another value is reported (``disagrees``) with its sentence:
  either the profile or the draft is wrong, and a program director who notices reads carelessness.
* A missing value is filled when the documents agree on it (``filled``, naming the document); when they
  disagree it stays empty (``documents_disagree``) and the plan says which documents to reconcile.
* A passing Step 3 score in a document means Step 3 is passed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ..checks.application import RETAKEN, ConsistencyParams, Fact, exam_facts
from ..document import Document
from ..errors import printable
from .profile import ExamRecord, Profile, Step3Record
from .result import ProfileNote

_FIELDS = {"Step 1": "step1", "Step 2 CK": "step2ck", "Step 3": "step3"}
QUOTE_CHARS = 240


_STEP = re.compile(r"\bStep[\s-]*(1|I|one|2|II|two|3|III|three)\b", re.IGNORECASE)
_STEP_NUMBER = {"1": "1", "i": "1", "one": "1", "2": "2", "ii": "2", "two": "2", "3": "3", "iii": "3", "three": "3"}
_ATTEMPT_WORD = re.compile(r"\b(?:attempts?|tries|try|sitting|twice|once|thrice|times)\b", re.IGNORECASE)


def ambiguous_attempts(fact: Fact) -> bool:
    """An attempt count stated before any exam is named, in a paragraph whose last exam before it is another
    one ("I failed Step 1 ... I passed on my second attempt and I scored 226 on Step 2 CK."): the count most
    likely belongs to that earlier exam, so it is not used to fill or question the profile."""
    if fact.what != "attempts":
        return False
    text = fact.sentence.text
    word, step = _ATTEMPT_WORD.search(text), _STEP.search(text)
    if word is None or step is None or word.start() > step.start():
        return False
    mine = _STEP_NUMBER[step.group(1).lower()]
    earlier = [s for s in fact.doc.sentences if s.block == fact.sentence.block and s.index < fact.sentence.index]
    for s in reversed(earlier):
        named = [_STEP_NUMBER[m.group(1).lower()] for m in _STEP.finditer(s.text)]
        if named:
            return named[-1] != mine
    return False


def document_facts(docs: Sequence[Document], params: ConsistencyParams) -> list[Fact]:
    """The facts that can fill a profile: a score, or the exact number of attempts it took to pass. A retake
    with no count, or a sitting's dated outcome, is for the consistency check only."""
    return [f for d in docs for f in exam_facts(d, params) if f.exam in _FIELDS and not ambiguous_attempts(f)
            and (f.what == "score" or (f.what == "attempts" and f.value != RETAKEN))]


def _quote(fact: Fact) -> str:
    text = " ".join(fact.sentence.text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _name(fact: Fact) -> str:
    return printable(fact.doc.path)


def complete_profile(profile: Profile | None, docs: Sequence[Document],
                     params: ConsistencyParams) -> tuple[Profile, list[ProfileNote]]:
    """``profile`` with the exam facts of ``docs`` filled in, and a note for every fill and disagreement."""
    profile = profile or Profile()
    facts = document_facts(docs, params)
    by_key: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        if f.what == "score":
            mark = params.pass_marks.get(f.exam)
            if mark is not None and f.value < mark:
                continue  # a failing score is an earlier attempt, not the result
        by_key[(f.exam, f.what)].append(f)
    updates: dict[str, dict[str, Any]] = defaultdict(dict)
    notes: list[ProfileNote] = []
    for (exam, what), group in sorted(by_key.items()):
        field = _FIELDS[exam]
        record = getattr(profile, field)
        declared = getattr(record, "score" if what == "score" else what, None) if record is not None else None
        label = f"{field}.{what}"
        if declared is not None:
            for f in _first_per_value_and_doc(group):
                if f.value != declared:
                    notes.append(ProfileNote(
                        kind="disagrees", field=label, document=_name(f), quote=_quote(f),
                        message=f"the profile says {exam} {_say(what, declared)}, but {_name(f)} says "
                                f"{_say(what, f.value)}: correct whichever is wrong"))
            continue
        values = sorted({f.value for f in group})
        if len(values) == 1:
            f = group[0]
            updates[field][what] = f.value
            notes.append(ProfileNote(kind="filled", field=label, document=_name(f), quote=_quote(f),
                                     message=f"{exam} {_say(what, f.value)}, from {_name(f)}"))
        else:
            where = "; ".join(f"{_say(what, f.value)} in {_name(f)}" for f in _first_per_value_and_doc(group))
            notes.append(ProfileNote(
                kind="documents_disagree", field=label, document=_name(group[0]), quote=_quote(group[0]),
                message=f"the documents disagree on {exam} ({where}): not filled; set {label} in application.yaml "
                        "and correct the documents"))
    return _apply(profile, updates), notes


def _first_per_value_and_doc(group: Sequence[Fact]) -> list[Fact]:
    seen: set[tuple[int, str]] = set()
    out = []
    for f in group:
        if (f.value, f.doc.path) not in seen:
            seen.add((f.value, f.doc.path))
            out.append(f)
    return out


def _say(what: str, value: int) -> str:
    return f"score {value}" if what == "score" else f"passed on attempt {value}"


def _apply(profile: Profile, updates: dict[str, dict[str, Any]]) -> Profile:
    if not updates:
        return profile
    changes: dict[str, Any] = {}
    for field, values in updates.items():
        current = getattr(profile, field)
        if field == "step3":
            base = current.model_dump() if isinstance(current, Step3Record) else {}
            if "score" in values:
                base["score"] = values["score"]
                base["passed"] = True  # only passing scores are facts here
            changes[field] = Step3Record(**{k: v for k, v in base.items() if k in Step3Record.model_fields})
        else:
            base = current.model_dump() if isinstance(current, ExamRecord) else {}
            base.update(values)
            if not base.get("result"):
                base["result"] = "pass"  # a passing score, or the attempts it took to pass
            changes[field] = ExamRecord(**base)
    return profile.model_copy(update=changes)
