"""Invisible Unicode: characters a reader never sees but a model reads; and control characters in answers.

Zero-width characters, bidi controls, the tag block (U+E0000-E007F, which can spell whole ASCII
instructions invisibly), variation selectors, fillers and the BOM are removed from the document text
before it is put into a prompt. Hidden *runs* of a DOCX never reach ``Document.text`` (ingest drops
them); this is the character-level counterpart.

:func:`strip_invisible` returns the cleaned text with, for every kept character, its offset in the
original, so a position in the cleaned text can be mapped back to ``Document.text``.

:func:`clean_answer_text` is the boundary for the other direction: every string of a model's answer
(reasoning, quotes, suggestions) passes through it while the answer is validated
(:mod:`reviewer.llm.schemas`), so before it is cached, grounded or rendered. A model may answer with ESC,
BEL or NUL (echoing a damaged draft, or just misbehaving); such characters cannot be written into a DOCX
and once cached would fail every later run. Whitespace controls become spaces, the others are dropped.
"""

from __future__ import annotations

import re

from ..docx_xml import xml_safe

_RANGES = (
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner
    "\u061c",  # arabic letter mark
    "\u115f\u1160\u3164\uffa0",  # hangul fillers
    "\u180e",  # mongolian vowel separator
    "\u200b-\u200f",  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u202a-\u202e",  # bidi embeddings and overrides
    "\u2060-\u2064",  # word joiner, invisible operators
    "\u2066-\u2069",  # bidi isolates
    "\u206a-\u206f",  # deprecated format characters
    "\ufe00-\ufe0f",  # variation selectors
    "\ufeff",  # BOM / zero-width no-break space
    "\ufff9-\ufffb",  # interlinear annotation controls
    "\U000e0000-\U000e007f",  # tag characters
    "\U000e0100-\U000e01ef",  # variation selectors supplement
)
INVISIBLE = re.compile("[" + "".join(_RANGES) + "]")


def strip_invisible(text: str) -> tuple[str, list[int]]:
    """``(clean, origin)``: ``clean`` without invisible characters; ``origin[i]`` = offset of ``clean[i]``."""
    kept: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if INVISIBLE.match(ch):
            continue
        kept.append(ch)
        origin.append(i)
    return "".join(kept), origin


def count_invisible(text: str) -> int:
    return len(INVISIBLE.findall(text))


def clean_answer_text(text: str) -> str:
    """A string from a model's answer without characters XML cannot hold (see the module docstring)."""
    return xml_safe(text, drop=True)
