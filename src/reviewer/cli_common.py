"""What the commands share: error exit, list flags, and the option groups of every reviewing command.

``reviewer review`` and ``reviewer batch`` take the same settings flags; defining them once keeps their
names, help and defaults in step. Only click is imported here, so ``reviewer --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .render.registry import default_formats, format_names

if TYPE_CHECKING:
    from .errors import ReviewerError


def default_jobs() -> int:
    """Worker processes when ``--jobs`` is not given: one per CPU, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def fail(err: ReviewerError) -> NoReturn:
    """Print the error's one line and exit with its code."""
    click.echo(f"error: {err}", err=True)
    sys.exit(err.exit_code)


def csv_list(values: tuple[str, ...]) -> list[str] | None:
    """Repeated and comma-separated flag values as one list (None when none were given)."""
    out = [p.strip() for v in values for p in v.split(",") if p.strip()]
    return out or None


def _apply(fn: Any, options: list[Any]) -> Any:
    for option in reversed(options):
        fn = option(fn)
    return fn


def review_options(fn: Any) -> Any:
    """Output, rubric selection, target and config flags (``formats``, ``rubric_dirs``, ``only``, ``skip``,
    ``target``, ``config``)."""
    return _apply(fn, [
        click.option("--format", "formats", multiple=True, metavar="LIST",
                     help=f"Comma-separated: {','.join(format_names())} (default: {','.join(default_formats())})."),
        click.option("--rubrics", "rubric_dirs", multiple=True, type=click.Path(path_type=Path),
                     help="Extra rubric folder or file; overrides built-in rubrics with the same id."),
        click.option("--only", multiple=True, metavar="PREFIX", help="Keep only criteria with this dotted id prefix."),
        click.option("--skip", multiple=True, metavar="PREFIX", help="Skip criteria with this dotted id prefix."),
        click.option("--target", type=click.Choice(["kaiser", "other"]),
                     help="Program the drafts are aimed at (overrides application.yaml)."),
        click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="reviewer.toml to use."),
    ])


def llm_options(fn: Any) -> Any:
    """The model-engine flags (``engine``, ``model``, ``base_url``, ``local_only``, ``llm_method``, ``dry_run``,
    ``redact``, ``rewrite``)."""
    return _apply(fn, [
        click.option("--engine", type=click.Choice(["rules", "llm", "hybrid"]),
                     help="rules (default, offline), llm, or hybrid (rules for counts, the model for judgment)."),
        click.option("--model", help="Model name, e.g. gpt-4o-mini (REVIEWER_MODEL)."),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (default: OpenAI)."),
        click.option("--local-only", is_flag=True, default=None,
                     help="Refuse any server that is not on this machine (loopback)."),
        click.option("--llm-method", type=click.Choice(["json_schema", "function_calling", "json_mode"]),
                     help="Structured-output method (default: detected per server)."),
        click.option("--dry-run", is_flag=True, default=None,
                     help="Print what would be reviewed and the model calls; send nothing, write nothing."),
        click.option("--redact", is_flag=True, default=None,
                     help="Replace names, emails, phones, IDs and dates of birth before sending to a model."),
        click.option("--rewrite/--no-rewrite", default=None,
                     help="Ask the model for a fact-checked rewrite of a setback's score discussion (default: on)."),
    ])


def settings_flags(*, formats: tuple[str, ...], rubric_dirs: tuple[Path, ...], only: tuple[str, ...],
                   skip: tuple[str, ...], out: Path | None, **llm: Any) -> dict[str, Any]:
    """The flag layer for :func:`reviewer.settings.resolve_settings` from the shared options."""
    return {"formats": csv_list(formats), "out": out, "rubrics": list(rubric_dirs) or None,
            "only": csv_list(only), "skip": csv_list(skip), **llm}
