"""Atheris fuzz target for DOCX ingest: bytes in, a Document or an InputError out; anything else is a bug.

Run on demand (not in CI; atheris is an optional tool, not a dependency)::

    pip install atheris
    python fuzz/fuzz_docx.py -atheris_runs=20000            # seeds built in code
    python fuzz/fuzz_docx.py -max_total_time=600 corpus/    # keep interesting inputs in corpus/

The first byte of each input picks what the rest is: even, the whole ``.docx`` file (exercises the zip
pre-flight: sizes, CRCs, methods, flags); odd, the ``word/document.xml`` part, zipped into an otherwise
valid package (exercises the XML limits and the paragraph/run walk). Seeds of both kinds are built in
code with python-docx (plain, hidden, white and tiny text, a heading, a table). ``load_document`` reads
the file through a temporary path exactly as the CLI does. A crash prints the input and leaves it in
``crash-*`` in the current folder: reproduce with ``python fuzz/fuzz_docx.py crash-<hash>``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import shutil
import sys
import tempfile
from pathlib import Path

SEED_TEXT = "My Step 1 score was low. I own it, and I passed Step 2 CK with a 245. "


@functools.cache
def _template_parts() -> tuple[tuple[str, bytes], ...]:
    import zipfile

    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return tuple((name, z.read(name)) for name in z.namelist())


def as_package(document_xml: bytes) -> bytes:
    """A valid package (python-docx's template) whose main part is ``document_xml``."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for name, data in _template_parts():
            zout.writestr(name, document_xml if name == "word/document.xml" else data)
    return out.getvalue()


def to_file(data: bytes) -> bytes:
    """The file bytes an input stands for (see the module docstring)."""
    if not data:
        return b""
    return data[1:] if data[0] % 2 == 0 else as_package(data[1:])


def seeds() -> list[bytes]:
    import zipfile

    import docx
    from docx.shared import Pt, RGBColor

    out = []
    for variant in range(4):
        d = docx.Document()
        d.add_heading("Personal statement", 1)
        p = d.add_paragraph(SEED_TEXT)
        r = p.add_run("Hidden words.")
        if variant == 1:
            r.font.hidden = True
        elif variant == 2:
            r.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        elif variant == 3:
            r.font.size = Pt(1)
        d.add_table(rows=1, cols=2).cell(0, 0).text = "A table cell."
        buf = io.BytesIO()
        d.save(buf)
        out.append(b"\x00" + buf.getvalue())
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            out.append(b"\x01" + z.read("word/document.xml"))
    return out


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        import reviewer.docx_xml
        import reviewer.ingest.docx
        import reviewer.ingest.memory
        import reviewer.ingest.preflight
        import reviewer.segment  # noqa: F401
        from reviewer.document import DocKind
        from reviewer.errors import InputError
        from reviewer.ingest import load_document

    folder = Path(tempfile.mkdtemp(prefix="fuzz-docx-"))
    path = folder / "draft.docx"

    def one_input(data: bytes) -> None:
        path.write_bytes(to_file(data))
        with contextlib.suppress(InputError):  # the one documented error type; anything else is a finding
            load_document(path, DocKind.PERSONAL_STATEMENT)

    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):  # no corpus folder given: seed one
        seed_dir = folder / "seeds"
        seed_dir.mkdir()
        for i, data in enumerate(seeds()):
            (seed_dir / f"seed{i}.docx").write_bytes(data)
        args.append(str(seed_dir))
    atheris.Setup(args, one_input)
    try:
        atheris.Fuzz()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
