"""The web page's routes on Starlette's test client: uploads and their checks, rounds, downloads, round two,
limits, sessions, CSRF and the headers. The browser test (test_web_browser.py) drives the same page in Chromium."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from reviewer.cli import main
from reviewer.web.app import COOKIE
from reviewer.web.staging import MAX_DOCUMENTS
from web_helpers import (
    SAMPLE_DOCX,
    SAMPLES,
    csrf,
    downloads,
    errors,
    make_client,
    review,
    revise,
    selected_kinds,
    staged_ids,
    upload,
    wait,
)

PS = """I am applying to Kaiser Permanente internal medicine because of its integrated care model.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I was completly devastated. I changed my approach with timed question blocks and passed on my second attempt, \
then scored 241 on Step 2 CK."""

PS_2 = PS.replace("It was not my fault, the exam was unfair to international students. ", "") \
    .replace("completly", "completely")


def cli_error(tmp_path: Path, name: str, data: bytes, *args: str) -> str:
    """The line ``reviewer review NAME`` prints for this file, run where the file is."""
    folder = tmp_path / "cli"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    import os

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        r = CliRunner().invoke(main, ["review", name, "--out", "out", *args])
    finally:
        os.chdir(cwd)
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, r.output
    return lines[0]


# --- the page, its headers and its session ----------------------------------------------------------------


def test_page_headers_cookie_and_labels(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    # no inline script or style: the policy would block them
    assert not re.search(r"<script(?![^>]*\bsrc=)", r.text) and "<style" not in r.text and " style=" not in r.text
    # every control has a label
    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', r.text)
    assert controls
    for control in controls:
        assert f'for="{control}"' in r.text, f"no label for #{control}"
    assert "Rules engine (offline" in r.text  # the page says which engine judges


def test_unknown_host_and_foreign_origin_are_refused(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        token = csrf(client)
        r = client.get("/", headers={"host": "attacker.example:8767"})
        assert r.status_code == 421 and "unknown host" in r.text
        r = client.post("/paste", data={"csrf": token, "text": PS, "kind": "personal_statement"},
                        headers={"origin": "http://attacker.example"})
        assert r.status_code == 403 and errors(r.text) == ["error: this form was sent from another site (open the "
                                                           "page yourself)"]
        assert not staged_ids(client.get("/").text)


def test_posts_need_the_sessions_csrf_token(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        csrf(client)
        for token in (None, "forged"):
            data = {"text": PS, "kind": "personal_statement"} | ({"csrf": token} if token else {})
            r = client.post("/paste", data=data)
            assert r.status_code == 403
            assert errors(r.text) == ["error: this form is out of date (reload the page and try again)"]
        assert not staged_ids(client.get("/").text)
        other, _ = make_client(tmp_path)  # another session's token is not this one's
        with other:
            r = client.post("/paste", data={"csrf": csrf(other), "text": PS, "kind": "personal_statement"})
        assert r.status_code == 403


def test_a_post_without_a_session_is_one_line_and_makes_no_session(tmp_path: Path) -> None:
    client, store = make_client(tmp_path)
    with client:
        r = client.post("/paste", data={"csrf": "x", "text": PS, "kind": "personal_statement"})
        assert r.status_code == 403
        assert errors(r.text) == ["error: your session expired and its files were deleted (start again)"]
        assert len(store) == 0 and not any(store.root.iterdir())


def test_requests_other_sites_make_are_refused_but_links_from_them_work(tmp_path: Path) -> None:
    client, store = make_client(tmp_path)
    with client:
        token = csrf(client)
        for method, mode in (("GET", "no-cors"), ("GET", "cors"), ("POST", "navigate")):
            r = client.request(method, "/" if method == "GET" else "/paste",
                               headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": mode},
                               data={"csrf": token, "text": PS, "kind": "personal_statement"} if method == "POST"
                               else None)
            assert r.status_code == 403, (method, mode)
            assert errors(r.text) == ["error: another site asked for this page (open it yourself)"]
        assert len(store) == 1 and not staged_ids(client.get("/").text)
        r = client.get("/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"})
        assert r.status_code == 200
        r = client.post("/paste", headers={"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate"},
                        data={"csrf": token, "text": PS, "kind": "personal_statement"})
        assert staged_ids(r.text)


# --- uploads -----------------------------------------------------------------------------------------------


def test_upload_guesses_the_kind_from_the_name(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        page = upload(client, [("PS_final.docx", SAMPLE_DOCX.read_bytes()), ("experiences.yaml",
                               (SAMPLES / "amara-okafor" / "experiences.yaml").read_bytes()),
                               ("My statement.txt", PS.encode())])
    assert selected_kinds(page) == {"PS_final.docx": "personal_statement", "experiences.yaml": "experience",
                                    "My statement.txt": ""}  # nothing to guess from: the applicant chooses


@pytest.mark.parametrize(("name", "data"), [
    ("broken.docx", b"this is not a Word file"),
    ("statement.pdf", b"PK\x03\x04 not a pdf"),
    ("old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"WordDocument".decode().encode("utf-16-le") + b"\0" * 600),
    ("empty.txt", b"   \n"),
    ("scan.rtf", b"{\\rtf1 hello}"),
])
def test_a_bad_file_is_the_clis_one_line_error(tmp_path: Path, name: str, data: bytes) -> None:
    client, _ = make_client(tmp_path)
    with client:
        page = upload(client, [(name, data), ("personal_statement.txt", PS.encode())])
    kind = ["--kind", "personal_statement"]
    assert errors(page) == [cli_error(tmp_path, name, data, *kind)]
    assert "Traceback" not in page and str(tmp_path) not in page
    assert set(staged_ids(page)) == {"personal_statement.txt"}  # the good file is still staged


def test_file_over_the_size_cap_is_refused_like_the_cli(tmp_path: Path) -> None:
    big = b"word " * (21 * 1024 * 1024 // 5)
    client, _ = make_client(tmp_path)
    with client:
        page = upload(client, [("ps.txt", big)])
    assert errors(page) == [cli_error(tmp_path, "ps.txt", big)]
    assert "file too large" in errors(page)[0]


def test_count_and_request_size_limits(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        token = csrf(client)
        page = upload(client, [(f"ps{i}.txt", PS.encode()) for i in range(MAX_DOCUMENTS + 1)], token)
        assert errors(page) == [f"error: too many documents: at most {MAX_DOCUMENTS} in one review (remove some, "
                                "or review the others afterwards)"]
        assert not staged_ids(page)
        r = client.post("/upload", content=b"x", headers={"content-length": str(10**10),
                                                          "content-type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413 and errors(r.text)[0].startswith("error: upload too large: ")


def test_paste_text_and_its_errors(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        token = csrf(client)
        r = client.post("/paste", data={"csrf": token, "text": "  ", "kind": "personal_statement"})
        assert errors(r.text) == ["error: Pasted text: empty text (paste your draft in the box, or choose a file)"]
        r = client.post("/paste", data={"csrf": token, "text": PS, "kind": ""})
        assert errors(r.text)[0].startswith("error: Pasted text: choose what kind of document")
        r = client.post("/paste", data={"csrf": token, "text": PS, "kind": "personal_statement"})
        assert not errors(r.text) and list(staged_ids(r.text)) == ["Pasted text"]
        page = review(client)
        md = client.get(next(u for u in downloads(page) if u.endswith(".md"))).text
    assert "Review of `pasted_personal_statement.txt`" in md


def test_remove_a_staged_document(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        page = upload(client, [("ps.txt", PS.encode()), ("additional.txt", PS.encode())])
        ids = staged_ids(page)
        r = client.post("/remove", data={"csrf": csrf(client), "remove": ids["ps.txt"],
                                         f"kind-{ids['additional.txt']}": "interview_answer"})
        assert set(staged_ids(r.text)) == {"additional.txt"}
        assert re.search(r'value="interview_answer" selected', r.text)  # the kind chosen meanwhile is kept


# --- a round -----------------------------------------------------------------------------------------------


def test_review_one_docx_and_download_its_feedback(tmp_path: Path) -> None:
    client, store = make_client(tmp_path)
    with client:
        upload(client, [("ps_draft.docx", SAMPLE_DOCX.read_bytes())])
        page = review(client)
        assert not errors(page)
        assert "Judged by the rules engine (offline)." in page
        links = downloads(page)
        assert [Path(u).name for u in links] == [f"ps_draft.review.{f}" for f in ("docx", "json", "md", "html")]
        assert "Across your application" not in page  # one document: no application checks
        files = {Path(u).suffix: client.get(u) for u in links}
    r = files[".docx"]
    assert r.headers["content-disposition"].startswith("attachment")
    data = json.loads(files[".json"].text)
    annotated = docx.Document(io.BytesIO(r.content))
    assert len(list(annotated.comments)) == len(data["advice"]["comments"]) >= 1
    assert data["document"]["path"] == "ps_draft.docx" and data["engine"] == "rules"
    for response in files.values():  # no temporary path leaks into what the applicant takes home
        assert str(store.root).encode() not in response.content


def test_the_page_shows_the_html_review_in_a_frame_under_its_own_policy(tmp_path: Path) -> None:
    """The result is the HTML review the html format writes (the renderer's file, byte for byte), framed: the
    draft with its highlighted sentences and notes, the scorecard, what's working, the rewrite."""
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("ps_draft.docx", SAMPLE_DOCX.read_bytes())])
        page = review(client)
        frame = re.search(r'<iframe class="review" src="(/view/1/ps_draft\.review\.html)" title="Review of '
                          r'ps_draft\.docx" sandbox="allow-same-origin">', page)
        assert frame
        shown = client.get(frame.group(1))
        downloaded = client.get("/download/1/ps_draft.review.html")
        bad = client.get("/view/1/ps_draft.review.json")
    assert shown.status_code == 200 and shown.content == downloaded.content
    html = shown.text
    assert re.search(r'<mark id="c1" class="(fail|warn)">', html)
    for section in ("Scorecard", "What's working", "Your draft, with comments"):
        assert section in html.replace("&#39;", "'")
    assert "Suggested rewrite" in html
    csp = shown.headers["content-security-policy"]
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert csp.startswith(f"default-src 'none'; style-src 'sha256-{digest}';") and "frame-ancestors 'self'" in csp
    assert "<script" not in html and shown.headers["x-frame-options"] == "SAMEORIGIN"
    assert bad.status_code == 404


def test_review_an_application_with_the_checks_across_documents(tmp_path: Path) -> None:
    folder = SAMPLES / "amara-okafor"
    names = ["personal_statement.docx", "experiences.yaml", "additional_info.txt", "interview_step1.txt"]
    client, _ = make_client(tmp_path)
    with client:
        page = upload(client, [(n, (folder / n).read_bytes()) for n in names])
        assert not errors(page)
        page = review(client, {"interview_step1.txt": "interview_answer"}, applicant="Amara Okafor")
        assert not errors(page)
        assert "Across your application" in page
        app_links = [u for u in downloads(page) if "/application.review." in u]
        assert {Path(u).name for u in app_links} == {"application.review.json", "application.review.md"}
        report = json.loads(client.get(next(u for u in app_links if u.endswith(".json"))).text)
    assert report["applicant"] == "Amara Okafor"
    assert sorted(d["path"] for d in report["documents"]) == sorted(names)
    assert {c["id"] for c in report["criteria"]} >= {"application.score_once", "application.consistency"}


def test_a_document_needs_a_kind_before_review(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("notes.txt", PS.encode())])
        page = review(client)
        assert errors(page) == ["error: notes.txt: cannot tell what kind of document this is (choose its kind in "
                                "the list)"]
        assert not downloads(page)
        page = review(client, {"notes.txt": "personal_statement"})
        assert not errors(page) and downloads(page)


def test_nothing_to_review(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        r = client.post("/review", data={"csrf": csrf(client)})
        assert errors(r.text) == ["error: nothing to review (choose a file or paste a draft first)"]


def test_round_two_shows_resolved_persisting_and_new(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        first = review(client)
        assert 'id="revise"' in first and "New version of personal_statement.txt" in first
        page = revise(client, {0: ("personal_statement_v2.txt", PS_2.encode())})
        assert not errors(page)
        assert "Feedback, round 2" in page and "Since round 1" in page
        assert {Path(u).name for u in downloads(page)} == {f"personal_statement_v2.review.{f}"
                                                           for f in ("docx", "json", "md", "html")}
        data = json.loads(client.get(next(u for u in downloads(page) if u.endswith(".json"))).text)
        md = client.get(next(u for u in downloads(page) if u.endswith(".md"))).text
    assert data["revision"]["round"] == 2 and data["revision"]["previous_round"] == 1
    expected = data["revision"]["counts"]
    assert expected["resolved"] >= 1 and expected["persisting"] >= 1  # the excuse went, the emotion stayed
    for status, n in expected.items():
        assert f"{n} {status}" in page
    assert "Since your last draft" in md
    assert 'href="/?round=1#result"' in page  # round one is still there to look at


def test_round_two_keeps_unrevised_documents_as_they_were(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode()), ("additional_info.txt", PS.encode())])
        review(client)
        page = revise(client, {0: ("ps.txt", PS_2.encode())})  # in the order they were added
        assert not errors(page)
        assert "Not revised in this round: its review is unchanged." in page
        assert page.count("resolved</span>") == 1


def test_round_two_without_a_file_and_with_a_bad_file(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        review(client)
        r = client.post("/revise", data={"csrf": csrf(client)})
        assert errors(r.text) == ["error: no revised draft was chosen (choose the new version of at least one "
                                  "document)"]
        r = client.post("/revise", data={"csrf": csrf(client)},
                        files=[("revised-0", ("ps.docx", b"not a word file"))])
        assert errors(r.text) == ["error: ps.docx: damaged or incomplete Word file (re-save it from Word as .docx)"]
        assert "Feedback, round 1" in r.text


def test_download_only_this_sessions_files(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        link = downloads(review(client))[0]
        assert client.get(link).status_code == 200
        for bad in ("/download/1/..%2F..%2Fstaged%2Fpersonal_statement.txt", "/download/2/x.json",
                    "/download/1/application.yaml"):
            r = client.get(bad)
            assert r.status_code == 404 and len(errors(r.text)) == 1 and "Traceback" not in r.text
        other, _ = make_client(tmp_path)
        with other:
            assert other.get(link).status_code == 404


def test_save_a_copy_to_a_chosen_folder(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    out = tmp_path / "my feedback"
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        page = review(client, out=str(out))
        assert "A copy of this feedback is saved in" in page
    assert sorted(p.name for p in out.iterdir()) == [f"personal_statement.review.{f}" for f in ("docx", "json", "md")]


def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        page = review(client, out=str(blocker / "feedback"))
    lines = errors(page)
    assert len(lines) == 1 and lines[0].startswith(f"error: {blocker / 'feedback'}") and downloads(page)


def test_page_cannot_write_to_folders_when_listening_beyond_this_computer(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path, choose_out=False)
    with client:
        assert 'id="out"' not in client.get("/").text
        upload(client, [("personal_statement.txt", PS.encode())])
        page = review(client, out=str(tmp_path / "elsewhere"))
    assert errors(page)[0].startswith("error: settings: this page cannot save to a folder it was not started with")
    assert not (tmp_path / "elsewhere").exists()


def test_engine_choices_follow_the_settings(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        assert re.findall(r'<option value="(rules|hybrid|llm)"', client.get("/").text) == []  # no staged doc yet
        upload(client, [("personal_statement.txt", PS.encode())])
        page = client.get("/").text
        assert re.findall(r'<option value="(rules|hybrid|llm)"', page) == ["rules"]
        page = review(client, engine="hybrid")
        assert errors(page) == ["error: settings: engine 'hybrid' is not available here (start reviewer serve with "
                                "--model (or REVIEWER_MODEL) to use a model engine)"]
    client, _ = make_client(tmp_path, flags={"model": "m", "base_url": "http://127.0.0.1:9/v1"})
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        assert re.findall(r'<option value="(rules|hybrid|llm)"', client.get("/").text) == ["rules", "hybrid", "llm"]


# --- errors, sessions, clean-up ---------------------------------------------------------------------------


def test_errors_are_one_line_pages(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        r = client.get("/nowhere")
        assert r.status_code == 404 and errors(r.text) == ["error: /nowhere: no such page (open the address "
                                                           "reviewer serve printed)"]
        r = client.get("/upload")
        assert r.status_code == 405 and len(errors(r.text)) == 1


def test_an_internal_error_is_one_line_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.web import app as web_app

    def boom(*args: object) -> dict[str, object]:
        raise RuntimeError("something broke")

    monkeypatch.setattr(web_app, "page_context", boom)
    client, _ = make_client(tmp_path)
    client = type(client)(client.app, raise_server_exceptions=False)
    with client:
        r = client.get("/")
    assert r.status_code == 500
    assert errors(r.text) == ["error: internal error: RuntimeError: something broke"]
    assert "Traceback" not in r.text


def test_a_failing_round_is_one_line_and_keeps_the_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.errors import OutputError
    from reviewer.web import rounds

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OutputError("cannot write: No space left on device", path="/somewhere/x.json",
                          hint="free some disk space and run again")

    monkeypatch.setattr(rounds, "write_feedback", full_disk)
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        page = review(client)
    assert errors(page) == ["error: /somewhere/x.json: cannot write: No space left on device (free some disk space "
                            "and run again)"]
    assert list(staged_ids(page)) == ["personal_statement.txt"] and not downloads(page)


def test_idle_sessions_and_their_files_are_deleted(tmp_path: Path) -> None:
    now = [0.0]
    client, store = make_client(tmp_path, idle_timeout=60, clock=lambda: now[0])
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        (folder,) = [p for p in store.root.iterdir()]
        assert (folder / "staged" / "personal_statement.txt").is_file()
        now[0] += 30
        assert store.sweep() == 0 and folder.exists()
        client.get("/")  # any request restarts the idle clock
        now[0] += 59
        assert store.sweep() == 0
        now[0] += 2
        assert store.sweep() == 1 and not folder.exists()
        page = client.get("/").text  # the old cookie leads to a new, empty session
        assert not staged_ids(page)


def test_reset_deletes_the_sessions_files_and_stopping_deletes_everything(tmp_path: Path) -> None:
    client, store = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        review(client)
        (folder,) = list(store.root.iterdir())
        r = client.post("/reset", data={"csrf": csrf(client)})
        assert r.status_code == 200 and not folder.exists() and not staged_ids(r.text)
        upload(client, [("personal_statement.txt", PS.encode())])
        assert any(store.root.iterdir())
    assert not store.root.exists()  # the app's shutdown


def test_model_engine_progress_and_which_engine_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a model engine the page counts the model calls answered of those planned, then names the model."""
    import threading

    from reviewer import llm
    from reviewer.llm.judge import FakeJudge, JudgeRequest

    gate = threading.Event()
    calls = []

    def respond(request: JudgeRequest) -> dict[str, object]:
        calls.append(request)
        if len(calls) > 1:
            assert gate.wait(30)
        ids = list(request.schema["properties"]["criteria"]["properties"])
        answer: dict[str, object] = {"criteria": {c: {"reasoning": "ok", "score": 4, "quotes": []} for c in ids}}
        if "exam_discussion" in request.schema["properties"]:
            answer["exam_discussion"] = {"discusses_exam": False, "setback": False, "quote": ""}
        return answer

    monkeypatch.setattr(llm, "make_judge", lambda config: FakeJudge(respond, endpoint=config.endpoint,
                                                                     model=config.model))
    client, store = make_client(tmp_path, flags={"engine": "hybrid", "model": "tiny-model", "rewrite": False,
                                                 "base_url": "http://127.0.0.1:9/v1"})
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        r = client.post("/review", data={"csrf": csrf(client), "engine": "hybrid", "target": "kaiser"})
        assert r.status_code == 200
        for _ in range(200):
            state = client.get("/progress").json()
            if state["answered"] >= 1:
                break
            threading.Event().wait(0.02)
        assert state["state"] == "running" and state["answered"] == 1 and state["planned"] > 1
        page = client.get("/").text
        assert re.search(rf'<progress id="progress-bar" max="{state["planned"]}" value="1"', page)
        assert f"Model calls answered: 1 of {state['planned']}" in page
        assert "hybrid engine: rules + model tiny-model" in page
        r = client.post("/paste", data={"csrf": csrf(client), "text": PS, "kind": "additional_info"})
        assert errors(r.text) == ["error: a review is still running (wait until it finishes)"]
        gate.set()
        page = wait(client)
        assert not errors(page)
        assert "Judged by the hybrid engine: rules + model tiny-model at http://127.0.0.1:9/v1." in page
    assert len(calls) == state["planned"]
    assert not store.root.exists()  # the model cache lived in the session


def test_round_two_from_pasted_text(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        review(client)
        r = client.post("/revise", data={"csrf": csrf(client), "revised-text-0": PS_2})
        assert r.status_code == 200 and not errors(r.text)
        page = wait(client)
        data = json.loads(client.get(next(u for u in downloads(page) if u.endswith(".json"))).text)
    assert data["revision"]["counts"]["resolved"] >= 1
    assert data["document"]["path"] == "personal_statement.txt"
    assert re.search(r"<th scope=\"row\">Pasted text</th>", page)


def test_file_names_with_url_characters_download_and_show(tmp_path: Path) -> None:
    name = "PS #2 50% é (final).txt"
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [(name, PS.encode())])
        page = review(client, {name: "personal_statement"})
        assert not errors(page)
        links = downloads(page)
        assert links and all(" " not in u and "#" not in u for u in links)
        for u in links:
            r = client.get(u)
            assert r.status_code == 200, u
        assert "PS%20%232%2050%25" in links[0]
        assert client.get(re.search(r'<iframe class="review" src="([^"]+)"', page).group(1)).status_code == 200


def test_documents_added_after_a_round_are_reviewed_with_the_others(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode())])
        first = review(client)
        first_json = client.get(next(u for u in downloads(first) if u.endswith(".json"))).text
        page = upload(client, [("personal_statement.txt", PS_2.encode())])  # the same name as a reviewed one
        assert set(staged_ids(page)) == {"personal_statement.txt"} and "(personal_statement-2.txt)" in page
        assert "reviewed together with the documents of round 1" in page
        page = review(client, {"personal_statement.txt": "additional_info"})
        assert not errors(page)
        assert "Across your application" in page and "Feedback, round 2" in page
        assert "Reviewed for the first time in this round." in page
        assert "Not revised in this round: its review is unchanged." in page
        kept = client.get("/download/2/personal_statement.review.json").text
    assert json.loads(kept) == json.loads(first_json)  # the earlier document kept its review


def test_the_document_limit_counts_earlier_rounds(tmp_path: Path) -> None:
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [(f"ps{i}.txt", PS.encode()) for i in range(MAX_DOCUMENTS - 1)])
        review(client, {f"ps{i}.txt": "personal_statement" for i in range(MAX_DOCUMENTS - 1)})
        page = upload(client, [("a.txt", PS.encode()), ("b.txt", PS.encode())])
    assert errors(page)[0].startswith(f"error: too many documents: at most {MAX_DOCUMENTS} in one review")


def test_any_applicant_name_reaches_the_application_report(tmp_path: Path) -> None:
    name = "Zoë O’Brien-Nwosu \x7f\u0085 \u202e"
    client, _ = make_client(tmp_path)
    with client:
        upload(client, [("personal_statement.txt", PS.encode()), ("interview_answer.txt", PS.encode())])
        page = review(client, applicant=name)
        assert not errors(page)
        report = json.loads(client.get("/download/1/application.review.json").text)
    assert report["applicant"].startswith("Zoë O’Brien-Nwosu")
