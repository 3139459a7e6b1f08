"""The plan: what :func:`reviewer.programs.plan.make_plan` returns and every renderer reads.

Plain frozen values. A :class:`Decision` is one program of the applicant's specialties: ``tier`` is
``excluded`` (with the hard filters it fails in ``excluded_by``) or ``reach`` / ``target`` / ``likely`` (with
its ``score``); ``reasons`` explain it in words, each with the points it adds when it is part of the score.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .profile import Profile

PLAN_SCHEMA = "reviewer.plan/1"
PLAN_STEM = "program-plan"  # the plan's files: program-plan.xlsx|md|json


class Tier(StrEnum):
    LIKELY = "likely"
    TARGET = "target"
    REACH = "reach"
    EXCLUDED = "excluded"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Tier.LIKELY: 3, Tier.TARGET: 2, Tier.REACH: 1, Tier.EXCLUDED: 0}  # a sort key, built once
TIERS = (Tier.LIKELY, Tier.TARGET, Tier.REACH)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Frozen):
    """One reason behind a decision. ``kind``: ``filter`` (a hard filter failed: the program is excluded),
    ``check`` (a hard filter passed, or could not be checked), ``score`` (a part of the score, with its
    ``points``), ``note`` (worth knowing; changes nothing)."""

    kind: str
    code: str
    text: str
    points: float | None = None


class Decision(_Frozen):
    row: int
    program: str
    location: str
    specialty: str
    program_type: str
    visa: str
    tier: Tier
    score: float | None = None
    excluded_by: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    stale: bool = False
    statement: str | None = None  # the applicant's statement tailored for this program, if any
    source_url: str = ""


class ProfileNote(_Frozen):
    """About the profile: a fact filled from the documents (``filled``), a profile value a document
    contradicts (``disagrees``), documents that contradict each other (``documents_disagree``), or a fact the
    plan needs and does not have (``missing``)."""

    kind: str
    field: str
    message: str
    document: str | None = None
    quote: str | None = None


class TierCounts(_Frozen):
    likely: int = 0
    target: int = 0
    reach: int = 0
    excluded: int = 0

    @property
    def eligible(self) -> int:
        return self.likely + self.target + self.reach


class Portfolio(_Frozen):
    counts: TierCounts
    by_specialty: dict[str, TierCounts]
    breadth: int
    kaiser: int
    advice: tuple[str, ...]
    other_specialties: dict[str, int] = {}  # programs in the file for specialties the applicant did not list


class SignalPick(_Frozen):
    row: int
    program: str
    tier: Tier
    recommended: bool  # within the signals available
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()  # for near misses: what keeps it from being a good signal

    @property
    def standing(self) -> str:
        """What the pick is, in every rendering: "signal", "near miss" or "also worth one"."""
        return "signal" if self.recommended else ("near miss" if self.missing else "also worth one")

    @property
    def why(self) -> str:
        """Its reasons and, for a near miss, what it lacks: "realistic; accepts IMGs. Missing: a visa record"."""
        return "; ".join(self.reasons) + (f". Missing: {'; '.join(self.missing)}" if self.missing else "")


class Opener(_Frozen):
    """Something the applicant can still do that would open excluded programs."""

    code: str
    text: str
    rows: tuple[int, ...]


class Reference(_Frozen):
    figure: str
    source: str


class Plan(_Frozen):
    applicant: str
    as_of: dt.date
    programs_file: str
    weights: str
    profile: Profile
    profile_notes: tuple[ProfileNote, ...] = ()
    decisions: tuple[Decision, ...] = ()
    portfolio: Portfolio
    signals: tuple[SignalPick, ...] = ()
    signals_available: int = 0
    openers: tuple[Opener, ...] = ()
    file_problems: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()

    def tier(self, tier: Tier) -> list[Decision]:
        return [d for d in self.decisions if d.tier is tier]
