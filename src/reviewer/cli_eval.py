"""``reviewer eval``: review a labelled set of drafts and print how far each criterion's verdicts agree.

Registered on the main group by :mod:`reviewer.cli`. Settings resolve as for ``reviewer review``; the
model flags choose the engine. A model can be measured live, or in two steps with a Batch API file
(``--export-requests``, then ``--import-results``), exactly as ``reviewer batch`` does it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_common import default_jobs, fail, llm_options, settings_flags

if TYPE_CHECKING:
    from .evaluate import EvalResult

CASE_HELP = """\b
A case is one YAML file:
  id: ps-017
  kind: personal_statement      # experience | additional_info | interview_answer
  target: kaiser                # or other
  format: txt                   # or md (how the text is read)
  text: |
    the draft ...
  labels:                       # per criterion: pass | flag (warn or fail) |
    score.excuse: flag          #   not_applicable | either | [a, b]
An applicant folder is `type: application` with `documents: [{name, kind, text}, ...]`
and labels for the application.* criteria."""


@click.command("eval", epilog=CASE_HELP)
@click.argument("cases", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rubrics", "rubric_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra rubric folder or file; overrides built-in rubrics with the same id.")
@click.option("--only", multiple=True, metavar="PREFIX", help="Score only criteria with this dotted id prefix.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="reviewer.toml to use.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the figures, confusion tables and misses as JSON (reviewer.eval/1).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Cases reviewed side by side (default: one per CPU, at most 8; a live model keeps "
                   "llm_concurrency calls in flight instead).")
@click.option("--misses", "show_misses", type=int, default=25, show_default=True,
              help="How many disagreements to list (0: none).")
@click.option("--export-requests", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write the model calls for these cases as a Batch API file; review nothing.")
@click.option("--import-results", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="FILE",
              help="Judge with the answers of a Batch API results file instead of live calls.")
@llm_options
def eval_command(cases: tuple[Path, ...], rubric_dirs: tuple[Path, ...], only: tuple[str, ...],
                 config: Path | None, json_out: Path | None, jobs: int | None, show_misses: int,
                 export_requests: Path | None, import_results: Path | None, **flags: Any) -> None:
    """Review labelled drafts and print agreement per criterion, a confusion table and the misses.

    CASES are YAML case files or folders of them (default: the labelled development set shipped with
    reviewer). Use it to learn how far to trust each criterion with your engine and model, e.g.
    `reviewer eval --engine hybrid --model gpt-4o-mini`. No rewrite is asked for unless --rewrite is given
    (it changes no verdict); --dry-run counts the calls and, with prices set, their cost.
    """
    from .errors import ReviewerError
    from .evaluate import default_cases, evaluate, load_cases
    from .pipeline import make_engine, selected_rubrics
    from .settings import resolve_settings

    judge: Any = None
    with tempfile.TemporaryDirectory(prefix="reviewer-eval-") as scratch:
        work = Path(scratch)
        try:
            if export_requests is not None and import_results is not None:
                raise click.UsageError("--export-requests and --import-results are two steps: use one at a time")
            dry_run = bool(flags.get("dry_run"))
            # A rewrite changes no verdict: measuring judgment asks for none unless --rewrite is given.
            flags = {**flags, "dry_run": None, "rewrite": bool(flags.get("rewrite"))}
            settings = resolve_settings(
                settings_flags(formats=(), rubric_dirs=rubric_dirs, only=only, skip=(), out=work / "out", **flags),
                config=config)
            rubrics = selected_rubrics(settings)
            loaded = load_cases(list(cases) or [default_cases()])
            if export_requests is not None:
                _export(loaded, work, export_requests, settings)
                return
            if dry_run:
                _dry_run(loaded, work, rubrics, settings)
                return
            if import_results is not None:
                from .batchfile import results_engine

                engine = results_engine(import_results, settings)
                judge = engine.judge
            else:
                engine = make_engine(settings)
            result = evaluate(loaded, rubrics, settings, engine, workdir=work / "cases", jobs=jobs or default_jobs())
        except ReviewerError as err:
            fail(err)
        finally:
            if judge is not None:
                judge.close()
    _print(result, show_misses)
    if json_out is not None:
        from .errors import OutputError
        from .fsio import atomic_write_text

        try:
            atomic_write_text(json_out, json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        except OutputError as err:
            fail(err)
        click.echo(f"Wrote {json_out}")


def _export(cases: list[Any], work: Path, path: Path, settings: Any) -> None:
    from .batchfile import export_requests
    from .evaluate import materialise

    cohort = work / "cases"
    for case in cases:
        materialise(case, cohort)
    summary = export_requests(cohort, path, settings)
    for document, error in summary.errors:
        click.echo(f"error: {document}: {error}", err=True)
    click.echo(f"Wrote {summary.requests} request(s) for {summary.documents} document(s) to {path} "
               f"(ids: {summary.ids_path.name}). Nothing was sent; answer them, then run again with "
               "--import-results RESULTS.")
    if summary.errors:
        sys.exit(2)


def _dry_run(cases: list[Any], work: Path, rubrics: Any, settings: Any) -> None:
    """``--dry-run``: how many cases and, with a model engine, the calls (and their cost where prices are set)
    the measurement would make. The cases are planned exactly as they would be reviewed; nothing is sent."""
    from .evaluate import materialise
    from .pipeline import CallTally, plan_folder_calls

    click.echo(f"dry run: {len(cases)} case(s) would be reviewed by the {settings.engine} engine; nothing sent")
    if settings.engine == "rules":
        click.echo("The rules engine makes no model calls.")
        return
    tally = CallTally()
    for case in cases:
        folder = materialise(case, work / "cases")
        for path, planned in plan_folder_calls(folder, rubrics, settings):
            if isinstance(planned, str):
                click.echo(f"error: {case.id}: {path.name}: {planned}", err=True)
                continue
            tally += CallTally.of(planned)
    line = (f"{tally.calls} call(s) to {settings.model}, about {tally.prompt_tokens} prompt tokens and at most "
            f"{tally.max_completion_tokens} completion tokens")
    cost = tally.cost(settings)
    if cost is not None:
        line += f"; at most about ${cost:.2f}"
    click.echo(line + ".")


def _print(result: EvalResult, show_misses: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from .errors import printable

    console = Console()
    table = Table(title=f"Agreement with labels: {result.engine} engine, {result.cases} cases")
    table.add_column("Criterion", no_wrap=True)
    table.add_column("Labels", justify="right")
    table.add_column("Agree", justify="right")
    table.add_column("Confusion (label>got: n)", overflow="fold")
    for c in result.criteria():
        items = result.of(c)
        conf = ", ".join(f"{lab}>{got}: {n}" for (lab, got), n in sorted(result.confusion(c).items())
                         if got not in lab.split("|"))
        table.add_row(c, str(len(items)), f"{result.rate(items):.1%}", conf or "-")
    table.add_section()
    table.add_row("all", str(len(result.judged)), f"{result.overall:.1%}", "")
    console.print(table)
    misses = result.misses
    if misses and show_misses:
        console.print(f"Misses ({len(misses)}; showing {min(show_misses, len(misses))}):")
        for j in misses[:show_misses]:
            console.print(f"  {j.case} {j.criterion}: label {'|'.join(sorted(j.labels))}, got {j.got}"
                          f" ({printable(j.message)[:140]})", markup=False, highlight=False)
    setbacks = result.unjudged_setbacks
    console.print(f"Drafts explaining a setback left unjudged: {len(setbacks)}"
                  + (f" ({', '.join(setbacks[:20])})" if setbacks else ""), markup=False, highlight=False)
    for failure in result.failures:
        click.echo(f"error: {printable(failure)}", err=True)
    u = result.usage
    if result.engine != "rules":
        cost = f", about ${u.cost_usd:.4f}" if u.cost_usd is not None else ""
        console.print(f"Model: {u.api_calls} call(s), {u.cached_calls} cached, {u.fallbacks} fell back to rules; "
                      f"{u.prompt_tokens} prompt + {u.completion_tokens} completion tokens{cost}", markup=False)
