"""The applicant's profile: the facts program selection depends on, declared in ``application.yaml``.

A ``profile:`` block of the applicant folder's manifest (every field optional)::

    profile:
      visa: J-1                   # none | J-1 | H-1B | J-1 or H-1B: what the applicant needs sponsored
      specialties: [Family Medicine, Internal Medicine]
      step1: {result: pass, attempts: 2}      # or {score: 204}
      step2ck: {score: 241, attempts: 1}
      step3: {passed: false, planned: 2027-01}
      graduation_year: 2019
      usce_months: 3              # hands-on US clinical experience (electives, sub-internships)
      observership_months: 2
      us_letters: 3
      research_qi: 2              # research and QI projects, posters, abstracts
      languages: [English, Yoruba]
      regions: [California, West]  # states (name or code) or census regions
      signals: 5                  # program signals available this season
      ecfmg_certified: false
      ecfmg_expected: 2027-01-15

Exam scores and attempts the documents state fill what the profile leaves out
(:mod:`reviewer.programs.facts`), and a disagreement is reported. This module is imported by
:mod:`reviewer.kinds` for the manifest model, so it depends on pydantic and the standard library only.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Specialty(StrEnum):
    FAMILY_MEDICINE = "Family Medicine"
    INTERNAL_MEDICINE = "Internal Medicine"
    PRELIMINARY_IM = "Preliminary Internal Medicine"
    TRANSITIONAL_YEAR = "Transitional Year"
    PSYCHIATRY = "Psychiatry"
    PEDIATRICS = "Pediatrics"
    NEUROLOGY = "Neurology"
    EMERGENCY_MEDICINE = "Emergency Medicine"
    MED_PEDS = "Internal Medicine/Pediatrics"
    OBGYN = "Obstetrics and Gynecology"
    GENERAL_SURGERY = "General Surgery"
    ANESTHESIOLOGY = "Anesthesiology"
    PATHOLOGY = "Pathology"
    PM_R = "Physical Medicine and Rehabilitation"
    DERMATOLOGY = "Dermatology"
    DIAGNOSTIC_RADIOLOGY = "Diagnostic Radiology"
    ORTHOPAEDIC_SURGERY = "Orthopaedic Surgery"
    OTOLARYNGOLOGY = "Otolaryngology"


_SPECIALTY_ALIASES = {
    "fm": Specialty.FAMILY_MEDICINE,
    "im": Specialty.INTERNAL_MEDICINE,
    "categorical internal medicine": Specialty.INTERNAL_MEDICINE,
    "prelim im": Specialty.PRELIMINARY_IM,
    "preliminary im": Specialty.PRELIMINARY_IM,
    "preliminary medicine": Specialty.PRELIMINARY_IM,
    "internal medicine preliminary": Specialty.PRELIMINARY_IM,
    "ty": Specialty.TRANSITIONAL_YEAR,
    "transitional": Specialty.TRANSITIONAL_YEAR,
    "psych": Specialty.PSYCHIATRY,
    "peds": Specialty.PEDIATRICS,
    "paediatrics": Specialty.PEDIATRICS,
    "em": Specialty.EMERGENCY_MEDICINE,
    "med-peds": Specialty.MED_PEDS,
    "med peds": Specialty.MED_PEDS,
    "internal medicine-pediatrics": Specialty.MED_PEDS,
    "ob/gyn": Specialty.OBGYN,
    "obgyn": Specialty.OBGYN,
    "ob-gyn": Specialty.OBGYN,
    "obstetrics & gynecology": Specialty.OBGYN,
    "surgery": Specialty.GENERAL_SURGERY,
    "pm&r": Specialty.PM_R,
    "radiology": Specialty.DIAGNOSTIC_RADIOLOGY,
    "orthopedics": Specialty.ORTHOPAEDIC_SURGERY,
    "orthopedic surgery": Specialty.ORTHOPAEDIC_SURGERY,
    "ent": Specialty.OTOLARYNGOLOGY,
}


_SPECIALTY_NAMES = {**_SPECIALTY_ALIASES, **{s.value.lower(): s for s in Specialty}}


def parse_specialty(value: str) -> Specialty | None:
    """``value`` as a specialty (case-insensitive; common short forms such as IM, FM, TY, Peds), else None."""
    return _SPECIALTY_NAMES.get(" ".join(value.strip().lower().split()))


class VisaNeed(StrEnum):
    """What the applicant needs a program to sponsor."""

    NONE = "none"  # US citizen or permanent resident
    J1 = "J-1"
    H1B = "H-1B"
    EITHER = "J-1 or H-1B"


def parse_visa_need(value: str) -> VisaNeed | None:
    key = re.sub(r"[\s_]+", " ", value.strip().lower()).replace("j1", "j-1").replace("h1b", "h-1b")
    key = key.replace("h1-b", "h-1b")
    aliases = {"none": VisaNeed.NONE, "no": VisaNeed.NONE, "citizen": VisaNeed.NONE, "green card": VisaNeed.NONE,
               "permanent resident": VisaNeed.NONE, "us citizen": VisaNeed.NONE, "j-1": VisaNeed.J1,
               "h-1b": VisaNeed.H1B, "j-1 or h-1b": VisaNeed.EITHER, "either": VisaNeed.EITHER,
               "any": VisaNeed.EITHER, "j-1/h-1b": VisaNeed.EITHER, "h-1b or j-1": VisaNeed.EITHER}
    return aliases.get(key)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExamRecord(_Strict):
    """Step 1 or Step 2 CK: a three-digit score, or a pass/fail result, and the attempts it took."""

    score: int | None = Field(default=None, ge=1, le=300)
    result: Literal["pass", "fail"] | None = None
    attempts: int | None = Field(default=None, ge=1, le=6)

    @field_validator("result", mode="before")
    @classmethod
    def _result(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("passed", "pass"):
            return "pass"
        if isinstance(value, str) and value.strip().lower() in ("failed", "fail"):
            return "fail"
        return value


_MONTH_OR_DAY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Step3Record(_Strict):
    passed: bool = False
    score: int | None = Field(default=None, ge=1, le=300)
    planned: str | None = Field(default=None, pattern=_MONTH_OR_DAY.pattern)  # YYYY-MM or YYYY-MM-DD

    @field_validator("planned", mode="before")
    @classmethod
    def _planned(cls, value: Any) -> Any:
        return _iso(value)


class Profile(_Strict):
    """The applicant's facts; every field optional (a missing fact is never held against anyone)."""

    visa: VisaNeed | None = None
    specialties: tuple[Specialty, ...] = ()
    step1: ExamRecord | None = None
    step2ck: ExamRecord | None = None
    step3: Step3Record | None = None
    graduation_year: int | None = Field(default=None, ge=1950, le=2100)
    usce_months: float | None = Field(default=None, ge=0, le=240)
    observership_months: float | None = Field(default=None, ge=0, le=240)
    us_letters: int | None = Field(default=None, ge=0, le=50)
    research_qi: int | None = Field(default=None, ge=0, le=500)
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    signals: int | None = Field(default=None, ge=0, le=100)
    ecfmg_certified: bool | None = None
    ecfmg_expected: dt.date | None = None

    @field_validator("visa", mode="before")
    @classmethod
    def _visa(cls, value: Any) -> Any:
        if isinstance(value, str):
            parsed = parse_visa_need(value)
            if parsed is None:
                raise ValueError(f"unknown visa need '{value}' (one of: {', '.join(v.value for v in VisaNeed)})")
            return parsed
        return value

    @field_validator("specialties", mode="before")
    @classmethod
    def _specialties(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return value
        out = []
        for v in value:
            s = parse_specialty(str(v))
            if s is None:
                raise ValueError(f"unknown specialty '{v}' (one of: {', '.join(x.value for x in Specialty)})")
            out.append(s)
        return tuple(out)

    @field_validator("languages", "regions", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def step3_passed(self) -> bool:
        return bool(self.step3 and self.step3.passed)

    @property
    def needs_visa(self) -> bool:
        return self.visa is not None and self.visa is not VisaNeed.NONE
