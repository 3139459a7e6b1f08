"""The model engine in a batch against a local OpenAI-compatible stub (benchmarks/stub_llm.py): exactly the
planned calls, never more in flight than the configured concurrency, and a revision round that re-sends only the
edited documents. Counts only: timings belong to the benchmark (benchmarks/bench_cohort.py)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.batchfile import export_requests
from reviewer.cohort import Status, run_batch
from reviewer.llm.judge import BoundedJudge, FakeJudge, JudgeRequest, Message
from reviewer.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from stub_llm import StubServer

pytest.importorskip("langchain_openai")

PS = """I am applying to Kaiser Permanente internal medicine because of its integrated care model.

I failed Step 1 on my first attempt. I changed my approach with timed question blocks and passed on my second \
attempt, then scored {n} on Step 2 CK. I now teach the same habits to {m} junior students.
"""
INTERVIEW = """I failed Step 1 on my first attempt. I changed how I studied, with timed question blocks and weekly \
self-assessments, and scored {n} on Step 2 CK. Now I use the same habits in clinic with {m} patients a day."""


@pytest.fixture()
def stub() -> Iterator[StubServer]:
    with StubServer(latency=0.05, max_seconds=120) as server:
        yield server


def make_cohort(root: Path, applicants: int) -> list[Path]:
    docs = []
    for i in range(applicants):
        folder = root / f"applicant-{i:02d}"
        folder.mkdir(parents=True)
        (folder / "personal_statement.txt").write_text(PS.format(n=230 + i, m=2 + i))
        (folder / "interview_answer.txt").write_text(INTERVIEW.format(n=230 + i, m=10 + i))
        docs += [folder / "personal_statement.txt", folder / "interview_answer.txt"]
    return docs


def test_stub_batch_makes_exactly_the_planned_calls_and_a_revision_only_the_edited_ones(
        tmp_path: Path, stub: StubServer) -> None:
    docs = make_cohort(tmp_path / "cohort", 10)
    out = tmp_path / "out"
    settings = Settings(engine="hybrid", model="stub", base_url=stub.base_url, formats=("json",), out=out,
                        rewrite=False)
    planned = export_requests(tmp_path / "cohort", tmp_path / "plan.jsonl", settings).requests
    assert planned >= len(docs)

    result = run_batch(tmp_path / "cohort", out, settings, jobs=2, llm_concurrency=4)
    assert result.ok and result.total(Status.REVIEWED) == len(docs)
    assert stub.calls == planned
    assert 1 < stub.peak_in_flight <= 4

    # Round 2: 2 of 20 documents edited (10%): only their calls are made.
    edited = [docs[3], docs[14]]
    for p in edited:
        p.write_text(p.read_text() + "\nSince my last draft I describe what I changed after the exam.\n")
    expected = export_requests(tmp_path / "cohort", tmp_path / "plan2.jsonl", settings).requests
    assert 0 < expected < planned / 4
    stub.reset()
    result = run_batch(tmp_path / "cohort", out, settings, jobs=1, llm_concurrency=3)
    assert result.total(Status.REVIEWED) == len(edited) and result.total(Status.UNCHANGED) == len(docs) - 2
    assert stub.calls == expected
    assert stub.peak_in_flight <= 3


def test_bounded_judge_caps_requests_in_flight() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def respond(request: JudgeRequest) -> dict[str, object]:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return {"criteria": []}

    judge = BoundedJudge(FakeJudge(respond), 3)
    request = JudgeRequest((Message("user", "x"),), {}, "json_schema", 100)
    threads = [threading.Thread(target=judge.judge, args=(request,)) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state["peak"] == 3
    assert judge.endpoint == "http://fake/v1" and judge.model == "fake-model"
