"""What the applicant reads: comments (short, quoted, merged per sentence, capped), what's working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reviewer.document import Document
from reviewer.findings import Finding, Review, Severity, Verdict
from reviewer.kinds import load_manifest
from reviewer.pipeline import Reviewed, discover, review_document, review_file
from reviewer.render.advice import MAX_COMMENTS, advise, clause_around, first_sentence, split_message
from reviewer.settings import Settings
from reviewer.strengths import strengths

from conftest import SAMPLES, make_doc

SAMPLE_FILES = sorted(p for folder in SAMPLES.iterdir() if folder.is_dir() for p in discover(folder))
QUOTE = re.compile(r"“([^”]+)”")


@pytest.fixture(scope="module")
def reviewed(rubrics) -> dict[str, Reviewed]:
    return {f"{p.parent.name}/{p.name}": review_file(p, rubrics, Settings(), manifest=load_manifest(p.parent))
            for p in SAMPLE_FILES}


def _visible_or_hidden(doc: Document) -> str:
    return " ".join((doc.text + " " + " ".join(h.text for h in doc.hidden)).split())


@pytest.mark.parametrize("name", [f"{p.parent.name}/{p.name}" for p in SAMPLE_FILES])
def test_sample_comments_are_short_quoted_and_one_per_sentence(name: str, reviewed, rubrics) -> None:
    item = reviewed[name]
    doc, review = item.document, item.review
    advice = advise(review, doc)
    ids = [cid for _, c in rubrics.criteria() for cid in (c.id,)]
    taken: set[int] = set()
    assert len(advice.comments) <= MAX_COMMENTS
    for c in (*advice.comments, *advice.more):
        sentences = doc.sentences_in(c.start, c.end)
        assert len(sentences) == 1, "a comment sits within one sentence"
        assert sentences[0].index not in taken, "at most one comment per sentence"
        taken.add(sentences[0].index)
        assert all(p.verdict in (Verdict.WARN, Verdict.FAIL) for p in c.points), "no comment on a pass"
        text = c.text
        assert not any(cid in text for cid in ids), text  # ids stay in JSON
        for point in c.points:
            assert point.problem.endswith(".") and point.problem.count("\n") == 0
            for quoted in QUOTE.findall(point.problem):  # the applicant's own words, never a lexicon
                words = " ".join(quoted.strip("…").split())
                assert words in _visible_or_hidden(doc), (words, point.problem)
    criteria = {c.id: c.verdict for c in review.criteria}
    for s in advice.working:  # what's working rests on passing criteria and quotes the draft
        assert criteria[s.criterion] is Verdict.PASS
        assert s.quote.strip("…").split()[0] in doc.text


def test_generic_kaiser_reasons_quote_the_draft_not_the_lexicon(reviewed) -> None:
    item = reviewed["rahul-mehta/ps_draft.docx"]
    comments = advise(item.review, item.document).comments
    why = next(c for c in comments for p in c.points if p.criterion == "kaiser.why_specific")
    text = why.text
    assert "“…one of the most famous and prestigious healthcare organizations in the country”" in text
    assert "california, famous" not in text.lower() and "(best, big" not in text


def test_one_point_per_criterion_per_paragraph_and_the_rewrite_on_the_discussion(reviewed) -> None:
    item = reviewed["rahul-mehta/ps_draft.docx"]
    advice = advise(item.review, item.document)
    excuse = [c for c in advice.comments if any(p.criterion == "score.excuse" for p in c.points)]
    assert len(excuse) == 1  # four excuse phrases in two sentences of one paragraph: one point
    (point,) = [p for p in excuse[0].points if p.criterion == "score.excuse"]
    # the first two of its excuse sentences, quoted as the applicant wrote them
    assert QUOTE.findall(point.problem) == [
        "the exam was unfair to international students",
        "the questions were written for American students and tested topics that were…",
    ]
    assert advice.rewrite is not None
    (on_discussion,) = [c for c in advice.comments if c.outline is not None]
    on = item.document.text[on_discussion.start:on_discussion.end]
    assert on == "Unfortunately, I must also address my USMLE Step 1."
    assert "Suggested rewrite, built only from what your draft says" in on_discussion.text
    assert {p.criterion for p in on_discussion.points} == {"score.length", "score.what_changed"}


def test_no_comments_on_a_draft_that_passes_and_whats_working_names_its_strengths(reviewed) -> None:
    item = reviewed["amara-okafor/personal_statement.docx"]
    advice = advise(item.review, item.document)
    assert advice.comments == () and advice.more == () and advice.rewrite is None
    assert [s.title for s in advice.working] == ["A specific reason for Kaiser",
                                                 "A calm account of the score, without excuses",
                                                 "A measured outcome"]
    assert "from 31% to 14%" in advice.working[2].quote


def _failing(doc: Document, n: int, verdict: Verdict) -> list[Finding]:
    out = []
    for s in doc.sentences[:n]:
        out.append(Finding(criterion=f"demo.c{s.index}", verdict=verdict,
                           severity=Severity.ERROR if verdict is Verdict.FAIL else Severity.WARNING,
                           start=s.start, end=s.end, quote=s.text, message="A problem.", suggestion="A fix."))
    return out


def test_comments_are_capped_per_document_most_serious_first(rubrics) -> None:
    doc = make_doc("\n\n".join(f"Paragraph {i} says something plain." for i in range(12)))
    base = review_document(doc, rubrics)
    findings = _failing(doc, 12, Verdict.WARN)
    findings[10] = findings[10].model_copy(update={"verdict": Verdict.FAIL, "severity": Severity.ERROR})
    review = base.model_copy(update={"findings": tuple(findings)})
    advice = advise(review, doc)
    assert len(advice.comments) == MAX_COMMENTS and len(advice.more) == 12 - MAX_COMMENTS
    starts = [c.start for c in advice.comments]
    assert starts == sorted(starts)  # in document order
    assert findings[10].start in starts  # the fail is kept although it comes late


def test_clause_around_keeps_the_applicants_clause() -> None:
    sentence = ("Honestly, the exam was unfair to international students, because the questions were written "
                "for American students.")
    assert clause_around(sentence, "unfair") == "the exam was unfair to international students"
    assert clause_around("I failed, and I was devastated by it.", "devastated") == "I was devastated by it"
    assert clause_around("Plain sentence.", "hidden words not in it") == "hidden words not in it"


def test_messages_split_into_criterion_message_and_note() -> None:
    assert split_message('The score discussion dwells on feelings. (dramatic distress: "devastated")') == (
        "The score discussion dwells on feelings.", 'dramatic distress: "devastated"')
    assert split_message("No note here.") == ("No note here.", "")
    assert first_sentence("Add a number: patients per day. The guide says so.") == "Add a number: patients per day."


def test_strengths_need_a_pass(rubrics) -> None:
    doc = make_doc("I chose Kaiser Permanente for its integrated care model, which I saw at work in my "
                   "observership. Our clinic cut missed follow-ups from 18% to 9%.")
    review = review_document(doc, rubrics)
    found = {s.title for s in strengths(review, doc)}
    assert "A specific reason for Kaiser" in found and "A measured outcome" in found
    failed = review.model_copy(update={"criteria": tuple(
        c.model_copy(update={"verdict": Verdict.FAIL}) if c.id == "kaiser.why_specific" else c
        for c in review.criteria)})
    assert "A specific reason for Kaiser" not in {s.title for s in strengths(failed, doc)}


def test_the_reports_list_what_the_cap_left_out(tmp_path: Path, rubrics) -> None:
    doc = make_doc("\n\n".join(f"Paragraph {i} says something plain." for i in range(12)))
    findings = tuple(_failing(doc, 12, Verdict.WARN))
    review: Review = review_document(doc, rubrics).model_copy(update={"findings": findings})
    from reviewer.render.markdown import review_markdown

    md = review_markdown(review, doc)
    assert "## More points" in md and md.count("Paragraph 1") >= 1
