"""The page's guards: which Host may ask, the headers every response carries, and the CSRF token check.

* **Host.** The server answers only requests addressed to the host and port it listens on (``127.0.0.1:PORT``,
  ``localhost:PORT``...). A web page elsewhere that rebinds its own domain name to 127.0.0.1 (DNS rebinding)
  sends its own name as Host and is refused, so it can never read a draft or a review.
* **Headers.** A strict Content-Security-Policy (scripts, styles and fetches from this server only; no
  plug-ins, no frames but its own review pages, forms posting here only), no sniffing, no referrer to other
  sites, no caching (reviews are private), and no framing by other sites.
* **Other sites.** A request another site's page makes (an image, a script, a form posted here) is refused by
  its fetch metadata (``Sec-Fetch-Site``), before any session is made for it; following a link here is fine.
* **CSRF.** Every form carries the session's random token; a POST whose token is missing or different is
  refused, and so is one whose ``Origin`` is another site.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # not no-referrer: that makes browsers send "Origin: null" on our own posts
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def loopback_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values a server listening on ``host``:``port`` answers."""
    names = {host, "127.0.0.1", "localhost", "[::1]"} if host in ("127.0.0.1", "localhost", "::1") else {host}
    shown = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset(f"{n}:{port}" for n in shown)


class Guard:
    """ASGI middleware: refuse an unknown Host, add :data:`HEADERS` to every response (a response that sets one
    of them itself, such as a review page's own policy, keeps its own)."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        problem = None
        if host not in self.hosts:
            problem = (421, f"{host or 'no host'}: unknown host (open the address reviewer serve printed)")
        elif not fetched_here(headers, scope["method"]):
            problem = (403, "another site asked for this page (open it yourself)")
        if problem is not None:
            page = f"<!DOCTYPE html><title>reviewer</title><p class=\"error\">error: {_escape(problem[1])}</p>"
            response = HTMLResponse(page, status_code=problem[0], headers=HEADERS)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")[:200]


def fetched_here(headers: Headers, method: str) -> bool:
    """Fetch metadata: a request another site made (an image, a script, a form posted to this address) is
    refused; a person following a link here (a top-level GET) is not. Browsers that send no metadata pass."""
    site = headers.get("sec-fetch-site")
    if site in (None, "same-origin", "none"):
        return True
    return headers.get("sec-fetch-mode") == "navigate" and method == "GET"


def token_ok(expected: str, given: object) -> bool:
    """The form's CSRF token matches the session's (compared in constant time)."""
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def same_origin(headers: Headers) -> bool:
    """Not a post from another site: no ``Origin``, an opaque one (``null``: the CSRF token still decides) or the
    server's own."""
    origin = headers.get("origin")
    return origin in (None, "null") or origin == f"http://{headers.get('host', '')}"


__all__ = ["CSP", "HEADERS", "Guard", "fetched_here", "loopback_hosts", "same_origin", "token_ok"]
