"""JSON output of a program plan: ``reviewer.plan/1`` (schema: ``schemas/plan-1.schema.json``).

A public contract like ``reviewer.review/1``: add fields freely, never rename or remove them.
"""

from __future__ import annotations

import json
from typing import Any

from ..programs.result import PLAN_SCHEMA, Decision, Plan, TierCounts


def _counts(c: TierCounts) -> dict[str, int]:
    return {"likely": c.likely, "target": c.target, "reach": c.reach, "excluded": c.excluded}


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "row": d.row, "program": d.program, "location": d.location, "specialty": d.specialty,
        "program_type": d.program_type, "visa": d.visa, "tier": d.tier.value, "score": d.score,
        "excluded_by": list(d.excluded_by), "stale": d.stale, "statement": d.statement, "source_url": d.source_url,
        "reasons": [{"kind": r.kind, "code": r.code, "text": r.text, "points": r.points} for r in d.reasons],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    pf = plan.portfolio
    return {
        "schema": PLAN_SCHEMA,
        "applicant": plan.applicant,
        "as_of": plan.as_of.isoformat(),
        "programs_file": plan.programs_file,
        "weights": plan.weights,
        "profile": plan.profile.model_dump(mode="json", exclude_none=True),
        "profile_notes": [n.model_dump(mode="json") for n in plan.profile_notes],
        "portfolio": {
            "counts": _counts(pf.counts),
            "by_specialty": {s: _counts(c) for s, c in pf.by_specialty.items()},
            "breadth": pf.breadth,
            "kaiser": pf.kaiser,
            "advice": list(pf.advice),
            "other_specialties": pf.other_specialties,
        },
        "signals": {
            "available": plan.signals_available,
            "picks": [{"row": s.row, "program": s.program, "tier": s.tier.value, "recommended": s.recommended,
                       "reasons": list(s.reasons), "missing": list(s.missing)} for s in plan.signals],
        },
        "openers": [{"code": o.code, "text": o.text, "rows": list(o.rows)} for o in plan.openers],
        "programs": [_decision(d) for d in plan.decisions],
        "file_problems": list(plan.file_problems),
        "references": [{"figure": r.figure, "source": r.source} for r in plan.references],
    }


def plan_json_text(plan: Plan) -> str:
    return json.dumps(plan_json(plan), ensure_ascii=False, indent=2) + "\n"
