"""The benchmarks stay runnable: a tiny cohort through every measurement (numbers are not checked here:
they belong to the benchmark's own printout)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cohort_benchmark_runs_every_measurement(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_cohort.py"), "--applicants", "4", "--latency", "0.05",
         "--repeat", "2", "--jobs", "2", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "4 applicants, 13 documents (4 DOCX)" in out
    for row in ("(a) rules batch throughput", "(b) hybrid engine wall time", "(c) second round cost",
                "(d) peak memory, batch process"):
        assert row in out
    assert "(a) run 2/2" in out and "13 docs" in out
    assert not (tmp_path / "out-rules-1").exists()  # repeats go to fresh folders, then away
    assert (tmp_path / "out-rules" / "index.html").is_file()
