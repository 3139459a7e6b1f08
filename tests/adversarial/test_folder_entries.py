"""Folder listing and safe opening: no link is followed out of an applicant folder, no FIFO, socket or device
is opened, and every document-named entry that is not read is listed with one line saying why.

The secret is a file outside the applicant folder holding a canary sentence; a link to it named like a
document must never bring the canary into any output. Anything that could block (opening a FIFO) runs on
a daemon thread with a deadline, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer.cli import main
from reviewer.cohort import run_batch
from reviewer.document import DocKind
from reviewer.errors import ConfigError, InputError
from reviewer.ingest import load_document
from reviewer.ingest.listing import list_folder
from reviewer.kinds import load_manifest
from reviewer.pipeline import review_folder, write_folder
from reviewer.settings import Settings

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or not hasattr(os, "mkfifo"),
                                reason="needs POSIX links and FIFOs")

CANARY = "Quokkaberry Xylophant secret sentence."
PS = ("My Step 1 score was 196 and I own that result. I changed how I study and passed Step 2 CK with a 245. "
      "At the clinic I worked with nurses and pharmacists to cut readmissions by 18 percent.\n")


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """``fn()`` on a daemon thread; fails (instead of hanging) when it does not return in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:  # handed to the test
            box["error"] = err

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "blocked: something opened a FIFO or followed a loop"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def hostile_folder(tmp_path: Path, folder: Path | None = None) -> Path:
    """An applicant folder (``tmp_path/applicant`` unless given) with one good statement and every kind of
    entry that must not be read; the secret is in ``tmp_path/elsewhere``."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"{CANARY} I value team-based care.\n")
    folder = folder or tmp_path / "applicant"
    folder.mkdir(parents=True)
    (folder / "personal_statement.txt").write_text(PS)
    (folder / "additional_info.txt").symlink_to(secret)  # absolute link out of the folder
    (folder / "interview_answer.txt").symlink_to(os.path.relpath(secret, folder))  # relative, out
    (folder / "ps_loop.txt").symlink_to("ps_loop.txt")  # a link to itself
    (folder / "ps_dangling.md").symlink_to("nothing-here.md")
    (folder / "experience.docx").mkdir()  # a folder named like a document
    (folder / "ps_to_folder.docx").symlink_to("experience.docx")
    os.mkfifo(folder / "ps_fifo.txt")
    (folder / "notes").symlink_to(secret)  # not named like a document: ignored, as before
    return folder


EXPECTED = {
    "additional_info.txt": "is a link leading outside its folder",
    "interview_answer.txt": "is a link leading outside its folder",
    "ps_loop.txt": "is a broken link",
    "ps_dangling.md": "is a broken link",
    "ps_to_folder.docx": "is a link to a folder",
    "experience.docx": "is a folder, not a document",
    "ps_fifo.txt": "is a named pipe (FIFO)",
}


def test_listing_names_every_entry_not_read_without_opening_any(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    listing = within(10, lambda: list_folder(folder))
    assert [p.name for p in listing.documents] == ["personal_statement.txt"]
    skipped = {s.path.name: s.error for s in listing.skipped}
    assert set(skipped) == set(EXPECTED)
    for name, problem in EXPECTED.items():
        line = skipped[name]
        assert line.startswith(f"{folder / name}: ") and problem in line and "\n" not in line, line
        assert "(" in line and line.endswith(")"), f"no hint saying what to do: {line}"
        assert "elsewhere" not in line and CANARY not in line  # the target is never named or read


def test_socket_named_like_a_document_is_listed_not_opened(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "personal_statement.txt").write_text(PS)
    sock = socket.socket(socket.AF_UNIX)
    try:
        try:
            sock.bind(str(folder / "ps.txt"))
        except OSError:
            pytest.skip("cannot bind a socket here (path too long)")
        listing = within(10, lambda: list_folder(folder))
        assert [s.path.name for s in listing.skipped] == ["ps.txt"]
        assert "is a socket" in listing.skipped[0].error
        with pytest.raises(InputError, match="is a socket"):
            within(10, lambda: load_document(folder / "ps.txt", DocKind.PERSONAL_STATEMENT))
    finally:
        sock.close()


def test_link_to_a_regular_file_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    (folder / "drafts").mkdir(parents=True)
    (folder / "drafts" / "v3.txt").write_text(PS)
    (folder / "personal_statement.txt").symlink_to(Path("drafts") / "v3.txt")
    listing = list_folder(folder)
    assert [p.name for p in listing.documents] == ["personal_statement.txt"] and not listing.skipped
    doc = load_document(folder / "personal_statement.txt", DocKind.PERSONAL_STATEMENT)
    assert "I own that result" in doc.text


def test_load_document_refuses_links_out_and_special_files_itself(tmp_path: Path) -> None:
    """The reader applies the rule on its own (a single file, an API caller), not only the listing."""
    folder = hostile_folder(tmp_path)
    for name, problem in EXPECTED.items():
        with pytest.raises(InputError) as info:
            within(10, lambda name=name: load_document(folder / name, DocKind.PERSONAL_STATEMENT))
        assert problem in info.value.message and CANARY not in str(info.value), str(info.value)


def test_folder_review_lists_each_entry_and_never_reads_the_secret(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    folder = hostile_folder(tmp_path)
    result = within(60, lambda: review_folder(folder, rubrics, Settings()))
    assert [r.source.name for r in result.reviewed] == ["personal_statement.txt"]
    failed = {Path(f.path).name: f for f in result.failures}
    assert set(failed) == set(EXPECTED)
    assert all(f.kind == "skipped" and EXPECTED[n] in f.error for n, f in failed.items())
    out = tmp_path / "out"
    write_folder(result, out, ["json", "md", "docx"])
    app = json.loads((out / "application.review.json").read_text())
    assert {Path(f["path"]).name for f in app["failures"]} == set(EXPECTED)
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Quokkaberry" not in data, path
            if path.suffix == ".docx":
                import zipfile

                with zipfile.ZipFile(path) as z:
                    assert not any(b"Quokkaberry" in z.read(n) for n in z.namelist()), path


def test_manifest_listing_a_skipped_entry_reports_it_once(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    folder = hostile_folder(tmp_path)
    (folder / "application.yaml").write_text("documents:\n  additional_info.txt: additional_info\n"
                                             "  gone.txt: personal_statement\n")
    result = review_folder(folder, rubrics, Settings())
    errors = [f.error for f in result.failures if Path(f.path).name == "additional_info.txt"]
    assert len(errors) == 1 and "leading outside its folder" in errors[0]
    assert any(f.kind == "missing" and "gone.txt" in f.error for f in result.failures)


def test_manifest_that_is_a_link_out_or_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"documents: [{CANARY}\n")  # a parse error would quote this line
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "application.yaml").symlink_to(secret)
    with pytest.raises(ConfigError) as info:
        load_manifest(folder)
    assert "leading outside its folder" in str(info.value) and "Quokkaberry" not in str(info.value)
    (folder / "application.yaml").unlink()
    os.mkfifo(folder / "application.yaml")
    with pytest.raises(ConfigError, match="named pipe"):
        within(10, lambda: load_manifest(folder))


@pytest.mark.parametrize("make", ["link_out", "fifo"])
def test_cli_single_file_that_is_a_link_out_or_a_fifo(tmp_path: Path, make: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{CANARY} I passed Step 2 CK with a 245.\n")
    folder = tmp_path / "a"
    folder.mkdir()
    path = folder / "personal_statement.txt"
    if make == "link_out":
        path.symlink_to(secret)
    else:
        os.mkfifo(path)
    out = tmp_path / "out"
    result = within(30, lambda: CliRunner().invoke(main, ["review", str(path), "--out", str(out)]))
    assert result.exit_code == 2, result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("error: "))
    assert str(path) in line and ("leading outside its folder" in line if make == "link_out" else "named pipe" in line)
    assert "Quokkaberry" not in result.output
    assert not any(out.rglob("*.review.*")) if out.exists() else True


def test_batch_lists_links_out_and_fifos_and_never_reads_them(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    hostile_folder(tmp_path, cohort / "applicant")
    out = tmp_path / "out"
    result = within(120, lambda: run_batch(cohort, out, Settings(formats=("json", "md")), jobs=1))
    failed = {d for a, d, _ in result.failures if a == "applicant"}
    assert set(EXPECTED) <= failed, failed
    app = json.loads((out / "applicant" / "application.review.json").read_text())
    assert set(EXPECTED) <= {Path(f["path"]).name for f in app["failures"]}
    for path in out.rglob("*"):
        if path.is_file():
            assert b"Quokkaberry" not in path.read_bytes(), path
    # a second run plans the same folder without reading the entries either, and still lists them
    again = within(120, lambda: run_batch(cohort, out, Settings(formats=("json", "md")), jobs=1))
    assert set(EXPECTED) <= {d for a, d, _ in again.failures if a == "applicant"}


def test_dry_run_lists_the_entries_not_read_and_survives_a_broken_manifest(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    (folder / "application.yaml").write_text("documents: [unclosed\n")
    result = within(60, lambda: CliRunner().invoke(main, [
        "review", str(folder), "--engine", "hybrid", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
        "--dry-run"], env={"OPENAI_API_KEY": ""}))
    assert result.exit_code == 0, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
    for name, problem in EXPECTED.items():
        assert any(f"{folder / name}: " in ln and problem in ln for ln in errors), name
    assert any("application.yaml" in ln for ln in errors) and "would be sent" in result.output
    assert "Quokkaberry" not in result.output
