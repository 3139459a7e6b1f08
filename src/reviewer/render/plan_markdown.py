"""Markdown output of a program plan: the summary and advice first, then every program with its reasons.

Order: counts and advice, the profile (with facts filled from the documents and disagreements, quoted),
where to signal, what would open more programs, the tiers (likely, target, reach) as tables with each
program's main reasons, the excluded programs with why, every eligible program's full score, problems in
the programs file, and the reference figures with their sources.
"""

from __future__ import annotations

from ..errors import printable
from ..programs.result import TIERS, Decision, Plan, Reason, Tier, TierCounts
from .markdown import md_cell, md_code_cell


def _cell(text: str) -> str:
    """Text from the spreadsheet or the documents: inert Markdown (see :mod:`reviewer.render.markdown`), pipes
    escaped for tables."""
    return md_cell(printable(text))


def _points(r: Reason) -> str:
    return f" ({r.points:+.1f})" if r.points else ""


def main_reasons(d: Decision, limit: int = 3) -> str:
    """The reasons that move the score most (or, for an excluded program, the failed filters), in words."""
    if d.tier is Tier.EXCLUDED:
        return "; ".join(r.text for r in d.reasons if r.kind == "filter")
    scored = sorted((r for r in d.reasons if r.kind == "score" and r.points), key=lambda r: -abs(r.points or 0))
    return "; ".join(f"{r.text}{_points(r)}" for r in scored[:limit]) or "no part of the score moved it"


def _counts_row(name: str, c: TierCounts) -> str:
    return f"| {name if name == '**All**' else _cell(name)} | {c.likely} | {c.target} | {c.reach} | {c.excluded} |"


def plan_markdown(plan: Plan) -> str:
    pf = plan.portfolio
    out = [f"# Program plan: {_cell(plan.applicant)}", "",
           f"As of {plan.as_of.isoformat()}, from {md_code_cell(plan.programs_file)} with weights "
           f"{md_code_cell(plan.weights)}. "
           "Tiers come from a transparent score; every program's reasons are below. Check each program's own "
           "page before you apply: program policies change every season.", "",
           "## Summary", "", "| Specialty | Likely | Target | Reach | Excluded |", "|---|---|---|---|---|"]
    out += [_counts_row(s, c) for s, c in pf.by_specialty.items()]
    out += [_counts_row("**All**", pf.counts), ""]
    if pf.other_specialties:
        others = ", ".join(f"{s} {n}" for s, n in pf.other_specialties.items())
        out += [f"Not planned (specialties you did not list): {others}.", ""]
    out += [f"- {_cell(a)}" for a in pf.advice] + [""]
    out += _profile(plan) + _signals(plan) + _openers(plan)
    for tier in TIERS:
        rows = plan.tier(tier)
        out += [f"## {tier.value.capitalize()} ({len(rows)})", ""]
        if not rows:
            out += ["None.", ""]
            continue
        out += ["| Program | Location | Specialty | Score | Main reasons |", "|---|---|---|---|---|"]
        out += [f"| {_cell(d.program)}{' (stale)' if d.stale else ''} | {_cell(d.location)} | {_cell(d.specialty)} | "
                f"{d.score:+.1f} | {_cell(main_reasons(d))} |" for d in rows]
        out.append("")
    excluded = plan.tier(Tier.EXCLUDED)
    out += [f"## Excluded ({len(excluded)})", ""]
    if excluded:
        out += ["| Program | Location | Specialty | Why |", "|---|---|---|---|"]
        out += [f"| {_cell(d.program)} | {_cell(d.location)} | {_cell(d.specialty)} | {_cell(main_reasons(d))} |"
                for d in excluded]
    else:
        out.append("None.")
    out += ["", "## Every decision explained", ""]
    for d in plan.decisions:
        head = f"{d.tier.value}, score {d.score:+.1f}" if d.score is not None else d.tier.value
        out.append(f"### {_cell(d.program)} (row {d.row}): {head}")
        out.append("")
        out += [f"- {_cell(r.text)}{_points(r)}" for r in d.reasons]
        if d.statement:
            out.append(f"- your statement for it: {md_code_cell(d.statement)}")
        out.append("")
    if plan.file_problems:
        out += ["## Problems in the programs file", ""] + [f"- {md_code_cell(p)}" for p in plan.file_problems] + [""]
    out += ["## Reference figures", ""]
    out += [f"- {_cell(r.figure)}. Source: {_cell(r.source)}" for r in plan.references] or ["None."]
    out.append("")
    return "\n".join(out)


def _profile(plan: Plan) -> list[str]:
    p = plan.profile
    facts = []
    if p.visa:
        facts.append(f"visa: {p.visa.value}")
    if p.specialties:
        facts.append("specialties: " + ", ".join(s.value for s in p.specialties))
    for label, rec in (("Step 1", p.step1), ("Step 2 CK", p.step2ck)):
        if rec is not None:
            said = str(rec.score) if rec.score is not None else (rec.result or "?")
            facts.append(f"{label}: {said}" + (f", {rec.attempts} attempt(s)" if rec.attempts else ""))
    if p.step3 is not None:
        facts.append("Step 3: " + ("passed" if p.step3.passed else f"planned {p.step3.planned}" if p.step3.planned
                                   else "not passed"))
    if p.graduation_year:
        facts.append(f"graduated {p.graduation_year}")
    for label, value in (("hands-on USCE months", p.usce_months), ("observership months", p.observership_months),
                         ("US letters", p.us_letters), ("research/QI", p.research_qi), ("signals", p.signals)):
        if value is not None:
            facts.append(f"{label}: {value:g}")
    if p.ecfmg_certified or p.ecfmg_expected:
        facts.append("ECFMG certified" if p.ecfmg_certified else f"ECFMG expected {p.ecfmg_expected}")
    out = ["## Profile", "", "; ".join(_cell(f) for f in facts) + ".", ""]
    for n in plan.profile_notes:
        out.append(f"- **{n.kind.replace('_', ' ')}** {md_code_cell(n.field)}: {_cell(n.message)}")
        if n.quote:
            out.append(f"  > {_cell(n.quote)}")
    return [*out, ""]


def _signals(plan: Plan) -> list[str]:
    out = ["## Where to signal (Kaiser Permanente)", ""]
    picks = plan.signals
    if not picks:
        return [*out, "No eligible Kaiser Permanente program in the file.", ""]
    if not any(not s.missing for s in picks):
        out += ["No Kaiser program meets all of the guide's conditions for a signal (realistic, accepts IMGs, a "
                "J-1 or H-1B track record); the closest:", ""]
    else:
        out += [f"You have {plan.signals_available} signal(s). The guide: spend one on a realistic Kaiser program "
                "that accepts IMGs, has a J-1 or H-1B track record and fits your experiences; then tailor your "
                "statement to it.", ""]
    for s in picks:
        mark = f"**{s.standing}**" if s.recommended else s.standing
        lack = f" Missing: {'; '.join(s.missing)}." if s.missing else ""
        out.append(f"- {mark}: {_cell(s.program)} ({s.tier.value}): {_cell('; '.join(s.reasons))}.{_cell(lack)}")
    return [*out, ""]


def _openers(plan: Plan) -> list[str]:
    out = ["## What would open more programs", ""]
    out += [f"- {_cell(o.text)}" for o in plan.openers] or ["Nothing you can still change would open an excluded "
                                                             "program."]
    return [*out, ""]
