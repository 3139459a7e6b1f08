"""The privacy commands: ``reviewer purge OUT APPLICANT`` deletes one applicant's stored data.

Thin over :mod:`reviewer.purge`, which owns what is deleted and how; this module only parses, prints and
sets the exit code (0 deleted, 2 unknown applicant or no review store, 4 a file that cannot be deleted).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import ReviewerError


@click.command("purge")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("applicant")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The model cache the batch used (default: OUT/.llm-cache).")
@click.option("--all-cache", is_flag=True,
              help="Delete the whole model cache folder, not only this applicant's entries.")
def purge(out: Path, applicant: str, cache_dir: Path | None, all_cache: bool) -> None:
    """Delete everything stored about APPLICANT (folder id or name) in the batch output folder OUT: review
    rounds, failures and usage in the store, the output folder, model-cache entries and cohort.json rows.
    The drafts themselves are not touched."""
    from .purge import purge_applicant

    try:
        report = purge_applicant(out, applicant, cache_dir=cache_dir, all_cache=all_cache)
    except ReviewerError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(err.exit_code)
    click.echo(f"purged applicant {report.applicant}")
    for line in report.lines():
        click.echo(f"  {line}")
