"""The review store: rounds, idempotent recording, failures, and no document text at rest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reviewer.errors import InputError, OutputError
from reviewer.pipeline import review_document
from reviewer.store import DB_NAME, Digests, Store

from conftest import make_doc

SECRET = "My grandmother kept a garden of bitter leaf behind the clinic in Enugu."
TEXT = f"""I am applying to Kaiser Permanente because of its integrated care model and its team-based primary care.

{SECRET}

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair. I changed how I studied, \
with timed question blocks, and passed Step 2 CK with 241."""


@pytest.fixture()
def review(rubrics):
    return review_document(make_doc(TEXT, path="ps.txt"), rubrics)


def _digests(sha: str = "a" * 64, rubric: str = "r1") -> Digests:
    return Digests(sha, rubric, "rules", "personal_statement|kaiser")


def test_open_sets_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path / "out") as store:
        assert store.path == tmp_path / "out" / DB_NAME
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_record_round_is_idempotent_and_numbers_rounds(tmp_path: Path, review) -> None:
    with Store.open(tmp_path) as store:
        run = store.start_run(tmp_path, rubric_digest="r1", engine_digest="rules")
        assert store.latest("ana", "ps.txt") is None
        assert store.record_round("ana", "ps.txt", review, _digests(), name="Ana B", run=run) == 1
        assert store.record_round("ana", "ps.txt", review, _digests(), name="Ana B", run=run) == 1
        assert store.count_rounds() == 1
        assert store.record_round("ana", "ps.txt", review, _digests(rubric="r2"), run=run) == 2
        assert store.record_round("ana", "ps.txt", review, _digests("b" * 64, "r2"), run=run) == 3
        assert store.record_round("ana", "other.txt", review, _digests(), run=run) == 1
        latest = store.latest("ana", "ps.txt")
        assert latest is not None and latest.round == 3 and latest.source_sha256 == "b" * 64
        assert latest.digests == _digests("b" * 64, "r2")
        assert latest.verdicts == {c.id: c.verdict.value for c in review.criteria}
        assert latest.fails == sum(c.verdict.value == "fail" for c in review.criteria) > 0
        assert {k: v.round for k, v in store.latest_rounds("ana").items()} == {"ps.txt": 3, "other.txt": 1}
        assert [r.round for r in store.history("ana")["ps.txt"]] == [1, 2, 3]
        assert store.review("ana", "ps.txt", 1) == review
        assert store.review("ana", "ps.txt") == review
        assert store.review("ana", "missing.txt") is None
        assert store.applicants() == [("ana", "Ana B")]


def test_failures_are_logged_per_run(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        run = store.start_run(tmp_path, rubric_digest="r", engine_digest="rules")
        store.record_failure("ana", "bad.docx", "bad.docx: not a Word document", run=run)
        store.finish_run(run, "failed")
        assert [(f.document, f.error) for f in store.failures("ana", run=run)] == [
            ("bad.docx", "bad.docx: not a Word document")]
        assert store.failures("bob") == []


def test_the_store_holds_quotes_but_not_the_text(tmp_path: Path, review) -> None:
    assert all(SECRET not in f.quote for f in review.findings)
    with Store.open(tmp_path) as store:
        store.record_round("ana", "ps.txt", review, _digests())
    data = b"".join(p.read_bytes() for p in tmp_path.glob(DB_NAME + "*"))
    assert b"It was not my fault" in data  # a finding's quote
    assert SECRET.encode() not in data


def test_reading_a_missing_store_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no review store"):
        Store.open(tmp_path, create=False)
    assert not (tmp_path / DB_NAME).exists()


def test_a_store_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(OutputError, match="newer"):
        Store.open(tmp_path)


def test_a_second_connection_reads_while_one_writes(tmp_path: Path, review) -> None:
    with Store.open(tmp_path) as writer, Store.open(tmp_path, create=False) as reader:
        writer.record_round("ana", "ps.txt", review, _digests())
        assert reader.latest("ana", "ps.txt") is not None
