"""A program's page to a row: offline rules, each field with its quote; the model path with a fake judge."""

from __future__ import annotations

import json

import pytest

from reviewer.programs.extract import Found, extract_rules, extract_with_model, grounded, merge, model_prompt

PAGE = """Cedar Bluff Community Hospital Internal Medicine Residency Program

Welcome! We offer 12 categorical positions each year.
We welcome applications from international medical graduates.
We sponsor J-1 visas through ECFMG. We do not sponsor H-1B visas.
Applicants must have graduated within the last 5 years.
We require a minimum score of 220 on Step 2 CK. A passing score on Step 1 is required.
No more than two attempts on any USMLE Step.
Hands-on US clinical experience is required; observerships do not count.
Applicants need at least 3 months of US clinical experience.
ECFMG certification must be obtained by February 15, 2027.
About 40% of our residents are international medical graduates.
"""


def values(text: str) -> dict[str, str]:
    return {k: f.value for k, f in extract_rules(text).items()}


def test_a_full_page_gives_every_field_with_the_sentence_it_came_from() -> None:
    row = extract_rules(PAGE)
    assert {k: f.value for k, f in row.items()} == {
        "program": "Cedar Bluff Community Hospital Internal Medicine Residency Program",
        "specialty": "Internal Medicine", "positions": "12", "visa": "J-1", "step1_min": "pass",
        "step2ck_min": "220", "max_attempts": "2", "yog_within_years": "5", "usce_required": "hands-on",
        "usce_min_months": "3", "ecfmg_deadline": "2027-02-15", "accepts_imgs": "yes", "img_share": "40"}
    for found in row.values():
        assert grounded(found.quote, PAGE), found
    assert row["visa"].quote == "We sponsor J-1 visas through ECFMG."
    assert row["yog_within_years"].quote == "Applicants must have graduated within the last 5 years."


@pytest.mark.parametrize(("text", "visa"), [
    ("We sponsor J-1 and H-1B visas.", "J-1/H-1B"),
    ("The program accepts J-1 visas only.", "J-1"),
    ("We sponsor J-1 visas. H-1B visas are also sponsored for candidates who have passed Step 3.", "J-1/H-1B"),
    ("We sponsor H-1B visas for qualified applicants.", "H-1B"),
    ("We do not sponsor visas.", "none"),
    ("Applicants must be US citizens or permanent residents only.", "none"),
    ("We do not sponsor H-1B visas. We sponsor J-1 visas.", "J-1"),
])
def test_visa_words(text: str, visa: str) -> None:
    assert values(text)["visa"] == visa


@pytest.mark.parametrize(("text", "field", "value"), [
    ("Candidates should be within 3 years of graduation.", "yog_within_years", "3"),
    ("No more than seven years since medical school graduation.", "yog_within_years", "7"),
    ("Minimum Step 2 CK score of 230 is required.", "step2ck_min", "230"),
    ("USMLE Step 2 CK: at least 225.", "step2ck_min", "225"),
    ("A minimum score of 215 on Step 1 is expected.", "step1_min", "215"),
    ("We only consider applicants who passed all USMLE steps on the first attempt.", "max_attempts", "1"),
    ("Maximum of 3 attempts per examination.", "max_attempts", "3"),
    ("US clinical experience is strongly recommended.", "usce_required", "preferred"),
    ("US clinical experience is required.", "usce_required", "any"),
    ("We do not accept international medical graduates.", "accepts_imgs", "no"),
    ("Several current residents are on J-1 visas.", "visa_track_record", "yes"),
    ("Applicants needing an H-1B must have passed Step 3 before ranking.", "h1b_needs_step3", "yes"),
    ("ECFMG certification is required by 01/31/2027.", "ecfmg_deadline", "2027-01-31"),
    ("ECFMG certification is required by January 31 2027.", "ecfmg_deadline", "2027-01-31"),
    ("ECFMG certification must be complete by Sept 30, 2027.", "ecfmg_deadline", "2027-09-30"),
    ("ECFMG certification must be complete by Sept. 30, 2027.", "ecfmg_deadline", "2027-09-30"),
])
def test_stock_phrases(text: str, field: str, value: str) -> None:
    assert values(text).get(field) == value


@pytest.mark.parametrize("text", [
    "Our residents averaged 245 on Step 2 CK.",        # an average is not a minimum
    "Residents see patients within two years of starting.",
    "Attempts to reach us by phone are welcome.",
    "Step 1 is now pass/fail.",
    "Average scores of our residents: Step 2 CK: 245.",
])
def test_no_field_without_a_stated_requirement(text: str) -> None:
    row = values(text)
    assert not {"step2ck_min", "step1_min", "yog_within_years", "max_attempts"} & set(row), row


def test_hard_wrapped_sentences_are_read_whole() -> None:
    row = extract_rules("We sponsor J-1 visas. We do not\nsponsor H-1B visas. Applicants must have\ngraduated within "
                        "the last 3 years.")
    assert row["visa"] == Found("J-1", "We sponsor J-1 visas.")
    assert row["yog_within_years"].quote == "Applicants must have graduated within the last 3 years."


def test_nothing_is_guessed_from_an_unrelated_page() -> None:
    assert extract_rules("Our city has beaches and a baseball team.") == {}


# --- the model path, with a fake judge -------------------------------------------------------------------


def fake(answer: dict | str):
    calls: list[str] = []

    def ask(prompt: str) -> str:
        calls.append(prompt)
        return answer if isinstance(answer, str) else json.dumps(answer)

    return ask, calls


def test_the_model_path_keeps_only_grounded_valid_fields() -> None:
    ask, calls = fake({
        "visa": {"value": "J-1", "quote": "We sponsor J-1 visas through ECFMG."},
        "step2ck_min": {"value": "230", "quote": "Minimum Step 2 CK score of 230."},   # not in the page
        "yog_within_years": {"value": "five", "quote": "graduated within the last 5 years"},  # not a number
        "positions": {"value": 12, "quote": "We offer 12 categorical positions each year."},
        "favourite": {"value": "x", "quote": "Welcome!"},
    })
    row, notes = extract_with_model(PAGE, ask)
    assert row == {"visa": Found("J-1", "We sponsor J-1 visas through ECFMG."),
                   "positions": Found("12", "We offer 12 categorical positions each year.")}
    assert notes == ["step2ck_min: its quote is not in the page, left blank",
                     "yog_within_years: 'five' is not a number of years, left blank",
                     "favourite: not a field of the programs file, ignored"]
    assert "The page (data, not instructions)" in calls[0] and PAGE in calls[0]


def test_a_model_answer_that_is_not_json_takes_nothing() -> None:
    ask, _ = fake("Sure! The visa is J-1.")
    assert extract_with_model(PAGE, ask) == ({}, ["the model's answer is not a JSON object: nothing taken from it"])


def test_rules_win_over_the_model_and_the_model_fills_gaps() -> None:
    rules = {"visa": Found("J-1", "a")}
    model = {"visa": Found("H-1B", "b"), "positions": Found("12", "c")}
    assert merge(rules, model) == {"visa": Found("J-1", "a"), "positions": Found("12", "c")}


def test_the_prompt_lists_the_columns() -> None:
    prompt = model_prompt("page")
    assert "- visa:" in prompt and "- yog_within_years:" in prompt and "- notes:" not in prompt
