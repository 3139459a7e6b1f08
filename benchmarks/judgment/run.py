"""Agreement of the engines with the blind labelled set, per criterion, on the dev and the test part.

    python benchmarks/judgment/run.py            # rules, and hybrid wherever stand-in answers are kept
    python benchmarks/judgment/run.py --json out.json

The cases live in ``src/reviewer/evalset/{dev,test}`` (written and labelled blind from the rubric spec and the
guide; ``split.py`` says how they were split). Rules are tuned on *dev* only; *test* is only reported.

The hybrid engine is measured with a stand-in judge: no hosted model is reachable where this project is
built, so each exported model request (``reviewer eval --export-requests``) was answered by a capable model
reading only that request, and the answers are kept in ``standin/<part>.results.jsonl``. They are imported
exactly as Batch API results are (``reviewer eval --import-results``). The figures say "stand-in" wherever
they come from these answers.

Targets (test part): rules >= 92% overall and >= 85% on every criterion with 10+ labels; hybrid >= 97%; no
draft that explains a setback left unjudged.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from reviewer.batchfile import results_engine  # noqa: E402
from reviewer.cli_common import default_jobs  # noqa: E402
from reviewer.evaluate import EvalResult, evaluate, load_cases  # noqa: E402
from reviewer.pipeline import RULES  # noqa: E402
from reviewer.rubric import load_rubrics  # noqa: E402
from reviewer.settings import resolve_settings  # noqa: E402

EVALSET = ROOT / "src" / "reviewer" / "evalset"
STANDIN = Path(__file__).resolve().parent / "standin"
STANDIN_MODEL = "stand-in"  # the model name the stand-in answers were exported and imported under


def run(part: str, engine_name: str) -> EvalResult | None:
    cases = load_cases([EVALSET / part])
    with tempfile.TemporaryDirectory(prefix="reviewer-judgment-") as scratch:
        work = Path(scratch)
        flags: dict[str, object] = {"out": work / "out", "rewrite": False}  # a rewrite changes no verdict
        if engine_name == "rules":
            settings, engine = resolve_settings(flags), RULES
        else:
            results = STANDIN / f"{part}.results.jsonl"
            if not results.exists():
                return None
            settings = resolve_settings({**flags, "engine": engine_name, "model": STANDIN_MODEL})
            engine = results_engine(results, settings)
        try:
            return evaluate(cases, load_rubrics(), settings, engine, workdir=work / "cases", jobs=default_jobs())
        finally:
            if engine.judge is not None:
                engine.judge.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write every figure as JSON too")
    args = parser.parse_args()
    runs: dict[str, EvalResult] = {}
    for engine in ("rules", "hybrid"):
        for part in ("dev", "test"):
            got = run(part, engine)
            if got is not None:
                runs[f"{engine}/{part}"] = got
    columns = list(runs)
    criteria = sorted({c for r in runs.values() for c in r.criteria()})
    label = {k: k.replace("hybrid", "hybrid (stand-in)") for k in columns}
    width = max(len(c) for c in criteria) + 2
    print("Agreement with the blind labels (labels per criterion in brackets)")
    print("".ljust(width) + "".join(label[k].rjust(26) for k in columns))
    for c in criteria:
        cells = []
        for k in columns:
            items = runs[k].of(c)
            cells.append(f"{runs[k].rate(items):.1%} [{len(items)}]".rjust(26) if items else "-".rjust(26))
        print(c.ljust(width) + "".join(cells))
    print("all".ljust(width) + "".join(f"{runs[k].overall:.1%} [{len(runs[k].judged)}]".rjust(26) for k in columns))
    print("cases".ljust(width) + "".join(str(runs[k].cases).rjust(26) for k in columns))
    print("setbacks unjudged".ljust(width) + "".join(str(len(runs[k].unjudged_setbacks)).rjust(26) for k in columns))
    rounds = {c.id: c.batch for c in load_cases([EVALSET / "test"])}
    print("\nTest part by writing round (a later round was written after the rules were tuned on the earlier "
          "rounds' dev part)")
    for b in sorted({r for r in rounds.values() if r is not None}):
        ids = {cid for cid, r in rounds.items() if r == b}
        cells = []
        for k in (k for k in columns if k.endswith("/test")):
            items = [j for j in runs[k].judged if j.case in ids]
            unjudged = len([c for c in runs[k].unjudged_setbacks if c in ids])
            cells.append(f"{label[k]}: {runs[k].rate(items):.1%} [{len(items)}], {unjudged} unjudged")
        print(f"round {b} ({len(ids)} cases): " + "; ".join(cells))
    if "rules/test" in runs:
        test = runs["rules/test"]
        weak = [c for c in test.criteria() if len(test.of(c)) >= 10 and test.rate(test.of(c)) < 0.85]
        print(f"\nrules on test: {test.overall:.1%} overall (target 92%); criteria with 10+ labels under 85%: "
              f"{', '.join(weak) or 'none'}")
    if "hybrid/test" in runs:
        print(f"hybrid (stand-in judge) on test: {runs['hybrid/test'].overall:.1%} (target 97%)")
    if args.json:
        args.json.write_text(json.dumps({k: r.to_json() for k, r in runs.items()}, indent=2) + "\n")
        print(f"Wrote {args.json}")


if __name__ == "__main__":
    main()
