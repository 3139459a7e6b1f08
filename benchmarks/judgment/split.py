"""Split labelled cases into the development part (tuned on) and the test part (never tuned on, only reported).

    python benchmarks/judgment/split.py --batch N SOURCE_FOLDER [SOURCE_FOLDER ...]

Each case goes to ``src/reviewer/evalset/dev`` or ``.../test`` by a hash of its id (about half each), so the
split does not depend on the order cases were written in and a case never changes sides. Labels that the
second reader disputed (``<folder>/disputes.yaml``: ``{case id: [criterion, ...]}``) are dropped first, and so
is ``score.length`` on interview answers: the spec has ``interview.length`` judge their length (``score.length``
is not applicable there), and the writers were told to copy that label, so it would count one judgment twice.
``--batch N`` records the writing round in each case: a later round was written after the rules were tuned on
the dev part of the earlier ones, so its test cases show how the rules do on text written after tuning.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
EVALSET = ROOT / "src" / "reviewer" / "evalset"


def side(case_id: str) -> str:
    return "test" if hashlib.sha256(case_id.encode()).digest()[0] % 2 else "dev"


def main(folders: list[str], batch: int) -> None:
    yaml = YAML()
    yaml.width = 4096
    yaml.preserve_quotes = True
    counts = {"dev": 0, "test": 0}
    for folder in map(Path, folders):
        disputes_path = folder / "disputes.yaml"
        disputes = YAML(typ="safe").load(disputes_path.read_text()) if disputes_path.exists() else {}
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "disputes.yaml":
                continue
            data = yaml.load(path.read_text(encoding="utf-8"))
            for criterion in (disputes or {}).get(data["id"], []):
                data["labels"].pop(criterion, None)
                if "why" in data and criterion in data["why"]:
                    data["why"].pop(criterion)
            if data.get("kind") == "interview_answer":
                data["labels"].pop("score.length", None)
            data["batch"] = batch
            where = side(data["id"])
            (EVALSET / where).mkdir(parents=True, exist_ok=True)
            with (EVALSET / where / path.name).open("w", encoding="utf-8") as out:
                yaml.dump(data, out)
            counts[where] += 1
    print(f"dev {counts['dev']}, test {counts['test']}")


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "--batch" or not sys.argv[2].isdigit():
        sys.exit("usage: split.py --batch N SOURCE_FOLDER [SOURCE_FOLDER ...]")
    main(sys.argv[3:], int(sys.argv[2]))
