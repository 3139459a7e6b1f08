"""``reviewer programs``: the programs spreadsheet and the plan of where to apply and where to signal.

Thin commands over :mod:`reviewer.programs`; only click is imported at module level (start-up stays fast).
Exit codes as elsewhere: 0 done (rows with problems are reported and left out, the others planned), 2 an
input could not be read (or ``check`` found bad rows), 3 an invalid profile, weights file or setting, 4 an
output could not be written.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_common import csv_list, fail

if TYPE_CHECKING:
    from .programs.applicant import CohortPlanner
    from .programs.result import Plan
    from .programs.table import ProgramsTable
    from .settings import Settings

_AS_OF = click.DateTime(formats=["%Y-%m-%d"])


@click.group("programs")
def programs() -> None:
    """Choose programs: the guide's spreadsheet, a tiered plan with reasons, extraction from program pages."""


@programs.command("template")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def template(path: Path, force: bool) -> None:
    """Write an empty programs spreadsheet (.xlsx with drop-downs and a sheet documenting every column, or .csv)."""
    from .errors import OutputError, ReviewerError
    from .programs.template import write_template

    try:
        if path.exists() and not force:
            raise OutputError("file exists", path=path, hint="pass --force to replace it")
        write_template(path)
    except ReviewerError as err:
        fail(err)
    click.echo(f"Template written to {path}: one row per program; columns marked * are required.")


@programs.command("check")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--as-of", type=_AS_OF, help="Date rows are judged stale against (default: today).")
def check(path: Path, as_of: dt.datetime | None) -> None:
    """Validate a programs file: one line per problem (FILE:ROW: COLUMN: problem); exit 2 if a row is bad."""
    from .errors import ReviewerError
    from .programs.table import read_programs

    try:
        table = read_programs(path, as_of=as_of.date() if as_of else None)
    except ReviewerError as err:
        fail(err)
    _problems(table)
    click.echo(f"{len(table.programs)} program(s) read; {len(table.errors)} row problem(s), "
               f"{len(table.warnings)} warning(s).")
    sys.exit(2 if table.errors else 0)


@programs.command("weights")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def weights_command(path: Path | None, force: bool) -> None:
    """The built-in score weights (YAML), to read, copy, edit and pass with --weights: written to PATH, or printed."""
    from .errors import OutputError, ReviewerError
    from .fsio import atomic_write_text
    from .programs.weights import builtin_text

    if path is None:
        click.echo(builtin_text(), nl=False)
        return
    try:
        if path.exists() and not force:
            raise OutputError("file exists", path=path, hint="pass --force to replace it")
        atomic_write_text(path, builtin_text())
    except ReviewerError as err:
        fail(err)
    click.echo(f"Weights written to {path}: edit them and pass --weights {path}.")


@programs.command("plan")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--programs", "programs_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The programs spreadsheet (.xlsx or .csv).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="Output folder (default ./reviews).")
@click.option("--weights", type=click.Path(path_type=Path, dir_okay=False), help="Score weights (YAML).")
@click.option("--format", "formats", multiple=True, metavar="LIST", help="xlsx,md,json (default: all three).")
@click.option("--breadth", type=click.IntRange(1, 1000), help="How many programs you mean to apply to.")
@click.option("--as-of", type=_AS_OF, help="The planning date (default: today): years since graduation, staleness.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="reviewer.toml to use.")
def plan(folder: Path, programs_file: Path, out: Path | None, weights: Path | None, formats: tuple[str, ...],
         breadth: int | None, as_of: dt.datetime | None, config: Path | None) -> None:
    """Plan where to apply: hard filters with reasons, then reach / target / likely tiers from a transparent score,
    the Kaiser programs worth a signal, and what would open more programs. Writes program-plan.xlsx|md|json."""
    from .errors import ConfigError, ReviewerError
    from .programs.applicant import PLAN_FORMATS, consistency_params, plan_for, read_applicant, write_plan
    from .programs.table import read_programs
    from .programs.weights import load_weights
    from .rubric import load_rubrics
    from .settings import resolve_settings

    chosen = csv_list(formats) or list(PLAN_FORMATS)
    try:
        bad = [f for f in chosen if f not in PLAN_FORMATS]
        if bad:
            raise ConfigError(f"unknown format {', '.join(bad)}", path="flags", hint="choose from xlsx, md, json")
        settings = resolve_settings({"out": out}, config=config)
        day = as_of.date() if as_of else dt.date.today()
        w = load_weights(weights)
        table = read_programs(programs_file, as_of=day, max_age_days=w.stale_days)
        facts = read_applicant(folder)
        result = plan_for(facts, table, w, as_of=day, params=consistency_params(load_rubrics(settings.rubrics)),
                          breadth=breadth)
        written = write_plan(result, settings.out, chosen, protect=[programs_file])
    except ReviewerError as err:
        fail(err)
    _problems(table)
    _summary(result, table)
    click.echo("Written: " + ", ".join(str(p) for p in written))


@programs.command("extract")
@click.argument("page", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the row as JSON (field: value and quote).")
def extract(page: Path, as_json: bool) -> None:
    """Turn text pasted from a program's web page into a row: every field with the sentence it came from.

    Offline rules read what patterns can (visa words, 'graduated within N years', 'minimum score of N', 'no
    more than N attempts', USCE, ECFMG deadline, positions); a field without a quote is left blank."""
    import json

    from .errors import ReviewerError
    from .programs.extract import extract_rules, read_page

    try:
        row = extract_rules(read_page(page))
    except ReviewerError as err:
        fail(err)
    if as_json:
        click.echo(json.dumps({k: {"value": v.value, "quote": v.quote} for k, v in row.items()}, indent=2,
                              ensure_ascii=False))
        return
    if not row:
        click.echo("Nothing found: fill the row by hand (`reviewer programs template` documents every column).")
        return
    from .errors import printable

    for key, found in row.items():
        click.echo(f"{key}: {printable(found.value)}")
        click.echo(f'    "{printable(found.quote)}"')


def cohort_planner(programs_file: Path, settings: Settings) -> CohortPlanner:
    """For ``reviewer batch --programs``: the programs file read once (its row problems printed here), and the
    hook that writes each applicant's plan. Raises the programs file's error when it cannot be read."""
    from .programs.applicant import CohortPlanner, consistency_params
    from .programs.table import read_programs
    from .programs.weights import load_weights
    from .rubric import load_rubrics

    weights = load_weights()
    day = dt.date.today()
    table = read_programs(programs_file, as_of=day, max_age_days=weights.stale_days)
    _problems(table)
    return CohortPlanner(table, weights, consistency_params(load_rubrics(settings.rubrics)), day)


def _problems(table: ProgramsTable) -> None:
    from .errors import printable

    for p in table.problems:  # cell text is shown in the problem: no terminal escapes get through
        click.echo(f"{'error' if p.severity == 'error' else 'warning'}: {printable(str(p))}", err=True)


def _summary(result: Plan, table: ProgramsTable) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .errors import printable
    from .programs.result import TIERS, Tier
    from .render.plan_markdown import main_reasons

    def shown(text: str) -> str:
        return escape(printable(text))

    console = Console()
    pf = result.portfolio
    console.print(f"[bold]Program plan for {shown(result.applicant)}[/] (as of {result.as_of.isoformat()}): "
                  f"{len(result.decisions)} program(s) in your specialties, of {len(table.programs)} read")
    counts = Table(show_lines=False)
    for col in ("Specialty", "Likely", "Target", "Reach", "Excluded"):
        counts.add_column(col, no_wrap=True)
    for name, c in [*pf.by_specialty.items(), ("All", pf.counts)]:
        counts.add_row(shown(name), str(c.likely), str(c.target), str(c.reach), str(c.excluded))
    console.print(counts)
    for a in pf.advice:
        console.print(f"- {shown(a)}")
    best = Table(title="Top of each tier", expand=True)
    best.add_column("Tier", no_wrap=True, min_width=8)
    best.add_column("Score", no_wrap=True, min_width=5, justify="right")
    best.add_column("Program", no_wrap=True, overflow="ellipsis", ratio=2)
    best.add_column("Why", no_wrap=True, overflow="ellipsis", ratio=3)
    style = {Tier.LIKELY: "green", Tier.TARGET: "yellow", Tier.REACH: "red"}
    for tier in TIERS:
        for d in result.tier(tier)[:5]:
            best.add_row(f"[{style[tier]}]{tier.value}[/]", f"{d.score:+.1f}", shown(d.program), shown(main_reasons(d)))
    console.print(best)
    _print_lines(console, "Where to signal", [
        f"{s.standing}: {s.program} ({s.tier.value}): {s.why}" for s in result.signals]
        or ["no eligible Kaiser Permanente program in the file"])
    _print_lines(console, "What would open more programs", [o.text for o in result.openers] or ["nothing you can "
                                                                                               "still change"])
    notes = [f"{n.kind.replace('_', ' ')}: {n.message}" for n in result.profile_notes]
    if notes:
        _print_lines(console, "Profile", notes)
    if table.problems:
        console.print(f"{len(table.errors)} row(s) of the programs file left out, {len(table.warnings)} warning(s): "
                      "listed above and in the plan.")


def _print_lines(console: Any, title: str, lines: list[str]) -> None:
    from rich.markup import escape

    from .errors import printable

    console.print(f"[bold]{title}[/]")
    for line in lines:
        console.print(f"- {escape(printable(line))}")
