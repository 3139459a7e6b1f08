"""Segmentation: raw paragraphs in, a :class:`Document` with blocks, sentences and offsets out.

Sentences come from pysbd (rule-based, offline, handles "Dr.", "e.g.", "U.S." and decimals). pysbd's
own ``char_span`` mode is unreliable on repeated text, so each segment is located in the block with a
forward ``str.find``; whatever pysbd drops (whitespace) stays between sentences, and every sentence's
``text == doc.text[start:end]`` by construction.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .document import (
    BLOCK_SEPARATOR,
    Block,
    DocKind,
    Document,
    Entry,
    HiddenSpan,
    Sentence,
    SourceFormat,
    digest,
)


@dataclass(frozen=True)
class RawBlock:
    """A paragraph as an ingest module sees it, before offsets are assigned."""

    text: str
    heading: bool = False
    where: str = "body"
    locator: int | None = None


_LOCAL = threading.local()


def _segmenter() -> Any:
    """This thread's pysbd segmenter: a Segmenter keeps the text being split on itself, so one shared across
    threads (the model engine reviews documents on threads) mixes up sentence boundaries."""
    seg = getattr(_LOCAL, "segmenter", None)
    if seg is None:
        import pysbd

        _memoise_pysbd_patterns()
        seg = _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False)
    return seg


# pysbd hands ``re`` pattern *strings*, about 900 distinct ones over ordinary prose (two or three per
# abbreviation it meets), which overflows ``re``'s 512-entry cache: every paragraph recompiles hundreds of
# patterns. pysbd's English modules get their own ``re`` whose functions compile each pattern once; the
# standard ``re`` and everyone else's cache are untouched, and the results are the same (same patterns,
# same flags, same calls).
_PYSBD_MODULES = (
    "abbreviation_replacer",
    "between_punctuation",
    "exclamation_words",
    "lists_item_replacer",
    "processor",
    "punctuation_replacer",
    "segmenter",
    "utils",
)
PATTERN_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=PATTERN_CACHE_SIZE)
def _compiled(pattern: Any, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _MemoRe:
    """The part of the ``re`` module pysbd uses, with compiled patterns remembered (other names pass through)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def sub(self, pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        return _compiled(pattern, flags).sub(repl, string, count)

    def search(self, pattern: Any, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).search(string)

    def match(self, pattern: Any, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).match(string)

    def findall(self, pattern: Any, string: str, flags: int = 0) -> list[Any]:
        return _compiled(pattern, flags).findall(string)

    def finditer(self, pattern: Any, string: str, flags: int = 0) -> Iterator[re.Match[str]]:
        return _compiled(pattern, flags).finditer(string)

    def split(self, pattern: Any, string: str, maxsplit: int = 0, flags: int = 0) -> list[Any]:
        return _compiled(pattern, flags).split(string, maxsplit)


_MEMO_RE = _MemoRe()
_INSTALL_LOCK = threading.Lock()


def _memoise_pysbd_patterns() -> None:
    import importlib

    with _INSTALL_LOCK:
        for name in _PYSBD_MODULES:
            module = importlib.import_module(f"pysbd.{name}")
            if getattr(module, "re", None) is re:
                module.re = _MEMO_RE  # type: ignore[attr-defined]


_WS = re.compile(r"\s+")

# pysbd takes some ordinary lowercase words for abbreviations ("me." as the state of Maine, so "with me. I
# used" stays one sentence). A lowercase word of two or more letters, a full stop, space and a capital is a
# sentence boundary unless the word is a real lowercase abbreviation.
_MISSED_BREAK = re.compile(r"(?<![\w.])([a-z]{2,})([.!?])\s+(?=[A-Z\"“(])")
_LOWER_ABBREVIATIONS = frozenset(
    [
        "vs",
        "etc",
        "approx",
        "dept",
        "esp",
        "cf",
        "al",
        "fig",
        "figs",
        "no",
        "nos",
        "vol",
        "vols",
        "pp",
        "ca",
        "est",
        "min",
        "max",
        "hr",
        "hrs",
        "mo",
        "mos",
        "yr",
        "yrs",
        "wk",
        "wks",
        "incl",
        "govt",
        "assn",
        "univ",
        "ave",
        "st",
    ]
)


def _refine(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one pysbd segment at the boundaries pysbd missed."""
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _MISSED_BREAK.finditer(text, start, end):
        if m.group(1) in _LOWER_ABBREVIATIONS:
            continue
        cut = m.end(2)
        spans.append((cur, cut))
        nxt = cut
        while nxt < end and text[nxt].isspace():
            nxt += 1
        cur = nxt
    spans.append((cur, end))
    return [(a, b) for a, b in spans if b > a]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of one block, trimmed of surrounding whitespace."""
    if not text.strip():
        return []
    return list(_split_cached(text))


# pysbd builds a regex per abbreviation it meets (hundreds per paragraph) and hands them to ``re`` as strings,
# so the splitting costs mostly regex compilation. Paragraphs recur (revision rounds, shared boilerplate, a
# cohort built from one template), and the split depends on the text alone: remember it per paragraph text.
# lru_cache is thread-safe; a race only splits a paragraph twice, each thread with its own segmenter.
SPLIT_CACHE_SIZE = 32768


@functools.lru_cache(maxsize=SPLIT_CACHE_SIZE)
def _split_cached(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for seg in _segmenter().segment(text):
        piece = seg.strip()
        if not piece:
            continue
        found = text.find(piece, pos)
        if found < 0:  # pysbd normalised something; fall back to the rest of the block
            rest = text[pos:]
            lead = len(rest) - len(rest.lstrip())
            found, piece = pos + lead, rest.strip()
        spans.extend(_dropped(text, pos, found))
        spans.extend(_refine(text, found, found + len(piece)))
        pos = found + len(piece)
        if pos >= len(text):
            break
    spans.extend(_dropped(text, pos, len(text)))  # also the whole block when pysbd returned nothing
    return tuple(spans)


def _dropped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Text pysbd left out between ``start`` and ``end`` ("low. ☇" comes back as "low."), as a sentence of its
    own: nothing visible is lost."""
    part = text[start:end]
    if not part.strip():
        return []
    lead = len(part) - len(part.lstrip())
    return [(start + lead, start + lead + len(part.strip()))]


def normalise_block_text(text: str) -> str:
    """Collapse internal newlines and runs of spaces in a paragraph; keep characters otherwise."""
    return _WS.sub(" ", text).strip()


def build_document(
    *,
    path: str,
    kind: DocKind,
    source_format: SourceFormat,
    sha256: str,
    blocks: Sequence[RawBlock],
    entries: Iterable[dict[str, Any]] = (),
    hidden: Iterable[HiddenSpan] = (),
    metadata: dict[str, str] | None = None,
) -> Document:
    """Assign global offsets to blocks, split sentences, and attach entries by block position.

    ``entries`` are dicts of :class:`Entry` fields without offsets plus ``block``: the index (into
    ``blocks``) of the block holding the first paragraph of its description and ``block_end`` the last.
    """
    out_blocks: list[Block] = []
    sentences: list[Sentence] = []
    parts: list[str] = []
    offset = 0
    kept = [b for b in blocks if b.text.strip()]
    index_map: dict[int, int] = {}
    for i, raw in enumerate(blocks):
        if raw.text.strip():
            index_map[i] = len(index_map)
    for bi, raw in enumerate(kept):
        text = raw.text.strip()
        if parts:
            offset += len(BLOCK_SEPARATOR)
        start = offset
        parts.append(text)
        offset += len(text)
        out_blocks.append(
            Block(
                index=bi, start=start, end=offset, text=text, heading=raw.heading, where=raw.where, locator=raw.locator
            )
        )
        for s, e in split_sentences(text):
            stext = text[s:e]
            sentences.append(
                Sentence(
                    index=len(sentences), block=bi, start=start + s, end=start + e, text=stext, digest=digest(stext)
                )
            )
    full = BLOCK_SEPARATOR.join(parts)
    out_entries: list[Entry] = []
    for record in entries:
        fields = dict(record)
        first = index_map.get(int(fields.pop("block")))
        last = index_map.get(int(fields.pop("block_end", -1)))
        if first is None:
            s = e_end = len(full)
        else:
            s = out_blocks[first].start
            e_end = out_blocks[last if last is not None else first].end
        fields.setdefault("description", full[s:e_end])
        out_entries.append(Entry(index=len(out_entries), start=s, end=e_end, **fields))
    return Document(
        path=path,
        kind=kind,
        source_format=source_format,
        sha256=sha256,
        text=full,
        blocks=tuple(out_blocks),
        sentences=tuple(sentences),
        entries=tuple(out_entries),
        hidden=tuple(hidden),
        metadata=metadata or {},
    )
