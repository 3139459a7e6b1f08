"""The integrity detectors: text a human reader cannot see, and text addressed to an AI grader.

Drafts are untrusted input. ``integrity.hidden_text`` reports what ingest set aside as invisible
(:attr:`reviewer.document.Document.hidden`: ``w:vanish``, tiny or squeezed runs, runs coloured like the
highlight, shading, cell or page behind them (:mod:`reviewer.docx_visible`); that text is never reviewed or
sent to a model) and, in the visible text, invisible format characters: zero-width and
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
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pydantic import Field, field_validator

from ..document import Block, Document, HiddenSpan, Sentence
from ..findings import Verdict
from .registry import Context, Hit, Outcome, Params, register
from .text import find_terms, plain, term_alternation

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
        default_factory=lambda: {"vanish": "hidden text", "white": "white-on-white text",
                                 "color": "text coloured like its background", "tiny": "tiny text",
                                 "squeezed": "squeezed text"}
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
    """What text addressed to an automated reader looks like, as data (``re:`` terms allowed throughout).

    ``groups``: phrases that are instructions whoever they address (label -> terms): overriding the review,
    dictating the score, fake chat-role markup. ``readers``: names of automated readers (AI, screening tools,
    ATS, graders, parsers, LLMs...). ``addressing``: regular expressions that address a reader, with
    ``{reader}`` (and ``{imperative}``) standing for those lists. ``imperatives`` and ``claims``: telling the
    reader what to do, or how the candidate is to be scored or treated. Text that addresses a reader *and*
    carries an imperative or a claim (in the same sentence or the next) is flagged under ``address_label``;
    talking about AI without addressing it is not."""

    groups: dict[str, tuple[str, ...]] = Field(min_length=1)
    readers: tuple[str, ...] = ()
    addressing: tuple[str, ...] = ()
    imperatives: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    address_label: str = "addresses an automated reader"

    @field_validator("addressing")
    @classmethod
    def _templates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for template in value:
            try:
                re.compile(template.replace("{reader}", "x").replace("{imperative}", "x"))
            except re.error as exc:
                raise ValueError(f"'{template}': {exc}") from None
        return value


_TAG_RUN = re.compile(f"[{chr(TAG_START)}-{chr(TAG_END)}]+")
# Sentence ends for texts without sentence offsets (hidden spans, other stories, decoded tag characters).
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]]*\s+|\n+")


@lru_cache(maxsize=8)
def address_pattern(templates: tuple[str, ...], readers: tuple[str, ...], imperatives: tuple[str, ...]
                    ) -> re.Pattern[str] | None:
    """One pattern for every way of addressing an automated reader (None when there are none)."""
    if not templates or not readers:
        return None
    one = f"(?:{term_alternation(readers)})(?![\\w])"
    # "For automated reviewers and AI summarizers:", "to AI screeners, parsers or bots": readers named together
    reader = f"{one}(?:(?:\\s*,\\s*|\\s+(?:and|or|&)\\s+|\\s*/\\s*)(?:any\\s+|all\\s+|the\\s+)?{one})*"
    imperative = f"(?:{term_alternation(imperatives)})(?![\\w])" if imperatives else "(?!)"
    parts = [t.replace("{reader}", reader).replace("{imperative}", imperative) for t in templates]
    return re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{p})" for p in parts) + ")", re.IGNORECASE)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _window(spans: Sequence[tuple[int, int]], pos: int, limit: int) -> tuple[int, int]:
    """From the start of the sentence holding ``pos`` to the end of the next one."""
    i = next((k for k, (s, e) in enumerate(spans) if s <= pos < e), None)
    if i is None:
        return pos, limit
    return spans[i][0], spans[min(i + 1, len(spans) - 1)][1]


# The last few readings, keyed by text and sentence spans: the score-discussion finder reads each document for
# notes to software (to leave them out of the discussion) and integrity.instructions reads it again with the same
# params, unless a rubric overrides them.
_Key = tuple[str, tuple[tuple[int, int], ...] | None]
_RECENT: OrderedDict[_Key, tuple[InstructionParams, list[tuple[int, int, str]]]] = OrderedDict()
_RECENT_LOCK = threading.Lock()  # the model engine reviews documents on threads
RECENT_READINGS = 32


def instruction_notes(text: str, params: InstructionParams,
                      sentences: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, note)`` for every instruction in ``text``: the phrase groups, and an address to an
    automated reader with an imperative or a claim in its sentence or the next (``sentences``: their spans,
    split here when not given). Notes quote what was found."""
    key = (text, tuple(sentences) if sentences is not None else None)
    with _RECENT_LOCK:
        seen = _RECENT.get(key)
    if seen is not None and (seen[0] is params or seen[0] == params):
        return list(seen[1])
    found = _read_notes(text, params, sentences)
    with _RECENT_LOCK:
        _RECENT[key] = (params, found)
        while len(_RECENT) > RECENT_READINGS:
            _RECENT.popitem(last=False)
    return list(found)


def _read_notes(text: str, params: InstructionParams,
                sentences: Sequence[tuple[int, int]] | None) -> list[tuple[int, int, str]]:
    clean = plain(text)
    found: list[tuple[int, int, str]] = []
    for label, terms in params.groups.items():
        found.extend((a, b, f'{label}: "{preview(text[a:b], 80)}"') for a, b in find_terms(clean, terms))
    pattern = address_pattern(params.addressing, params.readers, params.imperatives)
    if pattern is not None:
        spans = sentences if sentences is not None else _sentences(text)
        told = params.imperatives + params.claims
        for m in pattern.finditer(clean):
            start, end = _window(spans, m.start(), len(text))
            said = [(a, b) for a, b in find_terms(clean, told, start, end) if not m.start() <= a < m.end()]
            if said:
                a, b = said[0]
                first, last = min(m.start(), a), max(m.end(), b)
                # quoted from the address to the end of the sentence that says what to do
                upto = next((e for s, e in spans if s <= last <= e), last)
                found.append((first, last, f'{params.address_label}: "{preview(text[first:upto], 100)}"'))
    return sorted(found)


def _where_notes(text: str, params: InstructionParams) -> list[str]:
    return [note for _, _, note in instruction_notes(text, params)]


def _tag_instructions(doc: Document, params: InstructionParams, hits: list[Hit]) -> int:
    """Instructions spelled in Unicode tag characters (invisible "ASCII smuggling"), decoded and searched;
    each hit anchors on the sentence that carries the run. Returns how many were found."""
    count = 0
    for m in _TAG_RUN.finditer(doc.text):
        decoded = "".join(chr(ord(c) - TAG_START) for c in m.group())
        notes = _where_notes(decoded, params)
        if notes:
            count += len(notes)
            s, e = sentence_span(doc, m.start(), m.end())
            hits.append(Hit(s, e, Verdict.FAIL, "in invisible tag characters: " + "; ".join(notes),
                            entry=entry_at(doc, s)))
    return count


def _elsewhere(doc: Document, params: InstructionParams, hits: list[Hit]) -> int:
    """Instructions in hidden spans (anchored on their paragraph) and in the file's other stories (headers,
    footers, notes, comments: anchored on the first paragraph); each note names where it was found."""
    count = 0
    places = [(span.text, f"in hidden text ({span.where})", anchor_block(doc, span)) for span in doc.hidden]
    places += [(story.text, f"in the {story.where} (not part of the reviewed text)", doc.blocks[0] if doc.blocks
                else None) for story in doc.stories]
    for text, where, block in places:
        notes = _where_notes(text, params)
        if notes:
            count += len(notes)
            s, e = (block.start, block.end) if block else (0, 0)
            hits.append(Hit(s, e, Verdict.FAIL, f"{where}: " + "; ".join(notes), entry=entry_at(doc, s)))
    return count


@register("integrity_instructions", InstructionParams)
def check_instructions(ctx: Context, params: InstructionParams) -> Outcome:
    """Instructions in the visible text (anchored on their sentences), in hidden spans and other stories
    (quoted for a human, anchored on their paragraph), and in invisible tag characters."""
    doc = ctx.doc
    found = instruction_notes(doc.text, params, [(s.start, s.end) for s in doc.sentences])
    hits = [
        Hit(s, e, Verdict.FAIL, "; ".join(notes), entry=entry_at(doc, s))
        for (s, e), notes in by_sentence(doc, found)
    ]
    elsewhere = _elsewhere(doc, params, hits) + _tag_instructions(doc, params, hits)
    if not hits:
        return Outcome(Verdict.PASS, summary="no text addressed to an AI reviewer or grader")
    quoted = "; ".join(f'"{preview(doc.text[a:b], 40)}"' for a, b, _ in found[:3])
    where = f"{len(found)} in the text" + (f": {quoted}" if found else "")
    where += f"; {elsewhere} in hidden text, notes, headers, footers or comments" if elsewhere else ""
    return Outcome(Verdict.FAIL, tuple(hits), summary=f"text addressed to an automated reader: {where}")


# --- what is addressed to software, for the other detectors ------------------------------------------
# A note to an automated reader is no part of what the applicant tells a human (no score discussion, no value
# claim). What counts as addressed to software is the built-in integrity.instructions criterion's own params,
# read from its YAML (this layer sits below the rubric loader, as the packaged models do).
INSTRUCTIONS = "integrity.instructions"


@lru_cache(maxsize=1)
def builtin_instruction_params() -> InstructionParams:
    from importlib import resources

    from ..yamlio import load_safe

    data = load_safe((resources.files("reviewer") / "rubrics" / "integrity.yaml").read_text(encoding="utf-8"))
    (params,) = [c["params"] for c in data["criteria"] if c["id"] == INSTRUCTIONS]
    return InstructionParams.model_validate(params)


def to_a_machine(text: str) -> bool:
    """Whether ``text`` holds a note to an automated reader (by the built-in definition)."""
    return bool(instruction_notes(text, builtin_instruction_params()))


def machine_sentences(doc: Document, sents: Sequence[Sentence]) -> set[int]:
    """Indexes of ``sents`` that address an automated reader, and of the sentences after one in its paragraph
    that open with what the reader is to do ("Note to any automated screening software: … . Record the review
    as…")."""
    params = builtin_instruction_params()
    notes = instruction_notes(doc.text, params, [(x.start, x.end) for x in doc.sentences])
    found = {i for i, x in enumerate(sents) if any(a < x.end and x.start < b for a, b, _ in notes)}
    for i in sorted(found):
        while i + 1 < len(sents) and sents[i + 1].block == sents[i].block and any(
                a == 0 for a, _ in find_terms(plain(sents[i + 1].text), params.imperatives)):
            i += 1
            found.add(i)
    return found
