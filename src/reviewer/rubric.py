"""Rubrics as data: strict pydantic models for ``rubrics/*.yaml`` and a loader with located errors.

A rubric file holds one rubric; each criterion names the detector (``check``) that judges it, the
guide section it comes from, and should-flag / should-pass examples that the structure test runs.
Errors read ``rubrics/score.yaml:14: criterion 'score.excuse': params.phrases: field required``:
the YAML is parsed with ruamel.yaml so every node keeps its line.

The model engines read their policy from the same data, validated here so that a new criterion is YAML
only: ``judge`` (rules | model | both: who decides it in the hybrid engine), ``model_ceiling`` (the worst
verdict a model score may give), ``model_pass_at`` (the lowest score that passes), ``levels`` (what a 1, 3
and 5 look like for *this* criterion; required when a model judges it), ``guide_quotes`` (the guide's
passages, quoted exactly), ``quotes`` (what the model quotes: the words of a problem, or for an absence the
closest sentence) and ``anchor:`` on examples shown to the model as calibration (flag 1-3, pass 4-5). A
rubric's ``model_gate`` terms and ``model_span`` say when it is worth a call and whether the model locates
the score discussion too.

User rubrics (``--rubrics DIR``) are merged over the built-in ones: a rubric with an existing id
replaces it, a new id is added. Criterion ids must stay unique across the merged set.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .document import DocKind
from .errors import RubricError
from .findings import Severity

BUILTIN_DIR = Path(__file__).parent / "rubrics"


class Scope(StrEnum):
    DOCUMENT = "document"
    APPLICATION = "application"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ExampleEntry(Strict):
    title: str = "Experience"
    organization: str | None = None
    role: str | None = None
    start: str | None = None
    end: str | None = None
    hours: float | None = None
    description: str


class ExampleDocument(Strict):
    kind: DocKind
    text: str = ""
    entries: tuple[ExampleEntry, ...] = ()
    name: str | None = None
    program: tuple[str, ...] = ()  # the program (name, other names) a tailored statement is declared for

    @field_validator("program", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class Example(Strict):
    """A should-flag or should-pass example: plain text, entries, or (application scope) documents."""

    text: str | None = None
    kind: DocKind | None = None
    entries: tuple[ExampleEntry, ...] = ()
    documents: tuple[ExampleDocument, ...] = ()
    target: str | None = None  # e.g. "other" for a statement not aimed at Kaiser
    note: str | None = None
    # a calibrated anchor for a model: this example, shown in the prompt, scores this (flag 1-3, pass 4-5)
    anchor: int | None = Field(default=None, ge=1, le=5)


class Examples(Strict):
    flag: tuple[Example, ...] = Field(min_length=1)
    pass_: tuple[Example, ...] = Field(alias="pass", min_length=1)

    @field_validator("flag", "pass_", mode="before")
    @classmethod
    def _strings_are_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("flag")
    @classmethod
    def _low_anchors(cls, value: tuple[Example, ...]) -> tuple[Example, ...]:
        if any(e.anchor is not None and e.anchor > 3 for e in value):
            raise ValueError("a flag example anchors a score of 1 to 3")
        return value

    @field_validator("pass_")
    @classmethod
    def _high_anchors(cls, value: tuple[Example, ...]) -> tuple[Example, ...]:
        if any(e.anchor is not None and e.anchor < 4 for e in value):
            raise ValueError("a pass example anchors a score of 4 or 5")
        return value

    def anchors(self) -> list[Example]:
        """The examples marked as calibrated anchors for a model (flag ones first), with text."""
        return [e for e in (*self.flag, *self.pass_) if e.anchor is not None and (e.text or e.entries)]


class JudgedBy(StrEnum):
    """Who decides a criterion in the ``hybrid`` engine (see :mod:`reviewer.llm.policy`)."""

    RULES = "rules"  # counted: lengths, counts, lexicon breadth, integrity; never sent to a model
    MODEL = "model"  # judgment: the model's grounded answer decides (the rules' stricter verdict stands
    #                  only for a suspect draft or an ungrounded answer)
    BOTH = "both"  # the stricter of the rules verdict and the model verdict


LEVELS_NEEDED = (1, 3, 5)


class Criterion(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    title: str
    guide: str = Field(min_length=1)
    severity: Severity
    check: str
    params: dict[str, Any] = Field(default_factory=dict)
    applies_to: tuple[DocKind, ...] | None = None
    message: str
    suggestion: str
    # --- for the model engines (validated here, so a new criterion is YAML only) ---
    judge: JudgedBy = JudgedBy.RULES
    model_ceiling: Literal["warn", "fail"] = "fail"  # the worst verdict a model score may give
    # the lowest model score that passes (default 4); 5 where the spec flags any single shortfall ("warn per
    # unbacked value claim": a 4, "one claim unbacked", is a warning)
    model_pass_at: int | None = Field(default=None, ge=3, le=5)
    # what a 1, 3 and 5 look like for this criterion (2 and 4 lie between); required when a model judges it
    levels: dict[int, str] | None = None
    # passages of the guide, quoted exactly, that the model reads with the criterion
    guide_quotes: tuple[str, ...] = ()
    # what the model quotes: "problem" (the words that lower the score) or "closest" (for a criterion about
    # something absent: the sentence closest to what is looked for, or nothing)
    quotes: Literal["problem", "closest"] = "problem"
    examples: Examples

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: dict[int, str] | None) -> dict[int, str] | None:
        if value is None:
            return None
        bad = sorted(k for k in value if not 1 <= k <= 5)
        if bad:
            raise ValueError(f"levels are scores 1 to 5, not {bad[0]}")
        missing = [k for k in LEVELS_NEEDED if not str(value.get(k) or "").strip()]
        if missing:
            raise ValueError(f"levels need what a {', '.join(map(str, missing))} looks like for this criterion")
        return value

    @field_validator("guide_quotes")
    @classmethod
    def _quotes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not q.strip() for q in value):
            raise ValueError("a guide quote cannot be empty")
        return value

    @model_validator(mode="after")
    def _model_judged(self) -> Criterion:
        if self.judge is not JudgedBy.RULES:
            if self.levels is None:
                raise ValueError(f"levels: required when judge is '{self.judge.value}' (what a 1, 3 and 5 look like)")
            if not self.examples.anchors():
                raise ValueError(f"examples: mark at least one example with anchor: <score> when judge is "
                                 f"'{self.judge.value}' (the model's calibration)")
        return self

    def applies(self, kind: DocKind, rubric: Rubric) -> bool:
        kinds = self.applies_to if self.applies_to is not None else rubric.applies_to
        return kind in kinds

    @property
    def model_judged(self) -> bool:
        return self.judge is not JudgedBy.RULES


class Rubric(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    scope: Scope = Scope.DOCUMENT
    applies_to: tuple[DocKind, ...] = ()
    guide: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    # the model is asked only when the document holds one of these terms (a cheap, generous pre-check; empty:
    # always asked); checks.text term syntax
    model_gate: tuple[str, ...] = ()
    # a passage the model locates too: "score_discussion" asks whether the draft discusses an exam result and
    # whether it is a setback; a grounded answer makes the rubric's criteria apply where the rules found none
    model_span: Literal["score_discussion"] | None = None
    source_path: str = Field(default="", exclude=True)

    def with_criteria(self, criteria: tuple[Criterion, ...]) -> Rubric:
        """This rubric with other criteria: a new model, not ``model_copy`` (which would carry the cached
        :attr:`digest` over)."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).model_validate({**fields, "criteria": criteria})

    @functools.cached_property
    def digest(self) -> str:
        """A digest of everything the rubric says (computed once: the model is frozen)."""
        payload = self.model_dump(mode="json", by_alias=True)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class RubricSet(BaseModel):
    """The merged, validated rubrics in force for a run."""

    model_config = ConfigDict(frozen=True)

    rubrics: tuple[Rubric, ...]

    def criteria(self) -> Iterable[tuple[Rubric, Criterion]]:
        for r in self.rubrics:
            for c in r.criteria:
                yield r, c

    def get(self, cid: str) -> tuple[Rubric, Criterion]:
        for r, c in self.criteria():
            if c.id == cid:
                return r, c
        raise RubricError(f"no criterion with id '{cid}'", hint="`reviewer rubrics list` shows the ids")

    def for_kind(self, kind: DocKind) -> list[tuple[Rubric, Criterion]]:
        return [(r, c) for r, c in self.criteria() if r.scope is Scope.DOCUMENT and c.applies(kind, r)]

    def application_criteria(self) -> list[tuple[Rubric, Criterion]]:
        return [(r, c) for r, c in self.criteria() if r.scope is Scope.APPLICATION]

    def select(self, only: Sequence[str] = (), skip: Sequence[str] = ()) -> RubricSet:
        """Keep criteria matching any ``only`` prefix (all when empty) and no ``skip`` prefix."""
        kept: list[Rubric] = []
        for r in self.rubrics:
            crits = tuple(c for c in r.criteria if _selected(c.id, only, skip))
            if crits:
                kept.append(r.with_criteria(crits))
        return RubricSet(rubrics=tuple(kept))

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256("".join(r.digest for r in self.rubrics).encode()).hexdigest()[:16]


def matches_prefix(cid: str, prefix: str) -> bool:
    """Dotted-prefix match: ``score`` matches ``score.excuse``; ``score.ex`` matches nothing."""
    prefix = prefix.strip().rstrip(".")
    return cid == prefix or cid.startswith(prefix + ".")


def _selected(cid: str, only: Sequence[str], skip: Sequence[str]) -> bool:
    if only and not any(matches_prefix(cid, p) for p in only):
        return False
    return not any(matches_prefix(cid, p) for p in skip)


# --- loading --------------------------------------------------------------------------------------


def _located(raw: str) -> Any:
    """``raw`` read by the round-trip loader, which keeps every node's line: only to locate an error."""
    from ruamel.yaml import YAML

    return YAML(typ="rt", pure=True).load(raw)


def _line_of(node: Any, loc: Sequence[int | str]) -> int | None:
    """1-based line of the deepest node on ``loc`` that ruamel.yaml can place."""
    line: int | None = None
    current = node
    for key in loc:
        lc = getattr(current, "lc", None)
        try:
            if isinstance(key, int) and isinstance(current, list):
                if lc is not None:
                    line = lc.item(key)[0] + 1
                current = current[key]
            elif isinstance(current, dict) and key in current:
                if lc is not None:
                    line = lc.key(key)[0] + 1
                current = current[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    if line is None and getattr(node, "lc", None) is not None:
        line = node.lc.line + 1
    return line


def _criterion_id(data: Any, loc: Sequence[int | str]) -> str | None:
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
        try:
            cid = data["criteria"][loc[1]].get("id")
            return str(cid) if cid else None
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def load_rubric(path: Path) -> Rubric:
    """Parse and validate one rubric file; raise :class:`RubricError` located at ``path:line``.

    Valid files (the usual case) are read once with the fast safe loader; only a file with a problem is
    parsed again with the line-keeping loader, so the error can point at its line.
    """
    from ruamel.yaml.error import YAMLError

    from .yamlio import load_safe

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"cannot read rubric: {exc}", path=path) from exc
    try:
        data = load_safe(raw)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
        ) from exc
    except RecursionError:
        raise RubricError("invalid YAML: nested too deeply", path=path) from None
    if not isinstance(data, dict):
        raise RubricError("a rubric file must be a mapping with id, title and criteria", path=path, line=1)
    try:
        rubric = Rubric.model_validate({**data, "source_path": str(path)})
        problem = _detector_problem(rubric)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p != "source_path"]
        located = _located(raw)
        field = ".".join(str(p) for p in loc[2:]) if _criterion_id(data, loc) else ".".join(map(str, loc))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise RubricError(
            f"{field}: {msg.lower()}" if field else msg.lower(),
            path=path,
            line=_line_of(located, loc),
            criterion=_criterion_id(data, loc),
        ) from None
    if problem is not None:
        loc, message, hint = problem
        raise RubricError(message, path=path, line=_line_of(_located(raw), loc),
                          criterion=_criterion_id(data, loc), hint=hint)
    return rubric


def _detector_problem(rubric: Rubric) -> tuple[list[int | str], str, str | None] | None:
    """The first duplicate id, unknown check or invalid params: (YAML path, message, hint)."""
    from .checks.registry import known_checks, validate_params

    known = known_checks()
    problem = _gate_problem(rubric.model_gate)
    if problem:
        return ["model_gate"], f"model_gate: {problem}", None
    seen: set[str] = set()
    for i, c in enumerate(rubric.criteria):
        if c.id in seen:
            return ["criteria", i], f"duplicate criterion id '{c.id}'", None
        seen.add(c.id)
        if c.check not in known:
            return ["criteria", i, "check"], f"check: unknown check '{c.check}'", "known checks: " + ", ".join(
                sorted(known)
            )
        problem = validate_params(c.check, c.params)
        if problem:
            return ["criteria", i, "params"], f"params: {problem}", None
    return None


def _gate_problem(terms: Sequence[str]) -> str | None:
    import re

    from .checks.text import term_pattern

    try:
        term_pattern(tuple(terms))
    except re.error as exc:
        return f"invalid pattern: {exc}"
    return None


def load_rubrics(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> RubricSet:
    """Load the built-in rubrics, then each ``extra_dirs`` folder (or file) over them."""
    by_id: dict[str, Rubric] = {}
    sources: list[Path] = [BUILTIN_DIR] if builtin else []
    sources.extend(extra_dirs)
    for src in sources:
        if not src.exists():
            raise RubricError("rubric folder not found", path=src, hint="pass an existing folder to --rubrics")
        files = sorted(src.glob("*.yaml")) + sorted(src.glob("*.yml")) if src.is_dir() else [src]
        for f in files:
            r = load_rubric(f)
            by_id[r.id] = r
    owners: dict[str, str] = {}
    for r in by_id.values():
        for c in r.criteria:
            if c.id in owners:
                raise RubricError(
                    f"criterion id '{c.id}' is defined in two rubrics ('{owners[c.id]}' and '{r.id}')",
                    path=r.source_path,
                    hint="override a criterion by overriding its whole rubric (same rubric id)",
                )
            owners[c.id] = r.id
    return RubricSet(rubrics=tuple(by_id.values()))
