"""Shared test helpers: documents from literals, and the built-in rubric set."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.document import DocKind, Document
from reviewer.ingest.memory import from_entries, from_text
from reviewer.rubric import Example, ExampleDocument, RubricSet, load_rubrics

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def rubrics() -> RubricSet:
    return load_rubrics()


def entry_records(entries) -> list[dict]:
    return [
        {"title": e.title, "organization": e.organization, "role": e.role, "start": e.start, "end": e.end,
         "hours": e.hours, "description": e.description}
        for e in entries
    ]


def make_doc(
    text: str = "", kind: DocKind = DocKind.PERSONAL_STATEMENT, entries=(), path: str | None = None
) -> Document:
    """A Document from literal text, or from entry records for experience documents."""
    if entries:
        return from_entries(entry_records(entries) if not isinstance(entries[0], dict) else entries,
                            path=path or "<entries>")
    return from_text(text, kind, path=path or f"<{kind.value}>")


def example_doc(example: Example | ExampleDocument, default_kind: DocKind) -> Document:
    kind = example.kind or default_kind
    if kind is DocKind.EXPERIENCE and not example.entries and example.text is not None:
        return from_entries([{"title": "Experience", "description": example.text}], path="<example>")
    return make_doc(example.text or "", kind, example.entries, path=getattr(example, "name", None))
