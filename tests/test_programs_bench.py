"""The planning benchmark stays runnable: a tiny run through every measurement (numbers are the benchmark's own
printout, not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_plan_benchmark_runs_every_measurement(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_plan.py"), "--applicants", "3", "--programs", "60",
         "--repeat", "1", "--render", "1", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert out.startswith("60 programs (60 valid") and "3 applicants" in out
    for row in ("read + validate the file", "plan one applicant", "planning / reading the xlsx",
                "render one plan as json", "render one plan as md", "render one plan as xlsx"):
        assert row in out
    assert (tmp_path / "programs.xlsx").is_file() and (tmp_path / "plan-0.xlsx").is_file()
