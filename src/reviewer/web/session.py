"""Web sessions: who is using the page, what they uploaded, which rounds they reviewed, and when it all goes.

A session is one browser's work: the documents it staged, each review round with its feedback files, the
review running now (a :class:`Job`), the one-line errors still to show, and a per-session CSRF token. Its
files live in one private temporary folder (``mkdtemp``: mode 0700) under the server's own temporary root.

Nothing outlives the session: :meth:`SessionStore.sweep` deletes every session idle for longer than the
timeout (folder included), :meth:`SessionStore.close` deletes the whole root when the server stops. The only
copy that stays is the one a user asks for by naming an output folder.

This module knows nothing of HTTP: the app maps a cookie to :meth:`SessionStore.get`.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..document import DocKind

if TYPE_CHECKING:
    from ..pipeline import FolderResult

IDLE_TIMEOUT = 30 * 60.0  # seconds without a request before a session and its files are deleted
MAX_SESSIONS = 100  # one person uses a handful; past this the least recently used idle ones go


def new_token() -> str:
    """A random, URL-safe secret (256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass
class Staged:
    """A document waiting for the next review: its file in the session's ``staged/`` folder and its kind
    (None until guessed or chosen)."""

    id: str
    name: str  # the file's (safe) name, also its name in the review and in its feedback files
    shown: str  # how the page calls it: the uploaded file's name, or "Pasted text"
    kind: DocKind | None


@dataclass
class Round:
    """One review of the session's documents; round 2 and later compare each revised draft with its previous
    round."""

    number: int
    folder: Path  # round-N/: documents/ (the reviewed files) and feedback/ (what the page offers to download)
    kinds: dict[str, DocKind]  # document name -> kind
    shown: dict[str, str]  # document name -> how the page calls it
    engine: str  # which engine judged, in words
    result: FolderResult | None = None
    downloads: dict[str, dict[str, str]] = field(default_factory=dict)  # document name (or "") -> format -> file
    revised: tuple[str, ...] = ()  # the documents that came with a new draft in this round
    previous: dict[str, str] = field(default_factory=dict)  # revised document -> its previous draft's sha256
    added: tuple[str, ...] = ()  # documents first reviewed in this round, after an earlier round
    saved_to: Path | None = None
    problems: list[str] = field(default_factory=list)  # one-line errors of this round (an output folder...)

    @property
    def documents(self) -> Path:
        return self.folder / "documents"

    @property
    def feedback(self) -> Path:
        return self.folder / "feedback"


@dataclass
class Job:
    """A review running for a session, and how far it got (model calls answered of those planned)."""

    round: int
    engine: str
    planned: int = 0
    answered: int = 0
    state: str = "running"  # running | done | failed
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def call_answered(self) -> None:
        with self._lock:
            self.answered += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {"state": self.state, "round": self.round, "engine": self.engine, "planned": self.planned,
                    "answered": min(self.answered, self.planned) if self.planned else self.answered,
                    "error": self.error}


@dataclass
class Session:
    id: str  # the cookie's value
    csrf: str
    folder: Path
    last_seen: float
    staged: list[Staged] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    job: Job | None = None
    flash: list[str] = field(default_factory=list)  # one-line errors to show on the next page
    options: dict[str, str] = field(default_factory=dict)  # the review form's last choices (target, engine...)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def staging(self) -> Path:
        return self.folder / "staged"

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.state == "running"

    @property
    def documents(self) -> list[str]:
        """The application's documents so far: the latest round's, then the staged ones."""
        latest = list(self.rounds[-1].kinds) if self.rounds else []
        return latest + [s.name for s in self.staged]

    def round(self, number: int) -> Round | None:
        return next((r for r in self.rounds if r.number == number), None)

    def take_flash(self) -> list[str]:
        with self.lock:
            out, self.flash = self.flash, []
            return out


class SessionStore:
    """Every live session, under one temporary root that :meth:`close` removes."""

    def __init__(self, *, idle_timeout: float = IDLE_TIMEOUT, parent: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reviewer-web-", dir=parent))
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.closed = False

    def create(self) -> Session:
        """A new session; when :data:`MAX_SESSIONS` are live, the least recently used ones without a running review
        go first."""
        with self._lock:
            live = sorted((s for s in self._sessions.values() if not s.busy), key=lambda s: s.last_seen)
            evict = live[: max(0, len(self._sessions) + 1 - MAX_SESSIONS)]
        for old in evict:
            self.remove(old)
        folder = Path(tempfile.mkdtemp(prefix="s-", dir=self.root))
        session = Session(id=new_token(), csrf=new_token(), folder=folder, last_seen=self.clock())
        session.staging.mkdir()
        with self._lock:
            self._sessions[session.id] = session
        return session

    def get(self, token: str | None) -> Session | None:
        """The live session of ``token`` (its idle clock restarts), or None."""
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
        if session is None:
            return None
        if self._idle(session, self.clock()):
            self.remove(session)
            return None
        session.last_seen = self.clock()
        return session

    def _idle(self, session: Session, now: float) -> bool:
        return not session.busy and now - session.last_seen > self.idle_timeout

    def sweep(self) -> int:
        """Delete every session idle past the timeout (a session whose review still runs is kept); returns how
        many went."""
        now = self.clock()
        with self._lock:
            idle = [s for s in self._sessions.values() if self._idle(s, now)]
        for session in idle:
            self.remove(session)
        return len(idle)

    def remove(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)
        shutil.rmtree(session.folder, ignore_errors=True)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def close(self) -> None:
        """Forget every session and delete the temporary root with all their files."""
        with self._lock:
            self._sessions.clear()
            self.closed = True
        shutil.rmtree(self.root, ignore_errors=True)


class Sweeper:
    """A daemon thread that calls :meth:`SessionStore.sweep` every ``every`` seconds until stopped."""

    def __init__(self, store: SessionStore, every: float) -> None:
        self.store = store
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reviewer-web-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.store.sweep()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


__all__ = ["IDLE_TIMEOUT", "MAX_SESSIONS", "Job", "Round", "Session", "SessionStore", "Staged", "Sweeper", "new_token"]
