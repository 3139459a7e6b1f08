"""The integrity detectors: text a human reader cannot see, and text addressed to an AI grader.

Drafts are untrusted input. ``integrity.hidden_text`` reports what ingest set aside as invisible
(:attr:`reviewer.document.Document.hidden`: ``w:vanish``, white-on-white or tiny runs; that text is never
reviewed or sent to a model) and, in the visible text, invisible format characters: zero-width and
bidirectional controls and Unicode *tag* characters, which can smuggle a whole instruction into a line
that looks normal ("ASCII smuggling"; tag characters are decoded into the note so a human sees the
message). Joiners and direction marks next to right-to-left letters or emoji are left alone: Arabic,
Hebrew and Persian names and emoji sequences need them. ``integrity.instructions`` matches phrases that
only make sense addressed to a model or a grader, in the visible text and in the hidden spans (an
instruction hidden from the reader is the likeliest kind); both lexicons live in ``rubrics/integrity.yaml``.

Hits anchor on sentences (the unit a Word comment attaches to); hidden spans anchor on the paragraph
they were in when ingest knows it (``Block.locator == HiddenSpan.block_locator``), else the first block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from pydantic import Field, field_validator

from ..document import Block, Document, HiddenSpan
from ..findings import Verdict
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, plain

_RANGE = re.compile(r"^U\+([0-9A-Fa-f]{4,6})(?:\s*-\s*U\+([0-9A-Fa-f]{4,6}))?$")
TAG_START, TAG_END = 0xE0000, 0xE007F


def _bounds(spec: str) -> tuple[int, int]:
    m = _RANGE.match(spec.strip())
    if not m:
        raise ValueError(f"'{spec}' is not a code point or range like U+200B or U+200B-U+200F")
    lo = int(m.group(1), 16)
    hi = int(m.group(2), 16) if m.group(2) else lo
    if hi < lo:
        raise ValueError(f"'{spec}': range end is before its start")
    return lo, hi


class HiddenParams(Params):
    # code points or ranges ("U+200B-U+200F") that render as nothing in visible text
    invisible: tuple[str, ...] = (
        "U+200B-U+200F",
        "U+202A-U+202E",
        "U+2060-U+2064",
        "U+2066-U+2069",
        "U+FEFF",
        "U+E0000-U+E007F",
    )
    reasons: dict[str, str] = Field(
        default_factory=lambda: {"vanish": "hidden text", "white": "white-on-white text", "tiny": "tiny text"}
    )
    preview_chars: int = Field(default=60, gt=0)
    # joiners / direction marks next to Arabic or Hebrew letters or emoji are how those scripts render
    allow_script_marks: bool = True

    @field_validator("invisible")
    @classmethod
    def _ranges(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for spec in value:
            _bounds(spec)
        return value


@lru_cache(maxsize=32)
def invisible_pattern(specs: tuple[str, ...]) -> re.Pattern[str]:
    """One character class of every listed code point / range, matching runs."""
    parts = []
    for spec in specs:
        lo, hi = _bounds(spec)
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return re.compile("[" + "".join(parts) + "]+")


def preview(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary when there is one."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def entry_at(doc: Document, offset: int) -> int | None:
    """Index of the experience entry whose description holds ``offset``."""
    for e in doc.entries:
        if e.start <= offset <= e.end:
            return e.index
    return None


def anchor_block(doc: Document, span: HiddenSpan) -> Block | None:
    if span.block_locator is not None:
        for b in doc.blocks:
            if b.locator == span.block_locator:
                return b
    return doc.blocks[0] if doc.blocks else None


def sentence_span(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) covering ``[start, end)``; the block, or the span itself, when none does."""
    sents = doc.sentences_in(start, max(end, start + 1))
    if sents:
        return sents[0].start, sents[-1].end
    block = doc.block_of(start)
    return (block.start, block.end) if block else (start, end)


def describe_invisible(run: str) -> str:
    """``"3 × ZERO WIDTH SPACE"``, or the decoded message of Unicode tag characters."""
    tags = "".join(chr(ord(c) - TAG_START) for c in run if TAG_START <= ord(c) <= TAG_END)
    if tags.strip():
        return f'tag characters spelling "{tags.strip()}"'
    names: dict[str, int] = {}
    for c in run:
        name = f"U+{ord(c):04X} {unicodedata.name(c, 'FORMAT CHARACTER')}"
        names[name] = names.get(name, 0) + 1
    return ", ".join(f"{n} × {name}" for name, n in names.items())


# Joiners and direction marks that scripts and emoji legitimately need (Arabic/Hebrew names, Persian
# ZWNJ, emoji ZWJ sequences): a run made only of these, next to such a character, is not smuggling.
SCRIPT_MARKS = frozenset("\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _needs_marks(c: str) -> bool:
    return (
        unicodedata.bidirectional(c) in ("R", "AL", "AN") or unicodedata.category(c) == "So" or c == "\ufe0f"
    )


def legitimate_marks(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` only joiners / direction marks next to a right-to-left letter or an emoji?"""
    if not set(text[start:end]) <= SCRIPT_MARKS:
        return False
    near = text[max(0, start - 1) : start] + text[end : end + 1]
    return any(_needs_marks(c) for c in near)


def invisible_runs(
    doc: Document, specs: tuple[str, ...], allow_script_marks: bool = True
) -> Iterable[tuple[int, int]]:
    """Runs of invisible characters in the visible text that a reader would not notice."""
    for m in invisible_pattern(specs).finditer(doc.text):
        if m.start() == 0 and m.group() == "\ufeff":  # a byte-order mark at the very start is harmless
            continue
        if allow_script_marks and legitimate_marks(doc.text, m.start(), m.end()):
            continue
        yield m.start(), m.end()


@register("integrity_hidden_text", HiddenParams)
def check_hidden_text(ctx: Context, params: HiddenParams) -> Outcome:
    doc = ctx.doc
    hits: list[Hit] = []
    for span in doc.hidden:
        block = anchor_block(doc, span)
        s, e = (block.start, block.end) if block else (0, 0)
        reason = params.reasons.get(span.reason, span.reason)
        note = f'{reason} in {span.where}: "{preview(span.text, params.preview_chars)}"'
        hits.append(Hit(s, e, Verdict.FAIL, note, entry=entry_at(doc, s)))
    runs = list(invisible_runs(doc, params.invisible, params.allow_script_marks))
    for (s, e), notes in by_sentence(doc, [(a, b, describe_invisible(doc.text[a:b])) for a, b in runs]):
        note = "invisible characters in the visible text: " + "; ".join(notes)
        hits.append(Hit(s, e, Verdict.FAIL, note, entry=entry_at(doc, s)))
    if not hits:
        return Outcome(Verdict.PASS, summary="no hidden text")
    summary = f"{len(doc.hidden)} hidden span(s), {len(runs)} run(s) of invisible characters"
    return Outcome(Verdict.FAIL, tuple(hits), summary=summary)


def by_sentence(
    doc: Document, spans: Iterable[tuple[int, int, str]]
) -> list[tuple[tuple[int, int], list[str]]]:
    """Group noted spans by the sentence(s) they fall in, in text order: one comment per sentence."""
    groups: dict[tuple[int, int], list[str]] = {}
    for a, b, note in sorted(spans):
        key = sentence_span(doc, a, b)
        if note not in groups.setdefault(key, []):
            groups[key].append(note)
    return list(groups.items())


class InstructionParams(Params):
    """Phrase groups (label -> terms, ``re:`` terms allowed) addressed to a model or a grader."""

    groups: dict[str, tuple[str, ...]] = Field(min_length=1)


_TAG_RUN = re.compile(f"[{chr(TAG_START)}-{chr(TAG_END)}]+")


def _tag_instructions(doc: Document, params: InstructionParams, hits: list[Hit]) -> int:
    """Instructions spelled in Unicode tag characters (invisible "ASCII smuggling"), decoded and searched;
    each hit anchors on the sentence that carries the run. Returns how many phrases were found."""
    count = 0
    for m in _TAG_RUN.finditer(doc.text):
        decoded = "".join(chr(ord(c) - TAG_START) for c in m.group())
        notes = [f'{label}: "{preview(decoded[a:b], 80)}"' for label, terms in params.groups.items()
                 for a, b in find_terms(plain(decoded), terms)]
        if notes:
            count += len(notes)
            s, e = sentence_span(doc, m.start(), m.end())
            hits.append(Hit(s, e, Verdict.FAIL, "in invisible tag characters: " + "; ".join(notes),
                            entry=entry_at(doc, s)))
    return count


@register("integrity_instructions", InstructionParams)
def check_instructions(ctx: Context, params: InstructionParams) -> Outcome:
    """Phrases in the visible text, and in hidden spans (quoted for a human, anchored on their paragraph)."""
    doc = ctx.doc
    found: list[tuple[int, int, str]] = []
    for label, terms in params.groups.items():
        found.extend(
            (a, b, f'{label}: "{preview(doc.text[a:b], 80)}"') for a, b in find_terms(plain(doc.text), terms)
        )
    hits = [
        Hit(s, e, Verdict.FAIL, "; ".join(notes), entry=entry_at(doc, s))
        for (s, e), notes in by_sentence(doc, found)
    ]
    hidden = 0
    for span in doc.hidden:
        notes = [
            f'{label}: "{preview(span.text[a:b], 80)}"'
            for label, terms in params.groups.items()
            for a, b in find_terms(plain(span.text), terms)
        ]
        if notes:
            hidden += len(notes)
            block = anchor_block(doc, span)
            s, e = (block.start, block.end) if block else (0, 0)
            note = f"in hidden text ({span.where}): " + "; ".join(notes)
            hits.append(Hit(s, e, Verdict.FAIL, note, entry=entry_at(doc, s)))
    hidden += _tag_instructions(doc, params, hits)
    if not hits:
        return Outcome(Verdict.PASS, summary="no text addressed to an AI reviewer or grader")
    quoted = "; ".join(f'"{preview(doc.text[a:b], 40)}"' for a, b, _ in sorted(found)[:3])
    where = f"{len(found)} in the text" + (f": {quoted}" if found else "")
    where += f"; {hidden} in hidden text" if hidden else ""
    return Outcome(Verdict.FAIL, tuple(hits), summary=f"phrases addressed to an AI or grader: {where}")
