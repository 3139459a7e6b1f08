"""The strict rubric loader: located `path:line:` errors, overrides, selection by dotted prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import Outcome, Params, register
from reviewer.errors import RubricError
from reviewer.findings import Verdict
from reviewer.rubric import load_rubric, load_rubrics, matches_prefix


class _WordsParams(Params):
    words: list[str]


@register("test_words", _WordsParams)
def _words(ctx, params: _WordsParams) -> Outcome:  # a detector used only by these tests
    return Outcome(Verdict.PASS)


GOOD = """\
id: demo
title: Demo rubric
applies_to: [personal_statement]
criteria:
  - id: demo.words
    title: Uses words
    guide: "Personal Statement: From Weakness to Strength"
    severity: warning
    check: test_words
    params:
      words: [a, b]
    message: Says something.
    suggestion: Do something.
    examples:
      flag: ["x"]
      pass: ["y"]
"""


def _write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_rubric_loads(tmp_path: Path) -> None:
    r = load_rubric(_write(tmp_path, GOOD))
    assert r.criteria[0].id == "demo.words" and r.criteria[0].examples.pass_[0].text == "y"


@pytest.mark.parametrize(
    ("old", "new", "line", "needle"),
    [
        ("    severity: warning\n", "    severity: warning\n    colour: red\n", 9, "colour: extra inputs"),
        ("      words: [a, b]\n", "      wrods: [a, b]\n", 10, "params: words: field required"),
        ("    check: test_words\n", "    check: no_such_check\n", 9, "unknown check 'no_such_check'"),
        ("    severity: warning\n", "    severity: loud\n", 8, "severity: input should be"),
        ("      pass: [\"y\"]\n", "", 14, "examples.pass: field required"),
        ("  - id: demo.words\n", "  - id: Demo Words\n", 5, "id: string should match pattern"),
    ],
)
def test_errors_are_located(tmp_path: Path, old: str, new: str, line: int, needle: str) -> None:
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RubricError) as exc:
        load_rubric(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}:{line}: "), msg
    assert needle in msg, msg


def test_criterion_named_in_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("      words: [a, b]\n", "      words: 3\n"))
    with pytest.raises(RubricError, match=r"criterion 'demo\.words': params: words: input should be a valid list"):
        load_rubric(path)


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("title: Demo rubric", "title: [unclosed"))
    with pytest.raises(RubricError, match=rf"^{path}:\d+: invalid YAML"):
        load_rubric(path)


def test_user_rubrics_add_and_override(tmp_path: Path) -> None:
    builtin = load_rubrics()
    extra = tmp_path / "mine"
    extra.mkdir()
    _write(extra, GOOD)
    merged = load_rubrics([extra])
    assert {r.id for r in merged.rubrics} == {r.id for r in builtin.rubrics} | {"demo"}
    first = builtin.rubrics[0]
    override_dir = tmp_path / "override"
    override_dir.mkdir()
    _write(override_dir, GOOD.replace("id: demo\n", f"id: {first.id}\n"))
    merged = load_rubrics([override_dir])
    replaced = next(r for r in merged.rubrics if r.id == first.id)
    assert [c.id for c in replaced.criteria] == ["demo.words"]
    assert len(merged.rubrics) == len(builtin.rubrics)


def test_duplicate_ids_across_rubrics_rejected(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    _write(tmp_path, GOOD.replace("id: demo\n", "id: demo-two\n"), "two.yaml")
    with pytest.raises(RubricError, match="defined in two rubrics"):
        load_rubrics([tmp_path], builtin=False)


def test_missing_rubric_folder(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="rubric folder not found"):
        load_rubrics([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("cid", "prefix", "hit"),
    [("score.excuse", "score", True), ("score.excuse", "score.excuse", True), ("score.excuse", "score.ex", False),
     ("scores.x", "score", False), ("score.excuse", "score.", True)],
)
def test_prefix_match(cid: str, prefix: str, hit: bool) -> None:
    assert matches_prefix(cid, prefix) is hit


def test_select_only_and_skip(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    _write(tmp_path, GOOD.replace("id: demo\n", "id: other\n").replace("demo.words", "other.words"), "o.yaml")
    rs = load_rubrics([tmp_path], builtin=False)
    assert [c.id for _, c in rs.select(only=["demo"]).criteria()] == ["demo.words"]
    assert [c.id for _, c in rs.select(skip=["demo.words"]).criteria()] == ["other.words"]
    assert list(rs.select(only=["demo"], skip=["demo"]).criteria()) == []


def test_digest_follows_the_selection_even_once_computed() -> None:
    rs = load_rubrics()
    full, first = rs.digest, rs.rubrics[0].digest  # computed (and cached) before selecting
    selected = rs.select(only=[rs.rubrics[0].criteria[0].id])
    assert selected.digest != full
    assert selected.rubrics[0].digest != first
    assert selected.rubrics[0].digest == load_rubrics().select(only=[rs.rubrics[0].criteria[0].id]).rubrics[0].digest
    assert rs.select().digest == full
