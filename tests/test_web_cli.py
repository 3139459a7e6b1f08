"""``reviewer serve`` as a command: the address it prints, loopback only unless told, clean exit, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from web_helpers import Server


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_on_loopback_and_deletes_its_files_on_exit(tmp_path: Path, sig: int) -> None:
    server = Server(tmp_path)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        status, page = server.get("/")
        assert status == 200 and "Drop your drafts here" in page
        assert len(server.roots()) == 1 and any(server.roots()[0].iterdir())  # the session's folder
        status, _ = server.get("/", headers={"host": "rebound.example"})
        assert status == 421
    finally:
        code, out, err = server.stop(sig)
    assert code == 0, err
    assert "stopped; the temporary files are deleted" in out
    assert server.roots() == []
    assert "Traceback" not in err


def test_another_address_only_when_asked_and_with_a_warning(tmp_path: Path) -> None:
    server = Server(tmp_path, "--host", "0.0.0.0")
    try:
        assert server.url.startswith("http://0.0.0.0:")
        port = server.url.rsplit(":", 1)[1].strip("/")
        status, _ = server.get("/", headers={"host": f"127.0.0.1:{port}"})
        assert status == 200
        status, page = server.get("/")
        assert status == 200 and 'id="out"' not in page  # no folder typed on the page is written
    finally:
        code, _, err = server.stop()
    assert code == 0
    assert "warning: listening on 0.0.0.0: other computers" in err


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
    return subprocess.run([sys.executable, "-m", "reviewer", "serve", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, env=env)


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    from reviewer.web.server import bind

    taken = bind("127.0.0.1", 0)
    try:
        r = run(tmp_path, "--port", str(taken.port))
    finally:
        taken.sock.close()
    assert r.returncode == 3
    assert r.stderr.strip() == (f"error: 127.0.0.1:{taken.port}: port {taken.port} is already in use (choose another "
                                "with --port, or --port 0 for any free one)")


def test_a_model_engine_without_a_model_is_refused_at_start(tmp_path: Path) -> None:
    r = run(tmp_path, "--port", "0", "--engine", "hybrid")
    assert r.returncode == 3
    assert r.stderr.strip().startswith("error: settings: the hybrid engine needs a model")
    r = run(tmp_path, "--port", "0", "--dry-run")
    assert r.returncode == 3 and "dry_run does not apply to reviewer serve" in r.stderr


def test_the_readme_shows_serve_first_and_every_serve_line_parses() -> None:
    import re
    import shlex

    from reviewer.cli_web import serve

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    # the README's first two blocks: install, a sample review and the tests, then the page for applicants
    first = re.findall(r"^```bash\n(.*?)^```", readme, flags=re.M | re.S)[:2]
    assert len(first) == 2 and readme.index("```bash") < 40
    commands = [shlex.split(line, comments=True) for block in first for line in block.splitlines()]
    assert ["reviewer", "serve", "--open"] in commands  # for applicants, next to the CLI for advisors
    assert any(c[:2] == ["reviewer", "review"] for c in commands)
    assert "## Web page" in readme
    lines = [shlex.split(line, comments=True) for block in re.findall(r"^```bash\n(.*?)^```", readme, re.M | re.S)
             for line in block.splitlines() if line.strip().startswith("reviewer serve")]
    assert len(lines) >= 4
    for args in lines:
        with serve.make_context("serve", args[2:]) as ctx:  # options as written are the command's options
            assert ctx.params["port"] >= 0


def test_open_starts_the_browser_on_the_address(tmp_path: Path) -> None:
    opened = tmp_path / "opened"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" > "{opened}"\n')
    script.chmod(0o755)
    server = Server(tmp_path, "--open", env={"BROWSER": f"{script} %s"})
    try:
        for _ in range(100):
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.05)
        assert opened.read_text().strip() == server.url
    finally:
        server.stop()


def test_an_idle_session_is_swept_while_the_server_runs(tmp_path: Path) -> None:
    """The sweeper thread, on the real clock: an idle session's folder goes without any request."""
    from web_helpers import make_client, upload

    client, store = make_client(tmp_path, idle_timeout=1.5, sweep_every=0.05)
    with client:
        upload(client, [("personal_statement.txt", b"I failed Step 1 once. I then scored 241 on Step 2 CK.")])
        (folder,) = list(store.root.iterdir())
        deadline = time.monotonic() + 10
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not folder.exists() and len(store) == 0
