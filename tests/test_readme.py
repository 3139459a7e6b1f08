"""Every `reviewer` command line of the README's command blocks runs as written.

The lines run in order, in a temporary folder holding a copy of ``samples/``, ``draft.docx`` (a copy of a
sample personal statement), ``cohort/`` (the sample applicants), ``my-rubrics/`` (a valid rubric) and ``my-cases/``
(labelled cases: one of each kind and an applicant folder from the shipped dev set), and
each must exit 0. The rule for what is skipped: lines that do not run ``reviewer`` (installing, testing,
``export``), and lines that need a model server or the network: a model engine (``--engine llm|hybrid``)
without ``--dry-run`` or ``--export-requests`` (which send nothing), and ``--import-results`` (it needs a
model's results file), and ``reviewer serve``, a server that runs until stopped (``tests/test_web_cli.py`` starts
it and checks the options of every such line).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import main
from reviewer.evaluate import default_cases

from conftest import ROOT, SAMPLES

README = ROOT / "README.md"
ENV = re.compile(r"^[A-Z][A-Z0-9_]*=")


def command_lines(text: str) -> list[str]:
    """The lines of every ```bash block, comments and blank lines dropped."""
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def reviewer_call(line: str) -> tuple[dict[str, str], list[str]] | None:
    """(environment assignments, arguments after `reviewer`), or None for a line that does not run it."""
    tokens = shlex.split(line, comments=True)
    env = {}
    while tokens and ENV.match(tokens[0]):
        name, _, value = tokens.pop(0).partition("=")
        env[name] = value
    if not tokens or tokens[0] != "reviewer":
        return None
    return env, tokens[1:]


def needs_a_model(args: list[str]) -> bool:
    engine = args[args.index("--engine") + 1] if "--engine" in args else "rules"
    sends_nothing = "--dry-run" in args or "--export-requests" in args
    return (engine != "rules" and not sends_nothing) or "--import-results" in args


CALLS = [call for line in command_lines(README.read_text()) if (call := reviewer_call(line)) is not None]


def test_the_readme_has_commands_to_run() -> None:
    assert len(CALLS) >= 12
    assert any(args[:2] == ["review", "draft.docx"] and "--format" in args for _, args in CALLS)
    assert sum(needs_a_model(args) for _, args in CALLS) >= 3  # the rule skips something, not everything


def test_every_readme_command_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLES, tmp_path / "samples")
    shutil.copy(SAMPLES / "rahul-mehta" / "ps_draft.docx", tmp_path / "draft.docx")
    for folder in ("amara-okafor", "lucia-fernandez"):
        shutil.copytree(SAMPLES / folder, tmp_path / "cohort" / folder)
    (tmp_path / "my-rubrics").mkdir()
    shutil.copy(ROOT / "rubrics" / "interview-answer.yaml", tmp_path / "my-rubrics")
    (tmp_path / "my-cases").mkdir()
    for case in ("ps-001", "ai-001", "iv-001", "exp-003", "app-001"):
        shutil.copy(default_cases() / f"{case}.yaml", tmp_path / "my-cases")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    runner = CliRunner()
    ran = 0
    for env, args in CALLS:
        if needs_a_model(args) or args[:1] == ["serve"]:
            continue
        result = runner.invoke(main, args, env={"COLUMNS": "100", **env}, catch_exceptions=False)
        assert result.exit_code == 0, f"reviewer {shlex.join(args)}\n{result.output}"
        ran += 1
    assert ran >= 10
    assert (tmp_path / "feedback" / "draft.review.html").is_file()
    assert (tmp_path / "feedback" / "index.html").is_file()
    assert (tmp_path / "requests.jsonl").is_file()


def test_the_readme_reviewer_toml_is_valid(tmp_path: Path) -> None:
    from reviewer.pipeline import selected_rubrics
    from reviewer.settings import resolve_settings

    fence = "`" * 3
    blocks = re.findall(fence + r"toml\n(.*?)" + fence, README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README shows a reviewer.toml"
    (tmp_path / "my-rubrics").mkdir()
    for block in blocks:
        (tmp_path / "reviewer.toml").write_text(block, encoding="utf-8")
        settings = resolve_settings({}, cwd=tmp_path, env={})
        assert selected_rubrics(settings).criteria()
