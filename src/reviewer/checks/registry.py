"""The check registry: detectors are small pure functions registered by name.

A rubric criterion names its detector in ``check:`` and configures it with ``params:``. Each detector
declares a pydantic model for its params (validated when the rubric loads, so a typo in a rubric is a
``path:line`` error, not a crash mid-review) and returns an :class:`Outcome`: the criterion verdict and
the :class:`Hit` spans behind it. The engine (:mod:`reviewer.checks.rules`) turns hits into findings with
the criterion's message and suggestion; detectors never build user-facing text beyond a short note.

Besides the criterion-specific detectors, the general check kinds of :mod:`reviewer.checks.general` (terms
present, terms absent, term count, length; over the document, each entry or the score discussion) let a new
criterion be written in YAML alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..document import Document
from ..findings import Verdict

if TYPE_CHECKING:
    from ..kinds import Manifest

P = TypeVar("P", bound=BaseModel)


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Params(BaseModel):
    """Base for detector params: strict, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Hit:
    """A span a detector points at. Offsets index ``Document.text`` (of ``document`` for app checks)."""

    start: int
    end: int
    verdict: Verdict
    note: str = ""
    entry: int | None = None
    document: str | None = None  # application checks: Document.path the span is in


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    hits: tuple[Hit, ...] = ()
    summary: str = ""  # one line on why, e.g. "score discussion is 6 sentences; limit 4"


@dataclass
class Context:
    """What a document detector may read: the document, the review target and a shared memo.

    The memo lets detectors share derived analysis (e.g. the score-discussion span) without
    recomputing it; values must be pure functions of the document.
    """

    doc: Document
    target: str = "kaiser"
    memo: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass
class AppContext:
    """What an application detector may read: every document of one applicant, with their contexts, and the
    folder's manifest (what the applicant declared about the documents, e.g. ``tailored:``) when there is one."""

    docs: Sequence[Document]
    contexts: dict[str, Context] = field(default_factory=dict)
    manifest: Manifest | None = None

    def context(self, doc: Document) -> Context:
        if doc.path not in self.contexts:
            self.contexts[doc.path] = Context(doc)
        return self.contexts[doc.path]


DocCheck = Callable[[Context, Any], Outcome]
AppCheck = Callable[[AppContext, Any], Outcome]


@dataclass(frozen=True)
class CheckSpec(Generic[P]):
    name: str
    fn: Callable[..., Outcome]
    params: type[BaseModel]
    application: bool = False


_REGISTRY: dict[str, CheckSpec[Any]] = {}


def register(
    name: str, params: type[BaseModel] = NoParams, *, application: bool = False
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Decorator: ``@register("score_excuse", ExcuseParams)`` over ``def fn(ctx, params) -> Outcome``."""

    def deco(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"check '{name}' registered twice")
        _REGISTRY[name] = CheckSpec(name=name, fn=fn, params=params, application=application)
        return fn

    return deco


def _load_builtin() -> None:
    from . import builtin  # noqa: F401  (it imports every detector module; each registers itself)


def known_checks() -> dict[str, CheckSpec[Any]]:
    _load_builtin()
    return dict(_REGISTRY)


def get_check(name: str) -> CheckSpec[Any]:
    _load_builtin()
    return _REGISTRY[name]


def parse_params(name: str, params: dict[str, Any]) -> BaseModel:
    return get_check(name).params.model_validate(params)


def validate_params(name: str, params: dict[str, Any]) -> str | None:
    """None when ``params`` fit the check's model, else a one-line description of the first problem."""
    try:
        parse_params(name, params)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg'].lower()}" if where else err["msg"].lower()
    return None
