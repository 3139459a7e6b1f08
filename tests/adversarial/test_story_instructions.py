"""Every story of a Word file is searched for instructions to an automated reader: header, footer, footnote,
endnote (here in a hidden run) and comment, none of which is reviewed or sent to a model; each finding names
the story it was found in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.checks.registry import Context
from reviewer.checks.rules import run_criterion
from reviewer.document import DocKind
from reviewer.findings import Verdict
from reviewer.ingest import load_document
from reviewer.llm import LLMConfig, MethodMemory
from reviewer.llm.judge import FakeJudge, JudgeRequest
from reviewer.pipeline import Engine, review_document

from .corpus import STORY_INSTRUCTIONS, stories_docx


def _load(tmp_path: Path) -> Any:
    src = tmp_path / "personal_statement.docx"
    src.write_bytes(stories_docx())
    return load_document(src, DocKind.PERSONAL_STATEMENT)


def test_an_instruction_in_any_story_is_flagged_and_named(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    doc = _load(tmp_path)
    rubric, criterion = rubrics.get("integrity.instructions")
    out = run_criterion(Context(doc), rubric, criterion)
    assert out.verdict is Verdict.FAIL
    notes = [h.note for h in out.hits]
    for where, text in STORY_INSTRUCTIONS.items():
        note = next((n for n in notes if n.startswith(f"in the {where} (not part of the reviewed text): ")), None)
        assert note is not None, (where, notes)
        assert text[:30] in note, note
    assert all(doc.text[h.start:h.end] == doc.blocks[0].text for h in out.hits)  # anchored on the first paragraph
    assert "headers, footers or comments" in out.summary


def test_stories_are_never_sent_to_a_model(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    doc = _load(tmp_path)

    def answer(request: JudgeRequest) -> dict[str, Any]:
        ids = list(request.schema["properties"]["criteria"]["properties"])
        return {"criteria": {c: {"reasoning": "ok", "score": 4, "quotes": []} for c in ids}}

    judge = FakeJudge(answer)
    config = LLMConfig(model="fake-model", base_url="http://127.0.0.1:9/v1", max_retries=0)
    review = review_document(doc, rubrics, engine=Engine("hybrid", config, judge, MethodMemory(None)))
    sent = "\n".join(m.content for r in judge.requests for m in r.messages)
    assert judge.calls > 0 and "I own that result" in sent
    for text in STORY_INSTRUCTIONS.values():
        assert text[:30] not in sent
    by = {c.id: c for c in review.criteria}
    assert by["integrity.instructions"].verdict is Verdict.FAIL and by["integrity.instructions"].source.value == "rules"
