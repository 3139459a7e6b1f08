"""ERAS experience entries: from structured files (.yaml/.yml/.json/.csv) and from headed prose.

Structured files hold a top-level list of entries, or a mapping whose only key is ``entries``. Each
entry has the fields ``title, organization, role, start, end, hours, description``; ``description`` is
required. Dates are ``YYYY-MM`` (``YYYY-MM-DD`` is accepted and truncated); an ``end`` of ``present``,
``current``, ``ongoing``, ``now`` or empty means ongoing (None). Unknown fields, bad dates or hours
raise an :class:`InputError` naming the file, the entry number (and the YAML/CSV line when known) and
what to fix. YAML is read with ruamel's round-trip loader, which keeps line numbers and constructs no
arbitrary objects (unknown tags become plain values, then fail validation).
Structured entries go through :func:`reviewer.ingest.memory.from_entries`, so offsets are built the same
way as for entries written in tests.

In ``.docx``/``.md``/``.txt`` experience files entries are found in the blocks (paragraphs; the header lines
of a pasted paragraph are split into blocks of their own first, see :mod:`.pasted`). An entry starts at

* a heading (a heading style, a Markdown or ``#`` heading, a short line standing alone between blank lines
  in plain text), followed by its name lines and details lines (organization, role, dates, hours) if any;
* a title line directly above a details line (bold titles are common: ``Internal Medicine Observership``
  then ``Mount Sinai Hospital | Observer | 03/2022 - 08/2023``), possibly with up to two name lines between
  (organization, then role on lines of their own) when the details line is dated, labelled or has hours;
* a dated or title-labelled details line without a title above it, when a description follows it
  (``Mount Sinai Hospital (Mar 2022 - Aug 2023)``); the entry is named by the line;
* a paragraph that opens on its names or in bold (:mod:`.pasted` turns that first sentence or line into a
  heading).

Everything up to the next entry is its description; the header lines are not (ERAS's 750-character limit
is about the description). Dates in brackets standing alone after a description ("(July 2019 – June 2020)") are its
entry's and end it; dates that close the description are its entry's when the header gives none. A section heading
above a run with its own ``Title:`` label leaves the title to the label. A heading followed directly by another
heading or entry header is a section title, not an entry; text before the first entry is a preamble and belongs to
no entry. A file in which no
entry starts is one entry titled "Experience" whose description is the whole text, so a paragraph of prose
is never split: dates or short lines inside prose do not make header lines (:mod:`.pasted` says what
does).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputError
from ..segment import RawBlock
from .memory import ENTRY_FIELDS, MAX_TEXT_CHARS, from_entries, too_much_text
from .pasted import closing_dates, dates_alone, dates_aside, header_run, names_line, read_header

__all__ = ["load_structured", "parse_details", "split_entries"]

ONGOING = frozenset({"present", "current", "ongoing", "now", ""})
_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_HOURS_TEXT = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)?(?:\s+total)?$", re.IGNORECASE)
FIELDS_HINT = "allowed fields: " + ", ".join(ENTRY_FIELDS)
DATE_HINT = "write dates as YYYY-MM, e.g. 2022-01 (end may be 'present')"


class _Where:
    """How to name one entry in an error: ``entry 3 (line 12)``."""

    def __init__(self, path: Path, number: int, line: int | None = None) -> None:
        self.path, self.number, self.line = path, number, line

    def fail(self, problem: str, hint: str) -> InputError:
        at = f"entry {self.number}" + (f" (line {self.line})" if self.line else "")
        return InputError(f"{at}: {problem}", path=self.path, hint=hint)


def to_month(value: Any, field: str, where: _Where) -> str | None:
    """Normalise a date value to ``YYYY-MM``; ``end`` may be ongoing (None)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.fail(f"{field} must be a date", DATE_HINT)
    text = str(value).strip()
    if text.lower() in ONGOING:
        if field == "end":
            return None
        if not text:
            return None
        raise where.fail(f"start cannot be '{text}'", DATE_HINT)
    m = _DATE.match(text)
    if not m:
        raise where.fail(f"{field} '{text}' is not a date", DATE_HINT)
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        dt.date(year, month, int(day) if day else 1)
    except ValueError as err:
        raise where.fail(f"{field} '{text}' is not a real date", DATE_HINT) from err
    return f"{year:04d}-{month:02d}"


def to_hours(value: Any, where: _Where) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise where.fail("hours must be a number", "write hours as a number, e.g. 120")
    if isinstance(value, int | float):
        hours = float(value)
    elif isinstance(value, str) and (m := _HOURS_TEXT.match(value.strip().replace(",", ""))):
        hours = float(m.group(1))
    else:
        raise where.fail(f"hours '{value}' is not a number", "write hours as a number, e.g. 120")
    if hours < 0:
        raise where.fail("hours cannot be negative", "write hours as a number, e.g. 120")
    return hours


def _text_field(value: Any, field: str, where: _Where) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.fail(f"{field} must be text", f"write {field} as plain text")
    text = str(value).strip()
    return text or None


def validate_record(raw: Any, where: _Where) -> dict[str, Any]:
    """One entry mapping checked and normalised to the record shape ``from_entries`` takes."""
    if not isinstance(raw, Mapping):
        raise where.fail("is not a mapping of fields", FIELDS_HINT)
    unknown = [str(k) for k in raw if str(k) not in ENTRY_FIELDS]
    if unknown:
        raise where.fail(f"unknown field '{unknown[0]}'", FIELDS_HINT)
    rec: dict[str, Any] = {
        "title": _text_field(raw.get("title"), "title", where),
        "organization": _text_field(raw.get("organization"), "organization", where),
        "role": _text_field(raw.get("role"), "role", where),
        "start": to_month(raw.get("start"), "start", where),
        "end": to_month(raw.get("end"), "end", where),
        "hours": to_hours(raw.get("hours"), where),
        "description": _text_field(raw.get("description"), "description", where),
    }
    if not rec["description"]:
        raise where.fail("has no description", "add the entry's description text")
    if rec["start"] and rec["end"] and rec["end"] < rec["start"]:
        raise where.fail(
            f"ends ({rec['end']}) before it starts ({rec['start']})", "check the start and end dates"
        )
    return rec


def _entry_list(data: Any, path: Path) -> Sequence[Any]:
    if isinstance(data, Mapping):
        extra = [str(k) for k in data if k != "entries"]
        if extra:
            raise InputError(
                f"unknown top-level key '{extra[0]}'",
                path=path,
                hint="put the entries in a list under 'entries:' (or make the file a list)",
            )
        data = data.get("entries")
    if not isinstance(data, list):
        raise InputError(
            "entries must be a list",
            path=path,
            hint="make the file a list of entries, or a mapping with an 'entries' list",
        )
    if not data:
        raise InputError("no entries", path=path, hint="add at least one entry with a description")
    # YAML aliases can repeat one long text many times by reference: measure before copying anything.
    chars = sum(len(v) for e in data if isinstance(e, Mapping) for v in e.values() if isinstance(v, str))
    if chars > MAX_TEXT_CHARS:
        raise too_much_text(path, chars)
    return data


def _too_deep(path: Path, language: str) -> InputError:
    return InputError(
        f"invalid {language}: nested too deeply", path=path, hint="make the file a flat list of entries"
    )


MAX_NESTING = 64  # brackets deep: entries need 2 ([{...}]); parsers recurse per level
_BRACKET = re.compile(r"[\[\]{}]")


def _check_nesting(text: str, path: Path, language: str) -> None:
    """Refuse deeply nested flow collections before a recursive parser sees them (fast, approximate:
    brackets inside strings count too, which only matters past :data:`MAX_NESTING`)."""
    depth = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_NESTING:
            raise _too_deep(path, language)


def _yaml_records(text: str, path: Path) -> list[dict[str, Any]]:
    """Valid files (the usual case) are read once with the fast safe loader; a file with any problem is
    read again with the line-keeping loader, so the message can name the entry's line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from ..yamlio import load_safe

    _check_nesting(text, path, "YAML")
    try:
        data = load_safe(text)
        return [validate_record(raw, _Where(path, i)) for i, raw in enumerate(_entry_list(data, path), start=1)]
    except (YAMLError, InputError, RecursionError):
        pass
    try:
        data = YAML(typ="rt", pure=True).load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise InputError(f"invalid YAML{at}: {problem}", path=path, hint="fix the YAML syntax") from err
    except RecursionError as err:
        raise _too_deep(path, "YAML") from err
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(_entry_list(data, path), start=1):
        lc = getattr(raw, "lc", None)
        line: int | None = lc.line + 1 if lc is not None and lc.line is not None else None
        out.append(validate_record(raw, _Where(path, i, line)))
    return out


def _json_records(text: str, path: Path) -> list[dict[str, Any]]:
    _check_nesting(text, path, "JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"invalid JSON at line {err.lineno}: {err.msg}", path=path, hint="fix the JSON syntax"
        ) from err
    except RecursionError as err:
        raise _too_deep(path, "JSON") from err
    return [validate_record(raw, _Where(path, i)) for i, raw in enumerate(_entry_list(data, path), start=1)]


def _csv_records(text: str, path: Path) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in ENTRY_FIELDS]
    if unknown:
        raise InputError(f"unknown column '{unknown[0]}'", path=path, hint=FIELDS_HINT)
    reader.fieldnames = header
    out: list[dict[str, Any]] = []
    try:
        for row in reader:
            if None in row:
                raise _Where(path, len(out) + 1, reader.line_num).fail(
                    "has more cells than the header", "quote cells that contain commas"
                )
            if not any((v or "").strip() for v in row.values()):
                continue
            out.append(validate_record(row, _Where(path, len(out) + 1, reader.line_num)))
    except csv.Error as err:
        raise InputError(
            f"invalid CSV at line {reader.line_num}: {err}", path=path, hint="fix the CSV"
        ) from err
    if not out:
        raise InputError("no entries", path=path, hint="add a header row and at least one entry row")
    return out


def load_structured(path: Path, data: bytes, sha256: str) -> Document:
    """An ``experience`` document from a ``.yaml``/``.yml``/``.json``/``.csv`` file of entries."""
    from .text import decode_text

    text = decode_text(data, path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        records = _yaml_records(text, path)
    elif suffix == ".json":
        records = _json_records(text, path)
    else:
        records = _csv_records(text, path)
    return from_entries(records, path=str(path), sha256=sha256)


def parse_details(line: str) -> dict[str, Any] | None:
    """Entry fields of a details line (``Mayo Clinic | Research Assistant | 2022-01 to 2022-06 | 120 hours``,
    ``Organization: Mayo Clinic``, ``Mayo Clinic (Mar 2022 - Aug 2023)``), or None; see :mod:`.pasted`."""
    head = read_header(line)
    if head is None or head.description is not None:
        return None
    return {"organization": head.organization, "role": head.role, **head.entry_fields()}


def split_entries(blocks: Sequence[RawBlock]) -> tuple[list[RawBlock], list[dict[str, Any]]]:
    """The blocks of an experience file (entry titles marked as headings) and its entries."""
    entries, titles = _group(blocks)
    marked = [
        RawBlock(text=b.text, heading=True, where=b.where, locator=b.locator) if i in titles else b
        for i, b in enumerate(blocks)
    ]
    return marked, entries


def _heading_fields(text: str) -> dict[str, Any]:
    """Dates written into a heading (``Research Assistant (2021 - 2022)``)."""
    head = read_header(text)
    if head is None or head.dates is None or head.description is not None:
        return {}
    return {"start_month": head.dates.start, "end_month": head.dates.end}


def _described(blocks: Sequence[RawBlock], texts: Sequence[str], j: int, stop: int) -> bool:
    """Whether a description block (not a heading or a header line) comes at ``j``."""
    return j < len(blocks) and not blocks[j].heading and header_run(texts, j, stop=stop) is None


def _next_headings(blocks: Sequence[RawBlock]) -> list[int]:
    """For each block, the index of the first heading after it (``len(blocks)`` when none)."""
    out = [len(blocks)] * len(blocks)
    nxt = len(blocks)
    for i in range(len(blocks) - 1, -1, -1):
        out[i] = nxt
        if blocks[i].heading:
            nxt = i
    return out


def _group(blocks: Sequence[RawBlock]) -> tuple[list[dict[str, Any]], set[int]]:
    """Entries (rules in the module docstring) and the indices of title blocks that are not headings yet."""
    texts = [b.text for b in blocks]
    heads = [b.heading for b in blocks]
    stops = _next_headings(blocks)  # a header run never reaches into the next heading
    n = len(blocks)
    entries: list[dict[str, Any]] = []
    titles: set[int] = set()
    current: dict[str, Any] | None = None
    described = False
    i = 0
    while i < n:
        if blocks[i].heading:
            run = header_run(texts, i + 1, titled=True, stop=stops[i])
            if run is None and i + 1 < n and (heads[i + 1] or header_run(texts, i + 1, stop=stops[i])):
                i += 1  # a section title directly above the next entry
                continue
            named = (run is None and i + 2 < n and not heads[i + 1] and not heads[i + 2] and names_line(texts[i + 1])
                     and header_run(texts, i + 2, stop=stops[i]) is None)  # a line of names, then the description
            # a section heading above a run with its own Title: label ("RESEARCH EXPERIENCE" / "Title: Research Fellow")
            title = run.entry_title() if run is not None and any(h.title for h in run.heads) else texts[i]
            current = {"title": title, **_heading_fields(texts[i]), **(run.entry_fields() if run else {}),
                       **({"organization": texts[i + 1]} if named else {})}
            entries.append(current)
            described, i = False, i + 1 + (run.length if run else named)
            continue
        if current is not None and described and ((aside := dates_aside(texts[i])) is not None or (
                (aside := dates_alone(texts[i].strip())) is not None and (i + 1 == n or blocks[i + 1].heading))):
            # "(July 2019 – June 2020)" on its own after a description: the entry's dates, and its end (a note after
            # it is no part of the description); so are dates without brackets before the next title or the end
            if current.get("start_month") is None:
                current["start_month"], current["end_month"] = aside.start, aside.end
            current, i = None, i + 1
            continue
        run = header_run(texts, i, strict=described, stop=stops[i])
        if run is not None and (run.title is not None or _described(blocks, texts, i + run.length, stops[i])):
            if run.title is not None:
                titles.add(i)
            current = {"title": run.entry_title(), **run.entry_fields()}
            entries.append(current)
            described, i = False, i + run.length
            continue
        if current is not None:
            current.setdefault("block", i)
            current["block_end"] = i
            described = True
        i += 1
    if not entries:
        return ([{"title": "Experience", "block": 0, "block_end": n - 1}] if n else []), titles
    for e in entries:
        e.setdefault("block", n)
        e.setdefault("block_end", n)
        if e.get("start_month") is None and e["block_end"] < n and (found := closing_dates(texts[e["block_end"]])):
            e["start_month"], e["end_month"] = found.start, found.end  # "… follow-up visits. (07/2023 - 09/2023)"
    return entries, titles
