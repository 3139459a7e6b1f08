"""``application.tailoring``: a statement written for one program names that program and no other.

An applicant who tailors a statement per program declares each variant in ``application.yaml``::

    tailored:
      ps-harbor-vale.docx: Harbor Vale Kaiser Permanente Family Medicine
      ps-cedar-bluff.docx: [Cedar Bluff Community Hospital Internal Medicine, Cedar Bluff]   # name, other names

The check reads every declared variant (the manifest reaches it through
:attr:`~reviewer.checks.registry.AppContext.manifest`):

* a variant that names **another declared program** fails, with a finding on each sentence that does: the
  mail-merge error of a statement copied from one program's version and not fully changed, which tells that
  program it is not the applicant's first choice;
* a variant that never names **its own** program warns (the guide: "tailor your personal statement and
  communication to that program's strengths and values").

A program is named by its declared name or any other name listed, matched whole-word, ignoring case,
punctuation and parenthetical remarks ("(fictional)"), and by a short form derived from its name: the name
without its trailing generic words ("Family Medicine Residency Program"), when at least ``min_short_words``
words remain and no other declared program shares that short form. A mention of another program inside a
mention of the variant's own program (a longer name containing it) does not count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..document import Document
from ..errors import printable
from ..findings import Verdict
from .registry import AppContext, Hit, Outcome, Params, register


class TailoringParams(Params):
    # words dropped from the end of a program's name to derive its short form
    generic_words: tuple[str, ...] = (
        "residency", "program", "programme", "training", "medicine", "family", "internal", "pediatrics",
        "paediatrics", "psychiatry", "neurology", "transitional", "year", "preliminary", "categorical",
        "emergency", "surgery", "general", "of", "in", "at", "and", "the", "department", "-",
    )
    min_short_words: int = 2


_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[A-Za-z0-9]+")


def name_words(name: str) -> list[str]:
    return _WORD.findall(_PAREN.sub(" ", name))


def name_pattern(words: list[str]) -> re.Pattern[str]:
    """Whole words in order, anything but letters and digits between them, any case."""
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![A-Za-z0-9])",
                      re.IGNORECASE)


def short_form(name: str, params: TailoringParams) -> tuple[str, ...] | None:
    words = name_words(name)
    full = len(words)
    generic = {w.lower() for w in params.generic_words}
    while words and words[-1].lower() in generic:
        words.pop()
    while words and words[0].lower() == "the":
        words.pop(0)
    if len(words) < params.min_short_words or len(words) == full:
        return None
    return tuple(w.lower() for w in words)


def program_key(names: Sequence[str]) -> str:
    """A declared program's key: its first name's words, lower-cased."""
    return " ".join(name_words(names[0])).lower()


def program_forms(tailored: Mapping[str, Sequence[str]], params: TailoringParams) -> dict[str, list[list[str]]]:
    """For each declared program (keyed by :func:`program_key`): the word lists that name it."""
    forms: dict[str, list[list[str]]] = {}
    declared: dict[str, set[tuple[str, ...]]] = {}  # the same forms, lower-cased
    shorts: dict[tuple[str, ...], set[str]] = {}
    for names in tailored.values():
        key = program_key(names)
        entry, seen = forms.setdefault(key, []), declared.setdefault(key, set())
        for n in names:
            words = name_words(n)
            lower = tuple(w.lower() for w in words)
            if words and lower not in seen:
                entry.append(words)
                seen.add(lower)
            short = short_form(n, params)
            if short:
                shorts.setdefault(short, set()).add(key)
    for short, owners in shorts.items():
        owner = next(iter(owners))
        taken = any(short in names for key, names in declared.items() if key != owner)
        if len(owners) == 1 and not taken and short not in declared[owner]:
            forms[owner].append(list(short))
    return forms


def _spans(doc: Document, forms: list[list[str]]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for f in forms for m in name_pattern(f).finditer(doc.text)]


@register("application_tailoring", TailoringParams, application=True)
def check_tailoring(actx: AppContext, params: TailoringParams) -> Outcome:
    """``fail`` when a tailored statement names another declared program; ``warn`` when it never names its own."""
    tailored = actx.manifest.tailored if actx.manifest is not None else {}
    if not tailored:
        return Outcome(Verdict.NOT_APPLICABLE, summary="no statement is declared as written for one program "
                                                       "(tailored: in application.yaml)")
    by_name = {Path(d.path).name: d for d in actx.docs}
    variants = [(by_name[f], names) for f, names in tailored.items() if f in by_name]
    if not variants:
        return Outcome(Verdict.NOT_APPLICABLE, summary="none of the statements listed under tailored: was reviewed")
    forms = program_forms(tailored, params)
    hits: list[Hit] = []
    wrong: list[str] = []
    unnamed: list[str] = []
    for doc, names in variants:
        own_key = program_key(names)
        own = _spans(doc, forms[own_key])
        shown = printable(Path(doc.path).name)
        for key, other in forms.items():
            if key == own_key:
                continue
            for start, end in _spans(doc, other):
                if any(a <= start and end <= b for a, b in own):
                    continue
                sentence = doc.sentence_at(start)
                s, e = (sentence.start, sentence.end) if sentence else (start, end)
                hits.append(Hit(s, e, Verdict.FAIL, f"names '{doc.text[start:end]}', but this statement is for "
                                                    f"{names[0]}", document=doc.path))
                wrong.append(f"{shown} names {doc.text[start:end]!r}")
        if not own:
            s, e = doc.first_block_span
            hits.append(Hit(s, e, Verdict.WARN, f"never names {names[0]}, the program it is written for",
                            document=doc.path))
            unnamed.append(shown)
    if wrong:
        return Outcome(Verdict.FAIL, tuple(hits), summary="another program named: " + "; ".join(dict.fromkeys(wrong)))
    if unnamed:
        return Outcome(Verdict.WARN, tuple(hits), summary="its own program never named: " + ", ".join(unnamed))
    return Outcome(Verdict.PASS, summary=f"{len(variants)} tailored statement(s), each naming its program and no other")
