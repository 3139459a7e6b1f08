"""Cohort report data: ``<out>/cohort.json`` and the review files it points to, folded into small aggregates.

The batch runner writes ``cohort.json`` (``reviewer.cohort/1``): one entry per applicant with its documents'
status, round, revision counts and the relative paths of their ``reviewer.review/1`` and
``reviewer.application/1`` JSON files. :func:`collect_cohort` reads those review files one applicant at a
time and keeps only what the report shows: per-criterion verdict counts, a handful of example quotes per
criterion, one small row per applicant, and revision totals. Per-document criterion rows (the CSV) are
handed to a callback as they are read, so nothing grows with the number of findings in the cohort.

Paths in ``cohort.json`` are trusted only as relative paths inside ``<out>``: an absolute path or one with
``..`` is neither read nor linked. Applicant names are shortened to 120 characters
(:func:`reviewer.errors.short_name`) however long ``cohort.json`` has them, and every text cell of a CSV
row is made spreadsheet-safe (:func:`spreadsheet_safe`). A review file that is missing or unreadable does
not stop the report; it shows up as a problem in that applicant's row. Orders are sorted (applicants by
name then id, criteria by id) so the same inputs give the same report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..errors import InputError, short_name
from ..programs.result import PLAN_SCHEMA, PLAN_STEM
from .registry import linked_formats

COHORT_FILE = "cohort.json"
COHORT_SCHEMA = "reviewer.cohort/1"
APPLICATION_DOCUMENT = "(application)"
VERDICTS = ("pass", "warn", "fail", "not_applicable")
PROBLEM_VERDICTS = ("fail", "warn")
EXAMPLES_PER_CRITERION = 3
QUOTE_LIMIT = 300


@dataclass(frozen=True)
class Link:
    label: str  # what the link is ("DOCX", "Markdown")
    href: str  # relative to <out>, URL-quoted


@dataclass(frozen=True)
class Example:
    quote: str
    applicant: str
    document: str
    verdict: str


@dataclass
class CriterionStats:
    """One criterion across the cohort: how often each verdict was given, and a few problem quotes."""

    id: str
    title: str = ""
    guide: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    findings: int = 0
    improved: int = 0
    worsened: int = 0
    examples: dict[str, list[Example]] = field(default_factory=lambda: {v: [] for v in PROBLEM_VERDICTS})
    spares: list[Example] = field(default_factory=list)  # more quotes from applicants already quoted

    @property
    def rubric(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def problems(self) -> int:
        return self.counts["fail"] + self.counts["warn"]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts["not_applicable"]

    def chosen_examples(self) -> list[Example]:
        """Up to three quotes, from different applicants where there are enough, fails before warns."""
        out: list[Example] = []
        seen: set[str] = set()
        for ex in [*self.examples["fail"], *self.examples["warn"]]:
            if ex.applicant not in seen and len(out) < EXAMPLES_PER_CRITERION:
                out.append(ex)
                seen.add(ex.applicant)
        spares = sorted(self.spares, key=lambda e: e.verdict != "fail")
        quotes = {e.quote for e in out}
        for ex in spares:
            if len(out) < EXAMPLES_PER_CRITERION and ex.quote not in quotes:
                out.append(ex)
                quotes.add(ex.quote)
        return out


@dataclass(frozen=True)
class Problem:
    """A document or file of an applicant that could not be reviewed or read."""

    document: str
    error: str


@dataclass
class DocumentRow:
    name: str
    kind: str
    status: str
    round: int | None
    links: list[Link] = field(default_factory=list)
    fails: int = 0
    warns: int = 0
    fallbacks: int = 0  # rubrics the model did not judge (they fell back to the rules)


@dataclass
class ApplicantRow:
    name: str
    id: str
    documents: list[DocumentRow] = field(default_factory=list)
    application_links: list[Link] = field(default_factory=list)
    fails: int = 0
    warns: int = 0
    findings: int = 0
    problems: list[Problem] = field(default_factory=list)
    resolved: int = 0
    persisting: int = 0
    new: int = 0
    plan: dict[str, int] | None = None  # tier counts of the program plan (reviewer batch --programs)
    plan_links: list[Link] = field(default_factory=list)

    @property
    def round(self) -> int | None:
        rounds = [d.round for d in self.documents if d.round is not None]
        return max(rounds) if rounds else None

    @property
    def revised(self) -> bool:
        return self.resolved + self.persisting + self.new > 0 or (self.round or 0) > 1


@dataclass(frozen=True)
class CsvRow:
    """One line of ``summary.csv``. Text fields go through :func:`spreadsheet_safe` when it is built."""

    applicant: str
    document: str
    kind: str
    criterion: str
    verdict: str
    findings: int
    round: int | None
    applicant_id: str
    status: str

    def __post_init__(self) -> None:
        for name in ("applicant", "document", "kind", "criterion", "verdict", "applicant_id", "status"):
            object.__setattr__(self, name, spreadsheet_safe(getattr(self, name)))


# A cell a spreadsheet would evaluate: starting with one of these, at the start of the cell or after any
# character a spreadsheet may split a CSV line at (the separator depends on the locale: ``;`` in much of
# Europe, so "Anna;=1+1" is two cells there, the second a formula).
FORMULA_START = "=+-@\t\r"
CSV_SEPARATORS = ",;\t|\r\n"
_FORMULA = re.compile(f"(^|[{re.escape(CSV_SEPARATORS)}])( *)(?=[{re.escape(FORMULA_START)}])")


def spreadsheet_safe(text: str) -> str:
    """``text`` with an apostrophe before every formula start (``= + - @``, tab, carriage return) that opens
    the cell or follows a separator character (``, ; |``, tab, a line break), after any spaces: each piece a
    spreadsheet may make of it stays text."""
    return _FORMULA.sub(lambda m: f"{m.group(1)}{m.group(2)}'", text)


@dataclass
class CohortReport:
    """What the page shows above and around the applicants table: totals and per-criterion statistics."""

    generated_at: str
    criteria: dict[str, CriterionStats] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    rounds: dict[int, int] = field(default_factory=dict)
    applicants: int = 0
    fails: int = 0
    warns: int = 0
    findings: int = 0
    problems: int = 0
    resolved: int = 0
    persisting: int = 0
    new: int = 0
    revised: int = 0
    without_json: int = 0  # reviewed documents whose verdicts are unknown here (no JSON output)
    fell_back: int = 0  # documents with rubrics the model did not judge

    def add(self, row: ApplicantRow) -> None:
        self.applicants += 1
        self.fails += row.fails
        self.warns += row.warns
        self.findings += row.findings
        self.problems += len(row.problems)
        self.resolved += row.resolved
        self.persisting += row.persisting
        self.new += row.new
        self.revised += row.revised

    @property
    def documents(self) -> int:
        return sum(self.statuses.values())

    def sorted_criteria(self) -> list[CriterionStats]:
        return [self.criteria[k] for k in sorted(self.criteria)]

    def rubrics(self) -> list[tuple[str, list[CriterionStats]]]:
        groups: dict[str, list[CriterionStats]] = {}
        for c in self.sorted_criteria():
            groups.setdefault(c.rubric, []).append(c)
        return sorted(groups.items())

    def top_problems(self, limit: int = 10) -> list[CriterionStats]:
        ranked = sorted((c for c in self.criteria.values() if c.problems),
                        key=lambda c: (-c.problems, -c.counts["fail"], c.id))
        return ranked[:limit]


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortIndex:
    """``cohort.json`` read lazily: its text, its other top-level fields, and where each applicant starts.

    Applicants are decoded one at a time, in report order, when :meth:`entries` is iterated; only their
    sort keys and offsets are kept, so a cohort of thousands costs its file size, not its objects.
    """

    path: Path
    text: str
    meta: dict[str, Any]
    offsets: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.offsets)

    def entries(self) -> Iterator[dict[str, Any]]:
        decoder = json.JSONDecoder()
        for start in self.offsets:
            yield decoder.raw_decode(self.text, start)[0]


_WS = re.compile(r"[ \t\n\r]*")


def _scan_index(text: str) -> tuple[dict[str, Any], list[tuple[tuple[str, str], int]] | None]:
    """The top-level fields except ``applicants``, and (sort key, offset) of each applicant object
    (None when there is no ``applicants`` list)."""
    decoder = json.JSONDecoder()

    def ws(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def expect(i: int, chars: str) -> str:
        if text[i:i + 1] not in tuple(chars):
            raise ValueError(f"expected one of {chars!r} at character {i}")
        return text[i]

    def array(i: int) -> tuple[list[tuple[tuple[str, str], int]], int]:
        found: list[tuple[tuple[str, str], int]] = []
        i = ws(i + 1)
        if text[i:i + 1] == "]":
            return found, i + 1
        while True:
            item, end = decoder.raw_decode(text, i)
            if isinstance(item, dict):
                found.append((_sort_key(item), i))
            i = ws(end)
            if expect(i, ",]") == "]":
                return found, i + 1
            i = ws(i + 1)

    meta: dict[str, Any] = {}
    spans: list[tuple[tuple[str, str], int]] | None = None
    i = ws(0)
    expect(i, "{")
    i = ws(i + 1)
    if text[i:i + 1] == "}":
        i += 1
    else:
        while True:
            key, i = decoder.raw_decode(text, i)
            i = ws(i)
            expect(i, ":")
            i = ws(i + 1)
            if key == "applicants" and text[i:i + 1] == "[":
                spans, i = array(i)
            else:
                meta[str(key)], i = decoder.raw_decode(text, i)
            i = ws(i)
            if expect(i, ",}") == "}":
                i += 1
                break
            i = ws(i + 1)
    if ws(i) != len(text):
        raise ValueError(f"extra data at character {i}")
    return meta, spans


def load_cohort_index(out: Path) -> CohortIndex:
    """``<out>/cohort.json``, checked for its schema; raises :class:`InputError` otherwise."""
    path = out / COHORT_FILE
    hint = "run `reviewer batch` with this --out folder first"
    try:
        text = path.read_text(encoding="utf-8-sig")
        meta, spans = _scan_index(text)
    except FileNotFoundError:
        raise InputError("no cohort index found", path=path, hint=hint) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read the cohort index: {exc}", path=path, hint=hint) from None
    if meta.get("schema") != COHORT_SCHEMA:
        raise InputError(f"not a {COHORT_SCHEMA} file", path=path, hint=hint)
    if spans is None:
        raise InputError("'applicants' is missing or not a list", path=path, hint=hint)
    spans.sort()
    return CohortIndex(path, text, meta, tuple(start for _, start in spans))


def safe_relative(rel: object) -> PurePosixPath | None:
    """``rel`` as a path inside the output folder, or None when it is empty, absolute or climbs out."""
    if not isinstance(rel, str) or not rel.strip() or "\\" in rel or "\x00" in rel:
        return None
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or p == PurePosixPath("."):
        return None
    return p


def href(rel: PurePosixPath) -> str:
    """A relative URL for a path under ``<out>``: every segment percent-encoded (no scheme can sneak in)."""
    return "/".join(quote(part, safe="") for part in rel.parts)


def _link(out: Path, rel: object, label: str) -> Link | None:
    p = safe_relative(rel)
    if p is None or not (out / p).is_file():
        return None
    return Link(label, href(p))


def _read_json(out: Path, rel: object) -> tuple[dict[str, Any] | None, str | None]:
    p = safe_relative(rel)
    if p is None:
        return None, f"review file path {rel!r} is not inside the output folder"
    try:
        data = json.loads((out / p).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"review file {p} is missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"review file {p} cannot be read: {exc}"
    if not isinstance(data, dict):
        return None, f"review file {p} is not a JSON object"
    return data, None


def _str(value: object, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _round(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _short(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- folding one review into the aggregates ----------------------------------------------------------


@dataclass
class _Tally:
    fails: int = 0
    warns: int = 0
    findings: int = 0


def _fold_review(report: CohortReport, data: dict[str, Any], *, applicant: str, document: str,
                 emit: Callable[[str, str, int], None]) -> _Tally:
    """Count one review's criteria and findings into the cohort; ``emit(criterion, verdict, findings)``."""
    tally = _Tally()
    findings = _dicts(data.get("findings"))
    per_criterion: dict[str, int] = {}
    for f in findings:
        cid = _str(f.get("criterion"))
        per_criterion[cid] = per_criterion.get(cid, 0) + 1
    tally.findings = len(findings)
    verdict_of: dict[str, str] = {}
    for c in _dicts(data.get("criteria")):
        cid, verdict = _str(c.get("id")), _str(c.get("verdict"))
        if not cid or verdict not in VERDICTS:
            continue
        verdict_of[cid] = verdict
        stats = report.criteria.setdefault(cid, CriterionStats(cid))
        stats.title = stats.title or _str(c.get("title"))
        stats.guide = stats.guide or _str(c.get("guide"))
        stats.counts[verdict] += 1
        stats.findings += per_criterion.get(cid, 0)
        tally.fails += verdict == "fail"
        tally.warns += verdict == "warn"
        emit(cid, verdict, per_criterion.get(cid, 0))
    for f in findings:
        _keep_example(report, f, verdict_of, applicant=applicant, document=document)
    return tally


def _keep_example(report: CohortReport, f: dict[str, Any], verdict_of: dict[str, str], *, applicant: str,
                  document: str) -> None:
    """Keep a warn/fail finding's quote while its criterion has fewer than three from other applicants."""
    cid = _str(f.get("criterion"))
    verdict = _str(f.get("verdict")) or verdict_of.get(cid, "")
    stats = report.criteria.get(cid)
    if stats is None or verdict not in PROBLEM_VERDICTS:
        return
    seen = any(e.applicant == applicant for e in stats.examples[verdict])
    bucket = stats.spares if seen else stats.examples[verdict]
    if len(bucket) >= EXAMPLES_PER_CRITERION:
        return
    quote_text = _short(_str(f.get("quote")))
    if quote_text and all(e.quote != quote_text for e in bucket):
        where = _str(f.get("document")) or document
        bucket.append(Example(quote_text, applicant, PurePosixPath(where).name or where, verdict))


def _fold_verdict_changes(report: CohortReport, data: dict[str, Any]) -> None:
    revision = data.get("revision")
    if not isinstance(revision, dict):
        return
    rank = {"not_applicable": 0, "pass": 1, "warn": 2, "fail": 3}
    for change in _dicts(revision.get("verdicts")):
        before, after = change.get("before"), change.get("after")
        stats = report.criteria.get(_str(change.get("id")))
        if stats is None or before not in rank or after not in rank or before == after:
            continue
        if rank[_str(after)] < rank[_str(before)]:
            stats.improved += 1
        else:
            stats.worsened += 1


def _fold_applicant(report: CohortReport, out: Path, entry: dict[str, Any],
                    on_row: Callable[[CsvRow], None]) -> ApplicantRow:
    applicant_id = _str(entry.get("id"))
    row = ApplicantRow(name=short_name(_str(entry.get("applicant")) or applicant_id or "(unnamed)"),
                       id=applicant_id)
    failed: set[str] = set()
    for f in _dicts(entry.get("failures")):
        name = _str(f.get("document"))
        row.problems.append(Problem(name, _str(f.get("error"))))
        failed.add(PurePosixPath(name).name)
    for d in _dicts(entry.get("documents")):
        _fold_document(report, out, row, d, failed, on_row)
    app_rel = entry.get("application_review")
    if app_rel is not None:
        _fold_application(report, out, row, app_rel, failed, on_row)
    _fold_plan(out, row)
    return row


def _fold_plan(out: Path, row: ApplicantRow) -> None:
    """The tier counts of ``<id>/program-plan.json`` when the batch wrote one, and links to the plan."""
    data, _ = _read_json(out, f"{row.id}/{PLAN_STEM}.json")  # none when the batch wrote no plan
    portfolio = data.get("portfolio") if data and data.get("schema") == PLAN_SCHEMA else None
    counts = portfolio.get("counts") if isinstance(portfolio, dict) else None
    if not isinstance(counts, dict):
        return
    row.plan = {tier: _int(counts.get(tier)) for tier in ("likely", "target", "reach", "excluded")}
    for fmt, label in (("md", "Markdown"), ("xlsx", "XLSX")):
        link = _link(out, f"{row.id}/{PLAN_STEM}.{fmt}", label)
        if link:
            row.plan_links.append(link)


def _fold_document(report: CohortReport, out: Path, row: ApplicantRow, d: dict[str, Any], failed: set[str],
                   on_row: Callable[[CsvRow], None]) -> None:
    name, kind, status = _str(d.get("name")), _str(d.get("kind")), _str(d.get("status"), "reviewed")
    doc = DocumentRow(name=name, kind=kind, status=status, round=_round(d.get("round")),
                      fallbacks=_int(d.get("fallbacks")) if status != "failed" else 0)
    row.documents.append(doc)
    report.fell_back += doc.fallbacks > 0
    report.statuses[status] = report.statuses.get(status, 0) + 1
    if doc.round is not None:
        report.rounds[doc.round] = report.rounds.get(doc.round, 0) + 1
    row.resolved += _int(d.get("resolved"))
    row.persisting += _int(d.get("persisting"))
    row.new += _int(d.get("new"))
    for fmt in linked_formats():
        link = _link(out, d.get(f"review_{fmt.name}"), fmt.label)
        if link:
            doc.links.append(link)
    if status == "failed":
        if PurePosixPath(name).name not in failed:
            row.problems.append(Problem(name, _str(d.get("error")) or "not reviewed"))
            failed.add(PurePosixPath(name).name)
        return
    if d.get("review_json") is None:  # reviewed, but JSON was not among the output formats
        report.without_json += 1
        return
    data, error = _read_json(out, d.get("review_json"))
    if data is None:
        row.problems.append(Problem(name, error or "unreadable"))
        return

    def emit(cid: str, verdict: str, findings: int) -> None:
        on_row(CsvRow(row.name, name, kind, cid, verdict, findings, doc.round, row.id, status))

    tally = _fold_review(report, data, applicant=row.name, document=name, emit=emit)
    _fold_verdict_changes(report, data)
    doc.fails, doc.warns = tally.fails, tally.warns
    row.fails += tally.fails
    row.warns += tally.warns
    row.findings += tally.findings


def _fold_application(report: CohortReport, out: Path, row: ApplicantRow, rel: object, failed: set[str],
                      on_row: Callable[[CsvRow], None]) -> None:
    p = safe_relative(rel)
    if p is not None:
        md = _link(out, str(p.with_suffix(".md")), "Markdown")
        if md:
            row.application_links.append(md)
    data, error = _read_json(out, rel)
    if data is None:
        row.problems.append(Problem(APPLICATION_DOCUMENT, error or "unreadable"))
        return
    for f in _dicts(data.get("failures")):
        name = PurePosixPath(_str(f.get("path"))).name
        if name and name not in failed:
            row.problems.append(Problem(name, _str(f.get("error"))))
            failed.add(name)
    app_round = row.round

    def emit(cid: str, verdict: str, findings: int) -> None:
        on_row(CsvRow(row.name, APPLICATION_DOCUMENT, "", cid, verdict, findings, app_round, row.id, "reviewed"))

    tally = _fold_review(report, data, applicant=row.name, document=APPLICATION_DOCUMENT, emit=emit)
    row.fails += tally.fails
    row.warns += tally.warns
    row.findings += tally.findings


def _sort_key(entry: dict[str, Any]) -> tuple[str, str]:
    name = _str(entry.get("applicant")) or _str(entry.get("id"))
    return (name.casefold(), _str(entry.get("id")))


def collect_cohort(out: Path, on_row: Callable[[CsvRow], None] = lambda _row: None,
                   on_applicant: Callable[[ApplicantRow], None] = lambda _row: None,
                   index: CohortIndex | None = None) -> CohortReport:
    """Fold every applicant of ``<out>/cohort.json`` into a :class:`CohortReport`, one applicant at a time.

    In report order (name, then id), ``on_row`` receives each (document x criterion) row and
    ``on_applicant`` each applicant's table row as they are read; neither is kept.
    """
    index = index if index is not None else load_cohort_index(out)
    report = CohortReport(generated_at=_str(index.meta.get("generated_at")))
    for entry in index.entries():
        row = _fold_applicant(report, out, entry, on_row)
        report.add(row)
        on_applicant(row)
    return report


__all__ = [
    "APPLICATION_DOCUMENT",
    "COHORT_FILE",
    "COHORT_SCHEMA",
    "ApplicantRow",
    "CohortIndex",
    "CohortReport",
    "CriterionStats",
    "CsvRow",
    "DocumentRow",
    "Example",
    "Link",
    "Problem",
    "collect_cohort",
    "href",
    "load_cohort_index",
    "safe_relative",
    "spreadsheet_safe",
]
