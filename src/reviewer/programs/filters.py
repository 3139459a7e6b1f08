"""The hard filters: what makes a program impossible for this applicant, each with its reason in words.

Every filter looks at one requirement the program states and one fact of the profile, and answers with a
:class:`Check`: ``passed`` True (met), False (the program is excluded), or None (the program states it, the
profile does not say: not held against anyone, but said). A filter says nothing (returns None) when the
program states nothing. ``opener`` marks a failure the applicant can still lift (pass Step 3, ECFMG
certification by a date, more hands-on USCE); the plan counts what each would open.

Filters: ``visa`` (not sponsored), ``step3_h1b`` (H-1B needs Step 3 passed), ``accepts_imgs``, ``step1_min``
and ``step2ck_min`` (below a stated minimum), ``attempts`` (attempts policy), ``yog`` (year-of-graduation
cutoff), ``usce`` (US clinical experience required), ``ecfmg`` (certification deadline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .columns import ProgramVisa, Tri, Usce
from .profile import ExamRecord, Profile, VisaNeed
from .table import Program


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    passed: bool | None
    text: str
    opener: str | None = None  # step3 | ecfmg | usce | usce_hands_on: what would lift a failure
    needed: float | dt.date | None = None  # for openers: the months or the deadline


def _months(n: float) -> str:
    n = int(n) if float(n).is_integer() else n
    return f"{n} month{'' if n == 1 else 's'}"


def visa(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    need = prof.visa
    if need is None or need is VisaNeed.NONE:
        return None
    offers = p.visa
    if need in (VisaNeed.J1, VisaNeed.EITHER) and offers.j1:
        return Check("visa", True, "sponsors J-1" + (", which you need" if need is VisaNeed.J1 else ""))
    if need in (VisaNeed.H1B, VisaNeed.EITHER) and offers.h1b:
        if p.step3_for_h1b and not prof.step3_passed:
            planned = prof.step3.planned if prof.step3 else None
            have = f"yours is planned for {planned}" if planned else "you have not passed Step 3"
            return Check("step3_h1b", False, f"sponsors H-1B, which needs Step 3 passed before the start date; {have}",
                         opener="step3")
        extra = " with Step 3 passed, which you have" if p.step3_for_h1b else ""
        return Check("visa", True, f"sponsors H-1B{extra}")
    if offers is ProgramVisa.NONE:
        return Check("visa", False, f"does not sponsor visas; you need {need.value}")
    return Check("visa", False, f"sponsors {offers.value} only; you need {need.value}")


def accepts_imgs(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    if p.accepts_imgs is Tri.NO:
        return Check("accepts_imgs", False, "does not accept IMGs")
    return None


def _minimum(code: str, exam: str, minimum: int | str | None, rec: ExamRecord | None) -> Check | None:
    if minimum is None:
        return None
    if minimum == "pass":
        if rec is None or (rec.result is None and rec.score is None):
            return Check(code, None, f"requires {exam} passed; your profile does not say")
        if rec.result == "fail" and rec.score is None:
            return Check(code, False, f"requires {exam} passed; you have not passed it")
        return Check(code, True, f"requires {exam} passed: you have")
    if rec is not None and rec.score is not None:
        if rec.score < int(minimum):
            return Check(code, False, f"{exam} {rec.score} is below the stated minimum of {minimum}")
        return Check(code, True, f"{exam} {rec.score} meets the stated minimum of {minimum}")
    if rec is not None and rec.result == "pass":
        return Check(code, None, f"states a {exam} minimum of {minimum}; your {exam} is pass/fail: ask the program "
                                 "whether it applies")
    return Check(code, None, f"states a {exam} minimum of {minimum}; your profile has no {exam} score")


def step1_min(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    return _minimum("step1_min", "Step 1", p.step1_min, prof.step1)


def step2ck_min(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    return _minimum("step2ck_min", "Step 2 CK", p.step2ck_min, prof.step2ck)


def attempts(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    limit = p.max_attempts
    if limit is None:
        return None
    known = [(exam, rec.attempts) for exam, rec in (("Step 1", prof.step1), ("Step 2 CK", prof.step2ck))
             if rec is not None and rec.attempts is not None]
    policy = "first-attempt passes only" if limit == 1 else f"at most {limit} attempts per Step"
    over = [f"{exam} took you {n} attempts" for exam, n in known if n > limit]
    if over:
        return Check("attempts", False, f"accepts {policy}; {' and '.join(over)}")
    if not known:
        return Check("attempts", None, f"accepts {policy}; your profile does not give your attempts")
    return Check("attempts", True, f"accepts {policy}: yours are within it")


def yog(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    within = p.yog_within_years
    if within is None:
        return None
    year = prof.graduation_year
    if year is None:
        return Check("yog", None, f"takes graduates of the last {within} years; your profile has no graduation year")
    ago = as_of.year - year
    if ago > within:
        return Check("yog", False, f"takes graduates of the last {within} years; you graduated in {year}, "
                                   f"{ago} years ago")
    return Check("yog", True, f"takes graduates of the last {within} years: you graduated in {year}")


def usce(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    req = p.usce_required
    if req not in (Usce.ANY, Usce.HANDS_ON):
        return None
    need = p.usce_min_months or 0.0
    kind = "hands-on US clinical experience" if req is Usce.HANDS_ON else "US clinical experience"
    asked = f"{_months(need)} of {kind}" if need else kind
    if prof.usce_months is None and prof.observership_months is None:
        return Check("usce", None, f"requires {asked}; your profile does not say how much you have")
    hands = prof.usce_months or 0.0
    have = hands if req is Usce.HANDS_ON else hands + (prof.observership_months or 0.0)
    if (need and have >= need) or (not need and have > 0):
        return Check("usce", True, f"requires {asked}: you have {_months(have)}")
    detail = " (observerships do not count)" if req is Usce.HANDS_ON and prof.observership_months else ""
    return Check("usce", False, f"requires {asked}{detail}; you have {_months(have)}",
                 opener="usce_hands_on" if req is Usce.HANDS_ON else "usce", needed=need)


def ecfmg(p: Program, prof: Profile, as_of: dt.date) -> Check | None:
    deadline = p.ecfmg_deadline
    if deadline is None:
        return None
    by = f"needs ECFMG certification by {deadline.isoformat()}"
    if prof.ecfmg_certified:
        return Check("ecfmg", True, f"{by}: you are certified")
    expected = prof.ecfmg_expected
    if expected is not None and expected <= deadline:
        return Check("ecfmg", True, f"{by}: you expect yours by {expected.isoformat()}")
    if expected is not None:
        return Check("ecfmg", False, f"{by}; you expect yours by {expected.isoformat()}", opener="ecfmg",
                     needed=deadline)
    if prof.ecfmg_certified is False:
        return Check("ecfmg", False, f"{by}; you are not certified yet", opener="ecfmg", needed=deadline)
    return Check("ecfmg", None, f"{by}; add ecfmg_certified or ecfmg_expected to your profile")


FILTERS: tuple[Callable[[Program, Profile, dt.date], Check | None], ...] = (
    visa, accepts_imgs, step1_min, step2ck_min, attempts, yog, usce, ecfmg)


def run_filters(p: Program, prof: Profile, as_of: dt.date) -> list[Check]:
    """Every filter's answer for ``p`` (the ones with nothing to say left out), in a stable order."""
    return [c for f in FILTERS if (c := f(p, prof, as_of)) is not None]
