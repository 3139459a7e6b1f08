"""The plan: hard filters, then a tier for every eligible program, then advice on the list as a whole.

:func:`make_plan` is pure: a completed profile, the read programs file and the weights in, a
:class:`~reviewer.programs.result.Plan` out. For every program of the applicant's specialties (all programs
when the profile lists none):

1. the hard filters (:mod:`.filters`); any failure excludes the program, and every failure is listed;
2. otherwise the score (:mod:`.score`) and its tier, with every part's reason.

Then the portfolio (counts per tier and specialty against the breadth target, and what to change), the Kaiser
programs worth a signal (realistic, IMG-friendly, with a visa track record when a visa is needed, ranked by
how well they match the applicant's languages and the populations the statements name), and what would
open more programs (Step 3 for H-1B programs, ECFMG certification by a deadline, hands-on USCE).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .columns import ProgramType, Tri, region_states
from .filters import Check, run_filters
from .profile import Profile
from .result import (
    Decision,
    Opener,
    Plan,
    Portfolio,
    ProfileNote,
    Reason,
    Reference,
    SignalPick,
    Tier,
    TierCounts,
)
from .score import score_parts, tier_of, total
from .table import Program, ProgramsTable, stale
from .weights import Weights


def make_plan(profile: Profile, table: ProgramsTable, weights: Weights, *, applicant: str, as_of: dt.date,
              notes: Sequence[ProfileNote] = (), statements: Sequence[tuple[str, str]] = (),
              tailored: Mapping[str, Sequence[str]] | None = None, breadth: int | None = None) -> Plan:
    """The plan for one applicant. ``statements``: (file name, text) of the personal statements, for the
    populations they name; ``tailored``: file name -> the program names a statement variant is written for."""
    wanted = set(profile.specialties)
    preferred = frozenset().union(*(region_states(r) for r in profile.regions)) if profile.regions else frozenset()
    statement_for = _statement_index(tailored or {})
    decisions: list[Decision] = []
    others: Counter[str] = Counter()
    for p in table.programs:
        if wanted and p.specialty not in wanted:
            others[p.specialty.value] += 1
            continue
        decisions.append(decide(p, profile, weights, preferred, as_of, statement_for))
    decisions.sort(key=lambda d: (-d.tier.rank, -(d.score if d.score is not None else -99), d.program, d.row))
    by_row = {p.row: p for p in table.programs}
    breadth_target = breadth or weights.portfolio.breadth
    signals_available = profile.signals if profile.signals is not None else weights.signals.default_count
    return Plan(
        applicant=applicant, as_of=as_of, programs_file=table.path, weights=weights.source_path or "built-in",
        profile=profile, profile_notes=(*notes, *_missing_notes(profile)), decisions=tuple(decisions),
        portfolio=portfolio(decisions, by_row, weights, breadth_target, others),
        signals=signal_picks(decisions, by_row, profile, statements, signals_available),
        signals_available=signals_available, openers=openers(decisions, by_row, profile),
        file_problems=tuple(str(p) for p in table.problems), references=references(weights),
    )


def decide(p: Program, prof: Profile, w: Weights, preferred: frozenset[str], as_of: dt.date,
           statement_for: Mapping[frozenset[str], str] | None = None) -> Decision:
    """One program's decision: excluded with the failing filters, or scored and tiered, with every reason."""
    checks = run_filters(p, prof, as_of)
    failed = [c for c in checks if c.passed is False]
    reasons = [_check_reason(c) for c in checks]
    is_stale = stale(p, as_of, w.stale_days)
    if is_stale:
        reasons.append(Reason(kind="note", code="stale",
                              text=f"row last checked {p.last_checked.isoformat()}: its facts may have changed"
                              if p.last_checked else "row never checked: its facts may be wrong"))
    statement = _statement(p, statement_for or {})
    # Decisions and reasons are built without validation (a plan of thousands of rows is built per applicant):
    # every field is computed here from validated rows and typed values.
    common: dict[str, Any] = {
        "row": p.row, "program": p.program, "location": p.location, "specialty": p.specialty.value,
        "program_type": p.program_type.value, "visa": p.visa.value, "stale": is_stale, "statement": statement,
        "source_url": p.source_url}
    if failed:
        return Decision.model_construct(**common, tier=Tier.EXCLUDED, score=None,
                                        excluded_by=tuple(c.code for c in failed), reasons=tuple(reasons))
    parts = score_parts(p, prof, w, preferred)
    score = total(parts)
    return Decision.model_construct(**common, tier=tier_of(score, w), score=score, excluded_by=(),
                                    reasons=(*reasons, *parts))


def _check_reason(c: Check) -> Reason:
    kind = "filter" if c.passed is False else "check"
    return Reason.model_construct(kind=kind, code=c.code, text=c.text if c.passed is not None
                                  else f"not checked: {c.text}", points=None)


def _missing_notes(prof: Profile) -> list[ProfileNote]:
    out = []
    if prof.visa is None:
        out.append(ProfileNote(kind="missing", field="visa",
                               message="the profile does not say which visa you need: visa policies were not applied"))
    if not prof.specialties:
        out.append(ProfileNote(kind="missing", field="specialties",
                               message="the profile lists no specialties: every specialty in the file is planned"))
    unknown = [r for r in prof.regions if not region_states(r)]
    if unknown:
        out.append(ProfileNote(kind="missing", field="regions",
                               message=f"unknown region(s) {', '.join(unknown)}: use a state or Northeast, Midwest, "
                                       "South, West"))
    return out


# --- tailored statements --------------------------------------------------------------------------------

_PAREN = re.compile(r"\([^)]*\)")


def _tokens(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", _PAREN.sub(" ", name.lower())))


def _statement_index(tailored: Mapping[str, Sequence[str]]) -> dict[frozenset[str], str]:
    return {_tokens(n): file for file, names in tailored.items() for n in names if len(_tokens(n)) >= 2}


def _statement(p: Program, index: Mapping[frozenset[str], str]) -> str | None:
    """The statement written for ``p``: one whose program name's words all appear in the row's name."""
    if not index:
        return None
    words = _tokens(p.program)
    return next((file for tokens, file in index.items() if tokens <= words), None)


# --- portfolio ------------------------------------------------------------------------------------------


def _counts(decisions: Sequence[Decision]) -> TierCounts:
    c = Counter(d.tier.value for d in decisions)
    return TierCounts(likely=c["likely"], target=c["target"], reach=c["reach"], excluded=c["excluded"])


def portfolio(decisions: Sequence[Decision], by_row: Mapping[int, Program], w: Weights, breadth: int,
              others: Mapping[str, int]) -> Portfolio:
    counts = _counts(decisions)
    specialties = sorted({d.specialty for d in decisions})
    by_specialty = {s: _counts([d for d in decisions if d.specialty == s]) for s in specialties}
    eligible = [d for d in decisions if d.tier is not Tier.EXCLUDED]
    kaiser = sum(1 for d in eligible if by_row[d.row].program_type is ProgramType.KAISER)
    return Portfolio(counts=counts, by_specialty=by_specialty, breadth=breadth, kaiser=kaiser,
                     advice=tuple(_advice(counts, by_specialty, kaiser, w, breadth, others)),
                     other_specialties=dict(sorted(others.items())))


def _advice(counts: TierCounts, by_specialty: Mapping[str, TierCounts], kaiser: int, w: Weights, breadth: int,
            others: Mapping[str, int]) -> list[str]:
    out: list[str] = []
    n = counts.eligible
    if n < breadth:
        hint = f" ({sum(others.values())} more in specialties you did not list)" if others else ""
        out.append(f"{n} eligible program(s) against a breadth target of {breadth}: add programs to the file or "
                   f"specialties to your profile{hint}; the guide says to apply broadly.")
    else:
        out.append(f"{n} eligible program(s): enough for a breadth target of {breadth}; apply to every likely and "
                   "target program before adding reaches.")
    for tier in (Tier.LIKELY, Tier.TARGET):
        share = w.portfolio.min_share.get(tier.value)
        have = getattr(counts, tier.value)
        if share and have < share * breadth:
            want = int(share * breadth + 0.999)
            out.append(f"Only {have} {tier.value} program(s); aim for at least {want} ({share:.0%} of {breadth}): "
                       "look for community programs with IMG residents and visa sponsorship.")
    cap = w.portfolio.max_share.get(Tier.REACH.value)
    if cap is not None and n and counts.reach > cap * max(n, breadth):
        out.append(f"{counts.reach} reach program(s): keep reaches to about {cap:.0%} of the list.")
    if n and kaiser > w.portfolio.max_kaiser_share * n:
        out.append(f"{kaiser} of {n} eligible programs are Kaiser Permanente programs: the guide says to treat Kaiser "
                   "as part of a diversified portfolio, not the entire portfolio.")
    for name, c in by_specialty.items():
        if c.eligible == 0:
            out.append(f"No eligible {name} program in the file: see why under Excluded.")
    return out


# --- signals --------------------------------------------------------------------------------------------


def _named(term: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(term.lower()) + r"(?![\w])", text) is not None


def signal_picks(decisions: Sequence[Decision], by_row: Mapping[int, Program], prof: Profile,
                 statements: Sequence[tuple[str, str]], available: int) -> tuple[SignalPick, ...]:
    """Kaiser programs worth a signal (the guide: realistic, accepts IMGs, a J-1 or H-1B track record, aligned
    with your experiences), best first; the first ``available`` are recommended. When none qualifies, up to
    three near misses with what they lack."""
    text = " ".join(t for _, t in statements).lower()
    languages = {lang.lower() for lang in prof.languages}
    ranked: list[tuple[tuple[int, int, float], SignalPick]] = []
    near: list[tuple[tuple[int, int, float], SignalPick]] = []
    for d in decisions:
        p = by_row[d.row]
        if p.program_type is not ProgramType.KAISER or d.tier is Tier.EXCLUDED:
            continue
        reasons: list[str] = []
        missing: list[str] = []
        if d.tier in (Tier.TARGET, Tier.LIKELY):
            reasons.append(f"realistic: a {d.tier.value} program (score {d.score:+.1f})")
        else:
            missing.append("a reach for your profile")
        if (p.img_share or 0) > 0:
            reasons.append(f"IMG-friendly: {p.img_share:g}% of residents are IMGs")
        elif p.accepts_imgs is Tri.YES:
            reasons.append("says it accepts IMGs")
        else:
            missing.append("no sign that it takes IMGs")
        if prof.needs_visa:
            if p.visa_track_record is Tri.YES:
                reasons.append(f"visa track record: residents on a J-1 or H-1B (sponsors {p.visa.value})")
            else:
                missing.append("no known J-1 or H-1B track record")
        spoken = [lang for lang in p.languages if lang.lower() in languages]
        if spoken:
            reasons.append(f"your languages: {', '.join(spoken)}")
        named = [pop for pop in p.populations if text and _named(pop, text)]
        if named:
            reasons.append(f"your statement names: {', '.join(named)}")
        if d.statement:
            reasons.append(f"you have a statement tailored for it: {d.statement}")
        key = (len(spoken) + len(named), d.tier.rank, d.score or 0.0)
        pick = SignalPick(row=d.row, program=d.program, tier=d.tier, recommended=False, reasons=tuple(reasons),
                          missing=tuple(missing))
        (near if missing else ranked).append((key, pick))
    ranked.sort(key=lambda kp: kp[0], reverse=True)
    if ranked:
        return tuple(pick.model_copy(update={"recommended": i < available}) for i, (_, pick) in enumerate(ranked))
    near.sort(key=lambda kp: (-len(kp[1].missing), kp[0]), reverse=True)
    return tuple(pick for _, pick in near[:3])


# --- what would open more programs ------------------------------------------------------------------------


def openers(decisions: Sequence[Decision], by_row: Mapping[int, Program], prof: Profile) -> tuple[Opener, ...]:
    """For excluded programs whose only failures one action lifts: what that action is and what it opens."""
    step3: list[int] = []
    ecfmg: dict[dt.date, list[int]] = {}
    usce: dict[tuple[bool, float], list[int]] = {}
    for d in decisions:
        if d.tier is not Tier.EXCLUDED:
            continue
        codes = set(d.excluded_by)
        p = by_row[d.row]
        if codes == {"step3_h1b"}:
            step3.append(d.row)
        elif codes == {"ecfmg"} and p.ecfmg_deadline is not None:
            ecfmg.setdefault(p.ecfmg_deadline, []).append(d.row)
        elif codes == {"usce"}:
            hands_on = p.usce_required.value == "hands-on"
            usce.setdefault((hands_on, p.usce_min_months or 0.0), []).append(d.row)
    out: list[Opener] = []
    if step3:
        planned = prof.step3.planned if prof.step3 else None
        when = f" (planned for {planned})" if planned else ""
        out.append(Opener(code="step3", rows=tuple(step3),
                          text=f"Passing Step 3{when} before the start date opens {len(step3)} H-1B program(s): "
                               + _names(step3, by_row) + ". The guide: pass it before rank lists are submitted."))
    opened = 0
    for deadline in sorted(ecfmg):
        rows = ecfmg[deadline]
        opened += len(rows)
        out.append(Opener(code="ecfmg", rows=tuple(rows),
                          text=f"ECFMG certification by {deadline.isoformat()} opens {len(rows)} program(s) "
                               f"({opened} in all by then): " + _names(rows, by_row) + "."))
    for (hands_on, months), rows in sorted(usce.items()):
        what = "hands-on US clinical experience" if hands_on else "US clinical experience"
        amount = f"{months:g} month(s) of {what}" if months else what
        out.append(Opener(code="usce", rows=tuple(rows),
                          text=f"{amount[0].upper()}{amount[1:]} opens {len(rows)} program(s): "
                               + _names(rows, by_row) + "."))
    return tuple(out)


def _names(rows: Sequence[int], by_row: Mapping[int, Program], limit: int = 5) -> str:
    names = [by_row[r].program for r in rows[:limit]]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(names) + more


# --- reference figures ------------------------------------------------------------------------------------


def references(w: Weights) -> tuple[Reference, ...]:
    """Every figure the plan uses that comes from somewhere, with where (and when, for published figures)."""
    out = [Reference(figure=f"Step 2 CK for {', '.join(s.value for s in b.specialties)}: workable {b.workable}, "
                            f"aim {b.aim}", source=b.source)
           for b in w.step2ck_bands]
    out.extend(Reference(figure=r.figure, source=f"{r.source} ({r.year})") for r in w.references)
    return tuple(out)


__all__ = ["decide", "make_plan", "openers", "portfolio", "signal_picks"]
