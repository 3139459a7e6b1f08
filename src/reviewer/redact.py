"""Redaction of personal identifiers before a draft is sent to a model, and their restoration afterwards.

``--redact`` exists because a draft is personal data: with it, the model sees ``[NAME_1]``,
``[EMAIL_1]``, ``[PHONE_1]``, ``[ID_1]`` and ``[DOB_1]`` instead of the applicant's name, email, phone
number, AAMC / ECFMG / USMLE ID and date of birth. The placeholders are *stable*: within one document
the same value always gets the same placeholder (so the model can still reason "the writer signs as
[NAME_1]"), and a placeholder is never one that already occurs in the text. The mapping never leaves
the process; :func:`restore` puts the real values back into the model's quotes, reasoning and
suggestions, so the quotes can be grounded in the original text and the feedback reads naturally.

What is found (deliberately simple, precise patterns; a missed value is sent as written):

* names given by the caller (the applicant's name from ``application.yaml``; the full name and each
  part of three or more letters), names after a title (``Dr. Jane Roe``, ``Prof. Roe``), after
  ``My name is``, and a signature line (a short line of capitalised words after ``Sincerely,``,
  ``Regards,`` and the like); every occurrence of a found name is replaced, not only the first;
* emails; phone numbers (ten digits or more, with the usual separators, optionally ``+CC``);
* ECFMG/USMLE-style IDs ``0-123-456-7`` and any standalone eight-digit number (AAMC, ECFMG, USMLE IDs);
* dates of birth after ``DOB``, ``date of birth`` or ``born (on)``: numeric dates and written ones.

Pure functions only: :func:`redact` and :func:`restore`. Nothing here logs or raises on content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

NAME, EMAIL, PHONE, ID, DOB = "NAME", "EMAIL", "PHONE", "ID", "DOB"
CATEGORIES = (NAME, EMAIL, PHONE, ID, DOB)
PLACEHOLDER = re.compile(r"\[(NAME|EMAIL|PHONE|ID|DOB)_(\d{1,4})\]")

_WORD = r"[A-Z][a-zA-Z'\u2019-]+"
_NAME_WORDS = rf"{_WORD}(?:[ \t]+(?:{_WORD}|[A-Z]\.))*"
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]?\d{4}(?![\w-])")
_ECFMG = re.compile(r"(?<![\w-])\d-\d{3}-\d{3}-\d(?![\w-])")
_EIGHT = re.compile(r"(?<![\w.,-])\d{8}(?![\w-])")
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
           r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTHS}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?"
         rf"[ \t]+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTHS},?[ \t]+\d{{4}})")
_DOB = re.compile(rf"(?i:\b(?:D\.?O\.?B\.?|date[ \t]+of[ \t]+birth|born(?:[ \t]+on)?))[ \t]*[:\-]?[ \t]*(?P<v>{_DATE})")
_TITLED = re.compile(rf"\b(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx)\.?[ \t]+(?P<v>{_NAME_WORDS})")
_MY_NAME = re.compile(rf"\b(?i:my[ \t]+name[ \t]+is)[ \t]+(?P<v>{_NAME_WORDS})")
_CLOSING = re.compile(r"(?im)^[ \t]*(?:sincerely|regards|best regards|kind regards|warm regards|respectfully|"
                      r"yours(?: sincerely| truly| faithfully)?|best|thank you|with gratitude)[ \t]*,?[ \t]*\n"
                      rf"(?:[ \t]*\n)*[ \t]*(?P<v>{_WORD}(?:[ \t]+(?:{_WORD}|[A-Z]\.)){{0,3}})[ \t]*,?[ \t]*$")
_NOT_NAMES = frozenset({"The", "This", "That", "And", "But", "In", "On", "At", "I", "My", "Thank", "Thanks",
                        "Kaiser", "Permanente", "Hospital", "University", "Medical", "Medicine", "School",
                        "Program", "Department", "Internal", "Family", "Residency", "Step", "USMLE", "ECFMG",
                        "AAMC", "MD", "PhD", "MBBS", "Applicant", "Candidate", "Team", "Committee"})


def _trim_name(value: str) -> str:
    words = value.split()
    while words and (words[-1].rstrip(".,") in _NOT_NAMES or len(words[-1]) < 2):
        words.pop()
    if words and words[0] in _NOT_NAMES:  # "The Applicant", "Kaiser Permanente": not a person's name
        return ""
    return " ".join(words)


def find_names(text: str, names: Iterable[str] = ()) -> list[str]:
    """Name values to replace: the given names (and their parts), then names found by the patterns."""
    found: list[str] = []
    for name in names:
        full = " ".join(name.split())
        if full:
            found.append(full)
            found.extend(p for p in full.split() if len(p.strip(".,")) >= 3 and p not in _NOT_NAMES)
    for pattern in (_TITLED, _MY_NAME, _CLOSING):
        for m in pattern.finditer(text):
            value = _trim_name(m.group("v"))
            if value and value not in _NOT_NAMES:
                found.append(value)
                found.extend(p for p in value.split() if len(p) >= 3 and p not in _NOT_NAMES)
    return list(dict.fromkeys(found))


def _spans(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, category) of every value to replace, overlaps resolved (earliest, then longest, wins)."""
    spans: list[tuple[int, int, str]] = []
    for m in _EMAIL.finditer(text):
        spans.append((m.start(), m.end(), EMAIL))
    for m in _DOB.finditer(text):
        spans.append((m.start("v"), m.end("v"), DOB))
    for m in _ECFMG.finditer(text):
        spans.append((m.start(), m.end(), ID))
    for m in _PHONE.finditer(text):
        spans.append((m.start(), m.end(), PHONE))
    for m in _EIGHT.finditer(text):
        spans.append((m.start(), m.end(), ID))
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w\u2019']){re.escape(name)}(?![\w])", text):
            spans.append((m.start(), m.end(), NAME))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    end = -1
    for s in spans:
        if s[0] >= end:
            out.append(s)
            end = s[1]
    return out


def redact(text: str, names: Iterable[str] = ()) -> tuple[str, dict[str, str]]:
    """``text`` with identifiers replaced by stable placeholders, and the placeholder -> value mapping."""
    spans = _spans(text, find_names(text, names))
    taken = {m.group(0) for m in PLACEHOLDER.finditer(text)}
    counters = dict.fromkeys(CATEGORIES, 0)
    by_value: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    parts: list[str] = []
    pos = 0
    for start, end, category in spans:
        value = text[start:end]
        key = (category, value)
        if key not in by_value:
            while True:
                counters[category] += 1
                placeholder = f"[{category}_{counters[category]}]"
                if placeholder not in taken:
                    break
            by_value[key] = placeholder
            mapping[placeholder] = value
        parts.append(text[pos:start])
        parts.append(by_value[key])
        pos = end
    parts.append(text[pos:])
    return "".join(parts), mapping


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with every known placeholder put back; unknown placeholders are left as written."""
    if not mapping:
        return text
    return PLACEHOLDER.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


__all__ = ["CATEGORIES", "PLACEHOLDER", "find_names", "redact", "restore"]
