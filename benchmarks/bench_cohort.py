"""Cohort benchmark: rules throughput, model-engine wall time, revision-round cost and peak memory.

    python benchmarks/bench_cohort.py --applicants 300      # the full run (several minutes)
    python benchmarks/bench_cohort.py --applicants 60       # a quick sanity check
    python benchmarks/bench_cohort.py --applicants 60 --only a   # rules throughput only

Builds a synthetic cohort from ``samples/`` (applicant ``i`` is sample ``i mod 4`` with other names, other
numbers, a sentence order change, a dropped sentence and an added one, so no two documents are the same), then
measures and prints one table:

(a) rules-only ``reviewer batch`` throughput (documents/s, every format written) against the floor of simply
    opening and saving the cohort's DOCX files with python-docx on as many processes, measured in the same run:
    ``--repeat`` interleaved pairs, best of each compared, the per-pair range printed too (target: within 3x);
(b) the hybrid engine's wall time against a local OpenAI-compatible stub (:mod:`stub_llm`, in its own process)
    that answers after a fixed latency, as a ratio to the ideal ``ceil(calls / concurrency) x latency``
    (target: within 1.25x);
(c) a second round after editing 10% of the documents: its model calls as a fraction of the first round's
    (target: at most the edited fraction + 2%);
(d) peak memory (max RSS) of the batch process at two cohort sizes (target: flat).

Every batch runs in a fresh subprocess (``python -m`` style, via this file's ``--run`` mode) so the
timings include start-up and the memory numbers are the batch's own. Numbers stay out of the tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HERE = Path(__file__).resolve().parent

FIRST = ["Ana", "Bilal", "Chen", "Dara", "Elif", "Femi", "Giulia", "Hiro", "Ines", "Jomo", "Kavya", "Luis",
         "Mei", "Nadia", "Omar", "Priya", "Quan", "Rosa", "Sami", "Tariq", "Uma", "Vera", "Wen", "Yusuf"]
LAST = ["Adeyemi", "Bose", "Castro", "Dlamini", "Ekwueme", "Farah", "Gomez", "Haddad", "Iyer", "Jung", "Khan",
        "Lopez", "Mensah", "Nguyen", "Okoro", "Patel", "Qureshi", "Rahman", "Silva", "Tan", "Usman", "Varga"]
SAMPLE_NAMES = {"amara-okafor": ("Amara", "Okafor"), "rahul-mehta": ("Rahul", "Mehta"),
                "lucia-fernandez": ("Lucia", "Fernandez"), "lucia-fernandez-general": ("Lucia", "Fernandez")}
ADDED = ["I also spent {n} Saturdays at a community clinic, where I learned to explain plans in plain words.",
         "Last year I led {n} teaching sessions for junior students on patient handoffs.",
         "In my current role I follow up {n} patients a week by phone after discharge."]
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_NUM = re.compile(r"(?<![-\d.:])\b(\d{2,3})\b(?![-\d:])")


# --- synthetic cohort ----------------------------------------------------------------------------------------


def vary_numbers(text: str, rng: random.Random) -> str:
    return _NUM.sub(lambda m: str(max(10, int(m.group(1)) + rng.randint(-5, 5))), text)


def vary_prose(text: str, rng: random.Random, i: int) -> str:
    """Reorder two sentences, drop one, vary numbers and add one sentence unique to applicant ``i``."""
    paragraphs = text.split("\n\n")
    longest = max(range(len(paragraphs)), key=lambda k: len(paragraphs[k]))
    sentences = _SENT.split(paragraphs[longest])
    if len(sentences) > 3:
        k = rng.randrange(1, len(sentences) - 1)
        sentences[k], sentences[k + 1] = sentences[k + 1], sentences[k]
        if len(sentences) > 5:
            del sentences[rng.randrange(1, len(sentences) - 1)]
    sentences.append(ADDED[i % len(ADDED)].format(n=3 + i))
    paragraphs[longest] = " ".join(sentences)
    return vary_numbers("\n\n".join(paragraphs), rng)


def rename(text: str, sample: str, first: str, last: str) -> str:
    f0, l0 = SAMPLE_NAMES[sample]
    return text.replace(f0, first).replace(l0, last)


def vary_docx(path: Path, rng: random.Random, i: int, names: tuple[str, str, str]) -> None:
    import docx

    document = docx.Document(str(path))
    for p in document.paragraphs:
        for r in p.runs:
            if r.text:
                r.text = vary_numbers(rename(r.text, *names), rng)
    body = [p for p in document.paragraphs if len(p.text) > 80]
    if body:
        body[len(body) // 2].add_run(" " + ADDED[i % len(ADDED)].format(n=3 + i))
    document.save(str(path))


def make_applicant(cohort: Path, i: int) -> None:
    samples = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())
    sample = samples[i % len(samples)]
    rng = random.Random(i)
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    folder = cohort / f"{first.lower()}-{last.lower()}-{i:04d}"
    shutil.copytree(SAMPLES / sample, folder)
    for f in folder.iterdir():
        if f.suffix == ".docx":
            vary_docx(f, rng, i, (sample, first, last))
        elif f.name == "application.yaml":
            f.write_text(rename(f.read_text(encoding="utf-8"), sample, first, last), encoding="utf-8")
        elif f.suffix in (".txt", ".md"):
            f.write_text(vary_prose(rename(f.read_text(encoding="utf-8"), sample, first, last), rng, i),
                         encoding="utf-8")
        elif f.suffix in (".yaml", ".csv"):
            f.write_text(vary_numbers(rename(f.read_text(encoding="utf-8"), sample, first, last), rng),
                         encoding="utf-8")


def make_cohort(cohort: Path, applicants: int) -> None:
    cohort.mkdir(parents=True)
    for i in range(applicants):
        make_applicant(cohort, i)


def documents(cohort: Path) -> list[Path]:
    return sorted(p for p in cohort.glob("*/*") if p.is_file() and p.name != "application.yaml")


def edit(path: Path, n: int) -> None:
    """A student's revision: one more sentence (or, in entries files, one changed number)."""
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        document.add_paragraph(f"Since my last draft I have added what I learned from case {n}.")
        document.save(str(path))
    elif path.suffix in (".txt", ".md"):
        added = f"\n\nSince my last draft I reflected on case {n}.\n"
        path.write_text(path.read_text(encoding="utf-8").rstrip() + added, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        m = _NUM.search(text)
        path.write_text(text[: m.start()] + str(int(m.group(1)) + 1) + text[m.end():] if m else text + "\n",
                        encoding="utf-8")


# --- measurements -----------------------------------------------------------------------------------------


def open_save(pair: tuple[str, str]) -> None:
    import docx

    docx.Document(pair[0]).save(pair[1])


def docx_floor(cohort: Path, scratch: Path, jobs: int) -> tuple[int, float]:
    """Open and save every DOCX of the cohort with python-docx on ``jobs`` processes: (files, seconds)."""
    files = [p for p in documents(cohort) if p.suffix == ".docx"]
    scratch.mkdir(parents=True, exist_ok=True)
    pairs = [(str(p), str(scratch / f"{k}.docx")) for k, p in enumerate(files)]
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(open_save, pairs, chunksize=8))
    return len(files), time.perf_counter() - start


def run_batch_subprocess(cohort: Path, out: Path, *, jobs: int, engine: str = "rules", base_url: str | None = None,
                         concurrency: int = 8) -> dict[str, float]:
    """One ``run_batch`` in a fresh interpreter: wall seconds, documents reviewed, peak RSS (MiB)."""
    args = [sys.executable, str(Path(__file__).resolve()), "--run", str(cohort), str(out), "--jobs", str(jobs),
            "--engine", engine, "--concurrency", str(concurrency)]
    if base_url:
        args += ["--base-url", base_url]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise RuntimeError(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def _run_mode(argv: list[str]) -> None:
    """``--run COHORT OUT``: one batch, then a JSON line with what it did and its peak memory."""
    import resource

    from reviewer.cohort import Status, run_batch
    from reviewer.settings import Settings

    p = argparse.ArgumentParser()
    p.add_argument("--run", nargs=2)
    p.add_argument("--jobs", type=int)
    p.add_argument("--engine")
    p.add_argument("--base-url")
    p.add_argument("--concurrency", type=int)
    a = p.parse_args(argv)
    settings = Settings(engine=a.engine, model="stub" if a.engine != "rules" else None, base_url=a.base_url)
    start = time.perf_counter()
    result = run_batch(Path(a.run[0]), Path(a.run[1]), settings, jobs=a.jobs, llm_concurrency=a.concurrency)
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "batch_seconds": elapsed,
        "reviewed": result.total(Status.REVIEWED), "failed": result.total(Status.FAILED),
        "rss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StubProcess:
    """The stub server in its own process (so its threads do not share the batch's interpreter)."""

    def __init__(self, latency: float, max_seconds: float) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, str(HERE / "stub_llm.py"), "--latency", str(latency), "--port",
                                      str(self.port), "--max-seconds", str(max_seconds)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "stub LLM at ..." once listening

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=10) as r:
            return dict(json.loads(r.read()))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main() -> None:
    if "--run" in sys.argv:
        _run_mode(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description="Cohort benchmark (see the module docstring).")
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=max(1, min(8, os.cpu_count() or 1)))
    parser.add_argument("--latency", type=float, default=2.0, help="stub model latency per call, seconds")
    parser.add_argument("--concurrency", type=int, default=16, help="model calls in flight")
    parser.add_argument("--changed", type=float, default=0.10, help="fraction of documents edited for round 2")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the cohort and outputs here")
    parser.add_argument("--repeat", type=int, default=3,
                        help="(a): interleaved floor and batch runs; the best of each is compared")
    parser.add_argument("--only", choices=["a"], default=None,
                        help="run only this part (a: rules throughput against the open+save floor)")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cohort = work / "cohort"
    if cohort.exists():
        shutil.rmtree(cohort)
    for d in ("out-rules", "out-small", "out-llm", "floor"):
        shutil.rmtree(work / d, ignore_errors=True)
    t = time.perf_counter()
    make_cohort(cohort, args.applicants)
    docs = documents(cohort)
    print(f"cohort: {args.applicants} applicants, {len(docs)} documents "
          f"({sum(p.suffix == '.docx' for p in docs)} DOCX) built in {time.perf_counter() - t:.1f}s in {work}",
          flush=True)

    # (a) rules throughput vs the python-docx open+save floor, best of --repeat interleaved runs (each batch
    # into a fresh folder, so none is a no-op rerun); (d) memory at full size, from the first batch
    floors: list[tuple[int, float]] = []
    batches: list[dict[str, float]] = []
    for k in range(args.repeat):
        shutil.rmtree(work / "floor", ignore_errors=True)
        floors.append(docx_floor(cohort, work / "floor", args.jobs))
        out = work / ("out-rules" if k == 0 else f"out-rules-{k}")
        shutil.rmtree(out, ignore_errors=True)
        batches.append(run_batch_subprocess(cohort, out, jobs=args.jobs))
        if k:
            shutil.rmtree(out)
        print(f"(a) run {k + 1}/{args.repeat}: {batches[-1]['reviewed'] / batches[-1]['wall']:.1f} docs/s vs floor "
              f"{floors[-1][0] / floors[-1][1]:.1f}", flush=True)
    rules = batches[0]
    n_docx, floor_s = min(floors, key=lambda f: f[1])
    best = min(batches, key=lambda b: b["wall"])
    floor_rate = n_docx / floor_s
    rules_rate = best["reviewed"] / best["wall"]
    pairs = sorted((f[0] / f[1]) / (b["reviewed"] / b["wall"]) for f, b in zip(floors, batches, strict=True))
    spread = f" (runs {pairs[0]:.2f}-{pairs[-1]:.2f}x)" if len(pairs) > 1 else ""
    row_a = ("(a) rules batch throughput",
             f"{rules_rate:.1f} docs/s ({best['reviewed']:.0f} docs, {best['wall']:.1f}s)",
             f"floor {floor_rate:.1f} DOCX/s open+save ({n_docx} files, {floor_s:.1f}s)",
             f"{floor_rate / rules_rate:.2f}x slower{spread}", "<= 3x", floor_rate / rules_rate <= 3)
    if args.only == "a":
        print_table([row_a], args)
        return

    # (d) memory at a quarter of the size
    small = work / "cohort-small"
    shutil.rmtree(small, ignore_errors=True)
    small.mkdir()
    quarter = sorted(p for p in cohort.iterdir() if p.is_dir())[: max(1, args.applicants // 4)]
    for p in quarter:
        (small / p.name).symlink_to(p, target_is_directory=True)
    small_run = run_batch_subprocess(small, work / "out-small", jobs=args.jobs)

    # (b) model engine against the stub; (c) second round after editing a fraction of the documents
    stub = StubProcess(args.latency, max_seconds=3600)
    try:
        llm1 = run_batch_subprocess(cohort, work / "out-llm", jobs=args.jobs, engine="hybrid", base_url=stub.base_url,
                                    concurrency=args.concurrency)
        s1 = stub.stats()
        calls1 = s1["calls"]
        rng = random.Random(12345)
        edited = rng.sample(docs, max(1, round(args.changed * len(docs))))
        for k, p in enumerate(edited):
            edit(p, k)
        llm2 = run_batch_subprocess(cohort, work / "out-llm", jobs=args.jobs, engine="hybrid", base_url=stub.base_url,
                                    concurrency=args.concurrency)
        calls2 = stub.stats()["calls"] - calls1
    finally:
        stub.stop()
    ideal = math.ceil(calls1 / args.concurrency) * args.latency
    frac_docs = len(edited) / len(docs)

    rows = [
        row_a,
        ("(b) hybrid engine wall time", f"{llm1['wall']:.1f}s ({calls1} calls, peak {s1['peak_in_flight']} in flight)",
         f"ideal ceil({calls1}/{args.concurrency}) x {args.latency}s = {ideal:.1f}s",
         f"{llm1['wall'] / ideal:.2f}x", "<= 1.25x", llm1["wall"] / ideal <= 1.25),
        ("(c) second round cost", f"{calls2} calls ({len(edited)} of {len(docs)} docs edited, {llm2['wall']:.1f}s)",
         f"first round {calls1} calls", f"{calls2 / calls1:.1%} of calls", f"<= {frac_docs + 0.02:.1%}",
         calls2 / calls1 <= frac_docs + 0.02),
        ("(d) peak memory, batch process", f"{small_run['rss_self_mib']:.0f} MiB at {len(quarter)} applicants",
         f"{rules['rss_self_mib']:.0f} MiB at {args.applicants} applicants",
         f"{rules['rss_self_mib'] / small_run['rss_self_mib']:.2f}x",
         "flat (<= 1.25x)", rules["rss_self_mib"] / small_run["rss_self_mib"] <= 1.25),
    ]
    print_table(rows, args)


def print_table(rows: list[tuple[str, str, str, str, str, bool]], args: argparse.Namespace) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover
        for r in rows:
            print(" | ".join(str(c) for c in r))
        return
    table = Table(title=f"reviewer cohort benchmark: {args.applicants} applicants, --jobs {args.jobs}, "
                        f"stub latency {args.latency}s, concurrency {args.concurrency}")
    for col in ("measure", "result", "reference", "ratio", "target", "met"):
        table.add_column(col)
    for r in rows:
        table.add_row(*r[:5], "yes" if r[5] else "NO")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
