"""Atomic file output: write to a temporary file in the target folder, fsync, then rename.

A reader never sees a half-written review, and a crash leaves either the old file or the new one (the
data reaches the disk before the rename makes it visible). The writer refuses to replace a file that is
one of the run's inputs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
