"""Single-document speed: a 1,000-word DOCX personal statement reviewed end to end, and CLI start-up.

Run:  python benchmarks/bench_review.py [--runs 20]

Prints medians of in-process stages (ingest, rules review, DOCX/JSON/Markdown rendering), the cold
wall time of the `reviewer review` command in a fresh process, and `reviewer --help` start-up next to a
bare `python -c pass` measured in the same run (machines here are noisy; the ratio is what to compare).
Targets (issue 2): end to end well under a second; --help start-up close to the interpreter's own.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "My first clinical mentor in Cebu taught me that a follow-up call can matter as much as a prescription.",
    "During my observership at a safety-net clinic, I coordinated with nurses and social workers on discharge "
    "education for patients with limited English.",
    "We created a tracking spreadsheet and a phone script in three languages, and missed lab follow-up fell from "
    "18% to 9% over three months.",
    "I followed ten to twelve patients daily, pre-rounded independently and wrote the first drafts of notes.",
    "Kaiser Permanente's integrated model, where primary care, specialists and pharmacy share one record, is the "
    "setting in which that work makes the most sense to me.",
    "I want to train where population health data turn into outreach for the patients who are hardest to reach.",
]
SCORE = (
    "I failed Step 1 on my first attempt because I relied on passive reading. I rebuilt my preparation around "
    "question banks, a fixed schedule and weekly self-assessment, and I scored 241 on Step 2 CK. I now apply the "
    "same habit of measuring and adjusting to my quality improvement work."
)


def make_docx(path: Path, words: int = 1000) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Personal Statement", style="Title")
    count, i = 0, 0
    para = d.add_paragraph()
    while count < words:
        if i == 7:
            para = d.add_paragraph()
            para.add_run(SCORE[:60])
            para.add_run(SCORE[60:140]).bold = True
            para.add_run(SCORE[140:])
            count += len(SCORE.split())
            para = d.add_paragraph()
        s = SENTENCES[i % len(SENTENCES)]
        para.add_run(s + " ")
        count += len(s.split())
        i += 1
        if i % 5 == 0:
            para = d.add_paragraph()
    d.save(str(path))


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def wall(cmd: list[str], runs: int) -> float:
    return median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    from reviewer.document import DocKind
    from reviewer.ingest import load_document
    from reviewer.pipeline import Reviewed, review_document, write_review
    from reviewer.rubric import load_rubrics

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "personal_statement.docx"
        make_docx(src)
        rubrics = load_rubrics()
        doc = load_document(src, DocKind.PERSONAL_STATEMENT)
        review = review_document(doc, rubrics)
        out = Path(tmp) / "out"
        item = Reviewed(src, doc, review)

        def ms(fn) -> str:  # type: ignore[no-untyped-def]
            return f"{median_time(fn, args.runs) * 1000:.1f} ms"

        rows = [
            ("words in the statement", f"{doc.words}"),
            ("findings", f"{len(review.findings)}"),
            ("ingest (median)", ms(lambda: load_document(src, DocKind.PERSONAL_STATEMENT))),
            ("rules review (median)", ms(lambda: review_document(doc, rubrics))),
            ("render docx (median)", ms(lambda: write_review(item, out, ["docx"]))),
            ("render json+md (median)", ms(lambda: write_review(item, out, ["json", "md"]))),
        ]

        def end_to_end() -> None:
            d = load_document(src, DocKind.PERSONAL_STATEMENT)
            write_review(Reviewed(src, d, review_document(d, rubrics)), out, ["json", "docx", "md"])

        rows.append(("end to end in process (median)", ms(end_to_end)))
        exe = [sys.executable, "-m", "reviewer"]
        cli_runs = max(3, args.runs // 4)
        cold = wall([*exe, "review", str(src), "--out", str(out)], cli_runs)
        bare = wall([sys.executable, "-c", "pass"], cli_runs)
        helpt = wall([*exe, "--help"], cli_runs)
        rows += [
            ("`reviewer review` cold process (median)", f"{cold * 1000:.0f} ms"),
            ("`python -c pass` (median)", f"{bare * 1000:.0f} ms"),
            ("`reviewer --help` (median)", f"{helpt * 1000:.0f} ms ({helpt / bare:.1f}x python -c pass)"),
        ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  value")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
