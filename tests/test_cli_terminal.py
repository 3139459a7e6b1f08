"""What the terminal shows: verdicts readable at 80 and 120 columns, the report's counts, outputs only when
written, empty input as an error with a hint, and help with examples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import main

from conftest import SAMPLES

LABELS = {"fail": "FAIL", "warn": "WARN", "pass": "PASS"}


def run(args: list[str], columns: int = 80, cwd: Path | None = None):
    runner = CliRunner()
    return runner.invoke(main, args, env={"COLUMNS": str(columns), "NO_COLOR": "1"}, catch_exceptions=False)


def criteria_of(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["criteria"] if c["verdict"] != "not_applicable"]


@pytest.mark.parametrize("columns", [80, 120])
def test_every_verdict_is_readable(columns: int, tmp_path: Path) -> None:
    r = run(["review", str(SAMPLES / "rahul-mehta" / "ps_draft.docx"), "--out", str(tmp_path)], columns)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    table = [line for line in lines if not line.startswith(("Feedback written", "  ps_draft.docx ->"))]  # paths
    assert all(len(line.rstrip()) <= columns for line in table), max(table, key=len)
    criteria = criteria_of(tmp_path / "ps_draft.review.json")
    for c in criteria:
        if columns < 100 and c["verdict"] == "pass":
            continue
        # the verdict word starts the line of its criterion's title (and, wide, its id)
        row = next((line for line in lines if line.startswith(LABELS[c["verdict"]]) and c["title"][:20] in line),
                   None)
        assert row is not None, (c["id"], r.output)
        if columns >= 100:
            assert c["id"] in row
    if columns < 100:  # passes are one line of titles
        passes = " ".join(line for line in lines if line.startswith("PASS") or line.startswith(" " * 9))
        for c in criteria:
            if c["verdict"] == "pass":
                assert c["title"].split()[0] in passes
    counts = {v: sum(1 for c in criteria if c["verdict"] == v) for v in ("fail", "warn", "pass")}
    assert f"{counts['fail']} fail · {counts['warn']} warn · {counts['pass']} pass" in r.output


def test_folder_total_counts_what_the_cohort_report_counts(tmp_path: Path) -> None:
    folder = SAMPLES / "rahul-mehta"
    r = run(["review", str(folder), "--out", str(tmp_path / "review")], 120)
    assert r.exit_code == 0, r.output
    verdicts = [c["verdict"] for p in (tmp_path / "review").glob("*.review.json")
                for c in json.loads(p.read_text())["criteria"]]
    total = re.search(r"In all: (\d+) fail · (\d+) warn", r.output)
    assert total is not None
    assert (int(total[1]), int(total[2])) == (verdicts.count("fail"), verdicts.count("warn"))

    cohort = tmp_path / "cohort"
    shutil.copytree(folder, cohort / "rahul-mehta")
    b = run(["batch", str(cohort), "--out", str(tmp_path / "feedback"), "--jobs", "1", "--quiet"], 120)
    assert b.exit_code == 0, b.output
    b = run(["batch", str(cohort), "--out", str(tmp_path / "feedback"), "--jobs", "1"], 120)
    row = next(line for line in b.output.splitlines() if line.startswith("│ Rahul Mehta"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[4:6] == [total[1], total[2]]  # Fail, Warn: as in index.html
    assert "Resolved" in b.output and "Persisting" in b.output and "Resolved/Open" not in b.output


def test_outputs_are_listed_only_when_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run(["review", str(tmp_path / "nope.docx"), "--out", str(out)])
    assert r.exit_code == 2 and "file not found" in r.output
    assert "Feedback written" not in r.output and not out.exists()
    legacy = tmp_path / "statement.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    r = run(["review", str(legacy), "--kind", "personal_statement", "--out", str(out)])
    assert r.exit_code == 2 and "Feedback written" not in r.output
    r = run(["review", str(SAMPLES / "lucia-fernandez" / "interview_score.txt"), "--out", str(out),
             "--format", "json,md"])
    assert r.exit_code == 0
    assert "interview_score.txt -> interview_score.review.json .md" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["interview_score.review.json", "interview_score.review.md"]
    assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o600}  # as the README says: yours only


def test_empty_input_is_an_error_with_a_hint(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run(["review", str(empty), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "no documents to review" in r.output
    assert "Nothing: every criterion" not in r.output and "Feedback written" not in r.output
    cohort = tmp_path / "cohort"
    shutil.copytree(SAMPLES / "amara-okafor", cohort / "amara-okafor")
    r = run(["review", str(cohort), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and f"reviewer batch {cohort}" in r.output
    r = run(["batch", str(empty), "--out", str(tmp_path / "feedback"), "--quiet"])
    assert r.exit_code == 2 and "no applicant folders" in r.output and "0 applicants" not in r.output


def test_help_has_examples_and_full_descriptions() -> None:
    r = run(["--help"])
    assert r.exit_code == 0 and "Examples:" in r.output
    commands = r.output.split("Commands:")[1].split("Examples:")[0]
    assert "..." not in commands  # command descriptions are wrapped, not cut
    assert "batch    Review a whole cohort: COHORT/<applicant>/<documents>, one" in r.output
    assert all(len(line) <= 80 for line in r.output.splitlines())
    r = run(["review", "--help"])
    assert "Examples:" in r.output and "--kind personal_statement --format json,md,html" in r.output
    assert "otherwise: manifest" not in r.output and "application.yaml" in r.output
    assert "readable by you only" in r.output
    assert all(len(line) <= 80 for line in r.output.splitlines())
