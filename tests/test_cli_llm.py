"""The model engine through the CLI and pipeline: hybrid review with a fake judge at the one boundary,
usage and cost in the outputs, the cache on a re-run, dry runs, local-only refusals, keys from env only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from reviewer import llm
from reviewer.cli import main
from reviewer.errors import ConfigError
from reviewer.llm.judge import FakeJudge, JudgeRequest
from reviewer.settings import resolve_settings
from test_llm_helpers import answer_for

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/reviewer/schemas/review-1.schema.json").read_text())

PS = """I failed Step 1 on my first attempt because the exam was unfair to international students.
I rebuilt my preparation around UWorld questions and weekly self-assessments, and I scored 241 on Step 2 CK.
I now bring the same habits to quality improvement work at a safety-net clinic.

At that clinic I coordinated with nurses to call 120 patients overdue for follow-up. Kaiser Permanente's
integrated, team-based model is why I want to train there.
"""


def _responder(quote: str, score: int) -> Any:
    """Answer every requested criterion with ``score``; quote ``quote`` as evidence for each."""

    def respond(request: JudgeRequest) -> dict[str, Any]:
        return answer_for(request, score, quote)

    return respond


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[FakeJudge]:
    made: list[FakeJudge] = []

    def make(config: Any) -> FakeJudge:
        judge = FakeJudge(_responder("the exam was unfair to international students", 2),
                          endpoint=config.endpoint, model=config.model)
        made.append(judge)
        return judge

    monkeypatch.setattr(llm, "make_judge", make)
    return made


def _review(tmp_path: Path, *extra: str) -> tuple[Any, Path]:
    draft = tmp_path / "personal_statement.txt"
    draft.write_text(PS)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(draft), "--out", str(out), "--engine", "hybrid", "--model", "m",
                                  "--base-url", "http://127.0.0.1:9/v1", *extra], env={"OPENAI_API_KEY": ""})
    return r, out


def test_hybrid_review_records_both_sources_usage_and_cache(tmp_path: Path, fake: list[FakeJudge]) -> None:
    # the fake answers every request as a judgment: the rewrite request (its own tests) is turned off
    r, out = _review(tmp_path, "--format", "json,md,docx", "--no-rewrite")
    assert r.exit_code == 0, r.output
    data = json.loads((out / "personal_statement.review.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["engine"] == "hybrid" and data["llm"]["model"] == "m"
    assert data["llm"]["api_calls"] == fake[0].calls > 0
    sources = {f["source"] for f in data["findings"]}
    assert sources == {"rules", "llm"}
    text = (tmp_path / "personal_statement.txt").read_text()
    for f in data["findings"]:
        if f["source"] == "llm":
            # anchored on the sentence holding the model's quote, which really is in the draft
            assert "the exam was unfair to international students" in f["quote"]
            assert f["quote"] in " ".join(text.split())
    # integrity criteria always come from rules
    assert all(c["source"] == "rules" for c in data["criteria"] if c["id"].startswith("integrity."))
    assert "## Model usage" in (out / "personal_statement.review.md").read_text()
    # unchanged document: the second run is answered from the cache
    r, out = _review(tmp_path, "--format", "json", "--no-rewrite")
    data = json.loads((out / "personal_statement.review.json").read_text())
    assert r.exit_code == 0 and fake[1].calls == 0 and data["llm"]["cached_calls"] > 0


def test_dry_run_sends_and_writes_nothing(tmp_path: Path, fake: list[FakeJudge]) -> None:
    r, out = _review(tmp_path, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "would be sent" in r.output and "score-discussion" in r.output
    assert not out.exists() and not fake


def test_local_only_refuses_a_remote_server_before_connecting(tmp_path: Path, fake: list[FakeJudge]) -> None:
    draft = tmp_path / "ps.txt"
    draft.write_text(PS)
    r = CliRunner().invoke(main, ["review", str(draft), "--out", str(tmp_path / "o"), "--engine", "hybrid",
                                  "--model", "m", "--base-url", "https://api.example.com/v1", "--local-only"])
    assert r.exit_code == 3 and "local-only" in r.output and not fake
    assert not (tmp_path / "o").exists()


def test_llm_engine_needs_a_model(tmp_path: Path) -> None:
    draft = tmp_path / "ps.txt"
    draft.write_text(PS)
    r = CliRunner().invoke(main, ["review", str(draft), "--engine", "llm", "--out", str(tmp_path / "o")],
                           env={"REVIEWER_MODEL": ""})
    assert r.exit_code == 3 and "--model" in r.output


def test_api_key_only_from_the_environment(tmp_path: Path) -> None:
    s = resolve_settings({}, cwd=tmp_path, env={"OPENAI_API_KEY": "sk-test"})
    assert s.api_key is not None and s.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(s) and "sk-test" not in s.model_dump_json()
    (tmp_path / "reviewer.toml").write_text('api_key = "sk-in-a-file"\n')
    with pytest.raises(ConfigError, match="environment only"):
        resolve_settings({}, cwd=tmp_path, env={})


def test_llm_settings_from_env(tmp_path: Path) -> None:
    s = resolve_settings({}, cwd=tmp_path, env={"REVIEWER_ENGINE": "hybrid", "REVIEWER_MODEL": "llama3.1",
                                                "REVIEWER_BASE_URL": "http://127.0.0.1:8080/v1",
                                                "REVIEWER_LOCAL_ONLY": "true", "REVIEWER_PRICE_INPUT": "0.15"})
    assert (s.engine, s.model, s.local_only, s.price_input) == ("hybrid", "llama3.1", True, 0.15)
    assert s.llm_cache_dir == Path("reviews") / ".llm-cache"
