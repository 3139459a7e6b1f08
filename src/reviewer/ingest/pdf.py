"""PDF ingest with pypdf: text PDFs only.

A PDF has no paragraphs, only positioned lines, so they are rebuilt by a heuristic over pypdf's plain
extraction: a blank line ends a paragraph; otherwise a line ends one when it ends in sentence
punctuation and is clearly shorter than the page's typical line (the ragged last line of a paragraph),
or when the next line starts with a bullet. A line-end hyphen between lowercase letters is a word
split and is joined. Lines that are only a page number ("3", "Page 3 of 4") are dropped. Paragraphs may
continue across pages.

Scanned PDFs (no text layer) are rejected rather than reviewed as empty; encrypted PDFs are opened
only when they need no password (permissions-only encryption), otherwise rejected. At most
:data:`MAX_PAGES` pages are read: application documents are one or two pages, so a longer file is
almost certainly the wrong one.

pypdf is pure Python and a hostile content stream can keep it busy for minutes, so extraction runs under
a time budget (:data:`TIME_LIMIT` seconds for the whole file) and a text budget
(:data:`~reviewer.ingest.memory.MAX_TEXT_CHARS`). A thread cannot be killed and a subprocess per PDF
would cost more than most extractions, so the budget is enforced in-process, twice over: the elapsed
time and the characters so far are checked between pages, and, when the call runs in the main thread
(the CLI and the batch workers) with no interval timer already set, ``SIGALRM`` interrupts a single page
that runs past the deadline. Either way the file fails with one line ("took too long to read").
Decompression bombs inside the PDF are bounded by pypdf's own stream limits, lowered to
:data:`STREAM_LIMIT` while reading (``LimitReachedError``, reported as "expands to an implausible size").
"""

from __future__ import annotations

import logging
import re
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..document import DocKind, Document, SourceFormat
from ..errors import InputError
from ..segment import RawBlock, normalise_block_text
from .memory import MAX_TEXT_CHARS, assemble, too_much_text

MAX_PAGES = 50
TIME_LIMIT = 5.0  # seconds for opening and extracting one PDF (a real 50-page PDF takes ~2 s)
SLOW_HINT = "export the PDF again (Print to PDF), or use the .docx"
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[•▪◦●■\-*–]|\d{1,2}[.)])\s+")
_ENDS_SENTENCE = re.compile(r"[.!?:][\"'”’)\]]*$")
_SPLIT_WORD = re.compile(r"[a-z]-$")


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's repair warnings while reading; a damaged file becomes an InputError instead.

    pypdf logs to ``logging`` and, with no handler configured, Python prints warnings to stderr; library
    code must not print. The level is restored afterwards.
    """
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


STREAM_LIMIT = 16 * 1024 * 1024  # bytes one decompressed PDF stream may produce (pypdf's default is 75 MB)
_PYPDF_LIMITS = ("zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
                 "brotli_maximum_output_length", "array_based_stream_maximum_output_length",
                 "maximum_declared_stream_length")


@contextmanager
def _stream_limits() -> Iterator[None]:
    """Tighten pypdf's decompression limits to :data:`STREAM_LIMIT` while reading, through pypdf's
    context-local ``apply_configuration`` (pypdf 7+); older pypdf keeps its own defaults."""
    import pypdf

    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:
        yield
        return
    current = pypdf.get_configuration()
    overwrites = {name: min(getattr(current, name), STREAM_LIMIT) for name in _PYPDF_LIMITS if hasattr(current, name)}
    with apply(**overwrites):
        yield


def _open(data: bytes, path: Path) -> Any:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as err:  # pypdf raises several types (DependencyError, PdfReadError)
                raise InputError(
                    "password-protected PDF",
                    path=path,
                    hint="save a copy without a password, or use the .docx",
                ) from err
            if not ok:
                raise InputError(
                    "password-protected PDF",
                    path=path,
                    hint="save a copy without a password, or use the .docx",
                )
        pages = len(reader.pages)
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise InputError("damaged PDF", path=path, hint="export the PDF again, or use the .docx") from err
    if pages > MAX_PAGES:
        raise InputError(
            f"PDF has {pages} pages, more than the limit of {MAX_PAGES}",
            path=path,
            hint="export only the document to review",
        )
    return reader


class _Deadline(BaseException):
    """Raised by the alarm handler inside pypdf when the time budget is spent (a BaseException, so pypdf's
    own ``except Exception`` fallbacks cannot swallow it)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the enclosed code with :class:`_Deadline` after ``seconds`` (main thread, POSIX, no timer in
    use); elsewhere a no-op and the between-page checks alone bound the time."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def _fire(signum: int, frame: Any) -> None:
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _too_slow(path: Path) -> InputError:
    return InputError(f"PDF took too long to read (over {TIME_LIMIT:g} s)", path=path, hint=SLOW_HINT)


def _page_lines(reader: Any, path: Path, deadline: float) -> list[str]:
    lines: list[str] = []
    chars = 0
    for page in reader.pages:
        if time.monotonic() > deadline:
            raise _too_slow(path)
        try:
            text = page.extract_text() or ""
        except _Deadline:
            raise
        except Exception as err:  # pypdf surfaces content-stream damage as assorted exceptions
            if type(err).__name__ == "LimitReachedError":  # pypdf's own decompression limit
                raise InputError(
                    "PDF page expands to an implausible size", path=path, hint=SLOW_HINT
                ) from err
            raise InputError(
                "damaged PDF: a page cannot be read", path=path, hint="export the PDF again, or use the .docx"
            ) from err
        chars += len(text)
        if chars > MAX_TEXT_CHARS:
            raise too_much_text(path, chars)
        page_lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        lines.extend(ln for ln in page_lines if not _PAGE_NUMBER.match(ln.strip()))
    return lines


def paragraphs_from_lines(lines: list[str]) -> list[str]:
    """Rebuild paragraphs from extracted lines (rules in the module docstring)."""
    widths = [len(ln.strip()) for ln in lines if ln.strip()]
    typical = statistics.median(sorted(widths)[len(widths) // 2 :]) if widths else 0
    paras: list[str] = []
    buf = ""
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            if buf:
                paras.append(buf)
            buf = ""
            continue
        if buf and _BULLET.match(line):
            paras.append(buf)
            buf = ""
        if buf and _SPLIT_WORD.search(buf) and line[:1].islower():
            buf = buf[:-1] + line
        else:
            buf = f"{buf} {line}" if buf else line
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _ENDS_SENTENCE.search(line) and (len(line) < 0.8 * typical or not nxt):
            paras.append(buf)
            buf = ""
    if buf:
        paras.append(buf)
    return [normalise_block_text(p) for p in paras if p.strip()]


def load_pdf(path: Path, kind: DocKind, data: bytes, sha256: str) -> Document:
    """A :class:`Document` from a text PDF's bytes (already preflighted)."""
    deadline = time.monotonic() + TIME_LIMIT
    try:
        with _quiet_pypdf(), _stream_limits(), _alarm(TIME_LIMIT):
            reader = _open(data, path)
            lines = _page_lines(reader, path, deadline)
    except _Deadline as err:
        raise _too_slow(path) from err
    paras = paragraphs_from_lines(lines)
    if not paras:
        raise InputError("no text layer (scanned?)", path=path, hint="export the text or use the .docx")
    blocks = [RawBlock(p) for p in paras]
    return assemble(
        path=path,
        kind=kind,
        source_format=SourceFormat.PDF,
        sha256=sha256,
        blocks=blocks,
        metadata={"pages": str(len(reader.pages))},
    )
