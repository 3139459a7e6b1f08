"""A fault-injecting OpenAI-compatible chat server for tests: scripted faults per (draft, rubric), then answers.

``FaultStub`` listens on 127.0.0.1 (a free port) and answers ``POST /v1/chat/completions`` the way the real
client (LangChain ``ChatOpenAI``) expects: a ``chat.completion`` whose message holds the JSON answer as
``content`` (``json_schema`` / ``json_object``) or as a ``tool_calls`` entry (function calling), with
``usage``. The answer fits the request's schema: one item per criterion id, a deterministic score (2..5)
from the draft and the criterion, and a quote copied from the draft so the engine grounds it.

Faults are scripted per *call key* (the draft between the ``BEGIN DRAFT`` / ``END DRAFT`` lines plus the
system message, i.e. one (document, rubric) pair), by attempt number, so a run's outcome does not depend
on the order in which concurrent requests arrive. ``rules`` maps a substring of the draft to a list of
faults; attempt ``n`` of a key gets ``faults[n]`` and, past the end, the last one (``"ok"`` to recover).
Faults:

``ok``        a valid answer
``429``       HTTP 429 with ``Retry-After`` (``retry_after`` seconds, small in tests)
``503``       HTTP 503 with ``Retry-After``
``reset``     the connection is reset (RST) without a response
``timeout``   the answer comes ``timeout_sleep`` seconds late (set it past the client's timeout)
``truncated`` half an answer with ``finish_reason: "length"``
``invalid``   a 200 whose content is not JSON

Bounded and self-stopping: stdlib ``ThreadingHTTPServer`` on loopback only, refusing other clients, shut
down after ``max_seconds`` whatever the test does. Request bodies are kept (``bodies``) so a test can check
what would have left the machine.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("ok", "429", "503", "reset", "timeout", "truncated", "invalid")
_SENTENCE = re.compile(r"[^.!?\n]{20,200}[.!?]")


def criterion_ids(body: Mapping[str, Any]) -> list[str]:
    schema: Mapping[str, Any] = {}
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
    elif body.get("tools"):
        schema = body["tools"][0]["function"].get("parameters") or {}
    try:
        return list(schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]["enum"])
    except (KeyError, TypeError):
        text = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        return sorted(set(re.findall(r"\b[a-z]+\.[a-z_]+\b", text)))[:12]


def draft_of(body: Mapping[str, Any]) -> str:
    for m in body.get("messages", []):
        match = re.search(r"BEGIN DRAFT (\S+)\n(.*?)\nEND DRAFT \1", str(m.get("content", "")), re.S)
        if match:
            return match.group(2)
    return ""


def call_key(body: Mapping[str, Any]) -> str:
    system = next((str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "system"), "")
    return hashlib.sha256(f"{draft_of(body)}\0{system}".encode()).hexdigest()


def answer(body: Mapping[str, Any]) -> dict[str, Any]:
    draft = draft_of(body)
    sentence = _SENTENCE.search(draft)
    quote = sentence.group(0).strip() if sentence else draft[:80].strip()
    items = []
    for cid in criterion_ids(body):
        score = 2 + int(hashlib.sha256(f"{cid}\0{draft}".encode()).hexdigest(), 16) % 4
        evidence = [{"quote": quote, "suggestion": f"Revise: {quote[:40]}"}] if quote and score < 4 else []
        items.append({"criterion_id": cid, "reasoning": f"Stub {score}/5 on: {quote[:60]}", "evidence": evidence,
                      "score": score})
    return {"criteria": items}


def completion(body: Mapping[str, Any], content: str, finish: str = "stop") -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if body.get("tools") and not body.get("response_format"):
        name = body["tools"][0]["function"]["name"]
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_stub", "type": "function", "function": {"name": name, "arguments": content}}]}
        finish = "tool_calls" if finish == "stop" else finish
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
    return {"id": "chatcmpl-fault", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub"), "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 4,
                      "total_tokens": prompt + len(content) // 4}}


class FaultStub:
    """The stub in a background thread; a context manager. ``faults`` lists (key, attempt, fault) as served."""

    def __init__(self, rules: Mapping[str, Sequence[str]] | None = None, *, retry_after: float = 0.05,
                 timeout_sleep: float = 1.5, max_seconds: float = 300.0) -> None:
        for seq in (rules or {}).values():
            unknown = [f for f in seq if f not in FAULTS]
            assert not unknown and seq, f"unknown or empty faults: {seq}"
        self.rules = dict(rules or {})
        self.retry_after = retry_after
        self.timeout_sleep = timeout_sleep
        self.bodies: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.served: list[tuple[str, int, str]] = []
        self.attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet: request lines stay out of logs
                return

            def _send(self, status: int, data: dict[str, Any], headers: Mapping[str, str] = {}) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                if self.client_address[0] not in ("127.0.0.1", "::1"):
                    self.send_error(403)
                    return
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self.send_error(400, "invalid JSON")
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self.send_error(404)
                    return
                fault = stub._next_fault(body, raw)
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault in ("429", "503"):
                    self._send(int(fault), {"error": {"message": "stub fault", "type": "server_error"}},
                               {"retry-after": str(stub.retry_after)})
                    return
                if fault == "timeout":
                    stub._stopped.wait(stub.timeout_sleep)
                text = json.dumps(answer(body))
                if fault == "truncated":
                    self._send(200, completion(body, text[: len(text) // 2], "length"))
                elif fault == "invalid":
                    self._send(200, completion(body, "Sure! Here is my assessment: {not json"))
                else:
                    self._send(200, completion(body, text))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:  # a client that timed out
                return

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-stub", daemon=True)
        self._timer = threading.Timer(max_seconds, self.stop)
        self._timer.daemon = True

    def _next_fault(self, body: dict[str, Any], raw: bytes) -> str:
        draft = draft_of(body)
        key = call_key(body)
        with self._lock:
            self.bodies.append(body)
            self.raw_bodies.append(raw)
            n = self.attempts.get(key, 0)
            self.attempts[key] = n + 1
            seq = next((s for marker, s in self.rules.items() if marker in draft), ("ok",))
            fault = seq[min(n, len(seq) - 1)]
            self.served.append((key, n, fault))
        return fault

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def calls(self) -> int:
        return len(self.served)

    def start(self) -> FaultStub:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
