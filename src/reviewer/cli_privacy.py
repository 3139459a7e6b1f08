"""The privacy commands: ``reviewer purge OUT APPLICANT`` deletes one applicant's stored data.

Thin over :mod:`reviewer.purge`, which owns what is deleted and how; this module only parses, asks,
prints and sets the exit code: 0 deleted, 1 not confirmed, 2 unknown applicant, no review store, or no
confirmation possible (no terminal and no ``--yes``), 4 a folder or file that cannot be deleted (then
nothing was deleted) or a damaged store.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_common import fail
from .errors import ReviewerError, printable


def _interactive() -> bool:
    """Can the user be asked (both ends of the conversation are a terminal)?"""
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command("purge")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("applicant")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The model cache the batch used (default: OUT/.llm-cache).")
@click.option("--all-cache", is_flag=True,
              help="Delete the whole model cache folder, not only this applicant's entries.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")
def purge(out: Path, applicant: str, cache_dir: Path | None, all_cache: bool, yes: bool) -> None:
    """Delete everything stored about APPLICANT (id, folder name or display name) in the batch output folder
    OUT: review rounds, failures and usage in the store, the output folder, model-cache entries and the
    cohort.json row (the cohort report is rebuilt without them). The drafts themselves are not touched.
    Asks for confirmation first, unless --yes. If it is interrupted, run it again: it finishes the job."""
    from .purge import lookup, purge_applicant

    try:
        if not yes:
            if not _interactive():
                click.echo("error: purge deletes data for good and there is no terminal to confirm it on "
                           "(run it in a terminal, or pass --yes); nothing was deleted", err=True)
                sys.exit(2)
            target = lookup(out, applicant, all_cache=all_cache)
            what = (f"everything stored about {printable(target.name)} ({target.id})" if target.id else
                    f"the whole model cache (nothing else is stored about {printable(applicant)})")
            if not click.confirm(f"Delete {what} in {printable(str(out))}?", default=False):
                click.echo("nothing was deleted", err=True)
                sys.exit(1)
        report = purge_applicant(out, applicant, cache_dir=cache_dir, all_cache=all_cache)
    except ReviewerError as err:
        fail(err)
    click.echo(f"purged applicant {printable(report.applicant)}")
    for line in report.lines():
        click.echo(f"  {printable(line)}")
