"""The score of an eligible program: a sum of named parts, each with its points and its reason in words.

Nothing is hidden: every part the weights define produces a :class:`~reviewer.programs.result.Reason`
(``kind="score"``) whenever it applies, also at zero points, so a reader sees what was considered. The
parts: Step 2 CK against the guide's band for the specialty, the margin over a stated minimum, competitive
specialties, IMG-friendliness (IMG share, or "accepts IMGs"), the visa track record (when a visa is needed),
program type, region, USCE where preferred, extra attempts, and Step 3 passed where H-1B is sponsored.
"""

from __future__ import annotations

from collections.abc import Collection

from .columns import ProgramType, Tri, Usce
from .profile import Profile
from .result import Reason, Tier
from .table import Program
from .weights import Weights, step_points

_TYPE_WORDS = {ProgramType.COMMUNITY: "a community program", ProgramType.UNIVERSITY: "a university program",
               ProgramType.KAISER: "a Kaiser Permanente program"}


def _r(code: str, text: str, points: float) -> Reason:
    # built without validation: every field is ours and typed (a plan builds thousands of these)
    return Reason.model_construct(kind="score", code=code, text=text, points=float(points))


def band(p: Program, prof: Profile, w: Weights) -> Reason | None:
    b = w.band(p.specialty)
    if p.specialty in w.competitive.specialties:
        return None  # the competitive part speaks for these
    if b is None:
        return _r("step2ck_band", f"the guide gives no Step 2 CK band for {p.specialty.value}", 0.0)
    score = prof.step2ck.score if prof.step2ck else None
    if score is None:
        return _r("step2ck_band", f"no Step 2 CK score in your profile: the guide's band for {p.specialty.value} "
                                  f"({b.workable}-{b.aim}) not applied", 0.0)
    if score < b.workable:
        return _r("step2ck_band", f"Step 2 CK {score} is under the guide's workable {b.workable} for "
                                  f"{p.specialty.value}", w.band_points.below)
    if score < b.aim:
        return _r("step2ck_band", f"Step 2 CK {score} is in the guide's workable range for {p.specialty.value} "
                                  f"({b.workable}-{b.aim})", w.band_points.workable)
    return _r("step2ck_band", f"Step 2 CK {score} is at or above the guide's aim for {p.specialty.value} ({b.aim})",
              w.band_points.aim)


def margin(p: Program, prof: Profile, w: Weights) -> Reason | None:
    margins: list[tuple[int, str]] = []
    s2 = prof.step2ck.score if prof.step2ck else None
    s1 = prof.step1.score if prof.step1 else None
    if p.step2ck_min is not None and s2 is not None:
        margins.append((s2 - p.step2ck_min, f"Step 2 CK minimum of {p.step2ck_min}"))
    if isinstance(p.step1_min, int) and s1 is not None:
        margins.append((s1 - p.step1_min, f"Step 1 minimum of {p.step1_min}"))
    if not margins:
        if p.step2ck_min is None and not isinstance(p.step1_min, int):
            return _r("margin", "no stated score minimum", 0.0)
        return None
    m, what = min(margins)
    points = step_points(w.margin, m)
    if points is None:
        return None
    return _r("margin", f"{m} point{'' if m == 1 else 's'} over the stated {what}", points)


def competitive(p: Program, w: Weights) -> Reason | None:
    if p.specialty not in w.competitive.specialties:
        return None
    return _r("competitive", f"{p.specialty.value} is a competitive specialty: the guide says these are generally out "
                             "of reach with low scores", w.competitive.points)


def img_friendly(p: Program, w: Weights) -> Reason:
    if p.img_share is not None:
        points = step_points(w.img_share, p.img_share) or 0.0
        return _r("img_share", f"{p.img_share:g}% of current residents are IMGs", points)
    if p.accepts_imgs is Tri.YES:
        return _r("img_share", "says it accepts IMGs (IMG share not known)", w.accepts_imgs_yes)
    return _r("img_share", "IMG share not known: look at the current residents", 0.0)


_TRACK = {Tri.YES: "current or recent residents on a J-1 or H-1B", Tri.NO: "no current or recent residents on a visa",
          Tri.UNKNOWN: "visa track record not known: ask current residents"}


def visa_record(p: Program, prof: Profile, w: Weights) -> Reason | None:
    if not prof.needs_visa:
        return None
    return _r("visa_track_record", _TRACK[p.visa_track_record], w.visa_track_record.get(p.visa_track_record.value, 0.0))


def program_type(p: Program, w: Weights) -> Reason:
    return _r("program_type", _TYPE_WORDS[p.program_type], w.program_type.get(p.program_type.value, 0.0))


def region(p: Program, preferred: Collection[str], w: Weights) -> Reason | None:
    if not preferred or not p.state:
        return None
    if p.state in preferred:
        return _r("region", f"in {p.state}, a region you prefer", w.region_preferred)
    return _r("region", f"in {p.state}, outside the regions you prefer", 0.0)


def usce_preferred(p: Program, prof: Profile, w: Weights) -> Reason | None:
    if p.usce_required is not Usce.PREFERRED:
        return None
    if prof.usce_months is None and prof.observership_months is None:
        return _r("usce", "prefers US clinical experience; your profile does not say how much you have", 0.0)
    if prof.usce_months:
        return _r("usce", "prefers US clinical experience: you have hands-on USCE", w.usce_preferred.has)
    if prof.observership_months:
        return _r("usce", "prefers US clinical experience: you have observerships only", w.usce_preferred.lacks / 2)
    return _r("usce", "prefers US clinical experience: you have none", w.usce_preferred.lacks)


def extra_attempts(prof: Profile, w: Weights) -> Reason | None:
    parts = [(exam, rec.attempts) for exam, rec in (("Step 1", prof.step1), ("Step 2 CK", prof.step2ck))
             if rec is not None and rec.attempts and rec.attempts > 1]
    if not parts or not w.attempts_per_extra:
        return None
    extra = sum(n - 1 for _, n in parts)
    said = " and ".join(f"{exam} took {n} attempts" for exam, n in parts)
    return _r("attempts", said, w.attempts_per_extra * extra)


def step3(p: Program, prof: Profile, w: Weights) -> Reason | None:
    if prof.step3_passed and p.visa.h1b and w.step3_passed_h1b:
        return _r("step3", "Step 3 passed, at a program that sponsors H-1B", w.step3_passed_h1b)
    return None


def score_parts(p: Program, prof: Profile, w: Weights, preferred: Collection[str]) -> list[Reason]:
    parts = (band(p, prof, w), margin(p, prof, w), competitive(p, w), img_friendly(p, w), visa_record(p, prof, w),
             program_type(p, w), region(p, preferred, w), usce_preferred(p, prof, w), extra_attempts(prof, w),
             step3(p, prof, w))
    return [r for r in parts if r is not None]


def total(parts: Collection[Reason]) -> float:
    return round(sum(r.points or 0.0 for r in parts), 2)


def tier_of(score: float, w: Weights) -> Tier:
    """``likely`` at or above the likely threshold, ``target`` at or above the target one, else ``reach``."""
    if score >= w.tiers.likely:
        return Tier.LIKELY
    if score >= w.tiers.target:
        return Tier.TARGET
    return Tier.REACH
