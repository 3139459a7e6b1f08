"""Prompts: Jinja2 templates in ``prompts/`` rendered in a sandbox, static rubric first, document last.

One call judges one rubric for one document. The messages are built so that:

* the **system message** holds the instructions, the rubric's criteria with their 1-5 level
  descriptions and the answer format. It depends only on the rubric and the judged criteria, so it
  is byte-identical for every document (providers cache such prefixes; the tests check it);
* the **user message** holds the document kind, the target program, a random per-request marker, the
  located score discussion (``BEGIN PASSAGE <marker>`` / ``END PASSAGE <marker>``, for a rubric that asks
  for it) and the document text between ``BEGIN DRAFT <marker>`` / ``END DRAFT <marker>`` lines, followed
  by a one-line reminder that the text is data. The marker is unguessable (``secrets``), so a draft
  cannot close the block early; ``LLMConfig.boundary_seed`` makes it derivable for recorded-HTTP tests
  that match on the request body.

The document text is passed to the templates as a *value*, never compiled as a template, and is
cleaned of invisible Unicode first (:mod:`reviewer.llm.sanitize`). The environment is a
:class:`jinja2.sandbox.SandboxedEnvironment` with :class:`jinja2.StrictUndefined`, so a template (ours or a
user's) cannot reach Python internals and a misspelt variable fails loudly instead of rendering empty.

What the system message says per criterion comes from the rubric YAML (:mod:`reviewer.rubric`): the guide
passages quoted exactly (``guide_quotes``), what to look for and how a draft improves, what a 1, 3 and 5
look like for *that* criterion (``levels``; 2 and 4 are described as lying between), the examples marked
as calibrated anchors with their scores, and what to quote (``quotes``: the words of a problem, or for a
criterion about something absent the closest relevant sentence). The answer format is spelt out with the
actual criterion ids, so one request read alone says exactly what JSON to return. A rubric with
``model_span`` also asks where the score discussion is; its user message carries the passage the rules
located (inside the same boundary markers), and every user message names the target program.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..document import DocKind, Document, digest
from ..kinds import aims_at
from ..rubric import Criterion, Rubric
from .judge import Message
from .sanitize import strip_invisible
from .schemas import limits_for

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
TEMPLATES = ("system.j2", "document.j2", "repair.j2")


@dataclass(frozen=True)
class Prompt:
    messages: tuple[Message, ...]
    boundary: str

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


def template_digest(folder: Path = PROMPTS_DIR, names: Sequence[str] = TEMPLATES) -> str:
    """Digest of the templates' sources (the rubric request's by default): part of the cache key, so editing a
    prompt invalidates it."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


_BETWEEN = {4: "between 3 and 5: meets it with a weakness a small edit would fix",
            2: "between 1 and 3: mostly does not meet it"}
_QUOTE_RULES = {
    "problem": "the words of the draft that lower the score, copied exactly (none when it scores 5).",
    "closest": "this criterion is about something the draft may lack, so quote the sentence of the draft closest "
               "to what it looks for, copied exactly, whatever the score; none when there is no such sentence.",
}
ANCHOR_CHARS = 600


def levels_for(criterion: Criterion) -> list[dict[str, Any]]:
    """Five level descriptions, best first: the rubric's own, with 4 and 2 "between" when not written."""
    given = criterion.levels or {}
    return [{"score": s, "text": " ".join(str(given.get(s) or _BETWEEN.get(s) or "").split())}
            for s in (5, 4, 3, 2, 1)]


def anchors_for(criterion: Criterion, limit: int = 2) -> list[dict[str, Any]]:
    """Up to ``limit`` calibrated examples (the lowest and the highest anchored score first)."""
    marked = criterion.examples.anchors()
    marked.sort(key=lambda e: e.anchor or 0)
    chosen = marked if len(marked) <= limit else [marked[0], marked[-1]]
    out = []
    for e in chosen[:limit]:
        text = e.text or " / ".join(x.description for x in e.entries)
        text = " ".join(text.split())
        out.append({"score": e.anchor, "text": text if len(text) <= ANCHOR_CHARS else text[: ANCHOR_CHARS - 1] + "…"})
    return out


def skeleton(criterion_ids: Sequence[str], span: bool) -> str:
    """The answer's shape with the real criterion ids and ``<placeholders>`` for what the model writes."""
    item = ('{"reasoning": "<one or two sentences about this draft>", "quotes": [{"quote": "<words copied '
            'exactly from the draft>", "suggestion": "<how to revise them>"}], "score": <1 to 5, or "not applicable">}')
    lines = ["{"]
    if span:
        lines.append(' "exam_discussion": {"discusses_exam": <true or false>, "setback": <true or false>, '
                     '"quote": "<the sentence, copied exactly, or empty>"},')
    lines.append(' "criteria": {')
    lines += [f'  "{cid}": {item}' + ("," if i < len(criterion_ids) - 1 else "")
              for i, cid in enumerate(criterion_ids)]
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines)


def system_message(
    rubric: Rubric, criteria: Sequence[Criterion], folder: Path = PROMPTS_DIR, *, max_tokens: int = 2000
) -> str:
    crits = [
        {
            "id": c.id,
            "title": c.title.strip(),
            "guide": " ".join(c.guide.split()),
            "guide_quotes": [" ".join(q.split()) for q in c.guide_quotes],
            "message": " ".join(c.message.split()),
            "suggestion": " ".join(c.suggestion.split()),
            "levels": levels_for(c),
            "anchors": anchors_for(c),
            "quote_rule": _QUOTE_RULES[c.quotes],
        }
        for c in criteria
    ]
    kinds = set(rubric.applies_to).union(*(c.applies_to or () for c in criteria))
    entries = DocKind.EXPERIENCE in kinds
    ids = [c.id for c in criteria]
    span = rubric.model_span is not None
    return _render(
        "system.j2",
        folder,
        rubric={"id": rubric.id, "title": rubric.title.strip()},
        criteria=crits,
        criterion_ids=ids,
        limits=limits_for(len(ids), max_tokens, span=span),
        max_tokens=max_tokens,
        skeleton=skeleton(ids, span),
        entries=entries,
        span=span,
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


def target_line(target: str) -> str:
    t = target.strip() or "kaiser"
    return "Kaiser Permanente" if aims_at(t) else f"{t} (another program, not Kaiser Permanente)"


def build_prompt(
    doc: Document,
    rubric: Rubric,
    criteria: Sequence[Criterion],
    *,
    seed: str | None = None,
    folder: Path = PROMPTS_DIR,
    text: str | None = None,
    target: str = "kaiser",
    passage: str | None = None,
    max_tokens: int = 2000,
) -> Prompt:
    """The messages of one (document, rubric) call: static system prefix, then the bounded document.

    ``text`` replaces the document's text (the redacted text with ``--redact``); ``passage`` is the located
    score discussion as sent (only for a rubric with ``model_span``)."""
    text, _ = strip_invisible(doc.text if text is None else text)
    boundary = make_boundary(text, seed=seed, salt=rubric.id)
    span = rubric.model_span is not None
    user = _render("document.j2", folder, kind=doc.kind.value.replace("_", " "), boundary=boundary, text=text,
                   target=target_line(target), span=span,
                   passage=strip_invisible(passage)[0].strip() if passage else "")
    system = system_message(rubric, criteria, folder, max_tokens=max_tokens)
    return Prompt((Message("system", system), Message("user", user)), boundary)


REWRITE_TEMPLATES = ("rewrite_system.j2", "rewrite_document.j2")


def rewrite_digest(folder: Path = PROMPTS_DIR) -> str:
    """Digest of the rewrite request's templates (its cache key's template part)."""
    return template_digest(folder, REWRITE_TEMPLATES)


def build_rewrite_prompt(
    kind: DocKind, *, text: str, passage: str, target: str = "kaiser", seed: str | None = None,
    folder: Path = PROMPTS_DIR,
) -> Prompt:
    """The messages of a rewrite request: static instructions (the guide's shape, the size for ``kind``, only
    the draft's facts, the JSON answer), then the passage and the draft between marker lines, as data."""
    text, _ = strip_invisible(text)
    boundary = make_boundary(text, seed=seed, salt="rewrite")
    size = ("a spoken answer of 75-150 words (30-60 seconds), calm, in the first person"
            if kind is DocKind.INTERVIEW_ANSWER else "2-4 sentences in the first person")
    system = _render("rewrite_system.j2", folder, size=size)
    user = _render("rewrite_document.j2", folder, kind=kind.value.replace("_", " "), boundary=boundary, text=text,
                   target=target_line(target), passage=strip_invisible(passage)[0].strip())
    return Prompt((Message("system", system), Message("user", user)), boundary)


def repair_messages(
    prompt: Prompt,
    previous: str,
    errors: Sequence[str],
    criterion_ids: Sequence[str],
    *,
    truncated: bool,
    span: bool = False,
    folder: Path = PROMPTS_DIR,
    max_previous: int = 4000,
) -> tuple[Message, ...]:
    """The re-ask: the original messages, the invalid answer, and what was wrong with it."""
    note = _render(
        "repair.j2", folder, errors=list(errors)[:8], truncated=truncated, criterion_ids=list(criterion_ids),
        span=span,
    )
    prev = previous[:max_previous] if previous.strip() else "(empty answer)"
    return (*prompt.messages, Message("assistant", prev), Message("user", note))
