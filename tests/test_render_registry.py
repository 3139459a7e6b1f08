"""Output formats are registered once and read everywhere: review, batch, cohort.json links, the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.document import Document
from reviewer.errors import ConfigError
from reviewer.findings import Review
from reviewer.kinds import load_manifest
from reviewer.pipeline import review_file, write_application, write_review
from reviewer.render import registry
from reviewer.render.registry import OutputFormat, application_formats, format_names, output_format
from reviewer.settings import Settings, resolve_settings

from conftest import SAMPLES

PS = SAMPLES / "lucia-fernandez" / "interview_score.txt"


def plain_text(review: Review, document: Document) -> str:
    """A whole new output format, for the test: the verdicts as plain text."""
    return "".join(f"{c.id}: {c.verdict.value}\n" for c in review.criteria)


@pytest.fixture
def txt_format() -> Iterator[OutputFormat]:
    fmt = registry.register(OutputFormat("txt", "Plain text", text=f"{__name__}:plain_text", default=False))
    try:
        yield fmt
    finally:
        del registry._FORMATS["txt"]


def test_every_registered_renderer_resolves() -> None:
    assert format_names()[:4] == ("json", "docx", "md", "html")
    for name in format_names():
        fmt = output_format(name)
        for ref in (fmt.text, fmt.file, fmt.application):
            if ref is not None:
                assert callable(registry._resolve(ref)), ref
    assert registry.default_formats() == ("json", "docx", "md")
    assert application_formats(["docx", "html"]) == ("md",)  # a folder always says what was not reviewed
    assert application_formats(["html", "json"]) == ("json",)


def test_a_new_format_is_one_registration(txt_format: OutputFormat, tmp_path: Path, rubrics) -> None:
    item = review_file(PS, rubrics, Settings(), manifest=load_manifest(PS.parent))
    assert resolve_settings({"formats": ["txt", "json"]}).formats == ("txt", "json")
    written = write_review(item, tmp_path, ["txt", "json"], stem="answer")
    assert [p.name for p in written] == ["answer.review.txt", "answer.review.json"]
    assert "score.excuse: pass" in (tmp_path / "answer.review.txt").read_text()

    from reviewer.cohort.summary import ApplicantSummary, DocSummary, Status, cohort_json

    doc = DocSummary("interview_score.txt", Status.REVIEWED, "interview_answer", 1, "answer")
    row = cohort_json([ApplicantSummary("lucia", "Lucia", (doc,))], ["txt", "json"])["applicants"][0]
    assert row["documents"][0]["review_txt"] == "lucia/answer.review.txt"
    assert row["documents"][0]["review_docx"] is None  # not written in this run
    assert [f.label for f in registry.linked_formats()][-1] == "Plain text"


def test_the_cohort_report_links_what_the_registry_lists(tmp_path: Path, rubrics) -> None:
    from reviewer.cohort.summary import ApplicantSummary, DocSummary, Status, write_cohort_json
    from reviewer.render.report import collect_cohort

    folder = tmp_path / "lucia"
    item = review_file(PS, rubrics, Settings(), manifest=load_manifest(PS.parent))
    write_review(item, folder, ["json", "html", "md"], stem="answer")
    doc = DocSummary("interview_score.txt", Status.REVIEWED, "interview_answer", 1, "answer")
    write_cohort_json(tmp_path, [ApplicantSummary("lucia", "Lucia", (doc,))], ["json", "html", "md"])
    rows: list = []
    collect_cohort(tmp_path, on_applicant=rows.append)
    assert [link.label for link in rows[0].documents[0].links] == ["Markdown", "HTML"]


def test_application_review_follows_the_registry(tmp_path: Path, rubrics) -> None:
    from reviewer.pipeline import review_folder

    result = review_folder(SAMPLES / "lucia-fernandez", rubrics, Settings())
    assert result.application is not None
    names = [p.name for p in write_application(result.application, tmp_path, ["html"])]
    assert names == ["application.review.md"]


def test_unknown_formats_name_every_registered_one() -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings({"formats": ["pdf"]})
    assert "json, docx, md, html" in str(err.value)


def test_registration_is_checked() -> None:
    with pytest.raises(ValueError, match="twice"):
        registry.register(OutputFormat("md", "Markdown", text="x:y"))
    with pytest.raises(ValueError, match="exactly one"):
        registry.register(OutputFormat("odt", "ODT"))
    with pytest.raises(ValueError, match="lower-case"):
        registry.register(OutputFormat("Pdf", "PDF", text="x:y"))
