"""Split labelled cases into the development part (tuned on) and the test part (never tuned on, only reported).

    python benchmarks/judgment/split.py --batch N [--dev-only] SOURCE_FOLDER [SOURCE_FOLDER ...]

Each case goes to ``src/reviewer/evalset/dev`` or ``.../test`` by a hash of its id (about half each), so the
split does not depend on the order cases were written in and a case never changes sides. Labels that the
second reader disputed (``<folder>/disputes.yaml``: ``{case id: [criterion, ...]}``) are dropped first, and so
is ``score.length`` on interview answers: the spec has ``interview.length`` judge their length (``score.length``
is not applicable there), and the writers were told to copy that label, so it would count one judgment twice.
``--batch N`` records the writing round in each case: a later round was written after the rules were tuned on
the dev part of the earlier ones, so its test cases show how the rules do on text written after tuning.
``--dev-only`` puts a whole round in dev (tuning material only, decided before the round was written): the
test part then stays exactly what it was.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
EVALSET = ROOT / "src" / "reviewer" / "evalset"


def side(case_id: str) -> str:
    return "test" if hashlib.sha256(case_id.encode()).digest()[0] % 2 else "dev"


def main(folders: list[str], batch: int, dev_only: bool = False) -> None:
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
            where = "dev" if dev_only else side(data["id"])
            (EVALSET / where).mkdir(parents=True, exist_ok=True)
            with (EVALSET / where / path.name).open("w", encoding="utf-8") as out:
                yaml.dump(data, out)
            counts[where] += 1
    print(f"dev {counts['dev']}, test {counts['test']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, required=True, help="the writing round of these cases")
    parser.add_argument("--dev-only", action="store_true", help="put the whole round in dev (tuning material)")
    parser.add_argument("folders", nargs="+", help="folders of labelled cases and their disputes.yaml")
    args = parser.parse_args()
    main(args.folders, args.batch, args.dev_only)
