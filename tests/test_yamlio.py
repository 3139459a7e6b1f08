"""The YAML loader choice: fast C loader only for provably shallow text, same values either way, and
deeply nested hostile text refused with a message instead of crashing the interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reviewer.errors import ConfigError, InputError, RubricError
from reviewer.kinds import load_manifest
from reviewer.rubric import load_rubric
from reviewer.yamlio import MAX_FAST_DEPTH, load_safe, shallow

ROOT = Path(__file__).resolve().parents[1]
DEEP = {
    "dashes": "- " * 100_000 + "x\n",
    "brackets": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "questions": "? " * 100_000 + "x\n",
}


def yaml_files() -> list[Path]:
    return sorted(p for pattern in ("samples/**/*.yaml", "src/reviewer/rubrics/*.yaml")
                  for p in ROOT.glob(pattern))


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: p.name)
def test_real_files_are_shallow_and_load_as_the_pure_loader_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert shallow(text)
    assert load_safe(text) == YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize("text", list(DEEP.values()), ids=list(DEEP))
def test_deep_text_is_not_shallow(text: str) -> None:
    assert not shallow(text)


def test_bounds() -> None:
    assert shallow("- " * (MAX_FAST_DEPTH // 2) + "x")
    assert not shallow("- " * (MAX_FAST_DEPTH // 2 + 1) + "x")
    assert shallow("[" * MAX_FAST_DEPTH + "]" * MAX_FAST_DEPTH)
    assert not shallow("[" * (MAX_FAST_DEPTH + 1) + "]" * (MAX_FAST_DEPTH + 1))
    assert not shallow(" " * (MAX_FAST_DEPTH + 1) + "a: 1")
    assert shallow("description: a plan - then a check - then a - b - c - d\n" * 50)  # prose dashes, one each


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_text_raises_instead_of_crashing(name: str) -> None:
    """In a child interpreter: the C loader would end it with SIGSEGV, which must not happen."""
    code = (
        "import sys\n"
        "from tests.test_yamlio import DEEP\n"
        "from reviewer.yamlio import load_safe\n"
        f"try:\n    load_safe(DEEP[{name!r}])\nexcept RecursionError:\n    sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 3, (done.returncode, done.stderr[-500:])


def test_invalid_yaml_is_reported_by_the_pure_loader() -> None:
    from ruamel.yaml.error import YAMLError

    with pytest.raises(YAMLError) as fast:
        load_safe("a: [1, 2\nb: 3\n")
    with pytest.raises(YAMLError) as pure:
        YAML(typ="safe", pure=True).load("a: [1, 2\nb: 3\n")
    assert str(fast.value) == str(pure.value)


def test_deep_manifest_rubric_and_entries_get_one_clear_error(tmp_path: Path) -> None:
    from reviewer.document import DocKind
    from reviewer.ingest import load_document

    (tmp_path / "application.yaml").write_text(DEEP["dashes"], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"application\.yaml: cannot read the manifest: nested too deeply"):
        load_manifest(tmp_path)
    rubric = tmp_path / "deep.yaml"
    rubric.write_text(DEEP["dashes"], encoding="utf-8")
    with pytest.raises(RubricError, match=r"deep\.yaml"):
        load_rubric(rubric)
    entries = tmp_path / "experiences.yaml"
    entries.write_text(DEEP["dashes"], encoding="utf-8")
    with pytest.raises(InputError, match=r"experiences\.yaml"):
        load_document(entries, DocKind.EXPERIENCE)
