"""`reviewer review` on experience entries pasted as plain text: one finding per entry, named by the entry."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reviewer.cli import main

PASTED = """\
Internal Medicine Observership
Mount Sinai Hospital | Observer | 03/2022 - 08/2023
Followed 10-12 patients daily on the inpatient medicine service with two residents and an attending.
Wrote practice progress notes reviewed by my attending and presented new admissions on rounds.
Coordinated with nursing and social work on discharge planning for patients with limited English.

Research Assistant
Aga Khan University Hospital | Research Assistant | Mar 2021 – Feb 2022
I was involved in a research project on heart failure readmissions at the university hospital and helped
with the data. The project taught me research methodology and how to use SPSS.

Free Clinic Volunteer
Karachi Community Health Center | Volunteer | 2019 - 2020
Checked blood pressure and glucose every Saturday.
"""


def test_review_of_pasted_entries_reports_each_entry_by_name(tmp_path: Path) -> None:
    path = tmp_path / "experiences.txt"
    path.write_text(PASTED, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["review", str(path), "--kind", "experience", "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    review = json.loads((out / "experiences.review.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in review["criteria"]}
    assert verdicts["experience.length"] == "warn"  # no entry over 750: only the volunteer entry is a fragment
    by_criterion: dict[str, list[tuple[int, str]]] = {}
    for f in review["findings"]:
        by_criterion.setdefault(f["criterion"], []).append((f["entry"], f["message"]))
    assert [e for e, _ in by_criterion["experience.quantified"]] == [1, 2]
    assert [e for e, _ in by_criterion["experience.length"]] == [2]
    assert "entry 'Free Clinic Volunteer'" in by_criterion["experience.length"][0][1]
    assert [e for e, _ in by_criterion["experience.outcome"]] == [1]
    assert "entry 'Research Assistant'" in by_criterion["experience.outcome"][0][1]
    assert {e for e, _ in by_criterion["experience.vague"]} == {1}
    for findings in by_criterion.values():
        assert all(e in (0, 1, 2) for e, _ in findings)
