"""The programs file: the template, validated reading, located problems, stale rows, hostile workbooks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reviewer.errors import InputError
from reviewer.programs.columns import COLUMNS, ProgramType, ProgramVisa, Tri, Usce, parse_visa
from reviewer.programs.profile import Specialty
from reviewer.programs.table import read_programs
from reviewer.programs.template import csv_text, write_template

from conftest import SAMPLES

TODAY = dt.date(2026, 12, 1)
HEADER = "program,city,state,specialty,program_type,visa,step2ck_min,max_attempts,last_checked"


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "programs.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_valid_row_is_read_with_its_types(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Cedar Bluff IM,Cedar Bluff,NJ,IM,community,J-1 only,220,2,2026-11-20")
    table = read_programs(path, as_of=TODAY)
    assert table.problems == ()
    (p,) = table.programs
    assert (p.row, p.program, p.state, p.specialty, p.program_type, p.visa) == (
        2, "Cedar Bluff IM", "NJ", Specialty.INTERNAL_MEDICINE, ProgramType.COMMUNITY, ProgramVisa.J1)
    assert (p.step2ck_min, p.max_attempts, p.last_checked) == (220, 2, dt.date(2026, 11, 20))
    assert p.accepts_imgs is Tri.UNKNOWN and p.usce_required is Usce.NO and p.languages == ()


def test_bad_rows_are_one_line_each_naming_row_and_column_and_the_others_are_still_read(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Good One,A,CA,FM,community,J-1,220,2,2026-11-20",
        "Text Score,B,CA,FM,community,J-1,high,2,2026-11-20",     # text in a score column
        "Bad Visa,C,CA,FM,community,O-1,220,2,2026-11-20",        # unknown visa value
        "Short Row,D,CA,FM,community",                            # missing columns (a short row)
        "Good Two,E,TX,Pediatrics,kaiser,J-1/H-1B,,,2026-11-20",
    )
    table = read_programs(path, as_of=TODAY)
    assert [p.program for p in table.programs] == ["Good One", "Good Two"]
    lines = [str(p) for p in table.errors]
    assert lines == [
        f"{path}:3: step2ck_min: 'high' is not a Step 2 CK minimum (a score from 150 to 300, or blank); row skipped",
        f"{path}:4: visa: unknown visa value 'O-1' (one of: none, J-1, J-1/H-1B, H-1B); row skipped",
        f"{path}:5: visa: missing; row skipped",
    ]
    assert all("\n" not in line for line in lines)


def test_problem_rows_are_the_spreadsheet_rows_in_xlsx_too(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_template(path, [
        {"program": "A", "specialty": "Family Medicine", "program_type": "community", "visa": "J-1",
         "last_checked": TODAY},
        {"program": "B", "specialty": "Family Medicine", "program_type": "community", "visa": "J-1",
         "img_share": "lots", "last_checked": TODAY},
    ])
    table = read_programs(path, as_of=TODAY)
    assert [p.program for p in table.programs] == ["A"]
    assert [str(p) for p in table.errors] == [
        f"{path}:3: img_share: 'lots' is not a percentage from 0 to 100; row skipped"]


def test_a_missing_required_column_in_the_header_names_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "A,B,CA,FM,community", header="program,city,state,specialty,program_type")
    with pytest.raises(InputError, match=r"programs.csv:1: visa: required column\(s\) missing from the header"):
        read_programs(path, as_of=TODAY)


def test_unknown_columns_are_warnings_and_the_rows_still_count(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "A,B,CA,FM,community,J-1,,,2026-11-01,x", header=HEADER + ",favourite colour")
    table = read_programs(path, as_of=TODAY)
    assert len(table.programs) == 1 and not table.errors
    assert [str(w) for w in table.warnings] == [f"{path}:1: favourite colour: unknown column, ignored"]


def test_rows_not_checked_for_over_a_year_are_flagged(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Old,A,CA,FM,community,J-1,,,2025-11-30", "Fresh,A,CA,FM,community,J-1,,,2025-12-01",
                     "Never,A,CA,FM,community,J-1,,,")
    table = read_programs(path, as_of=TODAY)
    assert len(table.programs) == 3
    assert [str(w) for w in table.warnings] == [
        f"{path}:2: last_checked: 2025-11-30, over a year ago: check the row against its source",
        f"{path}:4: last_checked: blank: when was this row last checked against its source?",
    ]


def test_csv_comment_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = csv_text([{"program": "A", "specialty": "FM", "program_type": "community", "visa": "nope",
                      "last_checked": TODAY}])
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("A,"))
    (problem,) = read_programs(path, as_of=TODAY).errors
    assert problem.row == line and problem.column == "visa"


@pytest.mark.parametrize(("cell", "visa"), [("J-1", ProgramVisa.J1), ("J1 only", ProgramVisa.J1),
                                            ("J-1, H-1B", ProgramVisa.J1_H1B), ("h1b", ProgramVisa.H1B),
                                            ("None", ProgramVisa.NONE), ("J-1 and H-1B", ProgramVisa.J1_H1B)])
def test_visa_spellings(cell: str, visa: ProgramVisa) -> None:
    assert parse_visa(cell) is visa


def test_the_xlsx_template_documents_every_column_and_offers_drop_downs(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Programs"]
    headers = [c.value for c in sheet[1]]
    assert [h.rstrip("*") for h in headers] == [c.key for c in COLUMNS]
    assert all(sheet.cell(row=1, column=i).comment for i in range(1, len(COLUMNS) + 1))
    documented = {row[0].value: row[2].value for row in book["Columns"].iter_rows(min_row=2)}
    assert set(documented) == {c.key for c in COLUMNS} and all(documented.values())
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == sum(1 for c in COLUMNS if c.choices)
    assert book["Lists"].sheet_state == "hidden"
    assert read_programs(path, as_of=TODAY).programs == ()  # an empty template reads as no programs


def test_the_csv_template_reads_back_empty(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    write_template(path)
    assert read_programs(path, as_of=TODAY).programs == ()


def test_the_sample_xlsx_and_csv_hold_the_same_fictional_programs() -> None:
    xlsx = read_programs(SAMPLES / "programs.xlsx", as_of=TODAY)
    csv = read_programs(SAMPLES / "programs.csv", as_of=TODAY)
    assert not xlsx.errors and not csv.errors and len(xlsx.programs) >= 25
    strip = [p.model_dump(exclude={"row"}) for p in xlsx.programs]
    assert strip == [p.model_dump(exclude={"row"}) for p in csv.programs]
    # data honesty: every row says it is fictional and points nowhere real
    assert all(p.notes.startswith("Fictional program") for p in xlsx.programs)
    assert all(p.source_url.startswith("https://example.org/fictional/") for p in xlsx.programs)


def test_a_hostile_workbook_is_refused_before_openpyxl_reads_it(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>')
    path = tmp_path / "evil.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match="declares XML entities or a DTD"):
        read_programs(path, as_of=TODAY)
    word = tmp_path / "renamed.xlsx"
    word.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match=r"not an \.xlsx workbook"):
        read_programs(word, as_of=TODAY)


def test_other_suffixes_and_non_utf8_csv_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a programs file"):
        read_programs(tmp_path / "p.ods", as_of=TODAY)
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER.encode() + b"\nCaf\xe9,A,CA,FM,community,J-1,,,\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_programs(path, as_of=TODAY)


def test_a_shorter_freshness_limit_is_named_in_the_warning(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Old,A,CA,FM,community,J-1,,,2026-06-01")
    table = read_programs(path, as_of=TODAY, max_age_days=90)
    assert [str(w) for w in table.warnings] == [
        f"{path}:2: last_checked: 2026-06-01, {(TODAY - dt.date(2026, 6, 1)).days} days ago (limit 90): "
        "check the row against its source",
    ]
