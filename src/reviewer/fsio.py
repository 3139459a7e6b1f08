"""Atomic file output: write to a temporary file in the target folder, fsync, then rename.

A reader never sees a half-written review, and a crash leaves either the old file or the new one. The
writer refuses to replace a file that is one of the run's inputs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from .errors import OutputError


def atomic_write_bytes(path: Path, data: bytes, *, protect: Iterable[Path] = ()) -> None:
    _atomic(path, lambda fh: fh.write(data), protect)


def atomic_write_text(path: Path, text: str, *, protect: Iterable[Path] = ()) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), protect=protect)


def atomic_save(path: Path, save: Callable[[Path], None], *, protect: Iterable[Path] = ()) -> None:
    """For libraries that save to a path (python-docx): save to a temp path, then rename."""
    _guard(path, protect)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _guard(path: Path, protect: Iterable[Path]) -> None:
    target = path.resolve()
    for p in protect:
        if p.exists() and p.resolve() == target:
            raise OutputError("refusing to overwrite an input file", path=path,
                              hint="choose another --out folder")


def _atomic(path: Path, write: Callable[[IO[bytes]], object], protect: Iterable[Path]) -> None:
    _guard(path, protect)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
