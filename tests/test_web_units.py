"""The web page's small parts: upload names, kind guesses, error lines, relabelled reviews, sessions, hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.document import DocKind
from reviewer.errors import InputError
from reviewer.pipeline import discover, review_folder
from reviewer.rubric import load_rubrics
from reviewer.settings import resolve_settings
from reviewer.web.present import DEFAULT_APPLICANT, engine_label, error_line, relabel, strip_folder
from reviewer.web.security import loopback_hosts, same_origin, token_ok
from reviewer.web.server import bind, is_loopback
from reviewer.web.session import Job, SessionStore
from reviewer.web.staging import document_name, guess_kind

PS = "I failed Step 1 on my first attempt. It was not my fault, the exam was unfair. I then scored 241 on Step 2 CK."


@pytest.mark.parametrize(("filename", "taken", "expected"), [
    ("personal_statement.docx", [], "personal_statement.docx"),
    ("C:\\fakepath\\My Statement (final).DOCX", [], "My Statement (final).docx"),
    ("../../etc/passwd", [], "passwd"),
    ("ps.docx", ["PS.docx"], "ps-2.docx"),
    ("ps.docx", ["ps.docx", "ps-2.docx"], "ps-3.docx"),
    ("application.yaml", [], "application-draft.yaml"),
    ("README.md", [], "README-draft.md"),
    ("ps.review.docx", [], "ps-review.docx"),
    ("~$lock.docx", [], "lock.docx"),
    (".hidden.txt", [], "hidden.txt"),
    ("no extension", [], "no extension"),
    ("x" * 300 + ".docx", [], "x" * 120 + ".docx"),
    ("tab\there.txt", [], "tab_here.txt"),
])
def test_document_name(filename: str, taken: list[str], expected: str) -> None:
    assert document_name(filename, taken) == expected


def test_document_names_are_read_by_a_folder_review(tmp_path: Path) -> None:
    """Whatever it was called, an uploaded draft is a document of the round's folder, never skipped."""
    names: list[str] = []
    for raw in ("README.md", "application.yaml", "ps.review.md", "~$x.txt", ".x.txt", "readme.txt"):
        names.append(document_name(raw, names))
        (tmp_path / names[-1]).write_text("text")
    assert sorted(p.name for p in discover(tmp_path)) == sorted(names)


@pytest.mark.parametrize(("name", "kind"), [
    ("personal_statement.docx", DocKind.PERSONAL_STATEMENT),
    ("PS_v2.pdf", DocKind.PERSONAL_STATEMENT),
    ("psych_notes.txt", None),
    ("Experience entries.md", DocKind.EXPERIENCE),
    ("my_entries.csv", DocKind.EXPERIENCE),
    ("additional_info.txt", DocKind.ADDITIONAL_INFO),
    ("interview_step1.txt", DocKind.INTERVIEW_ANSWER),
    ("draft.docx", None),
])
def test_guess_kind(name: str, kind: DocKind | None) -> None:
    assert guess_kind(name) is kind


def test_error_lines_name_files_as_the_applicant_does(tmp_path: Path) -> None:
    folder = tmp_path / "s-123"
    err = InputError("damaged or incomplete Word file", path=folder / "round-2" / "documents" / "My PS.docx",
                     hint="re-save it from Word as .docx")
    assert error_line(err, folder) == ("error: My PS.docx: damaged or incomplete Word file "
                                       "(re-save it from Word as .docx)")
    assert error_line(f"{folder}/staged/a.txt: bad", folder) == "error: a.txt: bad"
    assert error_line("error: already a line") == "error: already a line"
    assert error_line(ValueError("x\ny")) == "error: internal error: ValueError: x y"
    assert strip_folder("no path here", folder) == "no path here"


def test_relabel_takes_the_temporary_folder_off_every_path(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "personal_statement.txt").write_text(PS)
    (folder / "additional_info.docx").write_bytes(b"not a word file")
    settings = resolve_settings({}, env={})
    result = relabel(review_folder(folder, load_rubrics(), settings), folder)
    app = result.application
    assert app is not None and app.applicant == DEFAULT_APPLICANT
    dumped = app.model_dump_json() + "".join(r.review.model_dump_json() + r.document.path for r in result.reviewed)
    assert str(tmp_path) not in dumped
    assert [d.path for d in app.documents] == ["personal_statement.txt"]
    assert app.failures[0].path == "additional_info.docx"
    assert app.failures[0].error.startswith("additional_info.docx: ")
    assert result.reviewed[0].source == folder / "personal_statement.txt"  # the renderer still finds the file


def test_engine_label() -> None:
    assert engine_label(resolve_settings({}, env={})).startswith("rules engine (offline")
    hybrid = resolve_settings({"engine": "hybrid", "model": "m", "base_url": "http://127.0.0.1:9/v1"}, env={})
    assert engine_label(hybrid) == "hybrid engine: rules + model m at http://127.0.0.1:9/v1"


def test_sessions_expire_unless_a_review_runs(tmp_path: Path) -> None:
    now = [0.0]
    store = SessionStore(idle_timeout=10, parent=tmp_path, clock=lambda: now[0])
    idle, busy = store.create(), store.create()
    busy.job = Job(round=1, engine="rules")
    now[0] = 11
    assert store.sweep() == 1
    assert not idle.folder.exists() and busy.folder.exists()
    assert store.get(idle.id) is None and store.get(busy.id) is busy
    busy.job.state = "done"
    now[0] = 22
    assert store.get(busy.id) is None and not busy.folder.exists()  # an expired session is not revived
    store.close()
    assert not store.root.exists() and store.root.parent == tmp_path


def test_tokens_hosts_and_origins() -> None:
    assert token_ok("abc", "abc") and not token_ok("abc", "abd") and not token_ok("abc", None)
    assert loopback_hosts("127.0.0.1", 8767) == {"127.0.0.1:8767", "localhost:8767", "[::1]:8767"}
    assert loopback_hosts("0.0.0.0", 80) == {"0.0.0.0:80"}
    from starlette.datastructures import Headers

    assert same_origin(Headers({"host": "127.0.0.1:1"}))
    assert same_origin(Headers({"host": "127.0.0.1:1", "origin": "http://127.0.0.1:1"}))
    assert not same_origin(Headers({"host": "127.0.0.1:1", "origin": "http://evil.example"}))


def test_bind_picks_a_free_port_and_says_when_one_is_taken() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    first = bind("127.0.0.1", 0)
    try:
        assert first.port > 0 and first.url == f"http://127.0.0.1:{first.port}/"
        from reviewer.errors import ConfigError

        with pytest.raises(ConfigError, match=f"port {first.port} is already in use"):
            bind("127.0.0.1", first.port)
    finally:
        first.sock.close()


def test_at_most_max_sessions_live_the_least_recently_used_idle_ones_go(tmp_path: Path) -> None:
    from reviewer.web.session import MAX_SESSIONS

    now = [0.0]
    store = SessionStore(parent=tmp_path, clock=lambda: now[0])
    busy = store.create()
    busy.job = Job(round=1, engine="rules")
    made = []
    for i in range(MAX_SESSIONS + 5):
        now[0] = i + 1.0
        made.append(store.create())
    assert len(store) == MAX_SESSIONS
    assert store.get(busy.id) is busy  # a running review is never cut short
    assert [s for s in made[:6] if store.get(s.id) is not None] == []  # the oldest idle ones went, files too
    assert not made[0].folder.exists() and made[-1].folder.exists()
    store.close()
