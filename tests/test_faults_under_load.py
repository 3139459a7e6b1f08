"""Faults under load: a hybrid batch against a server that rate-limits, fails, resets, stalls and cuts answers.

Every document must end reviewed (a rubric the model could not judge falls back to the rules with a visible
note) or failed with its reason; no document is recorded twice; and a batch killed mid-way resumes to the
same final store as an uninterrupted batch (verdicts and findings per document, timestamps and run ids
aside). Faults are scripted per (document, rubric) and attempt (tests/faultstub.py), so the outcome does
not depend on the order of concurrent requests. Each script either recovers within the retry budget or
never does, so a document interrupted mid-retry meets the same outcome when resumed (a server that
recovers *between* the two runs would rightly give a better review). Retries are kept fast: Retry-After
0.05 s, 1 s client timeout.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from faultstub import FaultStub
from reviewer.cohort import COHORT_JSON, Status, run_batch
from reviewer.settings import Settings
from reviewer.store import DB_NAME

pytest.importorskip("langchain_openai")

PS = """I am applying to Kaiser Permanente internal medicine because of its integrated care model, {marker}.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I changed my approach with timed question blocks and passed on my second attempt, then scored 241 on Step 2 CK.
"""
INTERVIEW = """I failed Step 1 on my first attempt while working nights in {marker}. I changed how I studied, \
with timed question blocks and weekly self-assessments, and scored 241 on Step 2 CK."""

# applicant -> faults for every (document, rubric) of that applicant, by attempt (last one repeats)
SCRIPT: dict[str, list[str]] = {
    "a0-clean": ["ok"],
    "a1-ratelimited": ["429", "ok"],
    "a2-down": ["503"],  # always: every rubric falls back to the rules
    "a3-reset": ["reset", "ok"],
    "a4-slow": ["timeout", "ok"],
    "a5-cut": ["truncated"],  # the repair is cut too: fallback
    "a6-garbled": ["invalid", "ok"],  # the repair succeeds
    "a7-mixed": ["429", "reset", "503"],  # transient faults past max_retries=1, for good: fallback
}
FALLBACK = {"a2-down", "a5-cut", "a7-mixed"}
BROKEN = "a8-broken"  # one document that cannot be read at all


def make_cohort(root: Path) -> Path:
    for name in SCRIPT:
        folder = root / name
        folder.mkdir(parents=True)
        marker = f"town {name}"
        (folder / "personal_statement.txt").write_text(PS.format(marker=marker))
        (folder / "interview_answer.txt").write_text(INTERVIEW.format(marker=marker))
    broken = root / BROKEN
    broken.mkdir()
    (broken / "interview_answer.txt").write_text(INTERVIEW.format(marker="town a8"))
    (broken / "personal_statement.docx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    return root


def stub_rules() -> dict[str, list[str]]:
    return {f"town {name}": faults for name, faults in SCRIPT.items()}


def settings(base_url: str) -> Settings:
    return Settings(engine="hybrid", model="stub-model", base_url=base_url, llm_timeout=1.0, llm_max_retries=1,
                    formats=("json",))


_REASON = re.compile(r"\(.*\)")


def store_state(out: Path) -> dict[tuple[str, str], Any]:
    """(applicant, document) -> (round, verdicts, findings, notes) from the store, run ids and times left out."""
    conn = sqlite3.connect(out / DB_NAME)
    try:
        rows = conn.execute("SELECT applicant, document, round, verdicts, review FROM rounds").fetchall()
    finally:
        conn.close()
    state = {}
    for applicant, document, number, verdicts, review in rows:
        data = json.loads(review)
        findings = sorted((f["criterion"], f["start"], f["end"], f["verdict"], f["source"], f["quote"])
                          for f in data["findings"])
        notes = sorted(_REASON.sub("(...)", n) for n in data.get("notes") or [])  # which fault it was may differ
        state[(applicant, document)] = (number, json.loads(verdicts), findings, notes)
    return state


def failed_docs(out: Path) -> dict[tuple[str, str], str]:
    data = json.loads((out / COHORT_JSON).read_text())
    return {(a["id"], d["name"]): d["error"] for a in data["applicants"] for d in a["documents"]
            if d["status"] == Status.FAILED.value}


def assert_outcome(out: Path, cohort: Path) -> dict[tuple[str, str], Any]:
    data = json.loads((out / COHORT_JSON).read_text())
    state = store_state(out)
    docs = {(p.parent.name, p.name) for p in cohort.glob("*/*") if p.is_file()}
    statuses = {(a["id"], d["name"]): d for a in data["applicants"] for d in a["documents"]}
    assert set(statuses) == docs
    for key, d in statuses.items():
        if key == (BROKEN, "personal_statement.docx"):
            assert d["status"] == Status.FAILED.value and d["error"], d
            continue
        assert d["status"] in (Status.REVIEWED.value, Status.UNCHANGED.value), (key, d)
        number, _verdicts, _findings, notes = state[key]
        assert number == 1, f"{key} was reviewed twice"
        fell_back = any("judged by rules" in n for n in notes)
        assert fell_back == (key[0] in FALLBACK), (key, notes)
    assert len(state) == len(docs) - 1
    return state


def test_every_document_reviewed_or_failed_with_its_reason(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    with FaultStub(stub_rules(), timeout_sleep=1.6) as stub:
        result = run_batch(cohort, out, settings(stub.base_url), jobs=1)
        assert_outcome(out, cohort)
        assert [(a, d) for a, d, _ in result.failures] == [(BROKEN, "personal_statement.docx")]
        served = {f for _, _, f in stub.served}
        assert {"429", "503", "reset", "timeout", "truncated", "invalid", "ok"} <= served
        # a review that fell back says why, in the stored review
        review = json.loads((out / "a2-down" / "personal_statement.review.json").read_text())
        assert any("HTTP 503" in c["reason"] for c in review["llm"]["calls"] if c["status"] == "fallback")
        # a second run reviews nothing and sends nothing: a recorded round is final, even a fallback one
        calls = stub.calls
        second = run_batch(cohort, out, settings(stub.base_url), jobs=1)
        assert second.total(Status.REVIEWED) == 0
        assert stub.calls == calls
    assert {k: v[0] for k, v in store_state(out).items()} == {k: 1 for k in store_state(out)}


_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from reviewer.cohort import run_batch
    from reviewer.settings import Settings

    def progress(done, total, applicant):
        if done >= stop_after:
            os._exit(9)  # die like a killed process: no cleanup, no cohort.json

    if __name__ == "__main__":
        cohort, out, base_url, stop_after = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        run_batch(cohort, out, Settings(engine="hybrid", model="stub-model", base_url=base_url, llm_timeout=1.0,
                                        llm_max_retries=1, formats=("json",)), jobs=1, progress=progress)
""")


@pytest.mark.parametrize("stop_after", [3])
def test_killed_batch_resumes_to_the_same_store(tmp_path: Path, stop_after: int) -> None:
    cohort = make_cohort(tmp_path / "cohort")
    straight = tmp_path / "straight"
    with FaultStub(stub_rules(), timeout_sleep=1.6) as stub:
        run_batch(cohort, straight, settings(stub.base_url), jobs=1)
    expected = assert_outcome(straight, cohort)

    killed = tmp_path / "killed"
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    with FaultStub(stub_rules(), timeout_sleep=1.6) as stub:
        proc = subprocess.run([sys.executable, str(script), str(cohort), str(killed), stub.base_url, str(stop_after)],
                              capture_output=True, timeout=180)
        assert proc.returncode == 9, proc.stderr.decode()[-2000:]
        before = set(store_state(killed))
        assert 0 < len(before) < len(expected)
        run_batch(cohort, killed, settings(stub.base_url), jobs=1)
    resumed = assert_outcome(killed, cohort)
    diff = {k: (expected[k], resumed.get(k)) for k in expected if resumed.get(k) != expected[k]}
    assert not diff, json.dumps({"/".join(k): v for k, v in diff.items()}, indent=1)
    assert failed_docs(killed).keys() == failed_docs(straight).keys()
    data = json.loads((killed / COHORT_JSON).read_text())
    statuses = {(a["id"], d["name"]): d["status"] for a in data["applicants"] for d in a["documents"]}
    assert all(statuses[k] == Status.UNCHANGED.value for k in before), "a document recorded before the kill was redone"


def test_sentences_are_the_same_when_documents_are_segmented_on_threads() -> None:
    """The model engine reviews documents on threads; pysbd's Segmenter is not thread-safe (one per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    from reviewer.document import DocKind
    from reviewer.ingest.memory import from_text

    texts = [PS.format(marker=f"town {i}") + INTERVIEW.format(marker=f"ward {i}") for i in range(8)]

    def sentences(text: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in from_text(text, DocKind.PERSONAL_STATEMENT).sentences]

    expected = [sentences(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(20):
            assert list(pool.map(sentences, texts)) == expected
