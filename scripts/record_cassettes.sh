#!/bin/bash
# Re-record the LLM cassettes (tests/cassettes/*.yaml) against the local llama.cpp server.
#
#   scripts/record_cassettes.sh            # start the server if needed, snapshot rubrics, record, replay
#
# What it does: starts the OpenAI-compatible server on loopback (SmolLM2-135M-Instruct, model "smollm2",
# http://127.0.0.1:8765/v1; the first start builds llama-cpp-python, about 7 minutes), then runs the
# cassette tests with REVIEWER_RECORD=1, which copies src/reviewer/rubrics/*.yaml to
# tests/cassettes/rubrics/ and records every request (scrubbed of Authorization, cookies and OpenAI
# organization/project headers). Finally it replays them in record mode "none", as CI does.
# Re-record after changing prompts/*.j2, the answer schema, the engine's request sequence or the rubrics.
# Override the server with REVIEWER_RECORD_BASE_URL (recorded bodies do not include the host). On a busy
# two-core machine a server started by hand with one generation thread and two batch threads records several
# times faster (llama_cpp.server ... --n_threads 1 --n_threads_batch 2); the prompts are long (the guide's
# passages, levels and calibration examples of every criterion), so prompt evaluation dominates.
# The checkout's own source is used (PYTHONPATH), whatever copy of the package is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
server=${LOCAL_LLM_SERVER:-/work/shared/tools/local-llm-server.sh}
if [ -z "${REVIEWER_RECORD_BASE_URL:-}" ]; then
  "$server" start
fi
REVIEWER_RECORD=1 python -m pytest tests/test_llm_cassettes.py -q -k "not every_sample" "$@"
# The sample cassettes: recorded with the snapshot just taken, one cassette per sample document.
REVIEWER_RECORD_SAMPLES=1 python -m pytest tests/test_llm_cassettes.py -q -k every_sample "$@"
python -m pytest tests/test_llm_cassettes.py -q
echo "cassettes recorded in tests/cassettes/; commit them with tests/cassettes/rubrics/"
