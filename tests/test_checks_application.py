"""The application detectors: score explained once, consistent exam facts, gaps between experiences."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.application import (
    FAILED,
    PASSED_IN,
    PASSED_YEAR,
    RETAKEN,
    ConsistencyParams,
    exam_facts,
    month_label,
    month_number,
)
from reviewer.checks.registry import AppContext, Outcome
from reviewer.checks.rules import review_application_rules, run_app_criterion
from reviewer.document import DocKind, Document
from reviewer.findings import Verdict
from reviewer.rubric import load_rubrics

from conftest import make_doc

RUBRICS = load_rubrics()


def doc(text: str, kind: DocKind, path: str) -> Document:
    return make_doc(text, kind, path=path)


def entries(path: str, *records: dict) -> Document:
    return make_doc(entries=list(records), kind=DocKind.EXPERIENCE, path=path)


def run(cid: str, *docs: Document) -> Outcome:
    _rubric, criterion = RUBRICS.get(cid)
    return run_app_criterion(AppContext(list(docs)), criterion)


PS_EXPLAINS = (
    "My grandmother's stroke brought me to medicine.\n\n"
    "I failed Step 1 on my first attempt because I studied by rereading notes. I rebuilt my preparation "
    "around timed question blocks and passed on my second attempt, then scored 236 on Step 2 CK. "
    "I now use the same self-testing habit on the wards."
)
AI_EXPLAINS = (
    "I did not pass USMLE Step 1 on my first attempt. During that period my father was hospitalized and I "
    "underestimated the exam format. Afterward I changed my approach to daily practice questions and passed "
    "on my second attempt."
)
INTERVIEW = (
    "My Step 1 result was below my expectations because I used too few practice questions. I changed my "
    "approach, passed on my second attempt and scored 236 on Step 2 CK."
)


# --- application.score_once -------------------------------------------------------------------------


def test_score_explained_in_statement_and_additional_info_fails_in_both_places() -> None:
    ps = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps.docx")
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    out = run("application.score_once", ps, ai)
    assert out.verdict is Verdict.FAIL
    by_doc = {h.document: h for h in out.hits}
    assert set(by_doc) == {"ps.docx", "additional.txt"}
    assert ps.text[by_doc["ps.docx"].start :].startswith("I failed Step 1 on my first attempt")
    assert ai.text[by_doc["additional.txt"].start :].startswith("I did not pass USMLE Step 1")
    assert "additional.txt" in by_doc["ps.docx"].note


def test_interview_answers_do_not_count_as_a_second_place() -> None:
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    interview = doc(INTERVIEW, DocKind.INTERVIEW_ANSWER, "interview.txt")
    out = run("application.score_once", ai, interview)
    assert out.verdict is Verdict.PASS
    assert not out.hits


def test_a_score_named_as_a_strength_is_not_an_explanation() -> None:
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    ps = doc(
        "I scored 248 on Step 2 CK. That result reflected the approach I changed after medical school.",
        DocKind.PERSONAL_STATEMENT,
        "ps.txt",
    )
    assert run("application.score_once", ai, ps).verdict is Verdict.PASS


def test_context_for_a_low_score_without_a_failure_word_is_an_explanation() -> None:
    ai = doc(
        "I would like to give brief context for my USMLE Step 1 score of 204. While working night shifts I "
        "did too few timed questions. For Step 2 CK I changed my approach and scored 236.",
        DocKind.ADDITIONAL_INFO,
        "ai.docx",
    )
    ps = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.score_once", ai, ps).verdict is Verdict.FAIL


def test_a_retake_stated_in_passing_elsewhere_is_not_a_second_explanation() -> None:
    ps = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps.md")
    passing = doc(
        "Gap from January to October 2021: I left my post to sit my Step 1 retake, which I passed in September "
        "2021. This was my only unsuccessful attempt on any USMLE exam.",
        DocKind.ADDITIONAL_INFO,
        "ai.txt",
    )
    assert run("application.score_once", ps, passing).verdict is Verdict.PASS
    again = doc(
        "I failed Step 1 on my first attempt because I prepared mainly by reading. I switched to timed UWorld "
        "blocks and passed in September 2021.",
        DocKind.ADDITIONAL_INFO,
        "ai.txt",
    )
    assert run("application.score_once", ps, again).verdict is Verdict.FAIL


def test_an_attempt_count_belongs_to_the_exam_its_paragraph_is_about() -> None:
    ai = doc(
        "I did not pass USMLE Step 1 on my first try. I had prepared mainly by reading. For my second attempt I "
        "did 40 timed questions a day. I passed on my second attempt, and later scored 229 on Step 2 CK.",
        DocKind.ADDITIONAL_INFO,
        "ai.txt",
    )
    entry = entries("e.yaml", rec("USMLE preparation", "2020-01", "2020-12", "Passed Step 1 on the first attempt."))
    out = run("application.consistency", ai, entry)
    assert out.verdict is Verdict.FAIL and "Step 1" in out.summary


def test_a_strong_score_mentioned_elsewhere_is_not_an_explanation() -> None:
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    ps = doc(
        "On my rotation in Houston I followed 10 patients daily. I scored 247 on Step 2 CK and I am "
        "ready for residency.",
        DocKind.PERSONAL_STATEMENT,
        "ps.txt",
    )
    assert run("application.score_once", ai, ps).verdict is Verdict.PASS


def test_program_tailored_statements_are_alternatives() -> None:
    a = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps-kaiser.docx")
    b = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps-community.docx")
    assert run("application.score_once", a, b).verdict is Verdict.PASS
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    assert len(run("application.score_once", a, b, ai).hits) == 3


def test_no_explanation_anywhere_is_not_applicable() -> None:
    ps = doc("I want to practice primary care in Oakland.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.score_once", ps).verdict is Verdict.NOT_APPLICABLE


def test_engine_turns_application_hits_into_findings_in_each_document() -> None:
    ps = doc(PS_EXPLAINS, DocKind.PERSONAL_STATEMENT, "ps.docx")
    ai = doc(AI_EXPLAINS, DocKind.ADDITIONAL_INFO, "additional.txt")
    results, findings = review_application_rules([ps, ai], RUBRICS.select(only=["application.score_once"]))
    assert [r.verdict for r in results] == [Verdict.FAIL]
    assert {f.document for f in findings} == {"ps.docx", "additional.txt"}
    for f in findings:
        source = ps if f.document == "ps.docx" else ai
        assert f.quote == source.text[f.start : f.end]


# --- application.consistency ------------------------------------------------------------------------

PARAMS = ConsistencyParams.model_validate(RUBRICS.get("application.consistency")[1].params)


def facts(text: str, *, outcomes: bool = False) -> list[tuple[str, str, int]]:
    """Scores and attempt counts (and, with ``outcomes``, dated outcomes and the months of passes) stated in
    ``text``."""
    found = exam_facts(doc(text, DocKind.ADDITIONAL_INFO, "x"), PARAMS)
    return [(f.exam, f.what if f.month is None else f"{f.what} {f.month}", f.value) for f in found
            if outcomes or f.what not in ("outcome", PASSED_IN, PASSED_YEAR, FAILED)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My Step 2 CK score of 238 reflects that change.", [("Step 2 CK", "score", 238)]),
        ("I scored 243 on Step 2 CK.", [("Step 2 CK", "score", 243)]),
        ("USMLE Step 2 CK: 251 (first attempt)", [("Step 2 CK", "score", 251)]),
        ("I passed Step 1 on my third attempt.", [("Step 1", "attempts", 3)]),
        ("I failed Step 1 twice before passing.", [("Step 1", "attempts", 3)]),
        ("I failed Step 1. I passed on my second attempt.", [("Step 1", "attempts", 2)]),
        ("I failed Step 1 on my first attempt and passed on the second.", [("Step 1", "attempts", 2)]),
        ("My Step 2 CK score improved to 241 after the change.", [("Step 2 CK", "score", 241)]),
        ("Scores: Step 1: Pass; Step 2 CK: 238; Step 3 (2024): 225",
         [("Step 2 CK", "score", 238), ("Step 3", "score", 225)]),
        ("USMLE | Step 2 CK | 226 | 1st attempt | 04/2023", [("Step 2 CK", "score", 226)]),
        ("Research assistant during my Step 2 CK preparation (score 223).", [("Step 2 CK", "score", 223)]),
        ("I passed Step 1 and Step 2 CK, each on the first attempt.",
         [("Step 1", "attempts", 1), ("Step 2 CK", "attempts", 1)]),
        ("I did not pass USMLE Step 1 on my first two attempts.", [("Step 1", "attempts", 3)]),
        ("My Step 1 took me three tries.", [("Step 1", "attempts", 3)]),
        ("Step 1 was hard. The third time, in 2021, I passed.", [("Step 1", "attempts", 3)]),
        ("Then I took Step 2 CK and I got 229, which is okay.", [("Step 2 CK", "score", 229)]),
        ("On my first attempt, I passed Step 2 CK.", [("Step 2 CK", "attempts", 1)]),
        (
            "On my second attempt I scored 231 on Step 1.",
            [("Step 1", "score", 231), ("Step 1", "attempts", 2)],
        ),
        ("My COMLEX Level 2-CE score of 512 was my best.", [("COMLEX Level 2", "score", 512)]),
        ("My S2CK score of 241 shows the change.", [("Step 2 CK", "score", 241)]),
        ("My Step 2 CK was a 2-3-1.", [("Step 2 CK", "score", 231)]),
        ("I cleared Step 1 on my second go.", [("Step 1", "attempts", 2)]),
        ("Step 1 was passed at first attempt.", [("Step 1", "attempts", 1)]),
        ("I passed Step 1 the first time I sat it.", [("Step 1", "attempts", 1)]),
        ("Step 1: Pass, attempt #2", [("Step 1", "attempts", 2)]),
        ("I passed Step 1 on the retake in March 2022.", [("Step 1", "attempts", RETAKEN)]),
        ("I did not pass Step 1 in 2020 and passed it in 2021.", [("Step 1", "attempts", RETAKEN)]),
    ],
)
def test_exam_facts_found(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I took Step 2 CK in 2022 after my internship.",
        "My Step 2 CK placed me in the 180th of 300 ranked applicants.",
        "Programs I applied to expect at least 240 on Step 2 CK.",
        "My last NBME before Step 2 CK was 231.",
        "I failed Step 1 on my first attempt.",
        "My Step 1 and Step 2 CK scores were 221 and 240.",
        "I did not pass Step 1 on my first attempt.",
        "On my first attempt at Step 1 I was far from ready.",
        "I passed Step 1 and I got 229 later on a different exam.",
        "Though I failed to practise enough timed blocks, I passed Step 1 in 2021.",
        "The first time I saw a patient with Step 1 knowledge only, I was lost.",
        "My flatmate, who had scored 250 on CK the year before, quizzed me every evening.",
    ],
)
def test_exam_facts_skip_years_thresholds_practice_and_ambiguity(text: str) -> None:
    assert facts(text) == []


def test_different_step2_scores_fail_with_one_hit_in_each_document() -> None:
    ps = doc("My Step 2 CK score of 238 showed the new method worked.", DocKind.PERSONAL_STATEMENT, "ps.md")
    ai = doc("In 2023 I scored 243 on Step 2 CK.", DocKind.ADDITIONAL_INFO, "ai.md")
    out = run("application.consistency", ps, ai)
    assert out.verdict is Verdict.FAIL
    assert sorted((h.document, h.note.split(" here")[0]) for h in out.hits) == [
        ("ai.md", "Step 2 CK score 243"),
        ("ps.md", "Step 2 CK score 238"),
    ]


def test_attempt_counts_contradict_across_documents() -> None:
    ai = doc("I passed Step 1 on my second attempt.", DocKind.ADDITIONAL_INFO, "ai.md")
    interview = doc("It took me three attempts to pass Step 1.", DocKind.INTERVIEW_ANSWER, "int.txt")
    out = run("application.consistency", ai, interview)
    assert out.verdict is Verdict.FAIL
    assert {h.document for h in out.hits} == {"ai.md", "int.txt"}


def test_a_pass_joined_to_another_exam_by_and_keeps_its_own_exam() -> None:
    ai = doc("I failed USMLE Step 2 CK in May 2021. I passed on my second attempt in March 2022 with 226, and "
             "passed Step 3 in January 2023 with 215.", DocKind.ADDITIONAL_INFO, "ai.md")
    assert ("Step 2 CK", "attempts", 2) in [(f.exam, f.what, f.value) for f in exam_facts(ai, PARAMS)]
    assert ("Step 3", "attempts", 2) not in [(f.exam, f.what, f.value) for f in exam_facts(ai, PARAMS)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("After I passed Step 1 in March 2020, the clinics closed.", [("Step 1", "2020-03", 1)]),
        ("My first attempt at USMLE Step 3, in March 2023, was not successful.", [("Step 3", "2023-03", 0)]),
        ("I failed Step 1 in March 2020 and passed it in November 2020.",
         [("Step 1", "2020-03", 0), ("Step 1", "2020-11", 1)]),
        ("Passed Step 3 (10/2023) while working nights.", [("Step 3", "2023-10", 1)]),
        ("Step 1 has been pass/fail since January 2022.", []),
        ("Since passing Step 1 in February 2021 and scoring 236 on Step 2 CK, I joined a lab.",
         [("Step 1", "2021-02", 1)]),
        ("My Step 1, I took it in January 2021 and I passed, but with a low score.", [("Step 1", "2021-01", 1)]),
        ("I passed Step 1 in 2021.", []),
    ],
)
def test_dated_outcomes(text: str, expected: list[tuple[str, str, int]]) -> None:
    got = [(exam, month_label(int(what.split()[1])), value)
           for exam, what, value in facts(text, outcomes=True) if what.startswith("outcome")]
    assert got == expected


def test_one_sitting_passed_in_one_document_and_failed_in_another_contradicts() -> None:
    entry = doc("Passed USMLE Step 3 in March 2023 while working on the project.", DocKind.EXPERIENCE, "exp.md")
    ai = doc("My first attempt at USMLE Step 3, in March 2023, was not successful. I passed in September 2023.",
             DocKind.ADDITIONAL_INFO, "ai.md")
    out = run("application.consistency", entry, ai)
    assert out.verdict is Verdict.FAIL
    assert "Step 3 passed in" in out.summary and "Step 3 not passed in" in out.summary
    later = doc("I passed Step 3 in September 2023.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", later, ai).verdict is Verdict.PASS


def test_a_retake_without_a_count_contradicts_only_a_first_attempt_pass() -> None:
    retake = doc("I did not pass Step 1 in 2020 and passed it in 2021.", DocKind.ADDITIONAL_INFO, "ai.md")
    first = doc("Step 1 — Pass (first attempt)", DocKind.EXPERIENCE, "exp.md")
    third = doc("I passed Step 1 on my third attempt.", DocKind.PERSONAL_STATEMENT, "ps.md")
    out = run("application.consistency", retake, first)
    assert out.verdict is Verdict.FAIL
    assert "passed after a failed attempt" in out.summary
    assert run("application.consistency", retake, third).verdict is Verdict.PASS


def test_failing_then_passing_scores_are_a_retake_not_a_contradiction() -> None:
    ps = doc("I scored 198 on Step 2 CK the first time.", DocKind.PERSONAL_STATEMENT, "ps.md")
    ai = doc("After retaking it, I scored 229 on Step 2 CK.", DocKind.ADDITIONAL_INFO, "ai.md")
    assert run("application.consistency", ps, ai).verdict is Verdict.PASS


def test_no_exam_facts_is_not_applicable() -> None:
    ps = doc("I love pediatrics.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", ps).verdict is Verdict.NOT_APPLICABLE


# --- application.gaps -------------------------------------------------------------------------------


def rec(title: str, start: str | None, end: str | None, description: str = "Saw 20 patients daily.") -> dict:
    return {"title": title, "start": start, "end": end, "description": description}


def test_gap_is_named_by_its_empty_months_and_anchored_on_the_next_entry() -> None:
    exp = entries(
        "exp.yaml",
        rec("Internship", "2019-06", "2020-05"),
        rec("Research assistant", "2021-03", None, "Built a REDCap database of 300 admissions."),
    )
    out = run("application.gaps", exp)
    assert out.verdict is Verdict.WARN
    (hit,) = out.hits
    assert "2020-06 to 2021-02, 9 months" in hit.note
    assert (hit.document, hit.entry) == ("exp.yaml", 1)
    assert exp.text[hit.start : hit.end] == "Built a REDCap database of 300 admissions."


def test_gap_before_an_entry_without_description_anchors_on_its_heading() -> None:
    exp = entries("e.yaml", rec("A", "2019-01", "2019-03"), rec("Volunteer", "2020-01", "2020-06", ""))
    (hit,) = run("application.gaps", exp).hits
    assert exp.text[hit.start : hit.end].startswith("Volunteer")


def test_six_empty_months_are_allowed_seven_are_not() -> None:
    six = entries("e.yaml", rec("A", "2020-01", "2020-06"), rec("B", "2021-01", "2021-03"))
    seven = entries("e.yaml", rec("A", "2020-01", "2020-06"), rec("B", "2021-02", "2021-03"))
    assert run("application.gaps", six).verdict is Verdict.PASS
    assert run("application.gaps", seven).verdict is Verdict.WARN


def test_gaps_merge_across_documents_and_overlaps() -> None:
    clinical = entries(
        "clinical.yaml", rec("Clerkships", "2016-09", "2018-06"), rec("TA", "2017-01", "2018-03")
    )
    volunteer = entries("volunteer.yaml", rec("Free clinic", "2019-04", "2019-07"))
    out = run("application.gaps", clinical, volunteer)
    (hit,) = out.hits
    assert hit.document == "volunteer.yaml" and hit.entry == 0
    assert "2018-07 to 2019-03, 9 months" in hit.note


def test_ongoing_entry_covers_what_follows() -> None:
    exp = entries("e.yaml", rec("Research", "2018-01", None), rec("Observership", "2021-06", "2021-08"))
    assert run("application.gaps", exp).verdict is Verdict.PASS


def test_gap_explained_in_additional_info_but_not_by_an_entry_heading() -> None:
    exp = entries(
        "e.yaml",
        rec("House officer", "2018-01", "2019-12"),
        rec("Research fellow", "2020-11", "2021-02", "Chart review of 120 admissions."),
    )
    assert run("application.gaps", exp).verdict is Verdict.WARN  # "Research" in the title does not explain
    why = doc(
        "From January to October 2020 I was caring for my mother during chemotherapy.",
        DocKind.ADDITIONAL_INFO,
        "ai.txt",
    )
    assert run("application.gaps", exp, why).verdict is Verdict.PASS
    vague = doc("In 2020 I moved to a new city.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, vague).verdict is Verdict.WARN


def test_an_explanation_covers_only_the_months_it_dates() -> None:
    exp = entries("e.yaml", rec("Junior resident", "2017-02", "2019-06"), rec("Observership", "2021-01", "2021-03"))
    part = doc("Between March and July 2020 I was caring for my grandmother after her hip fracture.",
               DocKind.ADDITIONAL_INFO, "ai.txt")
    out = run("application.gaps", exp, part)  # 2019-07 to 2020-02 is still open
    assert out.verdict is Verdict.WARN and "2019-07 to 2020-02, 8 months" in out.hits[0].note
    since = doc("Since January 2021 I have been preparing for Step 2 CK.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.gaps", exp, since).verdict is Verdict.WARN  # nothing before January 2021
    whole = doc("My list has an empty space between July 2019 and December 2020. In those months I was caring "
                "for my father during his chemotherapy.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.gaps", exp, whole).verdict is Verdict.PASS
    unrelated = doc("I passed Step 1 in 2020. I then joined a research group.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, unrelated).verdict is Verdict.WARN


def test_a_period_dated_by_the_entry_it_follows_is_explained() -> None:
    exp = entries("e.yaml", rec("House Officer", "2018-11", "2019-10", "One-year internship in medicine."),
                  rec("Medical Officer", "2020-07", "2022-08"))
    why = doc("After my internship I took eight months to prepare for USMLE Step 1 and to help my mother.",
              DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.gaps", exp, why).verdict is Verdict.PASS
    short = doc("After my internship I took one month to prepare for USMLE Step 1.", DocKind.PERSONAL_STATEMENT,
                "ps.txt")
    assert run("application.gaps", exp, short).verdict is Verdict.WARN  # seven of the eight months stay open


def test_early_in_a_year_and_a_note_on_these_months_explain_a_gap() -> None:
    exp = entries("e.yaml", rec("House Officer", "2019-01", "2019-12"), rec("Research Assistant", "2020-09", "2020-12"))
    early = doc("From early 2020 until the end of that summer I prepared full time for Step 1 at home.",
                DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, early).verdict is Verdict.PASS  # January-April dated; four months left
    note = doc("Note: Jan–Aug 2020 has no entry. Places start only in September, so I used these months to prepare "
               "for the national exam.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, note).verdict is Verdict.PASS


def test_consistency_reads_a_bare_ck_and_a_score_after_the_attempt() -> None:
    ai = doc("I passed Step 1 on my second attempt; I then scored 228 on Step 2 CK.", DocKind.ADDITIONAL_INFO,
             "ai.txt")
    spoken = doc("Then in CK I got a two-thirty-eight.", DocKind.INTERVIEW_ANSWER, "iv.txt")
    assert run("application.consistency", ai, spoken).verdict is Verdict.FAIL
    words = doc("I passed Step 2 CK on my first attempt with a score of two hundred and nineteen.",
                DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", ai, words).verdict is Verdict.FAIL
    cleared = entries("e.yaml", rec("Peer mentor", "2022-01", "2022-12", "After clearing Step 1 on my first attempt "
                                    "in 2022, I mentored juniors."))
    assert run("application.consistency", ai, cleared).verdict is Verdict.FAIL


def test_attempt_counts_in_a_summary_line_and_in_sat_it_three_times() -> None:
    ai = doc("I passed USMLE Step 1 on my second attempt.", DocKind.ADDITIONAL_INFO, "ai.txt")
    spoken = doc("I sat it three times, honestly, my Step 1.", DocKind.INTERVIEW_ANSWER, "iv.txt")
    assert run("application.consistency", ai, spoken).verdict is Verdict.FAIL
    line = doc("USMLE Step 1: Pass (3rd attempt) USMLE Step 2 CK: 229", DocKind.PERSONAL_STATEMENT, "ps.txt")
    out = run("application.consistency", ai, line)
    assert out.verdict is Verdict.FAIL and "Step 1" in out.summary


def test_attempts_named_with_their_exam_or_in_brackets_after_a_score() -> None:
    ai = doc("I passed Step 1 on my second attempt, and I then passed Step 2 CK on my first attempt with a 226.",
             DocKind.ADDITIONAL_INFO, "ai.txt")
    ps = doc("I failed Step 1 once and Step 2 CK once, and I scored 226 on my second Step 2 CK attempt.",
             DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", ai, ps).verdict is Verdict.FAIL
    two = doc("I also needed two attempts for Step 2 CK; my second attempt, in May 2022, was 231.",
              DocKind.ADDITIONAL_INFO, "ai.txt")
    entry = entries("e.yaml", rec("Research", "2022-01", "2022-12", "Completed Step 2 CK (231, first attempt) in May "
                                  "2022 while working 30 hours a week."))
    assert run("application.consistency", two, entry).verdict is Verdict.FAIL


def test_a_period_from_one_date_until_another_is_explained() -> None:
    exp = entries("e.yaml", rec("House job", "2019-03", "2020-02"), rec("Observer", "2021-08", "2021-11"))
    why = doc("From March 2020, when my house job ended, until my observership began in August 2021, I prepared "
              "full time for the USMLE.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, why).verdict is Verdict.PASS


def test_a_sentence_naming_the_empty_months_is_explained_by_its_paragraph() -> None:
    exp = entries("e.yaml", rec("Family physician", "2019-03", "2022-02"), rec("Volunteer", "2022-11", "2023-06"))
    why = doc("My CV shows no clinical activity from March to October 2022. After the invasion in February 2022 my "
              "clinic closed and my family and I were displaced to Poland.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, why).verdict is Verdict.PASS
    bare = doc("My CV shows no clinical activity from March to October 2022. I returned to work in November.",
               DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, bare).verdict is Verdict.WARN
    spoken = doc("From February to September of 2020 I was at home studying full time for Step 1.",
                 DocKind.INTERVIEW_ANSWER, "iv.txt")
    exp2 = entries("e.yaml", rec("Rural year", "2019-02", "2020-01"), rec("Research", "2020-10", "2021-06"))
    assert run("application.gaps", exp2, spoken).verdict is Verdict.PASS


def test_a_spell_counted_from_a_dated_month_is_explained() -> None:
    exp = entries("e.yaml", rec("Servicio social", "2019-08", "2020-07"), rec("IMSS unit", "2021-06", "2023-06"))
    why = doc("After my servicio social ended in July 2020, I spent ten months in Oaxaca caring for my grandmother "
              "after a stroke.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.gaps", exp, why).verdict is Verdict.PASS
    short = doc("After my servicio social ended in July 2020, I spent three months caring for my grandmother.",
                DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.gaps", exp, short).verdict is Verdict.WARN


def test_no_dated_entries_is_not_applicable() -> None:
    exp = entries("e.yaml", rec("Observership", None, None))
    assert run("application.gaps", exp).verdict is Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("value", "end", "month"),
    [
        ("2022-03", False, "2022-03"),
        ("03/2022", False, "2022-03"),
        ("Mar 2022", False, "2022-03"),
        ("2020", False, "2020-01"),
        ("2020", True, "2020-12"),
        ("present", True, None),
        (None, False, None),
    ],
)
def test_month_number_reads_the_forms_entries_are_written_in(value: str | None, end: bool, month: str | None) -> None:
    n = month_number(value, end=end)
    assert (month_label(n) if n is not None else None) == month


PS_PLAIN = (
    "I failed Step 1 on my first attempt because I relied on passive reading. I rebuilt my preparation around "
    "timed question blocks and scored 241 on Step 2 CK.\n\n"
    "At a safety-net clinic I coordinated with nurses to call 120 patients overdue for follow-up.\n"
)


def _pasted(*entries: tuple[str, str]) -> str:
    return "\n\n".join(
        f"{title}\nCity Hospital | Observer | {dates}\nFollowed 10-12 patients a day with two residents and "
        "presented them on rounds every morning."
        for title, dates in entries
    )


@pytest.mark.parametrize(
    ("experiences", "verdict"),
    [
        (_pasted(("Observership", "03/2022 - 08/2023"), ("Research Assistant", "Mar 2021 – Feb 2022")), Verdict.PASS),
        (_pasted(("Observership", "March 2022 to present"), ("Internship", "2019 - 2020")), Verdict.WARN),
    ],
)
def test_a_folder_with_pasted_entries_gets_its_gaps_judged(
    tmp_path: Path, experiences: str, verdict: Verdict
) -> None:
    from reviewer.pipeline import review_folder
    from reviewer.settings import Settings

    folder = tmp_path / "applicant"
    folder.mkdir()
    (folder / "personal_statement.txt").write_text(PS_PLAIN)
    (folder / "experiences.txt").write_text(experiences)
    result = review_folder(folder, RUBRICS, Settings())
    assert result.application is not None
    gaps = next(r for r in result.application.criteria if r.id == "application.gaps")
    assert gaps.verdict is verdict


# --- the sample folders (samples/README.md lists the intended verdicts) ------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
P, W, F, NA = Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.NOT_APPLICABLE
SAMPLE_VERDICTS = {
    "amara-okafor": (P, P, P),
    "rahul-mehta": (F, F, W),
    "lucia-fernandez": (F, P, P),
    "lucia-fernandez-general": (P, P, NA),
}


@pytest.mark.parametrize("name", list(SAMPLE_VERDICTS))
def test_sample_applications(name: str) -> None:
    from reviewer.pipeline import review_folder
    from reviewer.settings import Settings

    folder = SAMPLES / name
    if not folder.is_dir():
        pytest.skip(f"sample {name} not present")
    result = review_folder(folder, RUBRICS.select(only=["application"]), Settings())
    assert result.application is not None
    got = {c.id: c.verdict for c in result.application.criteria}
    ids = ("application.score_once", "application.consistency", "application.gaps")
    assert tuple(got[i] for i in ids) == SAMPLE_VERDICTS[name]
    if name == "rahul-mehta":
        gaps = [f.message for f in result.application.findings if f.criterion == "application.gaps"]
        for months in (
            "2018-03 to 2018-10, 8 months",
            "2019-02 to 2020-05, 16 months",
            "2020-10 to 2021-12, 15 months",
        ):
            assert any(months in m for m in gaps), months


def test_consistency_names_exams_as_the_score_discussion_does() -> None:
    """One exam vocabulary: "the clinical knowledge exam" is Step 2 CK, and "Step III" is Step 3, not Step 2."""
    ai = doc("I passed Step 1 on my second attempt, and I scored 231 on the clinical knowledge exam.",
             DocKind.ADDITIONAL_INFO, "ai.txt")
    ps = doc("My Step 2 CK score was 224.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", ai, ps).verdict is Verdict.FAIL
    roman = doc("Step II CK (231) and Step III (218) were both first-attempt passes.", DocKind.ADDITIONAL_INFO,
                "ai.txt")
    agrees = doc("I scored 231 on Step 2 CK and 218 on Step 3.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", roman, agrees).verdict is Verdict.PASS
    scores = {(f.exam, f.value) for f in exam_facts(roman, PARAMS) if f.what == "score"}
    assert scores == {("Step 2 CK", 231), ("Step 3", 218)}


def test_a_table_row_a_summary_field_and_a_score_after_the_pass_are_read() -> None:
    table = doc("| Exam | Date | Result |\n|---|---|---|\n| USMLE Step 1 | Feb 2021 | Fail |\n"
                "| USMLE Step 1 | Nov 2021 | Pass |\n| USMLE Step 2 CK | Apr 2022 | 241 |", DocKind.ADDITIONAL_INFO,
                "ai.md")
    found = {(f.exam, f.what, f.value, f.month) for f in exam_facts(table, PARAMS)}
    assert ("Step 2 CK", "score", 241, None) in found
    assert ("Step 1", "outcome", 0, month_number("2021-02")) in found  # the row's own date, not the next row's
    header = doc("USMLE Step 1 — attempts: 3\n\nI took Step 1 in March 2020 and again in August 2020 without "
                 "passing. I passed on the third attempt in June 2021 and scored 229 on Step 2 CK in March 2022.",
                 DocKind.ADDITIONAL_INFO, "ai.txt")
    facts = {(f.exam, f.what, f.value) for f in exam_facts(header, PARAMS)}
    assert ("Step 1", "attempts", 3) in facts and ("Step 2 CK", "attempts", 3) not in facts
    assert ("Step 1", "outcome", 0) in facts  # "without passing"
    ps = doc("I passed on my second attempt in 2021.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    step1 = doc("I failed USMLE Step 1 once.", DocKind.PERSONAL_STATEMENT, "ps0.txt")
    assert run("application.consistency", step1, ps, header).verdict is Verdict.FAIL


def test_the_month_an_exam_was_passed_is_one_month() -> None:
    ps = doc("I started research a few weeks after passing Step 1 on my second attempt in November 2021.",
             DocKind.PERSONAL_STATEMENT, "ps.txt")
    ai = doc("I sat Step 1 for the first time in June 2021, during my second year, and I did not pass. I passed "
             "Step 1 in January 2022.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.consistency", ps, ai).verdict is Verdict.FAIL
    near = doc("I passed Step 1 in December 2021.", DocKind.ADDITIONAL_INFO, "ai.txt")  # the sitting and its result
    assert run("application.consistency", ps, near).verdict is Verdict.PASS
    entry = doc("**Dedicated USMLE preparation (Step 1 — Pass, attempt 2)** | Independent study | 04/2021 - 11/2021",
                DocKind.EXPERIENCE, "exp.md")
    later = doc("In March 2022, after passing Step 1, I joined the lab.", DocKind.ADDITIONAL_INFO, "ai2.txt")
    assert run("application.consistency", ps, entry, later).verdict is Verdict.PASS


def test_a_sitting_dated_clauses_before_its_outcome() -> None:
    entry = doc("Pediatrics resident, Damascus, 2020-2022: trained nurses, all while preparing for and passing USMLE "
                "Step 1 (June 2021).", DocKind.PERSONAL_STATEMENT, "ps.txt")
    ai = doc("I sat USMLE Step 1 for the first time in June 2021, during my second residency year, and I did not "
             "pass.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.consistency", entry, ai).verdict is Verdict.FAIL


def test_a_gap_named_in_plain_words_and_dated_to_the_end_of_a_month() -> None:
    exp = entries("e.yaml", rec("Medical Officer", "2019-01", "2021-07"), rec("Observer", "2022-06", "2022-08"))
    ai = doc("Between August 2021 and the end of May 2022 I was not in clinical work. My mother was diagnosed with "
             "breast cancer and I lived with her as her main caregiver.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, ai).verdict is Verdict.PASS
    held = doc("Between August 2021 and May 2022 I did not hold a clinical position. I was caring for my mother.",
               DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.gaps", exp, held).verdict is Verdict.PASS


def test_started_in_prose_dates_one_month_not_the_years_after() -> None:
    exp = entries("e.yaml", rec("Intern", "2017-02", "2018-01"), rec("Junior Resident", "2018-04", "2020-07"),
                  rec("Observer", "2021-05", "2021-07"))
    ai = doc("The two months between my internship (ended January 2018) and my junior residency (started April 2018) "
             "were spent preparing for the NEET-PG entrance examination because my family wanted me home.",
             DocKind.ADDITIONAL_INFO, "ai.txt")
    out = run("application.gaps", exp, ai)
    assert out.verdict is Verdict.WARN and "2020-08 to 2021-04" in out.summary


def test_a_study_partners_score_is_not_the_applicants() -> None:
    iv = doc("I passed in twenty twenty-one, and then two thirty-eight on Step 2 CK. My study partner actually got "
             "two-fifty on CK, and we still joke that I was the slower one.", DocKind.INTERVIEW_ANSWER, "iv.txt")
    ai = doc("I scored 238 on Step 2 CK.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.consistency", iv, ai).verdict is Verdict.PASS


def test_one_sitting_dated_twice_and_attempts_said_as_a_summary() -> None:
    ps = doc("My first attempt at Step 1, in March 2021, was a fail.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    iv = doc("So, my Step 1. The first time I took it was September 2020, and I didn't pass.",
             DocKind.INTERVIEW_ANSWER, "iv.txt")
    out = run("application.consistency", ps, iv)
    assert out.verdict is Verdict.FAIL and "attempt 1 sat in" in out.summary
    near = doc("When I first sat Step 1 in April 2021, I did not pass.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.consistency", ps, near).verdict is Verdict.PASS  # a month apart: booking and sitting
    summary = doc("USMLE Step 1: two attempts (fail May 2021, pass January 2022). Step 2 CK: 229.",
                  DocKind.ADDITIONAL_INFO, "ai.txt")
    three = doc("It took me three tries to pass Step 1.", DocKind.INTERVIEW_ANSWER, "iv.txt")
    assert run("application.consistency", summary, three).verdict is Verdict.FAIL
    entry = doc("Full-time study for my second Step 1 attempt (passed 10/2021) and early Step 2 CK preparation.",
                DocKind.EXPERIENCE, "exp.txt")
    third = doc("I passed Step 1 only on my third attempt, in October 2021.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", entry, third).verdict is Verdict.FAIL


def test_scores_said_after_a_for_and_in_a_clause_of_their_own() -> None:
    ps = doc("For Step 2 CK I switched to timed question blocks and a weekly NBME self-assessment, and I scored 232.",
             DocKind.PERSONAL_STATEMENT, "ps.txt")
    entry = doc("Lead a weekly session on the method that raised my own Step 2 CK to 238.", DocKind.EXPERIENCE,
                "exp.txt")
    assert run("application.consistency", ps, entry).verdict is Verdict.FAIL
    own = doc("I rebuilt my approach around daily questions and self-assessment and scored 233 on Step 2 CK.",
              DocKind.PERSONAL_STATEMENT, "ps.txt")
    ai = doc("My Step 2 CK score was 223.", DocKind.ADDITIONAL_INFO, "ai.txt")
    assert run("application.consistency", own, ai).verdict is Verdict.FAIL
    passed = doc("I passed Step 1 in January 2022 and used the same method for Step 2 CK in May 2022.",
                 DocKind.ADDITIONAL_INFO, "ai2.txt")
    later = doc("I passed Step 2 CK in May 2022.", DocKind.PERSONAL_STATEMENT, "ps2.txt")
    assert run("application.consistency", passed, later).verdict is Verdict.PASS


def test_a_score_after_the_sittings_date() -> None:
    ai = doc("I took Step 2 CK in March 2023 and scored 234.", DocKind.ADDITIONAL_INFO, "ai.txt")
    ps = doc("I passed on my second attempt in December 2021, and later scored 241 on Step 2 CK.",
             DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", ai, ps).verdict is Verdict.FAIL


def test_preparing_for_a_sitting_does_not_date_it() -> None:
    prep = doc("For my second attempt, in September 2020, I used a question bank every day.", DocKind.ADDITIONAL_INFO,
               "ai.txt")
    sat = doc("I passed Step 1 on my second attempt in December 2020.", DocKind.PERSONAL_STATEMENT, "ps.txt")
    assert run("application.consistency", prep, sat).verdict is Verdict.PASS


def test_a_score_after_the_date_of_a_first_attempt_pass() -> None:
    # "Step 2 CK on my first attempt in March 2022 with a score of two hundred thirty-two": the date between
    ai = doc("For reference, I passed Step 2 CK on my first attempt in March 2022 with a score of two hundred "
             "thirty-two, and I have registered for Step 3.", DocKind.ADDITIONAL_INFO, "ai.md")
    assert ("Step 2 CK", "score", 232) in facts(ai.text)
    ps = doc("I passed in 2021 and later scored 238 on Step 2 CK.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", ps, ai).verdict is Verdict.FAIL


def test_the_second_time_dated_in_commas_dates_that_sitting() -> None:
    ai = doc("I did not pass USMLE Step 1 on my first attempt in January 2021 (score 183). I passed on my second "
             "attempt in June 2021 with a score of 211.", DocKind.ADDITIONAL_INFO, "ai.md")
    spoken = doc("So, Step 1. I took it twice. The first time, January 2021, I didn't pass. The second time, in "
                 "October 2021, I passed with a two-eleven.", DocKind.INTERVIEW_ANSWER, "iv.txt")
    out = run("application.consistency", ai, spoken)
    assert out.verdict is Verdict.FAIL and "attempt 2 sat in 2021-10" in out.summary
    agreeing = doc(spoken.text.replace("October", "June"), DocKind.INTERVIEW_ANSWER, "iv.txt")
    assert run("application.consistency", ai, agreeing).verdict is Verdict.PASS


def test_an_only_failure_is_two_attempts() -> None:
    assert facts("My first and only failure on USMLE Step 1 was in May 2020.") == [("Step 1", "attempts", 2)]
    assert facts("My first attempt, in November 2020, was my only failed attempt at Step 1.") == [
        ("Step 1", "attempts", 2)]
    assert facts("My only failure in medical school was anatomy; I passed Step 1 on my first attempt.") == [
        ("Step 1", "attempts", 1)]
    ps = doc("My Step 1 took three attempts: I failed in 2019 and again in 2020 before I passed with 204.",
             DocKind.PERSONAL_STATEMENT, "ps.md")
    ai = doc("My first and only failure on USMLE Step 1 was in May 2020, with a score of 190.",
             DocKind.ADDITIONAL_INFO, "ai.md")
    assert run("application.consistency", ps, ai).verdict is Verdict.FAIL


def test_one_failure_dated_to_two_different_years_contradicts() -> None:
    ps = doc("Failing Step 1 in 2019, in the last months of my internship, was the lowest point of my training. I "
             "passed on my second attempt with 207.", DocKind.PERSONAL_STATEMENT, "ps.md")
    ai = doc("My first attempt at Step 1, in November 2020, was my only failed attempt (score 189). I passed on my "
             "second attempt in February 2021.", DocKind.ADDITIONAL_INFO, "ai.md")
    out = run("application.consistency", ps, ai)
    assert out.verdict is Verdict.FAIL and "one failed attempt in 2019" in out.summary
    # the same year, a month either side of the year, or a folder with more than one failure: no contradiction
    for year, month, attempts in (("2020", "November", "second"), ("2021", "December", "second"),
                                  ("2019", "November", "third")):
        ps_ok = doc(ps.text.replace("2019", year).replace("second", attempts), DocKind.PERSONAL_STATEMENT, "ps.md")
        ai_ok = doc(ai.text.replace("my only failed attempt", "a failed attempt").replace("November", month)
                    .replace("second", attempts), DocKind.ADDITIONAL_INFO, "ai.md")
        assert any(f.what == FAILED for f in exam_facts(ai_ok, PARAMS)), (year, month, attempts)
        assert run("application.consistency", ps_ok, ai_ok).verdict is Verdict.PASS, (year, attempts)


def test_a_dated_list_gives_each_outcome_the_date_before_it() -> None:
    got = facts("Step 1: attempts: 2 (Sep 2019 fail, Jun 2020 pass).", outcomes=True)
    assert ("Step 1", "outcome 24236", 0) in got and ("Step 1", "outcome 24245", 1) in got
    assert ("Step 1", "outcome 24245", 0) not in got


def test_every_exam_on_the_first_try_contradicts_a_dated_failure() -> None:
    spoken = doc("Um, I passed all my USMLE exams on the first try while I was a full-time research assistant.",
                 DocKind.INTERVIEW_ANSWER, "iv.txt")
    ai = doc("I failed USMLE Step 2 CK on my first attempt in May 2022. I passed in December 2022.",
             DocKind.ADDITIONAL_INFO, "ai.md")
    out = run("application.consistency", spoken, ai)
    assert out.verdict is Verdict.FAIL and "every USMLE exam passed on attempt 1" in out.summary
    first = doc("I passed Step 1 on my first attempt in 2020.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", first, ai).verdict is Verdict.PASS  # another exam's failure


def test_someone_elses_first_attempt_pass_is_not_the_applicants() -> None:
    assert facts("My roommate passed CK on her first attempt with 250, and for a while I compared myself to "
                 "her.") == []
    assert facts("Tutored 10 second-year students for COMLEX Level 1; 9 of 10 passed on the first attempt.") == []
    assert facts("My friend failed Step 1 in May 2020.", outcomes=True) == []



def test_a_pass_dated_before_a_failure_or_in_another_year_contradicts() -> None:
    ai = doc("USMLE: Step 1 passed on my second attempt (2018), as discussed in my personal statement.",
             DocKind.ADDITIONAL_INFO, "ai.md")
    failed = doc("That same year I failed USMLE Step 1, in July 2019.", DocKind.PERSONAL_STATEMENT, "ps.md")
    out = run("application.consistency", ai, failed)
    assert out.verdict is Verdict.FAIL and "Step 1 passed in 2018" in out.summary
    passed = doc("I passed Step 1 in January 2020.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", ai, passed).verdict is Verdict.FAIL
    # the same year, or a failure before the pass, agrees
    same = doc("I failed Step 1 in July 2017 and passed it in March 2018.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", ai, same).verdict is Verdict.PASS


def test_sitting_that_one_twice_is_two_attempts() -> None:
    spoken = doc("Step 1, I failed it the first time, in 2021. And then CK, I had to sit that one twice too.",
                 DocKind.INTERVIEW_ANSWER, "iv.txt")
    assert ("Step 2 CK", "attempts", 2) in facts(spoken.text)
    ps = doc("I passed Step 2 CK on my first attempt in November 2022 with 229.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert run("application.consistency", ps, spoken).verdict is Verdict.FAIL


def test_each_step_on_the_first_attempt_and_a_score_after_the_preparation() -> None:
    ps = doc("Having passed each USMLE Step on my first attempt, and with a score of 244 on Step 2 CK, I feel ready.",
             DocKind.PERSONAL_STATEMENT, "ps.md")
    ai = doc("I passed Step 1 on my second attempt in December 2021 and later scored 244 on Step 2 CK.",
             DocKind.ADDITIONAL_INFO, "ai.md")
    out = run("application.consistency", ps, ai)
    assert out.verdict is Verdict.FAIL and "every USMLE exam passed on attempt 1" in out.summary
    prepared = doc("I prepared for Step 2 CK while volunteering at the refugee reception point, mostly at night after "
                   "my shifts, and scored two hundred and twenty-one.", DocKind.PERSONAL_STATEMENT, "ps.md")
    assert ("Step 2 CK", "score", 221) in facts(prepared.text)
    other = doc("My Step 2 CK score of 227 in February 2023 shows this new method.", DocKind.ADDITIONAL_INFO, "ai.md")
    assert run("application.consistency", prepared, other).verdict is Verdict.FAIL
