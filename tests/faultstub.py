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
import socket
import struct
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# The OpenAI chat protocol side (which criteria a request asks for, its draft, a valid answer, a completion in
# the shape the client expects) is shared with the benchmark's latency stub.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from stub_llm import ChatServer, completion, draft_of, judgment

FAULTS = ("ok", "429", "503", "reset", "timeout", "truncated", "invalid")


def call_key(body: Mapping[str, Any]) -> str:
    system = next((str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "system"), "")
    return hashlib.sha256(f"{draft_of(body)}\0{system}".encode()).hexdigest()


class FaultStub(ChatServer):
    """The stub in a background thread; a context manager. ``faults`` lists (key, attempt, fault) as served."""

    thread_name = "fault-stub"
    queue_size = 128
    quiet_errors = True  # a client that timed out

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
        super().__init__(max_seconds=max_seconds)

    def respond(self, handler: Any, body: dict[str, Any], raw: bytes) -> None:
        fault = self._next_fault(body, raw)
        if fault == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        if fault in ("429", "503"):
            handler.send_json(int(fault), {"error": {"message": "stub fault", "type": "server_error"}},
                              {"retry-after": str(self.retry_after)})
            return
        if fault == "timeout":
            self._stopped.wait(self.timeout_sleep)
        text = json.dumps(judgment(body))
        if fault == "truncated":
            handler.send_json(200, completion(body, text[: len(text) // 2], "length"))
        elif fault == "invalid":
            handler.send_json(200, completion(body, "Sure! Here is my assessment: {not json"))
        else:
            handler.send_json(200, completion(body, text))

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
    def calls(self) -> int:
        return len(self.served)
