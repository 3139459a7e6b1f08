"""The one listing of an applicant folder: which entries are its documents, and which are not read and why.

Every command that looks into an applicant folder (``reviewer review``, the cohort planner and its
workers, dry runs) lists it here, so they agree on what a folder holds.

* **Documents**: entries with a suffix ``reviewer`` reads (:data:`~reviewer.ingest.SUPPORTED_SUFFIXES`) or a
  word-processor suffix it cannot read (:data:`UNREADABLE_DOCUMENT_SUFFIXES`: listed so that reading them
  fails with a line saying how to convert them, rather than being skipped in silence), that are regular
  files or links to regular files inside the folder (:mod:`reviewer.safeopen`).
* **Not read, with a reason** (:attr:`FolderListing.skipped`): entries named like a document that are
  something else: a link out of the folder, a broken or looping link, a link to a folder, a FIFO, a
  socket, a device, a folder. Nothing is opened to find out (``lstat`` only). Each becomes one line naming
  the entry and what to do, reported with the folder's unreadable documents.
* **Ignored**: hidden files (``.name``), Word lock files (``~$name``), the manifest (read by
  :func:`reviewer.kinds.load_manifest`), this tool's own outputs (``*.review.*``), READMEs and files of
  other types (images, spreadsheets).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..kinds import MANIFEST, Manifest
from ..safeopen import entry_problem
from . import SUPPORTED_SUFFIXES

REVIEW_SUFFIX = ".review"  # outputs are <stem>.review.<format>: never inputs
# Word-processor files we cannot read: listed (as failures saying how to convert them), not skipped in silence:
# an applicant who saved a statement as .doc must hear that it was not reviewed.
UNREADABLE_DOCUMENT_SUFFIXES = frozenset({".doc", ".rtf", ".odt", ".pages", ".wps", ".dotx", ".docb"})
_README = frozenset({"readme.md", "readme.txt"})


@dataclass(frozen=True)
class Skipped:
    """An entry named like a document that is not read: ``error`` is its one line (file, what, what to do)."""

    path: Path
    error: str


@dataclass(frozen=True)
class FolderListing:
    documents: tuple[Path, ...]
    skipped: tuple[Skipped, ...]


def _ignored(name: str) -> bool:
    return (name.startswith((".", "~$")) or name == MANIFEST or REVIEW_SUFFIX + "." in name
            or name.lower() in _README)


def _document_like(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in SUPPORTED_SUFFIXES or suffix in UNREADABLE_DOCUMENT_SUFFIXES


def list_folder(folder: Path) -> FolderListing:
    """The documents of ``folder`` in name order, and the document-named entries that are not read."""
    documents: list[Path] = []
    skipped: list[Skipped] = []
    for path in sorted(folder.iterdir()):
        if _ignored(path.name) or not _document_like(path):
            continue
        problem = entry_problem(path)
        if problem is None:
            documents.append(path)
        else:
            skipped.append(Skipped(path, str(problem.error(path))))
    return FolderListing(tuple(documents), tuple(skipped))


def folder_problems(folder: Path, listing: FolderListing, manifest: Manifest | None) -> list[tuple[str, str]]:
    """``(entry name, error line)`` for every entry not read and every document the manifest lists that the
    folder lacks (a listed entry that is not read is reported once, for what it is)."""
    problems = [(s.path.name, s.error) for s in listing.skipped]
    if manifest is not None:
        present = {p.name for p in listing.documents} | {s.path.name for s in listing.skipped}
        problems.extend((name, f"{folder / name}: listed in {MANIFEST} but not found")
                        for name in manifest.documents if name not in present)
    return problems


__all__ = ["REVIEW_SUFFIX", "UNREADABLE_DOCUMENT_SUFFIXES", "FolderListing", "Skipped", "folder_problems",
           "list_folder"]


def refuse_linked_applicant(folder: Path) -> None:
    """An applicant folder of a cohort that is a link may lead anywhere (another cohort, a home folder): it is
    never followed, by the batch, its dry run, its export or its program plans."""
    if folder.is_symlink():
        raise InputError("is a link to a folder; an applicant folder is not followed through a link",
                         path=folder, hint="move or copy the applicant's folder itself into the cohort")
