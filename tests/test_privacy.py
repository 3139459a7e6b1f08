"""Privacy: no draft text in logs, errors, cassettes, cache names or store metadata; local-only never
connects outward; --redact sends placeholders and renders the real text; purge deletes an applicant.

The canary is a unique name, email and ID written into drafts. Everything runs with every logger at DEBUG
and captured: third-party libraries (httpx, openai) included.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from faultstub import FaultStub
from reviewer.cli import main
from reviewer.cli_privacy import purge
from reviewer.cohort import run_batch
from reviewer.document import DocKind
from reviewer.ingest.memory import from_text
from reviewer.llm import LLMConfig, MethodMemory, make_judge
from reviewer.llm.engine import review_llm
from reviewer.pipeline import Engine, review_document
from reviewer.redact import find_names, redact, restore
from reviewer.settings import Settings
from reviewer.store import DB_NAME, Store

ROOT = Path(__file__).resolve().parents[1]
NAME, EMAIL, ECFMG = "Zyxwvut Qazwsx", "zq.canary@example.org", "0-987-654-3"
CANARIES = (NAME, "Zyxwvut", "Qazwsx", EMAIL, "zq.canary", ECFMG)

PS = f"""My name is {NAME} and I trained in internal medicine in Lagos before moving to Oakland.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I changed my approach with timed question blocks and passed on my second attempt, then scored 241 on Step 2 CK. \
You can reach me at {EMAIL}; my ECFMG ID is {ECFMG} and my AAMC ID is 14253647.

Sincerely,
{NAME}
"""
INTERVIEW = f"""I failed Step 1 on my first attempt. I changed how I studied, with timed question blocks and weekly \
self-assessments, and scored 241 on Step 2 CK. Contact: {EMAIL}, phone 415-555-0142."""
BROKEN_YAML = f"""- title: Volunteer clinic
  organization: Free Clinic
  description: "I, {NAME} ({EMAIL}, ECFMG {ECFMG}), ran the clinic
    hours: [unclosed
  \ttab: {NAME}
"""


def _has_canary(text: str) -> list[str]:
    return [c for c in CANARIES if c.casefold() in text.casefold()]


def write_applicant(folder: Path, *, broken: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "personal_statement.txt").write_text(PS)
    (folder / "interview_answer.txt").write_text(INTERVIEW)
    (folder / "application.yaml").write_text(f"applicant: {NAME}\ntarget: kaiser\n")
    if broken:
        (folder / "experiences.yaml").write_text(BROKEN_YAML)
        d = docx.Document()
        d.add_paragraph(PS)
        buf = io.BytesIO()
        d.save(buf)
        (folder / "additional_info.docx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
        (folder / "additional_information.md").write_bytes(f"{NAME} {EMAIL}\n".encode() + b"\xff\xfe\x00" * 3000)
    return folder


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, captured (the root handler sees every propagating record)."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "openai", "langchain", "urllib3", "reviewer"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for r in caplog.records:
        parts.append(r.getMessage())
        if r.exc_info:
            parts.append(logging.Formatter().formatException(r.exc_info))
        if r.exc_text:
            parts.append(r.exc_text)
    return "\n".join(parts)


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, env={k: None for k in ("REVIEWER_ENGINE", "REVIEWER_MODEL",
                                                                 "REVIEWER_BASE_URL", "OPENAI_API_KEY")})


def _stub_settings(base_url: str, **extra: Any) -> Settings:
    return Settings(engine="hybrid", model="stub-model", base_url=base_url, llm_timeout=5.0, llm_max_retries=0,
                    formats=("json",), **extra)


# --------------------------------------------------------------------------------------------- redaction


def test_redact_replaces_identifiers_with_stable_placeholders() -> None:
    text = (f"My name is {NAME}. Email {EMAIL} or {EMAIL.upper()}; call +1 (415) 555-0199 or 415.555.0123. "
            f"ECFMG {ECFMG}, USMLE ID 5-123-456-7, AAMC ID 12345678. DOB: 04/03/1991. I was born on 3 March 1991. "
            f"Dr. Sarah Chen taught me; Dr. Chen and {NAME} wrote a paper. I scored 241 on Step 2 CK in 2023.\n\n"
            "Best regards,\nAmara N. Okafor")
    red, mapping = redact(text)
    for value in (NAME, EMAIL, "555-0199", "555.0123", ECFMG, "5-123-456-7", "12345678", "04/03/1991",
                  "3 March 1991", "Sarah Chen", "Chen", "Amara N. Okafor"):
        assert value not in red, value
    assert red.count("[NAME_1]") == 2  # the same value, the same placeholder
    assert "[EMAIL_1]" in red and "[EMAIL_2]" in red  # case differs: a different value
    assert "241" in red and "2023" in red and "Step 2 CK" in red  # scores and years are not identifiers
    assert restore(red, mapping) == text
    assert set(mapping) <= {f"[{c}_{i}]" for c in ("NAME", "EMAIL", "PHONE", "ID", "DOB") for i in range(1, 9)}


def test_redact_given_names_and_placeholders_already_in_the_text() -> None:
    text = "Amara grew up in Enugu. [NAME_1] is how the template marks a name. Okafor is her family name."
    red, mapping = redact(text, ["Amara Okafor"])
    assert "Amara" not in red and "Okafor" not in red
    assert "[NAME_1] is how the template" in red  # the literal is left alone ...
    assert mapping.get("[NAME_1]") is None  # ... and never used as a placeholder
    assert restore(red, mapping) == text
    assert restore("[NAME_9] unknown", mapping) == "[NAME_9] unknown"


def test_redact_leaves_ordinary_prose_alone() -> None:
    text = ("I am applying to Kaiser Permanente because The Permanente Medical Group values prevention. "
            "On March 3 I started a quality project; 8 of 12 patients improved.")
    red, mapping = redact(text)
    assert red == text and mapping == {}
    assert find_names("Thank you,\nThe Applicant") == []


# --------------------------------------------------------------------------------------------- --redact end to end


def test_redacted_review_sends_no_identifier_and_renders_the_real_text(tmp_path: Path, debug_logs: Any) -> None:
    doc = from_text(PS, DocKind.PERSONAL_STATEMENT, path="personal_statement.txt")
    from reviewer.checks.rules import review_rules
    from reviewer.rubric import load_rubrics

    rubrics = load_rubrics()
    with FaultStub() as stub:
        config = LLMConfig(model="stub-model", base_url=stub.base_url, local_only=True, redact=True,
                           cache_dir=tmp_path / "cache", max_retries=0)
        judge = make_judge(config)
        outcome = review_llm(doc, rubrics, config, judge, rules=review_rules(doc, rubrics), mode="hybrid",
                             names=[NAME], memory=MethodMemory(None))
        # the pipeline path (names found by the patterns only) renders the real text in JSON
        engine = Engine("hybrid", config, judge, MethodMemory(None))
        review = review_document(doc, rubrics, engine=engine)
    assert stub.calls >= 2
    sent = b"\n".join(stub.raw_bodies).decode()
    assert "[NAME_1]" in sent and "[EMAIL_1]" in sent and "[ID_1]" in sent
    assert not _has_canary(sent), _has_canary(sent)
    assert "14253647" not in sent
    llm = [f for f in outcome.findings if f.source.value == "llm"]
    assert llm, "the stub's quotes must ground"
    assert any(NAME in f.quote for f in llm) and all("[NAME_" not in f.quote for f in llm)
    assert any(NAME in f.message for f in llm) and all("[NAME_" not in f.message + f.suggestion for f in llm)
    assert any("placeholders" in n for n in outcome.notes)
    rendered = review.model_dump_json()
    assert NAME in rendered and "[NAME_" not in rendered and "[EMAIL_" not in rendered
    # the cache keeps the model's answer as sent: placeholders, not the identifiers
    cached = "\n".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert cached and not _has_canary(cached)
    assert not _has_canary(_log_text(debug_logs))


def test_cache_key_separates_redacted_and_plain_answers(tmp_path: Path) -> None:
    doc = from_text(PS, DocKind.PERSONAL_STATEMENT, path="personal_statement.txt")
    from reviewer.checks.rules import review_rules
    from reviewer.rubric import load_rubrics

    rubrics = load_rubrics()
    with FaultStub() as stub:
        for redacted in (True, False):
            config = LLMConfig(model="stub-model", base_url=stub.base_url, redact=redacted,
                               cache_dir=tmp_path / "cache")
            review_llm(doc, rubrics, config, make_judge(config), rules=review_rules(doc, rubrics), mode="hybrid")
        plain = [b for b in stub.raw_bodies[-2:]]
    assert any(NAME.encode() in b for b in plain), "a plain run must not be answered from the redacted cache"


# --------------------------------------------------------------------------------------------- canary


def _assert_no_canary_in_files(folder: Path, *, allow_content: bool) -> None:
    for p in folder.rglob("*"):
        assert not _has_canary(str(p.relative_to(folder))), p
        if p.is_file() and not allow_content and p.suffix in (".json", ".txt", ".md", ".jsonl"):
            assert not _has_canary(p.read_text(errors="replace")), p


def _assert_store_clean(out: Path) -> None:
    conn = sqlite3.connect(out / DB_NAME)
    try:
        for table, skip in (("rounds", {"review"}), ("failures", set()), ("runs", set())):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
            for row in conn.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                assert not _has_canary(" ".join(map(str, row))), (table, row)
        ids = [r[0] for r in conn.execute("SELECT id FROM applicants")]
        assert not _has_canary(" ".join(ids))
    finally:
        conn.close()


def test_canary_never_in_logs_errors_cache_names_or_store_metadata(tmp_path: Path, debug_logs: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    single = write_applicant(tmp_path / "in" / "applicant-a")
    broken = write_applicant(tmp_path / "in" / "applicant-b", broken=True)
    outputs: list[str] = []
    # review, rules engine: a good folder and a folder with unreadable files
    for folder in (single, broken):
        res = _cli(["review", str(folder), "--out", str(tmp_path / "r-rules"), "--format", "json"])
        outputs.append(res.output)
        assert res.exit_code in (0, 2), res.output
    assert "experiences.yaml" in outputs[1] and "additional_info.docx" in outputs[1]
    with FaultStub() as stub:
        res = _cli(["review", str(single), "--out", str(tmp_path / "r-hybrid"), "--format", "json", "--engine",
                    "hybrid", "--model", "stub-model", "--base-url", stub.base_url, "--local-only"])
        outputs.append(res.output)
        assert res.exit_code == 0, res.output
        # batch, hybrid, through the command
        from reviewer.cli_cohort import batch

        res = CliRunner().invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "b"), "--format", "json",
                                         "--jobs", "1", "--engine", "hybrid", "--model", "stub-model",
                                         "--base-url", stub.base_url])
        outputs.append(res.output)
        assert res.exit_code in (0, 2), res.output
        assert stub.calls > 0
    # the failing files were reported, without their content (the tables quote the drafts: that is the review)
    words = ("error", "invalid", "damaged", "cannot", "could not", "failed", "not reviewed", "experiences.yaml",
             "additional_info")
    errors = [line for line in "\n".join(outputs).splitlines() if any(w in line.lower() for w in words)]
    assert any("additional_info.docx" in line for line in errors) and any("experiences.yaml" in line for line in errors)
    assert not [line for line in errors if _has_canary(line)]
    assert not _has_canary(_log_text(debug_logs)), _has_canary(_log_text(debug_logs))
    # cassettes, cache names and indexes
    _assert_no_canary_in_files(ROOT / "tests" / "cassettes", allow_content=False)
    for cache in (tmp_path / "r-hybrid" / ".llm-cache", tmp_path / "b" / ".llm-cache"):
        assert list(cache.rglob("*.json")), cache
        _assert_no_canary_in_files(cache, allow_content=True)
        assert not _has_canary((cache / "methods.json").read_text())
    # output names; cohort.json only names the applicant in its display-name field
    for out in (tmp_path / "r-rules", tmp_path / "r-hybrid", tmp_path / "b"):
        _assert_no_canary_in_files(out, allow_content=True)
    cohort = json.loads((tmp_path / "b" / "cohort.json").read_text())
    for a in cohort["applicants"]:
        assert a.pop("applicant") == NAME
    assert not _has_canary(json.dumps(cohort))
    _assert_store_clean(tmp_path / "b")
    # the quotes are the review's content: the applicant needs them
    review = json.loads((tmp_path / "b" / "applicant-a" / "personal_statement.review.json").read_text())
    assert any(NAME in f["quote"] for f in review["findings"] if f["source"] == "llm")


# --------------------------------------------------------------------------------------------- local-only


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every outbound connection attempt in this process, recorded (and refused unless loopback)."""
    seen: list[Any] = []
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def connect(self: socket.socket, address: Any) -> Any:
        seen.append(address)
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError("test: outbound connection refused")
        return real_connect(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(address)
        if address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise OSError("test: outbound connection refused")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return seen


@pytest.mark.parametrize("url", ["https://api.example.com/v1", "http://10.0.0.5:8080/v1",
                                 "http://127.0.0.1.example.com/v1", "http://[::ffff:8.8.8.8]/v1"])
def test_local_only_refuses_a_remote_server_before_any_connection(tmp_path: Path, connects: list[Any],
                                                                  url: str) -> None:
    folder = write_applicant(tmp_path / "in" / "applicant-a")
    res = _cli(["review", str(folder), "--out", str(tmp_path / "out"), "--engine", "hybrid", "--model", "m",
                "--base-url", url, "--local-only"])
    assert res.exit_code == 3, res.output
    assert "local-only" in res.output and len(res.output.strip().splitlines()) == 1
    assert connects == []
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.json"))
    with pytest.raises(Exception, match="local-only"):
        run_batch(tmp_path / "in", tmp_path / "b", Settings(engine="hybrid", model="m", base_url=url,
                                                            local_only=True))
    assert connects == []


def test_local_only_hybrid_review_connects_only_to_loopback(tmp_path: Path, connects: list[Any]) -> None:
    folder = write_applicant(tmp_path / "in" / "applicant-a")
    with FaultStub() as stub:
        res = _cli(["review", str(folder), "--out", str(tmp_path / "out"), "--format", "json", "--engine", "hybrid",
                    "--model", "stub-model", "--base-url", stub.base_url, "--local-only"])
    assert res.exit_code == 0, res.output
    assert stub.calls > 0 and connects
    assert {a[0] for a in connects} <= {"127.0.0.1"}, connects


# --------------------------------------------------------------------------------------------- purge


def _batch_two(tmp_path: Path, stub: FaultStub) -> Path:
    write_applicant(tmp_path / "in" / "applicant-a")
    other = tmp_path / "in" / "applicant-b"
    other.mkdir(parents=True)
    (other / "personal_statement.txt").write_text(PS.replace(NAME, "Other Person").replace(EMAIL, "o@example.net"))
    out = tmp_path / "out"
    result = run_batch(tmp_path / "in", out, _stub_settings(stub.base_url), jobs=1)
    assert result.ok
    return out


def test_purge_deletes_an_applicants_store_rows_outputs_and_cache_entries(tmp_path: Path) -> None:
    with FaultStub() as stub:
        out = _batch_two(tmp_path, stub)
    cache = out / ".llm-cache" / "judgments"
    before = len(list(cache.rglob("*.json")))
    with Store.open(out, create=False) as store:
        store.record_failure("applicant-a", "x.docx", "damaged")
        digests_b = store.text_digests("applicant-b")
    res = CliRunner().invoke(purge, [str(out), NAME, "--yes"])  # by display name
    assert res.exit_code == 0, res.output
    assert "purged applicant applicant-a" in res.output
    assert "2 rounds" in res.output and "1 failures" in res.output and "1 applicants" in res.output
    assert not (out / "applicant-a").exists() and (out / "applicant-b").is_dir()
    with Store.open(out, create=False) as store:
        assert [a[0] for a in store.applicants()] == ["applicant-b"]
        assert store.rounds("applicant-a") == [] and store.failures("applicant-a") == []
        assert store.text_digests("applicant-b") == digests_b
    after = list(cache.rglob("*.json"))
    assert 0 < len(after) < before
    owners = {json.loads(p.read_text())["text_digest"] for p in after}
    assert owners <= digests_b
    cohort = json.loads((out / "cohort.json").read_text())
    assert [a["id"] for a in cohort["applicants"]] == ["applicant-b"]
    assert cohort["totals"]["applicants"] == 1
    raw = b"".join(p.read_bytes() for p in out.glob(DB_NAME + "*"))
    assert EMAIL.encode() not in raw and b"Zyxwvut" not in raw, "deleted rows linger in the database files"
    for name in ("index.html", "summary.csv"):
        if (out / name).exists():
            assert "Zyxwvut" not in (out / name).read_text(encoding="utf-8-sig")
    # again: now unknown
    res = CliRunner().invoke(purge, [str(out), "applicant-a", "--yes"])
    assert res.exit_code == 2
    assert res.output.startswith("error: ") and len(res.output.strip().splitlines()) == 1


def test_purge_all_cache_and_no_store(tmp_path: Path) -> None:
    with FaultStub() as stub:
        out = _batch_two(tmp_path, stub)
    res = CliRunner().invoke(purge, [str(out), "applicant-b", "--all-cache", "--yes"])
    assert res.exit_code == 0, res.output
    assert not (out / ".llm-cache").exists()
    assert "whole cache folder" in res.output
    res = CliRunner().invoke(purge, [str(tmp_path / "nowhere"), "applicant-a", "--yes"])
    assert res.exit_code == 2 and "no review store" in res.output


def test_cache_entries_record_only_a_digest(tmp_path: Path) -> None:
    with FaultStub() as stub:
        out = _batch_two(tmp_path, stub)
    for p in (out / ".llm-cache").rglob("*.json"):
        assert len(p.stem) == 64 or p.name == "methods.json"
    entry = json.loads(next((out / ".llm-cache" / "judgments").rglob("*.json")).read_text())
    assert len(entry["text_digest"]) >= 16 and set(entry) == {"version", "text_digest", "judgment", "method", "usage"}



def test_review_command_with_redact_sends_no_identifier(tmp_path: Path) -> None:
    folder = write_applicant(tmp_path / "in" / "applicant-a")
    with FaultStub() as stub:
        res = _cli(["review", str(folder), "--out", str(tmp_path / "out"), "--format", "json", "--engine", "hybrid",
                    "--model", "stub-model", "--base-url", stub.base_url, "--local-only", "--redact"])
    assert res.exit_code == 0, res.output
    sent = b"\n".join(stub.raw_bodies).decode()
    assert stub.calls > 0 and "[EMAIL_1]" in sent
    assert not _has_canary(sent), _has_canary(sent)
    assert "415-555-0142" not in sent and "14253647" not in sent
    review = json.loads((tmp_path / "out" / "personal_statement.review.json").read_text())
    quotes = " ".join(f["quote"] + f["message"] for f in review["findings"] if f["source"] == "llm")
    assert NAME in quotes and "[NAME_" not in json.dumps(review)


def test_redact_covers_the_applicant_name_from_the_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "applicant-a"
    folder.mkdir(parents=True)
    (folder / "application.yaml").write_text(f"applicant: {NAME}\ntarget: kaiser\n")
    # the surname alone, where no pattern can tell it is a name
    (folder / "personal_statement.txt").write_text(PS.replace(f"My name is {NAME}", "The Qazwsx family raised me")
                                                   .replace(f"Sincerely,\n{NAME}", "Thanks."))
    with FaultStub() as stub:
        res = _cli(["review", str(folder), "--out", str(tmp_path / "out"), "--format", "json", "--engine", "hybrid",
                    "--model", "stub-model", "--base-url", stub.base_url, "--redact"])
    assert res.exit_code == 0, res.output
    sent = b"\n".join(stub.raw_bodies).decode()
    assert stub.calls > 0 and "Qazwsx" not in sent
