"""``reviewer batch --programs``: each applicant's plan beside their feedback, tier counts on the dashboard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from reviewer.cli import main
from reviewer.render.report import collect_cohort

from conftest import SAMPLES


def cohort(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "cohort"
    for name in names:
        shutil.copytree(SAMPLES / name, root / name)
    return root


def test_batch_with_programs_writes_each_plan_and_the_dashboard_shows_tier_counts(tmp_path: Path) -> None:
    src, out = cohort(tmp_path, "amara-okafor", "lucia-fernandez"), tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet",
                                       "--programs", str(SAMPLES / "programs.xlsx")])
    assert result.exit_code == 0, result.output
    rows = {}
    collect_cohort(out, on_applicant=lambda row: rows.setdefault(row.id, row))
    for name in ("amara-okafor", "lucia-fernandez"):
        plan = json.loads((out / name / "program-plan.json").read_text())
        counts = plan["portfolio"]["counts"]
        assert rows[name].plan == counts and [link.label for link in rows[name].plan_links] == ["Markdown", "XLSX"]
        page = (out / "index.html").read_text(encoding="utf-8")
        assert (f"{counts['likely']} likely · {counts['target']} target · {counts['reach']} reach · "
                f"{counts['excluded']} excluded") in page
        assert f'href="{name}/program-plan.md"' in page


def test_a_plan_that_cannot_be_made_is_an_error_line_and_the_others_are_planned(tmp_path: Path) -> None:
    src, out = cohort(tmp_path, "amara-okafor", "lucia-fernandez"), tmp_path / "out"
    manifest = src / "lucia-fernandez" / "application.yaml"
    manifest.write_text(manifest.read_text().replace("visa: J-1 or H-1B", "visa: O-1"), encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet",
                                       "--programs", str(SAMPLES / "programs.csv")])
    assert result.exit_code == 2
    assert "error: lucia-fernandez: program plan not written: " in result.output
    assert "profile.visa: unknown visa need 'O-1'" in result.output
    assert (out / "amara-okafor" / "program-plan.json").is_file()
    assert not (out / "lucia-fernandez" / "program-plan.json").exists()


def test_without_programs_no_plan_is_written_and_the_column_stays_empty(tmp_path: Path) -> None:
    src, out = cohort(tmp_path, "amara-okafor"), tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert not (out / "amara-okafor" / "program-plan.json").exists()
    rows = []
    collect_cohort(out, on_applicant=rows.append)
    assert rows[0].plan is None


def test_an_unreadable_programs_file_stops_the_batch_before_any_review(tmp_path: Path) -> None:
    src, out = cohort(tmp_path, "amara-okafor"), tmp_path / "out"
    bad = tmp_path / "programs.csv"
    bad.write_text("program,city\nA,B\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--quiet", "--programs", str(bad)])
    assert result.exit_code == 2 and "required column(s) missing from the header" in result.output
    assert not out.exists()


def test_a_batch_runs_the_mail_merge_check_too(tmp_path: Path) -> None:
    src, out = tmp_path / "cohort", tmp_path / "out"
    folder = src / "applicant"
    folder.mkdir(parents=True)
    (folder / "application.yaml").write_text(
        "applicant: Test\ntailored:\n  ps-harbor.txt: Harbor Vale Kaiser Permanente Family Medicine\n"
        "  ps-larkspur.txt: Larkspur Valley Kaiser Permanente Family Medicine\n", encoding="utf-8")
    (folder / "ps-harbor.txt").write_text("I hope to join Larkspur Valley Kaiser Permanente.\n", encoding="utf-8")
    (folder / "ps-larkspur.txt").write_text("I hope to join Larkspur Valley Kaiser Permanente.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    app = json.loads((out / "applicant" / "application.review.json").read_text())
    verdict = next(c for c in app["criteria"] if c["id"] == "application.tailoring")
    assert verdict["verdict"] == "fail"
    fails = [f for f in app["findings"] if f["criterion"] == "application.tailoring" and f["verdict"] == "fail"]
    assert [(f["document"].rsplit("/", 1)[-1], f["quote"]) for f in fails] == [
        ("ps-harbor.txt", "I hope to join Larkspur Valley Kaiser Permanente.")]


def test_a_linked_applicant_folder_gets_no_plan(tmp_path: Path) -> None:
    src, out = cohort(tmp_path, "amara-okafor"), tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SAMPLES / "lucia-fernandez", elsewhere)
    (src / "linked").symlink_to(elsewhere, target_is_directory=True)
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet",
                                       "--programs", str(SAMPLES / "programs.csv")])
    assert "linked: program plan not written: " in result.output and "is a link to a folder" in result.output
    assert (out / "amara-okafor" / "program-plan.json").is_file()
    assert not (out / "linked" / "program-plan.json").exists()

