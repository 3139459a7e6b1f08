"""One error hierarchy for the whole package.

Library code raises these and never prints or exits; only ``cli.py`` maps them to messages and exit
codes. Every error carries structured fields (the file, a line, a criterion) and knows how to show
itself in one line that names the file and says what to do.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path


def printable(text: str) -> str:
    """``text`` safe to show in a terminal or a report: control and format characters (terminal escapes,
    newlines, bidi overrides) become visible ``\\xNN``/``\\uNNNN`` escapes; everything else is kept.

    File and folder names come from applicants' shared drives and may contain anything."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable() or (c == " ") or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"):
            out.append(c)
        else:
            out.append(c.encode("unicode_escape").decode("ascii"))
    return "".join(out)


MAX_NAME = 120  # characters of a display name (an applicant's, a folder's) shown or stored anywhere


def short_name(name: str, limit: int = MAX_NAME) -> str:
    """``name`` as a display name: whitespace runs folded to one space, undecodable bytes from a file
    system (lone surrogates) replaced by U+FFFD, and at most ``limit`` characters (the last one an ellipsis).

    Names come from ``application.yaml`` and folder names, which can be any size: a megabyte-long
    ``applicant:`` must not become a megabyte in every table, page, CSV row and terminal line."""
    text = " ".join(name.split())
    if not text.isprintable():  # lone surrogates cannot be stored (SQLite, JSON) or printed
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class ReviewerError(Exception):
    """Base class. ``str(err)`` is the one-line message a user sees."""

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{printable(self.path)}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{tail}"


class InputError(ReviewerError):
    """A document cannot be read: missing, unsupported, corrupt, encrypted, empty, badly encoded."""

    exit_code = 2


class KindError(InputError):
    """The document kind cannot be determined or is unknown."""


class RubricError(ReviewerError):
    """A rubric file is invalid. ``line`` points into the YAML source when known."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        criterion: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.line = line
        self.criterion = criterion
        super().__init__(message, path=path, hint=hint)

    def render(self) -> str:
        where = ""
        if self.path:
            path = printable(self.path)
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        crit = f"criterion '{self.criterion}': " if self.criterion else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{crit}{self.message}{tail}"


class ConfigError(ReviewerError):
    """Settings (reviewer.toml, REVIEWER_* variables, flags, manifest) are invalid."""

    exit_code = 3


class OutputError(ReviewerError):
    """An output cannot be written (or would overwrite an input).

    ``errno`` is the system's error number when a file operation failed; :attr:`fatal` says the whole disk
    refuses (full, or read-only), so every other output would fail the same way: a batch stops at once
    instead of failing each document in turn."""

    exit_code = 4
    errno: int | None = None

    @classmethod
    def from_os(cls, exc: OSError, path: Path | str | None = None, *, doing: str = "cannot write") -> OutputError:
        """One line for a failed file operation: what failed, on which path, and the system's reason
        (``No space left on device``, ``Read-only file system``...), never a traceback."""
        where = path if path is not None else exc.filename
        reason = exc.strerror or type(exc).__name__
        err = cls(f"{doing}: {reason}", path=where, hint=_os_hint(exc))
        err.errno = exc.errno
        return err

    @property
    def fatal(self) -> bool:
        import errno

        return self.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def _os_hint(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "free some disk space and run again"
    if exc.errno == errno.EROFS:
        return "the disk is mounted read-only: choose a writable folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "check the folder's permissions"
    if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        return "a file or folder of that name is in the way: move it"
    return "check that the folder is writable and the disk is not full"


class StoreError(OutputError):
    """The review store (``reviewer.sqlite``) cannot be used: empty, truncated, damaged, or on a disk that
    refuses writes. It is never replaced silently: its revision history is the point of keeping it."""
