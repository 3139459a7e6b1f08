"""The model engine's rewrite of the score discussion: asked through the one request builder, fact-checked
with :func:`reviewer.rewrite.new_facts`, shown in every format when kept, discarded with its reason otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from docx import Document as Docx

from reviewer import llm
from reviewer.cli import main
from reviewer.llm import LLMConfig
from reviewer.llm.judge import FakeJudge, JudgeFailure, JudgeRequest
from reviewer.llm.request import REWRITE_SCHEMA_NAME
from reviewer.pipeline import Engine, review_document
from reviewer.rubric import load_rubrics
from test_llm_helpers import answer_for

from conftest import make_doc

PS = """My name is Amara Okafor.
I failed Step 1 on my first attempt because the exam was unfair to international students.
I rebuilt my preparation around UWorld questions and weekly self-assessments, and I passed on my second attempt.
I now bring the same habits to quality improvement work at a safety-net clinic.

At that clinic I coordinated with nurses to call 120 patients overdue for follow-up. Kaiser Permanente's
integrated, team-based model is why I want to train there.
"""
GOOD = ("I did not pass Step 1 on my first attempt. I rebuilt my preparation around UWorld questions and weekly "
        "self-assessments. I passed on my second attempt, and I now bring the same habits to quality improvement "
        "work at a safety-net clinic.")
INVENTED = ("I did not pass Step 1 on my first attempt. After rebuilding my preparation I scored 250 on Step 2 CK "
            "in 2021. I now bring these habits to my work at Mayo Clinic.")
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/reviewer/schemas/review-1.schema.json").read_text())
EXCUSE = "the exam was unfair to international students"


def responder(rewrite: Any) -> Any:
    """Judgments that leave the excuse open (so a rewrite is asked for); ``rewrite`` answers the rewrite."""

    def respond(request: JudgeRequest) -> Any:
        if request.schema.get("title") == REWRITE_SCHEMA_NAME:
            return rewrite(request) if callable(rewrite) else rewrite
        return answer_for(request, 2, EXCUSE)

    return respond


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(rewrite: Any) -> list[FakeJudge]:
        made: list[FakeJudge] = []

        def make(config: Any) -> FakeJudge:
            judge = FakeJudge(responder(rewrite), endpoint=config.endpoint, model=config.model)
            made.append(judge)
            return judge

        monkeypatch.setattr(llm, "make_judge", make)
        return made

    return install


def _review(tmp_path: Path, *extra: str) -> tuple[Any, Path]:
    draft = tmp_path / "personal_statement.txt"
    draft.write_text(PS)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(draft), "--out", str(out), "--engine", "hybrid", "--model", "m",
                                  "--base-url", "http://127.0.0.1:9/v1", "--format", "json,md,docx,html", *extra],
                           env={"OPENAI_API_KEY": ""})
    return r, out


def _docx_comments(path: Path) -> str:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = Docx(str(path)).part
    comments = [r.target_part for r in part.rels.values() if r.reltype == RT.COMMENTS]
    return comments[0].blob.decode() if comments else ""


def test_a_rewrite_that_passes_the_fact_check_is_shown_in_every_format(tmp_path: Path, judged: Any) -> None:
    fakes = judged({"rewrite": GOOD})
    r, out = _review(tmp_path)
    assert r.exit_code == 0, r.output
    asked = [q for q in fakes[0].requests if q.schema.get("title") == REWRITE_SCHEMA_NAME]
    assert len(asked) == 1
    user = asked[0].messages[-1].content
    assert "BEGIN DRAFT" in user and "BEGIN PASSAGE" in user and EXCUSE in user
    data = json.loads((out / "personal_statement.review.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["advice"]["rewrite"]["source"] == "llm" and data["advice"]["rewrite"]["text"] == GOOD
    assert data["llm"]["rewrite"]["status"] == "kept"
    assert any(c["rubric"] == "rewrite" and c["status"] == "ok" for c in data["llm"]["calls"])
    assert GOOD in (out / "personal_statement.review.md").read_text()
    assert "UWorld questions and weekly self-assessments. I passed on my second attempt" in \
        (out / "personal_statement.review.html").read_text()
    assert "I passed on my second attempt, and I now bring" in _docx_comments(next(out.glob("*.docx")))


def test_a_rewrite_that_invents_a_score_a_hospital_and_a_year_is_discarded(tmp_path: Path, judged: Any) -> None:
    judged({"rewrite": INVENTED})
    r, out = _review(tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads((out / "personal_statement.review.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["advice"]["rewrite"]["source"] == "rules"  # the outline instead
    kept = data["llm"]["rewrite"]
    assert kept["status"] == "discarded" and kept["reason"] == "new_facts"
    assert {"250", "Step 2 CK", "2021", "Mayo Clinic"} <= set(kept["new_facts"])
    note = next(n for n in data["notes"] if "rewrite" in n)
    assert "discarded" in note and "Mayo Clinic" in note
    md = (out / "personal_statement.review.md").read_text()
    assert "discarded" in md and "Mayo Clinic" not in md.split("## Suggested rewrite")[1].split("##")[0]
    assert "Mayo Clinic" not in _docx_comments(next(out.glob("*.docx")))


def test_redact_sends_no_name_and_the_restored_rewrite_is_checked() -> None:
    doc = make_doc(PS)
    config = LLMConfig(model="m", base_url="http://127.0.0.1:9/v1", redact=True, boundary_seed="t")

    def rewrite(request: JudgeRequest) -> dict[str, str]:
        placeholder = next(w for w in request.messages[-1].content.split() if w.startswith("[NAME"))
        return {"rewrite": f"{GOOD} Kaiser Permanente is where {placeholder.rstrip('.')} wants to train."}

    judge = FakeJudge(responder(rewrite))
    review = review_document(doc, load_rubrics(), engine=Engine("hybrid", config, judge), names=("Amara Okafor",))
    sent = " ".join(m.content for q in judge.requests for m in q.messages)
    assert judge.requests and "Amara" not in sent and "Okafor" not in sent
    assert review.llm is not None and review.llm.rewrite is not None
    assert review.llm.rewrite.model_dump() == {"status": "kept", "text": review.llm.rewrite.text, "reason": "",
                                               "new_facts": ()}
    assert "Amara Okafor" in review.llm.rewrite.text


def test_a_model_failure_leaves_the_outline(tmp_path: Path, judged: Any) -> None:
    judged(JudgeFailure("HTTP 400: bad request"))
    r, out = _review(tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads((out / "personal_statement.review.json").read_text())
    assert data["advice"]["rewrite"]["source"] == "rules"
    assert data["llm"]["rewrite"]["status"] == "failed"
    assert any("rewrite" in n and "unavailable" in n for n in data["notes"])


def test_no_rewrite_makes_no_rewrite_request(tmp_path: Path, judged: Any) -> None:
    fakes = judged({"rewrite": GOOD})
    r, out = _review(tmp_path, "--no-rewrite")
    assert r.exit_code == 0, r.output
    assert not any(q.schema.get("title") == REWRITE_SCHEMA_NAME for q in fakes[0].requests)
    assert json.loads((out / "personal_statement.review.json").read_text())["advice"]["rewrite"]["source"] == "rules"
