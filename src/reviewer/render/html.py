"""The cohort report: ``<out>/index.html`` and ``<out>/summary.csv`` from ``<out>/cohort.json``.

``index.html`` is one self-contained page an advisor can open offline or mail around: CSS and a small
vanilla script are inline, the charts are SVG drawn here on the server, and nothing is fetched (a
Content-Security-Policy of ``default-src 'none'`` with hashes of the one style and one script block
makes the browser refuse anything else, so even a document text that slipped past escaping could not
run). Every piece of applicant text goes through Jinja2's autoescape; links are relative,
percent-encoded paths inside the output folder.

``summary.csv`` has one row per applicant x document x criterion (plus the application-level criteria
with document ``(application)``) for spreadsheets. It is written while the review files are read, so
memory stays flat however large the cohort; it is UTF-8 with a byte-order mark so that Excel shows
accented names correctly, and text cells that a spreadsheet would run as a formula are prefixed with
``'``.
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from ..fsio import atomic_save
from .report import ApplicantRow, CohortReport, CriterionStats, CsvRow, collect_cohort, load_cohort_index
from .templating import TEMPLATES, csp_hash, new_environment

INDEX_FILE = "index.html"
SUMMARY_FILE = "summary.csv"
CSV_HEADER = ("applicant", "document", "kind", "criterion", "verdict", "findings", "round", "applicant_id", "status")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

VERDICT_LABEL = {"pass": "pass", "warn": "warn", "fail": "fail", "not_applicable": "n/a"}
CHANGE_LABEL = {"resolved": "resolved", "persisting": "persisting", "new": "new"}

# Chart geometry (SVG user units; the SVG scales to the page width).
CHART_WIDTH = 900
LABEL_WIDTH = 250
BAR_X = 260
BAR_WIDTH = 330
TEXT_X = BAR_X + BAR_WIDTH + 12
ROW_HEIGHT = 26
BAR_HEIGHT = 16
MINI_WIDTH = 120


@dataclass(frozen=True)
class Segment:
    key: str  # verdict or change; also the CSS class
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class BarRow:
    id: str
    title: str
    y: int
    segments: tuple[Segment, ...]
    summary: str


@dataclass(frozen=True)
class Chart:
    name: str
    height: int
    rows: tuple[BarRow, ...]


def segments(counts: list[tuple[str, str, int]], x: float, width: float) -> tuple[Segment, ...]:
    """A 100%-stacked bar: one segment per non-zero count, left to right in the given order."""
    total = sum(c for _, _, c in counts)
    out: list[Segment] = []
    if total <= 0:
        return ()
    pos = x
    for key, label, count in counts:
        if count <= 0:
            continue
        w = round(width * count / total, 2)
        out.append(Segment(key, label, count, round(pos, 2), w))
        pos += w
    return tuple(out)


def verdict_summary(c: CriterionStats) -> str:
    parts = [f"{c.counts[v]} {VERDICT_LABEL[v]}" for v in ("pass", "warn", "fail", "not_applicable")]
    rate = f"{round(100 * c.counts['pass'] / c.applicable)}% pass" if c.applicable else "not applicable"
    return f"{rate} · " + " · ".join(parts)


def criterion_charts(report: CohortReport) -> list[Chart]:
    charts: list[Chart] = []
    for rubric, criteria in report.rubrics():
        rows = []
        for i, c in enumerate(criteria):
            counts = [(v, VERDICT_LABEL[v], c.counts[v]) for v in ("pass", "warn", "fail", "not_applicable")]
            rows.append(BarRow(c.id, c.title, i * ROW_HEIGHT, segments(counts, BAR_X, BAR_WIDTH),
                               verdict_summary(c)))
        charts.append(Chart(rubric, len(rows) * ROW_HEIGHT + 4, tuple(rows)))
    return charts


def change_segments(resolved: int, persisting: int, new: int, width: float) -> tuple[Segment, ...]:
    return segments([("resolved", "resolved", resolved), ("persisting", "persisting", persisting),
                     ("new", "new", new)], 0, width)


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


# --- rendering -----------------------------------------------------------------------------------



@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    env = new_environment()
    env.globals.update(pct=pct, VERDICT_LABEL=VERDICT_LABEL, MINI_WIDTH=MINI_WIDTH, CHART_WIDTH=CHART_WIDTH,
                       LABEL_WIDTH=LABEL_WIDTH, BAR_X=BAR_X, TEXT_X=TEXT_X, BAR_HEIGHT=BAR_HEIGHT,
                       change_segments=change_segments)
    return env


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    assert "</" not in css and "</" not in js, "inline assets must not close their own element"
    return css, js


MARKERS = ("applicant_rows", "revised_rows", "problem_rows")


class RowSpools:
    """The three row lists of the page (applicants, revised, not reviewed), rendered as applicants are read.

    They go to temporary files (or, for :func:`render_cohort_html`, to memory) and are copied into the
    page at the end, so the page's size never sits in memory.
    """

    def __init__(self, files: tuple[IO[str], IO[str], IO[str]]) -> None:
        self.files = files
        self._macros = _environment().get_template("report_rows.html.j2").module
        self._n = 0

    def add(self, row: ApplicantRow) -> None:
        applicants, revised, problems = self.files
        applicants.write(str(self._macros.applicant_row(row, self._n)))
        self._n += 1
        if row.revised:
            revised.write(str(self._macros.revised_row(row)))
        if row.problems:
            problems.write(str(self._macros.problem_rows(row)))


def _page_parts(report: CohortReport) -> list[str]:
    """The page around the row lists: ``len(MARKERS) + 1`` pieces, the row lists go between them."""
    from markupsafe import Markup

    css, js = _assets()
    changes = sorted((c for c in report.criteria.values() if c.improved or c.worsened),
                     key=lambda c: (-(c.improved + c.worsened), c.id))
    marks = {name: Markup(f"<!--reviewer:{name}-->") for name in MARKERS}
    page = str(_environment().get_template("report.html.j2").render(
        report=report,
        charts=criterion_charts(report),
        criteria=report.sorted_criteria(),
        problems=report.top_problems(),
        verdict_changes=changes,
        style=Markup(css),
        script=Markup(js),
        csp=f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src data:; "
            "base-uri 'none'; form-action 'none'",
        **marks,
    ))
    parts: list[str] = []
    for name in MARKERS:
        # Applicant text is escaped, so a marker can only come from the template, at most once. The
        # template leaves a list out exactly when it has no rows (the revised and not-reviewed lists).
        head, sep, rest = page.partition(str(marks[name]))
        parts.append(head if sep else "")
        page = rest if sep else page
    parts.append(page)
    return parts


def write_page(fh: IO[str], report: CohortReport, spools: RowSpools) -> None:
    parts = _page_parts(report)
    for part, spool in zip(parts, spools.files, strict=False):
        fh.write(part)
        spool.seek(0)
        shutil.copyfileobj(spool, fh)
    fh.write(parts[-1])


def render_cohort_html(report: CohortReport, applicants: Iterable[ApplicantRow] = ()) -> str:
    """The whole page as a string (no I/O): for tests and small cohorts."""
    spools = RowSpools((io.StringIO(), io.StringIO(), io.StringIO()))
    for row in applicants:
        spools.add(row)
    out = io.StringIO()
    write_page(out, report, spools)
    return out.getvalue()


def csv_cells(row: CsvRow) -> list[str | int]:
    return [_cell(row.applicant), _cell(row.document), row.kind, row.criterion, row.verdict, row.findings,
            "" if row.round is None else row.round, _cell(row.applicant_id), row.status]


def _cell(text: str) -> str:
    """Text a spreadsheet would evaluate as a formula is kept as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write_cohort_report(out: Path) -> list[Path]:
    """Read ``<out>/cohort.json`` and the reviews it points to; write ``index.html`` and ``summary.csv``.

    One pass over the applicants, one at a time: CSV rows go straight to the (temporary) CSV file, table
    rows to temporary files that are copied into the page. Both outputs are replaced atomically. Returns
    the written paths. Raises :class:`~reviewer.errors.InputError` when there is no readable
    ``reviewer.cohort/1`` index, :class:`~reviewer.errors.OutputError` when a file cannot be written.
    """
    index = load_cohort_index(out)
    csv_path, html_path = out / SUMMARY_FILE, out / INDEX_FILE
    collected: list[CohortReport] = []
    try:
        with ExitStack() as stack:
            files = tuple(stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8")) for _ in MARKERS)
            spools = RowSpools((files[0], files[1], files[2]))

            def save_csv(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(CSV_HEADER)
                    collected.append(collect_cohort(out, lambda row: writer.writerow(csv_cells(row)), spools.add,
                                                    index=index))

            def save_html(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8", newline="\n") as fh:
                    write_page(fh, collected[0], spools)

            atomic_save(csv_path, save_csv)
            atomic_save(html_path, save_html)
    except OSError as exc:
        raise OutputError(f"cannot write the cohort report: {exc.strerror or exc}", path=out,
                          hint="check that the folder is writable") from exc
    return [html_path, csv_path]


__all__ = ["CSV_HEADER", "INDEX_FILE", "SUMMARY_FILE", "render_cohort_html", "write_cohort_report"]
