"""``reviewer programs`` end to end: the samples planned, every decision explained, bad rows, outputs valid, and
the README's "Choosing programs" commands run as written."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner

from reviewer.cli import main
from reviewer.programs.applicant import consistency_params, plan_for, read_applicant
from reviewer.programs.result import Decision, Tier
from reviewer.programs.table import read_programs
from reviewer.programs.weights import load_weights

from conftest import ROOT, SAMPLES

SCHEMA = json.loads((ROOT / "src" / "reviewer" / "schemas" / "plan-1.schema.json").read_text())
APPLICANTS = ("amara-okafor", "rahul-mehta", "lucia-fernandez", "lucia-fernandez-general")
AS_OF = "2026-12-01"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("applicant", APPLICANTS)
def test_plan_a_sample_prints_a_summary_and_writes_valid_files(applicant: str, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (SAMPLES / applicant).iterdir()}
    result = invoke("programs", "plan", str(SAMPLES / applicant), "--programs", str(SAMPLES / "programs.xlsx"),
                    "--out", str(tmp_path), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Program plan for" in result.output and "Top of each tier" in result.output
    assert "Where to signal" in result.output and "What would open more programs" in result.output
    data = json.loads((tmp_path / "program-plan.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["as_of"] == AS_OF and data["programs"]
    md = (tmp_path / "program-plan.md").read_text()
    assert md.startswith("# Program plan: ") and "## Every decision explained" in md and "## Reference figures" in md
    book = openpyxl.load_workbook(tmp_path / "program-plan.xlsx")
    assert book.sheetnames == ["Plan", "Reasons", "Summary"]
    plan_sheet = book["Plan"]
    assert plan_sheet.auto_filter.ref and plan_sheet.freeze_panes == "A2"
    fills = {row[0].value: row[0].fill.fgColor.rgb for row in plan_sheet.iter_rows(min_row=2)}
    assert fills.get("likely", "00C6EFCE").endswith("C6EFCE") and fills.get("excluded", "00D9D9D9").endswith("D9D9D9")
    assert book["Reasons"].max_row - 1 == sum(len(p["reasons"]) for p in data["programs"])
    assert {p: p.read_bytes() for p in (SAMPLES / applicant).iterdir()} == before


@pytest.mark.parametrize("applicant", APPLICANTS)
def test_every_decision_is_explained(applicant: str) -> None:
    import datetime as dt

    w = load_weights()
    table = read_programs(SAMPLES / "programs.csv", as_of=dt.date(2026, 12, 1))
    plan = plan_for(read_applicant(SAMPLES / applicant), table, w, as_of=dt.date(2026, 12, 1),
                    params=consistency_params())
    assert plan.decisions
    for d in plan.decisions:
        assert Decision.model_validate(d.model_dump()) == d  # built without validation, but valid
        assert d.reasons and all(r.text.strip() for r in d.reasons), d
        if d.tier is Tier.EXCLUDED:
            filters = [r for r in d.reasons if r.kind == "filter"]
            assert d.excluded_by and [r.code for r in filters] == list(d.excluded_by), d
        else:
            parts = [r for r in d.reasons if r.kind == "score"]
            assert parts and d.score == pytest.approx(sum(r.points or 0 for r in parts)), d
            assert not [r for r in d.reasons if r.kind == "filter"]
    tiers = {d.tier for d in plan.decisions}
    assert Tier.EXCLUDED in tiers and tiers & {Tier.LIKELY, Tier.TARGET}


def test_the_samples_exercise_every_filter_and_opener() -> None:
    import datetime as dt

    seen: set[str] = set()
    openers: set[str] = set()
    notes: set[str] = set()
    table = read_programs(SAMPLES / "programs.xlsx", as_of=dt.date(2026, 12, 1))
    for applicant in APPLICANTS:
        plan = plan_for(read_applicant(SAMPLES / applicant), table, load_weights(), as_of=dt.date(2026, 12, 1),
                        params=consistency_params())
        seen.update(c for d in plan.decisions for c in d.excluded_by)
        openers.update(o.code for o in plan.openers)
        notes.update(n.kind for n in plan.profile_notes)
    assert seen == {"visa", "step3_h1b", "accepts_imgs", "step2ck_min", "attempts", "yog", "usce", "ecfmg"}
    assert openers == {"step3", "ecfmg", "usce"}
    assert {"filled", "disagrees"} <= notes


def test_bad_rows_are_reported_and_the_other_rows_planned(tmp_path: Path) -> None:
    src = (SAMPLES / "programs.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(src) if line.startswith("program*"))
    rows = src[header + 1:]
    bad = [rows[0].replace(",J-1/H-1B,", ",O-1,", 1), rows[4].replace(",12,", ",twelve,", 1)]
    path = tmp_path / "programs.csv"
    path.write_text("\n".join([*src[: header + 1], *bad, *rows[5:]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["programs", "plan", str(SAMPLES / "amara-okafor"), "--programs", str(path),
                                       "--out", str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {path}:{header + 2}: visa: unknown visa value 'O-1' (one of: none, J-1, J-1/H-1B, "
                      "H-1B); row skipped",
                      f"error: {path}:{header + 3}: positions: 'twelve' is not a number of positions; row skipped"]
    data = json.loads((tmp_path / "out" / "program-plan.json").read_text())
    assert data["file_problems"] == [e.removeprefix("error: ") for e in errors]
    assert "Ashby Creek Family Medicine" in {p["program"] for p in data["programs"]}


def test_check_exits_2_on_bad_rows_and_0_on_the_samples(tmp_path: Path) -> None:
    assert invoke("programs", "check", str(SAMPLES / "programs.xlsx"), "--as-of", AS_OF).exit_code == 0
    path = tmp_path / "p.csv"
    path.write_text("program,specialty,program_type,visa\nA,FM,community,maybe\n", encoding="utf-8")
    result = invoke("programs", "check", str(path))
    assert result.exit_code == 2 and f"{path}:2: visa: unknown visa value 'maybe'" in result.output


def test_template_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    assert invoke("programs", "template", str(path)).exit_code == 0
    first = path.read_bytes()
    result = invoke("programs", "template", str(path))
    assert result.exit_code == 4 and "file exists" in result.output and path.read_bytes() == first
    assert invoke("programs", "template", str(path), "--force").exit_code == 0


def test_an_unreadable_programs_file_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    result = invoke("programs", "plan", str(SAMPLES / "amara-okafor"), "--programs", str(path), "--out",
                    str(tmp_path / "out"))
    assert result.exit_code == 2 and result.output.startswith(f"error: {path}: ")
    assert not (tmp_path / "out").exists()


def test_weights_print_or_write_and_load_back(tmp_path: Path) -> None:
    builtin = load_weights().model_dump(exclude={"source_path"})
    printed = tmp_path / "printed.yaml"
    printed.write_text(invoke("programs", "weights").output, encoding="utf-8")
    assert load_weights(printed).model_dump(exclude={"source_path"}) == builtin
    path = tmp_path / "w.yaml"
    assert invoke("programs", "weights", str(path)).exit_code == 0
    assert load_weights(path).model_dump(exclude={"source_path"}) == builtin
    assert load_weights(path).source_path == str(path)
    again = invoke("programs", "weights", str(path))
    assert again.exit_code == 4 and "file exists" in again.output


def test_extract_prints_each_field_with_its_quote() -> None:
    result = invoke("programs", "extract", str(SAMPLES / "program-page.txt"), "--json")
    data = json.loads(result.output)
    assert data["visa"] == {"value": "J-1", "quote": "We sponsor J-1 visas through ECFMG."}
    assert data["step2ck_min"]["value"] == "220" and "program" in data


def test_the_readme_section_shows_every_programs_command() -> None:
    """tests/test_readme.py runs every README command line; this keeps the section complete."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Choosing programs\n", 1)[1].split("\n## ", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)
             for line in block.splitlines()]
    shown = {" ".join(shlex.split(line)[:3]) for line in lines if line.startswith("reviewer ")}
    assert {"reviewer programs template", "reviewer programs check", "reviewer programs plan",
            "reviewer programs extract", "reviewer programs weights"} <= shown
    assert any(line.startswith("reviewer batch ") and "--programs" in line for line in lines)
    assert not any(c in line for line in lines for c in "<>|")  # lines run as written, without a shell


def test_text_from_the_spreadsheet_never_becomes_a_formula_in_the_plan(tmp_path: Path) -> None:
    import datetime as dt

    evil = '=HYPERLINK("http://example.invalid","click")'
    src = tmp_path / "p.xlsx"
    from reviewer.programs.template import write_template

    write_template(src, [{"program": evil, "specialty": "Family Medicine", "program_type": "community",
                          "visa": "J-1", "last_checked": dt.date(2026, 11, 1)}])
    cell = openpyxl.load_workbook(src)["Programs"]["A2"]
    assert (cell.data_type, cell.value) == ("s", evil)
    result = invoke("programs", "plan", str(SAMPLES / "amara-okafor"), "--programs", str(src), "--out",
                    str(tmp_path / "out"), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "out" / "program-plan.xlsx")
    programs = [c for sheet in ("Plan", "Reasons") for c in book[sheet]["B" if sheet == "Reasons" else "C"][1:]]
    assert programs and all((c.data_type, c.value) == ("s", evil) for c in programs)
