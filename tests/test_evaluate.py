"""``evaluate`` side by side: worker processes (rules, imported answers) and threads (a live model) give the
verdicts, the unjudged setbacks, the usage and the import counts of a one-at-a-time run, in case order."""

from __future__ import annotations

from pathlib import Path

from reviewer.batchfile import ResultsJudge, results_engine
from reviewer.evaluate import EvalResult, default_cases, evaluate, load_cases
from reviewer.llm.judge import FakeJudge, JudgeFailure
from reviewer.pipeline import RULES, Engine, llm_config
from reviewer.rubric import load_rubrics
from reviewer.settings import resolve_settings

STANDIN = Path(__file__).resolve().parents[1] / "benchmarks" / "judgment" / "standin" / "dev.results.jsonl"


def _cases() -> list:
    """A few of each kind, an applicant folder among them, and a labelled setback the rules leave unjudged."""
    every = load_cases([default_cases()])
    picked = [c for c in every if c.type == "application"][:3]
    for prefix in ("ps-", "ai-", "iv-", "exp-"):
        picked += [c for c in every if c.id.startswith(prefix)][:4]
    return picked


def _same(a: EvalResult, b: EvalResult) -> None:
    assert a.judged == b.judged and a.unjudged_setbacks == b.unjudged_setbacks and a.failures == b.failures
    assert vars(a.usage) == vars(b.usage)


def test_rules_in_worker_processes_match_one_at_a_time(tmp_path: Path) -> None:
    cases, settings, rubrics = _cases(), resolve_settings({"out": tmp_path / "out"}), load_rubrics()
    serial = evaluate(cases, rubrics, settings, RULES, workdir=tmp_path / "cases")
    side = evaluate(cases, rubrics, settings, RULES, workdir=tmp_path / "cases", jobs=2)
    assert serial.judged and [j.case for j in side.judged] == [j.case for j in serial.judged]
    _same(serial, side)


def test_imported_answers_in_worker_processes_match_one_at_a_time(tmp_path: Path) -> None:
    cases, rubrics = _cases(), load_rubrics()
    got = []
    for jobs in (1, 2):  # each run with its own output (and so model cache) folder
        settings = resolve_settings({"out": tmp_path / f"out{jobs}", "engine": "hybrid", "model": "stand-in",
                                     "rewrite": False})
        engine = results_engine(STANDIN, settings)
        assert isinstance(engine.judge, ResultsJudge)
        try:
            got.append((evaluate(cases, rubrics, settings, engine, workdir=tmp_path / "cases", jobs=jobs),
                        vars(engine.judge.stats)))
        finally:
            engine.judge.close()
    (serial, serial_stats), (side, side_stats) = got
    _same(serial, side)
    assert serial_stats == side_stats and side_stats["answered"] > 0  # the workers' counts reach the caller


def test_a_live_model_on_threads_matches_one_at_a_time(tmp_path: Path) -> None:
    cases, rubrics = _cases(), load_rubrics()
    settings = resolve_settings({"out": tmp_path / "out", "engine": "hybrid", "model": "m", "rewrite": False,
                                 "base_url": "http://127.0.0.1:9/v1"})
    got = []
    for jobs in (1, 3):
        judge = FakeJudge([JudgeFailure("HTTP 503: unavailable")])  # every call falls back to the rules
        engine = Engine("hybrid", llm_config(settings), judge)
        got.append((evaluate(cases, rubrics, settings, engine, workdir=tmp_path / "cases", jobs=jobs), judge.calls))
    (serial, serial_calls), (side, side_calls) = got
    _same(serial, side)
    assert serial_calls == side_calls > 0 and side.usage.fallbacks > 0

