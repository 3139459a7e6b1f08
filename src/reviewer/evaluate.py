"""Agreement with labelled drafts: how far to trust each criterion's verdict, per engine.

A *case* is one YAML file: a draft (or an applicant folder of drafts) and, for each criterion, the verdict a
careful human reviewer gives, as one of three classes (``pass``; ``flag``, meaning warn or fail; and
``not_applicable``), ``either`` (pass or flag would both be right) or a list of acceptable classes::

    id: ps-017
    kind: personal_statement          # or: type: application, with documents: [{name, kind, text}, ...]
    target: kaiser
    text: |
      ...
    labels: {score.excuse: flag, score.pivot: either, ...}

Cases are reviewed through the one folder review every command uses (:func:`reviewer.pipeline.review_folder`):
each case becomes an applicant folder in a scratch directory (its documents and an ``application.yaml``
naming their kinds and the target), so the verdicts are exactly what ``reviewer review`` gives for the same
text. This module owns loading cases, materialising them and scoring verdicts against labels; it prints
nothing (``cli_eval`` does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .document import DocKind
from .errors import ConfigError
from .findings import Verdict

if TYPE_CHECKING:
    from .pipeline import Engine, FolderResult
    from .rubric import RubricSet
    from .settings import Settings

CLASSES = ("pass", "flag", "not_applicable")
EVAL_SCHEMA = "reviewer.eval/1"
# The criteria whose not_applicable means "no setback to explain": a draft labelled as explaining a setback
# that gets n/a on any of them was left unjudged (the worst miss there is: the applicant hears nothing).
SETBACK_CRITERIA = ("score.what_changed", "score.evidence")


def verdict_class(verdict: Verdict | None) -> str:
    """``pass`` / ``flag`` (warn or fail) / ``not_applicable``; ``missing`` when the criterion was not judged."""
    if verdict is None:
        return "missing"
    if verdict in (Verdict.WARN, Verdict.FAIL):
        return "flag"
    return verdict.value


class CaseDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(txt|md)$")
    kind: DocKind
    text: str = Field(min_length=1)


class Case(BaseModel):
    """One labelled case: a single draft, or an applicant folder (``type: application``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
    type: Literal["document", "application"] = "document"
    kind: DocKind | None = None
    format: Literal["txt", "md"] = "txt"
    target: Literal["kaiser", "other"] = "kaiser"
    probes: list[str] = []
    batch: int | None = Field(default=None, ge=1)  # the writing round (a later round was written after tuning)
    text: str | None = None
    documents: list[CaseDocument] = []
    labels: dict[str, frozenset[str]]
    why: dict[str, str] = {}

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, frozenset[str]] = {}
        for key, label in value.items():
            items = ["pass", "flag"] if label == "either" else label if isinstance(label, list) else [label]
            bad = [x for x in items if x not in CLASSES]
            if bad or not items:
                raise ValueError(f"{key}: label must be one of pass, flag, not_applicable, either, or a list")
            out[str(key)] = frozenset(items)
        return out

    def files(self) -> list[CaseDocument]:
        """The documents this case puts in its applicant folder."""
        if self.type == "application":
            if not self.documents:
                raise ValueError("an application case needs documents")
            return self.documents
        if self.kind is None or not self.text:
            raise ValueError("a document case needs kind and text")
        return [CaseDocument(name=f"{self.kind.value}.{self.format}", kind=self.kind, text=self.text)]


def load_case(path: Path) -> Case:
    from ruamel.yaml.error import YAMLError

    from .yamlio import load_safe

    try:
        data = load_safe(path.read_text(encoding="utf-8"))
        case = Case.model_validate(data)
        case.files()
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read the case: {exc}", path=path,
                          hint="cases are YAML files (see reviewer eval --help)") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{where}: {err['msg']}", path=path,
                          hint="see reviewer eval --help for the case format") from None
    except ValueError as exc:
        raise ConfigError(str(exc), path=path, hint="see reviewer eval --help for the case format") from None
    return case


def case_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml`` case under the given files and folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.yaml") if q.is_file() and not q.is_symlink()))
        elif p.is_file():
            out.append(p)
        else:
            raise ConfigError("no such case file or folder", path=p, hint="give YAML case files or folders of them")
    return out


def load_cases(paths: Iterable[Path]) -> list[Case]:
    cases = [load_case(p) for p in case_files(paths)]
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise ConfigError(f"duplicate case id '{c.id}'", path="cases", hint="every case needs its own id")
        seen.add(c.id)
    if not cases:
        raise ConfigError("no cases found", path="cases", hint="give YAML case files or folders of them")
    return cases


def default_cases() -> Path:
    """The labelled development set shipped with the package."""
    return Path(__file__).parent / "evalset" / "dev"


def materialise(case: Case, root: Path) -> Path:
    """Write the case as an applicant folder under ``root`` and return the folder."""
    from .fsio import atomic_write_text

    folder = root / case.id
    folder.mkdir(parents=True, exist_ok=True)
    docs = case.files()
    lines = [f"target: {case.target}", "documents:"] + [f"  {d.name}: {d.kind.value}" for d in docs]
    atomic_write_text(folder / "application.yaml", "\n".join(lines) + "\n")
    for d in docs:
        atomic_write_text(folder / d.name, d.text)
    return folder


# --- scoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    case: str
    criterion: str
    labels: frozenset[str]
    got: str
    message: str = ""

    @property
    def agrees(self) -> bool:
        return self.got in self.labels


@dataclass
class Usage:
    api_calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    fallbacks: int = 0


@dataclass
class EvalResult:
    engine: str
    cases: int = 0
    judged: list[Judged] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unjudged_setbacks: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def criteria(self) -> list[str]:
        return sorted({j.criterion for j in self.judged})

    def of(self, criterion: str) -> list[Judged]:
        return [j for j in self.judged if j.criterion == criterion]

    @staticmethod
    def rate(items: Sequence[Judged]) -> float:
        return sum(j.agrees for j in items) / len(items) if items else 1.0

    @property
    def overall(self) -> float:
        return self.rate(self.judged)

    def confusion(self, criterion: str) -> Counter[tuple[str, str]]:
        """(label, got) counts; a multi-class label shows as its classes joined by ``|``."""
        return Counter(("|".join(sorted(j.labels)), j.got) for j in self.of(criterion))

    @property
    def misses(self) -> list[Judged]:
        return [j for j in self.judged if not j.agrees]

    def to_json(self) -> dict[str, Any]:
        per = {}
        for c in self.criteria():
            items = self.of(c)
            per[c] = {"labels": len(items), "agree": sum(j.agrees for j in items), "rate": round(self.rate(items), 4),
                      "confusion": [{"label": lab, "got": got, "count": n}
                                    for (lab, got), n in sorted(self.confusion(c).items())]}
        return {
            "schema": EVAL_SCHEMA, "engine": self.engine, "cases": self.cases, "labels": len(self.judged),
            "agree": sum(j.agrees for j in self.judged), "rate": round(self.overall, 4), "criteria": per,
            "unjudged_setbacks": self.unjudged_setbacks, "failures": self.failures,
            "misses": [{"case": j.case, "criterion": j.criterion, "label": sorted(j.labels), "got": j.got,
                        "message": j.message} for j in self.misses],
            "usage": vars(self.usage),
        }


def score_case(case: Case, result: FolderResult, selected: set[str] | None = None) -> tuple[list[Judged], bool]:
    """Compare one reviewed case with its labels (those of ``selected`` criteria, when given); the flag says a
    labelled setback was left unjudged."""
    got: dict[str, tuple[Verdict, str]] = {}
    if case.type == "application":
        if result.application is not None:
            got = {c.id: (c.verdict, c.message) for c in result.application.criteria}
    elif result.reviewed:
        got = {c.id: (c.verdict, c.message) for c in result.reviewed[0].review.criteria}
    judged = []
    for criterion, labels in sorted(case.labels.items()):
        if selected is not None and criterion not in selected:
            continue
        verdict, message = got.get(criterion, (None, ""))
        judged.append(Judged(case.id, criterion, labels, verdict_class(verdict), message))
    setback = any("not_applicable" not in case.labels.get(c, frozenset({"not_applicable"})) for c in SETBACK_CRITERIA)
    unjudged = setback and any(verdict_class(got.get(c, (None, ""))[0]) in ("not_applicable", "missing")
                               for c in SETBACK_CRITERIA if c in case.labels and (selected is None or c in selected))
    return judged, unjudged


def _add_usage(usage: Usage, result: FolderResult) -> None:
    for item in result.reviewed:
        report = item.review.llm
        if report is None:
            continue
        usage.api_calls += report.api_calls
        usage.cached_calls += report.cached_calls
        usage.prompt_tokens += report.prompt_tokens
        usage.completion_tokens += report.completion_tokens
        usage.fallbacks += sum(1 for c in report.calls if c.status == "fallback")
        if report.cost_usd is not None:
            usage.cost_usd = (usage.cost_usd or 0.0) + report.cost_usd


def _merge_usage(total: Usage, part: Usage) -> None:
    for name in ("api_calls", "cached_calls", "prompt_tokens", "completion_tokens", "fallbacks"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    if part.cost_usd is not None:
        total.cost_usd = (total.cost_usd or 0.0) + part.cost_usd


@dataclass(frozen=True)
class _Outcome:
    """One case reviewed and scored (what a worker process sends back)."""

    judged: list[Judged]
    unjudged: bool
    failures: list[str]
    usage: Usage
    imported: dict[str, int] = field(default_factory=dict)  # ImportStats counts this case added


def _judge_case(case: Case, rubrics: RubricSet, settings: Settings, engine: Engine, workdir: Path,
                selected: set[str]) -> _Outcome:
    from .pipeline import review_folder

    folder = materialise(case, workdir)
    reviewed = review_folder(folder, rubrics, settings, engine=engine)
    judged, unjudged = score_case(case, reviewed, selected)
    usage = Usage()
    _add_usage(usage, reviewed)
    return _Outcome(judged, unjudged, [f"{case.id}: {f.error}" for f in reviewed.failures], usage)


_WORKER: dict[str, Any] = {}


def _init_worker(rubrics: RubricSet, settings: Settings, workdir: Path, results: Path | None,
                 selected: set[str]) -> None:
    """Process-pool initializer: the rubrics and settings arrive once per worker; a results file is opened
    once per worker (the judge holds an open file, which cannot travel to another process)."""
    import signal

    from .pipeline import RULES

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the evaluation in the parent
    engine = RULES
    if results is not None:
        from .batchfile import results_engine

        engine = results_engine(results, settings)
    _WORKER.update(rubrics=rubrics, settings=settings, engine=engine, workdir=workdir, selected=selected)


def _worker_case(case: Case) -> _Outcome:
    from .batchfile import ResultsJudge

    judge = _WORKER["engine"].judge
    before = dict(vars(judge.stats)) if isinstance(judge, ResultsJudge) else {}
    outcome = _judge_case(case, _WORKER["rubrics"], _WORKER["settings"], _WORKER["engine"], _WORKER["workdir"],
                          _WORKER["selected"])
    if isinstance(judge, ResultsJudge):
        outcome.imported.update({k: v - before[k] for k, v in vars(judge.stats).items() if k in _ANSWER_COUNTS})
    return outcome


_ANSWER_COUNTS = ("answered", "failed", "missing", "stale")  # the ImportStats counts that grow per request


def _outcomes(cases: Sequence[Case], rubrics: RubricSet, settings: Settings, engine: Engine, workdir: Path,
              selected: set[str], jobs: int) -> Iterator[_Outcome]:
    """Each case's outcome, in case order: one at a time, or ``jobs`` side by side."""
    from .batchfile import ResultsJudge

    if jobs <= 1 or len(cases) < 2 or (engine.judge is None and engine.config is not None):
        # (a model engine with no judge, as in a dry run, counts its calls here: one at a time)
        for case in cases:
            yield _judge_case(case, rubrics, settings, engine, workdir, selected)
        return
    imported = engine.judge if isinstance(engine.judge, ResultsJudge) else None
    if engine.config is None or imported is not None:
        # Rules work is CPU: one process per job. A results file is read by each worker on its own.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["reviewer.pipeline"])
        results = imported.path if imported is not None else None
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                 initargs=(rubrics, settings, workdir, results, selected)) as pool:
            for outcome in pool.map(_worker_case, cases, chunksize=max(1, min(16, len(cases) // (4 * jobs)))):
                if imported is not None:
                    for name, count in outcome.imported.items():
                        setattr(imported.stats, name, getattr(imported.stats, name) + count)
                yield outcome
        return
    # A live model: calls are I/O, so cases run on threads, with as many calls in flight as a batch keeps.
    from concurrent.futures import ThreadPoolExecutor

    from .cohort.runner import llm_concurrency
    from .llm import BoundedJudge
    from .pipeline import Engine

    assert engine.judge is not None
    limit = llm_concurrency(settings)
    bounded = Engine(engine.name, engine.config, BoundedJudge(engine.judge, limit), engine.memory)
    with ThreadPoolExecutor(max_workers=2 * limit) as pool:
        yield from pool.map(lambda case: _judge_case(case, rubrics, settings, bounded, workdir, selected), cases)


def evaluate(cases: Sequence[Case], rubrics: RubricSet, settings: Settings, engine: Engine, *,
             workdir: Path, jobs: int = 1) -> EvalResult:
    """Review every case (materialised under ``workdir``) and score its verdicts against its labels.

    ``jobs`` > 1 reviews cases side by side: with the rules engine, or with a model's answers imported from
    a results file, in that many worker processes; with a live model, on threads with the model calls in flight
    that ``reviewer batch`` keeps (``llm_concurrency``). The result is the same as one at a time, in case
    order."""
    result = EvalResult(engine=engine.name, cases=len(cases))
    selected = {c.id for r in rubrics.rubrics for c in r.criteria}
    for case, outcome in zip(cases, _outcomes(cases, rubrics, settings, engine, workdir, selected, jobs),
                             strict=True):
        result.failures.extend(outcome.failures)
        result.judged.extend(outcome.judged)
        if outcome.unjudged:
            result.unjudged_setbacks.append(case.id)
        _merge_usage(result.usage, outcome.usage)
    return result


__all__ = [
    "CLASSES",
    "EVAL_SCHEMA",
    "Case",
    "EvalResult",
    "Judged",
    "case_files",
    "default_cases",
    "evaluate",
    "load_case",
    "load_cases",
    "materialise",
    "score_case",
    "verdict_class",
]
