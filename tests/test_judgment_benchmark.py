"""The blind labelled set as a regression guard: the rules on the dev part, and the hybrid merge on the dev part
with the kept stand-in answers (a capable model's answers to the exported requests, imported as Batch API
results). The figures reported in the README come from ``benchmarks/judgment/run.py``, which also runs the
held-out test part; these floors only catch a change that makes judgment clearly worse."""

from __future__ import annotations

from pathlib import Path

from reviewer.batchfile import ResultsJudge, results_engine
from reviewer.evaluate import default_cases, evaluate, load_cases
from reviewer.pipeline import RULES
from reviewer.rubric import load_rubrics
from reviewer.settings import resolve_settings

STANDIN = Path(__file__).resolve().parents[1] / "benchmarks" / "judgment" / "standin"


# Dev drafts whose setback the rules still leave unjudged, each told by one cue they do not read: a first date and
# "waiting for the new one" (iv-719), a dean's consolation and "the second try" with no exam named (iv-751), the same
# good-luck banner hung twice (ps-804), a mother's "Will they let you sit again?" (ps-832). No other may join them.
UNJUDGED_ON_DEV = {"iv-719", "iv-751", "ps-804", "ps-832"}


def test_rules_on_the_dev_part_hold_their_agreement(tmp_path: Path) -> None:
    settings = resolve_settings({"out": tmp_path / "out"})
    result = evaluate(load_cases([default_cases()]), load_rubrics(), settings, RULES, workdir=tmp_path / "cases")
    assert result.cases >= 100 and not result.failures
    assert result.overall >= 0.97, result.overall
    assert set(result.unjudged_setbacks) <= UNJUDGED_ON_DEV, result.unjudged_setbacks


def test_hybrid_merge_with_the_stand_in_answers_holds_its_agreement(tmp_path: Path) -> None:
    settings = resolve_settings({"out": tmp_path / "out", "engine": "hybrid", "model": "stand-in", "rewrite": False})
    engine = results_engine(STANDIN / "dev.results.jsonl", settings)
    judge = engine.judge
    assert isinstance(judge, ResultsJudge)
    try:
        result = evaluate(load_cases([default_cases()]), load_rubrics(), settings, engine,
                          workdir=tmp_path / "cases")
    finally:
        judge.close()
    assert judge.stats.answered >= 100  # the answers still match the requests the engine builds
    assert result.overall >= 0.97, result.overall
    assert result.unjudged_setbacks == []
