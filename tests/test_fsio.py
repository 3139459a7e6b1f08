"""Atomic, durable outputs that never replace an input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer import fsio
from reviewer.errors import OutputError


def test_every_writer_syncs_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(fsio.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(fsio.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    fsio.atomic_write_text(tmp_path / "a.json", "{}")
    fsio.atomic_save(tmp_path / "b.docx", lambda tmp: tmp.write_bytes(b"PK"))
    assert events == ["fsync", "replace", "fsync", "replace"]
    assert (tmp_path / "a.json").read_text() == "{}" and (tmp_path / "b.docx").read_bytes() == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.docx"]  # no temporary left


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fsio.atomic_save(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_an_input_is_never_replaced(tmp_path: Path, how: str) -> None:
    source = tmp_path / "in" / "ps.txt"
    source.parent.mkdir()
    source.write_text("draft", encoding="utf-8")
    target = source if how == "same" else tmp_path / "ps.txt"
    if how == "symlink":
        target.symlink_to(source)
    elif how == "hardlink":
        os.link(source, target)
    with pytest.raises(OutputError, match="refusing to overwrite an input file"):
        fsio.atomic_write_text(target, "feedback", protect=[source])
    assert source.read_text(encoding="utf-8") == "draft"


def test_unrelated_existing_output_is_replaced(tmp_path: Path) -> None:
    source, target = tmp_path / "ps.txt", tmp_path / "ps.review.md"
    source.write_text("draft", encoding="utf-8")
    target.write_text("old review", encoding="utf-8")
    fsio.atomic_write_text(target, "new review", protect=[source, tmp_path / "missing.txt"])
    assert target.read_text(encoding="utf-8") == "new review"


def test_a_full_disk_is_one_output_error_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsio.os, "fsync", full)
    with pytest.raises(OutputError) as info:
        fsio.atomic_write_text(tmp_path / "cohort.json", "{}")
    err = info.value
    assert err.exit_code == 4 and err.path == str(tmp_path / "cohort.json")
    assert "No space left on device" in str(err) and "free some disk space" in str(err)
    assert "\n" not in str(err)
    assert list(tmp_path.iterdir()) == []  # no temporary left behind


def test_a_folder_in_the_way_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "cohort.json").mkdir()
    with pytest.raises(OutputError, match=r"cohort\.json: cannot write: Is a directory"):
        fsio.atomic_write_text(tmp_path / "cohort.json", "{}")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        fsio.atomic_write_text(tmp_path / "file" / "inside.json", "{}")


def test_check_writable_tries_the_folder(tmp_path: Path, make_readonly) -> None:  # type: ignore[no-untyped-def]
    fsio.check_writable(tmp_path / "new" / "cache")
    assert (tmp_path / "new" / "cache").is_dir() and list((tmp_path / "new" / "cache").iterdir()) == []
    locked = tmp_path / "locked"
    locked.mkdir()
    make_readonly(locked)
    with pytest.raises(OutputError, match=r"locked: cannot write here: (Read-only file system|Permission denied)"):
        fsio.check_writable(locked)
    with pytest.raises(OutputError, match=r"a\.json: cannot write: "):
        fsio.atomic_write_text(locked / "a.json", "{}")
