"""Turn stand-in answers (one JSON object per request id) into a Batch API results file.

    python benchmarks/judgment/standin/wrap.py REQUESTS.jsonl ANSWERS_DIR OUT.results.jsonl

Each answer becomes the line the OpenAI Batch API would write for a completed request
(``{"custom_id", "response": {"status_code": 200, "body": <chat.completion>}, "error": null}``), with the
answer as the message content and token counts estimated at four characters a token. A request with no
answer file gets no line (the import then judges that rubric by the rules, with a note).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(requests: Path, answers: Path, out: Path) -> None:
    lines = []
    missing = 0
    for raw in requests.read_text(encoding="utf-8").splitlines():
        request = json.loads(raw)
        cid = request["custom_id"]
        answer_path = answers / f"{cid}.json"
        if not answer_path.exists():
            missing += 1
            continue
        content = json.dumps(json.loads(answer_path.read_text(encoding="utf-8")), ensure_ascii=False)
        prompt = sum(len(m["content"]) for m in request["body"]["messages"]) // 4
        body = {"id": f"chatcmpl-{cid}", "object": "chat.completion", "model": request["body"]["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 4,
                          "total_tokens": prompt + len(content) // 4}}
        lines.append(json.dumps({"id": f"batch_req_{cid}", "custom_id": cid,
                                 "response": {"status_code": 200, "request_id": cid, "body": body}, "error": None},
                                ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} results written to {out}; {missing} request(s) without an answer")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
