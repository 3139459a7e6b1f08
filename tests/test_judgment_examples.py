"""Drafts a careful reviewer judges one way, which the rules once judged the other: each is a regression test.

Every example reads as an applicant would write it; the expected classes are a careful reviewer's
(``flag`` = warn or fail). They come from blind testing, not from the rubric lexicons.
"""

from __future__ import annotations

import pytest

from reviewer.checks.registry import Context
from reviewer.checks.rules import review_rules
from reviewer.checks.score import score_discussion
from reviewer.document import DocKind
from reviewer.evaluate import verdict_class
from reviewer.ingest.memory import from_text
from reviewer.rubric import load_rubrics

PS, AI, IV = DocKind.PERSONAL_STATEMENT, DocKind.ADDITIONAL_INFO, DocKind.INTERVIEW_ANSWER
RUBRICS = load_rubrics()

CASES = [
    ("does-not-reflect", PS,
     "My Step 1 score does not reflect my knowledge. The exam was administered at a center where the computers "
     "froze twice, and I could not finish two blocks.\n\nAt Kaiser I want to learn integrated care.",
     {"score.mention": "pass", "score.excuse": "flag", "score.what_changed": "flag", "score.evidence": "flag"}),
    ("though-bare-number", PS,
     "Though my Step 1 score was 211, my Step 2 CK score of 233 shows my progress.\n\nI want to train at Kaiser.",
     {"score.mention": "pass", "score.what_changed": "flag", "score.evidence": "pass", "score.excuse": "pass"}),
    ("spoken", IV,
     "So, my Step 1, I took it in 2021, and honestly it did not go the way I hoped. I was working nights and I "
     "studied from books only. After that I switched to UWorld, forty questions a day, and I passed Step 2 CK "
     "with a 236. Now I use the same routine to prepare for rounds.",
     {"score.mention": "pass", "score.what_changed": "pass", "score.evidence": "pass", "score.excuse": "pass"}),
    ("devastated-result", AI,
     "I was devastated when I saw my Step 1 result. I have since completed UWorld twice and passed Step 2 CK "
     "with a 241.",
     {"score.emotion": "flag", "score.what_changed": "pass", "score.evidence": "pass"}),
    ("whole-run", AI,
     "My Step 1 score was low because the exam was unfair. It was not my fault. I passed later. I was "
     "devastated. I am so sorry.",
     {"score.excuse": "flag", "score.emotion": "flag", "score.what_changed": "flag"}),
    ("proctoring", AI,
     "I did not pass Step 1 on my first attempt; the proctoring conditions that day were far from ideal. I passed "
     "on my second attempt.",
     {"score.excuse": "flag", "score.evidence": "pass", "score.what_changed": "flag"}),
    ("qbank-blame-harder", AI,
     "I failed Step 1 in 2020. I relied on a question bank that did not reflect the real exam. I worked harder "
     "and passed on my second attempt.",
     {"score.excuse": "flag", "score.what_changed": "flag", "score.evidence": "pass"}),
    ("vendor-bus-shame", AI,
     "I failed Step 1 in 2020 because the testing vendor rescheduled me twice and my bus broke down on exam day. "
     "I will carry this shame. I beg the committee's forgiveness.",
     {"score.excuse": "flag", "score.emotion": "flag"}),
    ("ck-number-is-the-failure", AI,
     "I failed Step 2 CK with a 205 in 2021. I worked harder and retook it.",
     {"score.evidence": "flag", "score.what_changed": "flag"}),
    ("nbme-before-failure", AI,
     "Before my exam I took four NBME forms and scored around 200 on each. I failed Step 1 in 2020. I passed on "
     "my second attempt.",
     {"score.what_changed": "flag", "score.evidence": "pass"}),
    # blame by structure: an outside cause given for the result, in a discussion that owns nothing
    ("because-an-outside-cause", AI,
     "Because the pandemic closed every library in Lima, my Step 1 ended at 198. Since then I have done forty "
     "timed UWorld questions a day and scored 236 on Step 2 CK.",
     {"score.excuse": "flag"}),
    ("outside-cause-then-owned", AI,
     "Because the pandemic closed the libraries, I studied at home, and I relied on rereading notes instead of "
     "timed questions. I failed Step 1 in 2021. Since then I have done forty timed UWorld questions a day and "
     "scored 236 on Step 2 CK.",
     {"score.excuse": "pass"}),
    ("counterfactual-outside", AI,
     "I failed Step 1 in 2021. If the verification of my diploma had been faster, I would have sat it rested "
     "instead of in a rush. I passed on my second attempt with a 224.",
     {"score.excuse": "flag"}),
    ("counterfactual-own", AI,
     "I failed Step 1 in 2021. If I had timed my practice blocks, I would have finished every block. I passed on "
     "my second attempt with a 224.",
     {"score.excuse": "pass"}),
    ("a-cause-that-did-it", AI,
     "Two power cuts in the third block cost me the pass on Step 1 in 2021. I passed on my second attempt with a "
     "224.",
     {"score.excuse": "flag"}),
    ("family-crisis-as-context", AI,
     "Because my father was in intensive care that month, I did not pass Step 1 on my first attempt. I passed on "
     "my second attempt with a 224 after a schedule of timed blocks.",
     {"score.excuse": "pass"}),
    ("outside-cause-denied", AI,
     "I did not fail Step 1 because of the noisy centre; I failed because I never practised full-length blocks. "
     "I passed on my second attempt with a 224.",
     {"score.excuse": "pass"}),
    ("rhetorical-question-about-others", AI,
     "I failed Step 1 in 2022 after two days on the road to the only open centre. How many candidates who test "
     "near home would have done better under those conditions? I passed on my second attempt with a 221.",
     {"score.excuse": "flag"}),
    ("a-question-to-oneself", AI,
     "I failed Step 1 in 2022. What did I change? I moved to timed UWorld blocks and passed with a 221.",
     {"score.excuse": "pass"}),
    ("inverted-counterfactual", AI,
     "I failed Step 1 in 2021. Had the school kept its calendar, I would have had three more months to prepare. I "
     "passed on my second attempt with a 224.",
     {"score.excuse": "flag"}),
    ("given-not-done", AI,
     "My Step 1 score was 207. Had I been given the same four months as other applicants, that number would look "
     "nothing like it does. I now do timed blocks every week.",
     {"score.excuse": "flag"}),
    ("playing-the-exam-down", AI,
     "My Step 1 score of 207 says little about whether a doctor can calm a frightened child. I passed Step 2 CK "
     "with a 231 after timed UWorld blocks.",
     {"score.excuse": "flag"}),
    ("sat-it-then-again", IV,
     "So, um, Step 1. I first sat for it in March and then again in September. Honestly I read books and did no "
     "questions the first time. The second time I did UWorld in timed blocks, and I passed.",
     {"score.mention": "pass", "score.what_changed": "pass", "score.excuse": "pass"}),
    ("pass-fail-era-strengths-only", IV,
     "So, Step 1 is pass/fail now, and I passed it on my first attempt in twenty twenty-three. My Step 2 CK was "
     "two fifty-one, and I took it right after my rotations.",
     {"score.mention": "pass", "score.what_changed": "not_applicable", "score.evidence": "not_applicable"}),
    ("a-score-first-attempt-is-a-strength", IV,
     "So I took Step 1 in twenty twenty-one, when it was still scored, and I got a two forty-four, first attempt, "
     "and then two forty-eight on Step 2 CK.",
     {"score.mention": "pass", "score.what_changed": "not_applicable"}),
    ("spoken-later-result-is-evidence", IV,
     "My Step 1 was two hundred and three. I read the long vignettes too slowly and I never trained my timing. "
     "Afterwards I did timed blocks daily. My Step 2 CK was two forty-seven. Now I present on rounds without trouble.",
     {"score.evidence": "pass", "score.what_changed": "pass"}),
    ("no-change-in-a-counterfactual-or-the-boards-doing", AI,
     "My first Step 1 attempt landed two points short of a standard the NBME had raised weeks earlier. If my school "
     "had offered even one NBME-style mock exam, the outcome would have been different. Since then I have put in "
     "many more hours and passed on my second attempt.",
     {"score.what_changed": "flag", "score.excuse": "flag"}),
    ("one-bare-sentence-then-life-moves-on", PS,
     "My Step 1 needed a second sitting, in March of 2022. After that I moved to Houston, where my aunt has lived "
     "for fifteen years, and began to look for clinical experience.\n\nAt Kaiser I want to learn integrated care.",
     {"score.length": "flag", "score.pivot": "flag"}),
    ("a-reason-for-a-plan-is-no-excuse", IV,
     "My Step 1 was a two-oh-nine. I read instead of doing questions, and I did not time myself. For CK I did UWorld "
     "in timed blocks and scored 241. I'm using the same routine now for Step 3, which I've booked for January, "
     "because several programs on my list sponsor H-1B.",
     {"score.excuse": "pass"}),
    ("the-applicant-decided", AI,
     "I failed Step 1 in 2021 and for months I could not open a book. After this dark time I decided that I would "
     "rebuild my plan around timed UWorld blocks, and I passed with a 221.",
     {"score.excuse": "pass"}),
    ("an-error-log-is-no-ownership", IV,
     "My Step 1 was two hundred and twelve. The practice tests I paid for put me in the 230s; if they had been "
     "anywhere close to accurate, I would have scored a lot higher. For CK I made flashcards from my mistakes and "
     "scored 241.",
     {"score.excuse": "flag"}),
    ("plain-words-of-hurt", AI,
     "My first attempt at Step 1, in 2021, was a fail, and for a month after the result I could not look my parents "
     "in the eye. I had read every page of Robbins but done very few timed questions. I moved to timed UWorld blocks "
     "and passed with a 224.",
     {"score.emotion": "flag", "score.excuse": "pass"}),
    ("a-first-attempt-aside-is-a-strength", IV,
     "Step 1 I took in June 2023, first attempt, and it was already pass/fail, so it's just a pass. Step 2 CK I took "
     "in January, also first attempt, and I scored 249.",
     {"score.mention": "pass", "score.what_changed": "not_applicable", "score.evidence": "not_applicable"}),
    ("a-low-score-said-far-from-its-exam", IV,
     "Okay. My Step 1, I took it at the Prometric centre in Lagos in 2020 and I got 204. After that I moved to timed "
     "mixed blocks and kept an error log. I scored 231 on Step 2 CK.",
     {"score.mention": "pass", "score.what_changed": "pass", "score.evidence": "pass"}),
    ("a-paragraph-that-opens-on-the-change", PS,
     "My Step 1 score, two hundred and four, came in the summer of 2021. I had studied by memorising lists, and the "
     "exam asked me to reason.\n\nWhat changed was the method. I worked through UWorld twice in timed blocks and "
     "took an NBME self-assessment every second week. Step 2 CK, in 2023, was 233, and I still keep that notebook "
     "habit on rounds.\n\nAt Kaiser I want to learn integrated care.",
     {"score.what_changed": "pass", "score.evidence": "pass", "score.pivot": "pass"}),
]


def _verdicts(kind: DocKind, text: str) -> dict[str, str]:
    doc = from_text(text, kind, path="draft.txt")
    results, _ = review_rules(doc, RUBRICS, target="kaiser", ctx=Context(doc, target="kaiser"))
    return {r.id: verdict_class(r.verdict) for r in results}


@pytest.mark.parametrize(("name", "kind", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_careful_reviewer_verdicts(name: str, kind: DocKind, text: str, expected: dict[str, str]) -> None:
    got = _verdicts(kind, text)
    assert {c: got[c] for c in expected} == expected


def test_run_keeps_every_sentence_of_the_discussion() -> None:
    text = CASES[4][2]
    doc = from_text(text, AI, path="a.txt")
    disc = score_discussion(Context(doc, target="kaiser"))
    assert disc is not None and len(disc) == 5


def _application(docs: list[tuple[str, DocKind, str]]) -> dict[str, str]:
    from reviewer.checks.rules import review_application_rules

    built = [from_text(text, kind, path=name) for name, kind, text in docs]
    results, _ = review_application_rules(built, RUBRICS)
    return {r.id: verdict_class(r.verdict) for r in results}


def test_second_attempt_then_ck_score_is_not_two_ck_attempts() -> None:
    got = _application([
        ("ps.txt", PS, "I did not pass Step 1 at first. I rebuilt my plan and passed on my second attempt; I then "
                       "scored 238 on Step 2 CK, and I bring that discipline to the wards."),
        ("additional_info.txt", AI, "I passed Step 2 CK on my first attempt with a 238."),
    ])
    assert got["application.consistency"] == "pass"


def test_score_once_reads_a_setback_as_the_documents_do() -> None:
    ps = ("My Step 1 score does not reflect my knowledge. Since then I have used UWorld daily and scored 241 on "
          "Step 2 CK, skills I now apply on the wards.")
    ai = "I did not pass Step 1 on my first attempt. I adopted NBME self-assessments and passed with a 229."
    assert _application([("ps.txt", PS, ps), ("additional_info.txt", AI, ai)])["application.score_once"] == "flag"
    referral = "As explained in my Additional Information, I did not pass Step 1 on my first attempt."
    got = _application([("ps.txt", PS, referral + " I have grown since."), ("additional_info.txt", AI, ai)])
    assert got["application.score_once"] == "pass"


def test_titles_initials_and_abbreviations_do_not_add_sentences() -> None:
    text = ("I did not pass Step 1 on my first attempt in 2019. My mentor, Dr. A. Rehman, reviewed my U.S. "
            "practice tests with me every Sunday. I switched to UWorld and NBME forms and passed with a 221. "
            "I later scored 236 on Step 2 CK. I now use the same self-testing on the wards.")
    doc = from_text(text, AI, path="a.txt")
    disc = score_discussion(Context(doc, target="kaiser"))
    assert disc is not None and len(disc) == 5


def test_the_discussion_runs_across_a_paragraph_break_while_the_topic_does() -> None:
    text = ("I left Kharkiv with my mother in April 2022. I failed Step 2 CK on my first attempt that autumn.\n\n"
            "I had taken it too soon, while working two jobs. For my second attempt I used UWorld in English and "
            "took four NBME forms, and I passed with a 231. I now use those same blocks to prepare for my clinic "
            "shifts.\n\nAt our community clinic I work with two nurses and a pharmacist.")
    got = _verdicts(PS, text)
    assert (got["score.what_changed"], got["score.evidence"], got["score.pivot"]) == ("pass", "pass", "pass")
    disc = score_discussion(Context(from_text(text, PS, path="ps.txt"), target="kaiser"))
    assert disc is not None and len(disc) == 4


def test_an_attempt_count_and_a_later_score_joined_by_and_belong_to_their_own_exams() -> None:
    got = _application([
        ("additional_info.txt", AI, "I did not pass Step 1 at first. I passed on my second attempt and I scored 226 "
                                    "on Step 2 CK."),
        ("ps.txt", PS, "I passed Step 2 CK on my first attempt with a 226, and I bring that discipline to the wards."),
    ])
    assert got["application.consistency"] == "pass"
