"""Redaction of personal identifiers before a draft is sent to a model, and their restoration afterwards.

``--redact`` exists because a draft is personal data: with it, the model sees ``[NAME_1]``,
``[EMAIL_1]``, ``[PHONE_1]``, ``[ID_1]`` and ``[DOB_1]`` instead of the applicant's name, email, phone
number, AAMC / ECFMG / USMLE ID and date of birth. The placeholders are *stable*: within one document
the same value always gets the same placeholder (so the model can still reason "the writer signs as
[NAME_1]"), and a placeholder is never one that already occurs in the text. The mapping never leaves
the process; :func:`restore` puts the real values back into the model's quotes, reasoning and
suggestions, so the quotes can be grounded in the original text and the feedback reads naturally.

What is found (patterns, chosen to be precise on ordinary application prose):

* **Names** given by the caller (the applicant's name from ``application.yaml``): the full name and
  each part of two or more letters (hyphenated parts also alone; particles such as ``de``, ``van``,
  ``al`` and titles such as ``Dr`` are not parts), in any case and with or without diacritics
  (``García`` = ``GARCIA`` = ``garcia``, possessives included). A part that is also a common English
  word (``Will``, ``Hope``, ``Grace``, ``Said``, ``Young``...) or has two letters (``Li``) is replaced
  only where it is capitalised, so "I will" stays. Names are also *found* after a title
  (``Dr. Jane Roe``), after ``My name is``, and as a signature line (capitalised words alone on the
  line after ``Sincerely,``, ``Regards,``...); found names are then matched the same way.
* **Emails**, internationalised ones included (Unicode local part or domain, ``xn--`` labels).
* **Phone numbers**: ``+CC`` international numbers (``+44 20 7946 0958``, ``+91 98765 43210``), a
  parenthesised area code (``(020) 7946 0958``, ``(415) 555-0199``), North American numbers with an
  optional leading ``1`` (``1-800-555-0199``), national numbers with a trunk ``0`` (``020 7946 0958``)
  and bare runs of 10 to 13 digits; separators may be spaces (also no-break and thin ones), dots and
  any dash character (``-``, U+2010-2015, U+2212, full-width...).
* **IDs**: numbers after ``AAMC``/``ECFMG``/``USMLE``/``NRMP``/``ERAS`` or ``ID`` (``AAMC #: 1452-3679``,
  ``AAMCID14523686``, ``AAMC ID number is 14523686``), and on their own the shapes ``0-123-456-7``,
  ``14 523 680`` and any standalone eight-digit number.
* **Dates of birth** after ``DOB``, ``date of birth``, ``birth date``, ``birthday`` or ``born``:
  numeric dates, ``4 July 1994``, ``July 4th, 1994``, ``the fourth of July, 1994``, ``July 1994``.

What it is not: a guarantee. It cannot catch a name it does not know (a classmate's name in running
prose, the applicant's name when no ``applicant`` is given and no title, ``My name is`` or signature
points at it), nor addresses, social handles, URLs, a birth year alone, obfuscated forms
(``name [at] example [dot] com``) or identifiers in shapes not listed above. Exam scores, years,
percentages, counts and date ranges are deliberately left alone. A missed value is sent as written.

Pure functions only: :func:`redact` and :func:`restore`. Nothing here logs or raises on content.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

NAME, EMAIL, PHONE, ID, DOB = "NAME", "EMAIL", "PHONE", "ID", "DOB"
CATEGORIES = (NAME, EMAIL, PHONE, ID, DOB)
PLACEHOLDER = re.compile(r"\[(NAME|EMAIL|PHONE|ID|DOB)_(\d{1,4})\]")

# ------------------------------------------------------------------------------------------- numbers
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEP = f"[ \u00a0\u2007\u2009\u202f.{_DASHES}]"  # one separator between digit groups
_START = rf"(?<![\w+@/])(?<!\d{_SEP})(?<!\d,)"  # not inside a longer number, word, address or fraction
_END = rf"(?![\w@/])(?!{_SEP}\d)(?!,\d)"
_PHONE = re.compile(_START + "(?:" + "|".join((
    rf"(?P<intl>\+\d{{1,3}}(?:{_SEP}?\(\d{{1,4}}\))?(?:{_SEP}?\d{{1,5}}){{2,5}})",  # +44 20 7946 0958
    rf"\(\d{{2,5}}\){_SEP}?\d{{2,4}}(?:{_SEP}?\d{{2,4}}){{1,2}}",  # (020) 7946 0958
    rf"(?:1{_SEP})?\d{{3}}{_SEP}\d{{3}}{_SEP}?\d{{4}}",  # 1-800-555-0199, 415.555.0123
    rf"0\d{{2,4}}{_SEP}\d{{3,4}}{_SEP}?\d{{3,4}}",  # 020 7946 0958, 07700 900123
    r"\d{10,13}",  # bare digits
)) + ")" + _END)
_ID_SHAPES = re.compile(  # 0-123-456-7 (ECFMG, USMLE), 14 523 680, 14523680
    rf"{_START}(?:\d{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d|\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}|\d{{8}}){_END}")
_ID_ANCHORED = re.compile(
    r"(?i)(?:\b(?:AAMC|ECFMG|USMLE|NRMP|ERAS)[\s\-]*(?:ID\b|I\.D\.|identifier|identification|ID(?=\d))?|\bID\b)"
    r"(?:[\s:#=.\u2013\u2014-]|\b(?:no|num|number|is|was|code)\b)*"
    rf"(?P<v>\d(?:{_SEP}?\d){{5,9}})(?!\w)"
)
_YEARS = re.compile(rf"(?:19|20)\d\d{_SEP}(?:19|20)\d\d")  # "ID 2022-2024" is infectious diseases, not an ID

# ------------------------------------------------------------------------------------------- dates of birth
_UNITS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
_ORDINAL = (rf"(?:(?:twenty|thirty)[\s\-]?(?:{_UNITS})|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth"
            rf"|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|{_UNITS})")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DATE = "|".join((
    rf"\d{{1,2}}[/.{_DASHES}]\d{{1,2}}[/.{_DASHES}]\d{{2,4}}",
    rf"\d{{4}}[/.{_DASHES}]\d{{1,2}}[/.{_DASHES}]\d{{1,2}}",
    rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?",  # (the) 4th (of) July(, 1994)
    rf"{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+\d{{4}})?",  # July (the) 4th(, 1994)
    rf"{_MONTH},?\s+\d{{4}}",  # July 1994
))
_DOB = re.compile(r"(?i)\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birthday|born)"
                  rf"(?:\s*[:,\u2013\u2014-]|\s+(?:is|was|on|in)\b)*\s*(?P<v>{_DATE})(?!\w)")

# ------------------------------------------------------------------------------------------- emails
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.%+\-][\w.%+'\-]*[@\uff20](?:[\w\-]+\.)+(?:xn--[\w\-]+|[^\W\d_]{2,})(?![\w\-])")

# ------------------------------------------------------------------------------------------- names
_LETTER = r"[^\W\d_]"
_WORD = rf"{_LETTER}[\w'\u2019-]*"  # capitalisation is checked in code: ``re`` has no Unicode \p{Lu}
_NAME_WORDS = rf"{_WORD}(?:[ \t]+(?:{_WORD}|{_LETTER}\.)){{0,4}}"  # a name has at most five words
_TITLED = re.compile(rf"\b(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx)\.?[ \t]+(?P<v>{_NAME_WORDS})")
_MY_NAME = re.compile(rf"\b(?i:my[ \t]+name[ \t]+is)[ \t]+(?P<v>{_NAME_WORDS})")
_CLOSING = re.compile(r"(?im)^[ \t]*(?:sincerely|regards|best regards|kind regards|warm regards|respectfully|"
                      r"yours(?: sincerely| truly| faithfully)?|best|thank you|with gratitude)[ \t]*,?[ \t]*\n"
                      rf"(?:[ \t]*\n)*[ \t]*(?P<v>{_WORD}(?:[ \t]+(?:{_WORD}|{_LETTER}\.)){{0,3}})[ \t]*,?[ \t]*$")
_NOT_NAMES = frozenset(w.casefold() for w in (
    "The", "This", "That", "And", "But", "In", "On", "At", "I", "My", "Thank", "Thanks", "Kaiser", "Permanente",
    "Hospital", "University", "Medical", "Medicine", "School", "Program", "Department", "Internal", "Family",
    "Residency", "Step", "USMLE", "ECFMG", "AAMC", "MD", "DO", "PhD", "MBBS", "Applicant", "Candidate", "Team",
    "Committee", "Dr", "Doctor", "Prof", "Professor", "Mr", "Mrs", "Ms", "Mx", "Miss", "Jr", "Sr", "II", "III"))
_PARTICLES = frozenset(("de", "del", "della", "der", "di", "da", "das", "do", "dos", "du", "la", "le", "van", "von",
                        "al", "el", "bin", "binti", "ibn", "ben", "bint", "y", "e", "st"))
# Name parts that are also ordinary words: replaced only where capitalised ("Will", not "will").
_WORD_NAMES = """
will may june april august hope faith grace joy rose lily iris ivy daisy violet holly hazel amber ruby pearl jade
dawn eve summer autumn winter sky rain storm sunny honey bill mark frank rich guy art gene drew dean chase chance
miles grant hunter carter mason cole lane wade ward glen dale forest river stone brook cliff young white brown green
black gray grey king long park hill wood woods cook baker smith miller page bell wall rice price cross bush moon day
law love little small short strong wise best hall field sharp fox wolf lamb bird swan crane cash gold silver major
noble just hardy bliss royal prince duke earl bishop knight jack nick pat sue don ray bob rob said sun son man tan
ram gift blessing precious favour favor mercy patience peace comfort justice charity wisdom goodness promise success
treasure victory miracle destiny divine marvel trust praise glory prosper happiness honour honor sunday monday
friday christian early fair key head case bond
"""
_COMMON_WORDS = frozenset(_WORD_NAMES.split())
_FOLD_EXTRA = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """``ch`` without case or diacritics (``É`` -> ``e``); combining marks fold to nothing."""
    if ch.isascii():
        return ch.lower()
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.casefold().translate(_FOLD_EXTRA)


def _fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the offset of the character it came from."""
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        origin.extend([i] * len(folded))
    return "".join(parts), origin


def _trim_name(value: str, *, whole: bool = False) -> str:
    """The capitalised words that start ``value``, without trailing non-names; "" when it is no name
    (``whole``: every word must be capitalised, as on a signature line)."""
    words = value.split()
    kept = _leading_capitalised(words)
    if whole and len(kept) != len(words):
        return ""
    while kept and (kept[-1].rstrip(".,").casefold() in _NOT_NAMES or len(kept[-1]) < 2):
        kept.pop()
    if kept and kept[0].casefold() in _NOT_NAMES:  # "The Applicant", "Kaiser Permanente": not a person's name
        return ""
    return " ".join(kept)


def _leading_capitalised(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if not w[0].isupper():
            break
        out.append(w)
    return out


def _parts(full: str) -> list[str]:
    """The parts of a name matched alone: words and hyphenated halves, without titles, particles, initials."""
    out: list[str] = []
    for word in full.split():
        core = word.strip(".,;:()\"'\u2019")
        pieces = [core, *core.split("-")] if "-" in core else [core]
        for p in pieces:
            key = p.casefold()
            if len(p) >= 2 and key not in _NOT_NAMES and key not in _PARTICLES and not p.endswith("."):
                out.append(p)
    return out


def find_names(text: str, names: Iterable[str] = ()) -> list[str]:
    """Name values to replace: the given names (and their parts), then names found by the patterns."""
    found: list[str] = []
    for name in names:
        full = " ".join(name.split())
        if full:
            found += [full, *_parts(full)]
    for pattern in (_TITLED, _MY_NAME, _CLOSING):
        for m in pattern.finditer(text):
            value = _trim_name(m.group("v"), whole=pattern is _CLOSING)
            if value and value.casefold() not in _NOT_NAMES:
                found += [value, *_parts(value)]
    return list(dict.fromkeys(found))


def _name_spans(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """Every occurrence of every name, ignoring case and diacritics (common-word and two-letter parts:
    capitalised occurrences only)."""
    folded, origin = _fold(text)
    spans: list[tuple[int, int, str]] = []
    for name in sorted(names, key=len, reverse=True):
        words = _fold(name)[0].split()
        if not words:
            continue
        strict = len(words) == 1 and (len(words[0]) <= 2 or words[0] in _COMMON_WORDS)
        pattern = r"(?<![\w'\u2019])" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
        for m in re.finditer(pattern, folded):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            if not strict or text[start].isupper():
                spans.append((start, end, NAME))
    return spans


def _spans(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, category) of every value to replace, overlaps resolved (earliest, then longest, wins;
    on a tie the earlier category below)."""
    spans: list[tuple[int, int, str]] = []
    spans += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    spans += [(m.start("v"), m.end("v"), DOB) for m in _DOB.finditer(text)]
    spans += [(m.start("v"), m.end("v"), ID) for m in _ID_ANCHORED.finditer(text) if not _YEARS.fullmatch(m["v"])]
    spans += [(m.start(), m.end(), ID) for m in _ID_SHAPES.finditer(text)]
    spans += [(m.start(), m.end(), PHONE) for m in _PHONE.finditer(text) if _phone_digits_ok(m)]
    spans += _name_spans(text, names)
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    end = -1
    for s in spans:
        if s[0] >= end:
            out.append(s)
            end = s[1]
    return out


def _phone_digits_ok(m: re.Match[str]) -> bool:
    """An international number has 7 to 15 digits with its country code (E.164 allows 15)."""
    return m.group("intl") is None or 7 <= sum(c.isdigit() for c in m.group(0)) <= 15


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
