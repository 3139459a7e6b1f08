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


@pytest.fixture()
def make_readonly():  # type: ignore[no-untyped-def]
    """``undo = make_readonly(folder)``: the folder becomes truly read-only (until ``undo()`` or the end of the
    test): a read-only bind mount when running as root (permission bits do not stop root), the permission
    bits otherwise. Skips the test when neither is possible."""
    import os
    import stat
    import subprocess

    mounted: list[Path] = []
    chmodded: list[tuple[Path, int]] = []

    def undo() -> None:
        while mounted:
            subprocess.run(["umount", str(mounted.pop())], capture_output=True)
        while chmodded:
            p, mode = chmodded.pop()
            p.chmod(mode)

    def make(folder: Path):  # type: ignore[no-untyped-def]
        if os.geteuid() == 0:
            ok = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0
            if ok:
                mounted.append(folder)
                ok = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)],
                                    capture_output=True).returncode == 0
            if not ok:
                undo()
                pytest.skip("a read-only mount needs mount privileges")
            return undo
        for p in [folder, *(q for q in folder.rglob("*") if q.is_dir())]:
            chmodded.append((p, p.stat().st_mode))
            p.chmod(stat.S_IRUSR | stat.S_IXUSR)
        return undo

    yield make
    undo()
