"""Output safety: inputs are never overwritten, and names from applicants' folders are made safe.

File names in an applicant folder are chosen by whoever sent the folder: they may hold control
characters (terminal escapes), newlines, bidi overrides, separators, leading dots or hundreds of
characters. Output files must land inside ``--out`` under safe names, and inputs must stay byte-identical
whatever ``--out`` is (the input folder itself, or a folder holding links to the inputs).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.errors import OutputError
from reviewer.pipeline import (
    discover,
    output_stems,
    output_subfolders,
    review_file,
    review_folder,
    safe_stem,
    write_folder,
    write_review,
)
from reviewer.settings import Settings

STATEMENT = (
    "My Step 1 score was 196 and I own that result. I changed how I study and passed Step 2 CK with a 245. "
    "At the clinic I worked with nurses and pharmacists to cut readmissions by 18 percent.\n"
)
HOSTILE_NAMES = [
    "ps\x1b[31mred.txt",  # terminal colour escape
    "ps\x1b]0;title\x07.txt",  # terminal title escape
    "ps\nnewline.txt",
    "ps\u202egnp.txt",  # right-to-left override
    "ps\u200bzero.txt",
    "ps:colon*star?.txt",
    "ps\\backslash.txt",
    "ps" + "é" * 120 + ".txt",  # 246 bytes: long but a legal name
    "ps..dots...txt",
    "application.txt",  # would collide with the application report
]


def is_safe_name(name: str) -> bool:
    return (
        not name.startswith((".", " "))
        and "/" not in name
        and "\\" not in name
        and ".." not in name.split(".review.")[0][-2:]  # no trailing dots before the suffix
        and all(unicodedata.category(c)[0] != "C" and unicodedata.category(c) not in ("Zl", "Zp") for c in name)
        and len(name.encode("utf-8")) <= 255
    )


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("ps", "ps"),
        ("Personal Statement é", "Personal Statement é"),
        ("..ps", "ps"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("a\x1b[31mb", "a_[31mb"),
        ("line\nbreak", "line_break"),
        ("rtl\u202eoverride", "rtl_override"),
        ("con:x", "con_x"),
        ("..", "document"),
        ("   ", "document"),
        ("trailing. ", "trailing"),
    ],
)
def test_safe_stem(stem: str, expected: str) -> None:
    assert safe_stem(stem) == expected
    assert len(safe_stem("x" * 500)) == 120


def test_output_stems_are_safe_and_distinct(tmp_path: Path) -> None:
    names = [*HOSTILE_NAMES, "ps.txt", "PS.md", "ps.md", "document.txt", "..docx"]
    sources = [tmp_path / n for n in names]
    stems = output_stems(sources)
    assert len({s.casefold() for s in stems.values()}) == len(sources)  # distinct even without case
    assert "application" not in stems.values()
    for stem in stems.values():
        assert is_safe_name(f"{stem}.review.docx"), repr(stem)


def test_output_subfolders_are_safe(tmp_path: Path) -> None:
    folders = [tmp_path / n for n in ("..", "a/../b", "x\x1b[2J", ".hidden", "ok", "ok2")]
    names = output_subfolders(folders)
    assert len(set(names.values())) == len(folders)
    for name in names.values():
        assert name and name not in (".", "..") and is_safe_name(name), repr(name)


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "applicant"
    folder.mkdir()
    for name in HOSTILE_NAMES:
        (folder / name).write_text(STATEMENT, encoding="utf-8")
    (folder / "application.yaml").write_text("documents:\n  application.txt: personal_statement\n")
    return folder


def test_hostile_names_through_the_pipeline(hostile_folder: Path, tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    before = {p.name: p.read_bytes() for p in hostile_folder.iterdir()}
    result = review_folder(hostile_folder, rubrics, Settings())
    assert {r.source.name for r in result.reviewed} == set(HOSTILE_NAMES) and not result.failures
    out = tmp_path / "out"
    written = write_folder(result, out, ["json", "md", "docx"], protect=list(hostile_folder.iterdir()))
    assert len(written) == 3 * len(HOSTILE_NAMES) + 2
    for path in written:
        assert path.parent == out and path.exists()
        assert is_safe_name(path.name), repr(path.name)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # nothing else, no temp files
    assert {p.name: p.read_bytes() for p in hostile_folder.iterdir()} == before


def test_out_is_the_input_folder(tmp_path: Path) -> None:
    from reviewer.cli import main

    folder = tmp_path / "applicant"
    folder.mkdir()
    (folder / "personal_statement.txt").write_text(STATEMENT, encoding="utf-8")
    (folder / "ps.review.json").write_text('{"mine": "an applicant file that looks like an output"}')
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert [p.name for p in discover(folder)] == ["personal_statement.txt"]  # output-named files are not inputs
    run = CliRunner().invoke(main, ["review", str(folder), "--out", str(folder), "--format", "json,md,docx"])
    assert run.exit_code == 0, run.output
    for name, data in before.items():
        assert (folder / name).read_bytes() == data, name
    assert (folder / "personal_statement.review.docx").exists()


def test_second_run_into_the_input_folder(tmp_path: Path) -> None:
    from reviewer.cli import main

    folder = tmp_path / "applicant"
    folder.mkdir()
    (folder / "personal_statement.txt").write_text(STATEMENT, encoding="utf-8")
    for _ in range(2):
        run = CliRunner().invoke(main, ["review", str(folder), "--out", str(folder), "--format", "json"])
        assert run.exit_code == 0, run.output
    assert (folder / "personal_statement.txt").read_text(encoding="utf-8") == STATEMENT


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_output_name_that_is_a_link_to_an_input(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    """A link in --out named like an output and pointing at an input: the input is never written through."""
    src = tmp_path / "personal_statement.txt"
    src.write_text(STATEMENT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("json", "md", "docx"):
        (out / f"personal_statement.review.{fmt}").symlink_to(src)
    item = review_file(src, rubrics, Settings())
    for fmt in ("json", "md", "docx"):
        with pytest.raises(OutputError, match="refusing to overwrite an input"):
            write_review(item, out, [fmt])
    assert src.read_text(encoding="utf-8") == STATEMENT
    # a link to some other file is replaced by the output, and its target is left alone
    other = tmp_path / "other.txt"
    other.write_text("keep me", encoding="utf-8")
    link = out / "personal_statement.review.json"
    link.unlink()
    link.symlink_to(other)
    write_review(item, out, ["json"])
    assert other.read_text(encoding="utf-8") == "keep me" and not link.is_symlink()


def test_names_in_terminal_and_reports_are_printable(hostile_folder: Path, tmp_path: Path) -> None:
    from reviewer.cli import main

    (hostile_folder / "interview\x1b]0;pwned\x07.docx").write_bytes(b"not a zip")
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["review", str(hostile_folder), "--out", str(out), "--format", "json,md"])
    assert run.exit_code == 2
    assert "\x1b" not in run.output and "\x07" not in run.output and "\x1b" not in (run.stderr or "")
    for md in out.glob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text, md.name
