"""What the page template is given: plain values from the session, its rounds and their reviews.

The feedback on one document is the HTML review the ``html`` output format writes (the draft with its
highlighted sentences and side notes, the scorecard, what's working, the suggested rewrite); the page frames
that file as it is. This module only lists what surrounds it: downloads, which engine judged, a round's
comparison counts, documents that could not be reviewed, and the application-level checks of several
documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..document import DocKind
from ..findings import Verdict
from ..ingest import SUPPORTED_SUFFIXES
from .present import error_line, judged_by
from .staging import KIND_LABELS, MAX_DOCUMENTS, MAX_FILE_BYTES, PASTED

if TYPE_CHECKING:
    from ..findings import ApplicationReview, Review
    from .rounds import WebConfig
    from .session import Round, Session, SessionStore

VERDICTS = {Verdict.FAIL: ("\u2717", "FAIL"), Verdict.WARN: ("!", "WARN"), Verdict.PASS: ("\u2713", "PASS"),
            Verdict.NOT_APPLICABLE: ("\u2013", "n/a")}
# Friendlier names for the formats an applicant knows; any other registered format goes by its registry label.
FORMAT_LABELS = {"docx": "Word (annotated DOCX)", "html": "Web page (HTML)", "md": "Markdown", "json": "JSON"}
ENGINE_LABELS = {"rules": "Rules only (offline)", "hybrid": "Hybrid: rules + model", "llm": "Model (llm)"}


def verdict(v: Verdict) -> dict[str, str]:
    symbol, word = VERDICTS[v]
    return {"class": v.value, "symbol": symbol, "word": word}


def downloads(rnd: Round, files: dict[str, str]) -> list[dict[str, str]]:
    """Download links for a document's feedback files: the annotated DOCX first, then in the registry's order."""
    from ..render.registry import output_format

    order = sorted(files, key=lambda f: (f != "docx", list(files).index(f)))
    return [{"label": FORMAT_LABELS.get(f) or output_format(f).label, "format": f, "name": files[f],
             "url": f"/download/{rnd.number}/{quote(files[f])}"} for f in order]


def document_view(rnd: Round, review: Review, name: str) -> dict[str, Any]:
    from ..revision import counts

    files = rnd.downloads.get(name, {})
    revised = rnd.number > 1 and name in rnd.revised
    return {
        "name": name,
        "shown": rnd.shown.get(name, name),
        "kind": KIND_LABELS[review.document.kind],
        "judged_by": judged_by(review),
        "downloads": downloads(rnd, files),
        "page": f"/view/{rnd.number}/{quote(files['html'])}" if "html" in files else None,
        "revision": ({**counts(review.revision), "previous": review.revision.previous_round}
                     if revised and review.revision is not None else None),
        "identical": revised and rnd.previous.get(name) == review.document.sha256,
        "first": revised and name not in rnd.previous,  # it could not be reviewed in the previous round
        "added": name in rnd.added,
        "unchanged": rnd.number > 1 and not revised and name not in rnd.added,
        "open": sum(1 for c in review.criteria if c.verdict in (Verdict.FAIL, Verdict.WARN)),
    }


def application_view(rnd: Round, app: ApplicationReview) -> dict[str, Any]:
    titles = {c.id: c.title or c.id for c in app.criteria}
    return {
        "criteria": [{"verdict": verdict(c.verdict), "title": c.title or c.id, "message": c.message}
                     for c in app.criteria if c.verdict is not Verdict.NOT_APPLICABLE],
        "not_applicable": sum(1 for c in app.criteria if c.verdict is Verdict.NOT_APPLICABLE),
        "findings": [{"verdict": verdict(f.verdict), "title": titles.get(f.criterion, f.criterion),
                      "message": f.message, "quote": f.quote, "document": Path(f.document).name if f.document else ""}
                     for f in app.findings if f.verdict in (Verdict.FAIL, Verdict.WARN)],
        "downloads": downloads(rnd, rnd.downloads.get("", {})),
    }


def round_view(rnd: Round) -> dict[str, Any]:
    result = rnd.result
    assert result is not None and result.application is not None
    order = {name: i for i, name in enumerate(rnd.kinds)}  # as the applicant added them
    reviewed = sorted(result.reviewed, key=lambda r: order.get(r.source.name, len(order)))
    docs = [document_view(rnd, r.review, r.source.name) for r in reviewed]
    engines = list(dict.fromkeys(d["judged_by"] for d in docs))
    return {
        "number": rnd.number,
        "engines": engines or [rnd.engine],
        "documents": docs,
        "failures": [error_line(f.error) for f in result.failures],
        "application": application_view(rnd, result.application) if len(result.files) > 1 else None,
        "problems": list(rnd.problems),
        "saved_to": str(rnd.saved_to) if rnd.saved_to else "",
        "revisable": [{"index": i, "name": n, "shown": rnd.shown.get(n, n)} for i, n in enumerate(rnd.kinds)],
        "changes": sum(1 for d in docs if d["revision"]),
    }


def page_context(session: Session, config: WebConfig, store: SessionStore, number: str) -> dict[str, Any]:
    """Everything the page template shows for ``session`` (``number``: the round asked for, default the
    latest)."""
    from .present import engine_label

    rounds = [r for r in session.rounds if r.result is not None]
    chosen = next((r for r in rounds if str(r.number) == number), rounds[-1] if rounds else None)
    options = session.options
    settings = config.settings
    return {
        "csrf": session.csrf,
        "flash": session.take_flash(),
        "staged": [{"id": s.id, "name": s.name, "shown": s.shown, "pasted": s.shown == PASTED,
                    "kind": s.kind.value if s.kind else ""} for s in session.staged],
        "kinds": [(k.value, KIND_LABELS[k]) for k in DocKind],
        "engines": [(e, ENGINE_LABELS[e]) for e in config.engines],
        "engine": options.get("engine") or settings.engine,
        "engine_label": engine_label(settings),
        "model": settings.model or "",
        "target": options.get("target") or settings.target,
        "applicant": options.get("applicant", ""),
        "out": options.get("out") or (str(config.out) if config.out else ""),
        "choose_out": config.choose_out,
        "max_documents": MAX_DOCUMENTS,
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "idle_minutes": max(1, round(store.idle_timeout / 60)),
        "accept": ",".join(sorted(SUPPORTED_SUFFIXES)),  # what ingest reads, as the file chooser filters it
        "job": session.job.snapshot() if session.job is not None and session.job.state == "running" else None,
        "rounds": [r.number for r in rounds],
        "round": round_view(chosen) if chosen is not None else None,
        "latest": rounds[-1].number if rounds else None,
    }


__all__ = ["page_context", "round_view", "verdict"]
