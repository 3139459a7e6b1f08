"""Prompts: Jinja2 templates in ``prompts/`` rendered in a sandbox, static rubric first, document last.

One call judges one rubric for one document. The messages are built so that:

* the **system message** holds the instructions, the rubric's criteria with their 1-5 level
  descriptions and the answer format. It depends only on the rubric and the judged criteria, so it
  is byte-identical for every document (providers cache such prefixes; the tests check it);
* the **user message** holds the document kind, a random per-request marker and the document text
  between ``BEGIN DRAFT <marker>`` / ``END DRAFT <marker>`` lines, followed by a one-line reminder
  that the text is data. The marker is unguessable (``secrets``), so a draft cannot close the block
  early; ``LLMConfig.boundary_seed`` makes it derivable for recorded-HTTP tests that match on the
  request body.

The document text is passed to the templates as a *value*, never compiled as a template, and is
cleaned of invisible Unicode first (:mod:`reviewer.llm.sanitize`). The environment is a
:class:`jinja2.sandbox.SandboxedEnvironment` with :class:`jinja2.StrictUndefined`, so a template (ours or a
user's) cannot reach Python internals and a misspelt variable fails loudly instead of rendering empty.

Level descriptions (Prometheus-style score rubrics): a criterion's ``levels`` from the rubric YAML are
used as written (missing levels are filled in); otherwise they are derived from the criterion text:
5 = meets "title" fully, none of "message"; 4 = meets it with a minor weakness; 3 = partly, the problem
"message" is present but limited, and the first sentence of "suggestion" would fix it; 2 = mostly not,
"message"; 1 = not at all, "message" throughout.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..document import DocKind, Document, digest
from ..rubric import Criterion, Rubric
from .judge import Message
from .sanitize import strip_invisible
from .schemas import MAX_EVIDENCE

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
TEMPLATES = ("system.j2", "document.j2", "repair.j2")


@dataclass(frozen=True)
class Prompt:
    messages: tuple[Message, ...]
    boundary: str
    sent_text: str  # the document text as sent (invisible characters removed)

    @property
    def static_prefix(self) -> str:
        return self.messages[0].content


@lru_cache(maxsize=4)
def _env(folder: str) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _render(name: str, folder: Path = PROMPTS_DIR, **values: Any) -> str:
    return str(_env(str(folder)).get_template(name).render(**values))


def template_digest(folder: Path = PROMPTS_DIR) -> str:
    """Digest of every template's source: part of the cache key, so editing a prompt invalidates it."""
    h = hashlib.sha256()
    for name in TEMPLATES:
        h.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def levels_for(criterion: Criterion) -> list[dict[str, Any]]:
    """Five level descriptions, best first: the rubric's own where given, derived otherwise."""
    title = criterion.title.strip().rstrip(".")
    problem = " ".join(criterion.message.split()).rstrip(".")
    fix = _first_sentence(criterion.suggestion).rstrip(".")
    derived = {
        5: f"Fully meets the criterion ({title}); nothing of this problem: {problem}.",
        4: "Meets the criterion with a minor weakness that a small edit would fix.",
        3: f"Partly meets it: the problem is present but limited ({problem}); this would fix it: {fix}.",
        2: f"Mostly does not meet it: {problem}.",
        1: f"Does not meet it at all: {problem}, throughout or with nothing that offsets it.",
    }
    given = criterion.levels or {}
    return [{"score": s, "text": " ".join(str(given.get(s) or derived[s]).split())} for s in (5, 4, 3, 2, 1)]


def _first_sentence(text: str) -> str:
    """The suggestion's first sentence (the full suggestion is shown once, above the levels)."""
    flat = " ".join(text.split())
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z\"\u201c(])", flat)
    return flat[: m.start()] if m else flat


def system_message(rubric: Rubric, criteria: Sequence[Criterion], folder: Path = PROMPTS_DIR) -> str:
    crits = [
        {
            "id": c.id,
            "title": c.title.strip(),
            "guide": " ".join(c.guide.split()),
            "message": " ".join(c.message.split()),
            "suggestion": " ".join(c.suggestion.split()),
            "levels": levels_for(c),
        }
        for c in criteria
    ]
    kinds = set(rubric.applies_to).union(*(c.applies_to or () for c in criteria))
    entries = DocKind.EXPERIENCE in kinds
    return _render(
        "system.j2",
        folder,
        rubric={"id": rubric.id, "title": rubric.title.strip()},
        criteria=crits,
        criterion_ids=[c.id for c in criteria],
        max_evidence=MAX_EVIDENCE,
        entries=entries,
    )


def make_boundary(text: str, *, seed: str | None = None, salt: str = "") -> str:
    """A marker that does not occur in ``text``: random, or derived from ``seed`` (tests only)."""
    for attempt in range(100):
        if seed is None:
            token = secrets.token_hex(8).upper()
        else:
            raw = f"{seed}\0{salt}\0{digest(text)}\0{attempt}".encode()
            token = hashlib.sha256(raw).hexdigest()[:16].upper()
        if token not in text:
            return token
    raise RuntimeError("could not make a boundary absent from the text")  # pragma: no cover


def build_prompt(
    doc: Document,
    rubric: Rubric,
    criteria: Sequence[Criterion],
    *,
    seed: str | None = None,
    folder: Path = PROMPTS_DIR,
    text: str | None = None,
) -> Prompt:
    """The messages of one (document, rubric) call: static system prefix, then the bounded document.

    ``text`` replaces the document's text (the redacted text with ``--redact``).
    """
    text, _ = strip_invisible(doc.text if text is None else text)
    boundary = make_boundary(text, seed=seed, salt=rubric.id)
    user = _render("document.j2", folder, kind=doc.kind.value.replace("_", " "), boundary=boundary, text=text)
    return Prompt(
        (Message("system", system_message(rubric, criteria, folder)), Message("user", user)), boundary, text
    )


def repair_messages(
    prompt: Prompt,
    previous: str,
    errors: Sequence[str],
    criterion_ids: Sequence[str],
    *,
    truncated: bool,
    folder: Path = PROMPTS_DIR,
    max_previous: int = 4000,
) -> tuple[Message, ...]:
    """The re-ask: the original messages, the invalid answer, and what was wrong with it."""
    note = _render(
        "repair.j2", folder, errors=list(errors)[:8], truncated=truncated, criterion_ids=list(criterion_ids)
    )
    prev = previous[:max_previous] if previous.strip() else "(empty answer)"
    return (*prompt.messages, Message("assistant", prev), Message("user", note))
