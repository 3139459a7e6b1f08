"""Output formats by name: the one registry that ``review``, ``batch``, ``cohort.json`` and the cohort report read.

A format is one renderer module plus one :func:`register` call below. Its name is the ``--format`` value
and the file suffix (``<stem>.review.<name>``); ``cohort.json`` links a document's file as
``review_<name>``; the cohort report links the formats marked ``linked`` under their ``label``.

Renderers are named as ``"module:function"`` strings and imported on first use, so that reading the
registry (settings validation, ``reviewer --help``) costs nothing: python-docx, Jinja2 and friends load
only when a file of that format is written. This module therefore imports nothing of the package but the
leaf :mod:`reviewer.fsio`, and sits with the leaf modules (settings validates ``--format`` against it).

Two kinds of renderer:

* ``text``: ``(review, document) -> str``, written atomically as UTF-8 (JSON, Markdown, HTML);
* ``file``: ``(review, document, target, *, source, protect) -> None``, for formats that build a package
  themselves (DOCX reopens the source ``.docx``); it must write ``target`` atomically and never ``source``.

A format with an ``application`` renderer, ``(application_review, review_files) -> str``, also writes
``application.review.<name>`` for an applicant folder; when none of the requested formats has one, the
application review is written as Markdown so a folder review always says what was not reviewed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fsio import atomic_write_text

FALLBACK_APPLICATION_FORMAT = "md"


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its name, how reports label it, and where its renderers live."""

    name: str
    label: str
    text: str | None = None  # "module:function": (Review, Document) -> str
    file: str | None = None  # "module:function": (Review, Document, Path, *, source, protect) -> None
    application: str | None = None  # "module:function": (ApplicationReview, dict[str, str]) -> str
    default: bool = True  # written when no --format is given
    linked: bool = True  # linked from the cohort report

    def write_review(self, review: Any, document: Any, target: Path, *, source: Path | None = None,
                     protect: Iterable[Path] = ()) -> None:
        """Render one document's review into ``target`` (atomically; ``source`` and ``protect`` are never
        written)."""
        guarded = [*([source] if source is not None else []), *protect]
        if self.file is not None:
            _resolve(self.file)(review, document, target, source=source, protect=guarded)
        else:
            assert self.text is not None
            atomic_write_text(target, _resolve(self.text)(review, document), protect=guarded)

    def write_application(self, app: Any, target: Path, review_files: dict[str, str], *,
                          protect: Iterable[Path] = ()) -> None:
        assert self.application is not None
        atomic_write_text(target, _resolve(self.application)(app, review_files), protect=protect)


_FORMATS: dict[str, OutputFormat] = {}


def register(fmt: OutputFormat) -> OutputFormat:
    """Add a format (its name must be new, lower-case letters and digits, and it needs one renderer)."""
    if fmt.name in _FORMATS:
        raise ValueError(f"format '{fmt.name}' registered twice")
    if not fmt.name.isascii() or not fmt.name.isalnum() or fmt.name != fmt.name.lower():
        raise ValueError(f"format name '{fmt.name}': use lower-case letters and digits")
    if (fmt.text is None) == (fmt.file is None):
        raise ValueError(f"format '{fmt.name}': give exactly one of text= and file=")
    _FORMATS[fmt.name] = fmt
    return fmt


def output_format(name: str) -> OutputFormat:
    """The registered format ``name`` (KeyError when there is none)."""
    return _FORMATS[name]


def format_names() -> tuple[str, ...]:
    """Every registered format, in registration order."""
    return tuple(_FORMATS)


def default_formats() -> tuple[str, ...]:
    return tuple(f.name for f in _FORMATS.values() if f.default)


def linked_formats() -> tuple[OutputFormat, ...]:
    """The formats the cohort report links to, in registration order."""
    return tuple(f for f in _FORMATS.values() if f.linked)


def application_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats ``application.review.*`` is written in for the requested ``formats``."""
    chosen = tuple(f for f in formats if f in _FORMATS and _FORMATS[f].application is not None)
    return chosen or (FALLBACK_APPLICATION_FORMAT,)


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


# --- the formats ---------------------------------------------------------------------------------------

register(OutputFormat("json", "JSON", text="reviewer.render.json:review_json_document",
                      application="reviewer.render.json:application_json_text", linked=False))
register(OutputFormat("docx", "DOCX", file="reviewer.render.docx:write_review_docx"))
register(OutputFormat("md", "Markdown", text="reviewer.render.markdown:review_markdown",
                      application="reviewer.render.markdown:application_markdown"))
register(OutputFormat("html", "HTML", text="reviewer.render.html_review:review_html", default=False))
