"""Every sample applicant reviewed end to end: outputs valid, and every Word comment sits where the JSON says.

This is the golden-file tier: it compares (anchored text, comment text) pairs extracted from the rendered
DOCX with the comments the JSON review lists (``advice``), not bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import jsonschema
import pytest

from reviewer.docx_xml import StyleSheet
from reviewer.kinds import load_manifest
from reviewer.pipeline import review_folder, write_folder
from reviewer.render.docx_runs import anchored_texts
from reviewer.rubric import load_rubrics
from reviewer.settings import Settings

from conftest import SAMPLES

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "reviewer" / "schemas"
APPLICANTS = sorted(p for p in SAMPLES.iterdir() if p.is_dir())


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_there_are_at_least_three_applicants() -> None:
    assert len(APPLICANTS) >= 3
    kinds = set()
    suffixes = set()
    for folder in APPLICANTS:
        manifest = load_manifest(folder)
        assert manifest is not None
        kinds.update(manifest.documents.values())
        suffixes.update(Path(n).suffix for n in manifest.documents)
    assert {k.value for k in kinds} == {"personal_statement", "experience", "additional_info", "interview_answer"}
    assert {".docx", ".txt", ".md"} <= suffixes and suffixes & {".yaml", ".json", ".csv"}


@pytest.mark.parametrize("folder", APPLICANTS, ids=[p.name for p in APPLICANTS])
def test_sample_review_end_to_end(folder: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = review_folder(folder, load_rubrics(), Settings())
    assert result.application is not None and not result.failures
    write_folder(result, tmp_path, ("json", "docx", "md"))
    review_schema = json.loads((SCHEMAS / "review-1.schema.json").read_text())
    jsonschema.validate(json.loads((tmp_path / "application.review.json").read_text()),
                        json.loads((SCHEMAS / "application-1.schema.json").read_text()))
    for item in result.reviewed:
        stem = item.source.stem
        data = json.loads((tmp_path / f"{stem}.review.json").read_text())
        jsonschema.validate(data, review_schema)
        for f in data["findings"]:
            assert item.document.text[f["start"]:f["end"]] == f["quote"]
        rendered = docx.Document(str(tmp_path / f"{stem}.review.docx"))
        anchored = anchored_texts(rendered.element.body, StyleSheet(rendered.styles.element))
        comments = {c.comment_id: c.text for c in rendered.comments}
        advice = data["advice"]["comments"]
        assert len(comments) == len(advice)
        pairs = sorted((_norm(anchored[cid]), comments[cid]) for cid in comments if cid in anchored)
        expected = sorted((_norm(item.document.text[c["start"]:c["end"]]), c["text"]) for c in advice)
        # A comment that cannot be anchored in place (text boxes) is still a comment, quoting its text.
        assert len(pairs) >= len(expected) - sum(1 for b in item.document.blocks if b.where == "textbox")
        for pair in pairs:
            assert pair in expected, f"{item.source.name}: comment on {pair[0]!r} matches no comment of the JSON"
        # no comment on a pass, no criterion id in any comment (ids stay in the JSON)
        assert all(c["verdict"] in ("warn", "fail") for c in advice)
        assert not any(re.search(r"\b(?:score|kaiser|experience|integrity|interview)\.[a-z_]+\b", t)
                       for t in comments.values())
        md = (tmp_path / f"{stem}.review.md").read_text()
        assert md.startswith("# Review of")
    assert {p: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
