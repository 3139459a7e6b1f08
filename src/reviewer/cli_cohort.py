"""The cohort commands, ``reviewer batch`` and ``reviewer history``: thin click commands over
:mod:`reviewer.cohort` and :mod:`reviewer.store`. Like ``cli.py``, this module prints and exits; the
library below it never does.

They are plain ``click.Command`` objects, registered on the main group by ``cli.py``
(``main.add_command(batch)``); settings resolve exactly as for ``reviewer review`` (flags over
``REVIEWER_*`` over ``reviewer.toml``). Heavy imports (pydantic, rich, python-docx) happen inside the
commands so ``reviewer --help`` stays fast.

Exit codes: 0 every document was reviewed (or was unchanged), 2 some document or applicant failed (the
others were still reviewed; each failure is one ``error:`` line), 3 invalid rubric or setting, 4 the
outputs, the model cache or the store could not be written, or the store is damaged (one ``error:`` line
naming the file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_common import default_jobs, fail, llm_options, review_options, settings_flags
from .errors import printable, short_name

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

    from .cohort import BatchResult
    from .settings import Settings
    from .store import StoredRound

_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "not_applicable": "dim"}
_SHORT = {"fail": "FAIL", "warn": "WARN", "pass": "pass", "not_applicable": "n/a"}


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@click.command("batch")
@click.argument("cohort", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder: <applicant>/ feedback, cohort.json, reviewer.sqlite (default ./reviews).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: CPU count, at most 8).")
@review_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no table; errors only.")
@click.option("--llm-concurrency", type=click.IntRange(min=1), default=None,
              help="Model calls in flight at once (default 8; REVIEWER_LLM_CONCURRENCY).")
@click.option("--export-requests", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="Write the model calls of the changed documents as an OpenAI Batch API JSONL file; send nothing.")
@click.option("--import-results", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              metavar="FILE", help="Review with the answers of a Batch API or `vllm run-batch` results file.")
@click.option("--programs", "programs_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE", help="A programs file (.xlsx/.csv): also write each applicant's program plan.")
@click.option("--retry-fallbacks", is_flag=True,
              help="Ask the model again for unchanged documents whose rubrics fell back to the rules in an earlier "
                   "run (only those rubrics are sent; the others come from the model cache).")
@llm_options
def batch(cohort: Path, out: Path | None, jobs: int | None, target: str | None, config: Path | None, quiet: bool,
          llm_concurrency: int | None, export_requests: Path | None, import_results: Path | None,
          retry_fallbacks: bool, programs_file: Path | None, **flags: Any) -> None:
    """Review a whole cohort: COHORT/<applicant>/<documents>, one subfolder per applicant.

    Feedback goes to OUT/<applicant>/ (as `reviewer review` writes it), plus OUT/cohort.json and the
    review store OUT/reviewer.sqlite. Run it again after students revise: unchanged documents are not
    reviewed again, and each changed one is compared with its previous round ("Since your last draft").
    A killed run resumes where it stopped. When the model failed for some rubrics (they fell back to the
    rules, with a note), --retry-fallbacks asks it again for those only.

    For cohorts too big for live calls: --export-requests FILE writes the model calls as an OpenAI Batch
    API file (nothing is sent); run it with the Batch API or `vllm run-batch`, then --import-results
    RESULTS reviews with its answers (a missing or failed answer falls back to the rules, with a note).
    """
    from .cohort import run_batch
    from .errors import OutputError, ReviewerError
    from .settings import resolve_settings

    judge: Any = None
    planner: Any = None
    try:
        settings = resolve_settings(settings_flags(out=out, **flags), config=config)
        if programs_file is not None:
            from .cli_programs import cohort_planner

            planner = cohort_planner(programs_file, settings)
        if export_requests is not None and import_results is not None:
            raise click.UsageError("--export-requests and --import-results are two steps: use one at a time")
        if export_requests is not None:
            _export(cohort, export_requests, settings, target, quiet, retry_fallbacks)
            return
        if settings.dry_run:
            _dry_run(cohort, settings, target, retry_fallbacks)
            return
        if import_results is not None:
            from .batchfile import results_judge

            # a results file answers the rubric requests it was exported for; the rewrite is not among them
            settings = settings.model_copy(update={"rewrite": False})
            judge = results_judge(import_results, settings)
        with _ProgressBar(quiet) as progress:
            result = run_batch(cohort, settings.out, settings, jobs=jobs or default_jobs(), progress=progress,
                               target=target, judge=judge, llm_concurrency=llm_concurrency,
                               retry_fallbacks=retry_fallbacks, after=planner)
    except ReviewerError as err:
        fail(err)
    except OSError as exc:  # a file operation the library did not name (they all should): still one line, exit 4
        fail(OutputError.from_os(exc, doing="cannot write"))
    except KeyboardInterrupt:
        click.echo("interrupted: what finished is recorded; run the same command again to resume", err=True)
        sys.exit(130)
    finally:
        if judge is not None:
            judge.close()
    if not quiet:
        _print_result(result)
        if judge is not None:
            st = judge.stats
            click.echo(f"Results file: {_n(st.answered, 'answer')} applied; {st.failed} failed, {st.missing} missing"
                       f", {st.stale} for an earlier draft (those rubrics were judged by rules, with a note).")
    for applicant, document, error in result.failures:
        click.echo(f"error: {printable(applicant)}/{printable(document)}: {printable(error)}", err=True)
    for applicant, error in planner.errors if planner is not None else ():
        click.echo(f"error: {printable(applicant)}: {printable(error)}", err=True)
    sys.exit(0 if result.ok and not (planner and planner.errors) else 2)


def _export(cohort: Path, path: Path, settings: Settings, target: str | None, quiet: bool,
            retry_fallbacks: bool) -> None:
    from .batchfile import export_requests

    summary = export_requests(cohort, path, settings, target=target, retry_fallbacks=retry_fallbacks)
    for document, error in summary.errors:
        click.echo(f"error: {document}: {error}", err=True)
    if not quiet:
        click.echo(f"Wrote {_n(summary.requests, 'request')} for {_n(summary.documents, 'changed document')} to "
                   f"{path} (ids: {summary.ids_path.name}); about {summary.prompt_tokens} prompt tokens, at most "
                   f"{summary.max_output_tokens} output tokens; method {summary.method}. "
                   f"Not exported: {summary.unchanged} unchanged document(s), {summary.cached} cached judgment(s). "
                   "Nothing was sent.")
        size = path.stat().st_size
        if summary.requests > 50_000 or size > 200 * 1024 * 1024:
            click.echo(f"note: the OpenAI Batch API takes at most 50,000 requests and 200 MB per file; this one has "
                       f"{summary.requests} requests and {size // (1024 * 1024)} MB: split it (e.g. `split -l 50000`)",
                       err=True)
    if summary.errors:
        sys.exit(2)


def _dry_run(cohort: Path, settings: Settings, target: str | None, retry_fallbacks: bool) -> None:
    """Per applicant: documents that would be reviewed and those unchanged; with a model engine, the calls
    the changed ones would make (unchanged documents make none). The documents are planned and read as the
    batch would (the same applicant folders, ids and folder review)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .cohort import plan_batch
    from .pipeline import CallTally, llm_config, plan_folder_calls, selected_rubrics

    config = llm_config(settings) if settings.engine != "rules" else None
    rubrics = selected_rubrics(settings)
    table = Table(title="Dry run: nothing sent, nothing written")
    table.add_column("Applicant", no_wrap=True, overflow="ellipsis", max_width=28)
    for col in ("To review", "Unchanged", "Model calls", "Prompt tokens (est.)"):
        table.add_column(col, justify="right")
    totals = [0, 0, 0, 0]
    for folder, name, changed, unchanged in plan_batch(cohort, settings.out, settings, target=target,
                                                       retry_fallbacks=retry_fallbacks):
        tally = CallTally()
        if config is not None and changed:
            for _path, planned in plan_folder_calls(cohort / folder, rubrics, settings, target=target,
                                                    files=[cohort / folder / d.name for d in changed]):
                if isinstance(planned, str):
                    click.echo(f"error: {printable(planned)}", err=True)
                    continue
                tally += CallTally.of(planned)
        row = [len(changed), unchanged, tally.calls, tally.prompt_tokens]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        table.add_row(escape(printable(name)), *(str(v) for v in row))
    table.add_section()
    table.add_row("all", *(str(v) for v in totals))
    Console().print(table)
    if config is None:
        click.echo("The rules engine makes no model calls.")


class _ProgressBar:
    """A Rich progress bar (count, rate, elapsed, ETA) fed by the runner's callback; silent when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class Rate(ProgressColumn):
            def render(self, task: Task) -> Text:
                from rich.text import Text

                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "–/s", style="progress.data.speed")

        self.bar = Progress(TextColumn("applicants"), BarColumn(), MofNCompleteColumn(), Rate(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                            TextColumn("{task.description}", style="dim"), console=Console(stderr=True))
        self.bar.start()
        self.task = self.bar.add_task("", total=None)

        def update(done: int, total: int, applicant: str) -> None:
            self.bar.update(self.task, completed=done, total=total, description=escape(applicant))

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_result(result: BatchResult) -> None:
    """The final table. Its counts are the cohort report's (read back from cohort.json and the review files
    the report is built from), so the terminal, index.html and cohort.json never disagree: Fail and Warn count
    criterion verdicts over every document and the application, Resolved, Persisting and New count findings
    against the previous round. Narrow terminals get one line of counts per applicant."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .cohort import Status
    from .render.report import ApplicantRow, collect_cohort

    rows: dict[str, ApplicantRow] = {}
    report = collect_cohort(result.out, on_applicant=lambda row: rows.__setitem__(row.id, row))
    console = Console(highlight=False)
    narrow = console.width < 100
    table = Table(title=f"Cohort: {_n(len(result.applicants), 'applicant')}", title_justify="left")
    table.add_column("Applicant", no_wrap=not narrow, overflow="fold", max_width=24)
    columns = ("Reviewed", "Same", "Failed", "Fail", "Warn", "Resolved", "Persisting", "New")
    if narrow:
        table.add_column("Documents, verdicts and findings since the last round", overflow="fold")
    else:
        for col in columns:
            table.add_column(col, justify="right", no_wrap=True)
    for a in result.applicants:
        failed = len(a.failures)
        row = rows.get(a.id)
        values = (a.count(Status.REVIEWED), a.count(Status.UNCHANGED), failed, row.fails if row else 0,
                  row.warns if row else 0, row.resolved if row else 0, row.persisting if row else 0,
                  row.new if row else 0)
        cells = [str(v) for v in values]
        if failed:
            cells[2] = f"[bold red]{failed}[/]"
        if narrow:  # "unreadable" for the Failed column: a row names the applicant, an error line never does
            words = ("reviewed", "same", "unreadable", *(col.lower() for col in columns[3:]))
            table.add_row(escape(printable(a.name)), " · ".join(f"{c} {w}" for c, w in zip(cells, words, strict=True)))
        else:
            table.add_row(escape(printable(a.name)), *cells)
    console.print(table)
    console.print("Fail and Warn count criteria judged fail or warn, in every document and across the application; "
                  "Resolved, Persisting and New count findings compared with the previous round (as index.html and "
                  "cohort.json do).")
    if report.without_json:
        console.print(f"{_n(report.without_json, 'reviewed document')} without JSON output are not counted: add "
                      "json to --format.")
    docs = sum(len(a.documents) for a in result.applicants)
    console.print(f"{_n(docs, 'document')}: {result.total(Status.REVIEWED)} reviewed, "
                  f"{result.total(Status.UNCHANGED)} unchanged, {result.total(Status.FAILED)} failed. "
                  f"Feedback written to {escape(str(result.out))}/ (cohort.json"
                  + (", index.html" if (result.out / "index.html").is_file() else "") + ")")
    if result.fell_back:
        console.print(f"{_n(result.fell_back, 'document')} had rubrics the model did not judge (they fell back to "
                      "the rules, with a note in the feedback): run the same command with --retry-fallbacks to ask "
                      "the model again for those rubrics only.")


@click.command("history")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("applicant")
def history(out: Path, applicant: str) -> None:
    """Review rounds of one APPLICANT (folder id or name) in the batch output folder OUT, per document:
    each round's date, what it resolved, and every criterion's verdict over time."""
    from rich.console import Console
    from rich.markup import escape

    from .errors import InputError, ReviewerError
    from .store import Store

    try:
        with Store.open(out, create=False, readonly=True) as store:
            match = store.find(applicant)
            if match is None:
                names = ", ".join(a[0] for a in store.applicants()[:20]) or "none yet"
                raise InputError(f"no applicant '{applicant}' in the review store", path=out,
                                 hint=f"known: {names}")
            rounds = store.history(match[0])
            runs = store.runs(match[0])
            last_run = store.latest_run()  # failures are shown only while they are current
            recent = store.failures(match[0], run=last_run)
    except ReviewerError as err:
        fail(err)
    console = Console()
    name = short_name(match[1])
    label = escape(printable(name if name == match[0] else f"{name} ({match[0]})"))
    console.print(f"[bold]{label}[/]: {_n(len(rounds), 'document')}, reviewed in {_n(runs, 'batch run')}",
                  highlight=False)
    for document, items in rounds.items():
        console.print(_history_table(document, items))
    for f in recent:
        console.print(f"[red]not reviewed in the last run[/]: {escape(printable(f.document or '(applicant)'))}: "
                      f"{escape(printable(f.error))}", highlight=False)


def _history_table(document: str, items: list[StoredRound]) -> Any:
    """Criteria down, rounds across: each cell the criterion's verdict in that round."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(printable(document)), title_justify="left")
    table.add_column("Criterion", no_wrap=True)
    for r in items:
        table.add_column(f"R{r.round}\n{r.created_at[:10]}", justify="center", no_wrap=True)
    ids = list(dict.fromkeys(cid for r in items for cid in r.verdicts))
    for cid in ids:
        cells = []
        for r in items:
            v = r.verdicts.get(cid)
            cells.append(f"[{_STYLE[v]}]{_SHORT[v]}[/]" if v else "—")
        table.add_row(cid, *cells)
    table.add_section()
    table.add_row("fail / warn", *(f"{r.fails} / {r.warns}" for r in items))
    table.add_row("resolved", *(str(r.resolved) if r.round > 1 else "" for r in items))
    table.add_row("still open (new)", *(f"{r.persisting + r.new} ({r.new})" if r.round > 1 else "" for r in items))
    return table


__all__ = ["batch", "history"]
