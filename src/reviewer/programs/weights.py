"""The score's weights: a YAML file the user can read and change (``weights.yaml`` beside this module).

Strict like the rubrics: an unknown key or a wrong type is a :class:`~reviewer.errors.ConfigError` naming
the file and the field. A user file replaces the built-in one as a whole (so every number in force is
visible in one place); ``reviewer programs weights`` prints the built-in file to start from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError
from .profile import Specialty, parse_specialty

BUILTIN = Path(__file__).with_name("weights.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _specialties(value: Any) -> Any:
    if isinstance(value, list | tuple):
        out = []
        for v in value:
            s = parse_specialty(str(v))
            if s is None:
                raise ValueError(f"unknown specialty '{v}'")
            out.append(s)
        return tuple(out)
    return value


class Band(_Strict):
    specialties: tuple[Specialty, ...] = Field(min_length=1)
    workable: int = Field(ge=150, le=300)
    aim: int = Field(ge=150, le=300)
    source: str = Field(min_length=1)

    _names = field_validator("specialties", mode="before")(_specialties)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.aim < self.workable:
            raise ValueError("aim must not be below workable")
        return self


class Step(_Strict):
    at_least: float
    points: float


class Competitive(_Strict):
    specialties: tuple[Specialty, ...] = ()
    points: float = 0.0

    _names = field_validator("specialties", mode="before")(_specialties)


class Tiers(_Strict):
    likely: float
    target: float

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.target > self.likely:
            raise ValueError("the target threshold must not be above the likely one")
        return self


class BandPoints(_Strict):
    below: float
    workable: float
    aim: float


class UscePreferred(_Strict):
    has: float
    lacks: float


class Portfolio(_Strict):
    breadth: int = Field(ge=1, le=1000)
    min_share: dict[str, float] = {}
    max_share: dict[str, float] = {}
    max_kaiser_share: float = Field(default=1.0, ge=0, le=1)


class Signals(_Strict):
    default_count: int = Field(ge=0, le=100)


class Reference(_Strict):
    """A published figure shown with every plan: it must say where it comes from and when."""

    figure: str = Field(min_length=1)
    source: str = Field(min_length=1)
    year: int = Field(ge=1950, le=2100)


class Weights(_Strict):
    version: int = 1
    tiers: Tiers
    step2ck_bands: tuple[Band, ...] = ()
    band_points: BandPoints
    competitive: Competitive = Competitive()
    margin: tuple[Step, ...] = ()
    img_share: tuple[Step, ...] = ()
    accepts_imgs_yes: float = 0.0
    visa_track_record: dict[str, float] = {}
    program_type: dict[str, float] = {}
    region_preferred: float = 0.0
    usce_preferred: UscePreferred = UscePreferred(has=0.0, lacks=0.0)
    attempts_per_extra: float = 0.0
    step3_passed_h1b: float = 0.0
    portfolio: Portfolio
    signals: Signals = Signals(default_count=3)
    stale_days: int = Field(default=365, ge=1)
    references: tuple[Reference, ...] = ()
    source_path: str = Field(default="", exclude=True)

    @field_validator("margin", "img_share")
    @classmethod
    def _steps_ascending(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        if [s.at_least for s in steps] != sorted(s.at_least for s in steps):
            raise ValueError("steps must be in ascending order of at_least")
        return steps

    def band(self, specialty: Specialty) -> Band | None:
        return next((b for b in self.step2ck_bands if specialty in b.specialties), None)


def step_points(steps: tuple[Step, ...], value: float) -> float | None:
    """The points of the last step whose ``at_least`` ``value`` reaches; None below the first step."""
    found: float | None = None
    for s in steps:
        if value >= s.at_least:
            found = s.points
    return found


def load_weights(path: Path | None = None) -> Weights:
    """The weights at ``path``, or the built-in ones."""
    from ruamel.yaml.error import YAMLError

    from ..yamlio import load_safe

    path = path or BUILTIN
    name = str(path)
    try:
        data = load_safe(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the weights: {exc}", path=path) from None
    except (YAMLError, RecursionError) as exc:
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', None) or 'nested too deeply'}", path=path) from None
    if not isinstance(data, dict):
        raise ConfigError("the weights file must be a mapping", path=path,
                          hint="start from `reviewer programs weights`")
    try:
        return Weights.model_validate({**data, "source_path": "built-in" if path == BUILTIN else name})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{where}: {err['msg'].lower()}", path=path,
                          hint="start from `reviewer programs weights`") from None


def builtin_text() -> str:
    return BUILTIN.read_text(encoding="utf-8")
