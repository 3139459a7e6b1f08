"""Experience entries from structured files and from headed prose."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from reviewer import docx_xml
from reviewer.document import DocKind, Document, SourceFormat
from reviewer.errors import InputError
from reviewer.ingest import load_document
from reviewer.ingest.entries import parse_details

EXP = DocKind.EXPERIENCE

YAML_OK = """\
entries:
  - title: Research Assistant
    organization: Mayo Clinic
    role: Research Assistant
    start: 2022-01
    end: 2022-06-30
    hours: 120
    description: |
      I built a registry of 400 patients.

      We cut readmissions from 18% to 9%.
  - title: Volunteer
    start: "2023-02"
    end: present
    description: Weekly free clinic shifts.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_offsets(doc: Document) -> None:
    for e in doc.entries:
        assert doc.text[e.start : e.end] == e.description


def test_yaml_entries(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "exp.yaml", YAML_OK), EXP)
    assert doc.source_format is SourceFormat.ENTRIES
    first, second = doc.entries
    assert (first.title, first.organization, first.role) == (
        "Research Assistant",
        "Mayo Clinic",
        "Research Assistant",
    )
    assert (first.start_month, first.end_month, first.hours) == ("2022-01", "2022-06", 120.0)
    assert first.description == "I built a registry of 400 patients.\n\nWe cut readmissions from 18% to 9%."
    assert (second.start_month, second.end_month, second.hours) == ("2023-02", None, None)
    check_offsets(doc)


def test_json_list_and_csv(tmp_path: Path) -> None:
    records = [
        {
            "title": "QI project",
            "start": "2021-03",
            "end": "",
            "hours": "80 hours",
            "description": "Reduced wait times by 20%.",
        }
    ]
    doc = load_document(write(tmp_path, "exp.json", json.dumps(records)), EXP)
    assert doc.entries[0].hours == 80.0 and doc.entries[0].end_month is None
    csv_text = (
        "title,organization,start,end,hours,description\n"
        'Tutor,Med School,2020-01,2020-12,40,"Taught, weekly."\n'
    )
    doc = load_document(write(tmp_path, "exp.csv", csv_text), EXP)
    assert doc.entries[0].organization == "Med School" and doc.entries[0].description == "Taught, weekly."
    check_offsets(doc)


@pytest.mark.parametrize(
    ("name", "text", "needles"),
    [
        (
            "bad.yaml",
            YAML_OK.replace("    role: Research Assistant\n", "    rol: x\n"),
            ["entry 1 (line 2)", "unknown field 'rol'", "allowed fields"],
        ),
        (
            "bad.yaml",
            YAML_OK.replace('"2023-02"', "02/2023"),
            ["entry 2 (line 12)", "start '02/2023'", "YYYY-MM"],
        ),
        (
            "bad.json",
            '[{"title": "A", "description": "x", "end": "2022-13"}]',
            ["entry 1", "end '2022-13'", "YYYY-MM"],
        ),
        ("bad.csv", "title,description,hours\nA,text,lots\n", ["entry 1 (line 2)", "hours 'lots'", "number"]),
        ("bad.csv", "title,descr\nA,x\n", ["unknown column 'descr'", "allowed fields"]),
        ("bad.yaml", "entries:\n  - title: A\n", ["entry 1 (line 2)", "has no description"]),
        ("bad.yaml", "applicant: me\nentries: []\n", ["unknown top-level key 'applicant'"]),
        ("bad.yaml", "entries: [\n", ["invalid YAML", "fix the YAML"]),
        ("bad.json", "[]", ["no entries"]),
        (
            "bad.yaml",
            "- {title: A, description: x, start: 2022-05, end: 2022-01}\n",
            ["ends (2022-01) before"],
        ),
    ],
)
def test_structured_errors_name_file_entry_and_fix(
    tmp_path: Path, name: str, text: str, needles: list[str]
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_document(path, EXP)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    for needle in needles:
        assert needle in message


def test_structured_file_for_other_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="experience"):
        load_document(write(tmp_path, "exp.yaml", YAML_OK), DocKind.PERSONAL_STATEMENT)


def test_details_line() -> None:
    assert parse_details("Mayo Clinic | Research Assistant | 2022-01 to 2022-06 | 120 hours") == {
        "organization": "Mayo Clinic",
        "role": "Research Assistant",
        "start_month": "2022-01",
        "end_month": "2022-06",
        "hours": 120.0,
    }
    assert parse_details("Free Clinic | 2023-02 - present")["end_month"] is None  # type: ignore[index]
    assert parse_details("I learned a lot | and grew") is not None  # two names: org and role
    assert parse_details("Just a sentence without pipes.") is None


def test_docx_entries_keep_locators(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Jane Doe, MD")  # preamble
    d.add_heading("Experiences", 0)  # section title directly above an entry heading
    d.add_heading("Research Assistant", 1)
    d.add_paragraph("Mayo Clinic | Research Assistant | 2022-01 to 2022-06 | 120 hours")
    d.add_paragraph("Built a registry of 400 patients.")
    d.add_paragraph("Cut readmissions from 18% to 9%.")
    d.add_heading("Volunteer", 1)
    d.add_paragraph("Weekly free clinic shifts.")
    path = tmp_path / "exp.docx"
    d.save(str(path))
    doc = load_document(path, EXP)
    assert doc.source_format is SourceFormat.DOCX
    assert [e.title for e in doc.entries] == ["Research Assistant", "Volunteer"]
    first = doc.entries[0]
    assert (first.organization, first.start_month, first.end_month, first.hours) == (
        "Mayo Clinic",
        "2022-01",
        "2022-06",
        120.0,
    )
    assert first.description == "Built a registry of 400 patients.\n\nCut readmissions from 18% to 9%."
    check_offsets(doc)
    word = docx.Document(str(path))
    paras = docx_xml.paragraphs(word.element.body)
    block = doc.block_of(first.start)
    assert block is not None and block.locator is not None
    assert paras[block.locator].xpath("string(.)") == "Built a registry of 400 patients."


def test_markdown_and_text_entries(tmp_path: Path) -> None:
    md = "# Tutor\n\nMed School | Tutor | 2020-01 to 2020-12\n\nTaught anatomy.\n\n# Scribe\n\nWrote notes.\n"
    doc = load_document(write(tmp_path, "exp.md", md), EXP)
    assert [(e.title, e.organization, e.description) for e in doc.entries] == [
        ("Tutor", "Med School", "Taught anatomy."),
        ("Scribe", None, "Wrote notes."),
    ]
    txt = (
        "Tutor\nMed School | Tutor | 2020-01 to 2020-12\nTaught anatomy to\nfirst-year students.\n\n"
        "Scribe\n\nWrote notes.\n"
    )
    doc = load_document(write(tmp_path, "exp.txt", txt), EXP)
    assert [(e.title, e.organization, e.description) for e in doc.entries] == [
        ("Tutor", "Med School", "Taught anatomy to first-year students."),
        ("Scribe", None, "Wrote notes."),
    ]
    check_offsets(doc)


def test_no_headings_is_one_entry(tmp_path: Path) -> None:
    text = "I volunteered weekly at a clinic.\nIt was hard work.\n\nI learned Spanish there.\n"
    doc = load_document(write(tmp_path, "exp.txt", text), EXP)
    assert len(doc.entries) == 1
    assert doc.entries[0].title == "Experience"
    assert doc.entries[0].description == doc.text


def test_bold_titles_above_details_lines_start_entries(tmp_path: Path) -> None:
    d = docx.Document()
    for title, details, text in [
        ("Research Assistant", "Mayo Clinic | 2022-01 to 2022-06", "Built a registry."),
        ("Volunteer", "Free Clinic | Volunteer | 2023-02 to present | 200 hours", "Weekly shifts."),
    ]:
        d.add_paragraph().add_run(title).bold = True
        d.add_paragraph(details)
        d.add_paragraph(text)
    path = tmp_path / "exp.docx"
    d.save(str(path))
    doc = load_document(path, EXP)
    assert [(e.title, e.organization, e.description) for e in doc.entries] == [
        ("Research Assistant", "Mayo Clinic", "Built a registry."),
        ("Volunteer", "Free Clinic", "Weekly shifts."),
    ]
    assert doc.entries[1].hours == 200.0 and doc.entries[1].end_month is None
    assert [b.text for b in doc.blocks if b.heading] == ["Research Assistant", "Volunteer"]
