"""The plan: every hard filter with its reason, tier boundaries, the score explained, signals, openers, advice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from reviewer.errors import ConfigError
from reviewer.programs.plan import decide, make_plan
from reviewer.programs.profile import Profile
from reviewer.programs.result import Decision, Tier
from reviewer.programs.table import Program, ProgramsTable
from reviewer.programs.weights import load_weights

TODAY = dt.date(2026, 12, 1)
W = load_weights()


def program(row: int = 2, **kw: Any) -> Program:
    base: dict[str, Any] = {"row": row, "program": f"Program {row}", "city": "Somewhere", "state": "CA",
                            "specialty": "Family Medicine", "program_type": "community", "visa": "J-1",
                            "last_checked": TODAY}
    return Program.model_validate({**base, **kw})


def profile(**kw: Any) -> Profile:
    base: dict[str, Any] = {"visa": "J-1", "specialties": ["Family Medicine"], "step1": {"result": "pass"},
                            "step2ck": {"score": 232}, "graduation_year": 2020, "usce_months": 3}
    return Profile.model_validate({**base, **kw})


def decision(p: Program, prof: Profile, weights=W) -> Decision:
    return decide(p, prof, weights, frozenset(), TODAY)


def texts(d: Decision, kind: str) -> list[str]:
    return [r.text for r in d.reasons if r.kind == kind]


# --- each hard filter, with its reason ---------------------------------------------------------------------

FILTER_CASES = [
    ("visa", {"visa": "none"}, {}, "does not sponsor visas; you need J-1"),
    ("visa", {"visa": "H-1B"}, {}, "sponsors H-1B only; you need J-1"),
    ("visa", {"visa": "J-1"}, {"visa": "H-1B"}, "sponsors J-1 only; you need H-1B"),
    ("step3_h1b", {"visa": "H-1B"}, {"visa": "H-1B", "step3": {"planned": "2027-02"}},
     "sponsors H-1B, which needs Step 3 passed before the start date; yours is planned for 2027-02"),
    ("accepts_imgs", {"accepts_imgs": "no"}, {}, "does not accept IMGs"),
    ("step1_min", {"step1_min": 215}, {"step1": {"score": 204}}, "Step 1 204 is below the stated minimum of 215"),
    ("step2ck_min", {"step2ck_min": 235}, {}, "Step 2 CK 232 is below the stated minimum of 235"),
    ("attempts", {"max_attempts": 1}, {"step1": {"result": "pass", "attempts": 2}},
     "accepts first-attempt passes only; Step 1 took you 2 attempts"),
    ("yog", {"yog_within_years": 5}, {"graduation_year": 2019},
     "takes graduates of the last 5 years; you graduated in 2019, 7 years ago"),
    ("usce", {"usce_required": "hands-on", "usce_min_months": 2}, {"usce_months": 0, "observership_months": 4},
     "requires 2 months of hands-on US clinical experience (observerships do not count); you have 0 months"),
    ("usce", {"usce_required": "any", "usce_min_months": 3}, {"usce_months": 1, "observership_months": 1},
     "requires 3 months of US clinical experience; you have 2 months"),
    ("ecfmg", {"ecfmg_deadline": "2027-02-01"}, {"ecfmg_certified": False, "ecfmg_expected": "2027-03-01"},
     "needs ECFMG certification by 2027-02-01; you expect yours by 2027-03-01"),
    ("ecfmg", {"ecfmg_deadline": "2027-02-01"}, {"ecfmg_certified": False},
     "needs ECFMG certification by 2027-02-01; you are not certified yet"),
]


@pytest.mark.parametrize(("code", "prog", "prof", "reason"), FILTER_CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                                                enumerate(FILTER_CASES)])
def test_each_hard_filter_excludes_with_its_reason(code: str, prog: dict, prof: dict, reason: str) -> None:
    d = decision(program(**prog), profile(**prof))
    assert d.tier is Tier.EXCLUDED and d.score is None
    assert d.excluded_by == (code,)
    assert texts(d, "filter") == [reason]


PASSING = [
    ({"visa": "J-1/H-1B"}, {"visa": "H-1B", "step3": {"passed": True}},
     "sponsors H-1B with Step 3 passed, which you have"),
    ({"visa": "J-1/H-1B"}, {"visa": "J-1 or H-1B"}, "sponsors J-1"),
    ({"visa": "H-1B", "h1b_needs_step3": "no"}, {"visa": "H-1B"}, "sponsors H-1B"),
    ({"visa": "none"}, {"visa": "none"}, None),
    ({"step1_min": 215}, {"step1": {"score": 215}}, "Step 1 215 meets the stated minimum of 215"),
    ({"max_attempts": 2}, {"step1": {"result": "pass", "attempts": 2}}, "accepts at most 2 attempts per Step: yours "
                                                                        "are within it"),
    ({"yog_within_years": 6}, {"graduation_year": 2020}, "takes graduates of the last 6 years: you graduated in 2020"),
    ({"usce_required": "any"}, {"usce_months": 0, "observership_months": 2}, "requires US clinical experience: you "
                                                                             "have 2 months"),
    ({"ecfmg_deadline": "2027-02-01"}, {"ecfmg_expected": "2027-02-01"}, "needs ECFMG certification by 2027-02-01: "
                                                                         "you expect yours by 2027-02-01"),
]


@pytest.mark.parametrize(("prog", "prof", "reason"), PASSING)
def test_a_requirement_met_is_said_and_does_not_exclude(prog: dict, prof: dict, reason: str | None) -> None:
    d = decision(program(**prog), profile(**prof))
    assert d.tier is not Tier.EXCLUDED
    if reason is not None:
        assert reason in texts(d, "check")


def test_every_failed_filter_is_listed_not_only_the_first() -> None:
    d = decision(program(visa="none", yog_within_years=2, accepts_imgs="no"), profile())
    assert d.excluded_by == ("visa", "accepts_imgs", "yog")


def test_facts_the_profile_lacks_are_said_and_never_held_against_anyone() -> None:
    d = decision(program(step2ck_min=230, max_attempts=1, yog_within_years=3, usce_required="hands-on",
                         ecfmg_deadline="2027-01-01"),
                 Profile.model_validate({"visa": "J-1", "specialties": ["Family Medicine"]}))
    assert d.tier is not Tier.EXCLUDED
    unchecked = [t for t in texts(d, "check") if t.startswith("not checked: ")]
    assert [t.split(";")[0] for t in unchecked] == [
        "not checked: states a Step 2 CK minimum of 230", "not checked: accepts first-attempt passes only",
        "not checked: takes graduates of the last 3 years", "not checked: requires hands-on US clinical experience",
        "not checked: needs ECFMG certification by 2027-01-01"]


def test_pass_fail_step1_against_a_numeric_minimum_asks_the_program() -> None:
    d = decision(program(step1_min=210), profile(step1={"result": "pass"}))
    assert d.tier is not Tier.EXCLUDED
    assert "your Step 1 is pass/fail: ask the program whether it applies" in texts(d, "check")[-1]


# --- tiers from the score, and the score explained ---------------------------------------------------------


def weights_file(tmp_path: Path, **tiers: float) -> Any:
    """The built-in weights with other tier thresholds."""
    from reviewer.programs.weights import builtin_text

    src = builtin_text().replace("  likely: 2.0", f"  likely: {tiers['likely']}").replace(
        "  target: 0.0", f"  target: {tiers['target']}")
    path = tmp_path / "w.yaml"
    path.write_text(src, encoding="utf-8")
    return load_weights(path)


def test_the_score_is_the_sum_of_its_explained_parts() -> None:
    d = decision(program(step2ck_min=220, img_share=30, visa_track_record="yes", usce_required="preferred"), profile())
    parts = [r for r in d.reasons if r.kind == "score"]
    assert d.score == pytest.approx(sum(r.points or 0 for r in parts))
    by_code = {r.code: r for r in parts}
    assert by_code["step2ck_band"].text == ("Step 2 CK 232 is at or above the guide's aim for Family Medicine (230)")
    assert by_code["step2ck_band"].points == 1.0
    assert by_code["margin"].text == "12 points over the stated Step 2 CK minimum of 220"
    assert by_code["img_share"].points == 1.5 and by_code["program_type"].text == "a community program"
    assert by_code["visa_track_record"].points == 1.0 and by_code["usce"].points == 0.5


@pytest.mark.parametrize(("score", "tier"), [(2.0, Tier.LIKELY), (1.99, Tier.TARGET), (0.0, Tier.TARGET),
                                             (-0.01, Tier.REACH)])
def test_tier_boundaries(score: float, tier: Tier) -> None:
    from reviewer.programs.score import tier_of

    assert tier_of(score, W) is tier


def test_tier_boundaries_follow_the_weights_file(tmp_path: Path) -> None:
    p, prof = program(img_share=30), profile()  # band +1, IMG share +1.5, community +1 = 3.5
    assert decision(p, prof).score == 3.5 and decision(p, prof).tier is Tier.LIKELY
    assert decision(p, prof, weights_file(tmp_path, likely=3.6, target=3.5)).tier is Tier.TARGET
    assert decision(p, prof, weights_file(tmp_path, likely=5.0, target=3.6)).tier is Tier.REACH


def test_guide_bands_per_specialty() -> None:
    im, fm = program(specialty="Internal Medicine"), program(specialty="Family Medicine")
    prof = profile(step2ck={"score": 229}, specialties=["Family Medicine", "Internal Medicine"])
    band = {d.specialty: next(r for r in d.reasons if r.code == "step2ck_band")
            for d in (decision(im, prof), decision(fm, prof))}
    im_band, fm_band = band["Internal Medicine"], band["Family Medicine"]
    assert im_band.points == -2.0 and "under the guide's workable 235" in im_band.text
    assert fm_band.points == 0.0 and "workable range for Family Medicine (225-230)" in fm_band.text


def test_competitive_specialties_are_reaches_by_the_guide() -> None:
    d = decision(program(specialty="Dermatology", img_share=30), profile(specialties=["Dermatology"]))
    assert d.tier is Tier.REACH
    assert any(r.code == "competitive" and r.points == -3.0 for r in d.reasons)


def test_a_stale_row_is_flagged_in_its_reasons() -> None:
    d = decision(program(last_checked="2025-01-10"), profile())
    assert d.stale and "row last checked 2025-01-10: its facts may have changed" in texts(d, "note")


def test_a_broken_weights_file_is_a_located_config_error(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("tiers: {likely: 1, target: 2}\nband_points: {below: 0, workable: 0, aim: 0}\n"
                    "portfolio: {breadth: 10}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tiers: value error, the target threshold must not be above the likely"):
        load_weights(path)
    path.write_text("tiers: {likely: 1, target: 0}\nbonus: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"w.yaml: (band_points|bonus)"):
        load_weights(path)


# --- the plan as a whole -----------------------------------------------------------------------------------


def table(*programs: Program) -> ProgramsTable:
    return ProgramsTable("programs.csv", tuple(programs))


def test_programs_of_other_specialties_are_counted_not_planned() -> None:
    plan = make_plan(profile(), table(program(2), program(3, specialty="Psychiatry")), W, applicant="A", as_of=TODAY)
    assert [d.row for d in plan.decisions] == [2]
    assert plan.portfolio.other_specialties == {"Psychiatry": 1}


def test_kaiser_signals_need_realism_img_friendliness_and_a_visa_record_and_rank_by_fit() -> None:
    kp = {"program_type": "kaiser", "visa": "J-1/H-1B", "img_share": 20, "visa_track_record": "yes"}
    programs = table(
        program(2, program="Alpha Kaiser FM", **kp),
        program(3, program="Beta Kaiser FM",
                **{**kp, "languages": ["Spanish"], "populations": ["farmworker families"]}),
        program(4, program="Gamma Kaiser FM", **{**kp, "visa_track_record": "unknown"}),
        program(5, program="Delta Kaiser FM", **{**kp, "step2ck_min": 231, "img_share": 0}),
        program(6, program="Community FM", img_share=40),
    )
    plan = make_plan(profile(languages=["Spanish"], signals=1), programs, W, applicant="A", as_of=TODAY,
                     statements=[("ps.txt", "I cared for farmworker families in the valley.")])
    picks = [(s.program, s.recommended) for s in plan.signals]
    assert picks == [("Beta Kaiser FM", True), ("Alpha Kaiser FM", False)]
    beta = plan.signals[0]
    assert "your languages: Spanish" in beta.reasons and "your statement names: farmworker families" in beta.reasons


def test_without_a_qualifying_kaiser_program_the_near_misses_say_what_they_lack() -> None:
    plan = make_plan(profile(), table(program(2, program="Gamma Kaiser FM", program_type="kaiser", img_share=10)),
                     W, applicant="A", as_of=TODAY)
    (pick,) = plan.signals
    assert not pick.recommended and pick.missing == ("no known J-1 or H-1B track record",)


def test_what_would_open_more_programs() -> None:
    programs = table(
        program(2, program="H1 A", visa="H-1B"), program(3, program="H1 B", visa="J-1/H-1B"),
        program(4, program="Early ECFMG", visa="J-1/H-1B", ecfmg_deadline="2027-01-15"),
        program(5, program="Late ECFMG", visa="J-1/H-1B", ecfmg_deadline="2027-02-15"),
        program(6, program="Hands-on", visa="J-1/H-1B", usce_required="hands-on", usce_min_months=2),
        program(7, program="Two blockers", visa="H-1B", yog_within_years=1),
    )
    step3_prof = profile(visa="H-1B", step3={"planned": "2027-01"}, ecfmg_certified=True)
    plan = make_plan(step3_prof, table(*programs.programs[:2], programs.programs[5]), W, applicant="A", as_of=TODAY)
    (opener,) = plan.openers
    assert opener.code == "step3" and opener.rows == (2, 3)
    assert opener.text.startswith("Passing Step 3 (planned for 2027-01) before the start date opens 2 H-1B program(s)")

    other = profile(visa="J-1", ecfmg_certified=False, ecfmg_expected="2027-04-01", usce_months=0)
    plan = make_plan(other, table(*programs.programs[2:5]), W, applicant="A", as_of=TODAY)
    assert [(o.code, o.rows) for o in plan.openers] == [("ecfmg", (4,)), ("ecfmg", (5,)), ("usce", (6,))]
    assert plan.openers[1].text.startswith("ECFMG certification by 2027-02-15 opens 1 program(s) (2 in all by then)")
    assert plan.openers[2].text.startswith("2 month(s) of hands-on US clinical experience opens 1 program(s)")


def test_portfolio_advice_against_the_breadth_target() -> None:
    kp = {"program_type": "kaiser", "img_share": 20, "visa_track_record": "yes"}
    programs = table(*(program(i, **kp) for i in range(2, 6)), program(6, img_share=40))
    plan = make_plan(profile(), programs, W, applicant="A", as_of=TODAY, breadth=5)
    advice = " ".join(plan.portfolio.advice)
    assert plan.portfolio.breadth == 5 and plan.portfolio.kaiser == 4
    assert "5 eligible program(s): enough for a breadth target of 5" in advice
    assert "4 of 5 eligible programs are Kaiser Permanente programs" in advice
    small = make_plan(profile(), programs, W, applicant="A", as_of=TODAY)
    assert "5 eligible program(s) against a breadth target of 40" in small.portfolio.advice[0]


def test_a_tailored_statement_is_matched_to_its_program() -> None:
    plan = make_plan(profile(), table(program(2, program="Harbor Vale Kaiser Permanente Family Medicine (fictional)")),
                     W, applicant="A", as_of=TODAY,
                     tailored={"ps-harbor.txt": ("Harbor Vale Kaiser Permanente Family Medicine",)})
    assert plan.decisions[0].statement == "ps-harbor.txt"


def test_missing_profile_facts_are_noted_on_the_plan() -> None:
    plan = make_plan(Profile(), table(program()), W, applicant="A", as_of=TODAY)
    assert {n.field for n in plan.profile_notes if n.kind == "missing"} == {"visa", "specialties"}


def test_reference_figures_name_their_source() -> None:
    plan = make_plan(profile(), table(program()), W, applicant="A", as_of=TODAY)
    assert plan.references and all("Guide" in r.source and "(undated)" in r.source for r in plan.references)
