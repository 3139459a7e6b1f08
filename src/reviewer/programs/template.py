"""Writing the programs spreadsheet: the empty template, or rows (the samples, the benchmark).

XLSX (openpyxl): a ``Programs`` sheet with one column per field (required ones marked ``*``), a comment on
each header saying what goes there, drop-downs for the closed sets (specialty, program type, visa, yes/no,
USCE), range checks on score and count columns, dates shown as YYYY-MM-DD, frozen header and filters; a
``Columns`` sheet documenting every column with an example; the drop-down lists on a hidden ``Lists`` sheet
(Excel limits an inline list to 255 characters, which the specialties exceed).

CSV: the same header, preceded by ``#`` lines documenting each column (the reader skips them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..fsio import atomic_save, atomic_write_text
from .columns import COLUMNS, Bounded, Column, parse_date
from .table import SHEET

_DATES = tuple(c.key for c in COLUMNS if c.parse is parse_date)
_WIDTHS = {"program": 44, "notes": 40, "source_url": 36, "populations": 30, "languages": 20, "specialty": 26}


def header(column: Column) -> str:
    return f"{column.key}*" if column.required else column.key


def write_template(path: Path, rows: Iterable[Mapping[str, Any]] = (), *,
                   created: dt.datetime | None = None) -> None:
    """The programs spreadsheet at ``path`` (.xlsx or .csv), empty or holding ``rows`` (column key -> value)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write_text(path, csv_text(rows))
    elif suffix == ".xlsx":
        book = workbook(rows, created=created)
        atomic_save(path, lambda tmp: book.save(str(tmp)))
    else:
        raise OutputError(f"cannot write a programs file as {suffix or 'no suffix'}", path=path,
                          hint="name it .xlsx or .csv")


def csv_text(rows: Iterable[Mapping[str, Any]] = ()) -> str:
    out = io.StringIO()
    out.write("# Programs file for `reviewer programs plan`. Lines starting with # are notes and are skipped.\n")
    out.write("# One row per program. Columns marked * are required; leave a cell blank when the program does "
              "not say.\n")
    for c in COLUMNS:
        allowed = f" One of: {', '.join(c.choices)}." if c.choices else ""
        out.write(f"# {header(c)}: {c.doc}{allowed} Example: {c.example}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header(c) for c in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key)) for c in COLUMNS])
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def workbook(rows: Iterable[Mapping[str, Any]] = (), *, created: dt.datetime | None = None) -> Any:
    """The formatted openpyxl workbook (not saved)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    if created is not None:
        book.properties.created = created
        book.properties.modified = created
    sheet = book.active
    sheet.title = SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=header(c))
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(c.doc, "reviewer")
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(c.key, max(12, len(header(c)) + 2))
    n = 1
    for n, row in enumerate(rows, start=2):
        for i, c in enumerate(COLUMNS, start=1):
            value = row.get(c.key)
            if isinstance(value, list | tuple):
                value = "; ".join(str(v) for v in value)
            if value is None or value == "":
                continue  # a blank cell, not an empty string
            cell = sheet.cell(row=n, column=i, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: a cell starting with '=' is never a formula
            if c.key in _DATES:
                cell.number_format = "yyyy-mm-dd"
    last = max(n, 1000)
    _validations(book, sheet, last)
    if n == 1:  # an empty template: dates typed in later show as YYYY-MM-DD
        for key in _DATES:
            col = get_column_letter(_position(key))
            for r in range(2, last + 1):
                sheet[f"{col}{r}"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(n, 2)}"
    docs = book.create_sheet("Columns")
    docs.append(["column", "required", "what goes there", "allowed values", "example"])
    for cell in docs[1]:
        cell.font, cell.fill = bold, fill
    for c in COLUMNS:
        docs.append([c.key, "yes" if c.required else "", c.doc, ", ".join(c.choices), c.example])
    for letter, width in zip("ABCDE", (20, 9, 90, 50, 32), strict=True):
        docs.column_dimensions[letter].width = width
    for row_cells in docs.iter_rows(min_row=2):
        row_cells[2].alignment = Alignment(wrap_text=True, vertical="top")
    return book


def _position(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)


def _validations(book: Any, sheet: Any, last: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    list_col = 0
    for i, c in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        target = f"{letter}2:{letter}{last}"
        if c.choices:
            list_col += 1
            lc = get_column_letter(list_col)
            for r, choice in enumerate(c.choices, start=1):
                lists.cell(row=r, column=list_col, value=choice)
            dv = DataValidation(type="list", formula1=f"=Lists!${lc}$1:${lc}${len(c.choices)}", allow_blank=True,
                                showErrorMessage=True, errorTitle=c.key,
                                error=f"{c.key}: one of {', '.join(c.choices)}")
        elif isinstance(c.parse, Bounded):
            lo, hi = (f"{v:g}" for v in (c.parse.lo, c.parse.hi))
            dv = DataValidation(type="whole" if c.parse.whole else "decimal", operator="between", formula1=lo,
                                formula2=hi, allow_blank=True, showErrorMessage=True, errorTitle=c.key,
                                error=f"{c.key}: {c.doc}")
        elif c.key in _DATES:
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                showErrorMessage=True, errorTitle=c.key, error=f"{c.key}: a date (YYYY-MM-DD)")
        else:
            continue
        dv.add(target)
        sheet.add_data_validation(dv)
