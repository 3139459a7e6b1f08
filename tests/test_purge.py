"""``reviewer purge``: complete after any interruption, all or nothing when a folder is read-only, holding the
batch lock throughout, and asking before it deletes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer import cli_privacy, llm, purge
from reviewer.cli_privacy import purge as purge_command
from reviewer.cohort import COHORT_JSON, run_batch
from reviewer.cohort.texts import TEXT_INDEX
from reviewer.errors import OutputError
from reviewer.ingest import load_document
from reviewer.kinds import resolve_kind
from reviewer.llm.judge import FakeJudge, JudgeRequest
from reviewer.settings import Settings
from reviewer.store import DB_NAME, Store

CANARY = "Qwertyuiop Asdfghjk"
PS_A = f"""My name is {CANARY} and I want to train at Kaiser Permanente for its integrated care model.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I changed my approach with timed question blocks and scored 241 on Step 2 CK.
"""
PS_B = """I want to train at Kaiser Permanente because its teams follow patients across the whole system.

I failed Step 1 once. I rebuilt my study plan around daily question blocks and scored 238 on Step 2 CK.
"""
SETTINGS = Settings(engine="hybrid", model="m", base_url="http://127.0.0.1:9/v1", formats=("json", "md"))


def _respond(request: JudgeRequest) -> dict:
    """Judge every criterion and quote the draft's first words (as a real model's evidence does)."""
    ids = list(request.schema["properties"]["criteria"]["properties"])
    text = request.messages[-1].content
    quote = "My name is " + CANARY if CANARY in text else "I failed Step 1 once."
    answer: dict = {"criteria": {cid: {"reasoning": "ok", "score": 3,
                                       "quotes": [{"quote": quote, "suggestion": "say more"}]} for cid in ids}}
    if "exam_discussion" in request.schema["properties"]:
        answer["exam_discussion"] = {"discusses_exam": True, "setback": True, "quote": "I failed Step 1 once."
                                     if CANARY not in text else "I failed Step 1 on my first attempt."}
    return answer


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "make_judge", lambda config: FakeJudge(_respond))


def _cohort(tmp_path: Path) -> Path:
    cohort = tmp_path / "cohort"
    for folder, text, name in (("applicant-a", PS_A, CANARY), ("applicant-b", PS_B, "Other Person")):
        (cohort / folder).mkdir(parents=True)
        (cohort / folder / "personal_statement.txt").write_text(text)
        (cohort / folder / "application.yaml").write_text(f"applicant: {name}\n")
    return cohort


def _cache_text(out: Path) -> str:
    return "\n".join(p.read_text() for p in (out / ".llm-cache").rglob("*.json"))


def _everything(out: Path) -> str:
    """Every byte of the output folder, as text: where the canary must not be after a purge."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


def _purge(out: Path, who: str = "applicant-a", *extra: str) -> object:
    return CliRunner().invoke(purge_command, [str(out), who, "--yes", *extra])


def test_a_batch_killed_before_recording_leaves_no_cache_entry_behind_a_purge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model answered, the cache holds the answer (quoting the draft), and the batch died before the
    round was recorded: the store knows no digest of that text, the text index does."""
    from reviewer.cohort import runner

    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    real = runner.record_outcome

    def killed(store, outcome, run):  # type: ignore[no-untyped-def]
        if outcome.id == "applicant-a":
            raise KeyboardInterrupt  # as if the process died here
        return real(store, outcome, run)

    monkeypatch.setattr(runner, "record_outcome", killed)
    with pytest.raises(KeyboardInterrupt):
        run_batch(cohort, out, SETTINGS, jobs=1)
    with Store.open(out, create=False) as store:
        assert store.rounds("applicant-a") == [] and store.text_digests("applicant-a") == set()
    assert CANARY in _cache_text(out), "the setup must leave a cache entry quoting the draft"
    digest = load_document(cohort / "applicant-a" / "personal_statement.txt",
                           resolve_kind(cohort / "applicant-a" / "personal_statement.txt", None, None)).text_digest
    assert digest in (out / "applicant-a" / TEXT_INDEX).read_text()
    shutil.rmtree(cohort / "applicant-a")  # the drafts are gone too: only the text index can tell
    res = _purge(out)
    assert res.exit_code == 0, res.output
    assert CANARY not in _everything(out)
    assert "Other Person" in _everything(out) and "I failed Step 1 once." in _cache_text(out)


def test_purge_finds_cache_entries_by_the_drafts_when_nothing_else_names_them(tmp_path: Path) -> None:
    """An entry written before the text index existed: found by the applicant's drafts in the cohort."""
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    assert run_batch(cohort, out, SETTINGS, jobs=1).ok
    (out / "applicant-a" / TEXT_INDEX).unlink()
    with Store.open(out) as store:  # the rounds' digests name another text: the store cannot tell either
        store._conn.execute("UPDATE rounds SET text_digest = 'x' WHERE applicant = 'applicant-a'")
    assert _purge(out).exit_code == 0
    assert CANARY not in _cache_text(out)


def test_all_cache_works_for_an_applicant_already_purged(tmp_path: Path) -> None:
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    run_batch(cohort, out, SETTINGS, jobs=1)
    assert _purge(out).exit_code == 0
    res = _purge(out, "applicant-a", "--all-cache")
    assert res.exit_code == 0, res.output
    assert "nothing is stored about this applicant" in res.output and not (out / ".llm-cache").exists()
    assert _purge(out).exit_code == 2  # without --all-cache an unknown applicant is still an error


@pytest.mark.parametrize("crash_in", ["_delete_cache_entries", "_drop_from_cohort_json", "_refresh_report",
                                      "_delete_output_folder", "delete_applicant"])
def test_a_purge_killed_at_any_step_is_finished_by_running_it_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     crash_in: str) -> None:
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    run_batch(cohort, out, SETTINGS, jobs=1)
    owner = Store if crash_in == "delete_applicant" else purge
    real = getattr(owner, crash_in)

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)  # the step is done, the process dies right after it
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, crash_in, crash)
    with pytest.raises(KeyboardInterrupt):
        purge.purge_applicant(out, CANARY)
    monkeypatch.setattr(owner, crash_in, real)
    with pytest.raises(OutputError, match="purge of applicant-a was interrupted"):
        run_batch(cohort, out, SETTINGS, jobs=1)  # a batch would bring back what is half deleted
    res = _purge(out, "applicant-a")
    assert res.exit_code == 0, res.output
    assert "finished an interrupted purge" in res.output
    assert CANARY not in _everything(out)
    assert not (out / "applicant-a").exists() and not (out / ".reviewer-purge.json").exists()
    with Store.open(out, create=False) as store:
        assert [a[0] for a in store.applicants()] == ["applicant-b"]
    assert [a["id"] for a in json.loads((out / COHORT_JSON).read_text())["applicants"]] == ["applicant-b"]
    assert run_batch(cohort, out, SETTINGS, jobs=1).ok  # and batches run again


def test_a_read_only_cache_is_one_error_and_nothing_is_deleted(tmp_path: Path, make_readonly) -> None:  # type: ignore[no-untyped-def]
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    run_batch(cohort, out, SETTINGS, jobs=1)
    before = {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".reviewer")}
    undo = make_readonly(out / ".llm-cache")
    res = _purge(out)
    assert res.exit_code == 4, res.output
    lines = [line for line in res.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith(f"error: {out / '.llm-cache'}")
    assert "nothing was deleted" in lines[0]
    after = {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".reviewer")}
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if not k.endswith(("-wal", "-shm", DB_NAME))} == \
        {k: v for k, v in before.items() if not k.endswith(("-wal", "-shm", DB_NAME))}
    with Store.open(out, create=False) as store:
        assert store.find("applicant-a") is not None
    undo()
    res = _purge(out)  # fixed: the same command does it all
    assert res.exit_code == 0, res.output
    assert CANARY not in _everything(out)


def test_purge_holds_the_batch_lock_until_it_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    run_batch(cohort, out, SETTINGS, jobs=1)
    seen: list[str] = []
    real = purge._delete_output_folder

    def meanwhile(folder):  # type: ignore[no-untyped-def]
        for step in ("before", "after"):
            try:
                run_batch(cohort, out, SETTINGS, jobs=1)
                seen.append(f"{step}: a batch ran")
            except OutputError as exc:
                seen.append(f"{step}: {exc.message}")
            if step == "before":
                result = real(folder)
        return result

    monkeypatch.setattr(purge, "_delete_output_folder", meanwhile)
    purge.purge_applicant(out, "applicant-a")
    assert seen == ["before: another batch or purge is writing to this folder",
                    "after: another batch or purge is writing to this folder"]


def test_purge_asks_on_a_terminal_and_refuses_without_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    run_batch(cohort, out, SETTINGS, jobs=1)
    res = CliRunner().invoke(purge_command, [str(out), "applicant-a"])  # no terminal, no --yes
    assert res.exit_code == 2 and "--yes" in res.output and "nothing was deleted" in res.output
    assert (out / "applicant-a").is_dir()
    monkeypatch.setattr(cli_privacy, "_interactive", lambda: True)
    res = CliRunner().invoke(purge_command, [str(out), CANARY], input="n\n")
    assert res.exit_code == 1 and "nothing was deleted" in res.output
    assert f"Delete everything stored about {CANARY} (applicant-a)" in res.output
    assert (out / "applicant-a").is_dir()
    res = CliRunner().invoke(purge_command, [str(out), CANARY], input="y\n")
    assert res.exit_code == 0, res.output
    assert not (out / "applicant-a").exists()
    res = CliRunner().invoke(purge_command, [str(out), "nobody"], input="y\n")
    assert res.exit_code == 2 and "no applicant 'nobody'" in res.output


def test_a_read_only_model_cache_stops_a_batch_up_front_with_one_line(tmp_path: Path, make_readonly) -> None:  # type: ignore[no-untyped-def]
    cohort = _cohort(tmp_path)
    out = tmp_path / "out"
    (out / ".llm-cache").mkdir(parents=True)
    make_readonly(out / ".llm-cache")
    args = [str(cohort), "--out", str(out), "--engine", "hybrid", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
            "--format", "json", "--jobs", "1", "-q"]
    from reviewer.cli_cohort import batch

    res = CliRunner().invoke(batch, args)
    assert res.exit_code == 4, res.output
    lines = [line for line in res.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith(f"error: {out / '.llm-cache'}")
    assert "the model cache cannot be written" in lines[0] and "internal error" not in res.output
    assert not (out / "applicant-a").exists()
