"""Applicant identity: which id (and output folder ``OUT/<id>/``) each cohort folder gets, for good.

An id is the key of an applicant's whole revision history: two different folders sharing one would show
one student's drafts as another's "since your last draft". So ids are never derived from a folder's
position among the others, and never handed to a second folder:

* A folder the store already knows (by its exact name, :meth:`reviewer.store.Store.folders`) keeps its id.
* A new folder whose name is already a safe id (letters, digits, ``-``, ``_``, ``.``; not one of the
  output folder's own files) gets its name, unless that id is taken, also by case only (an output folder
  on macOS or Windows could not hold both).
* Any other new folder gets ``<safe name>+<hash>``: the ``+`` never occurs in a safe name, and the hash
  (8 hex digits of the name's sha256, longer only where two names' hashes share a prefix) depends on the
  folder's exact name alone. ``Maria Garcia`` is ``Maria_Garcia+5b90c1f8``, never ``Maria_Garcia``.

Choices among new folders are symmetric (a candidate another new folder could also take is taken by
neither), so the ids do not depend on which folder is listed first, nor on whether two clashing folders
arrive in the same run or in different ones; an existing applicant keeps the id it has.

Stores written before folders were recorded (schema 1) have ids without a folder. Such an id is claimed
by the folder that the old naming gave it, but only where that was unambiguous (no other folder of the
cohort has the same safe name); otherwise its history is left alone and the folders get new ids.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..store import DB_NAME

SEPARATOR = "+"
MAX_BASE = 100  # characters of the safe name in an id (the hash comes on top)
HASH_LENGTHS = (8, 16, 32, 64)
# Names an applicant id may not take: the output folder's own files (an applicant folder named
# "reviewer.sqlite" must not be written over the store).
RESERVED = frozenset(n.casefold() for n in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal",
                                            "cohort.json", "index.html", "summary.csv"))


def folder_key(folder: Path | str) -> str:
    """The exact name of an applicant folder as the store records it. A name that is not valid UTF-8 (a
    Linux file system allows any bytes) is recorded as ``/`` and the hex of its bytes: ``/`` cannot occur
    in a file name, so no real name can collide with it."""
    name = folder.name if isinstance(folder, Path) else folder
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return "/" + os.fsencode(name).hex()


def safe_name(name: str) -> str:
    """Letters and digits of any script, ``-``, ``_`` and ``.`` kept; every other character becomes ``_``;
    no leading or trailing ``.`` or ``_``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")


def is_plain(name: str) -> bool:
    """Can this folder name be an id as it is?"""
    return bool(name) and safe_name(name) == name and len(name) <= MAX_BASE and name.casefold() not in RESERVED


def candidates(name: str) -> list[str]:
    """The ids a new folder of this name may take, in order of preference."""
    digest = hashlib.sha256(folder_key(name).encode("utf-8")).hexdigest()
    base = safe_name(name)[:MAX_BASE].strip("._") or "applicant"
    plain = [name] if is_plain(name) else []
    return plain + [f"{base}{SEPARATOR}{digest[:n]}" for n in HASH_LENGTHS]


def legacy_id(folder: Path) -> str:
    """The id a schema-1 store gave a folder that shared its safe name with no other folder."""
    return safe_name(folder.resolve().name) or "applicant"


def assign_ids(folders: Sequence[Path], known: Mapping[str, str | None]) -> dict[Path, str]:
    """An id per folder (see the module docstring). ``known``: the store's ids and their folders."""
    by_key = {key: ident for ident, key in known.items() if key is not None}
    keys = {f: folder_key(f) for f in folders}
    ids: dict[Path, str] = {f: by_key[keys[f]] for f in folders if keys[f] in by_key}
    legacy = {ident for ident, key in known.items() if key is None}
    if legacy:
        ids.update(_legacy_claims([f for f in folders if f not in ids], folders, legacy))
    taken = {ident.casefold() for ident in known} | {i.casefold() for i in ids.values()} | RESERVED
    new = [f for f in folders if f not in ids]
    options = {f: candidates(f.name) for f in new}
    wanted: dict[str, int] = {}
    for f in new:
        for c in {c.casefold() for c in options[f]}:
            wanted[c] = wanted.get(c, 0) + 1
    for f in new:
        free = [c for c in options[f] if c.casefold() not in taken and wanted[c.casefold()] == 1]
        ids[f] = free[0] if free else _last_resort(f.name, taken)
        taken.add(ids[f].casefold())
    return {f: ids[f] for f in folders}


def _legacy_claims(folders: Sequence[Path], everyone: Sequence[Path], legacy: set[str]) -> dict[Path, str]:
    """Schema-1 ids claimed by ``folders`` (of ``everyone`` in the cohort) that the old naming gave them,
    where that naming was unambiguous."""
    by_safe: dict[str, list[Path]] = {}
    for f in everyone:
        by_safe.setdefault(legacy_id(f).casefold(), []).append(f)
    claims: dict[Path, str] = {}
    for f in folders:
        ident = legacy_id(f)
        if ident in legacy and len(by_safe[ident.casefold()]) == 1:
            claims[f] = ident
    return claims


def _last_resort(name: str, taken: set[str]) -> str:
    """Every candidate taken (a deliberate clash with a 64-digit hash): number the full-hash id."""
    base = candidates(name)[-1]
    n = 2
    while f"{base}-{n}".casefold() in taken:
        n += 1
    return f"{base}-{n}"


__all__ = ["RESERVED", "SEPARATOR", "assign_ids", "candidates", "folder_key", "is_plain", "safe_name"]
