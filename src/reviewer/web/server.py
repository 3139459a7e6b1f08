"""Running the app: bind the socket (127.0.0.1 unless told otherwise), serve with uvicorn, clean up on exit.

The socket is bound here, before uvicorn starts, so that the address printed is the one listened on (port 0
picks a free port) and a port in use is one clear error. On exit (Ctrl+C, SIGTERM) uvicorn runs the app's
shutdown, which deletes every session's files; an ``atexit`` hook deletes them too if the process ends another
way.
"""

from __future__ import annotations

import atexit
import errno
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConfigError
from .rounds import WebConfig
from .security import loopback_hosts
from .session import SessionStore

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Bound:
    sock: socket.socket
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def bind(host: str, port: int) -> Bound:
    """A listening socket on ``host``:``port`` (0: any free port); a clear :class:`ConfigError` when it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} is already in use", path=f"{host}:{port}",
                              hint="choose another with --port, or --port 0 for any free one") from None
        raise ConfigError(f"cannot listen: {exc.strerror or exc}", path=f"{host}:{port}",
                          hint="check --host and --port") from None
    sock.set_inheritable(True)
    return Bound(sock, host, sock.getsockname()[1])


def serve(config: WebConfig, bound: Bound, *, idle_timeout: float, ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted; every session's files are deleted when it stops. ``ready`` runs once the app has
    started (the command opens the browser there)."""
    import uvicorn

    from .app import create_app

    store = SessionStore(idle_timeout=idle_timeout)
    atexit.register(store.close)
    hosts = loopback_hosts(bound.host, bound.port) if is_loopback(bound.host) else \
        loopback_hosts(bound.host, bound.port) | loopback_hosts("127.0.0.1", bound.port)
    app = create_app(config, hosts=hosts, store=store)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if ready is not None and not self.should_exit:
                ready()

    server = Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                   server_header=False, date_header=False))
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again for the handler it found:
    # the default SIGTERM handler would kill the process, Python's SIGINT handler raises KeyboardInterrupt.
    # Both become a normal stop here.
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run(sockets=[bound.sock])
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.close()
        bound.sock.close()


class Stopped(Exception):
    """SIGTERM arrived: stop as for Ctrl+C."""


def _stopped(signum: int, frame: object) -> None:
    raise Stopped()


__all__ = ["LOOPBACK", "Bound", "bind", "is_loopback", "serve"]
