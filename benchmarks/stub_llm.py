"""A local OpenAI-compatible chat server for benchmarks and tests: valid judgments after a fixed latency.

``StubServer`` listens on 127.0.0.1 (a free port), answers ``POST /v1/chat/completions`` after sleeping
``latency`` seconds with a judgment that fits the request's answer schema (``response_format`` json_schema,
``tools`` function calling, or json_object mode): one item per criterion id in the schema, a deterministic
score from 2 to 5, and a quote copied from the draft (the first sentence between the ``BEGIN DRAFT`` /
``END DRAFT`` lines), so the engine grounds it; a rubric that asks where the score discussion is gets
"no exam discussion". It counts the requests and the peak number in flight.

Bounded and self-stopping: it serves one request per thread (stdlib ``ThreadingHTTPServer``), refuses
anything but loopback clients, and shuts itself down after ``max_seconds`` whatever happens to its caller.

    with StubServer(latency=0.2) as stub:
        ... base_url=stub.base_url ...
        print(stub.calls, stub.peak_in_flight)

Run alone (``python benchmarks/stub_llm.py --latency 0.5``) it serves until Ctrl-C or ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

_SENTENCE = re.compile(r"[^.!?\n]{20,200}[.!?]")


def _schema(body: Mapping[str, Any]) -> dict[str, Any]:
    """The answer schema a request carries (json_schema response format or the forced function's parameters)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return dict((fmt.get("json_schema") or {}).get("schema") or {})
    if body.get("tools"):
        return dict(body["tools"][0]["function"].get("parameters") or {})
    return {}


def criterion_ids(body: Mapping[str, Any]) -> list[str]:
    """The criterion ids the request's answer schema asks for (keys of its ``criteria`` object)."""
    schema = _schema(body)
    try:
        return list(schema["properties"]["criteria"]["required"])
    except (KeyError, TypeError):
        # json_object mode: the ids of the answer's shape, which the system message spells out
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        return list(dict.fromkeys(re.findall(r'^  "([a-z_]+(?:\.[a-z_]+)+)": \{"reasoning"', text, re.M)))


def draft_of(body: Mapping[str, Any]) -> str:
    for m in body.get("messages", []):
        content = str(m.get("content", ""))
        match = re.search(r"BEGIN DRAFT (\S+)\n(.*?)\nEND DRAFT \1", content, re.S)
        if match:
            return match.group(2)
    return ""


def judgment(body: Mapping[str, Any]) -> dict[str, Any]:
    """A valid answer for the request: scores vary with the draft and the criterion, quotes come from it."""
    draft = draft_of(body)
    sentence = _SENTENCE.search(draft)
    quote = sentence.group(0).strip() if sentence else draft[:80].strip()
    items = {}
    for cid in criterion_ids(body):
        score = 2 + int(hashlib.sha256(f"{cid}\0{draft}".encode()).hexdigest(), 16) % 4
        quotes = [{"quote": quote, "suggestion": f"Revise: {quote[:40]}"}] if quote and score < 4 else []
        items[cid] = {"reasoning": f"Stub {score}/5 on: {quote[:60]}", "quotes": quotes, "score": score}
    answer: dict[str, Any] = {"criteria": items}
    messages = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
    if "exam_discussion" in _schema(body).get("properties", {}) or '"exam_discussion": {' in messages:
        answer = {"exam_discussion": {"discusses_exam": False, "setback": False, "quote": ""}, **answer}
    return answer


def completion(body: Mapping[str, Any], content: str | None = None, finish: str = "stop") -> dict[str, Any]:
    """A ``chat.completion`` carrying ``content`` (default: :func:`judgment`) the way the request asked for it:
    as message content (json_schema / json_object) or as a tool call (function calling)."""
    content = json.dumps(judgment(body)) if content is None else content
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if body.get("tools") and not body.get("response_format"):
        name = body["tools"][0]["function"]["name"]
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_stub", "type": "function", "function": {"name": name, "arguments": content}}]}
        finish = "tool_calls" if finish == "stop" else finish
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub"), "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 4,
                      "total_tokens": prompt + len(content) // 4}}


class ChatServer:
    """An OpenAI-compatible chat endpoint on a loopback port, in a background thread; a context manager.

    The HTTP side every stub shares: loopback clients only, ``POST .../chat/completions`` with a JSON body
    (400 otherwise, 404 for other paths), quiet logs, one thread per request, and a timer that stops the
    server after ``max_seconds``. Subclasses answer in :meth:`respond` (and ``GET`` in :meth:`stats`).
    """

    thread_name = "chat-stub"
    queue_size = 256
    quiet_errors = False  # drop the tracebacks of clients that went away (timed out) mid-answer

    def __init__(self, *, max_seconds: float, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet: request lines stay out of logs
                return

            def send_json(self, status: int, data: Mapping[str, Any], headers: Mapping[str, str] = {}) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                data = stub.stats()
                if data is None:
                    self.send_error(501, f"Unsupported method ({self.command!r})")
                else:
                    self.send_json(200, data)

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
                stub.respond(self, body, raw)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = self.queue_size

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not stub.quiet_errors:
                    super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True)
        self._timer = threading.Timer(max_seconds, self.stop)
        self._timer.daemon = True

    def respond(self, handler: Any, body: dict[str, Any], raw: bytes) -> None:
        """Answer one chat request (``handler.send_json(status, data)``, or anything a handler can do)."""
        raise NotImplementedError

    def stats(self) -> dict[str, Any] | None:
        """What ``GET`` returns; None: ``GET`` is not served."""
        return None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> Self:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class StubServer(ChatServer):
    """The latency stub: every answer is valid and comes after ``latency`` seconds; counts calls and the
    peak number in flight (``GET /stats`` serves them, for a stub in another process)."""

    thread_name = "stub-llm"

    def __init__(self, latency: float = 0.1, *, max_seconds: float = 600.0, port: int = 0) -> None:
        self.latency = latency
        self.max_seconds = max_seconds
        self.calls = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        super().__init__(max_seconds=max_seconds, port=port)

    def respond(self, handler: Any, body: dict[str, Any], raw: bytes) -> None:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            time.sleep(self.latency)
            data = completion(body)
        finally:
            with self._lock:
                self.in_flight -= 1
        handler.send_json(200, data)

    def stats(self) -> dict[str, Any]:
        return {"calls": self.calls, "peak_in_flight": self.peak_in_flight}

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.peak_in_flight = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args()
    with StubServer(args.latency, max_seconds=args.max_seconds, port=args.port) as stub:
        print(f"stub LLM at {stub.base_url} (latency {args.latency}s); Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stub._thread.join()


if __name__ == "__main__":
    main()
