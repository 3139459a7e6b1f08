"""``reviewer eval``: agreement figures, JSON output, a bad case file, export/import exclusivity and the dry run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reviewer.cli import main

EXCUSE = """\
My Step 1 score of 201 does not reflect my knowledge. The testing centre was noisy and the proctor kept
interrupting us, so the conditions were unfair. Since then I have passed Step 2 CK with a 236.
"""


def _case(folder: Path, case_id: str, labels: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case_id}.yaml"
    body = "\n".join(f"  {k}: {v}" for k, v in labels.items())
    text = "\n".join(f"  {line}" for line in EXCUSE.splitlines())
    path.write_text(f"id: {case_id}\nkind: additional_info\ntext: |\n{text}\nlabels:\n{body}\n", encoding="utf-8")
    return path


def test_agreement_and_json_count_a_miss_the_rules_make_on_purpose(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    _case(cases, "right", {"score.excuse": "flag", "score.mention": "pass"})
    _case(cases, "wrong", {"score.excuse": "pass"})  # a deliberately wrong label: it must show as a miss
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(main, ["eval", str(cases), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["schema"] == "reviewer.eval/1"
    assert data["criteria"]["score.excuse"]["labels"] == 2 and data["criteria"]["score.excuse"]["agree"] == 1
    assert [(m["case"], m["criterion"]) for m in data["misses"]] == [("wrong", "score.excuse")]
    assert "wrong score.excuse: label pass, got flag" in " ".join(result.output.split())


def test_a_bad_case_names_its_file_and_exits_non_zero(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    _case(cases, "fine", {"score.excuse": "flag"})
    (cases / "broken.yaml").write_text("id: broken\nkind: additional_info\ntext: hi\nlabels: {score.excuse: maybe}\n")
    result = CliRunner().invoke(main, ["eval", str(cases)])
    assert result.exit_code != 0
    assert "broken.yaml" in result.output and "label must be one of" in result.output


def test_export_and_import_are_two_steps(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    _case(cases, "one", {"score.excuse": "flag"})
    results = tmp_path / "results.jsonl"
    results.write_text("")
    result = CliRunner().invoke(main, ["eval", str(cases), "--engine", "hybrid", "--model", "m", "--export-requests",
                                       str(tmp_path / "r.jsonl"), "--import-results", str(results)])
    assert result.exit_code == 2 and "two steps" in result.output
    assert not (tmp_path / "r.jsonl").exists()


def test_dry_run_counts_the_model_calls_and_sends_nothing(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    _case(cases, "one", {"score.excuse": "flag"})
    _case(cases, "two", {"score.excuse": "flag"})
    rules = CliRunner().invoke(main, ["eval", str(cases), "--dry-run"])
    assert rules.exit_code == 0 and "2 case(s)" in rules.output and "no model calls" in rules.output
    # An unreachable server: a dry run must not try it.
    hybrid = CliRunner().invoke(main, ["eval", str(cases), "--dry-run", "--engine", "hybrid", "--model", "m",
                                       "--base-url", "http://127.0.0.1:9/v1"])
    assert hybrid.exit_code == 0, hybrid.output
    assert "2 call(s) to m" in hybrid.output  # one score-discussion call per draft; no rewrite (no verdict)
    with_rewrite = CliRunner().invoke(main, ["eval", str(cases), "--dry-run", "--engine", "hybrid", "--model", "m",
                                             "--base-url", "http://127.0.0.1:9/v1", "--rewrite"])
    assert "4 call(s) to m" in with_rewrite.output
    assert "Agreement" not in hybrid.output
