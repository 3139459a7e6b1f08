"""Deleting one applicant's data from a batch output folder: ``reviewer purge OUT APPLICANT``.

Drafts are personal data, and an applicant may ask for theirs to be deleted. Everything ``reviewer batch``
keeps about an applicant lives in four places under ``OUT``, and :func:`purge_applicant` clears each:

* the model cache (``OUT/.llm-cache`` unless another folder is given): every entry that judged one of the
  applicant's texts. Entries are named by hashes and record only the digest of the text they judged, so
  the digests come from three places: the store's rounds, the applicant's text index
  (``OUT/<id>/.reviewer-texts``, written by the batch *before* each model call, so an answer whose round
  was never recorded, because the batch was killed, is still found) and the applicant's drafts as they are
  now in the cohort folder. With ``all_cache`` the whole cache folder is deleted instead;
* the cohort index ``cohort.json`` (their row) and the cohort report (``index.html`` and ``summary.csv``
  are rebuilt from it, or deleted when they cannot be rebuilt);
* their output folder ``OUT/<id>/`` (reviews in every format, the text index);
* the review store (``reviewer.sqlite``): their rounds (reviews with quoted findings, verdicts, usage),
  failures and applicant row (:meth:`reviewer.store.Store.delete_applicant`, with SQLite's
  ``secure_delete`` and a WAL checkpoint so the rows do not linger in the files).

Complete, whatever happens. Before deleting anything, every folder it will delete from is tried for
writing (:func:`reviewer.fsio.check_writable`): a read-only cache or output folder is one
:class:`~reviewer.errors.OutputError` and nothing is deleted. The purge then notes the applicant as
pending (:func:`reviewer.cohort.locks.set_pending_purges`) and deletes in the order above, the store last:
killed at any point, the applicant is still known (by the store, or by the note), every step is safe to
repeat, and running the same command again finishes the job; a batch refuses to start meanwhile. The batch
lock is held from the first look at the store to the last deletion, so a batch can never run in between.

The applicant is matched by id, folder name or display name (:meth:`reviewer.store.Store.find`). An
unknown applicant is an :class:`~reviewer.errors.InputError` and nothing is deleted, except that
``all_cache`` still deletes the whole cache (which may hold entries of an applicant purged before).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .cohort.locks import exclusive, pending_purges, set_pending_purges
from .cohort.texts import read_texts
from .errors import InputError, OutputError, ReviewerError
from .fsio import atomic_write_text, check_writable
from .store import DB_NAME, Store

COHORT_JSON = "cohort.json"
REPORT_FILES = ("index.html", "summary.csv")
CACHE_DIR = ".llm-cache"


@dataclass
class PurgeReport:
    """What was deleted, for the CLI to print."""

    applicant: str
    known: bool = True  # False: nothing was stored about the applicant (only --all-cache did something)
    rows: dict[str, int] = field(default_factory=dict)
    output_files: int = 0
    output_folder: Path | None = None
    cache_entries: int = 0
    cache_unknown: int = 0
    cache_folder_deleted: Path | None = None
    cohort_json: bool = False
    report: str = ""  # "rebuilt" | "deleted" | ""
    resumed: bool = False  # an interrupted purge of this applicant was finished

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.resumed:
            out.append("finished an interrupted purge")
        if not self.known:
            out.append("nothing is stored about this applicant")
        elif self.rows:
            rows = ", ".join(f"{n} {table}" for table, n in self.rows.items())
            out.append(f"review store: deleted {rows}")
        if self.known:
            if self.output_folder is not None:
                out.append(f"outputs: deleted {self.output_folder} ({self.output_files} file(s))")
            else:
                out.append("outputs: no output folder")
        if self.cache_folder_deleted is not None:
            out.append(f"model cache: deleted the whole cache folder {self.cache_folder_deleted}")
        elif self.known:
            out.append(f"model cache: deleted {self.cache_entries} entr{'y' if self.cache_entries == 1 else 'ies'}")
            if self.cache_unknown:
                out.append(f"model cache: {self.cache_unknown} entr{'y' if self.cache_unknown == 1 else 'ies'} of "
                           "unknown origin kept (use --all-cache to delete the whole cache)")
        if self.cohort_json:
            out.append(f"{COHORT_JSON}: removed the applicant")
        if self.report:
            out.append(f"cohort report: {self.report}")
        return out


@dataclass(frozen=True)
class Target:
    """Whom a purge is about: the id (None: unknown, for ``--all-cache`` alone), the display name, and
    whether an interrupted purge of it is being finished."""

    id: str | None
    name: str
    resumed: bool = False


def find_applicant(store: Store, query: str) -> str:
    """The applicant id matching ``query`` (id, folder name, then display name)."""
    match = store.find(query)
    if match is None:
        names = ", ".join(a[0] for a in store.applicants()[:20]) or "none"
        raise InputError(f"no applicant '{query}' in the review store", path=store.path.parent,
                         hint=f"known: {names}")
    return match[0]


def lookup(out: Path, query: str, *, all_cache: bool = False) -> Target:
    """Whom ``reviewer purge OUT QUERY`` would purge, read without writing (for the confirmation)."""
    _require_store(out)
    with Store.open(out, create=False, readonly=True) as store:
        return _target(store, out, query, all_cache)


def _require_store(out: Path) -> None:
    if not (out / DB_NAME).is_file():
        raise InputError("no review store here", path=out, hint="pass the --out folder of `reviewer batch`")


def _target(store: Store, out: Path, query: str, all_cache: bool) -> Target:
    pending = pending_purges(out)
    match = store.find(query)
    if match is not None:
        return Target(match[0], match[1], resumed=match[0] in pending)
    if query in pending:  # the store rows went last; only the note was left
        return Target(query, query, resumed=True)
    if all_cache:
        return Target(None, query)
    names = ", ".join(a[0] for a in store.applicants()[:20]) or "none"
    hint = f"known: {names}"
    if pending:
        hint += f"; an interrupted purge of {', '.join(pending)} is not finished: run it again"
    raise InputError(f"no applicant '{query}' in the review store", path=out, hint=hint)


def purge_applicant(out: Path, applicant: str, *, cache_dir: Path | None = None,
                    all_cache: bool = False) -> PurgeReport:
    """Delete ``applicant``'s data from the batch output folder ``out`` (see the module docstring)."""
    _require_store(out)
    cache = cache_dir if cache_dir is not None else out / CACHE_DIR
    with exclusive(out), Store.open(out, create=False) as store:
        target = _target(store, out, applicant, all_cache)
        if target.id is None:
            _preflight(out, None, cache, all_cache=True)
            report = PurgeReport(applicant, known=False)
            report.cache_folder_deleted = _delete_cache_folder(cache)
            return report
        ident = target.id
        folder = out / ident if _inside(out / ident, out) else None
        digests = store.text_digests(ident) | (read_texts(folder) if folder else set()) | _draft_digests(store, ident)
        _preflight(out, folder, cache, all_cache=all_cache)
        pending = pending_purges(out)
        set_pending_purges(out, [*pending, ident])
        report = PurgeReport(ident, resumed=target.resumed)
        if all_cache:
            report.cache_folder_deleted = _delete_cache_folder(cache)
        else:
            report.cache_entries, report.cache_unknown = _delete_cache_entries(cache, digests)
        report.cohort_json = _drop_from_cohort_json(out, ident)
        report.report = _refresh_report(out)
        report.output_folder, report.output_files = _delete_output_folder(folder)
        report.rows = store.delete_applicant(ident)
        set_pending_purges(out, [p for p in pending if p != ident])
    return report


def _inside(path: Path, out: Path) -> bool:
    return path.resolve().parent == out.resolve() and path.name not in ("", ".", "..")


def _draft_digests(store: Store, ident: str) -> set[str]:
    """Text digests of the applicant's drafts as they are now in the cohort folder(s) their batches read
    (what a cache entry written before the text index existed can only be found by)."""
    from .pipeline import folder_text_digests

    recorded = store.applicant(ident)
    key = recorded[1] if recorded else None
    if not key:
        return set()
    name = os.fsdecode(bytes.fromhex(key[1:])) if key.startswith("/") else key
    digests: set[str] = set()
    for cohort in store.cohorts(ident):
        folder = Path(cohort) / name
        if folder.is_dir():
            digests |= folder_text_digests(folder)
    return digests


# --- before deleting anything ----------------------------------------------------------------------------


def _preflight(out: Path, folder: Path | None, cache: Path, *, all_cache: bool) -> None:
    """Try every folder this purge deletes from; the first that refuses raises and nothing is deleted."""
    hint = "nothing was deleted: make it writable and run the same command again"
    places: list[Path] = [out]
    if folder is not None and folder.is_dir():
        places += _folders(folder)
    if all_cache:
        if cache.is_dir():
            places += [cache.parent, *_folders(cache)]
    elif (cache / "judgments").is_dir():
        places += _folders(cache / "judgments")
    for place in places:
        try:
            check_writable(place, create=False, doing="cannot delete here")
        except OutputError as exc:
            raise OutputError(exc.message, path=exc.path, hint=hint) from exc
    db = out / DB_NAME
    if not os.access(db, os.W_OK):
        raise OutputError("cannot delete here: the review store is read-only", path=db, hint=hint)


def _folders(root: Path) -> list[Path]:
    try:
        return [root, *sorted(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]
    except OSError as exc:
        raise OutputError.from_os(exc, root, doing="cannot read") from exc


# --- the steps, in order -----------------------------------------------------------------------------------


def _delete_cache_entries(cache: Path, digests: set[str]) -> tuple[int, int]:
    """(entries deleted, entries of unknown origin kept)."""
    if not (cache / "judgments").is_dir():
        return 0, 0
    from .llm.cache import JudgmentCache

    try:
        return JudgmentCache(cache).purge(digests)
    except OSError as exc:
        raise OutputError.from_os(exc, cache, doing="cannot delete") from exc


def _delete_cache_folder(cache: Path) -> Path | None:
    if not cache.is_dir():
        return None
    _rmtree(cache)
    return cache


def _drop_from_cohort_json(out: Path, ident: str) -> bool:
    from .cohort.summary import totals

    path = out / COHORT_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # unreadable: it may still name the applicant, and it is rebuilt by a batch
        _unlink(path)
        return True
    rows = data.get("applicants") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return False
    kept = [a for a in rows if not (isinstance(a, dict) and a.get("id") == ident)]
    if len(kept) == len(rows):
        return False
    data["applicants"] = kept
    data["totals"] = totals([a for a in kept if isinstance(a, dict)])
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return True


def _refresh_report(out: Path) -> str:
    """Rebuild the cohort report from ``cohort.json`` whenever it exists (an earlier purge may have been
    killed between the two), or delete it when it cannot be rebuilt."""
    existing = [out / name for name in REPORT_FILES if (out / name).is_file()]
    if not existing:
        return ""
    try:
        from .render.html import write_cohort_report

        write_cohort_report(out)
        return "rebuilt without the applicant"
    except ReviewerError:
        for p in existing:
            _unlink(p)
        return "deleted (the next `reviewer batch` rebuilds it)"


def _delete_output_folder(folder: Path | None) -> tuple[Path | None, int]:
    if folder is None or not folder.is_dir():
        return None, 0
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    _rmtree(folder)
    return folder, count


def _rmtree(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except OSError as exc:
        raise OutputError.from_os(exc, exc.filename or path, doing="cannot delete") from exc


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError.from_os(exc, path, doing="cannot delete") from exc


__all__ = ["PurgeReport", "Target", "find_applicant", "lookup", "purge_applicant"]
