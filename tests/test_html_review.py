"""The HTML review of one document: self-contained, strict CSP, the same comments as the DOCX; in Chromium."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reviewer.document import Document
from reviewer.findings import Finding, Severity, Verdict
from reviewer.kinds import load_manifest
from reviewer.pipeline import review_document, review_file, write_review
from reviewer.render.advice import advise
from reviewer.render.html_review import review_html
from reviewer.settings import Settings
from test_report import DevTools, needs_chromium

from conftest import SAMPLES, make_doc

PS = SAMPLES / "rahul-mehta" / "ps_draft.docx"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


@pytest.fixture(scope="module")
def rahul(rubrics):
    return review_file(PS, rubrics, Settings(), manifest=load_manifest(PS.parent))


def test_page_is_self_contained_with_a_strict_policy(rahul) -> None:
    html = review_html(rahul.review, rahul.document)
    page = Tags()
    page.feed(html)
    names = [t for t, _ in page.tags]
    assert "script" not in names and "img" not in names and "link" not in names and "iframe" not in names
    (csp,) = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-") and "script-src" not in csp
    hrefs = [a.get("href") or "" for t, a in page.tags if "href" in a]
    assert hrefs and all(h.startswith("#") for h in hrefs)  # only links within the page
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)


def test_the_page_shows_the_same_comments_as_the_docx(rahul) -> None:
    advice = advise(rahul.review, rahul.document)
    html = review_html(rahul.review, rahul.document)
    assert html.count('<aside class="note') == len(advice.comments)
    assert html.count("<mark id=") == len(advice.comments)
    for c in advice.comments:
        first = c.points[0].problem if c.points else "Suggested rewrite"
        assert first.split("“")[0].strip() in html.replace("&#39;", "'")
    assert "What's working" in html and "Suggested rewrite of your score discussion" in html
    assert html.count('class="blank"') >= 2  # the rewrite's blanks are marked
    assert "kaiser.why_specific" not in html and "score.excuse" not in html  # no ids


def test_applicant_text_is_escaped(rubrics) -> None:
    doc = make_doc('I failed Step 1 <script>alert(1)</script> because the exam was unfair. "Bold" & <b>more</b>.')
    review = review_document(doc, rubrics)
    html = review_html(review, doc)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>more</b>" not in html


def test_an_empty_document_lists_its_comments_apart(rubrics) -> None:
    doc: Document = make_doc("")
    review = review_document(doc, rubrics).model_copy(update={"findings": (
        Finding(criterion="demo.empty", verdict=Verdict.FAIL, severity=Severity.ERROR, start=0, end=0, quote="",
                message="The draft is empty.", suggestion="Write it."),)})
    html = review_html(review, doc)
    assert "On the whole document" in html and "The draft is empty." in html


@needs_chromium
def test_review_page_in_headless_chromium(rahul, tmp_path: Path) -> None:
    """Chromium opens the page from disk with no error or blocked load (the CSP hash lets the inline style in:
    marks are coloured), every highlight has its numbered note with a verdict word, and nothing is fetched."""
    (target,) = write_review(rahul, tmp_path, ["html"])
    browser = DevTools(tmp_path / "profile")
    try:
        browser.open(target.resolve().as_uri())
        state = json.loads(str(browser.js("""JSON.stringify({
            marks: [...document.querySelectorAll('mark')].map(m => ({
                id: m.id, bg: getComputedStyle(m).backgroundColor,
                note: (document.querySelector('#n' + m.id.slice(1) + ' .label') || {}).textContent || ''})),
            labels: [...document.querySelectorAll('.scorecard .label')].map(l => l.textContent.trim()),
            before: getComputedStyle(document.querySelector('.scorecard .label'), '::before').content,
            scripts: document.scripts.length,
            resources: performance.getEntriesByType('resource').length,
            title: document.title,
            sections: [...document.querySelectorAll('h2')].map(h => h.textContent)})""")))
        errors = browser.errors()
    finally:
        browser.close()
    assert errors == []
    assert state["scripts"] == 0 and state["resources"] == 0
    assert state["title"] == "Review of ps_draft.docx"
    assert state["sections"][:4] == ["Scorecard", "What's working", "Suggested rewrite of your score discussion",
                                     "Your draft, with comments"]
    assert state["marks"] and all(m["bg"] not in ("rgba(0, 0, 0, 0)", "transparent") for m in state["marks"])
    assert all(m["note"] in ("FAIL", "WARN") for m in state["marks"])  # a word, not only a colour
    assert set(state["labels"]) <= {"FAIL", "WARN", "PASS"} and "FAIL" in state["labels"]
    assert state["before"] not in ("none", "normal")  # the symbol drawn before each verdict word
