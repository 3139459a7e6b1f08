"""The review store: rounds, idempotent recording, failures, and no document text at rest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reviewer.errors import InputError, OutputError, StoreError
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


def test_the_store_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path, review) -> None:
    with Store.open(tmp_path) as store:  # it keeps reviews, which quote the drafts
        run = store.start_run(tmp_path, rubric_digest="r1", engine_digest="rules")
        store.record_round("ana", "ps.txt", review, _digests(), name="Ana B", run=run)
        files = [p for p in tmp_path.iterdir() if p.name.startswith(DB_NAME)]
        assert len(files) >= 2  # the store and its -wal (and -shm) while open
        assert {p.stat().st_mode & 0o777 for p in files} == {0o600}


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


# --------------------------------------------------------------------------------------------- integrity


def _filled_store(out: Path, review, applicants: int = 30) -> bytes:  # type: ignore[no-untyped-def]
    """A store with some rounds, checkpointed into the main file; returns its bytes."""
    with Store.open(out) as store:
        for i in range(applicants):
            store.record_round(f"applicant-{i:02d}", "ps.txt", review, _digests(f"{i:064d}"), name=f"Name {i}")
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return (out / DB_NAME).read_bytes()


@pytest.mark.parametrize("damage", ["empty", "not sqlite", "truncated", "garbage in the middle"])
def test_a_damaged_store_is_refused_and_left_as_it_is(tmp_path: Path, review, damage: str) -> None:
    data = _filled_store(tmp_path, review)
    damaged = {
        "empty": b"",
        "not sqlite": b"PK\x03\x04" + data[4:],
        "truncated": data[: len(data) // 2],
        "garbage in the middle": data[: len(data) // 2] + bytes(range(256)) * 16 + data[len(data) // 2 + 4096:],
    }[damage]
    (tmp_path / DB_NAME).write_bytes(damaged)
    for opener in (lambda: Store.open(tmp_path), lambda: Store.open(tmp_path, create=False),
                   lambda: Store.open(tmp_path, create=False, readonly=True)):
        with pytest.raises(StoreError) as info:
            opener().close()
        assert info.value.exit_code == 4 and "\n" not in str(info.value)
        assert "review store" in str(info.value) and "restore reviewer.sqlite from a backup" in str(info.value)
    assert (tmp_path / DB_NAME).read_bytes() == damaged, "a damaged store was modified"


def test_a_store_of_schema_1_is_upgraded_and_keeps_its_history(tmp_path: Path, review) -> None:
    with Store.open(tmp_path) as store:
        store.record_round("ana", "ps.txt", review, _digests(), name="Ana B")
    conn = sqlite3.connect(tmp_path / DB_NAME)  # what reviewer wrote before folders were recorded
    conn.execute("DROP INDEX applicants_by_folder")
    conn.execute("ALTER TABLE applicants DROP COLUMN folder")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(tmp_path, create=False, readonly=True) as reader:  # reading writes nothing
        assert reader.folders() == {"ana": None} and reader.applicant("ana") == ("Ana B", None)
    assert sqlite3.connect(tmp_path / DB_NAME).execute("PRAGMA user_version").fetchone()[0] == 1
    with Store.open(tmp_path) as store:
        assert store.folders() == {"ana": None}
        store.claim({"ana": "Ana B folder"})
        assert store.applicant("ana") == ("Ana B", "Ana B folder")
        assert [r.round for r in store.rounds("ana")] == [1]
    assert sqlite3.connect(tmp_path / DB_NAME).execute("PRAGMA user_version").fetchone()[0] == 2


def test_an_id_is_never_given_a_second_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.claim({"Maria_Garcia": "Maria_Garcia"}, {"Maria_Garcia": "Maria Garcia"})
        store.claim({"Maria_Garcia": "Maria_Garcia"})  # the same claim again: nothing changes
        with pytest.raises(StoreError, match="already belongs to another folder"):
            store.claim({"Maria_Garcia": "Maria Garcia"})
        with pytest.raises(StoreError, match="recorded for another id"):
            store.claim({"other": "Maria_Garcia"})
        assert store.folders() == {"Maria_Garcia": "Maria_Garcia"}


def test_a_full_disk_while_recording_is_one_store_error(tmp_path: Path, review) -> None:
    with Store.open(tmp_path) as store:
        store.record_round("ana", "ps.txt", review, _digests())
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # what SQLite sees when the disk is full
        with pytest.raises(StoreError) as info:
            for i in range(50):
                store.record_round(f"applicant-{i}", "ps.txt", review, _digests(f"{i:064d}"))
        assert "the disk is full" in str(info.value) and str(tmp_path / DB_NAME) in str(info.value)
        assert info.value.exit_code == 4
