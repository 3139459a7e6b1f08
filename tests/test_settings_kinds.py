"""Settings layering (defaults < reviewer.toml < REVIEWER_* < flags) and document-kind resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.document import DocKind
from reviewer.errors import ConfigError, KindError
from reviewer.kinds import Manifest, kind_from_name, load_manifest, parse_kind, resolve_kind
from reviewer.settings import resolve_settings


def test_defaults(tmp_path: Path) -> None:
    s = resolve_settings({}, cwd=tmp_path, env={})
    assert s.out == Path("reviews")
    assert s.formats == ("json", "docx", "md")
    assert s.only == () and s.skip == ()


def test_layers_in_order(tmp_path: Path) -> None:
    (tmp_path / "reviewer.toml").write_text('only = ["score"]\nskip = ["score.pivot"]\nout = "from-toml"\n'
                                            'format = ["json"]\n')
    s = resolve_settings({}, cwd=tmp_path, env={})
    assert s.only == ("score",) and s.skip == ("score.pivot",) and s.out == Path("from-toml")
    s = resolve_settings({}, cwd=tmp_path, env={"REVIEWER_OUT": "from-env", "REVIEWER_SKIP": "kaiser,score.pivot"})
    assert s.out == Path("from-env") and s.skip == ("kaiser", "score.pivot") and s.only == ("score",)
    s = resolve_settings({"out": "from-flag", "only": None}, cwd=tmp_path, env={"REVIEWER_OUT": "from-env"})
    assert s.out == Path("from-flag") and s.only == ("score",)


def test_rubric_dirs_in_config_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "reviewer.toml").write_text('rubrics = ["mine"]\n')
    s = resolve_settings({}, cwd=tmp_path, env={}, config=tmp_path / "cfg" / "reviewer.toml")
    assert s.rubrics == (tmp_path / "cfg" / "mine",)


@pytest.mark.parametrize(
    ("toml", "needle"),
    [("formats = ['pdf']", "unknown format pdf"), ("colour = 'red'", "unknown setting 'colour'"),
     ("only = [", "invalid TOML")],
)
def test_bad_config_names_the_file(tmp_path: Path, toml: str, needle: str) -> None:
    cfg = tmp_path / "reviewer.toml"
    cfg.write_text(toml + "\n")
    with pytest.raises(ConfigError) as exc:
        resolve_settings({}, cwd=tmp_path, env={})
    assert needle in str(exc.value) and "reviewer.toml" in str(exc.value)


def test_unrelated_reviewer_env_vars_are_ignored(tmp_path: Path) -> None:
    s = resolve_settings({}, cwd=tmp_path, env={"REVIEWER_LLM_HOME": "/x"})
    assert s.engine == "rules"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("personal_statement.docx", DocKind.PERSONAL_STATEMENT),
        ("Personal-Statement v3.docx", DocKind.PERSONAL_STATEMENT),
        ("ps.txt", DocKind.PERSONAL_STATEMENT),
        ("PS_draft2.md", DocKind.PERSONAL_STATEMENT),
        ("experiences.yaml", DocKind.EXPERIENCE),
        ("additional_information.md", DocKind.ADDITIONAL_INFO),
        ("interview_step1.txt", DocKind.INTERVIEW_ANSWER),
        ("psych_notes.txt", None),
        ("essay.docx", None),
    ],
)
def test_kind_from_name(name: str, kind: DocKind | None) -> None:
    assert kind_from_name(Path(name)) == kind


def test_resolution_order(tmp_path: Path) -> None:
    m = Manifest(documents={"essay.docx": DocKind.ADDITIONAL_INFO, "ps.docx": DocKind.INTERVIEW_ANSWER})
    assert resolve_kind(Path("essay.docx"), None, m) is DocKind.ADDITIONAL_INFO
    assert resolve_kind(Path("ps.docx"), None, m) is DocKind.INTERVIEW_ANSWER  # manifest beats the name
    assert resolve_kind(Path("ps.docx"), DocKind.EXPERIENCE, m) is DocKind.EXPERIENCE  # flag beats all


def test_unknown_kind_says_how_to_declare_it() -> None:
    with pytest.raises(KindError) as exc:
        resolve_kind(Path("folder/essay.docx"))
    msg = str(exc.value)
    assert "folder/essay.docx" in msg and "--kind" in msg and "application.yaml" in msg
    with pytest.raises(KindError, match="unknown kind 'statement'"):
        parse_kind("statement")


def test_manifest(tmp_path: Path) -> None:
    (tmp_path / "application.yaml").write_text(
        "applicant: Test Person\ntarget: other\ndocuments:\n  essay.docx: additional_info\n")
    m = load_manifest(tmp_path)
    assert m is not None and m.target == "other" and m.documents["essay.docx"] is DocKind.ADDITIONAL_INFO
    (tmp_path / "application.yaml").write_text("documents:\n  essay.docx: essay\n")
    with pytest.raises(ConfigError, match=r"application\.yaml"):
        load_manifest(tmp_path)


def test_thresholds_are_a_reviewer_toml_table_by_criterion_id_or_prefix(tmp_path: Path) -> None:
    from reviewer.pipeline import llm_config, selected_rubrics

    (tmp_path / "reviewer.toml").write_text(
        'engine = "hybrid"\nmodel = "gpt-test"\n\n[thresholds]\n"score.excuse" = { pass_at = 5, fail_at = 3 }\n'
        "kaiser.values = { pass_at = 3 }\nscore = { pass_at = 4, fail_at = 1 }\n")
    s = resolve_settings({}, cwd=tmp_path, env={})
    # an unquoted dotted key (TOML nested tables) names the same criterion as a quoted one
    assert {k: (t.pass_at, t.fail_at) for k, t in s.thresholds.items()} == {
        "score.excuse": (5, 3), "kaiser.values": (3, 2), "score": (4, 1)}
    from reviewer.llm.config import thresholds_for

    config = llm_config(s)
    assert thresholds_for(config, "score.excuse").pass_at == 5
    assert thresholds_for(config, "score.emotion").fail_at == 1  # the prefix
    assert thresholds_for(config, "kaiser.why_specific", pass_at=5).pass_at == 5  # none set: the rubric's own
    assert selected_rubrics(s).criteria()


@pytest.mark.parametrize(
    ("toml", "needle"),
    [('[thresholds]\n"score.excuses" = { pass_at = 5 }', "'score.excuses' is no criterion"),
     ('[thresholds]\n"score.excuse" = { pass_at = 2, fail_at = 3 }', "fail_at must be below pass_at"),
     ('thresholds = "score.excuse=5"', "thresholds are a table in reviewer.toml")],
)
def test_a_bad_threshold_names_the_file(tmp_path: Path, toml: str, needle: str) -> None:
    from reviewer.pipeline import selected_rubrics

    (tmp_path / "reviewer.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as exc:
        selected_rubrics(resolve_settings({}, cwd=tmp_path, env={}))
    assert needle in str(exc.value) and "reviewer.toml" in str(exc.value)


def test_thresholds_cannot_come_from_the_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"table in reviewer\.toml"):
        resolve_settings({}, cwd=tmp_path, env={"REVIEWER_THRESHOLDS": "score=4"})
