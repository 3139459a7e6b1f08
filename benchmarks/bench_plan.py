"""Program planning at scale: 300 applicants planned against a 5,000-row programs file.

Run:  python benchmarks/bench_plan.py [--applicants 300] [--programs 5000] [--repeat 3] [--render 5]

Generates a programs file (seeded, fictional rows with every column in use: visas, stated minimums, attempts
and graduation cutoffs, USCE, ECFMG deadlines, IMG shares, Kaiser rows, stale rows) as XLSX and CSV, and
seeded profiles, then prints:

* the time to read and validate the file (median of --repeat reads, XLSX and CSV);
* the time to plan one applicant against every row (filters, scores, tiers, portfolio, signals, openers;
  median, p95 and total over all applicants), next to the read time: the target is planning < reading;
* the time to render one plan as JSON, Markdown and XLSX (a few applicants: --render).

Times are CPU seconds of this (single-threaded) process, so a busy shared machine does not blur the
comparison; wall-clock medians are printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from reviewer.programs.plan import make_plan
from reviewer.programs.profile import Profile
from reviewer.programs.table import read_programs
from reviewer.programs.template import write_template
from reviewer.programs.weights import load_weights

AS_OF = dt.date(2026, 12, 1)
SPECIALTIES = ["Family Medicine", "Internal Medicine", "Pediatrics", "Psychiatry", "Preliminary Internal Medicine",
               "Transitional Year", "Neurology", "Emergency Medicine", "Dermatology"]
STATES = ["CA", "NY", "TX", "FL", "IL", "OH", "PA", "NJ", "MI", "GA", "WA", "MA", "AZ", "NC", "MN"]
LANGUAGES = ["Spanish", "Hindi", "Tagalog", "Arabic", "Yoruba", "Mandarin", "Vietnamese"]
POPULATIONS = ["underserved", "immigrant families", "rural", "refugee health", "language access", "veterans"]


def maybe(rng: random.Random, p: float, value: Any) -> Any:
    return value if rng.random() < p else None


def program_row(rng: random.Random, i: int) -> dict[str, Any]:
    kind = rng.choices(["community", "university", "kaiser"], [0.6, 0.3, 0.1])[0]
    return {
        "program": f"Benchmark Program {i} (fictional)", "city": f"Town {i % 700}", "state": rng.choice(STATES),
        "specialty": rng.choice(SPECIALTIES), "positions": rng.randint(2, 30), "program_type": kind,
        "visa": rng.choices(["J-1", "J-1/H-1B", "H-1B", "none"], [0.5, 0.3, 0.05, 0.15])[0],
        "h1b_needs_step3": rng.choice(["yes", "no", None]),
        "step1_min": maybe(rng, 0.1, rng.choice(["pass", rng.randint(200, 220)])),
        "step2ck_min": maybe(rng, 0.4, rng.randint(210, 245)), "max_attempts": maybe(rng, 0.4, rng.randint(1, 3)),
        "yog_within_years": maybe(rng, 0.4, rng.randint(3, 10)),
        "usce_required": rng.choice(["no", "preferred", "any", "hands-on"]),
        "usce_min_months": maybe(rng, 0.2, rng.randint(1, 6)),
        "ecfmg_deadline": maybe(rng, 0.3, AS_OF + dt.timedelta(days=rng.randint(30, 120))),
        "accepts_imgs": rng.choices(["yes", "no", "unknown"], [0.6, 0.1, 0.3])[0],
        "img_share": maybe(rng, 0.7, rng.randint(0, 80)),
        "visa_track_record": rng.choice(["yes", "no", "unknown"]),
        "languages": rng.sample(LANGUAGES, rng.randint(0, 2)),
        "populations": rng.sample(POPULATIONS, rng.randint(0, 2)),
        "source_url": f"https://example.org/fictional/program-{i}",
        "last_checked": AS_OF - dt.timedelta(days=rng.randint(0, 500)),
        "notes": "Fictional program generated for the benchmark.",
    }


def profile(rng: random.Random) -> Profile:
    return Profile.model_validate({
        "visa": rng.choice(["J-1", "H-1B", "J-1 or H-1B", "none"]),
        "specialties": rng.sample(SPECIALTIES[:6], rng.randint(1, 3)),
        "step1": {"result": "pass", "attempts": rng.choice([1, 1, 2, 3])},
        "step2ck": {"score": rng.randint(210, 255), "attempts": rng.choice([1, 1, 2])},
        "step3": {"passed": rng.random() < 0.3, "planned": "2027-02"},
        "graduation_year": rng.randint(2012, 2025), "usce_months": rng.choice([0, 0, 2, 4, 6]),
        "observership_months": rng.choice([0, 2, 3]), "languages": rng.sample(LANGUAGES, 2),
        "regions": rng.sample(["West", "Northeast", "South", "Midwest", "California"], 2),
        "signals": rng.randint(0, 6), "ecfmg_certified": rng.random() < 0.6,
        "ecfmg_expected": (AS_OF + dt.timedelta(days=rng.randint(10, 150))).isoformat(),
    })


WALL: dict[int, float] = {}


def timed(fn: Any) -> tuple[float, Any]:
    """CPU seconds spent in ``fn`` (wall seconds kept in WALL under the same key order)."""
    start, wall = time.process_time(), time.perf_counter()
    value = fn()
    WALL[len(WALL)] = time.perf_counter() - wall
    return time.process_time() - start, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--applicants", type=int, default=300)
    ap.add_argument("--programs", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3, help="reads of the file to take the median of")
    ap.add_argument("--render", type=int, default=5, help="applicants whose plan is rendered (JSON, MD, XLSX)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-plan-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = [program_row(rng, i) for i in range(args.programs)]
    xlsx, csv = work / "programs.xlsx", work / "programs.csv"
    write_template(xlsx, rows)
    write_template(csv, rows)
    weights = load_weights()
    reads: dict[str, list[float]] = {"xlsx": [], "csv": []}
    walls: dict[str, list[float]] = {"xlsx": [], "csv": [], "plan": []}
    table = None
    for _ in range(max(1, args.repeat)):
        for name, path in (("xlsx", xlsx), ("csv", csv)):
            seconds, table = timed(lambda p=path: read_programs(p, as_of=AS_OF))
            reads[name].append(seconds)
            walls[name].append(WALL[len(WALL) - 1])
    assert table is not None
    profiles = [profile(rng) for _ in range(args.applicants)]
    per: list[float] = []
    plans = []
    for i, prof in enumerate(profiles):
        seconds, plan = timed(lambda p=prof, n=i: make_plan(p, table, weights, applicant=f"Applicant {n}", as_of=AS_OF))
        per.append(seconds)
        walls["plan"].append(WALL[len(WALL) - 1])
        if len(plans) < args.render:
            plans.append(plan)
    renders = _render(plans, work)
    read_xlsx, read_csv = statistics.median(reads["xlsx"]), statistics.median(reads["csv"])
    median, p95 = statistics.median(per), sorted(per)[max(0, int(0.95 * len(per)) - 1)]
    decisions = statistics.mean(len(p.decisions) for p in plans) if plans else 0
    print(f"{args.programs:,} programs ({len(table.programs):,} valid, {len(table.problems):,} flagged), "
          f"{args.applicants} applicants, work folder {work}")
    wall = {k: statistics.median(v) for k, v in walls.items()}
    print("CPU seconds (wall-clock medians in brackets)")
    print(f"read + validate the file      xlsx {read_xlsx:8.3f} s [{wall['xlsx']:.3f}]   csv {read_csv:8.3f} s "
          f"[{wall['csv']:.3f}]   (median of {len(reads['xlsx'])}; {xlsx.stat().st_size / 1e6:.1f} MB xlsx)")
    print(f"plan one applicant            median {median:8.3f} s [{wall['plan']:.3f}]   p95 {p95:.3f} s   "
          f"total {sum(per):.1f} s for {len(per)} (about {decisions:,.0f} programs each in their specialties)")
    print(f"planning / reading the xlsx   {median / read_xlsx:8.2f}x   (target: below 1)")
    print(f"planning / reading the csv    {median / read_csv:8.2f}x")
    for fmt, seconds in renders.items():
        print(f"render one plan as {fmt:<5}      median {seconds:8.3f} s")


def _render(plans: list[Any], work: Path) -> dict[str, float]:
    from reviewer.render.plan_json import plan_json_text
    from reviewer.render.plan_markdown import plan_markdown
    from reviewer.render.plan_xlsx import write_plan_xlsx

    times: dict[str, list[float]] = {"json": [], "md": [], "xlsx": []}
    for i, plan in enumerate(plans):
        times["json"].append(timed(lambda p=plan: plan_json_text(p))[0])
        times["md"].append(timed(lambda p=plan: plan_markdown(p))[0])
        times["xlsx"].append(timed(lambda p=plan, n=i: write_plan_xlsx(p, work / f"plan-{n}.xlsx"))[0])
    return {k: statistics.median(v) for k, v in times.items() if v}


if __name__ == "__main__":
    main()
