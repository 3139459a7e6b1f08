"""Linear text classifiers whose weights are data: what a rubric criterion may consult when blame, say, is
written in more ways than a lexicon lists.

This module owns the feature definition (:func:`features`: lower-cased words and word pairs, digits as ``0``)
and the scoring of a text with a trained model (:class:`LinearModel`: tf-idf with sublinear term frequency
and L2 normalisation, then logistic regression). It does no training: ``benchmarks/judgment/train.py`` fits
the weights with scikit-learn on the labelled cases and writes them to ``rubrics/models/<name>.json``, which
a criterion names in its params. Scoring is pure, deterministic and offline, so the rules engine stays a
rules engine: the same text always gets the same verdict, and the weights can be read and diffed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from ..errors import ConfigError

MODEL_SCHEMA = "reviewer.linear/1"
_WORD = re.compile(r"\b(?:\w\w+|0)\b")  # words of two letters or more, and numbers
_DIGITS = re.compile(r"\d+")
_APOSTROPHE = re.compile(r"[’‘`]")


def features(text: str, ngram: int = 1) -> list[str]:
    """The terms of ``text``: its words of two or more letters (lower-cased, curly apostrophes straight) and its
    numbers (every one as ``0``), and with ``ngram`` 2 also each pair of neighbouring terms."""
    words = _WORD.findall(_DIGITS.sub("0", _APOSTROPHE.sub("'", text.lower())))
    out = list(words)
    for n in range(2, ngram + 1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return out


@dataclass(frozen=True)
class LinearModel:
    """A trained text classifier: each known term's inverse document frequency and weight, and the bias."""

    name: str
    ngram: int
    intercept: float
    idf: dict[str, float]
    weight: dict[str, float]
    about: str = ""

    def probability(self, text: str) -> float:
        """How likely the text is the positive class (e.g. "gives an excuse"), from 0 to 1."""
        counts = Counter(t for t in features(text, self.ngram) if t in self.idf)
        if not counts:
            return _sigmoid(self.intercept)
        values = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return _sigmoid(self.intercept + sum(v * self.weight.get(t, 0.0) for t, v in values.items()) / norm)


def _sigmoid(z: float) -> float:
    """The logistic function, without overflow for a large negative ``z``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Reading:
    """A model's reading of a passage given as sentences: the probability of the whole and of each sentence,
    whether it reaches the thresholds, and the sentence that reads most so (its index)."""

    passage: float
    sentences: tuple[float, ...]
    flagged: bool
    worst: int


def read(model: LinearModel, sentences: Sequence[str], threshold: float,
         sentence_threshold: float | None = None) -> Reading:
    """Flag the passage when the whole reaches ``threshold``, or one sentence alone ``sentence_threshold`` (a
    single plainly blaming sentence among owning ones dilutes the whole)."""
    whole = model.probability(" ".join(sentences))
    each = tuple(model.probability(s) for s in sentences)
    worst = max(range(len(each)), key=each.__getitem__) if each else 0
    alone = sentence_threshold is not None and bool(each) and each[worst] >= sentence_threshold
    flagged = whole >= threshold or alone
    return Reading(whole, each, flagged, worst)


def parse_model(name: str, data: object) -> LinearModel:
    """A :class:`LinearModel` from the JSON a training run wrote; :class:`ConfigError` when it is not one."""
    if not isinstance(data, dict) or data.get("schema") != MODEL_SCHEMA:
        raise ConfigError(f"model {name!r} is not a {MODEL_SCHEMA} file; retrain it with benchmarks/judgment/train.py")
    try:
        terms = data["terms"]
        return LinearModel(
            name=name,
            ngram=int(data["ngram"]),
            intercept=float(data["intercept"]),
            idf={t: float(v[0]) for t, v in terms.items()},
            weight={t: float(v[1]) for t, v in terms.items() if v[1]},
            about=str(data.get("about", "")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ConfigError(f"model {name!r} is malformed ({exc}); retrain it with benchmarks/judgment/train.py") from exc


def model_path(name: str) -> Traversable:
    """Where the packaged model ``name`` lives (``rubrics/models/<name>.json``); :class:`ConfigError` when the
    name is not one or no such model ships. Cheap: a rubric names its model when it loads, and every command
    loads the rubrics; the weights are read only when a check first scores a text (:func:`load_model`)."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,40}", name):
        raise ConfigError(f"model name {name!r}: use lower-case letters, digits, '-' or '_'")
    path = resources.files("reviewer") / "rubrics" / "models" / f"{name}.json"
    if not path.is_file():
        raise ConfigError(f"no model {name!r} in rubrics/models/; train it with benchmarks/judgment/train.py")
    return path


@cache
def load_model(name: str) -> LinearModel:
    """The packaged model ``rubrics/models/<name>.json`` (read once per process)."""
    return parse_model(name, json.loads(model_path(name).read_text(encoding="utf-8")))
