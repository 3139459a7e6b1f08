"""Pasted ERAS entries: which short lines of an experience document are entry headers, and what they say.

Applicants copy their entries out of ERAS (or retype them) as a title line, a line of details, then the
description::

    Internal Medicine Observership
    Mount Sinai Hospital | Observer | 03/2022 - 08/2023
    Followed 10-12 patients daily ...

A *details line* (:func:`read_header`) is one of:

* ``|``-separated parts (2-6, none over 150 characters): a date range or month and an hours part are
  recognised anywhere, the remaining parts are organization then role;
* a *dated line*: a date range or date (any form :mod:`.dates` reads) standing as a part of its own,
  between separators (``|``, ``,``, ``;``, ``·``, ``•``, dashes, parentheses, a column gap of two or more
  spaces or a tab) or at an end of the line, with only name-like parts around it: ``Mount Sinai Hospital —
  Observer (Mar 2022 – Aug 2023)``, ``March 2022 to present``, a CV's ``08/2023 - 11/2023    Psychiatry
  Observership`` (whose organization may stand on the line under it). A name-like part is short, starts
  with a capital or a digit and does not end in a preposition, article or conjunction, so a wrapped line of
  prose ("the clinic from March 2022 to present and") is never one;
* *label lines*: ``Organization: ...``, ``Role: ...``, ``Dates: ...``, ``Hours: ...`` and the other
  labels of :data:`LABELS` (several may share a line, as Markdown joins ``**Organization:** X`` lines
  into one paragraph); a ``Description:`` label starts the description itself.

A *title line* (:func:`title_like`) is short (at most 100 characters), has letters and does not end in
sentence punctuation (nor is it a note set apart in brackets); it is a title only when a details line follows it,
or when it opens its paragraph in bold. A paragraph whose first sentence is its entry's names, mostly
capitalised (:func:`named_lead`: "Volunteer, Pain and Palliative Care Society, Kozhikode. Sunday home
visits…"), opens on its title too. A numbered item that names its entry with no dates opens it
when a description starts on the next line (:func:`numbered_title`), and so does a title with a line of names
(organization, place, role) under it (:func:`names_line`). Bullet lines (``- ...``,
``• ...``) are never titles or dated lines. Prose is never split: a line is a header only by one of the
signs above, and a paragraph without them stays one paragraph.

A *table pasted as text* or Markdown (:func:`table_blocks`): a header row of three or more known column names
("Experience | Organization | Role | Dates | Description"), then one entry per row, named by its title, role or
organization column. Dates that *close a description* (:func:`closing_dates`, :func:`dates_aside`) are its entry's
when the header gives none.

:func:`pasted_blocks` turns the lines of one paragraph of a ``.txt`` or Markdown file into blocks: the
header lines each their own block (titles marked as headings), the description lines joined by the
caller's paragraph rule. :mod:`.entries` then groups blocks into entries.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..segment import RawBlock, normalise_block_text
from .dates import DateRange, find_date

TITLE_MAX = 160  # a title line may carry the organization too: "Research Assistant — Facultad Nacional de ..."
DETAILS_MAX = 160  # characters of a dated line
PART_MAX = 150  # characters of one |-separated part or label value
NAME_MAX = 100  # characters of one name part of a dated line ("Research Assistant, Grupo de Investigación en …")
NAME_WORDS = 12

# Label -> the entry field it fills; None: a header field the review does not use (location, type ...).
LABELS: dict[str, str | None] = {
    "title": "title", "experience title": "title", "activity": "title", "activity title": "title",
    "position": "role", "position title": "role", "role": "role", "job title": "role",
    "organization": "organization", "organisation": "organization", "institution": "organization",
    "hospital": "organization", "employer": "organization", "site": "organization",
    "organization name": "organization", "program": "organization", "org": "organization",
    "dates": "dates", "date": "dates", "duration": "dates", "period": "dates", "time period": "dates",
    "timeframe": "dates", "time frame": "dates", "date range": "dates", "start/end": "dates", "start / end": "dates",
    "start-end": "dates", "from/to": "dates", "from / to": "dates", "start/end dates": "dates",
    "start date": "start", "start": "start", "end date": "end", "end": "end",
    "hours": "hours", "total hours": "hours", "total hrs": "hours",
    "hours per week": None, "hours/week": None, "hrs/week": None, "average hours per week": None,
    "average hours/week": None, "avg hours/week": None, "avg. hours/week": None, "avg hours per week": None,
    "location": None, "city": None, "country": None, "city/state": None, "address": None,
    "setting": None, "type": None, "experience type": None, "focus area": None, "primary focus area": None,
    "supervisor": None, "contact": None, "key characteristics": None, "specialty": None,
    "department": None, "status": None, "commitment": None,
    "description": "description", "summary": "description", "responsibilities": "description",
    "details": "description", "experience description": "description", "role description": "description",
}  # fmt: skip
_LABEL_ALT = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(LABELS, key=len, reverse=True))
_BULLET = r"(?:[-*•·▪◦‣–]\s+)"
_LABEL_START = re.compile(
    rf"^{_BULLET}?(?P<label>(?:{_LABEL_ALT})(?:\s*/\s*(?:{_LABEL_ALT}))*)\s*:\s*", re.IGNORECASE
)
# The next label on the same line: after a separator, or after a space when Markdown joined the lines.
_LABEL_NEXT = re.compile(rf"(?:\s*[|;·•]\s*|\s+[–—]\s+|\s+)(?P<label>{_LABEL_ALT})\s*:\s*", re.IGNORECASE)
_VALUE_EDGE = " |;·•–—"
_IS_BULLET = re.compile(rf"^{_BULLET}")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")  # "1. Research Assistant ..." (kept in a title, not a name)
_HOURS = re.compile(
    r"^(?:total\s+)?(\d[\d,]*(?:\.\d+)?)\s*(?:hours?|hrs?|h)?(?:\s+total|\s+in\s+total)?$", re.IGNORECASE
)
_DURATION = re.compile(  # "8 weeks", "about 18 months": how long, not when
    r"^(?:about\s+|approx\.?\s+|~)?\d+(?:\.\d+)?\s*(?:weeks?|wks?|months?|mos?|years?|yrs?|days?)$", re.IGNORECASE
)
_WEEKLY = re.compile(r"^\d+(?:\.\d+)?\s*(?:hours?|hrs?|h)\s*(?:/|per|a|each)\s*(?:week|wk)$", re.IGNORECASE)
# Separators of a dated line's parts; a comma only separates around the date itself.
_SEP = re.compile(r"\s*(?:\||;|·|•|\t|\s[-–—]\s|[–—]|\(|\)|\[|\])\s*")
# A full stop between the names of a dated line ("Centro de Salud Rural, Chiapas. Pasante physician. 08/2020 -
# 07/2021"), not one that ends an abbreviation or an initial ("No. 28", "Dr. R. Garza", "St. Luke's").
_STOP_SEP = re.compile(r"(?<!\b[A-Z])(?<!\bNo)(?<!\bDr)(?<!\bSt)(?<!\bMt)(?<!\bFt)(?<!\bDept)(?<!\bUniv)(?<!\bProf)"
                       r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)"
                       r"(?<=[A-Za-z0-9)\]])\.\s+(?=[A-Z(])")
_EDGE = " \t|;,·•-–—:()[]"
_PROSE_END = re.compile(
    # (not a numeral that ends a name: "Rural Health Unit I", "Phase I")
    r"\b(?:from|in|at|to|of|the|a|an|and|or|during|since|between|for|with|on|by|until|through|my|our|was|were"
    r"|(?<!Unit\s)(?<!Phase\s)(?<!Ward\s)(?<!Level\s)(?<!Grade\s)(?<!Part\s)(?<!Step\s)(?<!Stage\s)(?<!Block\s)"
    r"(?<!Zone\s)(?<!District\s)(?<!Team\s)(?<!Division\s)(?<!Sector\s)(?-i:I))$",
    re.IGNORECASE,
)
# Case-sensitive: "US" is a country, and "Phase I trial" a name.
_FIRST_PERSON = re.compile(r"\b(?:[Mm]y|me|[Ww]e|[Oo]ur|us)\b|(?<!Phase )(?<!Step )(?<!Part )\bI\s+[a-z]")
# When in the week or year an entry ran, written beside its dates ("Saturdays, Aug 2022 – Dec 2022").
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?|weekends?|weekdays?|evenings?|nights?|summers?|winters?"
_SCHEDULE = re.compile(rf"(?:(?:every\s+|on\s+)?(?:{_DAY}|weekly|monthly|part[- ]time|full[- ]time)"
                       rf"(?:\s*(?:and|&|/|,)\s*(?:{_DAY}))*\s*[,;:]?)?", re.IGNORECASE)
_ATX = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


@dataclass(frozen=True)
class Header:
    """What one details line says; ``labelled``: a label line (``Organization: ...``)."""

    organization: str | None = None
    role: str | None = None
    title: str | None = None
    dates: DateRange | None = None
    hours: float | None = None
    names: tuple[str, ...] = ()
    labelled: bool = False
    description: str | None = None  # the text after a Description: label
    start_only: DateRange | None = None  # a Start Date: label (its End Date may be on the next line)
    end_only: DateRange | None = None
    end_ongoing: bool = False  # End Date: Present

    @property
    def strong(self) -> bool:
        """A header line on its own: dated, labelled or with hours (not just two names between pipes)."""
        return self.dates is not None or self.labelled or self.hours is not None

    @property
    def starts_entry(self) -> bool:
        """Can open an entry without a title line above it: dated, or naming the entry's title."""
        dated = self.dates is not None or self.start_only is not None
        return self.description is None and (dated or self.title is not None)

    def entry_fields(self) -> dict[str, Any]:
        """The :class:`~reviewer.document.Entry` fields this line sets."""
        out: dict[str, Any] = {}
        if self.organization:
            out["organization"] = self.organization
        if self.role:
            out["role"] = self.role
        if self.dates is not None:
            out["start_month"], out["end_month"] = self.dates.start, self.dates.end
        elif self.start_only is not None:
            out["start_month"] = self.start_only.start
        if self.end_only is not None or self.end_ongoing:
            out["end_month"] = self.end_only.end if self.end_only is not None else None
        if self.hours is not None:
            out["hours"] = self.hours
        return out

    def fallback_title(self) -> str:
        """A title for an entry this line opens: its title label, else its names."""
        return self.title or " — ".join(self.names) or self.role or self.organization or "Experience"


def title_like(line: str) -> bool:
    """A short line with letters, not ending in sentence punctuation: could be an entry title. A comment
    (``<!-- … -->``) is a note in the text, never a title."""
    bare = line.rstrip(")]\"'’”»")  # "(… the experiences are entirely my own.)" ends a sentence
    return (
        len(line) <= TITLE_MAX
        and not bare.endswith((".", "!", "?", ",", ";", ":"))
        and any(c.isalpha() for c in line)
        and not line.lstrip().startswith("<!--")
        and not (line.lstrip().startswith(("(", "[")) and line.rstrip().endswith((")", "]")))  # a note aside
    )


def _hours(part: str) -> float | None:
    m = _HOURS.match(part.strip())
    if not m or not re.search(r"[a-z]", part, re.IGNORECASE):
        return None  # a bare number is not hours
    return float(m.group(1).replace(",", ""))


_ONGOING_CELL = re.compile(r"\s*(?:present|current|ongoing|now|today)\s*", re.I)


def _to_column(dates: DateRange, part: str) -> DateRange | None:
    """``dates`` (one month read from a From column) carried to the date or "present" of a To column."""
    if dates.end != dates.start:
        return None
    if _ONGOING_CELL.fullmatch(part):
        return DateRange(dates.start, None, dates.span)
    cell = part.strip(" .,")
    end = find_date(cell)
    if end is None or end.span != (0, len(cell)):
        return None
    return DateRange(dates.start, end.end, dates.span) if end.end and end.end >= dates.start else None


def _pipe_header(line: str) -> Header | None:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 2 or len(parts) > 6 or any(len(p) > PART_MAX for p in parts):
        return None
    dates: DateRange | None = None
    hours: float | None = None
    names: list[str] = []
    labelled: dict[str, Any] = {}
    for part in parts:
        found = find_date(part) if dates is None else None
        if dates is not None and (until := _to_column(dates, part)) is not None:
            dates = until  # a table's From and To columns: "| 01 Mar 2020 | 28 Feb 2021 |"
            continue
        if _LABEL_START.match(part):  # "Duration: 8 weeks", "Dates: 2021 - 2022"
            head = _label_header(part)
            if head is None or head.description is not None:
                return None
            labelled.update({k: v for k, v in vars(head).items() if v not in (None, False, ())})
        elif found and _SCHEDULE.fullmatch(part.replace(part[found.span[0] : found.span[1]], "").strip(_EDGE)):
            dates = found  # "Aug 2022 – Dec 2022", or with when in the week: "Saturdays, Aug 2022 – Dec 2022"
        elif hours is None and (h := _hours(part)) is not None:
            hours = h
        elif _WEEKLY.match(part) or _DURATION.match(part):
            continue
        elif part:
            names.append(part)
    if len(names) > (3 if dates or labelled else 2) or (
        dates is None and hours is None and not labelled and len(names) < 2
    ):
        return None
    return Header(
        organization=labelled.get("organization") or (names[0] if names else None),
        role=labelled.get("role") or (names[1] if len(names) > 1 else None),
        title=labelled.get("title"),
        dates=dates or labelled.get("dates"),
        hours=hours if hours is not None else labelled.get("hours"),
        names=tuple(names),
        labelled=bool(labelled),
        start_only=labelled.get("start_only"),
        end_only=labelled.get("end_only"),
        end_ongoing=bool(labelled.get("end_ongoing")),
    )


def _qualifier(part: str) -> bool:
    """A few lower-case words after a name ("Private tutor – anatomy and physiology. Weekends, 2020 – 2023",
    "Volunteer Translator — remote, from home (01/2021 – 09/2021)"): what, where or how, not a sentence."""
    return (len(part.split()) <= 5 and part[:1].islower() and not _FIRST_PERSON.search(part)
            and not _PROSE_END.search(part) and re.search(r"[.!?;]", part) is None)


def _name_like(part: str) -> bool:
    words = part.split()
    return (
        0 < len(part) <= NAME_MAX
        and len(words) <= NAME_WORDS
        and (part[0].isupper() or part[0].isdigit() or any(c.isupper() for c in words[0]))
        and not _PROSE_END.search(part)
        and not _STOP_SEP.search(part) and not re.search(r"[!?]\s+[A-Z]", part)  # two sentences (not "Dr. R. Garza")
        and not _FIRST_PERSON.search(part)
    )


def _names(part: str) -> bool:
    """Names in a row, each name-like ("Resident Physician, Standardized Residency Training Program in General
    Practice, West China Hospital of Sichuan University, Chengdu"): one part however many words they run to."""
    pieces = [x.strip() for x in part.split(",")]
    return (len(pieces) > 1 and len(part) <= DETAILS_MAX and _name_like(pieces[0])
            and all(_name_like(x) or _qualifier(x) for x in pieces[1:]))  # "…Observership, community health center"


_SESSION_WORD = re.compile(r"^\s+(?:session|academic\s+year|school\s+year)\b", re.IGNORECASE)
_COLUMN_GAP = re.compile(r"^(?:\t|\s{2,})\S")
_COLUMNS = re.compile(r"(?<=\S)(?:\t|\s{2,})(?=\S)")


def _dated_header(line: str) -> Header | None:
    if len(line) > DETAILS_MAX or _IS_BULLET.match(line) or line.rstrip().endswith(("!", "?", ";", ":", ",")):
        return None
    dates = find_date(line)
    if dates is None:
        return None
    s, e = dates.span
    number = _NUMBERED.match(line)
    before, after = line[number.end() if number else 0 : s], _SESSION_WORD.sub("", line[e:])  # "2018/2019 session"
    if before.strip() and re.match(r"(?:from|between)\b", line[s:e], re.IGNORECASE):
        return None  # "... at Mount Sinai from March 2022 to ...": prose
    # The date stands as a part of its own: at the end of the line, or before a separator (a comma after it
    # means the sentence goes on), and after a separator or a space.
    if before.strip() and not before.rstrip().endswith(tuple(_EDGE.strip())) and not before.endswith(" "):
        return None
    rest = after.strip(" .")
    # a column gap after the date is a separator too, as a CV sets its dates first ("08/2023 - 11/2023    Psychiatry
    # Observership - Nassau University Medical Center")
    if rest and not rest.startswith(("|", "·", "•", "–", "—", "(", ")", "]", "- ")) and not _COLUMN_GAP.match(after):
        return None
    names: list[str] = []
    for side in (before, after):
        for part in _SEP.split(_STOP_SEP.sub(" | ", side).strip(_EDGE + " ")):
            # a full stop that ends a name ("…, Ain Shams University, Cairo. January 2022 to June 2023.") is no part
            part = part.strip(_EDGE + " *").removesuffix(".").strip()  # "**Translator (gap year)**": no bold marks
            if not part or _hours(part) is not None or _WEEKLY.match(part):
                continue
            if names and f"({part})" in side and len(part) <= 30 and len(part.split()) <= 3:
                names[-1] = f"{names[-1]} ({part})"  # "Junior Resident (non-academic)": a qualifier of the name
                continue
            if not (_name_like(part) or (names and _qualifier(part)) or _names(part)):
                return None
            names.append(part)
    if len(names) > 4:
        return None
    return Header(
        organization=names[0] if names else None,
        role=names[1] if len(names) > 1 else None,
        dates=dates,
        names=tuple(names),
    )


def _label_values(line: str) -> list[tuple[str | None, str]] | None:
    """``(field, value)`` of each label on a label line, in order; None when the line has none.

    Several labels may share one colon, their values split the same way: ``Org / Role / Dates: Mayo
    Clinic / Observer / Jan 2022 - Dec 2023``.
    """
    first = _LABEL_START.match(line)
    if not first or not first.group("label")[0].isupper():
        return None  # a wrapped line of prose may start "program: I reviewed ..."
    if _key(first.group("label")) not in LABELS:  # "Org / Role / Dates:"
        return _composite_values(first.group("label"), line[first.end() :])
    found: list[tuple[str | None, str]] = []
    label, pos = first.group("label"), first.end()
    while True:
        key = _field_of(label)
        if key == "description":  # the rest of the line is the description
            found.append((key, line[pos:].strip()))
            return found
        nxt = _LABEL_NEXT.search(line, pos)
        found.append((key, line[pos : nxt.start() if nxt else len(line)].strip(_VALUE_EDGE)))
        if not nxt:
            return found
        label, pos = nxt.group("label"), nxt.end()


def _key(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def _field_of(label: str) -> str | None:
    return LABELS.get(_key(label))


def _composite_values(labels: str, rest: str) -> list[tuple[str | None, str]] | None:
    keys = [_field_of(x.strip()) for x in labels.split("/")]
    if keys[0] is not None and set(keys) == {keys[0]}:  # one field named twice: "Position/Role: Extern"
        return [(keys[0], rest.strip(_VALUE_EDGE))]
    for sep in (r"\s+/\s+", r"\s*/\s*"):
        values = re.split(sep, rest.strip())
        if len(values) == len(keys):
            return [(k, v.strip(_VALUE_EDGE)) for k, v in zip(keys, values, strict=True)]
    return None


_ONGOING_WORD = re.compile(r"^(?:present|current(?:ly)?|ongoing|now|today)$", re.IGNORECASE)


def _label_dates(values: dict[str, str]) -> tuple[DateRange | None, DateRange | None, DateRange | None, bool]:
    """``(dates, start, end, ongoing)`` of label values: a range, or start and end read apart."""
    if values.get("dates"):
        return find_date(values["dates"]), None, None, False
    start = find_date(values["start"]) if values.get("start") else None
    end_text = values.get("end") or ""
    ongoing = bool(_ONGOING_WORD.match(end_text))
    end = find_date(end_text) if end_text and not ongoing else None
    return None, start, end, ongoing


def _joined(start: DateRange, end: DateRange | None) -> DateRange | None:
    """A start and an end read apart as one range (an end of None: ongoing, or not given)."""
    if end is None:
        return DateRange(start.start, None, start.span)
    last = end.end or end.start
    return DateRange(start.start, last, start.span) if last >= start.start else None


def _label_header(line: str) -> Header | None:
    found = _label_values(line)
    if found is None:
        return None
    values: dict[str, str] = {}
    for key, value in found:
        if key != "description" and (len(value) > PART_MAX or _FIRST_PERSON.search(value)):
            return None  # "Role: I led ..." is prose that starts with a word and a colon
        if key:
            values[key] = value
    hours = values.get("hours", "")
    dates, start, end, ongoing = _label_dates(values)
    if start is not None and (end is not None or ongoing or "end" in values):
        dates, start, end, ongoing = _joined(start, end), None, None, False
    return Header(
        organization=values.get("organization") or None,
        role=values.get("role") or None,
        title=values.get("title") or None,
        dates=dates,
        start_only=start,
        end_only=end,
        end_ongoing=ongoing,
        hours=_hours(hours) or (float(hours) if re.fullmatch(r"\d+(?:\.\d+)?", hours) else None),
        labelled=True,
        description=values.get("description"),
    )


@functools.lru_cache(maxsize=4096)
def read_header(line: str) -> Header | None:
    """What a details line says (module docstring), or None for a line that is not one."""
    line = line.strip()
    if not line or (len(line) > 2 * PART_MAX and not _LABEL_START.match(line)):
        return None
    if labelled := _label_header(line):
        return labelled
    if _IS_BULLET.match(line):
        return None
    if "|" in line and (piped := _pipe_header(line)):
        return piped
    return _dated_header(line)


# --- header runs: the lines (or paragraphs) that open an entry -----------------------------------------

NAME_LINES = 2  # short lines between a title and its details line (organization, role on lines of their own)


@dataclass(frozen=True)
class HeaderRun:
    """Header lines from ``texts[start]``: an optional title, name lines, then details lines."""

    start: int
    title: str | None
    names: tuple[str, ...]
    heads: tuple[Header, ...]
    under: str | None = None  # a name line under the details line (a CV's organization, under its dates line)

    @property
    def length(self) -> int:
        return (self.title is not None) + len(self.names) + len(self.heads) + (self.under is not None)

    def entry_fields(self) -> dict[str, Any]:
        """Entry fields of the run; name lines (then details lines) give organization and role."""
        out: dict[str, Any] = {}
        for h in self.heads:
            out.update({k: v for k, v in h.entry_fields().items() if k not in out})
        start = next((h.start_only for h in self.heads if h.start_only is not None), None)
        if start is not None:  # Start Date and End Date on lines of their own
            end = next((h.end_only for h in self.heads if h.end_only is not None), None)
            joined = _joined(start, end)
            out["start_month"] = joined.start if joined else None
            out["end_month"] = joined.end if joined else None
        names = [*self.names, *(n for h in self.heads for n in h.names), *filter(None, [self.under])]
        if names and "organization" not in out:
            out["organization"] = names[0]
        if len(names) > 1 and "role" not in out:
            out["role"] = names[1]
        return out

    def entry_title(self) -> str:
        if self.title is not None:
            return self.title
        if any(h.labelled for h in self.heads):  # labels: Title:, else Position:, else Organization:
            for attr in ("title", "role", "organization"):
                if value := next((getattr(h, attr) for h in self.heads if getattr(h, attr)), None):
                    return str(value)
        return self.names[0] if self.names else self.heads[0].fallback_title()


def _could_be_title(text: str) -> bool:
    return (
        title_like(text)
        and not _IS_BULLET.match(text)
        and not _LABEL_START.match(text)
        and read_header(text) is None
    )


def _fits(heads: Sequence[Header], head: Header) -> bool:
    """One more details line of the same entry: it sets nothing the lines before already set."""
    if head.description is not None:
        return False
    taken = {k for h in heads for k in h.entry_fields()} | {"title" for h in heads if h.title}
    mine = set(head.entry_fields()) | ({"title"} if head.title else set())
    return not taken & mine


def header_run(
    texts: Sequence[str],
    i: int,
    *,
    titled: bool = False,
    strict: bool = False,
    stop: int | None = None,
) -> HeaderRun | None:
    """The entry header starting at ``texts[i]``, or None.

    ``titled``: a heading right above supplies the title, so the run starts with name or details lines.
    ``strict``: the run would interrupt a description, so its details must be strong (dated, labelled or
    with hours); otherwise a title may sit above a plain ``Organization | Role`` line. The run ends before
    ``texts[stop]`` (the next heading).
    """
    n = len(texts) if stop is None else min(stop, len(texts))
    j = i
    title: str | None = None
    if not titled and j < n and _could_be_title(texts[j]):
        title, j = texts[j], j + 1
    names: list[str] = []
    while (
        len(names) < NAME_LINES
        and j + 1 < n
        and (title is not None or titled)
        and _could_be_title(texts[j])
        and _name_like(texts[j])
    ):
        names.append(texts[j])
        j += 1
    heads: list[Header] = []
    while j < n and (head := read_header(texts[j])) is not None and _fits(heads, head):
        heads.append(head)
        j += 1
    if not heads or ((strict or names) and not any(h.strong for h in heads)):
        return None
    if title is None and not titled and not any(h.starts_entry for h in heads):
        return None
    # a CV sets its dates first and puts the organization on the line under them ("2023/10 – 2024/02   Clinical
    # Observer, Family Medicine" / "Lawndale Christian Health Center, Chicago, IL" / the description)
    under = None
    first = heads[0].dates
    if (title is None and not names and len(heads) == 1 and first is not None and first.span[0] == 0
            and j + 1 < n and _could_be_title(texts[j]) and (_name_like(texts[j]) or _names(texts[j]))):
        under = texts[j]
    return HeaderRun(i, title, tuple(names), tuple(heads), under)


# --- a table pasted as text: a row of column names, then one row per entry ----------------------------------

# Column names that hold an entry's title, besides the labels of :data:`LABELS` ("Experience | Organization | …"),
# and names of columns that only number the rows ("# | Position | Organization | Dates").
TITLE_COLUMNS = frozenset({"experience", "experiences", "experience name", "activity name", "name", "entry"})
NUMBER_COLUMNS = frozenset({"#", "no", "no.", "nr", "s.no", "s. no.", "sr", "sr.", "number"})
_RULE_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")  # "---|---|---", "|:--|--|"
_DETAILS_ORDER = {"organization": 0, "role": 1}  # a details line names the organization, then the role
_NAMING = ("title", "role", "organization")  # the column that names a row's entry, in order of preference


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [c.strip().strip("*").strip() for c in body.split("|")]


def _column(name: str) -> str | None:
    """The entry field a column holds ("Experience / Organization": the first part's), "" for an unknown name."""
    parts = [_key(x.strip(" *_:")) for x in name.split("/")]
    if len(parts) == 1 and parts[0] in NUMBER_COLUMNS:
        return None
    if parts[0] not in LABELS and parts[0] not in TITLE_COLUMNS:
        return ""  # ("Organization / Place": the organization's, whatever the second name)
    return "title" if parts[0] in TITLE_COLUMNS else LABELS[parts[0]]


def table_columns(line: str) -> tuple[str | None, ...] | None:
    """The fields of a table's header row ("Experience | Organization | Role | Dates | Description"): three or more
    known column names, one naming the entry, one its dates (or its description); else None."""
    if "|" not in line:
        return None
    fields = tuple(_column(c) for c in _cells(line))
    if (len(fields) < 3 or "" in fields or fields.count("description") > 1 or not set(_NAMING) & set(fields)
            or not {"description", "dates", "start"} & set(fields)):
        return None
    return fields


# a cell left empty on purpose: "-", "—", "n/a", "none"
_EMPTY_CELL = re.compile(r"[-–—]+|n/?a|none|nil", re.IGNORECASE)


def table_row(line: str, columns: Sequence[str | None]) -> list[RawBlock] | None:
    """One entry from a row of a table with ``columns``: its name as a heading, the other cells as one details line
    (organization and role first), then the description if the table has one; None for a line that is not a row."""
    cells = _cells(line)
    at = columns.index("description") if "description" in columns else None
    if len(cells) > len(columns) and at == len(columns) - 1:  # the description's own "|"s
        cells = [*cells[:at], " | ".join(cells[at:])]
    if len(cells) != len(columns):
        return None
    cells = ["" if _EMPTY_CELL.fullmatch(c) else c for c in cells]
    fields: dict[str | None, str] = {}  # a row's cells by field (the first of two with one field)
    for f, c in zip(columns, cells, strict=True):
        fields.setdefault(f, c)
    title = next((fields[f] for f in _NAMING if fields.get(f)), None)
    details = [(c, f) for c, f in zip(cells, columns, strict=True)
               if c and f not in ("description", None) and c != title and not (f == "hours" and _hours(c) is None)]
    details.sort(key=lambda cf: _DETAILS_ORDER.get(cf[1] or "", 2))
    out = [RawBlock(normalise_block_text(title), heading=True)] if title else []
    out += [RawBlock(normalise_block_text(" | ".join(c for c, _ in details)))] if details else []
    return out + ([RawBlock(normalise_block_text(cells[at]))] if at is not None and cells[at] else [])


def table_blocks(
    lines: Sequence[str], columns: tuple[str | None, ...] | None
) -> tuple[list[RawBlock] | None, tuple[str | None, ...] | None]:
    """Blocks of a paragraph of a pasted table, and the columns that hold on into the next paragraph (rows may stand
    between blank lines); ``(None, None)`` for a paragraph that is not one. The header row stays a block of its own
    (before the first entry); a rule row ("---|---") is dropped; a line that is not a row goes on the description
    of the row above it (a wrapped cell)."""
    if not lines:
        return None, None
    if (found := table_columns(lines[0])) is not None:
        columns, rows, out = found, lines[1:], [RawBlock(normalise_block_text(" | ".join(_cells(lines[0]))))]
    elif columns is not None and table_row(lines[0], columns) is not None:
        rows, out = lines, []
    else:
        return None, None
    read = False
    for line in rows:
        if _RULE_ROW.match(line.strip()):
            continue
        if (row := table_row(line, columns)) is not None:
            out.extend(row)
            read = True
        elif read:
            out[-1] = RawBlock(normalise_block_text(f"{out[-1].text} {line.strip()}"))
    return out, columns


# --- lines of one pasted paragraph -----------------------------------------------------------------------

Join = Callable[[list[str]], list[RawBlock]]


def _description_split(line: str) -> tuple[str, str] | None:
    """``(header part, description)`` of a line with a ``Description:`` label, else None."""
    head = read_header(line)
    if head is None or head.description is None:
        return None
    m = re.search(rf"(?:^{_BULLET}?|\s*[|;]\s*|\s+)(?:{_LABEL_ALT})\s*:\s*{re.escape(head.description)}$", line, re.I)
    return (line[: m.start()].strip() if m else ""), head.description


_BOLD = re.compile(r"\*\*|__")
_BOLD_LINE = re.compile(r"\*\*[^*\n]{3,150}\*\*|__[^_\n]{3,150}__")  # a line bold from end to end
DESCRIBED_WORDS = 4  # words of description that make a dated list item a whole entry
_SENTENCE_CUT = re.compile(r"\.\s+|(?<=\))\s*:\s+|\.?$")  # "… Manila (Jul 2018 - Jun 2019): Rotated in …"


_NOTE_WORDS = frozenset({"note", "nb", "n.b.", "ps", "p.s.", "update", "disclaimer", "comment"})


def _titled(head: str) -> bool:
    """A kind, a colon and a name in capitals ("Case Report: Kawasaki Disease with Giant Coronary Aneurysm in a
    Preschool Boy"); not a note ("Note: Jan–Jul 2018 has no entry")."""
    parts = head.split(": ")
    if len(parts) != 2 or len(parts[0].split()) > 3 or parts[0].strip().lower() in _NOTE_WORDS:
        return False
    words = parts[1].split()
    return all(_name_like(x) for x in parts) and 2 * sum(w[:1].isupper() for w in words) > len(words)


def named_lead(line: str) -> tuple[str, str] | None:
    """``(names, description)`` of a paragraph that opens on its entry's names, one full stop ending them ("Junior
    Resident, Department of General Surgery, Government Medical College, Thiruvananthapuram. I assisted in…"): a
    first sentence of names in a row, each name-like, before a description of a few words or more; else None."""
    cut = _STOP_SEP.search(line)
    if cut is None:
        return None
    head, rest = line[: cut.start()].strip(), line[cut.end() :].strip()
    words = head.split()
    named = sum(w[:1].isupper() or w[:1].isdigit() or w[:1] == "(" for w in words)  # names are mostly capitalised
    if ((_names(head) or _titled(head)) and 2 * named >= len(words) and len(rest.split()) >= DESCRIBED_WORDS
            and not _IS_BULLET.match(line)):
        return head, rest
    return None


def closing_dates(description: str) -> DateRange | None:
    """The dates that close a description, when an entry's header gives none: in brackets ("… follow-up visits.
    (07/2023 - 09/2023)", "(Dates: 02/2022 – 01/2023)") or as the last sentence ("… usually 10-12 persons came.
    03/2022 - 11/2022"); a date inside a sentence ("… since 2019.") is no entry's dates."""
    text = description.rstrip(" .")
    if text.endswith((")", "]")):
        at = max(text.rfind("("), text.rfind("["))
        return dates_aside(text[at:]) if at >= 0 else None
    at = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return dates_alone(text[at + 2 :]) if at >= 0 else None


def names_line(line: str) -> bool:
    """A line of names alone, under an entry's title ("Lakeview Community Hospital, Cleveland, OH – Observer")."""
    return _could_be_title(line) and _names(line)


def _describes(line: str) -> bool:
    """A line that opens a description: a sentence longer than any line of names."""
    return line[:1].isupper() and len(line.split()) > NAME_WORDS


_ASIDE_DATES = re.compile(r"[(\[]\s*(?:dates?\s*:\s*)?(?P<d>[^()\[\]]{4,60}?)\s*[)\]]\.?", re.IGNORECASE)


def dates_alone(text: str) -> DateRange | None:
    """The dates of ``text`` when it is nothing but dates ("September 2022 – March 2023"), else None."""
    found = find_date(text) if text else None
    return found if found is not None and found.span == (0, len(text)) else None


def dates_aside(text: str) -> DateRange | None:
    """The dates of a paragraph that is only dates in brackets ("(July 2019 – June 2020)"), else None."""
    m = _ASIDE_DATES.fullmatch(text.strip())
    return dates_alone(m.group("d")) if m else None


def numbered_title(line: str, below: str) -> bool:
    """Whether ``line`` is a numbered item naming its entry, with no dates ("1. Psychiatry Observership - BronxCare
    Health System, Bronx, NY (Observer)"), above ``below``, the first line of its description: a new sentence of a
    few words (the dates may close the description: "… (07/2023 - 09/2023)"). A wrapped item ("1. Reduced the wait
    for a bed" / "by 40 minutes …") goes on in lower case and is no title."""
    number = _NUMBERED.match(line)
    if number is None or not _could_be_title(line) or _IS_BULLET.match(below) or _NUMBERED.match(below):
        return False
    parts = [x.strip(_EDGE + " *") for x in _SEP.split(line[number.end() :])]
    parts = [x for x in parts if x]
    return (bool(parts) and (_name_like(parts[0]) or _names(parts[0]))
            and all(_name_like(x) or _names(x) or _qualifier(x) for x in parts[1:])
            and below[:1].isupper() and len(below.split()) >= DESCRIBED_WORDS)


def bullet_entry(line: str, described: bool = False) -> tuple[str, str] | None:
    """``(header, description)`` of a list item that is a whole entry: its first sentence a dated line, the rest
    the description ("- **Intern, Psychiatry** — Kharkiv Regional Hospital — 08/2019 to 06/2021. Managed 10-12
    inpatients …"); None for any other line (a dated item with no description, "- Poster, ACP Chapter
    Meeting, Oct 2022", is a line of a list, not an entry, unless ``described``: its description is on the
    lines that follow)."""
    bullet = _IS_BULLET.match(line)
    if bullet is None:
        return None
    body = _BOLD.sub("", line[bullet.end() :]).strip()
    for cut in list(_SENTENCE_CUT.finditer(body))[:4]:  # "St. Maarten", "Dr. Rao": try the first few full stops
        head = body[: cut.start()].strip()
        found = _dated_header(head) if head else None
        rest = body[cut.end() :].strip()
        dated_to_end = found is not None and found.dates is not None \
            and found.dates.span[1] in (len(head), len(head.rstrip(")]")))  # "… Manila (Jul 2018 - Jun 2019)"
        if dated_to_end and (described or len(rest.split()) >= DESCRIBED_WORDS):
            return head, rest
    return None


def pasted_blocks(
    lines: Sequence[str], join: Join, *, where: str = "body", lone_title: bool = True
) -> list[RawBlock]:
    """Blocks of one paragraph's lines: header lines (``#`` lines, entry headers at the start of the
    paragraph, or a title with a strong details line inside it) each their own block, titles as headings;
    a ``Description:`` label dropped; the other lines joined by ``join``. With ``lone_title`` a one-line
    paragraph that could be a title is one (plain text, where a title stands between blank lines)."""
    indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]  # "  - …" under an item is its text
    lines = [ln.strip() for ln in lines if ln.strip()]
    if lone_title and len(lines) == 1 and not _ATX.match(lines[0]) and _could_be_title(lines[0]):
        return [RawBlock(normalise_block_text(lines[0]), heading=True, where=where)]
    out: list[RawBlock] = []
    buf: list[str] = []
    at_header = True  # at the start of the paragraph or right after header lines

    def emit(text: str, heading: bool = False) -> None:
        out.extend(join(buf) if buf else [])
        buf.clear()
        out.append(RawBlock(normalise_block_text(text), heading=heading, where=where))

    i = 0
    while i < len(lines):
        line = lines[i]
        if atx := _ATX.match(line):
            emit(atx.group(1), heading=True)
            at_header, i = True, i + 1
            continue
        if i == 0 and len(lines) > 1 and (_BOLD_LINE.fullmatch(_IS_BULLET.sub("", line)) or (
                _BOLD_LINE.match(line) and title_like(line) and read_header(line) is None)):
            # a paragraph that opens on a line bold from end to end ("**Volunteer, Health Education for Left-Behind
            # Children**") opens on its title, whatever its details line says ("summers of 2016 and 2017"); so does
            # one that opens bold and goes on with names and no dates ("**Volunteer Physician** — Lviv Railway
            # Station Medical Point (Ukrainian Red Cross), after the full-scale invasion")
            emit(line, heading=True)
            at_header, i = True, i + 1
            continue
        if at_header and (split := _description_split(line)) is not None:
            if split[0]:
                emit(split[0])
            if split[1]:
                buf.append(split[1])
            at_header, i = False, i + 1
            continue
        after_sentence = bool(buf) and buf[-1].endswith((".", "!", "?"))
        run = header_run(lines, i, strict=not at_header)
        if i == 0 and run is None and len(lines) > 1 and numbered_title(line, lines[1]):
            emit(line, heading=True)  # "1. Psychiatry Observership - BronxCare Health System" / "Over 8 weeks I …"
            at_header, i = False, i + 1
            continue
        if i == 0 and run is None and len(lines) > 2 and _could_be_title(line) and _name_like(line) \
                and names_line(lines[1]) and _describes(lines[2]):
            emit(line, heading=True)  # "Internal Medicine Observership" / "Lakeview Hospital, Cleveland, OH – Observer"
            at_header, i = True, i + 1
            continue
        if (run is None and at_header and i + 1 < len(lines) and (i == 0 or (out and out[-1].heading))
                and names_line(line) and _describes(lines[i + 1])):
            emit(line)  # the names under a title stand apart from the description
            at_header, i = False, i + 1
            continue
        if i == 0 and run is None and (lead := named_lead(line)) is not None:
            emit(lead[0], heading=True)  # "Volunteer, Pain and Palliative Care Society, Kozhikode. Sunday home visits…"
            buf.append(lead[1])
            at_header, i = False, i + 1
            continue
        if run is not None and (at_header or after_sentence):
            if run.title is not None:
                emit(run.title, heading=True)
            for text in lines[i + (run.title is not None) : i + run.length]:
                emit(_COLUMNS.sub(" | ", text))  # a column gap stays a separator once the spaces are collapsed
            at_header, i = True, i + run.length
            continue
        # a list of whole entries, one item each (its description on the item's line or on the lines under it)
        below = (i + 1 < len(lines) and (not _IS_BULLET.match(lines[i + 1]) or indents[i + 1] > indents[i])
                 and read_header(lines[i + 1]) is None)
        if (entry := bullet_entry(line, below)) is not None:
            emit(entry[0], heading=True)
            buf.extend(entry[1:2] if entry[1] else [])
            at_header, i = False, i + 1
            continue
        buf.append(line)
        at_header, i = False, i + 1
    out.extend(join(buf) if buf else [])
    return [b for b in out if b.text]
