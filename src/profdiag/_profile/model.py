"""The Profile: one client's results from one or more instruments, ready for reports.

Plain, JSON-serialisable data (pydantic). Report templates get nothing else.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from profdiag._instrument.model import LocalizedText

PROFILE_TAG = "profdiag-profile/1"


class _Data(BaseModel):
    # A profile file may come from anywhere: numbers must be finite, texts of sane length.
    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, str_max_length=10_000
    )


class Band(_Data):
    code: str
    label: LocalizedText


class ScaleResult(_Data):
    id: str
    title: LocalizedText
    description: LocalizedText | None = None
    minimum: float = Field(description="Lowest possible raw score.")
    maximum: float = Field(description="Highest possible raw score.")
    raw: float | None
    answered: int
    items: int
    status: str
    z: float | None = None
    t: float | None = None
    t_low: float | None = None
    t_high: float | None = None
    percentile: float | None = None
    stanine: int | None = None
    sten: int | None = None
    band: Band | None = None
    band_starts: list[float] = Field(
        default_factory=list, description="Where the raw-score interpretation levels begin."
    )

    @model_validator(mode="after")
    def _consistent(self) -> ScaleResult:
        if not self.minimum < self.maximum:
            raise ValueError(f"minimum {self.minimum} below maximum {self.maximum}")
        span = self.maximum - self.minimum
        if self.raw is not None and not (
            self.minimum - 1e-9 * span <= self.raw <= self.maximum + 1e-9 * span
        ):
            raise ValueError(f"raw {self.raw} within {self.minimum}..{self.maximum}")
        if not 0 <= self.answered <= self.items:
            raise ValueError(f"answered {self.answered} between 0 and items ({self.items})")
        if self.percentile is not None and not 0 <= self.percentile <= 100:
            raise ValueError(f"percentile {self.percentile} between 0 and 100")
        if self.stanine is not None and not 1 <= self.stanine <= 9:
            raise ValueError(f"stanine {self.stanine} between 1 and 9")
        if self.sten is not None and not 1 <= self.sten <= 10:
            raise ValueError(f"sten {self.sten} between 1 and 10")
        return self


class Comparison(_Data):
    """Whether `higher` really exceeds `lower`: the T difference against z * SE(difference)."""

    higher: str
    lower: str
    difference_t: float
    se_difference_t: float
    critical_difference_t: float
    distinct: bool = Field(description="False: the two are practically equal at this level.")


class SubtestTiming(_Data):
    """Speed and accuracy on a timed subtest (descriptive; no norms)."""

    scale: str
    attempted: int
    items: int
    accuracy: float | None = Field(description="Correct / attempted.")
    completion: float = Field(description="Attempted / items.")
    items_per_minute: float | None = None
    time_used: float | None = Field(default=None, description="Seconds / time limit.")
    time_limit_seconds: int


class HollandIndices(_Data):
    code: str = Field(description="e.g. 'SAE', or 'S(A/E)' where A and E are tied.")
    scores: dict[str, float] = Field(
        description="Score by RIASEC letter: T where the instrument has norms, else raw."
    )
    liked: list[str] = Field(
        default_factory=list,
        description="Letters whose raw score is above the middle of its possible range.",
    )
    tied: bool
    consistency: Literal["high", "medium", "low", "undetermined"]
    differentiation_holland: float
    differentiation_iachan: float
    elevation: float
    elevation_mean: float


class ValidityFlag(_Data):
    code: str
    value: float | None
    threshold: float | None
    explanation: LocalizedText


class NormInfo(_Data):
    """The norm group a respondent's standard scores refer to."""

    id: str
    title: LocalizedText
    source: str
    sample_size: int
    year: int | None = None


class InstrumentProfile(_Data):
    instrument_id: str
    instrument_version: str
    content_hash: str
    overlay_hash: str | None = None
    title: LocalizedText
    measures: str = Field(description="interests, types, personality, aptitude or other.")
    notice: LocalizedText | None = Field(
        default=None, description="A licence notice that must be shown with the results."
    )
    norm_group: str | None = None
    norm: NormInfo | None = None
    confidence_level: float
    scales: list[ScaleResult] = Field(min_length=1)
    leading: list[str] = Field(description="Scale ids sharing the highest score.")
    tie_margin: float = Field(
        default=0.0, ge=0, description="Scores this close count as tied (the code rule's)."
    )
    code: str | None = Field(default=None, description="Type code per the instrument's code rule.")
    holland: HollandIndices | None = None
    comparisons: list[Comparison] = Field(default_factory=list)
    flags: list[ValidityFlag] = Field(default_factory=list)
    timing: list[SubtestTiming] = Field(default_factory=list)
    row_status: Literal["ok", "problems"] = "ok"

    @model_validator(mode="after")
    def _known_scales(self) -> InstrumentProfile:
        ids = [scale.id for scale in self.scales]
        if len(set(ids)) != len(ids):
            raise ValueError("each scale id once in scales")
        named = [*self.leading, *(c.higher for c in self.comparisons)]
        named += [c.lower for c in self.comparisons] + [t.scale for t in self.timing]
        unknown = sorted(set(named) - set(ids))
        if unknown:
            raise ValueError(f"scale ids that are in scales; unknown: {', '.join(unknown)}")
        if not 0 < self.confidence_level < 1:
            raise ValueError(f"confidence_level {self.confidence_level} between 0 and 1")
        return self


DdoType = Literal["nature", "technique", "human", "sign", "art"]
Route = Literal["short_course", "college", "university", "on_the_job"]


class OccupationMatch(_Data):
    id: str
    title: LocalizedText
    riasec: str = Field(pattern=r"^[RIASEC]{1,3}$")
    ddo: list[DdoType]
    education: list[Route] = Field(min_length=1)
    regional_demand: bool
    fit: float = Field(description="The match score, 0-1; reports show fit_level instead.")
    fit_level: Literal["strong", "good", "possible"]
    rank: int = Field(ge=1, description="Competition rank: occupations with equal fit share it.")
    brown_gore_c: float | None = None
    congruence: float | None = Field(
        default=None, description="C divided by the C attainable for the occupation's code."
    )
    iachan_m: float | None = None
    similarity: float | None = None
    klimov_fit: float | None = None
    route: Route | None = Field(
        default=None, description="The education route that suits the person's stage best."
    )
    route_direct: bool | None = Field(
        default=None, description="False: the route needs a step first (grade 11 before ВО)."
    )
    demand_year: int | None = Field(
        default=None, description="The year of the newest dated source of the demand flag."
    )
    interests_from_onet: bool = Field(
        default=False, description="The similarity used O*NET's interest ratings."
    )


class Matching(_Data):
    """How the occupation list was made, and why it may be empty or cut."""

    withheld: Literal["flat_profile", "all_same", "not_scored"] | None = Field(
        default=None, description="Why no ranked list is given (None: a list is given)."
    )
    explanation: LocalizedText | None = None
    more_tied: int = Field(
        default=0, ge=0, description="Occupations not listed whose fit equals the last listed."
    )
    tie_rule: LocalizedText
    fit_levels: dict[str, float] = Field(description="Fit level -> its lowest match score.")


class CatalogueRef(_Data):
    id: str
    version: str
    region: str
    attribution: LocalizedText | None = Field(
        default=None, description="The notice that must accompany O*NET's data where shown."
    )


AgeGroup = Literal["minor", "adult"]
ADULT_AGE = 18
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_RUSSIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
DATE_EXPECTED = "a date such as 2025-03-14 or 14.03.2025"


def parse_testing_date(value: str) -> str:
    """A date of testing, written 2025-03-14 or 14.03.2025, as ISO text (2025-03-14).

    Raises
    ------
    ValueError
        For anything else, or a date that does not exist (2025-02-30).
    """
    text = value.strip()
    iso, russian = _ISO_DATE.fullmatch(text), _RUSSIAN_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif russian:
        day, month, year = (int(part) for part in russian.groups())
    else:
        raise ValueError(f"{DATE_EXPECTED} (got {value!r})")
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"a date that exists (got {value!r})") from None


class Session(_Data):
    """Facts of the testing session, printed on the reports: when, by whom, where."""

    date: str | None = Field(
        default=None, description="Date of testing: 2025-03-14 or 14.03.2025 (kept as ISO)."
    )
    counsellor: str | None = Field(default=None, min_length=1, max_length=300)
    organisation: str | None = Field(
        default=None, min_length=1, max_length=300, description="e.g. the employment centre."
    )
    contacts: str | None = Field(
        default=None, min_length=1, max_length=300, description="Address, telephone, e-mail."
    )

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        return None if value is None else parse_testing_date(value)


class NextStep(_Data):
    id: str = Field(max_length=64)
    text: LocalizedText


class NextSteps(_Data):
    """The next steps of a region's file (`profdiag-next-steps/1`) that suit this person."""

    id: str = Field(max_length=64)
    version: str = Field(max_length=64)
    region: str = Field(max_length=300)
    steps: list[NextStep] = Field(default_factory=list)


class Profile(_Data):
    format: Literal["profdiag-profile/1"] = "profdiag-profile/1"
    respondent: str = Field(max_length=1_000)
    stage: (
        Literal["grade9", "grade11", "adult_without_profession", "adult_with_profession"] | None
    ) = Field(default=None, description="The person's stage of education.")
    name: str | None = Field(
        default=None, max_length=300, description="The client's name, for the report."
    )
    given_name: str | None = Field(
        default=None,
        max_length=300,
        description="How the report greets the client (e.g. the first name of a pupil).",
    )
    age: int | None = Field(
        default=None, ge=0, le=120, description="Age in completed years at testing."
    )
    session: Session | None = Field(
        default=None, description="Date of testing, counsellor, organisation, contacts."
    )
    profdiag_version: str
    instruments: list[InstrumentProfile]
    catalogue: CatalogueRef | None = None
    matches: list[OccupationMatch] = Field(default_factory=list)
    matching: Matching | None = None
    next_steps: NextSteps | None = Field(
        default=None, description="The region's next steps chosen for this person."
    )

    def age_group(self) -> AgeGroup | None:
        """The age group the report speaks to: "minor" under 18, "adult" from 18. Without
        an age, a school stage (grade9, grade11) counts as minor and an adult stage as
        adult; None when neither is known."""
        if self.age is not None:
            return "minor" if self.age < ADULT_AGE else "adult"
        if self.stage in ("grade9", "grade11"):
            return "minor"
        return "adult" if self.stage is not None else None
