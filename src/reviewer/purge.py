"""Deleting one applicant's data from a batch output folder: ``reviewer purge OUT APPLICANT``.

Drafts are personal data, and an applicant may ask for theirs to be deleted. Everything ``reviewer batch``
keeps about an applicant lives in four places under ``OUT``, and :func:`purge_applicant` clears each:

* the review store (``reviewer.sqlite``): their rounds (reviews with quoted findings, verdicts, usage),
  failures and applicant row (:meth:`reviewer.store.Store.delete_applicant`, with SQLite's
  ``secure_delete`` and a WAL checkpoint so the rows do not linger in the files);
* their output folder ``OUT/<applicant>/`` (reviews in every format);
* the model cache (``OUT/.llm-cache`` unless another folder is given): entries whose recorded text digest
  is one of the applicant's reviewed texts (:meth:`reviewer.llm.cache.JudgmentCache.purge`); with
  ``all_cache`` the whole cache folder is deleted instead (for entries written before the digest was
  recorded, or to be thorough);
* the cohort index ``cohort.json`` (their row is removed) and the cohort report (``index.html`` and
  ``summary.csv`` are rebuilt without them, or deleted when they cannot be rebuilt).

It holds the batch lock while it works, so it never races a running batch. The applicant is matched by
folder id, then by display name (case-insensitive), like ``reviewer history``. An unknown applicant is an
:class:`~reviewer.errors.InputError` and nothing is deleted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .cohort.locks import exclusive
from .errors import InputError, OutputError, ReviewerError
from .fsio import atomic_write_text
from .store import DB_NAME, Store

COHORT_JSON = "cohort.json"
REPORT_FILES = ("index.html", "summary.csv")
CACHE_DIR = ".llm-cache"


@dataclass
class PurgeReport:
    """What was deleted, for the CLI to print."""

    applicant: str
    rows: dict[str, int] = field(default_factory=dict)
    output_files: int = 0
    output_folder: Path | None = None
    cache_entries: int = 0
    cache_unknown: int = 0
    cache_folder_deleted: Path | None = None
    cohort_json: bool = False
    report: str = ""  # "rebuilt" | "deleted" | ""

    def lines(self) -> list[str]:
        rows = ", ".join(f"{n} {table}" for table, n in self.rows.items())
        out = [f"review store: deleted {rows}"]
        if self.output_folder is not None:
            out.append(f"outputs: deleted {self.output_folder} ({self.output_files} file(s))")
        else:
            out.append("outputs: no output folder")
        if self.cache_folder_deleted is not None:
            out.append(f"model cache: deleted the whole cache folder {self.cache_folder_deleted}")
        else:
            out.append(f"model cache: deleted {self.cache_entries} entr{'y' if self.cache_entries == 1 else 'ies'}")
            if self.cache_unknown:
                out.append(f"model cache: {self.cache_unknown} entr{'y' if self.cache_unknown == 1 else 'ies'} of "
                           "unknown origin kept (use --all-cache to delete the whole cache)")
        if self.cohort_json:
            out.append(f"{COHORT_JSON}: removed the applicant")
        if self.report:
            out.append(f"cohort report: {self.report}")
        return out


def find_applicant(store: Store, query: str) -> str:
    """The applicant id matching ``query`` (id first, then display name, case-insensitive)."""
    known = store.applicants()
    wanted = query.casefold()
    match = next((a for a in known if a[0].casefold() == wanted), None) or \
        next((a for a in known if a[1].casefold() == wanted), None)
    if match is None:
        names = ", ".join(a[0] for a in known[:20]) or "none"
        raise InputError(f"no applicant '{query}' in the review store", path=store.path.parent,
                         hint=f"known: {names}")
    return match[0]


def purge_applicant(out: Path, applicant: str, *, cache_dir: Path | None = None,
                    all_cache: bool = False) -> PurgeReport:
    """Delete ``applicant``'s data from the batch output folder ``out`` (see the module docstring)."""
    if not (out / DB_NAME).is_file():
        raise InputError("no review store here", path=out, hint="pass the --out folder of `reviewer batch`")
    with exclusive(out), Store.open(out, create=False) as store:
        ident = find_applicant(store, applicant)
        digests = store.text_digests(ident)
        report = PurgeReport(ident)
        report.rows = store.delete_applicant(ident)
    folder = out / ident
    if folder.is_dir() and folder.resolve().parent == out.resolve():
        report.output_files = sum(1 for p in folder.rglob("*") if p.is_file())
        _rmtree(folder)
        report.output_folder = folder
    cache = cache_dir if cache_dir is not None else out / CACHE_DIR
    if all_cache:
        if cache.is_dir():
            _rmtree(cache)
            report.cache_folder_deleted = cache
    elif cache.is_dir():
        from .llm.cache import JudgmentCache

        report.cache_entries, report.cache_unknown = JudgmentCache(cache).purge(digests)
    report.cohort_json = _drop_from_cohort_json(out, ident)
    report.report = _refresh_report(out) if report.cohort_json else ""
    return report


def _rmtree(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except OSError as exc:
        raise OutputError(f"cannot delete: {exc.strerror}", path=path, hint="check permissions and retry") from exc


def _drop_from_cohort_json(out: Path, ident: str) -> bool:
    path = out / COHORT_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    rows = data.get("applicants") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return False
    kept = [a for a in rows if not (isinstance(a, dict) and a.get("id") == ident)]
    if len(kept) == len(rows):
        return False
    data["applicants"] = kept
    totals = data.get("totals")
    if isinstance(totals, dict):
        docs = [d for a in kept for d in a.get("documents") or []]
        for key in totals:
            if key == "applicants":
                totals[key] = len(kept)
            elif key == "documents":
                totals[key] = len(docs)
            else:
                totals[key] = sum(d.get("status") == key for d in docs)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return True


def _refresh_report(out: Path) -> str:
    existing = [out / name for name in REPORT_FILES if (out / name).is_file()]
    if not existing:
        return ""
    try:
        from .render.html import write_cohort_report

        write_cohort_report(out)
        return "rebuilt without the applicant"
    except ReviewerError:
        for p in existing:
            p.unlink(missing_ok=True)
        return "deleted (the next `reviewer batch` rebuilds it)"


__all__ = ["PurgeReport", "find_applicant", "purge_applicant"]
