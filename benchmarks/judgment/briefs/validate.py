"""Validate labelled cases: python3 validate.py FOLDER [FOLDER...]"""
import sys
from pathlib import Path

from ruamel.yaml import YAML

KINDS = {
    "personal_statement": ["score.mention", "score.length", "score.excuse", "score.emotion", "score.what_changed",
                           "score.evidence", "score.pivot", "kaiser.why_specific", "kaiser.values",
                           "kaiser.evidence_backed", "integrity.instructions"],
    "additional_info": ["score.mention", "score.length", "score.excuse", "score.emotion", "score.what_changed",
                        "score.evidence", "score.pivot", "integrity.instructions"],
    "interview_answer": ["score.mention", "score.length", "score.excuse", "score.emotion", "score.what_changed",
                         "score.evidence", "score.pivot", "interview.length", "integrity.instructions"],
    "experience": ["experience.quantified", "experience.outcome", "experience.teamwork", "experience.kaiser_link",
                   "experience.vague", "experience.length", "integrity.instructions"],
}
APP = ["application.score_once", "application.consistency", "application.gaps"]
VALUES = {"pass", "flag", "not_applicable", "either"}


def check_label(v):
    if isinstance(v, list):
        return all(x in VALUES - {"either"} for x in v) and len(v) >= 2
    return v in VALUES


def main():
    bad = 0
    n = 0
    ids = set()
    for folder in sys.argv[1:]:
        for p in sorted(Path(folder).glob("*-*.yaml")):  # case ids are prefix-number; disputes.yaml is not one
            n += 1
            try:
                d = YAML(typ="safe").load(p.read_text(encoding="utf-8"))
                assert isinstance(d, dict), "not a mapping"
                assert d.get("id") == p.stem, f"id {d.get('id')!r} != file stem"
                assert d["id"] not in ids, "duplicate id"
                ids.add(d["id"])
                assert d.get("target", "kaiser") in ("kaiser", "other"), "target must be kaiser|other"
                probes = d.get("probes", [])
                assert isinstance(probes, list) and all(isinstance(x, str) for x in probes), \
                    "probes must be a list of strings (quote an item that holds a colon)"
                labels = d.get("labels") or {}
                if d.get("type") == "application":
                    docs = d.get("documents")
                    assert isinstance(docs, list) and docs, "documents list required"
                    for doc in docs:
                        assert doc.get("kind") in KINDS, f"bad kind {doc.get('kind')}"
                        assert doc.get("name") and isinstance(doc.get("text"), str) and doc["text"].strip()
                    want = APP
                else:
                    assert d.get("kind") in KINDS, f"bad kind {d.get('kind')}"
                    assert isinstance(d.get("text"), str) and d["text"].strip(), "text required"
                    want = KINDS[d["kind"]]
                missing = [c for c in want if c not in labels]
                extra = [c for c in labels if c not in want]
                assert not missing, f"missing labels {missing}"
                assert not extra, f"unknown labels {extra}"
                for c, v in labels.items():
                    assert check_label(v), f"{c}: bad label {v!r}"
            except Exception as e:
                bad += 1
                print(f"{p}: {e}")
    print(f"{n} files, {bad} bad")
    sys.exit(1 if bad else 0)


main()
