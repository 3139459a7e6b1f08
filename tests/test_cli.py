"""End to end through the CLI: outputs, names, exit codes, bad inputs in a folder, inputs untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import reviewer
from reviewer.cli import main

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "reviewer" / "schemas"
REVIEW_SCHEMA = json.loads((SCHEMAS / "review-1.schema.json").read_text())
APP_SCHEMA = json.loads((SCHEMAS / "application-1.schema.json").read_text())

PS = """Growing up in Lagos, I watched my aunt manage diabetes without a regular doctor.

I failed Step 1 on my first attempt because I relied on passive reading. I rebuilt my preparation around
UWorld questions, a fixed daily schedule and weekly self-assessments. I then scored 241 on Step 2 CK and
received honors in my internal medicine sub-internship. I now bring the same habit of measuring and adjusting
to quality improvement work.

At a safety-net clinic in Houston I coordinated with nurses and social workers to call 120 patients overdue for
follow-up, and missed lab follow-up fell from 18% to 9% over three months. Kaiser Permanente's integrated,
team-based model and its population health registries are why I want to train there.
"""

AI = """My first attempt at Step 1 ended in a failure, which I explained in my personal statement. I failed Step 1
because I studied passively; I changed to question-based learning and passed Step 2 CK with a 241."""


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "applicant"
    folder.mkdir(parents=True)
    (folder / "personal_statement.txt").write_text(PS)
    (folder / "additional_info.md").write_text(AI)
    (folder / "interview_step1.txt").write_text(
        "My Step 1 score was below my expectations. I changed my approach with UWorld and self-testing, "
        "and I scored 241 on Step 2 CK. I now apply the same habits on the wards and in QI work.")
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def test_folder_review_writes_every_output(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = _snapshot(folder)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["review", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    for stem in ("personal_statement", "additional_info", "interview_step1"):
        for ext in ("json", "md", "docx"):
            assert f"{stem}.review.{ext}" in names
    assert "application.review.json" in names and "application.review.md" in names
    assert not [n for n in names if n.endswith(".tmp")]
    for stem in ("personal_statement", "additional_info", "interview_step1"):
        data = json.loads((out / f"{stem}.review.json").read_text())
        jsonschema.validate(data, REVIEW_SCHEMA)
        assert data["document"]["path"].endswith(stem + (".md" if stem == "additional_info" else ".txt"))
    app = json.loads((out / "application.review.json").read_text())
    jsonschema.validate(app, APP_SCHEMA)
    assert {c["id"] for c in app["criteria"]} >= {"application.score_once", "application.consistency",
                                                    "application.gaps"}
    once = next(c for c in app["criteria"] if c["id"] == "application.score_once")
    assert once["verdict"] == "fail"  # explained in both the statement and additional info
    assert _snapshot(folder) == before


def test_every_criterion_listed_with_not_applicable(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    CliRunner().invoke(main, ["review", str(folder / "interview_step1.txt"), "--out", str(out), "--format", "json"])
    data = json.loads((out / "interview_step1.review.json").read_text())
    ids = {c["id"]: c["verdict"] for c in data["criteria"]}
    assert ids["score.length"] == "not_applicable"  # judged by interview.length for interview answers
    assert "interview.length" in ids and "integrity.instructions" in ids
    for f in data["findings"]:
        text = (folder / "interview_step1.txt").read_text()
        assert f["quote"].split()[0] in text


def test_findings_quote_their_span(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    CliRunner().invoke(main, ["review", str(folder / "personal_statement.txt"), "--out", str(out), "--format",
                              "json"])
    data = json.loads((out / "personal_statement.review.json").read_text())
    assert data["findings"], "expected at least the informational score.mention finding"
    for f in data["findings"]:
        assert f["end"] >= f["start"] and f["quote"]


def test_only_and_skip(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder / "personal_statement.txt"), "--out", str(out),
                                  "--format", "json", "--only", "score", "--skip", "score.pivot"])
    assert r.exit_code == 0, r.output
    ids = {c["id"] for c in json.loads((out / "personal_statement.review.json").read_text())["criteria"]}
    assert ids and all(i.startswith("score.") for i in ids) and "score.pivot" not in ids


def test_bad_documents_in_a_folder_do_not_stop_the_others(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "experience.docx").write_bytes(b"%PDF-1.4\n%binary\n")  # a PDF renamed .docx
    (folder / "additional_notes.txt").write_bytes(b"")  # empty
    (folder / "essay.txt").write_text("A draft of unknown kind.")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(out)])
    assert r.exit_code == 2
    assert (out / "personal_statement.review.json").exists()
    app = json.loads((out / "application.review.json").read_text())
    failed = {Path(f["path"]).name: f["error"] for f in app["failures"]}
    assert set(failed) == {"experience.docx", "additional_notes.txt", "essay.txt"}
    assert "PDF" in failed["experience.docx"]
    assert "--kind" in failed["essay.txt"]
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3 and all(str(folder) in e for e in errors)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("ps.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048, "password"),
        ("ps.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048, ".docx"),
        ("ps.txt", "Café résumé naïve".encode("latin-1"), "UTF-8"),
        ("ps.txt", b"", "empty"),
    ],
)
def test_single_bad_file_one_line_and_nonzero(tmp_path: Path, name: str, data: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    r = CliRunner().invoke(main, ["review", str(path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(path) in errors[0] and needle.lower() in errors[0].lower(), r.output
    assert path.read_bytes() == data


def test_missing_file(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["review", str(tmp_path / "nope.docx"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "not found" in r.output and "nope.docx" in r.output


def test_out_inside_the_input_folder_never_overwrites_inputs(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = _snapshot(folder)
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(folder)])
    assert r.exit_code == 0, r.output
    after = _snapshot(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert (folder / "personal_statement.review.json").exists()
    # A second run must not review its own outputs as inputs.
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(folder), "--format", "json"])
    app = json.loads((folder / "application.review.json").read_text())
    assert len(app["documents"]) == 3 and not app["failures"]


def test_same_stem_gets_distinct_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "ps.txt").write_text(PS)
    (folder / "ps.md").write_text(PS)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert (out / "ps.txt.review.json").exists() and (out / "ps.md.review.json").exists()


def test_config_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    (tmp_path / "reviewer.toml").write_text('format = ["md"]\nskip = ["integrity"]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REVIEWER_OUT", str(tmp_path / "env-out"))
    r = CliRunner().invoke(main, ["review", str(folder / "personal_statement.txt")])
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(tmp_path / "env-out")) == ["personal_statement.review.md"]
    assert "integrity." not in (tmp_path / "env-out" / "personal_statement.review.md").read_text()


def test_rubrics_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["rubrics", "list"])
    assert r.exit_code == 0 and "score.excuse" in r.output and "application.gaps" in r.output
    r = runner.invoke(main, ["rubrics", "show", "score.excuse"])
    assert r.exit_code == 0 and "guide:" in r.output and "flags:" in r.output
    r = runner.invoke(main, ["rubrics", "show", "score.nope"])
    assert r.exit_code == 3 and "no criterion" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\ncriteria: []\n")
    r = runner.invoke(main, ["rubrics", "validate", str(bad)])
    assert r.exit_code == 3 and f"{bad}:" in r.output


def test_an_extra_rubric_folder_given_as_a_flag_overrides_a_builtin_criterion(tmp_path: Path) -> None:
    """``--rubrics`` takes a folder path (with commas in it, too) and its rubric replaces the built-in one."""
    folder = _folder(tmp_path)
    mine = tmp_path / "my,rubrics"
    mine.mkdir()
    builtin = Path(reviewer.__file__).parent / "rubrics" / "interview-answer.yaml"
    stricter = builtin.read_text(encoding="utf-8").replace("max_words: 150", "max_words: 10").replace(
        "fail_above: 200", "fail_above: 20")
    (mine / "interview-answer.yaml").write_text(stricter, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder / "interview_step1.txt"), "--rubrics", str(mine),
                                  "--only", "interview.", "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "interview_step1.review.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in data["criteria"]}
    assert verdicts["interview.length"] == "fail"


def test_several_folders_get_their_own_subfolder(tmp_path: Path) -> None:
    a = _folder(tmp_path / "one")
    b = _folder(tmp_path / "two")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(a), str(b), "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["applicant", "two-applicant"]
    for sub in ("applicant", "two-applicant"):
        assert (out / sub / "application.review.json").exists()
        assert (out / sub / "personal_statement.review.json").exists()


def test_same_file_name_in_two_folders(tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ps.txt").write_text(PS)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(tmp_path / "x" / "ps.txt"), str(tmp_path / "y" / "ps.txt"),
                                  "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["ps.review.json", "y-ps.review.json"]


def test_feedback_that_cannot_be_written_fails_only_its_document(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.errors import InputError
    from reviewer.render import docx as docx_render

    real = docx_render.render_docx

    def flaky(review, document, out, **kw):  # type: ignore[no-untyped-def]
        if "interview" in document.path:
            raise InputError("damaged Word file", path=document.path, hint="re-save it")
        return real(review, document, out, **kw)

    monkeypatch.setattr(docx_render, "render_docx", flaky)
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(out)])
    assert r.exit_code == 2
    assert (out / "personal_statement.review.docx").exists() and (out / "additional_info.review.docx").exists()
    app = json.loads((out / "application.review.json").read_text())
    assert [Path(f["path"]).name for f in app["failures"]] == ["interview_step1.txt"]
    assert "feedback not written" in app["failures"][0]["error"]


def test_documents_in_unreadable_formats_are_reported_not_skipped(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "experience.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    (folder / "additional.rtf").write_text("{\\rtf1 text}")
    (folder / "headshot.jpg").write_bytes(b"\xff\xd8\xff")  # not a document: ignored
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["review", str(folder), "--out", str(out), "--format", "json"])
    assert r.exit_code == 2
    failed = {Path(f["path"]).name: f["error"] for f in json.loads((out / "application.review.json").read_text())[
        "failures"]}
    assert set(failed) == {"experience.doc", "additional.rtf"}
    assert "save as .docx" in failed["experience.doc"] and ".rtf" in failed["additional.rtf"]
