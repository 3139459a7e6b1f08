"""Batch files for scale: a cohort's model calls as an OpenAI Batch API JSONL file, and its results read back.

``export_requests`` plans the cohort exactly as a live batch does (:func:`reviewer.cohort.plan_batch`:
unchanged documents are skipped, judgments already in the model cache are skipped) and writes one line
per (applicant, document, rubric)::

    {"custom_id": "rv1-<request key>-<content key>", "method": "POST", "url": "/v1/chat/completions",
     "body": <the chat-completions body of the live call>}

Every request comes from the engine's one request builder (:mod:`reviewer.llm.request`): the same prompt
(target program, located score discussion, ``--redact`` placeholders with the applicant's name from
``application.yaml``), token limit, structured-output method and answer schema (strict for OpenAI), and the
same cache key, so the body equals what a live call sends. The system message spells out the answer's JSON
with the request's criterion ids, so whoever answers one line (a Batch API, ``vllm run-batch`` or a person)
knows exactly what to return.

The ``custom_id`` (41 characters; OpenAI-compatible batch services cap it at 64) holds no names: the
*request key* hashes (applicant, document, judged criteria), the *content key* is the request's identity
(everything asked, without the random boundary marker). A sidecar ``<file>.ids.csv`` maps every id back to
applicant, document, rubric and text digest for people.

``ResultsJudge`` answers the engine's requests from a results file (OpenAI Batch API output or
``vllm run-batch`` output: ``{"custom_id", "response": {"status_code", "body": <chat.completion>},
"error"}``) by that identity, so the normal batch (:func:`reviewer.cohort.run_batch` with ``judge=``) does
validation, grounding, verdicts, the store and the reports exactly as for live calls. A missing, failed or
malformed result makes :func:`reviewer.llm.engine.review_llm` fall back to the rules for that rubric with
a note; so does a result for an earlier version of the document (its identity no longer matches: the old
answer is never applied to new text). Invalid answers are not repaired (there is nobody to re-ask).

The results file is indexed by byte offset, and lines are read on demand, so memory stays small whatever
the cohort size.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cohort import plan_batch
from .cohort.worker import CURRENT_DOCUMENT
from .errors import ConfigError, InputError, ReviewerError
from .fsio import atomic_save, atomic_write_text
from .kinds import load_manifest, resolve_kind
from .settings import Settings

if TYPE_CHECKING:
    from .llm.judge import JudgeRequest, JudgeResponse
    from .pipeline import Engine

ID_PREFIX = "rv1"
CHAT_URL = "/v1/chat/completions"
MAX_CUSTOM_ID = 64


def _h(*parts: str, n: int) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:n]


def request_key(applicant: str, document: str, criterion_ids: Sequence[str]) -> str:
    """Which call this is: the applicant, the document and the judged criteria (one rubric's)."""
    return _h(applicant, document, *criterion_ids, n=20)


def content_key(identity: str) -> str:
    """What is judged: the request's identity (:func:`reviewer.llm.request.request_identity`), shortened."""
    return identity[:16]


def custom_id(applicant: str, document: str, criterion_ids: Sequence[str], identity: str) -> str:
    cid = f"{ID_PREFIX}-{request_key(applicant, document, criterion_ids)}-{content_key(identity)}"
    assert len(cid) <= MAX_CUSTOM_ID
    return cid


def parse_custom_id(value: str) -> tuple[str, str] | None:
    """(request key, content key) of one of our ids; None for anything else."""
    parts = value.split("-")
    if len(parts) != 3 or parts[0] != ID_PREFIX or len(parts[1]) != 20 or len(parts[2]) != 16:
        return None
    return parts[1], parts[2]


# --- export --------------------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    path: Path
    requests: int = 0
    documents: int = 0
    cached: int = 0  # calls answered by the model cache: not exported
    unchanged: int = 0  # documents unchanged since their last round: not exported
    prompt_tokens: int = 0  # estimated (characters / 4)
    max_output_tokens: int = 0
    method: str = "json_schema"
    errors: list[tuple[str, str]] = field(default_factory=list)  # (applicant/document, error)

    @property
    def ids_path(self) -> Path:
        return ids_path(self.path)


def ids_path(requests: Path) -> Path:
    return requests.with_name(requests.name + ".ids.csv")


def export_requests(cohort: Path, path: Path, settings: Settings, *, target: str | None = None,
                    retry_fallbacks: bool = False) -> ExportSummary:
    """Write the cohort's pending model calls to ``path`` (JSONL, atomically); send nothing.

    Needs a model engine (``settings.engine`` llm or hybrid) and a model. Documents that cannot be read are
    listed in ``errors`` (a live batch would list them as failures)."""
    from .ingest import load_document
    from .llm import MethodMemory
    from .llm.cache import JudgmentCache
    from .llm.request import chat_body, is_openai, judge_request, plan_requests
    from .pipeline import applicant_names, chosen_target, llm_config, selected_rubrics

    if settings.engine == "rules":
        raise ConfigError("exporting model calls needs a model engine", path="settings",
                          hint="pass --engine hybrid (or llm) and --model")
    settings = settings.model_copy(update={"dry_run": False})
    config = llm_config(settings)
    rubrics = selected_rubrics(settings)
    cache = JudgmentCache(config.cache_dir) if config.cache_dir else None
    method = config.method or MethodMemory(config.cache_dir).get(config.endpoint, config.model) or "json_schema"
    openai = is_openai(config.endpoint)
    summary = ExportSummary(path, method=method)
    ids = io.StringIO()
    writer = csv.writer(ids)
    writer.writerow(["custom_id", "applicant", "document", "rubric", "criteria", "text_digest"])

    def lines() -> Iterator[str]:
        for applicant, _name, changed, unchanged in plan_batch(cohort, settings.out, settings, target=target,
                                                               retry_fallbacks=retry_fallbacks):
            summary.unchanged += unchanged
            if not changed:
                continue
            folder = cohort / applicant
            try:
                manifest = load_manifest(folder)
            except ReviewerError:
                manifest = None
            chosen = chosen_target(target, manifest, settings)
            names = applicant_names(manifest)
            for plan in changed:
                file = folder / plan.name
                try:
                    doc = load_document(file, resolve_kind(file, None, manifest))
                except ReviewerError as exc:
                    summary.errors.append((f"{applicant}/{plan.name}", str(exc)))
                    continue
                summary.documents += 1
                requests = plan_requests(doc, rubrics, config, mode=settings.engine,  # type: ignore[arg-type]
                                         target=chosen, names=names)
                for call in requests.calls:
                    if cache is not None and cache.get(call.key) is not None:
                        summary.cached += 1
                        continue
                    cid = custom_id(applicant, plan.name, call.criterion_ids, call.identity)
                    body = chat_body(judge_request(call, method), model=config.model,
                                     temperature=config.temperature, openai=openai)
                    writer.writerow([cid, applicant, plan.name, call.rubric.id, " ".join(call.criterion_ids),
                                     doc.text_digest])
                    summary.requests += 1
                    summary.prompt_tokens += call.prompt_tokens
                    summary.max_output_tokens += call.max_tokens
                    yield json.dumps({"custom_id": cid, "method": "POST", "url": CHAT_URL, "body": body},
                                     ensure_ascii=False) + "\n"

    def save(tmp: Path) -> None:  # streamed: a cohort's requests are never all in memory
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(lines())

    atomic_save(path, save)
    atomic_write_text(ids_path(path), ids.getvalue())
    return summary


# --- import --------------------------------------------------------------------------------------------------


@dataclass
class ImportStats:
    """What the results judge was asked and how it answered (for the command's summary line)."""

    lines: int = 0  # result lines read (ours)
    foreign: int = 0  # lines whose custom_id is not one of ours
    answered: int = 0
    failed: int = 0  # the batch service reported an error for the request
    missing: int = 0  # no result for the request
    stale: int = 0  # a result for an earlier version of the document


class ResultsJudge:
    """A :class:`~reviewer.llm.judge.Judge` that answers from a Batch API / ``vllm run-batch`` results file.

    Thread-safe (the batch runner calls it from several threads); reads each result line when asked."""

    def __init__(self, path: Path, *, endpoint: str, model: str) -> None:
        self.path = path
        self.endpoint = endpoint  # the live engine's: judgments land in the same cache entries
        self.model = model
        self.stats = ImportStats()
        self._lock = threading.Lock()
        self._by_content: dict[str, tuple[int, bool]] = {}  # content key -> (offset, ok)
        self._requests: set[str] = set()
        try:
            self._fh = path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read the results file: {exc.strerror}", path=path) from exc
        self._index()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> ResultsJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _index(self) -> None:
        offset = 0
        for raw in self._fh:
            here, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # a torn line: its request is answered as missing
            keys = parse_custom_id(str(line.get("custom_id", ""))) if isinstance(line, dict) else None
            if keys is None:
                self.stats.foreign += 1
                continue
            self.stats.lines += 1
            self._requests.add(keys[0])
            ok = _error_of(line) is None
            known = self._by_content.get(keys[1])
            if known is None or (ok and not known[1]):
                self._by_content[keys[1]] = (here, ok)
        if self.stats.lines == 0:
            raise InputError("no results of reviewer requests in this file", path=self.path,
                             hint="pass the output file of the batch made from `reviewer batch --export-requests`")

    def _line(self, offset: int) -> dict[str, Any]:
        with self._lock:
            self._fh.seek(offset)
            raw = self._fh.readline()
        data = json.loads(raw)
        assert isinstance(data, dict)
        return data

    def _count(self, what: str) -> None:
        with self._lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)

    def judge(self, request: JudgeRequest) -> JudgeResponse:
        from .llm.judge import JudgeFailure
        from .llm.schemas import criterion_ids_of

        if request.purpose == "repair":
            raise JudgeFailure("the batch result was not a valid answer, and a results file cannot be re-asked")
        found = self._by_content.get(content_key(request.identity)) if request.identity else None
        if found is None:
            criterion_ids = criterion_ids_of(request.schema)
            current = CURRENT_DOCUMENT.get()
            if current is not None and request_key(current[0], current[1], criterion_ids) in self._requests:
                self._count("stale")
                raise JudgeFailure("the results file answers an earlier version of this document (it changed "
                                   "since the requests were exported); the old answer was not applied")
            self._count("missing")
            raise JudgeFailure("no result for this request in the results file")
        line = self._line(found[0])
        error = _error_of(line)
        if error is not None:
            self._count("failed")
            raise JudgeFailure(f"the batch request failed: {error}")
        self._count("answered")
        return response_of(line)


def _body(line: dict[str, Any]) -> Any:
    response = line.get("response")
    if not isinstance(response, dict):
        return None
    if "choices" in response:  # some servers put the completion in place of the {status_code, body} envelope
        return response
    return response.get("body")


def _error_of(line: dict[str, Any]) -> str | None:
    """Why a result line holds no answer, or None when it does."""
    error = line.get("error")
    if error:
        if isinstance(error, dict):
            return " ".join(str(error.get(k)) for k in ("code", "message") if error.get(k)) or json.dumps(error)
        return str(error)[:300]
    response = line.get("response")
    if not isinstance(response, dict):
        return "the result holds no response"
    status = response.get("status_code", 200)
    body = _body(line)
    if status != 200:
        message = body.get("error", {}).get("message") if isinstance(body, dict) and isinstance(
            body.get("error"), dict) else None
        return f"HTTP {status}" + (f": {message}" if message else "")
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list) or not body["choices"]:
        return "the response body is not a chat completion"
    return None


def response_of(line: dict[str, Any]) -> JudgeResponse:
    """The :class:`~reviewer.llm.judge.JudgeResponse` of one successful result line: the tool call's
    arguments or the message content, as the live client reads them (validation is the engine's)."""
    from .llm.judge import JudgeResponse, Usage

    body = _body(line)
    assert isinstance(body, dict)
    choice = body["choices"][0] if isinstance(body["choices"][0], dict) else {}
    message = choice.get("message") or {}
    raw = ""
    for call in message.get("tool_calls") or []:
        raw = str(((call or {}).get("function") or {}).get("arguments") or "")
        break
    else:
        content = message.get("content") or ""
        raw = "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content) \
            if isinstance(content, list) else str(content)
    usage = body.get("usage") or {}
    parsed: dict[str, Any] | None = None
    parse_error: str | None = None
    try:
        value = json.loads(raw)
        parsed = value if isinstance(value, dict) else None
    except ValueError as exc:
        parse_error = str(exc)[:300]
    return JudgeResponse(raw_text=raw, parsed=parsed, finish_reason=choice.get("finish_reason"),
                         usage=Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0),
                                     1),
                         parse_error=parse_error)


def results_judge(path: Path, settings: Settings) -> ResultsJudge:
    """The judge for an import: keyed like the live engine (same endpoint and model: same cache entries)."""
    from .pipeline import llm_config

    if settings.engine == "rules":
        raise ConfigError("importing model results needs a model engine", path="settings",
                          hint="pass the --engine and --model used for the export")
    config = llm_config(settings.model_copy(update={"dry_run": False}))
    return ResultsJudge(path, endpoint=config.endpoint, model=config.model)


def results_engine(path: Path, settings: Settings) -> Engine:
    """A model engine whose judge answers from the results file ``path`` (its :func:`results_judge`) instead of
    a server, for reviewing outside a batch (``reviewer eval --import-results``). Close ``engine.judge``."""
    from .llm import MethodMemory
    from .pipeline import Engine, llm_config

    judge = results_judge(path, settings)
    return Engine(settings.engine, llm_config(settings.model_copy(update={"dry_run": False})), judge,
                  MethodMemory(None))


__all__ = [
    "ExportSummary",
    "ImportStats",
    "ResultsJudge",
    "custom_id",
    "export_requests",
    "response_of",
    "results_engine",
    "results_judge",
]
