"""Text a reader cannot see never reaches a model: a DOCX with one canary word per way of hiding a run
(near-white, black on black run or paragraph shading, highlight the colour of the text, character scale,
condensed spacing, tiny, Hidden, white on shading that paints white or nothing, table-cell shading, theme
colours) is reviewed with the hybrid engine against a local stub server and exported as a batch file; no
request body holds a canary, each canary is reported by ``integrity.hidden_text``, and the annotated DOCX
anchors every finding on visible text (ingest and renderer agree on what is hidden).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import docx
from click.testing import CliRunner

from reviewer.checks.rules import review_rules
from reviewer.cli_cohort import batch
from reviewer.document import DocKind
from reviewer.docx_xml import StyleSheet, document_theme
from reviewer.ingest import load_document
from reviewer.llm import LLMConfig, MethodMemory, make_judge
from reviewer.pipeline import Engine, review_document
from reviewer.render.docx import render_docx
from reviewer.render.docx_runs import anchored_texts

from .corpus import HIDDEN_FORMS, VISIBLE_FORMS, hidden_forms_docx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from faultstub import FaultStub

CANARIES = [word for word, *_ in HIDDEN_FORMS]


def test_no_hidden_form_reaches_the_model_and_each_is_reported(tmp_path: Path, rubrics) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "personal_statement.docx"
    src.write_bytes(hidden_forms_docx())
    doc = load_document(src, DocKind.PERSONAL_STATEMENT)
    for word in CANARIES:
        assert word not in doc.text, word
    with FaultStub() as stub:
        config = LLMConfig(model="stub-model", base_url=stub.base_url, local_only=True, max_retries=0,
                           cache_dir=tmp_path / "cache")
        engine = Engine("hybrid", config, make_judge(config), MethodMemory(None))
        review = review_document(doc, rubrics, engine=engine)
    sent = b"\n".join(stub.raw_bodies).decode()
    assert stub.calls > 0 and "Sentence 0 about my clinic work is plain." in sent
    assert [w for w in CANARIES if w in sent] == []
    for word, *_ in VISIBLE_FORMS:  # coloured text a reader does see is reviewed as usual
        assert word in sent, word

    hidden = next(c for c in review.criteria if c.id == "integrity.hidden_text")
    assert hidden.verdict.value == "fail"
    notes = " ".join(f.message for f in review.findings if f.criterion == "integrity.hidden_text")
    notes += " ".join(f.quote for f in review.findings if f.criterion == "integrity.hidden_text")
    _, findings = review_rules(doc, rubrics)
    hidden_notes = " ".join(f.message for f in findings if f.criterion == "integrity.hidden_text")
    for word in CANARIES:
        assert word in hidden_notes or word in notes, f"{word} not reported by integrity.hidden_text"
    instructions = next(c for c in review.criteria if c.id == "integrity.instructions")
    assert instructions.verdict.value == "fail"  # "ignore previous instructions" in hidden text

    out = tmp_path / "personal_statement.review.docx"
    render_docx(review, doc, out, source=src)
    rendered = docx.Document(str(out))
    anchors = anchored_texts(rendered.element.body, StyleSheet(rendered.styles.element, document_theme(rendered)))
    assert not [w for w in CANARIES if any(w in a for a in anchors.values())]
    # every comment sits on visible text of the draft: the renderer hid the same runs as ingest
    visible = " ".join(doc.text.split())
    assert anchors and all(" ".join(a.split()) in visible for a in anchors.values())


def test_no_hidden_form_is_in_an_exported_batch_file(tmp_path: Path) -> None:
    folder = tmp_path / "cohort" / "ana"
    folder.mkdir(parents=True)
    (folder / "personal_statement.docx").write_bytes(hidden_forms_docx())
    requests = tmp_path / "requests.jsonl"
    result = CliRunner().invoke(batch, [str(tmp_path / "cohort"), "--out", str(tmp_path / "out"), "--engine",
                                        "hybrid", "--model", "gpt-test", "--export-requests", str(requests)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    text = json.dumps(lines)
    assert lines and "Sentence 0 about my clinic work is plain." in text
    assert [w for w in CANARIES if w in text] == []
