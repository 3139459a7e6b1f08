"""The document model: pure data with character offsets back to the source.

Every ingest module produces a :class:`Document`. ``text`` is the *visible* text only (hidden runs
are listed in ``hidden`` and never reviewed). Blocks are paragraphs (or table cells, text-box
paragraphs, list items) joined by ``BLOCK_SEPARATOR``; sentence offsets are global offsets into
``text``. For DOCX sources each block's ``locator`` is the ordinal of its ``w:p`` element in
document order (see :mod:`reviewer.docx_xml`), so a renderer can find the runs again.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

BLOCK_SEPARATOR = "\n\n"


class DocKind(StrEnum):
    PERSONAL_STATEMENT = "personal_statement"
    EXPERIENCE = "experience"
    ADDITIONAL_INFO = "additional_info"
    INTERVIEW_ANSWER = "interview_answer"


class SourceFormat(StrEnum):
    DOCX = "docx"
    TEXT = "txt"
    MARKDOWN = "md"
    PDF = "pdf"
    ENTRIES = "entries"  # structured experience entries (.yaml/.json/.csv)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Block(Frozen):
    """A paragraph-like unit of visible text."""

    index: int
    start: int
    end: int
    text: str
    heading: bool = False
    where: str = "body"  # body | table | textbox | header | footer | footnote
    locator: int | None = None  # DOCX: ordinal of the w:p element in document order


class Sentence(Frozen):
    index: int
    block: int
    start: int
    end: int
    text: str
    digest: str


class HiddenSpan(Frozen):
    """Text present in the file but not shown to a reader; excluded from review."""

    text: str
    reason: str  # vanish | white | tiny
    where: str  # human-readable location, e.g. "paragraph 3"
    block_locator: int | None = None


class Story(Frozen):
    """Text of a part of the file that is not the reviewed text: a header, footer, footnote, endnote or comment.

    Never reviewed and never sent to a model; kept only so integrity checks can search it for instructions
    to an automated reader."""

    text: str
    where: str  # human-readable, e.g. "footnote 2", "header", "comment 1"


class Entry(Frozen):
    """One ERAS experience entry. ``start``/``end`` are offsets of the description in ``Document.text``."""

    index: int
    title: str
    organization: str | None = None
    role: str | None = None
    start_month: str | None = None  # YYYY-MM
    end_month: str | None = None  # YYYY-MM, None = ongoing / unknown
    hours: float | None = None
    description: str
    start: int
    end: int


class Document(Frozen):
    path: str
    kind: DocKind
    source_format: SourceFormat
    sha256: str  # of the source bytes
    text: str
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...] = ()
    entries: tuple[Entry, ...] = ()
    hidden: tuple[HiddenSpan, ...] = ()
    stories: tuple[Story, ...] = ()  # headers, footers, notes, comments: searched for instructions only
    metadata: dict[str, str] = Field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def text_digest(self) -> str:
        return digest(self.text)

    @property
    def first_block_span(self) -> tuple[int, int]:
        """Where a finding about the whole document anchors: its first block (title or first paragraph)."""
        return (self.blocks[0].start, self.blocks[0].end) if self.blocks else (0, 0)

    def sentences_in(self, start: int, end: int) -> tuple[Sentence, ...]:
        """Sentences overlapping the half-open character range [start, end)."""
        return tuple(s for s in self.sentences if s.start < end and s.end > start)

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None

    def block_of(self, offset: int) -> Block | None:
        for b in self.blocks:
            if b.start <= offset <= b.end:
                return b
        return None


def digest(text: str) -> str:
    """Short stable content digest used for identity (cache keys, revision matching)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
