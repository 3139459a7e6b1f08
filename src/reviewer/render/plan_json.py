"""JSON output of a program plan: ``reviewer.plan/1`` (schema: ``schemas/plan-1.schema.json``).

A public contract like ``reviewer.review/1``: add fields freely, never rename or remove them.
"""

from __future__ import annotations

import json
from typing import Any

from ..programs.result import PLAN_SCHEMA, Plan


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as ``reviewer.plan/1``: the plan's own models dumped as they are (their fields are the schema's),
    with the envelope (schema id, date, profile without its blanks) around them."""
    return {
        "schema": PLAN_SCHEMA,
        "applicant": plan.applicant,
        "as_of": plan.as_of.isoformat(),
        "programs_file": plan.programs_file,
        "weights": plan.weights,
        "profile": plan.profile.model_dump(mode="json", exclude_none=True),
        "profile_notes": [n.model_dump(mode="json") for n in plan.profile_notes],
        "portfolio": plan.portfolio.model_dump(mode="json"),
        "signals": {
            "available": plan.signals_available,
            "picks": [s.model_dump(mode="json") for s in plan.signals],
        },
        "openers": [o.model_dump(mode="json") for o in plan.openers],
        "programs": [d.model_dump(mode="json") for d in plan.decisions],
        "file_problems": list(plan.file_problems),
        "references": [r.model_dump(mode="json") for r in plan.references],
    }


def plan_json_text(plan: Plan) -> str:
    return json.dumps(plan_json(plan), ensure_ascii=False, indent=2) + "\n"
