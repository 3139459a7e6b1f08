"""The columns of the programs spreadsheet: one documented column per field the guide asks for, and more.

The guide's spreadsheet ("Know What Your Target Kaiser Programs Sponsor"): program name and location,
specialty and number of positions, visa types accepted (J-1 only, J-1/H-1B, or none), stated minimum USMLE
thresholds, IMG-friendly indicators. Added here because programs state them and they decide eligibility:
the year-of-graduation cutoff, the attempts policy, US clinical experience required, the ECFMG certification
deadline, the program type (community / university / Kaiser), and where a row's facts come from (source URL,
the date the row was last checked).

Every column has a parser that turns a cell (a string, a number, a date from Excel, or blank) into its value
or raises :class:`CellProblem` with a one-line description; :mod:`reviewer.programs.table` adds the file,
row and column. Closed sets are :class:`~enum.StrEnum` values, which the XLSX template offers as drop-downs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .profile import Specialty, parse_specialty


class CellProblem(ValueError):
    """A cell that cannot be read as its column's type; ``str()`` is the problem in words."""


class ProgramVisa(StrEnum):
    """The visas a program sponsors, as the guide lists them (J-1 only, J-1/H-1B, none), plus H-1B only."""

    NONE = "none"
    J1 = "J-1"
    J1_H1B = "J-1/H-1B"
    H1B = "H-1B"

    @property
    def j1(self) -> bool:
        return self in (ProgramVisa.J1, ProgramVisa.J1_H1B)

    @property
    def h1b(self) -> bool:
        return self in (ProgramVisa.H1B, ProgramVisa.J1_H1B)


class ProgramType(StrEnum):
    COMMUNITY = "community"
    UNIVERSITY = "university"
    KAISER = "kaiser"


class Usce(StrEnum):
    """US clinical experience a program asks for: none, preferred, required (observerships count), hands-on."""

    NO = "no"
    PREFERRED = "preferred"
    ANY = "any"
    HANDS_ON = "hands-on"


class Tri(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}
# US Census Bureau regions (Puerto Rico is in none; it is matched by name only)
REGIONS: dict[str, frozenset[str]] = {
    "Northeast": frozenset({"CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"}),
    "Midwest": frozenset({"IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"}),
    "South": frozenset({"DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA",
                        "OK", "TX"}),
    "West": frozenset({"AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"}),
}
_STATE_BY_NAME = {name.lower(): code for code, name in STATES.items()}


def state_code(value: str) -> str | None:
    key = value.strip()
    if key.upper() in STATES:
        return key.upper()
    return _STATE_BY_NAME.get(key.lower())


def region_states(name: str) -> frozenset[str]:
    """The state codes a preferred region names: a census region, a state name or code; empty if unknown."""
    for region, states in REGIONS.items():
        if region.lower() == name.strip().lower():
            return states
    code = state_code(name)
    return frozenset({code}) if code else frozenset()


# --- cell parsers -----------------------------------------------------------------------------------


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell)
    return text if text.isprintable() and "  " not in text and text.strip() == text else " ".join(text.split())


def parse_text(cell: Any) -> str:
    return _text(cell)


def _number(cell: Any, what: str) -> float:
    if isinstance(cell, bool):
        raise CellProblem(f"'{cell}' is not {what}")
    if isinstance(cell, int | float):
        return float(cell)
    text = _text(cell).replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise CellProblem(f"'{_text(cell)}' is not {what}") from None


@dataclass(frozen=True)
class Bounded:
    """A number cell within ``lo``..``hi`` (whole numbers only when ``whole``); blank is handled by the caller.
    The template's range checks read the same bounds."""

    lo: float
    hi: float
    what: str
    whole: bool = True

    def __call__(self, cell: Any) -> float | int:
        text = _text(cell).rstrip("%").strip() if isinstance(cell, str) and not self.whole else cell
        value = _number(text, self.what)
        if (self.whole and not value.is_integer()) or not self.lo <= value <= self.hi:
            raise CellProblem(f"'{_text(cell)}' is not {self.what}")
        return int(value) if self.whole else value


def parse_int(lo: int, hi: int, what: str) -> Bounded:
    return Bounded(lo, hi, what)


def parse_number(lo: float, hi: float, what: str) -> Bounded:
    return Bounded(lo, hi, what, whole=False)


def parse_step1_min(cell: Any) -> int | str:
    """A three-digit Step 1 minimum, or ``pass`` (a pass required, the pass/fail era)."""
    if _text(cell).lower() in ("pass", "passed", "p"):
        return "pass"
    return int(parse_int(150, 300, "a Step 1 minimum (a score from 150 to 300, 'pass', or blank)")(cell))


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d %B %Y", "%B %d %Y", "%b %d %Y", "%d %b %Y")
# "November 30, 2026", "Nov. 30 2026", "30 Sept 2026": commas and a month's dot dropped, "Sept" as strptime's "Sep"
_DATE_NOISE = re.compile(r",|(?<=[a-z])\.", re.I)
_SEPT = re.compile(r"\bsept\b", re.I)


def parse_date(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell)
    try:
        return dt.date.fromisoformat(text)  # the usual case, and the fastest
    except ValueError:
        pass
    plain = " ".join(_SEPT.sub("Sep", _DATE_NOISE.sub(" ", text)).split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(plain, fmt).date()
        except ValueError:
            continue
    raise CellProblem(f"'{text}' is not a date (write YYYY-MM-DD)")


def _choice(enum: type[StrEnum], aliases: dict[str, Any]) -> Callable[[Any], Any]:
    table = {**aliases, **{m.value.lower(): m for m in enum}}
    allowed = ", ".join(m.value for m in enum)

    def parse(cell: Any) -> Any:
        raw = _text(cell)
        found = table.get(raw.lower())
        if found is not None:
            return found
        raise CellProblem(f"unknown value '{raw}' (one of: {allowed})")

    return parse


def parse_visa(cell: Any) -> ProgramVisa:
    raw = _text(cell)
    key = re.sub(r"[\s_]+", " ", raw.lower()).replace("j1", "j-1").replace("h1b", "h-1b").replace("h1-b", "h-1b")
    key = key.replace(" only", "").replace("only ", "")
    key = re.sub(r"\s*(?:/|,|&|\+|\band\b|\bor\b)\s*", "/", key)
    table = {"none": ProgramVisa.NONE, "no": ProgramVisa.NONE, "no visas": ProgramVisa.NONE,
             "not sponsored": ProgramVisa.NONE, "j-1": ProgramVisa.J1, "h-1b": ProgramVisa.H1B,
             "j-1/h-1b": ProgramVisa.J1_H1B, "h-1b/j-1": ProgramVisa.J1_H1B, "both": ProgramVisa.J1_H1B}
    if key in table:
        return table[key]
    raise CellProblem(f"unknown visa value '{raw}' (one of: {', '.join(v.value for v in ProgramVisa)})")


def parse_specialty_cell(cell: Any) -> Specialty:
    raw = _text(cell)
    s = parse_specialty(raw)
    if s is None:
        raise CellProblem(f"unknown specialty '{raw}' (one of: {', '.join(x.value for x in Specialty)})")
    return s


def parse_state(cell: Any) -> str:
    raw = _text(cell)
    code = state_code(raw)
    if code is None:
        raise CellProblem(f"unknown state '{raw}' (a two-letter code such as CA)")
    return code


_YES = {"y": Tri.YES, "true": Tri.YES, "1": Tri.YES, "n": Tri.NO, "false": Tri.NO, "0": Tri.NO, "?": Tri.UNKNOWN}


def parse_list(cell: Any) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;\n]", _text(cell) if not isinstance(cell, str) else cell)
                 if p.strip())


def parse_url(cell: Any) -> str:
    text = _text(cell)
    if not re.match(r"^https?://\S+$", text):
        raise CellProblem(f"'{text}' is not a web address (http:// or https://)")
    return text


# --- the columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    parse: Callable[[Any], Any]
    doc: str
    example: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()  # a closed set: a drop-down in the XLSX template
    default: Any = None  # the value of a blank cell


SCORE = "a score from 150 to 300, or blank"
COLUMNS: tuple[Column, ...] = (
    Column("program", parse_text, "Program name, as FREIDA or ERAS show it.", "Harbor Vale Family Medicine",
           required=True, default=""),
    Column("city", parse_text, "City.", "Harbor Vale", default=""),
    Column("state", parse_state, "State, two-letter code (CA, NY...).", "CA", default=""),
    Column("specialty", parse_specialty_cell, "Specialty.", "Family Medicine", required=True,
           choices=tuple(s.value for s in Specialty)),
    Column("positions", parse_int(0, 500, "a number of positions"), "Positions offered per year.", "8"),
    Column("program_type", _choice(ProgramType, {"kaiser permanente": ProgramType.KAISER, "kp": ProgramType.KAISER,
                                                 "academic": ProgramType.UNIVERSITY,
                                                 "university-based": ProgramType.UNIVERSITY,
                                                 "community-based": ProgramType.COMMUNITY}),
           "community, university, or kaiser (a Kaiser Permanente program).", "community", required=True,
           choices=tuple(t.value for t in ProgramType)),
    Column("visa", parse_visa, "Visas sponsored: none, J-1 (J-1 only), J-1/H-1B, or H-1B (H-1B only).", "J-1",
           required=True, choices=tuple(v.value for v in ProgramVisa)),
    Column("h1b_needs_step3", _choice(Tri, _YES),
           "yes when H-1B sponsorship needs USMLE Step 3 passed before the start date (assumed yes when blank and "
           "the program sponsors H-1B).", "yes", choices=tuple(t.value for t in Tri), default=Tri.UNKNOWN),
    Column("step1_min", parse_step1_min, "Stated Step 1 minimum: a three-digit score, 'pass', or blank.", "pass"),
    Column("step2ck_min", parse_int(150, 300, f"a Step 2 CK minimum ({SCORE})"),
           "Stated Step 2 CK minimum score, or blank.", "220"),
    Column("max_attempts", parse_int(1, 6, "a number of attempts from 1 to 6"),
           "Attempts policy: the most attempts at any USMLE Step the program accepts (1: first-attempt passes "
           "only), or blank.", "2"),
    Column("yog_within_years", parse_int(0, 60, "a number of years"),
           "Year-of-graduation cutoff: graduated within this many years, or blank.", "5"),
    Column("usce_required", _choice(Usce, {"none": Usce.NO, "required": Usce.ANY, "yes": Usce.ANY,
                                           "hands on": Usce.HANDS_ON, "handson": Usce.HANDS_ON}),
           "US clinical experience: no, preferred, any (required; observerships count), hands-on (required; "
           "observerships do not count).", "preferred", choices=tuple(u.value for u in Usce), default=Usce.NO),
    Column("usce_min_months", parse_number(0, 120, "a number of months"),
           "Months of US clinical experience required, or blank.", "2"),
    Column("ecfmg_deadline", parse_date, "ECFMG certification needed by this date (YYYY-MM-DD), or blank.",
           "2027-02-15"),
    Column("accepts_imgs", _choice(Tri, _YES), "Does the program accept IMGs: yes, no, or unknown.", "yes",
           choices=tuple(t.value for t in Tri), default=Tri.UNKNOWN),
    Column("img_share", parse_number(0, 100, "a percentage from 0 to 100"),
           "IMG-friendly indicator: percent of current residents who are IMGs, or blank.", "40"),
    Column("visa_track_record", _choice(Tri, _YES),
           "IMG-friendly indicator: current or recent residents on a J-1 or H-1B: yes, no, or unknown.", "yes",
           choices=tuple(t.value for t in Tri), default=Tri.UNKNOWN),
    Column("languages", parse_list, "Languages of the patient population, separated by ';'.", "Spanish; Tagalog",
           default=()),
    Column("populations", parse_list,
           "Populations and strengths the program names (underserved, immigrant families, rural...), separated by "
           "';'.", "immigrant families; underserved", default=()),
    Column("source_url", parse_url, "Where the row's facts come from (the program's page, FREIDA).",
           "https://example.org/harbor-vale-fm", default=""),
    Column("last_checked", parse_date, "The date the row was last checked against its source (YYYY-MM-DD).",
           "2026-11-20"),
    Column("notes", parse_text, "Anything else (current IMG residents, faculty with IMG background...).",
           "Two current residents are IMGs.", default=""),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)


def header_key(cell: Any) -> str:
    """A header cell as a column key: case, spaces, hyphens and a trailing '*' (the template's mark for a
    required column) do not matter."""
    return re.sub(r"[\s\-]+", "_", _text(cell).strip().rstrip("*").strip().lower())
