"""Checks that run before any parser touches a file, so every bad input fails with one clear line.

A parser fed a damaged or disguised file fails with a message about zip headers or xref tables that
tells an applicant nothing. Here the file is sniffed by its first bytes and its container is
inspected, and each problem becomes an :class:`~reviewer.errors.InputError` that names the file and
says what to do (``hint``). The order matters: existence, then size, then magic bytes (which catch
renamed files whatever their suffix), then the zip container of Word files.

Zip sanity bounds the work a hostile ``.docx`` can cause, for ingest *and* for the DOCX renderer (which
reopens the package with python-docx and so inflates every part):

* at most :data:`MAX_ZIP_ENTRIES` entries, each name once; no encrypted entries; only the two methods
  Word writes (stored, deflated);
* declared sizes are not trusted. CPython's ``zipfile`` never *returns* more than an entry's declared
  size, but ``ZipFile.read`` inflates a whole compressed chunk before truncating it, so an entry that
  declares 1 KB can still cost gigabytes of memory. :func:`verify_entries` therefore inflates every entry
  once, itself, in 1 MB steps, and refuses the file as soon as an entry produces more than it declares,
  ends early, or fails its CRC. After that the declared sizes are facts, and the declared total
  (:data:`MAX_UNCOMPRESSED_TOTAL`), the size of any XML part (:data:`MAX_PART_BYTES`) and every
  entry's compression ratio (:data:`MAX_RATIO`, for entries over 1 MB) bound what any later reader can
  inflate;
* nested archives (``word/embeddings/*.xlsx`` and the like) are checked as opaque entries and never
  opened;
* no XML part (``.xml``/``.rels``) may declare a DTD or entities (``<!DOCTYPE``, ``<!ENTITY``, in UTF-8
  or UTF-16): Word never writes them, and refusing them here keeps XXE and billion-laughs payloads out
  of every part, including the headers, footers and notes ingest never reads but the renderer parses;
* macro parts (``word/vbaProject.bin`` and the rest of ``word/vba*``) are never read or inflated: ingest
  reads only the main document part, the styles and theme parts, the other stories (headers, footers,
  notes, comments: searched for instructions, never reviewed) and the two relationship parts that locate
  them,
  and the renderer drops macro parts when it copies a ``.docm``;
* relationship parts are parsed as XML (any quoting, attribute order or escaping a writer chose), and a
  document saved as ISO 29500 *Strict* (Word's "Strict Open XML Document", other namespaces throughout)
  is refused with a line saying to re-save it as a standard Word document, not called damaged.

The XML of the parts that are read is parsed by :func:`reviewer.docx_xml.parse_part` (no DTD loading, no
entity expansion, no network, libxml2's depth and amplification limits); :func:`xml_problem` turns the
parser's refusals and any document type declaration (which Word never writes) into one clear line.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_TOTAL = 100 * 1024 * 1024  # over all entries (images included), verified by inflating
MAX_PART_BYTES = 8 * 1024 * 1024  # one XML part (a 30-page document.xml is ~2 MB; lxml needs ~10x in memory)
MAX_RATIO = 200  # uncompressed / compressed for an entry over 1 MB (text XML is typically 5-30)
RATIO_FLOOR = 1024 * 1024  # small entries may compress as well as they like
INFLATE_STEP = 1024 * 1024  # bytes produced per decompression step while verifying
WORD_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF"
RTF_MAGIC = b"{\\rtf"

WORD_SUFFIXES = frozenset({".docx", ".docm"})
RESAVE = "re-save it from Word as .docx"
NEW_DOC = "save only the text in a new document"

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# ISO 29500 Strict: Word's "Strict Open XML Document". Its parts use other namespaces (and other value types)
# than the Transitional files Word saves by default, which is all python-docx and this reader understand.
STRICT_PREFIX = "http://purl.oclc.org/ooxml/"
# The document's other stories: not reviewed, but searched for instructions to an automated reader.
STORY_KINDS = ("header", "footer", "footnotes", "endnotes", "comments")
STRICT_HINT = "open it in Word and use Save As > Word Document (.docx), not Strict Open XML Document"


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def read_checked(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path`` after the file-level checks (a regular file or a link to one inside its folder,
    never a FIFO or device: :mod:`reviewer.safeopen`; not empty, not too big).

    Reads the file once; callers hash and parse these bytes, never the path again.
    """
    from ..safeopen import open_regular

    try:
        fd = open_regular(path)
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise InputError(
                    f"file too large: {_size_text(size)}, limit {_size_text(max_bytes)}",
                    path=path,
                    hint="remove images or save only the text of the document",
                )
            data = fh.read(max_bytes + 1)
    except PermissionError as err:
        raise InputError(
            "cannot read the file: permission denied",
            path=path,
            hint="check the file's permissions or copy it somewhere readable",
        ) from err
    except OSError as err:
        raise InputError(
            f"cannot read the file: {err.strerror or err}",
            path=path,
            hint="check that the file is not open or locked elsewhere",
        ) from err
    if len(data) > max_bytes:
        raise InputError(
            f"file too large: over {_size_text(max_bytes)}",
            path=path,
            hint="remove images or save only the text of the document",
        )
    if not data.strip():
        raise InputError(
            "empty file", path=path, hint="the file has no text: check you picked the right file"
        )
    return data


def _ole_problem(data: bytes, suffix: str) -> tuple[str, str]:
    """Message and hint for an OLE compound file (legacy .doc or an encrypted Office file)."""
    encrypted = "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data
    legacy = "WordDocument".encode("utf-16-le") in data
    if suffix == ".doc" and not encrypted:
        return "legacy Word .doc file", "open it in Word and save as .docx"
    if legacy and not encrypted:
        return f"legacy Word .doc file named {suffix}", "open it in Word and save as .docx"
    return "password-protected Word file", "save a copy without a password"


def check_magic(data: bytes, path: Path, suffix: str) -> None:
    """Reject files whose first bytes contradict their suffix (renamed, legacy or encrypted files)."""
    head = data[:1024]
    if data.startswith(OLE_MAGIC):
        msg, hint = _ole_problem(data, suffix)
        raise InputError(msg, path=path, hint=hint)
    if suffix == ".doc":
        if data.startswith(ZIP_MAGIC):
            raise InputError("this is a .docx file named .doc", path=path, hint="rename it to .docx")
        raise InputError("legacy Word .doc file", path=path, hint="open it in Word and save as .docx")
    if suffix != ".pdf" and PDF_MAGIC in head[:8]:
        raise InputError(f"this is a PDF named {suffix}", path=path, hint="rename it to .pdf")
    if suffix == ".pdf" and PDF_MAGIC not in head:
        if data.startswith(ZIP_MAGIC):
            raise InputError("this is a Word file named .pdf", path=path, hint="rename it to .docx")
        raise InputError("not a PDF file: no %PDF header", path=path, hint="export the document as PDF again")
    if suffix in WORD_SUFFIXES and not data.startswith(ZIP_MAGIC):
        if data.lstrip().startswith(RTF_MAGIC):
            raise InputError(
                f"this is an RTF file named {suffix}", path=path, hint="open it in Word and save as .docx"
            )
        raise InputError("damaged or incomplete Word file", path=path, hint=RESAVE)


@dataclass(frozen=True)
class WordPackage:
    """A checked Word zip: where its main document and styles parts are, and a bounded reader."""

    path: Path
    zf: zipfile.ZipFile
    document_part: str
    styles_part: str | None
    theme_part: str | None = None
    story_parts: tuple[tuple[str, str], ...] = ()  # (header|footer|footnotes|endnotes|comments, part name)

    def read(self, name: str) -> bytes:
        """Decompress one part with a hard size limit; corrupt data becomes an InputError."""
        try:
            with self.zf.open(name) as fh:
                data = fh.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError) as err:
            raise InputError("damaged or incomplete Word file", path=self.path, hint=RESAVE) from err
        if len(data) > MAX_PART_BYTES:
            raise InputError(f"Word part {name} is too large", path=self.path, hint=NEW_DOC)
        return data

    def close(self) -> None:
        self.zf.close()


def relationships(rels: bytes | None) -> list[tuple[str, str]]:
    """``(type, target)`` of every internal relationship in a ``.rels`` part, parsed as XML (so quotes,
    attribute order and escaped characters are whatever the writer chose); an unparsable part has none."""
    if not rels:
        return []
    from lxml import etree

    from ..docx_xml import parse_part

    try:
        root = parse_part(rels)
    except (etree.XMLSyntaxError, ValueError):
        return []
    return [(el.get("Type") or "", el.get("Target") or "") for el in root.iter(f"{{{_RELS_NS}}}Relationship")
            if (el.get("TargetMode") or "Internal") == "Internal" and el.get("Target")]


def _rel_target(rels: list[tuple[str, str]], kind: str, base: str, default: str) -> str:
    """The part the first relationship of type ``.../kind`` points at (relative to ``base``), else ``default``."""
    for rtype, target in rels:
        if rtype.rsplit("/", 1)[-1] == kind:
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(base, target))
    return default


def strict_error(path: Path) -> InputError:
    """The one refusal of a document saved as ISO 29500 Strict, found by its relationships or its root."""
    return InputError("saved as a Strict Open XML document, which reviewer cannot read", path=path,
                      hint=STRICT_HINT)


def _refuse_strict(rels: list[tuple[str, str]], path: Path) -> None:
    if any(rtype.startswith(STRICT_PREFIX) for rtype, _ in rels):
        raise strict_error(path)


def is_macro_part(name: str) -> bool:
    """Whether a zip entry holds VBA macros or their data: such entries are never read or inflated."""
    low = name.lower()
    return low.startswith("word/vba") or low.endswith(("vbaproject.bin", "vbadata.xml")) or "/vba" in low


# "<" is always escaped in XML text, so these bytes can only be markup: a DTD or an entity declaration,
# which Word never writes and which python-docx would parse when the renderer reopens the package.
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_DTD_OVERLAP = 2 * len("<!DOCTYPE")


def _declares_dtd(data: bytes) -> bool:
    return any(marker in data for marker in _DTD_MARKERS)


def _dtd_error(part: str, path: Path) -> InputError:
    msg, hint = xml_problem(part, None)
    return InputError(msg, path=path, hint=hint)


def _inflated_size(data: bytes, info: zipfile.ZipInfo, path: Path) -> int:
    """Inflate one entry from the raw bytes, in bounded steps; refuse it if it lies about its size.

    Returns the number of bytes the entry really produces, which is then equal to its declared size and
    matches its CRC.
    """
    damaged = InputError("damaged or incomplete Word file", path=path, hint=RESAVE)
    off = info.header_offset
    if data[off : off + 4] != ZIP_MAGIC or off + 30 > len(data):
        raise damaged
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    comp = memoryview(data)[start : start + info.compress_size]
    if len(comp) != info.compress_size:
        raise damaged
    lying = InputError(
        f"Word part {info.filename} expands beyond its declared size", path=path, hint=RESAVE
    )
    scan = info.filename.lower().endswith((".xml", ".rels"))
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise lying
        if zlib.crc32(comp) != info.CRC:
            raise damaged
        if scan and _declares_dtd(bytes(comp)):
            raise _dtd_error(info.filename, path)
        return info.file_size
    inflater = zlib.decompressobj(-15)
    produced, crc, pending, tail = 0, 0, bytes(comp), b""
    try:
        while True:
            chunk = inflater.decompress(pending, INFLATE_STEP)
            produced += len(chunk)
            if produced > info.file_size:
                raise lying
            crc = zlib.crc32(chunk, crc)
            if scan and _declares_dtd(tail + chunk):
                raise _dtd_error(info.filename, path)
            tail = chunk[-_DTD_OVERLAP:]
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and not chunk):
                break
    except zlib.error as err:
        raise damaged from err
    if not inflater.eof or produced != info.file_size or crc != info.CRC:
        raise damaged
    return produced


def verify_entries(data: bytes, infos: list[zipfile.ZipInfo], path: Path) -> None:
    """The zip sanity rules of the module docstring, over every entry of a Word package."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InputError(f"Word file has too many parts: {len(infos)}", path=path, hint=RESAVE)
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_TOTAL:
        raise InputError("Word file expands to an implausible size", path=path, hint=RESAVE)
    if len({i.filename for i in infos}) != len(infos):  # readers would disagree on which copy is the part
        raise InputError("damaged Word file: a part appears twice", path=path, hint=RESAVE)
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(
                "password-protected Word file (encrypted parts)", path=path, hint="save a copy without a password"
            )
        if info.compress_type not in WORD_METHODS:
            raise InputError(
                f"Word part {info.filename} uses a compression Word does not write", path=path, hint=RESAVE
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"Word part {info.filename} has an implausible compression ratio", path=path, hint=NEW_DOC
            )
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size > MAX_PART_BYTES:
            raise InputError(f"Word part {info.filename} is too large", path=path, hint=NEW_DOC)
    for info in infos:
        if not info.is_dir() and not is_macro_part(info.filename):
            _inflated_size(data, info, path)


def open_word_package(data: bytes, path: Path) -> WordPackage:
    """Open ``data`` as a Word zip after container sanity checks; locate the document and styles parts."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError) as err:
        raise InputError("damaged or incomplete Word file", path=path, hint=RESAVE) from err
    try:
        verify_entries(data, infos, path)
    except InputError:
        zf.close()
        raise
    names = {i.filename: i for i in infos}
    pkg = WordPackage(path=path, zf=zf, document_part="", styles_part=None)
    root_rels = relationships(pkg.read("_rels/.rels") if "_rels/.rels" in names else None)
    try:
        _refuse_strict(root_rels, path)
    except InputError:
        zf.close()
        raise
    main = _rel_target(root_rels, "officeDocument", "", "word/document.xml")
    if main not in names or is_macro_part(main):
        main = "word/document.xml"
    if main not in names:
        zf.close()
        if "xl/workbook.xml" in names:
            raise InputError(
                "this is an Excel workbook, not a Word document", path=path, hint="save it as .docx"
            )
        if "ppt/presentation.xml" in names:
            raise InputError(
                "this is a PowerPoint file, not a Word document", path=path, hint="save it as .docx"
            )
        raise InputError("not a Word document: word/document.xml is missing", path=path, hint=RESAVE)
    folder, base = posixpath.split(main)
    doc_rels_name = posixpath.join(folder, "_rels", base + ".rels")
    doc_rels = relationships(pkg.read(doc_rels_name) if doc_rels_name in names else None)
    styles = _rel_target(doc_rels, "styles", folder, posixpath.join(folder, "styles.xml"))
    if is_macro_part(styles):
        styles = ""
    theme = _rel_target(doc_rels, "theme", folder, "")
    return WordPackage(path=path, zf=zf, document_part=main, styles_part=styles if styles in names else None,
                       theme_part=theme if theme in names and not is_macro_part(theme) else None,
                       story_parts=_story_parts(doc_rels, folder, set(names)))


def _story_parts(rels: list[tuple[str, str]], folder: str, names: set[str]) -> tuple[tuple[str, str], ...]:
    """``(kind, part)`` of every header, footer, notes and comments part the document relates to, each once."""
    out: dict[tuple[str, str], None] = {}
    for kind in STORY_KINDS:
        for rtype, target in rels:
            if rtype.rsplit("/", 1)[-1] == kind:
                part = _rel_target([(rtype, target)], kind, folder, "")
                if part in names and not is_macro_part(part):
                    out[(kind, part)] = None
    return tuple(out)


_DEPTH = re.compile(r"depth", re.IGNORECASE)
_ENTITY = re.compile(r"entit|amplification|DTD|DOCTYPE", re.IGNORECASE)


def xml_problem(part: str, syntax_error: str | None) -> tuple[str, str]:
    """Message and hint for a Word XML part the parser refused (``syntax_error``) or that declares a DTD
    (``syntax_error`` None)."""
    if syntax_error is None or _ENTITY.search(syntax_error):
        return (
            f"Word part {part} declares XML entities or a DTD, which Word never writes (refused for safety)",
            RESAVE,
        )
    if _DEPTH.search(syntax_error):
        return f"Word part {part} is nested too deeply to be a real document", RESAVE
    return f"damaged Word file: {part} is not valid XML", RESAVE
