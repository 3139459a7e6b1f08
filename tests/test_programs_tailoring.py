"""application.tailoring: a statement written for one program names it and no other (the mail-merge check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import AppContext
from reviewer.checks.rules import run_app_criterion
from reviewer.checks.tailoring import TailoringParams, program_forms, short_form
from reviewer.errors import ConfigError
from reviewer.findings import Verdict
from reviewer.kinds import Manifest, load_manifest
from reviewer.pipeline import review_folder
from reviewer.rubric import RubricSet
from reviewer.settings import Settings

from conftest import make_doc

HARBOR = "Harbor Vale Kaiser Permanente Family Medicine"
LARKSPUR = "Larkspur Valley Kaiser Permanente Family Medicine"


def run(rubrics: RubricSet, docs, tailored):
    _, criterion = rubrics.get("application.tailoring")
    return run_app_criterion(AppContext(docs, manifest=Manifest(tailored=tailored)), criterion)


def test_naming_another_declared_program_fails_and_quotes_the_sentence(rubrics: RubricSet) -> None:
    harbor = make_doc("Harbor Vale Kaiser Permanente is where I want to train. I would be honoured to match at "
                      "Larkspur Valley Kaiser Permanente next year. Thank you.", path="ps-harbor.txt")
    larkspur = make_doc("I want to train at Larkspur Valley Kaiser Permanente.", path="ps-larkspur.txt")
    out = run(rubrics, [harbor, larkspur], {"ps-harbor.txt": (HARBOR,), "ps-larkspur.txt": (LARKSPUR,)})
    assert out.verdict is Verdict.FAIL
    (hit,) = out.hits
    quoted = harbor.text[hit.start:hit.end]
    assert quoted == "I would be honoured to match at Larkspur Valley Kaiser Permanente next year."
    assert hit.document == "ps-harbor.txt" and f"but this statement is for {HARBOR}" in hit.note
    assert out.summary == "another program named: ps-harbor.txt names 'Larkspur Valley Kaiser Permanente'"


def test_never_naming_its_own_program_warns(rubrics: RubricSet) -> None:
    doc = make_doc("I want to train where care teams close gaps.", path="ps-harbor.txt")
    other = make_doc("Larkspur Valley Kaiser Permanente is my first choice.", path="ps-larkspur.txt")
    out = run(rubrics, [doc, other], {"ps-harbor.txt": (HARBOR,), "ps-larkspur.txt": (LARKSPUR,)})
    assert out.verdict is Verdict.WARN
    assert out.hits[0].note == f"never names {HARBOR}, the program it is written for"


def test_each_naming_its_own_program_passes(rubrics: RubricSet) -> None:
    a = make_doc("Harbor Vale Kaiser Permanente's family medicine residency is my goal.", path="a.txt")
    b = make_doc("At LARKSPUR VALLEY KAISER PERMANENTE I would serve rural families.", path="b.txt")
    out = run(rubrics, [a, b], {"a.txt": (HARBOR,), "b.txt": (LARKSPUR,)})
    assert out.verdict is Verdict.PASS, out.summary


def test_no_declared_variant_is_not_applicable(rubrics: RubricSet) -> None:
    out = run(rubrics, [make_doc("Larkspur Valley Kaiser Permanente.", path="ps.txt")], {})
    assert out.verdict is Verdict.NOT_APPLICABLE


def test_short_forms_are_derived_only_when_unambiguous() -> None:
    params = TailoringParams()
    assert short_form(HARBOR + " Residency Program", params) == ("harbor", "vale", "kaiser", "permanente")
    assert short_form("Cedar Bluff", params) is None  # nothing generic to drop
    forms = program_forms({"a": ("Oakland Internal Medicine",), "b": ("Oakland Family Medicine",)}, params)
    assert all(len(f) == 1 for f in forms.values())  # both would shorten to a single word: not used
    forms = program_forms({"a": ("Kaiser Oakland Internal Medicine",), "b": ("Kaiser Oakland Family Medicine",)},
                          params)
    assert all(len(f) == 1 for f in forms.values())  # both shorten to "Kaiser Oakland": ambiguous, not used


def test_the_manifest_declares_tailored_statements(tmp_path: Path, rubrics: RubricSet) -> None:
    (tmp_path / "application.yaml").write_text(
        f"applicant: Test Applicant\ntailored:\n  ps-harbor.txt: {HARBOR}\n  ps-larkspur.txt: [{LARKSPUR}, Larkspur]\n",
        encoding="utf-8")
    (tmp_path / "ps-harbor.txt").write_text(
        "I want to train at Harbor Vale Kaiser Permanente. Larkspur's rural clinics taught me a great deal.\n",
        encoding="utf-8")
    (tmp_path / "ps-larkspur.txt").write_text("Larkspur is where I want to train.\n", encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest is not None and manifest.tailored["ps-larkspur.txt"] == (LARKSPUR, "Larkspur")
    result = review_folder(tmp_path, rubrics, Settings())
    assert result.application is not None
    verdict = next(c for c in result.application.criteria if c.id == "application.tailoring")
    assert verdict.verdict is Verdict.FAIL
    (finding,) = [f for f in result.application.findings if f.criterion == "application.tailoring"]
    assert finding.quote == "Larkspur's rural clinics taught me a great deal."
    assert finding.document is not None and finding.document.endswith("ps-harbor.txt")


def test_a_tailored_entry_must_name_a_program(tmp_path: Path) -> None:
    (tmp_path / "application.yaml").write_text("tailored:\n  ps.txt: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="name the program the statement is written for"):
        load_manifest(tmp_path)
