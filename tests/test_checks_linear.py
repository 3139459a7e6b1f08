"""The linear classifiers the rules engine consults: features, scoring identical to the library that fits them,
the packaged model behind ``score.excuse``, and a rubric that names a model that is not there."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from reviewer.checks.linear import LinearModel, features, load_model, parse_model
from reviewer.checks.registry import Context, parse_params
from reviewer.checks.score import ClassifierParams, PhraseParams, check_excuse
from reviewer.document import DocKind
from reviewer.errors import ConfigError, RubricError
from reviewer.findings import Verdict
from reviewer.rubric import RubricSet, load_rubrics

from conftest import make_doc

TRAIN = Path(__file__).resolve().parents[1] / "benchmarks" / "judgment" / "train.py"


def test_features_are_lower_cased_words_and_folded_numbers() -> None:
    assert features("My Step 1 score was 198, I’m told.") == ["my", "step", "0", "score", "was", "0", "told"]
    assert features("The centre froze", 2)[-2:] == ["the centre", "centre froze"]


def test_scoring_matches_the_library_that_fits_the_weights() -> None:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("judgment_train", TRAIN)
    assert spec and spec.loader
    train = importlib.util.module_from_spec(spec)
    sys.modules["judgment_train"] = train
    spec.loader.exec_module(train)
    texts = ["the centre was noisy and the proctor late", "I owned my result and changed my method",
             "the school never taught us", "I used UWorld daily and passed", "the centre lost power",
             "I made a plan and kept it"] * 2
    flags = [True, False, True, False, True, False] * 2
    examples = [train.Example((t,), f) for t, f in zip(texts, flags, strict=True)]
    model = train.fit(examples)

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda t: features(t, train.NGRAM), sublinear_tf=True, min_df=train.MIN_DF)
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=train.C, max_iter=5000, class_weight="balanced").fit(x, flags)
    for text in [*texts, "a text with no known word", "the proctor was late but I owned it"]:
        expected = clf.predict_proba(vec.transform([text]))[0][1]
        assert model.probability(text) == pytest.approx(expected, abs=1e-9)


def test_the_packaged_excuse_model_loads_and_tells_blame_from_ownership() -> None:
    model = load_model("excuse")
    assert model.idf and model.weight and "score.excuse" in model.about
    blame = "I failed Step 1 because the school cancelled our review block and the centre was chaos that day."
    owned = "I failed Step 1 because I had not practised timed questions; I then did forty a day and passed."
    assert model.probability(blame) > model.probability(owned)


def test_a_model_file_that_is_not_one_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"not a reviewer\.linear/1"):
        parse_model("x", {"terms": {}})
    with pytest.raises(ConfigError, match="malformed"):
        parse_model("x", {"schema": "reviewer.linear/1", "ngram": 1, "intercept": 0, "terms": {"a": [1.0]}})
    with pytest.raises(ConfigError, match="no model"):
        load_model("absent-model")


@pytest.mark.parametrize(("bias", "expected"), [(5.0, Verdict.WARN), (-5.0, Verdict.PASS)])
def test_the_classifier_is_read_only_when_no_phrase_is_found(monkeypatch: pytest.MonkeyPatch, bias: float,
                                                            expected: Verdict) -> None:
    from reviewer.checks import score

    # a model that reads any passage as blame (or none): what the check does with a reading, apart from weights
    monkeypatch.setattr(score, "load_model", lambda name: LinearModel(name, 1, bias, {"step": 1.0}, {}))
    params = PhraseParams(classifier=ClassifierParams(model="excuse", threshold=0.6, label="reads as blame"))
    doc = make_doc("I failed Step 1 in 2021. The morning of the exam, the bus was late. I passed in 2022.",
                   DocKind.PERSONAL_STATEMENT)
    out = check_excuse(Context(doc), params)
    assert out.verdict is expected
    if expected is Verdict.WARN:
        (hit,) = out.hits
        assert doc.text[hit.start : hit.end] in {s.text for s in doc.sentences}
        assert hit.note.startswith('reads as blame: "')
    listed = PhraseParams(groups={"blames the bus": ("bus was late",)}, classifier=params.classifier)
    assert check_excuse(Context(doc), listed).verdict is Verdict.FAIL  # a listed phrase is quoted as before


def test_the_rubric_consults_the_packaged_model(rubrics: RubricSet) -> None:
    _, crit = rubrics.get("score.excuse")
    params = parse_params(crit.check, crit.params)
    assert isinstance(params, PhraseParams) and params.classifier is not None
    assert load_model(params.classifier.model).name == "excuse"


def test_a_rubric_naming_a_missing_model_is_refused_at_load(tmp_path: Path) -> None:
    rubric = (Path(__file__).resolve().parents[1] / "src" / "reviewer" / "rubrics" / "score-discussion.yaml")
    text = rubric.read_text(encoding="utf-8").replace("model: excuse", "model: absent-model", 1)
    assert "absent-model" in text
    (tmp_path / "score-discussion.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RubricError, match="absent-model"):
        load_rubrics([tmp_path], builtin=False)


def test_the_packaged_setback_model_loads_and_tells_a_setback_from_a_strength() -> None:
    model = load_model("setback")
    assert model.idf and model.weight and "retaken exam result" in model.about
    setback = "The result I brought home that June closed most of the doors I had planned to knock on."
    strength = "I scored 251 on Step 2 CK and 247 on Step 3, both on my first attempt."
    assert model.probability(setback) > 0.5 > model.probability(strength)


@pytest.mark.parametrize(("bias", "setback"), [(5.0, True), (-5.0, False)])
def test_the_setback_reading_decides_only_where_the_wording_finds_none(monkeypatch: pytest.MonkeyPatch, bias: float,
                                                                       setback: bool) -> None:
    from reviewer.checks import score

    # a model that reads every sentence as a setback (or none): what the span finder does with a reading
    monkeypatch.setattr(score, "load_model", lambda name: LinearModel(name, 1, bias, {"step": 1.0}, {}))
    score.model_probability.cache_clear()
    try:
        oblique = make_doc("My Step 1 result in June reshaped every plan I had made for my application year.")
        (found,) = score.find_score_discussions(oblique)
        assert found.setback is setback
        # the wording decides where it speaks: a failure whatever the model reads, a first-time pass never read
        failed = make_doc("I failed Step 1 in March 2021 and passed it in the autumn with a 221.")
        assert score.find_score_discussions(failed)[0].setback
        first = make_doc("I passed Step 1 on my first attempt in 2021 and then worked in rural clinics for a year.")
        assert not any(d.setback for d in score.find_score_discussions(first))
        assert not any(d.setback for d in score.find_score_discussions(make_doc("Step 1 summary")))
    finally:
        score.model_probability.cache_clear()
