"""The Starlette app: one page, the form posts it makes, downloads, and the review pages it frames.

Routes (every POST carries the session's CSRF token and answers with a redirect back to the page, the
post-redirect-get pattern, so a reload never re-sends a form):

====================  =====================================================================================
``GET /``             the page: documents to review, the running review's progress, a round's feedback
``POST /upload``      files chosen or dropped, checked at once (:mod:`.staging`)
``POST /paste``       a pasted draft
``POST /review``      the kinds and settings chosen; starts a round (:mod:`.rounds`)
``POST /remove``      one document off the list
``POST /revise``      revised drafts; starts the next round, compared with the previous one
``POST /reset``       delete the session's files now and start again
``GET /progress``     the running review as JSON (the page's script polls it)
``GET /download/..``  a feedback file of a round (DOCX, JSON, Markdown, HTML)
``GET /view/..``      a document's HTML review, framed by the page
====================  =====================================================================================

Every error is one line, as the CLI prints it: a refused upload or review on the page, anything else on a
small error page; never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import InputError, ReviewerError
from .present import error_line
from .rounds import WebConfig, parse_options, revision_round, staged_round, start
from .security import CSP, Guard, same_origin, token_ok
from .session import Session, SessionStore, Sweeper
from .staging import (
    MAX_DOCUMENTS,
    MAX_PASTE_BYTES,
    MAX_REQUEST_BYTES,
    PASTED,
    check_room,
    set_kind,
    stage_file,
    stage_text,
    unstage,
)
from .view import page_context

COOKIE = "reviewer_session"
HERE = Path(__file__).resolve().parent
STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8", "icon.svg": "image/svg+xml"}


@functools.lru_cache(maxsize=1)
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(name).render(**context), status_code=status)


def error_page(line: str, status: int) -> HTMLResponse:
    return render("error.html.j2", status, line=line)


# --- sessions -------------------------------------------------------------------------------------------


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.store
    return store


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def _session(request: Request) -> tuple[Session, bool]:
    """The request's session, or a new one (True) when it has none or it expired."""
    store = _store(request)
    session = store.get(request.cookies.get(COOKIE))
    if session is not None:
        return session, False
    return store.create(), True


def _with_cookie(response: Response, session: Session, new: bool) -> Response:
    if new:
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", path="/")
    return response


def _back(session: Session, new: bool, anchor: str = "") -> Response:
    return _with_cookie(RedirectResponse(f"/{anchor}", status_code=303), session, new)


async def _form(request: Request, session: Session | None, *, limit: int) -> FormData | Response:
    """The POST's form, once its size, origin, session and CSRF token are checked; else the response that refuses
    it. A post without a live session makes none (its token could not match anyway)."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return error_page("error: the upload did not say how large it is (send it from the page)", 411)
    if int(length) > limit:
        mb = 1024 * 1024
        return error_page(f"error: upload too large: {int(length) / mb:.1f} MB, limit {limit / mb:.1f} MB "
                          f"(at most {MAX_DOCUMENTS} documents of {MAX_REQUEST_BYTES // MAX_DOCUMENTS // mb} MB)",
                          413)
    if not same_origin(request.headers):
        return error_page("error: this form was sent from another site (open the page yourself)", 403)
    try:  # the parser's own limits are looser than the page's, which say more (staging.check_room)
        form = await request.form(max_files=2 * MAX_DOCUMENTS, max_fields=4 * MAX_DOCUMENTS + 20,
                                  max_part_size=MAX_PASTE_BYTES)
    except (MultiPartException, HTTPException) as exc:
        reason = exc.message if isinstance(exc, MultiPartException) else exc.detail
        line = f"error: the upload was refused: {reason} (at most {MAX_DOCUMENTS} documents, or a shorter text)"
        return _refuse(session, line) if session is not None else error_page(line, 400)
    if session is None:  # expired (its files are gone) or never opened
        return error_page("error: your session expired and its files were deleted (start again)", 403)
    if not token_ok(session.csrf, form.get("csrf")):
        return error_page("error: this form is out of date (reload the page and try again)", 403)
    return form


def _refuse(session: Session, line: str, anchor: str = "") -> Response:
    with session.lock:
        session.flash.append(line)
    return _back(session, False, anchor)


Action = Callable[[Session, FormData, WebConfig], str]


async def _post(request: Request, action: Action, *, limit: int) -> Response:
    """A form post: checked (:func:`_form`), then ``action`` on a worker thread under the session's lock; it
    returns where the page should scroll to. Its :class:`~reviewer.errors.ReviewerError` becomes the page's one
    error line."""
    session = _store(request).get(request.cookies.get(COOKIE))
    form = await _form(request, session, limit=limit)
    if isinstance(form, Response):
        return form
    assert session is not None
    anchor = await run_in_threadpool(_locked, session, form, _config(request), action)
    return _back(session, False, anchor)


def _locked(session: Session, form: FormData, config: WebConfig, action: Action) -> str:
    with session.lock:
        if session.busy:
            session.flash.append("error: a review is still running (wait until it finishes)")
            return "#progress"
        try:
            return action(session, form, config)
        except ReviewerError as exc:
            session.flash.append(error_line(exc, session.folder))
            return "#documents" if not session.rounds else "#result"


# --- routes ---------------------------------------------------------------------------------------------


async def page(request: Request) -> Response:
    session, new = _session(request)
    number = request.query_params.get("round", "")
    context = page_context(session, _config(request), _store(request), number)
    return _with_cookie(render("page.html.j2", **context), session, new)


def _upload(session: Session, form: FormData, config: WebConfig) -> str:
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise InputError("no file was chosen", hint="choose a file, or drop it on the page")
    check_room(session, len(files))
    for f in files:
        try:
            stage_file(session, f.filename or "document", f.file)
        except ReviewerError as exc:  # one bad file does not cost the others their place
            session.flash.append(error_line(exc, session.folder))
    return "#documents"


def _paste(session: Session, form: FormData, config: WebConfig) -> str:
    stage_text(session, _text(form, "text"), _text(form, "kind"))
    return "#documents"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _save_kinds(session: Session, form: FormData) -> None:
    for s in session.staged:
        value = form.get(f"kind-{s.id}")
        if isinstance(value, str):
            set_kind(s, value)


def _review(session: Session, form: FormData, config: WebConfig) -> str:
    _save_kinds(session, form)
    session.options = {k: _text(form, k) for k in ("target", "engine", "applicant", "out")}
    options = parse_options(config, session.options)
    rnd, priors = staged_round(session, config, options)
    start(session, config, rnd, priors, options)
    return "#progress"


def _remove(session: Session, form: FormData, config: WebConfig) -> str:
    unstage(session, _text(form, "remove"))
    _save_kinds(session, form)
    return "#documents"


def _revise(session: Session, form: FormData, config: WebConfig) -> str:
    latest = session.rounds[-1] if session.rounds else None
    names = list(latest.kinds) if latest is not None else []  # the page's order (revisable in view.round_view)
    revised: dict[str, tuple[str, bytes, str]] = {}
    for i, name in enumerate(names):
        upload = form.get(f"revised-{i}")
        if isinstance(upload, UploadFile) and upload.filename:
            filename = _base_name(upload.filename)
            revised[name] = (filename, upload.file.read(MAX_REQUEST_BYTES), filename)
        text = _text(form, f"revised-text-{i}").strip()
        if text and name not in revised:
            revised[name] = (f"{Path(name).stem}.txt", text.replace("\r\n", "\n").encode("utf-8"), PASTED)
    options = parse_options(config, session.options)
    rnd, priors = revision_round(session, config, options, revised)
    start(session, config, rnd, priors, options)
    return "#progress"


async def upload(request: Request) -> Response:
    return await _post(request, _upload, limit=MAX_REQUEST_BYTES)


async def paste(request: Request) -> Response:
    return await _post(request, _paste, limit=MAX_PASTE_BYTES + 64 * 1024)


async def review(request: Request) -> Response:
    return await _post(request, _review, limit=64 * 1024)


async def remove(request: Request) -> Response:
    return await _post(request, _remove, limit=64 * 1024)


async def revise(request: Request) -> Response:
    return await _post(request, _revise, limit=MAX_REQUEST_BYTES)


def _base_name(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or "document"


async def reset(request: Request) -> Response:
    store = _store(request)
    session = store.get(request.cookies.get(COOKIE))
    form = await _form(request, session, limit=64 * 1024)
    if isinstance(form, Response):
        return form
    assert session is not None
    store.remove(session)
    fresh = store.create()
    return _back(fresh, True)


async def progress(request: Request) -> Response:
    session = _store(request).get(request.cookies.get(COOKIE))
    if session is None or session.job is None:
        return JSONResponse({"state": "none"})
    return JSONResponse(session.job.snapshot())


def _round_file(request: Request) -> tuple[Session, Path, str]:
    """The feedback file a download or view names, if this session's round wrote it (else 404)."""
    session = _store(request).get(request.cookies.get(COOKIE))
    number = int(request.path_params["number"])
    name = str(request.path_params["name"])
    rnd = session.round(number) if session is not None else None
    if session is None or rnd is None or not any(name in files.values() for files in rnd.downloads.values()):
        raise HTTPException(404, f"{name}: no such feedback file in this session (it may have expired)")
    return session, rnd.feedback / name, name


async def download(request: Request) -> Response:
    _, path, name = _round_file(request)
    return FileResponse(path, filename=name, content_disposition_type="attachment")


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _style_hashes(html: str) -> str:
    from ..render.templating import csp_hash

    return " ".join(csp_hash(m) for m in _STYLE.findall(html))


async def view(request: Request) -> Response:
    """A document's HTML review as the renderer wrote it, for the page's frame: no script, only its own style."""
    _, path, name = _round_file(request)
    if not name.endswith(".html"):
        raise HTTPException(404, f"{name}: not a page")
    html = path.read_text(encoding="utf-8")
    csp = (f"default-src 'none'; style-src {_style_hashes(html) or chr(39) + 'none' + chr(39)}; img-src data:; "
           "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
    return HTMLResponse(html, headers={"content-security-policy": csp, "x-frame-options": "SAMEORIGIN"})


async def static(request: Request) -> Response:
    name = str(request.path_params["name"])
    if name not in STATIC:
        raise HTTPException(404, f"{name}: not found")
    return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name],
                    headers={"cache-control": "no-cache"})


# --- errors ---------------------------------------------------------------------------------------------


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if exc.status_code == 405:
        detail = f"{request.method} {request.url.path}: not allowed here (use the page's buttons)"
    elif exc.status_code == 404 and detail == "Not Found":
        detail = f"{request.url.path}: no such page (open the address reviewer serve printed)"
    return error_page(error_line(str(detail)), exc.status_code)


async def internal_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: one line naming the error, never a traceback (the terminal keeps the details)."""
    return error_page(error_line(exc), 500)


async def input_error(request: Request, exc: Exception) -> Response:
    return error_page(error_line(exc), 400)


# --- the app --------------------------------------------------------------------------------------------


def create_app(config: WebConfig, *, hosts: frozenset[str], store: SessionStore | None = None,
               sweep_every: float | None = None) -> Starlette:
    """The web app over ``config``. ``hosts``: the Host header values it answers (see
    :func:`.security.loopback_hosts`). Sessions idle past ``store.idle_timeout`` are swept every ``sweep_every``
    seconds (default: a sixth of the timeout, at most a minute); the store's files go when the app stops."""
    store = store if store is not None else SessionStore()
    every = sweep_every if sweep_every is not None else max(0.5, min(60.0, store.idle_timeout / 6))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sweeper = Sweeper(store, every)
        sweeper.start()
        try:
            yield
        finally:
            sweeper.stop()
            store.close()

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/paste", paste, methods=["POST"]),
        Route("/review", review, methods=["POST"]),
        Route("/remove", remove, methods=["POST"]),
        Route("/revise", revise, methods=["POST"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/progress", progress, methods=["GET"]),
        Route("/download/{number:int}/{name:str}", download, methods=["GET"]),
        Route("/view/{number:int}/{name:str}", view, methods=["GET"]),
        Route("/static/{name:str}", static, methods=["GET"]),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/icon.svg", status_code=301), methods=["GET"]),
    ]
    handlers: Mapping[Any, Any] = {HTTPException: http_error, InputError: input_error, Exception: internal_error}
    app = Starlette(routes=routes, middleware=[Middleware(Guard, hosts=hosts)], exception_handlers=handlers,
                    lifespan=lifespan)
    app.state.store = store
    app.state.config = config
    return app


__all__ = ["COOKIE", "CSP", "create_app"]
