"""Fit the rules engine's linear classifiers and measure them on material they were not fitted on.

    python benchmarks/judgment/train.py           # fit both, write rubrics/models/excuse.json and setback.json
    python benchmarks/judgment/train.py --cv      # excuse: leave one writing round out, agreement per round;
                                                  # setback: leave one writer out, agreement per writer
    python benchmarks/judgment/train.py --fresh 7:94da823 8:3c62f0a 9:9d4d914
                                                  # excuse, against the rules as each round came in

**excuse** reads the sentences ``score.excuse`` reads (the score discussions and the sentence after each)
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

**setback** reads one sentence, or two neighbouring sentences together, and says whether they report the
applicant's own low, failed or retaken result (the span finder consults it where its wording finds none:
``reviewer.checks.score``). Its material is ``train/setback-sentences.jsonl`` (single sentences) and
``train/setback-passages.jsonl`` (passages of two or three sentences, most of whose setbacks no single sentence
states), labelled by writers who read only the spec and the guide, each line naming its writer. ``--cv`` fits
on all writers but one and scores the held-out writer's sentences and passages:
the rules' reading of each sentence alone, the classifier's, and the two combined as the span finder combines
them (the rules' wording was checked on the first four writers' sentences: their combined figure is optimistic).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reviewer.checks.linear import MODEL_SCHEMA, LinearModel, features, read  # noqa: E402
from reviewer.evaluate import default_cases, load_cases  # noqa: E402

PASSAGES = HERE / "train" / "excuse-passages.jsonl"
SENTENCES = HERE / "train" / "setback-sentences.jsonl"
SETBACK_PASSAGES = HERE / "train" / "setback-passages.jsonl"
MODELS = ROOT / "src" / "reviewer" / "rubrics" / "models"
NGRAM = 2
C = 16.0  # excuse
C_SETBACK = 16.0
MIN_DF = 2


@dataclass(frozen=True)
class Example:
    sentences: tuple[str, ...]  # what the check reads (a training passage is one "sentence")
    flag: bool
    batch: int | None = None  # the writing round of a dev case; None for the training passages
    rules_flag: bool = False  # what the rules' phrases say (dev cases only)
    writer: str = ""  # who wrote a training sentence

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


Point = tuple[float, float | None]  # (passage threshold, sentence threshold)


def rubric_point() -> Point:
    """The operating point the built-in rubric uses."""
    from reviewer.rubric import load_rubrics

    _, crit = load_rubrics().get("score.excuse")
    clf = crit.params["classifier"]
    return float(clf["threshold"]), clf.get("sentence_threshold")


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
        out.append(Example(tuple(s.text for s in sents), label == {"flag"}, case.batch, rules))
    return out


def passage_examples() -> list[Example]:
    rows = [json.loads(line) for line in PASSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example((r["text"],), r["excuse"] == "flag") for r in rows if r["excuse"] in ("flag", "pass")]


def sentence_examples() -> list[Example]:
    """The setback sentences and passages (two or three sentences that report a setback only together), each
    with its writer and what the rules' wording says of it alone."""
    from reviewer.checks import score

    rows = [json.loads(line) for path in (SENTENCES, SETBACK_PASSAGES)
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example((r["text"],), bool(r["setback"]), writer=r["writer"], rules_flag=score.setback_wording(r["text"]))
            for r in rows]


def fit(examples: list[Example], name: str = "excuse", c: float = C) -> LinearModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda t: features(t, NGRAM), sublinear_tf=True, min_df=MIN_DF)
    x = vec.fit_transform([e.text for e in examples])
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, [e.flag for e in examples])
    names = vec.get_feature_names_out()
    return LinearModel(
        name=name,
        ngram=NGRAM,
        intercept=float(clf.intercept_[0]),
        idf={str(t): float(v) for t, v in zip(names, vec.idf_, strict=True)},
        weight={str(t): float(w) for t, w in zip(names, clf.coef_[0], strict=True)},
    )


def _agreement(model: LinearModel, held: list[Example], points: list[Point]) -> tuple[int, int, list[int]]:
    """How many held-out labels the rules' phrases, the classifier alone (at the first point) and the two
    combined as the check combines them (at each point) agree with."""
    def flags(e: Example, point: Point) -> bool:
        return bool(e.sentences) and read(model, e.sentences, *point).flagged

    rules = sum(e.rules_flag == e.flag for e in held)
    alone = sum(flags(e, points[0]) == e.flag for e in held)
    both = [sum((e.rules_flag or flags(e, pt)) == e.flag for e in held) for pt in points]
    return rules, alone, both


def _report(rows: list[tuple[str, list[Example], LinearModel]], points: list[Point]) -> None:
    def name(pt: Point) -> str:
        return f"{pt[0]:.2f}/{pt[1]:.2f}" if pt[1] is not None else f"{pt[0]:.2f}/-"

    print(f"{'round':<18}{'labels':>7}{'rules':>8}{'clf ' + name(points[0]):>16}"
          + "".join(f"{'rules|clf ' + name(pt):>22}" for pt in points))
    total = [0, 0, 0, [0] * len(points)]
    for label, held, model in rows:
        rules, alone, both = _agreement(model, held, points)
        n = len(held)
        print(f"{label:<18}{n:>7}{rules / n:>8.1%}{alone / n:>16.1%}" + "".join(f"{b / n:>22.1%}" for b in both))
        total = [total[0] + n, total[1] + rules, total[2] + alone, [t + b for t, b in zip(total[3], both, strict=True)]]
    n, rules, alone, both = total
    print(f"{'all':<18}{n:>7}{rules / n:>8.1%}{alone / n:>16.1%}" + "".join(f"{b / n:>22.1%}" for b in both))


def cross_validate(dev: list[Example], passages: list[Example], points: list[Point]) -> None:
    print(f"leave one round out: {len(dev)} dev labels, {len(passages)} passages always in training; "
          "thresholds as passage/sentence")
    rows = []
    for r in sorted({e.batch for e in dev if e.batch is not None}):
        rows.append((f"round {r}", [e for e in dev if e.batch == r], fit([e for e in dev if e.batch != r] + passages)))
    _report(rows, points)


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
params = parse_params(crit.check, {k: v for k, v in crit.params.items() if k != "classifier"})
out = []
for case in load_cases([Path(sys.argv[1])]):
    label = case.labels.get("score.excuse")
    if case.type != "document" or case.batch != int(sys.argv[2]) or label not in ({"flag"}, {"pass"}):
        continue
    ctx = Context(from_text(case.text, case.kind), target=case.target)
    sents = [s.text for d in score.score_discussions(ctx) for s in score.with_following(ctx.doc, d)]
    flagged = score.check_excuse(ctx, params).verdict.value not in ("pass", "not_applicable")
    out.append([sents, flagged, label == {"flag"}])
print(json.dumps(out))
"""


def rules_at(commit: str, round_: int) -> list[Example]:
    """The dev cases of ``round_`` with a ``pass`` or ``flag`` label, read by the code of ``commit``: the
    sentences its excuse check reads and whether its phrases flag them."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
        try:
            done = subprocess.run([sys.executable, "-c", _AT_COMMIT, str(default_cases()), str(round_)],
                                  check=True, capture_output=True, text=True, cwd=tree,
                                  env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"})
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return [Example(tuple(sents), flag, round_, flagged) for sents, flagged, flag in json.loads(done.stdout)]


def fresh(dev: list[Example], passages: list[Example], rounds: dict[int, str], points: list[Point]) -> None:
    print(f"each round against the rules of the commit it arrived at, the classifier fitted on the other rounds "
          f"and {len(passages)} passages; thresholds as passage/sentence")
    rows = [(f"round {r} {commit[:8]}", rules_at(commit, r), fit([e for e in dev if e.batch != r] + passages))
            for r, commit in sorted(rounds.items())]
    _report(rows, points)


def cross_validate_setback(sentences: list[Example]) -> None:
    """Leave one writer out: the held-out writer's sentences read by the rules, the classifier at the span
    finder's threshold, and the two combined (a setback when either says so)."""
    from reviewer.checks.score import SETBACK_READING

    print(f"setback, leave one writer out: {len(sentences)} sentences; classifier at {SETBACK_READING}")
    print(f"{'writer':<10}{'sentences':>10}{'rules':>8}{'clf':>8}{'rules|clf':>11}{'missed':>14}{'false':>14}")
    total = [0, 0, 0, 0, 0, 0, 0, 0]
    for w in sorted({e.writer for e in sentences}):
        held = [e for e in sentences if e.writer == w]
        model = fit([e for e in sentences if e.writer != w], "setback", C_SETBACK)
        said = [model.probability(e.text) >= SETBACK_READING for e in held]
        both = [e.rules_flag or c for e, c in zip(held, said, strict=True)]
        pairs = list(zip(held, said, both, strict=True))
        row = [len(held), sum(e.rules_flag == e.flag for e in held), sum(c == e.flag for e, c, _ in pairs),
               sum(b == e.flag for e, _, b in pairs), sum(e.flag and not e.rules_flag for e in held),
               sum(e.flag and not b for e, _, b in pairs), sum(e.rules_flag and not e.flag for e in held),
               sum(b and not e.flag for e, _, b in pairs)]
        total = [t + r for t, r in zip(total, row, strict=True)]
        _setback_row(w, row)
    _setback_row("all", total)


def _setback_row(label: str, row: list[int]) -> None:
    n, rules, clf, both, missed_rules, missed_both, false_rules, false_both = row
    print(f"{label:<10}{n:>10}{rules / n:>8.1%}{clf / n:>8.1%}{both / n:>11.1%}"
          f"{f'{missed_rules} -> {missed_both}':>14}{f'{false_rules} -> {false_both}':>14}")


def write(model: LinearModel, about: str) -> None:
    terms = {t: [round(model.idf[t], 6), round(model.weight[t], 6)] for t in sorted(model.idf)}
    data = {"schema": MODEL_SCHEMA, "about": about, "ngram": model.ngram, "intercept": round(model.intercept, 6),
            "terms": terms}
    out = MODELS / f"{model.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out.relative_to(ROOT)}: {len(terms)} terms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="leave one writing round out instead of writing the model")
    ap.add_argument("--fresh", nargs="+", metavar="ROUND:COMMIT",
                    help="score each round against the rules of the commit at which it arrived")
    ap.add_argument("--points", nargs="+", metavar="T[/S]",
                    help="operating points to compare, passage threshold / sentence threshold (default: the "
                         "rubric's and its neighbours)")
    args = ap.parse_args()
    dev, passages, sentences = dev_examples(), passage_examples(), sentence_examples()
    t, ts = rubric_point()
    points: list[Point] = [(t, ts), (t, None), (t - 0.05, ts), (t + 0.05, ts)]
    if args.points:
        points = [(float(p.split("/")[0]), float(p.split("/")[1]) if "/" in p else None) for p in args.points]
    if args.fresh:
        fresh(dev, passages, {int(r): c for r, c in (x.split(":", 1) for x in args.fresh)}, points)
    elif args.cv:
        cross_validate(dev, passages, points)
        cross_validate_setback(sentences)
    else:
        write(fit(dev + passages), f"score.excuse: does the score discussion put the result on something outside the "
              f"applicant? Logistic regression over tf-idf words, fitted by benchmarks/judgment/train.py on {len(dev)} "
              f"dev labels and {len(passages)} labelled passages (C={C}, min_df={MIN_DF}).")
        write(fit(sentences, "setback", C_SETBACK), f"score discussions: does the sentence (or two neighbouring "
              f"sentences) report the applicant's own low, failed or retaken exam result? Logistic regression over "
              f"tf-idf words, fitted by benchmarks/judgment/train.py on {len(sentences)} labelled sentences and "
              f"passages (C={C_SETBACK}, min_df={MIN_DF}).")


if __name__ == "__main__":
    main()
