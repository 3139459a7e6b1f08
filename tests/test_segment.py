"""Segmentation: sentence spans are exact slices of the text, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.document import BLOCK_SEPARATOR, DocKind
from reviewer.ingest.memory import from_text
from reviewer.segment import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_and_numbers_do_not_split() -> None:
    text = "I worked with Dr. Patel at 9 a.m. on weekdays. My Step 2 CK score was 241.5 points. It helped."
    assert _sentences(text) == [
        "I worked with Dr. Patel at 9 a.m. on weekdays.",
        "My Step 2 CK score was 241.5 points.",
        "It helped.",
    ]


def test_boundaries_pysbd_misses_are_split() -> None:
    assert _sentences("My mother stayed with me. I used UWorld daily.") == [
        "My mother stayed with me.",
        "I used UWorld daily.",
    ]
    assert _sentences("We compared arms, vs. Controls in the audit.") == [
        "We compared arms, vs. Controls in the audit."
    ]


def test_document_offsets_are_global() -> None:
    doc = from_text("First paragraph. Two sentences.\n\nSecond paragraph here.", DocKind.PERSONAL_STATEMENT)
    assert doc.text == "First paragraph. Two sentences." + BLOCK_SEPARATOR + "Second paragraph here."
    assert [s.text for s in doc.sentences] == ["First paragraph.", "Two sentences.", "Second paragraph here."]
    for s in doc.sentences:
        assert doc.text[s.start : s.end] == s.text
        assert doc.blocks[s.block].start <= s.start < s.end <= doc.blocks[s.block].end


def test_soft_wraps_join_and_blank_lines_split() -> None:
    doc = from_text("A line that\nwraps here.\n\n\n  Next   para.  ", DocKind.ADDITIONAL_INFO)
    assert [b.text for b in doc.blocks] == ["A line that wraps here.", "Next para."]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_gives_exact_in_bounds_spans(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for s, e in spans:
        assert 0 <= last <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]
        last = e


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc XYZ.!?\n'\"-0123", min_size=0, max_size=80), max_size=6))
def test_any_paragraphs_give_consistent_documents(paras: list[str]) -> None:
    doc = from_text("\n\n".join(paras), DocKind.PERSONAL_STATEMENT)
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text
    for s in doc.sentences:
        assert doc.text[s.start : s.end] == s.text and s.text.strip()


def test_text_the_sentence_splitter_drops_is_kept_as_a_sentence() -> None:
    doc = from_text("low. ☇", DocKind.PERSONAL_STATEMENT)
    assert [s.text for s in doc.sentences] == ["low.", "☇"]
