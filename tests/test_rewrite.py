"""The suggested rewrite: the fact checker, the model-rewrite step (with a fake model) and the rules outline."""

from __future__ import annotations

import pytest

from reviewer.document import DocKind
from reviewer.kinds import load_manifest
from reviewer.pipeline import review_document, review_file
from reviewer.rewrite import (
    BLANK,
    RewriteTally,
    check_rewrite,
    facts_in,
    model_rewrite,
    new_facts,
    outline,
    rewrite_prompt,
)
from reviewer.settings import Settings

from conftest import SAMPLES, make_doc

DRAFT = (
    "I failed Step 1 on my first attempt in 2021, and honestly the exam was unfair to international students. "
    "I then rebuilt my preparation around UWorld and timed NBME self-assessments, passed on my second attempt "
    "and scored 226 on Step 2 CK. During my observership at Mulago Hospital in Kampala I now use the same "
    "self-testing to prepare for rounds."
)


# --- new_facts ------------------------------------------------------------------------------------------------


def test_a_faithful_paraphrase_states_no_new_fact() -> None:
    rewrite = ("My first attempt at Step 1 was unsuccessful. I rebuilt my study around UWorld and NBME "
               "self-assessments, passed on my 2nd attempt and scored two twenty-six on Step 2 CK. At Mulago "
               "I now use the same self-testing on rounds.")
    assert new_facts(rewrite, [DRAFT]) == []


@pytest.mark.parametrize(("rewrite", "invented"), [
    ("I scored 250 on Step 2 CK.", ["250"]),
    ("I passed Step 3 last spring.", ["Step 3"]),
    ("I passed on my third attempt.", ["third"]),
    ("I did an elective at the Mayo Clinic.", ["Mayo Clinic"]),
    ("I prepared for three months.", ["three"]),
    ("I failed Step 1 in 2019.", ["2019"]),
    ("I took it again in March.", ["March"]),
    ("In Nairobi I learned to self-test.", ["Nairobi"]),
    ("My USMLE transcript shows a 226 on Step 2 CK.", ["USMLE"]),
])
def test_each_kind_of_invented_fact_is_caught(rewrite: str, invented: list[str]) -> None:
    assert new_facts(rewrite, [DRAFT]) == invented


def test_facts_may_come_from_any_of_the_applicants_documents() -> None:
    other = "My ECFMG certificate was issued in June 2023 in Lagos."
    rewrite = "I scored 226 on Step 2 CK and was certified by ECFMG in June 2023."
    assert new_facts(rewrite, [DRAFT]) == ["ECFMG", "June", "2023"]
    assert new_facts(rewrite, [DRAFT, other]) == []


def test_exam_numbers_are_exams_and_sentence_words_are_not_names() -> None:
    facts = facts_in("Since then I used UWorld. After that I passed Step 2 CK with a 241.")
    assert [(f.kind, f.text) for f in facts] == [("name", "UWorld"), ("exam", "Step 2 CK"), ("number", "241")]


# --- the model rewrite ------------------------------------------------------------------------------------------


def test_a_rewrite_that_invents_a_score_a_hospital_and_a_year_is_discarded() -> None:
    invented = ("My first attempt at Step 1 was unsuccessful. I rebuilt my preparation around UWorld and NBME "
                "self-assessments and scored 251 on Step 2 CK in 2019. I now use the same self-testing as a "
                "sub-intern at Johns Hopkins Hospital.")
    prompts: list[str] = []

    def fake_model(prompt: str) -> str:
        prompts.append(prompt)
        return invented

    tally = RewriteTally()
    result = model_rewrite(fake_model, DRAFT, [DRAFT], DocKind.PERSONAL_STATEMENT, tally=tally)
    assert not result.kept and result.text is None
    assert result.reason == "new_facts"
    assert result.new_facts == ("251", "2019", "Johns Hopkins Hospital")
    assert tally.kept == 0 and tally.discarded == {"new_facts": 1}
    assert DRAFT in prompts[0] and "Use only facts stated in the text" in prompts[0]


def test_a_faithful_rewrite_is_kept_and_counted() -> None:
    faithful = ("My first attempt at Step 1 was unsuccessful. I rebuilt my preparation around UWorld and timed "
                "NBME self-assessments, passed on my second attempt and scored 226 on Step 2 CK. I now use the "
                "same self-testing to prepare for rounds at Mulago Hospital.")
    tally = RewriteTally()
    result = model_rewrite(lambda _prompt: "  " + faithful + "\n", DRAFT, [DRAFT], DocKind.PERSONAL_STATEMENT,
                           tally=tally)
    assert result.kept and result.text == faithful and result.reason == ""
    assert tally.kept == 1 and not tally.discarded


def test_size_empty_answers_and_failing_models_are_discarded_with_their_reason() -> None:
    tally = RewriteTally()
    one_sentence = model_rewrite(lambda _p: "I did not pass Step 1.", DRAFT, [DRAFT], DocKind.PERSONAL_STATEMENT,
                                 tally=tally)
    empty = model_rewrite(lambda _p: "   ", DRAFT, [DRAFT], DocKind.PERSONAL_STATEMENT, tally=tally)

    def broken(_prompt: str) -> str:
        raise TimeoutError("the server did not answer")

    error = model_rewrite(broken, DRAFT, [DRAFT], DocKind.PERSONAL_STATEMENT, tally=tally)
    assert (one_sentence.reason, empty.reason, error.reason) == ("length", "empty", "error")
    assert tally.discarded == {"length": 1, "empty": 1, "error": 1}


def test_an_interview_rewrite_is_judged_by_spoken_length() -> None:
    sentence = "I didn't pass Step 1 on my first attempt, and I rebuilt my preparation around UWorld. "
    short = check_rewrite(sentence * 2, [DRAFT], DocKind.INTERVIEW_ANSWER)
    right = check_rewrite(sentence * 6, [DRAFT], DocKind.INTERVIEW_ANSWER)
    assert short.reason == "length" and right.kept
    assert "75-150 words" in rewrite_prompt(DRAFT, DocKind.INTERVIEW_ANSWER)


# --- the rules outline ----------------------------------------------------------------------------------------


def _sample(rel: str, rubrics):
    path = SAMPLES / rel
    return review_file(path, rubrics, Settings(), manifest=load_manifest(path.parent))


def test_outline_follows_the_guide_and_uses_only_the_drafts_facts(rubrics) -> None:
    doc = make_doc(DRAFT)
    review = review_document(doc, rubrics)
    found = outline(review, doc)
    assert found is not None
    assert [s.label for s in found.steps] == ["What happened (briefly)", "What changed", "Evidence since",
                                             "Pivot to your strengths"]
    happened, changed, evidence, _ = found.steps
    assert happened.text.startswith("I did not pass Step 1 on my first attempt")
    assert "UWorld" in changed.text and "timed NBME self-assessments" in changed.text and changed.filled
    assert evidence.text == "After that, I passed Step 1 on my second attempt and scored 226 on Step 2 CK."
    assert new_facts(found.filled_text, [doc.text]) == []
    assert found.target == "2-4 sentences"


def test_outline_marks_blanks_for_what_the_draft_does_not_say(rubrics) -> None:
    doc = make_doc("I failed Step 1. It was not my fault: the testing center was noisy. I hope programs will "
                   "still give me a chance.")
    found = outline(review_document(doc, rubrics), doc)
    assert found is not None
    blanks = [s.label for s in found.steps if not s.filled]
    assert blanks == ["What happened (briefly)", "What changed", "Evidence since", "Pivot to your strengths"]
    assert all(BLANK.search(s.text) for s in found.steps)
    assert new_facts(found.filled_text, [doc.text]) == []


@pytest.mark.parametrize("rel", ["rahul-mehta/ps_draft.docx", "rahul-mehta/interview_answer.txt",
                                 "rahul-mehta/additional_information.md"])
def test_sample_outlines_state_only_the_applicants_facts(rel: str, rubrics) -> None:
    item = _sample(rel, rubrics)
    found = outline(item.review, item.document)
    assert found is not None
    assert new_facts(found.filled_text, [item.document.text]) == []
    assert "Step 2 CK" in found.steps[2].text


def test_interview_outline_is_spoken_and_sized_for_an_answer(rubrics) -> None:
    item = _sample("rahul-mehta/interview_answer.txt", rubrics)
    found = outline(item.review, item.document)
    assert found is not None and found.kind is DocKind.INTERVIEW_ANSWER
    assert found.steps[0].text.startswith("I didn't pass Step 1")
    assert found.steps[2].text == "That led to scoring 229 on Step 2 CK."
    assert found.target.startswith("75-150 words")


def test_no_outline_when_the_discussion_already_passes_or_there_is_none(rubrics) -> None:
    strong = _sample("amara-okafor/interview_step1.txt", rubrics)
    assert outline(strong.review, strong.document) is None
    plain = make_doc("I worked in a rural clinic for two years and led a vaccination drive.")
    assert outline(review_document(plain, rubrics), plain) is None



def test_a_name_after_a_pronoun_and_a_connector_word_is_the_name_alone() -> None:
    from reviewer.rewrite import new_facts

    assert new_facts("I am Amara Okafor and I passed Step 1.", ["My name is Amara Okafor. I passed Step 1."]) == []
