"""Control characters never crash the renderers: ESC, STX, BEL and NUL in a .txt, in a PDF's text layer, in
structured entries or in a model's answer are cleaned at the one ingest boundary (where every Document is
built) and at the one answer boundary (validation, before caching), and every output is written.

The cache test plants an answer written by an earlier version (ESC, BEL and NUL in its strings): it is
cleaned as it is read, and an entry that no longer validates is evicted rather than served on every run.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer import llm
from reviewer.cli import main
from reviewer.document import DocKind
from reviewer.docx_xml import xml_safe
from reviewer.ingest import load_document
from reviewer.llm.cache import JudgmentCache
from reviewer.llm.judge import FakeJudge, JudgeRequest, Usage
from reviewer.llm.schemas import RubricJudgment
from reviewer.llm.schemas import validate_answer as validate

from .corpus import CLOSING, pdf_bytes

CONTROLS = "\x00\x01\x02\x07\x08\x0b\x0c\x1b\x1f"
TXT = f"My Step 1 score was 196 and I own it.\x1b[31m I changed how I study\x02 and passed Step 2 CK.\n\n{CLOSING}\n"


def _docx_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def _no_controls(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def test_xml_safe_replaces_one_for_one() -> None:
    text = "a\x1b[31mb\x02c\x0bd\x00e\ud800f\ufffeg\th\ni\rj"
    clean = xml_safe(text)
    assert len(clean) == len(text) and _no_controls(clean) and "\ud800" not in clean and "\ufffe" not in clean
    assert clean == "a\ufffd[31mb\ufffdc d\ufffde\ufffdf\ufffdg\th\ni\rj"
    assert xml_safe(text, drop=True) == "a[31mbc defg\th\ni\rj"
    assert xml_safe("plain text") == "plain text"


@pytest.mark.parametrize("name, data", [
    ("personal_statement.txt", TXT.encode()),
    ("personal_statement.md", f"# Statement\n\n{TXT}".encode()),
    ("personal_statement.pdf", pdf_bytes([["My Step 1 score was 196 and I own it.\x1b[31m I changed\x02 how",
                                           "I study\x07 and passed Step 2 CK.", "", CLOSING[:90]]])),
    ("experiences.json", json.dumps([{"title": "Clinic\x1b volunteer", "organization": "Free\x07 Clinic",
                                      "description": "Screened 40\x02 patients a week with nurses.\x00"}]).encode()),
], ids=["txt", "md", "pdf", "entries"])
def test_documents_with_control_characters_render_every_format(tmp_path: Path, name: str, data: bytes) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    doc = load_document(src, DocKind.EXPERIENCE if name.startswith("experience") else DocKind.PERSONAL_STATEMENT)
    assert _no_controls(doc.text) and all(_no_controls(e.title + (e.organization or "")) for e in doc.entries)
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(src), "--out", str(out), "--format", "json,md,docx"])
    assert r.exit_code == 0, r.output
    stem = Path(name).stem
    for fmt in ("json", "md", "docx"):
        assert (out / f"{stem}.review.{fmt}").is_file(), fmt
    assert _no_controls(_docx_texts(out / f"{stem}.review.docx"))


# --------------------------------------------------------------------------------------------- model answers

NASTY = "the exam\x1b[2J was\x07 unfair\x00 to international students"


def _responder(request: JudgeRequest) -> dict[str, Any]:
    ids = list(request.schema["properties"]["criteria"]["properties"])
    answer: dict[str, Any] = {"criteria": {cid: {"reasoning": f"judged\x1b[31m {cid}\x07\x00", "score": 2,
                                                 "quotes": [{"quote": NASTY, "suggestion": "rewrite\x1b it\x08"}]}
                                           for cid in ids}}
    if "exam_discussion" in request.schema["properties"]:
        answer["exam_discussion"] = {"discusses_exam": True, "setback": True, "quote": NASTY}
    return answer


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[FakeJudge]:
    made: list[FakeJudge] = []

    def make(config: Any) -> FakeJudge:
        judge = FakeJudge(_responder, endpoint=config.endpoint, model=config.model)
        made.append(judge)
        return judge

    monkeypatch.setattr(llm, "make_judge", make)
    return made


PS = ("I failed Step 1 on my first attempt because the exam was unfair to international students.\n"
      "I rebuilt my preparation around question banks and weekly self-assessments, and I scored 241 on Step 2 CK.\n\n"
      "At a safety-net clinic I coordinated with nurses to call 120 patients overdue for follow-up.\n")


def _hybrid(tmp_path: Path, draft: Path) -> Any:
    return CliRunner().invoke(main, ["review", str(draft), "--out", str(tmp_path / "out"), "--engine", "hybrid",
                                     "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--no-rewrite",
                                     "--format", "json,md,docx"], env={"OPENAI_API_KEY": ""})


def test_model_answer_with_esc_bel_nul_renders_and_is_cached_clean(tmp_path: Path, fake: list[FakeJudge]) -> None:
    draft = tmp_path / "personal_statement.txt"
    draft.write_text(PS)
    r = _hybrid(tmp_path, draft)
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    assert fake[0].calls > 0
    data = json.loads((out / "personal_statement.review.json").read_text())
    llm_findings = [f for f in data["findings"] if f["source"] == "llm"]
    assert llm_findings, "the cleaned quote must still ground"
    assert all(_no_controls(f["message"] + f["suggestion"] + f["quote"]) for f in data["findings"])
    assert _no_controls(_docx_texts(out / "personal_statement.review.docx"))
    cached = [json.loads(p.read_text())["judgment"] for p in (out / ".llm-cache").rglob("judgments/*/*.json")]
    strings = [s for j in cached for c in j["criteria"]
               for s in (c["reasoning"], *(e["quote"] + e["suggestion"] for e in c["evidence"]))]
    strings += [j["discussion"]["quote"] for j in cached if j.get("discussion")]
    assert cached and strings and all(_no_controls(s) for s in strings)
    # a second run is answered from the cache and renders again
    r = _hybrid(tmp_path, draft)
    assert r.exit_code == 0, r.output
    assert fake[1].calls == 0


def test_a_server_error_with_control_characters_becomes_a_note_that_renders(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    """A failing server's error text reaches the feedback as a fallback note: it is cleaned too."""
    from reviewer.ingest.memory import from_text
    from reviewer.llm import LLMConfig, MethodMemory
    from reviewer.llm.judge import JudgeFailure
    from reviewer.pipeline import Engine, review_document
    from reviewer.render.docx import render_docx

    doc = from_text(PS, DocKind.PERSONAL_STATEMENT)
    judge = FakeJudge([JudgeFailure("HTTP 500: upstream said \x1b[31mboom\x07\x00")])
    config = LLMConfig(model="m", base_url="http://127.0.0.1:9/v1", max_retries=0)
    review = review_document(doc, rubrics, engine=Engine("hybrid", config, judge, MethodMemory(None)))
    assert any("upstream said [31mboom" in n for n in review.notes) and all(_no_controls(n) for n in review.notes)
    render_docx(review, doc, tmp_path / "ps.review.docx")
    assert _no_controls(_docx_texts(tmp_path / "ps.review.docx"))


def test_answer_validation_cleans_every_string() -> None:
    raw = {"criteria": [{"criterion_id": "a", "reasoning": "ok\x1b[0m then\x07", "score": 3,
                         "evidence": [{"quote": "x\x00y", "suggestion": "\x1bz\x0c"}]}]}
    judged = validate(raw, json.dumps(raw), ["a"])
    c = judged.criteria[0]
    assert c.reasoning == "ok[0m then" and c.evidence[0].quote == "xy" and c.evidence[0].suggestion == "z"


def test_a_cached_answer_from_an_earlier_version_is_cleaned_or_evicted(tmp_path: Path) -> None:
    cache = JudgmentCache(tmp_path)
    judgment = RubricJudgment.model_validate({"criteria": [{"criterion_id": "a", "score": 3, "reasoning": "fine"}]})
    cache.put("ab" * 32, judgment, Usage(1, 1, 1), "json_schema")
    path = tmp_path / "judgments" / "ab" / f"{'ab' * 32}.json"
    data = json.loads(path.read_text())
    data["judgment"]["criteria"][0]["reasoning"] = "was\x1b[31m written\x07 before\x00"
    path.write_text(json.dumps(data))
    hit = cache.get("ab" * 32)
    assert hit is not None and hit.judgment.criteria[0].reasoning == "was[31m written before"
    data["judgment"]["criteria"][0]["score"] = 9  # no longer a valid answer
    path.write_text(json.dumps(data))
    assert cache.get("ab" * 32) is None and not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert cache.get("ab" * 32) is None and not path.exists()
