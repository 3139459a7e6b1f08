"""Helpers for the web page tests: an app on Starlette's test client, and the page's forms driven as a browser
would (CSRF token from the page, multipart uploads, waiting for a round)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from reviewer.rubric import load_rubrics
from reviewer.settings import resolve_settings
from reviewer.web.app import create_app
from reviewer.web.rounds import WebConfig
from reviewer.web.session import SessionStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_DOCX = SAMPLES / "rahul-mehta" / "ps_draft.docx"  # a first draft: comments, a rewrite


def make_client(tmp_path: Path, *, flags: dict[str, Any] | None = None, idle_timeout: float = 600.0,
                clock: Any = None, sweep_every: float = 3600, **config: Any) -> tuple[TestClient, SessionStore]:
    settings = resolve_settings(flags or {}, env={}, cwd=tmp_path)
    web = WebConfig(settings=settings, rubrics=load_rubrics(), **config)
    kwargs: dict[str, Any] = {"idle_timeout": idle_timeout, "parent": tmp_path}
    if clock is not None:
        kwargs["clock"] = clock
    store = SessionStore(**kwargs)
    app = create_app(web, hosts=frozenset({"testserver"}), store=store, sweep_every=sweep_every)
    return TestClient(app), store


def csrf(client: TestClient) -> str:
    page = client.get("/").text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def errors(page: str) -> list[str]:
    """The one-line errors a page shows."""
    return [html.unescape(e) for e in re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)]


def upload(client: TestClient, files: Iterable[tuple[str, bytes]], token: str | None = None) -> str:
    token = token or csrf(client)
    r = client.post("/upload", data={"csrf": token}, files=[("files", (n, d)) for n, d in files])
    assert r.status_code == 200, r.text
    return r.text


def staged_ids(page: str) -> dict[str, str]:
    """Staged document name -> its id on the page."""
    rows = re.findall(r'<th scope="row" class="doc-name">(.*?)(?: <span|</th>).*?name="kind-([0-9a-f]+)"', page, re.S)
    return {html.unescape(name): sid for name, sid in rows}


def selected_kinds(page: str) -> dict[str, str]:
    """Staged document name -> the kind selected for it on the page ('' when none is)."""
    ids = staged_ids(page)
    out = {}
    for name, sid in ids.items():
        block = re.search(rf'<select id="kind-{sid}".*?</select>', page, re.S)
        assert block, name
        chosen = re.search(r'<option value="(\w*)" selected>', block.group())
        out[name] = chosen.group(1) if chosen else ""
    return out


def review(client: TestClient, kinds: dict[str, str] | None = None, **options: str) -> str:
    """Press Review (with ``kinds``: staged name -> kind) and wait for the round; returns the page."""
    page = client.get("/").text
    ids = staged_ids(page)
    data = {"csrf": csrf(client), **options}
    for name, kind in (kinds or {}).items():
        data[f"kind-{ids[name]}"] = kind
    r = client.post("/review", data=data)
    assert r.status_code == 200
    return r.text if errors(r.text) else wait(client)


def wait(client: TestClient, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get("/progress").json()["state"]
        if state != "running":
            return client.get("/").text
        time.sleep(0.05)
    raise AssertionError("the review did not finish")


def downloads(page: str) -> list[str]:
    return re.findall(r'href="(/download/\d+/[^"]+)"', page)


def revise(client: TestClient, files: dict[int, tuple[str, bytes]]) -> str:
    data = {"csrf": csrf(client)}
    r = client.post("/revise", data=data, files=[(f"revised-{i}", f) for i, f in files.items()])
    assert r.status_code == 200
    return r.text if errors(r.text) else wait(client)


# --- a real server, as `reviewer serve` runs it ------------------------------------------------------------


class Server:
    """``reviewer serve --port 0`` in a subprocess (its temporary files under ``tmp``), stopped by :meth:`stop`."""

    def __init__(self, tmp: Path, *args: str, env: dict[str, str] | None = None) -> None:
        import os
        import subprocess
        import sys

        self.tmp = tmp
        environ = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
        environ |= {"TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "reviewer", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ,
                                     cwd=tmp)
        assert self.proc.stdout is not None
        self.first = self.proc.stdout.readline()
        match = re.search(r"open (http://\S+/) in your browser", self.first)
        if not match:
            self.proc.kill()
            raise AssertionError(f"no address printed: {self.first!r} {self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.url = match.group(1)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.get("/")
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the server did not answer")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        request = urllib.request.Request(self.url.rstrip("/") + path, headers=headers or {})
        try:
            with opener.open(request, timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8")

    def roots(self) -> list[Path]:
        return sorted(self.tmp.glob("reviewer-web-*"))

    def stop(self, sig: int | None = None) -> tuple[int, str, str]:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except Exception:
            self.proc.kill()
            raise
        return self.proc.returncode, out, err
