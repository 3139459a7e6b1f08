"""The command line: thin commands over :mod:`reviewer.pipeline`; the only module that prints or exits.

Start-up stays fast: only click is imported at module level; pydantic, python-docx, pysbd and rich are
imported inside the commands that need them. Exit codes: 0 reviewed, 1 unexpected error, 2 an input
could not be reviewed (the others still were), 3 invalid rubric/config, 4 an output could not be written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_common import fail, llm_options, review_options, settings_flags

if TYPE_CHECKING:
    from .pipeline import Reviewed
    from .rubric import RubricSet
    from .settings import Settings

KINDS = ("personal_statement", "experience", "additional_info", "interview_answer")


def _settings(config: Path | None, **flags: Any) -> Settings:
    from .settings import resolve_settings

    return resolve_settings(flags, config=config)


def _rubrics(settings: Settings) -> RubricSet:
    from .rubric import load_rubrics

    return load_rubrics(settings.rubrics).select(settings.only, settings.skip)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reviewer")
def main() -> None:
    """Review residency-application drafts against rubrics from the low-Step-score guide."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="Document kind (otherwise: manifest, then file name).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="Output folder (default ./reviews).")
@review_options
@llm_options
def review(paths: tuple[Path, ...], kind: str | None, out: Path | None, target: str | None, config: Path | None,
           **flags: Any) -> None:
    """Review documents or applicant folders; feedback is written to --out, inputs are never touched.

    A folder is one applicant: every document in it is reviewed, then the application-level checks
    run across them and application.review.json|md is written.
    """
    from .errors import InputError, ReviewerError
    from .kinds import MANIFEST, parse_kind
    from .pipeline import (
        discover,
        make_engine,
        output_stems,
        output_subfolders,
        review_file,
        review_folder,
        write_folder,
        write_review,
    )

    try:
        settings = _settings(config, **settings_flags(out=out, **flags))
        rubric_set = _rubrics(settings)
        engine = make_engine(settings)
    except ReviewerError as err:
        fail(err)
    if settings.dry_run:
        _dry_run(paths, rubric_set, settings, doc_kind=parse_kind(kind) if kind else None)
        return
    doc_kind = parse_kind(kind) if kind else None
    inputs = [p for p in paths if p.exists()]
    # The inputs a run may never overwrite: the files given and every reviewable file (and manifest) of the
    # folders given. Names with ".review." are this tool's outputs: a later run may replace them.
    protect = [f for p in inputs for f in ([p] if p.is_file() else [*discover(p), p / MANIFEST] if p.is_dir() else [])]
    folders = [p for p in paths if p.is_dir()]
    # One applicant folder writes straight into --out; several get a subfolder each so nothing collides.
    subfolders = output_subfolders(folders) if len(paths) > 1 else {}
    stems = output_stems([p for p in paths if not p.is_dir()])
    failed = 0
    for path in paths:
        try:
            if path.is_dir():
                if doc_kind is not None:
                    raise InputError("--kind applies to single files, not to a folder", path=path,
                                     hint=f"declare kinds in {path / 'application.yaml'}")
                out = settings.out / subfolders[path] if path in subfolders else settings.out
                result = review_folder(path, rubric_set, settings, target=target, engine=engine)
                write_folder(result, out, settings.formats, protect=protect)
                _print_folder(result)
                for f in result.failures:
                    click.echo(f"error: {f.error}", err=True)
                    failed += 1
            else:
                if not path.exists():
                    raise InputError("file not found", path=path, hint="check the path")
                item = review_file(path, rubric_set, settings, kind=doc_kind, target=target, engine=engine)
                write_review(item, settings.out, settings.formats, stem=stems[path], protect=protect)
                _print_reviews([item])
        except ReviewerError as err:
            click.echo(f"error: {err}", err=True)
            failed += 1
            if not isinstance(err, InputError):
                sys.exit(err.exit_code)
    click.echo(f"Feedback written to {settings.out}/")
    if failed:
        sys.exit(2)


def _dry_run(paths: tuple[Path, ...], rubric_set: RubricSet, settings: Settings, *, doc_kind: Any) -> None:
    """``--dry-run``: the model calls a review would make, with estimated tokens; nothing is sent or written."""
    from rich.console import Console
    from rich.table import Table

    from .errors import ReviewerError
    from .ingest import load_document
    from .kinds import load_manifest, resolve_kind
    from .llm import plan_calls
    from .pipeline import discover, llm_config

    if settings.engine == "rules":
        click.echo("dry run: the rules engine makes no model calls")
        return
    config = llm_config(settings)
    table = Table(title=f"Planned calls to {config.model} at {config.endpoint} (nothing sent)")
    table.add_column("Document", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("Rubric", no_wrap=True)
    for col in ("Criteria", "Prompt tokens (est.)", "Max output", "Cached"):
        table.add_column(col)
    total = calls = 0
    for path in paths:
        files = discover(path) if path.is_dir() else [path]
        manifest = load_manifest(path) if path.is_dir() else None
        for f in files:
            try:
                doc = load_document(f, resolve_kind(f, doc_kind, manifest))
            except ReviewerError as err:
                click.echo(f"error: {err}", err=True)
                continue
            for p in plan_calls(doc, rubric_set, config, mode=settings.engine):  # type: ignore[arg-type]
                table.add_row(_shown(f.name), p.rubric, str(len(p.criteria)), str(p.prompt_tokens), str(p.max_tokens),
                              "yes" if p.cached else "")
                if not p.cached:
                    calls += 1
                    total += p.prompt_tokens
    Console().print(table)
    click.echo(f"{calls} call(s) would be sent, about {total} prompt tokens in all.")


def _shown(name: str) -> str:
    """A file or applicant name for a Rich table: control characters escaped, no markup interpreted."""
    from rich.markup import escape

    from .errors import printable

    return escape(printable(name))


_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "not_applicable": "dim"}


def _print_reviews(items: list[Reviewed], title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None, show_lines=False, expand=False)
    table.add_column("Document", no_wrap=True, overflow="ellipsis", max_width=28)
    table.add_column("Criterion", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Why", no_wrap=True, overflow="ellipsis", max_width=70)
    for item in items:
        name = _shown(Path(item.document.path).name)
        for c in item.review.criteria:
            if c.verdict.value == "not_applicable":
                continue
            table.add_row(name, c.id, f"[{_STYLE[c.verdict.value]}]{c.verdict.value}[/]", c.message)
            name = ""
    Console().print(table)


def _print_folder(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    _print_reviews(result.reviewed, title=f"Applicant: {_shown(result.application.applicant)}")
    table = Table(title="Across the application")
    table.add_column("Criterion", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Why", no_wrap=True, overflow="ellipsis", max_width=90)
    for c in result.application.criteria:
        table.add_row(c.id, f"[{_STYLE[c.verdict.value]}]{c.verdict.value}[/]", c.message)
    Console().print(table)


@main.group()
def rubrics() -> None:
    """List, show and validate rubrics."""


@rubrics.command("list")
@click.option("--rubrics", "rubric_dirs", multiple=True, type=click.Path(path_type=Path))
def rubrics_list(rubric_dirs: tuple[Path, ...]) -> None:
    """Every criterion in force: id, rubric, severity, title."""
    from rich.console import Console
    from rich.table import Table

    from .errors import ReviewerError
    from .rubric import load_rubrics

    try:
        rs = load_rubrics(rubric_dirs)
    except ReviewerError as err:
        fail(err)
    table = Table()
    table.add_column("Criterion", no_wrap=True)
    for col in ("Rubric", "Applies to", "Severity", "Title"):
        table.add_column(col, overflow="fold")
    for r, c in rs.criteria():
        kinds = c.applies_to if c.applies_to is not None else r.applies_to
        applies = "application" if r.scope.value == "application" else ", ".join(k.value for k in kinds)
        table.add_row(c.id, r.id, applies, c.severity.value, c.title)
    Console().print(table)


@rubrics.command("show")
@click.argument("criterion_id")
@click.option("--rubrics", "rubric_dirs", multiple=True, type=click.Path(path_type=Path))
def rubrics_show(criterion_id: str, rubric_dirs: tuple[Path, ...]) -> None:
    """One criterion in full (or a whole rubric, by rubric id)."""
    from .errors import ReviewerError
    from .rubric import load_rubrics

    try:
        rs = load_rubrics(rubric_dirs)
        rubric = next((r for r in rs.rubrics if r.id == criterion_id), None)
        crits = list(rubric.criteria) if rubric else [rs.get(criterion_id)[1]]
    except ReviewerError as err:
        fail(err)
    for c in crits:
        click.echo(f"{c.id}: {c.title}")
        click.echo(f"  severity:   {c.severity.value}")
        click.echo(f"  check:      {c.check}")
        click.echo(f"  guide:      {c.guide}")
        click.echo(f"  message:    {c.message.strip()}")
        click.echo(f"  suggestion: {c.suggestion.strip()}")
        for side, exs in (("flags", c.examples.flag), ("passes", c.examples.pass_)):
            for ex in exs:
                text = ex.text or "; ".join(e.description for e in ex.entries) or f"{len(ex.documents)} documents"
                click.echo(f"  {side}: {' '.join(text.split())[:160]}")
        click.echo("")


@rubrics.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def rubrics_validate(paths: tuple[Path, ...]) -> None:
    """Validate rubric files or folders (merged over the built-in rubrics)."""
    from .errors import ReviewerError
    from .rubric import load_rubric, load_rubrics

    bad = 0
    for p in paths:
        files = sorted(p.glob("*.y*ml")) if p.is_dir() else [p]
        if not p.exists():
            click.echo(f"error: {p}: not found", err=True)
            bad += 1
            continue
        for f in files:
            try:
                r = load_rubric(f)
                click.echo(f"ok: {f} ({r.id}, {len(r.criteria)} criteria)")
            except ReviewerError as err:
                click.echo(f"error: {err}", err=True)
                bad += 1
    if not bad:
        try:
            load_rubrics(list(paths))
        except ReviewerError as err:
            click.echo(f"error: {err}", err=True)
            bad += 1
    sys.exit(3 if bad else 0)


def _register_commands() -> None:
    from .cli_cohort import batch, history
    from .cli_eval import eval_command
    from .cli_privacy import purge
    from .cli_web import serve

    main.add_command(batch)
    main.add_command(eval_command)
    main.add_command(history)
    main.add_command(purge)
    main.add_command(serve)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
