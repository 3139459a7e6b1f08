"""One batch at a time per output folder, and no debris from a killed one.

OS file locks (``fcntl.flock``) are released by the kernel when their process dies, so a killed batch
never leaves a stale lock behind, unlike a lock file that must be deleted. Not POSIX: no locking.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError

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
    with (out / LOCK_NAME).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError("another batch is writing to this folder", path=out,
                              hint="wait for it to finish, or choose another --out") from None
        with (out / WORKERS_LOCK_NAME).open("a") as workers:
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
    for p in folder.glob(".*.tmp"):
        p.unlink(missing_ok=True)


