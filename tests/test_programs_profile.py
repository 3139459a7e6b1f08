"""The profile: declared in application.yaml, completed from the documents, disagreements reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.application import ConsistencyParams
from reviewer.document import DocKind
from reviewer.errors import ConfigError
from reviewer.kinds import load_manifest
from reviewer.programs.applicant import consistency_params, read_applicant
from reviewer.programs.facts import complete_profile
from reviewer.programs.profile import Profile, Specialty, VisaNeed

from conftest import SAMPLES, make_doc

PARAMS = ConsistencyParams()


def test_the_manifest_profile_is_read_strictly(tmp_path: Path) -> None:
    (tmp_path / "application.yaml").write_text(
        "applicant: A\nprofile:\n  visa: j1\n  specialties: [IM, Peds]\n  step2ck: {score: 231, attempts: 1}\n"
        "  step3: {planned: 2027-01-15}\n  ecfmg_expected: 2027-01-31\n", encoding="utf-8")
    prof = load_manifest(tmp_path).profile
    assert prof is not None and prof.visa is VisaNeed.J1
    assert prof.specialties == (Specialty.INTERNAL_MEDICINE, Specialty.PEDIATRICS)
    assert prof.step2ck is not None and prof.step2ck.score == 231
    assert prof.step3 is not None and prof.step3.planned == "2027-01-15"


@pytest.mark.parametrize(("yaml", "message"), [
    ("profile:\n  visa: O-1\n", "profile.visa: unknown visa need 'O-1' (one of: none, J-1, H-1B, J-1 or H-1B)"),
    ("profile:\n  step2ck: {score: high}\n", "profile.step2ck.score: input should be a valid integer"),
    ("profile:\n  specialties: [Basket Weaving]\n", "profile.specialties: unknown specialty 'Basket Weaving'"),
    ("profile:\n  favourite_colour: blue\n", "profile.favourite_colour: extra inputs are not permitted"),
])
def test_a_bad_profile_is_one_line_naming_the_field(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "application.yaml").write_text(yaml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(tmp_path)
    assert message in str(err.value) and "Choosing programs" in str(err.value)


def test_document_facts_fill_what_the_profile_leaves_out() -> None:
    ps = make_doc("I failed Step 1 on my first attempt and passed on my second attempt. I scored 238 on Step 2 CK.",
                  path="ps.txt")
    prof, notes = complete_profile(Profile(visa="J-1"), [ps], PARAMS)
    assert prof.step1 is not None and (prof.step1.result, prof.step1.attempts) == ("pass", 2)
    assert prof.step2ck is not None and (prof.step2ck.score, prof.step2ck.result) == (238, "pass")
    assert [(n.kind, n.field, n.document) for n in notes] == [("filled", "step1.attempts", "ps.txt"),
                                                             ("filled", "step2ck.score", "ps.txt")]
    assert notes[1].quote == "I scored 238 on Step 2 CK."


def test_a_profile_value_a_document_contradicts_is_reported_with_the_sentence() -> None:
    ai = make_doc("My Step 2 CK score of 226 was lower than I hoped.", DocKind.ADDITIONAL_INFO, path="ai.txt")
    ps = make_doc("I scored 229 on Step 2 CK.", path="ps.txt")
    prof, notes = complete_profile(Profile.model_validate({"step2ck": {"score": 229}}), [ps, ai], PARAMS)
    assert prof.step2ck is not None and prof.step2ck.score == 229  # the profile wins
    (note,) = notes
    assert (note.kind, note.field, note.document) == ("disagrees", "step2ck.score", "ai.txt")
    assert note.message == ("the profile says Step 2 CK score 229, but ai.txt says score 226: correct whichever is "
                            "wrong")
    assert note.quote == "My Step 2 CK score of 226 was lower than I hoped."


def test_documents_that_disagree_fill_nothing() -> None:
    a = make_doc("I scored 229 on Step 2 CK.", path="ps.txt")
    b = make_doc("I scored 226 on Step 2 CK.", DocKind.ADDITIONAL_INFO, path="ai.txt")
    prof, notes = complete_profile(None, [a, b], PARAMS)
    assert prof.step2ck is None
    assert [n.kind for n in notes] == ["documents_disagree"]
    assert "score 229 in ps.txt; score 226 in ai.txt" in notes[0].message


def test_a_failing_score_is_an_earlier_attempt_not_a_disagreement() -> None:
    doc = make_doc("My first Step 1 score was 188. On my second attempt I passed with a 205 on Step 1.", path="ps.txt")
    _, notes = complete_profile(Profile.model_validate({"step1": {"score": 205}}), [doc], PARAMS)
    assert [n for n in notes if n.kind == "disagrees"] == []


def test_a_passing_step3_score_marks_step3_passed() -> None:
    doc = make_doc("I scored 221 on Step 3 in March.", path="ps.txt")
    prof, _ = complete_profile(Profile.model_validate({"step3": {"planned": "2026-03"}}), [doc], PARAMS)
    assert prof.step3 is not None and prof.step3.passed and prof.step3.score == 221


def test_a_retake_without_a_count_and_a_dated_outcome_fill_nothing() -> None:
    doc = make_doc("I failed Step 1 in March 2020 and passed it in November 2020. My Step 2 CK score was 238.",
                   DocKind.ADDITIONAL_INFO, path="ai.txt")
    prof, notes = complete_profile(None, [doc], PARAMS)
    assert prof.step1 is None and prof.step2ck is not None and prof.step2ck.score == 238
    assert [n.field for n in notes] == ["step2ck.score"]


def test_an_attempt_count_after_a_sentence_about_another_exam_is_not_taken() -> None:
    doc = make_doc("I failed Step 1 on my first attempt. I was heartbroken. I passed on my second attempt and I scored "
                   "226 on Step 2 CK.", DocKind.ADDITIONAL_INFO, path="ai.txt")
    _, notes = complete_profile(Profile.model_validate({"step2ck": {"attempts": 1}}), [doc], PARAMS)
    assert [n for n in notes if n.field == "step2ck.attempts"] == []


def test_the_samples_carry_profiles_and_rahuls_disagreement_is_found() -> None:
    for name in ("amara-okafor", "rahul-mehta", "lucia-fernandez", "lucia-fernandez-general"):
        manifest = load_manifest(SAMPLES / name)
        assert manifest is not None and manifest.profile is not None and manifest.profile.specialties
    facts = read_applicant(SAMPLES / "rahul-mehta")
    _, notes = complete_profile(facts.manifest.profile if facts.manifest else None, facts.docs, consistency_params())
    (dis,) = [n for n in notes if n.kind == "disagrees"]
    assert dis.field == "step2ck.score" and dis.document and dis.document.endswith("additional_information.md")
    amara = read_applicant(SAMPLES / "amara-okafor")
    prof, notes = complete_profile(amara.manifest.profile if amara.manifest else None, amara.docs, consistency_params())
    assert prof.step2ck is not None and prof.step2ck.score == 241
    assert any(n.kind == "filled" and n.field == "step2ck.score" for n in notes)
