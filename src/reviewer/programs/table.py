"""Reading the programs spreadsheet (``.xlsx`` or ``.csv``): every row validated, every problem located.

A problem is one line, ``FILE:ROW: COLUMN: problem``, with ROW the spreadsheet's own row number (the CSV's
line number), so the user can go straight to the cell. A row with an unreadable cell is left out of the plan
(its problems say so) and every other row is still read: one bad row never costs the rest. A file that cannot
be read at all (missing, not a spreadsheet, a required column absent from the header) raises
:class:`~reviewer.errors.InputError`.

Warnings keep their row: an unknown column (ignored), a row whose ``last_checked`` date is over
``max_age_days`` old or missing (program facts change every season).

A workbook is a zip of XML, so before openpyxl sees it the container gets the same sanity checks as a Word
file (size, entry count, declared and real inflated sizes, no DTD or entity declarations).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import InputError
from .columns import BY_KEY, COLUMNS, REQUIRED, CellProblem, ProgramType, ProgramVisa, Tri, Usce, header_key
from .profile import Specialty

SHEET = "Programs"
MAX_BYTES = 50 * 1024 * 1024
STALE_DAYS = 365
SUFFIXES = (".xlsx", ".xlsm", ".csv")


class Program(BaseModel):
    """One validated row of the programs file (field names are the column keys)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: int
    program: str
    city: str = ""
    state: str = ""
    specialty: Specialty
    positions: int | None = None
    program_type: ProgramType
    visa: ProgramVisa
    h1b_needs_step3: Tri = Tri.UNKNOWN
    step1_min: int | str | None = None
    step2ck_min: int | None = None
    max_attempts: int | None = None
    yog_within_years: int | None = None
    usce_required: Usce = Usce.NO
    usce_min_months: float | None = None
    ecfmg_deadline: dt.date | None = None
    accepts_imgs: Tri = Tri.UNKNOWN
    img_share: float | None = None
    visa_track_record: Tri = Tri.UNKNOWN
    languages: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    source_url: str = ""
    last_checked: dt.date | None = None
    notes: str = ""

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.city, self.state) if p)

    @property
    def step3_for_h1b(self) -> bool:
        """Does H-1B here need Step 3 passed? Yes unless the row says no (the guide: 'often with USMLE Step 3
        passed before the start date')."""
        return self.h1b_needs_step3 is not Tri.NO


@dataclass(frozen=True)
class RowProblem:
    """A located problem: ``error`` leaves the row out of the plan, ``warning`` keeps it."""

    file: str
    row: int
    column: str
    problem: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.problem}"


@dataclass(frozen=True)
class ProgramsTable:
    path: str
    programs: tuple[Program, ...]
    problems: tuple[RowProblem, ...] = ()

    @property
    def errors(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def stale(program: Program, as_of: dt.date, max_age_days: int = STALE_DAYS) -> bool:
    """Not checked for over ``max_age_days`` (or never): its facts may have changed."""
    return program.last_checked is None or (as_of - program.last_checked).days > max_age_days


def read_programs(path: Path, *, as_of: dt.date | None = None, max_age_days: int = STALE_DAYS) -> ProgramsTable:
    """Every valid row of the programs file at ``path``, plus the located problems of the others."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"not a programs file: {suffix or 'no suffix'}", path=path,
                         hint="use .xlsx or .csv (`reviewer programs template programs.xlsx` writes one)")
    rows = _xlsx_rows(path) if suffix in (".xlsx", ".xlsm") else _csv_rows(path)
    return parse_rows(str(path), rows, as_of=as_of or dt.date.today(), max_age_days=max_age_days)


def parse_rows(name: str, rows: Iterable[tuple[int, Sequence[Any]]], *, as_of: dt.date,
               max_age_days: int = STALE_DAYS) -> ProgramsTable:
    """Validate ``(row number, cells)`` pairs, the first non-blank one being the header."""
    it = iter(rows)
    header: tuple[int, Sequence[Any]] | None = next(((n, cells) for n, cells in it if _filled(cells)), None)
    if header is None:
        raise InputError("the programs file is empty", path=name, hint="the first row must name the columns")
    header_row, cells = header
    index, problems = _columns(name, header_row, cells)
    programs: list[Program] = []
    for number, values in it:
        if not _filled(values):
            continue
        program, row_problems = _parse_row(name, number, values, index)
        problems.extend(row_problems)
        if program is not None:
            programs.append(program)
            if stale(program, as_of, max_age_days):
                checked = program.last_checked
                problems.append(RowProblem(
                    name, number, "last_checked",
                    f"{checked.isoformat()}, {_age(as_of - checked, max_age_days)}: check the row against its source"
                    if checked
                    else "blank: when was this row last checked against its source?", "warning"))
    return ProgramsTable(name, tuple(programs), tuple(problems))


def _age(age: dt.timedelta, max_age_days: int) -> str:
    """How old a stale row is, against the limit it passed: "over a year ago", "over 90 days ago"."""
    return "over a year ago" if max_age_days == STALE_DAYS else f"{age.days} days ago (limit {max_age_days})"


def _filled(cells: Sequence[Any]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def _columns(name: str, row: int, cells: Sequence[Any]) -> tuple[dict[str, int], list[RowProblem]]:
    index: dict[str, int] = {}
    problems: list[RowProblem] = []
    for i, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        if key not in BY_KEY:
            problems.append(RowProblem(name, row, str(cell).strip(), "unknown column, ignored", "warning"))
        elif key in index:
            problems.append(RowProblem(name, row, key, "column appears twice; the first is read", "warning"))
        else:
            index[key] = i
    missing = [k for k in REQUIRED if k not in index]
    if missing:
        raise InputError(f"{name}:{row}: {', '.join(missing)}: required column(s) missing from the header",
                         hint="`reviewer programs template FILE` writes every column")
    return index, problems


def _parse_row(name: str, number: int, values: Sequence[Any], index: dict[str, int]
               ) -> tuple[Program | None, list[RowProblem]]:
    fields: dict[str, Any] = {"row": number}
    problems: list[RowProblem] = []
    for key, i in index.items():
        column = BY_KEY[key]
        cell = values[i] if i < len(values) else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            if column.required:
                problems.append(RowProblem(name, number, key, "missing; row skipped"))
            elif column.default is not None:
                fields[key] = column.default
            continue
        try:
            fields[key] = column.parse(cell)
        except CellProblem as exc:
            problems.append(RowProblem(name, number, key, f"{exc}; row skipped"))
    if problems:
        return None, problems
    return Program(**fields), []


# --- file formats -----------------------------------------------------------------------------------


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Rows with their line numbers; lines starting with '#' (the template's column notes) are skipped."""
    from ..ingest.preflight import read_checked

    data = read_checked(path, max_bytes=MAX_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the CSV is not UTF-8 text", path=path,
                         hint="save it as 'CSV UTF-8' from your spreadsheet program") from None
    lines = ["" if line.lstrip().startswith("#") else line for line in io.StringIO(text, newline="")]
    reader = csv.reader(lines)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    from ..ingest.preflight import read_checked

    data = read_checked(path, max_bytes=MAX_BYTES)
    _check_workbook(data, path)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"cannot read the workbook: {type(exc).__name__}", path=path,
                         hint="re-save it from your spreadsheet program as .xlsx, or export CSV") from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _check_workbook(data: bytes, path: Path) -> None:
    """The Word container checks (:mod:`reviewer.ingest.preflight`) applied to a workbook, in its words."""
    import zipfile
    import zlib

    from ..ingest.preflight import ZIP_MAGIC, verify_entries

    resave = "re-save it from your spreadsheet program as .xlsx, or export CSV"
    if not data.startswith(ZIP_MAGIC):
        raise InputError("not an .xlsx workbook", path=path, hint=resave)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError):
        raise InputError("damaged or incomplete workbook", path=path, hint=resave) from None
    try:
        verify_entries(data, infos, path)
    except InputError as exc:
        message = exc.message
        for word, sheet in (("Word file", "workbook"), ("Word part", "workbook part"),
                            ("Word never", "spreadsheet programs never"), ("Word does not", "spreadsheets do not")):
            message = message.replace(word, sheet)
        raise InputError(message, path=path, hint=resave) from None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise InputError("not an .xlsx workbook (no xl/workbook.xml)", path=path, hint=resave)


__all__ = ["COLUMNS", "Program", "ProgramsTable", "RowProblem", "parse_rows", "read_programs", "stale"]
