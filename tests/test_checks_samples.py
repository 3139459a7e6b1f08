"""The score, interview and integrity criteria on the sample applicant folders, against the verdicts
samples/README.md asks for (a regression net over realistic, whole drafts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import Context
from reviewer.checks.rules import run_criterion
from reviewer.document import DocKind
from reviewer.findings import Verdict
from reviewer.rubric import RubricSet

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
P, W, F, NA = Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.NOT_APPLICABLE
IDS = (
    "score.mention",
    "score.length",
    "score.excuse",
    "score.emotion",
    "score.what_changed",
    "score.evidence",
    "score.pivot",
    "interview.length",
    "integrity.hidden_text",
    "integrity.instructions",
)
EXPECTED = {
    ("amara-okafor/personal_statement.docx", DocKind.PERSONAL_STATEMENT): (P, P, P, P, P, P, P, NA, P, P),
    ("amara-okafor/additional_info.txt", DocKind.ADDITIONAL_INFO): (NA, NA, NA, NA, NA, NA, NA, NA, P, P),
    ("amara-okafor/interview_step1.txt", DocKind.INTERVIEW_ANSWER): (P, NA, P, P, P, P, P, P, P, P),
    ("rahul-mehta/ps_draft.docx", DocKind.PERSONAL_STATEMENT): (P, F, F, F, F, P, W, NA, F, F),
    ("rahul-mehta/additional_information.md", DocKind.ADDITIONAL_INFO): (P, F, F, F, F, P, W, NA, P, P),
    ("rahul-mehta/interview_answer.txt", DocKind.INTERVIEW_ANSWER): (P, NA, F, F, F, P, W, F, P, P),
    ("lucia-fernandez/personal_statement.md", DocKind.PERSONAL_STATEMENT): (P, P, P, P, P, P, P, NA, P, P),
    ("lucia-fernandez/additional_info.docx", DocKind.ADDITIONAL_INFO): (P, P, P, P, P, P, P, NA, P, P),
    ("lucia-fernandez/interview_score.txt", DocKind.INTERVIEW_ANSWER): (P, NA, P, P, P, P, P, W, P, P),
    ("lucia-fernandez-general/personal_statement_general.txt", DocKind.PERSONAL_STATEMENT): (
        P,
        P,
        P,
        P,
        P,
        P,
        P,
        NA,
        P,
        P,
    ),
}


@pytest.mark.parametrize(("name", "kind"), list(EXPECTED))
def test_sample_verdicts(rubrics: RubricSet, name: str, kind: DocKind) -> None:
    from reviewer.ingest import load_document

    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample {name} not present")
    ctx = Context(load_document(path, kind))
    got = {}
    for cid in IDS:
        rubric, criterion = rubrics.get(cid)
        got[cid] = run_criterion(ctx, rubric, criterion).verdict
    assert got == dict(zip(IDS, EXPECTED[(name, kind)], strict=True))


def test_rahul_statement_discussion_ends_on_the_apology() -> None:
    from reviewer.checks.score import score_discussion
    from reviewer.ingest import load_document

    path = SAMPLES / "rahul-mehta/ps_draft.docx"
    if not path.exists():
        pytest.skip("sample not present")
    disc = score_discussion(Context(load_document(path, DocKind.PERSONAL_STATEMENT)))
    assert disc is not None and len(disc) == 7
    assert disc.sentences[-1].text.startswith("I deeply apologize to the program")
