"""Batch files: export the cohort's model calls as OpenAI Batch API JSONL, import a results file, and get the
same grounding, verdicts, store rounds and reports as live calls, with a visible fallback for every bad line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer.batchfile import (
    MAX_CUSTOM_ID,
    ResultsJudge,
    parse_custom_id,
    request_body,
    response_of,
    sent_text_of,
)
from reviewer.cli_cohort import batch
from reviewer.errors import InputError
from reviewer.llm.judge import JudgeFailure, JudgeRequest, Message
from reviewer.store import Store

PS = """I am applying to Kaiser Permanente internal medicine because of its integrated care model.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I was completly devastated. I changed my approach with timed question blocks and passed on my second attempt, \
then scored 241 on Step 2 CK.
"""
INTERVIEW = """I failed Step 1 on my first attempt. I changed how I studied, with timed question blocks and weekly \
self-assessments, and scored 241 on Step 2 CK. Now I use the same habits in clinic."""

MODEL = ["--engine", "hybrid", "--model", "gpt-test"]


def cohort(root: Path) -> Path:
    for i, name in enumerate(["ana", "ben"]):
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "personal_statement.txt").write_text(PS + f"\nI mentored {i + 2} students this year.\n")
        (folder / "interview_answer.txt").write_text(INTERVIEW + f" I teach {i + 3} sessions a month.")
    return root


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to build a real model client fails the test."""
    from reviewer import llm

    def refuse(config: object) -> None:
        raise AssertionError("a real judge was created: import must not use the network")

    monkeypatch.setattr(llm, "make_judge", refuse)


def export(cohort_dir: Path, out: Path, requests: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(batch, [str(cohort_dir), "--out", str(out), *MODEL, "--export-requests",
                                        str(requests)])
    assert result.exit_code == 0, result.output
    assert "Nothing was sent" in result.output
    return [json.loads(line) for line in requests.read_text().splitlines()]


def ids(requests: Path) -> dict[str, tuple[str, str, str]]:
    with (requests.parent / (requests.name + ".ids.csv")).open() as fh:
        return {r["custom_id"]: (r["applicant"], r["document"], r["rubric"]) for r in csv.DictReader(fh)}


def answer(line: dict[str, Any], score: int = 2) -> dict[str, Any]:
    """A valid chat.completion for an exported request, quoting the draft's first sentence."""
    body = line["body"]
    schema = body["response_format"]["json_schema"]["schema"]
    crit = schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]["enum"]
    text = sent_text_of(body["messages"][1]["content"])
    assert text is not None
    quote = text.split(".")[0] + "."
    content = {"criteria": [{"criterion_id": c, "reasoning": "Needs work.", "score": score,
                             "evidence": [{"quote": quote, "suggestion": "Say what you learned."}]} for c in crit]}
    return completion(json.dumps(content))


def completion(content: str) -> dict[str, Any]:
    return {"status_code": 200, "request_id": "req", "body": {
        "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-test",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}}}


def write_results(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def review_json(out: Path, applicant: str, document: str) -> dict[str, Any]:
    stem = Path(document).stem
    return json.loads((out / applicant / f"{stem}.review.json").read_text())


def test_export_writes_the_live_prompt_as_batch_api_lines(tmp_path: Path, no_network: None) -> None:
    from reviewer.ingest import load_document
    from reviewer.kinds import resolve_kind
    from reviewer.llm.engine import rubric_jobs
    from reviewer.pipeline import llm_config
    from reviewer.rubric import load_rubrics
    from reviewer.settings import Settings

    root = cohort(tmp_path / "cohort")
    lines = export(root, tmp_path / "out", tmp_path / "requests.jsonl")
    settings = Settings(engine="hybrid", model="gpt-test", out=tmp_path / "out")
    rubrics = load_rubrics(())
    expected = sum(len(rubric_jobs(load_document(p, resolve_kind(p, None, None)), rubrics, "hybrid",
                                   llm_config(settings))) for p in sorted(root.glob("*/*.txt")))
    assert len(lines) == expected > 0
    assert len({line["custom_id"] for line in lines}) == len(lines)
    mapping = ids(tmp_path / "requests.jsonl")
    for line in lines:
        assert len(line["custom_id"]) <= MAX_CUSTOM_ID and parse_custom_id(line["custom_id"]) is not None
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        body = line["body"]
        assert body["model"] == "gpt-test" and body["temperature"] == 0.0 and body["max_completion_tokens"] > 0
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        assert "maxLength" not in json.dumps(fmt["json_schema"]["schema"])  # OpenAI strict mode rejects it
        applicant, document, _rubric = mapping[line["custom_id"]]
        text = (root / applicant / document).read_text()
        assert sent_text_of(body["messages"][1]["content"]) == text.strip("\n") or \
            sent_text_of(body["messages"][1]["content"]) in text
    assert not (tmp_path / "out" / "reviewer.sqlite").exists()  # nothing reviewed, nothing recorded


def test_export_needs_a_model_engine(tmp_path: Path) -> None:
    root = cohort(tmp_path / "cohort")
    result = CliRunner().invoke(batch, [str(root), "--out", str(tmp_path / "out"), "--export-requests",
                                        str(tmp_path / "r.jsonl")])
    assert result.exit_code == 3 and "model engine" in result.output
    assert not (tmp_path / "r.jsonl").exists()


def test_round_trip_applies_good_lines_and_falls_back_on_bad_ones(tmp_path: Path, no_network: None) -> None:
    root = cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    requests = tmp_path / "requests.jsonl"
    lines = export(root, out, requests)
    assert len(lines) >= 4
    mapping = ids(requests)
    good, failed, malformed, missing = lines[0], lines[1], lines[2], lines[3]
    rows = [{"id": "batch_req_1", "custom_id": line["custom_id"], "response": answer(line), "error": None}
            for line in lines if line is not missing]
    for row in rows:
        if row["custom_id"] == failed["custom_id"]:
            row["response"] = None
            row["error"] = {"code": "server_error", "message": "the model is overloaded"}
        elif row["custom_id"] == malformed["custom_id"]:
            row["response"] = completion("this is not json {")
    rows.append({"custom_id": "someone-else", "response": completion("{}"), "error": None})  # not ours: ignored
    results = tmp_path / "results.jsonl"
    write_results(results, rows)

    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--import-results", str(results)])
    assert result.exit_code == 0, result.output
    assert "1 failed, 1 missing" in result.output

    with Store.open(out, create=False) as store:
        assert store.count_rounds() == 4
        usage = store.latest(*mapping[good["custom_id"]][:2]).usage  # type: ignore[misc,union-attr]
    assert usage["api_calls"] >= 1 and usage["prompt_tokens"] >= 900

    applicant, document, _rubric = mapping[good["custom_id"]]
    review = review_json(out, applicant, document)
    text = (root / applicant / document).read_text()
    llm_findings = [f for f in review["findings"] if f["source"] == "llm"]
    assert llm_findings, "the imported judgment produced no model finding"
    assert all(f["quote"] and f["quote"] in text for f in llm_findings)  # grounded in the draft

    def notes(line: dict[str, Any]) -> str:
        a, d, r = mapping[line["custom_id"]]
        return " ".join(n for n in review_json(out, a, d)["notes"] if f"'{r}'" in n)

    assert "the batch request failed" in notes(failed) and "overloaded" in notes(failed)
    assert "cannot be re-asked" in notes(malformed)
    assert "no result for this request" in notes(missing)
    assert (out / "index.html").is_file() and (out / "cohort.json").is_file()

    # Imported judgments are cached like live ones: a second import (or a live run) costs nothing for them,
    # and nothing is re-reviewed, since no document changed.
    again = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--import-results", str(results)])
    assert again.exit_code == 0, again.output
    with Store.open(out, create=False) as store:
        assert store.count_rounds() == 4


def test_a_result_for_an_earlier_draft_is_not_applied(tmp_path: Path, no_network: None) -> None:
    root = cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    requests = tmp_path / "requests.jsonl"
    lines = export(root, out, requests)
    mapping = ids(requests)
    write_results(tmp_path / "results.jsonl",
                  [{"custom_id": line["custom_id"], "response": answer(line), "error": None} for line in lines])
    applicant, document, rubric = mapping[lines[0]["custom_id"]]
    edited = root / applicant / document
    edited.write_text(edited.read_text() + "\nSince then I changed how I prepare for every exam.\n")

    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--import-results",
                                        str(tmp_path / "results.jsonl")])
    assert result.exit_code == 0, result.output
    notes = review_json(out, applicant, document)["notes"]
    assert any(f"'{rubric}'" in n and "earlier version of this document" in n for n in notes)
    other = next(m for m in (mapping[line["custom_id"]] for line in lines) if m[:2] != (applicant, document))
    other_review = review_json(out, *other[:2])
    assert any(f["source"] == "llm" for f in other_review["findings"])
    assert not any("earlier version" in n for n in other_review["notes"])


def test_export_skips_unchanged_documents_after_an_import(tmp_path: Path, no_network: None) -> None:
    root = cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    lines = export(root, out, tmp_path / "r1.jsonl")
    write_results(tmp_path / "res.jsonl",
                  [{"custom_id": line["custom_id"], "response": answer(line), "error": None} for line in lines])
    assert CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "-q", "--import-results",
                                      str(tmp_path / "res.jsonl")]).exit_code == 0
    (root / "ben" / "interview_answer.txt").write_text(INTERVIEW + " I now also run a journal club.")
    second = export(root, out, tmp_path / "r2.jsonl")
    assert second and {ids(tmp_path / "r2.jsonl")[line["custom_id"]][:2] for line in second} == {
        ("ben", "interview_answer.txt")}


# --- units -----------------------------------------------------------------------------------------------------


def _request(text: str = "I led the team.", purpose: str = "judge") -> JudgeRequest:
    from reviewer.llm.schemas import answer_schema

    user = f"Draft kind: x\nMarker for this draft: AB12\nBEGIN DRAFT AB12\n{text}\nEND DRAFT AB12\nThe text..."
    return JudgeRequest((Message("system", "rubric"), Message("user", user)), answer_schema(["a.b"]),
                        "json_schema", 500, purpose)


def test_results_judge_reads_tool_calls_and_vllm_style_lines(tmp_path: Path) -> None:
    from reviewer.batchfile import custom_id

    args = json.dumps({"criteria": [{"criterion_id": "a.b", "reasoning": "", "evidence": [], "score": 4}]})
    cid = custom_id("ana", "ps.txt", ["a.b"], "rubric", "I led the team.")
    body = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None,
        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "x", "arguments": args}}]}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5}}
    path = tmp_path / "res.jsonl"
    path.write_text(json.dumps({"id": "vllm-1", "custom_id": cid, "response": body, "error": None}) + "\n")
    with ResultsJudge(path, endpoint="http://127.0.0.1:8000/v1", model="m") as judge:
        response = judge.judge(_request())
        assert response.parsed == json.loads(args) and response.usage.prompt_tokens == 10
        assert response.finish_reason == "tool_calls"
        with pytest.raises(JudgeFailure, match="re-asked"):
            judge.judge(_request(purpose="repair"))
        with pytest.raises(JudgeFailure, match="no result"):
            judge.judge(_request("Another text."))


def test_results_judge_rejects_a_file_without_our_lines(tmp_path: Path) -> None:
    path = tmp_path / "res.jsonl"
    path.write_text('{"custom_id": "request-1", "response": {}}\nnot json\n')
    with pytest.raises(InputError, match="no results of reviewer requests"):
        ResultsJudge(path, endpoint="e", model="m")


def test_request_body_methods() -> None:
    from reviewer.llm.schemas import answer_schema

    schema = answer_schema(["a.b"])
    tools = request_body([("user", "x")], schema, "function_calling", model="m", max_tokens=100, temperature=0,
                         openai=False)
    assert tools["tools"][0]["function"]["parameters"] == schema and tools["max_tokens"] == 100
    assert tools["tool_choice"]["function"]["name"] == schema["title"]
    mode = request_body([("user", "x")], schema, "json_mode", model="m", max_tokens=100, temperature=0, openai=True)
    assert mode["response_format"] == {"type": "json_object"} and "max_tokens" not in mode
    line = {"response": {"status_code": 200, "body": {"choices": [{"message": {"content": "[1]"}}]}}}
    assert response_of(line).parsed is None and response_of(line).raw_text == "[1]"
