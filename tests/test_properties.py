"""Property tests: any input gives either a well-formed Document or an InputError, and comments land on
their sentences.

* Text ingest: arbitrary bytes and arbitrary strings written to ``.txt``/``.md`` files (as a personal
  statement and as an experience file) give a Document whose blocks, sentences, entries and hidden spans
  are exact slices of their text with offsets inside it, or an :class:`InputError` naming the file;
  never another exception.
* Segmentation: sentences are ordered, disjoint, inside their block, and exact slices.
* DOCX anchoring: paragraphs of random runs (bold, italic, hidden, white) are ingested; comments rendered
  on random sentences are read back, and each comment's anchored text is its sentence.

Example counts are moderate (the whole file runs in well under a minute).
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewer import docx_xml as dx
from reviewer.document import DocKind, Document
from reviewer.errors import InputError
from reviewer.findings import CriterionResult, DocumentInfo, Finding, Review, Severity, Verdict
from reviewer.ingest import load_document
from reviewer.ingest.memory import from_text
from reviewer.render.docx import render_docx
from reviewer.render.docx_runs import anchored_texts

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = (DocKind.PERSONAL_STATEMENT, DocKind.EXPERIENCE)

# Text that looks like documents: words, sentence ends, abbreviations, blank lines, headings, markup,
# invisible and non-BMP characters, control characters.
WORDS = st.sampled_from(
    ["I", "studied", "Dr.", "e.g.", "U.S.", "3.5", "score", "Step", "1", "was", "low.", "Why?", "Kaiser!", "—",
     "\u200b", "\u202e", "\U000e0041", "é", "日本", "😀", "#", "##", "-", "*", "|", "2022-01", "to", "present",
     "120 hours", "<!-- x -->", "---", "[a](b)", "`c`", "\t", "\x0c", "\x01", "\r", "\r\n", "\n", "\n\n"]
)
DOCLIKE = st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=60).map(" ".join)


def assert_well_formed(doc: Document) -> None:
    text = doc.text
    n = len(text)
    prev_end = 0
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= n
        assert text[b.start : b.end] == b.text
        assert b.start >= prev_end
        prev_end = b.end
    prev_end = 0
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= n, (s.start, s.end, n)
        assert text[s.start : s.end] == s.text
        assert s.start >= prev_end
        prev_end = s.end
        block = doc.blocks[s.block]
        assert block.start <= s.start and s.end <= block.end
    for e in doc.entries:
        assert 0 <= e.start <= e.end <= n and text[e.start : e.end] == e.description


def ingest(data: bytes, suffix: str, kind: DocKind) -> Document | InputError:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"draft{suffix}"
        path.write_bytes(data)
        try:
            doc = load_document(path, kind)
        except InputError as err:
            line = str(err)
            assert line.startswith(f"{path}: ") and "\n" not in line and err.hint
            return err
        assert doc.path == str(path)
        return doc


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md"]), kind=st.sampled_from(KINDS))
def test_any_bytes_into_text_files(data: bytes, suffix: str, kind: DocKind) -> None:
    out = ingest(data, suffix, kind)
    if isinstance(out, Document):
        assert_well_formed(out)


@SETTINGS
@given(text=st.one_of(DOCLIKE, st.text(max_size=400)), suffix=st.sampled_from([".txt", ".md"]),
       kind=st.sampled_from(KINDS))
def test_any_text_into_text_files(text: str, suffix: str, kind: DocKind) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be in a UTF-8 file
        assume(False)
        return
    out = ingest(data, suffix, kind)
    if isinstance(out, Document):
        assert_well_formed(out)
        for h in out.hidden:
            assert h.text  # hidden spans are reported with their text
    else:  # a UTF-8 file is refused only when it is empty, binary-looking or too long
        assert any(w in out.message for w in ("empty", "binary", "too much text", "no ", "entries")), out.message


@SETTINGS
@given(text=st.one_of(DOCLIKE, st.text(max_size=400)))
def test_segmentation_offsets(text: str) -> None:
    doc = from_text(text, DocKind.PERSONAL_STATEMENT)
    assert_well_formed(doc)
    # nothing visible is lost: every non-space character of a block is inside some sentence
    for b in doc.blocks:
        covered = [False] * len(b.text)
        for s in doc.sentences:
            if s.block == b.index:
                for i in range(s.start - b.start, s.end - b.start):
                    covered[i] = True
        assert all(c or ch.isspace() for ch, c in zip(b.text, covered, strict=True)), b.text


# ---------------------------------------------------------------------------------------------- DOCX anchoring

RUN_TEXT = st.lists(
    st.sampled_from(["My score", " was low", ". ", "I passed", " Step 2", " with 245", "! ", "Dr. Lee", " helped",
                     "? ", " e.g. labs", " 3.5 ", "teams", "é", "日本", " ", "\t"]),
    min_size=1, max_size=4,
).map("".join)
RUN = st.tuples(RUN_TEXT, st.booleans(), st.booleans(), st.sampled_from(["", "", "", "hidden", "white"]))
PARAGRAPHS = st.lists(st.lists(RUN, min_size=1, max_size=6), min_size=1, max_size=5)


def build_docx(paragraphs: list[list[tuple[str, bool, bool, str]]]) -> bytes:
    d = docx.Document()
    for runs in paragraphs:
        p = d.add_paragraph()
        for text, bold, italic, hide in runs:
            r = p.add_run(text)
            r.bold, r.italic = bold or None, italic or None
            if hide == "hidden":
                r.font.hidden = True
            elif hide == "white":
                r.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def finding_on(doc: Document, i: int) -> Finding:
    """A finding of its own criterion on sentence ``i`` (findings of one criterion in one paragraph would share
    a comment: one per criterion per paragraph)."""
    s = doc.sentences[i]
    return Finding(criterion=f"demo.c{i}", verdict=Verdict.FAIL, severity=Severity.ERROR, start=s.start,
                   end=s.end, quote=s.text, message=f"Finding {i}.", suggestion="Rewrite it.")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs=PARAGRAPHS, picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4))
def test_docx_comments_anchor_on_their_sentences(paragraphs: list[list[tuple[str, bool, bool, str]]],
                                                 picks: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "draft.docx"
        src.write_bytes(build_docx(paragraphs))
        try:
            doc = load_document(src, DocKind.PERSONAL_STATEMENT)
        except InputError as err:  # only when nothing visible is left
            assert "no visible text" in err.message
            return
        assert_well_formed(doc)
        assume(doc.sentences)
        chosen = sorted({p % len(doc.sentences) for p in picks})
        findings = tuple(finding_on(doc, i) for i in chosen)
        info = DocumentInfo(path=doc.path, kind=doc.kind, sha256=doc.sha256, words=doc.words,
                            characters=doc.characters)
        review = Review(document=info, findings=findings,
                        criteria=tuple(CriterionResult(id=f"demo.c{i}", verdict=Verdict.FAIL, message="Excuse.")
                                       for i in chosen))
        out = Path(tmp) / "out.docx"
        render_docx(review, doc, out, source=src)
        rendered = docx.Document(str(out))
        anchors = anchored_texts(rendered.element.body, dx.StyleSheet(rendered.styles.element))
        comments = {c.comment_id: c.text for c in rendered.comments}
        placed: dict[int, str] = {}
        for cid, text in comments.items():
            m = re.search(r"Finding (\d+)\b", text)
            if m:
                placed[int(m.group(1))] = anchors[cid]
        assert placed == {i: doc.sentences[i].text for i in chosen}


def test_property_helpers_reject_malformed() -> None:
    """The well-formedness check itself can fail (it is not vacuous)."""
    doc = from_text("One sentence. Two sentences.", DocKind.PERSONAL_STATEMENT)
    bad = doc.model_copy(update={"sentences": (doc.sentences[0].model_copy(update={"start": 1}),)})
    with pytest.raises(AssertionError):
        assert_well_formed(bad)
