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
    """An output cannot be written (or would overwrite an input)."""

    exit_code = 4
