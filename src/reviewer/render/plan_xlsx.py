"""XLSX output of a program plan (openpyxl, streamed: a plan of thousands of programs writes quickly).

Sheets: ``Plan`` (one row per program, the tier cell coloured, filters on every column, header frozen),
``Reasons`` (one row per reason: the whole explanation, filterable by program, kind and code), ``Summary``
(counts per tier and specialty, advice, signals, what would open more programs, profile notes, file problems,
reference figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..fsio import atomic_save
from ..programs.result import Plan, Tier
from .plan_markdown import main_reasons

FILLS = {Tier.LIKELY: "C6EFCE", Tier.TARGET: "FFEB9C", Tier.REACH: "F8CBAD", Tier.EXCLUDED: "D9D9D9"}
PLAN_COLUMNS = (("Tier", 10), ("Score", 8), ("Program", 44), ("Location", 20), ("Specialty", 24), ("Type", 11),
                ("Visa", 10), ("Main reasons", 90), ("Excluded by", 18), ("Tailored statement", 22),
                ("Stale", 7), ("Row", 6), ("Source", 36))


def write_plan_xlsx(plan: Plan, path: Path, *, protect: Iterable[Path] = ()) -> None:
    book = plan_workbook(plan)
    atomic_save(path, lambda tmp: book.save(str(tmp)), protect=protect)


def text_cell(sheet: Any, value: Any) -> Any:
    """A write-only cell; text is always stored as text, so a program or applicant name starting with '=' (or
    '+', '-', '@') can never become a formula when the plan is opened."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def plan_workbook(plan: Plan) -> Any:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fills = {t: PatternFill("solid", fgColor=c) for t, c in FILLS.items()}

    def header(sheet: Any, columns: Sequence[tuple[str, int]]) -> None:
        for i, (_, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        cells = []
        for name, _ in columns:
            c = WriteOnlyCell(sheet, value=name)
            c.font = bold
            cells.append(c)
        sheet.append(cells)

    sheet = book.create_sheet("Plan")
    header(sheet, PLAN_COLUMNS)
    for d in plan.decisions:
        tier = WriteOnlyCell(sheet, value=d.tier.value)
        tier.fill = fills[d.tier]
        sheet.append([tier, d.score, *(text_cell(sheet, v) for v in (
            d.program, d.location, d.specialty, d.program_type, d.visa, main_reasons(d), ", ".join(d.excluded_by),
            d.statement or "", "yes" if d.stale else "")), d.row, text_cell(sheet, d.source_url)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(PLAN_COLUMNS))}{len(plan.decisions) + 1}"

    reasons = book.create_sheet("Reasons")
    cols = (("Row", 6), ("Program", 44), ("Tier", 10), ("Kind", 8), ("Code", 18), ("Points", 8), ("Reason", 100))
    header(reasons, cols)
    n = 1
    for d in plan.decisions:
        for r in d.reasons:
            reasons.append([d.row, text_cell(reasons, d.program), d.tier.value, r.kind, r.code, r.points,
                            text_cell(reasons, r.text)])
            n += 1
    reasons.auto_filter.ref = f"A1:G{n}"

    summary = book.create_sheet("Summary")
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 110
    for row in summary_rows(plan):
        if len(row) == 1:
            c = WriteOnlyCell(summary, value=row[0])
            c.font = bold
            summary.append([c])
        else:
            summary.append([text_cell(summary, v) for v in row])
    return book


def summary_rows(plan: Plan) -> list[tuple[Any, ...]]:
    pf = plan.portfolio
    rows: list[tuple[Any, ...]] = [(f"Program plan: {plan.applicant}",),
                                   ("As of", plan.as_of.isoformat()), ("Programs file", plan.programs_file),
                                   ("Weights", plan.weights), ("",), ("Counts",),
                                   ("Specialty", "likely / target / reach / excluded")]
    for name, c in [*pf.by_specialty.items(), ("All", pf.counts)]:
        rows.append((name, f"{c.likely} / {c.target} / {c.reach} / {c.excluded}"))
    rows += [("",), ("Advice",)] + [("", a) for a in pf.advice]
    rows += [("",), (f"Signals ({plan.signals_available} available)",)]
    rows += [(s.standing, f"{s.program} ({s.tier.value}): {s.why}") for s in plan.signals]
    rows += [("",), ("What would open more programs",)] + [(o.code, o.text) for o in plan.openers]
    rows += [("",), ("Profile notes",)] + [(f"{n.kind}: {n.field}", n.message + (f' "{n.quote}"' if n.quote else ""))
                                           for n in plan.profile_notes]
    rows += [("",), ("Programs file problems",)] + [("", p) for p in plan.file_problems]
    rows += [("",), ("Reference figures",)] + [(r.figure, r.source) for r in plan.references]
    return rows
