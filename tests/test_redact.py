"""Redaction coverage, table-driven: every identifier format must be replaced (and restored exactly), and
ordinary application content (scores, years, percentages, counts, rotation dates) must be left alone."""

from __future__ import annotations

import pytest

from faultstub import FaultStub
from reviewer.document import DocKind
from reviewer.ingest.memory import from_text
from reviewer.llm import LLMConfig, MethodMemory, make_judge
from reviewer.llm.engine import review_llm
from reviewer.redact import find_names, redact, restore

APPLICANT = "José García"

# (draft text, the values that must not survive redaction)
LEAKS: list[tuple[str, tuple[str, ...]]] = [
    # the applicant's own name, in any case, with or without diacritics, alone, possessive
    ("JOSÉ GARCÍA, MD candidate", ("JOSÉ", "GARCÍA")),
    ("jose garcia wrote this", ("jose", "garcia")),
    ("José Garcia trained in Bogotá.", ("José", "Garcia")),
    ("Jose Garcia trained in Bogotá.", ("Jose", "Garcia")),
    ("Garcia's approach to patients", ("Garcia",)),
    ("García’s approach to patients", ("García",)),
    ("GARCIA'S approach", ("GARCIA",)),
    ("Everyone called me José.", ("José",)),
    ("Everyone called me JOSE.", ("JOSE",)),
    ("Dr. Garcia, the resident", ("Garcia",)),
    ("Signed: garcía", ("garcía",)),
    ("Jose\u0301 Garci\u0301a (decomposed accents)", ("Jose", "Garci")),
    # phone numbers: international, UK, bare, toll-free, other dashes and spaces
    ("Call me on +44 20 7946 0958 anytime.", ("7946", "0958")),
    ("WhatsApp +91 98765 43210.", ("98765", "43210")),
    ("Home: (020) 7946 0958.", ("7946 0958",)),
    ("Mobile 020 7946 0958 or 07700 900123.", ("7946 0958", "900123")),
    ("Reach me at 4155550142.", ("4155550142",)),
    ("Toll-free 1-800-555-0199.", ("555-0199", "800")),
    ("Phone 415\u2011555\u20110142 (non-breaking hyphens).", ("0142",)),
    ("Phone 415\u2013555\u20130142 (en dashes).", ("0142",)),
    ("Phone 415\u2014555\u20130142 / 415\u2212555\u22120143.", ("0142", "0143")),
    ("Phone 415\u00a0555\u00a00142 (no-break spaces).", ("0142",)),
    ("Phone +234\u2009803\u2009123\u20094567.", ("803", "4567")),
    ("Cell +1 (415) 555-0199, office (415) 555-0123.", ("555-0199", "555-0123")),
    ("+33 1 23 45 67 89 in Paris", ("23 45 67 89",)),
    # AAMC, ECFMG and USMLE IDs
    ("AAMC #: 1452-3679", ("1452-3679", "3679")),
    ("My AAMC ID is 14 523 680.", ("14 523 680", "523")),
    ("AAMC ID: 14 523 680", ("14 523 680",)),
    ("14 523 680 is my AAMC number", ("14 523 680",)),
    ("AAMCID14523686", ("14523686",)),
    ("My AAMC ID number is 14523686.", ("14523686",)),
    ("aamc id no. 1452 3686", ("1452 3686",)),
    ("ECFMG #: 0-123-456-7", ("0-123-456-7", "456")),
    ("ECFMG ID 0\u2011123\u2011456\u20117", ("456",)),
    ("ECFMG number is 01234567", ("01234567",)),
    ("ECFMGID01234567", ("01234567",)),
    ("USMLE ID: 5-123-456-7", ("5-123-456-7",)),
    ("USMLE ID number 5 123 456 7", ("123 456",)),
    ("USMLE #51234567", ("51234567",)),
    ("ID: 52345678", ("52345678",)),
    # e-mail addresses, internationalised ones included
    ("Write to josé.garcía@correo.es today.", ("correo", "garcía@")),
    ("Write to 用户@例子.广告 today.", ("用户", "例子")),
    ("Write to name@xn--bcher-kva.example please.", ("xn--bcher", "name@")),
    ("Write to jose@xn--e1afmkfd.xn--p1ai.", ("p1ai", "e1afmkfd")),
    ("Write to 'J.Garcia+eras@Example.COM'.", ("Example.COM", "eras@")),
    ("Write to jose\uff20example.org.", ("example.org",)),
    # dates of birth written in words or numbers
    ("I was born on the fourth of July, 1994, in Cali.", ("fourth", "July", "1994")),
    ("DOB: 4 July 1994", ("4 July", "1994")),
    ("date of birth: July 4th, 1994", ("July 4th", "1994")),
    ("DATE OF BIRTH: JULY 4TH, 1994", ("JULY", "1994")),
    ("Date of Birth - 04/07/1994", ("04/07/1994",)),
    ("D.O.B. 1994-07-04", ("1994-07-04",)),
    ("Birth date: the twenty-first of March 1993", ("twenty-first", "1993")),
    ("I was born in July 1994 in Cali.", ("July 1994",)),
    ("born July the 4th, 1994", ("4th", "1994")),
    ("My birthday is 4th July.", ("4th July",)),
]

# text that must come back exactly as written (with the applicant's name given)
ORDINARY: list[str] = [
    "I scored 233 on Step 1 and 245 on Step 2 CK in 2021.",
    "USMLE Step 2 CK: 250 (2023); Step 1: Pass.",
    "I passed Step 2 CK on my first attempt and ranked in the 95th percentile.",
    "Readmissions fell by 23% and adherence rose to 87.5 percent.",
    "I cared for 1,200 patients, about 25 patients a day, 40-60 per week.",
    "Rotations: 03/2022 - 08/2023 in Lagos, 09/2023 – 02/2024 in Accra.",
    "Internal medicine residency, 2019-2021; research fellowship 2021–2023.",
    "From July 2019 to June 2020 I led a quality project; on July 4th, 2021 I started.",
    "Dates 12.03.2021 and 2022-03-15 were exam days.",
    "Published in Lancet. 2021;397:1452-1460.",
    "ID fellowship 2022-2024, then ECFMG certification in 2021 and NRMP Match 2024.",
    "I will go where I am needed, and I hope to grow with grace.",
    "I was born and raised in Lagos in 1994, the third of five children.",
    "PGY-1 rotations, ICD-10 coding, COVID-19 wards, HbA1c from 9.2 to 7.1.",
    "AAMC data show 2,345 IMGs matched; ERAS opens 6 June.",
    "Thank you,\nThe Applicant",
]


@pytest.mark.parametrize(("text", "values"), LEAKS, ids=[t[:40] for t, _ in LEAKS])
def test_every_identifier_format_is_replaced_and_restored(text: str, values: tuple[str, ...]) -> None:
    red, mapping = redact(text, [APPLICANT])
    for value in values:
        assert value not in red, (value, red)
    assert mapping and all(p in red for p in mapping)
    assert restore(red, mapping) == text


@pytest.mark.parametrize("text", ORDINARY, ids=[t[:40] for t in ORDINARY])
def test_ordinary_content_is_not_redacted(text: str) -> None:
    red, mapping = redact(text, [APPLICANT])
    assert (red, mapping) == (text, {})


def test_name_parts_that_are_words_are_replaced_only_where_capitalised() -> None:
    text = "Will Hope-Smith: I will hope for the best. WILL wrote this; Hope and Smith agree. smith is fine."
    red, mapping = redact(text, ["Will Hope-Smith"])
    assert "I will hope for the best" in red
    assert "Will" not in red and "WILL" not in red and "Hope" not in red and "Smith" not in red
    assert "smith is fine" in red  # "smith" is also a word: lower case is left alone
    assert restore(red, mapping) == text


def test_two_letter_name_parts_and_particles() -> None:
    red, _ = redact("Dr. Li wrote; I lie low. Maria de la Cruz and CRUZ; de facto.", ["Wei Li", "Maria de la Cruz"])
    assert "Li " not in red and "I lie low" in red
    assert "Cruz" not in red and "CRUZ" not in red and "de facto" in red


def test_distinct_spellings_get_distinct_placeholders_and_restore_exactly() -> None:
    text = "García, GARCÍA and garcia; García again."
    red, mapping = redact(text, [APPLICANT])
    assert red.count("[NAME_1]") == 2 and len(mapping) == 3
    assert restore(red, mapping) == text


def test_find_names_keeps_its_contract() -> None:
    names = find_names("Dr. José Pérez-Ruiz taught me.\n\nSincerely,\nAmara N. Okafor", ["Wei Li, MD"])
    assert names[:3] == ["Wei Li, MD", "Wei", "Li"]
    assert "José Pérez-Ruiz" in names and "Pérez" in names and "Ruiz" in names
    assert "Amara N. Okafor" in names and "Okafor" in names
    assert find_names("Thank you,\nThe Applicant") == [] and find_names("Sincerely,\nthe residency team") == []


def test_redacted_values_are_restored_in_the_feedback(tmp_path: object) -> None:
    """The stub quotes the draft's first sentence, which holds identifiers: the model sees placeholders, the
    feedback shows the real values (restored, then grounded in the original text)."""
    from reviewer.checks.rules import review_rules
    from reviewer.rubric import load_rubrics

    first = ("JOSÉ GARCIA (josé.garcía@correo.es, +44 20 7946 0958, AAMC #: 1452-3679) failed Step 1 once "
             "and then scored 245 on Step 2 CK.")
    text = (f"{first} I changed how I studied, with timed blocks and weekly self-assessments. I was born on the "
            "fourth of July, 1994, and garcia's family still calls on 415\u2011555\u20110142.")
    doc = from_text(text, DocKind.INTERVIEW_ANSWER, path="interview_answer.txt")
    rubrics = load_rubrics()
    with FaultStub() as stub:
        config = LLMConfig(model="stub-model", base_url=stub.base_url, local_only=True, redact=True, max_retries=0)
        outcome = review_llm(doc, rubrics, config, make_judge(config), rules=review_rules(doc, rubrics),
                             mode="hybrid", names=[APPLICANT], memory=MethodMemory(None))
    sent = b"\n".join(stub.raw_bodies).decode("utf-8")
    assert stub.calls > 0
    for value in ("GARCIA", "garcia", "correo", "7946", "1452-3679", "fourth of July", "0142"):
        assert value not in sent, value
    llm = [f for f in outcome.findings if f.source.value == "llm"]
    assert llm and any(first in f.quote for f in llm)
    assert all("[NAME_" not in f.quote + f.message + f.suggestion for f in llm)
