"""The structure test: walk every rubric, run every criterion on its own flag and pass examples.

A flag example must make the criterion warn or fail (informational criteria: produce a finding); a pass
example must leave it passing (or not applicable) with no warn/fail finding. This is what keeps the
rubric data and the detectors honest with each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import AppContext, Context
from reviewer.checks.rules import run_app_criterion, run_criterion
from reviewer.findings import Severity, Verdict
from reviewer.kinds import Manifest
from reviewer.rubric import Criterion, Rubric, Scope, load_rubrics

from conftest import example_doc

RUBRICS = load_rubrics()


def _cases():
    for rubric in RUBRICS.rubrics:
        for c in rubric.criteria:
            for side, examples in (("flag", c.examples.flag), ("pass", c.examples.pass_)):
                for i, ex in enumerate(examples):
                    yield pytest.param(rubric, c, side, ex, id=f"{c.id}-{side}-{i}")


def _default_kind(rubric: Rubric, c: Criterion):
    kinds = c.applies_to or rubric.applies_to
    return kinds[0]


def _outcome(rubric, c, ex):
    if rubric.scope is Scope.APPLICATION:
        docs = [example_doc(d, d.kind) for d in ex.documents]
        docs = [d.model_copy(update={"path": f"doc{i}-{d.path}"}) for i, d in enumerate(docs)]
        # statements declared as written for one program (application.yaml's tailored:)
        tailored = {d.path: e.program for d, e in zip(docs, ex.documents, strict=True) if e.program}
        return run_app_criterion(AppContext(docs, manifest=Manifest(tailored=tailored) if tailored else None), c)
    doc = example_doc(ex, _default_kind(rubric, c))
    return run_criterion(Context(doc, target=ex.target or "kaiser"), rubric, c)


@pytest.mark.parametrize(("rubric", "criterion", "side", "example"), list(_cases()))
def test_examples(rubric: Rubric, criterion: Criterion, side: str, example) -> None:
    out = _outcome(rubric, criterion, example)
    bad = [h for h in out.hits if h.verdict in (Verdict.WARN, Verdict.FAIL)]
    if side == "flag":
        if criterion.severity is Severity.INFO:
            assert out.hits, f"{criterion.id}: informational flag example produced no finding"
        else:
            assert out.verdict in (Verdict.WARN, Verdict.FAIL), f"{criterion.id} did not flag: {example}"
    else:
        assert out.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE), (
            f"{criterion.id} flagged a pass example ({out.verdict}: {out.summary}): {example}"
        )
        assert not bad


def test_every_spec_criterion_is_present() -> None:
    ids = {c.id for _, c in RUBRICS.criteria()}
    spec = {
        "score.mention", "score.length", "score.excuse", "score.emotion", "score.what_changed",
        "score.evidence", "score.pivot", "kaiser.why_specific", "kaiser.values", "kaiser.evidence_backed",
        "experience.quantified", "experience.outcome", "experience.teamwork", "experience.kaiser_link",
        "experience.vague", "experience.length", "interview.length", "application.score_once",
        "application.consistency", "application.gaps", "integrity.hidden_text", "integrity.instructions",
    }
    assert spec <= ids, f"missing criteria: {sorted(spec - ids)}"


def test_every_criterion_cites_the_guide() -> None:
    for _, c in RUBRICS.criteria():
        assert c.guide.strip(), c.id


GUIDE = Path(__file__).resolve().parents[2] / "shared" / "guide" / "low-step-score-strategies-kaiser-img.txt"


@pytest.mark.skipif(not GUIDE.exists(), reason="the guide (../shared/guide) is not beside this checkout")
def test_guide_citations_name_real_sections() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for _, c in RUBRICS.criteria():
        if c.guide.startswith("Not from the guide"):
            continue
        for part in c.guide.split(";"):
            section = part.split(" (“")[0].strip()
            assert section in guide or section.removeprefix("FAQ ").isdigit(), f"{c.id}: '{section}' not in the guide"


@pytest.mark.skipif(not GUIDE.exists(), reason="the guide (../shared/guide) is not beside this checkout")
def test_guide_quotes_are_quoted_exactly() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    quoted = [(c.id, q) for _, c in RUBRICS.criteria() for q in c.guide_quotes]
    assert quoted, "no guide passages in the rubrics"
    for cid, q in quoted:
        assert q in guide, f"{cid}: not in the guide as written: {q}"


def test_every_model_judged_criterion_has_its_own_levels_and_anchors() -> None:
    judged = [c for _, c in RUBRICS.criteria() if c.model_judged]
    assert judged
    texts = [c.levels[1] for c in judged if c.levels]
    assert len(set(texts)) == len(judged), "levels must be written for each criterion, not a template"
    for c in judged:
        assert c.guide_quotes and c.examples.anchors(), c.id
