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
    response_of,
)
from reviewer.cli_cohort import batch
from reviewer.errors import InputError
from reviewer.llm.judge import JudgeFailure, JudgeRequest, Message
from reviewer.llm.request import chat_body
from reviewer.llm.schemas import criterion_ids_of
from reviewer.store import Store


def sent_text_of(user_message: str) -> str | None:
    """The document text between the ``BEGIN DRAFT <marker>`` / ``END DRAFT <marker>`` lines of a prompt."""
    for line in user_message.splitlines():
        if line.startswith("BEGIN DRAFT "):
            marker = line[len("BEGIN DRAFT "):].strip()
            begin = f"BEGIN DRAFT {marker}\n"
            end = f"\nEND DRAFT {marker}"
            start = user_message.find(begin)
            stop = user_message.find(end, start + len(begin))
            if start < 0 or stop < 0:
                return None
            return user_message[start + len(begin):stop]
    return None


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
    text = sent_text_of(body["messages"][1]["content"])
    assert text is not None
    quote = text.split(".")[0] + "."
    content: dict[str, Any] = {"criteria": {c: {"reasoning": "Needs work.", "score": score,
                                                "quotes": [{"quote": quote, "suggestion": "Say what you learned."}]}
                                            for c in criterion_ids_of(schema)}}
    if "exam_discussion" in schema["properties"]:
        content["exam_discussion"] = {"discusses_exam": False, "setback": False, "quote": ""}
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
    from reviewer.llm.request import plan_requests
    from reviewer.pipeline import llm_config
    from reviewer.rubric import load_rubrics
    from reviewer.settings import Settings

    root = cohort(tmp_path / "cohort")
    lines = export(root, tmp_path / "out", tmp_path / "requests.jsonl")
    settings = Settings(engine="hybrid", model="gpt-test", out=tmp_path / "out")
    rubrics = load_rubrics(())
    expected = sum(len(plan_requests(load_document(p, resolve_kind(p, None, None)), rubrics, llm_config(settings),
                                     mode="hybrid").calls) for p in sorted(root.glob("*/*.txt")))
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
        schema = fmt["json_schema"]["schema"]
        assert "maxLength" not in json.dumps(schema)  # OpenAI strict mode rejects it
        # keyed by criterion id, every key required, nothing else allowed: a strict schema
        criteria = schema["properties"]["criteria"]
        assert criteria["required"] == list(criteria["properties"]) and criteria["additionalProperties"] is False
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
    import hashlib

    from reviewer.llm.schemas import answer_schema

    user = f"Draft kind: x\nMarker for this draft: AB12\nBEGIN DRAFT AB12\n{text}\nEND DRAFT AB12\nThe text..."
    return JudgeRequest((Message("system", "rubric"), Message("user", user)), answer_schema(["a.b"]),
                        "json_schema", 500, purpose, identity=hashlib.sha256(text.encode()).hexdigest())


def test_results_judge_reads_tool_calls_and_vllm_style_lines(tmp_path: Path) -> None:
    from reviewer.batchfile import custom_id

    args = json.dumps({"criteria": {"a.b": {"reasoning": "", "quotes": [], "score": 4}}})
    cid = custom_id("ana", "ps.txt", ["a.b"], _request().identity)
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


def test_chat_body_methods() -> None:
    from reviewer.llm.schemas import answer_schema

    schema = answer_schema(["a.b"])
    request = JudgeRequest((Message("user", "x"),), schema, "function_calling", 100)
    tools = chat_body(request, model="m", temperature=0, openai=False)
    parameters = tools["tools"][0]["function"]["parameters"]
    assert parameters == {k: v for k, v in schema.items() if k not in ("title", "description")}
    assert tools["max_tokens"] == tools["max_completion_tokens"] == 100
    assert tools["tool_choice"]["function"]["name"] == schema["title"]
    strict = chat_body(request, model="m", temperature=0, openai=True)["tools"][0]["function"]
    assert strict["strict"] is True and "maxLength" not in json.dumps(strict)
    mode = chat_body(JudgeRequest((Message("user", "x"),), schema, "json_mode", 100), model="m", temperature=0,
                     openai=True)
    assert mode["response_format"] == {"type": "json_object"} and "max_tokens" not in mode
    line = {"response": {"status_code": 200, "body": {"choices": [{"message": {"content": "[1]"}}]}}}
    assert response_of(line).parsed is None and response_of(line).raw_text == "[1]"


# --- one request builder: the export is the live request -------------------------------------------------------

APPLICANT = "Amara Okafor"
EMAIL = "amara.okafor@example.org"
PHONE = "+1 (415) 555-0142"
PERSONAL = f"""My name is {APPLICANT} and I grew up in Enugu, where my mother ran a pharmacy.

I failed Step 1 on my first attempt. I changed my approach with timed question blocks and weekly self-tests, \
and I scored 241 on Step 2 CK. Today I bring the same habits to clinic.

I want to train at Kaiser Permanente because its integrated model lets primary care and pharmacy share one chart.

{APPLICANT} | {EMAIL} | {PHONE}
"""


def named_cohort(root: Path) -> Path:
    folder = root / "amara"
    folder.mkdir(parents=True)
    (folder / "application.yaml").write_text(f"applicant: {APPLICANT}\ntarget: kaiser\ndocuments:\n"
                                             "  personal_statement.txt: personal_statement\n")
    (folder / "personal_statement.txt").write_text(PERSONAL)
    return root


@pytest.fixture()
def fixed_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The boundary marker is random per request; tests that compare a live request with an exported one fix
    it (everything else in the two requests is built the same way)."""
    import reviewer.llm.prompt as prompt

    monkeypatch.setattr(prompt.secrets, "token_hex", lambda n: "5EED" * (n // 2))


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize("redact", [False, True])
def test_the_exported_body_is_the_live_request_byte_for_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixed_marker: None, method: str, redact: bool) -> None:
    from reviewer import llm
    from reviewer.cohort import run_batch
    from reviewer.llm.judge import FakeJudge
    from reviewer.settings import Settings
    from test_llm_helpers import answer_for

    root = named_cohort(tmp_path / "cohort")
    flags = ["--base-url", "http://127.0.0.1:9/v1", "--llm-method", method, *(["--redact"] if redact else [])]
    result = CliRunner().invoke(batch, [str(root), "--out", str(tmp_path / "x"), *MODEL, *flags,
                                        "--export-requests", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line)["body"] for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    judges: list[FakeJudge] = []

    def make(config: Any) -> FakeJudge:
        judges.append(FakeJudge(lambda r: answer_for(r, 4), endpoint=config.endpoint, model=config.model))
        return judges[-1]

    monkeypatch.setattr(llm, "make_judge", make)
    settings = Settings(engine="hybrid", model="gpt-test", base_url="http://127.0.0.1:9/v1", llm_method=method,
                        redact=redact, formats=("json",), rewrite=False)  # an export holds no rewrite
    run_batch(root, tmp_path / "live", settings, jobs=1)
    live = [chat_body(r, model="gpt-test", temperature=0.0, openai=False) for j in judges for r in j.requests]
    assert len(live) == len(exported) == 2
    for body in exported:
        assert json.dumps(body, ensure_ascii=False) in {json.dumps(b, ensure_ascii=False) for b in live}


def test_the_exported_body_is_what_the_live_client_sends(tmp_path: Path, fixed_marker: None) -> None:
    """Against a real HTTP boundary: the body the LangChain client posts equals the exported one."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from faultstub import FaultStub
    from reviewer.settings import Settings

    root = named_cohort(tmp_path / "cohort")
    with FaultStub() as stub:
        result = CliRunner().invoke(batch, [str(root), "--out", str(tmp_path / "x"), *MODEL, "--base-url",
                                            stub.base_url, "--llm-method", "function_calling", "--redact",
                                            "--export-requests", str(tmp_path / "r.jsonl")])
        assert result.exit_code == 0, result.output
        from reviewer.cohort import run_batch

        settings = Settings(engine="hybrid", model="gpt-test", base_url=stub.base_url, redact=True,
                            llm_method="function_calling", formats=("json",), llm_max_retries=0,
                            rewrite=False)
        run_batch(root, tmp_path / "live", settings, jobs=1)
        sent = [json.loads(b) for b in stub.raw_bodies]
    exported = [json.loads(line)["body"] for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert len(sent) == len(exported) == 2
    for body in exported:
        assert body in sent


def test_export_with_redact_sends_no_identifier(tmp_path: Path, no_network: None) -> None:
    root = named_cohort(tmp_path / "cohort")
    result = CliRunner().invoke(batch, [str(root), "--out", str(tmp_path / "out"), *MODEL, "--redact",
                                        "--export-requests", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.jsonl").read_text()
    assert json.loads(text.splitlines()[0])  # well-formed
    for value in (APPLICANT, *APPLICANT.split(), EMAIL, "555-0142", "415"):
        assert value not in text, value
    assert "[NAME_1]" in text and "[EMAIL_1]" in text and "[PHONE_1]" in text
    plain = CliRunner().invoke(batch, [str(root), "--out", str(tmp_path / "out2"), *MODEL, "--export-requests",
                                       str(tmp_path / "p.jsonl")])
    assert plain.exit_code == 0 and APPLICANT in (tmp_path / "p.jsonl").read_text()  # the test can fail


def test_redacted_export_imports_with_the_real_text_restored(tmp_path: Path, no_network: None) -> None:
    root = named_cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--redact", "--export-requests",
                                        str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    rows = []
    for line in lines:
        schema = line["body"]["response_format"]["json_schema"]["schema"]
        content: dict[str, Any] = {"criteria": {c: {"reasoning": "Signed by [NAME_1].", "score": 2, "quotes": [
            {"quote": "[NAME_1] | [EMAIL_1] | [PHONE_1]", "suggestion": "Leave contact details out."}]}
            for c in criterion_ids_of(schema)}}
        if "exam_discussion" in schema["properties"]:
            content["exam_discussion"] = {"discusses_exam": True, "setback": True,
                                          "quote": "I failed Step 1 on my first attempt."}
        rows.append({"custom_id": line["custom_id"], "response": completion(json.dumps(content)), "error": None})
    write_results(tmp_path / "res.jsonl", rows)
    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--redact", "--import-results",
                                        str(tmp_path / "res.jsonl")])
    assert result.exit_code == 0, result.output
    assert "2 answers applied; 0 failed, 0 missing" in result.output
    review = review_json(out, "amara", "personal_statement.txt")
    llm_findings = [f for f in review["findings"] if f["source"] == "llm"]
    assert llm_findings and any(EMAIL in f["quote"] for f in llm_findings)
    assert not any("[NAME_" in f["message"] or "[EMAIL_" in f["quote"] for f in llm_findings)


def test_a_person_answering_one_line_in_json_mode_knows_the_format(tmp_path: Path, no_network: None) -> None:
    """json_mode lines carry no schema: the answer format in the request's own prompt is all a person (or a
    server) has. Built from that text alone, the answers import with no fallback."""
    import re

    root = cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--llm-method", "json_mode",
                                        "--export-requests", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    rows = []
    for raw in (tmp_path / "r.jsonl").read_text().splitlines():
        line = json.loads(raw)
        system = line["body"]["messages"][0]["content"]
        assert "response_format" in line["body"] and "json_schema" not in json.dumps(line["body"]["response_format"])
        shape = system.split("# Answer\n", 1)[1]
        ids = re.findall(r'^  "([a-z_]+\.[a-z_]+)": \{"reasoning"', shape, re.M)
        assert ids, shape
        content: dict[str, Any] = {"criteria": {c: {"reasoning": "Fine.", "quotes": [], "score": 4} for c in ids}}
        if '"exam_discussion": {"discusses_exam"' in shape:
            content["exam_discussion"] = {"discusses_exam": False, "setback": False, "quote": ""}
        rows.append({"custom_id": line["custom_id"], "response": completion(json.dumps(content)), "error": None})
    write_results(tmp_path / "res.jsonl", rows)
    result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--llm-method", "json_mode",
                                        "--import-results", str(tmp_path / "res.jsonl")])
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} answers applied; 0 failed, 0 missing, 0 for an earlier draft" in result.output


def test_thresholds_in_reviewer_toml_map_imported_scores_and_review_again(tmp_path: Path, no_network: None) -> None:
    root = cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    requests = tmp_path / "requests.jsonl"
    lines = export(root, out, requests)
    results = tmp_path / "results.jsonl"
    write_results(results, [{"custom_id": line["custom_id"], "response": answer(line, score=3), "error": None}
                            for line in lines])

    def model_verdicts(config: list[str]) -> dict[str, str]:
        result = CliRunner().invoke(batch, [str(root), "--out", str(out), *MODEL, "--import-results", str(results),
                                            *config])
        assert result.exit_code == 0, result.output
        review = review_json(out, "ana", "interview_answer.txt")
        return {c["id"]: c["verdict"] for c in review["criteria"] if c["id"] == "score.pivot"}

    assert model_verdicts([]) == {"score.pivot": "warn"}  # 3 of 5 warns by default
    cfg = tmp_path / "reviewer.toml"
    cfg.write_text('[thresholds]\n"score.pivot" = { pass_at = 3, fail_at = 1 }\n')
    assert model_verdicts(["--config", str(cfg)]) == {"score.pivot": "pass"}  # reviewed again, not kept
