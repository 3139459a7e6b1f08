"""The batch runner end to end: cohort.json, resume after a kill, failures, unchanged skips, revision rounds,
and the ``batch`` / ``history`` commands."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import docx
import jsonschema
import pytest
from click.testing import CliRunner

from reviewer.cli_cohort import batch, history
from reviewer.cohort import COHORT_JSON, Status, run_batch
from reviewer.errors import InputError
from reviewer.settings import Settings
from reviewer.store import DB_NAME, Store

from conftest import SAMPLES

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "reviewer" / "schemas"
REVIEW_SCHEMA = json.loads((SCHEMAS / "review-1.schema.json").read_text())
APP_SCHEMA = json.loads((SCHEMAS / "application-1.schema.json").read_text())

PS = """I am applying to Kaiser Permanente internal medicine because of its integrated care model.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I was completly devastated. I changed my approach with timed question blocks and passed on my second attempt, \
then scored 241 on Step 2 CK.
"""
INTERVIEW = """I failed Step 1 on my first attempt. I changed how I studied, with timed question blocks and weekly \
self-assessments, and scored 241 on Step 2 CK. Now I use the same habits in clinic."""


def literal_cohort(root: Path, names: list[str]) -> Path:
    for name in names:
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "personal_statement.txt").write_text(PS)
        (folder / "interview_answer.txt").write_text(INTERVIEW)
    return root


def samples_cohort(root: Path, names: tuple[str, ...] = ("amara-okafor", "rahul-mehta")) -> Path:
    for name in names:
        shutil.copytree(SAMPLES / name, root / name)
    return root


def rounds(out: Path) -> list[tuple[str, str, int]]:
    conn = sqlite3.connect(out / DB_NAME)
    try:
        return conn.execute("SELECT applicant, document, round FROM rounds ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


def outputs(out: Path) -> dict[str, int]:
    """Every per-applicant output with its mtime (ns)."""
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in sorted(out.glob("*/*")) if p.is_file()}


def assert_complete(out: Path, cohort: Path, formats: tuple[str, ...] = ("json", "docx", "md")) -> dict:
    """cohort.json lists every document as reviewed/unchanged, with valid outputs on disk."""
    data = json.loads((out / COHORT_JSON).read_text())
    assert data["schema"] == "reviewer.cohort/1"
    applicants = {a["id"]: a for a in data["applicants"]}
    assert set(applicants) == {p.name for p in cohort.iterdir() if p.is_dir()}
    for a in data["applicants"]:
        assert a["output"] == f"{a['id']}/"
        jsonschema.validate(json.loads((out / a["application_review"]).read_text()), APP_SCHEMA)
        for d in a["documents"]:
            assert d["status"] in ("reviewed", "unchanged") and d["error"] is None and d["round"] >= 1
            for fmt in formats:
                path = out / d[f"review_{fmt}"]
                assert path.is_file() and path.stat().st_size > 0
            jsonschema.validate(json.loads((out / d["review_json"]).read_text()), REVIEW_SCHEMA)
    assert not list(out.rglob("*.tmp")), "a temporary file was left behind"
    return data


def test_batch_reviews_every_applicant(tmp_path: Path) -> None:
    cohort = samples_cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    seen: list[tuple[int, int, str]] = []
    result = run_batch(cohort, out, Settings(), jobs=2, progress=lambda d, t, a: seen.append((d, t, a)))
    assert result.ok and result.total(Status.REVIEWED) == 8
    assert sorted(seen)[-1][:2] == (2, 2) and {a for _, _, a in seen} == {"Amara Okafor", "Rahul Mehta"}
    data = assert_complete(out, cohort)
    assert data["totals"] == {"applicants": 2, "documents": 8, "reviewed": 8, "unchanged": 0, "failed": 0,
                              "fallbacks": 0}
    rahul = next(a for a in data["applicants"] if a["id"] == "rahul-mehta")
    assert rahul["applicant"] == "Rahul Mehta"
    assert rahul["application_review"] == "rahul-mehta/application.review.json"
    ps = next(d for d in rahul["documents"] if d["name"] == "ps_draft.docx")
    assert ps == {"name": "ps_draft.docx", "kind": "personal_statement", "round": 1, "status": "reviewed",
                  "review_json": "rahul-mehta/ps_draft.review.json", "review_docx": "rahul-mehta/ps_draft.review.docx",
                  "review_md": "rahul-mehta/ps_draft.review.md", "review_html": None, "error": None, "resolved": 0,
                  "persisting": 0, "new": 0, "fallbacks": 0}
    assert len(rounds(out)) == 8
    assert (out / "index.html").is_file()


def test_second_run_with_nothing_changed_reviews_nothing(tmp_path: Path) -> None:
    cohort = samples_cohort(tmp_path / "cohort", ("amara-okafor",))
    literal_cohort(cohort, ["ana", "ben"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(), jobs=1)
    before_rounds, before_files = rounds(out), outputs(out)
    result = run_batch(cohort, out, Settings(), jobs=2)
    assert result.ok and result.total(Status.REVIEWED) == 0 and result.total(Status.UNCHANGED) == 8
    assert rounds(out) == before_rounds
    assert outputs(out) == before_files, "an unchanged document's outputs were rewritten"
    data = assert_complete(out, cohort)
    assert {d["status"] for a in data["applicants"] for d in a["documents"]} == {"unchanged"}


def test_changed_settings_or_missing_outputs_are_redone(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    # A new format: the stored review is rendered again, not re-judged (no new round).
    result = run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=1)
    assert result.total(Status.UNCHANGED) == 2 and (out / "ana" / "personal_statement.review.docx").is_file()
    assert len(rounds(out)) == 2
    # Different criteria: a new round for every document.
    result = run_batch(cohort, out, Settings(formats=("json",), skip=("score.pivot",)), jobs=1)
    assert result.total(Status.REVIEWED) == 2
    assert [r for _, _, r in rounds(out)] == [1, 2, 1, 2]
    rev = json.loads((out / "ana" / "personal_statement.review.json").read_text())
    assert "revision" not in rev, "the draft did not change, so there is no 'since your last draft'"


def test_added_or_removed_document_redoes_only_the_application_review(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    app = out / "ana" / "application.review.json"
    assert len(json.loads(app.read_text())["documents"]) == 2
    (cohort / "ana" / "interview_answer.txt").unlink()
    result = run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    assert result.total(Status.REVIEWED) == 0 and len(rounds(out)) == 4
    assert [Path(d["path"]).name for d in json.loads(app.read_text())["documents"]] == ["personal_statement.txt"]
    ben_app = (out / "ben" / "application.review.json").stat().st_mtime_ns
    (cohort / "ana" / "additional_info.txt").write_text("I hold a J-1 visa sponsored by ECFMG.")
    result = run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    assert result.total(Status.REVIEWED) == 1 and len(rounds(out)) == 5
    assert len(json.loads(app.read_text())["documents"]) == 2
    assert (out / "ben" / "application.review.json").stat().st_mtime_ns == ben_app
    again = run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    assert again.total(Status.REVIEWED) == 0 and again.total(Status.UNCHANGED) == 4


def test_edited_document_gets_a_revision_round(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(), jobs=1)
    untouched = outputs(out)
    (cohort / "ana" / "personal_statement.txt").write_text(
        PS.replace("It was not my fault, the exam was unfair to international students.", "I felt ashamed of myself.")
        .replace("completly", "completely"))
    result = run_batch(cohort, out, Settings(), jobs=1)
    assert result.total(Status.REVIEWED) == 1 and result.total(Status.UNCHANGED) == 3
    data = assert_complete(out, cohort)
    ana = next(a for a in data["applicants"] if a["id"] == "ana")
    ps = next(d for d in ana["documents"] if d["name"] == "personal_statement.txt")
    assert (ps["status"], ps["round"]) == ("reviewed", 2)
    assert ps["resolved"] == 2 and ps["new"] == 1 and ps["persisting"] >= 1  # excuse x2; ashamed; devastated

    review = json.loads((out / "ana" / "personal_statement.review.json").read_text())
    rev = review["revision"]
    assert (rev["round"], rev["previous_round"]) == (2, 1)
    assert rev["counts"] == {"resolved": ps["resolved"], "persisting": ps["persisting"], "new": ps["new"]}
    by_status = {s: [f for f in rev["findings"] if f["status"] == s] for s in ("resolved", "persisting", "new")}
    assert all(f["criterion"] == "score.excuse" for f in by_status["resolved"])
    assert [f["quote"] for f in by_status["new"]] == ["I felt ashamed of myself."]
    persisting = next(f for f in by_status["persisting"] if f["criterion"] == "score.emotion")
    assert persisting["previous_quote"] == "I was completly devastated."
    assert {"id": "score.excuse", "before": "fail", "after": "pass"} in rev["verdicts"]

    paragraphs = [p.text for p in docx.Document(str(out / "ana" / "personal_statement.review.docx")).paragraphs]
    assert paragraphs[0] == "Since your last draft"
    assert paragraphs.index("Since your last draft") < paragraphs.index("Review scorecard")
    assert any("I felt ashamed of myself" in p and "(new)" in p for p in paragraphs)
    assert any(p.startswith("Resolved") for p in paragraphs) and any(p.startswith("Still open") for p in paragraphs)
    assert "## Since your last draft" in (out / "ana" / "personal_statement.review.md").read_text()

    after = outputs(out)
    for name in ("ben/personal_statement.review.docx", "ana/interview_answer.review.json"):
        assert after[name] == untouched[name], f"{name} was rewritten though its draft did not change"
    assert after["ana/application.review.json"] != untouched["ana/application.review.json"]

    result = CliRunner().invoke(history, [str(out), "ana"])
    assert result.exit_code == 0, result.output
    assert "personal_statement.txt" in result.output and "interview_answer.txt" in result.output
    assert "R1" in result.output and "R2" in result.output and "score.excuse" in result.output
    ps_table = result.output[result.output.index("personal_statement.txt"):]
    row = next(line for line in ps_table.splitlines() if "score.excuse" in line)
    assert row.index("FAIL") < row.index("pass")


def test_failing_document_inside_a_batch(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben"])
    (cohort / "ben" / "personal_statement_v2.docx").write_bytes(b"this is not a Word document")
    out = tmp_path / "out"
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "ben/personal_statement_v2.docx" in errors[0]
    data = json.loads((out / COHORT_JSON).read_text())
    assert data["totals"] == {"applicants": 2, "documents": 5, "reviewed": 4, "unchanged": 0, "failed": 1,
                              "fallbacks": 0}
    ben = next(a for a in data["applicants"] if a["id"] == "ben")
    bad = next(d for d in ben["documents"] if d["name"] == "personal_statement_v2.docx")
    assert bad["status"] == "failed" and bad["error"] and bad["review_json"] is None
    assert [f["document"] for f in ben["failures"]] == ["personal_statement_v2.docx"]
    assert (out / "ben" / "personal_statement.review.docx").is_file()
    shown = CliRunner().invoke(history, [str(out), "ben"])
    assert "not reviewed in the last run" in shown.output and "personal_statement_v2.docx" in shown.output
    failures = json.loads((out / "ben" / "application.review.json").read_text())["failures"]
    assert any("personal_statement_v2.docx" in f["path"] for f in failures)
    # Fixed: the next run reviews only that document, and exits 0.
    (cohort / "ben" / "personal_statement_v2.docx").unlink()
    (cohort / "ben" / "personal_statement_v2.txt").write_text(PS)
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / COHORT_JSON).read_text())
    assert data["totals"]["reviewed"] == 1 and data["totals"]["failed"] == 0
    assert "not reviewed" not in CliRunner().invoke(history, [str(out), "ben"]).output


def test_batch_command_prints_a_table(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(tmp_path / "out"), "--format", "json,md"])
    assert result.exit_code == 0, result.output
    assert "ana" in result.output and "2 documents: 2 reviewed, 0 unchanged, 0 failed" in result.output
    assert not (tmp_path / "out" / "ana" / "personal_statement.review.docx").exists()
    bad = CliRunner().invoke(batch, [str(cohort), "--out", str(tmp_path / "out"), "--format", "pdf"])
    assert bad.exit_code == 3
    unknown = CliRunner().invoke(history, [str(tmp_path / "out"), "nobody"])
    assert unknown.exit_code == 2 and "known: ana" in unknown.output
    none = CliRunner().invoke(history, [str(tmp_path / "empty"), "ana"])
    assert none.exit_code == 2 and "no review store" in none.output


def test_cohort_layout_problems(tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "personal_statement.txt").write_text(PS)
    with pytest.raises(InputError, match="no applicant folders"):
        run_batch(flat, tmp_path / "o1", Settings())
    # The output folder inside the cohort is not an applicant; hidden folders neither.
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    (cohort / ".git").mkdir()
    result = run_batch(cohort, cohort / "feedback", Settings(formats=("json",)))
    result = run_batch(cohort, cohort / "feedback", Settings(formats=("json",)))
    assert [a.id for a in result.applicants] == ["ana"] and result.total(Status.UNCHANGED) == 2


def test_broken_manifest_is_listed_and_the_rest_reviewed(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben"])
    (cohort / "ben" / "application.yaml").write_text("documents: [unclosed\n")
    result = run_batch(cohort, tmp_path / "out", Settings(formats=("json",)), jobs=1)
    assert not result.ok
    assert [(a, d) for a, d, _ in result.failures] == [("ben", "application.yaml")]
    assert result.total(Status.REVIEWED) == 4


# --------------------------------------------------------------------------------------------- resume

_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from reviewer.cohort import run_batch
    from reviewer.settings import Settings

    def progress(done, total, applicant):
        if stop_after and done >= stop_after:
            os._exit(9)  # die like a killed process: no cleanup, no cohort.json, no finally blocks

    if __name__ == "__main__":
        cohort, out, stop_after, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=jobs, progress=progress)
""")


def _child(tmp_path: Path, cohort: Path, out: Path, stop_after: int, jobs: int) -> subprocess.Popen[bytes]:
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    return subprocess.Popen([sys.executable, str(script), str(cohort), str(out), str(stop_after), str(jobs)],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _assert_resumed(out: Path, cohort: Path, recorded_before: set[tuple[str, str]]) -> None:
    all_rounds = rounds(out)
    assert len(all_rounds) == len({(a, d) for a, d, _ in all_rounds}), "a document was recorded twice"
    assert {r for _, _, r in all_rounds} == {1}
    expected = {(p.parent.name, p.name) for p in cohort.glob("*/*.txt")}
    assert {(a, d) for a, d, _ in all_rounds} == expected
    data = assert_complete(out, cohort, ("json", "docx"))
    statuses = {(a["id"], d["name"]): d["status"] for a in data["applicants"] for d in a["documents"]}
    for key in recorded_before:
        assert statuses[key] == "unchanged", f"{key} was finished before the kill but reviewed again"
    assert any(s == "reviewed" for s in statuses.values())


@pytest.mark.parametrize("jobs", [1, 2])
def test_resume_after_a_kill_at_a_known_point(tmp_path: Path, jobs: int) -> None:
    cohort = literal_cohort(tmp_path / "cohort", [f"applicant-{i:02d}" for i in range(6)])
    out = tmp_path / "out"
    proc = _child(tmp_path, cohort, out, stop_after=2, jobs=jobs)
    assert proc.wait(timeout=120) == 9, proc.stderr.read().decode() if proc.stderr else ""
    recorded = {(a, d) for a, d, _ in rounds(out)}
    assert 4 <= len(recorded) < 12
    result = run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=jobs)
    assert result.ok
    _assert_resumed(out, cohort, recorded)


def test_resume_after_kill_9_at_any_moment(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", [f"applicant-{i:02d}" for i in range(16)])
    out = tmp_path / "out"
    proc = _child(tmp_path, cohort, out, stop_after=0, jobs=2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / DB_NAME).exists():
            try:
                if len(rounds(out)) >= 3:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers, mid-write
    proc.wait(timeout=30)
    recorded = {(a, d) for a, d, _ in rounds(out)}
    run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=2)
    all_rounds = rounds(out)
    assert len(all_rounds) == 32 == len({(a, d) for a, d, _ in all_rounds})
    data = assert_complete(out, cohort, ("json", "docx"))
    statuses = {(a["id"], d["name"]): d["status"] for a in data["applicants"] for d in a["documents"]}
    assert all(statuses[key] == "unchanged" for key in recorded)


def test_history_reads_while_nothing_runs(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)))
    with Store.open(out, create=False) as store:
        assert [h for h in store.history("ana")] == ["interview_answer.txt", "personal_statement.txt"]


# --------------------------------------------------------------------------------------------- model engine


def test_model_calls_only_for_changed_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged documents make no model call on a re-run, even with the judgment cache gone; usage is stored."""
    from reviewer import llm
    from reviewer.llm.judge import FakeJudge, JudgeRequest
    from test_llm_helpers import answer_for

    def respond(request: JudgeRequest) -> dict:
        return answer_for(request, 4)

    judges: list[FakeJudge] = []

    def make(config: object) -> FakeJudge:
        judges.append(FakeJudge(respond))
        return judges[-1]

    monkeypatch.setattr(llm, "make_judge", make)
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben"])
    out = tmp_path / "out"
    settings = Settings(engine="hybrid", model="m", base_url="http://127.0.0.1:9/v1", formats=("json",))

    def calls() -> int:
        return sum(j.calls for j in judges)

    run_batch(cohort, out, settings, jobs=1)
    first = calls()
    assert first > 0
    with Store.open(out, create=False) as store:  # both have the same text: the model is paid once or twice
        usages = [store.latest(a, "personal_statement.txt").usage for a in ("ana", "ben")]  # type: ignore[union-attr]
    assert all(u["model"] == "m" for u in usages) and sum(u["api_calls"] for u in usages) > 0
    shutil.rmtree(out / ".llm-cache", ignore_errors=True)
    run_batch(cohort, out, settings, jobs=1)
    assert calls() == first, "an unchanged document was sent to the model again"
    (cohort / "ben" / "interview_answer.txt").write_text(INTERVIEW + " I also mentor two students.")
    result = run_batch(cohort, out, settings, jobs=1)
    assert result.total(Status.REVIEWED) == 1
    assert 0 < calls() - first < first / 2
    # Another model is another engine: everything is reviewed again.
    result = run_batch(cohort, out, settings.model_copy(update={"model": "m2"}), jobs=1)
    assert result.total(Status.REVIEWED) == 4


def test_retry_fallbacks_asks_the_model_again_for_those_rubrics_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model fails for one rubric: it falls back (counted, reported); a plain re-run leaves it; a run with
    --retry-fallbacks sends only that rubric's calls again and replaces the round (same round number)."""
    from reviewer import llm
    from reviewer.llm.judge import FakeJudge, JudgeRequest
    from reviewer.llm.schemas import criterion_ids_of
    from test_llm_helpers import answer_for

    broken = {"kaiser"}

    def respond(request: JudgeRequest) -> dict | str:
        ids = criterion_ids_of(request.schema)
        if any(cid.split(".")[0] in broken for cid in ids):
            return "the model rambles instead of answering"
        return answer_for(request, 4)

    judges: list[FakeJudge] = []

    def make(config: object) -> FakeJudge:
        judges.append(FakeJudge(respond))
        return judges[-1]

    def sent() -> list[list[str]]:
        return [criterion_ids_of(r.schema)
                for j in judges for r in j.requests]

    monkeypatch.setattr(llm, "make_judge", make)
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    settings = Settings(engine="hybrid", model="m", base_url="http://127.0.0.1:9/v1", formats=("json",))
    first = run_batch(cohort, out, settings, jobs=1)
    assert first.ok and first.fell_back >= 1
    before = rounds(out)
    with Store.open(out, create=False) as store:
        fell = {d: store.latest("ana", d).fallbacks for d in ("personal_statement.txt", "interview_answer.txt")}  # type: ignore[union-attr]
        calls_before = {d: store.latest("ana", d).usage["api_calls"] for d in fell}  # type: ignore[union-attr]
    assert sum(fell.values()) >= 1
    failed_doc = next(d for d, n in fell.items() if n)
    review = json.loads((out / "ana" / failed_doc.replace(".txt", ".review.json")).read_text())
    assert any("fell back" in n or "rules" in n for n in review["notes"])
    assert json.loads((out / COHORT_JSON).read_text())["totals"]["fallbacks"] == sum(fell.values())

    broken.clear()  # the model is healthy again
    n = len(sent())
    plain = run_batch(cohort, out, settings, jobs=1)
    assert len(sent()) == n and plain.total(Status.REVIEWED) == 0 and plain.fell_back == first.fell_back

    retried = run_batch(cohort, out, settings, jobs=1, retry_fallbacks=True)
    again = sent()[n:]
    assert retried.ok and retried.fell_back == 0
    assert retried.total(Status.REVIEWED) == sum(1 for v in fell.values() if v)
    assert again and all(cid.startswith("kaiser.") for ids in again for cid in ids), again
    assert rounds(out) == before  # the same rounds, replaced: the draft did not change
    with Store.open(out, create=False) as store:
        latest = store.latest("ana", failed_doc)
        assert latest is not None and latest.fallbacks == 0
        assert latest.usage["api_calls"] > calls_before[failed_doc]  # the retry's calls are added
        stored = store.review("ana", failed_doc)
    assert stored is not None and stored.revision is None
    review = json.loads((out / "ana" / failed_doc.replace(".txt", ".review.json")).read_text())
    assert not any("fell back" in n for n in review["notes"])
    n = len(sent())
    assert run_batch(cohort, out, settings, jobs=1, retry_fallbacks=True).total(Status.REVIEWED) == 0
    assert len(sent()) == n


def test_retry_of_a_revision_round_keeps_its_comparison(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer import llm
    from reviewer.llm.judge import FakeJudge, JudgeRequest
    from reviewer.llm.schemas import criterion_ids_of
    from test_llm_helpers import answer_for

    broken = {"on": False}

    def respond(request: JudgeRequest) -> dict | str:
        ids = criterion_ids_of(request.schema)
        if broken["on"] and any(cid.startswith("kaiser.") for cid in ids):
            return "no answer"
        return answer_for(request, 2)

    monkeypatch.setattr(llm, "make_judge", lambda config: FakeJudge(respond))
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    # the fake answers judgments only; the rewrite request (tests/test_llm_rewrite.py) would add a fallback
    settings = Settings(engine="hybrid", model="m", base_url="http://127.0.0.1:9/v1", formats=("json",),
                        rewrite=False)
    run_batch(cohort, out, settings, jobs=1)
    ps = cohort / "ana" / "personal_statement.txt"
    ps.write_text(ps.read_text() + "\nI now lead a readmissions quality project with four nurses.\n")
    broken["on"] = True
    assert run_batch(cohort, out, settings, jobs=1).fell_back == 1
    broken["on"] = False
    assert run_batch(cohort, out, settings, jobs=1, retry_fallbacks=True).fell_back == 0
    with Store.open(out, create=False) as store:
        assert [r.round for r in store.rounds("ana", "personal_statement.txt")] == [1, 2]
        review = store.review("ana", "personal_statement.txt")
    assert review is not None and review.revision is not None
    assert (review.revision.round, review.revision.previous_round) == (2, 1)
    same = {v.id: (v.before, v.after) for v in review.revision.verdicts}
    assert same["kaiser.why_specific"][0] == same["kaiser.why_specific"][1]  # model both times, same score


def test_batch_command_points_at_retry_fallbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer import llm
    from reviewer.llm.judge import FakeJudge

    monkeypatch.setattr(llm, "make_judge", lambda config: FakeJudge(["not an answer"]))
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    args = [str(cohort), "--out", str(tmp_path / "out"), "--engine", "hybrid", "--model", "m", "--base-url",
            "http://127.0.0.1:9/v1", "--format", "json", "--jobs", "1"]
    result = CliRunner().invoke(batch, args)
    assert result.exit_code == 0, result.output
    assert "--retry-fallbacks" in " ".join(result.output.split())
    dry = CliRunner().invoke(batch, [*args, "--retry-fallbacks", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "ana" in dry.output


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(tmp_path / "out"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out").exists()
    assert "all" in result.output and "2" in result.output


def test_revised_word_draft_keeps_its_comments_under_since_your_last_draft(tmp_path: Path) -> None:
    cohort = samples_cohort(tmp_path / "cohort", ("rahul-mehta",))
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=1)
    draft = cohort / "rahul-mehta" / "ps_draft.docx"
    document = docx.Document(str(draft))
    run = next(r for p in document.paragraphs for r in p.runs if r.text.startswith("not my fault"))
    run.text = run.text.replace("not my fault, since I also had a very poor pharmacology teacher and the testing "
                                "center was noisy on the day of my test.", "my responsibility.")
    document.save(str(draft))
    result = run_batch(cohort, out, Settings(formats=("json", "docx")), jobs=1)
    assert result.total(Status.REVIEWED) == 1
    review = json.loads((out / "rahul-mehta" / "ps_draft.review.json").read_text())
    assert review["revision"]["counts"]["resolved"] >= 1
    resolved = [f["quote"] for f in review["revision"]["findings"] if f["status"] == "resolved"]
    assert any("pharmacology teacher" in q for q in resolved)
    annotated = docx.Document(str(out / "rahul-mehta" / "ps_draft.review.docx"))
    texts = [p.text for p in annotated.paragraphs]
    assert texts[0] == "Since your last draft" and texts.index("Review scorecard") > 0
    assert len(list(annotated.comments)) == len(review["advice"]["comments"])  # the comments the JSON lists
    assert all(not c.text.startswith("[") for c in annotated.comments)


# --------------------------------------------------------------------------------------------- failures kept small


def _cohort_ids(out: Path) -> list[str]:
    return [a["id"] for a in json.loads((out / COHORT_JSON).read_text())["applicants"]]


def test_a_crash_mid_run_never_shrinks_cohort_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.errors import StoreError

    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben", "cleo", "dev"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    assert _cohort_ids(out) == ["ana", "ben", "cleo", "dev"]
    for name in ("ana", "ben", "cleo", "dev"):
        (cohort / name / "personal_statement.txt").write_text(PS + "\nI now mentor two students.\n")
    real = Store.record_round
    calls = {"n": 0}

    def broken(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 1:
            raise StoreError("cannot write the review store: the disk is full", path=self.path)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "record_round", broken)
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "--format", "json", "--jobs", "1", "-q"])
    assert result.exit_code == 4, result.output
    assert [line for line in result.output.splitlines() if line] == [
        f"error: {out / DB_NAME}: cannot write the review store: the disk is full"]
    assert _cohort_ids(out) == ["ana", "ben", "cleo", "dev"], "cohort.json lost applicants"
    data = json.loads((out / COHORT_JSON).read_text())
    assert data["totals"]["applicants"] == 4 and data["totals"]["documents"] == 8


def test_an_unreadable_applicant_folder_fails_that_applicant_only(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben", "cleo"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    (cohort / "ana" / "personal_statement.txt").write_text(PS + "\nI now mentor two students.\n")
    blocked = cohort / "ben"

    def guard(real):  # type: ignore[no-untyped-def]
        def listing(path=".", *a, **k):  # type: ignore[no-untyped-def]
            if Path(path) == blocked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *a, **k)
        return listing

    monkeypatch.setattr(os, "scandir", guard(os.scandir))
    monkeypatch.setattr(os, "listdir", guard(os.listdir))
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "--format", "json", "--jobs", "1", "-q"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "ben" in errors[0] and "Permission denied" in errors[0], errors
    data = json.loads((out / COHORT_JSON).read_text())
    rows = {a["id"]: a for a in data["applicants"]}
    assert list(rows) == ["ana", "ben", "cleo"]
    assert [d["status"] for d in rows["ana"]["documents"]] == ["unchanged", "reviewed"]
    assert rows["ben"]["failures"][0]["document"] == "(applicant)"
    assert {d["name"] for d in rows["ben"]["documents"]} == {"personal_statement.txt", "interview_answer.txt"}


@pytest.mark.parametrize("damage", [b"", b"not a database at all" * 10])
def test_a_damaged_store_stops_the_batch_with_one_line_and_keeps_everything(tmp_path: Path, damage: bytes) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    index = (out / COHORT_JSON).read_bytes()
    for p in out.glob(DB_NAME + "-*"):
        p.unlink()
    (out / DB_NAME).write_bytes(damage)
    for command, args in ((batch, [str(cohort), "--out", str(out), "-q"]), (history, [str(out), "ana"])):
        result = CliRunner().invoke(command, args)
        assert result.exit_code == 4, result.output
        lines = [line for line in result.output.splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith(f"error: {out / DB_NAME}: ") and "backup" in lines[0]
    assert (out / DB_NAME).read_bytes() == damage and (out / COHORT_JSON).read_bytes() == index


def test_an_unwritable_cohort_json_or_a_full_disk_is_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from reviewer import fsio

    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    out.mkdir()
    (out / COHORT_JSON).mkdir()  # something in the way
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "-q", "--format", "json"])
    assert result.exit_code == 4, result.output
    assert [line for line in result.output.splitlines() if line] == [
        f"error: {out / COHORT_JSON}: cannot write: Is a directory (a file or folder of that name is in the way: "
        "move it)"]
    (out / COHORT_JSON).rmdir()
    real = os.replace

    def full(src, dst):  # type: ignore[no-untyped-def]
        if str(dst).endswith(COHORT_JSON):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(fsio.os, "replace", full)
    (cohort / "ana" / "personal_statement.txt").write_text(PS + "\nMore.\n")
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "-q", "--format", "json"])
    assert result.exit_code == 4, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert lines == [f"error: {out / COHORT_JSON}: cannot write: No space left on device (free some disk space and "
                     "run again)"]


def test_dry_run_plans_the_documents_of_each_applicants_own_folder(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    (cohort / "Maria_Garcia").mkdir(parents=True)
    (cohort / "Maria_Garcia" / "personal_statement.txt").write_text(PS)
    (cohort / "Maria Garcia").mkdir()
    (cohort / "Maria Garcia" / "personal_statement.txt").write_text(PS)
    (cohort / "Maria Garcia" / "interview_answer.txt").write_text(INTERVIEW)
    args = [str(cohort), "--out", str(tmp_path / "out"), "--dry-run", "--engine", "hybrid", "--model", "m",
            "--base-url", "http://127.0.0.1:9/v1"]
    result = CliRunner().invoke(batch, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "error" not in result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.output.splitlines() if line.count("│") > 4 and "Maria" in line}
    assert rows["Maria Garcia"][0] == "2" and rows["Maria_Garcia"][0] == "1"
    assert int(rows["Maria Garcia"][2]) > int(rows["Maria_Garcia"][2]) > 0
    assert not (tmp_path / "out").exists()


def test_history_counts_batch_runs_not_rounds_summed_over_documents(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    (cohort / "ana" / "personal_statement.txt").write_text(PS + "\nI now mentor two students.\n")
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)  # nothing changed: no review, no run counted
    result = CliRunner().invoke(history, [str(out), "ana"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "ana: 2 documents, reviewed in 2 batch runs"


def test_a_megabyte_applicant_name_is_shortened_everywhere(tmp_path: Path) -> None:
    cohort = literal_cohort(tmp_path / "cohort", ["ana"])
    huge = "Anna " + "x" * 1_000_000
    (cohort / "ana" / "application.yaml").write_text(f"applicant: {huge}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "--format", "json,md"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert len(result.output) < 5000
    name = json.loads((out / COHORT_JSON).read_text())["applicants"][0]["applicant"]
    assert len(name) == 120 and name.startswith("Anna xxx") and name.endswith("…")
    assert json.loads((out / "ana" / "application.review.json").read_text())["applicant"] == name
    with Store.open(out, create=False) as store:
        assert store.applicants() == [("ana", name)]
    assert (out / "summary.csv").stat().st_size < 20_000 and (out / "index.html").stat().st_size < 200_000
    shown = CliRunner().invoke(history, [str(out), "ana"], terminal_width=200)
    assert shown.exit_code == 0 and len(shown.output) < 5000


def test_a_full_disk_stops_the_batch_at_once_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from reviewer import fsio

    cohort = literal_cohort(tmp_path / "cohort", ["ana", "ben", "cleo"])
    out = tmp_path / "out"
    run_batch(cohort, out, Settings(formats=("json",)), jobs=1)
    for name in ("ana", "ben", "cleo"):
        (cohort / name / "personal_statement.txt").write_text(PS + "\nI now mentor two students.\n")
    real = os.replace
    attempts: list[str] = []

    def full(src, dst):  # type: ignore[no-untyped-def]
        if ".review." in str(dst):
            attempts.append(str(dst))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(fsio.os, "replace", full)
    result = CliRunner().invoke(batch, [str(cohort), "--out", str(out), "-q", "--format", "json", "--jobs", "1"])
    assert result.exit_code == 4, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert lines == [f"error: {out / 'ana' / 'personal_statement.review.json'}: cannot write: No space left on "
                     "device (free some disk space and run again)"]
    assert len(attempts) == 1, "the batch went on writing to a full disk"
    assert _cohort_ids(out) == ["ana", "ben", "cleo"]
