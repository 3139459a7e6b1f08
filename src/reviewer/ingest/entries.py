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

In ``.docx``/``.md``/``.txt`` experience files every heading starts an entry; the heading text is the
title. The paragraph right after a heading may be a *details line* of ``|``-separated parts, e.g.
``Mayo Clinic | Research Assistant | 2022-01 to 2022-06 | 120 hours``: a date range (or one start month)
and an hours part are recognised anywhere, the remaining parts are organization then role. A short
paragraph directly above a details line counts as a heading even without a heading style (bold titles
are common). A heading
followed directly by another heading is a section title, not an entry; text before the first heading
is a preamble and belongs to no entry. A file with no headings is one entry titled "Experience" whose
description is the whole text.
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

ONGOING = frozenset({"present", "current", "ongoing", "now", ""})
_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_RANGE = re.compile(
    r"^(?P<s>\d{4}-\d{2}(?:-\d{2})?)\s*(?:to|until|–|—|-)\s*(?P<e>\d{4}-\d{2}(?:-\d{2})?|present|current|ongoing|now)$",
    re.IGNORECASE,
)
_SINGLE_MONTH = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
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
    """Fields from a details line ``Organization | Role | 2022-01 to 2022-06 | 120 hours``, or None."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 2 or len(parts) > 6 or any(len(p) > 150 for p in parts):
        return None
    fields: dict[str, Any] = {}
    names: list[str] = []
    for part in parts:
        rng = _RANGE.match(part)
        hours = _HOURS_TEXT.match(part.replace(",", ""))
        if rng and "start_month" not in fields:
            fields["start_month"] = _month_or_none(rng.group("s"))
            fields["end_month"] = _month_or_none(rng.group("e"))
        elif _SINGLE_MONTH.match(part) and "start_month" not in fields:
            fields["start_month"] = _month_or_none(part)
        elif hours and "hours" not in fields and not part.isdigit():
            fields["hours"] = float(hours.group(1))
        elif part:
            names.append(part)
    if len(names) > 2 or (not fields and len(names) < 2):
        return None
    if "start_month" in fields and fields["start_month"] is None:
        return None
    fields["organization"] = names[0] if names else None
    fields["role"] = names[1] if len(names) > 1 else None
    return fields


def _month_or_none(text: str) -> str | None:
    if text.lower() in ONGOING:
        return None
    m = _DATE.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


TITLE_MAX = 100


def title_like(line: str) -> bool:
    """A short line with letters, not ending in sentence punctuation: could be an entry title."""
    return (
        len(line) <= TITLE_MAX
        and not line.endswith((".", "!", "?", ",", ";", ":"))
        and any(c.isalpha() for c in line)
    )


def mark_titles(blocks: Sequence[RawBlock]) -> list[RawBlock]:
    """Blocks with title-like paragraphs directly above a details line marked as headings.

    Many applicants bold their entry titles instead of using heading styles; a details line under a
    short title is a clear enough sign of an entry.
    """
    out = list(blocks)
    for i, b in enumerate(out[:-1]):
        nxt = out[i + 1].text
        if not b.heading and title_like(b.text) and "|" in nxt and parse_details(nxt) is not None:
            out[i] = RawBlock(text=b.text, heading=True, where=b.where, locator=b.locator)
    return out


def split_entries(blocks: Sequence[RawBlock]) -> tuple[list[RawBlock], list[dict[str, Any]]]:
    """:func:`mark_titles` then :func:`entries_from_blocks`: the blocks and entries of an experience file."""
    marked = mark_titles(blocks)
    return marked, entries_from_blocks(marked)


def entries_from_blocks(blocks: Sequence[RawBlock]) -> list[dict[str, Any]]:
    """Entry dicts for :func:`reviewer.segment.build_document` from non-empty blocks with headings marked.

    ``block``/``block_end`` index ``blocks``; an entry without description points past the end (an
    empty span at the end of the text).
    """
    if not blocks:
        return []
    heads = [i for i, b in enumerate(blocks) if b.heading]
    if not heads:
        return [{"title": "Experience", "block": 0, "block_end": len(blocks) - 1}]
    entries: list[dict[str, Any]] = []
    for n, h in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(blocks)
        if stop == h + 1 and n + 1 < len(heads):
            continue  # a section title directly above the next heading
        first = h + 1
        entry: dict[str, Any] = {"title": blocks[h].text}
        if first < stop and (details := parse_details(blocks[first].text)):
            entry.update(details)
            first += 1
        if first < stop:
            entry.update(block=first, block_end=stop - 1)
        else:
            entry.update(block=len(blocks), block_end=len(blocks))
        entries.append(entry)
    return entries
