"""Markdown reports are inert: applicant and model text never becomes HTML, a link or a remote image.

Reports are rendered to HTML with markdown-it-py's CommonMark preset (raw HTML on, as most viewers have it)
plus tables; the HTML may then hold only the tags the report itself writes, with no attributes, and the
hostile text must still be readable as the characters that were written.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from faultstub import FaultStub, completion, judgment  # the stub's answer builders
from reviewer.cli import main
from reviewer.document import DocKind
from reviewer.findings import (
    ApplicationReview,
    Change,
    CriterionResult,
    DocumentFailure,
    DocumentInfo,
    Finding,
    FindingChange,
    LLMCall,
    LLMReport,
    Review,
    RevisionSummary,
    Severity,
    Source,
    Verdict,
    VerdictChange,
)
from reviewer.render.markdown import application_markdown, review_markdown

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[x](javascript:alert(3))",
    "![](http://evil.example/pixel.png)",
    "<http://evil.example/auto>",
    "\\<b>bold</b>",
    "``<i>code</i>``",
    "&lt;u&gt;entity&lt;/u&gt;",
)
EVIL = " ".join(HOSTILE)
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "strong", "em", "code", "blockquote", "table", "thead", "tbody",
                "tr", "th", "td"}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def render_html(markdown: str) -> TagCollector:
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(markdown: str, *, readable: tuple[str, ...] = HOSTILE) -> None:
    parsed = render_html(markdown)
    assert {t for t, _ in parsed.tags} <= ALLOWED_TAGS, sorted({t for t, _ in parsed.tags} - ALLOWED_TAGS)
    assert all(not attrs for _, attrs in parsed.tags), [t for t in parsed.tags if t[1]]
    text = " ".join("".join(parsed.text).split())
    for piece in readable:
        assert piece in text, piece  # shown as written, not swallowed


def test_md_text_and_md_code_escape_everything_that_renders() -> None:
    from reviewer.render.markdown import md_code, md_text

    assert_inert(md_text(EVIL))
    assert_inert(md_code(EVIL), readable=(EVIL,))
    assert_inert("- " + md_text("# not a heading"), readable=("# not a heading",))
    assert_inert(md_text("1. not a list") + "\n\n" + md_text("> not a quote"), readable=("1. not a list",))
    assert md_code("ps.txt") == "`ps.txt`" and md_code("a`b") == "``a`b``" and md_code("`x`") == "`` `x` ``"
    assert md_text("Step 2 CK: 245 (2023), 95% of 1,200 patients.") == "Step 2 CK: 245 (2023), 95% of 1,200 patients."


def _hostile_review() -> Review:
    info = DocumentInfo(path=f"in/ps {HOSTILE[1]} `x`.txt", kind=DocKind.PERSONAL_STATEMENT, sha256="0" * 64,
                        words=10, characters=60)
    criteria = (
        CriterionResult(id="score.excuse", verdict=Verdict.FAIL, message=f"model says {EVIL}", title=f"T {EVIL}",
                        guide=f"G {EVIL}", source=Source.LLM),
        CriterionResult(id="score.length", verdict=Verdict.PASS, message=f"pass {EVIL}", guide=f"g {EVIL}"),
    )
    findings = (
        Finding(criterion="score.excuse", verdict=Verdict.FAIL, severity=Severity.ERROR, start=0, end=5,
                quote=f"quote {EVIL}", message=f"message {EVIL}", suggestion=f"suggest {EVIL}", source=Source.LLM,
                entry=0, document=f"doc {HOSTILE[0]}.txt"),
        Finding(criterion="score.length", verdict=Verdict.PASS, severity=Severity.INFO, start=0, end=5,
                quote=f"noted {EVIL}", message=f"noted message {EVIL}"),
    )
    revision = RevisionSummary(
        round=2, previous_round=1, previous_sha256="1" * 64,
        findings=(FindingChange(status=Change.RESOLVED, criterion="score.excuse", quote=f"old {EVIL}",
                                message=f"resolved {EVIL}"),
                  FindingChange(status=Change.NEW, criterion="score.excuse", quote=f"new {EVIL}",
                                message=f"new {EVIL}")),
        verdicts=(VerdictChange(id="score.excuse", before=Verdict.PASS, after=Verdict.FAIL),),
    )
    llm = LLMReport(mode="hybrid", model=f"m {HOSTILE[0]}", endpoint="http://127.0.0.1:1/v1",
                    calls=(LLMCall(rubric="score", status="fallback", reason=f"HTTP 500: {EVIL}"),))
    return Review(document=info, criteria=criteria, findings=findings, engine="hybrid", notes=(f"note {EVIL}",),
                  revision=revision, llm=llm)


def test_review_markdown_escapes_every_piece_of_foreign_text() -> None:
    review = _hostile_review()

    from reviewer.ingest.memory import from_text

    # a real document, so the advice sections (What's working, the rewrite outline, more points) that quote it
    # are rendered and checked too
    doc = from_text(f"quote {EVIL}. I failed Step 1 because the exam was unfair {EVIL}. I now teach {EVIL}.",
                    DocKind.PERSONAL_STATEMENT, path="ps.txt")
    markdown = review_markdown(review, doc)
    assert_inert(markdown)
    assert "### FAIL · T " in markdown and "## Since your last draft" in markdown and "## Model usage" in markdown


def test_application_markdown_escapes_names_paths_and_errors() -> None:
    review = _hostile_review()
    app = ApplicationReview(applicant=f"Ana {HOSTILE[0]} {HOSTILE[3]}", path=f"in/{HOSTILE[1]}",
                            documents=(review.document,), criteria=review.criteria, findings=review.findings,
                            failures=(DocumentFailure(path="x.docx", error=f"x.docx: broken {EVIL}"),),
                            reviews=(review,))
    markdown = application_markdown(app, {review.document.path: f"ps {HOSTILE[1]}.review.md"})
    assert_inert(markdown)
    assert "Ana" in markdown and "## Documents" in markdown


class HostileModel(FaultStub):
    """Answers validly, with markup in the reasoning and the suggestion (the quote still grounds)."""

    def respond(self, handler: Any, body: dict[str, Any], raw: bytes) -> None:
        answer = judgment(body)
        for item in answer["criteria"].values():
            item["score"] = 2
            item["reasoning"] = f"reasoning {EVIL}"
            for ev in item["quotes"]:
                ev["suggestion"] = f"suggestion {EVIL}"
        self.bodies.append(body)
        handler.send_json(200, completion(body, json.dumps(answer)))


@pytest.mark.skipif(__import__("importlib").util.find_spec("langchain_openai") is None, reason="needs llm extra")
def test_review_command_markdown_of_a_hostile_draft_and_model_answer_is_inert(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "applicant-a"
    folder.mkdir(parents=True)
    first = f"I failed Step 1 once {HOSTILE[0]} {HOSTILE[1]} {HOSTILE[2]} {HOSTILE[3]} and then passed it."
    (folder / "interview_answer.txt").write_text(
        f"{first} I changed how I studied, with timed question blocks, and scored 241 on Step 2 CK.\n")
    with HostileModel() as stub:
        res = CliRunner().invoke(main, ["review", str(folder), "--out", str(tmp_path / "out"), "--format", "md",
                                        "--engine", "llm", "--model", "stub-model", "--base-url", stub.base_url,
                                        "--local-only"])
    assert res.exit_code in (0, 1), res.output
    assert stub.bodies
    markdown = (tmp_path / "out" / "interview_answer.review.md").read_text(encoding="utf-8")
    assert "reasoning" in markdown and "suggestion" in markdown, markdown  # the model's text is in the report
    assert_inert(markdown, readable=HOSTILE[:4])
