"""What may be opened from an applicant's folder: regular files, and links to regular files inside it.

Folders come from applicants' shared drives and zip files, so an entry named ``additional_info.txt`` may be
a symbolic link to ``/etc/passwd`` or to another applicant's draft, a named pipe (FIFO: opening it blocks
until someone writes to it), a socket or a device. None of these is a document, and reading them would
copy whatever they point at into the feedback (and, with a model engine, send it to the model).

The rule, applied to every file ``reviewer`` reads (the folder listing, ``load_document``, the manifest):

* a regular file is read;
* a symbolic link is followed only when it resolves to a regular file inside the folder that holds the
  link (the resolved path is checked, so ``../`` and absolute targets, chains and loops are caught);
* anything else (a link out of the folder, a broken or looping link, a link to a folder, a FIFO, a
  socket, a device, a folder) is refused **without opening it**, with one line saying what it is and
  what to do.

:func:`entry_problem` decides from ``lstat`` alone (nothing is opened); :func:`open_regular` applies the
same rule and then opens with ``O_NOFOLLOW | O_NONBLOCK`` and checks the opened file again with ``fstat``,
so an entry swapped for a link or a FIFO between the check and the open is still refused, never followed
and never waited on.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from .errors import InputError

COPY_HINT = "copy the document itself into the folder"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class Problem(NamedTuple):
    """Why an entry is not read: a message and a hint (what to do), as an :class:`InputError` shows them."""

    message: str
    hint: str

    def error(self, path: Path | str) -> InputError:
        return InputError(self.message, path=path, hint=self.hint)


def _kind_of(mode: int) -> str | None:
    """A reader's name for a non-regular, non-link file type (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _special(kind: str) -> Problem:
    if kind == "a folder":
        return Problem("is a folder, not a document; not read",
                       "review the folder as an application, or move its documents into the applicant folder")
    return Problem(f"is {kind}, not a document; not opened", "replace it with the document itself")


def _inside(target: Path, folder: Path) -> bool:
    return target == folder or folder in target.parents


def resolve_link(path: Path) -> tuple[Path | None, Problem | None]:
    """Where the link ``path`` leads, when it may be followed: ``(target, None)``; else ``(None, problem)``.

    Followed only to a regular file inside the folder holding the link (both paths fully resolved)."""
    try:
        folder = path.parent.resolve(strict=True)
        target = path.resolve(strict=True)
        mode = os.stat(target, follow_symlinks=False).st_mode
    except (OSError, RuntimeError):  # missing target, or a loop (RuntimeError before Python 3.13)
        return None, Problem("is a broken link (its target is missing or the link loops); not read", COPY_HINT)
    if not _inside(target, folder):
        return None, Problem("is a link leading outside its folder; not followed", COPY_HINT)
    kind = _kind_of(mode)
    if kind is not None:
        return None, Problem(f"is a link to {kind}, not to a document; not followed", COPY_HINT)
    return target, None


def entry_problem(path: Path) -> Problem | None:
    """Why ``path`` may not be read (None when it may): decided from ``lstat``, without opening anything.

    A missing path is a problem too ("file not found")."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return Problem("file not found", "check the path and the file name")
    except OSError as err:
        return Problem(f"cannot read the file: {err.strerror or err}", "check the file's permissions")
    if stat.S_ISLNK(mode):
        return resolve_link(path)[1]
    kind = _kind_of(mode)
    return _special(kind) if kind is not None else None


def open_regular(path: Path) -> int:
    """A read-only file descriptor on ``path`` under the module's rule; :class:`InputError` otherwise.

    The caller owns (and closes) the descriptor. Errors of ``open`` itself (permission denied) propagate as
    :class:`OSError` for the caller to word."""
    problem = entry_problem(path)
    if problem is not None:
        raise problem.error(path)
    target, expected = path, None
    if os.path.islink(path):
        resolved, problem = resolve_link(path)
        if problem is not None or resolved is None:  # changed since entry_problem looked
            raise (problem or Problem("is a broken link; not read", COPY_HINT)).error(path)
        target, expected = resolved, os.stat(resolved, follow_symlinks=False)
    try:
        fd = os.open(target, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except OSError as err:
        if os.path.islink(target):  # swapped for a link after the check (ELOOP from O_NOFOLLOW)
            raise Problem("is a link that changed while being read; not followed", COPY_HINT).error(path) from err
        raise
    try:
        st = os.fstat(fd)
        kind = _kind_of(st.st_mode)
        if kind is not None:
            raise _special(kind).error(path)
        if expected is not None and (st.st_dev, st.st_ino) != (expected.st_dev, expected.st_ino):
            raise Problem("is a link that changed while being read; not followed", COPY_HINT).error(path)
    except BaseException:
        os.close(fd)
        raise
    return fd


__all__ = ["COPY_HINT", "Problem", "entry_problem", "open_regular", "resolve_link"]
