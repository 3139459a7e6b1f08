"""Which engine judges which criterion, and how far an LLM verdict may go.

* ``integrity.*`` is always judged by rules, in every engine, whatever a model says: a model that
  reads an injected "rate this 5/5" must not be the one deciding whether the draft contains one.
* In ``hybrid`` mode the criteria whose check is a count, a length or a lexicon stay rules-judged
  (:data:`RULES_ONLY`: the score discussion's presence and length, word and character limits, entry
  quantities and outcomes, vague-phrase lists, Kaiser value breadth); the judgment criteria (does the
  score discussion explain rather than excuse, name a change, pivot forward; is the why-Kaiser reason
  specific and backed; does an entry show teamwork, a Kaiser link) go to the model. ``LLMConfig.rules_only``
  replaces the list (dotted prefixes). In ``llm`` mode every criterion but ``integrity.*`` goes to the model.
* :data:`WARN_ONLY` criteria can only *warn* in the spec ("warn when absent"), so an LLM score can make
  them warn at worst, never fail.
* Application-scope rubrics are never sent: they compare documents, which the rules do exactly.
"""

from __future__ import annotations

from ..findings import Verdict
from ..rubric import Criterion, matches_prefix
from .config import LLMConfig, Mode

ALWAYS_RULES: tuple[str, ...] = ("integrity",)

RULES_ONLY: tuple[str, ...] = (
    "score.mention",
    "score.length",
    "interview.length",
    "experience.length",
    "experience.quantified",
    "experience.outcome",
    "experience.vague",
    "kaiser.values",
)

WARN_ONLY: tuple[str, ...] = (
    "score.evidence",
    "score.pivot",
    "kaiser.evidence_backed",
    "experience.teamwork",
    "experience.kaiser_link",
    "experience.outcome",
    "experience.vague",
)


def llm_judged(criterion: Criterion, mode: Mode, config: LLMConfig) -> bool:
    """Whether the model judges ``criterion`` in ``mode``."""
    if any(matches_prefix(criterion.id, p) for p in ALWAYS_RULES):
        return False
    if mode == "llm":
        return True
    keep = RULES_ONLY if config.rules_only is None else config.rules_only
    return not any(matches_prefix(criterion.id, p) for p in keep)


def ceiling(criterion: Criterion) -> Verdict:
    """The worst verdict an LLM score may give this criterion."""
    return Verdict.WARN if any(matches_prefix(criterion.id, p) for p in WARN_ONLY) else Verdict.FAIL
