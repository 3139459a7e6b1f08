"""Small text helpers shared by detectors: case-insensitive term search on word boundaries, sentence
lookups and number spotting. Pure functions over strings and :class:`~reviewer.document.Document`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..document import Document, Sentence


def term_alternation(terms: Iterable[str]) -> str:
    """The terms as one regex alternation, longest first: a ``re:<pattern>`` term as its pattern, any other
    escaped, with each space matching any run of white space."""
    return "|".join(f"(?:{t[3:]})" if t.startswith("re:") else re.escape(t.strip()).replace(r"\ ", r"\s+")
                    for t in sorted(terms, key=len, reverse=True))


@lru_cache(maxsize=512)
def term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for many terms (:func:`term_alternation`), on word boundaries, case-insensitive."""
    return re.compile(r"(?<![\w])(?:" + term_alternation(terms) + r")(?![\w])", re.IGNORECASE)


def find_terms(text: str, terms: Iterable[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of every occurrence of any term in ``text[start:end]`` (global offsets)."""
    terms = tuple(terms)
    if not terms:
        return []
    pat = term_pattern(terms)
    return [(m.start(), m.end()) for m in pat.finditer(text, start, len(text) if end is None else end)]


def has_term(text: str, terms: Iterable[str]) -> bool:
    terms = tuple(terms)
    return bool(terms) and term_pattern(terms).search(text) is not None


def sentences_with(doc: Document, terms: Iterable[str]) -> list[Sentence]:
    terms = tuple(terms)
    return [s for s in doc.sentences if has_term(s.text, terms)]


NUMBER = re.compile(
    r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(?:%|percent))?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|dozen|dozens)\b",
    re.IGNORECASE,
)


def numbers_in(text: str) -> list[re.Match[str]]:
    return list(NUMBER.finditer(text))


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@lru_cache(maxsize=64)
def plain(text: str) -> str:
    """``text`` with typographic apostrophes as ``'``: same length, so offsets still index the original.

    Lexicons are written with ``'`` ("don't", "I'm") while Word drafts type ``’``; match on ``plain(text)``.
    """
    return text.translate(_APOSTROPHES)
