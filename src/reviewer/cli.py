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
    from .pipeline import selected_rubrics

    return selected_rubrics(settings)


class _Group(click.Group):
    """A command group whose command list shows each command's first sentence in full (wrapped, not cut)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, first_sentence(cmd.help or cmd.short_help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def first_sentence(text: str) -> str:
    """The first sentence of a command's help (up to the first period followed by a space or the end)."""
    text = " ".join(text.split("\n\n")[0].split())
    end = next((i for i, ch in enumerate(text) if ch == "." and (i + 1 == len(text) or text[i + 1] == " ")), None)
    return text if end is None else text[: end + 1]


MAIN_EXAMPLES = """\b
Examples:
  reviewer review samples/amara-okafor/     # one applicant's folder
  reviewer review draft.docx --kind personal_statement
  reviewer review draft.docx --kind personal_statement --format html
  reviewer batch cohort/ --out feedback/    # one subfolder per applicant
  reviewer rubrics list                     # every criterion in force

Run `reviewer COMMAND --help` for a command's options and examples.
"""

REVIEW_EXAMPLES = """\b
Examples:
  reviewer review samples/rahul-mehta/
  reviewer review draft.docx --kind personal_statement
  reviewer review draft.docx --kind personal_statement --format json,md,html
  reviewer review draft.docx --kind personal_statement --only score
  reviewer review samples/rahul-mehta/ --out feedback/ --skip score.pivot

\b
Outputs, per document, in --out (default ./reviews), readable by you only:
  NAME.review.docx  your draft with short comments, a one-page scorecard
  NAME.review.json  every criterion, finding and comment (with ids)
  NAME.review.md    what to revise, what's working, a suggested rewrite
  NAME.review.html  (--format html) the draft with side notes, offline
A folder also gets application.review.json|md, the checks across its
documents. For a cohort (one subfolder per applicant): reviewer batch.
"""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=MAIN_EXAMPLES)
@click.version_option(package_name="reviewer")
def main() -> None:
    """Review residency-application drafts against rubrics from the low-Step-score guide.

    Feedback an applicant can act on: short comments on the exact sentences of the draft, a one-page
    scorecard, what is already working, and a suggested rewrite of the score discussion built only from
    the draft's own facts. The default rules engine runs offline.
    """


@main.command(epilog=REVIEW_EXAMPLES)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KINDS),
              help="What a single file is. Without it: the file's entry in its folder's application.yaml, else "
                   "its name (ps…/personal_statement…, experience…, additional…, interview…).")
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
        _dry_run(paths, rubric_set, settings, doc_kind=parse_kind(kind) if kind else None, target=target)
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
    written: list[tuple[str, list[Path]]] = []  # (what was reviewed, its output files), in order
    for path in paths:
        try:
            if path.is_dir():
                if doc_kind is not None:
                    raise InputError("--kind applies to single files, not to a folder", path=path,
                                     hint=f"declare kinds in {path / 'application.yaml'}")
                _check_applicant_folder(path)
                out = settings.out / subfolders[path] if path in subfolders else settings.out
                result = review_folder(path, rubric_set, settings, target=target, engine=engine)
                files = write_folder(result, out, settings.formats, protect=protect)
                written.append((f"{path.name or path}/", files))
                _print_folder(result)
                for f in result.failures:
                    click.echo(f"error: {f.error}", err=True)
                    failed += 1
            else:
                if not path.exists():
                    raise InputError("file not found", path=path, hint="check the path")
                item = review_file(path, rubric_set, settings, kind=doc_kind, target=target, engine=engine)
                files = write_review(item, settings.out, settings.formats, stem=stems[path], protect=protect)
                written.append((path.name, files))
                _print_reviews([item])
        except ReviewerError as err:
            click.echo(f"error: {err}", err=True)
            failed += 1
            if not isinstance(err, InputError):
                _print_written(written)
                sys.exit(err.exit_code)
    _print_written(written)
    if failed:
        sys.exit(2)


def _check_applicant_folder(folder: Path) -> None:
    """A folder to review must hold documents (or declare them): an empty one, or a cohort of applicant
    folders, is an input error with a hint rather than an empty review."""
    from .errors import InputError
    from .kinds import MANIFEST
    from .pipeline import discover

    if discover(folder) or (folder / MANIFEST).is_file():
        return
    if any(p.is_dir() and not p.name.startswith(".") and discover(p) for p in folder.iterdir()):
        raise InputError("holds applicant folders, not documents", path=folder,
                         hint=f"a cohort, one subfolder per applicant, is reviewed with: reviewer batch {folder}")
    raise InputError("no documents to review", path=folder,
                     hint="reviewable files are .docx, .txt, .md, .pdf, and .yaml/.json/.csv experience entries")


def _print_written(written: list[tuple[str, list[Path]]]) -> None:
    """Where the feedback went, naming only files written: per document or folder reviewed, its output
    files, one line per output name (``ps_draft.review.json .docx .md``)."""
    done = [(what, files) for what, files in written if files]
    if not done:
        return
    roots = sorted({str(f.parent) for _, files in done for f in files})
    click.echo(f"Feedback written to {roots[0]}/:" if len(roots) == 1 else "Feedback written:")
    for what, files in done:
        groups: dict[str, list[str]] = {}
        for f in files:
            stem, _, ext = f.name.rpartition(".")
            where = stem if len(roots) == 1 else str(f.parent / stem)
            groups.setdefault(where, []).append(ext)
        lines = [f"{stem}.{' .'.join(exts)}" for stem, exts in groups.items()]
        if len(lines) == 1:
            click.echo(f"  {what} -> {lines[0]}")
        else:
            click.echo(f"  {what}")
            for line in lines:
                click.echo(f"    {line}")


def _dry_run(paths: tuple[Path, ...], rubric_set: RubricSet, settings: Settings, *, doc_kind: Any,
             target: str | None = None) -> None:
    """``--dry-run``: the model calls a review would make, with estimated tokens; nothing is sent or written."""
    from rich.console import Console
    from rich.table import Table

    from .pipeline import CallTally, llm_config, plan_folder_calls

    if settings.engine == "rules":
        click.echo("dry run: the rules engine makes no model calls")
        return
    config = llm_config(settings)
    table = Table(title=f"Planned calls to {config.model} at {config.endpoint} (nothing sent)")
    table.add_column("Document", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("Rubric", no_wrap=True)
    for col in ("Criteria", "Prompt tokens (est.)", "Max output", "Cached"):
        table.add_column(col)
    tally = CallTally()
    for path in paths:
        for doc_path, planned in plan_folder_calls(path, rubric_set, settings, target=target, doc_kind=doc_kind):
            if isinstance(planned, str):
                click.echo(f"error: {planned}", err=True)
                continue
            for p in planned:
                table.add_row(_shown(doc_path.name), p.rubric, str(len(p.criteria)), str(p.prompt_tokens),
                              str(p.max_tokens), "yes" if p.cached else "")
            tally += CallTally.of(planned)
    Console().print(table)
    click.echo(f"{tally.calls} call(s) would be sent, about {tally.prompt_tokens} prompt tokens in all.")


def _shown(name: str) -> str:
    """A file or applicant name for a Rich table: control characters escaped, no markup interpreted."""
    from rich.markup import escape

    from .errors import printable

    return escape(printable(name))


_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "not_applicable": "dim"}
_LABEL = {"fail": "FAIL", "warn": "WARN", "pass": "PASS", "not_applicable": "n/a"}
_ORDER = {"fail": 0, "warn": 1, "pass": 2, "not_applicable": 3}
NARROW = 100  # columns: below, each criterion is two lines (verdict and title, then why); above, a table


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _counts(criteria: Any) -> dict[str, int]:
    counts = {"fail": 0, "warn": 0, "pass": 0, "not_applicable": 0}
    for c in criteria:
        counts[c.verdict.value] += 1
    return counts


def _count_line(counts: dict[str, int]) -> str:
    return (f"[bold red]{counts['fail']} fail[/] · [yellow]{counts['warn']} warn[/] · "
            f"[green]{counts['pass']} pass[/]")


def _verdict_table(console: Any, title: str, criteria: Any) -> None:
    """One document's (or the application's) criteria, worst first, verdict first; not-applicable ones are
    counted, not listed. Below :data:`NARROW` columns each criterion takes two lines so that the verdict and
    the title are never cut; above, a table with the criterion id for --only/--skip."""
    from rich.markup import escape
    from rich.table import Table

    rows = sorted((c for c in criteria if c.verdict.value != "not_applicable"), key=lambda c: _ORDER[c.verdict.value])
    narrow = console.width < NARROW
    table = Table(title=title, title_justify="left", expand=narrow, box=None, pad_edge=False)
    table.add_column("Verdict", no_wrap=True, min_width=4)
    if narrow:
        table.add_column("Criterion", overflow="fold", ratio=1)
    else:
        table.add_column("Criterion", overflow="fold", max_width=44)
        table.add_column("Id", no_wrap=True, style="dim")
        table.add_column("Why", overflow="fold")
    passes = [c for c in rows if c.verdict.value == "pass"]
    for c in rows:
        verdict = f"[{_STYLE[c.verdict.value]}]{_LABEL[c.verdict.value]}[/]"
        title_text = escape(c.title or c.id)
        if not narrow:
            table.add_row(verdict, title_text, c.id, escape(c.message))
        elif c.verdict.value != "pass":
            table.add_row(verdict, f"{title_text}\n[dim]{escape(c.message)}[/]")
    if narrow and passes:  # what passes needs no reason on a narrow screen: one line of titles
        table.add_row(f"[{_STYLE['pass']}]PASS[/]", " · ".join(escape(c.title or c.id) for c in passes))
    console.print(table)
    counts = _counts(criteria)
    skipped = f" · {counts['not_applicable']} not applicable" if counts["not_applicable"] else ""
    console.print(_count_line(counts) + skipped)


def _print_reviews(items: list[Reviewed]) -> None:
    console = _console()
    for item in items:
        kind = item.document.kind.value.replace("_", " ")
        _verdict_table(console, f"[bold]{_shown(Path(item.document.path).name)}[/] ({kind})", item.review.criteria)
        console.print()


def _print_folder(result: Any) -> None:
    console = _console()
    app = result.application
    console.print(f"[bold]Applicant: {_shown(app.applicant)}[/]")
    _print_reviews(result.reviewed)
    _verdict_table(console, "[bold]Across the application[/]", app.criteria)
    total = _counts([c for r in result.reviewed for c in r.review.criteria] + list(app.criteria))
    console.print(f"In all: {_count_line(total)} (every criterion of each document and of the application; "
                  "the cohort report and cohort.json count the same way)")
    console.print()


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
    from .cli_programs import programs
    from .cli_web import serve

    main.add_command(batch)
    main.add_command(eval_command)
    main.add_command(history)
    main.add_command(purge)
    main.add_command(programs)
    main.add_command(serve)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
