"""``reviewer serve``: the local web page, for applicants who would rather not use a terminal.

Thin over :mod:`reviewer.web`: this module resolves the settings as ``reviewer review`` does (flags < env <
reviewer.toml), binds the address, prints it and hands over to uvicorn. Starlette and uvicorn are imported only
here, inside the command, so ``reviewer --help`` stays light. Exit codes: 0 stopped, 3 invalid settings or an
address that cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_common import fail, llm_options, review_options, settings_flags

DEFAULT_PORT = 8767

SERVE_EXAMPLES = """\b
Examples:
  reviewer serve --open                    # the page in your browser
  reviewer serve --port 0                  # any free port (the address is printed)
  reviewer serve --out ~/feedback          # also keep every review's files there
  reviewer serve --engine hybrid --model gpt-4o-mini --redact

\b
On the page: drop or choose drafts (or paste text), check each one's kind,
press Review; read the comments beside your sentences, download the annotated
DOCX (and JSON, Markdown, HTML); upload a revised draft to see what is
resolved, persisting or new.
"""


@click.command("serve", epilog=SERVE_EXAMPLES)
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default=None,
              help="Address to listen on (default 127.0.0.1, this computer only). Anything else lets other "
                   "computers reach the page and the drafts uploaded to it.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in your web browser.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Also save every review's feedback in this folder (default: nothing is kept).")
@click.option("--idle-timeout", type=click.FloatRange(min=0.05), default=30.0, show_default=True, metavar="MINUTES",
              help="Delete a session's files after this many minutes without use.")
@review_options
@llm_options
def serve(port: int, host: str | None, open_browser: bool, out: Path | None, idle_timeout: float,
          target: str | None, config: Path | None, **flags: Any) -> None:
    """A local web page: drop drafts, read the feedback beside your sentences, download the annotated DOCX.

    Listens on 127.0.0.1 only (this computer). Uploaded files live in a temporary folder that is deleted when
    the server stops or a session is idle for --idle-timeout minutes; nothing else is kept unless you choose an
    output folder (--out, or on the page). Engine, model and rubric settings are read as for reviewer review.
    """
    from .errors import ConfigError, ReviewerError
    from .pipeline import llm_config, selected_rubrics
    from .settings import resolve_settings
    from .web.present import engine_label
    from .web.rounds import WebConfig
    from .web.server import bind, is_loopback
    from .web.server import serve as run_server

    try:
        settings = resolve_settings(settings_flags(out=None, target=target, **flags), config=config)
        if settings.dry_run:
            raise ConfigError("dry_run does not apply to reviewer serve", path="settings",
                              hint="unset --dry-run / REVIEWER_DRY_RUN")
        if settings.engine != "rules":
            llm_config(settings)  # a model engine needs a model, and --local-only a local server: say so now
        rubric_set = selected_rubrics(settings)
        address = host or "127.0.0.1"
        local = is_loopback(address)
        web = WebConfig(settings=settings, rubrics=rubric_set, out=out.absolute() if out else None,
                        choose_out=local)
        bound = bind(address, port)
    except ReviewerError as err:
        fail(err)
    if not local:
        click.echo(f"warning: listening on {address}: other computers that can reach this one can use the page and "
                   "read the drafts uploaded to it; the page cannot save to a folder (use --out)", err=True)
    click.echo(f"reviewer serve: open {bound.url} in your browser (Ctrl+C to stop)")
    click.echo(f"engine: {engine_label(settings)}")
    click.echo(f"uploads stay in a temporary folder, deleted when the server stops or after {idle_timeout:g} "
               "minutes without use" + (f"; feedback is also saved in {web.out}" if web.out else ""))

    def ready() -> None:
        if open_browser:
            import webbrowser

            webbrowser.open(bound.url)

    run_server(web, bound, idle_timeout=idle_timeout * 60, ready=ready)
    click.echo("reviewer serve: stopped; the temporary files are deleted")


# --dry-run belongs to the reviewing commands' shared options; a page has nothing to dry-run (it is refused).
for _param in serve.params:
    if _param.name == "dry_run" and isinstance(_param, click.Option):
        _param.hidden = True
