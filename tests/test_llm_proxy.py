"""Proxy variables and redirects cannot move a local review off the machine.

A logging server on loopback stands in for a proxy (or for wherever a redirect points): it records every
request it receives (including ``CONNECT``) and answers 502. With ``HTTP_PROXY``/``HTTPS_PROXY``/
``ALL_PROXY`` (either case) pointing at it, a review against the stub server with ``--local-only`` (or any
loopback base URL) must reach the stub and leave the logging server untouched; a remote base URL still
goes through the proxy, which is how a corporate network reaches a provider.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faultstub import FaultStub
from reviewer.cli import main
from reviewer.document import DocKind
from reviewer.ingest.memory import from_text
from reviewer.llm import LLMConfig, MethodMemory, make_judge
from reviewer.llm.engine import review_llm

pytest.importorskip("langchain_openai")

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
DRAFT = ("I failed Step 1 on my first attempt. I changed how I studied, with timed question blocks and weekly "
         "self-assessments, and scored 241 on Step 2 CK. The canary sentence is Quokka-7731 here.")


class LoggingServer:
    """Records (method, target) of every request on a loopback port and answers 502; a context manager."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        lock = threading.Lock()
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _record(self) -> None:
                with lock:
                    seen.append((self.command, self.path))
                self.send_response(502)
                self.send_header("content-length", "0")
                self.send_header("connection", "close")
                self.end_headers()

            do_GET = do_POST = do_CONNECT = do_PUT = do_HEAD = _record

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoggingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class RedirectStub(FaultStub):
    """A chat server on loopback that answers every request with a 307 to ``target`` (body kept on 307)."""

    def __init__(self, target: str) -> None:
        self.target = target
        super().__init__(max_seconds=60)

    def respond(self, handler: Any, body: dict[str, Any], raw: bytes) -> None:
        self.bodies.append(body)
        handler.send_response(307)
        handler.send_header("location", f"{self.target}/v1/chat/completions")
        handler.send_header("content-length", "0")
        handler.end_headers()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoggingServer]:
    for name in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with LoggingServer() as server:
        yield server


def _review(base_url: str, *, local_only: bool) -> Any:
    from reviewer.checks.rules import review_rules
    from reviewer.rubric import load_rubrics

    doc = from_text(DRAFT, DocKind.INTERVIEW_ANSWER, path="interview_answer.txt")
    rubrics = load_rubrics()
    config = LLMConfig(model="stub-model", base_url=base_url, local_only=local_only, max_retries=0, timeout=5,
                       rewrite=False)
    return review_llm(doc, rubrics, config, make_judge(config), rules=review_rules(doc, rubrics), mode="hybrid",
                      memory=MethodMemory(None))


@pytest.mark.parametrize("variable", [v for v in PROXY_VARS if "https" not in v.lower()])
@pytest.mark.parametrize("local_only", [True, False])
def test_loopback_server_ignores_each_proxy_variable(proxy: LoggingServer, monkeypatch: pytest.MonkeyPatch,
                                                     variable: str, local_only: bool) -> None:
    monkeypatch.setenv(variable, proxy.url)
    with FaultStub() as stub:
        outcome = _review(stub.base_url, local_only=local_only)
    assert proxy.requests == []
    assert stub.calls > 0 and all(r.status == "ok" for r in outcome.calls), outcome.calls


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
def test_https_loopback_server_sends_no_connect_to_the_proxy(proxy: LoggingServer, monkeypatch: pytest.MonkeyPatch,
                                                             variable: str) -> None:
    monkeypatch.setenv(variable, proxy.url)
    with FaultStub() as stub:  # speaks plain HTTP: the TLS handshake fails, which is fine here
        _review(stub.base_url.replace("http://", "https://"), local_only=True)
    assert proxy.requests == []


def test_review_command_local_only_reaches_the_stub_and_not_the_proxy(proxy: LoggingServer, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.setenv(name, proxy.url)
    folder = tmp_path / "in" / "applicant-a"
    folder.mkdir(parents=True)
    (folder / "interview_answer.txt").write_text(DRAFT)
    with FaultStub() as stub:
        res = CliRunner().invoke(main, ["review", str(folder), "--out", str(tmp_path / "out"), "--format", "json",
                                        "--engine", "hybrid", "--model", "stub-model", "--base-url", stub.base_url,
                                        "--no-rewrite", "--local-only"])
    assert res.exit_code == 0, res.output
    assert proxy.requests == []
    assert stub.calls > 0 and any(b"Quokka-7731" in b for b in stub.raw_bodies)


def test_local_server_cannot_redirect_the_draft_elsewhere(proxy: LoggingServer) -> None:
    with RedirectStub(proxy.url) as stub:
        outcome = _review(stub.base_url, local_only=True)
    assert stub.bodies, "the request must reach the local server"
    assert proxy.requests == []
    assert all(r.status == "fallback" for r in outcome.calls)


def test_remote_server_still_goes_through_the_proxy(proxy: LoggingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    outcome = _review("http://llm.example.test/v1", local_only=False)
    assert proxy.requests and proxy.requests[0][1].startswith("http://llm.example.test/v1/")
    assert all(r.status == "fallback" for r in outcome.calls)
