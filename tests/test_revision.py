"""Revision matching: resolved / persisting / new across two drafts, on real reviews of edited texts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reviewer.findings import (
    Change,
    CriterionResult,
    DocumentInfo,
    Finding,
    Review,
    RevisionSummary,
    Severity,
    Verdict,
)
from reviewer.pipeline import review_document
from reviewer.render.json import review_json
from reviewer.render.markdown import review_markdown
from reviewer.revision import compare, counts, match, normalise, similarity

from conftest import make_doc

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/reviewer/schemas/review-1.schema.json").read_text())

KAISER = "I am applying to Kaiser Permanente internal medicine because of its integrated care model."
DRAFT_1 = f"""{KAISER}

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I was completly devastated. I changed my approach with timed question blocks and passed on my second attempt, \
then scored 241 on Step 2 CK."""


def _review(text: str, rubrics):
    return review_document(make_doc(text, path="ps.txt"), rubrics)


def _by(summary: RevisionSummary, status: Change) -> list[tuple[str, str]]:
    return [(f.criterion, f.quote) for f in summary.of(status)]


def test_typo_fixed_stays_persisting(rubrics) -> None:
    before = _review(DRAFT_1, rubrics)
    after = _review(DRAFT_1.replace("completly", "completely"), rubrics)
    s = compare(before, after, round=2, previous_round=1)
    assert ("score.emotion", "I was completely devastated.") in _by(s, Change.PERSISTING)
    assert not s.of(Change.RESOLVED) and not s.of(Change.NEW)
    persisting = next(f for f in s.findings if f.criterion == "score.emotion")
    assert persisting.previous_quote == "I was completly devastated."
    assert after.document.text_digest != before.document.text_digest


def test_rewritten_excuse_is_resolved_and_new_emotion_is_new(rubrics) -> None:
    before = _review(DRAFT_1, rubrics)
    draft_2 = DRAFT_1.replace(
        "It was not my fault, the exam was unfair to international students.",
        "I had not yet learned to study with timed question blocks.",
    ).replace("I was completly devastated.", "I was completly devastated. I felt ashamed of myself.")
    after = _review(draft_2, rubrics)
    assert before.findings_for("score.excuse") and not after.findings_for("score.excuse")
    s = compare(before, after, round=2, previous_round=1)
    resolved = _by(s, Change.RESOLVED)
    assert resolved and all(c == "score.excuse" for c, _ in resolved)
    assert all("not my fault" in q for _, q in resolved)
    assert ("score.emotion", "I felt ashamed of myself.") in _by(s, Change.NEW)
    assert ("score.emotion", "I was completly devastated.") in _by(s, Change.PERSISTING)
    verdicts = {v.id: (v.before, v.after) for v in s.verdicts}
    assert verdicts["score.excuse"] == (Verdict.FAIL, Verdict.PASS)
    assert s.round == 2 and s.previous_round == 1 and s.previous_sha256 == before.document.sha256


def test_edits_around_a_sentence_do_not_break_its_match(rubrics) -> None:
    before = _review(DRAFT_1, rubrics)
    draft_2 = ("My path to medicine began in Lagos, where I trained in a busy public hospital.\n\n"
               + DRAFT_1.replace("I was completly devastated.", "Honestly, I was completly devastated by it."))
    after = _review(draft_2, rubrics)
    s = compare(before, after, round=2, previous_round=1)
    emotion = [f for f in s.findings if f.criterion == "score.emotion"]
    assert [f.status for f in emotion] == [Change.PERSISTING]
    assert emotion[0].start is not None and emotion[0].start > before.findings_for("score.emotion")[0].start


def test_unchanged_draft_is_all_persisting(rubrics) -> None:
    review = _review(DRAFT_1, rubrics)
    s = compare(review, review, round=3, previous_round=2)
    open_points = [f for f in review.findings if f.verdict in (Verdict.WARN, Verdict.FAIL)]
    assert counts(s) == {"resolved": 0, "persisting": len(open_points), "new": 0}
    assert all(v.before == v.after for v in s.verdicts)


def _finding(criterion: str, quote: str, start: int = 10) -> Finding:
    return Finding(criterion=criterion, verdict=Verdict.WARN, severity=Severity.WARNING, start=start,
                   end=start + len(quote), quote=quote, message="m")


def _bare(findings: list[Finding], criteria: dict[str, Verdict], sha: str = "a" * 64) -> Review:
    from reviewer.document import DocKind

    info = DocumentInfo(path="x.txt", kind=DocKind.PERSONAL_STATEMENT, sha256=sha, words=1, characters=1)
    return Review(document=info, criteria=tuple(CriterionResult(id=k, verdict=v, message="") for k, v in
                                                criteria.items()), findings=tuple(findings))


def test_matching_is_one_to_one_and_criterion_bound() -> None:
    quote = "It was not my fault, the exam was unfair to me."
    prev = [_finding("score.excuse", quote, 10), _finding("score.excuse", quote, 10)]
    cur = [_finding("score.excuse", quote, 40), _finding("score.emotion", quote, 40)]
    assert match(prev, cur) == [(0, 0)]
    s = compare(_bare(prev, {}), _bare(cur, {}), round=2, previous_round=1)
    assert counts(s) == {"resolved": 1, "persisting": 1, "new": 1}


def test_document_level_findings_match_at_the_start() -> None:
    prev = _finding("kaiser.why_specific", "", 0)
    assert similarity(prev, _finding("kaiser.why_specific", "", 0)) == 100
    assert similarity(prev, _finding("kaiser.why_specific", "", 50)) == 0
    assert similarity(prev, _finding("kaiser.values", "", 0)) == 0


def test_short_quotes_need_a_close_match() -> None:
    # token_set_ratio would call these the same (one shared word); short quotes use plain ratio only.
    assert similarity(_finding("score.emotion", "devastated"), _finding("score.emotion", "so devastated, ashamed")) < 80
    assert normalise("It’s  NOT\nmy fault") == "it's not my fault"


def test_verdicts_that_appear_or_disappear() -> None:
    s = compare(_bare([], {"a.x": Verdict.FAIL, "a.y": Verdict.PASS}),
                _bare([], {"a.y": Verdict.WARN, "a.z": Verdict.PASS}), round=2, previous_round=1)
    assert [(v.id, v.before, v.after) for v in s.verdicts] == [
        ("a.y", Verdict.PASS, Verdict.WARN), ("a.z", None, Verdict.PASS), ("a.x", Verdict.FAIL, None)]


def test_outputs_carry_the_revision_and_only_then(rubrics) -> None:
    before = _review(DRAFT_1, rubrics)
    after = _review(DRAFT_1.replace("It was not my fault, the exam was unfair to international students. ", ""),
                    rubrics)
    assert "revision" not in review_json(after)
    assert "Since your last draft" not in review_markdown(after)
    revised = after.model_copy(update={"revision": compare(before, after, round=2, previous_round=1)})
    data = review_json(revised)
    jsonschema.validate(data, SCHEMA)
    assert data["revision"]["counts"]["resolved"] >= 1
    assert {f["status"] for f in data["revision"]["findings"]} >= {"resolved", "persisting"}
    md = review_markdown(revised)
    assert "## Since your last draft" in md and "### Resolved" in md and "not my fault" in md
    assert "| `score.excuse` | FAIL | PASS |" in md


@pytest.mark.parametrize("threshold", [50.0, 99.0])
def test_threshold_is_respected(threshold: float) -> None:
    a = _finding("score.excuse", "The exam was unfair to international students like me.")
    b = _finding("score.excuse", "The exam was quite unfair to foreign graduates like me.")
    score = similarity(a, b)
    assert 50 < score < 99
    assert bool(match([a], [b], threshold=threshold)) is (score >= threshold)
