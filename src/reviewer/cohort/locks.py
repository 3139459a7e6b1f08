"""One batch (or purge) at a time per output folder, and no debris from a killed one.

OS file locks (``fcntl.flock``) are released by the kernel when their process dies, so a killed batch
never leaves a stale lock behind, unlike a lock file that must be deleted. Not POSIX: no locking.

``reviewer purge`` holds the same lock from its first look at the store to its last deletion, and notes
the applicants it is purging in ``.reviewer-purge.json`` until it is done: a batch refuses to start while
a purge that was interrupted is unfinished (it would bring back what was half deleted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from ..fsio import atomic_write_text

_HELD: list[IO[Any]] = []  # a worker's lock file stays open (and locked) until the process ends

LOCK_NAME = ".reviewer.lock"

WORKERS_LOCK_NAME = ".reviewer.workers.lock"

ORPHAN_WAIT_SECONDS = 30.0


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One batch at a time per output folder, with OS locks (released by the OS when a process dies).

    ``.reviewer.lock`` is held by the batch process. ``.reviewer.workers.lock`` is held shared by its
    workers: a worker orphaned by a killed batch may finish a write for up to ``PARENT_POLL_SECONDS``,
    so a new batch waits for that lock to be free before it sweeps temporary files and starts.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no locks
        yield
        return
    try:
        fh = (out / LOCK_NAME).open("a")
    except OSError as exc:
        raise OutputError.from_os(exc, out, doing="cannot lock the output folder") from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError("another batch or purge is writing to this folder", path=out,
                              hint="wait for it to finish, or choose another --out") from None
        try:
            workers = (out / WORKERS_LOCK_NAME).open("a")
        except OSError as exc:
            raise OutputError.from_os(exc, out, doing="cannot lock the output folder") from exc
        with workers:
            deadline = time.monotonic() + ORPHAN_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(workers, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError("workers of an earlier batch are still writing to this folder",
                                          path=out, hint="wait a moment and run again") from None
                    time.sleep(0.05)
            fcntl.flock(workers, fcntl.LOCK_UN)
        yield


def hold_shared(path: Path) -> None:
    """In a worker: hold the workers' lock shared for the life of the process."""
    try:
        import fcntl
    except ImportError:
        return
    fh = path.open("a")
    fcntl.flock(fh, fcntl.LOCK_SH)
    _HELD.append(fh)


def sweep(folder: Path) -> None:
    """Remove temporary files a killed run left behind (atomic writes name them ``.<name>.<random>.tmp``)."""
    try:
        for p in folder.glob(".*.tmp"):
            p.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError.from_os(exc, folder, doing="cannot remove temporary files") from exc


PURGE_MARKER = ".reviewer-purge.json"


def pending_purges(out: Path) -> list[str]:
    """Applicant ids whose purge started in ``out`` and has not finished."""
    try:
        data = json.loads((out / PURGE_MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return ["(unreadable purge note)"]
    ids = data.get("pending") if isinstance(data, dict) else None
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def set_pending_purges(out: Path, ids: list[str]) -> None:
    """Record the unfinished purges (none: the note is deleted)."""
    path = out / PURGE_MARKER
    if ids:
        atomic_write_text(path, json.dumps({"pending": sorted(set(ids))}) + "\n")
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError.from_os(exc, path, doing="cannot delete") from exc


def refuse_pending_purge(out: Path) -> None:
    """Raise :class:`OutputError` when a purge was interrupted in ``out``."""
    pending = pending_purges(out)
    if pending:
        raise OutputError(f"a purge of {', '.join(pending)} was interrupted here and is not finished", path=out,
                          hint=f"finish it first: reviewer purge {out} {pending[0]} --yes")


