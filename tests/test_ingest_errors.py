"""Every unreadable input fails with one InputError line that names the file and says what to do."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from reviewer.document import DocKind
from reviewer.errors import InputError
from reviewer.ingest import load_document

PS = DocKind.PERSONAL_STATEMENT
OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def real_docx() -> bytes:
    d = docx.Document()
    for _ in range(20):
        d.add_paragraph("A real paragraph of a statement that is long enough to compress. " * 5)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def rezip(src: bytes, drop: str = "", add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != drop:
                zout.writestr(item.filename, zin.read(item.filename))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


CASES: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("locked.docx", lambda: OLE + b"\x00" * 1024, "password-protected", "save a copy without a password"),
    (
        "old.doc",
        lambda: OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 512,
        "legacy Word .doc",
        "save as .docx",
    ),
    (
        "old.docx",
        lambda: OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 512,
        "legacy Word .doc",
        "save as .docx",
    ),
    ("renamed.docx", lambda: b"%PDF-1.4\n%fake\n1 0 obj<<>>endobj\n", "PDF named .docx", "rename it to .pdf"),
    (
        "cut.docx",
        lambda: real_docx()[: len(real_docx()) // 2],
        "damaged or incomplete Word file",
        "re-save it",
    ),
    ("notzip.docx", lambda: b"just some words, not a zip", "damaged or incomplete Word file", "re-save it"),
    (
        "nodoc.docx",
        lambda: rezip(real_docx(), drop="word/document.xml"),
        "word/document.xml is missing",
        "re-save it",
    ),
    (
        "sheet.docx",
        lambda: rezip(rezip(real_docx(), drop="word/document.xml"), add={"xl/workbook.xml": b"<x/>"}),
        "Excel workbook",
        "save it as .docx",
    ),
    (
        "badxml.docx",
        lambda: rezip(
            rezip(real_docx(), drop="word/document.xml"), add={"word/document.xml": b"<w:document"}
        ),
        "not valid XML",
        "re-save it",
    ),
    (
        "bomb.docx",
        lambda: rezip(
            rezip(real_docx(), drop="word/document.xml"),
            add={"word/document.xml": b"<a>" + b" " * (8 * 1024 * 1024) + b"</a>"},
        ),
        "implausible compression ratio",
        "new document",
    ),
    ("zero.txt", lambda: b"", "empty file", "check you picked the right file"),
    ("blank.docx", lambda: b" \n\t \n", "empty file", "check you picked the right file"),
    ("bom.txt", lambda: b"\xef\xbb\xbf  \n", "empty file", "check you picked the right file"),
    ("latin1.txt", lambda: "Café résumé".encode("latin-1"), "not UTF-8 text", "save it as UTF-8"),
    ("utf16.txt", lambda: "Hello".encode("utf-16"), "UTF-16", "save it as UTF-8"),
    ("noise.txt", lambda: bytes(range(256)) * 4, "binary data", "export the document"),
    (
        "noise.md",
        lambda: b"\x01\x02\x03\x04\x05 text \x06\x07\x08\x0e\x0f",
        "binary data",
        "export the document",
    ),
    ("fake.pdf", lambda: b"hello, not a pdf", "not a PDF", "export the document as PDF again"),
    ("word.pdf", lambda: real_docx(), "Word file named .pdf", "rename it to .docx"),
    ("broken.pdf", lambda: b"%PDF-1.4\ngarbage without objects", "damaged PDF", "export the PDF again"),
    ("notes.rtf", lambda: b"{\\rtf1 hello}", "unsupported file type .rtf", "save it as .docx"),
    ("README", lambda: b"hello", "unsupported file without an extension", "save it as .docx"),
    ("rtf.docx", lambda: b"{\\rtf1 hello}", "RTF file named .docx", "save as .docx"),
]


@pytest.mark.parametrize(("name", "make", "problem", "todo"), CASES, ids=[c[0] for c in CASES])
def test_bad_inputs(tmp_path: Path, name: str, make: Callable[[], bytes], problem: str, todo: str) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(InputError) as info:
        load_document(path, PS)
    err = info.value
    line = str(err)
    assert "\n" not in line
    assert line.startswith(f"{path}: ")
    assert problem in err.message
    assert err.hint and todo in err.hint
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.docx"
    with pytest.raises(InputError) as info:
        load_document(path, PS)
    assert str(info.value) == f"{path}: file not found (check the path and the file name)"


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        load_document(folder, PS)
    assert "is a folder" in str(info.value) and str(folder) in str(info.value)


def test_size_cap(tmp_path: Path) -> None:
    from reviewer.ingest.preflight import read_checked

    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 300)
    with pytest.raises(InputError) as info:
        read_checked(path, max_bytes=1000)
    assert "too large" in str(info.value) and "remove images" in str(info.value)


def test_too_many_zip_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.ingest import preflight

    monkeypatch.setattr(preflight, "MAX_ZIP_ENTRIES", 5)
    path = tmp_path / "many.docx"
    path.write_bytes(rezip(real_docx(), add={f"word/media/x{i}.png": b"x" for i in range(10)}))
    with pytest.raises(InputError, match="too many parts"):
        load_document(path, PS)


def test_all_text_hidden(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph().add_run("Only hidden words here.").font.hidden = True
    path = tmp_path / "hidden.docx"
    d.save(str(path))
    with pytest.raises(InputError) as info:
        load_document(path, PS)
    assert "no visible text" in info.value.message and "hidden" in (info.value.hint or "")
