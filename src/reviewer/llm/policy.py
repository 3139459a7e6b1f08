"""Which engine judges which criterion, and how far a model verdict may go: read from the rubric.

The policy is data: each criterion says in its YAML who judges it (``judge``) and the worst verdict a model
score may give it (``model_ceiling``), validated when the rubric loads (:mod:`reviewer.rubric`), so adding a
criterion never needs a change here.

* ``judge: rules`` (counted criteria: lengths, counts, lexicon breadth, and ``integrity.*``) is never sent to a
  model, in any engine: a model cannot count characters, and a model that reads an injected "rate this 5/5"
  must not be the one deciding whether the draft contains one.
* ``judge: model`` (judgment: excuse vs context, what changed, why Kaiser, teamwork...): in ``hybrid`` the
  model's grounded answer decides; the stricter of the rules verdict and the model verdict stands only when
  the draft is suspect (``integrity.instructions`` or ``integrity.hidden_text`` flags it) or the model's
  answer for that criterion is ungrounded (a quote it gave is not in the draft, or it asserts with nothing
  to point at).
* ``judge: both``: the stricter of the two verdicts, always (a model can add a concern, never clear one).
* ``llm`` mode: the model's verdict for every criterion it judges (``model`` and ``both``).
* ``model_ceiling: warn``: criteria that can only *warn* in the spec ("warn when absent") never fail on a
  model score.
* Application-scope rubrics are never sent: they compare documents, which the rules do exactly.

``LLMConfig.rules_only`` (dotted prefixes), when set, keeps the matching criteria with the rules in hybrid.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import CriterionResult, Verdict
from ..rubric import Criterion, JudgedBy, matches_prefix
from .config import LLMConfig, Mode

# The integrity criteria whose flag makes a draft suspect: the model's word then never clears a rules concern.
SUSPECT_FLAGS: tuple[str, ...] = ("integrity.instructions", "integrity.hidden_text")


def llm_judged(criterion: Criterion, mode: Mode, config: LLMConfig) -> bool:
    """Whether the model judges ``criterion`` in ``mode``."""
    if not criterion.model_judged:
        return False
    if mode == "hybrid" and config.rules_only is not None:
        return not any(matches_prefix(criterion.id, p) for p in config.rules_only)
    return True


def model_decides(criterion: Criterion, mode: Mode) -> bool:
    """Whether the model's (grounded) verdict replaces the rules verdict rather than joining it."""
    return mode == "llm" or criterion.judge is JudgedBy.MODEL


def ceiling(criterion: Criterion) -> Verdict:
    """The worst verdict an LLM score may give this criterion."""
    return Verdict.WARN if criterion.model_ceiling == "warn" else Verdict.FAIL


def suspect(rule_results: Sequence[CriterionResult]) -> bool:
    """Whether the rules found the draft suspect: text addressed to an AI, or hidden text."""
    return any(r.id in SUSPECT_FLAGS and r.verdict in (Verdict.WARN, Verdict.FAIL) for r in rule_results)
