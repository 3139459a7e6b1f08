"""Fit the rules engine's linear classifiers and measure them on writing rounds they were not fitted on.

    python benchmarks/judgment/train.py           # fit on every dev round, write rubrics/models/excuse.json
    python benchmarks/judgment/train.py --cv      # leave one writing round out: agreement per round
    python benchmarks/judgment/train.py --fresh 7:94da823 8:3c62f0a 9:9d4d914
                                                  # the same, against the rules as each round came in

The classifier reads the sentences ``score.excuse`` reads (the score discussions and the sentence after each)
and says whether they put the result on something outside the applicant. Its training material:

* the **dev** part of the evaluation set (its ``score.excuse`` labels of ``pass`` or ``flag``; ``either`` and
  ``not_applicable`` are left out), the text being what the current span finder hands the check;
* ``train/excuse-passages.jsonl``: score discussions labelled ``flag`` / ``pass`` by writers who read only the
  rubric spec and the guide (``train/BRIEF.md``), never the lexicons or this code.

The **test** part is never read here. ``--cv`` fits on all dev rounds but one (plus the passages) and scores
the held-out round, alone and combined with the rules' phrases as the check combines them, so the figures are
those of text the classifier was not fitted on (the rules' phrases were tuned on every dev round: the combined
figure is optimistic for them). ``--fresh ROUND:COMMIT`` is the honest figure for the combination: the rules'
verdicts and spans are those of the commit at which that round arrived (before any rule was tuned on it, run
from a temporary ``git worktree``), and the classifier is fitted on the other rounds. Needs scikit-learn
(``pip install -e ".[dev]"``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reviewer.checks.linear import MODEL_SCHEMA, LinearModel, features  # noqa: E402
from reviewer.evaluate import default_cases, load_cases  # noqa: E402

PASSAGES = HERE / "train" / "excuse-passages.jsonl"
OUT = ROOT / "src" / "reviewer" / "rubrics" / "models" / "excuse.json"
NGRAM = 2
C = 16.0
MIN_DF = 2


@dataclass(frozen=True)
class Example:
    text: str
    flag: bool
    batch: int | None  # the writing round of a dev case; None for the training passages
    rules_flag: bool = False  # what the rules' phrases say (dev cases only)


def dev_examples() -> list[Example]:
    """The dev cases' excuse labels with the sentences the check reads and the rules' phrase verdict."""
    from reviewer.checks import score
    from reviewer.checks.registry import Context, parse_params
    from reviewer.ingest.memory import from_text
    from reviewer.rubric import load_rubrics

    _, crit = load_rubrics().get("score.excuse")
    params = parse_params(crit.check, {**crit.params, "classifier": None})
    out = []
    for case in load_cases([default_cases()]):
        label = case.labels.get("score.excuse")
        if case.type != "document" or case.kind is None or case.text is None or label not in ({"flag"}, {"pass"}):
            continue
        ctx = Context(from_text(case.text, case.kind), target=case.target)
        sents = score.discussed(ctx)
        if not sents:
            continue
        rules = score.check_excuse(ctx, params).verdict.value != "pass"
        out.append(Example(" ".join(s.text for s in sents), label == {"flag"}, case.batch, rules))
    return out


def passage_examples() -> list[Example]:
    rows = [json.loads(line) for line in PASSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(r["text"], r["excuse"] == "flag", None) for r in rows if r["excuse"] in ("flag", "pass")]


def fit(examples: list[Example]) -> LinearModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda t: features(t, NGRAM), sublinear_tf=True, min_df=MIN_DF)
    x = vec.fit_transform([e.text for e in examples])
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, [e.flag for e in examples])
    names = vec.get_feature_names_out()
    return LinearModel(
        name="excuse",
        ngram=NGRAM,
        intercept=float(clf.intercept_[0]),
        idf={str(t): float(v) for t, v in zip(names, vec.idf_, strict=True)},
        weight={str(t): float(w) for t, w in zip(names, clf.coef_[0], strict=True)},
    )


def cross_validate(dev: list[Example], passages: list[Example], thresholds: list[float]) -> None:
    rounds = sorted({e.batch for e in dev if e.batch is not None})
    total: Counter[str] = Counter()
    print(f"leave one round out: {len(dev)} dev labels, {len(passages)} passages always in training")
    print("round  labels  classifier>=t alone" + "".join(f"  t={t:.2f}" for t in thresholds)
          + "   | rules' phrases or classifier>=t")
    for r in rounds:
        held = [e for e in dev if e.batch == r]
        model = fit([e for e in dev if e.batch != r] + passages)
        probs = [model.probability(e.text) for e in held]
        alone = [sum((p >= t) == e.flag for p, e in zip(probs, held, strict=True)) for t in thresholds]
        both = [sum((e.rules_flag or p >= t) == e.flag for p, e in zip(probs, held, strict=True)) for t in thresholds]
        total["n"] += len(held)
        for t, a, b in zip(thresholds, alone, both, strict=True):
            total[f"a{t}"] += a
            total[f"b{t}"] += b
        print(f"{r:>5}  {len(held):>6}  " + "".join(f"  {a / len(held):6.1%}" for a in alone)
              + "   | " + "".join(f"  {b / len(held):6.1%}" for b in both))
    n = total["n"]
    print("  all  " + f"{n:>6}  " + "".join(f"  {total[f'a{t}'] / n:6.1%}" for t in thresholds)
          + "   | " + "".join(f"  {total[f'b{t}'] / n:6.1%}" for t in thresholds))


# Run inside a worktree of an older commit: the excuse check's sentences and verdict for each dev case of a round.
_AT_COMMIT = """
import json, sys
from pathlib import Path
from reviewer.checks import score
from reviewer.checks.registry import Context, parse_params
from reviewer.evaluate import load_cases
from reviewer.ingest.memory import from_text
from reviewer.rubric import load_rubrics
_, crit = load_rubrics().get("score.excuse")
params = parse_params(crit.check, crit.params)
out = {}
for case in load_cases([Path(sys.argv[1])]):
    label = case.labels.get("score.excuse")
    if case.type != "document" or case.batch != int(sys.argv[2]) or label not in ({"flag"}, {"pass"}):
        continue
    ctx = Context(from_text(case.text, case.kind), target=case.target)
    sents = [s.text for d in score.score_discussions(ctx) for s in score.with_following(ctx.doc, d)]
    flagged = score.check_excuse(ctx, params).verdict.value not in ("pass", "not_applicable")
    out[case.id] = [" ".join(sents), flagged, label == {"flag"}]
print(json.dumps(out))
"""


def rules_at(commit: str, round_: int) -> list[tuple[str, bool, bool]]:
    """The excuse check's input and verdict, and the label, for each dev case of ``round_`` with a ``pass`` or
    ``flag`` label, with the code of ``commit``."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
        try:
            done = subprocess.run([sys.executable, "-c", _AT_COMMIT, str(default_cases()), str(round_)],
                                  check=True, capture_output=True, text=True, cwd=tree,
                                  env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"})
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return [(v[0], bool(v[1]), bool(v[2])) for v in json.loads(done.stdout).values()]


def fresh(dev: list[Example], passages: list[Example], rounds: dict[int, str], thresholds: list[float]) -> None:
    print(f"rounds measured against the rules as they came in; {len(passages)} passages always in training")
    print("round  commit    labels   rules" + "".join(f"  alone {t:.2f}" for t in thresholds)
          + "".join(f"  rules|clf {t:.2f}" for t in thresholds))
    total: Counter[str] = Counter()
    for r, commit in sorted(rounds.items()):
        held = rules_at(commit, r)
        model = fit([e for e in dev if e.batch != r] + passages)
        rules = sum(flag == y for _, flag, y in held)
        probs = [model.probability(text) if text else 0.0 for text, _, _ in held]  # no discussion: nothing read
        alone = [sum((p >= t) == y for p, (_, _, y) in zip(probs, held, strict=True)) for t in thresholds]
        both = [sum((flag or p >= t) == y for p, (_, flag, y) in zip(probs, held, strict=True)) for t in thresholds]
        total["n"] += len(held)
        total["rules"] += rules
        for t, a, b in zip(thresholds, alone, both, strict=True):
            total[f"a{t}"] += a
            total[f"b{t}"] += b
        n = len(held)
        print(f"{r:>5}  {commit[:8]}  {n:>6}  {rules / n:6.1%}" + "".join(f"  {a / n:10.1%}" for a in alone)
              + "".join(f"  {b / n:14.1%}" for b in both))
    n = total["n"]
    print(f"  all            {n:>6}  {total['rules'] / n:6.1%}"
          + "".join(f"  {total[f'a{t}'] / n:10.1%}" for t in thresholds)
          + "".join(f"  {total[f'b{t}'] / n:14.1%}" for t in thresholds))


def write(model: LinearModel, n_dev: int, n_passages: int) -> None:
    terms = {t: [round(model.idf[t], 6), round(model.weight[t], 6)] for t in sorted(model.idf)}
    data = {
        "schema": MODEL_SCHEMA,
        "about": (f"score.excuse: does the score discussion put the result on something outside the applicant? "
                  f"Logistic regression over tf-idf words, fitted by benchmarks/judgment/train.py on {n_dev} dev "
                  f"labels and {n_passages} labelled passages (C={C}, min_df={MIN_DF})."),
        "ngram": model.ngram,
        "intercept": round(model.intercept, 6),
        "terms": terms,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(terms)} terms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="leave one writing round out instead of writing the model")
    ap.add_argument("--fresh", nargs="+", metavar="ROUND:COMMIT",
                    help="score each round against the rules of the commit at which it arrived")
    ap.add_argument("--thresholds", default="0.55,0.6,0.65,0.7")
    args = ap.parse_args()
    dev, passages = dev_examples(), passage_examples()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    if args.fresh:
        fresh(dev, passages, {int(r): c for r, c in (x.split(":", 1) for x in args.fresh)}, thresholds)
    elif args.cv:
        cross_validate(dev, passages, thresholds)
    else:
        write(fit(dev + passages), len(dev), len(passages))


if __name__ == "__main__":
    main()
