"""Dates of experience entries as applicants write them: months, date ranges and "present".

ERAS shows dates as ``MM/YYYY``; applicants paste them that way or retype them in whatever form they
like. One month (:func:`parse_month`) may be written ``03/2022``, ``3/2022``, ``03/15/2022`` (day-first
when the first number cannot be a month), ``2022-03``, ``2022/03``, ``2022-03-15``, ``Mar 2022``,
``Mar. 2022``, ``March, 2022``, ``Sept 2022``, a season (``Summer 2021``) or a bare year (``2021``). A
range (:func:`find_range`) is two of them joined by a hyphen, an en or em dash, ``to``, ``until``,
``till``, ``through`` or ``thru`` (``March 2022 to present``, ``2021-06 - 2022-01``, ``06/2021–Present``),
a month range inside one year (``Mar–Aug 2022``), ``since March 2022``, or a start with a dangling dash
(``06/2021 –``, the way ERAS prints an ongoing entry), or an academic session of two years in a row written with a
slash (``2018/2019 session``, read as ``2018 - 2019``). The end may be ``Present``, ``Current``,
``Ongoing``, ``Now``, ``Today`` or ``date`` (ongoing: None).

A bare year or season covers its whole span: ``2019 - 2020`` is January 2019 to December 2020, so a
year-only entry never opens a gap that its writer did not leave. A range that ends before it starts is
not a range. Months are ``YYYY-MM`` strings, as :class:`reviewer.document.Entry` holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Season: (first month, last month); winter is taken as the start of its year.
_THIRDS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (1, 2)}

MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
YEAR = r"(?:19[5-9]\d|20\d\d)"  # a four-digit year an application may name
_B = r"(?<![\w/.])"  # a date starts on its own ...
_E = r"(?![\w/]|[.-]\d{1,2}(?![\d/]))"  # ... and ends on its own (2019-2020 is two years, 2019-06 one month)
DATE = (
    rf"{_B}(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{MONTH_NAME}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s*{YEAR}"  # Mar 2022,
    # March, 2022, Sept. 2022, 01 Mar 2020, March 1, 2020
    rf"|{MONTH_NAME}\s*['’]\d\d(?!\d)"  # May '22
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]{YEAR}"  # 03/15/2022, 15.03.2022
    rf"|\d{{1,2}}\s?[/.-]\s?{YEAR}"  # 03/2022, 3-2022
    rf"|{YEAR}[-/.]\d{{1,2}}(?:[-/.]\d{{1,2}})?"  # 2022-03, 2022/03/15
    rf"|(?:spring|summer|fall|autumn|winter)\s+{YEAR}"
    rf"|(?:early|mid|late)[\s-]+{YEAR}"  # early 2020: January to April; mid: May to August; late: September on
    rf"|{YEAR}){_E}"
)
ONGOING = r"(?:present|current(?:ly)?|ongoing|now|today|(?<=to )date|continuing)\b"
_TO = r"\s*(?:--?>?|–|—|~|→|⟶|=>|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*"
_AND = r"\s+and\s+"  # only after "between": "between March 2020 and July 2021"
# "… and the end of May 2022", "… to late March 2021": the month the range ends in
_EDGE_OF = r"(?:(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+|early\s+|late\s+|mid-?\s*)?"
_RANGE = re.compile(
    rf"(?:\bbetween\s+(?P<bs>{DATE}){_AND}{_EDGE_OF}(?P<be>{DATE})"
    rf"|(?:\b(?:from|between)\s+)?(?P<s>{DATE}){_TO}{_EDGE_OF}(?:(?P<e>{DATE})|(?P<on>{ONGOING})))", re.IGNORECASE
)
_MONTH_SPAN = re.compile(  # Mar–Aug 2022, June - July, 2021, between March and November 2021
    rf"(?<![\w/.])(?:between\s+(?P<b1>{MONTH_NAME}){_AND}(?P<b2>{MONTH_NAME})|(?P<m1>{MONTH_NAME}){_TO}"
    rf"(?P<m2>{MONTH_NAME})),?\s*(?:of\s+)?(?P<y>{YEAR})(?![\w/])", re.IGNORECASE
)
_UNTIL = re.compile(rf"(?P<s>{DATE})[^.;]{{0,80}}?\b(?:until|till)\b[^.;]{{0,50}}?(?P<e>{DATE})", re.IGNORECASE)
_SINCE = re.compile(rf"\b(?:since|starting|started)\s+(?P<s>{DATE})", re.IGNORECASE)
_OPEN = re.compile(rf"(?P<s>{DATE})\s*(?:-|–|—)\s*(?=$|[|)\],;])", re.IGNORECASE)
_ONE = re.compile(DATE, re.IGNORECASE)
# an academic year or session written with a slash: "2018/2019 session" (two years in a row, read as "2018-2019")
_SESSION = re.compile(rf"(?<![\w/.])(?P<a>{YEAR})\s*/\s*(?P<b>{YEAR})(?![\w/])")


@dataclass(frozen=True)
class DateRange:
    """``start``/``end`` as ``YYYY-MM`` (``end`` None: ongoing) and where the range is in the text."""

    start: str
    end: str | None
    span: tuple[int, int]


def _ym(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def parse_month(text: str, *, end: bool = False) -> str | None:
    """One date as ``YYYY-MM``; a bare year or season gives its first month (its last when ``end``)."""
    t = text.strip().lower().replace(",", " ")
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    if m := re.fullmatch(rf"(?:{day}\s+)?({MONTH_NAME})(?:\s+{day})?\s*({YEAR})", t):
        return _ym(int(m.group(2)), MONTHS[m.group(1)[:3]])
    if m := re.fullmatch(rf"({MONTH_NAME})\s*['’](\d\d)", t):
        return _ym(2000 + int(m.group(2)), MONTHS[m.group(1)[:3]])
    if m := re.fullmatch(rf"(\d{{1,2}})[/.](\d{{1,2}})[/.]({YEAR})", t):
        first, second = int(m.group(1)), int(m.group(2))
        return _ym(int(m.group(3)), first if first <= 12 else second)
    if m := re.fullmatch(rf"(\d{{1,2}})\s?[/.-]\s?({YEAR})", t):
        return _ym(int(m.group(2)), int(m.group(1)))
    if m := re.fullmatch(rf"({YEAR})[-/.](\d{{1,2}})(?:[-/.]\d{{1,2}})?", t):
        return _ym(int(m.group(1)), int(m.group(2)))
    if m := re.fullmatch(rf"(early|mid|late)[\s-]+({YEAR})", t):
        first, last = _THIRDS[m.group(1)]
        return _ym(int(m.group(2)), last if end else first)
    if m := re.fullmatch(rf"(spring|summer|fall|autumn|winter)\s+({YEAR})", t):
        first, last = _SEASONS[m.group(1)]
        return _ym(int(m.group(2)), last if end else first)
    if re.fullmatch(YEAR, t):
        return _ym(int(t), 12 if end else 1)
    return None


def _checked(start: str | None, end: str | None, span: tuple[int, int], ongoing: bool) -> DateRange | None:
    if start is None or (end is None and not ongoing) or (end is not None and end < start):
        return None
    return DateRange(start, end, span)


def find_range(text: str) -> DateRange | None:
    """The first date range in ``text`` (forms in the module docstring), or None."""
    for m in _RANGE.finditer(text):
        s, e = ("bs", "be") if m.group("bs") else ("s", "e")
        start = parse_month(m.group(s))
        end = parse_month(m.group(e), end=True) if m.group(e) else None
        if found := _checked(start, end, m.span(), m.group("on") is not None):
            return found
    if span := _MONTH_SPAN.search(text):
        year = int(span.group("y"))
        names = ("b1", "b2") if span.group("b1") else ("m1", "m2")
        first, last = (_ym(year, MONTHS[span.group(g)[:3].lower()]) for g in names)
        if found := _checked(first, last, span.span(), False):
            return found
    until = _UNTIL.search(text)  # "From March 2020, when my house job ended, until … August 2021"
    if until and (found := _checked(parse_month(until.group("s")), parse_month(until.group("e"), end=True),
                                    until.span(), False)):
        return found
    for pattern in (_SINCE, _OPEN):
        if open_ := pattern.search(text):
            return _checked(parse_month(open_.group("s")), None, open_.span(), True)
    if (session := _SESSION.search(text)) and int(session.group("b")) == int(session.group("a")) + 1:
        return DateRange(f"{session.group('a')}-01", f"{session.group('b')}-12", session.span())
    return None


def find_date(text: str) -> DateRange | None:
    """A range, else the first single date as a range of its own span (``June 2021``: 2021-06 to 2021-06;
    ``2019``: 2019-01 to 2019-12)."""
    if found := find_range(text):
        return found
    if _RANGE.search(text):
        return None  # a range that ends before it starts: no date rather than half of one
    for m in _ONE.finditer(text):
        start, end = parse_month(m.group()), parse_month(m.group(), end=True)
        if start and end:
            return DateRange(start, end, m.span())
    return None
