"""Atomic file output: write to a temporary file in the target folder, fsync, then rename.

A reader never sees a half-written review, and a crash leaves either the old file or the new one (the
data reaches the disk before the rename makes it visible). The writer refuses to replace a file that is
one of the run's inputs.

Every failure of the file system (disk full, read-only disk, a folder where a file should go) comes out
as one :class:`~reviewer.errors.OutputError` naming the path, never as a bare ``OSError``.
:func:`check_writable` tries a folder up front, for callers that must not start what they cannot finish
(a purge, a model cache).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

from .errors import OutputError


def atomic_write_bytes(path: Path, data: bytes, *, protect: Iterable[Path] = ()) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    _atomic(path, write, protect, synced=True)


def atomic_write_text(path: Path, text: str, *, protect: Iterable[Path] = ()) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), protect=protect)


def atomic_save(path: Path, save: Callable[[Path], None], *, protect: Iterable[Path] = ()) -> None:
    """For writers that save to a path (python-docx, streamed reports): ``save(tmp)``, fsync, rename."""
    _atomic(path, save, protect, synced=False)


def _guard(path: Path, protect: Iterable[Path]) -> None:
    """Refuse when ``path`` is (or links to) one of the ``protect`` files. Nothing there yet is the usual
    case and needs one stat; otherwise files are compared by identity (device, inode), not by name."""
    try:
        target = os.stat(path)
    except FileNotFoundError:
        return
    except OSError:  # unreadable: the write itself will say what is wrong
        return
    for p in protect:
        try:
            st = os.stat(p)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            raise OutputError("refusing to overwrite an input file", path=path, hint="choose another --out folder")


def _atomic(path: Path, write: Callable[[Path], None], protect: Iterable[Path], *, synced: bool) -> None:
    _guard(path, protect)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError.from_os(exc, path) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if not synced:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise OutputError.from_os(exc, path) from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: Path) -> None:
    with suppress(OSError):  # the folder went read-only under us: the next run's sweep removes it
        tmp.unlink(missing_ok=True)


def make_dirs(folder: Path) -> None:
    """``mkdir -p`` that fails as an :class:`OutputError` naming the folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.from_os(exc, folder, doing="cannot create the folder") from exc


def check_writable(folder: Path, *, create: bool = True, doing: str = "cannot write here") -> None:
    """Raise :class:`OutputError` unless a file can be created and deleted in ``folder`` (created first
    when ``create``). Permission bits do not answer this for root or on a read-only mount: trying does."""
    if create:
        make_dirs(folder)
    try:
        fd, name = tempfile.mkstemp(prefix=".reviewer-probe.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError.from_os(exc, folder, doing=doing) from exc
